//! Pushing to OCI registries, through the one registry client ([`RegistryClient`]): its
//! transport policy, credentials, bearer-token flow (with `pull,push` scope; a token that
//! expires mid-way is replaced on the registry's 401) and caps on every answer.
//!
//! Guarantees:
//! - a blob is pushed by its digest (`POST` then `PUT …?digest=`), and skipped when the
//!   registry already has it (`HEAD`); a manifest is pushed by digest or tag, and the registry's
//!   `Docker-Content-Digest`, when it sends one, must be the digest of the bytes pushed;
//! - every refusal names the request, the status and the start of the registry's answer;
//! - [`RegistryClient::attach_referrer`] pushes an artifact manifest whose `subject` is the
//!   given manifest, as the OCI 1.1 distribution spec and cosign's bundle spec lay it out, and
//!   where the registry does not index referrers itself (no `OCI-Subject` on the `PUT`), adds it
//!   to the referrers tag schema's index `sha256-<hex>`, keeping the entries already there; an
//!   `OCI-Subject` naming another digest than the subject is refused, and with the right one no
//!   tag is written;
//! - [`RegistryClient::tag_digest`] reads a tag from the network (never the cache or a kit),
//!   so a decision about overwriting it is made on what the registry holds now.
//!
//! Nothing here signs or verifies: bytes go out as given.

use std::collections::BTreeMap;

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::json;

use super::{FetchError, Kind};
use crate::digest::Digest;
use crate::registry::{BUNDLE_V03_MEDIA_TYPE, RegistryClient, Repo};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_EMPTY: &str = "application/vnd.oci.empty.v1+json";
const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.index.v1+json, \
application/vnd.oci.image.manifest.v1+json, \
application/vnd.docker.distribution.manifest.list.v2+json, \
application/vnd.docker.distribution.manifest.v2+json";

/// A manifest as the registry holds it: digest, media type and size (a `subject` descriptor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub digest: Digest,
    pub media_type: String,
    pub size: usize,
}

/// Where an attached artifact was put.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referrer {
    /// The artifact manifest's digest.
    pub manifest: Digest,
    /// The referrers tag `sha256-<hex>`, when the registry has no referrers API and the
    /// index under it was written.
    pub fallback_tag: Option<String>,
}

fn refused(repo: &Repo, what: &str, resp: &super::http::Response) -> FetchError {
    let body: String = String::from_utf8_lossy(&resp.body)
        .chars()
        .take(300)
        .collect();
    FetchError::Registry {
        registry: repo.registry.clone(),
        reason: format!(
            "{what}: expected success, found HTTP {}{}",
            resp.status.as_u16(),
            if body.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", body.trim())
            }
        ),
    }
}

fn with_content_type(media_type: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        h.insert(CONTENT_TYPE, v);
    }
    h
}

