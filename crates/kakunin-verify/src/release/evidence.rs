//! Evidence: everything gathered about one release, as bytes with their origin. Nothing in here
//! is trusted; [`super::verify`] decides. A piece that could not be gathered says what it was
//! and why, so the check that needed it is reported as not run, never as passed; and a piece
//! the source positively denied (HTTP 404) or served wrong (bytes whose digest is not the one
//! the document naming them gives) says so, so that the check covering it fails instead
//! ([`Missing::fails`]): "could not run" is kept for what is truly unreachable.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::chart::index::HelmIndex;
use crate::digest::Digest;
use crate::semver_rules::{ChartHistory, ChartPoint, Policy};

/// Bytes fetched for a release, and where they came from (a URL, a kit file, a cache entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    pub source: String,
}

impl Fetched {
    pub fn new(bytes: Vec<u8>, source: impl Into<String>) -> Fetched {
        Fetched {
            bytes,
            source: source.into(),
        }
    }
}

/// A piece of evidence that could not be gathered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Missing {
    /// What was looked for (`gomenhashai-1.3.2.sigstore`, `registry digest of v1.3.1`…).
    pub what: String,
    /// Why it is missing (`HTTP 404 from …`, `offline: not in the kit`…).
    pub why: String,
    /// The source positively said it does not exist (HTTP 404, or a kit recording a 404), as
    /// opposed to could not be reached: a required file that is absent fails its check, one
    /// that could not be obtained leaves it not run.
    pub absent: bool,
    /// The source served bytes, but not the ones the document naming them says (a digest that
    /// differs from the one it was asked for by): evidence of tampering, so the check that
    /// covers the piece fails rather than being left not run.
    pub wrong: bool,
}

impl Missing {
    pub fn new(what: impl Into<String>, why: impl Into<String>) -> Missing {
        Missing {
            what: what.into(),
            why: why.into(),
            absent: false,
            wrong: false,
        }
    }

    /// A piece the source served, but wrong (see [`Missing::wrong`]).
    pub fn wrong(what: impl Into<String>, why: impl Into<String>) -> Missing {
        Missing {
            wrong: true,
            ..Missing::new(what, why)
        }
    }

    /// Classifies why a fetch failed: HTTP 404 is absent, a digest mismatch (bytes asked for by
    /// digest that hash to something else) is wrong, anything else could not be obtained.
    pub fn from_fetch(what: impl Into<String>, e: &impl FetchFailure) -> Missing {
        let mut m = Missing::new(what, e.to_string());
        m.absent = e.status() == Some(404);
        m.wrong = e.is_mismatch();
        m
    }

    /// Whether the check that needs this piece fails (the source denied it or served it wrong)
    /// rather than being left not run (it could not be obtained).
    pub fn fails(&self) -> bool {
        self.absent || self.wrong
    }

    /// A piece the source says does not exist.
    pub fn absent(what: impl Into<String>, why: impl Into<String>) -> Missing {
        Missing {
            absent: true,
            ..Missing::new(what, why)
        }
    }
}

/// What verification needs to know of a failed fetch (the fetcher lives in the `kakunin`
/// crate and implements this for its error): whether the source denied the piece (HTTP 404),
/// and whether it served bytes other than the ones asked for by digest.
pub trait FetchFailure: std::fmt::Display {
    /// The HTTP status of a refusal, if there was one.
    fn status(&self) -> Option<u16>;
    /// Bytes asked for by digest hashed to something else.
    fn is_mismatch(&self) -> bool;
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.wrong {
            write!(f, "{} is not what it must be: {}", self.what, self.why)
        } else {
            write!(f, "{} could not be obtained: {}", self.what, self.why)
        }
    }
}

/// A piece of evidence, or why it is missing.
pub type Piece = Result<Fetched, Missing>;

/// The Helm index, parsed once and shared (behind an [`Arc`]) by every release of a run: an
/// `--all-versions` run over an index of n entries holds one copy, not n.
#[derive(Debug)]
pub struct IndexFile {
    /// Where the index came from.
    pub source: String,
    pub parsed: HelmIndex,
    /// Each chart's history for `semver.no-downgrade`, ordered on first use.
    histories: Mutex<HashMap<(String, Policy), Arc<ChartHistory>>>,
}

impl IndexFile {
    pub fn new(parsed: HelmIndex, source: impl Into<String>) -> IndexFile {
        IndexFile {
            source: source.into(),
            parsed,
            histories: Mutex::default(),
        }
    }

    /// Parses an index (as fetched from `source`).
    pub fn parse(bytes: &[u8], source: impl Into<String>) -> Result<IndexFile, Missing> {
        let source = source.into();
        HelmIndex::parse(bytes)
            .map(|parsed| IndexFile::new(parsed, source.clone()))
            // Served but not an index: wrong, not missing (chart.index-digest fails on it).
            .map_err(|e| Missing::wrong("index.yaml", format!("{source}: {e}")))
    }

    /// `chart`'s history in this index, ordered once per chart and policy; `None` when the
    /// index lists no such chart.
    pub fn history(&self, chart: &str, policy: Policy) -> Option<Arc<ChartHistory>> {
        let entries = self.parsed.chart(chart).ok()?;
        let mut histories = self.histories.lock().unwrap_or_else(|e| e.into_inner());
        let history = histories
            .entry((chart.to_string(), policy))
            .or_insert_with(|| {
                let points: Vec<ChartPoint> = entries
                    .iter()
                    .map(|e| ChartPoint::new(&e.version, e.app_version.as_deref()))
                    .collect();
                Arc::new(ChartHistory::new(&points, policy))
            });
        Some(history.clone())
    }
}

/// What the registry said about the chart's image.
#[derive(Debug, Clone)]
pub struct RegistryEvidence {
    /// The manifest digest the registry serves for the chart's tag.
    pub tag_digest: Result<(Digest, String), Missing>,
    /// Sigstore bundles attached to the image digest (OCI referrers or the fallback tag).
    pub attestations: Result<Vec<Fetched>, Missing>,
    /// The repository's tags (for `semver.image-release`).
    pub tags: Result<(Vec<String>, String), Missing>,
}

impl RegistryEvidence {
    /// Evidence that could not be gathered at all (the image reference is unusable…).
    pub fn unavailable(why: &str) -> RegistryEvidence {
        RegistryEvidence {
            tag_digest: Err(Missing::new("the registry's digest of the tag", why)),
            attestations: Err(Missing::new("attestations attached in the registry", why)),
            tags: Err(Missing::new("the registry's tags", why)),
        }
    }
}

/// Everything gathered about one chart release.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub chart: String,
    pub version: String,
    /// The Helm repository's `index.yaml`, parsed (shared by the releases of one run).
    pub index: Result<Arc<IndexFile>, Missing>,
    /// The chart package `.tgz`.
    pub package: Piece,
    /// The Helm `.prov` (fetched only when the profile requires it).
    pub prov: Option<Piece>,
    /// The chart release's `.sigstore` bundle and `.intoto.jsonl`.
    pub chart_bundle: Piece,
    pub chart_envelope: Piece,
    /// The image release's `.sigstore` bundle and `.intoto.jsonl` (release named by the chart's
    /// appVersion).
    pub image_bundle: Piece,
    pub image_envelope: Piece,
    /// What the registry said about the image.
    pub registry: RegistryEvidence,
}
