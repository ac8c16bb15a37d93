//! `kakunin verify-image`: OCI layouts on disk built from real cosign signatures
//! (../shared/fixtures §15), and images signed by the test Sigstore instance and by keys pushed
//! into Debian's docker-registry on loopback (no referrers API: fallback tags for real).

use std::path::Path;

use kakunin::digest::Digest;

use crate::common::{TempDir, code, run, shared_fixtures, stderr, stdout};

const GO_BAZEL: &str = "go-bazel-github-workflow/README.md.extracted";
const GO_BAZEL_IMAGE: &str =
    "sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321";
const GH_ISSUER: &str = "https://token.actions.githubusercontent.com";
const REF_NAME: &str = "org.opencontainers.image.ref.name";

/// An OCI layout: `blobs` written by digest, `index.json` listing `(media type, bytes, tag)`.
pub struct LayoutBuilder {
    entries: Vec<String>,
    dir: std::path::PathBuf,
}

impl LayoutBuilder {
    pub fn new(dir: &Path) -> LayoutBuilder {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        LayoutBuilder {
            entries: Vec::new(),
            dir: dir.to_path_buf(),
        }
    }

    pub fn blob(&self, bytes: &[u8]) -> Digest {
        let d = Digest::sha256(bytes);
        std::fs::write(self.dir.join("blobs/sha256").join(d.hex()), bytes).unwrap();
        d
    }

    pub fn tag(&mut self, media_type: &str, bytes: &[u8], tag: &str) -> Digest {
        let d = self.blob(bytes);
        self.entries.push(format!(
            r#"{{"mediaType":"{media_type}","digest":"{d}","size":{},"annotations":{{"{REF_NAME}":"{tag}"}}}}"#,
            bytes.len()
        ));
        d
    }

    /// Writes `payload` and cosign's `.sig` manifest of `image` (one simple-signing layer with
    /// `annotations`, no config, as cosign's older layouts have it) under the tag
    /// `sha256-<hex>.sig`.
    pub fn sig_tag(&mut self, image: &Digest, payload: &[u8], annotations: &serde_json::Value) {
        let pd = self.blob(payload);
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{pd}","size":{},"annotations":{annotations}}}]}}"#,
            payload.len()
        );
        let tag = format!("sha256-{}.sig", image.hex());
        self.tag(OCI_MANIFEST, manifest.as_bytes(), &tag);
    }

    pub fn finish(&self) {
        std::fs::write(
            self.dir.join("index.json"),
            format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
                self.entries.join(",")
            ),
        )
        .unwrap();
    }
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The go-bazel image (an index) and its `.sig` manifest, with every blob, in a layout.
fn go_bazel_layout(root: &Path, dir: &Path) -> LayoutBuilder {
    let src = root.join(GO_BAZEL);
    let blob = |d: &str| std::fs::read(src.join("blobs/sha256").join(d)).unwrap();
    let mut l = LayoutBuilder::new(dir);
    let image = blob(GO_BAZEL_IMAGE.strip_prefix("sha256:").unwrap());
    l.tag(OCI_INDEX, &image, "v0.0.30");
    let sig = std::fs::read(src.join(format!(
        "sha256-{}.sig.manifest.json",
        GO_BAZEL_IMAGE.strip_prefix("sha256:").unwrap()
    )))
    .unwrap();
    let m: serde_json::Value = serde_json::from_slice(&sig).unwrap();
    l.blob(&blob(
        m["config"]["digest"]
            .as_str()
            .unwrap()
            .strip_prefix("sha256:")
            .unwrap(),
    ));
    for layer in m["layers"].as_array().unwrap() {
        l.blob(&blob(
            layer["digest"]
                .as_str()
                .unwrap()
                .strip_prefix("sha256:")
                .unwrap(),
        ));
    }
    l.tag(
        OCI_MANIFEST,
        &sig,
        &format!(
            "sha256-{}.sig",
            GO_BAZEL_IMAGE.strip_prefix("sha256:").unwrap()
        ),
    );
    l
}

