//! Policies: per artifact (the chart, each image by repository glob), who must have signed it,
//! which attestations it must carry, and the version rules — what `kakunin verify --policy FILE`
//! enforces (docs/policy.md).
//!
//! Parse, don't validate: a policy file is read once, bounded (size, flow depth, serde_norway's
//! recursion and alias-expansion limits, a key twice in one mapping refused), into the
//! [`raw::RawPolicy`] serde model with unknown fields refused, then converted by `TryFrom` into a
//! [`Policy`] whose fields are private and whose parts are newtypes that can only hold valid
//! values: [`RepositoryGlob`], [`Signer`] (an anchored identity regexp, a GitHub workflow, or a
//! key already read), [`AttestationRule`]. Nothing mutates a policy once built. The built-in
//! profile of the reference project is an embedded policy document parsed the same way
//! ([`Policy::builtin`]); a profile file (docs/profile.md) becomes a policy's `release` section.

pub mod checks;
pub mod image_spec;
pub mod raw;

use std::path::{Path, PathBuf};

use regex::Regex;

use crate::bundle::{self, GitHubClaims, Identity, Issuer, PublicKey};
use crate::limits;
use crate::profile::raw::RawProfile;
use crate::profile::{EMBEDDED_ROOTS, GITHUB_ACTIONS_ISSUER, Profile, ProfileError};

use raw::{
    RawAttestation, RawChartRule, RawGitHub, RawImageRule, RawPolicy, RawSigner, RawVersions,
};

/// Largest policy file accepted.
pub const MAX_POLICY_BYTES: u64 = 256 * 1024;
/// Most image rules (and `allow_unverified` entries) a policy may have.
pub const MAX_RULES: usize = 1000;
/// Longest pattern (glob or regexp) a policy may hold.
pub const MAX_PATTERN_LEN: usize = 1024;

/// The reference project's built-in policy document.
const GOMENHASHAI: &str = include_str!("gomenhashai.yaml");

/// Why a policy cannot be used (always a usage/input error: exit 2).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("policy {path} is not a valid policy: {message}")]
    Parse { path: String, message: String },
    #[error("policy {path}: {field}: expected {expected}, found {found}")]
    Invalid {
        path: String,
        field: String,
        expected: String,
        found: String,
    },
    #[error(transparent)]
    Profile(#[from] ProfileError),
    #[error(
        "no built-in profile for chart {found:?}: expected one of {expected} (or --profile FILE, or --policy FILE)"
    )]
    NoBuiltin { expected: String, found: String },
}

/// A repository pattern: `ghcr.io/org/*` (`*` within one path component), `ghcr.io/org/**`
/// (any depth), or an exact repository. Matched against the repository as oci-client
/// normalises it (`nginx` is `docker.io/library/nginx`), whole.
#[derive(Debug, Clone)]
pub struct RepositoryGlob {
    pattern: String,
    regex: Regex,
}

impl RepositoryGlob {
    /// Compiles a glob; refuses an empty one, a too long one, and characters no repository
    /// has (so that a regexp written where a glob belongs is caught).
    pub fn new(pattern: &str) -> Result<RepositoryGlob, String> {
        if pattern.is_empty() || pattern.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "a repository glob of 1 to {MAX_PATTERN_LEN} characters, found {} characters",
                pattern.len()
            ));
        }
        if let Some(c) = pattern
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "._-/:*".contains(*c)))
        {
            return Err(format!(
                "a repository glob (letters, digits, `.`, `_`, `-`, `/`, `:`, and `*` or `**`), found {c:?} in {pattern:?}"
            ));
        }
        if pattern.contains("***") {
            return Err(format!(
                "`*` (one path component) or `**` (any depth), found `***` in {pattern:?}"
            ));
        }
        let mut re = String::from("^");
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                re.push_str(".*");
                rest = r;
            } else if let Some(r) = rest.strip_prefix('*') {
                re.push_str("[^/]*");
                rest = r;
            } else {
                let end = rest.find('*').unwrap_or(rest.len());
                re.push_str(&regex::escape(&rest[..end]));
                rest = &rest[end..];
            }
        }
        re.push('$');
        let regex = Regex::new(&re).map_err(|e| e.to_string())?;
        Ok(RepositoryGlob {
            pattern: pattern.to_string(),
            regex,
        })
    }

    /// Whether the repository (`registry/path`) matches.
    pub fn matches(&self, repository: &str) -> bool {
        self.regex.is_match(repository)
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }
}

