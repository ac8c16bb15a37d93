//! `kakunin post-render`: Helm's post-renderer. Reads the rendered manifests on stdin, verifies
//! every container image against the profile, and writes the manifests with each image pinned
//! by digest to stdout, or nothing at all (and a non-zero exit, which stops the install).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::ops::{self, PostRenderRequest};
use kakunin::report::{self, Format, HumanStyle};

use super::fail;
use super::fetch_args::FetchArgs;
use super::runtime::Runtime;

pub const EXAMPLES: &str = "\
Examples:
  # Verify and pin every image Helm renders, as the install runs (Helm 3)
  helm install web ./chart --post-renderer kakunin --post-renderer-args post-render \\
    --post-renderer-args --profile=/etc/kakunin/profile.yaml

  # Check a rendered stream without changing it
  helm template ./chart | kakunin post-render --no-pin --profile profile.yaml > /dev/null

  # Third-party images that carry no signature: pinned by digest only
  helm template ./chart | kakunin post-render --profile profile.yaml \\
    --allow-unsigned docker.io/library/alpine --report report.sarif --report-format sarif

Exit codes: 0 every image verified (the manifests are on stdout); 1 an image failed its
checks; 2 the input is not usable rendered YAML (or a usage error); 3 a registry could not be
asked. Whenever the exit code is not 0, nothing is written to stdout.
";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
    Sarif,
    Junit,
}

#[derive(Debug, Args)]
pub struct PostRenderArgs {
    /// The rendered manifests (default: stdin, as Helm passes them)
    #[arg(value_name = "FILE")]
    input: Option<PathBuf>,

    /// The profile whose image repositories, signers and trusted root images are verified
    /// against (docs/profile.md); default: the built-in GomenHashai profile
    #[arg(long, visible_alias = "policy", value_name = "FILE")]
    profile: Option<PathBuf>,

    /// Verify against this trusted_root.json instead of the profile's
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    /// Rewrite every image to `repo@sha256:…` (the default)
    #[arg(long, overrides_with = "no_pin")]
    pin: bool,

    /// Verify only: write the manifests unchanged
    #[arg(long, overrides_with = "pin")]
    no_pin: bool,

    /// A repository (`docker.io/library/alpine`, or `registry/prefix/*`) whose images are
    /// pinned by digest without a signature; repeatable
    #[arg(long, value_name = "REPOSITORY")]
    allow_unsigned: Vec<String>,

    /// Registry credentials in Docker's config.json format (Helm's registry config)
    #[arg(long, value_name = "FILE", env = "HELM_REGISTRY_CONFIG")]
    registry_config: Option<PathBuf>,

    /// Also write the report to this file
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// Format of --report
    #[arg(long, value_enum, default_value_t = ReportFormat::Json, requires = "report")]
    report_format: ReportFormat,

    /// No report on stderr (errors are still printed)
    #[arg(long, short = 'q')]
    quiet: bool,

    #[command(flatten)]
    fetch: FetchArgs,
}

pub fn run(args: PostRenderArgs, rt: &Runtime) -> ExitCode {
    let request = PostRenderRequest {
        input: args.input.clone(),
        profile: args.profile.clone(),
        trusted_root: args.trusted_root.clone(),
        pin: !args.no_pin,
        allow_unsigned: args.allow_unsigned.clone(),
        registry_config: args.registry_config.clone(),
        fetch: args.fetch.options(None),
    };
    let rendered = match rt.block_on(ops::post_render(request)) {
        Ok(r) => r,
        Err(e) => return fail(e.code, e.message),
    };
    let report = std::slice::from_ref(&rendered.report);
    if !args.quiet {
        eprint!(
            "{}",
            report::render(report, Format::Human, HumanStyle::default())
        );
    }
    if let Some(path) = &args.report {
        let style = HumanStyle {
            host: super::output::hostname(),
            ..HumanStyle::default()
        };
        let text = report::render(report, args.report_format.format(), style);
        if let Err(e) = std::fs::write(path, text) {
            let message = format!("cannot write the report {}: {e}", path.display());
            return fail(ExitCode::Usage, message);
        }
    }
    if let Some(bytes) = rendered.output {
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
            return fail(ExitCode::Fetch, format!("cannot write the manifests: {e}"));
        }
    }
    rendered.report.exit_code()
}

impl ReportFormat {
    fn format(self) -> Format {
        match self {
            ReportFormat::Human => Format::Human,
            ReportFormat::Json => Format::Json,
            ReportFormat::Sarif => Format::Sarif,
            ReportFormat::Junit => Format::Junit,
        }
    }
}