#[test]
fn a_real_keyless_cosign_signature_verifies_from_an_oci_layout_by_tag_and_by_digest() {
    let Some(root) = shared_fixtures("verify_image_go_bazel_layout") else {
        return;
    };
    let dir = TempDir::new("vi-go-bazel");
    go_bazel_layout(&root, dir.path()).finish();
    let layout = dir.path().display().to_string();
    let by_tag = format!("oci-layout:{layout}:v0.0.30");
    let args = |r: &str, identity: &str| {
        vec![
            "verify-image".to_string(),
            r.to_string(),
            "--certificate-identity-regexp".into(),
            identity.into(),
            "--certificate-oidc-issuer".into(),
            GH_ISSUER.into(),
            "-o".into(),
            "json".into(),
        ]
    };
    let run_s = |a: Vec<String>| run(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = run_s(args(&by_tag, "https://github.com/salrashid123/.*"));
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let r = &report["reports"][0];
    assert_eq!(r["details"]["digest"], GO_BAZEL_IMAGE);
    let ids: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    for want in [
        "image.reference",
        "image.signature",
        "cosign.payload",
        "bundle.signature",
        "bundle.identity",
        "bundle.issuer",
    ] {
        assert!(ids.contains(&want), "{want} missing from {ids:?}");
    }
    assert_eq!(r["details"]["verified"][0]["form"], "cosign-signature");
    assert_eq!(r["details"]["verified"][0]["log_indexes"][0], 1004096555);
    let discovery = r["details"]["discovery"].to_string();
    assert!(
        discovery.contains("no referrers fallback tag")
            && discovery.contains(".att")
            && discovery.contains("absent"),
        "{discovery}"
    );

    // By digest, the same.
    let out = run_s(args(
        &format!("oci-layout:{layout}@{GO_BAZEL_IMAGE}"),
        "https://github.com/salrashid123/.*",
    ));
    assert_eq!(code(&out), 0, "{}", stdout(&out));

    // Another identity: exit 1, and the report says what was expected and found.
    let out = run_s(args(&by_tag, "https://github.com/someone-else/.*"));
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("someone-else") && text.contains("salrashid123/go-bazel-github-workflow"),
        "{text}"
    );

    // A required attestation that is not there: exit 1, naming the type.
    let mut a = args(&by_tag, "https://github.com/salrashid123/.*");
    a.extend(["--attestation".to_string(), "slsaprovenance1".to_string()]);
    let out = run_s(a);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("https://slsa.dev/provenance/v1"));
}

