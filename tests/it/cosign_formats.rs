//! cosign's legacy `.sig`/`.att` layers from real projects (../shared/fixtures, MANIFEST.md
//! §15) verified by the library as MANIFEST.md says, and rejected when a signed byte, the
//! image digest, the identity or the key changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine;
use kakunin::bundle::{GitHubClaims, Identity, Policy, PublicKey};
use kakunin::check::Outcome;
use kakunin::cosign::{self, Layer, Options};
use kakunin::digest::Digest;
use kakunin::trust::Trust;

use crate::common::shared_fixtures;

const GO_BAZEL: &str = "go-bazel-github-workflow/README.md.extracted";
const CLOUD_BUILD: &str = "cosign_bazel_cloud_build/README.md.extracted";
const RATIFY: &str = "ratify/pkg/verifier/cosign/cosign_test.go.extracted";
const SIGSTORE_RS: &str = "sigstore-rs/src/cosign/signature_layers.rs.extracted";

const GO_BAZEL_IMAGE: &str =
    "sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321";
const GO_BAZEL_CHILD: &str =
    "sha256:81f575aadc0246c94c8580b55550eda76d518c6a932a43e72d9cb4d9734d0b75";
const CLOUD_BUILD_IMAGE: &str =
    "sha256:a2b109fb9baea555556561317fdd13cef9c3dfac22c8f8fea0c5a0b06ece9d00";
const RATIFY_KEYED_IMAGE: &str =
    "sha256:d37ada95d47ad12224c205a938129df7a3e52345828b4fa27b03a98825d1e2e7";
const RATIFY_KEYLESS_IMAGE: &str =
    "sha256:623621b56649b5e0c2c7cf3ffd987932f8f9a5a01036e00d6f3ae9480087621c";
const SIGSTORE_RS_KEYED_IMAGE: &str =
    "sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b";
const SIGSTORE_RS_2021_IMAGE: &str =
    "sha256:5f481572d088dc4023afb35fced9530ced3d9b03bf7299c6f492163cb9f0452e";

const GH_ISSUER: &str = "https://token.actions.githubusercontent.com";

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn blob(dir: &Path, digest: &str) -> Vec<u8> {
    let hex = digest.strip_prefix("sha256:").unwrap();
    std::fs::read(dir.join("blobs/sha256").join(hex)).unwrap()
}

