//! OCI image layouts on disk (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`), as
//! `skopeo copy … oci:DIR:TAG` writes them: tags are the `org.opencontainers.image.ref.name`
//! annotations of `index.json` (and of nested indexes), signature tags included.
//!
//! Guarantees: every file read is capped ([`crate::limits::MAX_MANIFEST_BYTES`] for
//! `index.json` and manifests, the caller's cap for blobs); a blob is returned only if its bytes
//! hash to the digest that names it; digests name files by their hex only (no path can escape
//! `blobs/`); nested indexes are followed at most [`MAX_NESTING`] deep and never twice (an index
//! that lists itself is an error, not a loop).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::digest::Digest;
use crate::registry::{Descriptor, ManifestDoc};

/// The annotation that names a tag in a layout's index.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Most index levels followed when looking for a tag.
pub const MAX_NESTING: usize = 8;
/// Most descriptors looked at in one index.
pub const MAX_INDEX_ENTRIES: usize = 10_000;

/// Why a layout cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("{dir} is not an OCI image layout: {reason}")]
    NotALayout { dir: String, reason: String },
    #[error("OCI layout {dir}: {reason}")]
    Invalid { dir: String, reason: String },
    #[error("OCI layout {dir}: no blob {digest}")]
    MissingBlob { dir: String, digest: String },
    #[error("OCI layout {dir}: blob {expected} holds bytes whose digest is {found}")]
    Digest {
        dir: String,
        expected: String,
        found: String,
    },
}

/// An OCI image layout directory.
#[derive(Debug, Clone)]
pub struct Layout {
    dir: PathBuf,
    index: ManifestDoc,
}