#[test]
fn a_layout_whose_signature_names_another_digest_or_whose_payload_changed_fails() {
    let Some(root) = shared_fixtures("verify_image_go_bazel_tampered") else {
        return;
    };
    // The .sig tag of the index, moved to name another image: the payload names the index.
    let dir = TempDir::new("vi-go-bazel-moved");
    let mut l = go_bazel_layout(&root, dir.path());
    let other = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
    let od = l.tag(OCI_MANIFEST, other, "other");
    let src = root.join(GO_BAZEL);
    let sig = std::fs::read(src.join(format!(
        "sha256-{}.sig.manifest.json",
        GO_BAZEL_IMAGE.strip_prefix("sha256:").unwrap()
    )))
    .unwrap();
    l.tag(OCI_MANIFEST, &sig, &format!("sha256-{}.sig", od.hex()));
    l.finish();
    let out = run(&[
        "verify-image",
        &format!("oci-layout:{}:other", dir.path().display()),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        GH_ISSUER,
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains(GO_BAZEL_IMAGE), "{}", stdout(&out));

    // A layout whose payload blob was changed: the blob no longer has its digest.
    let dir = TempDir::new("vi-go-bazel-blob");
    go_bazel_layout(&root, dir.path()).finish();
    let payload = dir
        .path()
        .join("blobs/sha256/d8a030716080e45139ff0d6d8de7649cc500dc34ff2b9d699200c0a5d550464b");
    let mut bytes = std::fs::read(&payload).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&payload, bytes).unwrap();
    let out = run(&[
        "verify-image",
        &format!("oci-layout:{}:v0.0.30", dir.path().display()),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        GH_ISSUER,
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("holds bytes whose digest is"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_references_and_missing_layouts_are_usage_errors() {
    for r in ["ghcr.io/o/r", "oci-layout:/nonexistent/kakunin-layout:v1"] {
        let out = run(&["verify-image", r, "--key", "/nonexistent.pub"]);
        assert_eq!(code(&out), 2, "{r}: {}", stderr(&out));
    }
}

/// A keyed cosign signature made here (ECDSA P-256 over the simple-signing payload, as
/// `cosign sign --key` writes it), pushed with its image into Debian's docker-registry: found
/// through the `.sig` tag after the referrers API and fallback tag are found absent.
#[test]
fn a_keyed_signature_pushed_to_docker_registry_verifies_only_with_its_key_and_the_log_waiver() {
    use sigstore_verify::crypto::{KeyAlgorithm, KeyPair};
    let Some(reg) = crate::support::registry::Registry::start("verify_image_keyed_registry") else {
        return;
    };
    let name = "o/app";
    let image = reg.push_image(name, "v1.0.0", "keyed");
    let hex = image.digest.strip_prefix("sha256:").unwrap();
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/{name}"}},"image":{{"docker-manifest-digest":"{}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        reg.host(),
        image.digest
    );
    let key = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let sig = key.sign(payload.as_bytes()).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig.as_bytes());
    let dir = TempDir::new("vi-keyed-registry");
    let pub_pem = dir.path().join("cosign.pub");
    std::fs::write(&pub_pem, key.public_key_der().unwrap().to_pem()).unwrap();
    let other = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let other_pem = dir.path().join("other.pub");
    std::fs::write(&other_pem, other.public_key_der().unwrap().to_pem()).unwrap();

    let layer = reg.push_blob(name, payload.as_bytes());
    let config = reg.push_blob(name, b"{}");
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{{"dev.cosignproject.cosign/signature":"{b64}"}}}}]}}"#,
        payload.len()
    );
    reg.push_manifest(
        name,
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        manifest.as_bytes(),
    );

    let cache = TempDir::new("vi-keyed-cache");
    let reference = format!("{}/{name}:v1.0.0", reg.host());
    let verify = |key: &Path, extra: &[&str]| {
        let mut a = vec![
            "verify-image",
            &reference,
            "--key",
            key.to_str().unwrap(),
            "--cache-dir",
            cache.path().to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    let out = verify(&pub_pem, &["--insecure-ignore-tlog"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let out = verify(&pub_pem, &["--insecure-ignore-tlog", "-o", "json", "-v"]);
    let text = stdout(&out);
    assert!(
        text.contains("NO transparency-log entry was checked"),
        "{text}"
    );
    assert!(text.contains(&image.digest), "{text}");
    // Without the waiver: refused, saying why.
    let out = verify(&pub_pem, &[]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("--insecure-ignore-tlog"),
        "{}",
        stdout(&out)
    );
    // Another key: refused.
    let out = verify(&other_pem, &["--insecure-ignore-tlog"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

/// Keyless, by the test Sigstore instance: a message-signature bundle over the image manifest
/// attached through the referrers fallback tag, and a cosign `.sig` layer whose annotations are
/// the material of a second signing (certificate, signature, Rekor SET bundle) — both found and
/// verified against the pushed image's digest; another identity fails.
#[test]
fn keyless_signatures_of_the_test_instance_verify_through_the_fallback_tag_and_the_sig_tag() {
    use crate::sigstore_instance::{GithubToken, TestSigstore};
    let Some(reg) = crate::support::registry::Registry::start("verify_image_keyless_registry")
    else {
        return;
    };
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("vi-keyless");
    let name = "o/app";
    let image = reg.push_image(name, "v1.0.0", "keyless");
    let sign = |file: &Path, bundle: &Path| {
        let bytes =
            crate::support::keyless::sign_bundle(&instance, &tok.jwt(), file, bundle, false);
        serde_json::from_slice::<serde_json::Value>(&bytes).unwrap()
    };
    // 1. A bundle over the image manifest, attached as a referrer (fallback tag).
    let manifest_file = dir.path().join("manifest.json");
    std::fs::write(&manifest_file, &image.manifest).unwrap();
    let b = sign(&manifest_file, &dir.path().join("manifest.sigstore"));
    reg.attach_bundle(name, &image, b.to_string().as_bytes());

    // 2. A cosign .sig layer: the payload signed, its material in cosign's annotations.
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/{name}"}},"image":{{"docker-manifest-digest":"{}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        reg.host(),
        image.digest
    );
    let payload_file = dir.path().join("payload.json");
    std::fs::write(&payload_file, &payload).unwrap();
    let p = sign(&payload_file, &dir.path().join("payload.sigstore"));
    let b64 = base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    let vm = &p["verificationMaterial"];
    let cert_der = b64
        .decode(vm["certificate"]["rawBytes"].as_str().unwrap())
        .unwrap();
    let cert_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        b64.encode(&cert_der)
    );
    let e = &vm["tlogEntries"][0];
    let set = crate::support::cosign::rekor_bundle(e);
    let annotations = serde_json::json!({
        "dev.cosignproject.cosign/signature": p["messageSignature"]["signature"],
        "dev.sigstore.cosign/certificate": cert_pem,
        "dev.sigstore.cosign/bundle": set.to_string(),
    });
    let layer = reg.push_blob(name, payload.as_bytes());
    let config = reg.push_blob(name, b"{}");
    let sig_manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{annotations}}}]}}"#,
        payload.len()
    );
    let hex = image.digest.strip_prefix("sha256:").unwrap();
    reg.push_manifest(
        name,
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        sig_manifest.as_bytes(),
    );

    let cache = TempDir::new("vi-keyless-cache");
    let reference = format!("{}/{name}:v1.0.0", reg.host());
    let verify = |identity: &str| {
        run(&[
            "verify-image",
            &reference,
            "--certificate-identity",
            identity,
            "--certificate-oidc-issuer",
            GH_ISSUER,
            "--trusted-root",
            instance.trusted_root().to_str().unwrap(),
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let out = verify(&tok.identity());
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let verified = report["reports"][0]["details"]["verified"].to_string();
    assert!(
        verified.contains("sigstore-bundle-message-signature")
            && verified.contains("cosign-signature"),
        "{verified}"
    );
    let out = verify("https://github.com/someone/else/.github/workflows/x.yaml@refs/tags/v1");
    assert_eq!(code(&out), 1, "{}", stdout(&out));
}

#[test]
fn a_sig_manifest_with_10000_layers_fails_bounded_with_a_clear_message() {
    let dir = TempDir::new("vi-10000-layers");
    let mut l = LayoutBuilder::new(dir.path());
    let image = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
    let d = l.tag(OCI_MANIFEST, image, "v1");
    let layer = r#"{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000","size":1}"#;
    let layers = vec![layer; 10_000].join(",");
    let sig = format!(r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","layers":[{layers}]}}"#);
    l.tag(
        OCI_MANIFEST,
        sig.as_bytes(),
        &format!("sha256-{}.sig", d.hex()),
    );
    l.finish();
    let key = dir.path().join("k.pub");
    std::fs::write(&key, "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEmd2b5TbtSHZJ0GXv6HSpiUDkNkNo\n0HOD3o3EOaB9xPNuKHCTFRXzsGC/rLwc5HWbwCg5kSnKnQQjHtV0CtsvYA==\n-----END PUBLIC KEY-----\n").unwrap();
    let out = run(&[
        "verify-image",
        &format!("oci-layout:{}:v1", dir.path().display()),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("has 10000 layers, more than the 256"),
        "{}",
        stdout(&out)
    );
}

/// A cosign `.sig` whose certificate has a key of an algorithm kakunin (sigstore-verify) cannot
/// verify with (ECDSA P-521, ECDSA secp256k1, Ed448, made with openssl), in an OCI layout: the
/// verdict is "unsupported algorithm NAME", exit 2, never a failed signature (1); a `--key` of
/// those algorithms is refused the same way before anything is read.
#[test]
fn a_sig_signed_with_a_p521_ed448_or_secp256k1_key_is_unsupported_algorithm_exit_2() {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    for (name, newkey) in [
        (
            "ECDSA P-521",
            vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
        ),
        (
            "ECDSA secp256k1",
            vec!["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"],
        ),
        ("Ed448", vec!["-newkey", "ed448"]),
    ] {
        let dir = TempDir::new("vi-unsupported");
        let made = std::process::Command::new("openssl")
            .args(["req", "-x509"])
            .args(&newkey)
            .args(["-nodes", "-subj", "/CN=unsupported", "-days", "1"])
            .args(["-keyout", "k.pem", "-out", "c.pem"])
            .current_dir(dir.path())
            .output()
            .is_ok_and(|o| o.status.success())
            && std::process::Command::new("openssl")
                .args(["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"])
                .current_dir(dir.path())
                .output()
                .is_ok_and(|o| o.status.success());
        if !made {
            crate::common::skipped(
                "a_sig_signed_with_a_p521_ed448_or_secp256k1_key_is_unsupported_algorithm_exit_2",
                &format!("openssl cannot make an {name} certificate here"),
            );
            continue;
        }
        let layout = dir.path().join("layout");
        let mut l = LayoutBuilder::new(&layout);
        let config = l.blob(b"{}");
        let image = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[]}}"#
        );
        let digest = l.tag(OCI_MANIFEST, image.as_bytes(), "v1");
        let payload = format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"example.com/o/app"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
        );
        let layer = l.blob(payload.as_bytes());
        let cert = std::fs::read_to_string(dir.path().join("c.pem")).unwrap();
        let annotations = serde_json::json!({
            "dev.cosignproject.cosign/signature": b64.encode([0x30u8; 70]),
            "dev.sigstore.cosign/certificate": cert,
        });
        let sig = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{annotations}}}]}}"#,
            payload.len()
        );
        l.tag(
            OCI_MANIFEST,
            sig.as_bytes(),
            &format!("sha256-{}.sig", digest.hex()),
        );
        l.finish();
        let root = crate::common::repo().join("fixtures/test-sigstore/trusted_root.json");
        let reference = format!("oci-layout:{}:v1", layout.display());
        for format in ["human", "json"] {
            let out = run(&[
                "verify-image",
                &reference,
                "--certificate-identity",
                "https://github.com/o/app/.github/workflows/release.yaml@refs/tags/v1",
                "--certificate-oidc-issuer",
                GH_ISSUER,
                "--trusted-root",
                root.to_str().unwrap(),
                "-o",
                format,
            ]);
            assert_eq!(code(&out), 2, "{name}: {}\n{}", stdout(&out), stderr(&out));
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                all.contains(&format!("unsupported algorithm {name}")),
                "{all}"
            );
            assert!(all.contains("in the signing certificate"), "{all}");
        }
        // The same algorithm as --key: refused up front, by name.
        let key = dir.path().join("pub.pem");
        let out = run(&["verify-image", &reference, "--key", key.to_str().unwrap()]);
        assert_eq!(code(&out), 2, "{name}: {}\n{}", stdout(&out), stderr(&out));
        assert!(
            stderr(&out).contains(&format!("unsupported algorithm {name}")),
            "{}",
            stderr(&out)
        );
    }
}
