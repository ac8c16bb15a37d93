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

use crate::chart_verify::Registries;
use crate::check::Check;
use crate::digest::Digest;
use crate::exit::ExitCode;
use crate::fetch::{FetchError, Fetcher};
use crate::registry::Repo;

/// A chart as the command line names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRef {
    /// A packaged chart on disk.
    Local(std::path::PathBuf),
    /// `CHART --repo URL`.
    Repo { url: String, chart: String },
    /// `oci://REGISTRY/PATH/CHART[:VERSION][@sha256:…]`.
    Oci(OciRef),
}

/// An OCI chart reference: the repository, and the version (tag) and digest it may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRef {
    pub repo: Repo,
    /// The version the reference names (`chart:1.2.3`; Helm's tag, `_` read as `+`).
    pub version: Option<String>,
    /// The manifest digest the reference pins (`chart@sha256:…`).
    pub digest: Option<Digest>,
}

impl OciRef {
    /// Reads `oci://REGISTRY/PATH/CHART`, `…/CHART:VERSION`, `…/CHART@sha256:…` and
    /// `…/CHART:VERSION@sha256:…`, as Helm does.
    pub fn parse(reference: &str) -> Result<OciRef, String> {
        let (base, digest) = match reference.rsplit_once('@') {
            Some((base, d)) => {
                let digest = d.parse::<Digest>().map_err(|e| {
                    format!("{reference:?}: expected @sha256:<64 hex digits> after the chart, found {d:?}: {e}")
                })?;
                (base, Some(digest))
            }
            None => (reference, None),
        };
        let last = base.rfind('/').map_or(0, |i| i + 1);
        let (base, version) = match base[last..].split_once(':') {
            Some((name, tag)) => {
                let ok = !tag.is_empty()
                    && tag.len() <= 128
                    && tag
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
                if !ok {
                    return Err(format!(
                        "{reference:?}: expected a chart version (an OCI tag) after `{name}:`, found {tag:?}"
                    ));
                }
                (&base[..last + name.len()], Some(tag.replace('_', "+")))
            }
            None => (base, None),
        };
        let repo = crate::registry::parse_oci_chart(base)?;
        Ok(OciRef {
            repo,
            version,
            digest,
        })
    }

    /// The version asked for: the reference's, or `--version`'s (both given, they must agree,
    /// as Helm has it).
    pub fn version<'a>(&'a self, flag: Option<&'a str>) -> Result<Option<&'a str>, String> {
        match (self.version.as_deref(), flag) {
            (Some(r), Some(f)) if r != f => Err(format!(
                "oci://{}:{r} and --version {f} name different versions: give one",
                self.repo
            )),
            (r, f) => Ok(r.or(f)),
        }
    }
}

/// Fetches the chart `chart` names at the version `version` chooses (oci:// and --repo).
pub async fn fetch(
    chart: &ChartRef,
    fetcher: &Fetcher,
    registries: &Registries,
    version: Option<&str>,
) -> Result<FetchedChart, SourceError> {
    match chart {
        ChartRef::Local(path) => local::fetch(path),
        ChartRef::Repo { url, chart } => repo::fetch(fetcher, url, chart, version).await,
        ChartRef::Oci(r) => {
            let version = r.version(version).map_err(SourceError::usage)?;
            oci::fetch(&registries.client(&r.repo.registry), r, version).await
        }
    }
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
            return OciRef::parse(reference).map(|r| Some(ChartRef::Oci(r)));
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
            Some(ChartRef::Oci(r)) if r.repo.repository == "o/charts/app" && r.version.is_none() && r.digest.is_none()
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

    #[test]
    fn oci_references_may_name_a_version_and_pin_a_digest_as_helm_accepts() {
        let d = "sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8";
        let p = |r: &str| OciRef::parse(r);
        let r = p(&format!("oci://127.0.0.1:5000/o/app:1.2.3_build.1@{d}")).unwrap();
        assert_eq!(r.repo.registry, "127.0.0.1:5000");
        assert_eq!(r.repo.repository, "o/app");
        assert_eq!(r.version.as_deref(), Some("1.2.3+build.1"));
        assert_eq!(r.digest.as_ref().map(|d| d.to_string()).as_deref(), Some(d));
        let r = p(&format!("oci://ghcr.io/o/app@{d}")).unwrap();
        assert_eq!((r.repo.repository.as_str(), r.version), ("o/app", None));
        let r = p("oci://127.0.0.1:5000/o/app").unwrap();
        assert_eq!(
            (r.repo.registry.as_str(), r.version),
            ("127.0.0.1:5000", None)
        );
        assert!(
            p("oci://ghcr.io/o/app@sha256:12")
                .unwrap_err()
                .contains("@sha256:<64")
        );
        assert!(
            p("oci://ghcr.io/o/app:")
                .unwrap_err()
                .contains("chart version")
        );
        assert!(p("oci://ghcr.io/o/app:1/2").is_err());
        let r = p("oci://ghcr.io/o/app:1.0.0").unwrap();
        assert_eq!(r.version(Some("1.0.0")).unwrap(), Some("1.0.0"));
        assert_eq!(r.version(None).unwrap(), Some("1.0.0"));
        assert!(
            r.version(Some("2.0.0"))
                .unwrap_err()
                .contains("different versions")
        );
    }
}