impl Layout {
    /// Opens a layout: `oci-layout` must exist and `index.json` must be an index.
    pub fn open(dir: &Path) -> Result<Layout, LayoutError> {
        let d = dir.display().to_string();
        let marker = dir.join("oci-layout");
        let text = crate::limits::read_file_capped(&marker, 4096).map_err(|e| {
            LayoutError::NotALayout {
                dir: d.clone(),
                reason: format!("cannot read oci-layout: {e}"),
            }
        })?;
        if !String::from_utf8_lossy(&text).contains("imageLayoutVersion") {
            return Err(LayoutError::NotALayout {
                dir: d,
                reason: "oci-layout has no imageLayoutVersion".into(),
            });
        }
        let bytes = crate::limits::read_file_capped(
            &dir.join("index.json"),
            crate::limits::MAX_MANIFEST_BYTES,
        )
        .map_err(|e| LayoutError::NotALayout {
            dir: d.clone(),
            reason: format!("cannot read index.json: {e}"),
        })?;
        let index = parse_doc(&d, "index.json", &bytes)?;
        Ok(Layout {
            dir: dir.to_path_buf(),
            index,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// A blob by digest, capped at `cap` bytes and digest-checked.
    pub fn blob(&self, digest: &Digest, cap: u64) -> Result<Vec<u8>, LayoutError> {
        let d = self.dir.display().to_string();
        let path = self
            .dir
            .join("blobs")
            .join(digest.algorithm().name())
            .join(digest.hex());
        let bytes = match crate::limits::read_file_capped(&path, cap) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(LayoutError::MissingBlob {
                    dir: d,
                    digest: digest.to_string(),
                });
            }
            Err(e) => {
                return Err(LayoutError::Invalid {
                    dir: d,
                    reason: format!("blob {digest}: {e}"),
                });
            }
        };
        let found = Digest::of_bytes(digest.algorithm(), &bytes);
        if &found != digest {
            return Err(LayoutError::Digest {
                dir: d,
                expected: digest.to_string(),
                found: found.to_string(),
            });
        }
        Ok(bytes)
    }

    /// A manifest or index by digest, parsed.
    pub fn manifest(&self, digest: &Digest) -> Result<(Vec<u8>, ManifestDoc), LayoutError> {
        let bytes = self.blob(digest, crate::limits::MAX_MANIFEST_BYTES)?;
        let doc = parse_doc(&self.dir.display().to_string(), &digest.to_string(), &bytes)?;
        Ok((bytes, doc))
    }

    /// The descriptor a tag names: `index.json`'s entry with that ref name, else one in a
    /// nested index (breadth first, bounded, each index once). `None` when no entry has it.
    pub fn tag(&self, tag: &str) -> Result<Option<Descriptor>, LayoutError> {
        let d = self.dir.display().to_string();
        let mut level: Vec<Descriptor> = self.index.manifests.clone();
        let mut seen: HashSet<String> = HashSet::new();
        for depth in 0..=MAX_NESTING {
            if level.len() > MAX_INDEX_ENTRIES {
                return Err(LayoutError::Invalid {
                    dir: d,
                    reason: format!("an index lists more than {MAX_INDEX_ENTRIES} entries"),
                });
            }
            if let Some(found) = level
                .iter()
                .find(|m| m.annotations.get(REF_NAME).map(String::as_str) == Some(tag))
            {
                return Ok(Some(found.clone()));
            }
            let mut next = Vec::new();
            for m in &level {
                if !is_index(&m.media_type) {
                    continue;
                }
                if !seen.insert(m.digest.clone()) {
                    return Err(LayoutError::Invalid {
                        dir: d,
                        reason: format!(
                            "index {} lists itself (directly or through another index)",
                            m.digest
                        ),
                    });
                }
                let digest: Digest = m.digest.parse().map_err(|e| LayoutError::Invalid {
                    dir: d.clone(),
                    reason: format!("descriptor digest {:?}: {e}", m.digest),
                })?;
                let (_, doc) = self.manifest(&digest)?;
                if doc.manifests.iter().any(|c| c.digest == m.digest) {
                    return Err(LayoutError::Invalid {
                        dir: d,
                        reason: format!("index {} lists itself", m.digest),
                    });
                }
                next.extend(doc.manifests);
                if next.len() > MAX_INDEX_ENTRIES {
                    return Err(LayoutError::Invalid {
                        dir: d,
                        reason: format!("indexes list more than {MAX_INDEX_ENTRIES} entries"),
                    });
                }
            }
            if next.is_empty() {
                return Ok(None);
            }
            if depth == MAX_NESTING {
                return Err(LayoutError::Invalid {
                    dir: d,
                    reason: format!("indexes nest more than {MAX_NESTING} deep"),
                });
            }
            level = next;
        }
        Ok(None)
    }

    /// The entries of `index.json` (for referrers kept in a layout).
    pub fn entries(&self) -> &[Descriptor] {
        &self.index.manifests
    }
}

fn is_index(media_type: &str) -> bool {
    media_type.contains("image.index") || media_type.contains("manifest.list")
}

fn parse_doc(dir: &str, what: &str, bytes: &[u8]) -> Result<ManifestDoc, LayoutError> {
    crate::strict_json::from_slice(bytes, crate::limits::MAX_MANIFEST_BYTES).map_err(|e| {
        LayoutError::Invalid {
            dir: dir.to_string(),
            reason: format!("{what} is not an OCI manifest or index: {e}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, index: &str, blobs: &[&[u8]]) {
        std::fs::create_dir_all(dir.join("blobs/sha256")).unwrap();
        std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
        std::fs::write(dir.join("index.json"), index).unwrap();
        for b in blobs {
            std::fs::write(dir.join("blobs/sha256").join(Digest::sha256(b).hex()), b).unwrap();
        }
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("kakunin-layout-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn tags_are_ref_names_and_blobs_are_digest_checked() {
        let dir = tmp("tags");
        let m = br#"{"schemaVersion":2,"layers":[]}"#;
        let d = Digest::sha256(m);
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{d}","size":{},"annotations":{{"{REF_NAME}":"v1"}}}}]}}"#,
            m.len()
        );
        write(&dir, &index, &[m]);
        let l = Layout::open(&dir).unwrap();
        assert_eq!(l.tag("v1").unwrap().unwrap().digest, d.to_string());
        assert!(l.tag("v2").unwrap().is_none());
        assert_eq!(l.blob(&d, 1024).unwrap(), m);
        std::fs::write(dir.join("blobs/sha256").join(d.hex()), b"other").unwrap();
        let e = l.blob(&d, 1024).unwrap_err().to_string();
        assert!(
            e.contains(&format!("blob {d} holds bytes whose digest is")),
            "{e}"
        );
        let missing = Digest::sha256(b"nothing");
        assert!(matches!(
            l.blob(&missing, 10),
            Err(LayoutError::MissingBlob { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_index_that_lists_itself_is_an_error_not_a_loop() {
        let dir = tmp("self");
        // An index cannot contain its own digest, but two can list each other; and a
        // descriptor may claim any digest: here index.json points at a nested index that names
        // a digest it does not have, then at one that points back.
        let inner_a_template = |other: &str| {
            format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{other}","size":1}}]}}"#
            )
        };
        // b lists a; a lists b (computed in two steps: a first names a placeholder).
        let b0 = inner_a_template(
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        );
        let a = inner_a_template(&Digest::sha256(b0.as_bytes()).to_string());
        let da = Digest::sha256(a.as_bytes());
        let index = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{da}","size":1}},{{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"{da}","size":1}}]}}"#
        );
        write(&dir, &index, &[a.as_bytes(), b0.as_bytes()]);
        let l = Layout::open(&dir).unwrap();
        let e = l.tag("x").unwrap_err().to_string();
        assert!(e.contains("lists itself"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_directory_without_oci_layout_is_named() {
        let dir = tmp("none");
        std::fs::create_dir_all(&dir).unwrap();
        let e = Layout::open(&dir).unwrap_err().to_string();
        assert!(e.contains("is not an OCI image layout"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
