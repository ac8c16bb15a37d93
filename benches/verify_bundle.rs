//! In-process phases of one `verify-bundle`: what each step costs, to keep the per-process
//! time small. Run: `cargo bench --bench verify_bundle` (uses ../shared when present).
//! Whole-process timings against sigstore-python are in `scripts/bench`.

mod common;

use std::path::PathBuf;

use common::median;
use kakunin::bundle::{self, Artifact, Policy};
use kakunin::trust::{Instance, Trust};

fn main() {
    let n = 200;
    for instance in [Instance::Production, Instance::Staging, Instance::GitHub] {
        let json = instance.embedded_json();
        let parse = median(
            || {
                std::hint::black_box(sigstore_trust_root::TrustedRoot::from_json(json).unwrap());
            },
            n,
        );
        let build = median(
            || {
                std::hint::black_box(Trust::embedded(instance).unwrap());
            },
            n,
        );
        println!(
            "trust {:12} parse root {:>8.1?}  parse + build verifier {:>8.1?}",
            instance.name(),
            parse,
            build
        );
    }
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if !shared.is_dir() {
        println!("SKIPPED bundle phases: ../shared/fixtures is not present");
        return;
    }
    let gh = shared.join("cli-cli/pkg/cmd/attestation/test/data");
    let bundle_path = gh.join("sigstore-js-2.1.0-bundle.json");
    let artifact = gh.join("sigstore-js-2.1.0.tgz");
    let policy = Policy::identity(
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        "https://token.actions.githubusercontent.com",
    );
    let trust = Trust::production().unwrap();
    let bytes = std::fs::read(&bundle_path).unwrap();
    let parse = median(
        || {
            std::hint::black_box(bundle::parse_bundle(&bytes).unwrap());
        },
        n,
    );
    let parsed = bundle::parse_bundle(&bytes).unwrap();
    let verify = median(
        || {
            let v = bundle::verify(&trust, &parsed, &Artifact::Path(&artifact), &policy);
            assert!(v.verified());
        },
        n,
    );
    println!("bundle parse {parse:>8.1?}  verify (sigstore-verify + policy) {verify:>8.1?}");
}
