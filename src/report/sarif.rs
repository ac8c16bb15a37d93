//! SARIF 2.1.0 for code-scanning dashboards: one result per failed or not-run check.

use serde_json::{Value, json};

use super::Report;
use crate::check::Outcome;

pub(super) fn render(reports: &[Report]) -> String {
    let mut rules: Vec<&'static str> = reports
        .iter()
        .flat_map(|r| r.checks.iter().map(|c| c.id))
        .collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.checks.iter().map(move |c| (r, c)))
        .filter(|(_, c)| c.outcome != Outcome::Pass)
        .map(|(r, c)| {
            let level = if c.outcome == Outcome::Fail { "error" } else { "warning" };
            let what = if c.outcome == Outcome::Fail { "failed" } else { "could not run" };
            json!({
                "ruleId": c.id,
                "level": level,
                "message": {"text": format!("{}: {} {what}: expected {}, found {}", r.subject, c.title, c.expected, c.found)},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": c.evidence.first().cloned().unwrap_or_else(|| r.subject.clone())}}}],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kakunin",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/kakunin/kakunin",
                "rules": rules.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).expect("sarif serialises");
    s.push('\n');
    s
}
