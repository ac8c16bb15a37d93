//! RFC 3161 timestamps in cosign's `dev.sigstore.cosign/rfc3161timestamp` annotation, from the
//! test Sigstore instance's TSA: a `.sig` layer in an OCI layout verifies with the instance's
//! trusted root (its TSA trusted), and fails when the trusted root does not trust that TSA or
//! the timestamp was changed.

use base64::Engine;

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::{GithubToken, TestSigstore};
use crate::verify_image::LayoutBuilder;

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

#[test]
fn a_cosign_timestamp_from_a_trusted_tsa_verifies_and_from_an_untrusted_one_fails() {
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("vi-tsa");
    let d = dir.path();
    let image = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#;
    let image_digest = kakunin::digest::Digest::sha256(image);
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"example.test/o/app"}},"image":{{"docker-manifest-digest":"{image_digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
    );
    let payload_file = d.join("payload.json");
    std::fs::write(&payload_file, &payload).unwrap();
    let bundle_file = d.join("payload.sigstore.json");
    let signed = crate::support::keyless::sign_bundle(
        &instance,
        &tok.jwt(),
        &payload_file,
        &bundle_file,
        false,
    );
    let p: serde_json::Value = serde_json::from_slice(&signed).unwrap();
    let vm = &p["verificationMaterial"];
    let ts = vm["timestampVerificationData"]["rfc3161Timestamps"][0]["signedTimestamp"]
        .as_str()
        .unwrap_or_else(|| panic!("the instance's signing config has a TSA: {vm}"))
        .to_string();
    let cert_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        vm["certificate"]["rawBytes"].as_str().unwrap()
    );
    let e = &vm["tlogEntries"][0];
    let set = crate::support::cosign::rekor_bundle(e);
    let layout = |name: &str, ts: &str| {
        let ld = d.join(name);
        let mut l = LayoutBuilder::new(&ld);
        let digest = l.tag(OCI_MANIFEST, image, "v1");
        let annotations = serde_json::json!({
            "dev.cosignproject.cosign/signature": p["messageSignature"]["signature"],
            "dev.sigstore.cosign/certificate": cert_pem,
            "dev.sigstore.cosign/bundle": set.to_string(),
            "dev.sigstore.cosign/rfc3161timestamp": serde_json::json!({"SignedRFC3161Timestamp": ts}).to_string(),
        });
        l.sig_tag(&digest, payload.as_bytes(), &annotations);
        l.finish();
        format!("oci-layout:{}:v1", ld.display())
    };
    let verify = |reference: &str, root: &std::path::Path| {
        run(&[
            "verify-image",
            reference,
            "--certificate-identity",
            &tok.identity(),
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
            "--trusted-root",
            root.to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let good = layout("good", &ts);
    let out = verify(&good, &instance.trusted_root());
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("1 RFC 3161 timestamp(s)"),
        "{}",
        stdout(&out)
    );

    // A trusted root whose timestamp authority is another one (the Fulcio CA's chain in its
    // place): the timestamp's signer is not trusted.
    let mut tr: serde_json::Value =
        serde_json::from_slice(&std::fs::read(instance.trusted_root()).unwrap()).unwrap();
    let ca_chain = tr["certificateAuthorities"][0]["certChain"].clone();
    tr["timestampAuthorities"][0]["certChain"] = ca_chain;
    let untrusted = d.join("untrusted-tsa.json");
    std::fs::write(&untrusted, tr.to_string()).unwrap();
    let out = verify(&good, &untrusted);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("CMS signer does not match any trusted TSA certificate"),
        "{}",
        stdout(&out)
    );

    // The timestamp changed (one byte near its end, inside the TSA's signature).
    let mut raw = B64.decode(&ts).unwrap();
    let n = raw.len();
    raw[n - 10] ^= 1;
    let bad = layout("bad", &B64.encode(raw));
    let out = verify(&bad, &instance.trusted_root());
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("invalid RFC 3161 timestamp"),
        "{}",
        stdout(&out)
    );
}
