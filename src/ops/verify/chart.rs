//! `ops::verify::chart`: a chart named as `helm install` names it (`oci://REGISTRY/PATH/CHART`,
//! `CHART --repo URL`, a local `./chart-1.2.3.tgz`) verified with what the chart and every
//! image it deploys must carry: `--keyring` (the `.prov`, then required), `--policy FILE`, or
//! the signer flags as a one-signer policy, with the `--image-policy` rules first; the user's
//! values choose the images. Usage and input errors are exit 2; a source that could not be
//! fetched 3, one served but wrong 1.

use std::path::{Path, PathBuf};

use crate::bundle;
use crate::chart::constraint;
use crate::chart_source::{self, ChartRef};
use crate::chart_verify::{self, Registries};
use crate::cosign::Options;
use crate::fetch::{FetchOptions, Fetcher};
use crate::policy::{Policy, Signer};
use crate::trust::{Instance, Trust};

use super::policy::PolicyFiles;
use super::{Error, Verified};

/// The chart and what it must carry (`kakunin verify` of an oci://, --repo or .tgz chart).
pub struct ChartRequest {
    /// The chart as given (for messages), and as classified.
    pub release: String,
    pub chart: ChartRef,
    /// The version request ([`version`]: Helm's `--version`, or `--devel`'s constraint).
    pub version: Option<String>,
    /// The `.prov` keyring (given, the `.prov` is required).
    pub keyring: Option<PathBuf>,
    /// `--policy FILE`, the values, and the `--image-policy` rules.
    pub policy: PolicyFiles,
    /// Who must have signed, from the signer flags (when they name a signer and no policy file
    /// is given); `signer_flags`: whether any signer flag was given at all.
    pub signer: Option<bundle::Policy>,
    pub signer_flags: bool,
    /// Attestations (predicate types) the OCI chart and each image must carry.
    pub attestations: Vec<String>,
    /// DANGER: cosign's `--insecure-ignore-tlog`, as the named value.
    pub insecure_ignore_tlog: Option<bundle::danger::IgnoreTlog>,
    /// `--trusted-root`, else `--instance`, else the policy's root, else public-good (GitHub's
    /// with `github_release`).
    pub trusted_root: Option<PathBuf>,
    pub instance: Option<String>,
    pub github_release: bool,
    pub registry_config: Option<PathBuf>,
    pub fetch: FetchOptions,
}

/// The version request for `chart`: `--version` (a constraint for oci:// and --repo charts),
/// or `--devel`'s; a local package takes none.
pub fn version(
    chart: &ChartRef,
    version: Option<String>,
    devel: bool,
) -> Result<Option<String>, Error> {
    let mut version = version;
    if let ChartRef::Local(_) = chart {
        if version.is_some() {
            return Err(Error::usage(
                "--version does not apply to a local chart package (the file is the version)",
            ));
        }
    } else if version.is_none() && devel {
        let named = matches!(chart, ChartRef::Oci(r) if r.version.is_some() || r.digest.is_some());
        if !named {
            version = Some(constraint::DEVEL.to_string());
        }
    }
    if let Some(v) = &version
        && constraint::HelmVersion::parse(v).is_none()
    {
        constraint::Constraint::parse(v).map_err(Error::usage)?;
    }
    Ok(version)
}

