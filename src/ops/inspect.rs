//! `ops::inspect`: what is published for a chart named as `helm install` names it (oci://,
//! `CHART --repo URL`, a `.tgz`) and by whom, and a policy draft to review; never a verdict.
//! A chart reference of another form is a usage error (exit 2); a source that could not be
//! fetched is 3, one served but wrong 1.

use std::path::PathBuf;

use crate::chart_source::{self, ChartRef};
use crate::chart_verify::Registries;
use crate::fetch::{FetchOptions, Fetcher};
use crate::inspect::Inspection;
use crate::trust::{Instance, Trust};

use super::Error;

/// The chart to inspect and the root its signatures are verified against (`kakunin inspect`).
pub struct InspectRequest {
    /// The chart: `oci://REGISTRY/PATH/CHART`, `CHART` with `repo`, or `./CHART-VERSION.tgz`.
    pub reference: String,
    /// Helm's `--repo`.
    pub repo: Option<String>,
    /// The version or constraint (Helm's `--version`, or `--devel`'s).
    pub version: Option<String>,
    /// A trusted_root.json, else the embedded root of `instance` (default public-good).
    pub trusted_root: Option<PathBuf>,
    pub instance: Option<String>,
    pub fetch: FetchOptions,
}

/// Inspects the chart `req` names (see the module documentation).
pub async fn inspect(req: InspectRequest) -> Result<Inspection, Error> {
    let chart = match ChartRef::classify(&req.reference, req.repo.as_deref()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(Error::usage(format!(
                "expected a chart as helm install names it (oci://…, CHART --repo URL, ./CHART.tgz), found {:?}",
                req.reference
            )));
        }
        Err(e) => return Err(Error::usage(e)),
    };
    let trust = Trust::select(
        req.trusted_root.as_deref(),
        req.instance.as_deref().and_then(Instance::from_name),
        false,
    )
    .map_err(Error::usage)?
    .accept_tsa_only(crate::bundle::danger::TsaOnly);
    let fetcher = Fetcher::new(req.fetch).map_err(Error::usage)?;
    let registries = Registries::new(fetcher.clone());
    let fetched = chart_source::fetch(&chart, &fetcher, &registries, req.version.as_deref())
        .await
        .map_err(|e| Error::new(e.code, e.message))?;
    Ok(crate::inspect::inspect(&fetched, &trust, &registries).await)
}
