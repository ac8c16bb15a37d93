//! `--platform os/arch[/variant]`: the platform manifest of an image index.
//!
//! Guarantees: a [`PlatformSpec`] is parsed once from the flag (two or three non-empty parts);
//! [`select`] returns a digest only when the image at the index digest is an image index (OCI
//! index or Docker manifest list) with exactly one entry of that platform (a spec without a
//! variant matches any variant, and more than one match is refused as ambiguous), and that
//! entry's manifest exists and hashes to its digest. Anything else is a check that failed (the
//! index is there but wrong for the request) or could not run (it could not be read).

use super::{Miss, Source};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::registry::{Descriptor, ManifestDoc, Platform};

/// Most entries of an index looked at.
pub const MAX_PLATFORMS: usize = 1000;

/// A platform asked for: `os/arch` or `os/arch/variant`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSpec {
    pub os: String,
    pub architecture: String,
    pub variant: Option<String>,
}

impl std::fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for PlatformSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<PlatformSpec, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let bad = || format!("--platform {s:?}: expected os/arch or os/arch/variant (linux/arm64)");
        if !(2..=3).contains(&parts.len())
            || parts
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return Err(bad());
        }
        Ok(PlatformSpec {
            os: parts[0].to_string(),
            architecture: parts[1].to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        })
    }
}

/// Whether a manifest is an image index (OCI index, Docker manifest list).
pub fn is_index(doc: &ManifestDoc) -> bool {
    match doc.media_type.as_deref() {
        Some(t) => t.contains("image.index") || t.contains("manifest.list"),
        None => !doc.manifests.is_empty() && doc.layers.is_empty() && doc.config.is_none(),
    }
}

const TITLE: &str = "the image index has a manifest of the platform asked for";

/// The platform manifest of the index at `index`: its digest and the `image.platform` check.
pub async fn select(
    source: &Source<'_>,
    index: &Digest,
    spec: &PlatformSpec,
) -> Result<(Digest, Check), Check> {
    let expected = format!("an entry for {spec} in the image index {index}");
    let doc = index_doc(source, index, &expected).await?;
    let entry = one_entry(&doc, spec, &expected)?;
    let digest = entry_digest(entry, index, spec, &expected)?;
    match source.by_digest(&digest).await {
        Ok(_) => {
            let found = format!("{spec} is {digest}");
            Ok((
                digest,
                Check::pass(ids::IMAGE_PLATFORM, TITLE, expected, found),
            ))
        }
        Err(Miss::Absent(why)) => Err(fail(
            &expected,
            format!("the {spec} entry {digest} is listed but its manifest is absent: {why}"),
        )),
        Err(m) => Err(not_run(&expected, m.describe())),
    }
}

/// A failed `image.platform` check.
fn fail(expected: &str, found: impl Into<String>) -> Check {
    Check::fail(ids::IMAGE_PLATFORM, TITLE, expected, found)
}

/// An `image.platform` check that could not run.
fn not_run(expected: &str, found: impl Into<String>) -> Check {
    Check::not_run(ids::IMAGE_PLATFORM, TITLE, expected, found)
}

/// The manifest at `index`, only when it is an image index: unreadable, it is a check that
/// could not run; a single-platform manifest is a failed check.
async fn index_doc(
    source: &Source<'_>,
    index: &Digest,
    expected: &str,
) -> Result<ManifestDoc, Check> {
    let doc = match source.by_digest(index).await {
        Ok((_, doc)) => doc,
        Err(m) => return Err(not_run(expected, m.describe())),
    };
    if !is_index(&doc) {
        return Err(fail(
            expected,
            format!(
                "{index} is a single-platform image manifest ({}), not an image index",
                doc.media_type.as_deref().unwrap_or("no mediaType")
            ),
        ));
    }
    Ok(doc)
}

impl PlatformSpec {
    /// Whether an entry's platform is this one (any variant when the spec names none).
    fn matches(&self, p: &Platform) -> bool {
        p.os == self.os
            && p.architecture == self.architecture
            && (self.variant.is_none() || p.variant == self.variant)
    }
}

/// The platforms an index lists (its first [`MAX_PLATFORMS`] entries), for messages.
fn listed(doc: &ManifestDoc) -> String {
    let names: Vec<String> = doc
        .manifests
        .iter()
        .take(MAX_PLATFORMS)
        .map(|d| match &d.platform {
            Some(p) => match &p.variant {
                Some(v) => format!("{}/{}/{v}", p.os, p.architecture),
                None => format!("{}/{}", p.os, p.architecture),
            },
            None => "no platform".into(),
        })
        .collect();
    names.join(", ")
}

/// The one entry (among the first [`MAX_PLATFORMS`]) of the spec's platform; none, or more
/// than one (ambiguous without a variant), is a failed check listing the index's platforms.
fn one_entry<'d>(
    doc: &'d ManifestDoc,
    spec: &PlatformSpec,
    expected: &str,
) -> Result<&'d Descriptor, Check> {
    let hits: Vec<&Descriptor> = doc
        .manifests
        .iter()
        .take(MAX_PLATFORMS)
        .filter(|d| d.platform.as_ref().is_some_and(|p| spec.matches(p)))
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        [] => Err(fail(expected, format!("the index lists {}", listed(doc)))),
        many => Err(fail(
            expected,
            format!(
                "{} entries match {spec} (the index lists {}): give the variant",
                many.len(),
                listed(doc)
            ),
        )),
    }
}

/// The entry's digest, parsed, and never the index's own; otherwise a failed check.
fn entry_digest(
    entry: &Descriptor,
    index: &Digest,
    spec: &PlatformSpec,
    expected: &str,
) -> Result<Digest, Check> {
    let digest: Digest = entry.digest.parse().map_err(|e| {
        fail(
            expected,
            format!("the {spec} entry's digest {:?}: {e}", entry.digest),
        )
    })?;
    if &digest == index {
        return Err(fail(
            expected,
            format!("the {spec} entry names the index itself ({index})"),
        ));
    }
    Ok(digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_parse_with_and_without_variant_and_bad_ones_are_refused() {
        let p: PlatformSpec = "linux/arm64/v8".parse().unwrap();
        assert_eq!(p.variant.as_deref(), Some("v8"));
        assert_eq!(p.to_string(), "linux/arm64/v8");
        let p: PlatformSpec = "linux/amd64".parse().unwrap();
        assert_eq!((p.os.as_str(), p.architecture.as_str()), ("linux", "amd64"));
        for bad in ["linux", "linux/", "/amd64", "a/b/c/d", "linux/am d64", ""] {
            let e = bad.parse::<PlatformSpec>().unwrap_err();
            assert!(e.contains("os/arch"), "{bad}: {e}");
        }
    }
}