fn annotations(descriptor: &serde_json::Value) -> BTreeMap<String, String> {
    descriptor["annotations"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

/// The layer a descriptor (as in a manifest's `layers[]`) names, with its blob from `dir`.
fn layer(dir: &Path, descriptor: &serde_json::Value) -> Layer {
    let digest = descriptor["digest"].as_str().unwrap();
    Layer::new(
        descriptor["mediaType"].as_str().unwrap(),
        digest,
        blob(dir, digest),
        annotations(descriptor),
    )
    .unwrap()
}

fn key(path: &Path) -> Policy {
    Policy::Key(PublicKey::from_file(path).unwrap())
}

fn regex_identity(re: &str, issuer: &str) -> Policy {
    Policy::Certificate {
        identity: Identity::regex(re).unwrap(),
        issuer: issuer.into(),
        github: GitHubClaims::default(),
    }
}

fn digest(s: &str) -> Digest {
    s.parse().unwrap()
}

fn verify(
    layer: &Layer,
    image: &str,
    policy: &Policy,
    options: &Options,
) -> cosign::LayerVerification<cosign::VerifiedImageSignature> {
    let trust = Trust::production().unwrap();
    cosign::verify_signature_layer(&trust, layer, &digest(image), policy, options)
}

fn failing(v: &cosign::LayerVerification<cosign::VerifiedImageSignature>) -> String {
    v.checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| format!("{}: expected {} found {}", c.id, c.expected, c.found))
        .collect::<Vec<_>>()
        .join("\n")
}

fn fixtures(test: &str) -> Option<PathBuf> {
    shared_fixtures(test)
}

#[test]
fn go_bazel_keyless_sig_verifies_for_the_index_digest_and_its_identity() {
    let Some(root) = fixtures("go_bazel_keyless_sig") else {
        return;
    };
    let dir = root.join(GO_BAZEL);
    let manifest = json(&dir.join(
        "sha256-c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321.sig.manifest.json",
    ));
    let l = layer(&dir, &manifest["layers"][0]);
    let policy = regex_identity("https://github.com.*", GH_ISSUER);
    let v = verify(&l, GO_BAZEL_IMAGE, &policy, &Options::default());
    let ok = v
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}\n{}", failing(&v)));
    assert_eq!(
        ok.payload().docker_reference.as_deref(),
        Some("index.docker.io/salrashid123/server_image")
    );
    let b = ok.bundle().unwrap();
    assert_eq!(
        b.identity(),
        Some(
            "https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30"
        )
    );
    assert_eq!(b.log_indexes(), &[1004096555]);
    assert_eq!(b.integrated_time().unwrap().unix_seconds, 1772216446);
    assert!(ok.tlog_checked());

    // --docker-reference: the payload's, as Docker Hub is written either way; another fails.
    let with_ref = Options {
        docker_reference: Some("docker.io/salrashid123/server_image".into()),
        ..Options::default()
    };
    assert!(
        verify(&l, GO_BAZEL_IMAGE, &policy, &with_ref)
            .result
            .is_ok()
    );
    let other_ref = Options {
        docker_reference: Some("ghcr.io/salrashid123/server_image".into()),
        ..Options::default()
    };
    let v = verify(&l, GO_BAZEL_IMAGE, &policy, &other_ref);
    assert!(v.result.is_err());
    assert!(failing(&v).contains("cosign.docker-reference: expected ghcr.io/salrashid123/server_image found index.docker.io/salrashid123/server_image"), "{}", failing(&v));

    // The platform manifest is not what was signed: the payload names the index.
    let v = verify(&l, GO_BAZEL_CHILD, &policy, &Options::default());
    assert!(v.result.is_err());
    assert!(
        failing(&v).contains(&format!("cosign.payload: expected {GO_BAZEL_CHILD}")),
        "{}",
        failing(&v)
    );

    // Another identity, another issuer.
    let v = verify(
        &l,
        GO_BAZEL_IMAGE,
        &regex_identity("https://github.com/other/.*", GH_ISSUER),
        &Options::default(),
    );
    assert!(failing(&v).contains("bundle.identity"), "{}", failing(&v));
    let v = verify(
        &l,
        GO_BAZEL_IMAGE,
        &regex_identity("https://github.com.*", "https://accounts.google.com"),
        &Options::default(),
    );
    assert!(failing(&v).contains("bundle.issuer: expected https://accounts.google.com found https://token.actions.githubusercontent.com"), "{}", failing(&v));
}

/// Every signed byte matters: the payload (re-hashed so the layer is self-consistent), the
/// signature, the SET, the certificate.
#[test]
fn go_bazel_keyless_sig_rejects_every_changed_byte() {
    let Some(root) = fixtures("go_bazel_keyless_sig_tampered") else {
        return;
    };
    let dir = root.join(GO_BAZEL);
    let manifest = json(&dir.join(
        "sha256-c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321.sig.manifest.json",
    ));
    let good = layer(&dir, &manifest["layers"][0]);
    let policy = regex_identity("https://github.com.*", GH_ISSUER);

    // A payload byte (a space in the optional field's spelling changes nothing it says).
    let mut payload = good.payload.clone();
    let at = payload.len() - 2;
    payload.insert(at, b' ');
    let d = Digest::sha256(&payload).to_string();
    let tampered = Layer::new(&good.media_type, &d, payload, good.annotations.clone()).unwrap();
    let v = verify(&tampered, GO_BAZEL_IMAGE, &policy, &Options::default());
    assert!(v.result.is_err(), "a changed payload verified");

    let b64 = base64::engine::general_purpose::STANDARD;
    let flip = |name: &str, f: &dyn Fn(&mut Vec<u8>)| {
        let mut l = good.clone();
        let v = l.annotations.get_mut(name).unwrap();
        let mut bytes = b64.decode(v.as_bytes()).unwrap();
        f(&mut bytes);
        *v = b64.encode(&bytes);
        l
    };
    let sig = flip(cosign::SIGNATURE, &|b| {
        let n = b.len() - 1;
        b[n] ^= 1
    });
    let v = verify(&sig, GO_BAZEL_IMAGE, &policy, &Options::default());
    assert!(v.result.is_err(), "a changed signature verified");
    assert!(failing(&v).contains("bundle.signature"), "{}", failing(&v));

    // The SET: the log's signature over the entry.
    let mut set = good.clone();
    let mut rekor: serde_json::Value =
        serde_json::from_str(&set.annotations[cosign::BUNDLE]).unwrap();
    let s = rekor["SignedEntryTimestamp"].as_str().unwrap();
    let mut raw = b64.decode(s).unwrap();
    let n = raw.len() - 1;
    raw[n] ^= 1;
    rekor["SignedEntryTimestamp"] = b64.encode(&raw).into();
    set.annotations
        .insert(cosign::BUNDLE.into(), rekor.to_string());
    let v = verify(&set, GO_BAZEL_IMAGE, &policy, &Options::default());
    assert!(v.result.is_err(), "a changed SET verified");

    // A SET for another entry: the integrated time changed is no longer what the log signed.
    let mut other = good.clone();
    let mut rekor: serde_json::Value =
        serde_json::from_str(&other.annotations[cosign::BUNDLE]).unwrap();
    rekor["Payload"]["logIndex"] = 1004096556.into();
    other
        .annotations
        .insert(cosign::BUNDLE.into(), rekor.to_string());
    let v = verify(&other, GO_BAZEL_IMAGE, &policy, &Options::default());
    assert!(v.result.is_err(), "a SET for another entry verified");
}

