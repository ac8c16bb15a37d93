//! The floor for `scripts/bench`: the least a program can do to verify one bundle with
//! `sigstore-verify` (the same pinned crate kakunin uses): read the trusted root, the bundle and
//! the artifact, check the signature, certificate identity and issuer, exit 0 or 1. No policy
//! beyond that, no report. kakunin's per-process figures are read against it, measured in the
//! same run on the same machine.
//!
//!     verify_floor TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER

use std::process::ExitCode;

use sigstore_trust_root::TrustedRoot;
use sigstore_types::Bundle;
use sigstore_verify::{VerificationPolicy, Verifier};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, bundle, artifact, identity, issuer] = args.as_slice() else {
        eprintln!("usage: verify_floor TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER");
        return ExitCode::from(2);
    };
    match verify(root, bundle, artifact, identity, issuer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("verify_floor: {e}");
            ExitCode::from(1)
        }
    }
}

fn verify(
    root: &str,
    bundle: &str,
    artifact: &str,
    identity: &str,
    issuer: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let root = TrustedRoot::from_json(&std::fs::read_to_string(root)?)?;
    let bundle = Bundle::from_json(&std::fs::read_to_string(bundle)?)?;
    let artifact = std::fs::read(artifact)?;
    let policy = VerificationPolicy::new(identity.to_string(), issuer.to_string());
    Verifier::new(&root)?.verify(&artifact[..], &bundle, &policy)?;
    Ok(())
}
