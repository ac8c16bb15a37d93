//! A packaged chart on disk, and the `<file>.prov` beside it (where `helm verify` looks).
//!
//! Guarantees: the package is read whole only when it is within [`MAX_CHART_BYTES`] (a larger
//! file is a failing `chart.package` check, refused before it is read); the `.prov` within
//! [`MAX_PROV_BYTES`].

use std::path::Path;

use crate::check::{Check, ids};
use crate::limits::{MAX_CHART_BYTES, MAX_PROV_BYTES, read_file_capped};

use super::{FetchedChart, Prov, SourceError};

/// The title of the check that a package can be read (also used by [`crate::chart_verify`]).
pub const T_PACKAGE: &str = "chart package is a chart Helm can read (size, archive, Chart.yaml)";

/// Reads `path` and its `.prov`.
pub fn fetch(path: &Path) -> Result<FetchedChart, SourceError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| SourceError::usage(format!("chart package {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(SourceError::usage(format!(
            "chart package {shown}: expected a file (a packaged chart, .tgz)"
        )));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| shown.clone());
    let mut checks = Vec::new();
    let package = if meta.len() > MAX_CHART_BYTES {
        checks.push(
            Check::fail(
                ids::CHART_PACKAGE,
                T_PACKAGE,
                format!("a chart package of at most {MAX_CHART_BYTES} bytes"),
                format!("{} bytes", meta.len()),
            )
            .with_evidence(shown.clone()),
        );
        None
    } else {
        Some(
            read_file_capped(path, MAX_CHART_BYTES)
                .map_err(|e| SourceError::fetch(format!("chart package {shown}: {e}")))?,
        )
    };
    let mut prov_path = path.as_os_str().to_owned();
    prov_path.push(".prov");
    let prov_path = std::path::PathBuf::from(prov_path);
    let prov = read_prov(&prov_path);
    let mut details = serde_json::Map::new();
    details.insert("source".into(), "local".into());
    details.insert("package".into(), shown.clone().into());
    Ok(FetchedChart {
        subject: shown.clone(),
        version: None,
        name: None,
        package,
        package_source: shown,
        package_name: name,
        prov,
        checks,
        oci: None,
        skipped: Vec::new(),
        details,
    })
}

fn read_prov(path: &Path) -> Prov {
    let shown = path.display().to_string();
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Prov::Absent(format!("no {shown} beside the package"))
        }
        Err(e) => Prov::Unreadable(format!("{shown}: {e}")),
        Ok(m) if m.len() > MAX_PROV_BYTES => Prov::Wrong(format!(
            "{shown} is {} bytes: expected at most {MAX_PROV_BYTES}",
            m.len()
        )),
        Ok(_) => match read_file_capped(path, MAX_PROV_BYTES) {
            Ok(bytes) => Prov::Present {
                bytes,
                source: shown,
            },
            Err(e) => Prov::Unreadable(format!("{shown}: {e}")),
        },
    }
}
