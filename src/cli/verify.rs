//! `kakunin verify`: a chart release end to end (chart, image, bundles, attestations, SemVer
//! alignment), online, from the cache, or offline from a kit.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use kakunin::exit::ExitCode;
use kakunin::ops::{self, VerifyRequest};
use kakunin::report::Report;

use super::chart_args::HelmChartArgs;
use super::fetch_args::{Bars, FetchArgs};
use super::output::Notes;
use super::runtime::Runtime;
use super::{OutputArgs, fail};

mod chart_sources;
mod policy_args;

pub const EXAMPLES: &str = "\
Examples:
  # A release of the reference project (built-in profile)
  kakunin verify gomenhashai@1.3.2

  # Any project that releases the same way, described by a profile (docs/profile.md)
  kakunin verify mychart@2.0.1 --profile mychart-profile.yaml

  # Every image the release deploys with these values, checked against a policy (docs/policy.md)
  kakunin verify mychart@2.0.1 --policy policy.yaml -f my-values.yaml --set image.tag=v2.0.1

  # Air-gapped, from a kit made by `kakunin download` (the kit names its release); the kit's
  # own trusted root is used only when named explicitly
  kakunin verify --offline --kit ./gomenhashai-1.3.2 --trusted-root ./trusted_root.json

  # Every release in the Helm index, as JSON for a CI gate
  kakunin verify gomenhashai --all-versions --output json

Exit codes: 0 verified, 1 verification failed, 2 usage or input error, 3 could not fetch or a
check could not run (never 0 when a check could not run).
";

// GitHub's repository claim is `--github-repo` here: `--repo` is Helm's chart repository.
#[derive(Debug, Args)]
#[command(mut_arg("github_repo", |a| a.visible_alias(None::<&'static str>)))]
pub struct VerifyArgs {
    /// The release: CHART@VERSION (or CHART --version VERSION), or CHART with --all-versions
    /// (optional with --kit); or a chart as `helm install` names it: oci://REGISTRY/PATH/CHART,
    /// CHART with --repo URL, or a packaged chart ./CHART-VERSION.tgz
    #[arg(value_name = "CHART[@VERSION]")]
    release: Option<String>,

    #[command(flatten)]
    chart: HelmChartArgs,

    /// The project's profile (YAML); default: the chart's built-in profile
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,

    /// Verify every version of the chart in its Helm index
    #[arg(long)]
    all_versions: bool,

    /// A release kit written by `kakunin download` (read before the cache and the network)
    #[arg(long, value_name = "DIR")]
    kit: Option<PathBuf>,

    /// Verify against this trusted_root.json instead of the profile's
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    /// PGP keyring for the chart's .prov (overrides the profile's require.prov_keyring); given,
    /// the .prov is required (for a .tgz, the <file>.prov beside it, as `helm verify` reads it)
    #[arg(long, value_name = "FILE")]
    keyring: Option<PathBuf>,

    /// Print the number of HTTP requests and bytes received to stderr
    #[arg(long, hide = true)]
    stats: bool,

    /// Registry credentials in Docker's config.json format, tried before the Docker config's
    /// (Helm's registry config: `helm registry login` writes it)
    #[arg(long, value_name = "FILE", env = "HELM_REGISTRY_CONFIG")]
    registry_config: Option<PathBuf>,

    #[command(flatten)]
    fetch: FetchArgs,

    /// Once verified, write Helm values that pin the verified image by digest (`helm install -f FILE`)
    #[arg(long, value_name = "FILE")]
    emit_values: Option<PathBuf>,

    #[command(flatten)]
    policy: policy_args::PolicyArgs,

    #[command(flatten)]
    chart_signer: chart_sources::ChartSignerArgs,

    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: VerifyArgs, rt: &Runtime) -> ExitCode {
    match run_inner(&args, rt) {
        Ok(code) => code,
        // An empty message: already printed (the signer flags say what is wrong themselves).
        Err((code, message)) if message.is_empty() => code,
        Err((code, message)) => fail(code, message),
    }
}

type Failure = (ExitCode, String);

fn usage(message: impl std::fmt::Display) -> Failure {
    (ExitCode::Usage, message.to_string())
}

fn run_inner(args: &VerifyArgs, rt: &Runtime) -> Result<ExitCode, Failure> {
    if let Some(chart) = chart_sources::chart_ref(args)? {
        return chart_sources::run(args, chart, rt);
    }
    let reports = reports(args, rt)?;
    let code = args.output.print(&reports).0;
    if let (Some(path), kakunin::exit::ExitCode::Verified) = (&args.emit_values, code) {
        super::emit_values::write(path, &reports).map_err(usage)?;
    }
    Ok(code)
}

/// Verifies the release(s) of the profile's Helm repository (or kit) `args` name: one report per
/// release (nothing printed but notes and `--stats`).
fn reports(args: &VerifyArgs, rt: &Runtime) -> Result<Vec<Report>, Failure> {
    let verified = rt
        .block_on(ops::verify(request(args), &Notes))
        .map_err(|e| (e.code, e.message))?;
    print_stats(args, &verified);
    Ok(verified.reports)
}

/// `--stats`: the HTTP requests and bytes a run took, on stderr.
fn print_stats(args: &VerifyArgs, verified: &ops::Verified) {
    if args.stats {
        eprintln!(
            "kakunin: http: {} requests, {} bytes received",
            verified.requests, verified.bytes
        );
    }
}

/// The op's request: the command line as it is.
fn request(args: &VerifyArgs) -> VerifyRequest {
    let progress = Bars::new(args.output.progress_allowed());
    VerifyRequest {
        release: args.release.clone(),
        version: args.chart.version.clone(),
        all_versions: args.all_versions,
        profile: args.profile.clone(),
        policy: args.policy.files(),
        trusted_root: args.trusted_root.clone(),
        keyring: args.keyring.clone(),
        registry_config: args.registry_config.clone(),
        fetch: args.fetch.options(args.kit.clone()),
        progress: progress.map(|b| Arc::new(b) as Arc<dyn kakunin::progress::Progress>),
    }
}
