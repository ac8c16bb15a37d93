//! The image's checks: `image.reference` (the chart deploys the project's image, pinned),
//! `image.registry-digest` (the registry serves the pinned digest for the tag),
//! `image.subject` (the verified image statements are about that digest) and
//! `image.source-ref` (the image certificates name the release tag).
//!
//! Guarantees: the chart's image is read from the [`VerifiedChart`] (never from a package whose
//! digest is not bound to the index and the signatures); the digest every image check is made
//! against is the chart's pin, or, only when
//! the profile allows an unpinned chart, what the registry resolved the tag to ([`target`]); a
//! statement or certificate is read only from a verified bundle.

use serde_json::json;

use crate::chart::images::{ChartImage, chart_images};
use crate::chart::package::ChartPackage;
use crate::check::{Check, Outcome, spec};
use crate::digest::{Algorithm, Digest};
use crate::profile::Profile;

use super::bundles::{self, BundleResult};
use super::chart::VerifiedChart;
use super::{ChartImageRef, CouldNotRun, Evidence};

/// Why `image.registry-digest` is not required when the chart pins no digest.
pub(super) const UNPINNED_ALLOWED: &str = "the chart pins no digest (allowed by require.allow_unpinned_image): the tag's digest is used as the pin";

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
            (profile.image_repositories().iter())
                .any(|r| r.as_str().eq_ignore_ascii_case(&i.repository))
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

/// `image.reference`: the check, the chart's image and its pinned digest when the reference
/// is usable for the registry checks, and the report's `details.image` once the chart's image
/// is known. The image is read from the [`VerifiedChart`] only: a chart whose digest is not
/// bound to the index and the signatures leaves the image checks not run.
pub(super) fn reference(
    ev: &Evidence,
    profile: &Profile,
    chart: &Result<VerifiedChart, CouldNotRun>,
    app_version: Option<&str>,
) -> (Check, ChartImageRef, Option<serde_json::Value>) {
    let spec = spec::IMAGE_REFERENCE;
    let expected = format!(
        "{} with tag = appVersion {} and a pinned sha256 digest",
        profile.image_repositories_joined(" or "),
        app_version.unwrap_or("(the chart's appVersion, unknown)")
    );
    let chart = match chart {
        Ok(c) => c,
        Err(why) => return (spec.not_run(expected, why.clone()), Err(why.clone()), None),
    };
    let img = match project_image(profile, chart.package(), app_version) {
        Ok(i) => i,
        Err(found) => {
            return (
                spec.fail(expected, found),
                Err(CouldNotRun::NoProjectImage),
                None,
            );
        }
    };
    let detail = json!({"reference": img.display(), "source": img.source.to_string()});
    let (check, image) = pinned_reference(ev, profile, img, expected);
    (check, image, Some(detail))
}

/// `image.reference` of the project's image: a valid reference to one of the project's
/// repositories, pinned by a sha256 digest (or resolved by tag where the profile allows it).
fn pinned_reference(
    ev: &Evidence,
    profile: &Profile,
    img: ChartImage,
    expected: String,
) -> (Check, ChartImageRef) {
    let spec = spec::IMAGE_REFERENCE;
    let evidence = format!("{} in {}", img.source, ev.chart);
    if let Err(e) = img.reference() {
        let check = spec.fail(expected, e.to_string()).with_evidence(evidence);
        return (
            check,
            Err(CouldNotRun::InvalidImageReference(e.to_string())),
        );
    }
    if !profile.is_project_image(&img.repository) {
        let check = spec
            .fail(expected, format!("repository {}", img.repository))
            .with_evidence(evidence);
        return (check, Err(CouldNotRun::NotProjectRepository));
    }
    let pinned = match img.digest.as_deref().map(str::parse::<Digest>) {
        Some(Ok(d)) if d.algorithm() == Algorithm::Sha256 => Some(d),
        Some(Ok(d)) => {
            let check = spec.fail(expected, format!("digest {d} (not sha256)"));
            return (check, Err(CouldNotRun::DigestNotSha256));
        }
        Some(Err(e)) => {
            let check = spec.fail(expected, format!("digest: {e}"));
            return (check, Err(CouldNotRun::DigestInvalid));
        }
        None => None,
    };
    let allowed = profile.require().allow_unpinned_image();
    let check = match (&pinned, allowed) {
        (Some(_), _) => spec.pass(expected, img.display()),
        (None, false) => spec.fail(
            expected,
            format!(
                "{} pins no digest (the profile does not allow resolving by tag: require.allow_unpinned_image)",
                img.display()
            ),
        ),
        (None, true) => resolved_by_tag(ev, &img, expected),
    };
    let failed = !check.passed();
    let check = check.with_evidence(evidence);
    if failed && pinned.is_none() && !allowed {
        // The registry can still be asked about the tag, and the attestations checked
        // against nothing: report them as not run rather than guess a digest.
        return (check, Err(CouldNotRun::Unpinned));
    }
    (check, Ok((img, pinned)))
}

