//! Profiles: where a project publishes its releases, who signs them, and what kakunin requires.
//!
//! A profile is the policy `kakunin verify` enforces for one project. It is written in YAML (see
//! `docs/profile.md`). Parse, don't validate: the document is read into the [`raw::RawProfile`]
//! serde model (unknown fields rejected: a typo never silently weakens a policy), then converted
//! into a [`Profile`] whose fields are private and whose parts can only hold valid values
//! ([`parts`]: name templates that use only the placeholders they may, `owner/repo` names,
//! image repositories, http(s) URLs), with every requirement that needs an input (a `.prov`
//! keyring) given one and relative paths resolved. Nothing changes a profile once built. The
//! reference project, GomenHashai, is built in ([`Profile::gomenhashai`]): an embedded document
//! parsed the same way.
//!
//! Name templates use `{chart}` (the chart name), `{version}` (the chart version), `{tag}` (the
//! image release tag, i.e. the chart's `appVersion`, e.g. `v1.3.1`) and `{repository}` (a
//! GitHub `owner/repo` from `signers.repositories`, in identities only).

pub mod parts;
pub mod raw;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::limits;

pub use parts::{
    HelmRepository, HttpUrl, ImageRepository, OwnerRepo, Placeholders, Rejected, Template, Vars,
    expand,
};
use raw::{RawChartAssets, RawGitHubReleases, RawImageAssets, RawImagePolicy, RawProfile};
use raw::{RawRequirements, RawSigners};

/// Largest profile file accepted.
pub const MAX_PROFILE_BYTES: u64 = 256 * 1024;

/// Why a profile cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("profile {path} is not a valid profile: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("profile {path}: required field{} missing: {}", if missing.len() == 1 { " is" } else { "s are" }, missing.join(", "))]
    Missing {
        path: PathBuf,
        missing: Vec<&'static str>,
    },
    #[error("profile {path}: {field}: expected {expected}, found {found:?}")]
    Invalid {
        path: PathBuf,
        field: &'static str,
        expected: String,
        found: String,
    },
    #[error(
        "no built-in profile for chart {found:?}: expected one of {expected} (or --profile FILE)"
    )]
    NoBuiltin { expected: String, found: String },
}

/// A project's release policy, valid by construction ([`Profile::from_raw`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    chart: String,
    helm_repository: HelmRepository,
    github: Releases,
    image: Images,
    signers: Signers,
    require: Requirements,
}

/// Release assets in GitHub's layout: `<base_url>/<repository>/releases/download/<tag>/<asset>`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Releases {
    base_url: HttpUrl,
    repository: OwnerRepo,
    chart_release_tag: Template,
    chart_assets: AssetTemplates,
    image_release_tag: Template,
    image_bundle: Template,
    image_envelope: Template,
}

/// A chart release's asset name templates.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AssetTemplates {
    package: Template,
    prov: Template,
    bundle: Template,
    envelope: Template,
}

/// The images a chart may deploy, and where their registries are reached.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Images {
    repositories: Vec<ImageRepository>,
    /// Registry host (no `/`) → the URL it is served at.
    mirrors: BTreeMap<String, HttpUrl>,
}

/// Who signs, and the trusted root their signatures chain to.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Signers {
    issuer: HttpUrl,
    repositories: Vec<OwnerRepo>,
    chart_identity: Template,
    image_identity: Template,
    trusted_root: RootChoice,
}

/// What a release must include; a required `.prov` always has its keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirements {
    sigstore_bundles: bool,
    prov: bool,
    prov_keyring: Option<PathBuf>,
    registry_attestation: bool,
    allow_prerelease: bool,
    allow_unpinned_image: bool,
}

impl Requirements {
    /// The chart and the image release carry Sigstore bundles (and `.intoto.jsonl` files).
    pub fn sigstore_bundles(&self) -> bool {
        self.sigstore_bundles
    }
    /// The chart carries a Helm `.prov` that verifies with [`Requirements::prov_keyring`].
    pub fn prov(&self) -> bool {
        self.prov
    }
    /// The PGP keyring `.prov` files are verified with (always given when `.prov` is required).
    pub fn prov_keyring(&self) -> Option<&Path> {
        self.prov_keyring.as_deref()
    }
    /// The image carries a Sigstore attestation in its registry (referrer or fallback tag).
    pub fn registry_attestation(&self) -> bool {
        self.registry_attestation
    }
    /// Pre-release versions of chart and image are acceptable.
    pub fn allow_prerelease(&self) -> bool {
        self.allow_prerelease
    }
    /// A chart that pins no image digest may be resolved through its tag.
    pub fn allow_unpinned_image(&self) -> bool {
        self.allow_unpinned_image
    }
}

