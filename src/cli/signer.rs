//! The signer and trust options every `verify-*` command shares (`#[command(flatten)]`), and
//! turning them into a [`Policy`]: who must have signed, said the way cosign, `gh attestation
//! verify` and sigstore-python say it. Missing or contradictory options are usage errors
//! (exit 2), reported before anything is read.

use std::path::PathBuf;

use clap::Args;

use kakunin::bundle::{GitHubClaims, Identity, Issuer, Policy, PublicKey, danger};
use kakunin::exit::ExitCode;
use kakunin::trust::{Instance, Trust};

use super::fail;

/// GitHub Actions' OIDC issuer: what `--owner`, `--repo`, `--signer-repo` and
/// `--signer-workflow` expect unless an issuer is given.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// The identity GitHub signs its own release attestations with (no OIDC issuer extension).
pub const GITHUB_RELEASE_IDENTITY: &str = "https://dotcom.releases.github.com";

// Who must have signed. Exactly one way to name the identity (`--certificate-identity`,
// `--certificate-identity-regexp`, `--signer-repo`, `--signer-workflow`, `--github-release`;
// `--owner` / `--repo` imply one when none is given) with its issuer, or `--key`.
// (Plain comments: a doc comment on a flattened struct would become the command's about.)
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Signer")]
pub struct SignerArgs {
    /// The exact identity (SAN) the signing certificate must carry
    #[arg(
        long,
        visible_alias = "cert-identity",
        value_name = "IDENTITY",
        conflicts_with_all = ["certificate_identity_regexp", "signer_repo", "signer_workflow", "github_release", "key"]
    )]
    pub certificate_identity: Option<String>,

    /// A regular expression the whole SAN must match (always anchored: ^(?:RE)$)
    #[arg(
        long,
        visible_alias = "cert-identity-regex",
        value_name = "RE",
        conflicts_with_all = ["signer_repo", "signer_workflow", "github_release", "key"]
    )]
    pub certificate_identity_regexp: Option<String>,

    /// The OIDC issuer the signing certificate must name
    #[arg(
        long,
        visible_alias = "cert-oidc-issuer",
        value_name = "URL",
        conflicts_with_all = ["certificate_oidc_issuer_regexp", "github_release", "key"]
    )]
    pub certificate_oidc_issuer: Option<String>,

    /// A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)
    #[arg(long, value_name = "RE", conflicts_with_all = ["github_release", "key"])]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Signed by a workflow of this GitHub owner: identity https://github.com/OWNER/…, issuer GitHub Actions (unless given), source repository owner claim https://github.com/OWNER (as `gh attestation verify --owner`)
    #[arg(long, value_name = "OWNER", conflicts_with_all = ["github_release", "key"])]
    pub owner: Option<String>,

    /// Signed by a workflow of this GitHub repository: as --owner, and the source repository claim must be https://github.com/OWNER/REPO (as `gh attestation verify --repo`)
    // `--repo` is an alias everywhere but `verify`, whose `--repo` is Helm's chart repository
    // (it removes the alias with `mut_arg`).
    #[arg(long = "github-repo", visible_alias = "repo", value_name = "OWNER/REPO", conflicts_with_all = ["owner", "github_release", "key"])]
    pub github_repo: Option<String>,

    /// The signing workflow is in this repository (a reusable workflow's repository): identity https://github.com/OWNER/REPO/…
    #[arg(long, value_name = "OWNER/REPO", conflicts_with_all = ["signer_workflow", "github_release", "key"])]
    pub signer_repo: Option<String>,

    /// The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF): identity https://HOST/OWNER/REPO/PATH@…; HOST defaults to github.com
    #[arg(long, value_name = "[HOST/]OWNER/REPO/PATH", conflicts_with_all = ["github_release", "key"])]
    pub signer_workflow: Option<String>,

    /// A GitHub release attestation: signed by GitHub itself (identity https://dotcom.releases.github.com, no OIDC issuer extension); uses the GitHub instance's root unless a root is given
    #[arg(long, conflicts_with = "key")]
    pub github_release: bool,

    /// Fail unless the certificate's runner environment claim is github-hosted
    #[arg(long, conflicts_with = "key")]
    pub deny_self_hosted_runners: bool,

    /// Source repository the certificate (and an attestation's provenance) must name: OWNER/REPO (on github.com) or a URL
    #[arg(long, value_name = "OWNER/REPO")]
    pub repository: Option<String>,

    /// Source ref the certificate (and an attestation's provenance) must name, e.g. refs/tags/v1.2.3
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,

    /// Workflow file that must have run (certificate build config, and an attestation's provenance), e.g. .github/workflows/release.yaml
    #[arg(long, value_name = "PATH")]
    pub workflow: Option<String>,

    /// Commit (hex) the certificate (and an attestation's provenance) must name as the source
    #[arg(long, value_name = "SHA")]
    pub source_digest: Option<String>,

    /// The certificate's (deprecated) GitHub Workflow Trigger extension, e.g. push (cosign's flag)
    #[arg(long, value_name = "EVENT", conflicts_with = "key")]
    pub certificate_github_workflow_trigger: Option<String>,

    /// The certificate's (deprecated) GitHub Workflow SHA extension: the commit (cosign's flag)
    #[arg(long, value_name = "SHA", conflicts_with = "key")]
    pub certificate_github_workflow_sha: Option<String>,

    /// The certificate's (deprecated) GitHub Workflow Name extension (cosign's flag)
    #[arg(long, value_name = "NAME", conflicts_with = "key")]
    pub certificate_github_workflow_name: Option<String>,

    /// The certificate's (deprecated) GitHub Workflow Repository extension, OWNER/REPO (cosign's flag)
    #[arg(long, value_name = "OWNER/REPO", conflicts_with = "key")]
    pub certificate_github_workflow_repository: Option<String>,

    /// The certificate's (deprecated) GitHub Workflow Ref extension, e.g. refs/tags/v1.2.3 (cosign's flag)
    #[arg(long, value_name = "REF", conflicts_with = "key")]
    pub certificate_github_workflow_ref: Option<String>,

    /// A PEM public key: verify a managed-key bundle with it instead of a certificate identity (no certificate: verify-attestation then checks --repository, --source-ref, --workflow, --source-digest against the provenance only)
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,

    /// DANGER: accept a bundle without transparency-log inclusion (e.g. publish
    /// --tlog-upload=false, cosign's flag); the report says no log entry was checked
    #[arg(long)]
    pub insecure_ignore_tlog: bool,
}