/// Who must have signed an artifact: a certificate (identity and issuer, GitHub claims) or a
/// public key. Built only from a valid signer entry or from the CLI's signer flags.
#[derive(Debug, Clone)]
pub struct Signer {
    policy: bundle::Policy,
}

impl Signer {
    /// A signer from an already built bundle policy (the CLI's signer flags).
    pub fn from_policy(policy: bundle::Policy) -> Signer {
        Signer { policy }
    }

    /// The bundle policy signatures are verified under.
    pub fn bundle_policy(&self) -> &bundle::Policy {
        &self.policy
    }

    /// This signer, also requiring the GitHub claims of `extra` (an attestation's SLSA
    /// claims); a key signer has no certificate to carry them and is returned as is.
    fn with_claims(&self, extra: &GitHubClaims) -> Signer {
        match &self.policy {
            bundle::Policy::Certificate {
                identity,
                issuer,
                github,
            } => {
                let mut github = github.clone();
                let pick = |a: &Option<String>, b: &Option<String>| b.clone().or(a.clone());
                github.repository = pick(&github.repository, &extra.repository);
                github.source_ref = pick(&github.source_ref, &extra.source_ref);
                github.workflow = pick(&github.workflow, &extra.workflow);
                github.source_digest = pick(&github.source_digest, &extra.source_digest);
                Signer {
                    policy: bundle::Policy::Certificate {
                        identity: identity.clone(),
                        issuer: issuer.clone(),
                        github,
                    },
                }
            }
            _ => self.clone(),
        }
    }

    /// What the report calls this signer.
    pub fn describe(&self) -> String {
        crate::cosign::describe_signer(&self.policy)
    }
}

/// An attestation an artifact must carry: a predicate type (full URI) and the GitHub/SLSA
/// claims its signing certificate must name.
#[derive(Debug, Clone)]
pub struct AttestationRule {
    predicate_type: String,
    signer: Option<Signer>,
}

impl AttestationRule {
    /// The predicate type, as a full URI.
    pub fn predicate_type(&self) -> &str {
        &self.predicate_type
    }

    /// The signer the attestation must verify under, when it differs from the artifact's (SLSA
    /// claims added); `None` means the artifact's signer.
    pub fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }
}

/// What an image matching [`ImageRule::repository`] must carry.
#[derive(Debug, Clone)]
pub struct ImageRule {
    repository: RepositoryGlob,
    signer: Signer,
    attestations: Vec<AttestationRule>,
    resolve_by_tag: bool,
    tag_is_app_version: bool,
    tag_semver: bool,
    signature: bool,
}

impl ImageRule {
    /// A signature of the image is required (else only its attestations are).
    pub fn requires_signature(&self) -> bool {
        self.signature
    }
    pub fn repository(&self) -> &RepositoryGlob {
        &self.repository
    }
    pub fn signer(&self) -> &Signer {
        &self.signer
    }
    pub fn attestations(&self) -> &[AttestationRule] {
        &self.attestations
    }
    /// A reference without a digest may be resolved through its (non-moving) tag.
    pub fn resolve_by_tag(&self) -> bool {
        self.resolve_by_tag
    }
    /// The tag must equal the chart's appVersion.
    pub fn tag_is_app_version(&self) -> bool {
        self.tag_is_app_version
    }
    /// The tag must be a SemVer release (`1.2.3` or `v1.2.3`).
    pub fn tag_semver(&self) -> bool {
        self.tag_semver
    }
}

/// What the chart must carry.
#[derive(Debug, Clone, Default)]
pub struct ChartRule {
    signer: Option<Signer>,
    attestations: Vec<AttestationRule>,
    prov_keyring: Option<PathBuf>,
}

impl ChartRule {
    pub fn signer(&self) -> Option<&Signer> {
        self.signer.as_ref()
    }
    pub fn attestations(&self) -> &[AttestationRule] {
        &self.attestations
    }
    /// The `.prov` keyring, when a `.prov` is required.
    pub fn prov_keyring(&self) -> Option<&Path> {
        self.prov_keyring.as_deref()
    }
}

/// The version rules.
#[derive(Debug, Clone, Default)]
pub struct VersionRules {
    allow_prerelease: bool,
    moving_tags: Vec<String>,
}

