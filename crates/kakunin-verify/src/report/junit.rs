//! JUnit XML for CI systems: a test suite per report, a test case per check.
//!
//! Guarantees: a check that failed is a `<failure>`, a check that could not run an `<error>`
//! (with the reason), and only a check the policy did not ask for is `<skipped>`, so a run with
//! the network down reads `errors="16"`, never as passing. The document is valid against both
//! common schemas, Ant's `JUnit.xsd` and Jenkins' `junit-10.xsd` (every attribute and element
//! that either requires, none that either refuses; the tests validate with both). Hand-written,
//! not `quick-junit`: see docs/architecture.md.

use std::fmt::Write;

use super::Report;
use crate::check::{Check, Outcome};

/// Text for an attribute or element: XML-escaped, with the characters XML 1.0 cannot carry
/// dropped.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // In attributes, newlines and tabs would be normalised to spaces by the parser.
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `host` is where the report was made (Ant's schema requires a non-empty `hostname`; an empty
/// or oversized one is written as `localhost`).
pub(super) fn render(reports: &[Report], host: &str) -> String {
    // Ant's schema: a timestamp without a zone or fractions (UTC here).
    let timestamp = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S");
    let host = host.trim();
    let host = escape(if host.is_empty() || host.len() > 255 {
        "localhost"
    } else {
        host
    });
    // Ant's schema allows no attribute on <testsuites>; the counts are on each <testsuite>.
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (i, r) in reports.iter().enumerate() {
        suite(&mut out, i, r, &timestamp.to_string(), &host);
    }
    out.push_str("</testsuites>\n");
    out
}

/// One report's `<testsuite>`: its counts and properties, a test case per check, then one per
/// check not asked for.
fn suite(out: &mut String, i: usize, r: &Report, timestamp: &str, host: &str) {
    let (pass, fail, not_run) = r.counts();
    let skipped = r.not_required();
    let _ = writeln!(
        out,
        "  <testsuite id=\"{i}\" package=\"kakunin.{}\" name=\"{} {}\" timestamp=\"{timestamp}\" \
         hostname=\"{host}\" tests=\"{}\" failures=\"{fail}\" errors=\"{not_run}\" skipped=\"{}\" time=\"0\">",
        escape(&r.command),
        escape(&r.command),
        escape(&r.subject),
        pass + fail + not_run + skipped.len(),
        skipped.len(),
    );
    let _ = writeln!(
        out,
        "    <properties>\n      <property name=\"kakunin.version\" value=\"{}\"/>\n      \
         <property name=\"verdict\" value=\"{}\"/>\n      <property name=\"exit_code\" value=\"{}\"/>\n    </properties>",
        env!("CARGO_PKG_VERSION"),
        match r.verdict() {
            super::Verdict::Verified => "verified",
            super::Verdict::Failed => "failed",
            super::Verdict::Incomplete => "incomplete",
        },
        r.exit_code().code()
    );
    let classname = escape(&format!("{}.{}", r.command, r.subject));
    for c in &r.checks {
        case(out, c, &classname);
    }
    for (id, why) in &skipped {
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"{classname}\" time=\"0\">\n      \
             <skipped message=\"not checked: {}\"/>\n    </testcase>",
            escape(id),
            escape(why)
        );
    }
    out.push_str("    <system-out></system-out>\n    <system-err></system-err>\n  </testsuite>\n");
}

/// A check's `<testcase>`: empty when it passed, with a `<failure>` when it failed, an
/// `<error>` when it could not run.
fn case(out: &mut String, c: &Check, classname: &str) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{classname}\" time=\"0\"",
        escape(c.id)
    );
    let body = escape(&format!(
        "{}\nexpected: {}\nfound:    {}{}",
        c.title,
        c.expected,
        c.found,
        c.evidence
            .iter()
            .map(|e| format!("\nevidence: {e}"))
            .collect::<String>()
    ));
    match c.outcome {
        Outcome::Pass => out.push_str("/>\n"),
        Outcome::Fail => {
            let _ = writeln!(
                out,
                ">\n      <failure type=\"{}\" message=\"{}: expected {}, found {}\">{body}</failure>\n    </testcase>",
                escape(c.id),
                escape(&c.title),
                escape(&c.expected),
                escape(&c.found),
            );
        }
        Outcome::NotRun => {
            let _ = writeln!(
                out,
                ">\n      <error type=\"not-run\" message=\"could not run: {}\">{body}</error>\n    </testcase>",
                escape(&c.found),
            );
        }
    }
}
