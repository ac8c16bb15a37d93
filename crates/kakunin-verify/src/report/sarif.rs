//! SARIF 2.1.0 for code-scanning dashboards, built from `serde-sarif`'s types (generated from the
//! official schema).
//!
//! Guarantees: a check that failed is a result of kind `fail` (level `error`); a check that
//! could not run is a result of kind `open` (SARIF's "could not tell pass from fail") and an
//! error notification of the invocation, whose `executionSuccessful` is then `false`: an
//! incomplete run never reads as clean. A check the policy did not ask for is a result of kind
//! `notApplicable`. Every result names its rule, and every rule has a name, a short and a full
//! description and a help URI into the docs. `artifactLocation.uri` is always a URI reference;
//! the prose is in `message`.

use std::collections::BTreeMap;

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, ReportingConfiguration, ReportingDescriptor, ReportingDescriptorReference,
    Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use super::{Report, overall};
use crate::check::spec::{self as rules, DOCS};
use crate::check::{Check, Outcome};
use crate::exit::ExitCode;

/// The schema a SARIF log names (the OASIS errata 01 schema, the one the tests validate with).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn text(s: impl Into<String>) -> MultiformatMessageString {
    MultiformatMessageString::builder().text(s.into()).build()
}

fn message(s: impl Into<String>) -> Message {
    Message {
        text: Some(s.into()),
        ..Default::default()
    }
}

/// The rule of check `id` (titled `title` in the report).
fn descriptor(id: &str, title: &str) -> ReportingDescriptor {
    let (name, short, full, help) = match rules::rule_of(id) {
        Some(r) => (
            r.name.to_string(),
            r.short.to_string(),
            r.full.to_string(),
            format!("{DOCS}{}", r.page),
        ),
        None => {
            let title = if title.is_empty() { id } else { title };
            (
                rules::name_of(id),
                format!("{title}."),
                format!("{title} (check {id})."),
                format!("{DOCS}report.md"),
            )
        }
    };
    ReportingDescriptor::builder()
        .id(id)
        .name(name)
        .short_description(text(short))
        .full_description(text(full))
        .help(text(format!("See {help}")))
        .help_uri(help)
        .default_configuration(ReportingConfiguration {
            level: Some(json!("error")),
            ..Default::default()
        })
        .build()
}

/// Characters kept as they are in a URI reference's path (RFC 3986 `pchar` and `/`); every
/// other byte is percent-encoded.
fn keep(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The location of a check's result: the first piece of evidence that is an absolute URL (the
/// file it looked at), else the report's subject as a relative URI reference (a path, a
/// digest, `chart@version`).
fn artifact_uri(report: &Report, check: Option<&Check>) -> String {
    let from_evidence = check.into_iter().flat_map(|c| &c.evidence).find_map(|e| {
        let first = e.split_whitespace().next()?;
        let url = url::Url::parse(first).ok()?;
        matches!(url.scheme(), "http" | "https" | "file" | "oci").then(|| url.to_string())
    });
    from_evidence.unwrap_or_else(|| {
        // A relative reference whose first segment has a ':' would read as a scheme: `./` first.
        let subject = percent_encode(&report.subject);
        let first_segment = subject.split('/').next().unwrap_or_default();
        if subject.is_empty() {
            ".".into()
        } else if first_segment.contains(':') && !first_segment.starts_with("sha256:") {
            format!("./{subject}")
        } else {
            subject
        }
    })
}

fn location(uri: String) -> Vec<Location> {
    vec![Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(ArtifactLocation {
                uri: Some(uri),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }]
}

fn exit_description(code: ExitCode) -> &'static str {
    match code {
        ExitCode::Verified => "verified: every check that was asked for ran and passed",
        ExitCode::Failed => "verification failed: at least one check ran and failed",
        ExitCode::Usage => "usage or input error: nothing was verified",
        _ => "incomplete: a check could not run (not verified)",
    }
}

/// The rules: every check reported, and every check the policy did not ask for, by id.
fn rules_of(reports: &[Report]) -> BTreeMap<String, ReportingDescriptor> {
    let mut rules: BTreeMap<String, ReportingDescriptor> = BTreeMap::new();
    for r in reports {
        for c in &r.checks {
            rules
                .entry(c.id.to_string())
                .or_insert_with(|| descriptor(c.id, &c.title));
        }
        for (id, _) in r.not_required() {
            rules
                .entry(id.to_string())
                .or_insert_with(|| descriptor(id, ""));
        }
    }
    rules
}

/// The results of the checks that did not pass and of those not asked for, and a notification
/// for each check that could not run.
struct Results<'a> {
    rules: &'a BTreeMap<String, ReportingDescriptor>,
    results: Vec<SarifResult>,
    notifications: Vec<Notification>,
}

