//! Fetching: the only module that touches the network or the cache.
//!
//! It brings bytes and records where they came from ([`Blob`]: bytes, sha256, [`Source`]); it
//! never decides whether they are right — verification does. What it guarantees is how bytes
//! are obtained: the transport policy, timeouts, retries and size caps of [`http`], the
//! integrity of the [`cache`] (a corrupt entry is refetched, never served), `--offline` using
//! only a kit or the cache and naming any missing file, and release locations by convention
//! ([`release_asset_url`]).

pub mod cache;
pub mod http;
pub mod kit;
pub mod policy;
pub mod push;
pub mod registry;
pub mod tls;
pub mod tuf;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use crate::digest::Digest;
use crate::progress::{Progress, Silent};

pub use cache::Cache;
pub use http::{Http, HttpConfig, Kind};
pub use kit::Kit;
pub use policy::{RequestUrl, UrlPolicy};

/// Why something could not be fetched. Messages name the URL and what was expected.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error(
        "refusing plain HTTP to {host} ({url}): expected https, loopback, or --allow-insecure-registry {host}"
    )]
    Insecure { url: String, host: String },
    #[error(
        "refusing {url}: expected an https URL (or http to loopback or an allowed host), found {scheme:?}"
    )]
    Scheme { url: String, scheme: String },
    #[error(
        "refusing {url}: expected a URL without a user name or password (credentials come from the Docker config)"
    )]
    Userinfo { url: String },
    #[error("HTTP {status} from {url}: expected 200")]
    Status { url: String, status: u16 },
    #[error("{url}: the {kind} may be at most {max} bytes, found {found}")]
    TooLarge {
        url: String,
        kind: &'static str,
        max: u64,
        found: String,
    },
    #[error("{url}: no complete answer within {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("{url}: {reason}")]
    Transport { url: String, reason: String },
    #[error("{url}: the body broke off after {received} bytes: {reason}")]
    Body {
        url: String,
        reason: String,
        received: u64,
    },
    #[error("{url}: redirect refused: {reason}")]
    Redirect { url: String, reason: String },
    #[error("{error} (after {attempts} attempt{})", if *attempts == 1 { "" } else { "s" })]
    Retried {
        error: Box<FetchError>,
        attempts: u32,
    },
    #[error("offline: {what} is not in the {place} ({url})")]
    Offline {
        what: String,
        url: String,
        place: &'static str,
    },
    #[error("{path}: {reason}")]
    File { path: String, reason: String },
    #[error("kit file {path} does not match kit.json: expected {expected}, found {found}")]
    KitDigest {
        path: String,
        expected: String,
        found: String,
    },
    #[error("kit {path}: {reason}")]
    Kit { path: String, reason: String },
    #[error("HTTP client could not be built: {0}")]
    Client(String),
    #[error("registry {registry}: {reason}")]
    Registry { registry: String, reason: String },
    /// The registry answered 401 and kakunin has nothing it accepts to send (no credentials
    /// for the host, a challenge it cannot answer): the artifact could not be fetched.
    #[error("registry {registry}: {reason}")]
    Unauthorized { registry: String, reason: String },
    #[error("{what}: expected digest {expected}, found {found} ({url})")]
    Digest {
        what: String,
        url: String,
        expected: String,
        found: String,
    },
}

impl FetchError {
    /// Worth another attempt: the network or the server had a bad moment.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            FetchError::Timeout { .. } | FetchError::Transport { .. } | FetchError::Body { .. }
        ) || matches!(self, FetchError::Status { status, .. } if *status >= 500)
    }

    /// Refused by the transport policy ([`UrlPolicy`]): a scheme other than https/http, plain
    /// HTTP to a host not allowed, credentials in the URL, or a redirect kakunin does not follow.
    /// Asking again would be refused again.
    pub fn is_refused(&self) -> bool {
        matches!(
            self,
            FetchError::Insecure { .. }
                | FetchError::Scheme { .. }
                | FetchError::Userinfo { .. }
                | FetchError::Redirect { .. }
        )
    }

    /// The error with how many attempts were made, when that tells something (a transient
    /// failure, or more than one attempt).
    pub(crate) fn after_attempts(self, attempts: u32) -> FetchError {
        if attempts > 1 || self.is_transient() {
            FetchError::Retried {
                error: Box::new(self),
                attempts,
            }
        } else {
            self
        }
    }

    /// The HTTP status, when the server answered with an error status.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            FetchError::Retried { error, .. } => error.status(),
            _ => None,
        }
    }

    /// Whether the file is simply not there (HTTP 404, or missing offline).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404) || matches!(self, FetchError::Offline { .. })
    }
}

