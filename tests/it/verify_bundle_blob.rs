//! `kakunin verify-bundle` with cosign `sign-blob`'s outputs: a detached signature (base64 or
//! raw) with its certificate (PEM or base64 of PEM) and chain, and cosign's older bundle JSON
//! `{"base64Signature","cert","rekorBundle"}`. The material comes from real signings by the test
//! Sigstore instance (Fulcio certificate, Rekor v1 SET), rewritten into cosign's byte formats;
//! every check is shown to fail on a changed input.

use std::path::{Path, PathBuf};

use base64::Engine;
use sigstore_types::KindVersion::{DsseV001, HashedRekordV001};

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::{GithubToken, TestSigstore};
use crate::support::cosign::rekor_bundle;
use crate::support::openssl::{self, ec_key};

const GH_ISSUER: &str = "https://token.actions.githubusercontent.com";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn pem(der_b64: &str) -> String {
    let der = B64.decode(der_b64).unwrap();
    let body = B64.encode(der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// What `cosign sign-blob --output-signature --output-certificate --bundle` writes, from one
/// Sigstore bundle signed by the test instance.
struct SignBlob {
    sig_b64: String,
    cert_pem: String,
    rekor: serde_json::Value,
}

impl SignBlob {
    fn from_bundle(b: &serde_json::Value) -> SignBlob {
        let vm = &b["verificationMaterial"];
        SignBlob {
            sig_b64: b["messageSignature"]["signature"]
                .as_str()
                .unwrap()
                .to_string(),
            cert_pem: pem(vm["certificate"]["rawBytes"].as_str().unwrap()),
            rekor: rekor_bundle(&vm["tlogEntries"][0]),
        }
    }

    /// cosign's bundle JSON (`cert` is base64 of the PEM, as cosign writes it).
    fn cosign_bundle(&self) -> serde_json::Value {
        serde_json::json!({
            "base64Signature": self.sig_b64,
            "cert": B64.encode(&self.cert_pem),
            "rekorBundle": self.rekor,
        })
    }
}

fn sign(instance: &TestSigstore, tok: &GithubToken, file: &Path) -> serde_json::Value {
    let bundle = file.with_extension("sigstore.json");
    let signed = crate::support::keyless::sign_bundle(instance, &tok.jwt(), file, &bundle, false);
    serde_json::from_slice(&signed).unwrap()
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn cosign_sign_blob_outputs_verify_in_full_and_each_changed_part_fails() {
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("vb-blob");
    let d = dir.path();
    let artifact = write(d, "app.tar.gz", b"the release artifact\n");
    let other_artifact = write(d, "other.tar.gz", b"another artifact\n");
    let one = SignBlob::from_bundle(&sign(&instance, &tok, &artifact));
    let two = SignBlob::from_bundle(&sign(&instance, &tok, &other_artifact));

    let root = instance.trusted_root();
    let verify = |files: &[&str], identity: &str, artifact: &str| {
        let mut a = vec!["verify-bundle"];
        a.extend_from_slice(files);
        a.extend([
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            GH_ISSUER,
            "--trusted-root",
            root.to_str().unwrap(),
            "-o",
            "json",
            artifact,
        ]);
        run(&a)
    };
    let id = tok.identity();
    let art = artifact.to_str().unwrap();
    let p = |x: &PathBuf| x.to_str().unwrap().to_string();

    // 1. cosign's bundle JSON: by file and by digest.
    let cb = write(d, "app.bundle", one.cosign_bundle().to_string());
    let out = verify(&["--bundle", &p(&cb)], &id, art);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let details = &r["reports"][0]["details"];
    assert_eq!(details["form"], "cosign-bundle-json", "{details}");
    assert!(
        !details["log_indexes"].as_array().unwrap().is_empty(),
        "{details}"
    );
    let digest = kakunin::digest::sha256_file(&artifact).unwrap().to_string();
    let out = verify(&["--bundle", &p(&cb)], &id, &digest);
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    // 2. Detached signature (base64, and raw) + certificate (PEM, and base64 of PEM) + the
    //    bundle JSON for the SET, as `cosign verify-blob --signature --certificate --bundle`.
    let sig = write(d, "app.sig", format!("{}\n", one.sig_b64));
    let raw_sig = write(d, "app.sig.raw", B64.decode(&one.sig_b64).unwrap());
    let cert = write(d, "app.pem", &one.cert_pem);
    let cert_b64 = write(d, "app.crt", B64.encode(&one.cert_pem));
    let set_only = write(
        d,
        "set.bundle",
        serde_json::json!({"base64Signature": two.sig_b64, "rekorBundle": one.rekor}).to_string(),
    );
    for (s, c) in [(&sig, &cert), (&raw_sig, &cert_b64)] {
        let out = verify(
            &[
                "--signature",
                &p(s),
                "--certificate",
                &p(c),
                "--bundle",
                &p(&set_only),
            ],
            &id,
            art,
        );
        assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    }
    // With the chain of the instance's Fulcio CA.
    let tr: serde_json::Value = serde_json::from_slice(&std::fs::read(&root).unwrap()).unwrap();
    let chain: String = tr["certificateAuthorities"][0]["certChain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| pem(c["rawBytes"].as_str().unwrap()))
        .collect();
    let chain = write(d, "chain.pem", chain);
    let out = verify(
        &[
            "--signature",
            &p(&sig),
            "--certificate",
            &p(&cert),
            "--certificate-chain",
            &p(&chain),
            "--bundle",
            &p(&set_only),
        ],
        &id,
        art,
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));

    // 3. Without a log entry a keyless detached signature cannot be verified offline.
    let out = verify(
        &["--signature", &p(&sig), "--certificate", &p(&cert)],
        &id,
        art,
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("no transparency-log entry"),
        "{}",
        stdout(&out)
    );

    // 4. Each changed part fails.
    let fails = |files: &[&str], identity: &str, artifact: &str, want: &[&str]| {
        let out = verify(files, identity, artifact);
        assert_eq!(
            code(&out),
            1,
            "{files:?}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        for w in want {
            assert!(
                stdout(&out).contains(w),
                "{files:?}: {w} not in {}",
                stdout(&out)
            );
        }
    };
    // Another artifact.
    fails(
        &["--bundle", &p(&cb)],
        &id,
        other_artifact.to_str().unwrap(),
        &[],
    );
    // Another identity: expected and found named.
    let other_id = "https://github.com/else/where/.github/workflows/x.yaml@refs/tags/v1";
    fails(&["--bundle", &p(&cb)], other_id, art, &[other_id, &id]);
    // The signature of another signing with this certificate and SET.
    let mut b = one.cosign_bundle();
    b["base64Signature"] = two.sig_b64.clone().into();
    let bad = write(d, "badsig.bundle", b.to_string());
    fails(&["--bundle", &p(&bad)], &id, art, &[]);
    // The SET of another entry (its body names the other signature, certificate and digest).
    let mut b = one.cosign_bundle();
    b["rekorBundle"] = two.rekor.clone();
    let bad = write(d, "badset.bundle", b.to_string());
    fails(&["--bundle", &p(&bad)], &id, art, &[]);
    // A SET whose integrated time was changed (the log's signature no longer covers it).
    let mut b = one.cosign_bundle();
    let t = b["rekorBundle"]["Payload"]["integratedTime"]
        .as_i64()
        .unwrap();
    b["rekorBundle"]["Payload"]["integratedTime"] = (t + 1).into();
    let bad = write(d, "badtime.bundle", b.to_string());
    fails(&["--bundle", &p(&bad)], &id, art, &[]);
    // Another certificate (the second signing's) than the one logged.
    let mut b = one.cosign_bundle();
    b["cert"] = B64.encode(&two.cert_pem).into();
    let bad = write(d, "badcert.bundle", b.to_string());
    fails(&["--bundle", &p(&bad)], &id, art, &[]);

    // 5. Bad input: usage errors naming the file.
    let junk = write(d, "junk.sig", "");
    let out = verify(
        &["--signature", &p(&junk), "--certificate", &p(&cert)],
        &id,
        art,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("junk.sig"), "{}", stderr(&out));
    let notpem = write(d, "not.pem", "hello");
    let out = verify(
        &["--signature", &p(&sig), "--certificate", &p(&notpem)],
        &id,
        art,
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("neither PEM nor base64"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_keyed_cosign_bundle_json_without_a_log_entry_needs_the_key_and_the_waiver() {
    use sigstore_verify::crypto::{KeyAlgorithm, KeyPair};
    let dir = TempDir::new("vb-blob-key");
    let d = dir.path();
    let artifact = write(d, "blob.bin", b"keyed blob\n");
    let key = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let sig = key.sign(b"keyed blob\n").unwrap();
    let pub_pem = write(d, "cosign.pub", key.public_key_der().unwrap().to_pem());
    let other = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let other_pem = write(d, "other.pub", other.public_key_der().unwrap().to_pem());
    let cb = write(
        d,
        "blob.bundle",
        serde_json::json!({"base64Signature": B64.encode(sig.as_bytes())}).to_string(),
    );
    let sigfile = write(d, "blob.sig", B64.encode(sig.as_bytes()));
    let verify = |files: &[&str], key: &Path, extra: &[&str]| {
        let mut a = vec!["verify-bundle"];
        a.extend_from_slice(files);
        a.extend(["--key", key.to_str().unwrap()]);
        a.extend_from_slice(extra);
        a.push(artifact.to_str().unwrap());
        run(&a)
    };
    let cbs = cb.to_str().unwrap();
    let sigs = sigfile.to_str().unwrap();
    for files in [&["--bundle", cbs][..], &["--signature", sigs][..]] {
        let out = verify(files, &pub_pem, &["--insecure-ignore-tlog"]);
        assert_eq!(
            code(&out),
            0,
            "{files:?}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        // Without the waiver: refused (no log entry); with another key: refused.
        let out = verify(files, &pub_pem, &[]);
        assert_eq!(code(&out), 1, "{files:?}: {}", stdout(&out));
        let out = verify(files, &other_pem, &["--insecure-ignore-tlog"]);
        assert_eq!(code(&out), 1, "{files:?}: {}", stdout(&out));
    }
}

/// An ECDSA P-521 public key and an Ed448 one (made with openssl), which sigstore-verify cannot
/// verify with.
const P521: &str = "-----BEGIN PUBLIC KEY-----\nMIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQBC/M64ozBVClG5Vgmm7bzLkBXhzws\nAORsPUdl3+bi+X3MbxaDVEhuP3RhIaoO0ZG7N1xub7MJyRUH+V3PFi5A9iQB//aY\nra7irOOseapbAGPJkm9WUtLjRMYHtUpMH+ynu0PnoePIbo6hjl+5qjF9quireXOD\nYAdajDf06hUNN4u0nwo=\n-----END PUBLIC KEY-----\n";
const ED448: &str = "-----BEGIN PUBLIC KEY-----\nMEMwBQYDK2VxAzoAwlZjg6JMmxfK2rpp9uWShdtYFhgu2xJw+Pp6V6epGSQmzhlK\nE5ri9+yHW2j5WUIu2chJkpSQ8z+A\n-----END PUBLIC KEY-----\n";

#[test]
fn keys_of_algorithms_kakunin_cannot_verify_are_unsupported_algorithm_exit_2() {
    let dir = TempDir::new("vb-unsupported-key");
    let d = dir.path();
    let artifact = write(d, "blob.bin", b"blob\n");
    let sig = write(d, "blob.sig", B64.encode([1u8; 64]));
    let layout = d.join("layout");
    std::fs::create_dir_all(layout.join("blobs/sha256")).unwrap();
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .unwrap();
    std::fs::write(
        layout.join("index.json"),
        r#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#,
    )
    .unwrap();
    for (pem, name) in [(P521, "ECDSA P-521"), (ED448, "Ed448")] {
        let key = write(d, "k.pub", pem);
        let k = key.to_str().unwrap();
        for args in [
            vec![
                "verify-bundle",
                "--signature",
                sig.to_str().unwrap(),
                "--key",
                k,
                "--insecure-ignore-tlog",
                artifact.to_str().unwrap(),
            ],
            vec![
                "verify-image",
                &format!("oci-layout:{}:v1", layout.display()),
                "--key",
                k,
            ]
            .into_iter()
            .map(|s| Box::leak(s.to_string().into_boxed_str()) as &str)
            .collect(),
        ] {
            let out = run(&args);
            assert_eq!(
                code(&out),
                2,
                "{args:?}: {}\n{}",
                stdout(&out),
                stderr(&out)
            );
            assert!(
                stderr(&out).contains(&format!("unsupported algorithm {name}")),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
}

/// A Sigstore bundle whose signing certificate has a key of an algorithm sigstore-verify cannot
/// verify with (ECDSA P-521, made here with openssl) is "unsupported algorithm ECDSA P-521",
/// exit 2 — never a failed signature — in every report form.
#[test]
fn a_certificate_with_a_p521_key_is_unsupported_algorithm_exit_2_not_a_bad_signature() {
    let dir = TempDir::new("vb-p521");
    let key = dir.path().join("p521.key");
    let cert = dir.path().join("p521.der");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
        ])
        .args([
            "-nodes", "-subj", "/CN=p521", "-days", "1", "-outform", "DER",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output();
    match made {
        Ok(o) if o.status.success() => {}
        _ => {
            crate::common::skipped(
                "a_certificate_with_a_p521_key_is_unsupported_algorithm_exit_2",
                "openssl cannot make a P-521 certificate here",
            );
            return;
        }
    }
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let artifact = write(dir.path(), "artifact.txt", "hello p521\n");
    let mut b = sign(&instance, &tok, &artifact);
    b["verificationMaterial"]["certificate"]["rawBytes"] =
        B64.encode(std::fs::read(&cert).unwrap()).into();
    let bundle = write(dir.path(), "p521.sigstore.json", b.to_string());
    for format in ["human", "json"] {
        let out = run(&[
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            &tok.identity(),
            "--certificate-oidc-issuer",
            GH_ISSUER,
            "--trusted-root",
            instance.trusted_root().to_str().unwrap(),
            "-o",
            format,
            artifact.to_str().unwrap(),
        ]);
        assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert!(all.contains("unsupported algorithm ECDSA P-521"), "{all}");
        assert!(!all.contains("signature verification failed"), "{all}");
    }
}

/// A temporary directory `label` holding, for each name `K` in `keys`, an ECDSA P-384 private
/// key `K.key` and its public key `K.pem`, made with openssl; `None`, saying `test` SKIPPED,
/// where this machine's openssl cannot make a P-384 key.
fn p384_keys(label: &str, test: &str, keys: &[&str]) -> Option<TempDir> {
    let dir = TempDir::new(label);
    let made = keys.iter().all(|k| {
        let (key, public) = (format!("{k}.key"), format!("{k}.pem"));
        ec_key(dir.path(), "secp384r1", &key, Some(&public))
    });
    if !made {
        crate::common::skipped(test, "openssl cannot make a P-384 key here");
        return None;
    }
    Some(dir)
}

/// An ECDSA P-384 managed key (made with openssl) and a Sigstore bundle whose message signature
/// is P-384 over the artifact's SHA-256 digest (as cosign sign-blob signs with a P-384 key),
/// logged in the test Rekor as a `hashedrekord` 0.0.1 entry: it verifies with `--key` against
/// the test instance's root; a changed artifact byte, a changed signature byte and another
/// P-384 key each fail with exit 1, naming expected and found. (A SHA-384 hash in a Rekor v1
/// hashedrekord entry is refused by sigstore-rekor 0.15.1: "SHA-256 hash must be 32 bytes".)
#[test]
fn a_p384_hashedrekord_verifies_with_its_key_and_a_changed_byte_fails() {
    let test = "a_p384_hashedrekord_verifies_with_its_key";
    let Some(dir) = p384_keys("vb-p384", test, &["a", "b"]) else {
        return;
    };
    let artifact = write(dir.path(), "artifact.txt", "hello p384\n");
    let (sig, digest) = openssl::sign(dir.path(), "a.key", "sha256", "artifact.txt");
    assert_eq!(digest.len(), 32);
    let public = std::fs::read(dir.path().join("a.pem")).unwrap();
    // The test Rekor logs it as a hashedrekord 0.0.1 entry.
    let instance = TestSigstore::start();
    let entry: sigstore_sign::rekor::HashedRekord = serde_json::from_value(serde_json::json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": "sha256", "value": hex::encode(&digest)}},
            "signature": {"content": B64.encode(&sig), "publicKey": {"content": B64.encode(&public)}},
        },
    }))
    .unwrap();
    let client = sigstore_sign::rekor::RekorClient::builder(instance.url())
        .build()
        .unwrap();
    let logged = crate::support::block_on(client.create_entry(entry)).unwrap();
    let tlog = logged
        .to_bundle_entry(sigstore_types::KindVersion::HashedRekordV001)
        .unwrap();
    let bundle_of = |sig: &[u8]| {
        serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": "p384"}, "tlogEntries": [tlog]},
            "messageSignature": {
                "messageDigest": {"algorithm": "SHA2_256", "digest": B64.encode(&digest)},
                "signature": B64.encode(sig),
            },
        })
        .to_string()
    };
    let good = write(dir.path(), "p384.sigstore.json", bundle_of(&sig));
    let root = instance.trusted_root();
    let verify = |bundle: &Path, key: &str, artifact: &Path| {
        let key = dir.path().join(key);
        let out = run(&[
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--key",
            key.to_str().unwrap(),
            "--trusted-root",
            root.to_str().unwrap(),
            "-o",
            "json",
            artifact.to_str().unwrap(),
        ]);
        let r: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
        let sig = r["reports"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "bundle.signature")
            .cloned()
            .unwrap_or_else(|| panic!("no bundle.signature in {r:#}"));
        (code(&out), sig)
    };
    let (c, s) = verify(&good, "a.pem", &artifact);
    assert_eq!(c, 0, "{s:#}");
    assert_eq!(s["outcome"], "pass", "{s:#}");
    assert!(s["expected"].as_str().unwrap().contains("a.pem"), "{s:#}");
    assert!(
        s["found"].as_str().unwrap().contains("logged at index"),
        "{s:#}"
    );
    // A changed artifact byte: its digest is not the signed one.
    let changed = write(dir.path(), "changed.txt", "hello p385\n");
    let (c, s) = verify(&good, "a.pem", &changed);
    assert_eq!(c, 1, "{s:#}");
    assert_eq!(s["outcome"], "fail", "{s:#}");
    assert!(
        s["expected"].as_str().unwrap().contains("changed.txt"),
        "{s:#}"
    );
    assert!(!s["found"].as_str().unwrap().is_empty(), "{s:#}");
    // A changed signature byte, and another P-384 key.
    let mut bad = sig.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let flipped = write(dir.path(), "flipped.sigstore.json", bundle_of(&bad));
    for (bundle, key) in [(&flipped, "a.pem"), (&good, "b.pem")] {
        let (c, s) = verify(bundle, key, &artifact);
        assert_eq!(c, 1, "{key}: {s:#}");
        assert_eq!(s["outcome"], "fail", "{key}: {s:#}");
        assert!(s["expected"].as_str().unwrap().contains(key), "{s:#}");
    }
}

/// An ECDSA P-384 managed key (openssl) whose message signature is P-384 with SHA-384 over the
/// artifact (the Sigstore algorithm registry's pairing), logged in the test Rekor as a
/// `hashedrekord` 0.0.1 entry recording the artifact's SHA-384: sigstore-verify 0.15.1 binds
/// such entries by SHA-256 only, so verify-bundle refuses it as "unsupported algorithm
/// ECDSA_P384_SHA_384" (exit 2), never as a bad signature (exit 1); the same key and artifact
/// with the entry's SHA-256 (the test above) verify.
#[test]
fn a_p384_sha384_hashedrekord_is_unsupported_algorithm_exit_2_not_a_bad_signature() {
    let test = "a_p384_sha384_hashedrekord_is_unsupported_algorithm_exit_2";
    let Some(dir) = p384_keys("vb-p384-sha384", test, &["a"]) else {
        return;
    };
    let artifact = write(dir.path(), "artifact.txt", "hello p384 sha384\n");
    let (sig, digest) = openssl::sign(dir.path(), "a.key", "sha384", "artifact.txt");
    assert_eq!(digest.len(), 48);
    let public = std::fs::read(dir.path().join("a.pem")).unwrap();
    // sigstore-rekor's client refuses a 48-byte hash: the entry is proposed as JSON.
    let instance = TestSigstore::start();
    let proposed = hashedrekord("sha384", &digest, &sig, &public);
    let tlog = log_entry(&instance, &proposed, HashedRekordV001);
    let bundle = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "p384"}, "tlogEntries": [tlog]},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_384", "digest": B64.encode(&digest)},
            "signature": B64.encode(&sig),
        },
    });
    let bundle = write(dir.path(), "p384.sigstore.json", bundle.to_string());
    let root = instance.trusted_root();
    let key = dir.path().join("a.pem");
    let out = run(&[
        "verify-bundle",
        "--bundle",
        bundle.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
        "--trusted-root",
        root.to_str().unwrap(),
        artifact.to_str().unwrap(),
    ]);
    crate::support::verify_cmd::refused_as_unsupported_p384(&out);
}

