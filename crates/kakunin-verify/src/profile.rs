//! Profiles: where a project publishes its releases, who signs them, and what kakunin requires.
//!
//! A profile is the policy `kakunin verify` enforces for one project. It is written in YAML (see
//! `docs/profile.md`), parsed with unknown fields rejected (a typo never silently weakens a
//! policy), and validated before use: every URL parses, every name template uses only the
//! placeholders it may, and every requirement that needs an input (a `.prov` keyring) has one.
//! The reference project, GomenHashai, is built in ([`Profile::gomenhashai`]).
//!
//! Name templates use `{chart}` (the chart name), `{version}` (the chart version), `{tag}` (the
//! image release tag, i.e. the chart's `appVersion`, e.g. `v1.3.1`) and `{repository}` (a
//! GitHub `owner/repo` from `signers.repositories`, in identities only).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::limits;

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

/// A project's release policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// The chart's name in the Helm repository.
    pub chart: String,
    /// The Helm repository: a URL whose `index.yaml` lists the chart (or a path to a local
    /// `index.yaml`).
    pub helm_repository: String,
    /// Where release assets are downloaded, and how they are named.
    pub github: GitHubReleases,
    /// The image the chart deploys.
    pub image: ImagePolicy,
    /// Who must have signed what, and which Sigstore instance is trusted.
    pub signers: Signers,
    /// What a release must include to be verified.
    #[serde(default)]
    pub require: Requirements,
}

/// Release assets in GitHub's layout: `<base_url>/<repository>/releases/download/<tag>/<asset>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubReleases {
    /// `https://github.com`, or a GitHub Enterprise server, or a mirror in the same layout.
    #[serde(default = "default_github_base")]
    pub base_url: String,
    /// `owner/repo` whose releases hold the assets.
    pub repository: String,
    /// The chart's release tag (`{chart}-{version}`).
    #[serde(default = "default_chart_tag")]
    pub chart_release_tag: String,
    #[serde(default)]
    pub chart_assets: ChartAssets,
    /// The image's release tag (`{tag}`: the appVersion itself).
    #[serde(default = "default_image_tag")]
    pub image_release_tag: String,
    pub image_assets: ImageAssets,
}

/// Asset names of a chart release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChartAssets {
    pub package: String,
    pub prov: String,
    pub bundle: String,
    pub envelope: String,
}

impl Default for ChartAssets {
    fn default() -> Self {
        ChartAssets {
            package: "{chart}-{version}.tgz".into(),
            prov: "{chart}-{version}.tgz.prov".into(),
            bundle: "{chart}-{version}.sigstore".into(),
            envelope: "{chart}-{version}.intoto.jsonl".into(),
        }
    }
}

/// Asset names of an image release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageAssets {
    /// e.g. `GomenHashai-{tag}.sigstore`.
    pub bundle: String,
    /// e.g. `GomenHashai-{tag}.intoto.jsonl`.
    pub envelope: String,
}

/// The image a chart may deploy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagePolicy {
    /// Image repositories the project publishes to (`ghcr.io/owner/name`), all its owners'.
    pub repositories: Vec<String>,
    /// Registry hosts served from somewhere else (`ghcr.io: http://127.0.0.1:5000`): a mirror
    /// or a test registry. Digests are still checked against the chart's pins.
    #[serde(default)]
    pub mirrors: BTreeMap<String, String>,
}

/// Who signs, and the trusted root their signatures chain to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signers {
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
#[serde(deny_unknown_fields, default)]
pub struct Requirements {
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

impl Default for Requirements {
    fn default() -> Self {
        Requirements {
            sigstore_bundles: true,
            prov: false,
            prov_keyring: None,
            registry_attestation: true,
            allow_prerelease: false,
            allow_unpinned_image: false,
        }
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
    GITHUB_ACTIONS_ISSUER.into()
}
fn default_root() -> String {
    "public-good".into()
}

/// GitHub Actions' OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The values a name template may refer to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vars<'a> {
    pub chart: &'a str,
    pub version: &'a str,
    pub tag: &'a str,
    pub repository: &'a str,
}

/// Fills a template's placeholders.
pub fn expand(template: &str, vars: &Vars<'_>) -> String {
    template
        .replace("{chart}", vars.chart)
        .replace("{version}", vars.version)
        .replace("{tag}", vars.tag)
        .replace("{repository}", vars.repository)
}

/// Which placeholders a template uses that it may not (or that do not exist).
fn unknown_placeholders(template: &str, allowed: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            bad.push(after.to_string());
            break;
        };
        let name = &after[..close];
        if !allowed.contains(&name) {
            bad.push(format!("{{{name}}}"));
        }
        rest = &after[close + 1..];
    }
    bad
}

