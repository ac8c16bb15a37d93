//! A chart package (`.tgz`) read in memory, never extracted to disk.
//!
//! Guarantees: at most [`MAX_CHART_BYTES`] compressed, [`MAX_CHART_UNPACKED_BYTES`] once
//! decompressed (a gzip bomb stops there), [`MAX_CHART_ENTRIES`] entries, each at most
//! [`MAX_CHART_ENTRY_BYTES`]; an entry whose path is absolute or holds `..`, and any entry that
//! is not a regular file or a directory (symlinks, hard links, devices) is an error; every
//! entry lies under one top-level directory, which holds `Chart.yaml`. Packaged subcharts
//! (`charts/<name>.tgz`) are read the same way, at most [`MAX_SUBCHART_DEPTH`] levels and
//! [`MAX_SUBCHARTS`] in all, sharing the unpacked-size and entry caps with their parent.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Component;

use serde::Deserialize;

use crate::limits::{
    MAX_CHART_BYTES, MAX_CHART_ENTRIES, MAX_CHART_ENTRY_BYTES, MAX_CHART_UNPACKED_BYTES,
};

/// Why a chart package was rejected.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("chart package is {found} bytes: expected at most {max}")]
    TooLarge { max: u64, found: u64 },
    #[error("chart package unpacks to more than {max} bytes (a decompression bomb?)")]
    Unpacked { max: u64 },
    #[error("chart package has more than {max} entries")]
    TooManyEntries { max: usize },
    #[error("chart package entry {path:?} is {found} bytes: expected at most {max}")]
    EntryTooLarge { path: String, max: u64, found: u64 },
    #[error("chart package entry {path:?}: {reason}")]
    UnsafePath { path: String, reason: &'static str },
    #[error("chart package entry {path:?} is a {kind}: expected a regular file or directory")]
    EntryType { path: String, kind: String },
    #[error(
        "chart package entries must share one top-level directory: expected {expected:?}, found {found:?}"
    )]
    TopLevel { expected: String, found: String },
    #[error("chart package is not a gzip-compressed tar archive: {0}")]
    Archive(String),
    #[error("chart package has no {0}")]
    Missing(String),
    #[error("{file} in the chart package is not valid: {reason}")]
    Yaml { file: String, reason: String },
    #[error("subchart {name}: {error}")]
    Subchart {
        name: String,
        error: Box<PackageError>,
    },
    #[error(
        "chart package nests subcharts deeper than {max} levels or holds more than {max_count}"
    )]
    Subcharts { max: usize, max_count: usize },
}

/// Subcharts (`charts/<name>.tgz`) are read this many levels deep, at most.
pub const MAX_SUBCHART_DEPTH: usize = 4;
/// Subcharts read in one chart package (all levels together).
pub const MAX_SUBCHARTS: usize = 64;

/// What is left of the caps while a package and its subcharts are read: the unpacked size and
/// the entry count are shared by all of them.
struct Budget {
    unpacked: u64,
    entries: usize,
    subcharts: usize,
}

/// `Chart.yaml`, the fields kakunin reads.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ChartMetadata {
    #[serde(default, deserialize_with = "opt_scalar")]
    pub api_version: Option<String>,
    #[serde(deserialize_with = "scalar")]
    pub name: String,
    #[serde(deserialize_with = "scalar")]
    pub version: String,
    #[serde(default, deserialize_with = "opt_scalar")]
    pub app_version: Option<String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// A chart package read in memory: its metadata, its values, and the list of its entries.
#[derive(Debug, Clone)]
pub struct ChartPackage {
    /// The top-level directory every entry lies under (Helm: the chart's name).
    pub root: String,
    pub metadata: ChartMetadata,
    /// `values.yaml` parsed (`Null` when the chart has none).
    pub values: serde_norway::Value,
    /// The raw `Chart.yaml` and `values.yaml`.
    pub chart_yaml: Vec<u8>,
    pub values_yaml: Option<Vec<u8>>,
    /// Every regular file: path inside the archive and size.
    pub files: Vec<(String, u64)>,
    /// The packaged dependencies (`charts/<name>.tgz`), read the same way, sharing the caps.
    pub subcharts: Vec<ChartPackage>,
}

