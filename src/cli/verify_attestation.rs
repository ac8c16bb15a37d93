//! `kakunin verify-attestation`: an in-toto attestation (DSSE in a Sigstore bundle) checked for
//! what it says: the subject, the predicate type, and SLSA provenance against the signing
//! certificate (or, with `--key`, against the expectations given only) and the expectations
//! given; optionally that a `.intoto.jsonl` file is the same
//! envelope as the bundle's.

use std::path::PathBuf;

use clap::Args;

use kakunin::attestation::files::{self, Inputs, SubjectArg};
use kakunin::attestation::{Policy as AttestationPolicy, provenance};
use kakunin::bundle::{GitHubClaims, Policy};
use kakunin::exit::ExitCode;
use kakunin::report::{Format, Report};
use kakunin::trust::{Instance, Trust};

use super::{OutputArgs, fail};

pub const EXAMPLES: &str = "\
Examples:
  # A GitHub artifact attestation of a release file, and its .intoto.jsonl copy
  kakunin verify-attestation --bundle gomenhashai-1.3.2.sigstore \\
      --envelope gomenhashai-1.3.2.intoto.jsonl \\
      --certificate-identity https://github.com/o/r/.github/workflows/helm-release.yaml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
      --repository o/r --source-ref refs/heads/main gomenhashai-1.3.2.tgz

  # An image, by name and digest
  kakunin verify-attestation --bundle GomenHashai-v1.3.1.sigstore \\
      --certificate-identity-regexp 'https://github.com/o/r/\\.github/workflows/docker-release\\.yaml@refs/tags/v.*' \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
      ghcr.io/o/r@sha256:<hex>

  # slsa-github-generator provenance (SLSA v0.2), one bundle on a .intoto.jsonl line
  kakunin verify-attestation --bundle binary.intoto.jsonl --predicate-type https://slsa.dev/provenance/v0.2 \\
      --certificate-identity-regexp 'https://github.com/slsa-framework/slsa-github-generator/.*' \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com \\
      --repository slsa-framework/example-package --source-ref refs/tags/v14 binary

  # A managed-key attestation (kakunin publish --key): the provenance is compared with what you give
  kakunin verify-attestation --bundle gomenhashai-1.3.2.sigstore --key release.pub \
      --repository o/r --source-ref refs/heads/main gomenhashai-1.3.2.tgz

Exit codes: 0 verified, 1 a check failed, 2 usage or input error (unreadable file),
3 a check could not run (e.g. an .intoto.jsonl with no certificate or no log entry given as --bundle).
";

