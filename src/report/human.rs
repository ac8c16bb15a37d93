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