fn scalar<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    super::yaml_scalar::required(d, "null")
}

use super::yaml_scalar::opt_scalar;

/// Counts decompressed bytes and fails past the cap, so a gzip bomb costs bounded time.
struct Capped<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(std::io::Error::other(UNPACKED_SENTINEL));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

const UNPACKED_SENTINEL: &str = "kakunin: unpacked size cap reached";

impl ChartPackage {
    /// Reads a chart package from its bytes with the default caps.
    pub fn read(bytes: &[u8]) -> Result<ChartPackage, PackageError> {
        Self::read_with(bytes, &Caps::default())
    }

    /// Reads a chart package with explicit caps (tests use small ones).
    pub fn read_with(bytes: &[u8], caps: &Caps) -> Result<ChartPackage, PackageError> {
        let mut budget = Budget {
            unpacked: caps.unpacked,
            entries: caps.entries,
            subcharts: MAX_SUBCHARTS,
        };
        Self::read_inner(bytes, caps, &mut budget, 0)
    }

    fn read_inner(
        bytes: &[u8],
        caps: &Caps,
        budget: &mut Budget,
        depth: usize,
    ) -> Result<ChartPackage, PackageError> {
        if bytes.len() as u64 > caps.compressed {
            return Err(PackageError::TooLarge {
                max: caps.compressed,
                found: bytes.len() as u64,
            });
        }
        let unpacked = Unpacked::read(bytes, caps, budget, depth)?;
        unpacked.parse(caps, budget, depth)
    }
}

/// An I/O error of the archive: the unpacked cap reached, or a broken archive.
fn archive_error(caps: &Caps, e: std::io::Error) -> PackageError {
    if e.to_string().contains(UNPACKED_SENTINEL) {
        PackageError::Unpacked { max: caps.unpacked }
    } else {
        PackageError::Archive(e.to_string())
    }
}

/// What a chart archive holds, read within the caps and not parsed yet.
#[derive(Default)]
struct Unpacked {
    root: Option<String>,
    chart_yaml: Option<Vec<u8>>,
    values_yaml: Option<Vec<u8>>,
    files: Vec<(String, u64)>,
    packed_subcharts: Vec<(String, Vec<u8>)>,
}

impl Unpacked {
    /// Reads every entry of the archive, within the caps and the budget.
    fn read(
        bytes: &[u8],
        caps: &Caps,
        budget: &mut Budget,
        depth: usize,
    ) -> Result<Unpacked, PackageError> {
        let gz = flate2::read::MultiGzDecoder::new(bytes);
        let capped = Capped {
            inner: gz,
            left: budget.unpacked,
        };
        let mut archive = tar::Archive::new(capped);
        let io = |e| archive_error(caps, e);
        let mut u = Unpacked::default();
        for entry in archive.entries().map_err(io)? {
            let mut entry = entry.map_err(io)?;
            if budget.entries == 0 {
                return Err(PackageError::TooManyEntries { max: caps.entries });
            }
            budget.entries -= 1;
            if let Some((components, size)) = u.admit(&entry, caps)? {
                u.take(&mut entry, components, size, caps, budget, depth)?;
            }
        }
        budget.unpacked = archive.into_inner().left;
        Ok(u)
    }

    /// The path components and size of a regular file entry (`None` for a directory or the
    /// archive's root), once its type, path, top-level directory and size are allowed.
    fn admit<R: Read>(
        &mut self,
        entry: &tar::Entry<'_, R>,
        caps: &Caps,
    ) -> Result<Option<(Vec<String>, u64)>, PackageError> {
        let raw_path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        let is_dir = kind.is_dir();
        if !(kind.is_file() || is_dir) {
            return Err(PackageError::EntryType {
                path: raw_path,
                kind: entry_kind(kind),
            });
        }
        let components = safe_components(&raw_path)?;
        let Some(first) = components.first() else {
            return Ok(None);
        };
        match &self.root {
            None => self.root = Some(first.clone()),
            Some(r) if r != first => {
                return Err(PackageError::TopLevel {
                    expected: r.clone(),
                    found: first.clone(),
                });
            }
            Some(_) => {}
        }
        if is_dir {
            return Ok(None);
        }
        let size = entry.header().size().map_err(|e| archive_error(caps, e))?;
        if size > caps.entry {
            return Err(PackageError::EntryTooLarge {
                path: raw_path,
                max: caps.entry,
                found: size,
            });
        }
        Ok(Some((components, size)))
    }

