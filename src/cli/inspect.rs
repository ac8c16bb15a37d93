//! `kakunin inspect REF`: what is published for a chart (oci://, --repo, .tgz) and by whom,
//! and a policy draft to review; never a verdict.

use std::path::PathBuf;

use clap::Args;

use kakunin::chart_source::{self, ChartRef};
use kakunin::chart_verify::Registries;
use kakunin::exit::ExitCode;
use kakunin::fetch::Fetcher;
use kakunin::trust::{Instance, Trust};

use super::fail;
use super::fetch_args::FetchArgs;
use super::runtime::Runtime;

pub const EXAMPLES: &str = "\
Examples:
  # Who signed an OCI chart and the images it deploys, and a policy draft to review
  kakunin inspect oci://ghcr.io/o/charts/app --version 1.2.3

  # A chart of an HTTP Helm repository, as JSON
  kakunin inspect app --repo https://charts.example.com --version '^1.2' -o json

Exit codes: 0 inspected (whatever was found); 2 usage or input error; 3 could not fetch; 1 the
chart's source is there but wrong (an index that is not one, a manifest of another media type).
";

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The chart: oci://REGISTRY/PATH/CHART, CHART with --repo URL, or ./CHART-VERSION.tgz
    #[arg(value_name = "REF")]
    reference: String,

    /// The chart version or a constraint, as Helm reads it (default: the newest release)
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,

    /// The chart's HTTP Helm repository (helm's --repo)
    #[arg(long, value_name = "URL")]
    repo: Option<String>,

    /// Helm's --devel: without --version, pre-releases are candidates too
    #[arg(long)]
    devel: bool,

    /// Verify signatures against this trusted_root.json instead of the embedded public-good root
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    /// Use the embedded trusted root of this instance (default public-good)
    #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"])]
    instance: Option<String>,

    /// human (default) or json
    #[arg(long, short = 'o', value_name = "FORMAT", default_value = "human", value_parser = ["human", "json"])]
    output: String,

    #[command(flatten)]
    fetch: FetchArgs,
}

pub fn run(args: InspectArgs, rt: &Runtime) -> ExitCode {
    let chart = match ChartRef::classify(&args.reference, args.repo.as_deref()) {
        Ok(Some(c)) => c,
        Ok(None) => {
            return fail(
                ExitCode::Usage,
                format!(
                    "expected a chart as helm install names it (oci://…, CHART --repo URL, ./CHART.tgz), found {:?}",
                    args.reference
                ),
            );
        }
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let mut version = args.version.clone();
    if version.is_none() && args.devel {
        version = Some(kakunin::chart::constraint::DEVEL.to_string());
    }
    let trust = match Trust::select(
        args.trusted_root.as_deref(),
        args.instance.as_deref().and_then(Instance::from_name),
        false,
    ) {
        Ok(t) => t,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let fetcher = match Fetcher::new(args.fetch.options(None)) {
        Ok(f) => f,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let registries = Registries::new(fetcher.clone());
    let result = rt.block_on(async {
        let fetched =
            chart_source::fetch(&chart, &fetcher, &registries, version.as_deref()).await?;
        Ok::<_, chart_source::SourceError>(
            kakunin::inspect::inspect(&fetched, &trust, &registries).await,
        )
    });
    let inspection = match result {
        Ok(i) => i,
        Err(e) => return fail(e.code, e.message),
    };
    if args.output == "json" {
        match serde_json::to_string_pretty(&inspection) {
            Ok(s) => println!("{s}"),
            Err(e) => return fail(ExitCode::Usage, e),
        }
        return ExitCode::Verified;
    }
    println!("inspect {}", inspection.subject);
    for (k, v) in inspection.source.as_object().into_iter().flatten() {
        println!(
            "  {k}: {}",
            v.as_str().map_or_else(|| v.to_string(), str::to_string)
        );
    }
    println!("  .prov: {}", inspection.prov);
    let show = |a: &kakunin::inspect::Artifact| {
        println!("{}", a.name);
        if let Some(d) = &a.digest {
            println!("  digest: {d}");
        }
        if let Some(e) = &a.error {
            println!("  could not be inspected: {e}");
        }
        for l in &a.looked {
            println!("  looked: {l}");
        }
        if a.found.is_empty() && a.error.is_none() {
            println!("  no signature or attestation found");
        }
        for f in &a.found {
            if f.verified {
                let mut who = Vec::new();
                if let Some(i) = &f.identity {
                    who.push(format!("identity {i}"));
                }
                if let Some(i) = &f.issuer {
                    who.push(format!("issuer {i}"));
                }
                if let Some(k) = &f.key_sha256 {
                    who.push(format!("key {k}"));
                }
                if let Some(p) = &f.predicate_type {
                    who.push(format!("predicate {p}"));
                }
                println!("  verified {} ({}): {}", f.form, f.source, who.join(", "));
            } else {
                println!(
                    "  found, not verified: {}: {}",
                    f.source,
                    f.why.as_deref().unwrap_or("")
                );
            }
        }
    };
    if let Some(c) = &inspection.chart {
        println!("chart manifest");
        show(c);
    }
    for i in &inspection.images {
        show(i);
    }
    println!();
    print!("{}", inspection.policy_draft);
    ExitCode::Verified
}
