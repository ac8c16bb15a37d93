//! `kakunin verify-image` as the keyless registry tests run it: one identity with GitHub's
//! OIDC issuer, an explicit trusted root and cache directory, the JSON report, and whatever
//! arguments the test adds. The command's output is returned unchecked, for the test to assert.

use std::path::Path;
use std::process::Output;

use crate::common::run;

/// GitHub Actions' OIDC issuer, as its certificates name it.
pub const GH_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// Runs `kakunin verify-image REFERENCE --certificate-identity IDENTITY
/// --certificate-oidc-issuer GH_ISSUER --trusted-root ROOT --cache-dir CACHE -o json EXTRA…`.
pub fn verify_image(
    reference: &str,
    identity: &str,
    root: &Path,
    cache: &Path,
    extra: &[&str],
) -> Output {
    let (root, cache) = (root.to_str().unwrap(), cache.to_str().unwrap());
    let mut args = vec![
        "verify-image",
        reference,
        "--certificate-identity",
        identity,
        "--certificate-oidc-issuer",
        GH_ISSUER,
        "--trusted-root",
        root,
        "--cache-dir",
        cache,
        "-o",
        "json",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// A command's output says the ECDSA P-384/SHA-384 signature is of an unsupported algorithm
/// (exit 2, the hash named), never that the signature failed to verify.
pub fn refused_as_unsupported_p384(out: &Output) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("unsupported algorithm ECDSA_P384_SHA_384"),
        "{all}"
    );
    assert!(all.contains("SHA2_384 hash"), "{all}");
    assert!(!all.contains("signature verification failed"), "{all}");
}
