//! `kakunin verify-bundle`: one artifact against one Sigstore bundle, speaking the Sigstore
//! conformance CLI protocol (`verify-bundle [--staging] --bundle FILE --certificate-identity ID
//! --certificate-oidc-issuer URL [--trusted-root FILE] FILE_OR_DIGEST`, and the `--key` form).

use std::path::{Path, PathBuf};

use clap::Args;

use super::signer::VerifyFlags;
use kakunin::bundle::{self, Artifact, Policy};
use kakunin::cosign::{self, Material};
use kakunin::digest::Digest;
use kakunin::exit::ExitCode;
use kakunin::report::{Format, Report};

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
    if let Err(e) = kakunin::cosign::check_key_algorithm(&policy) {
        return fail(ExitCode::Usage, e);
    }
    let trust = match args.flags.trust.select(&args.flags.signer) {
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
    let cosign = match cosign_material(&args) {
        Ok(m) => m,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let bundle_name = match (&args.bundle, &args.signature) {
        (Some(b), _) => b.display().to_string(),
        (None, Some(s)) => s.display().to_string(),
        (None, None) => unreachable!("clap requires --bundle or --signature"),
    };
    if let Some((material, form)) = &cosign {
        return run_cosign(
            &args,
            &trust,
            material,
            form,
            &artifact,
            &policy,
            &bundle_name,
        );
    }
    let verified = bundle::verify_file(
        &trust,
        args.bundle.as_deref().expect("a Sigstore bundle"),
        &artifact,
        &policy,
    );
    let verification = match verified {
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
            d["bundle"] = bundle_name.clone().into();
            d
        }
        Err(e) => serde_json::json!({
            "bundle": bundle_name,
            "trusted_root": trust.name(),
            "error": e.to_string(),
        }),
    };

    let rendered = args.flags.output.print(std::slice::from_ref(&report));
    if args.flags.output.format() == Format::Human {
        match &verification.result {
            Ok(v) => print!("{}", summary(v)),
            Err(e) => {
                eprintln!("kakunin: verification failed: {e}");
                if let Some(path) = args.bundle.as_deref()
                    && let Some(hint) = args.flags.trust.other_root_hint(&args.flags.signer, |t| {
                        bundle::verify_file(t, path, &artifact, &policy).is_ok_and(|v| v.verified())
                    })
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

/// cosign's sign-blob forms: the same report, from [`cosign::blob::verify_blob`].
fn run_cosign(
    args: &VerifyBundleArgs,
    trust: &kakunin::trust::Trust,
    material: &Material,
    form: &str,
    artifact: &Artifact<'_>,
    policy: &Policy,
    source: &str,
) -> ExitCode {
    let v = match cosign::blob::verify_blob(trust, material, artifact, policy) {
        Ok(v) => v,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let mut report = Report::new("verify-bundle", artifact.describe());
    report.checks = v.checks;
    for c in &mut report.checks {
        c.evidence.push(source.to_string());
    }
    report.details = match &v.result {
        Ok(b) => b.details(),
        Err(e) => serde_json::json!({"trusted_root": trust.name(), "error": e.to_string()}),
    };
    report.details["bundle"] = source.into();
    report.details["form"] = form.into();
    let rendered = args.flags.output.print(std::slice::from_ref(&report));
    if args.flags.output.format() == Format::Human {
        match &v.result {
            Ok(cosign::blob::VerifiedBlob::Bundle(b)) => print!("{}", summary(b)),
            Ok(cosign::blob::VerifiedBlob::KeyWithoutLog { key, artifact, .. }) => println!(
                "Verified {artifact}\n  key:        {key}\n  NO transparency-log entry was checked (--insecure-ignore-tlog)"
            ),
            Err(e) => eprintln!("kakunin: verification failed: {e}"),
        }
    }
    match (&v.result, rendered.0) {
        (Err(_), ExitCode::Verified) => ExitCode::Failed,
        (_, code) => code,
    }
}

fn read_small(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    kakunin::limits::read_file_capped(path, cosign::blob::MAX_BLOB_FILE_BYTES as u64)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

/// cosign's sign-blob forms: `--signature` (with `--certificate`, `--certificate-chain`),
/// and/or `--bundle` holding cosign's older bundle JSON (detected by content). `None` when
/// `--bundle` is a Sigstore bundle and no detached file was given.
fn cosign_material(args: &VerifyBundleArgs) -> Result<Option<(Material, &'static str)>, String> {
    let mut from_bundle = None;
    if let Some(path) = &args.bundle {
        let bytes = match std::fs::metadata(path) {
            Ok(m) if m.len() <= cosign::blob::MAX_BLOB_FILE_BYTES as u64 => {
                read_small("bundle", path)?
            }
            // Larger files can only be Sigstore bundle lists (.jsonl), read as before.
            _ => Vec::new(),
        };
        if cosign::blob::is_cosign_bundle(&bytes) {
            from_bundle = Some(
                cosign::blob::parse_cosign_bundle(&bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            );
        } else if args.signature.is_some() {
            return Err(format!(
                "--signature goes with cosign's bundle JSON ({{\"base64Signature\", \"cert\", \"rekorBundle\"}}); {} is a Sigstore bundle, which carries its own signature",
                path.display()
            ));
        } else {
            return Ok(None);
        }
    }
    let form = if from_bundle.is_some() {
        "cosign-bundle-json"
    } else {
        "cosign-detached-signature"
    };
    let mut m = from_bundle.unwrap_or(Material {
        signature: None,
        certificate: None,
        chain: Vec::new(),
        rekor: None,
        timestamp: None,
    });
    let at = |p: &Path, e: cosign::blob::BlobError| format!("{}: {e}", p.display());
    if let Some(p) = &args.signature {
        m.signature = Some(
            cosign::blob::decode_signature(&read_small("signature", p)?).map_err(|e| at(p, e))?,
        );
    }
    if let Some(p) = &args.certificate {
        m.certificate = Some(
            cosign::blob::decode_certificate(&read_small("certificate", p)?)
                .map_err(|e| at(p, e))?,
        );
    }
    if let Some(p) = &args.certificate_chain {
        m.chain = cosign::blob::decode_chain(&read_small("certificate chain", p)?)
            .map_err(|e| at(p, e))?;
    }
    Ok(Some((m, form)))
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
