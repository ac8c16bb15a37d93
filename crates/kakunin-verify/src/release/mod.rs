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
//! Guarantees: no check is skipped silently (a check the profile does not require is named in
//! the report's details), a failure never hides the others, and a check whose evidence is
//! missing, or whose prerequisite (a verified signature) failed, is reported as not run — never
//! as passed. Statements are trusted only once their bundle verified, and every check that reads
//! a statement or an envelope reads it from the [`VerifiedBundle`] (its DSSE envelope, decoded
//! into a [`VerifiedStatement`]): no check goes back to a bundle's bytes, which were parsed once
//! by [`bundle::parse_bundle`] (strict JSON: a key twice in one object is refused).

pub mod evidence;

use std::sync::Arc;

use serde_json::json;

use crate::attestation::VerifiedStatement;
use crate::attestation::dsse;
use crate::attestation::jsonl;
use crate::attestation::statement::{Statement, describe_subject};
use crate::bundle::{self, Artifact, GitHubClaims, Identity, Policy, VerifiedBundle};
use crate::chart::images::{ChartImage, chart_images};
use crate::chart::index::{HelmIndex, IndexEntry, IndexError};
use crate::chart::package::ChartPackage;
use crate::chart::prov;
use crate::check::{Check, ids};
use crate::digest::{Algorithm, Digest};
use crate::profile::Profile;
use crate::report::Report;
use crate::semver_rules::{self, ChartHistory, ImageReleases, ReleaseVersions};
use crate::trust::Trust;

pub use evidence::{Evidence, Fetched, IndexFile, Missing, Piece, RegistryEvidence};

/// What verification needs besides the evidence.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub trust: &'a Trust,
    /// The parsed `.prov` keyring, when the profile requires `.prov`.
    pub keyring: Option<&'a [pgp::composed::SignedPublicKey]>,
}

const T_INDEX: &str = "chart package digest equals the Helm index";
const T_METADATA: &str = "Chart.yaml name, version and appVersion are the index entry's";
const T_PROV: &str = "Helm .prov signature and files: digest";
const T_CHART_BUNDLE: &str = "chart .sigstore verifies with the chart workflow's identity";
const T_CHART_SUBJECT: &str = "chart statement's subject is the chart package";
const T_CHART_ENVELOPE: &str = "chart .intoto.jsonl is the bundle's DSSE envelope";
const T_IMAGE_REF: &str = "image reference: project repository, release tag, pinned digest";
const T_REGISTRY_DIGEST: &str = "registry's digest for the tag equals the pinned digest";
const T_IMAGE_BUNDLE: &str = "image release .sigstore verifies with the image workflow's identity";
const T_IMAGE_ENVELOPE: &str = "image .intoto.jsonl is the bundle's DSSE envelope";
const T_REGISTRY_ATT: &str = "attestation attached in the registry verifies";
const T_IMAGE_SUBJECT: &str = "image attestations' subject is the pinned digest";
const T_SOURCE_REF: &str = "image was built from refs/tags/<appVersion>";

/// Verifies one release and returns its report (subject `chart@version`).
pub fn verify(ev: &Evidence, ctx: &Context<'_>) -> Report {
    let mut r = Run {
        ev,
        ctx,
        checks: Vec::new(),
        details: serde_json::Map::new(),
        not_required: Vec::new(),
    };
    r.run();
    let mut report = Report::new("verify", format!("{}@{}", ev.chart, ev.version));
    report.checks = r.checks;
    let mut details = r.details;
    if !r.not_required.is_empty() {
        details.insert("not_required".into(), json!(r.not_required));
    }
    report.details = serde_json::Value::Object(details);
    report
}

struct Run<'a> {
    ev: &'a Evidence,
    ctx: &'a Context<'a>,
    checks: Vec<Check>,
    details: serde_json::Map<String, serde_json::Value>,
    /// Checks the profile does not ask for: (id, why), shown in the report's details.
    not_required: Vec<serde_json::Value>,
}

/// A bundle's verification, reduced to what the release checks need. Both fields come from
/// verification only: the envelope the checks compare is `verified`'s, the statement they read
/// is decoded from it.
struct BundleResult {
    /// The verified bundle, when it verified.
    verified: Option<VerifiedBundle>,
    /// The statement of the verified bundle's DSSE envelope, or why it has none (`None` when
    /// the bundle did not verify).
    statement: Option<Result<VerifiedStatement, String>>,
}