impl Results<'_> {
    fn index_of(&self, id: &str) -> Option<i64> {
        self.rules.keys().position(|k| k == id).map(|i| i as i64)
    }

    fn add_check(&mut self, r: &Report, c: &Check) {
        let evidence = if c.evidence.is_empty() {
            String::new()
        } else {
            format!(" (evidence: {})", c.evidence.join(", "))
        };
        let (kind, level, what) = match c.outcome {
            Outcome::Pass => return,
            Outcome::Fail => (ResultKind::Fail, ResultLevel::Error, "failed"),
            Outcome::NotRun => (ResultKind::Open, ResultLevel::None, "could not run"),
        };
        let text = format!(
            "{} {}: {} {what}: expected {}, found {}{evidence}",
            r.command, r.subject, c.id, c.expected, c.found
        );
        if c.outcome == Outcome::NotRun {
            let rule = ReportingDescriptorReference {
                id: Some(c.id.to_string()),
                index: self.index_of(c.id),
                ..Default::default()
            };
            self.notifications.push(
                Notification::builder()
                    .level(json!("error"))
                    .message(message(text.clone()))
                    .associated_rule(rule)
                    .locations(location(artifact_uri(r, Some(c))))
                    .build(),
            );
        }
        let mut result = SarifResult::builder()
            .rule_id(c.id)
            .kind(kind)
            .level(level)
            .message(message(text))
            .locations(location(artifact_uri(r, Some(c))))
            .build();
        result.rule_index = self.index_of(c.id);
        self.results.push(result);
    }

    fn add_not_required(&mut self, r: &Report, id: &str, why: &str) {
        let mut result = SarifResult::builder()
            .rule_id(id)
            .kind(ResultKind::NotApplicable)
            .level(ResultLevel::None)
            .message(message(format!(
                "{} {}: {id} not checked: {why}",
                r.command, r.subject
            )))
            .locations(location(artifact_uri(r, None)))
            .build();
        result.rule_index = self.index_of(id);
        self.results.push(result);
    }
}

/// The invocation: its exit code, and whether every check asked for could run.
fn invocation(reports: &[Report], mut notifications: Vec<Notification>) -> Invocation {
    let code = overall(reports);
    let complete = !reports.is_empty()
        && reports
            .iter()
            .all(|r| r.checks.iter().all(|c| c.outcome != Outcome::NotRun));
    if reports.is_empty() {
        notifications.push(
            Notification::builder()
                .level(json!("error"))
                .message(message("nothing was verified"))
                .build(),
        );
    }
    let mut invocation = Invocation::builder()
        .execution_successful(complete && matches!(code, ExitCode::Verified | ExitCode::Failed))
        .exit_code(i64::from(code.code()))
        .exit_code_description(exit_description(code))
        .build();
    invocation.tool_execution_notifications = (!notifications.is_empty()).then_some(notifications);
    invocation
}

pub(super) fn render(reports: &[Report]) -> String {
    let rules = rules_of(reports);
    let mut out = Results {
        rules: &rules,
        results: Vec::new(),
        notifications: Vec::new(),
    };
    for r in reports {
        for c in &r.checks {
            out.add_check(r, c);
        }
        for (id, why) in r.not_required() {
            out.add_not_required(r, id, why);
        }
    }
    let (results, notifications) = (out.results, out.notifications);
    let invocation = invocation(reports, notifications);
    let driver = ToolComponent::builder()
        .name("kakunin")
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules.into_values().collect::<Vec<_>>())
        .build();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .invocations(vec![invocation])
        .results(results)
        .build();
    let log = Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    let mut s = serde_json::to_string_pretty(&log).expect("sarif serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_uri_references() {
        let mut r = Report::new("verify-bundle", "dir with space/app.tgz");
        assert_eq!(artifact_uri(&r, None), "dir%20with%20space/app.tgz");
        r.subject = "sha256:ab".into();
        assert_eq!(artifact_uri(&r, None), "sha256:ab");
        r.subject = "gomenhashai@1.3.2".into();
        assert_eq!(artifact_uri(&r, None), "gomenhashai@1.3.2");
        r.subject = "c:/x".into();
        assert_eq!(artifact_uri(&r, None), "./c:/x");
        let c = Check::fail("chart.subject", "t", "a", "b")
            .with_evidence("https://example.org/o/r/releases/download/t/x.sigstore (from the kit)");
        assert_eq!(
            artifact_uri(&r, Some(&c)),
            "https://example.org/o/r/releases/download/t/x.sigstore"
        );
        let c = Check::fail("chart.subject", "t", "a", "b").with_evidence("x.sigstore");
        assert_eq!(artifact_uri(&r, Some(&c)), "./c:/x");
    }
}
