//! Release kits: everything `verify --offline --kit DIR` needs, written by `kakunin download`.
//!
//! A kit is a directory with `kit.json` (format in `docs/kit.md`) and the files it lists, each
//! with the URL it was downloaded from and its sha256. Guarantees when reading: `kit.json` is a
//! regular file, size-capped, strict JSON (no key twice) of format 1, listing each URL, each
//! path and each single-file role once; a listed path must be relative, free of `..` and a
//! regular file inside the kit (no symlinks) — all of this checked when the kit is opened, an
//! input error otherwise. A file whose bytes do not hash to the digest `kit.json` records is
//! served as found, its [`Source`] naming both digests, so that the check covering it fails on
//! what it holds (kit.json is no more trusted than the rest of the kit: it cannot make a
//! tampered file "missing"). A kit says where bytes came from; it does not make them trusted —
//! the trusted root it carries, in particular, is used only when the user names it.

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
    /// Images whose evidence (manifest, referrers, cosign `.sig`/`.att`) the kit holds as an
    /// OCI image layout.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<KitImage>,
}

/// An image saved in a kit as an OCI image layout (`images/…`, see [`crate::image::save`]).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KitImage {
    /// `registry/repository` as the chart names it (before any mirror).
    pub repository: String,
    /// The tag the chart deploys, and the layout's ref name for the image.
    pub tag: String,
    /// `sha256:<hex>` the tag resolved to at download time.
    pub digest: String,
    /// The layout directory, relative to the kit.
    pub layout: String,
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

/// Roles a release has one file for; the others (`image-tags` pages, `referrers`,
/// `attached-manifest`, `attached-bundle`) may be listed several times.
const SINGLE_ROLES: &[&str] = &[
    "index",
    "chart",
    "prov",
    "chart-bundle",
    "chart-envelope",
    "image-bundle",
    "image-envelope",
    "image-manifest",
    "trusted-root",
];

/// What a file that is not a regular file is, in words (`a FIFO (named pipe)`).
pub fn file_kind(t: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_dir() {
        "a directory"
    } else if t.is_symlink() {
        "a symbolic link"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// Whether `path` is a regular file whose real location is inside `dir` (already
/// canonical). `Ok(false)`: it does not exist (a file the kit lacks: could not be obtained).
fn check_inside(dir: &Path, path: &Path) -> Result<bool, String> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.to_string()),
    };
    if meta.file_type().is_symlink() {
        return Err(
            "expected a regular file, found a symbolic link (a kit holds its files)".into(),
        );
    }
    if !meta.file_type().is_file() {
        return Err(format!(
            "expected a regular file, found {}",
            file_kind(meta.file_type())
        ));
    }
    // A directory on the way may be a link out of the kit: the real path must stay inside.
    match path.canonicalize() {
        Ok(p) if p.starts_with(dir) => Ok(true),
        Ok(p) => Err(format!(
            "expected a file inside the kit, found one at {}",
            p.display()
        )),
        Err(e) => Err(e.to_string()),
    }
}

impl KitManifest {
    /// Parses `kit.json`'s bytes: strict JSON (a key twice, at any depth, is refused, so no
    /// reader of this kit.json can see another manifest than this one), bounded, of format
    /// [`KIT_FORMAT`]. The error says why, for [`Kit::open`] to name the file.
    pub fn parse(bytes: &[u8]) -> Result<KitManifest, String> {
        let manifest: KitManifest = crate::strict_json::from_slice(bytes, MAX_KIT_JSON_BYTES)
            .map_err(|e| format!("not a kakunin kit.json: {e}"))?;
        if manifest.format != KIT_FORMAT {
            return Err(format!(
                "expected format {KIT_FORMAT}, found {}",
                manifest.format
            ));
        }
        Ok(manifest)
    }
}

/// Each file `kit.json` lists: a relative path inside the kit, a digest, its URL and path
/// listed once, one file for each single-file role. Returns the files by URL.
fn check_files(
    dir: &Path,
    real_dir: &Path,
    manifest: &KitManifest,
) -> Result<BTreeMap<String, usize>, FetchError> {
    let json_path = dir.join("kit.json");
    let mut by_url = BTreeMap::new();
    let mut paths = BTreeMap::new();
    let mut roles = BTreeMap::new();
    for (i, f) in manifest.files.iter().enumerate() {
        let Some(rel) = safe_relative(&f.path) else {
            return Err(kit_err(
                &json_path,
                format!(
                    "file path {:?}: expected a relative path inside the kit",
                    f.path
                ),
            ));
        };
        f.digest
            .parse::<Digest>()
            .map_err(|e| kit_err(&json_path, format!("file {:?}: {e}", f.path)))?;
        // One URL, one file: a URL listed twice would let the two readers of a kit (this
        // one and the next) serve different bytes for it.
        if let Some(j) = by_url.insert(f.url.clone(), i) {
            return Err(kit_err(
                &json_path,
                format!(
                    "URL {} is listed twice (files {:?} and {:?}): expected each URL once",
                    f.url, manifest.files[j].path, f.path
                ),
            ));
        }
        if let Some(j) = paths.insert(f.path.clone(), i) {
            return Err(kit_err(
                &json_path,
                format!(
                    "file {:?} is listed twice (for {} and {}): expected each file once",
                    f.path, manifest.files[j].url, f.url
                ),
            ));
        }
        if SINGLE_ROLES.contains(&f.role.as_str()) {
            if let Some(j) = roles.insert(f.role.clone(), i) {
                return Err(kit_err(
                    &json_path,
                    format!(
                        "role {} is listed twice ({} and {}): expected one file with that role",
                        f.role, manifest.files[j].url, f.url
                    ),
                ));
            }
        }
        check_inside(real_dir, &dir.join(rel)).map_err(|why| kit_err(&dir.join(&f.path), why))?;
    }
    Ok(by_url)
}

