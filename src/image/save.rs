//! Saving an image's evidence from a registry into an OCI image layout on disk, in the form
//! `skopeo copy … oci:DIR:TAG` and `cosign save` write: `oci-layout`, `index.json` whose
//! entries name their tags in `org.opencontainers.image.ref.name`, and `blobs/sha256/<hex>`.
//!
//! What is saved, for the image and (for an image index) each of its platform manifests: the
//! manifest itself and its config blob (an index: every platform manifest and its config), the
//! Sigstore-bundle referrers as the referrers fallback tag `sha256-<hex>` (an OCI image index
//! listing them, with each referrer's manifest, config and layers), and cosign's
//! `sha256-<hex>.sig` and `sha256-<hex>.att` tags with their config and layers. The image's own
//! filesystem layers are not copied (the image layout specification lets a layout lack blobs
//! an external store holds); everything [`super::verify`] reads is.
//!
//! Guarantees: every blob written is the bytes fetched by digest (digest-checked by the
//! registry client) under the name of its digest; `index.json` and `oci-layout` are written
//! last, atomically, so a layout with an `index.json` is complete; a place the registry says is
//! absent (404) is left out, and any other failure is returned by name so the caller can say
//! what the layout lacks. Counts are bounded: at most [`MAX_PLATFORMS`] platform manifests,
//! [`crate::cosign::MAX_LAYERS`] layers per signature manifest (more: the manifest is kept,
//! its layers are not, and verification refuses it) and [`crate::registry::MAX_REFERRERS`]
//! referrers.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::layout::REF_NAME;
use crate::digest::Digest;
use crate::fetch::{FetchError, Kind};
use crate::registry::{BUNDLE_V03_MEDIA_TYPE, Descriptor, ManifestDoc, RegistryClient, Repo};

/// Most platform manifests of an image index saved.
pub const MAX_PLATFORMS: usize = 64;

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// An OCI image layout being written: blobs first, `index.json` last.
#[derive(Debug)]
pub struct LayoutWriter {
    dir: PathBuf,
    entries: Vec<Value>,
    written: HashSet<String>,
}

impl LayoutWriter {
    /// Starts a layout in `dir` (created if needed).
    pub fn create(dir: &Path) -> std::io::Result<LayoutWriter> {
        std::fs::create_dir_all(dir.join("blobs").join("sha256"))?;
        Ok(LayoutWriter {
            dir: dir.to_path_buf(),
            entries: Vec::new(),
            written: HashSet::new(),
        })
    }

    /// Writes a blob under its sha256 (once) and returns its digest.
    pub fn blob(&mut self, bytes: &[u8]) -> std::io::Result<Digest> {
        let d = Digest::sha256(bytes);
        if self.written.insert(d.hex().to_string()) {
            crate::fetch::cache::write_atomic(&self.dir.join("blobs/sha256").join(d.hex()), bytes)?;
        }
        Ok(d)
    }

    /// Writes a manifest blob and lists it in `index.json` under `tag`.
    pub fn tag(&mut self, media_type: &str, bytes: &[u8], tag: &str) -> std::io::Result<Digest> {
        let d = self.blob(bytes)?;
        self.entries.push(json!({
            "mediaType": media_type,
            "digest": d.to_string(),
            "size": bytes.len(),
            "annotations": { REF_NAME: tag },
        }));
        Ok(d)
    }

    /// Writes `oci-layout` and `index.json`.
    pub fn finish(self) -> std::io::Result<()> {
        crate::fetch::cache::write_atomic(
            &self.dir.join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )?;
        let index = json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": self.entries,
        });
        let bytes = serde_json::to_vec_pretty(&index).map_err(std::io::Error::other)?;
        crate::fetch::cache::write_atomic(&self.dir.join("index.json"), &bytes)
    }
}

/// What [`save`] wrote.
#[derive(Debug, Default)]
pub struct Saved {
    /// Every tag written into `index.json`.
    pub tags: Vec<String>,
    /// Places that exist but could not be fetched (not 404), each naming what and why.
    pub missing: Vec<String>,
}

/// A manifest or blob fetch whose 404 means "not there".
fn absent_or(e: FetchError, what: &str, missing: &mut Vec<String>) {
    if e.status() != Some(404) {
        missing.push(format!("{what}: {e}"));
    }
}

struct Saver<'a> {
    client: &'a RegistryClient,
    repo: &'a Repo,
    out: LayoutWriter,
    saved: Saved,
}

/// Saves the image `digest` of `repo` (tagged `tag` in the layout) and its signatures into the
/// layout `dir`.
pub async fn save(
    client: &RegistryClient,
    repo: &Repo,
    digest: &Digest,
    tag: &str,
    dir: &Path,
) -> Result<Saved, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut s = Saver {
        client,
        repo,
        out: LayoutWriter::create(dir).map_err(io)?,
        saved: Saved::default(),
    };
    let m = client
        .manifest_by_digest(repo, digest)
        .await
        .map_err(|e| format!("the manifest of {repo}@{digest}: {e}"))?;
    let doc = m.parse().map_err(|e| e.to_string())?;
    s.out.tag(&m.media_type, &m.blob.bytes, tag).map_err(io)?;
    s.saved.tags.push(tag.to_string());
    let mut subjects = vec![digest.clone()];
    if m.is_index() {
        subjects.extend(s.platforms(&doc).await.map_err(io)?);
    } else {
        s.config(&doc).await.map_err(io)?;
    }
    for subject in &subjects {
        s.signatures(subject).await.map_err(io)?;
    }
    let Saver { out, saved, .. } = s;
    out.finish().map_err(io)?;
    Ok(saved)
}

