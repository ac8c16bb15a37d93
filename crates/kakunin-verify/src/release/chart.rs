//! The chart's checks: `chart.index-digest` (the package is the one the Helm index lists),
//! `chart.metadata` (its `Chart.yaml` is the index entry's), `chart.prov` (the Helm provenance
//! file, signed by the keyring) and `chart.subject` (the verified chart statement is about this
//! package).
//!
//! Guarantees: an index or package that was served but is wrong fails its check (exit 1); one
//! that could not be obtained leaves its checks not run, with the reason. A [`VerifiedChart`]
//! is made only here ([`verified`]), from a package whose binding checks all passed: what the
//! image checks read of the chart, they read from it.

use std::sync::Arc;

use crate::chart::index::{HelmIndex, IndexEntry, IndexError};
use crate::chart::package::ChartPackage;
use crate::chart::prov;
use crate::check::{Check, spec};
use crate::digest::Digest;
use crate::profile::Profile;

use super::bundles::{self, BundleResult};
use super::{Context, CouldNotRun, Evidence, Missing};

/// The chart package once verification has bound it: its sha256 is the digest the Helm index
/// lists for the release (`chart.index-digest`) and, as the profile requires, the digest the
/// verified chart statement names (`chart.bundle`, `chart.subject`) and the `.prov` signs
/// (`chart.prov`). Its fields are private and [`verified`] is the only constructor, so a check
/// that takes a `VerifiedChart` cannot be handed a package nobody vouched for.
#[derive(Debug, Clone)]
pub struct VerifiedChart {
    package: Arc<ChartPackage>,
    digest: Digest,
}

impl VerifiedChart {
    /// The package, read once from the bytes whose digest was bound.
    pub fn package(&self) -> &ChartPackage {
        &self.package
    }

    /// The package's sha256, as the index and the signatures name it.
    pub fn digest(&self) -> &Digest {
        &self.digest
    }

    /// A chart verified outside a profile's release (`verify` of an oci://, --repo or .tgz
    /// chart): `package`, read from the bytes whose sha256 is `digest`, once every check in
    /// `binding` passed: the checks made of those bytes (the source's digest checks,
    /// `chart.package`, `chart.metadata`, and as the request asks them `chart.prov`,
    /// `chart.signature`, `chart.attestation`). Else [`CouldNotRun::ChartNotVerified`] names
    /// those that did not pass; with no binding check at all, nothing vouched for the bytes.
    pub fn bound(
        package: Arc<ChartPackage>,
        digest: Digest,
        binding: &[&Check],
    ) -> Result<VerifiedChart, CouldNotRun> {
        if binding.is_empty() {
            return Err(CouldNotRun::ChartNotVerified(vec![spec::CHART_PACKAGE.id]));
        }
        verified(&Ok(package), Some(&digest), binding)
    }
}

/// The [`VerifiedChart`], when every check in `binding` (the chart checks that bind the
/// package's digest, as the profile requires them) passed; else why not: the package's own
/// reason when it could not be read, or [`CouldNotRun::ChartNotVerified`] naming the binding
/// checks that did not pass.
pub(super) fn verified(
    package: &Result<Arc<ChartPackage>, CouldNotRun>,
    digest: Option<&Digest>,
    binding: &[&Check],
) -> Result<VerifiedChart, CouldNotRun> {
    let package = package.as_ref().map_err(Clone::clone)?;
    let digest = digest.ok_or(CouldNotRun::NoPackage)?;
    let unbound: Vec<&'static str> = binding
        .iter()
        .filter(|c| !c.passed())
        .map(|c| c.id)
        .collect();
    if !unbound.is_empty() {
        return Err(CouldNotRun::ChartNotVerified(unbound));
    }
    Ok(VerifiedChart {
        package: package.clone(),
        digest: digest.clone(),
    })
}

/// The index entry of the release (the first one when the index lists it more than once),
/// and, when the index is wrong (served but not an index, or listing the release twice
/// differently), why: chart.index-digest fails on that.
pub(super) fn entry<'i>(
    ev: &Evidence,
    index: &Result<&'i HelmIndex, Missing>,
) -> (Result<&'i IndexEntry, CouldNotRun>, Option<String>) {
    let (chart, version) = (&ev.chart, &ev.version);
    let i: &'i HelmIndex = match index {
        Ok(i) => i,
        Err(m) => return (Err(m.clone().into()), m.wrong.then(|| m.to_string())),
    };
    match i.entry(chart, version) {
        Ok(e) => (Ok(e), None),
        Err(e @ IndexError::Ambiguous { .. }) => {
            let first = i
                .chart(chart)
                .ok()
                .and_then(|es| es.iter().find(|x| x.version == *version));
            let wrong = format!("{e} (Helm may install any of them; kakunin looked at the first)");
            let e = Arc::new(e);
            (first.ok_or(CouldNotRun::Index(e)), Some(wrong))
        }
        Err(e) => (Err(CouldNotRun::Index(Arc::new(e))), None),
    }
}

/// The check with the index as evidence, when the index was obtained.
fn with_index(check: Check, ev: &Evidence) -> Check {
    match &ev.index {
        Ok(i) => check.with_evidence(&i.source),
        Err(_) => check,
    }
}