    /// Reads a file entry: `Chart.yaml`, `values.yaml` and packed subcharts are kept, any other
    /// file is read through (bounded by the unpacked cap) so the archive's integrity and its
    /// size are checked even for files kakunin does not look at.
    fn take<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        components: Vec<String>,
        size: u64,
        caps: &Caps,
        budget: &mut Budget,
        depth: usize,
    ) -> Result<(), PackageError> {
        let io = |e| archive_error(caps, e);
        let rel = components[1..].join("/");
        let subchart = rel
            .strip_prefix("charts/")
            .filter(|n| !n.contains('/') && n.ends_with(".tgz"))
            .map(str::to_string);
        let read = |entry: &mut tar::Entry<'_, R>| {
            let mut buf = Vec::with_capacity(size as usize);
            entry
                .take(caps.entry + 1)
                .read_to_end(&mut buf)
                .map(|_| buf)
                .map_err(io)
        };
        if let Some(name) = subchart {
            if depth + 1 > MAX_SUBCHART_DEPTH || budget.subcharts == 0 {
                return Err(PackageError::Subcharts {
                    max: MAX_SUBCHART_DEPTH,
                    max_count: MAX_SUBCHARTS,
                });
            }
            budget.subcharts -= 1;
            self.packed_subcharts.push((name, read(entry)?));
        } else if rel == "Chart.yaml" {
            self.chart_yaml = Some(read(entry)?);
        } else if rel == "values.yaml" {
            self.values_yaml = Some(read(entry)?);
        } else {
            std::io::copy(&mut entry.take(caps.entry + 1), &mut std::io::sink()).map_err(io)?;
        }
        self.files.push((components.join("/"), size));
        Ok(())
    }

    /// The chart: `Chart.yaml` and `values.yaml` parsed (depth-bounded), and its packed
    /// subcharts read the same way, sharing the caps and the budget.
    fn parse(
        self,
        caps: &Caps,
        budget: &mut Budget,
        depth: usize,
    ) -> Result<ChartPackage, PackageError> {
        let root = self
            .root
            .ok_or_else(|| PackageError::Missing("entries".into()))?;
        let chart_yaml = self
            .chart_yaml
            .ok_or_else(|| PackageError::Missing(format!("{root}/Chart.yaml")))?;
        let values_yaml = self.values_yaml;
        for (file, bytes) in [
            ("Chart.yaml", Some(&chart_yaml)),
            ("values.yaml", values_yaml.as_ref()),
        ] {
            if bytes.is_some_and(|b| !crate::limits::yaml_flow_depth_ok(b)) {
                return Err(PackageError::Yaml {
                    file: file.into(),
                    reason: format!(
                        "collections nest deeper than {} levels",
                        crate::limits::MAX_DEPTH
                    ),
                });
            }
        }
        let metadata: ChartMetadata =
            serde_norway::from_slice(&chart_yaml).map_err(|e| PackageError::Yaml {
                file: "Chart.yaml".into(),
                reason: e.to_string(),
            })?;
        let values = match &values_yaml {
            Some(v) => serde_norway::from_slice(v).map_err(|e| PackageError::Yaml {
                file: "values.yaml".into(),
                reason: e.to_string(),
            })?,
            None => serde_norway::Value::Null,
        };
        let mut subcharts = Vec::new();
        for (name, bytes) in self.packed_subcharts {
            let sub = ChartPackage::read_inner(&bytes, caps, budget, depth + 1).map_err(|e| {
                PackageError::Subchart {
                    name: name.clone(),
                    error: Box::new(e),
                }
            })?;
            subcharts.push(sub);
        }
        Ok(ChartPackage {
            root,
            metadata,
            values,
            chart_yaml,
            values_yaml,
            files: self.files,
            subcharts,
        })
    }
}