/// The start of the tests that sign with an openssl key certified by the test instance: a
/// temporary directory `label` holding the EC private key `k.pem` of `curve` (openssl's name;
/// asserted made), the instance, and a token for `o/plain`'s `release.yaml` at `refs/tags/v1`.
fn openssl_keyless(label: &str, curve: &str) -> (TempDir, TestSigstore, GithubToken) {
    let dir = TempDir::new(label);
    assert!(
        ec_key(dir.path(), curve, "k.pem", None),
        "openssl cannot make a {curve} key"
    );
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/plain", "release.yaml", "refs/tags/v1");
    (dir, instance, tok)
}

/// Asks the test instance's Fulcio for a certificate of the openssl key `dir/k.pem` with the
/// token `tok` (its proof of possession: the token's subject signed with the key); the leaf's
/// PEM.
fn fulcio_certificate(instance: &TestSigstore, dir: &Path, tok: &GithubToken) -> String {
    openssl::must(dir, &["ec", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
    let sub = format!("repo:{}:ref:{}", tok.repository, tok.git_ref);
    std::fs::write(dir.join("sub.txt"), &sub).unwrap();
    let (pop, _) = openssl::sign(dir, "k.pem", "sha256", "sub.txt");
    let public = std::fs::read_to_string(dir.join("pub.pem")).unwrap();
    let request = serde_json::json!({
        "credentials": {"oidcIdentityToken": tok.jwt()},
        "publicKeyRequest": {
            "publicKey": {"algorithm": "ECDSA", "content": public},
            "proofOfPossession": B64.encode(pop),
        },
    });
    let reply: serde_json::Value =
        post_json(&format!("{}/api/v2/signingCert", instance.url()), &request);
    reply["signedCertificateEmbeddedSct"]["chain"]["certificates"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no certificate in {reply:#}"))
        .to_string()
}

/// A Rekor v1 `hashedrekord` 0.0.1 entry to propose: `sig` over the file whose `hash` digest is
/// `digest`, verified by `public` (a public key's or a certificate's PEM).
fn hashedrekord(hash: &str, digest: &[u8], sig: &[u8], public: &[u8]) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "0.0.1",
        "kind": "hashedrekord",
        "spec": {
            "data": {"hash": {"algorithm": hash, "value": hex::encode(digest)}},
            "signature": {"content": B64.encode(sig), "publicKey": {"content": B64.encode(public)}},
        },
    })
}

/// Logs the `proposed` entry in the test instance's Rekor (v1 API); the logged entry of `kind`,
/// as a bundle's `tlogEntries` hold it.
fn log_entry(
    instance: &TestSigstore,
    proposed: &serde_json::Value,
    kind: sigstore_types::KindVersion,
) -> sigstore_types::TransparencyLogEntry {
    let logged: std::collections::BTreeMap<String, sigstore_sign::rekor::LogEntry> =
        post_json(&format!("{}/api/v1/log/entries", instance.url()), proposed);
    logged
        .values()
        .next()
        .unwrap_or_else(|| panic!("no entry logged for {proposed:#}"))
        .to_bundle_entry(kind)
        .unwrap()
}

fn post_json<T: serde::de::DeserializeOwned>(url: &str, body: &serde_json::Value) -> T {
    crate::support::block_on(async {
        let r = reqwest::Client::new()
            .post(url)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{url}: {status} {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: {e}: {text}"))
    })
}

/// A DSSE envelope of payload type `text/plain` (as sigstore-js signs), signed in-test with an
/// openssl P-256 key certified by the test instance's Fulcio and logged in its Rekor as a `dsse`
/// 0.0.1 entry: verify-bundle verifies it against a file equal to the payload (exit 0, the
/// payload type in the details); a file of other bytes fails naming the payload's digest
/// (expected) and the file's (found); a changed payload byte, a changed signature byte and
/// another identity each fail (exit 1).
#[test]
fn a_text_plain_dsse_bundle_verifies_against_its_payload_and_nothing_else() {
    let (dir, instance, tok) = openssl_keyless("vb-text-plain", "prime256v1");
    let cert = fulcio_certificate(&instance, dir.path(), &tok);
    // The DSSE signature over the PAE of a text/plain `payload`, by k.pem (file `name.bin`).
    let sign_pae = |payload: &[u8], name: &str| {
        let mut pae = format!("DSSEv1 10 text/plain {} ", payload.len()).into_bytes();
        pae.extend_from_slice(payload);
        let file = format!("{name}.bin");
        std::fs::write(dir.path().join(&file), &pae).unwrap();
        openssl::sign(dir.path(), "k.pem", "sha256", &file).0
    };
    let envelope = |payload: &[u8], sig: &[u8]| {
        serde_json::json!({
            "payload": B64.encode(payload),
            "payloadType": "text/plain",
            "signatures": [{"sig": B64.encode(sig), "keyid": ""}],
        })
    };
    // The log entry of the envelope of `payload` and `sig` with the certificate.
    let log_dsse = |payload: &[u8], sig: &[u8]| {
        let proposed = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {"proposedContent": {
                "envelope": envelope(payload, sig).to_string(),
                "verifiers": [B64.encode(&cert)],
            }},
        });
        log_entry(&instance, &proposed, DsseV001)
    };
    let payload = b"hello, plain DSSE\n";
    let sig = sign_pae(payload, "pae");
    let tlog = log_dsse(payload, &sig);
    let der = sigstore_types::DerCertificate::from_pem(&cert).unwrap();
    let bundle_of = |payload: &[u8], sig: &[u8]| {
        serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": B64.encode(der.as_bytes())},
                "tlogEntries": [tlog],
            },
            "dsseEnvelope": envelope(payload, sig),
        })
        .to_string()
    };
    let good = write(dir.path(), "plain.sigstore.json", bundle_of(payload, &sig));
    let root = instance.trusted_root();
    let verify = |bundle: &Path, identity: &str, artifact: &Path| {
        let out = run(&[
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            GH_ISSUER,
            "--trusted-root",
            root.to_str().unwrap(),
            "-o",
            "json",
            artifact.to_str().unwrap(),
        ]);
        let r: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(&out), stderr(&out)));
        (code(&out), r["reports"][0].clone())
    };
    let sig_check = |r: &serde_json::Value| {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "bundle.signature")
            .cloned()
            .unwrap_or_else(|| panic!("no bundle.signature in {r:#}"))
    };
    let artifact = write(dir.path(), "payload.txt", payload);
    let (c, r) = verify(&good, &tok.identity(), &artifact);
    assert_eq!(c, 0, "{r:#}");
    assert_eq!(r["details"]["payload_type"], "text/plain", "{r:#}");
    let s = sig_check(&r);
    assert!(
        s["found"].as_str().unwrap().contains("logged at index"),
        "{s:#}"
    );
    assert!(
        s["found"].as_str().unwrap().contains("certificate chains"),
        "{s:#}"
    );
    // A file of other bytes: the payload's digest expected, the file's found.
    let other = write(dir.path(), "other.txt", b"hello, plain DSSE!\n");
    let (c, r) = verify(&good, &tok.identity(), &other);
    assert_eq!(c, 1, "{r:#}");
    let found = sig_check(&r)["found"].as_str().unwrap().to_string();
    let want = |b: &[u8]| kakunin::digest::Digest::sha256(b).to_string();
    assert!(
        found.contains(&format!("expected digest {}", want(payload))),
        "{found}"
    );
    assert!(
        found.contains(&format!("found {}", want(b"hello, plain DSSE!\n"))),
        "{found}"
    );
    // A changed payload byte (and the file to match it), a changed signature byte, another
    // identity: each exit 1.
    let changed = b"hello, plain DSSF\n";
    let changed_file = write(dir.path(), "changed.txt", changed);
    let changed_bundle = write(
        dir.path(),
        "changed.sigstore.json",
        bundle_of(changed, &sig),
    );
    let mut flipped = sig.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let flipped_bundle = write(
        dir.path(),
        "flipped.sigstore.json",
        bundle_of(payload, &flipped),
    );
    // The envelope beside the log entry of another envelope by the same key: its SET and
    // inclusion verify, but the entry records another payload.
    let second = b"another payload\n";
    let tlog2 = log_dsse(second, &sign_pae(second, "pae2"));
    let mut swapped: serde_json::Value = serde_json::from_str(&bundle_of(payload, &sig)).unwrap();
    swapped["verificationMaterial"]["tlogEntries"] = serde_json::json!([tlog2]);
    let swapped = write(dir.path(), "swapped.sigstore.json", swapped.to_string());
    let (c, r) = verify(&swapped, &tok.identity(), &artifact);
    assert_eq!(c, 1, "{r:#}");
    let found = sig_check(&r)["found"].as_str().unwrap().to_string();
    let hex_of = |b: &[u8]| want(b).trim_start_matches("sha256:").to_string();
    assert!(
        found.contains(&format!(
            "payload hash: expected sha256 {}, found SHA2_256 {}",
            hex_of(payload),
            hex_of(second)
        )),
        "{found}"
    );
    let other_id = "https://github.com/o/plain/.github/workflows/other.yaml@refs/tags/v1";
    for (bundle, identity, file) in [
        (&changed_bundle, tok.identity(), &changed_file),
        (&flipped_bundle, tok.identity(), &artifact),
        (&good, other_id.to_string(), &artifact),
    ] {
        let (c, r) = verify(bundle, &identity, file);
        assert_eq!(c, 1, "{}: {r:#}", bundle.display());
        assert!(
            r["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["outcome"] == "fail"),
            "{r:#}"
        );
    }
}

