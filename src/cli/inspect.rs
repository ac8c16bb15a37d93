//! `kakunin inspect REF`: what is published for a chart (oci://, --repo, .tgz) and by whom,
//! and a policy draft to review; never a verdict.

use std::path::PathBuf;

use clap::Args;

use kakunin::exit::ExitCode;
use kakunin::inspect::Artifact;
use kakunin::ops::{self, InspectRequest};

use super::chart_args::HelmChartArgs;
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

    #[command(flatten)]
    chart: HelmChartArgs,

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
    let request = InspectRequest {
        reference: args.reference.clone(),
        repo: args.chart.repo.clone(),
        version: args.chart.version_or_devel(),
        trusted_root: args.trusted_root.clone(),
        instance: args.instance.clone(),
        fetch: args.fetch.options(None),
    };
    let inspection = match rt.block_on(ops::inspect(request)) {
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

/// One artifact: its digest, where kakunin looked, and each signature or attestation found.
fn show(a: &Artifact) {
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
}