/// Verifies the chart `req` names: one report (see the module documentation).
pub async fn chart(req: ChartRequest) -> Result<Verified, Error> {
    let policy = chart_policy(&req)?;
    if req.keyring.is_none() && policy.is_none() {
        return Err(Error::usage(
            "nothing to verify the chart against: give --keyring KEYRING (its .prov), a signer \
             (--certificate-identity[-regexp] with --certificate-oidc-issuer, --signer-repo, \
             --signer-workflow, or --key), --policy FILE, or both a keyring and a signer",
        ));
    }
    let keyring_path = req.keyring.clone().or_else(|| {
        policy
            .as_ref()?
            .chart()
            .prov_keyring()
            .map(Path::to_path_buf)
    });
    let keyring = keyring_path
        .as_deref()
        .map(super::super::read_keyring)
        .transpose()?;
    let values = req.policy.user_values().map_err(Error::usage)?;
    let trust = trust(&req, policy.as_ref())?;
    let mut fetcher = Fetcher::new(req.fetch).map_err(Error::usage)?;
    if let Some(c) =
        super::super::registry_credentials(req.registry_config.as_deref()).map_err(Error::usage)?
    {
        fetcher = fetcher.with_registry_credentials(c);
    }
    let registries = Registries::new(fetcher.clone());
    let request = chart_verify::Request {
        trust: &trust,
        keyring: keyring.as_deref(),
        policy: policy.as_ref(),
        values: &values,
        options: Options {
            insecure_ignore_tlog: req.insecure_ignore_tlog,
            docker_reference: None,
        },
        registries: &registries,
    };
    let fetched = chart_source::fetch(&req.chart, &fetcher, &registries, req.version.as_deref())
        .await
        .map_err(|e| Error::new(e.code, e.message))?;
    let report = chart_verify::verify(fetched, &request).await;
    let stats = fetcher.http().stats();
    Ok(Verified {
        reports: vec![report],
        requests: stats.requests.load(std::sync::atomic::Ordering::Relaxed),
        bytes: stats.bytes.load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// What the chart and its images are verified against: `--policy FILE`, or the signer flags
/// as a one-signer policy (the chart's signer for an OCI chart, or where no keyring verifies
/// the chart's `.prov`), with the `--image-policy` rules first; `None`: neither was given.
fn chart_policy(req: &ChartRequest) -> Result<Option<Policy>, Error> {
    let base = match (&req.policy.policy, &req.signer) {
        (Some(path), _) => {
            if req.signer_flags || !req.attestations.is_empty() {
                return Err(Error::usage(
                    "--policy FILE and the signer flags (--certificate-identity…, --key, \
                     --attestation, --insecure-ignore-tlog) both say who must have signed: give one",
                ));
            }
            let policy = Policy::load(path).map_err(Error::usage)?;
            if policy.release().is_some() {
                return Err(Error::usage(format!(
                    "policy {}: its release section describes CHART@VERSION releases published \
                     as GitHub release assets, not {}: give the chart's rules under chart: and \
                     images: (docs/policy.md)",
                    policy.origin(),
                    req.release
                )));
            }
            Some(policy)
        }
        (None, Some(signer)) => {
            let chart_signed = matches!(req.chart, ChartRef::Oci(_)) || req.keyring.is_none();
            Some(Policy::one_signer(
                Signer::from_policy(signer.clone()),
                &req.attestations,
                chart_signed,
                "the signer flags",
            ))
        }
        (None, None) => {
            if !req.attestations.is_empty() {
                return Err(Error::usage(
                    "--attestation needs a signer (--certificate-identity… or --key)",
                ));
            }
            None
        }
    };
    if req.policy.image_policy.is_empty() {
        return Ok(base);
    }
    base.unwrap_or_else(|| Policy::empty("--image-policy"))
        .with_image_specs(&req.policy.image_policy, Path::new("."))
        .map(Some)
        .map_err(Error::usage)
}

/// `--trusted-root FILE`, `--instance NAME`, the policy's `trusted_root`, or public-good
/// (GitHub's instance for `--github-release` when no root is named).
fn trust(req: &ChartRequest, policy: Option<&Policy>) -> Result<Trust, Error> {
    let named = policy.and_then(Policy::trusted_root);
    let embedded = named.filter(|n| crate::profile::EMBEDDED_ROOTS.contains(n));
    let file = req
        .trusted_root
        .clone()
        .or_else(|| named.filter(|_| embedded.is_none()).map(PathBuf::from));
    let instance = req
        .instance
        .as_deref()
        .or(embedded)
        .and_then(Instance::from_name)
        .or((req.github_release && file.is_none()).then_some(Instance::GitHub));
    Trust::select(file.as_deref(), instance, false)
        .map(|t| t.accept_tsa_only(crate::bundle::danger::TsaOnly))
        .map_err(Error::usage)
}