#[test]
fn cloud_build_manifest_verifies_by_kms_key_through_layer_0_and_keyless_through_layer_1() {
    let Some(root) = fixtures("cloud_build_two_layers") else {
        return;
    };
    let dir = root.join(CLOUD_BUILD);
    let manifest = json(&dir.join(
        "sha256-a2b109fb9baea555556561317fdd13cef9c3dfac22c8f8fea0c5a0b06ece9d00.sig.manifest.json",
    ));
    let keyed = layer(&dir, &manifest["layers"][0]);
    let keyless = layer(&dir, &manifest["layers"][1]);
    let kms = key(&root.join("cosign_bazel_cloud_build/kms_pub.pem"));

    // Layer 0 has no log entry: refused unless the user accepts that, and then it says so.
    let v = verify(&keyed, CLOUD_BUILD_IMAGE, &kms, &Options::default());
    assert!(v.result.is_err());
    assert!(
        failing(&v).contains("--insecure-ignore-tlog"),
        "{}",
        failing(&v)
    );
    let insecure = Options {
        insecure_ignore_tlog: Some(kakunin::bundle::danger::IgnoreTlog),
        ..Options::default()
    };
    let v = verify(&keyed, CLOUD_BUILD_IMAGE, &kms, &insecure);
    let ok = v
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}\n{}", failing(&v)));
    assert!(!ok.tlog_checked());
    assert_eq!(ok.payload().optional["key1"], "value1");
    assert!(
        v.checks
            .iter()
            .any(|c| c.passed() && c.found.contains("NO transparency-log entry was checked"))
    );
    // The keyless layer is not the key's.
    assert!(
        verify(&keyless, CLOUD_BUILD_IMAGE, &kms, &insecure)
            .result
            .is_err()
    );
    // Another key does not verify layer 0.
    let other = key(&root.join(format!("{RATIFY}/keyed-akv/ecdsa-p256.pub")));
    assert!(
        verify(&keyed, CLOUD_BUILD_IMAGE, &other, &insecure)
            .result
            .is_err()
    );

    // Keyless: the Google service account, through layer 1 only.
    let sa = Policy::identity(
        "cosign-svc-account@mineral-minutia-820.iam.gserviceaccount.com",
        "https://accounts.google.com",
    );
    let v = verify(&keyless, CLOUD_BUILD_IMAGE, &sa, &Options::default());
    let ok = v
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}\n{}", failing(&v)));
    assert_eq!(ok.bundle().unwrap().log_indexes(), &[19941761]);
    assert!(
        verify(&keyed, CLOUD_BUILD_IMAGE, &sa, &Options::default())
            .result
            .is_err()
    );
}