/// Asset names of a chart release (rendered for one version).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartAssets {
    pub package: String,
    pub prov: String,
    pub bundle: String,
    pub envelope: String,
}

/// Asset names of an image release (rendered for one tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageAssets {
    pub bundle: String,
    pub envelope: String,
}

/// GitHub Actions' OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The trusted root a profile names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootChoice {
    /// One of kakunin's embedded roots, by name (`public-good`, `staging`, `github`).
    Embedded(String),
    /// A trusted_root.json file.
    File(PathBuf),
}

impl RootChoice {
    /// The root a profile's `signers.trusted_root` names.
    pub fn named(s: &str) -> RootChoice {
        if EMBEDDED_ROOTS.contains(&s) {
            RootChoice::Embedded(s.to_string())
        } else {
            RootChoice::File(PathBuf::from(s))
        }
    }
}

impl std::fmt::Display for RootChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RootChoice::Embedded(name) => f.write_str(name),
            RootChoice::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Names of the embedded roots a profile may name.
pub const EMBEDDED_ROOTS: &[&str] = &["public-good", "staging", "github"];

/// How a profile names a file (`require.prov_keyring`, `signers.trusted_root`, by field): the
/// path to use for it, or why it may not be named.
pub type FileRule<'a, E> = &'a dyn Fn(&'static str, &Path) -> Result<PathBuf, E>;

/// The rule of a profile that is not in a file: paths are used as written.
fn as_written(_: &'static str, p: &Path) -> Result<PathBuf, ProfileError> {
    Ok(p.to_path_buf())
}

impl TryFrom<RawProfile> for Profile {
    type Error = ProfileError;

    /// A profile built in memory: errors name it `<profile>`, paths are used as written.
    fn try_from(raw: RawProfile) -> Result<Profile, ProfileError> {
        Profile::from_raw(raw, Path::new("<profile>"), &as_written)
    }
}

impl Profile {
    /// The built-in profile of the reference project, GomenHashai, which moved from the
    /// `marcantoineraymond` owner to `gomenhashai` (at chart 1.3.1): the release section of
    /// the embedded policy document `src/policy/gomenhashai.yaml`, parsed as every policy is.
    pub fn gomenhashai() -> Profile {
        crate::policy::Policy::builtin("gomenhashai")
            .ok()
            .and_then(|p| p.release().cloned())
            .expect("the embedded gomenhashai policy has a release section (a test parses it)")
    }

    /// The built-in profile for a chart name, if kakunin ships one.
    pub fn builtin(chart: &str) -> Result<Profile, ProfileError> {
        match chart {
            "gomenhashai" => Ok(Profile::gomenhashai()),
            other => Err(ProfileError::NoBuiltin {
                expected: "gomenhashai".into(),
                found: other.into(),
            }),
        }
    }

    /// Reads, parses and converts a profile file (YAML; JSON is YAML too). Relative paths in
    /// it (trusted root, keyring) are resolved against the file's directory.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let bytes = limits::read_file_capped(path, MAX_PROFILE_BYTES).map_err(|source| {
            ProfileError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let raw = parse_raw(&bytes, path)?;
        Profile::from_raw(raw, path, &|_, p| Ok::<_, ProfileError>(dir.join(p)))
    }

    /// Parses and converts a profile from bytes (`origin` names it in errors); paths are used
    /// as written.
    pub fn parse(bytes: &[u8], origin: &Path) -> Result<Profile, ProfileError> {
        Profile::from_raw(parse_raw(bytes, origin)?, origin, &as_written)
    }

    /// Converts a raw profile, checking what serde cannot: URLs, templates, names, and
    /// requirements' inputs, in that order (the first problem is the error, naming `origin`);
    /// then the files it names become the paths `file` gives for them (relative paths
    /// resolved against a profile's or policy's directory, or refused in an embedded
    /// document).
    pub fn from_raw<E: From<ProfileError>>(
        raw: RawProfile,
        origin: &Path,
        file: FileRule<'_, E>,
    ) -> Result<Profile, E> {
        let profile = build(raw).map_err(|e| e.at(origin))?;
        profile.with_files(file)
    }

    /// This profile with its files' paths given by `file` (the last step of construction).
    fn with_files<E>(self, file: FileRule<'_, E>) -> Result<Profile, E> {
        let Profile {
            chart,
            helm_repository,
            github,
            image,
            mut signers,
            mut require,
        } = self;
        if let Some(k) = require.prov_keyring.take() {
            require.prov_keyring = Some(file("require.prov_keyring", &k)?);
        }
        if let RootChoice::File(f) = &signers.trusted_root {
            signers.trusted_root = RootChoice::File(file("signers.trusted_root", f)?);
        }
        Ok(Profile {
            chart,
            helm_repository,
            github,
            image,
            signers,
            require,
        })
    }

    /// This profile, requiring a `.prov` verified with `keyring` (`verify --keyring`): a new
    /// profile, built through the same conversion, not a change to this one.
    pub fn with_prov_keyring(&self, keyring: PathBuf) -> Result<Profile, ProfileError> {
        let mut raw = self.to_raw();
        raw.require.prov = true;
        raw.require.prov_keyring = Some(keyring);
        Profile::try_from(raw)
    }

    /// The profile as written: what [`Profile::to_yaml`] prints, and what a test edits to
    /// build another profile (converted again, through every check).
    pub fn to_raw(&self) -> RawProfile {
        let (gh, s, r) = (&self.github, &self.signers, &self.require);
        let text = |t: &Template| t.as_str().to_string();
        RawProfile {
            chart: self.chart.clone(),
            helm_repository: self.helm_repository.to_string(),
            github: RawGitHubReleases {
                base_url: gh.base_url.to_string(),
                repository: gh.repository.to_string(),
                chart_release_tag: text(&gh.chart_release_tag),
                chart_assets: RawChartAssets {
                    package: text(&gh.chart_assets.package),
                    prov: text(&gh.chart_assets.prov),
                    bundle: text(&gh.chart_assets.bundle),
                    envelope: text(&gh.chart_assets.envelope),
                },
                image_release_tag: text(&gh.image_release_tag),
                image_assets: RawImageAssets {
                    bundle: text(&gh.image_bundle),
                    envelope: text(&gh.image_envelope),
                },
            },
            image: RawImagePolicy {
                repositories: self
                    .image
                    .repositories
                    .iter()
                    .map(|i| i.to_string())
                    .collect(),
                mirrors: self.registry_mirrors(),
            },
            signers: RawSigners {
                issuer: s.issuer.to_string(),
                repositories: s.repositories.iter().map(|o| o.to_string()).collect(),
                chart_identity: text(&s.chart_identity),
                image_identity: text(&s.image_identity),
                trusted_root: s.trusted_root.to_string(),
            },
            require: RawRequirements {
                sigstore_bundles: r.sigstore_bundles,
                prov: r.prov,
                prov_keyring: r.prov_keyring.clone(),
                registry_attestation: r.registry_attestation,
                allow_prerelease: r.allow_prerelease,
                allow_unpinned_image: r.allow_unpinned_image,
            },
        }
    }

    /// The profile as YAML (for `docs/profile.md` and `kakunin profile show`-style output).
    pub fn to_yaml(&self) -> String {
        self.to_raw().to_yaml()
    }
}

