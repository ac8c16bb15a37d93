//! Attaching a published bundle to its image in the registry, as actions/attest-build-provenance
//! does: an OCI artifact manifest (artifactType and layer media type
//! `application/vnd.dev.sigstore.bundle.v0.3+json`, the empty config, `subject` = the image
//! manifest), pushed by digest.
//!
//! Guarantees: the subject descriptor is built from the image manifest's bytes as fetched by
//! digest (and refused if they do not hash to it); every blob and manifest is pushed by its
//! digest and the registry's answer is checked. On a registry that does not index referrers
//! itself (no `OCI-Subject` header on the manifest PUT: distribution 2.8, for one), the artifact
//! is also added to the referrers index under the fallback tag `sha256-<hex>`, as the OCI 1.1
//! distribution spec asks of clients. Authentication: none, or the bearer-token flow with the
//! Docker config's credentials (`docker login` / docker/login-action), handed out by
//! [`crate::credentials`] for the exact host each request goes to (never over plain HTTP but
//! to loopback); every URL requested, the registry's upload `Location` and token realm
//! included, passes the transport policy ([`crate::fetch::UrlPolicy`]).

use reqwest::{Client, Response, StatusCode};

use crate::credentials::{Credentials, may_carry_credentials};
use crate::digest::Digest;
use crate::fetch::UrlPolicy;
use crate::registry::{BUNDLE_V03_MEDIA_TYPE, parse_challenge};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
const MANIFEST_ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";
const MAX_MANIFEST: usize = 4 * 1024 * 1024;

/// Where the image lives: `registry` (host[:port]), `repository` (path).
#[derive(Debug, Clone)]
pub struct Target {
    pub registry: String,
    pub repository: String,
    /// Plain HTTP instead of HTTPS (a registry on loopback or a private network).
    pub plain_http: bool,
}

impl Target {
    /// Splits `ghcr.io/owner/name` into registry and repository.
    pub fn parse(repository: &str, plain_http: bool) -> Result<Target, AttachError> {
        let (registry, path) = repository.split_once('/').ok_or_else(|| AttachError {
            reason: format!("expected REGISTRY/REPOSITORY, found {repository}"),
        })?;
        Ok(Target {
            registry: registry.to_string(),
            repository: path.to_string(),
            plain_http,
        })
    }
}

/// What was attached.
#[derive(Debug, Clone)]
pub struct Attached {
    /// The artifact manifest's digest.
    pub manifest: Digest,
    /// Whether the fallback tag `sha256-<hex>` was written (the registry has no referrers API).
    pub fallback_tag: Option<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("attaching the bundle in the registry failed: {reason}")]
pub struct AttachError {
    pub reason: String,
}

fn err(reason: impl Into<String>) -> AttachError {
    AttachError {
        reason: reason.into(),
    }
}

struct Session {
    client: Client,
    base: String,
    target: Target,
    token: Option<String>,
    /// https, or plain HTTP to loopback or to the target when `plain_http` is set.
    policy: UrlPolicy,
    credentials: Credentials,
}