/// Where bytes came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Source {
    /// Downloaded just now.
    Network { url: String },
    /// The cache, holding what this URL served before.
    Cache { url: String },
    /// A kit file (`kakunin download`), recorded as coming from `url`. `recorded` is the digest
    /// `kit.json` gives when the file's bytes hash to something else: the bytes are served as
    /// found, so that the check covering them fails on what the file really holds.
    Kit {
        url: String,
        path: PathBuf,
        #[serde(skip_serializing_if = "Option::is_none")]
        recorded: Option<String>,
    },
    /// A local file named by the user.
    File { path: PathBuf },
    /// Built into kakunin (an embedded trusted root), by name.
    Embedded { name: String },
}

impl Source {
    /// The URL the bytes come from, originally.
    pub fn url(&self) -> Option<&str> {
        match self {
            Source::Network { url } | Source::Cache { url } | Source::Kit { url, .. } => Some(url),
            Source::File { .. } | Source::Embedded { .. } => None,
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Network { url } => write!(f, "{url}"),
            Source::Cache { url } => write!(f, "{url} (cached)"),
            Source::Kit {
                url,
                path,
                recorded: None,
            } => write!(f, "{} (kit, from {url})", path.display()),
            Source::Kit {
                url,
                path,
                recorded: Some(d),
            } => write!(
                f,
                "{} (kit, from {url}; it does not match kit.json, which records {d})",
                path.display()
            ),
            Source::File { path } => write!(f, "{}", path.display()),
            Source::Embedded { name } => write!(f, "kakunin's embedded {name}"),
        }
    }
}

/// Bytes and where they came from; nothing about them is trusted yet.
#[derive(Debug, Clone)]
pub struct Blob {
    pub bytes: Vec<u8>,
    /// sha256 of `bytes`, computed here.
    pub digest: Digest,
    pub source: Source,
    pub kind: Kind,
}

/// How a [`Fetcher`] works.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    pub http: HttpConfig,
    /// Use only the kit and the cache.
    pub offline: bool,
    /// The cache directory; `None` = [`cache::default_dir`].
    pub cache_dir: Option<PathBuf>,
    /// Use no cache at all.
    pub no_cache: bool,
    /// Read files from this kit first (`verify --kit DIR`).
    pub kit: Option<PathBuf>,
}

/// Gets files by URL from a kit, the cache or the network, in that order, following
/// [`FetchOptions`]. Cheap to clone; downloads may run in parallel.
#[derive(Clone)]
pub struct Fetcher {
    http: Http,
    cache: Option<Cache>,
    kit: Option<Arc<Kit>>,
    offline: bool,
    progress: Arc<dyn Progress>,
    /// Registry credentials (Docker config key → base64 `user:password`) that registry
    /// clients made with this fetcher use before the Docker config's.
    registry_credentials: Option<Arc<HashMap<String, String>>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("cache", &self.cache)
            .field("offline", &self.offline)
            .finish()
    }
}

impl Fetcher {
    pub fn new(options: FetchOptions) -> Result<Fetcher, FetchError> {
        let cache = if options.no_cache {
            None
        } else {
            options
                .cache_dir
                .or_else(cache::default_dir)
                .map(Cache::new)
        };
        let kit = match &options.kit {
            Some(dir) => Some(Arc::new(Kit::open(dir)?)),
            None => None,
        };
        Ok(Fetcher {
            http: Http::new(options.http),
            cache,
            kit,
            offline: options.offline,
            progress: Arc::new(Silent),
            registry_credentials: None,
        })
    }

    /// Reports download progress to `progress` (the CLI's bars).
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Fetcher {
        self.progress = progress;
        self
    }