/// What a profile says, and the names and URLs it gives for a release.
impl Profile {
    /// The chart's name in the Helm repository.
    pub fn chart(&self) -> &str {
        &self.chart
    }

    /// The Helm repository (a URL, or a path to a local `index.yaml`).
    pub fn helm_repository(&self) -> &HelmRepository {
        &self.helm_repository
    }

    /// The server release assets are downloaded from (`https://github.com`, or one in the same
    /// layout).
    pub fn github_base_url(&self) -> &HttpUrl {
        &self.github.base_url
    }

    /// The `owner/repo` whose releases hold the assets.
    pub fn github_repository(&self) -> &OwnerRepo {
        &self.github.repository
    }

    /// The image repositories the project publishes to.
    pub fn image_repositories(&self) -> &[ImageRepository] {
        &self.image.repositories
    }

    /// The image repositories, joined by `sep` (for messages).
    pub fn image_repositories_joined(&self, sep: &str) -> String {
        let names: Vec<&str> = self.image.repositories.iter().map(|r| r.as_str()).collect();
        names.join(sep)
    }

    /// Registry host → the URL it is served at (a mirror or a test registry).
    pub fn registry_mirrors(&self) -> BTreeMap<String, String> {
        let mirrors = self.image.mirrors.iter();
        mirrors.map(|(h, u)| (h.clone(), u.to_string())).collect()
    }