// The options the commands that verify one artifact (verify-bundle, verify-attestation) share,
// in this order: output, signer, trusted root.
#[derive(Debug, Clone, Args)]
pub struct VerifyFlags {
    #[command(flatten)]
    pub output: super::OutputArgs,

    #[command(flatten)]
    pub signer: SignerArgs,

    #[command(flatten)]
    pub trust: TrustArgs,
}

// Which trusted root to verify against.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Trusted root")]
pub struct TrustArgs {
    /// Use the embedded trusted root of this instance (default public-good)
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"], conflicts_with = "staging")]
    pub instance: Option<String>,

    /// Use the Sigstore public-good staging instance's embedded trusted root
    #[arg(long)]
    pub staging: bool,

    /// A trusted_root.json to verify against instead of an embedded root
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<PathBuf>,

    /// Accepted for cosign compatibility: verification never uses the network (a no-op)
    #[arg(long)]
    pub offline: bool,
}

impl TrustArgs {
    /// The embedded instance asked for; with `--github-release` and no root named, GitHub's.
    pub fn instance(&self, signer: &SignerArgs) -> Option<Instance> {
        match self.instance.as_deref().and_then(Instance::from_name) {
            Some(i) => Some(i),
            None if signer.github_release && !self.staging && self.trusted_root.is_none() => {
                Some(Instance::GitHub)
            }
            None => None,
        }
    }

    /// The embedded instance that is used when no `--trusted-root` is given.
    pub fn embedded_instance(&self, signer: &SignerArgs) -> Instance {
        self.instance(signer).unwrap_or(if self.staging {
            Instance::Staging
        } else {
            Instance::Production
        })
    }
}

impl TrustArgs {
    /// When verification failed against the embedded root that was chosen, whether it would
    /// pass against another embedded root (a bundle from GitHub's instance checked against
    /// public-good is the usual mistake). Only a hint, printed by the caller: the verdict stays
    /// a failure. None when a `--trusted-root` was given.
    pub fn other_root_hint(
        &self,
        signer: &SignerArgs,
        verifies: impl Fn(&Trust) -> bool,
    ) -> Option<String> {
        if self.trusted_root.is_some() {
            return None;
        }
        let chosen = self.embedded_instance(signer);
        [Instance::GitHub, Instance::Production, Instance::Staging]
            .into_iter()
            .filter(|i| *i != chosen)
            .find(|i| {
                Trust::embedded(*i)
                    .is_ok_and(|t| verifies(&t.accept_tsa_only(danger::TsaOnly)))
            })
            .map(|i| {
                format!(
                    "hint: this bundle verifies against the embedded {} root; to accept it, add --instance {}",
                    i.name(),
                    i.name()
                )
            })
    }
}

