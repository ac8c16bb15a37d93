//! Who must have signed: kakunin's own policy over a bundle's signing certificate.
//!
//! sigstore-verify proves the cryptography (chain, SCT, log, timestamps, signature); this module
//! decides whether the *verified* certificate is the one the user asked for: the SAN identity
//! (exact, or a regular expression that must match the whole SAN), the OIDC issuer (exact, a
//! whole-string regular expression, or absent as on GitHub's release attestations), and the
//! GitHub Actions claims Fulcio writes into the certificate (source repository and owner, ref,
//! workflow file, commit, runner environment, and the deprecated GitHub workflow extensions
//! cosign's `--certificate-github-workflow-*` flags compare). The identity and the issuer are a
//! [`Check`] each, the GitHub claims asked for one `bundle.github-claims` check naming each
//! claim; every failure says what was expected and what was found.

use regex::Regex;
use sigstore_verify::crypto::CertificateInfo;

use crate::check::{Check, ids};

/// How the certificate's SAN must look.
#[derive(Debug, Clone)]
pub enum Identity {
    /// The SAN equals this string.
    Exact(String),
    /// The SAN matches this regular expression as a whole (it is anchored: `^(?:RE)$`).
    Regex { pattern: String, regex: Regex },
}

/// A regular expression given by the user was not valid.
#[derive(Debug, thiserror::Error)]
#[error("invalid {flag} {pattern:?}: {reason}")]
pub struct RegexError {
    /// The option the pattern was given with.
    pub flag: &'static str,
    pub pattern: String,
    pub reason: String,
}

/// `^(?:RE)$`, bounded in size. A pattern compiled before in this process is not compiled
/// again ([`COMPILED`]): a policy names a signer for its chart and for each images rule, most
/// often the same one, and compiling a GitHub identity (case-insensitive, Unicode) costs a
/// third of a bundle's verification.
fn anchored(flag: &'static str, pattern: &str) -> Result<Regex, RegexError> {
    let text = format!("^(?:{pattern})$");
    if let Some(r) = compiled().lock().ok().and_then(|m| m.get(&text).cloned()) {
        return Ok(r);
    }
    let regex = regex::RegexBuilder::new(&text)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| RegexError {
            flag,
            pattern: pattern.to_string(),
            reason: e.to_string(),
        })?;
    if let Ok(mut m) = compiled().lock()
        && m.len() < COMPILED
    {
        m.insert(text, regex.clone());
    }
    Ok(regex)
}

/// How many anchored patterns a process keeps compiled (beyond, each is compiled when used).
const COMPILED: usize = 64;

fn compiled() -> &'static std::sync::Mutex<std::collections::HashMap<String, Regex>> {
    static MAP: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<String, Regex>>> =
        std::sync::OnceLock::new();
    MAP.get_or_init(Default::default)
}

impl Identity {
    /// An exact identity.
    pub fn exact(identity: impl Into<String>) -> Identity {
        Identity::Exact(identity.into())
    }

    /// A regular expression that must match the whole SAN: it is always compiled anchored as
    /// `^(?:RE)$`, so `https://github.com/o/r/.*` cannot match `https://evil/?https://github.com/o/r/`.
    pub fn regex(pattern: impl Into<String>) -> Result<Identity, RegexError> {
        let pattern = pattern.into();
        let regex = anchored("--certificate-identity-regexp", &pattern)?;
        Ok(Identity::Regex { pattern, regex })
    }

    /// Whether a SAN satisfies this identity.
    pub fn matches(&self, san: &str) -> bool {
        match self {
            Identity::Exact(expected) => expected == san,
            Identity::Regex { regex, .. } => regex.is_match(san),
        }
    }

    /// What the report shows as expected.
    pub fn describe(&self) -> String {
        match self {
            Identity::Exact(s) => s.clone(),
            Identity::Regex { pattern, .. } => format!("matches ^(?:{pattern})$"),
        }
    }
}

