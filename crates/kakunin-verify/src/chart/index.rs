//! A Helm repository `index.yaml`: parsing (bounded), choosing a chart version, and resolving
//! the chart's download URL.
//!
//! Guarantees: an index larger than [`MAX_INDEX_BYTES`] is refused before parsing; a version is
//! chosen exactly or as the newest SemVer match of a range, prereleases only when asked; a
//! chart URL resolves against the index's own URL (relative) or stands alone (absolute), and
//! only to `http`, `https` or `file` URLs. The index's `digest` is a claim, not a verification.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use url::Url;

use crate::digest::{Algorithm, Digest};
use crate::limits::MAX_INDEX_BYTES;

/// Why an index could not be read or a version not chosen.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index.yaml is {found} bytes: expected at most {max}")]
    TooLarge { max: u64, found: u64 },
    #[error("index.yaml is not a Helm repository index: {0}")]
    Parse(String),
    #[error("index.yaml: expected apiVersion v1, found {0:?}")]
    ApiVersion(String),
    #[error("chart {chart:?} is not in the index: expected one of {found}")]
    NoChart { chart: String, found: String },
    #[error("chart {chart} has no version {request}: found {found}")]
    NoVersion {
        chart: String,
        request: String,
        found: String,
    },
    #[error("chart {chart} {version}: the index lists it {count} times, differently: {entries}")]
    Ambiguous {
        chart: String,
        version: String,
        count: usize,
        entries: String,
    },
    #[error("invalid version request {request:?}: {reason}")]
    Request { request: String, reason: String },
    #[error("chart {chart} {version}: the index lists no download URL")]
    NoUrl { chart: String, version: String },
    #[error("chart {chart} {version}: URL {url:?} is not usable: {reason}")]
    Url {
        chart: String,
        version: String,
        url: String,
        reason: String,
    },
    #[error("chart {chart} {version}: index digest {found:?} is not a sha256 digest: {reason}")]
    Digest {
        chart: String,
        version: String,
        found: String,
        reason: String,
    },
}

/// A parsed `index.yaml`. Entries keep the index's order within each chart.
#[derive(Debug, Clone)]
pub struct HelmIndex {
    pub entries: BTreeMap<String, Vec<IndexEntry>>,
}

/// One chart version as the index describes it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct IndexEntry {
    #[serde(deserialize_with = "scalar")]
    pub name: String,
    #[serde(deserialize_with = "scalar")]
    pub version: String,
    #[serde(default, deserialize_with = "opt_scalar")]
    pub app_version: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar")]
    pub api_version: Option<String>,
    /// The sha256 (hex, no algorithm prefix) the index claims for the `.tgz`.
    #[serde(default, deserialize_with = "opt_scalar")]
    pub digest: Option<String>,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default, deserialize_with = "opt_scalar")]
    pub created: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default, deserialize_with = "unique_map")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawIndex {
    #[serde(default, deserialize_with = "opt_scalar")]
    api_version: Option<String>,
    #[serde(default, deserialize_with = "unique_map")]
    entries: BTreeMap<String, Vec<IndexEntry>>,
}

/// A mapping whose keys are all different: a key written twice is an error naming it (a map
/// would keep the last one silently, while another reader of the same file may keep the first).
fn unique_map<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut a: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(k) = a.next_key::<String>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!("duplicate key {k:?}")));
                }
                let v = a.next_value()?;
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_any(Unique(std::marker::PhantomData))
}

/// YAML scalars are strings to Helm (`appVersion: 1.16` is the string "1.16").
fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    super::yaml_scalar::required(d, "Null")
}

use super::yaml_scalar::opt_scalar;

impl HelmIndex {
    /// Parses an `index.yaml`, refusing one larger than [`MAX_INDEX_BYTES`].
    pub fn parse(bytes: &[u8]) -> Result<HelmIndex, IndexError> {
        if bytes.len() as u64 > MAX_INDEX_BYTES {
            return Err(IndexError::TooLarge {
                max: MAX_INDEX_BYTES,
                found: bytes.len() as u64,
            });
        }
        if !crate::limits::yaml_flow_depth_ok(bytes) {
            return Err(IndexError::Parse(format!(
                "collections nest deeper than {} levels",
                crate::limits::MAX_DEPTH
            )));
        }
        let raw: RawIndex =
            serde_norway::from_slice(bytes).map_err(|e| IndexError::Parse(e.to_string()))?;
        match raw.api_version.as_deref() {
            Some("v1") => {}
            other => return Err(IndexError::ApiVersion(other.unwrap_or("").to_string())),
        }
        Ok(HelmIndex {
            entries: raw.entries,
        })
    }

