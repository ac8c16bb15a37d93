//! OCI registries: a tag's manifest digest, image indexes and their platform manifests, the
//! Sigstore bundles attached to an image (OCI 1.1 referrers API, or the `sha256-<hex>` fallback
//! tag), cosign's older `sha256-<hex>.sig` / `.att` tags, and a repository's tags.
//!
//! Guarantees:
//! - every request goes through [`crate::fetch`] (transport policy, timeouts, retries, caps,
//!   kit, cache, `--offline`);
//! - a manifest or blob asked for by digest is returned only if its bytes hash to that digest;
//!   a manifest asked for by tag is returned with the digest its bytes hash to, and a
//!   `Docker-Content-Digest` header that disagrees is an error naming both;
//! - referrers are re-filtered by `artifactType` on our side (a registry may ignore the filter)
//!   and followed across pages (`Link: <…>; rel="next"`), up to [`MAX_REFERRERS`];
//! - authentication: the anonymous bearer-token flow (401 + `WWW-Authenticate: Bearer realm=…`,
//!   as ghcr.io does), with credentials from the Docker config (`$DOCKER_CONFIG/config.json` or
//!   `~/.docker/config.json`: `auths`, or the credential helpers of `credHelpers` / `credsStore`),
//!   handed out by [`crate::credentials`] only for the exact host contacted (a mirror is another
//!   host), never over plain HTTP but to loopback; a token realm is a URL from data and passes
//!   the transport policy like any other.
//!
//! References are oci-client's ([`oci_client::Reference`]; a chart's image references are
//! validated and built by [`crate::chart::images`], without oci-spec's costly regex); the HTTP
//! is ours because oci-client reads bodies without a size cap and does not page referrers.
//! Nothing here verifies a signature: bytes come back with where they came from.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderValue};
use serde::Deserialize;
use url::Url;

use crate::credentials::{Credentials, may_carry_credentials};
use crate::digest::Digest;
use crate::fetch::{Blob, FetchError, Fetcher, Kind, RequestUrl, Source};

/// The media type of a Sigstore bundle v0.3 (artifactType of attached bundles).
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Most referrers (or tags) gathered across pages.
pub const MAX_REFERRERS: usize = 1000;
/// Most tags gathered across pages.
pub const MAX_TAGS: usize = 100_000;
/// Most pages followed.
const MAX_PAGES: usize = 100;

const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// cosign's annotations on a `.sig` layer.
pub const COSIGN_SIGNATURE: &str = "dev.cosignproject.cosign/signature";
pub const COSIGN_CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
pub const COSIGN_CHAIN: &str = "dev.sigstore.cosign/chain";
pub const COSIGN_BUNDLE: &str = "dev.sigstore.cosign/bundle";

/// A manifest (image manifest or index) fetched from a registry.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub blob: Blob,
    /// The manifest's `mediaType` (from the document, else the server's Content-Type).
    pub media_type: String,
}

impl Manifest {
    /// sha256 of the manifest bytes: the digest that names it.
    pub fn digest(&self) -> &Digest {
        &self.blob.digest
    }

    /// Whether it is an image index (a multi-platform image).
    pub fn is_index(&self) -> bool {
        self.media_type.contains("image.index") || self.media_type.contains("manifest.list")
    }

    /// The descriptors of an index (`manifests`), or the layers of an image manifest.
    pub fn parse(&self) -> Result<ManifestDoc, FetchError> {
        parse_doc(&self.blob)
    }
}

/// The fields of an OCI manifest or index kakunin reads.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct ManifestDoc {
    #[serde(default)]
    pub schema_version: u32,
    #[serde(default)]
    pub media_type: Option<String>,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub config: Option<Descriptor>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub subject: Option<Descriptor>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// An OCI content descriptor.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: i64,
    #[serde(default)]
    pub artifact_type: Option<String>,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

/// How referrers were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferrersVia {
    /// The OCI 1.1 referrers API (`/v2/<name>/referrers/<digest>`).
    Api,
    /// The referrers tag schema (`sha256-<hex>`), for registries without the API.
    FallbackTag,
    /// Neither exists: no referrers.
    None,
}

/// The referrers of a subject, filtered by artifact type.
#[derive(Debug, Clone)]
pub struct Referrers {
    pub descriptors: Vec<Descriptor>,
    pub via: ReferrersVia,
    /// The pages or the fallback index, as fetched (for kits and reports).
    pub sources: Vec<Blob>,
    /// When the referrers API was not asked: the repository of the same registry whose
    /// referrers query answered 404 earlier in this run (the registry has no API; see
    /// [`RegistryClient::referrers`]).
    pub api_absent_since: Option<String>,
}

/// What a contacted registry's referrers API answered first in this run.
#[derive(Debug, Clone)]
enum ReferrersApi {
    Present,
    /// 404 for this repository's query: the registry has no referrers API.
    Absent {
        repository: String,
    },
}

/// The first page of a referrers query, or none because the registry has no API (404 now,
/// or for `since` earlier in the run).
enum FirstPage {
    Page(Box<(Blob, Option<HeaderMap>)>),
    NoApi { since: Option<String> },
}

