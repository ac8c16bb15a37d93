//! The HTTP client every download goes through (reqwest on rustls).
//!
//! Guarantees:
//! - only a [`RequestUrl`] is requested: `https`, or `http` to loopback (`127.0.0.0/8`, `::1`,
//!   `localhost`) or to hosts the user allowed (`--allow-insecure-registry HOST`), never another
//!   scheme (see [`super::policy`]); every redirect is checked by the same [`UrlPolicy`], and a
//!   redirect from `https` to anything else is always refused;
//! - redirects: at most [`HttpConfig::max_redirects`], and a loop is an error;
//! - a connect timeout, and one deadline per file ([`HttpConfig::timeout`] from the first
//!   attempt to the last body byte of the last one, waits between attempts included);
//! - a size cap per kind of file ([`Kind::cap`]): a `Content-Length` above it is refused before
//!   reading, and a body that grows past it is cut off, so memory stays bounded;
//! - retries with exponential backoff (`backon`) on connection errors, timeouts, truncated
//!   bodies and 5xx, never on 4xx or on a policy refusal, and never past the deadline (a wait
//!   that would end after it is not started); the error says how many attempts were made;
//! - `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` from the environment are honoured (reqwest's
//!   system proxy support).
//!
//! Nothing here interprets what it downloads: bytes come back with the URL they came from.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::HeaderMap;
use tokio::time::Instant;
use url::Url;

use super::FetchError;
use super::policy::{RequestUrl, UrlPolicy};
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
    /// One deadline per file: from its first attempt to the last body byte, across retries.
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
    /// Built on the first request (a verification from a kit or the cache builds none); the
    /// platform's root certificates are read on the first TLS connection (`super::tls`).
    client: Arc<OnceLock<Result<reqwest::Client, FetchError>>>,
    config: Arc<HttpConfig>,
    policy: Arc<UrlPolicy>,
    stats: Arc<Stats>,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("config", &self.config)
            .finish()
    }
}

/// `now + d`, saturating far in the future instead of overflowing (`--timeout` is bounded by
/// the CLI, [`HttpConfig`] is not).
fn deadline_after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

impl Http {
    /// A client with this configuration; nothing is built, no certificate is loaded, until
    /// the first request.
    pub fn new(config: HttpConfig) -> Http {
        Http {
            client: Arc::new(OnceLock::new()),
            policy: Arc::new(UrlPolicy::new(config.insecure_hosts.clone())),
            config: Arc::new(config),
            stats: Arc::new(Stats::default()),
        }
    }

