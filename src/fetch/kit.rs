//! Release kits: everything `verify --offline --kit DIR` needs, written by `kakunin download`.
//!
//! A kit is a directory with `kit.json` (format in `docs/kit.md`) and the files it lists, each
//! with the URL it was downloaded from and its sha256. Guarantees when reading: `kit.json` is
//! size-capped and must be format 1; a listed path must be relative, free of `..` and a regular
//! file inside the kit (no symlinks); a file is served only when its bytes hash to the digest
//! `kit.json` records (otherwise the error names both). A kit says where bytes came from; it
//! does not make them trusted — the trusted root it carries, in particular, is used only when
//! the user names it.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Blob, FetchError, Kind, Source, blob};
use crate::digest::Digest;

/// The `kit.json` format version this kakunin reads and writes.
pub const KIT_FORMAT: u32 = 1;
/// Largest `kit.json` accepted.
pub const MAX_KIT_JSON_BYTES: u64 = 4 * 1024 * 1024;

/// `kit.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KitManifest {
    /// Always [`KIT_FORMAT`].
    pub format: u32,
    /// The release the kit holds.
    pub chart: String,
    pub version: String,
    /// Which kakunin wrote it (informational).
    pub created_by: String,
    /// Every file, in download order.
    pub files: Vec<KitFile>,
    /// What was looked for and could not be downloaded (HTTP 404…), so an offline run can say
    /// why it is missing rather than "not in the kit".
    #[serde(default)]
    pub missing: Vec<KitMissing>,
}

/// One file of a kit.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KitFile {
    /// Path relative to the kit directory.
    pub path: String,
    /// Where it was downloaded from: the key offline lookups use.
    pub url: String,
    /// What it is: `index`, `chart`, `prov`, `chart-bundle`, `chart-envelope`, `image-bundle`,
    /// `image-envelope`, `image-manifest`, `image-tags`, `referrers`, `attached-manifest`,
    /// `attached-bundle`, `trusted-root`…
    pub role: String,
    /// The kind of file, which sets its size cap.
    pub kind: Kind,
    /// `sha256:<hex>` of the file.
    pub digest: String,
    pub size: u64,
    /// The `Content-Type` the server gave, when it matters (OCI manifests).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// A file the download looked for and did not get.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KitMissing {
    pub url: String,
    pub role: String,
    pub why: String,
}

/// A kit opened for reading.
#[derive(Debug, Clone)]
pub struct Kit {
    dir: PathBuf,
    manifest: KitManifest,
    by_url: BTreeMap<String, usize>,
}

