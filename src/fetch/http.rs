//! The HTTP client every download goes through (reqwest on rustls).
//!
//! Guarantees:
//! - HTTPS only, except loopback (`127.0.0.0/8`, `::1`, `localhost`) and hosts the user allowed
//!   explicitly (`--allow-insecure-registry HOST`); the same rule holds for every redirect, and a
//!   redirect from `https` to `http` is always refused;
//! - redirects: at most [`HttpConfig::max_redirects`], and a loop is an error;
//! - a connect timeout and a whole-request timeout (until the last body byte);
//! - a size cap per kind of file ([`Kind::cap`]): a `Content-Length` above it is refused before
//!   reading, and a body that grows past it is cut off, so memory stays bounded;
//! - retries with exponential backoff on connection errors, timeouts, truncated bodies and 5xx,
//!   never on 4xx or on a policy refusal;
//! - `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` from the environment are honoured (reqwest's
//!   system proxy support).
//!
//! Nothing here interprets what it downloads: bytes come back with the URL they came from.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::HeaderMap;
use url::Url;

use super::FetchError;
use crate::limits;
use crate::progress::Progress;

/// What is being downloaded, which decides its size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A Helm repository `index.yaml`.
    Index,
    /// A chart package `.tgz`.
    Chart,
    /// A Helm `.prov`.
    Prov,
    /// A Sigstore bundle or a `.intoto.jsonl`.
    Bundle,
    /// An OCI manifest, image index or referrers list.
    Manifest,
    /// A trusted root or signing config.
    Trust,
    /// A registry token response, a tag list, other small JSON.
    Small,
    /// A registry blob holding a Sigstore bundle or a signature payload.
    Blob,
}

impl Kind {
    /// The most bytes a file of this kind may have.
    pub fn cap(self) -> u64 {
        match self {
            Kind::Index => limits::MAX_INDEX_BYTES,
            Kind::Chart => limits::MAX_CHART_BYTES,
            Kind::Prov => limits::MAX_PROV_BYTES,
            Kind::Bundle => limits::MAX_JSONL_BYTES,
            Kind::Manifest => limits::MAX_MANIFEST_BYTES,
            Kind::Trust => limits::MAX_TRUST_BYTES,
            Kind::Small => limits::MAX_MANIFEST_BYTES,
            Kind::Blob => limits::MAX_BUNDLE_BYTES,
        }
    }

    /// Whether the same URL may serve different bytes over time (an index, a tag): such files
    /// are always asked for again when online.
    pub fn is_mutable(self) -> bool {
        matches!(self, Kind::Index | Kind::Small | Kind::Manifest)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Index => "index",
            Kind::Chart => "chart",
            Kind::Prov => "prov",
            Kind::Bundle => "bundle",
            Kind::Manifest => "manifest",
            Kind::Trust => "trust",
            Kind::Small => "small",
            Kind::Blob => "blob",
        }
    }
}

/// How the client behaves; the defaults suit the Internet, tests shorten the times.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub connect_timeout: Duration,
    /// From the start of a request to its last body byte.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first retry waits this long; each next one twice as long.
    pub backoff: Duration,
    pub max_redirects: usize,
    /// Hosts (`host` or `host:port`) that may be reached over plain HTTP.
    pub insecure_hosts: Vec<String>,
    /// Overrides of a caps per kind (tests); `None` = [`Kind::cap`].
    pub cap_override: Option<u64>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(120),
            retries: 3,
            backoff: Duration::from_millis(250),
            max_redirects: 10,
            insecure_hosts: Vec::new(),
            cap_override: None,
        }
    }
}

/// Requests made and bytes received, for benchmarks and `--verbose`.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub bytes: AtomicU64,
}

/// A response whose body was read in full (within the cap).
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that answered (after redirects).
    pub url: Url,
    pub status: reqwest::StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The HTTP client. Cheap to clone (shared connection pool).
#[derive(Clone)]
pub struct Http {
    /// Built on the first request: building it loads the platform's root certificates, which
    /// a verification from a kit or the cache never needs.
    client: Arc<OnceLock<Result<reqwest::Client, FetchError>>>,
    config: Arc<HttpConfig>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("config", &self.config)
            .finish()
    }
}

