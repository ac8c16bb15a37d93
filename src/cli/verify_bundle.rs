//! `kakunin verify-bundle`: one artifact against one Sigstore bundle, speaking the Sigstore
//! conformance CLI protocol (`verify-bundle [--staging] --bundle FILE --certificate-identity ID
//! --certificate-oidc-issuer URL [--trusted-root FILE] FILE_OR_DIGEST`, and the `--key` form).

use std::path::{Path, PathBuf};

use clap::Args;

use kakunin::bundle::{self, Artifact, GitHubClaims, Identity, Policy, PublicKey};
use kakunin::digest::Digest;
use kakunin::exit::ExitCode;
use kakunin::report::{Format, Report};
use kakunin::trust::{Instance, Trust};

use super::{OutputArgs, fail};

pub const EXAMPLES: &str = "\
Examples:
  # A GitHub artifact attestation and the workflow run that must have signed it
  kakunin verify-bundle --bundle app.tgz.sigstore \\
    --certificate-identity \\
    https://github.com/o/r/.github/workflows/release.yaml@refs/tags/v1.2.3 \\
    --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
    app.tgz

  # Any tag of one workflow (the pattern must match the whole SAN), from repository o/r
  kakunin verify-bundle --bundle app.sigstore.json \\
    --certificate-identity-regexp \\
    'https://github.com/o/r/[.]github/workflows/release[.]yaml@refs/tags/v.*' \\
    --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
    --repository o/r --source-ref refs/tags/v1.2.3 app.tgz

  # By digest, with `gh attestation download` output (one bundle a line; any may verify)
  kakunin verify-bundle --instance github --bundle sha256:abc.jsonl \\
    --certificate-identity ID --certificate-oidc-issuer URL sha256:abc…

  # A managed key instead of a certificate identity
  kakunin verify-bundle --bundle blob.sigstore.json --key key.pub blob

Exit codes: 0 verified; 1 verification failed (also: a bundle file that is not a valid
bundle); 2 usage or input error (missing or unreadable bundle, artifact or key; a trusted
root that does not parse); 3 could not run.
";

#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct VerifyBundleArgs {
    /// Use the Sigstore public-good staging instance's embedded trusted root
    #[arg(long)]
    staging: bool,

    /// Use the embedded trusted root of this instance
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"], conflicts_with = "staging")]
    instance: Option<String>,

    /// The Sigstore bundle (.sigstore, .sigstore.json, or .jsonl with one bundle a line)
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,

    /// The exact identity (SAN) the signing certificate must carry
    #[arg(long, value_name = "IDENTITY", conflicts_with_all = ["certificate_identity_regexp", "key"])]
    certificate_identity: Option<String>,

    /// A regular expression the whole SAN must match (always anchored: ^(?:RE)$)
    #[arg(long, value_name = "RE", conflicts_with = "key")]
    certificate_identity_regexp: Option<String>,

    /// The OIDC issuer the signing certificate must name
    #[arg(long, value_name = "URL", conflicts_with = "key")]
    certificate_oidc_issuer: Option<String>,

    /// Source repository the certificate must name: OWNER/REPO (on github.com) or a URL
    #[arg(long, value_name = "OWNER/REPO", conflicts_with = "key")]
    repository: Option<String>,

    /// Source ref the certificate must name, e.g. refs/tags/v1.2.3
    #[arg(long, value_name = "REF", conflicts_with = "key")]
    source_ref: Option<String>,

    /// Workflow file that must have run, e.g. .github/workflows/release.yaml
    #[arg(long, value_name = "PATH", conflicts_with = "key")]
    workflow: Option<String>,

    /// Commit (hex) the certificate must name as the source
    #[arg(long, value_name = "SHA", conflicts_with = "key")]
    source_digest: Option<String>,

    /// A PEM public key: verify a managed-key bundle with it instead of a certificate identity
    #[arg(long, value_name = "PEM")]
    key: Option<PathBuf>,

    /// A trusted_root.json to verify against instead of an embedded root
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    /// The artifact: a file path, or its digest as sha256:<hex> / sha512:<hex>
    #[arg(value_name = "FILE_OR_DIGEST")]
    artifact: String,

    #[command(flatten)]
    output: OutputArgs,
}

/// The artifact argument as the protocol says: a well-formed digest that is not a path on disk
/// is a digest; anything else is a path.
fn artifact_arg(arg: &str) -> Result<Digest, PathBuf> {
    match arg.parse::<Digest>() {
        Ok(d) if !Path::new(arg).exists() => Ok(d),
        _ => Err(PathBuf::from(arg)),
    }
}

