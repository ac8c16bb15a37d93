//! Reports other tools read (issue 10 defect 11, issue 12): every verify command, with every
//! outcome (verified, failed, could not run), in every machine format, valid against its
//! schema (`common::report_schema`), and never reading as passing when nothing was verified:
//! JUnit `<error>` for a check that could not run, `<failure>` for a failure, `<skipped>` only
//! for a check the policy did not ask for; SARIF `executionSuccessful: false` and a result per
//! check that could not run.

use crate::common::report_schema::{assert_json_report, assert_junit, assert_sarif};
use crate::common::{TempDir, code, repo, run, stderr, stdout};
use crate::sigstore_instance::GITHUB_ISSUER;

const FORMATS: [&str; 3] = ["json", "sarif", "junit"];

fn kit() -> String {
    repo()
        .join("fixtures/kit-gomenhashai-1.3.2")
        .display()
        .to_string()
}

fn test_root() -> String {
    repo()
        .join("fixtures/test-sigstore/trusted_root.json")
        .display()
        .to_string()
}

/// Runs `args` with `--output FORMAT` for every machine format (validated by `run`), and
/// returns the three outputs after checking the exit code.
fn all_formats(args: &[&str], expect: i32) -> [String; 3] {
    FORMATS.map(|f| {
        let mut a = args.to_vec();
        a.extend(["--output", f]);
        let out = run(&a);
        assert_eq!(
            code(&out),
            expect,
            "{a:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    })
}

/// A profile whose every server is a closed port on loopback: the network is down.
fn network_down(dir: &TempDir) -> String {
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    p.helm_repository = "http://127.0.0.1:9/pages".into();
    p.github.base_url = "http://127.0.0.1:9".into();
    p.image
        .mirrors
        .insert("ghcr.io".into(), "http://127.0.0.1:9".into());
    p.signers.trusted_root = test_root();
    let path = dir.path().join("profile.yaml");
    std::fs::write(&path, p.to_yaml()).unwrap();
    path.display().to_string()
}

#[test]
fn verify_reports_of_every_outcome_validate_and_say_what_happened() {
    // Verified.
    let (kit, root) = (kit(), test_root());
    let base = [
        "verify",
        "--offline",
        "--kit",
        &kit,
        "--trusted-root",
        &root,
    ];
    let [json, sarif, junit] = all_formats(&base, 0);
    assert_eq!(assert_json_report(&json)["verdict"], "verified");
    let s = assert_sarif(&sarif);
    assert_eq!(s["runs"][0]["invocations"][0]["executionSuccessful"], true);
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().all(|r| r["kind"] == "notApplicable"),
        "only the checks not asked for: {sarif}"
    );
    assert!(
        junit.contains(r#"failures="0" errors="0" skipped="1""#),
        "{junit}"
    );

    // Failed: the kit's bundles do not verify against the public-good root.
    let [json, sarif, junit] = all_formats(&["verify", "--offline", "--kit", &kit], 1);
    let j = assert_json_report(&json);
    assert_eq!(j["verdict"], "failed");
    let s = assert_sarif(&sarif);
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "chart.bundle" && r["kind"] == "fail" && r["level"] == "error"),
        "{sarif}"
    );
    assert!(
        junit.contains(r#"<testcase name="chart.bundle""#),
        "{junit}"
    );
    assert!(!junit.contains(r#"failures="0""#), "{junit}");
}

#[test]
fn a_run_with_the_network_down_never_reads_as_passing() {
    let dir = TempDir::new("reports-network-down");
    let profile = network_down(&dir);
    let cache = dir.path().join("cache").display().to_string();
    let args = [
        "verify",
        "gomenhashai@1.3.2",
        "--profile",
        &profile,
        "--cache-dir",
        &cache,
        "--retries",
        "0",
    ];
    let [json, sarif, junit] = all_formats(&args, 3);
    let j = assert_json_report(&json);
    assert_eq!(j["verdict"], "incomplete");
    let checks = j["reports"][0]["checks"].as_array().unwrap();
    let not_run = checks.iter().filter(|c| c["outcome"] == "not-run").count();
    assert!(not_run >= 10, "{json}");
    assert!(checks.iter().all(|c| c["outcome"] != "fail"), "{json}");

    // JUnit: every check that could not run is an <error> with its reason; none is skipped.
    assert!(
        junit.contains(&format!(r#"failures="0" errors="{not_run}""#)),
        "{junit}"
    );
    assert_eq!(
        junit.matches("<error type=\"not-run\"").count(),
        not_run,
        "{junit}"
    );
    assert!(
        junit.contains("127.0.0.1:9"),
        "the reason is given: {junit}"
    );
    let skipped = j["reports"][0]["details"]["not_required"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(junit.matches("<skipped").count(), skipped, "{junit}");

    // SARIF: the invocation did not succeed, and each check that could not run is a result
    // and an error notification.
    let s = assert_sarif(&sarif);
    let inv = &s["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false, "{sarif}");
    assert_eq!(inv["exitCode"], 3);
    assert_eq!(
        inv["toolExecutionNotifications"].as_array().unwrap().len(),
        not_run
    );
    let open = s["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "open")
        .count();
    assert_eq!(open, not_run, "{sarif}");
}

#[test]
fn verify_bundle_and_verify_attestation_reports_validate() {
    let files = repo().join("fixtures/kit-gomenhashai-1.3.2/files");
    let bundle = files
        .join("gomenhashai-1.3.2.sigstore")
        .display()
        .to_string();
    let tgz = files.join("gomenhashai-1.3.2.tgz").display().to_string();
    let envelope = files
        .join("gomenhashai-1.3.2.intoto.jsonl")
        .display()
        .to_string();
    let root = test_root();
    let signer = [
        "--bundle",
        &bundle,
        "--trusted-root",
        &root,
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        GITHUB_ISSUER,
    ];
    let with = |command: &'static str, extra: &[&str], artifact: &str| -> Vec<String> {
        std::iter::once(command)
            .chain(signer.iter().copied())
            .chain(extra.iter().copied())
            .chain(std::iter::once(artifact))
            .map(String::from)
            .collect()
    };
    let dir = TempDir::new("reports-bundle");
    let other = dir.path().join("other.tgz");
    std::fs::write(&other, b"not the chart").unwrap();
    let other = other.display().to_string();
    for (args, expect) in [
        (with("verify-bundle", &[], &tgz), 0),
        (with("verify-bundle", &[], &other), 1),
        (
            with("verify-attestation", &["--envelope", &envelope], &tgz),
            0,
        ),
        (with("verify-attestation", &[], &other), 1),
        (
            with(
                "verify-bundle",
                &["--certificate-identity", "someone-else"],
                &tgz,
            )
            .into_iter()
            .filter(|a| a != "--certificate-identity-regexp" && a != ".*")
            .collect(),
            1,
        ),
    ] {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let [json, sarif, junit] = all_formats(&a, expect);
        let verdict = if expect == 0 { "verified" } else { "failed" };
        assert_eq!(assert_json_report(&json)["verdict"], verdict, "{a:?}");
        let s = assert_sarif(&sarif);
        let failures = s["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "fail")
            .count();
        assert_eq!(failures > 0, expect == 1, "{a:?}: {sarif}");
        assert_junit(&junit);
    }
}

#[test]
fn the_report_schema_refuses_what_kakunin_never_prints() {
    let out = run(&[
        "verify",
        "--offline",
        "--kit",
        &kit(),
        "--trusted-root",
        &test_root(),
        "--output",
        "json",
    ]);
    let good = stdout(&out);
    assert_json_report(&good);
    // A verified report that hides a check that could not run, or carries an unknown field.
    let mut bad: serde_json::Value = serde_json::from_str(&good).unwrap();
    bad["reports"][0]["checks"][0]["outcome"] = "not-run".into();
    let text = bad.to_string();
    let result = std::panic::catch_unwind(|| assert_json_report(&text));
    assert!(
        result.is_err(),
        "a verified report with a not-run check validated"
    );
    let mut bad: serde_json::Value = serde_json::from_str(&good).unwrap();
    bad["exit_code"] = 0.into();
    bad["verdict"] = "failed".into();
    let text = bad.to_string();
    assert!(std::panic::catch_unwind(|| assert_json_report(&text)).is_err());
    let mut bad: serde_json::Value = serde_json::from_str(&good).unwrap();
    bad["reports"][0]["checks"][0]["extra"] = true.into();
    let text = bad.to_string();
    assert!(std::panic::catch_unwind(|| assert_json_report(&text)).is_err());

    // SARIF: a location that is prose, not a URI reference, is refused (format checking).
    let out = run(&["verify", "--offline", "--kit", &kit(), "--output", "sarif"]);
    let mut sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] =
        "gomenhashai-1.3.2.sigstore (from the kit)".into();
    let text = sarif.to_string();
    assert!(std::panic::catch_unwind(|| assert_sarif(&text)).is_err());
    // JUnit: the attribute the old report put on <testsuites> is refused by Ant's schema.
    let out = run(&["verify", "--offline", "--kit", &kit(), "--output", "junit"]);
    let junit = stdout(&out).replacen("<testsuites>", r#"<testsuites name="kakunin">"#, 1);
    if which_xmllint() {
        assert!(std::panic::catch_unwind(|| assert_junit(&junit)).is_err());
    }
}

fn which_xmllint() -> bool {
    std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