    /// Every entry of a chart, in the index's order.
    pub fn chart(&self, chart: &str) -> Result<&[IndexEntry], IndexError> {
        self.entries
            .get(chart)
            .map(Vec::as_slice)
            .ok_or_else(|| IndexError::NoChart {
                chart: chart.to_string(),
                found: list(self.entries.keys().map(String::as_str)),
            })
    }

    /// The entry of `chart` whose version is exactly `version`. Two entries for one version
    /// that differ in anything (digest, URLs, appVersion…) are [`IndexError::Ambiguous`],
    /// naming each: Helm may install either, so no single release can be said to be verified.
    /// Entries equal in every field are one release written twice.
    pub fn entry(&self, chart: &str, version: &str) -> Result<&IndexEntry, IndexError> {
        let entries = self.chart(chart)?;
        let mut same = entries.iter().filter(|e| e.version == version);
        let Some(first) = same.next() else {
            return Err(IndexError::NoVersion {
                chart: chart.to_string(),
                request: version.to_string(),
                found: list(entries.iter().map(|e| e.version.as_str())),
            });
        };
        let all: Vec<&IndexEntry> = std::iter::once(first).chain(same).collect();
        if all.iter().any(|e| *e != first) {
            let shown: Vec<String> = all
                .iter()
                .enumerate()
                .take(10)
                .map(|(i, e)| format!("#{} {}", i + 1, e.describe()))
                .collect();
            return Err(IndexError::Ambiguous {
                chart: chart.to_string(),
                version: version.to_string(),
                count: all.len(),
                entries: shown.join("; "),
            });
        }
        Ok(first)
    }

    /// Chooses a chart version: exactly, or the newest SemVer match of a range. Prereleases are
    /// candidates for a range only when `allow_prerelease` is set (an exact request for a
    /// prerelease is always honoured: it was asked for by name).
    pub fn select(
        &self,
        chart: &str,
        request: &VersionRequest,
        allow_prerelease: bool,
    ) -> Result<&IndexEntry, IndexError> {
        let entries = self.chart(chart)?;
        let found = || list(entries.iter().map(|e| e.version.as_str()));
        let chosen = match request {
            VersionRequest::Exact(v) => entries.iter().find(|e| {
                e.version == *v
                    || semver::Version::parse(&e.version)
                        .ok()
                        .zip(semver::Version::parse(v).ok())
                        .is_some_and(|(a, b)| a == b)
            }),
            VersionRequest::Range(req) => entries
                .iter()
                .filter_map(|e| semver::Version::parse(&e.version).ok().map(|v| (v, e)))
                .filter(|(v, _)| {
                    if v.pre.is_empty() {
                        req.matches(v)
                    } else if allow_prerelease {
                        // semver's matching excludes most prereleases; when they are allowed,
                        // a prerelease matches if its release would.
                        let mut release = v.clone();
                        release.pre = semver::Prerelease::EMPTY;
                        req.matches(v) || req.matches(&release)
                    } else {
                        false
                    }
                })
                .max_by(|(a, _), (b, _)| a.cmp(b))
                .map(|(_, e)| e),
        };
        chosen.ok_or_else(|| IndexError::NoVersion {
            chart: chart.to_string(),
            request: request.to_string(),
            found: found(),
        })
    }
}

impl IndexEntry {
    /// The digest the index claims for the chart package.
    pub fn claimed_digest(&self) -> Result<Option<Digest>, IndexError> {
        let Some(hex) = self.digest.as_deref().filter(|d| !d.is_empty()) else {
            return Ok(None);
        };
        let hex = hex.strip_prefix("sha256:").unwrap_or(hex);
        Digest::from_hex(Algorithm::Sha256, hex)
            .map(Some)
            .map_err(|e| IndexError::Digest {
                chart: self.name.clone(),
                version: self.version.clone(),
                found: hex.to_string(),
                reason: e.to_string(),
            })
    }