impl Run<'_> {
    fn run(&mut self) {
        let profile = self.ctx.profile;
        let ev = self.ev;
        self.details.insert("chart".into(), json!(ev.chart));
        self.details.insert("version".into(), json!(ev.version));

        // --- The index and its entry.
        // An index that was served but is not one, or that lists the release twice
        // differently, is wrong (chart.index-digest fails on it); one that could not be
        // obtained leaves the checks not run.
        let index: Result<&HelmIndex, Missing> = match &ev.index {
            Ok(i) => Ok(&i.parsed),
            Err(m) => Err(m.clone()),
        };
        let (entry, index_wrong) = self.entry(&index);
        if let Ok(e) = &entry {
            self.details
                .insert("app_version".into(), json!(e.app_version));
        }

        // --- Chart package.
        let package_digest = ev.package.as_ref().ok().map(|p| Digest::sha256(&p.bytes));
        self.index_digest(&entry, index_wrong, package_digest.as_ref());
        // A package that was obtained but is not a readable chart fails chart.metadata.
        let (package, package_wrong) = match &ev.package {
            Ok(p) => match ChartPackage::read(&p.bytes) {
                Ok(c) => (Ok(c), false),
                Err(e) => (
                    Err(format!("{} is not a chart package: {e}", p.source)),
                    true,
                ),
            },
            Err(m) => (Err(m.to_string()), false),
        };
        self.metadata(&entry, &package, package_wrong);
        if profile.require.prov {
            self.prov();
        } else {
            self.skip(
                ids::CHART_PROV,
                "the profile does not require a .prov (require.prov)",
            );
        }

        // --- Chart bundle, subject and envelope.
        let chart_identities = profile.chart_identities();
        let chart = if profile.require.sigstore_bundles {
            let b = self.bundle(
                ids::CHART_BUNDLE,
                T_CHART_BUNDLE,
                &ev.chart_bundle,
                &chart_identities,
                package_digest.as_ref(),
                None,
            );
            self.chart_subject(&b, package_digest.as_ref());
            self.envelope(
                ids::CHART_ENVELOPE,
                T_CHART_ENVELOPE,
                &b,
                &ev.chart_envelope,
            );
            Some(b)
        } else {
            for id in [ids::CHART_BUNDLE, ids::CHART_SUBJECT, ids::CHART_ENVELOPE] {
                self.skip(id, "the profile does not require Sigstore bundles");
            }
            None
        };
        let _ = chart;

        // --- Image reference.
        let app_version = entry
            .as_ref()
            .ok()
            .and_then(|e| e.app_version.clone())
            .or_else(|| {
                package
                    .as_ref()
                    .ok()
                    .and_then(|p| p.metadata.app_version.clone())
            });
        let image = self.image_reference(&package, app_version.as_deref());
        // The digest everything about the image is checked against: the chart's pin, or (when
        // the profile allows an unpinned chart) what the registry resolved the tag to.
        let target: Option<Digest> = image.as_ref().ok().and_then(|(_, pinned)| {
            pinned.clone().or_else(|| {
                profile
                    .require
                    .allow_unpinned_image
                    .then(|| ev.registry.tag_digest.as_ref().ok().map(|(d, _)| d.clone()))
                    .flatten()
            })
        });
        self.registry_digest(&image);

        // --- Image bundle, envelope, registry attestation, subject, source ref.
        // The image release is the one appVersion names (its release `.sigstore`, its
        // certificate's ref); the chart's own tag is checked against it by semver.app-version.
        let tag = app_version
            .clone()
            .or_else(|| image.as_ref().ok().and_then(|(img, _)| img.tag.clone()));
        let image_identities = tag
            .as_deref()
            .map(|t| profile.image_identities(t))
            .unwrap_or_default();
        let mut image_bundles: Vec<(String, BundleResult)> = Vec::new();
        if profile.require.sigstore_bundles {
            let b = self.bundle(
                ids::IMAGE_BUNDLE,
                T_IMAGE_BUNDLE,
                &ev.image_bundle,
                &image_identities,
                target.as_ref(),
                tag.as_deref(),
            );
            self.envelope(
                ids::IMAGE_ENVELOPE,
                T_IMAGE_ENVELOPE,
                &b,
                &ev.image_envelope,
            );
            let source = ev
                .image_bundle
                .as_ref()
                .map(|f| f.source.clone())
                .unwrap_or_else(|m| m.what.clone());
            image_bundles.push((source, b));
        } else {
            for id in [ids::IMAGE_BUNDLE, ids::IMAGE_ENVELOPE] {
                self.skip(id, "the profile does not require Sigstore bundles");
            }
        }
        if profile.require.registry_attestation {
            if let Some(b) =
                self.registry_attestation(&image_identities, target.as_ref(), tag.as_deref())
            {
                image_bundles.push(b);
            }
        } else {
            self.skip(
                ids::IMAGE_REGISTRY_ATTESTATION,
                "the profile does not require registry attestations (require.registry_attestation)",
            );
        }
        if image_bundles.is_empty() {
            for id in [ids::IMAGE_SUBJECT, ids::IMAGE_SOURCE_REF] {
                self.skip(
                    id,
                    "the profile requires no image attestation to read it from",
                );
            }
        } else {
            self.image_subject(&image_bundles, target.as_ref(), &image);
            self.source_ref(&image_bundles, tag.as_deref());
        }

        // --- SemVer alignment.
        self.semver(&index, &entry, &package, &image, app_version.as_deref());
    }

    fn push(&mut self, check: Check) {
        self.checks.push(check);
    }

    fn skip(&mut self, id: &'static str, why: &str) {
        self.not_required.push(json!({"id": id, "why": why}));
    }

    /// The index entry of the release (the first one when the index lists it more than once),
    /// and, when the index is wrong (served but not an index, or listing the release twice
    /// differently), why: chart.index-digest fails on that.
    fn entry<'i>(
        &self,
        index: &Result<&'i HelmIndex, Missing>,
    ) -> (Result<&'i IndexEntry, String>, Option<String>) {
        let (chart, version) = (&self.ev.chart, &self.ev.version);
        let i: &'i HelmIndex = match index {
            Ok(i) => i,
            Err(m) => return (Err(m.to_string()), m.wrong.then(|| m.to_string())),
        };
        match i.entry(chart, version) {
            Ok(e) => (Ok(e), None),
            Err(e @ IndexError::Ambiguous { .. }) => {
                let first = i
                    .chart(chart)
                    .ok()
                    .and_then(|es| es.iter().find(|x| x.version == *version));
                (
                    first.ok_or_else(|| e.to_string()),
                    Some(format!(
                        "{e} (Helm may install any of them; kakunin looked at the first)"
                    )),
                )
            }
            Err(e) => (Err(e.to_string()), None),
        }
    }

    fn index_digest(
        &mut self,
        entry: &Result<&IndexEntry, String>,
        index_wrong: Option<String>,
        package: Option<&Digest>,
    ) {
        if let Some(why) = index_wrong {
            let mut check = Check::fail(
                ids::CHART_INDEX_DIGEST,
                T_INDEX,
                format!(
                    "a Helm index listing {}@{} once, with a sha256 digest",
                    self.ev.chart, self.ev.version
                ),
                why,
            );
            if let Ok(i) = &self.ev.index {
                check = check.with_evidence(&i.source);
            }
            self.push(check);
            return;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(why) => {
                self.push(Check::not_run(
                    ids::CHART_INDEX_DIGEST,
                    T_INDEX,
                    "the index's digest",
                    why,
                ));
                return;
            }
        };
        let claimed = match entry.claimed_digest() {
            Ok(Some(d)) => d,
            Ok(None) => {
                self.push(Check::fail(
                    ids::CHART_INDEX_DIGEST,
                    T_INDEX,
                    "a sha256 digest for the chart in the index",
                    "the index entry has no digest",
                ));
                return;
            }
            Err(e) => {
                self.push(Check::fail(
                    ids::CHART_INDEX_DIGEST,
                    T_INDEX,
                    "a sha256 digest for the chart in the index",
                    e.to_string(),
                ));
                return;
            }
        };
        let check = match (package, &self.ev.package) {
            (Some(d), Ok(p)) => Check::compare(
                ids::CHART_INDEX_DIGEST,
                T_INDEX,
                claimed.to_string(),
                d.to_string(),
            )
            .with_evidence(&p.source),
            // The index names a package that is absent wherever kakunin may fetch from (a
            // `file:` URL, plain HTTP to another host, a 404): the release fails.
            (_, Err(m)) if m.absent => Check::fail(
                ids::CHART_INDEX_DIGEST,
                T_INDEX,
                claimed.to_string(),
                m.to_string(),
            ),
            (_, Err(m)) => Check::not_run(
                ids::CHART_INDEX_DIGEST,
                T_INDEX,
                claimed.to_string(),
                m.to_string(),
            ),
            _ => unreachable!("a package digest exists exactly when the package was fetched"),
        };
        if let Ok(i) = &self.ev.index {
            let check = check.with_evidence(&i.source);
            self.push(check);
        } else {
            self.push(check);
        }
    }

    fn metadata(
        &mut self,
        entry: &Result<&IndexEntry, String>,
        package: &Result<ChartPackage, String>,
        package_wrong: bool,
    ) {
        let (entry, package) = match (entry, package) {
            (Ok(e), Ok(p)) => (e, p),
            (_, Err(why)) if package_wrong => {
                let mut check = Check::fail(
                    ids::CHART_METADATA,
                    T_METADATA,
                    format!(
                        "a chart package holding Chart.yaml of {}@{}",
                        self.ev.chart, self.ev.version
                    ),
                    why.clone(),
                );
                if let Ok(p) = &self.ev.package {
                    check = check.with_evidence(&p.source);
                }
                self.push(check);
                return;
            }
            (Err(why), _) | (_, Err(why)) => {
                self.push(Check::not_run(
                    ids::CHART_METADATA,
                    T_METADATA,
                    format!("{}@{}", self.ev.chart, self.ev.version),
                    why.clone(),
                ));
                return;
            }
        };
        let show = |name: &str, version: &str, app: Option<&str>| {
            format!("{name} {version} appVersion {}", app.unwrap_or("(none)"))
        };
        let m = &package.metadata;
        let check = Check::compare(
            ids::CHART_METADATA,
            T_METADATA,
            show(&self.ev.chart, &entry.version, entry.app_version.as_deref()),
            show(&m.name, &m.version, m.app_version.as_deref()),
        );
        let check = match &self.ev.package {
            Ok(p) => check.with_evidence(format!("Chart.yaml in {}", p.source)),
            Err(_) => check,
        };
        self.push(check);
    }

    fn prov(&mut self) {
        let expected = "a .prov signed by a key of the profile's keyring, whose files: digest is the package's";
        let Some(keyring) = self.ctx.keyring else {
            self.push(Check::not_run(
                ids::CHART_PROV,
                T_PROV,
                expected,
                "no keyring was loaded",
            ));
            return;
        };
        let prov = match &self.ev.prov {
            Some(Ok(p)) => p,
            Some(Err(m)) => {
                self.push(if m.fails() {
                    Check::fail(ids::CHART_PROV, T_PROV, expected, m.to_string())
                } else {
                    Check::not_run(ids::CHART_PROV, T_PROV, expected, m.to_string())
                });
                return;
            }
            None => {
                self.push(Check::not_run(
                    ids::CHART_PROV,
                    T_PROV,
                    expected,
                    "the .prov was not gathered",
                ));
                return;
            }
        };
        let package = match &self.ev.package {
            Ok(p) => p,
            Err(m) => {
                self.push(Check::not_run(
                    ids::CHART_PROV,
                    T_PROV,
                    expected,
                    m.to_string(),
                ));
                return;
            }
        };
        let name = self.ctx.profile.chart_asset_names(&self.ev.version).package;
        let check = match prov::verify(&prov.bytes, keyring, &package.bytes, &name) {
            Ok(v) => Check::pass(
                ids::CHART_PROV,
                T_PROV,
                expected,
                format!(
                    "signed by {}; {} {}",
                    v.signer_fingerprint(),
                    name,
                    v.digest()
                ),
            ),
            Err(e) => Check::fail(ids::CHART_PROV, T_PROV, expected, e.to_string()),
        };
        self.push(check.with_evidence(&prov.source));
    }

    /// Verifies a release bundle under the identities; pushes the bundle check and returns
    /// what the later checks need. The statement's subject (preferring `prefer`) is the
    /// artifact the signature is checked against, so that a statement about another artifact
    /// is reported by the subject check rather than hidden in the signature check.
    fn bundle(
        &mut self,
        id: &'static str,
        title: &str,
        piece: &Piece,
        identities: &[String],
        prefer: Option<&Digest>,
        _tag: Option<&str>,
    ) -> BundleResult {
        let issuer = &self.ctx.profile.signers.issuer;
        let expected = format!(
            "signed by {} (issuer {issuer}), verified with {}",
            if identities.is_empty() {
                "(no identity: the image tag is unknown)".to_string()
            } else {
                identities.join(" or ")
            },
            self.ctx.trust.name()
        );
        let mut out = BundleResult {
            verified: None,
            statement: None,
        };
        let fetched = match piece {
            Ok(f) => f,
            Err(m) => {
                // A required bundle that is absent is a failure of the release, unless it
                // could not be fetched at all (then the check could not run).
                let check = if m.fails() {
                    Check::fail(id, title, expected, m.to_string())
                } else {
                    Check::not_run(id, title, expected, m.to_string())
                };
                self.push(check);
                return out;
            }
        };
        let parsed = match bundle::parse_bundle(&fetched.bytes) {
            Ok(b) => b,
            Err(e) => {
                self.push(
                    Check::fail(id, title, expected, e.to_string()).with_evidence(&fetched.source),
                );
                return out;
            }
        };
        // Which digest to bind the signature to: the subject equal to `prefer`, else the
        // statement's first, read from the parsed bundle about to be verified. Nothing read
        // here is reported or trusted: sigstore-verify checks the binding, and the checks read
        // the statement of the verified bundle.
        let artifact = bundle::dsse_payload(&parsed)
            .and_then(|p| Statement::parse(p).ok())
            .and_then(|s| subject_digest(&s, prefer))
            .or_else(|| prefer.cloned());
        let Some(artifact) = artifact else {
            self.push(
                Check::fail(
                    id,
                    title,
                    expected,
                    "a bundle with no statement subject and no artifact to check it against",
                )
                .with_evidence(&fetched.source),
            );
            return out;
        };
        if identities.is_empty() {
            self.push(Check::not_run(
                id,
                title,
                expected,
                "no identity to expect: the image tag is unknown",
            ));
            return out;
        }
        let identity = match identity_matcher(identities) {
            Ok(i) => i,
            Err(e) => {
                self.push(Check::not_run(id, title, expected, e));
                return out;
            }
        };
        let policy = Policy::Certificate {
            identity,
            issuer: issuer.clone().into(),
            github: GitHubClaims::default(),
        };
        let v = bundle::verify(
            self.ctx.trust,
            &parsed,
            &Artifact::Digest(artifact),
            &policy,
        );
        let check = match v.result {
            Ok(verified) => {
                let found = format!(
                    "signed by {} (issuer {}){}",
                    verified.identity().unwrap_or("?"),
                    verified.issuer().unwrap_or("?"),
                    verified
                        .verified_times()
                        .first()
                        .map(|t| format!(" at {}", t.rfc3339))
                        .unwrap_or_default()
                );
                if id == ids::IMAGE_BUNDLE {
                    // Who signed the image, for exports of what was verified (policy export).
                    self.details.insert(
                        "image_signer".into(),
                        json!({"identity": verified.identity(), "issuer": verified.issuer()}),
                    );
                }
                out.statement = Some(VerifiedStatement::decode(&verified));
                out.verified = Some(verified);
                Check::pass(id, title, expected, found)
            }
            Err(e) => {
                let first = v.checks.iter().find(|c| !c.passed());
                let found = match first {
                    Some(c) if c.id == ids::BUNDLE_IDENTITY => format!("signed by {}", c.found),
                    Some(c) if c.id == ids::BUNDLE_ISSUER => format!("issued by {}", c.found),
                    Some(c) => format!("{}: expected {}, found {}", c.id, c.expected, c.found),
                    None => e.to_string(),
                };
                Check::fail(id, title, expected, found)
            }
        };
        self.push(check.with_evidence(&fetched.source));
        out
    }

    fn chart_subject(&mut self, b: &BundleResult, package: Option<&Digest>) {
        let name = self.ctx.profile.chart_asset_names(&self.ev.version).package;
        let Some(package) = package else {
            self.push(Check::not_run(
                ids::CHART_SUBJECT,
                T_CHART_SUBJECT,
                format!("{name} with the package's sha256"),
                "the chart package could not be obtained",
            ));
            return;
        };
        let expected = format!("{name} {package}");
        self.push(subject_check(
            ids::CHART_SUBJECT,
            T_CHART_SUBJECT,
            expected,
            b,
            package,
        ));
    }

    fn envelope(&mut self, id: &'static str, title: &str, b: &BundleResult, piece: &Piece) {
        let expected =
            "one line: the bundle's dsseEnvelope (same payload type, payload and signatures)";
        let fetched = match piece {
            Ok(f) => f,
            Err(m) => {
                let check = if m.fails() {
                    Check::fail(id, title, expected, m.to_string())
                } else {
                    Check::not_run(id, title, expected, m.to_string())
                };
                self.push(check);
                return;
            }
        };
        let Some(verified) = &b.verified else {
            self.push(
                Check::not_run(
                    id,
                    title,
                    expected,
                    "the bundle did not verify, so there is no signed DSSE envelope to compare with",
                )
                .with_evidence(&fetched.source),
            );
            return;
        };
        let Some(bundle_env) = verified.envelope().map(dsse::Envelope::from) else {
            self.push(
                Check::not_run(
                    id,
                    title,
                    expected,
                    "the bundle has no DSSE envelope to compare with",
                )
                .with_evidence(&fetched.source),
            );
            return;
        };
        let check = match jsonl::read(&fetched.bytes) {
            Err(e) => Check::fail(id, title, expected, e.to_string()),
            Ok(lines) if lines.len() != 1 => {
                Check::fail(id, title, expected, format!("{} lines", lines.len()))
            }
            Ok(lines) => match dsse::compare(&bundle_env, lines[0].envelope()) {
                Ok(()) => Check::pass(
                    id,
                    title,
                    expected,
                    format!(
                        "the same envelope ({}, payload {})",
                        lines[0].shape(),
                        Digest::sha256(&bundle_env.payload)
                    ),
                ),
                Err(m) => Check::fail(
                    id,
                    title,
                    format!("{}: {}", m.field, m.expected),
                    format!("{}: {}", m.field, m.found),
                ),
            },
        };
        self.push(check.with_evidence(&fetched.source));
    }

    /// `image.reference`; returns the chart's image and its pinned digest when the reference
    /// is usable for the registry checks.
    fn image_reference(
        &mut self,
        package: &Result<ChartPackage, String>,
        app_version: Option<&str>,
    ) -> Result<(ChartImage, Option<Digest>), String> {
        let profile = self.ctx.profile;
        let expected = format!(
            "{} with tag = appVersion {} and a pinned sha256 digest",
            profile.image.repositories.join(" or "),
            app_version.unwrap_or("(the chart's appVersion, unknown)")
        );
        let package = match package {
            Ok(p) => p,
            Err(why) => {
                self.push(Check::not_run(
                    ids::IMAGE_REFERENCE,
                    T_IMAGE_REF,
                    expected,
                    why.clone(),
                ));
                return Err(why.clone());
            }
        };
        let img = match project_image(profile, package, app_version) {
            Ok(i) => i,
            Err(found) => {
                self.push(Check::fail(
                    ids::IMAGE_REFERENCE,
                    T_IMAGE_REF,
                    expected,
                    found,
                ));
                return Err("the chart names none of the project's images".into());
            }
        };
        let img = &img;
        self.details.insert(
            "image".into(),
            json!({"reference": img.display(), "source": img.source.to_string()}),
        );
        let evidence = format!("{} in {}", img.source, self.ev.chart);
        if let Err(e) = img.reference() {
            self.push(
                Check::fail(ids::IMAGE_REFERENCE, T_IMAGE_REF, expected, e.to_string())
                    .with_evidence(evidence),
            );
            return Err(format!("the image reference is not valid: {e}"));
        }
        if !profile.is_project_image(&img.repository) {
            self.push(
                Check::fail(
                    ids::IMAGE_REFERENCE,
                    T_IMAGE_REF,
                    expected,
                    format!("repository {}", img.repository),
                )
                .with_evidence(evidence),
            );
            return Err("the image repository is not the project's".into());
        }
        let pinned = match img.digest.as_deref().map(str::parse::<Digest>) {
            Some(Ok(d)) if d.algorithm() == Algorithm::Sha256 => Some(d),
            Some(Ok(d)) => {
                self.push(Check::fail(
                    ids::IMAGE_REFERENCE,
                    T_IMAGE_REF,
                    expected,
                    format!("digest {d} (not sha256)"),
                ));
                return Err("the pinned digest is not sha256".into());
            }
            Some(Err(e)) => {
                self.push(Check::fail(
                    ids::IMAGE_REFERENCE,
                    T_IMAGE_REF,
                    expected,
                    format!("digest: {e}"),
                ));
                return Err("the pinned digest is not valid".into());
            }
            None => None,
        };
        let check = match (&pinned, profile.require.allow_unpinned_image) {
            (Some(_), _) => Check::pass(ids::IMAGE_REFERENCE, T_IMAGE_REF, expected, img.display()),
            (None, false) => Check::fail(
                ids::IMAGE_REFERENCE,
                T_IMAGE_REF,
                expected,
                format!(
                    "{} pins no digest (the profile does not allow resolving by tag: require.allow_unpinned_image)",
                    img.display()
                ),
            ),
            (None, true) => {
                let resolved = match &self.ev.registry.tag_digest {
                    Ok((d, _)) => format!("resolved by tag to {d}"),
                    Err(m) => format!("could not be resolved by tag: {}", m.why),
                };
                let found = format!(
                    "{} pins no digest; {resolved} (allowed by the profile: require.allow_unpinned_image; the release is only as trustworthy as the registry's answer now)",
                    img.display()
                );
                if self.ev.registry.tag_digest.is_ok() {
                    Check::pass(ids::IMAGE_REFERENCE, T_IMAGE_REF, expected, found)
                } else {
                    Check::not_run(ids::IMAGE_REFERENCE, T_IMAGE_REF, expected, found)
                }
            }
        };
        let failed = !check.passed();
        self.push(check.with_evidence(evidence));
        if failed && pinned.is_none() && !profile.require.allow_unpinned_image {
            // The registry can still be asked about the tag, and the attestations checked
            // against nothing: report them as not run rather than guess a digest.
            return Err("the chart pins no image digest".into());
        }
        Ok((img.clone(), pinned))
    }

    fn registry_digest(&mut self, image: &Result<(ChartImage, Option<Digest>), String>) {
        let (img, pinned) = match image {
            Ok(x) => x,
            Err(why) => {
                self.push(Check::not_run(
                    ids::IMAGE_REGISTRY_DIGEST,
                    T_REGISTRY_DIGEST,
                    "the registry's digest of the chart's tag",
                    why.clone(),
                ));
                return;
            }
        };
        let tag = img.tag.as_deref().unwrap_or("?");
        let Some(pinned) = pinned else {
            // Unpinned and allowed: the tag's digest is what everything is checked against;
            // there is nothing to compare it with, and `image.reference` said so.
            self.skip(
                ids::IMAGE_REGISTRY_DIGEST,
                "the chart pins no digest (allowed by require.allow_unpinned_image): the tag's digest is used as the pin",
            );
            return;
        };
        let check = match &self.ev.registry.tag_digest {
            Ok((d, source)) => Check::compare(
                ids::IMAGE_REGISTRY_DIGEST,
                T_REGISTRY_DIGEST,
                pinned.to_string(),
                d.to_string(),
            )
            .with_evidence(source.clone()),
            // The registry served a manifest for the tag that is not what it says it is.
            Err(m) if m.wrong => Check::fail(
                ids::IMAGE_REGISTRY_DIGEST,
                T_REGISTRY_DIGEST,
                format!("{}:{tag} → {pinned}", img.repository),
                m.to_string(),
            ),
            Err(m) => Check::not_run(
                ids::IMAGE_REGISTRY_DIGEST,
                T_REGISTRY_DIGEST,
                format!("{}:{tag} → {pinned}", img.repository),
                m.to_string(),
            ),
        };
        self.push(check);
    }

    fn registry_attestation(
        &mut self,
        identities: &[String],
        target: Option<&Digest>,
        tag: Option<&str>,
    ) -> Option<(String, BundleResult)> {
        let expected = format!(
            "a Sigstore bundle attached to the image in its registry, signed by {}",
            if identities.is_empty() {
                "the image workflow".to_string()
            } else {
                identities.join(" or ")
            }
        );
        let Some(target) = target else {
            self.push(Check::not_run(
                ids::IMAGE_REGISTRY_ATTESTATION,
                T_REGISTRY_ATT,
                expected,
                "no image digest to look attestations up by",
            ));
            return None;
        };
        let attached = match &self.ev.registry.attestations {
            Ok(a) => a.clone(),
            Err(m) => {
                // A manifest or bundle served for a digest that hashes to another one is
                // tampering: the check fails; one that could not be fetched leaves it not run.
                self.push(if m.wrong {
                    Check::fail(
                        ids::IMAGE_REGISTRY_ATTESTATION,
                        T_REGISTRY_ATT,
                        expected,
                        m.to_string(),
                    )
                } else {
                    Check::not_run(
                        ids::IMAGE_REGISTRY_ATTESTATION,
                        T_REGISTRY_ATT,
                        expected,
                        m.to_string(),
                    )
                });
                return None;
            }
        };
        if attached.is_empty() {
            self.push(Check::fail(
                ids::IMAGE_REGISTRY_ATTESTATION,
                T_REGISTRY_ATT,
                expected,
                format!("no Sigstore bundle attached to {target} (referrers and the fallback tag)"),
            ));
            return None;
        }
        // Every attached bundle is tried. The registry's attestation is the first that
        // verifies with the expected identity AND whose statement names the pinned digest; each
        // other one is listed with why it was not used, so that a stray attachment (validly
        // signed, about another image) can neither hide the right one nor pass for it.
        let expected = format!("{expected}, whose statement names {target}");
        let mut used: Option<(usize, Check, BundleResult)> = None;
        let mut not_used: Vec<(usize, String)> = Vec::new();
        for (i, a) in attached.iter().enumerate() {
            let mut sub = Run {
                ev: self.ev,
                ctx: self.ctx,
                checks: Vec::new(),
                details: serde_json::Map::new(),
                not_required: Vec::new(),
            };
            let b = sub.bundle(
                ids::IMAGE_REGISTRY_ATTESTATION,
                T_REGISTRY_ATT,
                &Ok(a.clone()),
                identities,
                Some(target),
                tag,
            );
            let check = sub.checks.pop().expect("bundle pushes a check");
            if !check.passed() {
                not_used.push((i, format!("does not verify: {}", check.found)));
                continue;
            }
            let subject = subject_check(
                ids::IMAGE_SUBJECT,
                T_IMAGE_SUBJECT,
                target.to_string(),
                &b,
                target,
            );
            if !subject.passed() {
                not_used.push((
                    i,
                    format!(
                        "verifies ({}) but is not about {target}: its statement names {}",
                        check.found, subject.found
                    ),
                ));
            } else if used.is_some() {
                not_used.push((
                    i,
                    "also verifies and names the digest (the first such bundle is used)".into(),
                ));
            } else {
                used = Some((i, check, b));
            }
        }
        let listed: Vec<serde_json::Value> = attached
            .iter()
            .enumerate()
            .map(|(i, a)| match not_used.iter().find(|(j, _)| *j == i) {
                Some((_, why)) => json!({"source": a.source, "used": false, "why": why}),
                None => json!({"source": a.source, "used": true}),
            })
            .collect();
        self.details
            .insert("registry_attestations".into(), json!(listed));
        let others = not_used
            .iter()
            .map(|(i, why)| format!("{}: {why}", attached[*i].source))
            .collect::<Vec<_>>()
            .join("; ");
        match used {
            Some((i, check, b)) => {
                let mut found = format!("{} ({} attached)", check.found, attached.len());
                if !not_used.is_empty() {
                    found.push_str(&format!("; not used: {others}"));
                }
                let source = attached[i].source.clone();
                self.push(
                    Check::pass(
                        ids::IMAGE_REGISTRY_ATTESTATION,
                        T_REGISTRY_ATT,
                        expected,
                        found,
                    )
                    .with_evidence(&source),
                );
                Some((source, b))
            }
            None => {
                let found = format!(
                    "none of {} attached bundles verifies with the expected identity and names {target}: {others}",
                    attached.len()
                );
                let mut check = Check::fail(
                    ids::IMAGE_REGISTRY_ATTESTATION,
                    T_REGISTRY_ATT,
                    expected,
                    found,
                );
                check.evidence = attached.iter().map(|a| a.source.clone()).collect();
                self.push(check);
                None
            }
        }
    }

    fn image_subject(
        &mut self,
        bundles: &[(String, BundleResult)],
        target: Option<&Digest>,
        image: &Result<(ChartImage, Option<Digest>), String>,
    ) {
        let Some(target) = target else {
            let why = image
                .as_ref()
                .err()
                .cloned()
                .unwrap_or_else(|| "no image digest".into());
            self.push(Check::not_run(
                ids::IMAGE_SUBJECT,
                T_IMAGE_SUBJECT,
                "the pinned image digest",
                why,
            ));
            return;
        };
        let expected = target.to_string();
        let mut founds = Vec::new();
        let mut outcome_fail = false;
        let mut not_run = Vec::new();
        for (source, b) in bundles {
            let c = subject_check(
                ids::IMAGE_SUBJECT,
                T_IMAGE_SUBJECT,
                expected.clone(),
                b,
                target,
            );
            match c.outcome {
                crate::check::Outcome::Pass => founds.push(format!("{source}: {}", c.found)),
                crate::check::Outcome::Fail => {
                    outcome_fail = true;
                    founds.push(format!("{source}: {}", c.found));
                }
                crate::check::Outcome::NotRun => not_run.push(format!("{source}: {}", c.found)),
            }
        }
        let mut all = founds.clone();
        all.extend(not_run.iter().cloned());
        let check = if outcome_fail {
            Check::fail(
                ids::IMAGE_SUBJECT,
                T_IMAGE_SUBJECT,
                expected,
                all.join("; "),
            )
        } else if !not_run.is_empty() {
            Check::not_run(
                ids::IMAGE_SUBJECT,
                T_IMAGE_SUBJECT,
                expected,
                all.join("; "),
            )
        } else {
            Check::pass(
                ids::IMAGE_SUBJECT,
                T_IMAGE_SUBJECT,
                expected,
                all.join("; "),
            )
        };
        self.push(check);
    }

    fn source_ref(&mut self, bundles: &[(String, BundleResult)], tag: Option<&str>) {
        let Some(tag) = tag else {
            self.push(Check::not_run(
                ids::IMAGE_SOURCE_REF,
                T_SOURCE_REF,
                "refs/tags/<appVersion>",
                "no image tag",
            ));
            return;
        };
        let expected = format!("refs/tags/{tag}");
        let mut founds = Vec::new();
        let (mut fail, mut not_run) = (false, false);
        for (source, b) in bundles {
            match &b.verified {
                Some(v) => {
                    let r = v.claims().source_repository_ref.as_deref();
                    if r != Some(expected.as_str()) {
                        fail = true;
                    }
                    founds.push(format!(
                        "{source}: {}",
                        r.unwrap_or("no Source Repository Ref in the certificate")
                    ));
                }
                None => {
                    not_run = true;
                    founds.push(format!(
                        "{source}: the bundle did not verify, so its certificate is not trusted"
                    ));
                }
            }
        }
        let found = founds.join("; ");
        self.push(if fail {
            Check::fail(ids::IMAGE_SOURCE_REF, T_SOURCE_REF, expected, found)
        } else if not_run {
            Check::not_run(ids::IMAGE_SOURCE_REF, T_SOURCE_REF, expected, found)
        } else {
            Check::pass(ids::IMAGE_SOURCE_REF, T_SOURCE_REF, expected, found)
        });
    }

    fn semver(
        &mut self,
        index: &Result<&HelmIndex, Missing>,
        entry: &Result<&IndexEntry, String>,
        package: &Result<ChartPackage, String>,
        image: &Result<(ChartImage, Option<Digest>), String>,
        app_version: Option<&str>,
    ) {
        let profile = self.ctx.profile;
        let ev = self.ev;
        let policy = semver_rules::Policy {
            allow_prerelease: profile.require.allow_prerelease,
        };
        // The tag the chart was published under: from its download URL in GitHub's layout.
        let url_tag = entry.as_ref().map_err(Clone::clone).and_then(|e| {
            let url = e.urls.first().ok_or("the index entry has no URL")?;
            release_tag_of(url).map(str::to_string).ok_or_else(|| {
                format!("{url} is not a release download URL (…/releases/download/<tag>/<asset>)")
            })
        });
        // The image tag the chart sets explicitly (None: it defaults to appVersion).
        // Err: the chart's image (and so its tag) is not known.
        let explicit_tag: Result<Option<String>, String> = match (image, package) {
            (Ok((img, _)), _) => Ok(img.tag.clone().filter(|_| !img.tag_from_app_version)),
            (Err(_), Ok(p)) => project_image(profile, p, app_version)
                .map(|i| i.tag.filter(|_| !i.tag_from_app_version))
                .map_err(|found| format!("the chart names none of the project's images ({found})")),
            (Err(_), Err(why)) => Err(why.clone()),
        };
        // The chart's history, ordered once for every release of the index.
        let history = ev
            .index
            .as_ref()
            .ok()
            .and_then(|i| i.history(&ev.chart, policy))
            .unwrap_or_else(|| Arc::new(ChartHistory::new(&[], policy)));
        // Only the registry's tag list says which image releases exist: without it the check
        // could not run (an image release bundle is no tag list, and must never stand in for one).
        let releases = match &ev.registry.tags {
            Ok((tags, source)) => Ok(ImageReleases::new(tags.iter().cloned(), source.clone())),
            Err(m) => Err(m.to_string()),
        };
        let release_tag = url_tag.as_deref().map_err(String::as_str);
        let versions = ReleaseVersions {
            chart: &ev.chart,
            version: &ev.version,
            release_tag,
            app_version,
            image_tag: explicit_tag.as_ref().ok().and_then(Option::as_deref),
        };
        let mut checks = vec![
            semver_rules::chart_version(versions.chart, versions.version, policy),
            semver_rules::release_tag(versions.chart, versions.version, versions.release_tag),
            // The image tag is only known from the chart's values: without the package (or
            // the project's image in it) "the tag defaults to appVersion" would be a guess.
            match &explicit_tag {
                Err(why) => Check::not_run(
                    ids::SEMVER_APP_VERSION,
                    "appVersion and image tag are the same v + SemVer release",
                    "appVersion = image tag = v + SemVer",
                    format!("the chart's image tag is not known: {why}"),
                ),
                Ok(_) => {
                    semver_rules::app_version(versions.app_version, versions.image_tag, policy)
                }
            },
        ];
        // Comparing with earlier charts needs this chart's entries in the index: with none,
        // "the first release in the index" would be a guess.
        if index.is_ok() && entry.is_ok() {
            checks.push(history.no_downgrade(versions.version, versions.app_version));
        } else {
            checks.push(Check::not_run(
                ids::SEMVER_NO_DOWNGRADE,
                "no newer chart points at an older image than an earlier chart",
                "the Helm index to compare with",
                match (index, entry) {
                    (Err(m), _) => m.to_string(),
                    (_, Err(why)) => why.clone(),
                    _ => String::new(),
                },
            ));
        }
        checks.push(semver_rules::image_release(
            app_version,
            releases.as_ref().map_err(String::as_str),
        ));
        // The profile's own release tag template must agree with the convention.
        let _ = profile.chart_release_tag(&ev.version);
        self.checks.extend(checks);
    }
}

