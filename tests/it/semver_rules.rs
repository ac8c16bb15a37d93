//! SemVer alignment on the real GomenHashai history (`../shared/fixtures/GomenHashai`), and a
//! tampered input for each rule.

use std::collections::BTreeMap;

use kakunin::check::{Check, Outcome, ids};
use kakunin::semver_rules::{self, ChartPoint, ImageReleases, Policy, ReleaseVersions};

use crate::common::shared_fixtures;

const POLICY: Policy = Policy {
    allow_prerelease: false,
};

/// One row of release-history.tsv.
#[derive(Debug, Clone)]
struct Row {
    tag: String,
    version: String,
    app_version: String,
}

/// An index entry, as far as these tests need it.
#[derive(Debug, Clone, serde::Deserialize)]
struct Entry {
    version: String,
    #[serde(rename = "appVersion")]
    app_version: Option<String>,
    urls: Vec<String>,
}

#[derive(serde::Deserialize)]
struct Index {
    entries: BTreeMap<String, Vec<Entry>>,
}

fn history() -> Option<(Vec<Row>, Vec<Entry>)> {
    let dir = shared_fixtures("semver_rules")?.join("GomenHashai");
    let tsv = std::fs::read_to_string(dir.join("release-history.tsv")).unwrap();
    let rows = tsv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Row {
                tag: f[0].into(),
                version: f[1].into(),
                app_version: f[2].into(),
            }
        })
        .collect();
    let index: Index =
        serde_norway::from_str(&std::fs::read_to_string(dir.join("index.yaml")).unwrap()).unwrap();
    let entries = index.entries["gomenhashai"].clone();
    Some((rows, entries))
}

/// The release tag in a GitHub release download URL.
fn tag_of(url: &str) -> Result<&str, &str> {
    let (_, rest) = url
        .split_once("/releases/download/")
        .ok_or("not a GitHub release URL")?;
    rest.split('/').next().ok_or("no tag in the URL")
}

fn points(entries: &[Entry]) -> Vec<ChartPoint> {
    entries
        .iter()
        .map(|e| ChartPoint::new(&e.version, e.app_version.as_deref()))
        .collect()
}

fn images(rows: &[Row]) -> ImageReleases {
    ImageReleases::new(
        rows.iter().map(|r| r.app_version.clone()),
        "release-history.tsv",
    )
}

fn check_entry(e: &Entry, index: &[ChartPoint], images: &ImageReleases) -> Vec<Check> {
    semver_rules::check_release(
        &ReleaseVersions {
            chart: "gomenhashai",
            version: &e.version,
            release_tag: tag_of(&e.urls[0]),
            app_version: e.app_version.as_deref(),
            image_tag: None,
        },
        index,
        Ok(images),
        POLICY,
    )
}

fn only_failure(checks: &[Check]) -> &Check {
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.passed()).collect();
    assert_eq!(failed.len(), 1, "exactly one rule fails: {checks:#?}");
    failed[0]
}

#[test]
fn the_real_history_is_aligned() {
    let Some((rows, entries)) = history() else {
        return;
    };
    assert_eq!(rows.len(), 15, "15 chart releases");
    let images = images(&rows);
    assert_eq!(images.releases().len(), 11, "11 image releases");
    assert_eq!(entries.len(), 15);
    let index = points(&entries);
    for row in &rows {
        let e = entries.iter().find(|e| e.version == row.version).unwrap();
        assert_eq!(e.app_version.as_deref(), Some(row.app_version.as_str()));
        assert_eq!(tag_of(&e.urls[0]), Ok(row.tag.as_str()));
        let checks = check_entry(e, &index, &images);
        assert_eq!(checks.len(), 5);
        for c in &checks {
            assert!(c.passed(), "{} {}: {c:#?}", row.version, c.id);
        }
    }
    // Chart-only releases reuse the previous image: not a downgrade.
    for (chart, image) in [
        ("1.1.3", "v1.1.2"),
        ("1.2.1", "v1.2.0"),
        ("1.3.2", "v1.3.1"),
    ] {
        let e = entries.iter().find(|e| e.version == chart).unwrap();
        assert_eq!(e.app_version.as_deref(), Some(image));
    }
}

#[test]
fn a_downgrade_in_the_index_is_rejected_by_no_downgrade_only() {
    let Some((rows, mut entries)) = history() else {
        return;
    };
    // Chart 1.3.2 now points back at image v1.2.0 (which exists).
    let e = entries.iter_mut().find(|e| e.version == "1.3.2").unwrap();
    e.app_version = Some("v1.2.0".into());
    let index = points(&entries);
    let e = entries.iter().find(|e| e.version == "1.3.2").unwrap();
    let checks = check_entry(e, &index, &images(&rows));
    let c = only_failure(&checks);
    assert_eq!(c.id, ids::SEMVER_NO_DOWNGRADE);
    assert!(c.expected.contains(">= v1.3.1"), "{c:?}");
    assert!(
        c.found.contains("v1.2.0") && c.found.contains("chart 1.3.1"),
        "{c:?}"
    );
}