/// Expected GitHub Actions claims (each optional; only those given are checked).
/// How the certificate's OIDC issuer extension (1.3.6.1.4.1.57264.1.1, or .1.8) must look.
#[derive(Debug, Clone)]
pub enum Issuer {
    /// The issuer equals this string.
    Exact(String),
    /// The issuer matches this regular expression as a whole (`^(?:RE)$`).
    Regex { pattern: String, regex: Regex },
    /// The certificate has no OIDC issuer extension: GitHub's release attestations are signed
    /// by GitHub itself (SAN `https://dotcom.releases.github.com`), not through an OIDC token.
    Absent,
}

impl Issuer {
    /// An exact issuer.
    pub fn exact(issuer: impl Into<String>) -> Issuer {
        Issuer::Exact(issuer.into())
    }

    /// A regular expression that must match the whole issuer (`^(?:RE)$`).
    pub fn regex(pattern: impl Into<String>) -> Result<Issuer, RegexError> {
        let pattern = pattern.into();
        let regex = anchored("--certificate-oidc-issuer-regexp", &pattern)?;
        Ok(Issuer::Regex { pattern, regex })
    }

    /// Whether a certificate's issuer (None: no issuer extension) satisfies this.
    pub fn matches(&self, issuer: Option<&str>) -> bool {
        match (self, issuer) {
            (Issuer::Exact(want), Some(i)) => want == i,
            (Issuer::Regex { regex, .. }, Some(i)) => regex.is_match(i),
            (Issuer::Absent, None) => true,
            _ => false,
        }
    }

    /// What the report shows as expected.
    pub fn describe(&self) -> String {
        match self {
            Issuer::Exact(s) => s.clone(),
            Issuer::Regex { pattern, .. } => format!("matches ^(?:{pattern})$"),
            Issuer::Absent => format!("{NONE} (a GitHub release attestation)"),
        }
    }
}

impl From<String> for Issuer {
    fn from(issuer: String) -> Issuer {
        Issuer::Exact(issuer)
    }
}