/// A Sigstore bundle attached to an image in its registry.
#[derive(Debug, Clone)]
pub struct AttachedBundle {
    /// The artifact manifest that carries it (digest-checked).
    pub manifest: Manifest,
    /// The bundle bytes (the layer blob, digest-checked).
    pub bundle: Blob,
}

/// One layer of cosign's `.sig` (or `.att`) tag: a payload and its annotations.
#[derive(Debug, Clone)]
pub struct CosignLayer {
    /// The simple-signing payload (or the DSSE envelope for `.att`), digest-checked.
    pub payload: Blob,
    pub media_type: String,
    /// `dev.cosignproject.cosign/signature` (base64), when present.
    pub signature: Option<String>,
    /// `dev.sigstore.cosign/certificate` (PEM), when present.
    pub certificate: Option<String>,
    /// `dev.sigstore.cosign/chain` (PEM), when present.
    pub chain: Option<String>,
    /// `dev.sigstore.cosign/bundle` (JSON: the Rekor SET bundle), when present.
    pub rekor_bundle: Option<String>,
}

/// cosign's older layout for one subject.
#[derive(Debug, Clone)]
pub struct CosignTag {
    pub manifest: Manifest,
    pub layers: Vec<CosignLayer>,
}

/// Media types of a Helm chart stored in an OCI registry (`helm push … oci://…`).
pub const HELM_CONFIG_MEDIA_TYPE: &str = "application/vnd.cncf.helm.config.v1+json";
pub const HELM_CHART_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
pub const HELM_PROV_MEDIA_TYPE: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";

/// A Helm chart from an OCI registry: its manifest, the chart package and its `.prov`.
#[derive(Debug, Clone)]
pub struct HelmOciChart {
    pub manifest: Manifest,
    /// The chart `.tgz` (the layer blob, digest-checked against the manifest).
    pub package: Blob,
    /// The `.prov`, when the chart was pushed with one.
    pub prov: Option<Blob>,
}

/// Splits `oci://registry/path/chart` into a [`Repo`].
pub fn parse_oci_chart(reference: &str) -> Result<Repo, String> {
    let rest = reference
        .strip_prefix("oci://")
        .ok_or_else(|| format!("expected an oci:// chart reference, found {reference:?}"))?;
    let (registry, repository) = rest
        .split_once('/')
        .filter(|(r, p)| !r.is_empty() && !p.is_empty())
        .ok_or_else(|| format!("expected oci://<registry>/<path>, found {reference:?}"))?;
    if repository.contains(':') || repository.contains('@') {
        return Err(format!(
            "expected the version apart (CHART@VERSION), found a tag or digest in {reference:?}"
        ));
    }
    // The regex-free reference grammar of chart::images (held to oci-spec's parse by its unit
    // tests): oci-spec's own regex, compiled once per process, was 55 % of the CPU of a warm
    // `verify oci://…` of a chart with 20 images (perf, release profile).
    kakunin_verify::chart::images::parse_reference(&format!("{registry}/{repository}:x"))
        .map_err(|e| format!("{reference:?} is not a valid OCI reference: {}", e.reason))?;
    Ok(Repo {
        registry: registry.to_string(),
        repository: repository.trim_end_matches('/').to_string(),
    })
}

/// A repository on a registry: `registry` as the reference names it (`ghcr.io`), `repository`
/// its path (`gomenhashai/gomenhashai`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Repo {
    pub registry: String,
    pub repository: String,
}

impl Repo {
    pub fn of(reference: &oci_client::Reference) -> Repo {
        Repo {
            registry: reference.registry().to_string(),
            repository: reference.repository().to_string(),
        }
    }
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)
    }
}

/// Talks to registries through a [`Fetcher`].
pub struct RegistryClient {
    fetcher: Fetcher,
    /// Registry host → base URL (`ghcr.io` → `http://127.0.0.1:5000`): mirrors and test
    /// registries.
    mirrors: BTreeMap<String, String>,
    credentials: Credentials,
    tokens: Mutex<HashMap<String, String>>,
    /// Contacted registry (base URL) → what its referrers API answered first: asked once
    /// per registry and run, the other queries waiting on that answer.
    referrers_api: Mutex<HashMap<String, Arc<tokio::sync::OnceCell<ReferrersApi>>>>,
}

impl std::fmt::Debug for RegistryClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryClient")
            .field("mirrors", &self.mirrors)
            .field("credentials_for", &self.credentials.hosts())
            .finish()
    }
}

impl RegistryClient {
    /// A client with these mirrors and the fetcher's registry credentials
    /// ([`Fetcher::with_registry_credentials`]) before the Docker config's (if any).
    pub fn new(fetcher: Fetcher, mirrors: BTreeMap<String, String>) -> RegistryClient {
        let credentials = match fetcher.registry_credentials() {
            Some(first) => Credentials::from_docker_config().with_first(first.clone()),
            None => Credentials::from_docker_config(),
        };
        RegistryClient {
            fetcher,
            mirrors,
            credentials,
            tokens: Mutex::new(HashMap::new()),
            referrers_api: Mutex::new(HashMap::new()),
        }
    }

