//! Reports: one verification's checks, rendered for people (`human`) or machines (`json`,
//! `sarif`, `junit`). The JSON schema is documented in `docs/report.md`; its check ids are
//! stable ([`crate::check::ids`]).
//!
//! Rendering never changes a verdict: the exit code comes from [`crate::check::verdict`].

mod human;
mod junit;
pub use crate::check::spec as rules;
mod sarif;

pub use sarif::SCHEMA_URI as SARIF_SCHEMA_URI;

use serde::Serialize;

use crate::check::{Check, Outcome, verdict};
use crate::exit::ExitCode;

/// Version of the JSON report's schema. Bumped only for incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// The output formats every verify command offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
    Junit,
}

/// The result of one command: what was verified, each check, and command-specific details.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The command that produced this report (`verify-bundle`, `verify`, …).
    pub command: String,
    /// What was verified (an artifact path or digest, `chart@version`, …).
    pub subject: String,
    pub checks: Vec<Check>,
    /// Command-specific facts about what was verified (identity, log index, statement, …).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

/// What the report says overall, derived from its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Verified,
    Failed,
    Incomplete,
}

impl Report {
    pub fn new(command: impl Into<String>, subject: impl Into<String>) -> Report {
        Report {
            command: command.into(),
            subject: subject.into(),
            checks: Vec::new(),
            details: serde_json::Value::Null,
        }
    }

    /// The exit code this report deserves (see [`crate::check::verdict`]).
    pub fn exit_code(&self) -> ExitCode {
        verdict(&self.checks)
    }

    pub fn verdict(&self) -> Verdict {
        match self.exit_code() {
            ExitCode::Verified => Verdict::Verified,
            ExitCode::Failed => Verdict::Failed,
            _ => Verdict::Incomplete,
        }
    }

