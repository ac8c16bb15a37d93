//! Where a chart comes from, as `helm install` names it: a local package (`./chart-1.2.3.tgz`),
//! a chart of an HTTP Helm repository (`CHART --repo URL --version V`), or an OCI chart
//! (`oci://REGISTRY/PATH/CHART --version V`); fetched with the evidence that comes with it.
//!
//! Guarantees: every byte is read through the bounded readers ([`crate::limits`],
//! [`crate::fetch::Kind`] caps); what the source claims about the package is a check here, run
//! before anything else reads the package (the index digest; the OCI manifest's media types,
//! its one chart layer, the layer digest); a package that fails such a check is not handed on.
//! The `.prov` is looked for where Helm looks for it (beside the local file, `<url>.prov`, the
//! OCI provenance layer) and only carried here; [`crate::chart_verify`] verifies it.

pub mod local;
pub mod oci;
pub mod repo;

use crate::check::Check;
use crate::digest::Digest;
use crate::exit::ExitCode;
use crate::fetch::FetchError;
use crate::registry::Repo;

/// A chart as the command line names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRef {
    /// A packaged chart on disk.
    Local(std::path::PathBuf),
    /// `CHART --repo URL`.
    Repo { url: String, chart: String },
    /// `oci://REGISTRY/PATH/CHART`.
    Oci(Repo),
}

impl ChartRef {
    /// Reads `reference` the way `helm install` does: `oci://…` is an OCI chart; with `--repo`
    /// it is a chart name in that repository; a path to a file (or a name ending in `.tgz`)
    /// is a local package. `None`: none of these (a `CHART@VERSION` release of a profile).
    pub fn classify(reference: &str, repo: Option<&str>) -> Result<Option<ChartRef>, String> {
        if reference.starts_with("oci://") {
            if repo.is_some() {
                return Err(format!(
                    "--repo names an HTTP Helm repository; {reference} is an OCI chart: give one"
                ));
            }
            return crate::registry::parse_oci_chart(reference).map(|r| Some(ChartRef::Oci(r)));
        }
        if let Some(url) = repo {
            if reference.contains('/') || reference.is_empty() {
                return Err(format!(
                    "with --repo, expected a chart name, found {reference:?}"
                ));
            }
            return Ok(Some(ChartRef::Repo {
                url: url.to_string(),
                chart: reference.to_string(),
            }));
        }
        let path = std::path::Path::new(reference);
        let looks_like_file = reference.ends_with(".tgz")
            || reference.ends_with(".tar.gz")
            || reference.starts_with("./")
            || reference.starts_with("../")
            || reference.starts_with('/');
        if looks_like_file || path.is_file() {
            if path.is_dir() {
                return Err(format!(
                    "{reference} is a directory: expected a packaged chart (helm package {reference})"
                ));
            }
            return Ok(Some(ChartRef::Local(path.to_path_buf())));
        }
        Ok(None)
    }
}

/// The `.prov` of a chart, as found.
#[derive(Debug, Clone)]
pub enum Prov {
    Present {
        bytes: Vec<u8>,
        source: String,
    },
    /// Not there (where it was looked for).
    Absent(String),
    /// There, maybe, but it could not be read.
    Unreadable(String),
    /// There, and not a `.prov` kakunin can read (over the size cap).
    Wrong(String),
}

/// The OCI chart manifest: what cosign signs.
#[derive(Debug, Clone)]
pub struct OciManifest {
    pub repo: Repo,
    pub digest: Digest,
    pub tag: String,
}

/// A chart fetched from its source, not verified yet beyond the source's own claims.
#[derive(Debug, Clone)]
pub struct FetchedChart {
    /// How the report names it (`oci://…:1.2.3`, `chart 1.2.3 from URL`, the path).
    pub subject: String,
    /// The version chosen (repository and OCI charts).
    pub version: Option<String>,
    /// The chart's name as the source names it (index entry, last OCI path segment).
    pub name: Option<String>,
    /// The package bytes, when every source check passed.
    pub package: Option<Vec<u8>>,
    /// Where the package came from (path or URL).
    pub package_source: String,
    /// The file name the `.prov`'s `files:` entry must carry (Helm: the package's base name).
    pub package_name: String,
    pub prov: Prov,
    /// The source's checks: chart.index-digest, chart.oci-manifest, chart.oci-layer.
    pub checks: Vec<Check>,
    pub oci: Option<OciManifest>,
    /// Checks the source gives no evidence for, as (id, why) (an index without a digest).
    pub skipped: Vec<(&'static str, String)>,
    /// Facts for the report's details (URLs, digests).
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// Why a chart could not be fetched at all: a usage error (2), a source that is there but
/// wrong (1), or one that could not be reached (3).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct SourceError {
    pub code: ExitCode,
    pub message: String,
}

impl SourceError {
    pub fn usage(message: impl Into<String>) -> SourceError {
        SourceError {
            code: ExitCode::Usage,
            message: message.into(),
        }
    }
    pub fn wrong(message: impl Into<String>) -> SourceError {
        SourceError {
            code: ExitCode::Failed,
            message: message.into(),
        }
    }
    pub fn fetch(message: impl Into<String>) -> SourceError {
        SourceError {
            code: ExitCode::Fetch,
            message: message.into(),
        }
    }
    /// A fetch error: over a size cap or a digest that does not match is a wrong answer (1);
    /// anything else could not be fetched (3).
    pub fn from_fetch(what: &str, e: &FetchError) -> SourceError {
        let message = format!("{what}: {e}");
        if fetched_but_wrong(e) {
            SourceError::wrong(message)
        } else {
            SourceError::fetch(message)
        }
    }
}

/// Whether a fetch error says the answer came and was wrong (too large, another digest).
pub fn fetched_but_wrong(e: &FetchError) -> bool {
    match e {
        FetchError::TooLarge { .. } | FetchError::Digest { .. } | FetchError::KitDigest { .. } => {
            true
        }
        FetchError::Retried { error, .. } => fetched_but_wrong(error),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_classified_as_helm_reads_them() {
        let c = |r: &str, repo: Option<&str>| ChartRef::classify(r, repo);
        assert!(matches!(
            c("oci://ghcr.io/o/charts/app", None).unwrap(),
            Some(ChartRef::Oci(r)) if r.repository == "o/charts/app"
        ));
        assert_eq!(
            c("app", Some("https://charts.example.com")).unwrap(),
            Some(ChartRef::Repo {
                url: "https://charts.example.com".into(),
                chart: "app".into()
            })
        );
        assert_eq!(
            c("./app-1.0.0.tgz", None).unwrap(),
            Some(ChartRef::Local("./app-1.0.0.tgz".into()))
        );
        assert_eq!(c("gomenhashai@1.3.2", None).unwrap(), None);
        assert_eq!(c("gomenhashai", None).unwrap(), None);
        assert!(c("oci://ghcr.io/o/app", Some("https://x")).is_err());
        assert!(c("o/app", Some("https://x")).is_err());
        assert!(c("/", None).unwrap_err().contains("is a directory"));
    }
}
