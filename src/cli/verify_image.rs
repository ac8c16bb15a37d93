//! `kakunin verify-image REF`: a container image's signatures and attestations (cosign's
//! `.sig`/`.att` tags, Sigstore bundles attached as referrers) verified against its digest, in
//! a registry or an OCI image layout on disk.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;

use kakunin::cosign::{Options, predicate};
use kakunin::exit::ExitCode;
use kakunin::fetch::Fetcher;
use kakunin::image::{self, ImageRef, Layout, PlatformSpec, Request, Source, Subject};
use kakunin::registry::RegistryClient;
use kakunin::report::Report;

use super::fetch_args::FetchArgs;
use super::runtime::Runtime;
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

pub(super) fn is_loopback(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(h, "localhost" | "127.0.0.1" | "[::1]")
}

pub fn run(args: VerifyImageArgs, rt: &Runtime) -> ExitCode {
    let reference = match image::parse_reference(&args.reference) {
        Ok(r) => r,
        Err(e) => return fail(ExitCode::Usage, e),
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
    if let Err(e) = kakunin::cosign::check_key_algorithm(&policy) {
        return fail(ExitCode::Usage, e);
    }
    let trust_args = TrustArgs {
        instance: args.instance.clone(),
        trusted_root: args.trusted_root.clone(),
        ..TrustArgs::default()
    };
    let trust = match trust_args.select(&args.signer) {
        Ok(t) => t,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let request = Request {
        policy,
        options: Options {
            insecure_ignore_tlog: args.signer.insecure_ignore_tlog,
            docker_reference: args.docker_reference.clone(),
        },
        attestations: args
            .attestation
            .iter()
            .map(|a| predicate::resolve(a))
            .collect(),
    };

    let layout;
    let client;
    let (source, target) = match reference {
        ImageRef::Layout { dir, target } => {
            layout = match Layout::open(&dir) {
                Ok(l) => l,
                Err(e) => return fail(ExitCode::Usage, e),
            };
            (Source::Layout(&layout), target)
        }
        ImageRef::Registry { repo, target } => {
            let fetcher = match Fetcher::new(args.fetch.options(None)) {
                Ok(f) => f,
                Err(e) => return fail(ExitCode::Usage, e),
            };
            // A registry on this machine speaks plain HTTP (as cosign and crane assume).
            let mut mirrors = BTreeMap::new();
            if is_loopback(&repo.registry) {
                mirrors.insert(repo.registry.clone(), format!("http://{}", repo.registry));
            }
            client = RegistryClient::new(fetcher, mirrors);
            (
                Source::Registry {
                    client: &client,
                    repo,
                },
                target,
            )
        }
    };

    let (checks, details) = rt.block_on(async {
        match image::resolve(&source, &target).await {
            Ok((digest, resolved)) => {
                let mut first = vec![resolved];
                let mut subjects = Vec::new();
                let mut selected = serde_json::Value::Null;
                match &platform {
                    None => subjects.push(Subject::new(digest.clone(), "image")),
                    Some(spec) => {
                        subjects.push(Subject::new(digest.clone(), "index"));
                        match image::platform::select(&source, &digest, spec).await {
                            Ok((pd, check)) => {
                                selected = serde_json::json!({
                                    "platform": spec.to_string(),
                                    "digest": pd.to_string(),
                                });
                                subjects.push(Subject::new(pd, format!("{spec} manifest")));
                                first.push(check);
                            }
                            Err(check) => first.push(check),
                        }
                    }
                }
                let (checks, mut details) =
                    image::verify_subjects(&trust, &source, &subjects, &request).await;
                if platform.is_some() {
                    details["platform"] = selected;
                }
                first.extend(checks);
                (first, details)
            }
            Err(check) => (vec![check], serde_json::Value::Null),
        }
    });
    let mut report = Report::new("verify-image", args.reference.clone());
    report.checks = checks;
    report.details = details;
    if !report.details.is_null() {
        report.details["trusted_root"] = trust.name().into();
    }
    // Signatures kakunin cannot check (a P-521 certificate…) are an input error (exit 2), as
    // in verify-bundle, never a failed verification.
    if let Some(why) = image::input_error(&report.details)
        && kakunin::check::verdict(&report.checks) == ExitCode::Failed
    {
        return fail(ExitCode::Usage, why);
    }
    args.output.print(std::slice::from_ref(&report)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries_are_recognised_with_and_without_port() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("ghcr.io"));
        assert!(!is_loopback("127.0.0.1.example.com:5000"));
    }
}
