//! `ops::verify`: the releases of a profile's Helm repository (or the one a kit holds), verified
//! end to end. It resolves the release against the kit, loads the policy (or profile), chooses
//! the trusted root, reads the `.prov` keyring, gathers the evidence (every version a few at a
//! time with `all_versions`) and returns one report per release, in version order. Usage and
//! input errors are exit 2, an index that could not be fetched 3, one served but wrong 1.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use pgp::composed::SignedPublicKey;

use crate::exit::ExitCode;
use crate::fetch::{FetchOptions, Fetcher, Kit};
use crate::policy::Policy;
use crate::profile::{EMBEDDED_ROOTS, Profile, RootChoice};
use crate::progress::Progress;
use crate::release::{self, Context};
use crate::report::Report;
use crate::trust::Trust;

use super::{Error, Shell};

pub mod chart;
mod images;
pub mod policy;

pub use images::ImageChecks;

/// Releases gathered at once with `all_versions`.
const GATHER_CONCURRENCY: usize = 6;

/// What to verify and against what, as the command line says it (`kakunin verify`).
#[derive(Default)]
pub struct VerifyRequest {
    /// The release as given: `CHART@VERSION` or `CHART` (optional with a kit, which names it).
    pub release: Option<String>,
    /// Helm's `--version`: `CHART` with `version` is `CHART@VERSION`.
    pub version: Option<String>,
    /// Every version of the chart in its Helm index.
    pub all_versions: bool,
    /// The project's profile (YAML); default: the chart's built-in one.
    pub profile: Option<PathBuf>,
    /// A policy file (docs/policy.md), and the values the release is installed with.
    pub policy: policy::PolicyFiles,
    /// A trusted_root.json that overrides the policy's and the profile's.
    pub trusted_root: Option<PathBuf>,
    /// The `.prov` keyring (overrides the profile's; given, the `.prov` is required).
    pub keyring: Option<PathBuf>,
    /// Registry credentials in Docker's config.json format, tried first.
    pub registry_config: Option<PathBuf>,
    /// How to fetch; its `kit` is the release kit (read before the cache and the network).
    pub fetch: FetchOptions,
    /// Download progress (the CLI's bars on a terminal), else silent.
    pub progress: Option<Arc<dyn Progress>>,
}

/// The reports, one per release in version order, and the HTTP traffic it took.
#[derive(Debug)]
pub struct Verified {
    pub reports: Vec<Report>,
    /// HTTP requests sent and bytes received.
    pub requests: u64,
    pub bytes: u64,
}

