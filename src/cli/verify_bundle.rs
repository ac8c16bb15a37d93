//! `kakunin verify-bundle`: one artifact against one Sigstore bundle, speaking the Sigstore
//! conformance CLI protocol (`verify-bundle [--staging] --bundle FILE --certificate-identity ID
//! --certificate-oidc-issuer URL [--trusted-root FILE] FILE_OR_DIGEST`, and the `--key` form).

use std::path::PathBuf;

use clap::Args;

use super::signer::VerifyFlags;
use kakunin::bundle::{self, Policy};
use kakunin::cosign::blob::VerifiedBlob;
use kakunin::exit::ExitCode;
use kakunin::ops::{self, VerifyBundleRequest};
use kakunin::report::Format;

use super::fail;

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

  # cosign sign-blob outputs: its bundle JSON, or a .sig and .pem with it for the log entry
  kakunin verify-bundle --bundle app.tgz.bundle --certificate-identity ID \\
    --certificate-oidc-issuer URL app.tgz
  kakunin verify-bundle --signature app.tgz.sig --certificate app.tgz.pem \\
    --bundle app.tgz.bundle --certificate-identity ID --certificate-oidc-issuer URL app.tgz

Exit codes: 0 verified; 1 verification failed (also: a bundle file that is not a valid
bundle); 2 usage or input error (missing or unreadable bundle, artifact or key; a trusted
root that does not parse); 3 could not run.
";

#[derive(Debug, Args)]
pub struct VerifyBundleArgs {
    /// The Sigstore bundle (.sigstore, .sigstore.json, or .jsonl with one bundle a line), or cosign's older bundle JSON
    #[arg(long, value_name = "FILE", required_unless_present = "signature")]
    bundle: Option<PathBuf>,

    /// A detached signature (cosign sign-blob --output-signature; base64 or raw)
    #[arg(long, value_name = "FILE")]
    signature: Option<PathBuf>,

    /// The signing certificate of --signature (PEM, or base64 of PEM)
    #[arg(long, value_name = "FILE", requires = "signature")]
    certificate: Option<PathBuf>,

    /// The certificate's chain (PEM): intermediates, root
    #[arg(long, value_name = "FILE", requires = "certificate")]
    certificate_chain: Option<PathBuf>,

    /// The artifact: a file path, or its digest as sha256:<hex> / sha512:<hex>
    #[arg(value_name = "FILE_OR_DIGEST")]
    artifact: String,

    #[command(flatten)]
    flags: VerifyFlags,
}

pub fn run(args: VerifyBundleArgs) -> ExitCode {
    let policy = match policy(&args) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (signer, trust) = (&args.flags.signer, &args.flags.trust);
    let request = VerifyBundleRequest {
        bundle: args.bundle.clone(),
        signature: args.signature.clone(),
        certificate: args.certificate.clone(),
        certificate_chain: args.certificate_chain.clone(),
        artifact: args.artifact.clone(),
        policy,
        trusted_root: trust.trusted_root.clone(),
        instance: trust.instance(signer),
        staging: trust.staging,
    };
    let verified = match ops::verify_bundle(&request) {
        Ok(v) => v,
        Err(e) => return fail(e.code, e.message),
    };
    let rendered = args
        .flags
        .output
        .print(std::slice::from_ref(&verified.report));
    if args.flags.output.format() == Format::Human {
        match &verified.outcome {
            Ok(VerifiedBlob::Bundle(b)) => print!("{}", summary(b)),
            Ok(VerifiedBlob::KeyWithoutLog { key, artifact, .. }) => println!(
                "Verified {artifact}\n  key:        {key}\n  NO transparency-log entry was checked (--insecure-ignore-tlog)"
            ),
            Err(e) => {
                eprintln!("kakunin: verification failed: {e}");
                if verified.sigstore_bundle
                    && let Some(hint) = trust.other_root_hint(signer, |t| {
                        ops::verify_bundle::verifies_against(&request, t)
                    })
                {
                    eprintln!("{hint}");
                }
            }
        }
    }
    // The verdict comes from the checks; a rejected bundle must never exit 0 even if every
    // check it produced was somehow a pass.
    match (&verified.outcome, rendered.0) {
        (Err(_), ExitCode::Verified) => ExitCode::Failed,
        (_, code) => code,
    }
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

/// The signer policy. With `--key` there is no certificate, so a certificate claim asked for
/// could never be checked: that is a usage error, not a silently skipped check.
fn policy(args: &VerifyBundleArgs) -> Result<Policy, ExitCode> {
    if args.flags.signer.key.is_some() && !args.flags.signer.github_claims().is_empty() {
        return Err(fail(
            ExitCode::Usage,
            "--repository, --source-ref, --workflow and --source-digest are certificate claims: \
             a --key bundle has no certificate to check them against",
        ));
    }
    args.flags.signer.policy()
}