/// Whether a host is loopback (plain HTTP allowed there).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The transport policy: `https`, or `http` to loopback or an allowed host.
pub fn check_scheme(url: &Url, insecure_hosts: &[String]) -> Result<(), FetchError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" => {
            let host = url.host_str().unwrap_or("");
            let host_port = match url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_string(),
            };
            if is_loopback(url)
                || insecure_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(&host_port))
            {
                Ok(())
            } else {
                Err(FetchError::Insecure {
                    url: url.to_string(),
                    host: host_port,
                })
            }
        }
        other => Err(FetchError::Scheme {
            url: url.to_string(),
            scheme: other.to_string(),
        }),
    }
}

impl Http {
    /// A client with this configuration; nothing is built, no certificate is loaded, until
    /// the first request.
    pub fn new(config: HttpConfig) -> Http {
        Http {
            client: Arc::new(OnceLock::new()),
            config: Arc::new(config),
            stats: Arc::new(Stats::default()),
        }
    }

    /// The reqwest client, built once (by whichever request comes first).
    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        let built = self.client.get_or_init(|| {
            let insecure = self.config.insecure_hosts.clone();
            let max = self.config.max_redirects;
            let policy = reqwest::redirect::Policy::custom(move |attempt| {
                match redirect_allowed(attempt.previous(), attempt.url(), max, &insecure) {
                    Ok(()) => attempt.follow(),
                    Err(reason) => attempt.error(reason),
                }
            });
            reqwest::Client::builder()
                .connect_timeout(self.config.connect_timeout)
                .redirect(policy)
                .user_agent(concat!("kakunin/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| FetchError::Client(chain(&e)))
        });
        built.as_ref().map_err(Clone::clone)
    }

    /// Whether the client has been built, i.e. something was asked of the network.
    pub fn is_built(&self) -> bool {
        self.client.get().is_some()
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    fn cap(&self, kind: Kind) -> u64 {
        self.config.cap_override.unwrap_or_else(|| kind.cap())
    }

    /// GETs a URL and returns its body; anything but 2xx is an error (after retries for 5xx).
    pub async fn get(
        &self,
        url: &Url,
        kind: Kind,
        progress: &dyn Progress,
    ) -> Result<Response, FetchError> {
        let r = self.request(url, kind, HeaderMap::new(), progress).await?;
        if !r.status.is_success() {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: r.status.as_u16(),
            });
        }
        Ok(r)
    }

    /// GETs a URL with extra headers and returns any final status with its (capped) body:
    /// 4xx are returned to the caller (a registry's 401 carries its auth challenge); 5xx and
    /// transport errors are retried, then reported.
    pub async fn request(
        &self,
        url: &Url,
        kind: Kind,
        headers: HeaderMap,
        progress: &dyn Progress,
    ) -> Result<Response, FetchError> {
        check_scheme(url, &self.config.insecure_hosts)?;
        let mut attempt = 0u32;
        loop {
            let result = self.once(url, kind, &headers, progress).await;
            let retryable = match &result {
                Ok(r) => r.status.is_server_error(),
                Err(e) => e.is_transient(),
            };
            if !retryable || attempt >= self.config.retries {
                return match result {
                    Ok(r) if r.status.is_server_error() => Err(FetchError::Status {
                        url: url.to_string(),
                        status: r.status.as_u16(),
                    }),
                    other => other.map_err(|e| e.after_attempts(attempt + 1)),
                };
            }
            let wait = self.config.backoff.saturating_mul(1 << attempt.min(16));
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn once(
        &self,
        url: &Url,
        kind: Kind,
        headers: &HeaderMap,
        progress: &dyn Progress,
    ) -> Result<Response, FetchError> {
        let client = self.client()?;
        let cap = self.cap(kind);
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let deadline = tokio::time::Instant::now() + self.config.timeout;
        let send = client
            .get(url.clone())
            .headers(headers.clone())
            .timeout(self.config.timeout)
            .send();
        let mut resp = match tokio::time::timeout_at(deadline, send).await {
            Err(_) => return Err(self.timeout(url)),
            Ok(Err(e)) => return Err(self.classify(url, e)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        let final_url = resp.url().clone();
        let resp_headers = resp.headers().clone();
        if let Some(len) = resp.content_length() {
            if len > cap {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    kind: kind.name(),
                    max: cap,
                    found: format!("Content-Length {len}"),
                });
            }
        }
        let what = final_url
            .path()
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        progress.start(&what, resp.content_length());
        // Ends the progress unit on every way out of the body loop, errors included.
        struct Finish<'a>(&'a dyn Progress, &'a str);
        impl Drop for Finish<'_> {
            fn drop(&mut self) {
                self.0.finish(self.1);
            }
        }
        let _finish = Finish(progress, &what);
        let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0).min(cap) as usize);
        loop {
            let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
                Err(_) => return Err(self.timeout(url)),
                Ok(Err(e)) => {
                    return Err(match self.classify(url, e) {
                        FetchError::Transport { url, reason } => FetchError::Body {
                            url,
                            reason,
                            received: body.len() as u64,
                        },
                        other => other,
                    });
                }
                Ok(Ok(None)) => break,
                Ok(Ok(Some(c))) => c,
            };
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(FetchError::TooLarge {
                    url: url.to_string(),
                    kind: kind.name(),
                    max: cap,
                    found: format!("more than {cap} bytes of body"),
                });
            }
            self.stats
                .bytes
                .fetch_add(chunk.len() as u64, Ordering::Relaxed);
            progress.advance(&what, chunk.len() as u64);
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            url: final_url,
            status,
            headers: resp_headers,
            body,
        })
    }

    fn timeout(&self, url: &Url) -> FetchError {
        FetchError::Timeout {
            url: url.to_string(),
            after: self.config.timeout,
        }
    }

    fn classify(&self, url: &Url, e: reqwest::Error) -> FetchError {
        if e.is_redirect() {
            return FetchError::Redirect {
                url: url.to_string(),
                reason: chain(&e),
            };
        }
        if e.is_timeout() {
            return self.timeout(url);
        }
        FetchError::Transport {
            url: url.to_string(),
            reason: chain(&e),
        }
    }
}