/// Each image layout `kit.json` lists: a relative path inside the kit, each repository once,
/// its `index.json` and `oci-layout` the kit's own files.
fn check_images(dir: &Path, real_dir: &Path, manifest: &KitManifest) -> Result<(), FetchError> {
    let json_path = dir.join("kit.json");
    let mut repositories = BTreeMap::new();
    for (i, img) in manifest.images.iter().enumerate() {
        let Some(rel) = safe_relative(&img.layout) else {
            return Err(kit_err(
                &json_path,
                format!(
                    "image layout {:?}: expected a relative path inside the kit",
                    img.layout
                ),
            ));
        };
        if let Some(j) = repositories.insert(img.repository.clone(), i) {
            return Err(kit_err(
                &json_path,
                format!(
                    "image {} is listed twice (layouts {:?} and {:?}): expected each image once",
                    img.repository, manifest.images[j].layout, img.layout
                ),
            ));
        }
        // The layout's index names every blob: it must be the kit's own file. (Blobs are
        // checked against the digest that names them when read.)
        for file in ["index.json", "oci-layout"] {
            let path = dir.join(&rel).join(file);
            check_inside(real_dir, &path).map_err(|why| kit_err(&path, why))?;
        }
    }
    Ok(())
}

impl Kit {
    /// Opens a kit directory and checks `kit.json`: a regular file (not a link), strict JSON of
    /// format 1 (a key written twice is refused), each URL and path listed once, one file for
    /// each single-file role, and every listed file that is present a regular file inside the
    /// kit. Any of these wrong is an input error; a listed file that is absent is left for the
    /// check that needs it (it could not be obtained).
    pub fn open(dir: &Path) -> Result<Kit, FetchError> {
        let json_path = dir.join("kit.json");
        let real_dir = dir
            .canonicalize()
            .map_err(|e| kit_err(dir, e.to_string()))?;
        match check_inside(&real_dir, &json_path) {
            Ok(true) => {}
            Ok(false) => return Err(kit_err(&json_path, "no kit.json (not a kit directory)")),
            Err(why) => return Err(kit_err(&json_path, why)),
        }
        let bytes = crate::limits::read_file_capped(&json_path, MAX_KIT_JSON_BYTES)
            .map_err(|e| kit_err(&json_path, e.to_string()))?;
        let manifest = KitManifest::parse(&bytes).map_err(|why| kit_err(&json_path, why))?;
        let by_url = check_files(dir, &real_dir, &manifest)?;
        check_images(dir, &real_dir, &manifest)?;
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

    /// The OCI layout holding `repository`'s evidence (`registry/repository`), if the kit has one.
    pub fn image(&self, repository: &str) -> Option<(&KitImage, PathBuf)> {
        let img = self
            .manifest
            .images
            .iter()
            .find(|i| i.repository == repository)?;
        Some((img, self.dir.join(safe_relative(&img.layout)?)))
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
        // Checked when the kit was opened; checked again, as the kit may have changed since.
        let dir = self
            .dir
            .canonicalize()
            .map_err(|e| kit_err(&self.dir, e.to_string()))?;
        match check_inside(&dir, &path) {
            Ok(true) => {}
            Ok(false) => return Err(kit_err(&path, "listed in kit.json, but not in the kit")),
            Err(why) => return Err(kit_err(&path, why)),
        }
        let bytes = crate::limits::read_file_capped(&path, cap)
            .map_err(|e| kit_err(&path, e.to_string()))?;
        let mut b = blob(
            bytes,
            Source::Kit {
                url: file.url.clone(),
                path: path.clone(),
                recorded: None,
            },
            kind,
        );
        // A file that is there but differs from kit.json is not "missing": its bytes are served
        // as found (and say so), and the check that covers them — the index's digest, a
        // signature, a manifest digest — fails on them. kit.json is written by whoever carried
        // the kit, so matching it proves nothing, and not matching it must not make a tampered
        // file look like one that could not be fetched.
        if b.digest.to_string() != file.digest {
            b.source = Source::Kit {
                url: file.url.clone(),
                path,
                recorded: Some(file.digest.clone()),
            };
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
                images: Vec::new(),
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

    /// The kit's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Records an image saved as an OCI layout at `layout` (relative to the kit).
    pub fn image(&mut self, image: KitImage) {
        self.manifest.images.push(image);
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