impl ChartPackage {
    /// The images the chart refers to (`values.yaml` blocks, then the `artifacthub.io/images`
    /// annotation), tags defaulting to `appVersion`; then its subcharts' images, each with its
    /// own `appVersion` (values the parent sets for a subchart are not merged in).
    pub fn images(&self) -> Result<Vec<super::ChartImage>, PackageError> {
        let mut images = super::images::chart_images(
            &self.values,
            &self.metadata.annotations,
            self.metadata.app_version.as_deref(),
        )
        .map_err(|reason| PackageError::Yaml {
            file: "Chart.yaml".into(),
            reason,
        })?;
        for sub in &self.subcharts {
            let name = sub.metadata.name.clone();
            let inner = sub.images().map_err(|e| PackageError::Subchart {
                name: name.clone(),
                error: Box::new(e),
            })?;
            images.extend(inner.into_iter().map(|mut i| {
                i.source = super::ImageSource::Subchart {
                    chart: name.clone(),
                    source: Box::new(i.source),
                };
                i
            }));
        }
        Ok(images)
    }
}

/// The caps a chart package is read with; the defaults are those of [`crate::limits`].
#[derive(Debug, Clone)]
pub struct Caps {
    pub compressed: u64,
    pub unpacked: u64,
    pub entries: usize,
    pub entry: u64,
}

impl Default for Caps {
    fn default() -> Self {
        Caps {
            compressed: MAX_CHART_BYTES,
            unpacked: MAX_CHART_UNPACKED_BYTES,
            entries: MAX_CHART_ENTRIES,
            entry: MAX_CHART_ENTRY_BYTES,
        }
    }
}

/// The path's normal components; `..`, absolute paths and drive prefixes are errors.
fn safe_components(path: &str) -> Result<Vec<String>, PackageError> {
    let unsafe_path = |reason| PackageError::UnsafePath {
        path: path.to_string(),
        reason,
    };
    if path.starts_with('/') || path.starts_with('\\') {
        return Err(unsafe_path(
            "expected a relative path, found an absolute one",
        ));
    }
    if path.contains('\\') {
        return Err(unsafe_path("expected '/' separators, found '\\'"));
    }
    let mut out = Vec::new();
    for c in std::path::Path::new(path).components() {
        match c {
            Component::Normal(s) => out.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                return Err(unsafe_path("expected a path inside the chart, found '..'"));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_path(
                    "expected a relative path, found an absolute one",
                ));
            }
        }
    }
    Ok(out)
}

