//! The policy file as written: serde structs with every field optional where the format allows
//! it and unknown fields refused. Nothing here is trusted; [`super::Policy`] is built from a
//! [`RawPolicy`] by `TryFrom`, which is where every rule is checked.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::profile::raw::RawProfile;

/// A whole policy document (docs/policy.md).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// `public-good`, `staging`, `github`, or a path to a trusted_root.json (relative to the file).
    #[serde(default)]
    pub trusted_root: Option<String>,
    #[serde(default)]
    pub chart: Option<RawChartRule>,
    #[serde(default)]
    pub images: Vec<RawImageRule>,
    /// Image repositories (globs) deployed without verification, each reported as such.
    #[serde(default)]
    pub allow_unverified: Vec<String>,
    #[serde(default)]
    pub versions: Option<RawVersions>,
    /// Registry hosts served from somewhere else (`ghcr.io: http://127.0.0.1:5000`).
    #[serde(default)]
    pub mirrors: BTreeMap<String, String>,
    /// The reference project's layout: GitHub release assets and a Helm index (today's
    /// profile format, docs/profile.md).
    #[serde(default)]
    pub release: Option<RawProfile>,
}

/// What the chart must carry.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawChartRule {
    /// The chart's name (defaults to the release section's).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub signer: Option<RawSigner>,
    #[serde(default)]
    pub attestations: Vec<RawAttestation>,
    /// A Helm `.prov` is required and verifies with this PGP keyring.
    #[serde(default)]
    pub prov_keyring: Option<PathBuf>,
}

/// What an image (by repository glob) must carry.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawImageRule {
    pub repository: String,
    pub signer: Option<RawSigner>,
    #[serde(default)]
    pub attestations: Vec<RawAttestation>,
    /// A reference without a digest may be resolved through its tag (never a moving tag).
    #[serde(default)]
    pub resolve_by_tag: bool,
    /// The image's tag must be the chart's appVersion.
    #[serde(default)]
    pub tag_is_app_version: bool,
    /// The image's tag must be a SemVer release (`1.2.3` or `v1.2.3`).
    #[serde(default)]
    pub tag_semver: bool,
    /// A signature of the image is required (default true); `false` for a project that
    /// publishes attestations only (GitHub's `attest-build-provenance` with `push-to-registry`).
    #[serde(default)]
    pub signature: Option<bool>,
}

/// Who must have signed: one of `identity`/`identity_regexp` (with `issuer`), `github`, or
/// `key`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSigner {
    #[serde(default)]
    pub identity: Option<String>,
    #[serde(default)]
    pub identity_regexp: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub issuer_regexp: Option<String>,
    #[serde(default)]
    pub github: Option<RawGitHub>,
    /// A PEM public key file (relative to the policy file).
    #[serde(default)]
    pub key: Option<PathBuf>,
}

/// A GitHub Actions signer: the workflow of a repository, at a ref.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGitHub {
    /// `owner/repo` on github.com.
    pub repository: String,
    /// `.github/workflows/release.yaml`.
    #[serde(default)]
    pub workflow: Option<String>,
    /// `refs/tags/v1.2.3`, or a ref with `*` (`refs/tags/v*`).
    #[serde(rename = "ref", default)]
    pub source_ref: Option<String>,
}

/// An attestation that must be present, by predicate type, with SLSA claims.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAttestation {
    /// A full URI or a cosign short name (`slsaprovenance1`, `spdxjson`, …).
    pub predicate_type: String,
    #[serde(default)]
    pub slsa: Option<RawSlsa>,
}

/// SLSA claims an attestation's signing certificate must carry (Fulcio's GitHub claims).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawSlsa {
    #[serde(default)]
    pub source_repository: Option<String>,
    #[serde(default)]
    pub source_ref: Option<String>,
    #[serde(default)]
    pub workflow: Option<String>,
    #[serde(default)]
    pub source_commit: Option<String>,
}

/// Version rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersions {
    /// Pre-releases (`1.4.0-rc.1`) are acceptable.
    #[serde(default)]
    pub allow_prerelease: Option<bool>,
    /// Tags that move (never accepted as a tag to resolve); default `latest`, `main`, …
    #[serde(default)]
    pub moving_tags: Option<Vec<String>>,
}