    /// The OIDC issuer of every signing certificate.
    pub fn issuer(&self) -> &str {
        self.signers.issuer.as_str()
    }

    /// The GitHub `owner/repo` names the project has published from.
    pub fn signer_repositories(&self) -> &[OwnerRepo] {
        &self.signers.repositories
    }

    /// The image workflow's certificate identity template (`{repository}`, `{tag}`).
    pub fn image_identity(&self) -> &Template {
        &self.signers.image_identity
    }

    /// What a release must include.
    pub fn require(&self) -> &Requirements {
        &self.require
    }

    /// Every URL the profile makes kakunin request, with its field: the Helm repository (when
    /// it is a URL), `github.base_url` and each of `image.mirrors`.
    pub fn request_urls(&self) -> Vec<(&'static str, &str)> {
        let mut urls = Vec::new();
        if self.helm_repository.as_str().contains("://") {
            urls.push(("helm_repository", self.helm_repository.as_str()));
        }
        urls.push(("github.base_url", self.github.base_url.as_str()));
        for url in self.image.mirrors.values() {
            urls.push(("image.mirrors", url.as_str()));
        }
        urls
    }

    /// The trusted root the profile names.
    pub fn root_choice(&self) -> RootChoice {
        self.signers.trusted_root.clone()
    }

    /// The chart's release tag for a version.
    pub fn chart_release_tag(&self, version: &str) -> String {
        self.github
            .chart_release_tag
            .render(&self.chart_vars(version))
    }

    /// The image's release tag for an appVersion.
    pub fn image_release_tag(&self, tag: &str) -> String {
        self.github.image_release_tag.render(&self.image_vars(tag))
    }

    fn chart_vars<'a>(&'a self, version: &'a str) -> Vars<'a> {
        Vars {
            chart: &self.chart,
            version,
            ..Vars::default()
        }
    }

    fn image_vars<'a>(&'a self, tag: &'a str) -> Vars<'a> {
        Vars {
            chart: &self.chart,
            tag,
            ..Vars::default()
        }
    }

    /// URL of a release asset in GitHub's layout.
    pub fn asset_url(&self, release_tag: &str, asset: &str) -> String {
        format!(
            "{}/{}/releases/download/{}/{}",
            self.github.base_url.as_str().trim_end_matches('/'),
            self.github.repository,
            release_tag,
            asset
        )
    }

    /// A chart release's asset names: (package, prov, bundle, envelope).
    pub fn chart_asset_names(&self, version: &str) -> ChartAssets {
        let v = self.chart_vars(version);
        let a = &self.github.chart_assets;
        ChartAssets {
            package: a.package.render(&v),
            prov: a.prov.render(&v),
            bundle: a.bundle.render(&v),
            envelope: a.envelope.render(&v),
        }
    }

    /// An image release's asset names.
    pub fn image_asset_names(&self, tag: &str) -> ImageAssets {
        let v = self.image_vars(tag);
        ImageAssets {
            bundle: self.github.image_bundle.render(&v),
            envelope: self.github.image_envelope.render(&v),
        }
    }

    /// Every certificate identity that may have signed a chart release.
    pub fn chart_identities(&self) -> Vec<String> {
        self.identities(&self.signers.chart_identity, "")
    }

    /// Every certificate identity that may have signed the image release `tag`.
    pub fn image_identities(&self, tag: &str) -> Vec<String> {
        self.identities(&self.signers.image_identity, tag)
    }

    /// `identity` rendered for each of the project's repositories (a chart identity has no
    /// `{tag}`: its template was refused at construction if it named one).
    fn identities(&self, identity: &Template, tag: &str) -> Vec<String> {
        self.signers
            .repositories
            .iter()
            .map(|r| {
                identity.render(&Vars {
                    repository: r.as_str(),
                    tag,
                    ..Vars::default()
                })
            })
            .collect()
    }

