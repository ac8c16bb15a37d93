//! `kakunin post-render`: Helm's post-renderer. Reads the rendered manifests on stdin, verifies
//! every container image against the profile, and writes the manifests with each image pinned
//! by digest to stdout, or nothing at all (and a non-zero exit, which stops the install).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use kakunin::check::Check;
use kakunin::exit::ExitCode;
use kakunin::fetch::Fetcher;
use kakunin::manifests::{self, Rendered};
use kakunin::pin::{self, ImagePolicy, PinnedImage};
use kakunin::profile::{Profile, RootChoice};
use kakunin::registry::RegistryClient;
use kakunin::report::{self, Format, HumanStyle, Report};
use kakunin::trust::{Instance, Trust};

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

pub(super) type Failure = (ExitCode, String);

pub(super) fn usage(message: impl std::fmt::Display) -> Failure {
    (ExitCode::Usage, message.to_string())
}

pub fn run(args: PostRenderArgs, rt: &Runtime) -> ExitCode {
    match run_inner(&args, rt) {
        Ok((code, output)) => {
            if let Some(bytes) = output {
                let mut stdout = std::io::stdout().lock();
                if let Err(e) = stdout.write_all(&bytes).and_then(|()| stdout.flush()) {
                    return fail(ExitCode::Fetch, format!("cannot write the manifests: {e}"));
                }
            }
            code
        }
        Err((code, message)) => fail(code, message),
    }
}

/// Reads at most `cap + 1` bytes, so that a larger input is refused without holding it.
fn read_capped(mut r: impl Read, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.by_ref().take(cap as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The rendered manifests from FILE, or stdin when there is none (or it is `-`), bounded.
pub(super) fn read_manifests(input: Option<&Path>) -> Result<Vec<u8>, Failure> {
    let cap = manifests::MAX_STREAM_BYTES;
    match input {
        Some(path) if path.as_os_str() != "-" => {
            kakunin::limits::read_file_capped(path, cap as u64 + 1)
                .map_err(|e| usage(format!("{}: {e}", path.display())))
        }
        _ => read_capped(std::io::stdin().lock(), cap)
            .map_err(|e| usage(format!("cannot read the manifests from stdin: {e}"))),
    }
}

/// The trusted root: `--trusted-root`, else the profile's.
pub(super) fn load_trust(profile: &Profile, flag: Option<&Path>) -> Result<Trust, Failure> {
    match (flag, profile.root_choice()) {
        (Some(path), _) => Trust::from_file(path).map_err(usage),
        (None, RootChoice::File(path)) => Trust::from_file(&path).map_err(usage),
        (None, RootChoice::Embedded(name)) => {
            let instance = Instance::from_name(&name)
                .ok_or_else(|| usage(format!("no embedded trusted root named {name:?}")))?;
            Trust::embedded(instance).map_err(usage)
        }
    }
}

/// Verifies each distinct image reference against the profile (see [`pin`]), in order.
pub(super) fn verify_images(
    images: &[&str],
    profile: &Profile,
    trust: &Trust,
    allow_unsigned: &[String],
    fetch_args: &FetchArgs,
    registry_config: Option<&Path>,
    rt: &Runtime,
) -> Result<Vec<(Vec<Check>, PinnedImage)>, Failure> {
    for p in allow_unsigned {
        let repo = p.strip_suffix("/*").unwrap_or(p);
        if !kakunin::profile::valid_image_repository(repo) {
            return Err(usage(format!(
                "--allow-unsigned: expected REGISTRY/REPOSITORY (or REGISTRY/PREFIX/*), found {p:?}"
            )));
        }
    }
    let mut fetcher = Fetcher::new(fetch_args.options(None)).map_err(usage)?;
    if let Some(c) = super::fetch_args::registry_credentials(registry_config).map_err(usage)? {
        fetcher = fetcher.with_registry_credentials(c);
    }
    let client = RegistryClient::new(fetcher, profile.image.mirrors.clone());
    let policy = ImagePolicy {
        profile,
        trust,
        unsigned: allow_unsigned,
    };
    Ok(rt.block_on(async {
        let mut out = Vec::new();
        for image in images {
            out.push(pin::verify_image(&client, &policy, image).await);
        }
        out
    }))
}

/// Everything is decided before anything is written: `Ok((0, Some(bytes)))` is the only
/// outcome that puts anything on stdout.
fn run_inner(args: &PostRenderArgs, rt: &Runtime) -> Result<(ExitCode, Option<Vec<u8>>), Failure> {
    let profile = match &args.profile {
        Some(path) => Profile::load(path).map_err(usage)?,
        None => Profile::gomenhashai(),
    };
    let trust = load_trust(&profile, args.trusted_root.as_deref())?;
    let bytes = read_manifests(args.input.as_deref())?;
    let rendered = Rendered::parse(&bytes).map_err(usage)?;
    let distinct = rendered.distinct_images();
    let results = verify_images(
        &distinct,
        &profile,
        &trust,
        &args.allow_unsigned,
        &args.fetch,
        args.registry_config.as_deref(),
        rt,
    )?;

    let mut report = Report::new(
        "post-render",
        format!(
            "{} container images ({} distinct) in {} documents",
            rendered.images().len(),
            distinct.len(),
            rendered.document_count()
        ),
    );
    let mut pins = BTreeMap::new();
    let mut images_json = Vec::new();
    for (checks, image) in &results {
        report.checks.extend(checks.iter().cloned());
        if let Some(p) = &image.pin {
            pins.insert(image.reference.clone(), p.clone());
        }
        let places: Vec<String> = rendered
            .images()
            .iter()
            .filter(|i| i.value == image.reference)
            .map(|i| format!("{} {} {}", i.kind, i.name, i.path_text()))
            .collect();
        images_json.push(serde_json::json!({
            "reference": image.reference,
            "repository": image.repository,
            "digest": image.digest.as_ref().map(|d| d.to_string()),
            "signer": image.signer,
            "pinned": if args.no_pin { None } else { image.pin.clone() },
            "used_by": places,
        }));
    }
    if rendered.images().is_empty() {
        report.checks.push(Check::pass(
            pin::ids::IMAGE_POLICY,
            "every container image is one the policy covers",
            "the container images of the rendered objects",
            format!(
                "no container image in {} documents",
                rendered.document_count()
            ),
        ));
    }
    report.details = serde_json::json!({ "images": images_json, "pinned": !args.no_pin });

    let code = report.exit_code();
    // The rewrite comes first: a stream that cannot be rewritten is an input error, reported
    // as such, not after a report that says every image verified.
    let out = match (code, args.no_pin) {
        (ExitCode::Verified, true) => Some(bytes),
        (ExitCode::Verified, false) => Some(rendered.rewrite(&pins).map_err(usage)?),
        _ => None,
    };
    if !args.quiet {
        let style = HumanStyle::default();
        eprint!(
            "{}",
            report::render(std::slice::from_ref(&report), Format::Human, style)
        );
    }
    if let Some(path) = &args.report {
        let format = match args.report_format {
            ReportFormat::Human => Format::Human,
            ReportFormat::Json => Format::Json,
            ReportFormat::Sarif => Format::Sarif,
            ReportFormat::Junit => Format::Junit,
        };
        let style = HumanStyle {
            host: super::output::hostname(),
            ..HumanStyle::default()
        };
        let text = report::render(std::slice::from_ref(&report), format, style);
        std::fs::write(path, text)
            .map_err(|e| usage(format!("cannot write the report {}: {e}", path.display())))?;
    }
    Ok((code, out))
}