impl From<&str> for Issuer {
    fn from(issuer: &str) -> Issuer {
        Issuer::Exact(issuer.to_string())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHubClaims {
    /// `OWNER/REPO` (meaning `https://github.com/OWNER/REPO`) or a full repository URL; compared
    /// with the Source Repository URI claim.
    pub repository: Option<String>,
    /// A full ref such as `refs/tags/v1.2.3`; compared with the Source Repository Ref claim.
    pub source_ref: Option<String>,
    /// The workflow file path, e.g. `.github/workflows/release.yaml`; compared with the path
    /// part of the Build Config URI claim (the workflow that ran), without its `@ref`.
    pub workflow: Option<String>,
    /// The commit (hex) the artifact was built from; compared with the Source Repository Digest.
    pub source_digest: Option<String>,
    /// `gh attestation verify --owner`: the Source Repository Owner URI claim is
    /// `https://github.com/OWNER` (ASCII case-insensitive, as GitHub's owner names are).
    pub owner: Option<String>,
    /// `gh attestation verify --repo OWNER/REPO`: the Source Repository URI claim is
    /// `https://github.com/OWNER/REPO` (ASCII case-insensitive).
    pub repo: Option<String>,
    /// `--deny-self-hosted-runners`: the Runner Environment claim is `github-hosted`.
    pub github_hosted_runner: bool,
    /// cosign's `--certificate-github-workflow-trigger`: the deprecated GitHub Workflow
    /// Trigger extension (.1.2), e.g. `push`.
    pub workflow_trigger: Option<String>,
    /// `--certificate-github-workflow-sha`: the deprecated GitHub Workflow SHA extension (.1.3).
    pub workflow_sha: Option<String>,
    /// `--certificate-github-workflow-name`: the deprecated GitHub Workflow Name extension (.1.4).
    pub workflow_name: Option<String>,
    /// `--certificate-github-workflow-repository`: the deprecated GitHub Workflow Repository
    /// extension (.1.5), `owner/repo`.
    pub workflow_repository: Option<String>,
    /// `--certificate-github-workflow-ref`: the deprecated GitHub Workflow Ref extension (.1.6).
    pub workflow_ref: Option<String>,
}

impl GitHubClaims {
    /// Whether no claim is asked for.
    pub fn is_empty(&self) -> bool {
        *self == GitHubClaims::default()
    }
}

/// The claims kakunin reads from a Fulcio certificate's extensions (OID arc
/// 1.3.6.1.4.1.57264.1). They are claims of the CA that issued the certificate: worth
/// something only once the certificate has been verified, which is what [`super::VerifiedBundle`]
/// guarantees.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CertificateClaims {
    /// .1.12 Source Repository URI, e.g. `https://github.com/o/r`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_uri: Option<String>,
    /// .1.14 Source Repository Ref, e.g. `refs/tags/v1.2.3`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_ref: Option<String>,
    /// .1.13 Source Repository Digest (commit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_digest: Option<String>,
    /// .1.15 Source Repository Identifier (immutable id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_identifier: Option<String>,
    /// .1.16 Source Repository Owner URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_owner_uri: Option<String>,
    /// .1.18 Build Config URI: the workflow that ran, with its ref.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_config_uri: Option<String>,
    /// .1.19 Build Config Digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_config_digest: Option<String>,
    /// .1.9 Build Signer URI: the workflow that signed (a reusable workflow, possibly).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_uri: Option<String>,
    /// .1.10 Build Signer Digest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_signer_digest: Option<String>,
    /// .1.11 Runner Environment (`github-hosted`, `self-hosted`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_environment: Option<String>,
    /// .1.20 Build Trigger (`push`, `release`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_trigger: Option<String>,
    /// .1.21 Run Invocation URI (the run's logs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_invocation_uri: Option<String>,
    /// .1.22 Source Repository Visibility At Signing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_repository_visibility: Option<String>,
    /// .1.23 Deployment Environment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_environment: Option<String>,
    /// The deprecated GitHub workflow extensions (.1.2–.1.6) exactly as the certificate has
    /// them (the fields above fall back to them; these do not mix in the newer ones), for
    /// cosign's `--certificate-github-workflow-*` comparisons. Not part of the report.
    #[serde(skip)]
    pub deprecated_github: DeprecatedGitHubClaims,
}

/// Fulcio's deprecated GitHub workflow extensions, raw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeprecatedGitHubClaims {
    /// .1.2 GitHub Workflow Trigger.
    pub trigger: Option<String>,
    /// .1.3 GitHub Workflow SHA.
    pub sha: Option<String>,
    /// .1.4 GitHub Workflow Name.
    pub name: Option<String>,
    /// .1.5 GitHub Workflow Repository.
    pub repository: Option<String>,
    /// .1.6 GitHub Workflow Ref.
    pub reference: Option<String>,
}

impl CertificateClaims {
    /// Reads the claims of a parsed certificate, falling back to the deprecated GitHub
    /// extensions (.1.2–.1.6) for certificates that predate the provider-neutral ones.
    pub(crate) fn from_certificate(info: &CertificateInfo) -> CertificateClaims {
        let c = &info.ci_claims;
        let old = &c.deprecated_github;
        CertificateClaims {
            source_repository_uri: c.source_repository_uri.clone().or_else(|| {
                old.workflow_repository
                    .as_ref()
                    .map(|r| format!("https://github.com/{r}"))
            }),
            source_repository_ref: c
                .source_repository_ref
                .clone()
                .or_else(|| old.workflow_ref.clone()),
            source_repository_digest: c
                .source_repository_digest
                .clone()
                .or_else(|| old.workflow_sha.clone()),
            source_repository_identifier: c.source_repository_identifier.clone(),
            source_repository_owner_uri: c.source_repository_owner_uri.clone(),
            build_config_uri: c.build_config_uri.clone(),
            build_config_digest: c.build_config_digest.clone(),
            build_signer_uri: c.build_signer_uri.clone(),
            build_signer_digest: c.build_signer_digest.clone(),
            runner_environment: c.runner_environment.clone(),
            build_trigger: c
                .build_trigger
                .clone()
                .or_else(|| old.workflow_trigger.clone()),
            run_invocation_uri: c.run_invocation_uri.clone(),
            source_repository_visibility: c.source_repository_visibility_at_signing.clone(),
            deployment_environment: c.deployment_environment.clone(),
            deprecated_github: DeprecatedGitHubClaims {
                trigger: old.workflow_trigger.clone(),
                sha: old.workflow_sha.clone(),
                name: old.workflow_name.clone(),
                repository: old.workflow_repository.clone(),
                reference: old.workflow_ref.clone(),
            },
        }
    }