impl SignerArgs {
    /// The GitHub claims asked for (`--repository` … and the gh/cosign claim flags).
    pub fn github_claims(&self) -> GitHubClaims {
        GitHubClaims {
            repository: self.repository.clone(),
            source_ref: self.source_ref.clone(),
            workflow: self.workflow.clone(),
            source_digest: self.source_digest.clone(),
            owner: self.owner.clone().or_else(|| {
                self.github_repo
                    .as_deref()
                    .and_then(owner_of)
                    .map(str::to_string)
            }),
            repo: self.github_repo.clone(),
            github_hosted_runner: self.deny_self_hosted_runners,
            workflow_trigger: self.certificate_github_workflow_trigger.clone(),
            workflow_sha: self.certificate_github_workflow_sha.clone(),
            workflow_name: self.certificate_github_workflow_name.clone(),
            workflow_repository: self.certificate_github_workflow_repository.clone(),
            workflow_ref: self.certificate_github_workflow_ref.clone(),
        }
    }

    /// Whether a flag names who must have signed (an identity, a GitHub owner, repository or
    /// workflow, GitHub's release identity, or a key).
    pub fn names_signer(&self) -> bool {
        self.certificate_identity.is_some()
            || self.certificate_identity_regexp.is_some()
            || self.github_style()
            || self.github_release
            || self.key.is_some()
    }

    /// Whether any signer flag was given (who signed, the issuer, a claim, the log waiver).
    pub fn any_given(&self) -> bool {
        self.names_signer()
            || self.certificate_oidc_issuer.is_some()
            || self.certificate_oidc_issuer_regexp.is_some()
            || !self.github_claims().is_empty()
            || self.insecure_ignore_tlog
    }

    /// DANGER: the log waiver as the named value the verification options take
    /// (`--insecure-ignore-tlog`), or None.
    pub fn ignore_tlog(&self) -> Option<danger::IgnoreTlog> {
        self.insecure_ignore_tlog.then_some(danger::IgnoreTlog)
    }

    /// Whether a gh-style option names the signer (GitHub Actions' issuer is then the default).
    fn github_style(&self) -> bool {
        self.owner.is_some()
            || self.github_repo.is_some()
            || self.signer_repo.is_some()
            || self.signer_workflow.is_some()
    }

    /// Who must have signed: the managed key, or the certificate identity, issuer and claims.
    /// Missing or conflicting options are usage errors (exit 2), printed here.
    pub fn policy(&self) -> Result<Policy, ExitCode> {
        let policy = self.try_policy().map_err(|e| fail(ExitCode::Usage, e))?;
        if !self.insecure_ignore_tlog {
            return Ok(policy);
        }
        // kakunin's one log waiver: bundle::Policy::DangerIgnoreTlog.
        eprintln!(
            "kakunin: WARNING: --insecure-ignore-tlog: transparency-log inclusion is not checked; nothing proves the signature was published"
        );
        Ok(policy.danger_ignore_tlog(danger::IgnoreTlog))
    }

    fn try_policy(&self) -> Result<Policy, String> {
        if let Some(key) = &self.key {
            return PublicKey::from_file(key)
                .map(Policy::Key)
                .map_err(|e| e.to_string());
        }
        for (flag, value) in [("--owner", &self.owner)] {
            if let Some(v) = value
                && !valid_name(v)
            {
                return Err(format!(
                    "{flag} {v:?}: a GitHub owner is letters, digits, '-', '_' and '.'"
                ));
            }
        }
        for (flag, value) in [
            ("--github-repo", &self.github_repo),
            ("--signer-repo", &self.signer_repo),
        ] {
            if let Some(v) = value
                && owner_repo(v).is_none()
            {
                return Err(format!("{flag} {v:?}: expected OWNER/REPO"));
            }
        }
        let identity = if self.github_release {
            Identity::exact(GITHUB_RELEASE_IDENTITY)
        } else if let Some(id) = &self.certificate_identity {
            Identity::exact(id)
        } else if let Some(re) = &self.certificate_identity_regexp {
            Identity::regex(re).map_err(|e| e.to_string())?
        } else if let Some(repo) = &self.signer_repo {
            github_prefix(repo)?
        } else if let Some(workflow) = &self.signer_workflow {
            signer_workflow_identity(workflow)?
        } else if let Some(repo) = &self.github_repo {
            github_prefix(repo)?
        } else if let Some(owner) = &self.owner {
            github_prefix(owner)?
        } else {
            return Err(
                "give the signer: --certificate-identity or --certificate-identity-regexp \
                 (with --certificate-oidc-issuer), --owner / --repo / --signer-repo / \
                 --signer-workflow (GitHub Actions), --github-release, or --key"
                    .into(),
            );
        };
        let issuer = if self.github_release {
            Issuer::Absent
        } else if let Some(i) = &self.certificate_oidc_issuer {
            Issuer::exact(i)
        } else if let Some(re) = &self.certificate_oidc_issuer_regexp {
            Issuer::regex(re).map_err(|e| e.to_string())?
        } else if self.github_style() {
            Issuer::exact(GITHUB_ACTIONS_ISSUER)
        } else {
            return Err(
                "--certificate-oidc-issuer (or --certificate-oidc-issuer-regexp) is required with a certificate identity"
                    .into(),
            );
        };
        Ok(Policy::Certificate {
            identity,
            issuer,
            github: self.github_claims(),
        })
    }
}