/// `image.reference` of an unpinned image the profile allows: what the registry resolved its
/// tag to.
fn resolved_by_tag(ev: &Evidence, img: &ChartImage, expected: String) -> Check {
    let spec = spec::IMAGE_REFERENCE;
    let resolved = match &ev.registry.tag_digest {
        Ok((d, _)) => format!("resolved by tag to {d}"),
        Err(m) => format!("could not be resolved by tag: {}", m.why),
    };
    let found = format!(
        "{} pins no digest; {resolved} (allowed by the profile: require.allow_unpinned_image; the release is only as trustworthy as the registry's answer now)",
        img.display()
    );
    if ev.registry.tag_digest.is_ok() {
        spec.pass(expected, found)
    } else {
        spec.not_run(expected, found)
    }
}

/// The digest everything about the image is checked against: the chart's pin, or (when the
/// profile allows an unpinned chart) what the registry resolved the tag to.
pub(super) fn target(ev: &Evidence, profile: &Profile, image: &ChartImageRef) -> Option<Digest> {
    image.as_ref().ok().and_then(|(_, pinned)| {
        pinned.clone().or_else(|| {
            profile
                .require()
                .allow_unpinned_image()
                .then(|| ev.registry.tag_digest.as_ref().ok().map(|(d, _)| d.clone()))
                .flatten()
        })
    })
}

/// `image.registry-digest`: the registry's digest for the chart's tag is the pinned digest;
/// `None` when the chart pins none (allowed: [`UNPINNED_ALLOWED`]).
pub(super) fn registry_digest(ev: &Evidence, image: &ChartImageRef) -> Option<Check> {
    let spec = spec::IMAGE_REGISTRY_DIGEST;
    let (img, pinned) = match image {
        Ok(x) => x,
        Err(why) => {
            let expected = "the registry's digest of the chart's tag";
            return Some(spec.not_run(expected, why.clone()));
        }
    };
    let tag = img.tag.as_deref().unwrap_or("?");
    // Unpinned and allowed: the tag's digest is what everything is checked against; there is
    // nothing to compare it with, and `image.reference` said so.
    let pinned = pinned.as_ref()?;
    Some(match &ev.registry.tag_digest {
        Ok((d, source)) => spec
            .compare(pinned.to_string(), d.to_string())
            .with_evidence(source.clone()),
        // The registry served a manifest for the tag that is not what it says it is.
        Err(m) if m.wrong => spec.fail(
            format!("{}:{tag} → {pinned}", img.repository),
            m.to_string(),
        ),
        Err(m) => spec.not_run(
            format!("{}:{tag} → {pinned}", img.repository),
            m.to_string(),
        ),
    })
}

/// `image.subject`: every verified image statement names the target digest.
pub(super) fn subject(
    bundles: &[(String, BundleResult)],
    target: Option<&Digest>,
    image: &ChartImageRef,
) -> Check {
    let spec = spec::IMAGE_SUBJECT;
    let Some(target) = target else {
        let why = image
            .as_ref()
            .err()
            .cloned()
            .unwrap_or(CouldNotRun::NoDigest);
        return spec.not_run("the pinned image digest", why);
    };
    let expected = target.to_string();
    let mut founds = Vec::new();
    let mut outcome_fail = false;
    let mut not_run = Vec::new();
    for (source, b) in bundles {
        let c = bundles::subject_check(&spec, expected.clone(), b, target);
        match c.outcome {
            Outcome::Pass => founds.push(format!("{source}: {}", c.found)),
            Outcome::Fail => {
                outcome_fail = true;
                founds.push(format!("{source}: {}", c.found));
            }
            Outcome::NotRun => not_run.push(format!("{source}: {}", c.found)),
        }
    }
    let mut all = founds;
    all.extend(not_run.iter().cloned());
    if outcome_fail {
        spec.fail(expected, all.join("; "))
    } else if !not_run.is_empty() {
        spec.not_run(expected, all.join("; "))
    } else {
        spec.pass(expected, all.join("; "))
    }
}

/// `image.source-ref`: every verified image certificate's Source Repository Ref is
/// `refs/tags/<tag>`.
pub(super) fn source_ref(bundles: &[(String, BundleResult)], tag: Option<&str>) -> Check {
    let spec = spec::IMAGE_SOURCE_REF;
    let Some(tag) = tag else {
        return spec.not_run("refs/tags/<appVersion>", CouldNotRun::NoImageTag);
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
    if fail {
        spec.fail(expected, found)
    } else if not_run {
        spec.not_run(expected, found)
    } else {
        spec.pass(expected, found)
    }
}