    /// The workflow path of the Build Config URI: `.github/workflows/x.yaml` out of
    /// `https://github.com/o/r/.github/workflows/x.yaml@refs/tags/v1`.
    pub fn workflow_path(&self) -> Option<&str> {
        let uri = self.build_config_uri.as_deref()?;
        let without_ref = uri.split_once('@').map_or(uri, |(path, _)| path);
        let after_scheme = without_ref
            .split_once("://")
            .map_or(without_ref, |(_, r)| r);
        // GitLab: `host/group/…/project//path` (a project path may have any depth).
        if let Some((_, path)) = after_scheme.split_once("//") {
            return Some(path);
        }
        // host / owner / repo / path…
        let mut parts = after_scheme.splitn(4, '/');
        let (_host, _owner, _repo) = (parts.next()?, parts.next()?, parts.next()?);
        parts.next()
    }
}

const NONE: &str = "(absent)";

fn found(v: Option<&str>) -> String {
    v.unwrap_or(NONE).to_string()
}

/// The identity check.
pub(crate) fn identity_check(expected: &Identity, san: Option<&str>) -> Check {
    let title = "signing certificate identity (SAN)";
    match san {
        Some(s) if expected.matches(s) => {
            Check::pass(ids::BUNDLE_IDENTITY, title, expected.describe(), s)
        }
        _ => Check::fail(ids::BUNDLE_IDENTITY, title, expected.describe(), found(san)),
    }
}

/// The issuer check.
pub(crate) fn issuer_check(expected: &Issuer, issuer: Option<&str>) -> Check {
    let title = "signing certificate OIDC issuer";
    if expected.matches(issuer) {
        Check::pass(
            ids::BUNDLE_ISSUER,
            title,
            expected.describe(),
            found(issuer),
        )
    } else {
        Check::fail(
            ids::BUNDLE_ISSUER,
            title,
            expected.describe(),
            found(issuer),
        )
    }
}

/// One GitHub claim asked for, compared with the certificate's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ClaimComparison {
    /// The claim, in words (`source repository`, `runner environment`, …).
    pub name: &'static str,
    pub expected: String,
    /// The certificate's value, `(absent)` when it has none.
    pub found: String,
    pub ok: bool,
}

impl ClaimComparison {
    fn new(name: &'static str, expected: String, got: Option<&str>, ok: bool) -> Self {
        ClaimComparison {
            name,
            expected,
            found: found(got),
            ok,
        }
    }

    /// `exact`: the certificate's value equals the expected one.
    fn exact(name: &'static str, expected: String, found: Option<&str>) -> Self {
        let ok = found == Some(expected.as_str());
        ClaimComparison::new(name, expected, found, ok)
    }

    /// GitHub's owner and repository names: ASCII case-insensitive, as `gh` compares them.
    fn any_case(name: &'static str, expected: String, found: Option<&str>) -> Self {
        let ok = found.is_some_and(|f| f.eq_ignore_ascii_case(&expected));
        ClaimComparison::new(name, expected, found, ok)
    }
}

