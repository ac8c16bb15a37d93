//! Verifying a chart fetched by [`crate::chart_source`] (a local package, a Helm repository
//! chart, an OCI chart) against a policy (`--policy FILE`, or the signer flags as a one-signer
//! policy): its source checks, the package, its `.prov` with the keyring, the chart signer's
//! cosign signatures and attestations on the OCI chart manifest, and every image the chart
//! deploys with the user's values ([`crate::deployed`]).
//!
//! Guarantees: the report holds the source's checks first; a package that failed one is read
//! no further. `chart.prov` runs when a keyring is given (`--keyring`, the policy's
//! `chart.prov_keyring`) and then requires the `.prov` (absent is a failure, as `helm verify`
//! has it); with a chart signer, `chart.signature`/`chart.attestation` run on the OCI manifest
//! digest in every form [`crate::image::verify`] reads (referrer bundles, the fallback tag,
//! cosign `.sig`/`.att` tags), and fail for a chart that has no OCI manifest (a required rule
//! with no evidence is a failure). Every image is checked by [`crate::deployed::verify`]
//! under the policy; without one, each is listed with a not-run check. The images are read
//! from a [`VerifiedChart`] only, made once every chart check passed: for a chart that did not
//! verify, `image.policy` is not run, naming the checks that did not pass. Nothing the request
//! does not ask for is run, and each such skip is listed in `details.not_required`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use pgp::composed::SignedPublicKey;

use crate::chart::{ChartPackage, prov};
use crate::chart_source::local::T_PACKAGE;
use crate::chart_source::{FetchedChart, Prov};
use crate::check::{Check, ids};
use crate::cosign::Options;
use crate::deployed;
use crate::digest::Digest;
use crate::fetch::Fetcher;
use crate::helm_values::UserValues;
use crate::image::Source;
use crate::policy::{ChartRule, Policy};
use crate::registry::RegistryClient;
use crate::release::VerifiedChart;
use crate::report::Report;
use crate::trust::Trust;

const T_METADATA: &str = "Chart.yaml name and version are the ones the source names";
const T_POLICY_NAME: &str = "Chart.yaml name is the chart the policy is for";
const T_PROV: &str = "Helm .prov signature and files: digest";
const T_CHART_SIGNED: &str = "the chart is signed as the policy requires";

/// One registry client per registry host; a registry on this machine (loopback) is spoken to
/// over plain HTTP, as cosign and crane assume. Shared by the chart and its images, so that a
/// registry's bearer token is asked for once.
pub struct Registries {
    fetcher: Fetcher,
    mirrors: BTreeMap<String, String>,
    clients: Mutex<HashMap<String, Arc<RegistryClient>>>,
}

impl Registries {
    pub fn new(fetcher: Fetcher) -> Registries {
        Registries::with_mirrors(fetcher, BTreeMap::new())
    }

    /// With registry host → base URL mirrors (a profile's `image.mirrors`).
    pub fn with_mirrors(fetcher: Fetcher, mirrors: BTreeMap<String, String>) -> Registries {
        Registries {
            fetcher,
            mirrors,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The client for `registry` (`host[:port]`).
    pub fn client(&self, registry: &str) -> Arc<RegistryClient> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(registry.to_string())
            .or_insert_with(|| {
                let mut mirrors = self.mirrors.clone();
                if !mirrors.contains_key(registry)
                    && url::Url::parse(&format!("http://{registry}/"))
                        .is_ok_and(|u| crate::fetch::policy::is_loopback(&u))
                {
                    mirrors.insert(registry.to_string(), format!("http://{registry}"));
                }
                Arc::new(RegistryClient::new(self.fetcher.clone(), mirrors))
            })
            .clone()
    }
}

/// What to verify the chart against.
pub struct Request<'a> {
    pub trust: &'a Trust,
    /// The `.prov` keyring; given, the `.prov` is required.
    pub keyring: Option<&'a [SignedPublicKey]>,
    /// What the chart (its `chart` rules) and every image it deploys must carry; `None`: no
    /// policy and no signer was given (the images are listed, their checks not run).
    pub policy: Option<&'a Policy>,
    /// The user's `--values`/`--set`: the images checked are those the release deploys.
    pub values: &'a UserValues,
    /// cosign's `--insecure-ignore-tlog`, for the chart and its images.
    pub options: Options,
    pub registries: &'a Registries,
}

