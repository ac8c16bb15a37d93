//! `kakunin verify` for a chart named as `helm install` names it: `oci://REGISTRY/PATH/CHART`,
//! `CHART --repo URL`, or a local `./chart-1.2.3.tgz` (the op is `ops::verify::chart`). A
//! child of `verify` so that it reads `VerifyArgs` as they are.

use clap::Args;

use kakunin::chart_source::ChartRef;
use kakunin::exit::ExitCode;
use kakunin::ops::verify::chart::{self, ChartRequest};

use super::super::runtime::Runtime;
use super::super::signer::SignerArgs;
use super::{Failure, VerifyArgs, usage};

// Who must have signed an OCI chart's manifest and the chart's images: the signer flags every
// verify command shares (GitHub's `--repo` is `--github-repo` here: `--repo` is Helm's chart
// repository), and what verify-image adds for images.
#[derive(Debug, Clone, Default, Args)]
pub struct ChartSignerArgs {
    #[command(flatten)]
    pub signer: SignerArgs,

    /// Require a verified attestation of this predicate type on the OCI chart and each image (cosign short name or URI; repeatable)
    #[arg(long, value_name = "TYPE")]
    pub attestation: Vec<String>,

    /// Use the embedded trusted root of this instance (default public-good)
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"])]
    pub instance: Option<String>,
}

/// The chart `args.release` names, when it is one of Helm's forms (not `CHART@VERSION`).
pub(super) fn chart_ref(args: &VerifyArgs) -> Result<Option<ChartRef>, Failure> {
    let Some(reference) = args.release.as_deref() else {
        return Ok(None);
    };
    let found = ChartRef::classify(reference, args.chart.repo.as_deref()).map_err(usage)?;
    let s = &args.chart_signer;
    let signer_flags = s.signer.any_given() || !s.attestation.is_empty();
    if found.is_none() && (signer_flags || args.chart.devel || s.instance.is_some()) {
        return Err(usage(format!(
            "signer flags and --devel apply to oci://, --repo and .tgz charts; {reference} is a release of a profile (--profile)"
        )));
    }
    Ok(found)
}

pub(super) fn run(args: &VerifyArgs, chart: ChartRef, rt: &Runtime) -> Result<ExitCode, Failure> {
    let release = args.release.clone().unwrap_or_default();
    for (given, flag) in [
        (args.all_versions, "--all-versions"),
        (args.kit.is_some(), "--kit"),
        (args.profile.is_some(), "--profile"),
        (args.emit_values.is_some(), "--emit-values"),
    ] {
        if given {
            return Err(usage(format!(
                "{flag} applies to CHART@VERSION releases of a profile, not to {release}"
            )));
        }
    }
    let version = chart::version(&chart, args.chart.version.clone(), args.chart.devel)
        .map_err(|e| (e.code, e.message))?;
    let s = &args.chart_signer;
    let signer = match args.policy.policy.is_none() && s.signer.names_signer() {
        // An empty message: the signer flags print what is wrong themselves.
        true => Some(s.signer.policy().map_err(|code| (code, String::new()))?),
        false => None,
    };
    let request = ChartRequest {
        release,
        chart,
        version,
        keyring: args.keyring.clone(),
        policy: args.policy.files(),
        signer,
        signer_flags: s.signer.any_given(),
        attestations: s.attestation.clone(),
        insecure_ignore_tlog: s.signer.ignore_tlog(),
        trusted_root: args.trusted_root.clone(),
        instance: s.instance.clone(),
        github_release: s.signer.github_release,
        registry_config: args.registry_config.clone(),
        fetch: args.fetch.options(None),
    };
    let verified = rt
        .block_on(chart::chart(request))
        .map_err(|e| (e.code, e.message))?;
    super::print_stats(args, &verified);
    Ok(args.output.print(&verified.reports).0)
}