    /// Registry credentials (Docker config key → base64 `user:password`, as Helm's registry
    /// config stores them) that every [`crate::registry::RegistryClient`] made with this
    /// fetcher tries first, the Docker config's after them (Helm's own order).
    pub fn with_registry_credentials(mut self, credentials: HashMap<String, String>) -> Fetcher {
        self.registry_credentials = Some(Arc::new(credentials));
        self
    }

    /// The credentials given with [`Fetcher::with_registry_credentials`].
    pub fn registry_credentials(&self) -> Option<&HashMap<String, String>> {
        self.registry_credentials.as_deref()
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    pub fn cache(&self) -> Option<&Cache> {
        self.cache.as_ref()
    }

    pub fn kit(&self) -> Option<&Kit> {
        self.kit.as_deref()
    }

    pub fn is_offline(&self) -> bool {
        self.offline
    }

    pub fn progress(&self) -> &dyn Progress {
        &*self.progress
    }

    /// Checks a URL against the transport policy ([`UrlPolicy`]), whether the answer is then
    /// looked for in a kit, the cache or the network: a URL refused online is refused offline
    /// too, so a kit can never make kakunin accept what it would not fetch.
    pub fn check(&self, url: &Url) -> Result<RequestUrl, FetchError> {
        self.http.policy().check(url)
    }

    /// Gets one file. `known` is a digest the caller expects (an index's digest, a manifest
    /// digest): it only lets the cache answer without asking the network; the bytes returned
    /// are whatever the source holds, and [`Blob::digest`] says what they hash to. The URL
    /// must pass the transport policy first (a `file:` URL, for one, never does).
    pub async fn get(
        &self,
        url: &Url,
        kind: Kind,
        known: Option<&Digest>,
    ) -> Result<Blob, FetchError> {
        let url = self.check(url)?;
        if let Some(b) = self.local(&url, kind, known)? {
            return Ok(b);
        }
        let resp = self.http.get(&url, kind, &*self.progress).await?;
        self.remember(&url, &resp.body);
        Ok(blob(
            resp.body,
            Source::Network {
                url: url.to_string(),
            },
            kind,
        ))
    }

    /// What a kit or the cache holds for a URL, without the network: the kit's file for the
    /// URL; else the cache's entry for `known` (or, offline or for a file that does not change,
    /// for the URL). Offline, a miss is an error naming the file.
    pub fn local(
        &self,
        url: &RequestUrl,
        kind: Kind,
        known: Option<&Digest>,
    ) -> Result<Option<Blob>, FetchError> {
        let cap = self.http.config().cap_override.unwrap_or(kind.cap());
        let key = url.as_str();
        if let Some(kit) = &self.kit {
            if let Some(blob) = kit.get(key, kind, cap)? {
                return Ok(Some(blob));
            }
        }
        if let Some(cache) = &self.cache {
            let hit = match known {
                Some(d) => cache.get(d, cap).map(|b| (b, d.clone())),
                None if self.offline || !kind.is_mutable() => cache.get_url(key, cap),
                None => None,
            };
            if let Some((bytes, _)) = hit {
                return Ok(Some(blob(bytes, Source::Cache { url: key.into() }, kind)));
            }
        }
        if self.offline {
            let why = self
                .kit
                .as_ref()
                .and_then(|k| k.missing(key))
                .map(|m| m.why.clone());
            return Err(FetchError::Offline {
                what: url
                    .as_url()
                    .path_segments()
                    .and_then(|mut s| s.next_back())
                    .unwrap_or("file")
                    .to_string(),
                url: match why {
                    Some(w) => format!("{key}; the download said: {w}"),
                    None => key.to_string(),
                },
                place: match (self.kit.is_some(), self.cache.is_some()) {
                    (true, true) => "kit or the cache",
                    (true, false) => "kit",
                    (false, true) => "cache",
                    (false, false) => "cache (caching is off)",
                },
            });
        }
        Ok(None)
    }

    /// Stores what a URL served in the cache (errors ignored: a cache is an optimisation).
    pub fn remember(&self, url: &RequestUrl, bytes: &[u8]) {
        if let Some(cache) = &self.cache {
            let _ = cache.put(bytes, Some(url.as_str()));
        }
    }

    /// Stores what a URL that names its digest served (a registry's manifest or blob by
    /// digest), if it is those bytes: looked up by that digest only, it needs no URL record
    /// ([`Cache::put_addressed`]), which saves a file per fetch.
    pub fn remember_addressed(&self, bytes: &[u8], digest: &Digest) {
        if let Some(cache) = &self.cache {
            let _ = cache.put_addressed(bytes, digest);
        }
    }

    /// Gets several independent files in parallel; results keep the order of `requests`.
    pub async fn get_all(
        &self,
        requests: Vec<(Url, Kind, Option<Digest>)>,
    ) -> Vec<Result<Blob, FetchError>> {
        let mut set = tokio::task::JoinSet::new();
        for (i, (url, kind, known)) in requests.into_iter().enumerate() {
            let me = self.clone();
            set.spawn(async move { (i, me.get(&url, kind, known.as_ref()).await) });
        }
        let mut out: Vec<Option<Result<Blob, FetchError>>> = Vec::new();
        while let Some(joined) = set.join_next().await {
            if let Ok((i, r)) = joined {
                if out.len() <= i {
                    out.resize_with(i + 1, || None);
                }
                out[i] = Some(r);
            }
        }
        out.into_iter()
            .map(|r| {
                r.unwrap_or_else(|| {
                    Err(FetchError::Client(
                        "a download task stopped unexpectedly".into(),
                    ))
                })
            })
            .collect()
    }
}

pub(crate) fn blob(bytes: Vec<u8>, source: Source, kind: Kind) -> Blob {
    Blob {
        digest: Digest::sha256(&bytes),
        bytes,
        source,
        kind,
    }
}

/// Reads a local file the user named (a Helm index given as a path), capped by `kind`. Never
/// reached through a URL: a `file:` URL from data is refused by [`UrlPolicy`].
pub fn read_local(path: &std::path::Path, kind: Kind, cap: u64) -> Result<Blob, FetchError> {
    let bytes = crate::limits::read_file_capped(path, cap).map_err(|e| FetchError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(blob(
        bytes,
        Source::File {
            path: path.to_path_buf(),
        },
        kind,
    ))
}

/// A release asset's URL in GitHub's layout: `<base>/<owner>/<repo>/releases/download/<tag>/<asset>`
/// (each part percent-encoded as a path segment).
pub fn release_asset_url(
    base: &str,
    repository: &str,
    tag: &str,
    asset: &str,
) -> Result<Url, FetchError> {
    let mut url = Url::parse(base).map_err(|e| FetchError::Scheme {
        url: base.to_string(),
        scheme: format!("unparsable base URL: {e}"),
    })?;
    {
        let mut segs = url.path_segments_mut().map_err(|_| FetchError::Scheme {
            url: base.to_string(),
            scheme: "a base URL that cannot have a path".into(),
        })?;
        segs.pop_if_empty();
        for part in repository.split('/') {
            segs.push(part);
        }
        segs.extend(["releases", "download", tag, asset]);
    }
    Ok(url)
}

impl kakunin_verify::release::evidence::FetchFailure for FetchError {
    fn status(&self) -> Option<u16> {
        FetchError::status(self)
    }

    fn is_mismatch(&self) -> bool {
        match self {
            FetchError::Digest { .. } | FetchError::KitDigest { .. } => true,
            FetchError::Retried { error, .. } => error.is_mismatch(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_assets_follow_githubs_layout() {
        let u = release_asset_url(
            "https://github.com",
            "GomenHashai/GomenHashai",
            "gomenhashai-1.3.2",
            "gomenhashai-1.3.2.tgz",
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "https://github.com/GomenHashai/GomenHashai/releases/download/gomenhashai-1.3.2/gomenhashai-1.3.2.tgz"
        );
        let u = release_asset_url(
            "http://127.0.0.1:8080/gh/",
            "o/r",
            "v1.0.0",
            "a b#.sigstore",
        )
        .unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:8080/gh/o/r/releases/download/v1.0.0/a%20b%23.sigstore"
        );
    }
}