/// `chart.index-digest`: the package's sha256 is the digest the index entry claims.
pub(super) fn index_digest(
    ev: &Evidence,
    entry: &Result<&IndexEntry, CouldNotRun>,
    index_wrong: Option<String>,
    package: Option<&Digest>,
) -> Check {
    let spec = spec::CHART_INDEX_DIGEST;
    if let Some(why) = index_wrong {
        let expected = format!(
            "a Helm index listing {}@{} once, with a sha256 digest",
            ev.chart, ev.version
        );
        return with_index(spec.fail(expected, why), ev);
    }
    let entry = match entry {
        Ok(e) => e,
        Err(why) => return spec.not_run("the index's digest", why.clone()),
    };
    let claimed = match entry.claimed_digest() {
        Ok(Some(d)) => d,
        Ok(None) => {
            return spec.fail(
                "a sha256 digest for the chart in the index",
                "the index entry has no digest",
            );
        }
        Err(e) => return spec.fail("a sha256 digest for the chart in the index", e.to_string()),
    };
    let check = match &ev.package {
        Ok(p) => {
            let digest = package.cloned().unwrap_or_else(|| Digest::sha256(&p.bytes));
            spec.compare(claimed.to_string(), digest.to_string())
                .with_evidence(&p.source)
        }
        // The index names a package that is absent wherever kakunin may fetch from (a `file:`
        // URL, plain HTTP to another host, a 404): the release fails.
        Err(m) if m.absent => spec.fail(claimed.to_string(), m.to_string()),
        Err(m) => spec.not_run(claimed.to_string(), m.to_string()),
    };
    with_index(check, ev)
}

/// The chart package, read; a package that was obtained but is not a readable chart is
/// [`CouldNotRun::NotAChart`] (and fails chart.metadata).
pub(super) fn package(ev: &Evidence) -> Result<Arc<ChartPackage>, CouldNotRun> {
    match &ev.package {
        Ok(p) => ChartPackage::read(&p.bytes)
            .map(Arc::new)
            .map_err(|e| CouldNotRun::NotAChart {
                source: p.source.clone(),
                why: e.to_string(),
            }),
        Err(m) => Err(m.clone().into()),
    }
}

/// `chart.metadata`: `Chart.yaml`'s name, version and appVersion are the index entry's.
pub(super) fn metadata(
    ev: &Evidence,
    entry: &Result<&IndexEntry, CouldNotRun>,
    package: &Result<Arc<ChartPackage>, CouldNotRun>,
) -> Check {
    let spec = spec::CHART_METADATA;
    let (entry, package) = match (entry, package) {
        (Ok(e), Ok(p)) => (e, p),
        (_, Err(why @ CouldNotRun::NotAChart { .. })) => {
            let expected = format!(
                "a chart package holding Chart.yaml of {}@{}",
                ev.chart, ev.version
            );
            let check = spec.fail(expected, why.clone());
            return match &ev.package {
                Ok(p) => check.with_evidence(&p.source),
                Err(_) => check,
            };
        }
        (Err(why), _) | (_, Err(why)) => {
            return spec.not_run(format!("{}@{}", ev.chart, ev.version), why.clone());
        }
    };
    let show = |name: &str, version: &str, app: Option<&str>| {
        format!("{name} {version} appVersion {}", app.unwrap_or("(none)"))
    };
    let m = &package.metadata;
    let check = spec.compare(
        show(&ev.chart, &entry.version, entry.app_version.as_deref()),
        show(&m.name, &m.version, m.app_version.as_deref()),
    );
    match &ev.package {
        Ok(p) => check.with_evidence(format!("Chart.yaml in {}", p.source)),
        Err(_) => check,
    }
}

/// `chart.prov`: the `.prov` is signed by a key of the keyring and its `files:` digest is the
/// package's.
pub(super) fn prov(ev: &Evidence, ctx: &Context<'_>) -> Check {
    let spec = spec::CHART_PROV;
    let expected =
        "a .prov signed by a key of the profile's keyring, whose files: digest is the package's";
    let Some(keyring) = ctx.keyring else {
        return spec.not_run(expected, CouldNotRun::NoKeyring);
    };
    let prov = match &ev.prov {
        Some(Ok(p)) => p,
        Some(Err(m)) => return bundles::missing(&spec, expected, m),
        None => return spec.not_run(expected, CouldNotRun::ProvNotGathered),
    };
    let package = match &ev.package {
        Ok(p) => p,
        Err(m) => return spec.not_run(expected, m.to_string()),
    };
    let name = ctx.profile.chart_asset_names(&ev.version).package;
    let check = match prov::verify(&prov.bytes, keyring, &package.bytes, &name) {
        Ok(v) => spec.pass(
            expected,
            format!(
                "signed by {}; {} {}",
                v.signer_fingerprint(),
                name,
                v.digest()
            ),
        ),
        Err(e) => spec.fail(expected, e.to_string()),
    };
    check.with_evidence(&prov.source)
}

/// `chart.subject`: the verified chart statement names the package's sha256.
pub(super) fn subject(
    ev: &Evidence,
    profile: &Profile,
    b: &BundleResult,
    package: Option<&Digest>,
) -> Check {
    let spec = spec::CHART_SUBJECT;
    let name = profile.chart_asset_names(&ev.version).package;
    let Some(package) = package else {
        return spec.not_run(
            format!("{name} with the package's sha256"),
            CouldNotRun::NoPackage,
        );
    };
    bundles::subject_check(&spec, format!("{name} {package}"), b, package)
}
