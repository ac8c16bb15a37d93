//! `kakunin verify-attestation`: an in-toto attestation (DSSE in a Sigstore bundle) checked for
//! what it says: the subject, the predicate type, and SLSA provenance against the signing
//! certificate (or, with `--key`, against the expectations given only) and the expectations
//! given; optionally that a `.intoto.jsonl` file is the same
//! envelope as the bundle's.

use std::path::PathBuf;

use clap::Args;

use kakunin::attestation::{Policy as AttestationPolicy, provenance};
use kakunin::exit::ExitCode;
use kakunin::ops::{self, VerifyAttestationRequest};
use kakunin::report::Format;

use super::fail;
use super::signer::VerifyFlags;

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
  kakunin verify-attestation --bundle gomenhashai-1.3.2.sigstore --key release.pub \\
      --repository o/r --source-ref refs/heads/main gomenhashai-1.3.2.tgz

Exit codes: 0 verified, 1 a check failed, 2 usage or input error (unreadable file),
3 a check could not run (e.g. an .intoto.jsonl with no certificate or no log entry given as --bundle).
";

#[derive(Debug, Args)]
pub struct VerifyAttestationArgs {
    /// The Sigstore bundle holding the attestation (.sigstore, .sigstore.json, or a .jsonl / .intoto.jsonl with one bundle a line)
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,

    /// An .intoto.jsonl that must be the same DSSE envelope as the bundle's
    #[arg(long, value_name = "FILE")]
    envelope: Option<PathBuf>,

    /// The predicateType the statement must have
    #[arg(long, value_name = "URI", default_value = provenance::SLSA_PROVENANCE_V1)]
    predicate_type: String,

    /// The provenance's builder id, exactly, or without its @ref to accept any ref
    #[arg(long, value_name = "URI")]
    builder_id: Option<String>,

    /// Accept builds that ran on self-hosted runners
    #[arg(long, conflicts_with = "deny_self_hosted_runners")]
    allow_self_hosted_runners: bool,

    /// What the attestation must be about: a file (hashed), sha256:<hex>, or NAME@sha256:<hex>
    #[arg(value_name = "SUBJECT")]
    subject: String,

    #[command(flatten)]
    flags: VerifyFlags,
}

pub fn run(args: VerifyAttestationArgs) -> ExitCode {
    let (signer, trust) = (&args.flags.signer, &args.flags.trust);
    let signer_policy = match signer.policy() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let request = VerifyAttestationRequest {
        bundle: args.bundle.clone(),
        envelope: args.envelope.clone(),
        subject: args.subject.clone(),
        signer: signer_policy,
        policy: AttestationPolicy {
            predicate_type: args.predicate_type.clone(),
            repository: signer.repository.clone(),
            source_ref: signer.source_ref.clone(),
            workflow: signer.workflow.clone(),
            builder_id: args.builder_id.clone(),
            source_digest: signer.source_digest.clone(),
            allow_self_hosted_runners: args.allow_self_hosted_runners,
        },
        trusted_root: trust.trusted_root.clone(),
        instance: trust.instance(signer),
        staging: trust.staging,
    };
    let report = match ops::verify_attestation(&request) {
        Ok(r) => r,
        Err(e) => return fail(e.code, e.message),
    };
    let rendered = args.flags.output.print(std::slice::from_ref(&report));
    if args.flags.output.format() == Format::Human {
        if rendered.0 == ExitCode::Verified {
            print!("{}", summary(&report.details));
        } else if let Some(hint) = trust.other_root_hint(signer, |t| {
            ops::verify_attestation::verifies_against(&request, t)
        }) {
            eprintln!("{hint}");
        }
    }
    rendered.0
}

/// A few lines on what was verified, for people.
fn summary(details: &serde_json::Value) -> String {
    let mut s = String::from("\nVerified attestation\n");
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