#[test]
fn ratify_keyed_layers_verify_only_with_their_own_key() {
    let Some(root) = fixtures("ratify_keyed_matrix") else {
        return;
    };
    let dir = root.join(format!("{RATIFY}/keyed-akv"));
    let names = ["rsa-2048", "rsa-3072", "ecdsa-p256", "ecdsa-p384"];
    let insecure = Options {
        insecure_ignore_tlog: Some(kakunin::bundle::danger::IgnoreTlog),
        ..Options::default()
    };
    for l in names {
        let lay = layer(&dir, &json(&dir.join(format!("{l}.layer.json"))));
        for k in names {
            let policy = key(&dir.join(format!("{k}.pub")));
            let v = verify(&lay, RATIFY_KEYED_IMAGE, &policy, &insecure);
            assert_eq!(
                v.result.is_ok(),
                l == k,
                "layer {l} key {k}: {}",
                failing(&v)
            );
        }
        // And with the right key, another image digest is refused.
        let v = verify(
            &lay,
            CLOUD_BUILD_IMAGE,
            &key(&dir.join(format!("{l}.pub"))),
            &insecure,
        );
        assert!(failing(&v).contains("cosign.payload"), "{}", failing(&v));
    }
}

#[test]
fn ratify_keyless_layer_verifies_and_its_truncated_set_does_not() {
    let Some(root) = fixtures("ratify_keyless") else {
        return;
    };
    let dir = root.join(format!("{RATIFY}/keyless"));
    let policy = Policy::identity("sozercan@gmail.com", "https://github.com/login/oauth");
    let good = layer(&dir, &json(&dir.join("layer.json")));
    let v = verify(&good, RATIFY_KEYLESS_IMAGE, &policy, &Options::default());
    let ok = v
        .result
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}\n{}", failing(&v)));
    assert_eq!(ok.bundle().unwrap().log_indexes(), &[13452680]);
    let bad = layer(&dir, &json(&dir.join("layer.bad-set.json")));
    assert!(
        verify(&bad, RATIFY_KEYLESS_IMAGE, &policy, &Options::default())
            .result
            .is_err()
    );
    let other = Policy::identity("someone@else.example", "https://github.com/login/oauth");
    let v = verify(&good, RATIFY_KEYLESS_IMAGE, &other, &Options::default());
    assert!(
        failing(&v)
            .contains("bundle.identity: expected someone@else.example found sozercan@gmail.com"),
        "{}",
        failing(&v)
    );
}

#[test]
fn sigstore_rs_keyed_layer_verifies_with_its_key_and_the_2021_rekord_entry_is_reported_unsupported()
{
    let Some(root) = fixtures("sigstore_rs_layers") else {
        return;
    };
    let dir = root.join(format!("{SIGSTORE_RS}/keyed"));
    let l = layer(&dir, &json(&dir.join("layer.json")));
    let insecure = Options {
        insecure_ignore_tlog: Some(kakunin::bundle::danger::IgnoreTlog),
        ..Options::default()
    };
    assert!(
        verify(
            &l,
            SIGSTORE_RS_KEYED_IMAGE,
            &key(&dir.join("cosign.pub")),
            &insecure
        )
        .result
        .is_ok()
    );
    assert!(
        verify(
            &l,
            SIGSTORE_RS_KEYED_IMAGE,
            &key(&dir.join("wrong-key.pub")),
            &insecure
        )
        .result
        .is_err()
    );

    // A 2021 `rekord` entry: sigstore-verify cannot bind that entry kind; never a pass.
    let dir = root.join(format!("{SIGSTORE_RS}/keyless-2021"));
    let l = layer(&dir, &json(&dir.join("layer.json")));
    let v = verify(
        &l,
        SIGSTORE_RS_2021_IMAGE,
        &Policy::identity("flavio@castelli.me", "x"),
        &Options::default(),
    );
    assert!(v.result.is_err());
    assert!(
        v.checks.iter().any(|c| c.outcome == Outcome::NotRun
            && c.found
                .contains("unsupported Rekor entry kind rekord 0.0.1")),
        "{}",
        failing(&v)
    );
}