impl RegistryClient {
    fn repo_url(&self, repo: &Repo, tail: &str) -> Result<url::Url, FetchError> {
        let base = self.base_url(&repo.registry)?;
        let s = format!(
            "{}/v2/{}/{tail}",
            base.as_str().trim_end_matches('/'),
            repo.repository
        );
        url::Url::parse(&s).map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("bad URL {s:?}: {e}"),
        })
    }

    /// Pushes `bytes` as a blob (unless the registry has it) and returns its digest.
    pub async fn push_blob(&self, repo: &Repo, bytes: &[u8]) -> Result<Digest, FetchError> {
        let digest = Digest::sha256(bytes);
        let head = self.repo_url(repo, &format!("blobs/{digest}"))?;
        let resp = self
            .send_authorized(
                repo,
                Method::HEAD,
                &head,
                Kind::Small,
                HeaderMap::new(),
                None,
                true,
            )
            .await?;
        if resp.status.is_success() {
            return Ok(digest);
        }
        let start = self.repo_url(repo, "blobs/uploads/")?;
        let mut h = HeaderMap::new();
        h.insert(
            reqwest::header::CONTENT_LENGTH,
            HeaderValue::from_static("0"),
        );
        let resp = self
            .send_authorized(repo, Method::POST, &start, Kind::Small, h, Some(b""), true)
            .await?;
        if !resp.status.is_success() {
            return Err(refused(repo, "start blob upload", &resp));
        }
        let location = resp
            .headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| FetchError::Registry {
                registry: repo.registry.clone(),
                reason: "blob upload: expected a Location header, found none".into(),
            })?;
        // Relative to the URL that answered; it passes the transport policy like any URL.
        let mut upload = resp.url.join(location).map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("blob upload location {location:?}: {e}"),
        })?;
        upload
            .query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let resp = self
            .send_authorized(
                repo,
                Method::PUT,
                &upload,
                Kind::Small,
                with_content_type("application/octet-stream"),
                Some(bytes),
                true,
            )
            .await?;
        if !resp.status.is_success() {
            return Err(refused(repo, &format!("upload blob {digest}"), &resp));
        }
        Ok(digest)
    }

    /// PUTs a manifest under `reference` (a digest or a tag). Returns its digest and the
    /// registry's `OCI-Subject` header, if it sent one (the subject it indexed itself: it has
    /// the referrers API).
    pub async fn push_manifest(
        &self,
        repo: &Repo,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<(Digest, Option<String>), FetchError> {
        let digest = Digest::sha256(bytes);
        let url = self.repo_url(repo, &format!("manifests/{reference}"))?;
        let resp = self
            .send_authorized(
                repo,
                Method::PUT,
                &url,
                Kind::Small,
                with_content_type(media_type),
                Some(bytes),
                true,
            )
            .await?;
        if !resp.status.is_success() {
            return Err(refused(repo, &format!("PUT manifest {reference}"), &resp));
        }
        if let Some(claimed) = resp
            .headers
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
        {
            if claimed != digest.to_string() {
                return Err(FetchError::Digest {
                    what: format!("manifest {reference} as stored (Docker-Content-Digest)"),
                    url: url.to_string(),
                    expected: digest.to_string(),
                    found: claimed.to_string(),
                });
            }
        }
        let indexed = resp
            .headers
            .get("oci-subject")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string());
        Ok((digest, indexed))
    }

    /// The manifest a tag (or digest) names now, from the network: its bytes and media type,
    /// or `None` when the registry answers 404.
    pub async fn fresh_manifest(
        &self,
        repo: &Repo,
        reference: &str,
    ) -> Result<Option<(Vec<u8>, String)>, FetchError> {
        let url = self.repo_url(repo, &format!("manifests/{reference}"))?;
        let mut h = HeaderMap::new();
        h.insert(
            reqwest::header::ACCEPT,
            HeaderValue::from_static(ACCEPT_MANIFESTS),
        );
        let resp = self
            .send_authorized(repo, Method::GET, &url, Kind::Manifest, h, None, true)
            .await?;
        if resp.status.as_u16() == 404 {
            return Ok(None);
        }
        if !resp.status.is_success() {
            return Err(refused(repo, &format!("GET manifest {reference}"), &resp));
        }
        let media_type = resp
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(OCI_MANIFEST)
            .split(';')
            .next()
            .unwrap_or(OCI_MANIFEST)
            .trim()
            .to_string();
        Ok(Some((resp.body, media_type)))
    }

    /// The digest `tag` names now (network only), or `None` when it does not exist.
    pub async fn tag_digest(&self, repo: &Repo, tag: &str) -> Result<Option<Digest>, FetchError> {
        Ok(self
            .fresh_manifest(repo, tag)
            .await?
            .map(|(bytes, _)| Digest::sha256(&bytes)))
    }

    /// The `subject` descriptor of the manifest `digest` names (fetched, and refused unless its
    /// bytes hash to it).
    pub async fn subject(&self, repo: &Repo, digest: &Digest) -> Result<Subject, FetchError> {
        let (bytes, media_type) = self
            .fresh_manifest(repo, &digest.to_string())
            .await?
            .ok_or_else(|| FetchError::Registry {
                registry: repo.registry.clone(),
                reason: format!("manifest {digest}: expected it in {repo}, found none (404)"),
            })?;
        let found = Digest::sha256(&bytes);
        if &found != digest {
            return Err(FetchError::Digest {
                what: "manifest".into(),
                url: format!("{repo}@{digest}"),
                expected: digest.to_string(),
                found: found.to_string(),
            });
        }
        Ok(Subject {
            digest: digest.clone(),
            media_type,
            size: bytes.len(),
        })
    }

    /// Attaches `bundle` (a Sigstore bundle v0.3, JSON) to `subject` as an OCI referrer:
    /// artifactType and layer media type the bundle's, the empty config, `subject` the
    /// manifest, and `annotations` on the manifest (and on its entry in the fallback index).
    pub async fn attach_referrer(
        &self,
        repo: &Repo,
        subject: &Subject,
        bundle: &[u8],
        annotations: &BTreeMap<String, String>,
    ) -> Result<Referrer, FetchError> {
        let empty = self.push_blob(repo, b"{}").await?;
        let layer = self.push_blob(repo, bundle).await?;
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": BUNDLE_V03_MEDIA_TYPE,
            "config": { "mediaType": OCI_EMPTY, "digest": empty.to_string(), "size": 2 },
            "layers": [{
                "mediaType": BUNDLE_V03_MEDIA_TYPE,
                "digest": layer.to_string(),
                "size": bundle.len(),
                "annotations": {
                    "org.opencontainers.image.title":
                        format!("{}-{}.sigstore.json", layer.algorithm().name(), layer.hex()),
                },
            }],
            "subject": {
                "mediaType": subject.media_type,
                "digest": subject.digest.to_string(),
                "size": subject.size,
            },
            "annotations": annotations,
        }))
        .map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("referrer manifest: {e}"),
        })?;
        let digest = Digest::sha256(&manifest);
        let (_, indexed) = self
            .push_manifest(repo, &digest.to_string(), OCI_MANIFEST, &manifest)
            .await?;
        // The distribution spec: a registry with the referrers API answers `OCI-Subject:
        // <subject digest>`; without it, the client maintains the referrers tag.
        match indexed {
            Some(s) if s == subject.digest.to_string() => {
                return Ok(Referrer {
                    manifest: digest,
                    fallback_tag: None,
                });
            }
            Some(other) => {
                return Err(FetchError::Registry {
                    registry: repo.registry.clone(),
                    reason: format!(
                        "referrer {digest}: expected OCI-Subject {}, found OCI-Subject {other:?} (the registry indexed another subject)",
                        subject.digest
                    ),
                });
            }
            None => {}
        }
        let tag = format!(
            "{}-{}",
            subject.digest.algorithm().name(),
            subject.digest.hex()
        );
        let entry = json!({
            "mediaType": OCI_MANIFEST,
            "digest": digest.to_string(),
            "size": manifest.len(),
            "artifactType": BUNDLE_V03_MEDIA_TYPE,
            "annotations": annotations,
        });
        self.add_to_index(repo, &tag, entry).await?;
        Ok(Referrer {
            manifest: digest,
            fallback_tag: Some(tag),
        })
    }

    /// Adds `entry` to the image index under `tag` (created when absent; an entry of the same
    /// digest is not added twice). Anything under the tag but an image index is refused.
    async fn add_to_index(
        &self,
        repo: &Repo,
        tag: &str,
        entry: serde_json::Value,
    ) -> Result<(), FetchError> {
        let mut entries: Vec<serde_json::Value> = match self.fresh_manifest(repo, tag).await? {
            Some((bytes, _)) => crate::strict_json::to_value(
                &bytes,
                crate::limits::MAX_MANIFEST_BYTES,
            )
            .ok()
            .filter(|v| v["mediaType"] == OCI_INDEX || v["manifests"].is_array())
            .and_then(|v| v["manifests"].as_array().cloned())
            .ok_or_else(|| FetchError::Registry {
                registry: repo.registry.clone(),
                reason: format!(
                    "referrers tag {tag}: expected an image index, found another manifest (it is left as it is)"
                ),
            })?,
            None => Vec::new(),
        };
        if !entries.iter().any(|e| e["digest"] == entry["digest"]) {
            entries.push(entry);
        }
        let index = serde_json::to_vec(
            &json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries }),
        )
        .map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("referrers index: {e}"),
        })?;
        self.push_manifest(repo, tag, OCI_INDEX, &index).await?;
        Ok(())
    }

    /// Adds a layer to cosign's `sha256-<hex>.<suffix>` tag (`sig` or `att`) of `subject`, as
    /// cosign lays it out: an image manifest whose config lists the layers' digests as
    /// `rootfs.diff_ids`, each layer the payload with its annotations. The layers already under
    /// the tag are kept (cosign appends); the same payload with the same annotations is not
    /// added twice. Anything under the tag but an image manifest is refused.
    pub async fn append_cosign_layer(
        &self,
        repo: &Repo,
        subject: &Digest,
        suffix: &str,
        layer: &CosignLayerOut,
    ) -> Result<(String, Digest), FetchError> {
        let tag = format!("{}-{}.{suffix}", subject.algorithm().name(), subject.hex());
        let mut layers: Vec<serde_json::Value> = match self.fresh_manifest(repo, &tag).await? {
            Some((bytes, _)) => crate::strict_json::to_value(
                &bytes,
                crate::limits::MAX_MANIFEST_BYTES,
            )
            .ok()
            .filter(|v| v["config"].is_object())
            .and_then(|v| v["layers"].as_array().cloned())
            .ok_or_else(|| FetchError::Registry {
                registry: repo.registry.clone(),
                reason: format!(
                    "cosign tag {tag}: expected an image manifest, found something else (it is left as it is)"
                ),
            })?,
            None => Vec::new(),
        };
        let payload = self.push_blob(repo, &layer.payload).await?;
        let descriptor = json!({
            "mediaType": layer.media_type,
            "digest": payload.to_string(),
            "size": layer.payload.len(),
            "annotations": layer.annotations,
        });
        if !layers.contains(&descriptor) {
            layers.push(descriptor);
        }
        let diff_ids: Vec<&serde_json::Value> = layers.iter().map(|l| &l["digest"]).collect();
        let config = serde_json::to_vec(&json!({
            "architecture": "",
            "created": "0001-01-01T00:00:00Z",
            "history": [{ "created": "0001-01-01T00:00:00Z" }],
            "os": "",
            "rootfs": { "type": "layers", "diff_ids": diff_ids },
            "config": {},
        }))
        .map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("cosign config: {e}"),
        })?;
        let config_digest = self.push_blob(repo, &config).await?;
        let manifest = serde_json::to_vec(&json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": config_digest.to_string(),
                "size": config.len(),
            },
            "layers": layers,
        }))
        .map_err(|e| FetchError::Registry {
            registry: repo.registry.clone(),
            reason: format!("cosign manifest: {e}"),
        })?;
        let (digest, _) = self
            .push_manifest(repo, &tag, OCI_MANIFEST, &manifest)
            .await?;
        Ok((tag, digest))
    }
}

/// One layer of cosign's legacy layout, to push.
#[derive(Debug, Clone)]
pub struct CosignLayerOut {
    pub media_type: String,
    pub payload: Vec<u8>,
    pub annotations: BTreeMap<String, String>,
}