/// The project's image a chart deploys: the first image reference (values.yaml blocks, then
/// the `artifacthub.io/images` annotation) whose repository is, case aside, one the profile
/// names. `Err` lists what the chart refers to instead.
pub fn project_image(
    profile: &Profile,
    package: &ChartPackage,
    app_version: Option<&str>,
) -> Result<ChartImage, String> {
    let images = chart_images(&package.values, &package.metadata.annotations, app_version)?;
    images
        .iter()
        .find(|i| {
            profile
                .image
                .repositories
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&i.repository))
        })
        .cloned()
        .ok_or_else(|| {
            if images.is_empty() {
                "no image reference in values.yaml or annotations".to_string()
            } else {
                images
                    .iter()
                    .map(ChartImage::display)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        })
}

/// The tag of a GitHub release download URL: `…/releases/download/<tag>/<asset>`.
pub fn release_tag_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("/releases/download/")?;
    let (tag, asset) = rest.split_once('/')?;
    (!tag.is_empty() && !asset.is_empty()).then_some(tag)
}

/// The sha256 of a statement subject: the one equal to `prefer` if there is one, else the first.
fn subject_digest(s: &Statement, prefer: Option<&Digest>) -> Option<Digest> {
    let digests: Vec<Digest> = s
        .subjects
        .iter()
        .filter_map(|sub| sub.digest.get("sha256"))
        .filter_map(|hex| Digest::from_hex(Algorithm::Sha256, hex).ok())
        .collect();
    if let Some(p) = prefer {
        if digests.contains(p) {
            return Some(p.clone());
        }
    }
    digests.into_iter().next()
}