/// Verifies the release(s) `req` names (see the module documentation).
pub async fn verify(req: VerifyRequest, shell: &dyn Shell) -> Result<Verified, Error> {
    let kit = match &req.fetch.kit {
        Some(dir) => Some(Kit::open(dir).map_err(Error::usage)?),
        None => None,
    };
    let (chart, version) = release_to_verify(&req, kit.as_ref())?;
    if version.is_none() && !req.all_versions {
        return Err(Error::usage(format!(
            "expected {chart}@VERSION (or --all-versions to verify every version)"
        )));
    }
    if version.is_some() && req.all_versions && kit.is_none() {
        return Err(Error::usage(
            "--all-versions takes a chart name without @VERSION or --version",
        ));
    }
    let (policy, values, profile) = policy::load(&req, &chart)?;
    let trust = trust(&req, &policy, &profile)?;
    if let (Some(k), None) = (&kit, &req.trusted_root)
        && k.file_with_role("trusted-root").is_some()
    {
        shell.note(&format!(
            "the kit carries the trusted root it was downloaded with; it is not trusted by \
             itself: verifying with {} (name the kit's root with --trusted-root to use it)",
            trust.name()
        ));
    }
    let (profile, keyring) = keyring(&req, profile)?;
    let fetcher = fetcher(req.fetch, req.registry_config.as_deref(), req.progress)?;
    let ctx = Context {
        profile: &profile,
        trust: &trust,
        keyring: keyring.as_deref(),
    };
    let images = ImageChecks {
        fetcher: &fetcher,
        policy: &policy,
        trust: &trust,
        values: &values,
        profile: &profile,
    };
    let reports = match version {
        Some(v) if !req.all_versions => {
            let (ev, _) = release::gather::gather(&fetcher, &profile, &v, None)
                .await
                .map_err(Error::usage)?;
            let (report, chart) = release::verify_release(&ev, &ctx);
            vec![images.add(report, &chart).await]
        }
        _ => every_version(&fetcher, &ctx, &images).await?,
    };
    let stats = fetcher.http().stats();
    Ok(Verified {
        reports,
        requests: stats.requests.load(std::sync::atomic::Ordering::Relaxed),
        bytes: stats.bytes.load(std::sync::atomic::Ordering::Relaxed),
    })
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
pub fn release_with_version(
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

/// The release asked for: from the request, or named by the kit (both given must agree).
fn release_to_verify(
    req: &VerifyRequest,
    kit: Option<&Kit>,
) -> Result<(String, Option<String>), Error> {
    match (&req.release, kit) {
        (Some(r), kit) => {
            let (c, v) = release_with_version(r, req.version.as_deref()).map_err(Error::usage)?;
            let Some(k) = kit else {
                return Ok((c, v));
            };
            let m = k.manifest();
            if c != m.chart || v.as_ref().is_some_and(|v| *v != m.version) {
                return Err(Error::usage(format!(
                    "the kit holds {}@{}, not {r}",
                    m.chart, m.version
                )));
            }
            Ok((c, Some(m.version.clone())))
        }
        (None, Some(k)) => {
            let m = k.manifest();
            if let Some(v) = req.version.as_ref().filter(|v| **v != m.version) {
                return Err(Error::usage(format!(
                    "the kit holds {}@{}, not version {v}",
                    m.chart, m.version
                )));
            }
            Ok((m.chart.clone(), Some(m.version.clone())))
        }
        (None, None) => Err(Error::usage(
            "expected a release (CHART@VERSION, or CHART with --all-versions) or --kit DIR",
        )),
    }
}

/// The trusted root: `--trusted-root`, else the policy's, else the profile's.
fn trust(req: &VerifyRequest, policy: &Policy, profile: &Profile) -> Result<Trust, Error> {
    let root_choice = match policy.trusted_root() {
        Some(name) if EMBEDDED_ROOTS.contains(&name) => RootChoice::Embedded(name.to_string()),
        Some(path) => RootChoice::File(PathBuf::from(path)),
        None => profile.root_choice(),
    };
    super::trust(req.trusted_root.as_deref(), root_choice)
}

/// The `.prov` keyring (`--keyring`, else the profile's when it requires a `.prov`); a
/// `--keyring` makes the `.prov` required, so the profile is returned with that requirement.
fn keyring(
    req: &VerifyRequest,
    profile: Profile,
) -> Result<(Profile, Option<Vec<SignedPublicKey>>), Error> {
    let path = req
        .keyring
        .clone()
        .or_else(|| profile.require().prov_keyring().map(Path::to_path_buf));
    let keyring = match (&path, profile.require().prov() || req.keyring.is_some()) {
        (Some(path), true) => Some(super::read_keyring(path)?),
        _ => None,
    };
    let profile = match &req.keyring {
        Some(path) => profile
            .with_prov_keyring(path.clone())
            .map_err(Error::usage)?,
        None => profile,
    };
    Ok((profile, keyring))
}

/// The fetcher: the options, the registry config's credentials first, the progress bars.
fn fetcher(
    options: FetchOptions,
    registry_config: Option<&Path>,
    progress: Option<Arc<dyn Progress>>,
) -> Result<Fetcher, Error> {
    let mut fetcher = Fetcher::new(options).map_err(Error::usage)?;
    if let Some(c) = super::registry_credentials(registry_config).map_err(Error::usage)? {
        fetcher = fetcher.with_registry_credentials(c);
    }
    if let Some(progress) = progress {
        fetcher = fetcher.with_progress(progress);
    }
    Ok(fetcher)
}

/// Every release in the profile's Helm index, in SemVer order: gathered concurrently (a few at
/// a time, all sharing the one parsed index), verified in order.
async fn every_version(
    fetcher: &Fetcher,
    ctx: &Context<'_>,
    images: &ImageChecks<'_>,
) -> Result<Vec<Report>, Error> {
    let profile = ctx.profile;
    let index = release::gather::index(fetcher, profile)
        .await
        // An index served but wrong fails; one that could not be fetched is 3.
        .map_err(|m| {
            let code = if m.wrong {
                ExitCode::Failed
            } else {
                ExitCode::Fetch
            };
            Error::new(code, m)
        })?;
    let entries = index
        .shared
        .parsed
        .chart(profile.chart())
        .map_err(Error::usage)?;
    let mut versions: Vec<String> = entries.iter().map(|e| e.version.clone()).collect();
    versions.sort_by(|a, b| {
        semver::Version::parse(a)
            .ok()
            .cmp(&semver::Version::parse(b).ok())
            .then(a.cmp(b))
    });
    let index = index.shared;
    let shared = Arc::new(profile.clone());
    let limit = Arc::new(tokio::sync::Semaphore::new(GATHER_CONCURRENCY));
    let mut set = tokio::task::JoinSet::new();
    for (i, v) in versions.into_iter().enumerate() {
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
        let (i, r) = joined.map_err(|e| Error::new(ExitCode::Fetch, e))?;
        gathered.push((i, r.map_err(Error::usage)?.0));
    }
    gathered.sort_by_key(|(i, _)| *i);
    let mut reports = Vec::new();
    for (_, ev) in &gathered {
        let (report, chart) = release::verify_release(ev, ctx);
        reports.push(images.add(report, &chart).await);
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
