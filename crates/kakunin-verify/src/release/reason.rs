//! Why a check of a release could not run: an enum, rendered as the report's `found`.
//!
//! Guarantees: every not-run check of a release says why through a [`CouldNotRun`] (the
//! rendered messages are the report's, unchanged), so a reason is a value the code can match on,
//! never a string assembled at the call site.

use std::fmt;
use std::sync::Arc;

use crate::chart::index::IndexError;

use super::Missing;

/// Why a check could not run (or, for a prerequisite, why what it needs is not known).
#[derive(Debug, Clone)]
pub enum CouldNotRun {
    /// A piece of evidence could not be obtained, or was served wrong.
    Missing(Missing),
    /// The index has no usable entry for the release.
    Index(Arc<IndexError>),
    /// The package was obtained but is not a chart package (`source`, why).
    NotAChart { source: String, why: String },
    /// No `.prov` keyring was loaded.
    NoKeyring,
    /// The `.prov` was not gathered.
    ProvNotGathered,
    /// The chart package could not be obtained.
    NoPackage,
    /// A release bundle has no identity to be checked against.
    NoIdentity,
    /// The identities could not be made a matcher.
    IdentityMatcher(String),
    /// The bundle did not verify: its envelope is not signed.
    BundleNotVerified,
    /// The verified bundle has no DSSE envelope.
    NoEnvelope,
    /// Its bundle did not verify: its statement is not trusted.
    StatementNotTrusted,
    /// The chart names none of the project's images.
    NoProjectImage,
    /// The chart names none of the project's images: what it names instead.
    NoProjectImageOf(String),
    /// The chart's image reference is not a valid reference.
    InvalidImageReference(String),
    /// The chart's image repository is not one of the project's.
    NotProjectRepository,
    /// The pinned digest is not a sha256 digest.
    DigestNotSha256,
    /// The pinned digest does not parse.
    DigestInvalid,
    /// The chart pins no digest (and the profile does not allow resolving by tag).
    Unpinned,
    /// There is no image digest to look attestations up by.
    NoImageDigest,
    /// There is no image digest (the pinned one is unknown).
    NoDigest,
    /// There is no image tag.
    NoImageTag,
    /// The chart's image tag is not known, because of the inner reason.
    ImageTagUnknown(Box<CouldNotRun>),
    /// The chart package was read, but these checks binding its digest did not pass: nothing
    /// it names is trusted.
    ChartNotVerified(Vec<&'static str>),
}

impl fmt::Display for CouldNotRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CouldNotRun::Missing(m) => write!(f, "{m}"),
            CouldNotRun::Index(e) => write!(f, "{e}"),
            CouldNotRun::NotAChart { source, why } => {
                write!(f, "{source} is not a chart package: {why}")
            }
            CouldNotRun::NoKeyring => f.write_str("no keyring was loaded"),
            CouldNotRun::ProvNotGathered => f.write_str("the .prov was not gathered"),
            CouldNotRun::NoPackage => f.write_str("the chart package could not be obtained"),
            CouldNotRun::NoIdentity => {
                f.write_str("no identity to expect: the image tag is unknown")
            }
            CouldNotRun::IdentityMatcher(e) => f.write_str(e),
            CouldNotRun::BundleNotVerified => f.write_str(
                "the bundle did not verify, so there is no signed DSSE envelope to compare with",
            ),
            CouldNotRun::NoEnvelope => {
                f.write_str("the bundle has no DSSE envelope to compare with")
            }
            CouldNotRun::StatementNotTrusted => {
                f.write_str("its bundle did not verify, so its statement is not trusted")
            }
            CouldNotRun::NoProjectImage => {
                f.write_str("the chart names none of the project's images")
            }
            CouldNotRun::NoProjectImageOf(found) => {
                write!(f, "the chart names none of the project's images ({found})")
            }
            CouldNotRun::InvalidImageReference(e) => {
                write!(f, "the image reference is not valid: {e}")
            }
            CouldNotRun::NotProjectRepository => {
                f.write_str("the image repository is not the project's")
            }
            CouldNotRun::DigestNotSha256 => f.write_str("the pinned digest is not sha256"),
            CouldNotRun::DigestInvalid => f.write_str("the pinned digest is not valid"),
            CouldNotRun::Unpinned => f.write_str("the chart pins no image digest"),
            CouldNotRun::NoImageDigest => f.write_str("no image digest to look attestations up by"),
            CouldNotRun::NoDigest => f.write_str("no image digest"),
            CouldNotRun::NoImageTag => f.write_str("no image tag"),
            CouldNotRun::ImageTagUnknown(why) => {
                write!(f, "the chart's image tag is not known: {why}")
            }
            CouldNotRun::ChartNotVerified(ids) => write!(
                f,
                "the chart package is not verified ({} did not pass), so the image it names is not trusted",
                ids.join(", ")
            ),
        }
    }
}

impl From<Missing> for CouldNotRun {
    fn from(m: Missing) -> CouldNotRun {
        CouldNotRun::Missing(m)
    }
}

impl From<CouldNotRun> for String {
    fn from(r: CouldNotRun) -> String {
        r.to_string()
    }
}