pub fn run(args: VerifyBundleArgs) -> ExitCode {
    let policy = match policy(&args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let instance = args.instance.as_deref().and_then(Instance::from_name);
    let trust = match Trust::select(args.trusted_root.as_deref(), instance, args.staging) {
        Ok(t) => t,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let parsed = artifact_arg(&args.artifact);
    let artifact = match &parsed {
        Ok(d) => Artifact::Digest(d.clone()),
        Err(p) => {
            if let Err(e) = std::fs::File::open(p) {
                return fail(
                    ExitCode::Usage,
                    format!("cannot read artifact {}: {e}", p.display()),
                );
            }
            Artifact::Path(p)
        }
    };
    let verification = match bundle::verify_file(&trust, &args.bundle, &artifact, &policy) {
        Ok(v) => v,
        Err(e) => {
            let code = if e.is_input_error() {
                ExitCode::Usage
            } else {
                ExitCode::Failed
            };
            return fail(code, e);
        }
    };
    if let Err(e) = &verification.result
        && e.is_input_error()
    {
        return fail(ExitCode::Usage, e);
    }
    let mut report = Report::new("verify-bundle", artifact.describe());
    report.checks = verification.checks;
    report.details = match &verification.result {
        Ok(v) => {
            let mut d = v.details();
            d["bundle"] = args.bundle.display().to_string().into();
            d
        }
        Err(e) => serde_json::json!({
            "bundle": args.bundle.display().to_string(),
            "trusted_root": trust.name(),
            "error": e.to_string(),
        }),
    };
    let rendered = args.output.print(std::slice::from_ref(&report));
    if args.output.format() == Format::Human {
        match &verification.result {
            Ok(v) => print!("{}", summary(v)),
            Err(e) => {
                eprintln!("kakunin: verification failed: {e}");
                if args.trusted_root.is_none()
                    && let Some(hint) = other_root_hint(&args, instance, &artifact, &policy)
                {
                    eprintln!("{hint}");
                }
            }
        }
    }
    // The verdict comes from the checks; a rejected bundle must never exit 0 even if every
    // check it produced was somehow a pass.
    match (&verification.result, rendered.0) {
        (Err(_), ExitCode::Verified) => ExitCode::Failed,
        (_, code) => code,
    }
}

/// When a bundle fails against the embedded root that was chosen, whether it would verify
/// against another embedded root (a GitHub-instance bundle checked against public-good is the
/// usual mistake). Only a hint: the verdict stays a failure.
fn other_root_hint(
    args: &VerifyBundleArgs,
    chosen: Option<Instance>,
    artifact: &Artifact<'_>,
    policy: &Policy,
) -> Option<String> {
    let chosen = chosen.unwrap_or(if args.staging {
        Instance::Staging
    } else {
        Instance::Production
    });
    [Instance::GitHub, Instance::Production, Instance::Staging]
        .into_iter()
        .filter(|i| *i != chosen)
        .find(|i| {
            Trust::embedded(*i).is_ok_and(|t| {
                bundle::verify_file(&t, &args.bundle, artifact, policy)
                    .is_ok_and(|v| v.verified())
            })
        })
        .map(|i| {
            format!(
                "hint: this bundle verifies against the embedded {} root; to accept it, add --instance {}",
                i.name(),
                i.name()
            )
        })
}

fn summary(v: &bundle::VerifiedBundle) -> String {
    let mut s = String::from("Verified");
    if let Some(d) = v.artifact_digest() {
        s += &format!(" {d}");
    }
    s.push('\n');
    if let Some(id) = v.identity() {
        s += &format!("  identity:   {id}\n");
    }
    if let Some(i) = v.issuer() {
        s += &format!("  issuer:     {i}\n");
    }
    if let Some(k) = v.key_fingerprint() {
        s += &format!("  key:        {k}\n");
    }
    if let Some(r) = &v.claims().source_repository_uri {
        s += &format!("  repository: {r}\n");
    }
    if let Some(r) = &v.claims().source_repository_ref {
        s += &format!("  ref:        {r}\n");
    }
    if !v.log_indexes().is_empty() {
        let idx: Vec<String> = v.log_indexes().iter().map(u64::to_string).collect();
        s += &format!("  log index:  {}\n", idx.join(", "));
    }
    if let Some(t) = v.integrated_time() {
        s += &format!("  integrated: {}\n", t.rfc3339);
    }
    let tsa: Vec<&str> = v
        .verified_times()
        .iter()
        .filter(|t| Some(*t) != v.integrated_time())
        .map(|t| t.rfc3339.as_str())
        .collect();
    if !tsa.is_empty() {
        s += &format!("  timestamp:  {}\n", tsa.join(", "));
    }
    if let Some(line) = v.line() {
        s += &format!("  bundle:     line {line}\n");
    }
    s += &format!("  trusted root: {}\n", v.trust());
    s
}

fn policy(args: &VerifyBundleArgs) -> Result<Policy, ExitCode> {
    signer_policy(
        args.key.as_deref(),
        args.certificate_identity.as_deref(),
        args.certificate_identity_regexp.as_deref(),
        args.certificate_oidc_issuer.as_deref(),
        GitHubClaims {
            repository: args.repository.clone(),
            source_ref: args.source_ref.clone(),
            workflow: args.workflow.clone(),
            source_digest: args.source_digest.clone(),
        },
    )
}

/// Who must have signed, from the signer options `verify-bundle` and `verify-attestation`
/// share: a managed key, or a certificate identity (exact or regexp) with its OIDC issuer and
/// GitHub claims. Missing or conflicting options are usage errors (exit 2).
pub(super) fn signer_policy(
    key: Option<&std::path::Path>,
    identity: Option<&str>,
    identity_regexp: Option<&str>,
    issuer: Option<&str>,
    github: GitHubClaims,
) -> Result<Policy, ExitCode> {
    if let Some(key) = key {
        return match PublicKey::from_file(key) {
            Ok(k) => Ok(Policy::Key(k)),
            Err(e) => Err(fail(ExitCode::Usage, e)),
        };
    }
    let identity = match (identity, identity_regexp) {
        (Some(id), None) => Identity::exact(id),
        (None, Some(re)) => Identity::regex(re).map_err(|e| fail(ExitCode::Usage, e))?,
        _ => {
            return Err(fail(
                ExitCode::Usage,
                "give --certificate-identity or --certificate-identity-regexp (with --certificate-oidc-issuer), or --key",
            ));
        }
    };
    let Some(issuer) = issuer else {
        return Err(fail(
            ExitCode::Usage,
            "--certificate-oidc-issuer is required with a certificate identity",
        ));
    };
    Ok(Policy::Certificate {
        identity,
        issuer: issuer.to_string(),
        github,
    })
}
