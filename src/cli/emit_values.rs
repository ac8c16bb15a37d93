//! `kakunin verify --emit-values FILE`: the verified release's image pinned by digest, as Helm
//! values (see [`kakunin::values`]).

use std::path::Path;

use kakunin::report::Report;

/// Writes the values of the one verified release in `reports` to `path`.
pub fn write(path: &Path, reports: &[Report]) -> Result<(), String> {
    let [report] = reports else {
        return Err(format!(
            "--emit-values pins one release: expected one, verified {}",
            reports.len()
        ));
    };
    let values = kakunin::values::pin_values(report)?;
    let yaml = serde_norway::to_string(&values).map_err(|e| e.to_string())?;
    let text = format!(
        "# Helm values written by kakunin verify {}: the verified image, pinned by digest.\n{yaml}",
        report.subject
    );
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
