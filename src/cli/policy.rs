//! `kakunin policy export`: the cluster admission policy (Kyverno, sigstore policy-controller)
//! or GomenHashai digest mapping that keeps enforcing what kakunin verifies.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::manifests::Rendered;
use kakunin::policy_export::{self, Export, VerifiedRelease};
use kakunin::profile::Profile;
use kakunin::report::{self, Format, HumanStyle, Report};

use super::fail;
use super::fetch_args::FetchArgs;
use super::post_render::{Failure, load_trust, read_manifests, usage, verify_images};
use super::runtime::Runtime;

pub const EXAMPLES: &str = "\
Examples:
  # A Kyverno ClusterPolicy for the built-in profile's images
  kakunin policy export --format kyverno > gomenhashai-policy.yaml

  # A sigstore policy-controller ClusterImagePolicy from a profile
  kakunin policy export --format policy-controller --profile profile.yaml

  # From a release once verified: its image repository, signer and digest only
  kakunin policy export --format kyverno --release gomenhashai@1.3.2
  kakunin policy export --format gomenhashai --release gomenhashai@1.3.2 > mapping-values.yaml

  # GomenHashai's digest mapping for every image a chart renders, verified first
  helm template ./chart | kakunin policy export --format gomenhashai --manifests - \\
    --allow-unsigned docker.io/library/* > mapping-values.yaml
";

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write a cluster policy (Kyverno, policy-controller) or GomenHashai values to stdout
    #[command(after_long_help = EXAMPLES)]
    Export(ExportArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Kyverno ClusterPolicy (kyverno.io/v1) with a verifyImages rule
    Kyverno,
    /// sigstore policy-controller ClusterImagePolicy (policy.sigstore.dev/v1beta1)
    PolicyController,
    /// GomenHashai chart values: digestsMapping.mapping of every verified image
    Gomenhashai,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write
    #[arg(long, value_enum)]
    format: ExportFormat,

    /// The profile (docs/profile.md); default: the built-in GomenHashai profile
    #[arg(long, visible_alias = "policy", value_name = "FILE")]
    profile: Option<PathBuf>,

    /// metadata.name of the policy (default: kakunin-<chart>)
    #[arg(long, value_name = "NAME")]
    name: Option<String>,

    /// A PEM public key: key-based attestors instead of the profile's keyless identities
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,

    /// Export from this release once `kakunin verify` verified it (CHART@VERSION, or with
    /// --kit): its image repository and signer (kyverno, policy-controller) or its pinned image
    /// (gomenhashai); nothing is written unless it verifies
    #[arg(long, value_name = "CHART[@VERSION]", conflicts_with = "manifests")]
    release: Option<String>,

    /// With --release: the chart version, as `helm install --version` takes it
    #[arg(long, value_name = "VERSION", requires = "release")]
    version: Option<String>,

    /// Verify the release from this kit (`kakunin download`); names the release when --release
    /// is not given
    #[arg(long, value_name = "DIR", conflicts_with = "manifests")]
    kit: Option<PathBuf>,

    /// With --release or --kit: PGP keyring for the chart's .prov
    #[arg(long, value_name = "FILE")]
    keyring: Option<PathBuf>,

    /// Rendered manifests (`-` for stdin) whose images are verified as `post-render` verifies
    /// them; required for --format gomenhashai
    #[arg(long, value_name = "FILE")]
    manifests: Option<PathBuf>,

    /// With --manifests: a repository whose images are mapped by digest without a signature
    #[arg(long, value_name = "REPOSITORY")]
    allow_unsigned: Vec<String>,

    /// With --manifests, --release or --kit: verify against this trusted_root.json instead of
    /// the profile's
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    /// With --manifests, --release or --kit: registry credentials in Docker's config.json
    /// format (Helm's registry config), tried before the Docker config's
    #[arg(long, value_name = "FILE", env = "HELM_REGISTRY_CONFIG")]
    registry_config: Option<PathBuf>,

    #[command(flatten)]
    fetch: FetchArgs,
}

pub fn run(cmd: PolicyCommand, rt: &Runtime) -> ExitCode {
    let PolicyCommand::Export(args) = cmd;
    match export(&args, rt) {
        Ok(text) => {
            print!("{text}");
            ExitCode::Verified
        }
        Err((code, message)) => fail(code, message),
    }
}

/// `--release`/`--kit`: the release verified as `kakunin verify` verifies it, read back from its
/// report. A release that does not verify is an error with verify's exit code (its report on
/// stderr), and nothing is exported.
fn verified_release(
    args: &ExportArgs,
    rt: &Runtime,
) -> Result<(Profile, VerifiedRelease), Failure> {
    let request = super::verify::one_release(
        args.release.clone(),
        args.version.clone(),
        args.profile.clone(),
        args.kit.clone(),
        args.trusted_root.clone(),
        args.keyring.clone(),
        args.registry_config.clone(),
        args.fetch.clone(),
    );
    let reports = super::verify::reports(&request, rt)?;
    let [report] = reports.as_slice() else {
        return Err(usage(format!(
            "--release exports one release: expected one, verified {}",
            reports.len()
        )));
    };
    let code = report.exit_code();
    if code != ExitCode::Verified {
        eprint!(
            "{}",
            report::render(
                std::slice::from_ref(report),
                Format::Human,
                HumanStyle::default()
            )
        );
        return Err((
            code,
            format!("{} did not verify: nothing exported", report.subject),
        ));
    }
    let release = VerifiedRelease::from_report(report).map_err(|e| (ExitCode::Failed, e))?;
    let chart = report.details["chart"].as_str().unwrap_or_default();
    let profile = match &args.profile {
        Some(path) => Profile::load(path).map_err(usage)?,
        None => Profile::builtin(chart).map_err(usage)?,
    };
    Ok((profile, release))
}

fn export(args: &ExportArgs, rt: &Runtime) -> Result<String, Failure> {
    let from_release = if args.release.is_some() || args.kit.is_some() {
        if args.trusted_root.is_some() && args.format != ExportFormat::Gomenhashai {
            return Err(usage(
                "--trusted-root: the exported policy names the public-good Sigstore instance, so the release must verify against it (the profile's embedded root)",
            ));
        }
        Some(verified_release(args, rt)?)
    } else {
        if args.keyring.is_some() {
            return Err(usage("--keyring is for --release or --kit"));
        }
        None
    };
    let profile = match (&from_release, &args.profile) {
        (Some((p, _)), _) => p.clone(),
        (None, Some(path)) => Profile::load(path).map_err(usage)?,
        (None, None) => Profile::gomenhashai(),
    };
    let release = from_release.as_ref().map(|(_, r)| r);
    let key_pem = match &args.key {
        Some(path) => {
            // Parsed first, so that a file that is not a public key is refused here.
            kakunin::bundle::PublicKey::from_file(path).map_err(usage)?;
            let bytes = kakunin::limits::read_file_capped(path, 64 * 1024)
                .map_err(|e| usage(format!("{}: {e}", path.display())))?;
            Some(String::from_utf8(bytes).map_err(|_| usage("the key is not PEM text"))?)
        }
        None => None,
    };
    let value = match args.format {
        ExportFormat::Kyverno | ExportFormat::PolicyController => {
            if args.manifests.is_some() {
                return Err(usage(
                    "--manifests is for --format gomenhashai: the cluster policies cover every image of the profile's repositories",
                ));
            }
            let e = Export {
                profile: &profile,
                name: args
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("kakunin-{}", profile.chart)),
                key_pem,
                release,
            };
            if args.format == ExportFormat::Kyverno {
                policy_export::kyverno(&e)
            } else {
                policy_export::policy_controller(&e)
            }
            .map_err(usage)?
        }
        ExportFormat::Gomenhashai if release.is_some() => {
            let image = release.map(VerifiedRelease::pinned_image);
            policy_export::gomenhashai(&image.into_iter().collect::<Vec<_>>()).map_err(usage)?
        }
        ExportFormat::Gomenhashai => {
            let Some(input) = &args.manifests else {
                return Err(usage(
                    "--format gomenhashai maps verified images to their digests: expected --manifests FILE (or - for stdin), or --release CHART@VERSION",
                ));
            };
            let bytes = read_manifests(Some(input))?;
            let rendered = Rendered::parse(&bytes).map_err(usage)?;
            let trust = load_trust(&profile, args.trusted_root.as_deref())?;
            let results = verify_images(
                &rendered.distinct_images(),
                &profile,
                &trust,
                &args.allow_unsigned,
                &args.fetch,
                args.registry_config.as_deref(),
                rt,
            )?;
            let mut report = Report::new(
                "policy export",
                format!("{} distinct images", results.len()),
            );
            for (checks, _) in &results {
                report.checks.extend(checks.iter().cloned());
            }
            let code = report.exit_code();
            if code != ExitCode::Verified || results.is_empty() {
                eprint!(
                    "{}",
                    report::render(&[report], Format::Human, HumanStyle::default())
                );
                return Err((
                    if results.is_empty() {
                        ExitCode::Usage
                    } else {
                        code
                    },
                    "not every image verified: no mapping written".into(),
                ));
            }
            let images: Vec<_> = results.into_iter().map(|(_, i)| i).collect();
            policy_export::gomenhashai(&images).map_err(usage)?
        }
    };
    let yaml = serde_norway::to_string(&value)
        .map_err(|e| (ExitCode::Fetch, format!("cannot write YAML: {e}")))?;
    Ok(format!("---\n# Generated by kakunin policy export\n{yaml}"))
}