    /// Replaces the credentials (Docker config key → base64 `user:password`).
    pub fn with_credentials(mut self, credentials: HashMap<String, String>) -> RegistryClient {
        self.credentials = Credentials::new(credentials);
        self
    }

    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    /// The registry's API base URL.
    pub fn base_url(&self, registry: &str) -> Result<Url, FetchError> {
        let raw = match self.mirrors.get(registry) {
            Some(m) => m.trim_end_matches('/').to_string(),
            None if registry == "docker.io" || registry == "index.docker.io" => {
                "https://registry-1.docker.io".to_string()
            }
            None => format!("https://{registry}"),
        };
        Url::parse(&raw).map_err(|e| FetchError::Registry {
            registry: registry.to_string(),
            reason: format!("bad registry URL {raw:?}: {e}"),
        })
    }

    fn url(&self, repo: &Repo, tail: &str) -> Result<Url, FetchError> {
        let base = self.base_url(&repo.registry)?;
        let s = format!(
            "{}/v2/{}/{}",
            base.as_str().trim_end_matches('/'),
            repo.repository,
            tail
        );
        Url::parse(&s).map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("bad URL {s:?}: {e}"),
        })
    }

    /// A manifest by tag: its bytes and the digest they hash to.
    pub async fn manifest_by_tag(&self, repo: &Repo, tag: &str) -> Result<Manifest, FetchError> {
        let url = self.url(repo, &format!("manifests/{tag}"))?;
        self.manifest_at(repo, &url, None).await
    }

    /// A manifest by digest; an answer whose bytes hash to anything else is an error.
    pub async fn manifest_by_digest(
        &self,
        repo: &Repo,
        digest: &Digest,
    ) -> Result<Manifest, FetchError> {
        let url = self.url(repo, &format!("manifests/{digest}"))?;
        self.manifest_at(repo, &url, Some(digest)).await
    }

    async fn manifest_at(
        &self,
        repo: &Repo,
        url: &Url,
        digest: Option<&Digest>,
    ) -> Result<Manifest, FetchError> {
        let (blob, headers) = self
            .get(repo, url, Kind::Manifest, MANIFEST_ACCEPT, digest)
            .await?;
        if let Some(want) = digest {
            check_digest(&blob, want, "manifest")?;
        }
        if let Some(claimed) = headers
            .as_ref()
            .and_then(|h| h.get("docker-content-digest"))
            .and_then(|v| v.to_str().ok())
        {
            if claimed != blob.digest.to_string() {
                return Err(FetchError::Digest {
                    what: "manifest (Docker-Content-Digest)".into(),
                    url: url.to_string(),
                    expected: claimed.to_string(),
                    found: blob.digest.to_string(),
                });
            }
        }
        let doc = parse_doc(&blob)?;
        let media_type = doc
            .media_type
            .clone()
            .or_else(|| {
                headers
                    .as_ref()
                    .and_then(|h| h.get("content-type"))
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            })
            .unwrap_or_default();
        Ok(Manifest { blob, media_type })
    }

    /// A blob by digest (capped by `kind`), digest-checked.
    pub async fn blob(&self, repo: &Repo, digest: &Digest, kind: Kind) -> Result<Blob, FetchError> {
        let url = self.url(repo, &format!("blobs/{digest}"))?;
        let (blob, _) = self.get(repo, &url, kind, "*/*", Some(digest)).await?;
        check_digest(&blob, digest, "blob")?;
        Ok(blob)
    }

    /// The platform manifests of an image index (each digest-checked).
    pub async fn platform_manifests(
        &self,
        repo: &Repo,
        index: &Manifest,
    ) -> Result<Vec<(Descriptor, Manifest)>, FetchError> {
        let doc = index.parse()?;
        let mut out = Vec::new();
        for d in doc.manifests.into_iter().take(MAX_REFERRERS) {
            let digest: Digest = d.digest.parse().map_err(|e| FetchError::Registry {
                registry: repo.registry.clone(),
                reason: format!("index entry digest {:?}: {e}", d.digest),
            })?;
            let m = self.manifest_by_digest(repo, &digest).await?;
            out.push((d, m));
        }
        Ok(out)
    }

    /// The referrers of `subject` whose artifactType is `artifact_type`: the referrers API
    /// (paged), or the fallback tag when the registry has no API. A registry that answered a
    /// referrers query with 404 has none (OCI 1.1: a registry with the API never answers 404
    /// to it): the API is not asked again in this run, for any repository of that registry,
    /// and [`Referrers::api_absent_since`] says which repository's answer that was.
    pub async fn referrers(
        &self,
        repo: &Repo,
        subject: &Digest,
        artifact_type: &str,
    ) -> Result<Referrers, FetchError> {
        let mut url = self.url(repo, &format!("referrers/{subject}"))?;
        url.query_pairs_mut()
            .append_pair("artifactType", artifact_type);
        let (first, headers) = match self.first_referrers_page(repo, &url).await? {
            FirstPage::Page(page) => *page,
            FirstPage::NoApi { since } => {
                let mut r = self.referrers_by_tag(repo, subject, artifact_type).await?;
                r.api_absent_since = since;
                return Ok(r);
            }
        };
        let mut descriptors = Vec::new();
        let mut sources = Vec::new();
        let mut page = (url, first, headers);
        for pages in 1.. {
            let (at, blob, headers) = page;
            let doc = parse_doc(&blob)?;
            descriptors.extend(doc.manifests);
            if descriptors.len() > MAX_REFERRERS {
                return Err(registry_error(
                    repo,
                    format!("referrers of {subject}: more than {MAX_REFERRERS}"),
                ));
            }
            sources.push(blob);
            let Some(next) = headers
                .as_ref()
                .and_then(|h| next_link(h, &at))
                .filter(|u| {
                    u.host() == at.host() && u.port_or_known_default() == at.port_or_known_default()
                })
            else {
                break;
            };
            if pages >= MAX_PAGES {
                return Err(registry_error(
                    repo,
                    format!("referrers of {subject}: more than {MAX_PAGES} pages"),
                ));
            }
            let (blob, headers) = self.referrers_page(repo, &next).await?;
            page = (next, blob, headers);
        }
        descriptors.retain(|d| d.artifact_type.as_deref() == Some(artifact_type));
        Ok(Referrers {
            descriptors,
            via: ReferrersVia::Api,
            sources,
            api_absent_since: None,
        })
    }

    async fn referrers_page(
        &self,
        repo: &Repo,
        url: &Url,
    ) -> Result<(Blob, Option<HeaderMap>), FetchError> {
        let accept = "application/vnd.oci.image.index.v1+json";
        self.get(repo, url, Kind::Manifest, accept, None).await
    }

    /// Page 1 of a referrers query, or [`FirstPage::NoApi`]: 404 (the registry has no API),
    /// or offline without that page (a kit made against such a registry holds the fallback
    /// tag instead), or a 404 from this registry earlier in the run. The first query to each
    /// registry is sent alone, the others waiting on its answer; an answer that says nothing
    /// about the API (a 401, a timeout, offline) is remembered by no one.
    async fn first_referrers_page(&self, repo: &Repo, url: &Url) -> Result<FirstPage, FetchError> {
        let key = self.base_url(&repo.registry)?.to_string();
        let cell = {
            let mut known = self.referrers_api.lock().unwrap_or_else(|e| e.into_inner());
            known.entry(key).or_default().clone()
        };
        let mut mine = None;
        let slot = &mut mine;
        let state = cell
            .get_or_try_init(|| async move {
                let answer = self.referrers_page(repo, url).await;
                let state = match &answer {
                    Ok(_) => Ok(ReferrersApi::Present),
                    Err(e) if e.status() == Some(404) => Ok(ReferrersApi::Absent {
                        repository: repo.repository.clone(),
                    }),
                    Err(e) => Err(e.clone()),
                };
                *slot = Some(answer);
                state
            })
            .await;
        let answer = match (mine, state) {
            (Some(answer), _) => answer,
            (None, Ok(ReferrersApi::Absent { repository })) => {
                return Ok(FirstPage::NoApi {
                    since: Some(repository.clone()),
                });
            }
            (None, Ok(ReferrersApi::Present)) => self.referrers_page(repo, url).await,
            (None, Err(e)) => Err(e),
        };
        match answer {
            Ok(page) => Ok(FirstPage::Page(Box::new(page))),
            Err(e) if e.status() == Some(404) || matches!(e, FetchError::Offline { .. }) => {
                Ok(FirstPage::NoApi { since: None })
            }
            Err(e) => Err(e),
        }
    }

    async fn referrers_by_tag(
        &self,
        repo: &Repo,
        subject: &Digest,
        artifact_type: &str,
    ) -> Result<Referrers, FetchError> {
        let tag = format!("{}-{}", subject.algorithm().name(), subject.hex());
        match self.manifest_by_tag(repo, &tag).await {
            Ok(index) => {
                let doc = index.parse()?;
                let descriptors = doc
                    .manifests
                    .into_iter()
                    .filter(|d| d.artifact_type.as_deref() == Some(artifact_type))
                    .take(MAX_REFERRERS)
                    .collect();
                Ok(Referrers {
                    descriptors,
                    via: ReferrersVia::FallbackTag,
                    sources: vec![index.blob],
                    api_absent_since: None,
                })
            }
            // Only the registry saying 404 means "no referrers"; a file missing offline means
            // "unknown", which is an error.
            Err(e) if e.status() == Some(404) => Ok(Referrers {
                descriptors: Vec::new(),
                via: ReferrersVia::None,
                sources: Vec::new(),
                api_absent_since: None,
            }),
            Err(e) => Err(e),
        }
    }

    /// The Sigstore bundles (v0.3) attached to `subject`: each artifact manifest fetched by
    /// digest, and its bundle layer fetched by digest.
    pub async fn attached_bundles(
        &self,
        repo: &Repo,
        subject: &Digest,
    ) -> Result<(Referrers, Vec<AttachedBundle>), FetchError> {
        let refs = self.referrers(repo, subject, BUNDLE_V03_MEDIA_TYPE).await?;
        let mut out = Vec::new();
        for d in &refs.descriptors {
            let digest = parse_digest(repo, &d.digest)?;
            let manifest = self.manifest_by_digest(repo, &digest).await?;
            let doc = manifest.parse()?;
            let layer = doc
                .layers
                .iter()
                .find(|l| l.media_type == BUNDLE_V03_MEDIA_TYPE)
                .ok_or_else(|| FetchError::Registry {
                    registry: repo.registry.clone(),
                    reason: format!(
                        "artifact {digest}: expected a layer of media type {BUNDLE_V03_MEDIA_TYPE}, found {}",
                        doc.layers
                            .iter()
                            .map(|l| l.media_type.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
            let bundle = self
                .blob(repo, &parse_digest(repo, &layer.digest)?, Kind::Blob)
                .await?;
            out.push(AttachedBundle { manifest, bundle });
        }
        Ok((refs, out))
    }

    /// cosign's `sha256-<hex>.sig` (or `.att` with `suffix = "att"`) for `subject`, with every
    /// layer's payload; `None` when the tag does not exist.
    pub async fn cosign_tag(
        &self,
        repo: &Repo,
        subject: &Digest,
        suffix: &str,
    ) -> Result<Option<CosignTag>, FetchError> {
        let tag = format!("{}-{}.{suffix}", subject.algorithm().name(), subject.hex());
        let manifest = match self.manifest_by_tag(repo, &tag).await {
            Ok(m) => m,
            Err(e) if e.status() == Some(404) => return Ok(None),
            Err(e) => return Err(e),
        };
        let doc = manifest.parse()?;
        let mut layers = Vec::new();
        for l in doc.layers.iter().take(MAX_REFERRERS) {
            let payload = self
                .blob(repo, &parse_digest(repo, &l.digest)?, Kind::Blob)
                .await?;
            let a = |k: &str| l.annotations.get(k).cloned();
            layers.push(CosignLayer {
                payload,
                media_type: l.media_type.clone(),
                signature: a(COSIGN_SIGNATURE),
                certificate: a(COSIGN_CERTIFICATE),
                chain: a(COSIGN_CHAIN),
                rekor_bundle: a(COSIGN_BUNDLE),
            });
        }
        Ok(Some(CosignTag { manifest, layers }))
    }

    /// A Helm chart pushed to an OCI registry, by version (Helm's tag: `+` becomes `_`).
    /// The manifest must have Helm's config media type; the package and `.prov` layers are
    /// fetched by digest (capped as a chart and a `.prov`).
    pub async fn helm_chart(&self, repo: &Repo, version: &str) -> Result<HelmOciChart, FetchError> {
        let manifest = self
            .manifest_by_tag(repo, &version.replace('+', "_"))
            .await?;
        let doc = manifest.parse()?;
        let err = |reason: String| FetchError::Registry {
            registry: repo.registry.clone(),
            reason,
        };
        let config = doc
            .config
            .as_ref()
            .map(|c| c.media_type.as_str())
            .unwrap_or("none");
        if config != HELM_CONFIG_MEDIA_TYPE {
            return Err(err(format!(
                "{repo}:{version} is not a Helm chart: expected config media type {HELM_CONFIG_MEDIA_TYPE}, found {config}"
            )));
        }
        let layer = |mt: &str| doc.layers.iter().find(|l| l.media_type == mt);
        let chart = layer(HELM_CHART_MEDIA_TYPE).ok_or_else(|| {
            err(format!(
                "{repo}:{version}: no layer of media type {HELM_CHART_MEDIA_TYPE}"
            ))
        })?;
        let package = self
            .blob(repo, &parse_digest(repo, &chart.digest)?, Kind::Chart)
            .await?;
        let prov = match layer(HELM_PROV_MEDIA_TYPE) {
            Some(p) => Some(
                self.blob(repo, &parse_digest(repo, &p.digest)?, Kind::Prov)
                    .await?,
            ),
            None => None,
        };
        Ok(HelmOciChart {
            manifest,
            package,
            prov,
        })
    }

    /// The repository's tags (`/v2/<name>/tags/list`, paged).
    pub async fn tags(&self, repo: &Repo) -> Result<(Vec<String>, Vec<Blob>), FetchError> {
        #[derive(Deserialize)]
        struct TagList {
            #[serde(default)]
            tags: Option<Vec<String>>,
        }
        let mut next = Some(self.url(repo, "tags/list")?);
        let mut tags = Vec::new();
        let mut sources = Vec::new();
        let mut pages = 0;
        while let Some(page) = next.take() {
            pages += 1;
            if pages > MAX_PAGES || tags.len() > MAX_TAGS {
                return Err(FetchError::Registry {
                    registry: repo.registry.clone(),
                    reason: format!("{repo}: more than {MAX_PAGES} pages or {MAX_TAGS} tags"),
                });
            }
            let (blob, headers) = self
                .get(repo, &page, Kind::Small, "application/json", None)
                .await?;
            let list: TagList =
                serde_json::from_slice(&blob.bytes).map_err(|e| FetchError::Registry {
                    registry: repo.registry.clone(),
                    reason: format!("tag list of {repo} is not JSON: {e}"),
                })?;
            tags.extend(list.tags.unwrap_or_default());
            sources.push(blob);
            next = headers.as_ref().and_then(|h| next_link(h, &page));
        }
        Ok((tags, sources))
    }

    /// GET with the registry's auth flow, through the kit/cache/offline rules. Headers are
    /// returned when the answer came from the network. The URL passes the transport policy
    /// first; credentials and tokens go only where [`Credentials::for_url`] allows.
    async fn get(
        &self,
        repo: &Repo,
        url: &Url,
        kind: Kind,
        accept: &str,
        known: Option<&Digest>,
    ) -> Result<(Blob, Option<HeaderMap>), FetchError> {
        let checked = self.fetcher.check(url)?;
        if let Some(b) = self.fetcher.local(&checked, kind, known)? {
            return Ok((b, None));
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_str(accept).unwrap_or(HeaderValue::from_static("*/*")),
        );
        let resp = self
            .send_authorized(repo, reqwest::Method::GET, url, kind, headers, None, false)
            .await?;
        if !resp.status.is_success() {
            return Err(FetchError::Status {
                url: checked.to_string(),
                status: resp.status.as_u16(),
            });
        }
        // A URL with the digest in it is only ever looked up by that digest.
        match known {
            Some(d) => self.fetcher.remember_addressed(&resp.body, d),
            None => self.fetcher.remember(&checked, &resp.body),
        }
        let headers = resp.headers;
        Ok((
            crate::fetch::blob(
                resp.body,
                Source::Network {
                    url: checked.to_string(),
                },
                kind,
            ),
            Some(headers),
        ))
    }

    /// One request to the registry, straight to the network (no kit, no cache), with its auth
    /// flow: the token held for this host and repository (and scope: `push` asks for
    /// `pull,push`), else none; a 401 is answered once ([`Self::authorize`]: a fresh token, so
    /// a token that expired mid-way is replaced) and the request sent again. Any final status
    /// is returned with its (capped) body; the caller decides what it means.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_authorized(
        &self,
        repo: &Repo,
        method: reqwest::Method,
        url: &Url,
        kind: Kind,
        mut headers: HeaderMap,
        body: Option<&[u8]>,
        push: bool,
    ) -> Result<crate::fetch::http::Response, FetchError> {
        if push && self.fetcher.is_offline() {
            return Err(FetchError::Offline {
                what: "a push".into(),
                url: url.to_string(),
                place: "network (--offline)",
            });
        }
        let url = self.fetcher.check(url)?;
        let http = self.fetcher.http();
        let progress = self.fetcher.progress();
        let deadline = http.deadline();
        // Tokens are the contacted host's, not the registry name's (a mirror is another host).
        let token_key = format!(
            "{}/{}{}",
            url.host_port(),
            repo.repository,
            if push { ":push" } else { "" }
        );
        if let Some(t) = self
            .tokens
            .lock()
            .ok()
            .and_then(|t| t.get(&token_key).cloned())
        {
            if let Ok(v) = HeaderValue::from_str(&format!("Bearer {t}")) {
                headers.insert(AUTHORIZATION, v);
            }
        }
        let mut resp = http
            .send(
                method.clone(),
                &url,
                kind,
                headers.clone(),
                body,
                progress,
                deadline,
            )
            .await?;
        if resp.status.as_u16() == 401 {
            let challenge = resp
                .headers
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            let auth = self
                .authorize(repo, &url, &token_key, &challenge, push, deadline)
                .await?;
            headers.insert(AUTHORIZATION, auth);
            resp = http
                .send(method, &url, kind, headers, body, progress, deadline)
                .await?;
        }
        Ok(resp)
    }

    /// Answers a 401 from `contacted`: Bearer (fetch a token from the realm, anonymously or
    /// with what the Docker config stores for the realm's host) or Basic (what it stores for
    /// `contacted`'s host). Nothing is sent over plain HTTP but to loopback.
    async fn authorize(
        &self,
        repo: &Repo,
        contacted: &RequestUrl,
        token_key: &str,
        challenge: &str,
        push: bool,
        deadline: tokio::time::Instant,
    ) -> Result<HeaderValue, FetchError> {
        let err = |reason: String| registry_error(repo, reason);
        let refused = |reason: String| unauthorized(repo, reason);
        let (scheme, params) = parse_challenge(challenge).ok_or_else(|| {
            refused(format!(
                "401 without a usable WWW-Authenticate challenge: {challenge:?}"
            ))
        })?;
        if scheme.eq_ignore_ascii_case("basic") {
            return self.basic_authorization(repo, contacted);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(refused(format!(
                "unsupported auth scheme {scheme:?}: expected Bearer or Basic"
            )));
        }
        let token_url = self.token_url(repo, &params, push)?;
        let token = self
            .fetch_token(repo, contacted, &token_url, deadline)
            .await?;
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(token_key.to_string(), token.clone());
        }
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| err(e.to_string()))
    }

    /// Basic: the Docker config's credentials for `contacted`'s exact host, and only over
    /// https or to loopback.
    fn basic_authorization(
        &self,
        repo: &Repo,
        contacted: &RequestUrl,
    ) -> Result<HeaderValue, FetchError> {
        let err = |reason: String| registry_error(repo, reason);
        let host = contacted.host_port();
        let why = if may_carry_credentials(contacted) {
            format!("the Docker config has none for {host}")
        } else {
            format!("credentials are never sent over plain HTTP to {host}")
        };
        let b = self
            .credentials
            .for_url(contacted)
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| {
                unauthorized(
                    repo,
                    format!(
                    "401 from {host} asking for Basic credentials, and {why} (credentials go only to the exact host they are stored for)"
                    ),
                )
            })?;
        b.basic()
            .ok_or_else(|| err("the Docker config's credential is not a header value".into()))
    }

    /// The Bearer challenge's realm, under the URL policy, asked for this repository's scope.
    fn token_url(
        &self,
        repo: &Repo,
        params: &HashMap<String, String>,
        push: bool,
    ) -> Result<RequestUrl, FetchError> {
        let err = |reason: String| registry_error(repo, reason);
        let realm = params
            .get("realm")
            .ok_or_else(|| err("Bearer challenge without a realm".into()))?;
        let token_url = self
            .fetcher
            .http()
            .policy()
            .parse(realm)
            .map_err(|e| err(format!("token realm: {e}")))?;
        let mut u = token_url.as_url().clone();
        {
            let mut q = u.query_pairs_mut();
            if let Some(s) = params.get("service") {
                q.append_pair("service", s);
            }
            let actions = if push { "pull,push" } else { "pull" };
            q.append_pair(
                "scope",
                &format!("repository:{}:{actions}", repo.repository),
            );
        }
        self.fetcher.check(&u)
    }

    /// Asks the token realm for a token, with the Docker config's credentials for the realm's
    /// host when the registry contacted may receive credentials (a token obtained with them
    /// is itself one).
    async fn fetch_token(
        &self,
        repo: &Repo,
        contacted: &RequestUrl,
        token_url: &RequestUrl,
        deadline: tokio::time::Instant,
    ) -> Result<String, FetchError> {
        let err = |reason: String| registry_error(repo, reason);
        let mut headers = HeaderMap::new();
        if may_carry_credentials(contacted) {
            let secret = self
                .credentials
                .for_url(token_url)
                .map_err(|e| err(e.to_string()))?;
            if let Some(v) = secret.and_then(|s| s.basic()) {
                headers.insert(AUTHORIZATION, v);
            }
        }
        let resp = self
            .fetcher
            .http()
            .request(
                token_url,
                Kind::Small,
                headers,
                self.fetcher.progress(),
                deadline,
            )
            .await?;
        if !resp.status.is_success() {
            return Err(FetchError::Status {
                url: token_url.to_string(),
                status: resp.status.as_u16(),
            });
        }
        #[derive(Deserialize)]
        struct Token {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let t: Token = serde_json::from_slice(&resp.body)
            .map_err(|e| err(format!("token response from {token_url} is not JSON: {e}")))?;
        t.token
            .or(t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| err(format!("token response from {token_url} holds no token")))
    }
}

