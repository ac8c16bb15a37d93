//! `kakunin verify` for a chart named as `helm install` names it: `oci://REGISTRY/PATH/CHART`,
//! `CHART --repo URL`, or a local `./chart-1.2.3.tgz`, with `--version` (Helm's constraints),
//! `--keyring` (the `.prov`, then required) and the signer of the chart and its images given
//! with cosign's flags. A child of `verify` so that it reads `VerifyArgs` as they are.

use std::path::PathBuf;

use clap::Args;

use kakunin::chart::constraint;
use kakunin::chart::prov;
use kakunin::chart_source::{self, ChartRef, SourceError};
use kakunin::chart_verify::{self, Registries};
use kakunin::cosign::{Options, predicate};
use kakunin::exit::ExitCode;
use kakunin::fetch::Fetcher;
use kakunin::image;
use kakunin::trust::Trust;

use super::super::runtime::Runtime;
use super::super::signer::SignerArgs;
use super::{Failure, VerifyArgs, usage};

// Who must have signed an OCI chart's manifest and the chart's images: cosign's and gh's
// flags, as `verify-image` takes them (GitHub's `--repo` is `--signer-repo` here: `--repo` is
// Helm's chart repository).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Signer (oci://, --repo and .tgz charts, and their images)")]
pub struct ChartSignerArgs {
    /// The exact identity (SAN) the signing certificate must carry
    #[arg(long, value_name = "IDENTITY", conflicts_with_all = ["certificate_identity_regexp", "signer_repo", "signer_workflow", "key"])]
    pub certificate_identity: Option<String>,

    /// A regular expression the whole SAN must match (always anchored: ^(?:RE)$)
    #[arg(long, value_name = "RE", conflicts_with_all = ["signer_repo", "signer_workflow", "key"])]
    pub certificate_identity_regexp: Option<String>,

    /// The OIDC issuer the signing certificate must name
    #[arg(long, value_name = "URL", conflicts_with_all = ["certificate_oidc_issuer_regexp", "key"])]
    pub certificate_oidc_issuer: Option<String>,

    /// A regular expression the whole OIDC issuer must match (always anchored: ^(?:RE)$)
    #[arg(long, value_name = "RE", conflicts_with = "key")]
    pub certificate_oidc_issuer_regexp: Option<String>,

    /// Signed by a workflow of this GitHub repository: identity https://github.com/OWNER/REPO/…, issuer GitHub Actions unless given
    #[arg(long, value_name = "OWNER/REPO", conflicts_with_all = ["signer_workflow", "key"])]
    pub signer_repo: Option<String>,

    /// The signing workflow, [HOST/]OWNER/REPO/PATH (any ref, unless PATH ends in @REF)
    #[arg(long, value_name = "[HOST/]OWNER/REPO/PATH", conflicts_with = "key")]
    pub signer_workflow: Option<String>,

    /// Source ref the certificate (and an attestation's provenance) must name, e.g. refs/tags/v1.2.3
    #[arg(long, value_name = "REF")]
    pub source_ref: Option<String>,

    /// A PEM public key (cosign sign --key): verify with it instead of a certificate identity
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,

    /// DANGER: accept signatures without transparency-log inclusion (cosign's flag)
    #[arg(long)]
    pub insecure_ignore_tlog: bool,

    /// Require a verified attestation of this predicate type on the OCI chart and each image (cosign short name or URI; repeatable)
    #[arg(long, value_name = "TYPE")]
    pub attestation: Vec<String>,

    /// Use the embedded trusted root of this instance (default public-good)
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"])]
    pub instance: Option<String>,
}

impl ChartSignerArgs {
    fn given(&self) -> bool {
        self.certificate_identity.is_some()
            || self.certificate_identity_regexp.is_some()
            || self.signer_repo.is_some()
            || self.signer_workflow.is_some()
            || self.key.is_some()
    }

    fn signer_args(&self) -> SignerArgs {
        SignerArgs {
            certificate_identity: self.certificate_identity.clone(),
            certificate_identity_regexp: self.certificate_identity_regexp.clone(),
            certificate_oidc_issuer: self.certificate_oidc_issuer.clone(),
            certificate_oidc_issuer_regexp: self.certificate_oidc_issuer_regexp.clone(),
            signer_repo: self.signer_repo.clone(),
            signer_workflow: self.signer_workflow.clone(),
            source_ref: self.source_ref.clone(),
            key: self.key.clone(),
            insecure_ignore_tlog: self.insecure_ignore_tlog,
            ..SignerArgs::default()
        }
    }
}