    /// Whether `repository` (as a chart names it) is one of the project's image repositories.
    /// Compared exactly: OCI repositories are lower case, and an upper-case one is not valid.
    pub fn is_project_image(&self, repository: &str) -> bool {
        self.image
            .repositories
            .iter()
            .any(|r| r.as_str() == repository)
    }

    /// The base URL to reach a registry host at: its mirror if the profile names one, else
    /// `https://<host>`.
    pub fn registry_url(&self, host: &str) -> String {
        self.image
            .mirrors
            .get(host)
            .map(|u| u.as_str().trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("https://{host}"))
    }
}

/// A field that is not what it must be: the field, what was expected, what was found.
struct Invalid {
    field: &'static str,
    expected: String,
    found: String,
}

impl Invalid {
    fn new(field: &'static str, expected: &str, found: &str) -> Invalid {
        Invalid {
            field,
            expected: expected.into(),
            found: found.into(),
        }
    }

    /// The error, naming the profile it is in.
    fn at(self, origin: &Path) -> ProfileError {
        ProfileError::Invalid {
            path: origin.to_path_buf(),
            field: self.field,
            expected: self.expected,
            found: self.found,
        }
    }
}

/// A part's rejection, in the field it was given for.
fn field<T>(field: &'static str, part: Result<T, Rejected>) -> Result<T, Invalid> {
    part.map_err(|r| Invalid {
        field,
        expected: r.expected,
        found: r.found,
    })
}

/// The conversion: each check in the order the profile's sections are documented (the
/// locations, the name templates, the image, the signers, the requirements).
fn build(raw: RawProfile) -> Result<Profile, Invalid> {
    let RawProfile {
        chart,
        helm_repository,
        github,
        image,
        signers,
        require,
    } = raw;
    if !valid_chart_name(&chart) {
        let expected = "a chart name (lower-case letters, digits, `-`)";
        return Err(Invalid::new("chart", expected, &chart));
    }
    let helm_repository = field("helm_repository", HelmRepository::new(&helm_repository))?;
    let base_url = field("github.base_url", HttpUrl::new(&github.base_url))?;
    let repository = field("github.repository", OwnerRepo::new(&github.repository))?;
    let github = releases(github, base_url, repository)?;
    let image_identity = &signers.image_identity;
    let image_identity = field(
        "signers.image_identity",
        Template::new(image_identity, Placeholders::IMAGE_IDENTITY),
    )?;
    let chart_identity = field(
        "signers.chart_identity",
        Template::new(&signers.chart_identity, Placeholders::CHART_IDENTITY),
    )?;
    let image = images(image)?;
    let signers = Signers {
        repositories: signer_repositories(&signers.repositories)?,
        issuer: field("signers.issuer", HttpUrl::new(&signers.issuer))?,
        chart_identity,
        image_identity,
        trusted_root: RootChoice::named(&signers.trusted_root),
    };
    Ok(Profile {
        chart,
        helm_repository,
        github,
        image,
        signers,
        require: requirements(require)?,
    })
}

/// The release section's name templates (their locations already checked).
fn releases(
    raw: RawGitHubReleases,
    base_url: HttpUrl,
    repository: OwnerRepo,
) -> Result<Releases, Invalid> {
    let (chart, image) = (Placeholders::CHART_NAME, Placeholders::IMAGE_NAME);
    let a = &raw.chart_assets;
    let t = |name, text: &str, allowed| field(name, Template::new(text, allowed));
    Ok(Releases {
        base_url,
        repository,
        chart_release_tag: t("github.chart_release_tag", &raw.chart_release_tag, chart)?,
        chart_assets: AssetTemplates {
            package: t("github.chart_assets.package", &a.package, chart)?,
            prov: t("github.chart_assets.prov", &a.prov, chart)?,
            bundle: t("github.chart_assets.bundle", &a.bundle, chart)?,
            envelope: t("github.chart_assets.envelope", &a.envelope, chart)?,
        },
        image_release_tag: t("github.image_release_tag", &raw.image_release_tag, image)?,
        image_bundle: t(
            "github.image_assets.bundle",
            &raw.image_assets.bundle,
            image,
        )?,
        image_envelope: t(
            "github.image_assets.envelope",
            &raw.image_assets.envelope,
            image,
        )?,
    })
}

