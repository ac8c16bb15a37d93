//! Verifying a chart fetched by [`crate::chart_source`] (a local package, a Helm repository
//! chart, an OCI chart): its source checks, the package, its `.prov` with the keyring, the
//! cosign signatures and attestations on the OCI chart manifest, and every image the chart
//! refers to, each through the checks `verify-image` runs ([`crate::image`]).
//!
//! Guarantees: the report holds the source's checks first; a package that failed one is read
//! no further. `chart.prov` runs when a keyring is given and then requires the `.prov` (absent
//! is a failure, as `helm verify` has it); `chart.signature`/`chart.attestation` run on the
//! OCI manifest digest with the signer asked for, in every form [`crate::image::verify`] reads
//! (referrer bundles, the fallback tag, cosign `.sig`/`.att` tags); each image is resolved to
//! its digest and verified with the same signer. Nothing the request does not ask for is run,
//! and each such skip is listed in `details.not_required`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pgp::composed::SignedPublicKey;

use crate::chart::{ChartPackage, prov};
use crate::chart_source::local::T_PACKAGE;
use crate::chart_source::{FetchedChart, Prov};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::fetch::Fetcher;
use crate::image::{self, Source, Target};
use crate::registry::{RegistryClient, Repo};
use crate::report::Report;
use crate::trust::Trust;

const T_METADATA: &str = "Chart.yaml name and version are the ones the source names";
const T_PROV: &str = "Helm .prov signature and files: digest";
const T_NO_SIGNER: &str = "image signature verifies with the expected signer";

/// One registry client per registry host; a registry on this machine (loopback) is spoken to
/// over plain HTTP, as cosign and crane assume.
pub struct Registries {
    fetcher: Fetcher,
    clients: Mutex<HashMap<String, Arc<RegistryClient>>>,
}

