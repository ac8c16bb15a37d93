//! `semver.*`: the release's versions line up (the rules are [`crate::semver_rules`]): the
//! chart version, its release tag, appVersion and the image tag, no downgrade against the
//! earlier charts of the index, and an image release that exists.
//!
//! Guarantees: a rule whose input is not known (the index entry, the chart's image tag, the
//! registry's tag list) is reported as not run, never guessed: nothing stands in for it. What
//! the rules read of the chart (appVersion, its image's tag) comes from the
//! [`VerifiedChart`](super::VerifiedChart): for a chart that is not verified, the rules that
//! read it are not run ([`CouldNotRun::ChartNotVerified`]).

use std::sync::Arc;

use crate::check::{Check, spec};
use crate::profile::Profile;
use crate::semver_rules::{self, ChartHistory, ImageReleases, ReleaseVersions};

use super::image::project_image;
use super::{ChartFacts, ChartImageRef, CouldNotRun, Evidence};

/// The `semver.*` checks of the release.
pub(super) fn checks(
    ev: &Evidence,
    profile: &Profile,
    facts: &ChartFacts<'_>,
    image: &ChartImageRef,
) -> Vec<Check> {
    let policy = semver_rules::Policy {
        allow_prerelease: profile.require().allow_prerelease(),
    };
    let app_version = facts.app_version();
    // The tag the chart was published under: from its download URL in GitHub's layout.
    let url_tag = facts
        .entry
        .as_ref()
        .map_err(ToString::to_string)
        .and_then(|e| {
            let url = e.urls.first().ok_or("the index entry has no URL")?;
            release_tag_of(url).map(str::to_string).ok_or_else(|| {
                format!("{url} is not a release download URL (…/releases/download/<tag>/<asset>)")
            })
        });
    let explicit_tag = explicit_tag(profile, facts, image);
    let versions = ReleaseVersions {
        chart: &ev.chart,
        version: &ev.version,
        release_tag: url_tag.as_deref().map_err(String::as_str),
        app_version,
        image_tag: explicit_tag.as_ref().ok().and_then(Option::as_deref),
    };
    vec![
        semver_rules::chart_version(versions.chart, versions.version, policy),
        semver_rules::release_tag(versions.chart, versions.version, versions.release_tag),
        // The image tag is only known from the chart's values: without the package (or the
        // project's image in it) "the tag defaults to appVersion" would be a guess.
        match (&facts.chart, &explicit_tag) {
            (Err(why), _) => {
                spec::SEMVER_APP_VERSION.not_run("appVersion = image tag = v + SemVer", why.clone())
            }
            (_, Err(why)) => spec::SEMVER_APP_VERSION.not_run(
                "appVersion = image tag = v + SemVer",
                CouldNotRun::ImageTagUnknown(Box::new(why.clone())),
            ),
            (Ok(_), Ok(_)) => {
                semver_rules::app_version(versions.app_version, versions.image_tag, policy)
            }
        },
        no_downgrade(ev, facts, policy, &versions),
        match &facts.chart {
            // Without a verified chart, neither its appVersion nor its image is known.
            Err(why) => semver_rules::image_release(None, Err(&why.to_string())),
            Ok(_) => image_release(ev, app_version),
        },
    ]
}

/// The image tag the chart sets explicitly (`None`: it defaults to appVersion); `Err`: the
/// chart's image (and so its tag) is not known.
fn explicit_tag(
    profile: &Profile,
    facts: &ChartFacts<'_>,
    image: &ChartImageRef,
) -> Result<Option<String>, CouldNotRun> {
    match (image, &facts.chart) {
        (Ok((img, _)), _) => Ok(img.tag.clone().filter(|_| !img.tag_from_app_version)),
        (Err(_), Ok(c)) => project_image(profile, c.package(), facts.app_version())
            .map(|i| i.tag.filter(|_| !i.tag_from_app_version))
            .map_err(CouldNotRun::NoProjectImageOf),
        (Err(_), Err(why)) => Err(why.clone()),
    }
}

/// `semver.no-downgrade`, against the chart's history in the index. Comparing with earlier
/// charts needs this chart's entries in the index: with none, "the first release in the
/// index" would be a guess.
fn no_downgrade(
    ev: &Evidence,
    facts: &ChartFacts<'_>,
    policy: semver_rules::Policy,
    versions: &ReleaseVersions<'_>,
) -> Check {
    match (&facts.index, &facts.entry, &facts.chart) {
        (Ok(_), Ok(_), Ok(_)) => {
            // The chart's history, ordered once for every release of the index.
            let history = ev
                .index
                .as_ref()
                .ok()
                .and_then(|i| i.history(&ev.chart, policy))
                .unwrap_or_else(|| Arc::new(ChartHistory::new(&[], policy)));
            history.no_downgrade(versions.version, versions.app_version)
        }
        (Err(m), _, _) => {
            spec::SEMVER_NO_DOWNGRADE.not_run("the Helm index to compare with", m.to_string())
        }
        (_, Err(why), _) => {
            spec::SEMVER_NO_DOWNGRADE.not_run("the Helm index to compare with", why.clone())
        }
        // The chart's appVersion is read only from the verified chart.
        (_, _, Err(why)) => {
            spec::SEMVER_NO_DOWNGRADE.not_run("the verified chart's appVersion", why.clone())
        }
    }
}

/// `semver.image-release`. Only the registry's tag list says which image releases exist:
/// without it the check could not run (an image release bundle is no tag list, and must never
/// stand in for one).
fn image_release(ev: &Evidence, app_version: Option<&str>) -> Check {
    let releases = match &ev.registry.tags {
        Ok((tags, source)) => Ok(ImageReleases::new(tags.iter().cloned(), source.clone())),
        Err(m) => Err(m.to_string()),
    };
    semver_rules::image_release(app_version, releases.as_ref().map_err(String::as_str))
}

/// The tag of a GitHub release download URL: `…/releases/download/<tag>/<asset>`.
pub fn release_tag_of(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("/releases/download/")?;
    let (tag, asset) = rest.split_once('/')?;
    (!tag.is_empty() && !asset.is_empty()).then_some(tag)
}