/// At least one image repository, each an OCI repository; mirrors are host → URL.
fn images(raw: RawImagePolicy) -> Result<Images, Invalid> {
    let field_name = "image.repositories";
    if raw.repositories.is_empty() {
        let expected = "at least one image repository";
        return Err(Invalid::new(field_name, expected, "none"));
    }
    let repositories = raw
        .repositories
        .iter()
        .map(|r| field(field_name, ImageRepository::new(r)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut mirrors = BTreeMap::new();
    for (host, url) in raw.mirrors {
        let url = field("image.mirrors", HttpUrl::new(&url))?;
        if host.contains('/') {
            return Err(Invalid::new("image.mirrors", "a registry host", &host));
        }
        mirrors.insert(host, url);
    }
    Ok(Images {
        repositories,
        mirrors,
    })
}

/// At least one signing repository, each `owner/repo`.
fn signer_repositories(raw: &[String]) -> Result<Vec<OwnerRepo>, Invalid> {
    let name = "signers.repositories";
    if raw.is_empty() {
        return Err(Invalid::new(name, "at least one owner/repo", "none"));
    }
    raw.iter().map(|r| field(name, OwnerRepo::new(r))).collect()
}

/// Every requirement that needs an input has one.
fn requirements(raw: RawRequirements) -> Result<Requirements, Invalid> {
    if raw.prov && raw.prov_keyring.is_none() {
        let expected = "a keyring when require.prov is true";
        return Err(Invalid::new("require.prov_keyring", expected, "none"));
    }
    Ok(Requirements {
        sigstore_bundles: raw.sigstore_bundles,
        prov: raw.prov,
        prov_keyring: raw.prov_keyring,
        registry_attestation: raw.registry_attestation,
        allow_prerelease: raw.allow_prerelease,
        allow_unpinned_image: raw.allow_unpinned_image,
    })
}

fn valid_chart_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 250
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// The fields a profile must give (every other one has a default, docs/profile.md).
pub const REQUIRED_FIELDS: &[&str] = &[
    "chart",
    "helm_repository",
    "github.repository",
    "github.image_assets.bundle",
    "github.image_assets.envelope",
    "image.repositories",
    "signers.repositories",
    "signers.chart_identity",
    "signers.image_identity",
];

/// Parses a profile document into the raw model (`origin` names it in errors); every required
/// field it lacks is named at once, and a key twice in one mapping is refused (serde's derived
/// structs catch it for struct fields only; the untyped tree for maps such as `image.mirrors`).
pub fn parse_raw(bytes: &[u8], origin: &Path) -> Result<RawProfile, ProfileError> {
    let parse = |message: String| ProfileError::Parse {
        path: origin.to_path_buf(),
        message,
    };
    let text = std::str::from_utf8(bytes).map_err(|e| parse(format!("not UTF-8: {e}")))?;
    let tree = serde_norway::from_str::<serde_norway::Value>(text);
    // serde stops at the first missing field; the required ones are all named at once.
    let missing = tree.as_ref().map(missing_required).unwrap_or_default();
    match serde_norway::from_str(text) {
        // What the typed parse accepts and the tree refuses is a key given twice.
        Ok(raw) => tree.map(|_| raw).map_err(|e| parse(e.to_string())),
        Err(e) if !missing.is_empty() && e.to_string().contains("missing field") => {
            Err(ProfileError::Missing {
                path: origin.to_path_buf(),
                missing,
            })
        }
        Err(e) => {
            let mut message = e.to_string();
            if !missing.is_empty() {
                message += &format!("; required and missing: {}", missing.join(", "));
            }
            Err(parse(message))
        }
    }
}

/// Every required field the document lacks, all at once (serde stops at the first). A
/// document that is not a YAML mapping is left to the typed parse, which says so.
fn missing_required(tree: &serde_norway::Value) -> Vec<&'static str> {
    if !tree.is_mapping() {
        return Vec::new();
    }
    REQUIRED_FIELDS
        .iter()
        .copied()
        .filter(|field| {
            let mut node = Some(tree);
            for part in field.split('.') {
                node = node.and_then(|n| n.get(part));
            }
            node.is_none_or(|n| n.is_null())
        })
        .collect()
}
