//! Issue 14: a pinned image (`REPO@sha256:X`) whose registry serves other bytes for `X`. The
//! image is signed (a cosign v3 referrer bundle, keyless by the test Sigstore instance) and
//! verifies, in `kakunin verify` of a chart pinning it and in `kakunin verify-image REPO@X`;
//! then the registry answers `manifests/X` with another manifest: both fail (exit 1, not the 3
//! of a fetch that could not be made), naming the expected and the found digest.

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::{GithubToken, TestSigstore};
use crate::support::keyless::{chart_tgz, sign_statement, statement};
use crate::support::oci::OciRegistry;

const GH: &str = "https://token.actions.githubusercontent.com";

fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))["reports"]
        [0]
    .clone()
}

fn check<'a>(r: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {r:#}"))
}

/// A registry holding `o/app:v1.0.0` signed for `tok`, the image's digest, and another
/// manifest (other bytes) with its digest.
struct Signed {
    reg: OciRegistry,
    image: String,
    other: (String, Vec<u8>),
}

fn signed_image(instance: &TestSigstore, tok: &GithubToken, dir: &std::path::Path) -> Signed {
    let reg = OciRegistry::start();
    let (image, manifest) = reg.push_image("o/app", "v1.0.0", "app-bits");
    let full = format!("{}/o/app", reg.host());
    let cosign_sign = "https://sigstore.dev/cosign/sign/v1";
    let sig = sign_statement(
        instance,
        tok,
        dir,
        "sign",
        &statement(&full, &image, cosign_sign),
    );
    reg.attach_bundle("o/app", (&image, manifest.len()), &sig, Some(cosign_sign));
    let other = reg.push_image("o/evil", "v1.0.0", "other-bits");
    Signed { reg, image, other }
}

#[test]
fn deployed_pinned_image_whose_registry_serves_other_bytes_fails_with_both_digests() {
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("deployed-pinned");
    let s = signed_image(&instance, &tok, dir.path());
    let host = s.reg.host();
    let chart = dir.path().join("demo-1.0.0.tgz");
    let values = format!(
        "image:\n  repository: {host}/o/app\n  tag: v1.0.0\n  digest: {}\n",
        s.image
    );
    std::fs::write(&chart, chart_tgz("demo", "1.0.0", &values)).unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!(
            "images:\n  - repository: 127.0.0.1:*/o/app\n    signer:\n      identity: {}\n      issuer: {GH}\n",
            tok.identity()
        ),
    )
    .unwrap();
    let root = instance.trusted_root();
    let verify = |label: &str| {
        let cache = TempDir::new(label);
        run(&[
            "verify",
            chart.to_str().unwrap(),
            "--policy",
            policy.to_str().unwrap(),
            "--trusted-root",
            root.to_str().unwrap(),
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    // The registry serves the pinned manifest: verified.
    let out = verify("deployed-pinned-good");
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    assert_eq!(check(&r, "image.signature")["outcome"], "pass", "{r:#}");
    let pinned = check(&r, "image.pinned");
    assert!(
        pinned["found"]
            .as_str()
            .unwrap()
            .contains("the registry's manifest for it hashes to it"),
        "{pinned}"
    );

    // The same digest answered with other bytes: the signatures still name the pin, but the
    // registry does not serve it.
    let (other_digest, other_bytes) = &s.other;
    s.reg.serve_manifest_as("o/app", &s.image, other_bytes);
    let out = verify("deployed-pinned-tampered");
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let pinned = check(&r, "image.pinned");
    assert_eq!(pinned["outcome"], "fail", "{r:#}");
    let found = pinned["found"].as_str().unwrap();
    assert!(
        found.contains(&format!("expected digest {}", s.image))
            && found.contains(&format!("found {other_digest}")),
        "{found}"
    );
}

#[test]
fn verify_image_of_a_digest_the_registry_serves_other_bytes_for_fails_not_could_not_fetch() {
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("vi-pinned");
    let s = signed_image(&instance, &tok, dir.path());
    let reference = format!("{}/o/app@{}", s.reg.host(), s.image);
    let root = instance.trusted_root();
    let identity = tok.identity();
    let verify_image = |label: &str| {
        let cache = TempDir::new(label);
        run(&[
            "verify-image",
            &reference,
            "--certificate-identity",
            &identity,
            "--certificate-oidc-issuer",
            GH,
            "--trusted-root",
            root.to_str().unwrap(),
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let out = verify_image("vi-pinned-good");
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));

    let (other_digest, other_bytes) = &s.other;
    s.reg.serve_manifest_as("o/app", &s.image, other_bytes);
    let out = verify_image("vi-pinned-tampered");
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let c = check(&r, "image.reference");
    assert_eq!(c["outcome"], "fail", "{r:#}");
    let found = c["found"].as_str().unwrap();
    assert!(
        found.contains(&format!("expected digest {}", s.image))
            && found.contains(&format!("found {other_digest}")),
        "{found}"
    );
}