#[test]
fn cloud_build_kms_attestation_verifies_with_its_key_and_the_oidc_one_without_set_does_not() {
    let Some(root) = fixtures("cloud_build_att") else {
        return;
    };
    let dir = root.join(CLOUD_BUILD);
    let trust = Trust::production().unwrap();
    let kms = key(&root.join("cosign_bazel_cloud_build/kms_pub.pem"));
    let insecure = Options {
        insecure_ignore_tlog: Some(kakunin::bundle::danger::IgnoreTlog),
        ..Options::default()
    };
    let envelope = std::fs::read(dir.join("att-kms.dsse.json")).unwrap();
    let d = Digest::sha256(&envelope).to_string();
    let l = Layer::new(
        cosign::DSSE_MEDIA_TYPE,
        &d,
        envelope.clone(),
        BTreeMap::new(),
    )
    .unwrap();
    let v =
        cosign::verify_attestation_layer(&trust, &l, &digest(CLOUD_BUILD_IMAGE), &kms, &insecure);
    let ok = v.result.as_ref().unwrap();
    assert_eq!(ok.predicate_type(), "cosign.sigstore.dev/attestation/v1");
    assert!(cosign::predicate::matches(
        &cosign::predicate::resolve("custom"),
        ok.predicate_type()
    ));
    // Without the flag it is refused; for another digest the subject check fails.
    let v = cosign::verify_attestation_layer(
        &trust,
        &l,
        &digest(CLOUD_BUILD_IMAGE),
        &kms,
        &Options::default(),
    );
    assert!(v.result.unwrap_err().contains("--insecure-ignore-tlog"));
    let v =
        cosign::verify_attestation_layer(&trust, &l, &digest(RATIFY_KEYED_IMAGE), &kms, &insecure);
    assert!(
        v.checks
            .iter()
            .any(|c| c.id == "attestation.subject" && !c.passed())
    );
    // A changed payload byte: the DSSE signature no longer verifies.
    let mut env: serde_json::Value = serde_json::from_slice(&envelope).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut p = b64.decode(env["payload"].as_str().unwrap()).unwrap();
    let at = p.len() - 2;
    p.insert(at, b' ');
    env["payload"] = b64.encode(&p).into();
    let bytes = env.to_string().into_bytes();
    let l = Layer::new(
        cosign::DSSE_MEDIA_TYPE,
        &Digest::sha256(&bytes).to_string(),
        bytes,
        BTreeMap::new(),
    )
    .unwrap();
    assert!(
        cosign::verify_attestation_layer(&trust, &l, &digest(CLOUD_BUILD_IMAGE), &kms, &insecure)
            .result
            .is_err()
    );

    // The OIDC attestation's layer blob with its certificate, but no SET was published.
    let blob_d = "sha256:a741ae879dfa5b2f03d59a6d5b06f69c7c0479c1b55c18a596e1a61915cdc9ec";
    let mut a = BTreeMap::new();
    a.insert(cosign::SIGNATURE.to_string(), String::new());
    a.insert(
        cosign::CERTIFICATE.to_string(),
        std::fs::read_to_string(dir.join("att-oidc.cert.pem")).unwrap(),
    );
    let l = Layer::new(cosign::DSSE_MEDIA_TYPE, blob_d, blob(&dir, blob_d), a).unwrap();
    let sa = Policy::identity(
        "cosign-svc-account@mineral-minutia-820.iam.gserviceaccount.com",
        "https://accounts.google.com",
    );
    let v = cosign::verify_attestation_layer(
        &trust,
        &l,
        &digest(CLOUD_BUILD_IMAGE),
        &sa,
        &Options::default(),
    );
    assert!(
        v.result.is_err(),
        "a keyless attestation without a log entry verified offline"
    );
}

#[test]
fn a_payload_that_is_not_json_and_a_layer_whose_blob_is_not_its_digest_are_clear_errors() {
    let trust = Trust::production().unwrap();
    let img = digest(GO_BAZEL_IMAGE);
    let payload = b"not json".to_vec();
    let d = Digest::sha256(&payload).to_string();
    let l = Layer::new(
        cosign::SIMPLE_SIGNING_MEDIA_TYPE,
        &d,
        payload,
        BTreeMap::new(),
    )
    .unwrap();
    let v = cosign::verify_signature_layer(
        &trust,
        &l,
        &img,
        &Policy::identity("a", "b"),
        &Options::default(),
    );
    let e = v.result.unwrap_err();
    assert!(e.contains("not a cosign simple-signing payload"), "{e}");
    let e = Layer::new(
        cosign::SIMPLE_SIGNING_MEDIA_TYPE,
        GO_BAZEL_IMAGE,
        b"x".to_vec(),
        BTreeMap::new(),
    )
    .unwrap_err();
    assert!(
        e.contains(&format!("expected digest {GO_BAZEL_IMAGE}")),
        "{e}"
    );
}
