//! `kakunin verify`: a chart release end to end (chart, image, bundles, attestations, SemVer
//! alignment), online, from the cache, or offline from a kit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;

use kakunin::chart::prov;
use kakunin::exit::ExitCode;
use kakunin::fetch::{self, Fetcher};
use kakunin::profile::{Profile, RootChoice};
use kakunin::release::{self, Context};
use kakunin::report::Report;
use kakunin::trust::{Instance, Trust};

use super::fetch_args::{Bars, FetchArgs};
use super::{OutputArgs, fail};

mod chart_sources;
mod policy_args;

/// Releases gathered at once with --all-versions.
const GATHER_CONCURRENCY: usize = 6;

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

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The release: CHART@VERSION (or CHART --version VERSION), or CHART with --all-versions
    /// (optional with --kit); or a chart as `helm install` names it: oci://REGISTRY/PATH/CHART,
    /// CHART with --repo URL, or a packaged chart ./CHART-VERSION.tgz
    #[arg(value_name = "CHART[@VERSION]")]
    release: Option<String>,

    /// The chart version, as `helm install --version` takes it: `CHART --version V` is
    /// `CHART@V`; for oci:// and --repo charts also a SemVer constraint as Helm reads it
    /// (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the highest match, pre-releases only when the
    /// constraint names one)
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,

    /// The chart's HTTP Helm repository (helm's --repo): CHART is looked up in URL/index.yaml
    #[arg(long, value_name = "URL")]
    repo: Option<String>,

    /// Helm's --devel: without --version, pre-releases are candidates too (>0.0.0-0)
    #[arg(long)]
    devel: bool,

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

/// `CHART@VERSION` → (chart, Some(version)); `CHART` → (chart, None).
fn parse_release(s: &str) -> Result<(String, Option<String>), String> {
    let (chart, version) = match s.split_once('@') {
        Some((c, v)) => (c, Some(v)),
        None => (s, None),
    };
    if chart.is_empty() || version.is_some_and(str::is_empty) {
        return Err(format!("expected CHART@VERSION or CHART, found {s:?}"));
    }
    Ok((chart.to_string(), version.map(str::to_string)))
}

/// The release named by `CHART[@VERSION]` and Helm's `--version VERSION` together: `CHART
/// --version V` is `CHART@V`; both given must agree.
pub(super) fn release_with_version(
    release: &str,
    version_flag: Option<&str>,
) -> Result<(String, Option<String>), String> {
    let (chart, version) = parse_release(release)?;
    match (version, version_flag) {
        (_, Some("")) => Err("--version takes a chart version, found \"\"".into()),
        (Some(v), Some(f)) if v != f => Err(format!(
            "{release} and --version {f} name different versions of {chart}: give one"
        )),
        (v, f) => Ok((chart, v.or(f.map(str::to_string)))),
    }
}

