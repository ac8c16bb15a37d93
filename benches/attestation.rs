//! What `verify-attestation` costs beyond the bundle: decoding the statement (real, 10,000
//! subjects, a 50 MiB payload), reading the provenance, and the whole command's library path on
//! a real GitHub attestation. Run: `cargo bench --bench attestation` (uses ../shared when
//! present).

mod common;

use std::path::PathBuf;

use common::median;
use kakunin::attestation::files::{self, Inputs, SubjectArg};
use kakunin::attestation::{Policy, Statement, provenance};
use kakunin::bundle;
use kakunin::trust::Trust;

fn statement(subjects: &str, padding: usize) -> Vec<u8> {
    format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{subjects}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{"buildDefinition":{{"buildType":"https://actions.github.io/buildtypes/workflow/v1","externalParameters":{{"workflow":{{"ref":"refs/tags/v1","repository":"https://github.com/o/r","path":".github/workflows/r.yaml"}}}},"internalParameters":{{"pad":"{}"}},"resolvedDependencies":[{{"uri":"git+https://github.com/o/r@refs/tags/v1","digest":{{"gitCommit":"00"}}}}]}},"runDetails":{{"builder":{{"id":"b"}}}}}}}}"#,
        "x".repeat(padding)
    )
    .into_bytes()
}

fn main() {
    let one = format!(
        r#"{{"name":"a","digest":{{"sha256":"{}"}}}}"#,
        "0".repeat(64)
    );
    let many: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"name":"f{i}","digest":{{"sha256":"{i:064x}"}}}}"#))
        .collect();
    let cases = [
        ("1 subject", statement(&one, 0), 200),
        ("10,000 subjects", statement(&many.join(","), 0), 20),
        ("50 MiB payload", statement(&one, 50 * 1024 * 1024), 5),
    ];
    for (name, payload, n) in &cases {
        let parse = median(
            || {
                std::hint::black_box(Statement::parse(payload).unwrap());
            },
            *n,
        );
        let prov = median(
            || {
                std::hint::black_box(
                    provenance::read(payload, provenance::SLSA_PROVENANCE_V1).unwrap(),
                );
            },
            *n,
        );
        let depth = median(
            || {
                std::hint::black_box(kakunin::limits::json_depth_ok(payload));
            },
            *n,
        );
        println!(
            "statement {name:16} {:>9} bytes  parse {parse:>9.1?}  provenance {prov:>9.1?}  (of which the depth pre-scan {depth:>9.1?})",
            payload.len()
        );
    }

    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    if !shared.is_dir() {
        println!("SKIPPED real attestation: ../shared/fixtures is not present");
        return;
    }
    let gh = shared.join("cli-cli/pkg/cmd/attestation/test/data");
    let trust = Trust::production().unwrap();
    let signer = bundle::Policy::identity(
        "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d",
        "https://token.actions.githubusercontent.com",
    );
    let policy = Policy::default();
    let subject = SubjectArg::parse(gh.join("reusable-workflow-artifact").to_str().unwrap())
        .expected()
        .unwrap();
    let bundle_path = gh.join("reusable-workflow-attestation.sigstore.json");
    let inputs = Inputs {
        trust: &trust,
        bundle_path: &bundle_path,
        envelope_path: None,
        subject: &subject,
        signer: &signer,
        policy: &policy,
    };
    let whole = median(
        || {
            let o = files::verify_files(&inputs).unwrap();
            assert_eq!(
                kakunin::check::verdict(&o.checks),
                kakunin::exit::ExitCode::Verified
            );
        },
        100,
    );
    println!("verify-attestation (read, bundle verification, statement, provenance) {whole:>9.1?}");
}