impl Registries {
    pub fn new(fetcher: Fetcher) -> Registries {
        Registries {
            fetcher,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// The client for `registry` (`host[:port]`).
    pub fn client(&self, registry: &str) -> Arc<RegistryClient> {
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients
            .entry(registry.to_string())
            .or_insert_with(|| {
                let mut mirrors = std::collections::BTreeMap::new();
                if url::Url::parse(&format!("http://{registry}/"))
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
    /// Who must have signed the OCI chart manifest and the images (signatures, attestations);
    /// `None`: no signer was given.
    pub signer: Option<image::Request>,
    pub registries: &'a Registries,
}

/// Verifies `fetched`; the report's subject is the chart as its source names it.
pub async fn verify(fetched: FetchedChart, req: &Request<'_>) -> Report {
    let mut report = Report::new("verify", fetched.subject.clone());
    let mut details = fetched.details.clone();
    let mut not_required: Vec<serde_json::Value> = fetched
        .skipped
        .iter()
        .map(|(id, why)| serde_json::json!({"id": id, "why": why}))
        .collect();
    let mut skip =
        |id: &str, why: String| not_required.push(serde_json::json!({"id": id, "why": why}));
    let mut checks = fetched.checks.clone();

    if let Some(bytes) = &fetched.package {
        let digest = Digest::sha256(bytes);
        details.insert("package_digest".into(), digest.to_string().into());
        match ChartPackage::read(bytes) {
            Err(e) => checks.push(
                Check::fail(
                    ids::CHART_PACKAGE,
                    T_PACKAGE,
                    "a gzip tar holding <chart>/Chart.yaml within kakunin's caps",
                    e.to_string(),
                )
                .with_evidence(fetched.package_source.clone()),
            ),
            Ok(pkg) => {
                let m = &pkg.metadata;
                checks.push(
                    Check::pass(
                        ids::CHART_PACKAGE,
                        T_PACKAGE,
                        "a gzip tar holding <chart>/Chart.yaml within kakunin's caps",
                        format!(
                            "{} {} (appVersion {}), {digest}",
                            m.name,
                            m.version,
                            m.app_version.as_deref().unwrap_or("none")
                        ),
                    )
                    .with_evidence(fetched.package_source.clone()),
                );
                if let (Some(name), Some(version)) = (&fetched.name, &fetched.version) {
                    checks.push(Check::compare(
                        ids::CHART_METADATA,
                        T_METADATA,
                        format!("{name} {version}"),
                        format!("{} {}", m.name, m.version),
                    ));
                }
                checks.extend(prov_check(&fetched, bytes, req, &mut skip));
                if let Some(oci) = &fetched.oci {
                    match &req.signer {
                        Some(signer) => {
                            let client = req.registries.client(&oci.repo.registry);
                            let source = Source::Registry {
                                client: &client,
                                repo: oci.repo.clone(),
                            };
                            let (cs, d) =
                                image::verify(req.trust, &source, &oci.digest, signer).await;
                            checks.extend(cs.into_iter().map(|mut c| {
                                c.id = match c.id {
                                    ids::IMAGE_SIGNATURE => ids::CHART_SIGNATURE,
                                    ids::IMAGE_ATTESTATION => ids::CHART_ATTESTATION,
                                    other => other,
                                };
                                c.title = format!("chart manifest: {}", c.title);
                                c
                            }));
                            details.insert("chart_signatures".into(), d);
                        }
                        None => skip(
                            ids::CHART_SIGNATURE,
                            "no signer was given (--certificate-identity… or --key)".into(),
                        ),
                    }
                }
                let (image_checks, image_details) = images(&pkg, req).await;
                checks.extend(image_checks);
                details.insert("images".into(), image_details);
            }
        }
    }
    if !not_required.is_empty() {
        details.insert("not_required".into(), not_required.into());
    }
    report.checks = checks;
    details.insert("trusted_root".into(), req.trust.name().into());
    report.details = serde_json::Value::Object(details);
    report
}

fn prov_check(
    fetched: &FetchedChart,
    package: &[u8],
    req: &Request<'_>,
    skip: &mut impl FnMut(&str, String),
) -> Option<Check> {
    let expected = format!(
        "a .prov signed by a key of the keyring whose files: entry {} is the package's digest",
        fetched.package_name
    );
    let Some(keyring) = req.keyring else {
        let why = match &fetched.prov {
            Prov::Present { source, .. } => {
                format!("no --keyring was given (a .prov is at {source}, not checked)")
            }
            _ => "no --keyring was given".into(),
        };
        skip(ids::CHART_PROV, why);
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
            format!("{expected} (--keyring requires the .prov)"),
            why.clone(),
        ),
        Prov::Wrong(why) => Check::fail(ids::CHART_PROV, T_PROV, expected, why.clone()),
        Prov::Unreadable(why) => Check::not_run(ids::CHART_PROV, T_PROV, expected, why.clone()),
    })
}

async fn images(pkg: &ChartPackage, req: &Request<'_>) -> (Vec<Check>, serde_json::Value) {
    let mut checks = Vec::new();
    let mut listed = Vec::new();
    let found = match pkg.images() {
        Ok(i) => i,
        Err(e) => {
            checks.push(Check::fail(
                ids::IMAGE_REFERENCE,
                "the chart's image references can be read",
                "image blocks of values.yaml and the artifacthub.io/images annotation",
                e.to_string(),
            ));
            return (checks, serde_json::Value::Null);
        }
    };
    for img in found {
        let shown = img.display();
        let prefix = |c: Check| -> Check {
            let mut c = c.with_evidence(format!("{shown} ({})", img.source));
            c.title = format!("{shown}: {}", c.title);
            c
        };
        let mut entry = serde_json::json!({"image": shown, "from": img.source.to_string()});
        let reference = match img.reference() {
            Ok(r) => r,
            Err(e) => {
                checks.push(prefix(Check::fail(
                    ids::IMAGE_REFERENCE,
                    "image reference is a valid OCI reference",
                    "registry/repository[:tag][@sha256:…]",
                    e.to_string(),
                )));
                listed.push(entry);
                continue;
            }
        };
        let Some(signer) = &req.signer else {
            checks.push(prefix(Check::not_run(
                ids::IMAGE_SIGNATURE,
                T_NO_SIGNER,
                "a signer for the chart's images",
                "no signer was given: name it with --certificate-identity[-regexp] and --certificate-oidc-issuer, --signer-workflow…, or --key",
            )));
            listed.push(entry);
            continue;
        };
        let repo = Repo::of(&reference);
        let target = match reference.digest().map(str::parse::<Digest>) {
            Some(Ok(d)) => Target::Digest(d),
            Some(Err(e)) => {
                checks.push(prefix(Check::fail(
                    ids::IMAGE_REFERENCE,
                    "image reference is a valid OCI reference",
                    "a sha256 digest",
                    e.to_string(),
                )));
                listed.push(entry);
                continue;
            }
            None => Target::Tag(reference.tag().unwrap_or("latest").to_string()),
        };
        let client = req.registries.client(&repo.registry);
        let source = Source::Registry {
            client: &client,
            repo,
        };
        match image::resolve(&source, &target).await {
            Ok((digest, resolved)) => {
                entry["digest"] = digest.to_string().into();
                checks.push(prefix(resolved));
                let (cs, d) = image::verify(req.trust, &source, &digest, signer).await;
                checks.extend(cs.into_iter().map(prefix));
                entry["verification"] = d;
            }
            Err(c) => checks.push(prefix(c)),
        }
        listed.push(entry);
    }
    (checks, listed.into())
}
