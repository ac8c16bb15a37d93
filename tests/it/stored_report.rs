//! The JSON report of the README's kit is byte for byte the stored copy in
//! `tests/it/expected/readme-kit-report.json`: a refactoring of the checks, the report model or
//! the renderer that changes one byte of it (an id, a title, a message, the order of checks or
//! of evidence, a detail) fails here.
//!
//! Nothing is normalised. The report has no field that depends on the time of the run: the
//! times it shows are the signing times inside the kit's bundles, and the kit is read offline.
//! Paths in it are relative to the repository root, where the command runs (as the README says).
//! The one field that changes without a change of behaviour is `kakunin`, the package version:
//! a version bump rewrites that line of the stored copy.

use crate::common;

/// The README's first command, whose report the README shows (offline, from the kit in fixtures/).
const README_COMMAND: &str = "kakunin verify --offline --kit fixtures/kit-gomenhashai-1.3.2 \
                              --trusted-root fixtures/test-sigstore/trusted_root.json";

const STORED: &str = "tests/it/expected/readme-kit-report.json";

#[test]
fn the_readme_kit_json_report_is_the_stored_copy() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    assert!(
        readme.contains(&format!("$ {README_COMMAND}\n")),
        "expected the README to show `$ {README_COMMAND}`, found another first command"
    );
    let mut args: Vec<&str> = README_COMMAND.split(' ').skip(1).collect();
    args.extend(["--output", "json"]);
    let out = common::kakunin()
        .current_dir(common::repo())
        .args(&args)
        .output()
        .expect("kakunin runs");
    assert_eq!(common::code(&out), 0, "{}", common::stderr(&out));
    let stored = std::fs::read(common::repo().join(STORED)).unwrap();
    if out.stdout != stored {
        let found = String::from_utf8_lossy(&out.stdout);
        let expected = String::from_utf8_lossy(&stored);
        let line = expected
            .lines()
            .zip(found.lines())
            .position(|(e, f)| e != f)
            .unwrap_or_else(|| expected.lines().count().min(found.lines().count()));
        panic!(
            "the JSON report of `{README_COMMAND}` differs from {STORED} from line {}:\n\
             expected: {:?}\n   found: {:?}\n(found {} bytes, stored {} bytes)",
            line + 1,
            expected.lines().nth(line),
            found.lines().nth(line),
            out.stdout.len(),
            stored.len()
        );
    }
}
