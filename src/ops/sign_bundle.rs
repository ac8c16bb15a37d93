//! `ops::sign_bundle`: the Sigstore conformance suite's signing protocol
//! (sigstore-conformance docs/cli_protocol.md), keyless: a file's bytes signed as a
//! `messageSignature` bundle, or an in-toto statement signed byte for byte as a DSSE envelope;
//! written to a temporary name next to the bundle path and renamed only when complete (and,
//! with a trusted root, verified). Usage errors are exit 2, a signing service or the write 3,
//! a new bundle that does not verify 1.

use std::path::{Path, PathBuf};

use crate::exit::ExitCode;
use crate::publish::{self, KeylessSigner, SigningInstance, TokenSource};

use super::Error;

/// What to sign, where the bundle goes, and with which instance (`kakunin sign-bundle`).
pub struct SignBundleRequest {
    /// The artifact (with `in_toto`: the statement).
    pub file: PathBuf,
    pub in_toto: bool,
    /// Where to write the bundle (v0.3 JSON).
    pub bundle: PathBuf,
    /// The OIDC identity token (else the environment's).
    pub identity_token: Option<String>,
    pub staging: bool,
    pub signing_config: Option<PathBuf>,
    /// Verify the new bundle against this trusted_root.json before keeping it.
    pub trusted_root: Option<PathBuf>,
}

/// Signs and writes the bundle `req` asks for (see the module documentation).
pub async fn sign_bundle(req: SignBundleRequest) -> Result<(), Error> {
    let instance = match (&req.signing_config, req.staging) {
        (Some(path), _) => SigningInstance::from_file(path).map_err(Error::usage)?,
        (None, true) => SigningInstance::Staging,
        (None, false) => SigningInstance::PublicGood,
    };
    let source = TokenSource {
        explicit: req.identity_token.clone(),
        ambient: true,
    };
    let token = publish::identity_token(&source)
        .await
        .map_err(Error::usage)?;
    let (identity, issuer) = publish::expected_identity(&token);
    let signer = KeylessSigner::new(&instance, token).map_err(Error::usage)?;
    let signed = if req.in_toto {
        let statement =
            crate::limits::read_file_capped(&req.file, crate::limits::MAX_PAYLOAD_BYTES as u64)
                .map_err(|e| {
                    Error::usage(format!("cannot read statement {}: {e}", req.file.display()))
                })?;
        signer.sign_statement(&statement).await
    } else {
        let file = std::fs::File::open(&req.file)
            .map_err(|e| Error::usage(format!("cannot read {}: {e}", req.file.display())))?;
        signer.sign_artifact(std::io::BufReader::new(file)).await
    };
    let bundle = signed.map_err(|e| {
        let code = if e.is_service() {
            ExitCode::Fetch
        } else {
            ExitCode::Usage
        };
        Error::new(code, e)
    })?;
    let json = bundle
        .to_json_pretty()
        .map_err(|e| Error::new(ExitCode::Fetch, format!("cannot serialise the bundle: {e}")))?;
    if let Some(root) = &req.trusted_root {
        verify_new_bundle(root, &bundle, &req, &identity, &issuer).map_err(|e| {
            Error::new(
                ExitCode::Failed,
                format!("the new bundle does not verify: {e}"),
            )
        })?;
    }
    // The conformance suite names a fresh path; an existing bundle is replaced atomically.
    publish::write::write_verified(&[(req.bundle.clone(), json.into_bytes())], true, |_| Ok(()))
        .map_err(|e| Error::new(ExitCode::Fetch, e))
}

/// kakunin's bundle verification of the new bundle: against `root`, for the identity and issuer
/// Fulcio had to certify for the token, over the file (or, with --in-toto, the statement's
/// first subject).
fn verify_new_bundle(
    root: &Path,
    bundle: &sigstore_types::Bundle,
    req: &SignBundleRequest,
    identity: &str,
    issuer: &str,
) -> Result<(), String> {
    use crate::bundle::{self, Artifact, Policy};
    let trust = crate::trust::Trust::from_file(root)
        .map_err(|e| e.to_string())?
        .accept_tsa_only(bundle::danger::TsaOnly);
    let subject;
    let artifact = if req.in_toto {
        subject = bundle_statement_subject(bundle)?;
        Artifact::Digest(
            crate::digest::Digest::new(
                crate::digest::Algorithm::Sha256,
                subject.as_bytes().to_vec(),
            )
            .map_err(|e| e.to_string())?,
        )
    } else {
        Artifact::Path(&req.file)
    };
    let v = bundle::verify(
        &trust,
        bundle,
        &artifact,
        &Policy::identity(identity, issuer),
    );
    match v.result {
        Ok(_) => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// The first subject's SHA-256 in the bundle's statement: the digest to verify the DSSE
/// bundle against.
fn bundle_statement_subject(
    bundle: &sigstore_types::Bundle,
) -> Result<sigstore_types::Sha256Hash, String> {
    let sigstore_types::bundle::SignatureContent::DsseEnvelope(env) = &bundle.content else {
        return Err("expected a dsseEnvelope bundle, found a messageSignature".into());
    };
    let statement: sigstore_types::Statement =
        serde_json::from_slice(env.payload.as_bytes()).map_err(|e| e.to_string())?;
    statement
        .subject
        .iter()
        .find_map(|s| s.digest.sha256)
        .ok_or_else(|| "expected a subject with a sha256 digest, found none".into())
}
