//! `kakunin sign-bundle`: the Sigstore conformance suite's signing protocol
//! (sigstore-conformance docs/cli_protocol.md), keyless.
//!
//! `--in-toto`: FILE is an in-toto statement, signed byte for byte as a DSSE envelope;
//! otherwise FILE's bytes are signed (a `messageSignature` bundle). The bundle is written
//! to a temporary name next to `--bundle` and renamed only when complete (and, with
//! `--trusted-root`, verified).

use std::path::PathBuf;

use clap::Args;

use kakunin::exit::ExitCode;
use kakunin::publish::{self, KeylessSigner, SigningInstance, TokenSource};

use super::fail;

#[derive(Debug, Args)]
pub struct SignBundleArgs {
    /// Use Sigstore's staging instance (sigstage.dev)
    #[arg(long, conflicts_with = "signing_config")]
    staging: bool,
    /// FILE is an in-toto statement: sign it as a DSSE envelope, byte for byte
    #[arg(long)]
    in_toto: bool,
    /// The OIDC identity token (otherwise SIGSTORE_ID_TOKEN or GitHub Actions' OIDC)
    #[arg(
        long,
        value_name = "TOKEN",
        env = "SIGSTORE_ID_TOKEN",
        hide_env_values = true
    )]
    identity_token: Option<String>,
    /// Where to write the bundle (v0.3 JSON)
    #[arg(long, value_name = "FILE")]
    bundle: PathBuf,
    /// Verify the new bundle against this trusted_root.json before keeping it
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,
    /// Sign with the instance this signing_config.json describes
    #[arg(long, value_name = "FILE")]
    signing_config: Option<PathBuf>,
    /// The artifact to sign (with --in-toto: the statement)
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

/// `kakunin sign-bundle`, run on the CLI's runtime.
pub async fn run(args: SignBundleArgs) -> ExitCode {
    let instance = match (&args.signing_config, args.staging) {
        (Some(path), _) => match SigningInstance::from_file(path) {
            Ok(i) => i,
            Err(e) => return fail(ExitCode::Usage, e),
        },
        (None, true) => SigningInstance::Staging,
        (None, false) => SigningInstance::PublicGood,
    };
    let source = TokenSource {
        explicit: args.identity_token.clone(),
        ambient: true,
    };
    let token = match publish::identity_token(&source).await {
        Ok(t) => t,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let (identity, issuer) = publish::expected_identity(&token);
    let signer = match KeylessSigner::new(&instance, token) {
        Ok(s) => s,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let signed = if args.in_toto {
        let statement = match kakunin::limits::read_file_capped(
            &args.file,
            kakunin::limits::MAX_PAYLOAD_BYTES as u64,
        ) {
            Ok(b) => b,
            Err(e) => {
                return fail(
                    ExitCode::Usage,
                    format!("cannot read statement {}: {e}", args.file.display()),
                );
            }
        };
        signer.sign_statement(&statement).await
    } else {
        let file = match std::fs::File::open(&args.file) {
            Ok(f) => f,
            Err(e) => {
                return fail(
                    ExitCode::Usage,
                    format!("cannot read {}: {e}", args.file.display()),
                );
            }
        };
        signer.sign_artifact(std::io::BufReader::new(file)).await
    };
    let bundle = match signed {
        Ok(b) => b,
        Err(e) if e.is_service() => return fail(ExitCode::Fetch, e),
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let json = match bundle.to_json_pretty() {
        Ok(j) => j,
        Err(e) => return fail(ExitCode::Fetch, format!("cannot serialise the bundle: {e}")),
    };
    if let Some(root) = &args.trusted_root {
        if let Err(e) = verify_new_bundle(root, &bundle, &args, &identity, &issuer) {
            return fail(
                ExitCode::Failed,
                format!("the new bundle does not verify: {e}"),
            );
        }
    }
    // The conformance suite names a fresh path; an existing bundle is replaced atomically.
    match publish::write::write_verified(&[(args.bundle.clone(), json.into_bytes())], true, |_| {
        Ok(())
    }) {
        Ok(()) => ExitCode::Verified,
        Err(e) => fail(ExitCode::Fetch, e),
    }
}

/// kakunin's bundle verification of the new bundle: against `root`, for the identity and issuer
/// Fulcio had to certify for the token, over the file (or, with --in-toto, the statement's
/// first subject).
fn verify_new_bundle(
    root: &std::path::Path,
    bundle: &sigstore_types::Bundle,
    args: &SignBundleArgs,
    identity: &str,
    issuer: &str,
) -> Result<(), String> {
    use kakunin::bundle::{self, Artifact, Policy};
    let trust = kakunin::trust::Trust::from_file(root).map_err(|e| e.to_string())?;
    let subject;
    let artifact = if args.in_toto {
        subject = bundle_statement_subject(bundle)?;
        Artifact::Digest(
            kakunin::digest::Digest::new(
                kakunin::digest::Algorithm::Sha256,
                subject.as_bytes().to_vec(),
            )
            .map_err(|e| e.to_string())?,
        )
    } else {
        Artifact::Path(&args.file)
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