/// The trusted root a profile names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootChoice {
    /// One of kakunin's embedded roots, by name (`public-good`, `staging`, `github`).
    Embedded(String),
    /// A trusted_root.json file.
    File(PathBuf),
}

/// Names of the embedded roots a profile may name.
pub const EMBEDDED_ROOTS: &[&str] = &["public-good", "staging", "github"];

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

    /// Reads, parses and validates a profile file (YAML; JSON is YAML too). Relative paths in
    /// it (trusted root, keyring) are resolved against the file's directory.
    pub fn load(path: &Path) -> Result<Profile, ProfileError> {
        let bytes = limits::read_file_capped(path, MAX_PROFILE_BYTES).map_err(|source| {
            ProfileError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let mut profile = Profile::parse(&bytes, path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        if let RootChoice::File(f) = profile.root_choice() {
            if f.is_relative() {
                profile.signers.trusted_root = dir.join(f).to_string_lossy().into_owned();
            }
        }
        if let Some(k) = &profile.require.prov_keyring {
            if k.is_relative() {
                profile.require.prov_keyring = Some(dir.join(k));
            }
        }
        Ok(profile)
    }

    /// Parses and validates a profile from bytes (`origin` names it in errors).
    pub fn parse(bytes: &[u8], origin: &Path) -> Result<Profile, ProfileError> {
        let text = std::str::from_utf8(bytes).map_err(|e| ProfileError::Parse {
            path: origin.to_path_buf(),
            message: format!("not UTF-8: {e}"),
        })?;
        // serde stops at the first missing field; the required ones are all named at once.
        let missing = missing_required(text);
        let profile: Profile = match serde_norway::from_str(text) {
            Ok(p) => p,
            Err(e) if !missing.is_empty() && e.to_string().contains("missing field") => {
                return Err(ProfileError::Missing {
                    path: origin.to_path_buf(),
                    missing,
                });
            }
            Err(e) => {
                let mut message = e.to_string();
                if !missing.is_empty() {
                    message += &format!("; required and missing: {}", missing.join(", "));
                }
                return Err(ProfileError::Parse {
                    path: origin.to_path_buf(),
                    message,
                });
            }
        };
        profile.validate(origin)?;
        Ok(profile)
    }

    /// Checks what serde cannot: URLs, templates, names, and requirements' inputs, in that
    /// order (the first problem is the error).
    pub fn validate(&self, origin: &Path) -> Result<(), ProfileError> {
        self.check_locations()
            .and_then(|()| self.check_templates())
            .and_then(|()| self.check_image())
            .and_then(|()| self.check_signers())
            .and_then(|()| self.check_requirements())
            .map_err(|e| e.at(origin))
    }

    /// The chart's name, the Helm repository, and where release assets are downloaded.
    fn check_locations(&self) -> Result<(), Invalid> {
        if !valid_chart_name(&self.chart) {
            return Err(Invalid::new(
                "chart",
                "a chart name (lower-case letters, digits, `-`)",
                &self.chart,
            ));
        }
        if !is_http_url(&self.helm_repository) && !self.helm_repository.ends_with(".yaml") {
            return Err(Invalid::new(
                "helm_repository",
                "an http(s) URL or a path to an index.yaml",
                &self.helm_repository,
            ));
        }
        let gh = &self.github;
        http_url("github.base_url", &gh.base_url)?;
        owner_repo("github.repository", &gh.repository)
    }

    /// Every name template uses only the placeholders it may, and none is empty.
    fn check_templates(&self) -> Result<(), Invalid> {
        let (gh, chart, image) = (&self.github, &["chart", "version"], &["chart", "tag"]);
        let templates: [(&'static str, &str, &[&str]); 9] = [
            ("github.chart_release_tag", &gh.chart_release_tag, chart),
            (
                "github.chart_assets.package",
                &gh.chart_assets.package,
                chart,
            ),
            ("github.chart_assets.prov", &gh.chart_assets.prov, chart),
            ("github.chart_assets.bundle", &gh.chart_assets.bundle, chart),
            (
                "github.chart_assets.envelope",
                &gh.chart_assets.envelope,
                chart,
            ),
            ("github.image_release_tag", &gh.image_release_tag, image),
            ("github.image_assets.bundle", &gh.image_assets.bundle, image),
            (
                "github.image_assets.envelope",
                &gh.image_assets.envelope,
                image,
            ),
            (
                "signers.image_identity",
                &self.signers.image_identity,
                &["repository", "tag"],
            ),
        ];
        for (field, template, allowed) in templates {
            if !template_ok(template, allowed) {
                let names: Vec<String> = allowed.iter().map(|a| format!("{{{a}}}")).collect();
                let expected = format!("a non-empty name using only {}", names.join(" "));
                return Err(Invalid::new(field, &expected, template));
            }
        }
        let identity = &self.signers.chart_identity;
        if !template_ok(identity, &["repository"]) {
            return Err(Invalid::new(
                "signers.chart_identity",
                "an identity using only {repository}",
                identity,
            ));
        }
        Ok(())
    }

    /// At least one image repository, each an OCI repository; mirrors are host → URL.
    fn check_image(&self) -> Result<(), Invalid> {
        let field = "image.repositories";
        if self.image.repositories.is_empty() {
            return Err(Invalid::new(field, "at least one image repository", "none"));
        }
        if let Some(r) = self
            .image
            .repositories
            .iter()
            .find(|r| !valid_image_repository(r))
        {
            let expected = "registry/path in lower case (an OCI repository)";
            return Err(Invalid::new(field, expected, r));
        }
        for (host, url) in &self.image.mirrors {
            http_url("image.mirrors", url)?;
            if host.contains('/') {
                return Err(Invalid::new("image.mirrors", "a registry host", host));
            }
        }
        Ok(())
    }

    /// At least one signing repository, each `owner/repo`, and the issuer a URL.
    fn check_signers(&self) -> Result<(), Invalid> {
        let s = &self.signers;
        if s.repositories.is_empty() {
            let field = "signers.repositories";
            return Err(Invalid::new(field, "at least one owner/repo", "none"));
        }
        for r in &s.repositories {
            owner_repo("signers.repositories", r)?;
        }
        http_url("signers.issuer", &s.issuer)
    }

    /// Every requirement that needs an input has one.
    fn check_requirements(&self) -> Result<(), Invalid> {
        if self.require.prov && self.require.prov_keyring.is_none() {
            let expected = "a keyring when require.prov is true";
            return Err(Invalid::new("require.prov_keyring", expected, "none"));
        }
        Ok(())
    }

    /// This profile, requiring a `.prov` verified with `keyring` (`verify --keyring`): a new
    /// profile, still valid (a required `.prov` has its keyring), not a change to this one.
    pub fn with_prov_keyring(mut self, keyring: PathBuf) -> Profile {
        self.require.prov = true;
        self.require.prov_keyring = Some(keyring);
        self
    }

    /// Every URL the profile makes kakunin request, with its field: the Helm repository (when
    /// it is a URL), `github.base_url` and each of `image.mirrors`.
    pub fn request_urls(&self) -> Vec<(&'static str, &str)> {
        let mut urls = Vec::new();
        if self.helm_repository.contains("://") {
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
        if EMBEDDED_ROOTS.contains(&self.signers.trusted_root.as_str()) {
            RootChoice::Embedded(self.signers.trusted_root.clone())
        } else {
            RootChoice::File(PathBuf::from(&self.signers.trusted_root))
        }
    }

    /// The chart's release tag for a version.
    pub fn chart_release_tag(&self, version: &str) -> String {
        expand(&self.github.chart_release_tag, &self.chart_vars(version))
    }

    /// The image's release tag for an appVersion.
    pub fn image_release_tag(&self, tag: &str) -> String {
        expand(&self.github.image_release_tag, &self.image_vars(tag))
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
            self.github.base_url.trim_end_matches('/'),
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
            package: expand(&a.package, &v),
            prov: expand(&a.prov, &v),
            bundle: expand(&a.bundle, &v),
            envelope: expand(&a.envelope, &v),
        }
    }

    /// An image release's asset names.
    pub fn image_asset_names(&self, tag: &str) -> ImageAssets {
        let v = self.image_vars(tag);
        ImageAssets {
            bundle: expand(&self.github.image_assets.bundle, &v),
            envelope: expand(&self.github.image_assets.envelope, &v),
        }
    }

    /// Every certificate identity that may have signed a chart release.
    pub fn chart_identities(&self) -> Vec<String> {
        self.signers
            .repositories
            .iter()
            .map(|r| {
                expand(
                    &self.signers.chart_identity,
                    &Vars {
                        repository: r,
                        ..Vars::default()
                    },
                )
            })
            .collect()
    }

    /// Every certificate identity that may have signed the image release `tag`.
    pub fn image_identities(&self, tag: &str) -> Vec<String> {
        self.signers
            .repositories
            .iter()
            .map(|r| {
                expand(
                    &self.signers.image_identity,
                    &Vars {
                        repository: r,
                        tag,
                        ..Vars::default()
                    },
                )
            })
            .collect()
    }

    /// Whether `repository` (as a chart names it) is one of the project's image repositories.
    /// Compared exactly: OCI repositories are lower case, and an upper-case one is not valid.
    pub fn is_project_image(&self, repository: &str) -> bool {
        self.image.repositories.iter().any(|r| r == repository)
    }

    /// The base URL to reach a registry host at: its mirror if the profile names one, else
    /// `https://<host>`.
    pub fn registry_url(&self, host: &str) -> String {
        self.image
            .mirrors
            .get(host)
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("https://{host}"))
    }

    /// The profile as YAML (for `docs/profile.md` and `kakunin profile show`-style output).
    pub fn to_yaml(&self) -> String {
        serde_norway::to_string(self).expect("a profile serialises")
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

/// An `http` or `https` URL with a host.
fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
}

fn http_url(field: &'static str, s: &str) -> Result<(), Invalid> {
    if is_http_url(s) {
        Ok(())
    } else {
        Err(Invalid::new(field, "an http(s) URL", s))
    }
}

fn owner_repo(field: &'static str, s: &str) -> Result<(), Invalid> {
    if valid_owner_repo(s) {
        Ok(())
    } else {
        Err(Invalid::new(field, "owner/repo", s))
    }
}

/// A non-empty template that uses only the `allowed` placeholders.
fn template_ok(template: &str, allowed: &[&str]) -> bool {
    !template.is_empty() && unknown_placeholders(template, allowed).is_empty()
}

fn valid_chart_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 250
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn valid_owner_repo(s: &str) -> bool {
    let mut parts = s.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// An OCI repository with its registry host: `host[:port]/path`, path in lower case.
pub fn valid_image_repository(s: &str) -> bool {
    let Some((host, path)) = s.split_once('/') else {
        return false;
    };
    let host_ok = !host.is_empty()
        && (host.contains('.') || host.contains(':') || host == "localhost")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':');
    // OCI distribution: path components [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
    let component_ok = |c: &str| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            && c.as_bytes()[0].is_ascii_alphanumeric()
            && c.as_bytes()[c.len() - 1].is_ascii_alphanumeric()
    };
    host_ok && path.split('/').all(component_ok)
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

/// Every required field the document lacks, all at once (serde stops at the first). A
/// document that is not a YAML mapping is left to the typed parse, which says so.
fn missing_required(text: &str) -> Vec<&'static str> {
    let Ok(tree) = serde_norway::from_str::<serde_norway::Value>(text) else {
        return Vec::new();
    };
    if !tree.is_mapping() {
        return Vec::new();
    }
    REQUIRED_FIELDS
        .iter()
        .copied()
        .filter(|field| {
            let mut node = Some(&tree);
            for part in field.split('.') {
                node = node.and_then(|n| n.get(part));
            }
            node.is_none_or(|n| n.is_null())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_names_every_missing_required_field() {
        let e = Profile::parse(
            b"chart: mychart\nrequire:\n  prov: false\n",
            Path::new("p.yaml"),
        )
        .unwrap_err();
        let ProfileError::Missing { missing, .. } = &e else {
            panic!("{e}");
        };
        assert_eq!(missing.as_slice(), &REQUIRED_FIELDS[1..]);
        assert!(e.to_string().contains(
            "required fields are missing: helm_repository, github.repository, github.image_assets.bundle"
        ), "{e}");
        let e = Profile::parse(
            b"chart: c\nhelm_repository: https://x/\ngithub: {repository: o/r, image_assets: {bundle: b, envelope: e}}\nimage: {repositories: [ghcr.io/o/r]}\nsigners: {repositories: [o/r], chart_identity: x}\n",
            Path::new("p.yaml"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "profile p.yaml: required field is missing: signers.image_identity"
        );
    }

    #[test]
    fn builtin_gomenhashai_names_both_owners() {
        let p = Profile::builtin("gomenhashai").unwrap();
        p.validate(Path::new("<builtin>")).unwrap();
        assert_eq!(
            p.chart_identities(),
            [
                "https://github.com/GomenHashai/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main",
                "https://github.com/MarcAntoineRaymond/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main",
            ]
        );
        assert_eq!(
            p.image_identities("v1.3.1")[0],
            "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1.3.1"
        );
        assert_eq!(p.chart_release_tag("1.3.2"), "gomenhashai-1.3.2");
        assert_eq!(p.image_release_tag("v1.3.1"), "v1.3.1");
        assert_eq!(
            p.asset_url("gomenhashai-1.3.2", &p.chart_asset_names("1.3.2").package),
            "https://github.com/GomenHashai/GomenHashai/releases/download/gomenhashai-1.3.2/gomenhashai-1.3.2.tgz"
        );
        assert_eq!(
            p.image_asset_names("v1.3.1").bundle,
            "GomenHashai-v1.3.1.sigstore"
        );
        assert!(p.is_project_image("ghcr.io/marcantoineraymond/gomenhashai"));
        assert!(p.is_project_image("ghcr.io/gomenhashai/gomenhashai"));
        assert!(!p.is_project_image("ghcr.io/marcantoineRaymond/gomenhashai"));
        assert_eq!(p.registry_url("ghcr.io"), "https://ghcr.io");
        assert_eq!(p.root_choice(), RootChoice::Embedded("public-good".into()));
        assert!(Profile::builtin("nginx").is_err());
    }

    #[test]
    fn yaml_round_trips_and_rejects_unknown_fields() {
        let p = Profile::gomenhashai();
        let yaml = p.to_yaml();
        let back = Profile::parse(yaml.as_bytes(), Path::new("p.yaml")).unwrap();
        assert_eq!(back, p);
        let typo = yaml.replace("allow_prerelease", "allow_prereleases");
        let e = Profile::parse(typo.as_bytes(), Path::new("p.yaml")).unwrap_err();
        assert!(e.to_string().contains("allow_prereleases"), "{e}");
    }

    #[test]
    fn validation_names_field_expected_and_found() {
        let mut p = Profile::gomenhashai();
        p.signers.image_identity = "https://github.com/{owner}/x@refs/tags/{tag}".into();
        let e = p.validate(Path::new("p.yaml")).unwrap_err().to_string();
        assert!(
            e.contains("signers.image_identity") && e.contains("{owner}"),
            "{e}"
        );
        let mut p = Profile::gomenhashai();
        p.image.repositories = vec!["ghcr.io/marcantoineRaymond/gomenhashai".into()];
        let e = p.validate(Path::new("p.yaml")).unwrap_err().to_string();
        assert!(
            e.contains("lower case") && e.contains("marcantoineRaymond"),
            "{e}"
        );
        let mut p = Profile::gomenhashai();
        p.require.prov = true;
        let e = p.validate(Path::new("p.yaml")).unwrap_err().to_string();
        assert!(e.contains("prov_keyring"), "{e}");
        let mut p = Profile::gomenhashai();
        p.github.base_url = "ftp://x".into();
        assert!(p.validate(Path::new("p.yaml")).is_err());
    }

    #[test]
    fn image_repositories_follow_oci_rules() {
        assert!(valid_image_repository("ghcr.io/gomenhashai/gomenhashai"));
        assert!(valid_image_repository("127.0.0.1:5000/a/b"));
        assert!(!valid_image_repository(
            "ghcr.io/marcantoineRaymond/gomenhashai"
        ));
        assert!(!valid_image_repository("gomenhashai"));
        assert!(!valid_image_repository("ghcr.io//x"));
    }

    /// The docs' two examples parse: the built-in one exactly, the short one with defaults.
    #[test]
    fn docs_profile_examples_parse() {
        let doc = include_str!("../../../docs/profile.md");
        let blocks: Vec<&str> = doc
            .split("```yaml\n")
            .skip(1)
            .map(|b| b.split("```").next().unwrap())
            .collect();
        assert_eq!(blocks.len(), 2);
        let builtin = Profile::parse(blocks[0].as_bytes(), Path::new("docs/profile.md")).unwrap();
        assert_eq!(builtin, Profile::gomenhashai());
        let own = Profile::parse(blocks[1].as_bytes(), Path::new("docs/profile.md")).unwrap();
        assert_eq!(own.github.base_url, "https://github.com");
        assert_eq!(
            own.chart_asset_names("1.0.0").bundle,
            "mychart-1.0.0.sigstore"
        );
        assert!(own.require.prov && own.require.registry_attestation);
    }
}
