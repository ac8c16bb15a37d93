//! One chart release, end to end: the chart package, the image it deploys, their Sigstore
//! bundles and in-toto attestations, and the alignment of their versions.
//!
//! [`verify`] is pure over [`Evidence`] (bytes already gathered, online or from a kit) and runs
//! every check of a release in a fixed order, each with what was expected and what was found:
//!
//! 1. `chart.index-digest`, `chart.metadata`, `chart.prov` (when the profile requires it), `chart.bundle`,
//!    `chart.subject`, `chart.envelope`;
//! 2. `image.reference`, `image.registry-digest`, `image.bundle`, `image.envelope`,
//!    `image.registry-attestation` (when required), `image.subject`, `image.source-ref`;
//! 3. `semver.*` (see [`crate::semver_rules`]).
//!
//! One module per evidence group, each check a function from its inputs to a [`Check`]:
//! `chart` (index, package, `.prov`, chart subject), `bundles` (the release bundles and
//! their envelopes), `image` (reference, registry digest, image subject and source ref),
//! `registry_attestation`, `semver`; a check that could not run says why with a
//! [`CouldNotRun`] (`reason`). This module runs them in order and keeps the report's details.
//!
//! Guarantees: no check is skipped silently (a check the profile does not require is named in
//! the report's details), a failure never hides the others, and a check whose evidence is
//! missing, or whose prerequisite (a verified signature) failed, is reported as not run — never
//! as passed. Statements are trusted only once their bundle verified, and every check that reads
//! a statement or an envelope reads it from the [`VerifiedBundle`](crate::bundle::VerifiedBundle) (its DSSE envelope, decoded
//! into a [`VerifiedStatement`](crate::attestation::VerifiedStatement)): no check goes back to a bundle's bytes, which were parsed once
//! by [`crate::bundle::parse_bundle`] (strict JSON: a key twice in one object is refused).

pub mod evidence;

mod bundles;
mod chart;
mod image;
mod reason;
mod registry_attestation;
mod semver;

use serde_json::json;

use crate::chart::images::ChartImage;
use crate::chart::index::{HelmIndex, IndexEntry};
use crate::check::{Check, ids, spec};
use crate::digest::Digest;
use crate::profile::Profile;
use crate::report::Report;
use crate::trust::Trust;

use bundles::{BundleResult, Signer};

pub use bundles::identity_matcher;
pub use chart::VerifiedChart;
pub use evidence::{Evidence, Fetched, IndexFile, Missing, Piece, RegistryEvidence};
pub use image::project_image;
pub use reason::CouldNotRun;
pub use semver::release_tag_of;

/// What verification needs besides the evidence.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub trust: &'a Trust,
    /// The parsed `.prov` keyring, when the profile requires `.prov`.
    pub keyring: Option<&'a [pgp::composed::SignedPublicKey]>,
}

/// Verifies one release and returns its report (subject `chart@version`).
pub fn verify(ev: &Evidence, ctx: &Context<'_>) -> Report {
    verify_release(ev, ctx).0
}

/// Verifies one release: its report, and the [`VerifiedChart`] when the checks binding the
/// package passed (what a policy's checks of every deployed image read the chart from), else
/// why not.
pub fn verify_release(
    ev: &Evidence,
    ctx: &Context<'_>,
) -> (Report, Result<VerifiedChart, CouldNotRun>) {
    let mut r = Run {
        ev,
        ctx,
        checks: Vec::new(),
        details: serde_json::Map::new(),
        not_required: Vec::new(),
    };
    let chart = r.run();
    let mut report = Report::new("verify", format!("{}@{}", ev.chart, ev.version));
    report.checks = r.checks;
    let mut details = r.details;
    if !r.not_required.is_empty() {
        details.insert("not_required".into(), json!(r.not_required));
    }
    report.details = serde_json::Value::Object(details);
    (report, chart)
}

struct Run<'a> {
    ev: &'a Evidence,
    ctx: &'a Context<'a>,
    checks: Vec<Check>,
    details: serde_json::Map<String, serde_json::Value>,
    /// Checks the profile does not ask for: (id, why), shown in the report's details.
    not_required: Vec<serde_json::Value>,
}

/// What the chart's checks established, for the image and SemVer checks. What they read of the
/// chart comes from the [`VerifiedChart`] (the raw package is not here): a chart that is not
/// verified leaves them not run.
struct ChartFacts<'a> {
    index: Result<&'a HelmIndex, Missing>,
    entry: Result<&'a IndexEntry, CouldNotRun>,
    /// The package, once its digest is bound to the index and the signatures: what the image
    /// checks read the chart's image from.
    chart: Result<VerifiedChart, CouldNotRun>,
    /// appVersion of the verified chart: its index entry's, else its `Chart.yaml`'s.
    app_version: Result<Option<String>, CouldNotRun>,
}

