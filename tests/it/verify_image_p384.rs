//! A cosign `.sig` layer signed with an ECDSA P-384 key over SHA-384 (the Sigstore algorithm
//! registry's pairing), logged in the test Rekor as a `hashedrekord` 0.0.1 entry recording the
//! payload's SHA-384, in an OCI layout: `verify-image --key` refuses it as "unsupported algorithm
//! ECDSA_P384_SHA_384", exit 2, never as a bad signature (exit 1), as verify-bundle refuses the
//! same kind of bundle (tests/it/verify_bundle_blob.rs); the same key's layer logged with the
//! payload's SHA-256 (as cosign signs) verifies, exit 0.

use base64::Engine;

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::TestSigstore;
use crate::support::cosign::rekor_bundle;
use crate::support::openssl;
use crate::verify_image::LayoutBuilder;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn a_sig_layer_with_a_p384_sha384_hashedrekord_is_unsupported_algorithm_exit_2() {
    let dir = TempDir::new("vi-p384-sha384");
    let d = dir.path();
    if !openssl::ec_key(d, "secp384r1", "a.key", Some("a.pem")) {
        crate::common::skipped(
            "a_sig_layer_with_a_p384_sha384_hashedrekord_is_unsupported_algorithm_exit_2",
            "openssl cannot make a P-384 key here",
        );
        return;
    }
    let image = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    let image_digest = kakunin::digest::Digest::sha256(image);
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"example.test/o/app"}},"image":{{"docker-manifest-digest":"{image_digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
    );
    std::fs::write(d.join("payload.json"), &payload).unwrap();
    let public = std::fs::read(d.join("a.pem")).unwrap();
    let instance = TestSigstore::start();
    // The payload signed over `hash` and logged with that hash; the layout holding it.
    let layout = |hash: &str| {
        let (sig, digest) = openssl::sign(d, "a.key", hash, "payload.json");
        // sigstore-rekor's client refuses a 48-byte hash: the entry is proposed as JSON.
        let proposed = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": {"hash": {"algorithm": hash, "value": hex::encode(&digest)}},
                "signature": {"content": B64.encode(&sig), "publicKey": {"content": B64.encode(&public)}},
            },
        });
        let logged: std::collections::BTreeMap<String, sigstore_sign::rekor::LogEntry> =
            crate::support::block_on(async {
                reqwest::Client::new()
                    .post(format!("{}/api/v1/log/entries", instance.url()))
                    .json(&proposed)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap()
            });
        let entry = logged
            .values()
            .next()
            .unwrap()
            .to_bundle_entry(sigstore_types::KindVersion::HashedRekordV001)
            .unwrap();
        let set = rekor_bundle(&serde_json::to_value(&entry).unwrap());
        let ld = d.join(format!("layout-{hash}"));
        let mut l = LayoutBuilder::new(&ld);
        let digest = l.tag(OCI_MANIFEST, image, "v1");
        let annotations = serde_json::json!({
            "dev.cosignproject.cosign/signature": B64.encode(&sig),
            "dev.sigstore.cosign/bundle": set.to_string(),
        });
        l.sig_tag(&digest, payload.as_bytes(), &annotations);
        l.finish();
        format!("oci-layout:{}:v1", ld.display())
    };
    let root = instance.trusted_root();
    let key = d.join("a.pem");
    let verify = |reference: &str| {
        run(&[
            "verify-image",
            reference,
            "--key",
            key.to_str().unwrap(),
            "--trusted-root",
            root.to_str().unwrap(),
        ])
    };
    let out = verify(&layout("sha256"));
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let out = verify(&layout("sha384"));
    crate::support::verify_cmd::refused_as_unsupported_p384(&out);
}
