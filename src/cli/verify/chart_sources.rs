//! `kakunin verify` for a chart named as `helm install` names it: `oci://REGISTRY/PATH/CHART`,
//! `CHART --repo URL`, or a local `./chart-1.2.3.tgz`, with `--version` (Helm's constraints),
//! `--keyring` (the `.prov`, then required), and what the chart and every image it deploys
//! must carry: `--policy FILE`, or the signer given with cosign's flags, and `--image-policy`
//! rules; `--values`/`--set` choose the images. A child of `verify` so that it reads
//! `VerifyArgs` as they are.

use std::path::{Path, PathBuf};

use clap::Args;

use kakunin::chart::constraint;
use kakunin::chart_source::{self, ChartRef, SourceError};
use kakunin::chart_verify::{self, Registries};
use kakunin::cosign::Options;
use kakunin::exit::ExitCode;
use kakunin::fetch::Fetcher;
use kakunin::policy::{Policy, Signer};
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
    let s = &args.chart_signer;
    let signer_flags = s.given() || !s.attestation.is_empty() || s.insecure_ignore_tlog;
    if found.is_none() && (signer_flags || args.devel || s.instance.is_some()) {
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
    ] {
        if given {
            return Err(usage(format!(
                "{flag} applies to CHART@VERSION releases of a profile, not to {}",
                args.release.as_deref().unwrap_or_default()
            )));
        }
    }
    let version = chosen_version(args, &chart)?;
    let policy = chart_policy(args, &chart)?;
    if args.keyring.is_none() && policy.is_none() {
        return Err(usage(
            "nothing to verify the chart against: give --keyring KEYRING (its .prov), a signer \
             (--certificate-identity[-regexp] with --certificate-oidc-issuer, --signer-repo, \
             --signer-workflow, or --key), --policy FILE, or both a keyring and a signer",
        ));
    }
    let keyring_path = args.keyring.clone().or_else(|| {
        policy
            .as_ref()?
            .chart()
            .prov_keyring()
            .map(Path::to_path_buf)
    });
    let keyring = keyring_path.as_deref().map(read_keyring).transpose()?;
    let values = args.policy.files().user_values().map_err(usage)?;
    let trust = trust(args, policy.as_ref())?;
    let mut fetcher = Fetcher::new(args.fetch.options(None)).map_err(usage)?;
    if let Some(c) =
        kakunin::ops::registry_credentials(args.registry_config.as_deref()).map_err(usage)?
    {
        fetcher = fetcher.with_registry_credentials(c);
    }
    let registries = Registries::new(fetcher.clone());
    let request = chart_verify::Request {
        trust: &trust,
        keyring: keyring.as_deref(),
        policy: policy.as_ref(),
        values: &values,
        options: Options {
            insecure_ignore_tlog: args.chart_signer.insecure_ignore_tlog,
            docker_reference: None,
        },
        registries: &registries,
    };
    let report = rt.block_on(async {
        let fetched = chart_source::fetch(&chart, &fetcher, &registries, version.as_deref())
            .await
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

/// The version request: `--version` (a constraint for oci:// and --repo charts), or `--devel`'s.
fn chosen_version(args: &VerifyArgs, chart: &ChartRef) -> Result<Option<String>, Failure> {
    let mut version = args.version.clone();
    if let ChartRef::Local(_) = chart {
        if version.is_some() {
            return Err(usage(
                "--version does not apply to a local chart package (the file is the version)",
            ));
        }
    } else if version.is_none() && args.devel {
        let named = matches!(chart, ChartRef::Oci(r) if r.version.is_some() || r.digest.is_some());
        if !named {
            version = Some(constraint::DEVEL.to_string());
        }
    }
    if let Some(v) = &version
        && constraint::HelmVersion::parse(v).is_none()
    {
        constraint::Constraint::parse(v).map_err(usage)?;
    }
    Ok(version)
}

/// What the chart and its images are verified against: `--policy FILE`, or the signer flags
/// as a one-signer policy (the chart's signer for an OCI chart, or where no keyring verifies
/// the chart's `.prov`), with the `--image-policy` rules first; `None`: neither was given.
fn chart_policy(args: &VerifyArgs, chart: &ChartRef) -> Result<Option<Policy>, Failure> {
    let s = &args.chart_signer;
    let base = match &args.policy.policy {
        Some(path) => {
            if s.given() || !s.attestation.is_empty() || s.insecure_ignore_tlog {
                return Err(usage(
                    "--policy FILE and the signer flags (--certificate-identity…, --key, \
                     --attestation, --insecure-ignore-tlog) both say who must have signed: give one",
                ));
            }
            let policy = Policy::load(path).map_err(usage)?;
            if policy.release().is_some() {
                return Err(usage(format!(
                    "policy {}: its release section describes CHART@VERSION releases published \
                     as GitHub release assets, not {}: give the chart's rules under chart: and \
                     images: (docs/policy.md)",
                    policy.origin(),
                    args.release.as_deref().unwrap_or_default()
                )));
            }
            Some(policy)
        }
        None if s.given() => {
            let signer = s
                .signer_args()
                .policy()
                .map_err(|code| (code, String::new()))?;
            let chart_signed = matches!(chart, ChartRef::Oci(_)) || args.keyring.is_none();
            Some(Policy::one_signer(
                Signer::from_policy(signer),
                &s.attestation,
                chart_signed,
                "the signer flags",
            ))
        }
        None => {
            if !s.attestation.is_empty() {
                return Err(usage(
                    "--attestation needs a signer (--certificate-identity… or --key)",
                ));
            }
            None
        }
    };
    if args.policy.image_policy.is_empty() {
        return Ok(base);
    }
    base.unwrap_or_else(|| Policy::empty("--image-policy"))
        .with_image_specs(&args.policy.image_policy, Path::new("."))
        .map(Some)
        .map_err(usage)
}

fn read_keyring(path: &Path) -> Result<Vec<pgp::composed::SignedPublicKey>, Failure> {
    kakunin::ops::read_keyring(path).map_err(|e| (e.code, e.message))
}

/// `--trusted-root FILE`, `--instance NAME`, the policy's `trusted_root`, or public-good.
fn trust(args: &VerifyArgs, policy: Option<&Policy>) -> Result<Trust, Failure> {
    let named = policy.and_then(Policy::trusted_root);
    let embedded = named.filter(|n| kakunin::profile::EMBEDDED_ROOTS.contains(n));
    let file = args.trusted_root.clone().or_else(|| {
        named
            .filter(|_| embedded.is_none())
            .map(std::path::PathBuf::from)
    });
    let instance = args
        .chart_signer
        .instance
        .as_deref()
        .or(embedded)
        .and_then(kakunin::trust::Instance::from_name);
    Trust::select(file.as_deref(), instance, false).map_err(usage)
}
