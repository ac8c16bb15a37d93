//! `kakunin download CHART@VERSION --to DIR`: gather a release exactly as `verify` would, and
//! write it as a kit (docs/kit.md) that `verify --offline --kit DIR` reads later.

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::ops::{self, DownloadRequest, Downloaded};

use super::fail;
use super::fetch_args::{Bars, FetchArgs};
use super::runtime::Runtime;

pub const EXAMPLES: &str = "\
Examples:
  # Everything about gomenhashai 1.3.2 into a directory, then verify it with no network
  kakunin download gomenhashai@1.3.2 --to kit/
  kakunin verify --offline --kit kit/

  # A project described by a profile, with a registry mirror on plain HTTP
  kakunin download mychart@2.0.0 --profile mychart.yaml --to kit/ --allow-insecure-registry registry.lan:5000

Exit codes: 0 the kit holds every file of the release, 2 usage or input error (unknown chart
or version, unreadable profile), 3 some file could not be fetched (the kit is written and
kit.json lists what is missing and why).
";

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The release: CHART@VERSION (e.g. gomenhashai@1.3.2), or CHART --version VERSION
    #[arg(value_name = "CHART[@VERSION]")]
    release: String,

    /// The chart version, as `helm pull --version` takes it: `CHART --version V` is `CHART@V`
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,

    /// Directory to write the kit into (created if needed)
    #[arg(long, value_name = "DIR")]
    to: PathBuf,

    /// The project's profile (default: kakunin's built-in profile for CHART)
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,

    #[command(flatten)]
    fetch: FetchArgs,

    #[command(flatten)]
    output: DownloadOutput,
}

/// What `download` prints: a line for people, or the kit's manifest as JSON (it verifies
/// nothing, so it has no SARIF or JUnit report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
enum DownloadFormat {
    /// One line: where the kit is, how many files and bytes; what is missing
    #[default]
    Human,
    /// The kit's manifest, what could not be fetched, and HTTP statistics
    Json,
}

#[derive(Debug, Clone, Args)]
struct DownloadOutput {
    /// What to print (--format is the same option)
    #[arg(long, short = 'o', visible_alias = "format", value_enum, default_value_t = DownloadFormat::Human)]
    output: DownloadFormat,
    /// No progress bars, and no summary line
    #[arg(long, short = 'q')]
    quiet: bool,
}

impl DownloadOutput {
    fn progress_allowed(&self) -> bool {
        !self.quiet
            && self.output == DownloadFormat::Human
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
    }
}

pub fn run(args: DownloadArgs, rt: &Runtime) -> ExitCode {
    let progress = Bars::new(args.output.progress_allowed());
    let request = DownloadRequest {
        release: args.release.clone(),
        version: args.version.clone(),
        to: args.to.clone(),
        profile: args.profile.clone(),
        fetch: args.fetch.options(None),
        progress: progress.map(|b| Arc::new(b) as Arc<dyn kakunin::progress::Progress>),
    };
    let downloaded = match rt.block_on(ops::download(request)) {
        Ok(d) => d,
        Err(e) => return fail(e.code, e.message),
    };
    print(&args, &downloaded);
    if downloaded.complete() {
        ExitCode::Verified
    } else {
        ExitCode::Fetch
    }
}

/// The kit's line (and what is missing), or its manifest as JSON.
fn print(args: &DownloadArgs, d: &Downloaded) {
    if args.output.output == DownloadFormat::Json {
        let out = serde_json::json!({
            "kit": args.to,
            "manifest": d.manifest,
            "unavailable": d.unavailable,
            "http": { "requests": d.requests, "bytes": d.bytes },
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else if !args.output.quiet {
        let bytes: u64 = d.manifest.files.iter().map(|f| f.size).sum();
        println!(
            "kit for {}@{} written to {}: {} files, {bytes} bytes",
            d.chart,
            d.version,
            args.to.display(),
            d.manifest.files.len()
        );
        for m in &d.unavailable {
            println!("  missing: {m}");
        }
    }
}