fn kit_err(path: &Path, reason: impl Into<String>) -> FetchError {
    FetchError::Kit {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

/// A kit-relative path, checked: relative, no `..`, no empty components.
fn safe_relative(p: &str) -> Option<PathBuf> {
    if p.is_empty() || p.contains('\\') {
        return None;
    }
    let path = Path::new(p);
    path.components()
        .all(|c| matches!(c, Component::Normal(_)))
        .then(|| path.to_path_buf())
}

impl Kit {
    /// Opens a kit directory and checks `kit.json`.
    pub fn open(dir: &Path) -> Result<Kit, FetchError> {
        let json_path = dir.join("kit.json");
        let bytes = crate::limits::read_file_capped(&json_path, MAX_KIT_JSON_BYTES)
            .map_err(|e| kit_err(&json_path, e.to_string()))?;
        if !crate::limits::json_depth_ok(&bytes) {
            return Err(kit_err(&json_path, "nested too deeply"));
        }
        let manifest: KitManifest = serde_json::from_slice(&bytes)
            .map_err(|e| kit_err(&json_path, format!("not a kakunin kit.json: {e}")))?;
        if manifest.format != KIT_FORMAT {
            return Err(kit_err(
                &json_path,
                format!("expected format {KIT_FORMAT}, found {}", manifest.format),
            ));
        }
        let mut by_url = BTreeMap::new();
        for (i, f) in manifest.files.iter().enumerate() {
            if safe_relative(&f.path).is_none() {
                return Err(kit_err(
                    &json_path,
                    format!(
                        "file path {:?}: expected a relative path inside the kit",
                        f.path
                    ),
                ));
            }
            f.digest
                .parse::<Digest>()
                .map_err(|e| kit_err(&json_path, format!("file {:?}: {e}", f.path)))?;
            by_url.insert(f.url.clone(), i);
        }
        Ok(Kit {
            dir: dir.to_path_buf(),
            manifest,
            by_url,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn manifest(&self) -> &KitManifest {
        &self.manifest
    }

    /// Why the download could not get this URL, if it recorded that.
    pub fn missing(&self, url: &str) -> Option<&KitMissing> {
        self.manifest.missing.iter().find(|m| m.url == url)
    }

    /// The first file with this role (`trusted-root`, `index`…).
    pub fn file_with_role(&self, role: &str) -> Option<&KitFile> {
        self.manifest.files.iter().find(|f| f.role == role)
    }

    /// The kit's file for a URL, read and checked against `kit.json`; `None` when the kit does
    /// not hold that URL.
    pub fn get(&self, url: &str, kind: Kind, cap: u64) -> Result<Option<Blob>, FetchError> {
        let Some(&i) = self.by_url.get(url) else {
            return Ok(None);
        };
        self.read(&self.manifest.files[i], kind, cap).map(Some)
    }

    /// Reads a listed file (capped by its kind), checking its digest.
    pub fn read(&self, file: &KitFile, kind: Kind, cap: u64) -> Result<Blob, FetchError> {
        let rel = safe_relative(&file.path)
            .ok_or_else(|| kit_err(&self.dir, format!("bad path {:?}", file.path)))?;
        let path = self.dir.join(rel);
        let meta = std::fs::symlink_metadata(&path).map_err(|e| kit_err(&path, e.to_string()))?;
        if !meta.file_type().is_file() {
            return Err(kit_err(
                &path,
                "expected a regular file, found a link or directory",
            ));
        }
        // A directory on the way may be a link out of the kit: the real path must stay inside.
        let inside = match (path.canonicalize(), self.dir.canonicalize()) {
            (Ok(p), Ok(d)) => p.starts_with(d),
            _ => false,
        };
        if !inside {
            return Err(kit_err(
                &path,
                "expected a file inside the kit, found one outside it",
            ));
        }
        let bytes = crate::limits::read_file_capped(&path, cap)
            .map_err(|e| kit_err(&path, e.to_string()))?;
        let b = blob(
            bytes,
            Source::Kit {
                url: file.url.clone(),
                path: path.clone(),
            },
            kind,
        );
        if b.digest.to_string() != file.digest {
            return Err(FetchError::KitDigest {
                path: path.display().to_string(),
                expected: file.digest.clone(),
                found: b.digest.to_string(),
            });
        }
        Ok(b)
    }
}

/// Writes a kit: files first, `kit.json` last (atomically), so a kit with a `kit.json` is whole.
#[derive(Debug)]
pub struct KitWriter {
    dir: PathBuf,
    manifest: KitManifest,
}

impl KitWriter {
    /// Starts a kit in `dir` (created if needed; an existing `kit.json` is replaced at the end).
    pub fn create(dir: &Path, chart: &str, version: &str) -> Result<KitWriter, FetchError> {
        std::fs::create_dir_all(dir.join("files")).map_err(|e| kit_err(dir, e.to_string()))?;
        Ok(KitWriter {
            dir: dir.to_path_buf(),
            manifest: KitManifest {
                format: KIT_FORMAT,
                chart: chart.to_string(),
                version: version.to_string(),
                created_by: concat!("kakunin ", env!("CARGO_PKG_VERSION")).to_string(),
                files: Vec::new(),
                missing: Vec::new(),
            },
        })
    }

    /// Adds a downloaded file under a name derived from its URL (made unique if needed).
    /// A URL already in the kit is not added twice.
    pub fn add(
        &mut self,
        b: &Blob,
        role: &str,
        media_type: Option<&str>,
    ) -> Result<(), FetchError> {
        let url = match (&b.source, b.source.url()) {
            (_, Some(u)) => u.to_string(),
            (Source::File { path }, None) => format!("file://{}", path.display()),
            (Source::Embedded { name }, None) => format!("kakunin:embedded/{name}"),
            (other, None) => other.to_string(),
        };
        if self.manifest.files.iter().any(|f| f.url == url) {
            return Ok(());
        }
        let base: String = url
            .rsplit('/')
            .next()
            .unwrap_or("file")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(100)
            .collect();
        let base = if base.is_empty() || base.starts_with('.') {
            format!("f{base}")
        } else {
            base
        };
        let mut name = format!("files/{base}");
        if self.manifest.files.iter().any(|f| f.path == name) {
            name = format!("files/{}-{}", &b.digest.hex()[..12], base);
        }
        if self.manifest.files.iter().any(|f| f.path == name) {
            name = format!(
                "files/{}-{}-{}",
                self.manifest.files.len(),
                &b.digest.hex()[..12],
                base
            );
        }
        super::cache::write_atomic(&self.dir.join(&name), &b.bytes)
            .map_err(|e| kit_err(&self.dir.join(&name), e.to_string()))?;
        self.manifest.files.push(KitFile {
            path: name,
            url,
            role: role.to_string(),
            kind: b.kind,
            digest: b.digest.to_string(),
            size: b.bytes.len() as u64,
            media_type: media_type.map(str::to_string),
        });
        Ok(())
    }

    /// Records a file that could not be downloaded.
    pub fn missing(&mut self, url: &str, role: &str, why: &str) {
        self.manifest.missing.push(KitMissing {
            url: url.to_string(),
            role: role.to_string(),
            why: why.to_string(),
        });
    }

    pub fn manifest(&self) -> &KitManifest {
        &self.manifest
    }

    /// Writes `kit.json` and returns it.
    pub fn finish(self) -> Result<KitManifest, FetchError> {
        let json = serde_json::to_vec_pretty(&self.manifest)
            .map_err(|e| kit_err(&self.dir, e.to_string()))?;
        let path = self.dir.join("kit.json");
        super::cache::write_atomic(&path, &json).map_err(|e| kit_err(&path, e.to_string()))?;
        Ok(self.manifest)
    }
}
