//! JUnit XML for CI systems: a test suite per report, a test case per check.

use std::fmt::Write;

use super::Report;
use crate::check::Outcome;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

pub(super) fn render(reports: &[Report]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"kakunin\">\n");
    for r in reports {
        let (pass, fail, not_run) = r.counts();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{} {}\" tests=\"{}\" failures=\"{fail}\" skipped=\"{not_run}\" errors=\"0\">",
            escape(&r.command),
            escape(&r.subject),
            pass + fail + not_run
        );
        for c in &r.checks {
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                escape(&r.subject),
                escape(c.id)
            );
            let msg = format!("expected {}, found {}", c.expected, c.found);
            match c.outcome {
                Outcome::Pass => out.push_str("/>\n"),
                Outcome::Fail => {
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(&c.title),
                        escape(&msg)
                    );
                }
                Outcome::NotRun => {
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"could not run: {}\"/>\n    </testcase>",
                        escape(&msg)
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