/// Whether a verified bundle's statement names `digest` as a subject.
fn subject_check(
    id: &'static str,
    title: &str,
    expected: String,
    b: &BundleResult,
    digest: &Digest,
) -> Check {
    let statement = match &b.statement {
        Some(Ok(s)) => s.statement(),
        Some(Err(why)) => return Check::fail(id, title, expected, why.clone()),
        None => {
            return Check::not_run(
                id,
                title,
                expected,
                "its bundle did not verify, so its statement is not trusted",
            );
        }
    };
    let hex = digest.hex();
    let found: Vec<String> = statement.subjects.iter().map(describe_subject).collect();
    if statement
        .subjects
        .iter()
        .any(|s| s.digest.get(digest.algorithm().name()) == Some(hex.as_str()))
    {
        Check::pass(id, title, expected, found.join(", "))
    } else {
        Check::fail(id, title, expected, found.join(", "))
    }
}

/// A certificate-identity matcher accepting any of `identities`, comparing the
/// `https://host/owner/repo/` part without case (GitHub names are case-insensitive) and the
/// rest exactly.
pub fn identity_matcher(identities: &[String]) -> Result<Identity, String> {
    let alternatives: Vec<String> = identities
        .iter()
        .map(|id| {
            let parts: Vec<&str> = id.splitn(6, '/').collect();
            // ["https:", "", host, owner, repo, rest]
            if parts.len() == 6 && parts[0] == "https:" && parts[1].is_empty() {
                format!(
                    "(?i-u:{})/{}",
                    regex::escape(&parts[..5].join("/")),
                    regex::escape(parts[5])
                )
            } else {
                regex::escape(id)
            }
        })
        .collect();
    Identity::regex(alternatives.join("|")).map_err(|e| e.to_string())
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