    /// The checks the policy did not ask for, as (id, why) (from `details.not_required`).
    pub fn not_required(&self) -> Vec<(&str, &str)> {
        self.details
            .get("not_required")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| {
                        Some((
                            s.get("id")?.as_str()?,
                            s.get("why").and_then(|w| w.as_str()).unwrap_or(""),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Counts of (passed, failed, not run).
    pub fn counts(&self) -> (usize, usize, usize) {
        let count = |o| self.checks.iter().filter(|c| c.outcome == o).count();
        (
            count(Outcome::Pass),
            count(Outcome::Fail),
            count(Outcome::NotRun),
        )
    }
}

/// Options for the renderers.
#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    pub color: bool,
    /// Also print expected/found for passing checks.
    pub verbose: bool,
    /// The host the report is made on, for JUnit's required `hostname` (the caller finds it:
    /// this crate reads no environment).
    pub host: &'static str,
}

impl Default for HumanStyle {
    fn default() -> HumanStyle {
        HumanStyle {
            color: false,
            verbose: false,
            host: "localhost",
        }
    }
}

/// Renders several reports (one per verified release, or one) in the given format.
pub fn render(reports: &[Report], format: Format, style: HumanStyle) -> String {
    match format {
        Format::Human => human::render(reports, style),
        Format::Json => json(reports),
        Format::Sarif => sarif::render(reports),
        Format::Junit => junit::render(reports, style.host),
    }
}

#[derive(Serialize)]
struct JsonDocument<'a> {
    schema: u32,
    kakunin: &'static str,
    verdict: Verdict,
    exit_code: u8,
    reports: Vec<JsonReport<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    verdict: Verdict,
    #[serde(flatten)]
    report: &'a Report,
}

/// The overall exit code of several reports (the worst; none at all is not verified).
pub fn overall(reports: &[Report]) -> ExitCode {
    reports
        .iter()
        .map(Report::exit_code)
        .reduce(ExitCode::worst)
        .unwrap_or(ExitCode::Fetch)
}

fn overall_verdict(reports: &[Report]) -> Verdict {
    match overall(reports) {
        ExitCode::Verified => Verdict::Verified,
        ExitCode::Failed => Verdict::Failed,
        _ => Verdict::Incomplete,
    }
}

fn json(reports: &[Report]) -> String {
    let doc = JsonDocument {
        schema: SCHEMA_VERSION,
        kakunin: env!("CARGO_PKG_VERSION"),
        verdict: overall_verdict(reports),
        exit_code: overall(reports).code(),
        reports: reports
            .iter()
            .map(|r| JsonReport {
                verdict: r.verdict(),
                report: r,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("report serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::ids;

    fn sample() -> Report {
        let mut r = Report::new("verify", "gomenhashai@1.3.2");
        r.checks.push(Check::pass(
            ids::CHART_INDEX_DIGEST,
            "chart digest matches the index",
            "sha256:aa",
            "sha256:aa",
        ));
        r.checks.push(
            Check::fail(
                ids::CHART_SUBJECT,
                "statement subject is the chart",
                "sha256:aa",
                "sha256:bb",
            )
            .with_evidence("gomenhashai-1.3.2.sigstore"),
        );
        r.checks.push(Check::not_run(
            ids::CHART_PROV,
            "provenance file verifies",
            "a valid .prov",
            "no keyring given",
        ));
        r
    }

    #[test]
    fn json_report_carries_verdict_ids_expected_and_found() {
        let out = render(&[sample()], Format::Json, HumanStyle::default());
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["schema"], 1);
        assert_eq!(v["verdict"], "failed");
        assert_eq!(v["exit_code"], 1);
        let checks = &v["reports"][0]["checks"];
        assert_eq!(checks[1]["id"], "chart.subject");
        assert_eq!(checks[1]["outcome"], "fail");
        assert_eq!(checks[1]["expected"], "sha256:aa");
        assert_eq!(checks[1]["found"], "sha256:bb");
        assert_eq!(checks[2]["outcome"], "not-run");
    }

    #[test]
    fn no_report_is_never_verified() {
        assert_eq!(overall(&[]), ExitCode::Fetch);
    }

    #[test]
    fn human_report_marks_each_check_and_shows_expected_vs_found_on_failure() {
        let out = render(&[sample()], Format::Human, HumanStyle::default());
        assert!(out.contains("✓ chart.index-digest"), "{out}");
        assert!(out.contains("✗ chart.subject"), "{out}");
        assert!(out.contains("expected: sha256:aa"), "{out}");
        assert!(out.contains("found:    sha256:bb"), "{out}");
        assert!(out.contains("? chart.prov"), "{out}");
        assert!(!out.contains("\u{1b}["), "no colour unless asked: {out}");
        assert!(out.contains("FAILED"), "{out}");
    }

    #[test]
    fn sarif_results_fail_open_and_not_applicable_and_an_incomplete_run_is_unsuccessful() {
        let mut r = sample();
        r.details = serde_json::json!({"not_required": [{"id": "image.registry-attestation", "why": "not required"}]});
        let sarif = render(&[r], Format::Sarif, HumanStyle::default());
        let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
        assert_eq!(v["version"], "2.1.0");
        let run = &v["runs"][0];
        let results = run["results"].as_array().unwrap();
        let kinds: Vec<(&str, &str, &str)> = results
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap(),
                    r["kind"].as_str().unwrap(),
                    r["level"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("chart.subject", "fail", "error"),
                ("chart.prov", "open", "none"),
                ("image.registry-attestation", "notApplicable", "none"),
            ],
            "{sarif}"
        );
        let inv = &run["invocations"][0];
        assert_eq!(inv["executionSuccessful"], false, "{sarif}");
        assert_eq!(inv["exitCode"], 1);
        let notes = inv["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 1, "{sarif}");
        assert_eq!(notes[0]["associatedRule"]["id"], "chart.prov");
        assert!(
            notes[0]["message"]["text"]
                .as_str()
                .unwrap()
                .contains("no keyring given")
        );
        // Every result's rule is described, with a help URI into the docs.
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for res in results {
            let rule = &rules[res["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], res["ruleId"]);
            for field in ["name", "shortDescription", "fullDescription", "helpUri"] {
                assert!(!rule[field].is_null(), "{field} of {rule}");
            }
            assert!(rule["helpUri"].as_str().unwrap().starts_with(rules::DOCS));
        }
    }

    #[test]
    fn a_complete_run_is_successful_in_sarif_even_when_a_check_failed() {
        let mut r = sample();
        r.checks.retain(|c| c.outcome != Outcome::NotRun);
        let v: serde_json::Value =
            serde_json::from_str(&render(&[r], Format::Sarif, HumanStyle::default())).unwrap();
        assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], true);
        let v: serde_json::Value =
            serde_json::from_str(&render(&[], Format::Sarif, HumanStyle::default())).unwrap();
        assert_eq!(v["runs"][0]["invocations"][0]["executionSuccessful"], false);
    }

    #[test]
    fn junit_maps_not_run_to_error_failure_to_failure_and_not_required_to_skipped() {
        let mut r = sample();
        r.details = serde_json::json!({"not_required": [{"id": "image.registry-attestation", "why": "the profile does not require it"}]});
        let junit = render(&[r], Format::Junit, HumanStyle::default());
        assert!(junit.starts_with("<?xml"), "{junit}");
        assert!(
            junit.contains(r#"tests="4" failures="1" errors="1" skipped="1""#),
            "{junit}"
        );
        assert!(junit.contains(r#"<failure type="chart.subject" message="statement subject is the chart: expected sha256:aa, found sha256:bb">"#), "{junit}");
        assert!(
            junit.contains(r#"<error type="not-run" message="could not run: no keyring given">"#),
            "{junit}"
        );
        assert!(
            junit.contains(r#"<testcase name="image.registry-attestation" classname="verify.gomenhashai@1.3.2" time="0">"#)
                && junit.contains(r#"<skipped message="not checked: the profile does not require it"/>"#),
            "{junit}"
        );
        assert_eq!(junit.matches("<skipped").count(), 1, "{junit}");
    }
}