/// What the report is built from, step by step.
struct Outcome {
    checks: Vec<Check>,
    details: serde_json::Map<String, serde_json::Value>,
    not_required: Vec<serde_json::Value>,
}

impl Outcome {
    fn skip(&mut self, id: &str, why: impl Into<String>) {
        let why: String = why.into();
        self.not_required
            .push(serde_json::json!({"id": id, "why": why}));
    }
}

/// Verifies `fetched`; the report's subject is the chart as its source names it.
pub async fn verify(fetched: FetchedChart, req: &Request<'_>) -> Report {
    let mut out = Outcome {
        checks: fetched.checks.clone(),
        details: fetched.details.clone(),
        not_required: Vec::new(),
    };
    for (id, why) in &fetched.skipped {
        out.skip(id, why.clone());
    }
    if let Some((pkg, digest)) = read_package(&fetched, &mut out) {
        metadata_checks(&fetched, &pkg, req, &mut out);
        if let Some(c) = prov_check(&fetched, req, &mut out) {
            out.checks.push(c);
        }
        chart_signature(&fetched, req, &mut out).await;
        // The images are read from the chart once every check made of its bytes passed.
        let binding: Vec<&Check> = out.checks.iter().collect();
        let chart = VerifiedChart::bound(Arc::new(pkg), digest, &binding);
        let (checks, images) = match req.policy {
            Some(policy) => {
                let dreq = deployed::Request {
                    policy,
                    trust: req.trust,
                    values: req.values,
                    options: req.options.clone(),
                    registries: req.registries,
                };
                let (checks, images, not_required) = deployed::verify(&dreq, &chart).await;
                out.not_required.extend(not_required);
                (checks, images)
            }
            None => deployed::unchecked(&chart, req.values),
        };
        out.checks.extend(checks);
        out.details.insert("images".into(), images);
    }
    let mut report = Report::new("verify", fetched.subject.clone());
    if !out.not_required.is_empty() {
        out.details
            .insert("not_required".into(), out.not_required.into());
    }
    report.checks = out.checks;
    out.details
        .insert("trusted_root".into(), req.trust.name().into());
    report.details = serde_json::Value::Object(out.details);
    report
}

/// `chart.package`: the package and its sha256, when the source handed one on and it is a
/// chart.
fn read_package(fetched: &FetchedChart, out: &mut Outcome) -> Option<(ChartPackage, Digest)> {
    let bytes = fetched.package.as_ref()?;
    let digest = Digest::sha256(bytes);
    out.details
        .insert("package_digest".into(), digest.to_string().into());
    let expected = "a gzip tar holding <chart>/Chart.yaml within kakunin's caps";
    match ChartPackage::read(bytes) {
        Err(e) => {
            out.checks.push(
                Check::fail(ids::CHART_PACKAGE, T_PACKAGE, expected, e.to_string())
                    .with_evidence(fetched.package_source.clone()),
            );
            None
        }
        Ok(pkg) => {
            let m = &pkg.metadata;
            let found = format!(
                "{} {} (appVersion {}), {digest}",
                m.name,
                m.version,
                m.app_version.as_deref().unwrap_or("none")
            );
            out.checks.push(
                Check::pass(ids::CHART_PACKAGE, T_PACKAGE, expected, found)
                    .with_evidence(fetched.package_source.clone()),
            );
            Some((pkg, digest))
        }
    }
}

/// `chart.metadata`: the name and version the source names, and the policy's `chart.name`.
fn metadata_checks(
    fetched: &FetchedChart,
    pkg: &ChartPackage,
    req: &Request<'_>,
    out: &mut Outcome,
) {
    let m = &pkg.metadata;
    if let (Some(name), Some(version)) = (&fetched.name, &fetched.version) {
        out.checks.push(Check::compare(
            ids::CHART_METADATA,
            T_METADATA,
            format!("{name} {version}"),
            format!("{} {}", m.name, m.version),
        ));
    }
    if let Some(name) = req.policy.and_then(Policy::chart_name) {
        out.checks.push(Check::pass_if(
            name == m.name,
            ids::CHART_METADATA,
            T_POLICY_NAME,
            format!("{name} (the policy's chart.name)"),
            format!("{} (Chart.yaml)", m.name),
        ));
    }
}