impl VersionRules {
    pub fn allow_prerelease(&self) -> bool {
        self.allow_prerelease
    }

    /// Whether a tag moves: one of the policy's `moving_tags`, or (always) a branch/channel
    /// name or a major/minor alias ([`crate::semver_rules::is_moving_tag`]).
    pub fn is_moving(&self, tag: &str) -> bool {
        crate::semver_rules::is_moving_tag(tag)
            || self.moving_tags.iter().any(|t| t.eq_ignore_ascii_case(tag))
    }
}

/// A whole policy. See the module documentation.
#[derive(Debug, Clone)]
pub struct Policy {
    origin: String,
    chart_name: Option<String>,
    trusted_root: Option<String>,
    chart: ChartRule,
    images: Vec<ImageRule>,
    allow_unverified: Vec<RepositoryGlob>,
    versions: VersionRules,
    release: Option<Profile>,
}

/// What a policy says of one image repository.
#[derive(Debug, Clone, Copy)]
pub enum Coverage<'a> {
    /// The first rule whose glob matches.
    Rule(&'a ImageRule),
    /// Listed under `allow_unverified` (by this glob).
    Unverified(&'a RepositoryGlob),
    /// No rule covers it: fail-closed.
    None,
}

impl Policy {
    /// Reads, parses and converts a policy file; relative paths in it (trusted root, keys,
    /// keyring, the release section's) are resolved against its directory.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let bytes =
            limits::read_file_capped(path, MAX_POLICY_BYTES).map_err(|e| PolicyError::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        Policy::parse(&bytes, &path.display().to_string(), Some(dir))
    }

    /// Parses a policy document (`origin` names it in errors). With `dir`, relative paths are
    /// resolved against it and key files are read; without, a policy naming a key file is
    /// refused (an embedded document names none).
    pub fn parse(bytes: &[u8], origin: &str, dir: Option<&Path>) -> Result<Policy, PolicyError> {
        let raw = parse_raw(bytes, origin)?;
        Policy::try_from(Source { raw, origin, dir })
    }

    /// The built-in policy of a chart kakunin knows (the reference project, GomenHashai).
    pub fn builtin(chart: &str) -> Result<Policy, PolicyError> {
        match chart {
            "gomenhashai" => Policy::parse(GOMENHASHAI.as_bytes(), "<built-in gomenhashai>", None),
            other => Err(PolicyError::NoBuiltin {
                expected: "gomenhashai".into(),
                found: other.into(),
            }),
        }
    }

    /// A profile (today's format, docs/profile.md) as a policy: its `release` section.
    pub fn from_profile(profile: Profile, origin: &str) -> Policy {
        Policy {
            origin: origin.to_string(),
            chart_name: Some(profile.chart().to_string()),
            trusted_root: None,
            chart: ChartRule::default(),
            images: Vec::new(),
            allow_unverified: Vec::new(),
            versions: VersionRules {
                allow_prerelease: profile.require().allow_prerelease(),
                moving_tags: Vec::new(),
            },
            release: Some(profile),
        }
    }

    /// One signer for every artifact (the CLI's signer flags): every image (`**`) must be
    /// signed by it and carry the `attestations` (predicate types or cosign short names), and
    /// with `chart`, the chart too.
    pub fn one_signer(
        signer: Signer,
        attestations: &[String],
        chart: bool,
        origin: &str,
    ) -> Policy {
        let attestations: Vec<AttestationRule> = attestations
            .iter()
            .map(|a| AttestationRule {
                predicate_type: crate::cosign::predicate::resolve(a),
                signer: None,
            })
            .collect();
        let rule = ImageRule {
            repository: RepositoryGlob::new("**").expect("a valid glob"),
            signer: signer.clone(),
            attestations: attestations.clone(),
            resolve_by_tag: false,
            tag_is_app_version: false,
            tag_semver: false,
            signature: true,
        };
        let mut policy = Policy::empty(origin);
        if chart {
            policy.chart = ChartRule {
                signer: Some(signer),
                attestations,
                prov_keyring: None,
            };
        }
        policy.images = vec![rule];
        policy
    }

    /// A policy that requires nothing yet: the base `--image-policy` rules are added to when
    /// no policy file or signer is given.
    pub fn empty(origin: &str) -> Policy {
        Policy {
            origin: origin.to_string(),
            chart_name: None,
            trusted_root: None,
            chart: ChartRule::default(),
            images: Vec::new(),
            allow_unverified: Vec::new(),
            versions: VersionRules::default(),
            release: None,
        }
    }

    /// This policy with the command line's `--image-policy GLOB=SPEC` rules first (the first
    /// rule whose glob matches applies, so they take precedence over the file's); see
    /// [`image_spec`] for the syntax. Relative key paths are resolved against `dir`.
    pub fn with_image_specs(mut self, specs: &[String], dir: &Path) -> Result<Policy, PolicyError> {
        let mut rules = Vec::new();
        let mut unverified = Vec::new();
        for spec in specs {
            match image_spec::parse(spec, dir)? {
                image_spec::Parsed::Rule(r) => rules.push(*r),
                image_spec::Parsed::Unverified(g) => unverified.push(g),
            }
        }
        if self.images.len() + rules.len() > MAX_RULES
            || self.allow_unverified.len() + unverified.len() > MAX_RULES
        {
            return Err(PolicyError::Invalid {
                path: "--image-policy".into(),
                field: "images".into(),
                expected: format!("at most {MAX_RULES} rules"),
                found: format!("{} more", rules.len() + unverified.len()),
            });
        }
        rules.append(&mut self.images);
        self.images = rules;
        unverified.append(&mut self.allow_unverified);
        self.allow_unverified = unverified;
        Ok(self)
    }

    /// Where the policy came from (a path, `<built-in …>`, or the flags).
    pub fn origin(&self) -> &str {
        &self.origin
    }
    /// The chart the policy is for, when it names one.
    pub fn chart_name(&self) -> Option<&str> {
        self.chart_name.as_deref()
    }
    /// The trusted root named at the top level (the release section may name its own).
    pub fn trusted_root(&self) -> Option<&str> {
        self.trusted_root.as_deref()
    }
    pub fn chart(&self) -> &ChartRule {
        &self.chart
    }
    pub fn images(&self) -> &[ImageRule] {
        &self.images
    }
    pub fn allow_unverified(&self) -> &[RepositoryGlob] {
        &self.allow_unverified
    }
    pub fn versions(&self) -> &VersionRules {
        &self.versions
    }
    /// The reference layout (GitHub release assets, Helm index), when the policy has one.
    pub fn release(&self) -> Option<&Profile> {
        self.release.as_ref()
    }

    /// Whether the policy says anything about the images a chart deploys: then every image is
    /// checked (`image.pinned`, `image.policy`, `image.signature`). A policy that is only a
    /// `release` section (the built-in profile, a profile file) verifies its one project image
    /// with the release checks, exactly as a profile does.
    pub fn checks_images(&self) -> bool {
        !self.images.is_empty() || !self.allow_unverified.is_empty()
    }

    /// The rule covering an image repository (`registry/path`, normalised): the first image
    /// rule whose glob matches, else an `allow_unverified` glob, else none (fail-closed).
    pub fn coverage(&self, repository: &str) -> Coverage<'_> {
        if let Some(r) = self
            .images
            .iter()
            .find(|r| r.repository.matches(repository))
        {
            return Coverage::Rule(r);
        }
        match self.allow_unverified.iter().find(|g| g.matches(repository)) {
            Some(g) => Coverage::Unverified(g),
            None => Coverage::None,
        }
    }
}

