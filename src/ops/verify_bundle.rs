//! `ops::verify_bundle`: one artifact (a file or a digest) against one Sigstore bundle (or a
//! `.jsonl` of them, any of which may verify), or against cosign's sign-blob outputs (its
//! bundle JSON, a detached `.sig` with its certificate), offline. Unreadable inputs, a key
//! cosign cannot have signed with and a trusted root that does not load are usage errors (exit
//! 2); a bundle file that is not a valid bundle fails (1); everything else is in the report.

use std::path::{Path, PathBuf};

use crate::bundle::{self, Artifact, Policy};
use crate::cosign::Material;
use crate::cosign::blob::{self, VerifiedBlob};
use crate::digest::Digest;
use crate::exit::ExitCode;
use crate::report::Report;
use crate::trust::{Instance, Trust};

use super::Error;

/// The artifact, its signature material and who must have signed (`kakunin verify-bundle`).
pub struct VerifyBundleRequest {
    /// A Sigstore bundle (or `.jsonl`), or cosign's bundle JSON.
    pub bundle: Option<PathBuf>,
    /// cosign's detached signature, its certificate and the certificate's chain.
    pub signature: Option<PathBuf>,
    pub certificate: Option<PathBuf>,
    pub certificate_chain: Option<PathBuf>,
    /// The artifact as given: a path, or a digest that names no file.
    pub artifact: String,
    pub policy: Policy,
    /// A trusted_root.json, else the embedded root of `instance` (or staging's).
    pub trusted_root: Option<PathBuf>,
    pub instance: Option<Instance>,
    pub staging: bool,
}

/// The report, and what a person reads after it: what verified, or why it did not.
pub struct BundleVerified {
    pub report: Report,
    pub outcome: Result<VerifiedBlob, String>,
    /// Whether `--bundle` was a Sigstore bundle (not one of cosign's sign-blob forms): only
    /// then can another embedded root be tried for a hint ([`verifies_against`]).
    pub sigstore_bundle: bool,
}

/// Verifies the artifact `req` names (see the module documentation).
pub fn verify_bundle(req: &VerifyBundleRequest) -> Result<BundleVerified, Error> {
    crate::cosign::check_key_algorithm(&req.policy).map_err(Error::usage)?;
    let trust = Trust::select(req.trusted_root.as_deref(), req.instance, req.staging)
        .map_err(Error::usage)?
        .accept_tsa_only(crate::bundle::danger::TsaOnly);
    let parsed = artifact_arg(&req.artifact);
    let artifact = artifact(&parsed)?;
    let source = match (&req.bundle, &req.signature) {
        (Some(b), _) => b.display().to_string(),
        (None, Some(s)) => s.display().to_string(),
        (None, None) => return Err(Error::usage("expected --bundle or --signature")),
    };
    if let Some((material, form)) = cosign_material(req).map_err(Error::usage)? {
        return cosign_forms(&trust, &material, form, &artifact, &req.policy, &source);
    }
    let path = req.bundle.as_deref().expect("a Sigstore bundle");
    let verification = bundle::verify_file(&trust, path, &artifact, &req.policy).map_err(|e| {
        let code = if e.is_input_error() {
            ExitCode::Usage
        } else {
            ExitCode::Failed
        };
        Error::new(code, e)
    })?;
    if let Err(e) = &verification.result
        && e.is_input_error()
    {
        return Err(Error::usage(e));
    }
    let mut report = Report::new("verify-bundle", artifact.describe());
    report.checks = verification.checks;
    report.details = match &verification.result {
        Ok(v) => {
            let mut d = v.details();
            d["bundle"] = source.into();
            d
        }
        Err(e) => serde_json::json!({
            "bundle": source,
            "trusted_root": trust.name(),
            "error": e.to_string(),
        }),
    };
    Ok(BundleVerified {
        report,
        outcome: verification
            .result
            .map(|v| VerifiedBlob::Bundle(Box::new(v)))
            .map_err(|e| e.to_string()),
        sigstore_bundle: true,
    })
}

/// Whether `req`'s Sigstore bundle verifies against `trust` (another root than the one asked
/// for, for a hint only: the verdict stays the one of [`verify_bundle`]).
pub fn verifies_against(req: &VerifyBundleRequest, trust: &Trust) -> bool {
    let parsed = artifact_arg(&req.artifact);
    let (Some(path), Ok(artifact)) = (req.bundle.as_deref(), artifact(&parsed)) else {
        return false;
    };
    bundle::verify_file(trust, path, &artifact, &req.policy).is_ok_and(|v| v.verified())
}

/// The artifact argument as the protocol says: a well-formed digest that is not a path on disk
/// is a digest; anything else is a path.
fn artifact_arg(arg: &str) -> Result<Digest, PathBuf> {
    match arg.parse::<Digest>() {
        Ok(d) if !Path::new(arg).exists() => Ok(d),
        _ => Err(PathBuf::from(arg)),
    }
}

/// The artifact: a digest, or a file that can be opened.
fn artifact(parsed: &Result<Digest, PathBuf>) -> Result<Artifact<'_>, Error> {
    match parsed {
        Ok(d) => Ok(Artifact::Digest(d.clone())),
        Err(p) => {
            std::fs::File::open(p)
                .map_err(|e| Error::usage(format!("cannot read artifact {}: {e}", p.display())))?;
            Ok(Artifact::Path(p))
        }
    }
}

/// cosign's sign-blob forms: the same report, from [`blob::verify_blob`].
fn cosign_forms(
    trust: &Trust,
    material: &Material,
    form: &str,
    artifact: &Artifact<'_>,
    policy: &Policy,
    source: &str,
) -> Result<BundleVerified, Error> {
    let v = blob::verify_blob(trust, material, artifact, policy).map_err(Error::usage)?;
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
    Ok(BundleVerified {
        report,
        outcome: v.result.map_err(|e| e.to_string()),
        sigstore_bundle: false,
    })
}

fn read_small(what: &str, path: &Path) -> Result<Vec<u8>, String> {
    crate::limits::read_file_capped(path, blob::MAX_BLOB_FILE_BYTES as u64)
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))
}

/// cosign's sign-blob forms: `--signature` (with `--certificate`, `--certificate-chain`),
/// and/or `--bundle` holding cosign's older bundle JSON (detected by content). `None` when
/// `--bundle` is a Sigstore bundle and no detached file was given.
fn cosign_material(req: &VerifyBundleRequest) -> Result<Option<(Material, &'static str)>, String> {
    let mut from_bundle = None;
    if let Some(path) = &req.bundle {
        let bytes = match std::fs::metadata(path) {
            Ok(m) if m.len() <= blob::MAX_BLOB_FILE_BYTES as u64 => read_small("bundle", path)?,
            // Larger files can only be Sigstore bundle lists (.jsonl), read as before.
            _ => Vec::new(),
        };
        if blob::is_cosign_bundle(&bytes) {
            from_bundle = Some(
                blob::parse_cosign_bundle(&bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            );
        } else if req.signature.is_some() {
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
    let at = |p: &Path, e: blob::BlobError| format!("{}: {e}", p.display());
    if let Some(p) = &req.signature {
        m.signature =
            Some(blob::decode_signature(&read_small("signature", p)?).map_err(|e| at(p, e))?);
    }
    if let Some(p) = &req.certificate {
        m.certificate =
            Some(blob::decode_certificate(&read_small("certificate", p)?).map_err(|e| at(p, e))?);
    }
    if let Some(p) = &req.certificate_chain {
        m.chain = blob::decode_chain(&read_small("certificate chain", p)?).map_err(|e| at(p, e))?;
    }
    Ok(Some((m, form)))
}