#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct VerifyAttestationArgs {
    /// The Sigstore bundle holding the attestation (.sigstore, .sigstore.json, or a .jsonl / .intoto.jsonl with one bundle a line)
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,

    /// An .intoto.jsonl that must be the same DSSE envelope as the bundle's
    #[arg(long, value_name = "FILE")]
    envelope: Option<PathBuf>,

    /// The exact identity (SAN) the signing certificate must carry
    #[arg(
        long,
        value_name = "IDENTITY",
        conflicts_with_all = ["certificate_identity_regexp", "key"]
    )]
    certificate_identity: Option<String>,

    /// A regular expression the whole SAN must match (always anchored: ^(?:RE)$)
    #[arg(long, value_name = "RE", conflicts_with = "key")]
    certificate_identity_regexp: Option<String>,

    /// The OIDC issuer the signing certificate must name
    #[arg(long, value_name = "URL", conflicts_with = "key")]
    certificate_oidc_issuer: Option<String>,

    /// A PEM public key: verify a managed-key attestation with it instead of a certificate identity (the provenance is then checked against --repository, --source-ref, --workflow, --source-digest, --builder-id only)
    #[arg(long, value_name = "PEM")]
    key: Option<PathBuf>,

    /// A trusted_root.json to verify against instead of an embedded root
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    /// Use the embedded trusted root of this instance
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"], conflicts_with = "staging")]
    instance: Option<String>,

    /// Use the Sigstore public-good staging instance's embedded trusted root
    #[arg(long)]
    staging: bool,

    /// The predicateType the statement must have
    #[arg(long, value_name = "URI", default_value = provenance::SLSA_PROVENANCE_V1)]
    predicate_type: String,

    /// Source repository the certificate and the provenance must name: OWNER/REPO (on github.com) or a URL
    #[arg(long, value_name = "OWNER/REPO")]
    repository: Option<String>,

    /// Source ref the certificate and the provenance must name, e.g. refs/tags/v1.2.3
    #[arg(long, value_name = "REF")]
    source_ref: Option<String>,

    /// Workflow file that must have run, e.g. .github/workflows/release.yaml
    #[arg(long, value_name = "PATH")]
    workflow: Option<String>,

    /// Commit (hex) the certificate and the provenance must name as the source
    #[arg(long, value_name = "SHA")]
    source_digest: Option<String>,

    /// The provenance's builder id, exactly, or without its @ref to accept any ref
    #[arg(long, value_name = "URI")]
    builder_id: Option<String>,

    /// Accept builds that ran on self-hosted runners
    #[arg(long)]
    allow_self_hosted_runners: bool,

    /// What the attestation must be about: a file (hashed), sha256:<hex>, or NAME@sha256:<hex>
    #[arg(value_name = "SUBJECT")]
    subject: String,

    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: VerifyAttestationArgs) -> ExitCode {
    let signer = match signer(&args) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let policy = AttestationPolicy {
        predicate_type: args.predicate_type.clone(),
        repository: args.repository.clone(),
        source_ref: args.source_ref.clone(),
        workflow: args.workflow.clone(),
        builder_id: args.builder_id.clone(),
        source_digest: args.source_digest.clone(),
        allow_self_hosted_runners: args.allow_self_hosted_runners,
    };
    let instance = args.instance.as_deref().and_then(Instance::from_name);
    let trust = match Trust::select(args.trusted_root.as_deref(), instance, args.staging) {
        Ok(t) => t,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let subject = match SubjectArg::parse(&args.subject).expected() {
        Ok(s) => s,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let outcome = match files::verify_files(&Inputs {
        trust: &trust,
        bundle_path: &args.bundle,
        envelope_path: args.envelope.as_deref(),
        subject: &subject,
        signer: &signer,
        policy: &policy,
    }) {
        Ok(o) => o,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let mut report = Report::new("verify-attestation", &args.subject);
    report.checks = outcome.checks;
    report.details = outcome.details;
    let rendered = args.output.print(std::slice::from_ref(&report));
    if args.output.format() == Format::Human && rendered.0 == ExitCode::Verified {
        print!("{}", summary(&report.details));
    }
    rendered.0
}

/// Who must have signed: the managed key, or the certificate identity, issuer and claims (as
/// `verify-bundle`). With a key, the GitHub expectations are checked against the provenance
/// only (there is no certificate to carry them).
fn signer(args: &VerifyAttestationArgs) -> Result<Policy, ExitCode> {
    super::verify_bundle::signer_policy(
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

/// A few lines on what was verified, for people.
fn summary(details: &serde_json::Value) -> String {
    let mut s = String::from("Verified attestation\n");
    let st = &details["statement"];
    if let Some(p) = st["predicateType"].as_str() {
        s += &format!("  predicate:  {p}\n");
    }
    let p = &details["provenance"];
    if let Some(r) = p["repository"].as_str() {
        s += &format!("  repository: {r}\n");
    }
    if let Some(r) = p["git_ref"].as_str() {
        s += &format!("  ref:        {r}\n");
    }
    if let Some(c) = p["source_commit"].as_str() {
        s += &format!("  commit:     {c}\n");
    }
    if let Some(w) = p["workflow_path"].as_str() {
        s += &format!("  workflow:   {w}\n");
    }
    if let Some(b) = p["builder_id"].as_str() {
        s += &format!("  builder:    {b}\n");
    }
    if let Some(i) = details["signer"]["identity"].as_str() {
        s += &format!("  signer:     {i}\n");
    }
    if let Some(k) = details["signer"]["key_fingerprint"].as_str() {
        s += &format!("  key:        {k}\n");
    }
    s
}
