//! Every report the test suite makes kakunin print is checked against the schema other tools
//! read it with: `--output json` against `docs/report.schema.json`, `--output sarif` against
//! the official SARIF 2.1.0 schema (`tests/schemas/`, with format checking), `--output junit`
//! against Ant's `JUnit.xsd` and Jenkins' `junit-10.xsd` (by `xmllint`, from Debian's
//! libxml2-utils: scripts/setup-test-env installs it). `common::run` calls [`check_output`] on
//! every run of a verify command.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn validator(path: &Path, draft: Option<jsonschema::Draft>) -> jsonschema::Validator {
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap();
    let mut options = jsonschema::options();
    if let Some(d) = draft {
        options = options.with_draft(d);
    }
    options
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn report_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| validator(&repo().join("docs/report.schema.json"), None))
}

fn sarif_validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    // The official schema says draft-04, which predates the `uri-reference` format it gives
    // `artifactLocation.uri`: a draft-04 validator would skip that format. Draft 7 (the same
    // keywords as far as this schema goes: `definitions`, local `$ref`s, no boolean
    // `exclusiveMinimum`) checks every format the schema names.
    V.get_or_init(|| {
        validator(
            &repo().join("tests/schemas/sarif-schema-2.1.0.json"),
            Some(jsonschema::Draft::Draft7),
        )
    })
}

fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Panics unless `text` is a JSON report valid against `docs/report.schema.json`.
pub fn assert_json_report(text: &str) -> serde_json::Value {
    let doc: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let errs = errors(report_validator(), &doc);
    assert!(errs.is_empty(), "report.schema.json: {errs:#?}\n{text}");
    doc
}

/// Panics unless `text` is SARIF valid against the SARIF 2.1.0 schema, formats included.
pub fn assert_sarif(text: &str) -> serde_json::Value {
    let doc: serde_json::Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    let errs = errors(sarif_validator(), &doc);
    assert!(errs.is_empty(), "SARIF 2.1.0 schema: {errs:#?}\n{text}");
    doc
}

/// Whether xmllint can be run; without it (and without KAKUNIN_REQUIRE_REGISTRY=1, which
/// scripts/test sets) JUnit output is checked for well-formedness only.
fn xmllint() -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    *HAVE.get_or_init(|| {
        let have = Command::new("xmllint")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !have && std::env::var_os("KAKUNIN_REQUIRE_REGISTRY").is_some_and(|v| v == "1") {
            panic!("xmllint is required to validate JUnit output: run scripts/setup-test-env");
        }
        have
    })
}

/// Panics unless `text` is JUnit XML valid against Ant's and Jenkins' schemas.
pub fn assert_junit(text: &str) {
    assert!(text.starts_with("<?xml"), "{text}");
    if !xmllint() {
        super::skipped(
            "report_schema::assert_junit",
            "xmllint is not installed (scripts/setup-test-env installs libxml2-utils)",
        );
        return;
    }
    let dir = super::TempDir::new("junit-xsd");
    let file = dir.path().join("report.xml");
    std::fs::write(&file, text).unwrap();
    for xsd in ["JUnit.xsd", "jenkins-junit-10.xsd"] {
        let out = Command::new("xmllint")
            .arg("--noout")
            .arg("--schema")
            .arg(repo().join("tests/schemas").join(xsd))
            .arg(&file)
            .output()
            .expect("xmllint runs");
        assert!(
            out.status.success(),
            "{xsd}: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The report format a command line asks for, when it runs a command that prints a report.
fn format_of(args: &[&str]) -> Option<&'static str> {
    let command = args.iter().find(|a| !a.starts_with('-'))?;
    if !command.starts_with("verify") {
        return None;
    }
    let mut format = "human";
    for (i, a) in args.iter().enumerate() {
        let value = match *a {
            "--output" | "-o" | "--format" => args.get(i + 1).copied(),
            _ => a
                .strip_prefix("--output=")
                .or_else(|| a.strip_prefix("--format="))
                .or_else(|| a.strip_prefix("-o")),
        };
        if let Some(v) = value {
            format = match v {
                "json" => "json",
                "sarif" => "sarif",
                "junit" => "junit",
                _ => format,
            };
        }
    }
    Some(format)
}

/// Checks what a verify command printed against its format's schema (called by `common::run`).
pub fn check_output(args: &[&str], out: &Output) {
    let Some(format) = format_of(args) else {
        return;
    };
    if out.stdout.is_empty() || args.contains(&"--help") || args.contains(&"-h") {
        return;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    match format {
        "json" => {
            let doc = assert_json_report(&text);
            assert_eq!(
                doc["exit_code"].as_i64(),
                out.status.code().map(i64::from),
                "the report's exit_code is the process's: {text}"
            );
        }
        "sarif" => {
            assert_sarif(&text);
        }
        "junit" => assert_junit(&text),
        _ => {}
    }
}