/// Pushes `bundle` (v0.3 JSON) as a referrer of the image manifest `subject`.
pub async fn attach_bundle(
    target: &Target,
    subject: &Digest,
    bundle: &[u8],
    predicate_type: &str,
) -> Result<Attached, AttachError> {
    let insecure = if target.plain_http {
        vec![target.registry.clone()]
    } else {
        Vec::new()
    };
    let policy = UrlPolicy::new(insecure);
    let client = Client::builder()
        .redirect(policy.reqwest_redirects(10))
        .timeout(std::time::Duration::from_secs(120))
        .connect_timeout(std::time::Duration::from_secs(15))
        .user_agent(concat!("kakunin/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| err(format!("HTTP client: {e}")))?;
    let scheme = if target.plain_http { "http" } else { "https" };
    let mut s = Session {
        client,
        base: format!("{scheme}://{}/v2/{}", target.registry, target.repository),
        target: target.clone(),
        token: None,
        policy,
        credentials: Credentials::from_docker_config(),
    };

    // The subject descriptor, from the manifest's own bytes.
    let (subject_bytes, subject_type) =
        s.get_manifest(&subject.to_string()).await?.ok_or_else(|| {
            err(format!(
                "image manifest {subject}: expected it in {}/{}, found none (404)",
                target.registry, target.repository
            ))
        })?;
    let found = Digest::sha256(&subject_bytes);
    if &found != subject {
        return Err(err(format!(
            "image manifest: expected bytes hashing to {subject}, found {found}"
        )));
    }

    let empty = s.push_blob(b"{}").await?;
    let layer = s.push_blob(bundle).await?;
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": BUNDLE_V03_MEDIA_TYPE,
        "config": { "mediaType": EMPTY_CONFIG, "digest": empty.to_string(), "size": 2 },
        "layers": [{ "mediaType": BUNDLE_V03_MEDIA_TYPE, "digest": layer.to_string(), "size": bundle.len() }],
        "subject": { "mediaType": subject_type, "digest": subject.to_string(), "size": subject_bytes.len() },
        "annotations": {
            "dev.sigstore.bundle.content": "dsse-envelope",
            "dev.sigstore.bundle.predicateType": predicate_type,
        },
    })
    .to_string()
    .into_bytes();
    let digest = Digest::sha256(&manifest);
    let indexed = s
        .put_manifest(&digest.to_string(), OCI_MANIFEST, &manifest)
        .await?;
    if indexed {
        return Ok(Attached {
            manifest: digest,
            fallback_tag: None,
        });
    }

    // No referrers API: maintain the fallback tag's index.
    let tag = format!("{}-{}", subject.algorithm().name(), subject.hex());
    let mut entries: Vec<serde_json::Value> = match s.get_manifest(&tag).await? {
        Some((bytes, _)) => crate::strict_json::to_value(&bytes, crate::limits::MAX_MANIFEST_BYTES)
            .ok()
            .and_then(|v| v["manifests"].as_array().cloned())
            .ok_or_else(|| {
                err(format!(
                    "fallback tag {tag}: expected an image index, found something else"
                ))
            })?,
        None => Vec::new(),
    };
    let digest_s = digest.to_string();
    if !entries.iter().any(|e| e["digest"] == digest_s.as_str()) {
        entries.push(serde_json::json!({
            "mediaType": OCI_MANIFEST,
            "digest": digest_s,
            "size": manifest.len(),
            "artifactType": BUNDLE_V03_MEDIA_TYPE,
        }));
    }
    let index =
        serde_json::json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries })
            .to_string()
            .into_bytes();
    s.put_manifest(&tag, OCI_INDEX, &index).await?;
    Ok(Attached {
        manifest: digest,
        fallback_tag: Some(tag),
    })
}

impl Session {
    /// Sends a request built by `make`, answering one bearer challenge if the registry asks.
    /// The request's URL must pass the transport policy; the token goes only to the registry's
    /// own host, Basic credentials only to the host they are stored for.
    async fn send(
        &mut self,
        make: impl Fn(&Client) -> reqwest::RequestBuilder,
    ) -> Result<Response, AttachError> {
        for attempt in 0..2 {
            let mut req = make(&self.client)
                .build()
                .map_err(|e| err(format!("{}: {e}", self.target.registry)))?;
            let url = self
                .policy
                .check(req.url())
                .map_err(|e| err(e.to_string()))?;
            let auth = match &self.token {
                Some(t) if url.host_port().eq_ignore_ascii_case(&self.target.registry) => {
                    reqwest::header::HeaderValue::from_str(&format!("Bearer {t}")).ok()
                }
                Some(_) => None,
                None => self
                    .credentials
                    .for_url(&url)
                    .map_err(|e| err(e.to_string()))?
                    .and_then(|c| c.basic()),
            };
            if let Some(v) = auth {
                req.headers_mut().insert(reqwest::header::AUTHORIZATION, v);
            }
            let resp = self
                .client
                .execute(req)
                .await
                .map_err(|e| err(format!("{}: {e}", self.target.registry)))?;
            if resp.status() != StatusCode::UNAUTHORIZED || attempt == 1 {
                return Ok(resp);
            }
            let challenge = resp
                .headers()
                .get("www-authenticate")
                .and_then(|v| v.to_str().ok())
                .and_then(parse_challenge);
            let Some((_, params)) = challenge.filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
            else {
                return Ok(resp);
            };
            let realm = params
                .get("realm")
                .ok_or_else(|| err("bearer challenge without a realm"))?;
            let realm_url = self
                .policy
                .parse(realm)
                .map_err(|e| err(format!("bearer realm: {e}")))?;
            let mut token_url = realm_url.as_url().clone();
            {
                let mut q = token_url.query_pairs_mut();
                if let Some(service) = params.get("service") {
                    q.append_pair("service", service);
                }
                q.append_pair(
                    "scope",
                    &format!("repository:{}:pull,push", self.target.repository),
                );
            }
            let mut req = self.client.get(token_url);
            // A token obtained with credentials is one too: only for a registry it may reach.
            if may_carry_credentials(&url) {
                let secret = self
                    .credentials
                    .for_url(&realm_url)
                    .map_err(|e| err(e.to_string()))?;
                if let Some(v) = secret.and_then(|c| c.basic()) {
                    req = req.header(reqwest::header::AUTHORIZATION, v);
                }
            }
            let reply: serde_json::Value = req
                .send()
                .await
                .and_then(|r| r.error_for_status())
                .map_err(|e| err(format!("token from {realm}: {e}")))?
                .json()
                .await
                .map_err(|e| err(format!("token from {realm}: {e}")))?;
            let token = reply["token"]
                .as_str()
                .or(reply["access_token"].as_str())
                .ok_or_else(|| err(format!("token from {realm}: expected a token, found none")))?;
            self.token = Some(token.to_string());
        }
        unreachable!("the loop returns on its second attempt")
    }

