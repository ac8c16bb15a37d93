//! Gathering a release's evidence through [`crate::fetch`]: online, from the cache, or from a
//! kit (`--offline --kit DIR`), all by the same URLs.
//!
//! Guarantees: every piece [`super::verify`] needs is asked for (in parallel where independent:
//! the chart package, its bundles and the image release's assets at once, then the registry);
//! each comes back as bytes with their origin, or as a [`Missing`] that says what and why, and
//! whether the source positively said it does not exist (HTTP 404) as opposed to could not be
//! reached. Nothing here decides whether anything is right.

use std::sync::{Arc, Mutex};

use url::Url;

use super::evidence::{Evidence, Fetched, IndexFile, Missing, Piece, RegistryEvidence};
use crate::chart::index::{HelmIndex, IndexEntry};
use crate::fetch::{Blob, FetchError, Fetcher, Kind, release_asset_url};
use crate::profile::Profile;

/// Why a release cannot even be looked for (exit 2: the request itself is wrong).
#[derive(Debug, thiserror::Error)]
pub enum GatherError {
    #[error("Helm repository {url}: {reason}")]
    Repository { url: String, reason: String },
    #[error("{chart}@{version} is not in the Helm index {url}: expected one of {found}")]
    NoVersion {
        chart: String,
        version: String,
        url: String,
        found: String,
    },
}

/// The URL of the profile's Helm index (`<helm_repository>/index.yaml`, or a local file).
pub fn index_url(profile: &Profile) -> Result<Url, GatherError> {
    let repo = &profile.helm_repository().to_string();
    let err = |reason: String| GatherError::Repository {
        url: repo.clone(),
        reason,
    };
    if repo.starts_with("http://") || repo.starts_with("https://") {
        let base = if repo.ends_with(".yaml") {
            repo.clone()
        } else {
            format!("{}/index.yaml", repo.trim_end_matches('/'))
        };
        Url::parse(&base).map_err(|e| err(e.to_string()))
    } else {
        let path = std::path::absolute(repo).map_err(|e| err(e.to_string()))?;
        Url::from_file_path(&path).map_err(|_| err("not a usable file path".into()))
    }
}

fn missing(fetcher: &Fetcher, what: &str, url: &Url, e: &FetchError) -> Missing {
    let recorded = fetcher.kit().and_then(|k| k.missing(url.as_str()));
    // A URL the transport policy refuses (a `file:` URL in an index, a redirect to plain HTTP)
    // would be refused again: the file is absent from every place kakunin may fetch from.
    let absent = e.status() == Some(404)
        || e.is_refused()
        || recorded.is_some_and(|m| m.why.contains("404") || m.why.contains("Not Found"));
    let mut m = Missing::from_fetch(what, e);
    if let Some(r) = recorded {
        m.why = format!("{} (as recorded by the kit's download)", r.why);
    }
    m.absent = absent;
    m
}

