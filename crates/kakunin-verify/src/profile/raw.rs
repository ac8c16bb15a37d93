//! The profile file as written: serde structs with every default the format has and unknown
//! fields refused. Nothing here is trusted; a [`super::Profile`] is built from a [`RawProfile`]
//! (`TryFrom`, [`super::Profile::from_raw`]), which is where every rule is checked. A profile is
//! written back out through this model too ([`super::Profile::to_raw`]), so what kakunin prints
//! of a profile is what it parses.
//!
//! The serde names (`rename`) are the profile's parts' names, so a parse error reads as it
//! always has ("expected struct GitHubReleases").

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// A whole profile document (docs/profile.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Profile", deny_unknown_fields)]
pub struct RawProfile {
    /// The chart's name in the Helm repository.
    pub chart: String,
    /// The Helm repository: a URL whose `index.yaml` lists the chart (or a path to a local
    /// `index.yaml`).
    pub helm_repository: String,
    /// Where release assets are downloaded, and how they are named.
    pub github: RawGitHubReleases,
    /// The image the chart deploys.
    pub image: RawImagePolicy,
    /// Who must have signed what, and which Sigstore instance is trusted.
    pub signers: RawSigners,
    /// What a release must include to be verified.
    #[serde(default)]
    pub require: RawRequirements,
}

/// Release assets in GitHub's layout: `<base_url>/<repository>/releases/download/<tag>/<asset>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "GitHubReleases", deny_unknown_fields)]
pub struct RawGitHubReleases {
    /// `https://github.com`, or a GitHub Enterprise server, or a mirror in the same layout.
    #[serde(default = "default_github_base")]
    pub base_url: String,
    /// `owner/repo` whose releases hold the assets.
    pub repository: String,
    /// The chart's release tag (`{chart}-{version}`).
    #[serde(default = "default_chart_tag")]
    pub chart_release_tag: String,
    #[serde(default)]
    pub chart_assets: RawChartAssets,
    /// The image's release tag (`{tag}`: the appVersion itself).
    #[serde(default = "default_image_tag")]
    pub image_release_tag: String,
    pub image_assets: RawImageAssets,
}

/// Asset name templates of a chart release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ChartAssets", deny_unknown_fields, default)]
pub struct RawChartAssets {
    pub package: String,
    pub prov: String,
    pub bundle: String,
    pub envelope: String,
}

impl Default for RawChartAssets {
    fn default() -> Self {
        RawChartAssets {
            package: "{chart}-{version}.tgz".into(),
            prov: "{chart}-{version}.tgz.prov".into(),
            bundle: "{chart}-{version}.sigstore".into(),
            envelope: "{chart}-{version}.intoto.jsonl".into(),
        }
    }
}

/// Asset name templates of an image release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ImageAssets", deny_unknown_fields)]
pub struct RawImageAssets {
    /// e.g. `GomenHashai-{tag}.sigstore`.
    pub bundle: String,
    /// e.g. `GomenHashai-{tag}.intoto.jsonl`.
    pub envelope: String,
}

/// The image a chart may deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ImagePolicy", deny_unknown_fields)]
pub struct RawImagePolicy {
    /// Image repositories the project publishes to (`ghcr.io/owner/name`), all its owners'.
    pub repositories: Vec<String>,
    /// Registry hosts served from somewhere else (`ghcr.io: http://127.0.0.1:5000`): a mirror
    /// or a test registry. Digests are still checked against the chart's pins.
    #[serde(default)]
    pub mirrors: BTreeMap<String, String>,
}

/// Who signs, and the trusted root their signatures chain to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Signers", deny_unknown_fields)]
pub struct RawSigners {
    /// The OIDC issuer of every signing certificate.
    #[serde(default = "default_issuer")]
    pub issuer: String,
    /// GitHub `owner/repo` names the project has published from (a project that moved has
    /// several; GitHub compares them case-insensitively, and so does kakunin).
    pub repositories: Vec<String>,
    /// The chart workflow's certificate identity (SAN) template.
    pub chart_identity: String,
    /// The image workflow's certificate identity (SAN) template.
    pub image_identity: String,
    /// `public-good` (embedded), `github` (embedded, GitHub's instance) or a path to a
    /// trusted_root.json (relative to the profile file).
    #[serde(default = "default_root")]
    pub trusted_root: String,
}

/// What a release must include.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Requirements", deny_unknown_fields, default)]
pub struct RawRequirements {
    /// The chart and the image release carry Sigstore bundles (and `.intoto.jsonl` files).
    pub sigstore_bundles: bool,
    /// The chart carries a Helm `.prov` that verifies with `prov_keyring`.
    pub prov: bool,
    /// The PGP keyring (armored or binary) `.prov` files are verified with.
    pub prov_keyring: Option<PathBuf>,
    /// The image carries a Sigstore attestation in its registry (referrer or fallback tag).
    pub registry_attestation: bool,
    /// Pre-release versions of chart and image are acceptable.
    pub allow_prerelease: bool,
    /// A chart that pins no image digest may be resolved through its tag (reported as such);
    /// otherwise such a chart fails `image.reference`.
    pub allow_unpinned_image: bool,
}

impl Default for RawRequirements {
    fn default() -> Self {
        RawRequirements {
            sigstore_bundles: true,
            prov: false,
            prov_keyring: None,
            registry_attestation: true,
            allow_prerelease: false,
            allow_unpinned_image: false,
        }
    }
}

impl RawProfile {
    /// The document as YAML (fields in the order docs/profile.md gives them).
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).expect("a profile serialises")
    }
}

fn default_github_base() -> String {
    "https://github.com".into()
}
fn default_chart_tag() -> String {
    "{chart}-{version}".into()
}
fn default_image_tag() -> String {
    "{tag}".into()
}
fn default_issuer() -> String {
    super::GITHUB_ACTIONS_ISSUER.into()
}
fn default_root() -> String {
    "public-good".into()
}