    /// The reqwest client, built once (by whichever request comes first). Redirects are
    /// followed under the same [`UrlPolicy`] as every request.
    fn client(&self) -> Result<&reqwest::Client, FetchError> {
        let built = self.client.get_or_init(|| {
            let tls = super::tls::client_config().map_err(FetchError::Client)?;
            reqwest::Client::builder()
                .tls_backend_preconfigured(tls)
                .connect_timeout(self.config.connect_timeout)
                .redirect(self.policy.reqwest_redirects(self.config.max_redirects))
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

    /// The transport policy every request and redirect is checked against.
    pub fn policy(&self) -> &UrlPolicy {
        &self.policy
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    fn cap(&self, kind: Kind) -> u64 {
        self.config.cap_override.unwrap_or_else(|| kind.cap())
    }

    /// The deadline of a file asked for now: `--timeout` from now, for all its attempts.
    pub fn deadline(&self) -> Instant {
        deadline_after(self.config.timeout)
    }

    /// GETs a URL and returns its body; anything but 2xx is an error (after retries for 5xx).
    pub async fn get(
        &self,
        url: &RequestUrl,
        kind: Kind,
        progress: &dyn Progress,
    ) -> Result<Response, FetchError> {
        let r = self
            .request(url, kind, HeaderMap::new(), progress, self.deadline())
            .await?;
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
    /// transport errors are retried, then reported with the number of attempts. Every attempt
    /// and every wait between them ends by `deadline` (one per file, see [`Http::deadline`]).
    pub async fn request(
        &self,
        url: &RequestUrl,
        kind: Kind,
        headers: HeaderMap,
        progress: &dyn Progress,
        deadline: Instant,
    ) -> Result<Response, FetchError> {
        self.send(
            reqwest::Method::GET,
            url,
            kind,
            headers,
            None,
            progress,
            deadline,
        )
        .await
    }

    /// [`Http::request`] with any method and an optional body (a registry push: `HEAD`,
    /// `POST`, `PUT`); the same policy, caps on the answer, retries and deadline. The body is
    /// sent again on a retry (every request a push makes is safe to repeat: uploads are by
    /// digest, manifests by digest or tag).
    #[allow(clippy::too_many_arguments)]
    pub async fn send(
        &self,
        method: reqwest::Method,
        url: &RequestUrl,
        kind: Kind,
        headers: HeaderMap,
        body: Option<&[u8]>,
        progress: &dyn Progress,
        deadline: Instant,
    ) -> Result<Response, FetchError> {
        use backon::Retryable;
        // Retried: transient errors, and 5xx answers (carried as errors to backon, then
        // given back as the answer they were once the retries are over).
        enum Attempt {
            Failed(FetchError),
            ServerError(Response),
        }
        let attempts = &AtomicU32::new(0);
        let (method, headers) = (&method, &headers);
        let attempt = || async move {
            attempts.fetch_add(1, Ordering::Relaxed);
            let once = self
                .once(
                    method,
                    url.as_url(),
                    kind,
                    headers,
                    body,
                    progress,
                    deadline,
                )
                .await;
            match once {
                Ok(r) if r.status.is_server_error() => Err(Attempt::ServerError(r)),
                Ok(r) => Ok(r),
                Err(e) => Err(Attempt::Failed(e)),
            }
        };
        let backoff = backon::ExponentialBuilder::new()
            .with_min_delay(self.config.backoff)
            .with_factor(2.0)
            .without_max_delay()
            .with_max_times(self.config.retries as usize);
        let result = attempt
            .retry(backoff)
            .when(|a| match a {
                Attempt::Failed(e) => e.is_transient(),
                Attempt::ServerError(_) => true,
            })
            // No wait that would end past the deadline: the last answer is the error then.
            .adjust(|_, wait| {
                wait.filter(|w| Instant::now().checked_add(*w).is_some_and(|t| t < deadline))
            })
            .await;
        let error = match result {
            Ok(r) => return Ok(r),
            Err(Attempt::Failed(e)) if !e.is_transient() => return Err(e),
            Err(Attempt::Failed(e)) => e,
            Err(Attempt::ServerError(r)) => FetchError::Status {
                url: url.to_string(),
                status: r.status.as_u16(),
            },
        };
        Err(error.after_attempts(attempts.load(Ordering::Relaxed)))
    }

    #[allow(clippy::too_many_arguments)]
    async fn once(
        &self,
        method: &reqwest::Method,
        url: &Url,
        kind: Kind,
        headers: &HeaderMap,
        body: Option<&[u8]>,
        progress: &dyn Progress,
        deadline: Instant,
    ) -> Result<Response, FetchError> {
        let client = self.client()?;
        let cap = self.cap(kind);
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let mut builder = client
            .request(method.clone(), url.clone())
            .headers(headers.clone())
            .timeout(deadline.saturating_duration_since(Instant::now()));
        if let Some(body) = body {
            builder = builder.body(body.to_vec());
        }
        let send = builder.send();
        let mut resp = match tokio::time::timeout_at(deadline, send).await {
            Err(_) => return Err(self.timeout(url)),
            Ok(Err(e)) => return Err(self.classify(url, e)),
            Ok(Ok(r)) => r,
        };
        let status = resp.status();
        let final_url = resp.url().clone();
        let resp_headers = resp.headers().clone();
        self.check_answer(url, &resp, kind, cap)?;
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
        let body = self
            .read_body(url, &mut resp, kind, cap, deadline, |n| {
                progress.advance(&what, n)
            })
            .await?;
        Ok(Response {
            url: final_url,
            status,
            headers: resp_headers,
            body,
        })
    }

    /// What an answer's head alone refuses: a redirect to a scheme reqwest does not speak
    /// (`file:`…), handed back unfollowed, is a refused redirect, said as such; a
    /// `Content-Length` above the cap is refused before reading.
    fn check_answer(
        &self,
        url: &Url,
        resp: &reqwest::Response,
        kind: Kind,
        cap: u64,
    ) -> Result<(), FetchError> {
        if resp.status().is_redirection() {
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|l| resp.url().join(l).ok());
            if let Some(next) = location {
                if let Err(refusal) = self.policy.check(&next) {
                    return Err(FetchError::Redirect {
                        url: url.to_string(),
                        reason: refusal.to_string(),
                    });
                }
            }
        }
        match resp.content_length() {
            Some(len) if len > cap => Err(FetchError::TooLarge {
                url: url.to_string(),
                kind: kind.name(),
                max: cap,
                found: format!("Content-Length {len}"),
            }),
            _ => Ok(()),
        }
    }

    /// The body, chunk by chunk, cut off past `cap` bytes or at the deadline; `advance` is
    /// told each chunk's size.
    async fn read_body(
        &self,
        url: &Url,
        resp: &mut reqwest::Response,
        kind: Kind,
        cap: u64,
        deadline: Instant,
        advance: impl Fn(u64),
    ) -> Result<Vec<u8>, FetchError> {
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
                Ok(Ok(None)) => return Ok(body),
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
            advance(chunk.len() as u64);
            body.extend_from_slice(&chunk);
        }
    }

    fn timeout(&self, url: &Url) -> FetchError {
        FetchError::Timeout {
            url: url.to_string(),
            after: self.config.timeout,
        }
    }

    fn classify(&self, url: &Url, e: reqwest::Error) -> FetchError {
        if e.is_redirect() {
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                if let Some(refusal) = inner.downcast_ref::<FetchError>() {
                    let reason = match refusal {
                        FetchError::Redirect { reason, .. } => reason.clone(),
                        other => other.to_string(),
                    };
                    return FetchError::Redirect {
                        url: url.to_string(),
                        reason,
                    };
                }
                source = inner.source();
            }
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