impl ChartFacts<'_> {
    /// appVersion, when the chart is verified and names one.
    fn app_version(&self) -> Option<&str> {
        self.app_version.as_ref().ok().and_then(Option::as_deref)
    }
}

/// The chart's image and its pinned digest, or why they are not known.
type ChartImageRef = Result<(ChartImage, Option<Digest>), CouldNotRun>;

const NO_SIGSTORE: &str = "the profile does not require Sigstore bundles";

impl<'a> Run<'a> {
    fn run(&mut self) -> Result<VerifiedChart, CouldNotRun> {
        let ev = self.ev;
        self.details.insert("chart".into(), json!(ev.chart));
        self.details.insert("version".into(), json!(ev.version));
        let facts = self.chart_checks();
        let image = self.image_checks(&facts);
        let checks = semver::checks(ev, self.ctx.profile, &facts, &image);
        self.checks.extend(checks);
        facts.chart
    }

    fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    fn skip(&mut self, id: &'static str, why: &str) {
        self.not_required.push(json!({"id": id, "why": why}));
    }

    /// `chart.*`: the index entry, the package, its `.prov`, the chart's bundle, subject and
    /// envelope; and the [`VerifiedChart`] when the checks binding the package passed.
    fn chart_checks(&mut self) -> ChartFacts<'a> {
        let (ev, profile) = (self.ev, self.ctx.profile);
        // An index that was served but is not one, or that lists the release twice
        // differently, is wrong (chart.index-digest fails on it); one that could not be
        // obtained leaves the checks not run.
        let index: Result<&HelmIndex, Missing> = match &ev.index {
            Ok(i) => Ok(&i.parsed),
            Err(m) => Err(m.clone()),
        };
        let (entry, index_wrong) = chart::entry(ev, &index);
        if let Ok(e) = &entry {
            self.details
                .insert("app_version".into(), json!(e.app_version));
        }
        let package_digest = ev.package.as_ref().ok().map(|p| Digest::sha256(&p.bytes));
        let digest = package_digest.as_ref();
        // The checks that bind the package's digest, as the profile requires them.
        let mut binding = vec![chart::index_digest(ev, &entry, index_wrong, digest)];
        let package = chart::package(ev);
        let metadata = chart::metadata(ev, &entry, &package);
        if profile.require().prov() {
            binding.push(chart::prov(ev, self.ctx));
        } else {
            self.skip(
                ids::CHART_PROV,
                "the profile does not require a .prov (require.prov)",
            );
        }
        let mut envelope = None;
        if profile.require().sigstore_bundles() {
            let signer = Signer::new(self.ctx, profile.chart_identities());
            let (check, b) =
                bundles::verify(&spec::CHART_BUNDLE, &ev.chart_bundle, &signer, digest);
            binding.push(check);
            binding.push(chart::subject(ev, profile, &b, digest));
            envelope = Some(bundles::envelope(
                &spec::CHART_ENVELOPE,
                &b,
                &ev.chart_envelope,
            ));
        } else {
            for id in [ids::CHART_BUNDLE, ids::CHART_SUBJECT, ids::CHART_ENVELOPE] {
                self.skip(id, NO_SIGSTORE);
            }
        }
        let chart = chart::verified(&package, digest, &binding.iter().collect::<Vec<_>>());
        // The report's order: index digest, metadata, .prov, bundle, subject, envelope.
        let mut binding = binding.into_iter();
        self.checks.extend(binding.next());
        self.push(metadata);
        self.checks.extend(binding);
        self.checks.extend(envelope);
        let entry_app_version = entry.as_ref().ok().and_then(|e| e.app_version.clone());
        let app_version = chart
            .as_ref()
            .map_err(Clone::clone)
            .map(|c| entry_app_version.or_else(|| c.package().metadata.app_version.clone()));
        ChartFacts {
            index,
            entry,
            chart,
            app_version,
        }
    }

    /// `image.*`: the chart's image reference, the registry's digest, the image release's
    /// bundle and envelope, the registry's attestation, and the subject and source ref of the
    /// verified image statements.
    fn image_checks(&mut self, facts: &ChartFacts<'_>) -> ChartImageRef {
        let (ev, profile) = (self.ev, self.ctx.profile);
        let app_version = facts.app_version();
        let (check, image, detail) = image::reference(ev, profile, &facts.chart, app_version);
        if let Some(detail) = detail {
            self.details.insert("image".into(), detail);
        }
        self.push(check);
        let target = image::target(ev, profile, &image);
        match image::registry_digest(ev, &image) {
            Some(check) => self.push(check),
            None => self.skip(ids::IMAGE_REGISTRY_DIGEST, image::UNPINNED_ALLOWED),
        }
        // The image release is the one the verified chart's appVersion names (its release
        // `.sigstore`, its certificate's ref); the chart's own tag is checked against it by
        // semver.app-version. A chart that is not verified names no release.
        let tag = facts
            .app_version
            .clone()
            .map(|a| a.or_else(|| image.as_ref().ok().and_then(|(img, _)| img.tag.clone())));
        let identities = tag
            .as_ref()
            .ok()
            .and_then(Option::as_deref)
            .map(|t| profile.image_identities(t))
            .unwrap_or_default();
        let signer = Signer::new(self.ctx, identities);
        let bundles = self.image_bundles(&signer, target.as_ref(), tag.as_ref().err());
        if let Err(why) = &tag {
            self.push(image::subject(&bundles, target.as_ref(), &image));
            self.push(spec::IMAGE_SOURCE_REF.not_run("refs/tags/<appVersion>", why.clone()));
        } else if bundles.is_empty() {
            for id in [ids::IMAGE_SUBJECT, ids::IMAGE_SOURCE_REF] {
                self.skip(
                    id,
                    "the profile requires no image attestation to read it from",
                );
            }
        } else {
            self.push(image::subject(&bundles, target.as_ref(), &image));
            self.push(image::source_ref(&bundles, tag.ok().flatten().as_deref()));
        }
        image
    }

    /// The image release's bundle and envelope and the registry's attestation, as the profile
    /// requires them: the verified bundles with their sources. `unverified`: why the release
    /// is not known (the chart is not verified): none of the three is run.
    fn image_bundles(
        &mut self,
        signer: &Signer<'_>,
        target: Option<&Digest>,
        unverified: Option<&CouldNotRun>,
    ) -> Vec<(String, BundleResult)> {
        let (ev, profile) = (self.ev, self.ctx.profile);
        let mut image_bundles = Vec::new();
        if let (true, Some(why)) = (profile.require().sigstore_bundles(), unverified) {
            let checks = bundles::not_run(&spec::IMAGE_BUNDLE, &spec::IMAGE_ENVELOPE, signer, why);
            self.checks.extend(checks);
        } else if profile.require().sigstore_bundles() {
            let (check, b) = bundles::verify(&spec::IMAGE_BUNDLE, &ev.image_bundle, signer, target);
            if let Some(v) = &b.verified {
                // Who signed the image, for exports of what was verified (policy export).
                self.details.insert(
                    "image_signer".into(),
                    json!({"identity": v.identity(), "issuer": v.issuer()}),
                );
            }
            self.push(check);
            self.push(bundles::envelope(
                &spec::IMAGE_ENVELOPE,
                &b,
                &ev.image_envelope,
            ));
            let source = ev
                .image_bundle
                .as_ref()
                .map(|f| f.source.clone())
                .unwrap_or_else(|m| m.what.clone());
            image_bundles.push((source, b));
        } else {
            for id in [ids::IMAGE_BUNDLE, ids::IMAGE_ENVELOPE] {
                self.skip(id, NO_SIGSTORE);
            }
        }
        if let (true, Some(why)) = (profile.require().registry_attestation(), unverified) {
            self.push(registry_attestation::not_run(signer, why));
        } else if profile.require().registry_attestation() {
            let found = registry_attestation::check(&ev.registry, signer, target);
            if let Some(listed) = found.listed {
                self.details.insert("registry_attestations".into(), listed);
            }
            self.push(found.check);
            image_bundles.extend(found.used);
        } else {
            self.skip(
                ids::IMAGE_REGISTRY_ATTESTATION,
                "the profile does not require registry attestations (require.registry_attestation)",
            );
        }
        image_bundles
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_tags_come_from_download_urls() {
        assert_eq!(
            release_tag_of(
                "https://github.com/o/r/releases/download/gomenhashai-1.3.2/gomenhashai-1.3.2.tgz"
            ),
            Some("gomenhashai-1.3.2")
        );
        assert_eq!(
            release_tag_of("https://example.com/charts/x-1.0.0.tgz"),
            None
        );
        assert_eq!(release_tag_of("https://x/releases/download//a"), None);
    }

    #[test]
    fn identity_matcher_ignores_owner_case_only() {
        let m = identity_matcher(&[
            "https://github.com/GomenHashai/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main".into(),
            "https://github.com/MarcAntoineRaymond/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main".into(),
        ])
        .unwrap();
        assert!(m.matches("https://github.com/gomenhashai/gomenhashai/.github/workflows/helm-release.yaml@refs/heads/main"));
        assert!(m.matches("https://github.com/marcantoineraymond/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main"));
        assert!(!m.matches("https://github.com/GomenHashai/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/dev"));
        assert!(!m.matches("https://github.com/evil/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main"));
        assert!(!m.matches("https://github.com/GomenHashai/GomenHashai/.github/workflows/HELM-release.yaml@refs/heads/main"));
        assert!(!m.matches("https://github.com/GomenHashai/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/mainx"));
    }
}