/// Each GitHub claim asked for, in the order of the options, compared with the certificate's.
pub(crate) fn compare_github_claims(
    expected: &GitHubClaims,
    claims: &CertificateClaims,
) -> Vec<ClaimComparison> {
    let mut compared = source_claims(expected, claims);
    compared.extend(gh_claims(expected, claims));
    compared.extend(deprecated_claims(expected, &claims.deprecated_github));
    compared
}

/// `--repository`, `--source-ref`, `--workflow`, `--source-digest`.
fn source_claims(expected: &GitHubClaims, claims: &CertificateClaims) -> Vec<ClaimComparison> {
    let mut compared = Vec::new();
    if let Some(repo) = &expected.repository {
        let got = claims.source_repository_uri.as_deref();
        compared.push(ClaimComparison::exact(
            "source repository",
            repository_uri(repo),
            got,
        ));
    }
    if let Some(r) = &expected.source_ref {
        let got = claims.source_repository_ref.as_deref();
        compared.push(ClaimComparison::exact("source ref", r.clone(), got));
    }
    if let Some(w) = &expected.workflow {
        let want = w.trim_start_matches('/');
        // A full workflow URL is compared with the Build Config URI without its ref, a path
        // with the path of it.
        let got = if want.contains("://") {
            claims
                .build_config_uri
                .as_deref()
                .map(|u| u.split_once('@').map_or(u, |(p, _)| p))
        } else {
            claims.workflow_path()
        };
        compared.push(ClaimComparison::exact("workflow", want.to_string(), got));
    }
    if let Some(d) = &expected.source_digest {
        let want = d.to_ascii_lowercase();
        let want = want.strip_prefix("sha1:").unwrap_or(&want).to_string();
        let got = claims.source_repository_digest.as_deref();
        compared.push(ClaimComparison::exact("source commit", want, got));
    }
    compared
}

/// `gh attestation verify`'s `--owner`, `--repo` and `--deny-self-hosted-runners`.
fn gh_claims(expected: &GitHubClaims, claims: &CertificateClaims) -> Vec<ClaimComparison> {
    let mut compared = Vec::new();
    if let Some(owner) = &expected.owner {
        let want = format!("https://github.com/{}", owner.trim_matches('/'));
        let got = claims.source_repository_owner_uri.as_deref();
        compared.push(ClaimComparison::any_case(
            "source repository owner",
            want,
            got,
        ));
    }
    if let Some(repo) = &expected.repo {
        let want = format!("https://github.com/{}", repo.trim_matches('/'));
        let got = claims.source_repository_uri.as_deref();
        compared.push(ClaimComparison::any_case(
            "source repository (--repo)",
            want,
            got,
        ));
    }
    if expected.github_hosted_runner {
        let got = claims.runner_environment.as_deref();
        compared.push(ClaimComparison::exact(
            "runner environment",
            "github-hosted".to_string(),
            got,
        ));
    }
    compared
}

/// cosign's `--certificate-github-workflow-*`: the deprecated extensions, exactly.
fn deprecated_claims(
    expected: &GitHubClaims,
    old: &DeprecatedGitHubClaims,
) -> Vec<ClaimComparison> {
    [
        (
            "GitHub workflow trigger",
            &expected.workflow_trigger,
            &old.trigger,
        ),
        ("GitHub workflow sha", &expected.workflow_sha, &old.sha),
        ("GitHub workflow name", &expected.workflow_name, &old.name),
        (
            "GitHub workflow repository",
            &expected.workflow_repository,
            &old.repository,
        ),
        (
            "GitHub workflow ref",
            &expected.workflow_ref,
            &old.reference,
        ),
    ]
    .into_iter()
    .filter_map(|(name, want, got)| {
        let want = want.as_ref()?;
        Some(ClaimComparison::exact(name, want.clone(), got.as_deref()))
    })
    .collect()
}