/// Every file a gather fetched (with its kit role), and every one it could not get.
#[derive(Debug, Default)]
pub struct Record {
    pub files: Vec<(Blob, &'static str)>,
    /// (url, role, why)
    pub missing: Vec<(String, &'static str, String)>,
}

async fn get(
    fetcher: &Fetcher,
    record: &Mutex<Record>,
    what: &str,
    role: &'static str,
    url: Result<Url, FetchError>,
    kind: Kind,
) -> Piece {
    let url = match url {
        Ok(u) => u,
        Err(e) => return Err(Missing::new(what, e.to_string())),
    };
    match fetcher.get(&url, kind, None).await {
        Ok(b) => {
            let f = Fetched::new(b.bytes.clone(), b.source.to_string());
            record.lock().unwrap().files.push((b, role));
            Ok(f)
        }
        Err(e) => {
            record
                .lock()
                .unwrap()
                .missing
                .push((url.to_string(), role, e.to_string()));
            Err(missing(fetcher, what, &url, &e))
        }
    }
}

/// The Helm index, fetched and parsed once, with the file as fetched (for kits).
#[derive(Debug, Clone)]
pub struct Index {
    pub blob: Blob,
    /// The parsed index that every release's evidence shares.
    pub shared: Arc<IndexFile>,
}

/// Fetches and parses the profile's Helm index.
pub async fn index(fetcher: &Fetcher, profile: &Profile) -> Result<Index, Missing> {
    let url = index_url(profile).map_err(|e| Missing::new("index.yaml", e.to_string()))?;
    // A local index is the one local file read here, because the profile names it as a path;
    // a `file:` URL that comes from data is refused by the fetcher's transport policy.
    let b = match url.to_file_path() {
        Ok(path) if url.scheme() == "file" => {
            let cap = fetcher
                .http()
                .config()
                .cap_override
                .unwrap_or(Kind::Index.cap());
            crate::fetch::read_local(&path, Kind::Index, cap)
        }
        _ => fetcher.get(&url, Kind::Index, None).await,
    }
    .map_err(|e| missing(fetcher, "index.yaml", &url, &e))?;
    let shared = Arc::new(IndexFile::parse(&b.bytes, b.source.to_string())?);
    Ok(Index { blob: b, shared })
}

/// The index entry of `chart@version`, or the request's error.
pub fn entry<'a>(
    index: &'a HelmIndex,
    index_source: &str,
    chart: &str,
    version: &str,
) -> Result<&'a IndexEntry, GatherError> {
    let entries = index.chart(chart).map_err(|e| GatherError::Repository {
        url: index_source.into(),
        reason: e.to_string(),
    })?;
    entries
        .iter()
        .find(|e| e.version == version)
        .ok_or_else(|| GatherError::NoVersion {
            chart: chart.into(),
            version: version.into(),
            url: index_source.into(),
            found: entries
                .iter()
                .map(|e| e.version.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

/// Gathers everything about `chart@version`. `index` is the index already fetched and parsed
/// (for `--all-versions`: every release shares it, and it is not in their records), or `None`
/// to fetch it (then it is in the record). The registry is asked through [`super::registry`].
/// Returns the evidence and the record of what was fetched.
pub async fn gather(
    fetcher: &Fetcher,
    profile: &Profile,
    version: &str,
    index: Option<&Arc<IndexFile>>,
) -> Result<(Evidence, Record), GatherError> {
    let chart = profile.chart();
    let record = Mutex::new(Record::default());
    let index = match index {
        Some(i) => i.clone(),
        None => match self::index(fetcher, profile).await {
            Ok(i) => {
                record.lock().unwrap().files.push((i.blob, "index"));
                i.shared
            }
            Err(m) => {
                return Ok((
                    without_index(chart, version, m),
                    record.into_inner().unwrap(),
                ));
            }
        },
    };
    let entry = entry(&index.parsed, &index.source, chart, version)?;
    let files = release_files(profile, entry, version)?
        .get(fetcher, &record)
        .await;
    let (registry, fetched) =
        super::registry::gather(fetcher, profile, files.package.as_ref().ok(), entry).await;
    let mut record = record.into_inner().unwrap();
    record.files.extend(fetched);
    let evidence = Evidence {
        chart: chart.into(),
        version: version.into(),
        index: Ok(index.clone()),
        package: files.package,
        prov: files.prov,
        chart_bundle: files.chart_bundle,
        chart_envelope: files.chart_envelope,
        image_bundle: files.image_bundle,
        image_envelope: files.image_envelope,
        registry,
    };
    Ok((evidence, record))
}

/// The evidence of a release whose index could not be obtained: without the index nothing can
/// be located, and every check says so.
fn without_index(chart: &str, version: &str, m: Missing) -> Evidence {
    let why = m.to_string();
    let none = || Err(Missing::new("release file", format!("no index: {why}")));
    Evidence {
        chart: chart.into(),
        version: version.into(),
        index: Err(m),
        package: none(),
        prov: None,
        chart_bundle: none(),
        chart_envelope: none(),
        image_bundle: none(),
        image_envelope: none(),
        registry: RegistryEvidence::unavailable(&format!("no index: {why}")),
    }
}

/// A release file to fetch: what it is (its asset name), its role in a kit, its URL, its kind.
struct Wanted {
    what: String,
    role: &'static str,
    url: Result<Url, FetchError>,
    kind: Kind,
}

impl Wanted {
    async fn get(self, fetcher: &Fetcher, record: &Mutex<Record>) -> Piece {
        get(fetcher, record, &self.what, self.role, self.url, self.kind).await
    }
}

/// The release files of `chart@version` besides the index: the chart package (at the index
/// entry's URL), its `.prov` when the profile requires it, and the chart's and the image
/// release's bundles and envelopes (release assets, the image release named by appVersion).
/// Each is a [`Wanted`] file, then once fetched a [`Piece`]: one list of the files for both.
struct ReleaseFiles<T> {
    package: T,
    prov: Option<T>,
    chart_bundle: T,
    chart_envelope: T,
    image_bundle: T,
    image_envelope: T,
}

impl ReleaseFiles<Wanted> {
    /// Every file fetched at once, each recorded.
    async fn get(self, fetcher: &Fetcher, record: &Mutex<Record>) -> ReleaseFiles<Piece> {
        let prov = async {
            match self.prov {
                Some(w) => Some(w.get(fetcher, record).await),
                None => None,
            }
        };
        let (package, prov, chart_bundle, chart_envelope, image_bundle, image_envelope) = tokio::join!(
            self.package.get(fetcher, record),
            prov,
            self.chart_bundle.get(fetcher, record),
            self.chart_envelope.get(fetcher, record),
            self.image_bundle.get(fetcher, record),
            self.image_envelope.get(fetcher, record),
        );
        ReleaseFiles {
            package,
            prov,
            chart_bundle,
            chart_envelope,
            image_bundle,
            image_envelope,
        }
    }
}

fn release_files(
    profile: &Profile,
    entry: &IndexEntry,
    version: &str,
) -> Result<ReleaseFiles<Wanted>, GatherError> {
    let index_url = index_url(profile)?;
    let chart_tag = profile.chart_release_tag(version);
    let assets = profile.chart_asset_names(version);
    let asset = |tag: &str, name: &str| {
        release_asset_url(
            profile.github_base_url().as_str(),
            profile.github_repository().as_str(),
            tag,
            name,
        )
    };
    let wanted = |what: &str, role, url, kind| Wanted {
        what: what.to_string(),
        role,
        url,
        kind,
    };
    let package_url = entry
        .chart_url(&index_url)
        .map_err(|e| FetchError::Client(e.to_string()));
    let app = entry.app_version.as_deref();
    let image_tag = app.map(|a| profile.image_release_tag(a));
    let image_assets = app.map(|a| profile.image_asset_names(a));
    let image_asset =
        |name: fn(&crate::profile::ImageAssets) -> &String| match (&image_tag, &image_assets) {
            (Some(t), Some(a)) => asset(t, name(a)),
            _ => Err(FetchError::Client(
                "the index entry has no appVersion".into(),
            )),
        };
    let image_bundle_name = image_assets
        .as_ref()
        .map(|a| a.bundle.clone())
        .unwrap_or_else(|| "image release bundle".into());
    let image_envelope_name = image_assets
        .as_ref()
        .map(|a| a.envelope.clone())
        .unwrap_or_else(|| "image release .intoto.jsonl".into());
    Ok(ReleaseFiles {
        package: wanted(&assets.package, "chart", package_url, Kind::Chart),
        prov: profile.require().prov().then(|| {
            let url = asset(&chart_tag, &assets.prov);
            wanted(&assets.prov, "prov", url, Kind::Prov)
        }),
        chart_bundle: wanted(
            &assets.bundle,
            "chart-bundle",
            asset(&chart_tag, &assets.bundle),
            Kind::Bundle,
        ),
        chart_envelope: wanted(
            &assets.envelope,
            "chart-envelope",
            asset(&chart_tag, &assets.envelope),
            Kind::Bundle,
        ),
        image_bundle: wanted(
            &image_bundle_name,
            "image-bundle",
            image_asset(|a| &a.bundle),
            Kind::Bundle,
        ),
        image_envelope: wanted(
            &image_envelope_name,
            "image-envelope",
            image_asset(|a| &a.envelope),
            Kind::Bundle,
        ),
    })
}
