//! Entry points for fuzzing the parsers of this crate (what `fetch/` reads from a kit or a
//! registry), beside those of [`kakunin_verify::fuzz`].
//!
//! Guarantees: as there, each function only parses the bytes it is given (no file, network or
//! environment is read) and discards the result; the cargo-fuzz targets and the corpus test
//! (`tests/it/fuzz_corpus.rs`) call these same functions.

pub use kakunin_verify::fuzz::Target;

use crate::digest::Digest;
use crate::fetch::http::Kind;
use crate::fetch::{Blob, Source};

/// This crate's entry points.
pub const TARGETS: &[Target] = &[
    Target {
        name: "kit_json",
        run: kit_json,
    },
    Target {
        name: "oci_manifest",
        run: oci_manifest,
    },
    Target {
        name: "www_authenticate",
        run: www_authenticate,
    },
];

/// Every entry point, of both crates: the verification crate's, then this one's.
pub fn all_targets() -> Vec<Target> {
    kakunin_verify::fuzz::TARGETS
        .iter()
        .chain(TARGETS)
        .copied()
        .collect()
}

/// A kit's `kit.json` (`kakunin download`'s manifest).
pub fn kit_json(data: &[u8]) {
    let _ = crate::fetch::kit::KitManifest::parse(data);
}

/// An OCI image manifest or index (a tag, a referrers list, a cosign `.sig`/`.att` tag).
pub fn oci_manifest(data: &[u8]) {
    let blob = Blob {
        bytes: data.to_vec(),
        digest: Digest::sha256(data),
        source: Source::File {
            path: "fuzz".into(),
        },
        kind: Kind::Manifest,
    };
    let _ = crate::fetch::registry::parse_doc(&blob);
}

/// A registry's `WWW-Authenticate` challenge.
pub fn www_authenticate(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::fetch::registry::parse_challenge(text);
    }
}