#[test]
fn a_main_tag_is_rejected_by_app_version_only() {
    let Some((rows, entries)) = history() else {
        return;
    };
    let index = points(&entries);
    let e = entries.iter().find(|e| e.version == "1.3.2").unwrap();
    let checks = semver_rules::check_release(
        &ReleaseVersions {
            chart: "gomenhashai",
            version: &e.version,
            release_tag: tag_of(&e.urls[0]),
            app_version: e.app_version.as_deref(),
            image_tag: Some("main"),
        },
        &index,
        Ok(&images(&rows)),
        POLICY,
    );
    let c = only_failure(&checks);
    assert_eq!(c.id, ids::SEMVER_APP_VERSION);
    assert!(c.expected.contains("v1.3.1"), "{c:?}");
    assert!(c.found.contains("\"main\""), "{c:?}");
}

#[test]
fn a_v_prefixed_chart_version_is_rejected_by_chart_version() {
    let Some((rows, entries)) = history() else {
        return;
    };
    let index = points(&entries);
    let e = Entry {
        version: "v1.3.2".into(),
        app_version: Some("v1.3.1".into()),
        urls: vec![
            "https://github.com/GomenHashai/GomenHashai/releases/download/gomenhashai-v1.3.2/gomenhashai-v1.3.2.tgz".into(),
        ],
    };
    let checks = check_entry(&e, &index, &images(&rows));
    let c = checks
        .iter()
        .find(|c| c.id == ids::SEMVER_CHART_VERSION)
        .unwrap();
    assert_eq!(c.outcome, Outcome::Fail);
    assert!(c.found.contains("v1.3.2") && c.found.contains("leading `v`"));
    // The release tag follows the (bad) version, so it is not itself misaligned; the downgrade
    // rule cannot order a non-SemVer chart and says so instead of passing.
    let tag = checks
        .iter()
        .find(|c| c.id == ids::SEMVER_RELEASE_TAG)
        .unwrap();
    assert!(tag.passed());
    let dg = checks
        .iter()
        .find(|c| c.id == ids::SEMVER_NO_DOWNGRADE)
        .unwrap();
    assert_eq!(dg.outcome, Outcome::NotRun);
}

#[test]
fn a_chart_under_another_tag_is_rejected_by_release_tag_only() {
    let Some((rows, entries)) = history() else {
        return;
    };
    let index = points(&entries);
    let mut e = entries
        .iter()
        .find(|e| e.version == "1.3.2")
        .unwrap()
        .clone();
    e.urls[0] = e.urls[0].replace("gomenhashai-1.3.2/", "gomenhashai-1.3.1/");
    let checks = check_entry(&e, &index, &images(&rows));
    let c = only_failure(&checks);
    assert_eq!(c.id, ids::SEMVER_RELEASE_TAG);
    assert_eq!(c.expected, "gomenhashai-1.3.2");
    assert_eq!(c.found, "gomenhashai-1.3.1");
}

#[test]
fn an_app_version_without_image_release_is_rejected_by_image_release_only() {
    let Some((rows, entries)) = history() else {
        return;
    };
    let index = points(&entries);
    // The image release v1.3.1 is gone (e.g. deleted from the registry).
    let images = ImageReleases::new(
        rows.iter()
            .map(|r| r.app_version.clone())
            .filter(|a| a != "v1.3.1"),
        "release-history.tsv without v1.3.1",
    );
    let e = entries.iter().find(|e| e.version == "1.3.2").unwrap();
    let checks = check_entry(e, &index, &images);
    let c = only_failure(&checks);
    assert_eq!(c.id, ids::SEMVER_IMAGE_RELEASE);
    assert_eq!(c.expected, "an image release v1.3.1");
    assert!(
        c.found.contains("no release v1.3.1") && c.found.contains("v1.3.0"),
        "{c:?}"
    );
}

#[test]
fn a_prerelease_passes_only_when_the_profile_allows_it() {
    let Some((rows, mut entries)) = history() else {
        return;
    };
    entries.push(Entry {
        version: "1.4.0-rc.1".into(),
        app_version: Some("v1.4.0-rc.1".into()),
        urls: vec![
            "https://x/o/r/releases/download/gomenhashai-1.4.0-rc.1/gomenhashai-1.4.0-rc.1.tgz"
                .into(),
        ],
    });
    let index = points(&entries);
    let mut images = images(&rows);
    images.tags.insert("v1.4.0-rc.1".into());
    let e = entries.last().unwrap();
    let strict = check_entry(e, &index, &images);
    let failed: Vec<&str> = strict
        .iter()
        .filter(|c| !c.passed())
        .map(|c| c.id)
        .collect();
    assert_eq!(failed, [ids::SEMVER_CHART_VERSION, ids::SEMVER_APP_VERSION]);
    let allowed = semver_rules::check_release(
        &ReleaseVersions {
            chart: "gomenhashai",
            version: &e.version,
            release_tag: tag_of(&e.urls[0]),
            app_version: e.app_version.as_deref(),
            image_tag: None,
        },
        &index,
        Ok(&images),
        Policy {
            allow_prerelease: true,
        },
    );
    assert!(allowed.iter().all(Check::passed), "{allowed:#?}");
}