fn prov_check(fetched: &FetchedChart, req: &Request<'_>, out: &mut Outcome) -> Option<Check> {
    let package = fetched.package.as_deref()?;
    let expected = format!(
        "a .prov signed by a key of the keyring whose files: entry {} is the package's digest",
        fetched.package_name
    );
    let Some(keyring) = req.keyring else {
        let why = match &fetched.prov {
            Prov::Present { source, .. } => {
                format!(
                    "no keyring was given (--keyring, chart.prov_keyring; a .prov is at {source}, not checked)"
                )
            }
            _ => "no keyring was given (--keyring, chart.prov_keyring)".into(),
        };
        out.skip(ids::CHART_PROV, why);
        return None;
    };
    Some(match &fetched.prov {
        Prov::Present { bytes, source } => {
            match prov::verify(bytes, keyring, package, &fetched.package_name) {
                Ok(v) => Check::pass(
                    ids::CHART_PROV,
                    T_PROV,
                    expected,
                    format!(
                        "signed by {}; {} {}",
                        v.signer_fingerprint(),
                        fetched.package_name,
                        v.digest()
                    ),
                ),
                Err(e) => Check::fail(ids::CHART_PROV, T_PROV, expected, e.to_string()),
            }
            .with_evidence(source.clone())
        }
        Prov::Absent(why) => Check::fail(
            ids::CHART_PROV,
            T_PROV,
            format!("{expected} (a keyring requires the .prov)"),
            why.clone(),
        ),
        Prov::Wrong(why) => Check::fail(ids::CHART_PROV, T_PROV, expected, why.clone()),
        Prov::Unreadable(why) => Check::not_run(ids::CHART_PROV, T_PROV, expected, why.clone()),
    })
}

/// `chart.signature` and `chart.attestation`: the chart's signer (the policy's `chart.signer`,
/// or the signer flags) on the OCI chart manifest, in every form `verify-image` reads. A
/// chart of another source has no manifest cosign signs: a required signer fails there.
async fn chart_signature(fetched: &FetchedChart, req: &Request<'_>, out: &mut Outcome) {
    let rule = req.policy.map(Policy::chart);
    let Some(signer) = rule.and_then(ChartRule::signer) else {
        let why = match req.policy {
            Some(p) => format!("{} requires no chart signer", p.origin()),
            None => "no signer was given (--certificate-identity… or --key)".into(),
        };
        out.skip(ids::CHART_SIGNATURE, why);
        return;
    };
    let attestations = rule.map(ChartRule::attestations).unwrap_or_default();
    let Some(oci) = &fetched.oci else {
        let found = format!(
            "{} is not an OCI chart: no manifest a cosign signature could be on (a .prov is \
             verified with --keyring or chart.prov_keyring)",
            fetched.subject
        );
        out.checks.push(Check::fail(
            ids::CHART_SIGNATURE,
            T_CHART_SIGNED,
            format!("a cosign signature of the chart by {}", signer.describe()),
            found.clone(),
        ));
        for a in attestations {
            out.checks.push(Check::fail(
                ids::CHART_ATTESTATION,
                T_CHART_SIGNED,
                format!("an attestation {} of the chart", a.predicate_type()),
                found.clone(),
            ));
        }
        return;
    };
    let client = req.registries.client(&oci.repo.registry);
    let source = Source::Registry {
        client: &client,
        repo: oci.repo.clone(),
    };
    let required = deployed::Required {
        signer,
        attestations,
        signature: true,
    };
    let (checks, details) =
        deployed::signed(req.trust, &source, &oci.digest, &required, &req.options).await;
    out.checks.extend(checks.into_iter().map(|mut c| {
        c.id = match c.id {
            ids::IMAGE_SIGNATURE => ids::CHART_SIGNATURE,
            ids::IMAGE_ATTESTATION => ids::CHART_ATTESTATION,
            other => other,
        };
        c.title = format!("chart manifest: {}", c.title);
        c
    }));
    out.details.insert("chart_signatures".into(), details);
}
