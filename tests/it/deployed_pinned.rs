//! Issue 14: a pinned image (`REPO@sha256:X`) whose registry serves other bytes for `X`. The
//! image is signed (a cosign v3 referrer bundle, keyless by the test Sigstore instance) and
//! verifies, in `kakunin verify` of a chart pinning it and in `kakunin verify-image REPO@X`;
//! then the registry answers `manifests/X` with another manifest: both fail (exit 1, not the 3
//! of a fetch that could not be made), naming the expected and the found digest.

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::support::keyless::chart_tgz;
use crate::support::signed_oci::SignedOci;
use crate::support::verify_cmd::{GH_ISSUER, verify_image};

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

/// A registry holding `o/app:v1.0.0` signed as cosign v3 signs, and another manifest (other
/// bytes, pushed as `o/evil:v1.0.0`) with its digest.
fn signed_image(label: &str) -> (SignedOci, (String, Vec<u8>)) {
    let s = SignedOci::start(label, "app-bits");
    let other = s.reg.push_image("o/evil", "v1.0.0", "other-bits");
    (s, other)
}

/// Makes the registry answer the pinned digest of `s` with the bytes of `other`; `verify` then
/// exits 1 (not the 3 of a fetch that could not be made) with the check `id` failing, naming the
/// pinned digest (expected) and the other manifest's (found).
fn serving_other_bytes_fails(
    s: &SignedOci,
    other: &(String, Vec<u8>),
    id: &str,
    verify: impl Fn() -> std::process::Output,
) {
    let (other_digest, other_bytes) = other;
    s.reg.serve_manifest_as(s.name, &s.image, other_bytes);
    let out = verify();
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let c = check(&r, id);
    assert_eq!(c["outcome"], "fail", "{r:#}");
    let found = c["found"].as_str().unwrap();
    assert!(
        found.contains(&format!("expected digest {}", s.image))
            && found.contains(&format!("found {other_digest}")),
        "{found}"
    );
}

#[test]
fn deployed_pinned_image_whose_registry_serves_other_bytes_fails_with_both_digests() {
    let (s, other) = signed_image("deployed-pinned");
    let (instance, tok, dir) = (&s.instance, &s.tok, &s.dir);
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
            "images:\n  - repository: 127.0.0.1:*/o/app\n    signer:\n      identity: {}\n      issuer: {GH_ISSUER}\n",
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
    serving_other_bytes_fails(&s, &other, "image.pinned", || {
        verify("deployed-pinned-tampered")
    });
}

#[test]
fn verify_image_of_a_digest_the_registry_serves_other_bytes_for_fails_not_could_not_fetch() {
    let (s, other) = signed_image("vi-pinned");
    let (instance, tok) = (&s.instance, &s.tok);
    let reference = format!("{}/o/app@{}", s.reg.host(), s.image);
    let root = instance.trusted_root();
    let identity = tok.identity();
    let verify = |label: &str| {
        let cache = TempDir::new(label);
        verify_image(&reference, &identity, &root, cache.path(), &[])
    };
    let out = verify("vi-pinned-good");
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));

    serving_other_bytes_fails(&s, &other, "image.reference", || {
        verify("vi-pinned-tampered")
    });
}