/// GitHub owner and repository names: ASCII letters, digits, `-`, `_`, `.`.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `OWNER/REPO`, both valid names.
fn owner_repo(s: &str) -> Option<(&str, &str)> {
    let (owner, repo) = s.split_once('/')?;
    (valid_name(owner) && valid_name(repo)).then_some((owner, repo))
}

fn owner_of(repo: &str) -> Option<&str> {
    owner_repo(repo).map(|(o, _)| o)
}

/// Any workflow under `https://github.com/PATH/` (owner or owner/repo), ASCII case-insensitive
/// as GitHub's names are (gh matches `(?i)^https://github.com/PATH/`).
fn github_prefix(path: &str) -> Result<Identity, String> {
    Identity::regex(format!(
        "(?i:https://github\\.com/{})/.+",
        regex::escape(path.trim_matches('/'))
    ))
    .map_err(|e| e.to_string())
}

/// `--signer-workflow [HOST/]OWNER/REPO/PATH[@REF]`: the SAN is that workflow at any ref (or
/// at REF when given). A first segment with a dot is a host; otherwise github.com.
fn signer_workflow_identity(workflow: &str) -> Result<Identity, String> {
    let w = workflow
        .trim_start_matches("https://")
        .trim_start_matches('/');
    let first = w.split('/').next().unwrap_or_default();
    let full = if first.contains('.') {
        w.to_string()
    } else {
        format!("github.com/{w}")
    };
    // host / owner / repo / path…
    if full.splitn(4, '/').filter(|p| !p.is_empty()).count() < 4 {
        return Err(format!(
            "--signer-workflow {workflow:?}: expected [HOST/]OWNER/REPO/PATH, e.g. o/r/.github/workflows/release.yaml"
        ));
    }
    let pattern = if full.contains('@') {
        regex::escape(&format!("https://{full}"))
    } else {
        format!("{}@.+", regex::escape(&format!("https://{full}")))
    };
    Identity::regex(pattern).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owner_and_repo_identities_are_anchored_prefixes_of_github_workflows() {
        let id = github_prefix("o/r").unwrap();
        assert!(id.matches("https://github.com/o/r/.github/workflows/x.yaml@refs/heads/main"));
        assert!(id.matches("https://github.com/O/R/.github/workflows/x.yaml@refs/heads/main"));
        assert!(!id.matches("https://github.com/o/rr/.github/workflows/x.yaml@refs/heads/main"));
        assert!(!id.matches("https://evil.example/https://github.com/o/r/x"));
        assert!(!id.matches("https://githubXcom/o/r/x"));
        let id = github_prefix("o").unwrap();
        assert!(id.matches("https://github.com/o/r/.github/workflows/x.yaml@v1"));
        assert!(!id.matches("https://github.com/oo/r/.github/workflows/x.yaml@v1"));
    }

    #[test]
    fn signer_workflow_is_that_workflow_at_any_ref() {
        let id = signer_workflow_identity("o/r/.github/workflows/release.yaml").unwrap();
        assert!(id.matches("https://github.com/o/r/.github/workflows/release.yaml@refs/tags/v1"));
        assert!(!id.matches("https://github.com/o/r/.github/workflows/release.yaml2@refs/tags/v1"));
        assert!(!id.matches("https://github.com/o/r/.github/workflows/releaseXyaml@refs/tags/v1"));
        let id = signer_workflow_identity("ghe.example.com/o/r/w.yml@refs/heads/main").unwrap();
        assert!(id.matches("https://ghe.example.com/o/r/w.yml@refs/heads/main"));
        assert!(!id.matches("https://ghe.example.com/o/r/w.yml@refs/heads/dev"));
        assert!(signer_workflow_identity("o/r").is_err());
    }

    #[test]
    fn names_are_checked() {
        assert!(owner_repo("o/r").is_some());
        assert!(owner_repo("o").is_none());
        assert!(owner_repo("o/r/x").is_none());
        assert!(owner_repo("o/.*").is_none());
        assert!(!valid_name(""));
    }
}
