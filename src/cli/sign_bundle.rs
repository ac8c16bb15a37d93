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
use kakunin::ops::{self, SignBundleRequest};

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
    let request = SignBundleRequest {
        file: args.file,
        in_toto: args.in_toto,
        bundle: args.bundle,
        identity_token: args.identity_token,
        staging: args.staging,
        signing_config: args.signing_config,
        trusted_root: args.trusted_root,
    };
    match ops::sign_bundle(request).await {
        Ok(()) => ExitCode::Verified,
        Err(e) => fail(e.code, e.message),
    }
}