/// A raw policy and where it came from: what `TryFrom` converts.
pub struct Source<'a> {
    pub raw: RawPolicy,
    pub origin: &'a str,
    /// The directory relative paths are resolved against; `None`: files may not be named.
    pub dir: Option<&'a Path>,
}

/// Bounded parse into the raw model: size, flow depth, a duplicate key anywhere refused (the
/// untyped pass), then the typed pass with unknown fields refused.
pub fn parse_raw(bytes: &[u8], origin: &str) -> Result<RawPolicy, PolicyError> {
    let parse = |message: String| PolicyError::Parse {
        path: origin.to_string(),
        message,
    };
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return Err(parse(format!(
            "expected at most {MAX_POLICY_BYTES} bytes, found {}",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| parse(format!("not UTF-8: {e}")))?;
    if !limits::yaml_flow_depth_ok(bytes) {
        return Err(parse(format!(
            "collections nest deeper than {} levels",
            limits::MAX_DEPTH
        )));
    }
    // serde_norway's Value refuses a key twice in one mapping (serde's derived structs would
    // only catch it for struct fields, not in maps such as `mirrors`).
    let tree: serde_norway::Value =
        serde_norway::from_str(text).map_err(|e| parse(e.to_string()))?;
    if tree.is_null() {
        return Err(parse("the document is empty".into()));
    }
    serde_norway::from_str(text).map_err(|e| parse(e.to_string()))
}

impl TryFrom<Source<'_>> for Policy {
    type Error = PolicyError;

    /// Every rule checked, in the document's order (the first problem is the error): the
    /// rule counts, the release section, the trusted root, the chart, the images, the
    /// versions, and that the policy requires something.
    fn try_from(src: Source<'_>) -> Result<Policy, PolicyError> {
        let Source { raw, origin, dir } = src;
        let cx = Context { origin, dir };
        if raw.images.len() > MAX_RULES || raw.allow_unverified.len() > MAX_RULES {
            return Err(cx.invalid(
                "images",
                &format!("at most {MAX_RULES} rules"),
                format!("{} rules", raw.images.len().max(raw.allow_unverified.len())),
            ));
        }
        let release = raw.release.map(|r| cx.release(r)).transpose()?;
        let trusted_root = raw.trusted_root.map(|t| cx.root(t)).transpose()?;
        let (chart_name, chart) = cx.chart(raw.chart.unwrap_or_default(), release.as_ref())?;
        let file = |field: &str, p: &Path| cx.file(field, p);
        let images = (raw.images.iter().enumerate())
            .map(|(i, r)| image_rule(r, &format!("images[{i}]"), origin, &file))
            .collect::<Result<Vec<_>, _>>()?;
        let allow_unverified = (raw.allow_unverified.iter())
            .map(|g| {
                RepositoryGlob::new(g)
                    .map_err(|e| cx.invalid("allow_unverified", &e, format!("{g:?}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let versions = cx.versions(raw.versions.unwrap_or_default(), release.as_ref())?;
        if !raw.mirrors.is_empty() {
            return Err(cx.invalid(
                "mirrors",
                "mirrors under release.image.mirrors (the one registry mapping kakunin has)",
                format!("{} top-level mirrors", raw.mirrors.len()),
            ));
        }
        if release.is_none() && chart_name.is_none() && images.is_empty() && chart.signer.is_none()
        {
            return Err(cx.invalid(
                "chart",
                "a policy that requires something: a chart signer, image rules, or a release section",
                "none of them".into(),
            ));
        }
        Ok(Policy {
            origin: origin.to_string(),
            chart_name,
            trusted_root,
            chart,
            images,
            allow_unverified,
            versions,
            release,
        })
    }
}

/// Where a policy being converted came from: what its errors name, and what its relative
/// paths are resolved against.
struct Context<'a> {
    origin: &'a str,
    /// `None`: an embedded document, which may name no file.
    dir: Option<&'a Path>,
}

impl Context<'_> {
    fn invalid(&self, field: &str, expected: &str, found: String) -> PolicyError {
        PolicyError::Invalid {
            path: self.origin.to_string(),
            field: field.to_string(),
            expected: expected.to_string(),
            found,
        }
    }

    /// The path a file named in `field` is read from: resolved against the policy's
    /// directory, or refused in an embedded policy.
    fn file(&self, field: &str, p: &Path) -> Result<PathBuf, PolicyError> {
        match self.dir {
            Some(d) if p.is_relative() => Ok(d.join(p)),
            Some(_) => Ok(p.to_path_buf()),
            None => Err(self.invalid(
                field,
                "no file in an embedded policy",
                p.display().to_string(),
            )),
        }
    }

    /// The release section: a profile, converted with its files resolved as the policy's are
    /// (its fields named `release.…` when a file is refused).
    fn release(&self, raw: RawProfile) -> Result<Profile, PolicyError> {
        let file = |field: &'static str, p: &Path| self.file(&format!("release.{field}"), p);
        Profile::from_raw(raw, Path::new(self.origin), &file)
    }

    /// The top-level trusted root: an embedded root's name, or a file.
    fn root(&self, name: String) -> Result<String, PolicyError> {
        if EMBEDDED_ROOTS.contains(&name.as_str()) {
            return Ok(name);
        }
        let path = self.file("trusted_root", Path::new(&name))?;
        Ok(path.to_string_lossy().into_owned())
    }

    /// The chart's name and rule. With a release section, the chart is verified by the
    /// section's own rules, so a chart signer, attestations or keyring here is refused
    /// (never ignored silently), and a name must be the section's.
    fn chart(
        &self,
        raw: RawChartRule,
        release: Option<&Profile>,
    ) -> Result<(Option<String>, ChartRule), PolicyError> {
        if release.is_some()
            && (raw.signer.is_some() || !raw.attestations.is_empty() || raw.prov_keyring.is_some())
        {
            return Err(self.invalid(
                "chart",
                "with a release section, the chart's signer and .prov in it (release.signers.chart_identity, release.require.prov)",
                "chart.signer, chart.attestations or chart.prov_keyring as well".into(),
            ));
        }
        let name = match (raw.name, release) {
            (Some(n), Some(p)) if n != p.chart() => {
                return Err(self.invalid(
                    "chart.name",
                    &format!("the release section's chart {:?}", p.chart()),
                    format!("{n:?}"),
                ));
            }
            (Some(n), _) => Some(n),
            (None, Some(p)) => Some(p.chart().to_string()),
            (None, None) => None,
        };
        let file = |field: &str, p: &Path| self.file(field, p);
        let signer = (raw.signer.as_ref())
            .map(|s| signer(s, "chart.signer", self.origin, &file))
            .transpose()?;
        if signer.is_none() && !raw.attestations.is_empty() {
            return Err(self.invalid(
                "chart.attestations",
                "a chart.signer the chart's attestations are verified under",
                "attestations and no signer".into(),
            ));
        }
        let field = "chart.attestations";
        let attestations = attestations(&raw.attestations, signer.as_ref(), field, self.origin)?;
        let prov_keyring = (raw.prov_keyring.as_deref())
            .map(|k| self.file("chart.prov_keyring", k))
            .transpose()?;
        let rule = ChartRule {
            signer,
            attestations,
            prov_keyring,
        };
        Ok((name, rule))
    }

    /// The version rules; pre-releases are allowed as the release section says unless the
    /// policy says otherwise.
    fn versions(
        &self,
        raw: RawVersions,
        release: Option<&Profile>,
    ) -> Result<VersionRules, PolicyError> {
        let moving_tags = raw.moving_tags.unwrap_or_default();
        if let Some(t) = moving_tags.iter().find(|t| t.is_empty() || t.len() > 128) {
            return Err(self.invalid(
                "versions.moving_tags",
                "tags of 1 to 128 characters",
                format!("{t:?}"),
            ));
        }
        let from_release = release.map(|p| p.require().allow_prerelease());
        Ok(VersionRules {
            allow_prerelease: raw.allow_prerelease.or(from_release).unwrap_or(false),
            moving_tags,
        })
    }
}

/// An images rule; `field` names it in errors (`images[3]`).
pub(crate) fn image_rule(
    r: &RawImageRule,
    field: &str,
    origin: &str,
    file: &dyn Fn(&str, &Path) -> Result<PathBuf, PolicyError>,
) -> Result<ImageRule, PolicyError> {
    let repository = RepositoryGlob::new(&r.repository).map_err(|e| PolicyError::Invalid {
        path: origin.to_string(),
        field: format!("{field}.repository"),
        expected: e,
        found: format!("{:?}", r.repository),
    })?;
    let raw_signer = r.signer.as_ref().ok_or_else(|| PolicyError::Invalid {
        path: origin.to_string(),
        field: format!("{field}.signer"),
        expected: format!(
            "the signer images of {} must be signed by (or list the repository under allow_unverified)",
            r.repository
        ),
        found: "no signer".into(),
    })?;
    let signer = signer(raw_signer, &format!("{field}.signer"), origin, file)?;
    let attestations = attestations(
        &r.attestations,
        Some(&signer),
        &format!("{field}.attestations"),
        origin,
    )?;
    let signature = r.signature.unwrap_or(true);
    if !signature && attestations.is_empty() {
        return Err(PolicyError::Invalid {
            path: origin.to_string(),
            field: format!("{field}.signature"),
            expected: "a signature, or at least one attestation, required of the image".into(),
            found: "signature: false and no attestations".into(),
        });
    }
    Ok(ImageRule {
        repository,
        signer,
        attestations,
        resolve_by_tag: r.resolve_by_tag,
        tag_is_app_version: r.tag_is_app_version,
        tag_semver: r.tag_semver,
        signature,
    })
}

fn attestations(
    raw: &[RawAttestation],
    signer: Option<&Signer>,
    field: &str,
    origin: &str,
) -> Result<Vec<AttestationRule>, PolicyError> {
    let invalid = |expected: &str, found: String| PolicyError::Invalid {
        path: origin.to_string(),
        field: field.to_string(),
        expected: expected.to_string(),
        found,
    };
    if raw.len() > 64 {
        return Err(invalid("at most 64 attestations", format!("{}", raw.len())));
    }
    let mut out = Vec::new();
    for a in raw {
        let t = crate::cosign::predicate::resolve(&a.predicate_type);
        if t.is_empty() || t.len() > MAX_PATTERN_LEN || t.contains(char::is_whitespace) {
            return Err(invalid(
                "a predicate type URI or a cosign short name (slsaprovenance1, spdxjson, …)",
                format!("{:?}", a.predicate_type),
            ));
        }
        let signer = match &a.slsa {
            None => None,
            Some(s) => {
                let Some(base) = signer else {
                    return Err(invalid(
                        "a signer for the artifact before SLSA claims of its attestations",
                        "no signer".into(),
                    ));
                };
                if matches!(base.policy, bundle::Policy::Key(_)) {
                    return Err(invalid(
                        "SLSA claims only with a certificate signer (a key carries no claims)",
                        "a key signer".into(),
                    ));
                }
                let claims = GitHubClaims {
                    repository: s.source_repository.clone(),
                    source_ref: s.source_ref.clone(),
                    workflow: s.workflow.clone(),
                    source_digest: s.source_commit.clone(),
                    ..GitHubClaims::default()
                };
                Some(base.with_claims(&claims))
            }
        };
        out.push(AttestationRule {
            predicate_type: t,
            signer,
        });
    }
    Ok(out)
}

/// An identity regexp must be written anchored (`^…$`): kakunin anchors every regexp anyway,
/// but a policy that reads as unanchored misleads its reviewer.
fn anchored_pattern(field: &str, pattern: &str, origin: &str) -> Result<String, PolicyError> {
    let invalid = |expected: String, found: String| PolicyError::Invalid {
        path: origin.to_string(),
        field: field.to_string(),
        expected,
        found,
    };
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(invalid(
            format!("a regexp of at most {MAX_PATTERN_LEN} characters"),
            format!("{} characters", pattern.len()),
        ));
    }
    let starts = pattern.starts_with('^');
    let ends = pattern.ends_with('$') && !pattern.ends_with("\\$");
    if !starts || !ends {
        let inner = pattern.trim_start_matches('^').trim_end_matches('$');
        return Err(invalid(
            format!("an anchored regexp (^…$), e.g. \"^{inner}$\""),
            format!("{pattern:?}"),
        ));
    }
    Ok(pattern[1..pattern.len() - 1].to_string())
}

fn signer(
    s: &RawSigner,
    field: &str,
    origin: &str,
    file: &dyn Fn(&str, &Path) -> Result<PathBuf, PolicyError>,
) -> Result<Signer, PolicyError> {
    let invalid = |sub: &str, expected: String, found: String| PolicyError::Invalid {
        path: origin.to_string(),
        field: if sub.is_empty() {
            field.to_string()
        } else {
            format!("{field}.{sub}")
        },
        expected,
        found,
    };
    let forms = [
        s.identity.is_some(),
        s.identity_regexp.is_some(),
        s.github.is_some(),
        s.key.is_some(),
    ];
    if forms.iter().filter(|f| **f).count() != 1 {
        return Err(invalid(
            "",
            "exactly one of identity, identity_regexp, github, key".into(),
            format!("{} of them", forms.iter().filter(|f| **f).count()),
        ));
    }
    if let Some(key) = &s.key {
        if s.issuer.is_some() || s.issuer_regexp.is_some() {
            return Err(invalid(
                "issuer",
                "no issuer with a key".into(),
                "an issuer".into(),
            ));
        }
        let path = file(&format!("{field}.key"), key)?;
        let key = PublicKey::from_file(&path)
            .map_err(|e| invalid("key", "a PEM public key".into(), e.to_string()))?;
        return Ok(Signer {
            policy: bundle::Policy::Key(key),
        });
    }
    let (identity, github) = match (&s.identity, &s.identity_regexp, &s.github) {
        (Some(id), _, _) => {
            if id.is_empty() || id.len() > MAX_PATTERN_LEN {
                return Err(invalid(
                    "identity",
                    "a certificate identity (SAN)".into(),
                    format!("{id:?}"),
                ));
            }
            (Identity::exact(id), GitHubClaims::default())
        }
        (_, Some(re), _) => {
            let inner = anchored_pattern(&format!("{field}.identity_regexp"), re, origin)?;
            let id = Identity::regex(inner)
                .map_err(|e| invalid("identity_regexp", "a valid regexp".into(), e.to_string()))?;
            (id, GitHubClaims::default())
        }
        (_, _, Some(g)) => github_identity(g).map_err(|(sub, e, f)| invalid(sub, e, f))?,
        _ => unreachable!("exactly one form is present"),
    };
    let issuer = certificate_issuer(s, field, origin, &invalid)?;
    Ok(Signer {
        policy: bundle::Policy::Certificate {
            identity,
            issuer,
            github,
        },
    })
}

/// The OIDC issuer a certificate signer requires: `issuer`, `issuer_regexp` (anchored), or
/// GitHub Actions' for a `github` signer; exactly one.
fn certificate_issuer(
    s: &RawSigner,
    field: &str,
    origin: &str,
    invalid: &dyn Fn(&str, String, String) -> PolicyError,
) -> Result<Issuer, PolicyError> {
    Ok(match (&s.issuer, &s.issuer_regexp, &s.github) {
        (Some(_), Some(_), _) => {
            return Err(invalid(
                "issuer",
                "issuer or issuer_regexp, not both".into(),
                "both".into(),
            ));
        }
        (Some(i), None, _) => Issuer::exact(i),
        (None, Some(re), _) => {
            let inner = anchored_pattern(&format!("{field}.issuer_regexp"), re, origin)?;
            Issuer::regex(inner)
                .map_err(|e| invalid("issuer_regexp", "a valid regexp".into(), e.to_string()))?
        }
        (None, None, Some(_)) => Issuer::exact(GITHUB_ACTIONS_ISSUER),
        (None, None, None) => {
            return Err(invalid(
                "issuer",
                "the OIDC issuer of the signing certificate (e.g. https://token.actions.githubusercontent.com)".into(),
                "none".into(),
            ));
        }
    })
}

type SubError = (&'static str, String, String);

/// `github: {repository, workflow, ref}`: the identity is that repository's workflow (any
/// workflow when none is named) at the ref (any ref when none; `*` in a ref matches within it),
/// the repository compared without case as GitHub's names are (the workflow's repository: a
/// reusable workflow's, not its caller's).
fn github_identity(g: &RawGitHub) -> Result<(Identity, GitHubClaims), SubError> {
    let name_ok = |s: &str| {
        !s.is_empty()
            && s != "."
            && s != ".."
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    let Some((owner, repo)) = g
        .repository
        .split_once('/')
        .filter(|(o, r)| name_ok(o) && name_ok(r))
    else {
        return Err((
            "github.repository",
            "owner/repo".into(),
            format!("{:?}", g.repository),
        ));
    };
    let workflow = match &g.workflow {
        Some(w)
            if w.is_empty()
                || w.contains('@')
                || w.contains("..")
                || w.starts_with('/')
                || w.len() > 512 =>
        {
            return Err((
                "github.workflow",
                "a workflow path such as .github/workflows/release.yaml".into(),
                format!("{w:?}"),
            ));
        }
        Some(w) => regex::escape(w),
        None => ".+".into(),
    };
    let source_ref = match &g.source_ref {
        Some(r) if !r.starts_with("refs/") || r.len() > 512 => {
            return Err((
                "github.ref",
                "a full ref such as refs/tags/v1.2.3 (`*` matches within it)".into(),
                format!("{r:?}"),
            ));
        }
        Some(r) => r
            .split('*')
            .map(regex::escape)
            .collect::<Vec<_>>()
            .join("[^@]*"),
        None => ".+".into(),
    };
    let pattern = format!(
        "(?i:https://github\\.com/{}/{})/{workflow}@{source_ref}",
        regex::escape(owner),
        regex::escape(repo)
    );
    let identity =
        Identity::regex(pattern).map_err(|e| ("github", "a valid signer".into(), e.to_string()))?;
    Ok((identity, GitHubClaims::default()))
}

#[cfg(test)]
mod tests;
