//! `kakunin policy export`: the cluster admission policy (Kyverno, sigstore policy-controller)
//! or GomenHashai digest mapping that keeps enforcing what kakunin verifies.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::ops::{self, PolicyExportRequest, policy_export};
use kakunin::report::{self, Format, HumanStyle};

use super::fail;
use super::fetch_args::FetchArgs;
use super::output::Notes;
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
    let request = PolicyExportRequest {
        format: match args.format {
            ExportFormat::Kyverno => policy_export::ExportFormat::Kyverno,
            ExportFormat::PolicyController => policy_export::ExportFormat::PolicyController,
            ExportFormat::Gomenhashai => policy_export::ExportFormat::Gomenhashai,
        },
        profile: args.profile,
        name: args.name,
        key: args.key,
        release: args.release,
        version: args.version,
        kit: args.kit,
        keyring: args.keyring,
        manifests: args.manifests,
        allow_unsigned: args.allow_unsigned,
        trusted_root: args.trusted_root,
        registry_config: args.registry_config,
        fetch: args.fetch.options(None),
    };
    match rt.block_on(ops::policy_export(request, &Notes)) {
        Ok(text) => {
            print!("{text}");
            ExitCode::Verified
        }
        Err(refused) => {
            if let Some(report) = &refused.report {
                let reports = std::slice::from_ref(report.as_ref());
                eprint!(
                    "{}",
                    report::render(reports, Format::Human, HumanStyle::default())
                );
            }
            fail(refused.error.code, refused.error.message)
        }
    }
}