fn registry_error(repo: &Repo, reason: String) -> FetchError {
    FetchError::Registry {
        registry: repo.registry.clone(),
        reason,
    }
}

fn unauthorized(repo: &Repo, reason: String) -> FetchError {
    FetchError::Unauthorized {
        registry: repo.registry.clone(),
        reason,
    }
}

fn parse_digest(repo: &Repo, s: &str) -> Result<Digest, FetchError> {
    s.parse().map_err(|e| FetchError::Registry {
        registry: repo.registry.clone(),
        reason: format!("descriptor digest {s:?}: {e}"),
    })
}

fn check_digest(blob: &Blob, want: &Digest, what: &str) -> Result<(), FetchError> {
    let found = Digest::of_bytes(want.algorithm(), &blob.bytes);
    if &found != want {
        return Err(FetchError::Digest {
            what: what.to_string(),
            url: blob.source.to_string(),
            expected: want.to_string(),
            found: found.to_string(),
        });
    }
    Ok(())
}

/// A manifest or index (referrers list, fallback tag) through [`crate::strict_json`]: bounded,
/// and refused when an object in it names a key twice (two `layers`, two `digest`s of one
/// descriptor: readers would disagree on which bundle is attached).
///
/// A kit file whose bytes are not those `kit.json` records, and that does not parse, is reported
/// as the mismatch it is ([`FetchError::KitDigest`]): it was present but tampered with, so the
/// check that needed it fails rather than being left "could not run".
pub(crate) fn parse_doc(blob: &Blob) -> Result<ManifestDoc, FetchError> {
    crate::strict_json::from_slice(&blob.bytes, crate::limits::MAX_MANIFEST_BYTES).map_err(|e| {
        match &blob.source {
            crate::fetch::Source::Kit {
                path,
                recorded: Some(recorded),
                ..
            } => FetchError::KitDigest {
                path: path.display().to_string(),
                expected: recorded.clone(),
                found: format!("{} (not an OCI manifest or index: {e})", blob.digest),
            },
            _ => FetchError::Registry {
                registry: blob.source.to_string(),
                reason: format!("not an OCI manifest or index: {e}"),
            },
        }
    })
}

