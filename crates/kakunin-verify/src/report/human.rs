//! The human report: a line per check, ✓ / ✗ / ?, expected vs found where it matters.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use super::{HumanStyle, Report, Verdict};
use crate::check::Outcome;

const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default();
const YELLOW: Style = AnsiColor::Yellow.on_default();
const BOLD: Style = Style::new().bold();

pub(super) fn render(reports: &[Report], style: HumanStyle) -> String {
    let paint = |code: Style, text: &str| {
        if style.color {
            format!("{code}{text}{code:#}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for (i, report) in reports.iter().enumerate() {
        // One blank line between reports (`--all-versions`), none after the last.
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{} {}", paint(BOLD, &report.command), report.subject);
        let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        // Reasons printed in full for checks that could not run, to name a shared one once after
        // (the JSON report keeps every word).
        let mut causes: Vec<(&str, &str)> = Vec::new();
        for check in &report.checks {
            let (mark, color) = match check.outcome {
                Outcome::Pass => ("✓", GREEN),
                Outcome::Fail => ("✗", RED),
                Outcome::NotRun => ("?", YELLOW),
            };
            let _ = writeln!(
                out,
                "  {} {:width$}  {}",
                paint(color, &format!("{mark} {}", check.id)),
                "",
                check.title,
                width = width - check.id.len()
            );
            let show = check.outcome != Outcome::Pass || style.verbose;
            if show {
                let _ = writeln!(out, "      expected: {}", check.expected);
                let found = match check.outcome {
                    Outcome::NotRun => {
                        let shown = same_cause(&check.found, &causes);
                        if shown.is_none() {
                            causes.push((check.id, &check.found));
                        }
                        shown
                    }
                    _ => None,
                };
                let found = found.as_deref().unwrap_or(&check.found);
                let _ = writeln!(out, "      found:    {found}");
                for e in &check.evidence {
                    let _ = writeln!(out, "      evidence: {e}");
                }
            }
        }
        // Checks the policy did not ask for are named too: nothing is skipped silently.
        for (id, why) in report.not_required() {
            let _ = writeln!(out, "  {} {id}: not checked, {why}", paint(BOLD, "-"));
        }
        let (pass, fail, not_run) = report.counts();
        let verdict = match report.verdict() {
            Verdict::Verified => paint(GREEN, "VERIFIED"),
            Verdict::Failed => paint(RED, "FAILED"),
            Verdict::Incomplete => paint(YELLOW, "INCOMPLETE (not verified)"),
        };
        let _ = writeln!(
            out,
            "  {verdict}: {pass} passed, {fail} failed, {not_run} could not run"
        );
    }
    without_trailing_blanks(&out)
}

/// Every line without the blanks at its end (an empty `expected` or `found` would leave some).
fn without_trailing_blanks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// When a check could not run for a reason already printed for an earlier one (a download that
/// failed makes every check that needed it fail to run), the reason is named, not repeated:
/// `release file could not be obtained: same cause as chart.index-digest above`.
fn same_cause(found: &str, earlier: &[(&str, &str)]) -> Option<String> {
    // Short reasons ("no image tag") read better repeated than referred to.
    const WORTH_NAMING: usize = 40;
    let (id, cause) = earlier
        .iter()
        .filter(|(_, cause)| cause.len() >= WORTH_NAMING && found.ends_with(cause))
        .max_by_key(|(_, cause)| cause.len())?;
    let before = &found[..found.len() - cause.len()];
    Some(format!("{before}same cause as {id} above"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_asked() {
        let mut r = Report::new("verify", "c@1.0.0");
        r.checks.push(crate::check::Check::fail(
            crate::check::ids::CHART_INDEX_DIGEST,
            "t",
            "a",
            "b",
        ));
        let plain = render(std::slice::from_ref(&r), HumanStyle::default());
        assert!(!plain.contains('\u{1b}'), "{plain}");
        let coloured = render(
            &[r],
            HumanStyle {
                color: true,
                ..HumanStyle::default()
            },
        );
        assert!(
            coloured.contains("\u{1b}[31m✗ chart.index-digest\u{1b}[0m"),
            "{coloured:?}"
        );
    }

    #[test]
    fn checks_not_required_are_named() {
        let mut r = Report::new("verify", "c@1.0.0");
        r.checks.push(crate::check::Check::pass(
            crate::check::ids::CHART_INDEX_DIGEST,
            "t",
            "a",
            "a",
        ));
        r.details = serde_json::json!({"not_required": [{"id": "chart.prov", "why": "the profile does not require a .prov"}]});
        let out = render(&[r], HumanStyle::default());
        assert!(
            out.contains("- chart.prov: not checked, the profile does not require a .prov"),
            "{out}"
        );
    }

    #[test]
    fn a_shared_cause_is_printed_once_and_named_after() {
        use crate::check::{Check, ids};
        let cause =
            "index.yaml could not be obtained: http://127.0.0.1:9/index.yaml: connection refused";
        let mut r = Report::new("verify", "c@1.0.0");
        r.checks = vec![
            Check::not_run(ids::CHART_INDEX_DIGEST, "t", "the index's digest", cause),
            Check::not_run(ids::CHART_METADATA, "t", "c@1.0.0", cause),
            Check::not_run(
                ids::CHART_BUNDLE,
                "t",
                "signed",
                format!("release file could not be obtained: no index: {cause}"),
            ),
            Check::fail(ids::CHART_SUBJECT, "t", "a subject", format!("x: {cause}")),
            Check::not_run(ids::IMAGE_SOURCE_REF, "t", "a tag", "no image tag"),
            Check::not_run(ids::SEMVER_RELEASE_TAG, "t", "a tag", "no image tag"),
        ];
        let out = render(std::slice::from_ref(&r), HumanStyle::default());
        // Printed in full by the first check that could not run, and by the one that failed.
        assert_eq!(out.matches(cause).count(), 2, "{out}");
        assert!(
            out.contains("found:    same cause as chart.index-digest above\n"),
            "{out}"
        );
        assert!(
            out.contains("found:    release file could not be obtained: no index: same cause as chart.index-digest above\n"),
            "{out}"
        );
        // Short reasons are repeated as they are.
        assert_eq!(out.matches("found:    no image tag\n").count(), 2, "{out}");
        // The JSON report keeps every word.
        let json = super::super::render(&[r], super::super::Format::Json, HumanStyle::default());
        assert_eq!(json.matches(cause).count(), 4, "{json}");
    }

    #[test]
    fn no_line_ends_in_blanks_and_reports_are_separated_by_one_blank_line() {
        use crate::check::{Check, ids};
        let mut a = Report::new("verify", "c@1.0.0");
        // An empty value (an unknown appVersion) after `expected:`, and one after `found:`.
        a.checks = vec![
            Check::fail(ids::SEMVER_IMAGE_RELEASE, "t", "an image release ", "x"),
            Check::fail(ids::CHART_METADATA, "t", "y", ""),
        ];
        let mut b = Report::new("verify", "c@1.0.1");
        b.checks = vec![Check::pass(ids::CHART_METADATA, "t", "y", "y")];
        let out = render(&[a, b], HumanStyle::default());
        for line in out.lines() {
            assert_eq!(line, line.trim_end(), "a line ends in blanks: {out:?}");
        }
        assert!(out.contains("expected: an image release\n"), "{out}");
        assert!(out.contains("could not run\n\nverify c@1.0.1\n"), "{out:?}");
        assert!(out.ends_with("0 could not run\n"), "{out:?}");
    }
}