    /// The chart package's URL: the first of `urls`, resolved against the index's URL when
    /// relative. Which URLs may be fetched is the fetcher's transport policy alone
    /// (`kakunin::fetch::UrlPolicy`: https, or http to loopback or an allowed host; a `file:`
    /// URL is refused there, before any I/O).
    pub fn chart_url(&self, index_url: &Url) -> Result<Url, IndexError> {
        let raw = self.urls.first().ok_or_else(|| IndexError::NoUrl {
            chart: self.name.clone(),
            version: self.version.clone(),
        })?;
        let err = |reason: String| IndexError::Url {
            chart: self.name.clone(),
            version: self.version.clone(),
            url: raw.clone(),
            reason,
        };
        let url = match Url::parse(raw) {
            Ok(u) => u,
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                index_url.join(raw).map_err(|e| err(e.to_string()))?
            }
            Err(e) => return Err(err(e.to_string())),
        };
        Ok(url)
    }

    /// The entry in a few words: digest, URLs and appVersion (to tell entries apart).
    pub fn describe(&self) -> String {
        let mut s = format!(
            "digest {}, urls [{}], appVersion {}",
            self.digest.as_deref().unwrap_or("(none)"),
            self.urls.join(", "),
            self.app_version.as_deref().unwrap_or("(none)")
        );
        if let Some(c) = &self.created {
            s.push_str(&format!(", created {c}"));
        }
        s
    }

    /// The file name of the chart package (`<name>-<version>.tgz`), as Helm names it.
    pub fn package_file_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }
}

/// Which version of a chart to pick.
#[derive(Debug, Clone, PartialEq)]
pub enum VersionRequest {
    /// This version exactly (`1.3.2`).
    Exact(String),
    /// The newest version matching a SemVer range (`^1.2`, `>=1.0, <2`).
    Range(semver::VersionReq),
}

impl VersionRequest {
    /// A version (exact) or a range; `*`/`latest`/empty mean the newest release.
    pub fn parse(s: &str) -> Result<VersionRequest, IndexError> {
        let s = s.trim();
        if s.is_empty() || s == "latest" {
            return Ok(VersionRequest::Range(semver::VersionReq::STAR));
        }
        if semver::Version::parse(s).is_ok() {
            return Ok(VersionRequest::Exact(s.to_string()));
        }
        semver::VersionReq::parse(s)
            .map(VersionRequest::Range)
            .map_err(|e| IndexError::Request {
                request: s.to_string(),
                reason: e.to_string(),
            })
    }
}

impl fmt::Display for VersionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionRequest::Exact(v) => write!(f, "{v}"),
            VersionRequest::Range(r) => write!(f, "matching {r}"),
        }
    }
}