/// `Link: </v2/…?last=x>; rel="next"` resolved against the page URL.
fn next_link(headers: &HeaderMap, page: &Url) -> Option<Url> {
    for v in headers.get_all("link") {
        let v = v.to_str().ok()?;
        for part in v.split(',') {
            let (target, params) = part.split_once(';')?;
            if params.replace(' ', "").contains("rel=\"next\"") || params.contains("rel=next") {
                let target = target.trim().trim_start_matches('<').trim_end_matches('>');
                return page.join(target).ok();
            }
        }
    }
    None
}

/// `Bearer realm="…",service="…",scope="…"` → ("Bearer", params).
pub fn parse_challenge(h: &str) -> Option<(String, HashMap<String, String>)> {
    let h = h.trim();
    let (scheme, rest) = match h.split_once(' ') {
        Some((s, r)) => (s, r),
        None if !h.is_empty() => (h, ""),
        None => return None,
    };
    let mut params = HashMap::new();
    let mut rest = rest.trim();
    while !rest.is_empty() {
        let (k, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (v, remaining) = if let Some(stripped) = after.strip_prefix('"') {
            let end = stripped.find('"')?;
            (&stripped[..end], &stripped[end + 1..])
        } else {
            match after.find(',') {
                Some(i) => (&after[..i], &after[i..]),
                None => (after, ""),
            }
        };
        params.insert(k.trim().to_ascii_lowercase(), v.to_string());
        rest = remaining.trim_start().trim_start_matches(',').trim_start();
    }
    Some((scheme.to_string(), params))
}

/// `auths.<host>.auth` of the Docker config, when readable (never an error: no config, no
/// credentials).
pub fn docker_credentials() -> HashMap<String, String> {
    let Some(path) = crate::credentials::docker_config_path() else {
        return HashMap::new();
    };
    let Ok(bytes) = crate::limits::read_file_capped(&path, 1024 * 1024) else {
        return HashMap::new();
    };
    parse_docker_config(&bytes)
}

/// Parses a Docker `config.json`'s `auths` into Docker config key → base64 `user:password`
/// (helpers are [`Credentials::from_config`]'s).
pub fn parse_docker_config(bytes: &[u8]) -> HashMap<String, String> {
    crate::credentials::auths_of(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ghcr_style_challenges() {
        let (s, p) = parse_challenge(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:o/r:pull""#,
        )
        .unwrap();
        assert_eq!(s, "Bearer");
        assert_eq!(p["realm"], "https://ghcr.io/token");
        assert_eq!(p["service"], "ghcr.io");
        assert_eq!(p["scope"], "repository:o/r:pull");
        assert_eq!(parse_challenge(r#"Basic realm="x""#).unwrap().0, "Basic");
        assert!(parse_challenge("").is_none());
    }

    #[test]
    fn reads_docker_config_auths() {
        let c = parse_docker_config(
            br#"{"auths":{"ghcr.io":{"auth":"dTpw"},"https://index.docker.io/v1/":{"username":"u","password":"p"}}}"#,
        );
        assert_eq!(c["ghcr.io"], "dTpw");
        assert_eq!(c["docker.io"], "dTpw");
        assert!(parse_docker_config(b"not json").is_empty());
    }

    #[test]
    fn parses_oci_chart_references() {
        let r = parse_oci_chart("oci://ghcr.io/gomenhashai/charts/gomenhashai").unwrap();
        assert_eq!(r.registry, "ghcr.io");
        assert_eq!(r.repository, "gomenhashai/charts/gomenhashai");
        assert!(
            parse_oci_chart("https://x/y")
                .unwrap_err()
                .contains("expected an oci://")
        );
        assert!(
            parse_oci_chart("oci://ghcr.io/o/Chart")
                .unwrap_err()
                .contains("not a valid OCI reference")
        );
        assert!(
            parse_oci_chart("oci://ghcr.io/o/c:1.0.0")
                .unwrap_err()
                .contains("CHART@VERSION")
        );
    }

    #[test]
    fn a_manifest_or_referrers_index_with_a_key_twice_is_refused() {
        let blob = |json: &str| Blob {
            bytes: json.as_bytes().to_vec(),
            digest: Digest::sha256(json.as_bytes()),
            source: crate::fetch::Source::Network {
                url: "https://r.test/v2/o/r/referrers/x".into(),
            },
            kind: Kind::Manifest,
        };
        let one = r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","digest":"sha256:aa","size":1}"#;
        let index = format!(r#"{{"schemaVersion":2,"manifests":[{one}]}}"#);
        assert_eq!(parse_doc(&blob(&index)).unwrap().manifests.len(), 1);
        // A second `manifests` list: one reader would see the first, another the last.
        let doubled = format!(r#"{{"schemaVersion":2,"manifests":[{one}],"manifests":[]}}"#);
        let err = parse_doc(&blob(&doubled)).unwrap_err().to_string();
        assert!(err.contains("\"manifests\" appears twice"), "{err}");
        // A descriptor naming two digests, in an image manifest's layers.
        let manifest = r#"{"schemaVersion":2,"layers":[{"mediaType":"m","digest":"sha256:aa","digest":"sha256:bb","size":1}]}"#;
        let err = parse_doc(&blob(manifest)).unwrap_err().to_string();
        assert!(
            err.contains("\"digest\" appears twice in the object at $.layers[0]"),
            "{err}"
        );
    }

    #[test]
    fn follows_link_headers() {
        let mut h = HeaderMap::new();
        h.insert(
            "link",
            HeaderValue::from_static(r#"</v2/o/r/tags/list?last=b&n=2>; rel="next""#),
        );
        let page = Url::parse("https://r.test/v2/o/r/tags/list").unwrap();
        assert_eq!(
            next_link(&h, &page).unwrap().as_str(),
            "https://r.test/v2/o/r/tags/list?last=b&n=2"
        );
    }
}