fn entry_kind(kind: tar::EntryType) -> String {
    match kind {
        tar::EntryType::Symlink => "symbolic link".into(),
        tar::EntryType::Link => "hard link".into(),
        tar::EntryType::Char => "character device".into(),
        tar::EntryType::Block => "block device".into(),
        tar::EntryType::Fifo => "FIFO (named pipe)".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A gzip tar of `(path, contents)` built with raw headers (so hostile paths are possible).
    pub(crate) fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in files {
            let mut h = tar::Header::new_gnu();
            h.as_gnu_mut().unwrap().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn reads_chart_and_values() {
        let t = tgz(&[
            (
                "demo/Chart.yaml",
                b"apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: v1.2.3\n",
            ),
            (
                "demo/values.yaml",
                b"image:\n  repository: ghcr.io/o/demo\n",
            ),
            ("demo/templates/x.yaml", b"kind: x\n"),
        ]);
        let c = ChartPackage::read(&t).unwrap();
        assert_eq!(c.root, "demo");
        assert_eq!(c.metadata.version, "1.0.0");
        assert_eq!(c.metadata.app_version.as_deref(), Some("v1.2.3"));
        assert_eq!(c.files.len(), 3);
    }

    #[test]
    fn deeply_nested_values_are_refused_before_parsing() {
        let deep = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
        let t = tgz(&[
            ("demo/Chart.yaml", b"name: demo\nversion: 1.0.0\n"),
            ("demo/values.yaml", deep.as_bytes()),
        ]);
        let err = ChartPackage::read(&t).unwrap_err().to_string();
        assert_eq!(
            err,
            "values.yaml in the chart package is not valid: collections nest deeper than 128 levels"
        );
    }

    #[test]
    fn subcharts_are_read_and_their_images_listed_within_the_shared_caps() {
        let sub = tgz(&[
            (
                "redis/Chart.yaml",
                b"name: redis\nversion: 2.0.0\nappVersion: 7.2.0\n",
            ),
            (
                "redis/values.yaml",
                b"image:\n  repository: docker.io/library/redis\n",
            ),
        ]);
        let t = tgz(&[
            (
                "demo/Chart.yaml",
                b"name: demo\nversion: 1.0.0\nappVersion: v1\n",
            ),
            (
                "demo/values.yaml",
                b"image:\n  repository: ghcr.io/o/demo\n",
            ),
            ("demo/charts/redis-2.0.0.tgz", &sub),
        ]);
        let c = ChartPackage::read(&t).unwrap();
        assert_eq!(c.subcharts.len(), 1);
        let imgs = c.images().unwrap();
        assert_eq!(imgs.len(), 2);
        assert_eq!(imgs[1].repository, "docker.io/library/redis");
        assert_eq!(imgs[1].tag.as_deref(), Some("7.2.0"));
        assert_eq!(
            imgs[1].source.to_string(),
            "subchart redis: values.yaml image"
        );
        // The entry budget is shared: parent (3) + subchart (2) = 5 entries.
        let caps = Caps {
            entries: 4,
            ..Caps::default()
        };
        let err = ChartPackage::read_with(&t, &caps).unwrap_err().to_string();
        assert_eq!(
            err,
            "subchart redis-2.0.0.tgz: chart package has more than 4 entries"
        );
        // A broken subchart breaks the chart.
        let t = tgz(&[
            ("demo/Chart.yaml", b"name: demo\nversion: 1.0.0\n"),
            ("demo/charts/x.tgz", b"not gzip"),
        ]);
        let err = ChartPackage::read(&t).unwrap_err().to_string();
        assert!(
            err.starts_with("subchart x.tgz: chart package is not a gzip"),
            "{err}"
        );
    }

    #[test]
    fn rejects_parent_dirs_and_absolute_paths() {
        let t = tgz(&[("demo/../x", b"hi")]);
        let err = ChartPackage::read(&t).unwrap_err().to_string();
        assert!(err.contains("found '..'"), "{err}");
        let t = tgz(&[("/etc/x", b"hi")]);
        let err = ChartPackage::read(&t).unwrap_err().to_string();
        assert!(err.contains("absolute"), "{err}");
    }

    #[test]
    fn rejects_links_and_two_roots() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        b.append_link(&mut h, "demo/link", "/etc/passwd").unwrap();
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        let err = ChartPackage::read(&gz.finish().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("symbolic link"), "{err}");
        // A FIFO is named as one (not "a link or directory").
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Fifo);
        h.set_size(0);
        b.append_data(&mut h, "demo/pipe", std::io::empty())
            .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
        let err = ChartPackage::read(&gz.finish().unwrap())
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "chart package entry \"demo/pipe\" is a FIFO (named pipe): expected a regular file or directory"
        );
        let t = tgz(&[("a/Chart.yaml", b"name: a\nversion: 1.0.0\n"), ("b/x", b"")]);
        let err = ChartPackage::read(&t).unwrap_err().to_string();
        assert!(err.contains("expected \"a\", found \"b\""), "{err}");
    }

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let big = vec![0u8; 4 * 1024 * 1024];
        let t = tgz(&[
            ("demo/Chart.yaml", b"name: d\nversion: 1.0.0\n"),
            ("demo/zeros", &big),
        ]);
        assert!(t.len() < 64 * 1024, "compresses well: {}", t.len());
        let caps = Caps {
            unpacked: 1024 * 1024,
            ..Caps::default()
        };
        let err = ChartPackage::read_with(&t, &caps).unwrap_err();
        assert!(matches!(err, PackageError::Unpacked { .. }), "{err}");
        let caps = Caps {
            entry: 1024,
            ..Caps::default()
        };
        let err = ChartPackage::read_with(&t, &caps).unwrap_err().to_string();
        assert!(err.contains("expected at most 1024"), "{err}");
    }
}