impl Saver<'_> {
    /// Each platform manifest of an index, with its config; returns their digests.
    async fn platforms(&mut self, index: &ManifestDoc) -> std::io::Result<Vec<Digest>> {
        let mut out = Vec::new();
        if index.manifests.len() > MAX_PLATFORMS {
            self.saved.missing.push(format!(
                "{}: the index lists {} manifests, more than the {MAX_PLATFORMS} saved",
                self.repo,
                index.manifests.len()
            ));
            return Ok(out);
        }
        for d in &index.manifests {
            let Ok(digest) = d.digest.parse::<Digest>() else {
                self.saved
                    .missing
                    .push(format!("platform manifest digest {:?}", d.digest));
                continue;
            };
            match self.client.manifest_by_digest(self.repo, &digest).await {
                Ok(m) => {
                    self.out.blob(&m.blob.bytes)?;
                    if let Ok(doc) = m.parse() {
                        self.config(&doc).await?;
                    }
                    out.push(digest);
                }
                Err(e) => absent_or(
                    e,
                    &format!("platform manifest {}@{digest}", self.repo),
                    &mut self.saved.missing,
                ),
            }
        }
        Ok(out)
    }

    /// The blob a descriptor names, written; a failure is recorded.
    async fn descriptor_blob(&mut self, d: &Descriptor) -> std::io::Result<()> {
        let Ok(digest) = d.digest.parse::<Digest>() else {
            self.saved
                .missing
                .push(format!("{}: blob digest {:?}", self.repo, d.digest));
            return Ok(());
        };
        match self.client.blob(self.repo, &digest, Kind::Blob).await {
            Ok(b) => self.out.blob(&b.bytes).map(|_| ()),
            Err(e) => {
                absent_or(
                    e,
                    &format!("blob {}@{digest}", self.repo),
                    &mut self.saved.missing,
                );
                Ok(())
            }
        }
    }

    async fn config(&mut self, doc: &ManifestDoc) -> std::io::Result<()> {
        match &doc.config {
            Some(c) => self.descriptor_blob(c).await,
            None => Ok(()),
        }
    }

    /// An artifact manifest's config and layers (bounded).
    async fn contents(&mut self, doc: &ManifestDoc) -> std::io::Result<()> {
        self.config(doc).await?;
        if doc.layers.len() > crate::cosign::MAX_LAYERS {
            return Ok(());
        }
        for l in &doc.layers {
            self.descriptor_blob(l).await?;
        }
        Ok(())
    }

    /// The referrers fallback tag and cosign's `.sig`/`.att` tags of `subject`.
    async fn signatures(&mut self, subject: &Digest) -> std::io::Result<()> {
        let base = format!("{}-{}", subject.algorithm().name(), subject.hex());
        self.referrers(subject, &base).await?;
        for suffix in ["sig", "att"] {
            let tag = format!("{base}.{suffix}");
            match self.client.manifest_by_tag(self.repo, &tag).await {
                Ok(m) => {
                    self.out.tag(&m.media_type, &m.blob.bytes, &tag)?;
                    self.saved.tags.push(tag);
                    if let Ok(doc) = m.parse() {
                        self.contents(&doc).await?;
                    }
                }
                Err(e) => absent_or(e, &format!("{}:{tag}", self.repo), &mut self.saved.missing),
            }
        }
        Ok(())
    }

    /// The Sigstore-bundle referrers (API or fallback tag), as the fallback tag `base`.
    async fn referrers(&mut self, subject: &Digest, base: &str) -> std::io::Result<()> {
        let refs = match self
            .client
            .referrers(self.repo, subject, BUNDLE_V03_MEDIA_TYPE)
            .await
        {
            Ok(r) => r,
            Err(e) => {
                absent_or(
                    e,
                    &format!("referrers of {}@{subject}", self.repo),
                    &mut self.saved.missing,
                );
                return Ok(());
            }
        };
        if refs.descriptors.is_empty() {
            return Ok(());
        }
        let mut listed = Vec::new();
        for d in &refs.descriptors {
            let Ok(digest) = d.digest.parse::<Digest>() else {
                continue;
            };
            match self.client.manifest_by_digest(self.repo, &digest).await {
                Ok(m) => {
                    self.out.blob(&m.blob.bytes)?;
                    if let Ok(doc) = m.parse() {
                        self.contents(&doc).await?;
                    }
                    listed.push(referrer_descriptor(d, &m.media_type, m.blob.bytes.len()));
                }
                Err(e) => absent_or(
                    e,
                    &format!("referrer {}@{digest}", self.repo),
                    &mut self.saved.missing,
                ),
            }
        }
        let index = json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": listed,
        });
        let bytes = serde_json::to_vec(&index).map_err(std::io::Error::other)?;
        self.out.tag(OCI_INDEX, &bytes, base)?;
        self.saved.tags.push(base.to_string());
        Ok(())
    }
}

/// A referrer's descriptor as the referrers index lists it.
fn referrer_descriptor(d: &Descriptor, media_type: &str, size: usize) -> Value {
    let mut v = json!({
        "mediaType": media_type,
        "digest": d.digest,
        "size": size,
    });
    if let Some(t) = &d.artifact_type {
        v["artifactType"] = t.clone().into();
    }
    if !d.annotations.is_empty() {
        v["annotations"] = json!(d.annotations);
    }
    v
}