    async fn get_manifest(
        &mut self,
        reference: &str,
    ) -> Result<Option<(Vec<u8>, String)>, AttachError> {
        let url = format!("{}/manifests/{reference}", self.base);
        let resp = self
            .send(|c| c.get(&url).header("accept", MANIFEST_ACCEPT))
            .await?;
        if resp.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let resp = ok(resp, &format!("GET manifest {reference}")).await?;
        let media_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(OCI_MANIFEST)
            .split(';')
            .next()
            .unwrap_or(OCI_MANIFEST)
            .trim()
            .to_string();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| err(format!("GET manifest {reference}: {e}")))?;
        if bytes.len() > MAX_MANIFEST {
            return Err(err(format!(
                "manifest {reference}: expected at most {MAX_MANIFEST} bytes, found {}",
                bytes.len()
            )));
        }
        Ok(Some((bytes.to_vec(), media_type)))
    }

    async fn push_blob(&mut self, bytes: &[u8]) -> Result<Digest, AttachError> {
        let digest = Digest::sha256(bytes);
        let head = format!("{}/blobs/{digest}", self.base);
        if self.send(|c| c.head(&head)).await?.status().is_success() {
            return Ok(digest);
        }
        let start = format!("{}/blobs/uploads/", self.base);
        let resp = ok(
            self.send(|c| c.post(&start).header("content-length", "0"))
                .await?,
            "start blob upload",
        )
        .await?;
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| err("blob upload: no Location header"))?
            .to_string();
        let mut url = if location.starts_with("http://") || location.starts_with("https://") {
            reqwest::Url::parse(&location)
        } else {
            reqwest::Url::parse(&self.base).and_then(|b| b.join(&location))
        }
        .map_err(|e| err(format!("blob upload location {location:?}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let body = bytes.to_vec();
        ok(
            self.send(|c| {
                c.put(url.clone())
                    .header("content-type", "application/octet-stream")
                    .body(body.clone())
            })
            .await?,
            &format!("upload blob {digest}"),
        )
        .await?;
        Ok(digest)
    }

    /// PUTs a manifest; returns whether the registry indexed its subject (`OCI-Subject`).
    async fn put_manifest(
        &mut self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<bool, AttachError> {
        let url = format!("{}/manifests/{reference}", self.base);
        let body = bytes.to_vec();
        let resp = ok(
            self.send(|c| {
                c.put(&url)
                    .header("content-type", media_type)
                    .body(body.clone())
            })
            .await?,
            &format!("PUT manifest {reference}"),
        )
        .await?;
        Ok(resp.headers().contains_key("oci-subject"))
    }
}

async fn ok(resp: Response, what: &str) -> Result<Response, AttachError> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    let body: String = body.chars().take(300).collect();
    Err(err(format!(
        "{what}: expected success, found HTTP {status}: {body}"
    )))
}