fn list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.take(50).collect();
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"
apiVersion: v1
entries:
  demo:
  - name: demo
    version: 1.2.0
    appVersion: 1.16
    digest: 0000000000000000000000000000000000000000000000000000000000000000
    urls: [demo-1.2.0.tgz]
  - name: demo
    version: 1.3.0-rc.1
    urls: [https://example.test/demo-1.3.0-rc.1.tgz]
  - name: demo
    version: 1.1.0
    urls: [ftp://example.test/demo-1.1.0.tgz]
"#;

    #[test]
    fn selects_exact_and_newest_in_range_without_prereleases() {
        let idx = HelmIndex::parse(INDEX.as_bytes()).unwrap();
        let req = VersionRequest::parse("1.1.0").unwrap();
        assert_eq!(idx.select("demo", &req, false).unwrap().version, "1.1.0");
        let any = VersionRequest::parse("*").unwrap();
        assert_eq!(idx.select("demo", &any, false).unwrap().version, "1.2.0");
        assert_eq!(
            idx.select("demo", &any, true).unwrap().version,
            "1.3.0-rc.1"
        );
        let caret = VersionRequest::parse("^1.3").unwrap();
        let err = idx.select("demo", &caret, false).unwrap_err().to_string();
        assert_eq!(
            err,
            "chart demo has no version matching ^1.3: found 1.2.0, 1.3.0-rc.1, 1.1.0"
        );
        let err = idx.select("nope", &any, false).unwrap_err().to_string();
        assert!(err.contains("expected one of demo"), "{err}");
    }

    #[test]
    fn numeric_app_version_is_a_string_and_urls_resolve() {
        let idx = HelmIndex::parse(INDEX.as_bytes()).unwrap();
        let e = &idx.chart("demo").unwrap()[0];
        assert_eq!(e.app_version.as_deref(), Some("1.16"));
        let base = Url::parse("https://charts.example.test/repo/index.yaml").unwrap();
        assert_eq!(
            e.chart_url(&base).unwrap().as_str(),
            "https://charts.example.test/repo/demo-1.2.0.tgz"
        );
        // Resolved as written: the fetcher's transport policy refuses it (kakunin's
        // fetch::policy tests).
        let ftp = &idx.chart("demo").unwrap()[2];
        assert_eq!(ftp.chart_url(&base).unwrap().scheme(), "ftp");
    }

    #[test]
    fn rejects_non_indexes_and_bad_digests() {
        assert!(matches!(
            HelmIndex::parse(b"apiVersion: v2\nentries: {}\n"),
            Err(IndexError::ApiVersion(_))
        ));
        assert!(matches!(
            HelmIndex::parse(b"[1, 2"),
            Err(IndexError::Parse(_))
        ));
        let idx = HelmIndex::parse(
            b"apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, digest: xyz}\n",
        )
        .unwrap();
        let err = idx.chart("a").unwrap()[0].claimed_digest().unwrap_err();
        assert!(err.to_string().contains("\"xyz\""), "{err}");
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    #[test]
    fn two_different_entries_for_one_version_are_ambiguous_and_named() {
        let y = "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, digest: aa, urls: [https://x/a-1.0.0.tgz]}\n  - {name: a, version: 1.0.0, digest: bb, urls: [https://evil/a-1.0.0.tgz]}\n  - {name: a, version: 0.9.0}\n";
        let idx = HelmIndex::parse(y.as_bytes()).unwrap();
        let err = idx.entry("a", "1.0.0").unwrap_err().to_string();
        assert_eq!(
            err,
            "chart a 1.0.0: the index lists it 2 times, differently: #1 digest aa, urls [https://x/a-1.0.0.tgz], appVersion (none); #2 digest bb, urls [https://evil/a-1.0.0.tgz], appVersion (none)"
        );
        assert_eq!(idx.entry("a", "0.9.0").unwrap().version, "0.9.0");
        let err = idx.entry("a", "2.0.0").unwrap_err().to_string();
        assert_eq!(
            err,
            "chart a has no version 2.0.0: found 1.0.0, 1.0.0, 0.9.0"
        );
        // The same entry written twice is one release.
        let y = "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, digest: aa}\n  - {name: a, version: 1.0.0, digest: aa}\n";
        let idx = HelmIndex::parse(y.as_bytes()).unwrap();
        assert_eq!(
            idx.entry("a", "1.0.0").unwrap().digest.as_deref(),
            Some("aa")
        );
    }

    #[test]
    fn duplicate_keys_are_refused() {
        for y in [
            "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0}\n  a:\n  - {name: a, version: 1.0.0, digest: bb}\n",
            "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, digest: aa, digest: bb}\n",
            "apiVersion: v1\napiVersion: v1\nentries: {}\n",
            "apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0, annotations: {k: x, k: y}}\n",
        ] {
            let r = HelmIndex::parse(y.as_bytes());
            assert!(matches!(r, Err(IndexError::Parse(_))), "{y}: {r:?}");
        }
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_errors_not_hangs() {
        // "Billion laughs": each level repeats the previous one ten times.
        let mut y = String::from("apiVersion: v1\nx0: &a0 [lol]\n");
        for i in 1..10 {
            let prev = format!("*a{}", i - 1);
            y.push_str(&format!(
                "x{i}: &a{i} [{}]\n",
                [prev.as_str(); 10].join(",")
            ));
        }
        y.push_str("entries:\n  c:\n  - name: *a9\n    version: 1.0.0\n");
        let r = HelmIndex::parse(y.as_bytes());
        assert!(matches!(r, Err(IndexError::Parse(_))), "{r:?}");
        let deep = format!(
            "apiVersion: v1\nentries: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let r = HelmIndex::parse(deep.as_bytes());
        assert_eq!(
            r.unwrap_err().to_string(),
            "index.yaml is not a Helm repository index: collections nest deeper than 128 levels"
        );
    }
}
