//! The human report: a line per check, ✓ / ✗ / ?, expected vs found where it matters.

use std::fmt::Write;

use super::{HumanStyle, Report, Verdict};
use crate::check::Outcome;

const GREEN: &str = "\u{1b}[32m";
const RED: &str = "\u{1b}[31m";
const YELLOW: &str = "\u{1b}[33m";
const BOLD: &str = "\u{1b}[1m";
const RESET: &str = "\u{1b}[0m";

pub(super) fn render(reports: &[Report], style: HumanStyle) -> String {
    let paint = |code: &'static str, text: &str| {
        if style.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    for report in reports {
        let _ = writeln!(out, "{} {}", paint(BOLD, &report.command), report.subject);
        let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
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
                let _ = writeln!(out, "      found:    {}", check.found);
                for e in &check.evidence {
                    let _ = writeln!(out, "      evidence: {e}");
                }
            }
        }
        // Checks the policy did not ask for are named too: nothing is skipped silently.
        if let Some(skipped) = report
            .details
            .get("not_required")
            .and_then(|v| v.as_array())
        {
            for s in skipped {
                let id = s.get("id").and_then(|v| v.as_str()).unwrap_or("?");
                let why = s.get("why").and_then(|v| v.as_str()).unwrap_or("");
                let _ = writeln!(out, "  {} {id}: not checked, {why}", paint(BOLD, "-"));
            }
        }
        let (pass, fail, not_run) = report.counts();
        let verdict = match report.verdict() {
            Verdict::Verified => paint(GREEN, "VERIFIED"),
            Verdict::Failed => paint(RED, "FAILED"),
            Verdict::Incomplete => paint(YELLOW, "INCOMPLETE (not verified)"),
        };
        let _ = writeln!(
            out,
            "  {verdict}: {pass} passed, {fail} failed, {not_run} could not run\n"
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
