//! A chart of an HTTP Helm repository: `index.yaml` → the entry `--version` chooses (Helm's
//! constraint rules, [`crate::chart::constraint`]) → the package URL, and `<package URL>.prov`.
//!
//! Guarantees: the index is fetched and parsed bounded ([`crate::chart::HelmIndex::parse`]:
//! size, depth, duplicate keys refused); an index that is not one, or that lists the chosen
//! version twice differently, is a wrong source (exit 1), never a guess; the package's sha256
//! is compared with the index's digest (`chart.index-digest`) before the package is handed on.

use url::Url;

use crate::chart::HelmIndex;
use crate::chart::constraint;
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::fetch::{Blob, FetchError, Fetcher, Kind};

use super::local::T_PACKAGE;
use super::{FetchedChart, Prov, SourceError, fetched_but_wrong};

const T_INDEX: &str = "chart package digest equals the Helm index";

/// `<repo>/index.yaml`, as Helm forms it from `--repo`.
pub fn index_url(repo: &str) -> Result<Url, SourceError> {
    let base = repo.trim_end_matches('/');
    let raw = if base.ends_with("/index.yaml") {
        base.to_string()
    } else {
        format!("{base}/index.yaml")
    };
    Url::parse(&raw).map_err(|e| SourceError::usage(format!("--repo {repo:?}: {e}")))
}

/// Fetches `chart` at the version `request` chooses (None: the newest release).
pub async fn fetch(
    fetcher: &Fetcher,
    repo: &str,
    chart: &str,
    request: Option<&str>,
) -> Result<FetchedChart, SourceError> {
    let (url, index) = read_index(fetcher, repo).await?;
    let chosen = choose(&index, &url, chart, request)?;
    let mut checks = Vec::new();
    let mut skipped = Vec::new();
    let package = package(fetcher, &url, &chosen, &mut checks, &mut skipped).await?;
    let prov = prov(fetcher, &chosen.package_url).await;
    let mut details = serde_json::Map::new();
    details.insert("source".into(), "repository".into());
    details.insert("index".into(), url.to_string().into());
    details.insert("package".into(), chosen.package_url.to_string().into());
    if let Some(d) = &chosen.claimed {
        details.insert("index_digest".into(), d.to_string().into());
    }
    if let Some(r) = request {
        details.insert("version_request".into(), r.into());
    }
    Ok(FetchedChart {
        subject: format!("{chart}@{} ({repo})", chosen.version),
        version: Some(chosen.version),
        name: Some(chart.to_string()),
        package: package.map(|b| b.bytes),
        package_source: chosen.package_url.to_string(),
        package_name: chosen.package_name,
        prov,
        checks,
        oci: None,
        skipped,
        details,
    })
}

/// `<repo>/index.yaml`, fetched under the URL policy and parsed bounded.
async fn read_index(fetcher: &Fetcher, repo: &str) -> Result<(Url, HelmIndex), SourceError> {
    let url = index_url(repo)?;
    fetcher
        .check(&url)
        .map_err(|e| SourceError::usage(format!("--repo {repo}: {e}")))?;
    let blob = fetcher
        .get(&url, Kind::Index, None)
        .await
        .map_err(|e| SourceError::from_fetch("Helm repository index", &e))?;
    let index = HelmIndex::parse(&blob.bytes)
        .map_err(|e| SourceError::wrong(format!("Helm repository {url}: {e}")))?;
    Ok((url, index))
}

/// The index entry `request` chooses: its version, package URL, claimed digest and file name.
struct Chosen {
    chart: String,
    version: String,
    package_url: Url,
    claimed: Option<Digest>,
    package_name: String,
}

fn choose(
    index: &HelmIndex,
    url: &Url,
    chart: &str,
    request: Option<&str>,
) -> Result<Chosen, SourceError> {
    let entries = index
        .chart(chart)
        .map_err(|e| SourceError::usage(format!("Helm repository {url}: {e}")))?;
    let versions: Vec<&str> = entries.iter().map(|e| e.version.as_str()).collect();
    let picked = constraint::pick(versions.iter().copied(), request)
        .map_err(|e| SourceError::usage(e.to_string()))?
        .ok_or_else(|| {
            SourceError::usage(format!(
                "chart {chart} in {url}: no version matches {}: found {}",
                request.unwrap_or("* (the newest release)"),
                list(&versions)
            ))
        })?
        .to_string();
    let wrong =
        |e: &dyn std::fmt::Display| SourceError::wrong(format!("Helm repository {url}: {e}"));
    let entry = index.entry(chart, &picked).map_err(|e| wrong(&e))?;
    let package_url = entry.chart_url(url).map_err(|e| wrong(&e))?;
    let claimed = entry.claimed_digest().map_err(|e| wrong(&e))?;
    let package_name = package_url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| entry.package_file_name());
    Ok(Chosen {
        chart: chart.to_string(),
        version: picked,
        package_url,
        claimed,
        package_name,
    })
}

/// The package, handed on only when its sha256 is the index's (`chart.index-digest`); one
/// over the size cap fails `chart.package`.
async fn package(
    fetcher: &Fetcher,
    url: &Url,
    chosen: &Chosen,
    checks: &mut Vec<Check>,
    skipped: &mut Vec<(&'static str, String)>,
) -> Result<Option<Blob>, SourceError> {
    let package_url = &chosen.package_url;
    let package = match fetcher
        .get(package_url, Kind::Chart, chosen.claimed.as_ref())
        .await
    {
        Ok(b) => b,
        Err(e @ FetchError::TooLarge { .. }) => {
            checks.push(
                Check::fail(
                    ids::CHART_PACKAGE,
                    T_PACKAGE,
                    format!("a chart package of at most {} bytes", Kind::Chart.cap()),
                    e.to_string(),
                )
                .with_evidence(package_url.to_string()),
            );
            return Ok(None);
        }
        Err(e) => return Err(SourceError::from_fetch("chart package", &e)),
    };
    let Some(want) = &chosen.claimed else {
        skipped.push((
            ids::CHART_INDEX_DIGEST,
            format!(
                "the index lists no digest for {} {}",
                chosen.chart, chosen.version
            ),
        ));
        return Ok(Some(package));
    };
    let check = Check::compare(
        ids::CHART_INDEX_DIGEST,
        T_INDEX,
        want.to_string(),
        package.digest.to_string(),
    )
    .with_evidence(url.to_string())
    .with_evidence(package_url.to_string());
    let ok = check.passed();
    checks.push(check);
    Ok(ok.then_some(package))
}

/// `<package URL>.prov`: present, absent (404), wrong or unreadable.
async fn prov(fetcher: &Fetcher, package_url: &Url) -> Prov {
    let mut prov_url = package_url.clone();
    prov_url.set_path(&format!("{}.prov", package_url.path()));
    match fetcher.get(&prov_url, Kind::Prov, None).await {
        Ok(b) => Prov::Present {
            bytes: b.bytes,
            source: prov_url.to_string(),
        },
        Err(e) if e.status() == Some(404) => Prov::Absent(format!("{prov_url}: HTTP 404")),
        Err(e) if fetched_but_wrong(&e) => Prov::Wrong(e.to_string()),
        Err(e) => Prov::Unreadable(e.to_string()),
    }
}

fn list(versions: &[&str]) -> String {
    if versions.is_empty() {
        return "none".into();
    }
    let mut v: Vec<&str> = versions.iter().take(20).copied().collect();
    if versions.len() > 20 {
        v.push("…");
    }
    v.join(", ")
}