/// The redirect policy: at most `max` hops, no loop, never from https to anything else, and
/// every hop under the transport policy of [`check_scheme`].
pub fn redirect_allowed(
    previous: &[Url],
    next: &Url,
    max: usize,
    insecure_hosts: &[String],
) -> Result<(), String> {
    if previous.len() > max {
        return Err(format!("expected at most {max} redirects, found more"));
    }
    if previous.contains(next) {
        return Err(format!("redirect loop back to {next}"));
    }
    if previous.iter().any(|p| p.scheme() == "https") && next.scheme() != "https" {
        return Err(format!(
            "redirect from https to {} ({next}): expected https",
            next.scheme()
        ));
    }
    check_scheme(next, insecure_hosts).map_err(|e| e.to_string())
}

/// An error and its sources on one line (reqwest's top-level message alone says little).
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let m = inner.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback_or_allowed_hosts() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert!(check_scheme(&u("https://example.test/x"), &[]).is_ok());
        assert!(check_scheme(&u("http://127.0.0.1:8080/x"), &[]).is_ok());
        assert!(check_scheme(&u("http://[::1]/x"), &[]).is_ok());
        assert!(check_scheme(&u("http://localhost/x"), &[]).is_ok());
        let err = check_scheme(&u("http://registry.test:5000/v2/"), &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing plain HTTP to registry.test:5000 (http://registry.test:5000/v2/): expected https, \
             loopback, or --allow-insecure-registry registry.test:5000"
        );
        assert!(
            check_scheme(
                &u("http://registry.test:5000/v2/"),
                &["registry.test:5000".into()]
            )
            .is_ok()
        );
        assert!(
            check_scheme(
                &u("http://registry.test:5000/v2/"),
                &["registry.test".into()]
            )
            .is_ok()
        );
        let https = [u("https://a.test/x")];
        assert_eq!(
            redirect_allowed(&https, &u("http://127.0.0.1/x"), 10, &[]).unwrap_err(),
            "redirect from https to http (http://127.0.0.1/x): expected https"
        );
        assert!(redirect_allowed(&https, &u("https://b.test/y"), 10, &[]).is_ok());
        assert!(
            redirect_allowed(&https, &u("https://a.test/x"), 10, &[])
                .unwrap_err()
                .contains("loop")
        );
        assert!(matches!(
            check_scheme(&u("ftp://example.test/x"), &[]),
            Err(FetchError::Scheme { .. })
        ));
    }
}
