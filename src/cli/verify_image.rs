//! `kakunin verify-image REF`: a container image's signatures and attestations (cosign's
//! `.sig`/`.att` tags, Sigstore bundles attached as referrers) verified against its digest, in
//! a registry or an OCI image layout on disk.

use std::path::PathBuf;

use clap::Args;

use kakunin::cosign::Options;
use kakunin::exit::ExitCode;
use kakunin::image::{self, PlatformSpec};
use kakunin::ops::{self, VerifyImageRequest};

use super::fetch_args::FetchArgs;
use super::runtime::{self, Threads};
use super::signer::{SignerArgs, TrustArgs};
use super::{OutputArgs, fail};

pub const EXAMPLES: &str = "\
Examples:
  # An image signed keylessly by a GitHub workflow (cosign sign, or cosign v3 bundles)
  kakunin verify-image ghcr.io/o/app:v1.2.3 \\
    --certificate-identity-regexp 'https://github.com/o/app/[.]github/workflows/release[.]yaml@refs/tags/v.*' \\
    --certificate-oidc-issuer https://token.actions.githubusercontent.com

  # With its SLSA provenance attestation (cosign's short name or the full predicate type)
  kakunin verify-image ghcr.io/o/app@sha256:… --certificate-identity ID \\
    --certificate-oidc-issuer URL --attestation slsaprovenance1

  # Signed with a key (cosign sign --key), from an OCI layout written by skopeo, offline
  kakunin verify-image oci-layout:./app:v1.2.3 --key cosign.pub --offline

Exit codes: 0 verified; 1 verification failed (no signature or attestation verified, or one
that was found is wrong); 2 usage or input error; 3 something could not be fetched or read.
";

#[derive(Debug, Args)]
pub struct VerifyImageArgs {
    /// The image: registry/repo:TAG, registry/repo@sha256:…, or oci-layout:DIR[:TAG|@sha256:…]
    #[arg(value_name = "REF")]
    reference: String,

    #[command(flatten)]
    signer: SignerArgs,

    /// The repository the signed payload must name (critical.identity.docker-reference)
    #[arg(long, value_name = "REPO")]
    docker_reference: Option<String>,

    /// Require a verified attestation of this predicate type (cosign short name or URI; repeatable)
    #[arg(long, value_name = "TYPE")]
    attestation: Vec<String>,

    /// For an image index: also look up the signatures of this platform's manifest (os/arch[/variant])
    #[arg(long, value_name = "OS/ARCH")]
    platform: Option<String>,

    /// Use the embedded trusted root of this instance (default public-good)
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"], help_heading = "Trusted root")]
    instance: Option<String>,

    /// A trusted_root.json to verify against instead of an embedded root
    #[arg(long, value_name = "FILE", help_heading = "Trusted root")]
    trusted_root: Option<PathBuf>,

    #[command(flatten)]
    fetch: FetchArgs,

    #[command(flatten)]
    output: OutputArgs,
}

/// The runtime an image's verification needs: an OCI layout is read from disk, synchronously,
/// so it gets no threads of its own (starting and joining two workers cost a run as much as its
/// verification, docs/performance.md); a registry's fetches get the worker threads.
fn threads(reference: &image::ImageRef) -> Threads {
    match reference {
        image::ImageRef::Layout { .. } => Threads::None,
        image::ImageRef::Registry { .. } => Threads::Workers,
    }
}

pub fn run(args: VerifyImageArgs) -> ExitCode {
    let reference = match image::parse_reference(&args.reference) {
        Ok(r) => r,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let rt = match runtime::start_with(threads(&reference)) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let platform = match args.platform.as_deref().map(str::parse::<PlatformSpec>) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => return fail(ExitCode::Usage, e),
    };
    let policy = match args.signer.policy() {
        Ok(p) => p,
        Err(code) => return code,
    };
    let trust = TrustArgs {
        instance: args.instance.clone(),
        trusted_root: args.trusted_root.clone(),
        ..TrustArgs::default()
    };
    let request = VerifyImageRequest {
        subject: args.reference.clone(),
        reference,
        platform,
        policy,
        options: Options {
            insecure_ignore_tlog: args.signer.ignore_tlog(),
            docker_reference: args.docker_reference.clone(),
        },
        attestations: args.attestation.clone(),
        instance: trust.instance(&args.signer),
        trusted_root: args.trusted_root.clone(),
        fetch: args.fetch.options(None),
    };
    match rt.block_on(ops::verify_image(request)) {
        Ok(report) => args.output.print(std::slice::from_ref(&report)).0,
        Err(e) => fail(e.code, e.message),
    }
}