/// The chart `args.release` names, when it is one of Helm's forms (not `CHART@VERSION`).
pub(super) fn chart_ref(args: &VerifyArgs) -> Result<Option<ChartRef>, Failure> {
    let Some(reference) = args.release.as_deref() else {
        return Ok(None);
    };
    let found = ChartRef::classify(reference, args.repo.as_deref()).map_err(usage)?;
    if found.is_none() && (args.chart_signer.given() || args.devel) {
        return Err(usage(format!(
            "signer flags and --devel apply to oci://, --repo and .tgz charts; {reference} is a release of a profile (--profile)"
        )));
    }
    Ok(found)
}

pub(super) fn run(args: &VerifyArgs, chart: ChartRef, rt: &Runtime) -> Result<ExitCode, Failure> {
    for (given, flag) in [
        (args.all_versions, "--all-versions"),
        (args.kit.is_some(), "--kit"),
        (args.profile.is_some(), "--profile"),
        (args.emit_values.is_some(), "--emit-values"),
        (args.policy.policy.is_some(), "--policy"),
        (!args.policy.values.is_empty(), "--values"),
        (!args.policy.set.is_empty(), "--set"),
    ] {
        if given {
            return Err(usage(format!(
                "{flag} applies to CHART@VERSION releases of a profile, not to {}",
                args.release.as_deref().unwrap_or_default()
            )));
        }
    }
    let mut version = args.version.clone();
    if let ChartRef::Local(_) = chart {
        if version.is_some() {
            return Err(usage(
                "--version does not apply to a local chart package (the file is the version)",
            ));
        }
    } else if version.is_none() && args.devel {
        version = Some(constraint::DEVEL.to_string());
    }
    if let Some(v) = &version
        && constraint::HelmVersion::parse(v).is_none()
    {
        constraint::Constraint::parse(v).map_err(usage)?;
    }
    if args.keyring.is_none() && !args.chart_signer.given() {
        return Err(usage(
            "nothing to verify the chart against: give --keyring KEYRING (its .prov), a signer \
             (--certificate-identity[-regexp] with --certificate-oidc-issuer, --signer-repo, \
             --signer-workflow, or --key), or both",
        ));
    }
    let keyring = match &args.keyring {
        Some(path) => {
            let bytes = kakunin::limits::read_file_capped(path, 4 * 1024 * 1024)
                .map_err(|e| usage(format!("keyring {}: {e}", path.display())))?;
            Some(
                prov::parse_keyring(&bytes)
                    .map_err(|e| usage(format!("keyring {}: {e}", path.display())))?,
            )
        }
        None => None,
    };
    let signer = if args.chart_signer.given() {
        let s = &args.chart_signer;
        let policy = s
            .signer_args()
            .policy()
            .map_err(|code| (code, String::new()))?;
        Some(image::Request {
            policy,
            options: Options {
                insecure_ignore_tlog: s.insecure_ignore_tlog,
                docker_reference: None,
            },
            attestations: s
                .attestation
                .iter()
                .map(|a| predicate::resolve(a))
                .collect(),
        })
    } else {
        if !args.chart_signer.attestation.is_empty() {
            return Err(usage(
                "--attestation needs a signer (--certificate-identity… or --key)",
            ));
        }
        None
    };
    let trust = Trust::select(
        args.trusted_root.as_deref(),
        args.chart_signer
            .instance
            .as_deref()
            .and_then(kakunin::trust::Instance::from_name),
        false,
    )
    .map_err(usage)?;
    let fetcher = Fetcher::new(args.fetch.options(None)).map_err(usage)?;
    let registries = Registries::new(fetcher.clone());
    let request = chart_verify::Request {
        trust: &trust,
        keyring: keyring.as_deref(),
        signer,
        registries: &registries,
    };
    let report = rt.block_on(async {
        let fetched = match &chart {
            ChartRef::Local(path) => chart_source::local::fetch(path),
            ChartRef::Repo { url, chart } => {
                chart_source::repo::fetch(&fetcher, url, chart, version.as_deref()).await
            }
            ChartRef::Oci(repo) => {
                let client = registries.client(&repo.registry);
                chart_source::oci::fetch(&client, repo, version.as_deref()).await
            }
        }
        .map_err(|e: SourceError| (e.code, e.message))?;
        Ok::<_, Failure>(chart_verify::verify(fetched, &request).await)
    })?;
    if args.stats {
        let s = fetcher.http().stats();
        eprintln!(
            "kakunin: http: {} requests, {} bytes received",
            s.requests.load(std::sync::atomic::Ordering::Relaxed),
            s.bytes.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    Ok(args.output.print(std::slice::from_ref(&report)).0)
}