/// A keyless bundle whose Fulcio-like certificate has an ECDSA P-384 key: the test instance's
/// Fulcio (@sigstore/mock) certifies P-256 keys only, so openssl issues the leaf from the
/// instance's (public, test-only) CA key with Fulcio's profile (empty subject, code signing,
/// the SAN and issuer extension), and the root is the instance's without its CT logs (the leaf
/// has no SCT). Signed with SHA-256 as cosign signs and logged as a hashedrekord 0.0.1 entry
/// with the certificate: it verifies for its identity (exit 0); a changed artifact byte and
/// another identity fail (exit 1); the same certificate signing with SHA-384, logged with the
/// artifact's SHA-384, is "unsupported algorithm ECDSA_P384_SHA_384" (exit 2).
#[test]
fn a_p384_fulcio_certificate_verifies_and_its_sha384_entry_is_unsupported() {
    let (dir, instance, tok) = openssl_keyless("vb-p384-cert", "secp384r1");
    let fixtures = crate::common::repo().join("fixtures/test-sigstore");
    let ca_der = std::fs::read(fixtures.join("certs/ca.der")).unwrap();
    write(
        dir.path(),
        "ca.crt",
        sigstore_types::DerCertificate::new(ca_der).to_pem(),
    );
    let ext = format!(
        "keyUsage = critical, digitalSignature\nextendedKeyUsage = codeSigning\nsubjectAltName = critical, URI:{}\n1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:{GH_ISSUER}\nauthorityKeyIdentifier = keyid\nsubjectKeyIdentifier = hash\n",
        tok.identity()
    );
    write(dir.path(), "ext.cnf", ext);
    let ca_key = fixtures.join("keys/ca.pem");
    openssl::must(
        dir.path(),
        &[
            "req", "-new", "-key", "k.pem", "-subj", "/", "-out", "r.csr",
        ],
    );
    openssl::must(
        dir.path(),
        &[
            "x509",
            "-req",
            "-in",
            "r.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            ca_key.to_str().unwrap(),
            "-set_serial",
            "7",
            "-days",
            "2",
            "-sha384",
            "-extfile",
            "ext.cnf",
            "-out",
            "leaf.pem",
        ],
    );
    let cert = std::fs::read_to_string(dir.path().join("leaf.pem")).unwrap();
    let der = sigstore_types::DerCertificate::from_pem(&cert).unwrap();
    let artifact = write(dir.path(), "artifact.txt", "hello p384 certificate\n");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(instance.trusted_root()).unwrap()).unwrap();
    doc.as_object_mut().unwrap().remove("ctlogs");
    let root = write(dir.path(), "root-without-ct.json", doc.to_string());
    let bundle_for = |hash: &str| {
        let (sig, digest) = openssl::sign(dir.path(), "k.pem", hash, "artifact.txt");
        let proposed = hashedrekord(hash, &digest, &sig, cert.as_bytes());
        let tlog = log_entry(&instance, &proposed, HashedRekordV001);
        let algorithm = if hash == "sha256" {
            "SHA2_256"
        } else {
            "SHA2_384"
        };
        let bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {"rawBytes": B64.encode(der.as_bytes())},
                "tlogEntries": [tlog],
            },
            "messageSignature": {
                "messageDigest": {"algorithm": algorithm, "digest": B64.encode(&digest)},
                "signature": B64.encode(&sig),
            },
        });
        write(
            dir.path(),
            &format!("{hash}.sigstore.json"),
            bundle.to_string(),
        )
    };
    let verify = |bundle: &Path, identity: &str, file: &Path| {
        run(&[
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            GH_ISSUER,
            "--trusted-root",
            root.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
    };
    let sha256 = bundle_for("sha256");
    let out = verify(&sha256, &tok.identity(), &artifact);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let changed = write(dir.path(), "changed.txt", "hello p384 certificatf\n");
    let other = "https://github.com/o/plain/.github/workflows/other.yaml@refs/tags/v1";
    for (id, file) in [(tok.identity(), &changed), (other.to_string(), &artifact)] {
        let out = verify(&sha256, &id, file);
        assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    }
    let out = verify(&bundle_for("sha384"), &tok.identity(), &artifact);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(code(&out), 2, "{all}");
    assert!(
        all.contains("unsupported algorithm ECDSA_P384_SHA_384"),
        "{all}"
    );
}