/// The one `bundle.github-claims` check of the compared claims (None when none was asked for):
/// its title names every claim; expected and found say `claim = value` for each failing claim,
/// or for every claim when all match.
pub(crate) fn github_check(compared: &[ClaimComparison]) -> Option<Check> {
    if compared.is_empty() {
        return None;
    }
    let names: Vec<&str> = compared.iter().map(|c| c.name).collect();
    let title = format!(
        "GitHub claims of the signing certificate: {}",
        names.join(", ")
    );
    let failing: Vec<&ClaimComparison> = compared.iter().filter(|c| !c.ok).collect();
    let shown: Vec<&ClaimComparison> = if failing.is_empty() {
        compared.iter().collect()
    } else {
        failing
    };
    let list = |value: fn(&ClaimComparison) -> &str| {
        shown
            .iter()
            .map(|c| format!("{} = {}", c.name, value(c)))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let ok = compared.iter().all(|c| c.ok);
    Some(Check::pass_if(
        ok,
        ids::BUNDLE_GITHUB_CLAIMS,
        title,
        list(|c| c.expected.as_str()),
        list(|c| c.found.as_str()),
    ))
}

/// `OWNER/REPO` → `https://github.com/OWNER/REPO`; a URL is kept as given (without a trailing
/// slash).
pub fn repository_uri(repo: &str) -> String {
    let repo = repo.trim_end_matches('/');
    if repo.contains("://") {
        repo.to_string()
    } else {
        format!("https://github.com/{}", repo.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pattern compiled twice is compiled once, still anchored; one that does not compile is
    /// refused every time and never kept.
    #[test]
    fn a_pattern_is_compiled_once_per_process() {
        let pattern = "https://github.com/memo-test/.*";
        let first = Identity::regex(pattern).unwrap();
        let key = format!("^(?:{pattern})$");
        assert!(compiled().lock().unwrap().contains_key(&key));
        let again = Identity::regex(pattern).unwrap();
        for id in [&first, &again] {
            assert!(id.matches("https://github.com/memo-test/x"));
            assert!(!id.matches("x https://github.com/memo-test/x"));
        }
        for _ in 0..2 {
            assert!(Identity::regex("https://github.com/(unclosed").is_err());
        }
        assert!(
            !compiled()
                .lock()
                .unwrap()
                .contains_key("^(?:https://github.com/(unclosed)$")
        );
    }

    #[test]
    fn identity_regexp_is_anchored_to_the_whole_san() {
        let id = Identity::regex("https://github.com/o/r/.*").unwrap();
        assert!(id.matches("https://github.com/o/r/.github/workflows/x.yaml@refs/tags/v1"));
        assert!(!id.matches("https://evil.example/?https://github.com/o/r/x"));
        let id = Identity::regex("a|b").unwrap();
        assert!(id.matches("a") && id.matches("b"));
        assert!(!id.matches("ab") && !id.matches("xa"));
        assert!(Identity::regex("(").is_err());
    }

    #[test]
    fn workflow_path_is_the_path_of_the_build_config_without_ref() {
        let claims = CertificateClaims {
            build_config_uri: Some(
                "https://github.com/o/r/.github/workflows/release.yaml@refs/tags/v1.2.3".into(),
            ),
            ..Default::default()
        };
        assert_eq!(
            claims.workflow_path(),
            Some(".github/workflows/release.yaml")
        );
        let gitlab = CertificateClaims {
            build_config_uri: Some(
                "https://gitlab.com/group/sub/project//ci/release.yml@refs/tags/v1".into(),
            ),
            ..Default::default()
        };
        assert_eq!(gitlab.workflow_path(), Some("ci/release.yml"));
    }

    #[test]
    fn github_claims_are_one_check_naming_each_failing_claim() {
        let claims = CertificateClaims {
            source_repository_uri: Some("https://github.com/o/r".into()),
            source_repository_ref: Some("refs/tags/v1".into()),
            ..Default::default()
        };
        let expected = GitHubClaims {
            repository: Some("o/other".into()),
            source_ref: Some("refs/tags/v1".into()),
            workflow: Some(".github/workflows/x.yaml".into()),
            ..Default::default()
        };
        let compared = compare_github_claims(&expected, &claims);
        let each: Vec<_> = compared
            .iter()
            .map(|c| (c.name, c.expected.as_str(), c.found.as_str(), c.ok))
            .collect();
        assert_eq!(
            each,
            [
                (
                    "source repository",
                    "https://github.com/o/other",
                    "https://github.com/o/r",
                    false
                ),
                ("source ref", "refs/tags/v1", "refs/tags/v1", true),
                ("workflow", ".github/workflows/x.yaml", NONE, false),
            ]
        );
        let check = github_check(&compared).expect("claims were asked for");
        assert!(!check.passed());
        assert_eq!(check.id, ids::BUNDLE_GITHUB_CLAIMS);
        assert_eq!(
            check.title,
            "GitHub claims of the signing certificate: source repository, source ref, workflow"
        );
        assert_eq!(
            check.expected,
            "source repository = https://github.com/o/other; workflow = .github/workflows/x.yaml"
        );
        assert_eq!(
            check.found,
            format!("source repository = https://github.com/o/r; workflow = {NONE}")
        );
        // All matching: one passing check listing every claim.
        let right = GitHubClaims {
            repository: Some("o/r".into()),
            source_ref: Some("refs/tags/v1".into()),
            ..Default::default()
        };
        let check = github_check(&compare_github_claims(&right, &claims)).unwrap();
        assert!(check.passed());
        assert_eq!(
            check.expected,
            "source repository = https://github.com/o/r; source ref = refs/tags/v1"
        );
        assert_eq!(check.found, check.expected);
        // Nothing asked: no check.
        let none = compare_github_claims(&GitHubClaims::default(), &claims);
        assert!(github_check(&none).is_none());
    }

    #[test]
    fn gh_and_cosign_claims_fail_each_with_expected_and_found() {
        let claims = CertificateClaims {
            source_repository_uri: Some("https://github.com/O/R".into()),
            source_repository_owner_uri: Some("https://github.com/O".into()),
            runner_environment: Some("self-hosted".into()),
            deprecated_github: DeprecatedGitHubClaims {
                trigger: Some("push".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let expected = GitHubClaims {
            owner: Some("o".into()),
            repo: Some("o/r".into()),
            github_hosted_runner: true,
            workflow_trigger: Some("release".into()),
            workflow_ref: Some("refs/tags/v1".into()),
            ..Default::default()
        };
        let compared = compare_github_claims(&expected, &claims);
        assert_eq!(compared.len(), 5);
        // Owner and repository names compare case-insensitively, as gh's do.
        assert!(compared[0].ok && compared[1].ok, "{compared:?}");
        let failing: Vec<_> = compared[2..]
            .iter()
            .map(|c| (c.name, c.expected.as_str(), c.found.as_str(), c.ok))
            .collect();
        assert_eq!(
            failing,
            [
                ("runner environment", "github-hosted", "self-hosted", false),
                ("GitHub workflow trigger", "release", "push", false),
                ("GitHub workflow ref", "refs/tags/v1", NONE, false),
            ]
        );
        let check = github_check(&compared).unwrap();
        assert!(!check.passed());
        assert_eq!(
            check.found,
            format!(
                "runner environment = self-hosted; GitHub workflow trigger = push; \
                 GitHub workflow ref = {NONE}"
            )
        );
    }

    #[test]
    fn issuer_absent_regex_and_exact() {
        assert!(Issuer::Absent.matches(None));
        assert!(!Issuer::Absent.matches(Some("https://x")));
        let re = Issuer::regex("https://token\\.actions\\.githubusercontent\\.com").unwrap();
        assert!(re.matches(Some("https://token.actions.githubusercontent.com")));
        assert!(!re.matches(Some("https://token.actions.githubusercontent.com/x")));
        assert!(!re.matches(None));
        assert!(!Issuer::exact("a").matches(None));
        assert!(Issuer::regex("(").is_err());
    }
}