pub fn run(args: VerifyArgs) -> ExitCode {
    match run_inner(&args) {
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

/// A `verify` of one release, as `policy export --release` asks for it (no output options, no
/// --all-versions, no --emit-values).
#[allow(clippy::too_many_arguments)]
pub(super) fn one_release(
    release: Option<String>,
    version: Option<String>,
    profile: Option<PathBuf>,
    kit: Option<PathBuf>,
    trusted_root: Option<PathBuf>,
    keyring: Option<PathBuf>,
    registry_config: Option<PathBuf>,
    fetch: FetchArgs,
) -> VerifyArgs {
    VerifyArgs {
        release,
        version,
        repo: None,
        devel: false,
        profile,
        all_versions: false,
        kit,
        trusted_root,
        keyring,
        stats: false,
        registry_config,
        fetch,
        policy: policy_args::PolicyArgs {
            policy: None,
            values: Vec::new(),
            set: Vec::new(),
        },
        emit_values: None,
        chart_signer: chart_sources::ChartSignerArgs::default(),
        output: OutputArgs {
            output: super::output::OutputFormat::Human,
            quiet: true,
            verbose: false,
            color: super::output::ColorWhen::Never,
        },
    }
}

fn run_inner(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    if let Some(chart) = chart_sources::chart_ref(args)? {
        return chart_sources::run(args, chart);
    }
    let reports = reports(args)?;
    let code = args.output.print(&reports).0;
    if let (Some(path), kakunin::exit::ExitCode::Verified) = (&args.emit_values, code) {
        super::emit_values::write(path, &reports).map_err(usage)?;
    }
    Ok(code)
}

/// Verifies the release(s) of the profile's Helm repository (or kit) `args` name: one report per
/// release (nothing printed). Charts named as oci://, --repo or a .tgz are chart_sources'.
pub(super) fn reports(args: &VerifyArgs) -> Result<Vec<Report>, Failure> {
    if chart_sources::chart_ref(args)?.is_some() {
        return Err(usage(
            "expected a release of the profile's Helm repository (CHART@VERSION) or --kit DIR, not an oci://, --repo or .tgz chart",
        ));
    }
    // The release asked for: from the command line, or named by the kit.
    let kit = match &args.kit {
        Some(dir) => Some(fetch::Kit::open(dir).map_err(usage)?),
        None => None,
    };
    let (chart, version) = match (&args.release, &kit) {
        (Some(r), kit) => {
            let (c, v) = release_with_version(r, args.version.as_deref()).map_err(usage)?;
            if let Some(k) = kit {
                let m = k.manifest();
                if c != m.chart || v.as_ref().is_some_and(|v| *v != m.version) {
                    return Err(usage(format!(
                        "the kit holds {}@{}, not {r}",
                        m.chart, m.version
                    )));
                }
                (c, Some(m.version.clone()))
            } else {
                (c, v)
            }
        }
        (None, Some(k)) => {
            let m = k.manifest();
            if let Some(v) = args.version.as_ref().filter(|v| **v != m.version) {
                return Err(usage(format!(
                    "the kit holds {}@{}, not version {v}",
                    m.chart, m.version
                )));
            }
            (m.chart.clone(), Some(m.version.clone()))
        }
        (None, None) => {
            return Err(usage(
                "expected a release (CHART@VERSION, or CHART with --all-versions) or --kit DIR",
            ));
        }
    };
    if version.is_none() && !args.all_versions {
        return Err(usage(format!(
            "expected {chart}@VERSION (or --all-versions to verify every version)"
        )));
    }
    if version.is_some() && args.all_versions && args.kit.is_none() {
        return Err(usage(
            "--all-versions takes a chart name without @VERSION or --version",
        ));
    }

    let policy = args
        .policy
        .load(args.profile.as_deref(), &chart)
        .map_err(usage)?;
    let values = args.policy.user_values().map_err(usage)?;
    let profile: Profile = policy.release().cloned().ok_or_else(|| {
        usage(format!(
            "policy {}: no release section, so nothing says where {chart}@VERSION is published \
             (docs/policy.md)",
            policy.origin()
        ))
    })?;
    if profile.chart != chart {
        return Err(usage(format!(
            "the profile is for chart {:?}, not {chart:?}",
            profile.chart
        )));
    }
    let profile_path = args
        .policy
        .policy
        .as_deref()
        .or(args.profile.as_deref())
        .unwrap_or(Path::new("<built-in>"));
    kakunin::fetch::policy::check_profile(&profile, profile_path, &args.fetch.policy())
        .map_err(usage)?;

    let root_choice = match policy.trusted_root() {
        Some(name) if kakunin::profile::EMBEDDED_ROOTS.contains(&name) => {
            RootChoice::Embedded(name.to_string())
        }
        Some(path) => RootChoice::File(PathBuf::from(path)),
        None => profile.root_choice(),
    };
    let trust = match (&args.trusted_root, root_choice) {
        (Some(path), _) => Trust::from_file(path).map_err(usage)?,
        (None, RootChoice::File(path)) => Trust::from_file(&path).map_err(usage)?,
        (None, RootChoice::Embedded(name)) => {
            let instance = Instance::from_name(&name)
                .ok_or_else(|| usage(format!("no embedded trusted root named {name:?}")))?;
            Trust::embedded(instance).map_err(usage)?
        }
    };
    if let (Some(k), None) = (&kit, &args.trusted_root) {
        if k.file_with_role("trusted-root").is_some() {
            eprintln!(
                "kakunin: note: the kit carries the trusted root it was downloaded with; it is not \
                 trusted by itself: verifying with {} (name the kit's root with --trusted-root to use it)",
                trust.name()
            );
        }
    }

    let keyring_path = args
        .keyring
        .clone()
        .or_else(|| profile.require.prov_keyring.clone());
    let keyring = match (
        &keyring_path,
        profile.require.prov || args.keyring.is_some(),
    ) {
        (Some(path), true) => {
            let bytes = kakunin::limits::read_file_capped(path, 4 * 1024 * 1024)
                .map_err(|e| usage(format!("keyring {}: {e}", path.display())))?;
            Some(
                prov::parse_keyring(&bytes)
                    .map_err(|e| usage(format!("keyring {}: {e}", path.display())))?,
            )
        }
        _ => None,
    };
    let mut profile = profile;
    if args.keyring.is_some() {
        profile.require.prov = true;
    }

    let mut fetcher = Fetcher::new(args.fetch.options(args.kit.clone())).map_err(usage)?;
    if let Some(c) =
        super::fetch_args::registry_credentials(args.registry_config.as_deref()).map_err(usage)?
    {
        fetcher = fetcher.with_registry_credentials(c);
    }
    if let Some(bars) = Bars::new(args.output.progress_allowed()) {
        fetcher = fetcher.with_progress(Arc::new(bars));
    }

    let ctx = Context {
        profile: &profile,
        trust: &trust,
        keyring: keyring.as_deref(),
    };
    let images = policy_args::ImageChecks {
        fetcher: &fetcher,
        policy: &policy,
        trust: &trust,
        values: &values,
        profile: &profile,
    };
    let reports: Vec<Report> = fetch::block_on(async {
        let versions: Vec<String> = match (&version, args.all_versions) {
            (Some(v), false) => vec![v.clone()],
            _ => {
                let index = release::gather::index(&fetcher, &profile)
                    .await
                    // An index served but wrong fails; one that could not be fetched is 3.
                    .map_err(|m| {
                        let code = if m.wrong {
                            ExitCode::Failed
                        } else {
                            ExitCode::Fetch
                        };
                        (code, m.to_string())
                    })?;
                let entries = index.shared.parsed.chart(&profile.chart).map_err(usage)?;
                let mut vs: Vec<String> = entries.iter().map(|e| e.version.clone()).collect();
                vs.sort_by(|a, b| {
                    semver::Version::parse(a)
                        .ok()
                        .cmp(&semver::Version::parse(b).ok())
                        .then(a.cmp(b))
                });
                // Releases are gathered concurrently (a few at a time), verified in order; they
                // all share the one parsed index.
                let index = index.shared;
                let shared = Arc::new(profile.clone());
                let limit = Arc::new(tokio::sync::Semaphore::new(GATHER_CONCURRENCY));
                let mut set = tokio::task::JoinSet::new();
                for (i, v) in vs.into_iter().enumerate() {
                    let (f, p, idx, limit) = (
                        fetcher.clone(),
                        shared.clone(),
                        index.clone(),
                        limit.clone(),
                    );
                    set.spawn(async move {
                        let _permit = limit.acquire_owned().await;
                        (i, release::gather::gather(&f, &p, &v, Some(&idx)).await)
                    });
                }
                let mut gathered = Vec::new();
                while let Some(joined) = set.join_next().await {
                    let (i, r) = joined.map_err(|e| (ExitCode::Fetch, e.to_string()))?;
                    gathered.push((i, r.map_err(usage)?.0));
                }
                gathered.sort_by_key(|(i, _)| *i);
                let mut reports = Vec::new();
                for (_, ev) in &gathered {
                    reports.push(images.add(release::verify(ev, &ctx), ev).await);
                }
                return Ok::<_, Failure>(reports);
            }
        };
        let mut reports = Vec::new();
        for v in versions {
            let (ev, _) = release::gather::gather(&fetcher, &profile, &v, None)
                .await
                .map_err(usage)?;
            reports.push(images.add(release::verify(&ev, &ctx), &ev).await);
        }
        Ok(reports)
    })?;
    if args.stats {
        let s = fetcher.http().stats();
        eprintln!(
            "kakunin: http: {} requests, {} bytes received",
            s.requests.load(std::sync::atomic::Ordering::Relaxed),
            s.bytes.load(std::sync::atomic::Ordering::Relaxed)
        );
    }
    Ok(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_parse() {
        assert_eq!(
            parse_release("gomenhashai@1.3.2").unwrap(),
            ("gomenhashai".into(), Some("1.3.2".into()))
        );
        assert_eq!(
            parse_release("gomenhashai").unwrap(),
            ("gomenhashai".into(), None)
        );
        assert!(parse_release("@1.0.0").is_err());
        assert!(parse_release("x@").is_err());
    }

    #[test]
    fn helm_version_flag_names_the_chart_version() {
        let r = |s, f| release_with_version(s, f);
        assert_eq!(
            r("mychart", Some("1.2.3")).unwrap(),
            ("mychart".into(), Some("1.2.3".into()))
        );
        assert_eq!(
            r("mychart@1.2.3", Some("1.2.3")).unwrap(),
            ("mychart".into(), Some("1.2.3".into()))
        );
        assert_eq!(r("mychart", None).unwrap(), ("mychart".into(), None));
        let e = r("mychart@1.2.3", Some("1.2.4")).unwrap_err();
        assert!(e.contains("mychart@1.2.3") && e.contains("1.2.4"), "{e}");
        assert!(r("mychart", Some("")).is_err());
    }
}
