//! SemVer alignment: the rules that tie a chart release's versions together.
//!
//! A chart release names four versions that must line up: the chart's own version (SemVer 2.0,
//! no `v`), the git tag/release it was published under (`<chart>-<version>`), its `appVersion`
//! and the image tag it deploys (both `v` + SemVer, equal, never a moving tag such as `main`).
//! Across the Helm index, a newer chart never points at an older image than an earlier chart, and
//! every `appVersion` names an image release that exists.
//!
//! Every rule is a pure function over strings already gathered (no I/O) and yields one
//! [`Check`] with what was expected and what was found. Unparseable inputs fail the rule that
//! needs them; a rule whose evidence is missing is reported as not run, never as passed.

use std::collections::BTreeSet;
use std::fmt;

use semver::Version;

use crate::check::{Check, ids};

/// What the project allows (from its profile).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Policy {
    /// Pre-release versions (`1.2.0-rc.1`) of the chart or the image are acceptable.
    pub allow_prerelease: bool,
}

/// Tags that move with a branch or a channel: never a release, whatever a chart says.
pub const MOVING_TAGS: &[&str] = &[
    "main", "master", "latest", "edge", "nightly", "dev", "develop", "head", "stable", "unstable",
    "canary", "next", "trunk", "snapshot",
];

/// One chart of a Helm index, as far as alignment is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartPoint {
    /// The chart version as written in the index.
    pub version: String,
    /// The `appVersion` as written in the index (absent in some charts).
    pub app_version: Option<String>,
}

impl ChartPoint {
    pub fn new(version: impl Into<String>, app_version: Option<impl Into<String>>) -> ChartPoint {
        ChartPoint {
            version: version.into(),
            app_version: app_version.map(Into::into),
        }
    }
}

/// The image releases known to exist, and where that knowledge came from (a registry's tag
/// list, the project's GitHub releases…). Only `v` + SemVer entries count as releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReleases {
    pub tags: BTreeSet<String>,
    /// Where the list came from, for the report's evidence.
    pub source: String,
}

impl ImageReleases {
    pub fn new<I, S>(tags: I, source: impl Into<String>) -> ImageReleases
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ImageReleases {
            tags: tags.into_iter().map(Into::into).collect(),
            source: source.into(),
        }
    }

    /// The release tags (`v` + SemVer), newest last.
    pub fn releases(&self) -> Vec<(&str, Version)> {
        let mut v: Vec<(&str, Version)> = self
            .tags
            .iter()
            .filter_map(|t| parse_v(t).ok().map(|ver| (t.as_str(), ver)))
            .collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        v
    }
}

/// Why a version string is not what a rule wants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    Missing,
    /// Starts with `v` where a bare SemVer is required.
    LeadingV,
    /// Lacks the `v` where `v` + SemVer is required.
    NoLeadingV,
    /// A moving tag (`main`, `latest`, …) or a major/minor alias (`v1`, `v1.3`).
    Moving,
    /// Not SemVer 2.0 (the parser's reason).
    NotSemver(String),
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::Missing => f.write_str("missing"),
            VersionError::LeadingV => f.write_str("has a leading `v`"),
            VersionError::NoLeadingV => f.write_str("lacks the leading `v`"),
            VersionError::Moving => f.write_str("is a moving tag, never a release"),
            VersionError::NotSemver(why) => write!(f, "is not SemVer 2.0 ({why})"),
        }
    }
}

/// Whether `tag` is a moving tag: a branch/channel name, or a major or major.minor alias.
pub fn is_moving_tag(tag: &str) -> bool {
    let lower = tag.to_ascii_lowercase();
    if MOVING_TAGS.contains(&lower.as_str()) {
        return true;
    }
    // `v1`, `1`, `v1.3`, `1.3`: aliases that are re-pointed at each release.
    let bare = lower.strip_prefix('v').unwrap_or(&lower);
    let parts: Vec<&str> = bare.split('.').collect();
    parts.len() < 3
        && !parts.is_empty()
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses a bare SemVer 2.0 version (no `v`).
pub fn parse_bare(s: &str) -> Result<Version, VersionError> {
    if s.is_empty() {
        return Err(VersionError::Missing);
    }
    if is_moving_tag(s) {
        return Err(VersionError::Moving);
    }
    if (s.starts_with('v') || s.starts_with('V')) && Version::parse(&s[1..]).is_ok() {
        return Err(VersionError::LeadingV);
    }
    Version::parse(s).map_err(|e| VersionError::NotSemver(e.to_string()))
}

/// Parses `v` + SemVer 2.0.
pub fn parse_v(s: &str) -> Result<Version, VersionError> {
    if s.is_empty() {
        return Err(VersionError::Missing);
    }
    if is_moving_tag(s) {
        return Err(VersionError::Moving);
    }
    match s.strip_prefix('v') {
        Some(rest) => Version::parse(rest).map_err(|e| VersionError::NotSemver(e.to_string())),
        None if Version::parse(s).is_ok() => Err(VersionError::NoLeadingV),
        None => Err(VersionError::NotSemver(
            Version::parse(s)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
        )),
    }
}

/// `semver.chart-version`: the chart version is SemVer 2.0 without `v`, and a pre-release only
/// when the policy allows it.
pub fn chart_version(chart: &str, version: &str, policy: Policy) -> Check {
    const TITLE: &str = crate::check::spec::SEMVER_CHART_VERSION.title();
    let expected = if policy.allow_prerelease {
        "SemVer 2.0 without `v` (e.g. 1.3.2)".to_string()
    } else {
        "SemVer 2.0 without `v`, not a pre-release (e.g. 1.3.2)".to_string()
    };
    let check = match parse_bare(version) {
        Err(e) => Check::fail(
            ids::SEMVER_CHART_VERSION,
            TITLE,
            expected,
            format!("{version:?}, which {e}"),
        ),
        Ok(v) if !v.pre.is_empty() && !policy.allow_prerelease => Check::fail(
            ids::SEMVER_CHART_VERSION,
            TITLE,
            expected,
            format!("{version}, a pre-release (the profile does not allow pre-releases)"),
        ),
        Ok(v) => Check::pass(ids::SEMVER_CHART_VERSION, TITLE, expected, v.to_string()),
    };
    check.with_evidence(format!("chart {chart} version {version}"))
}

/// The release tag a chart version must be published under: `<chart>-<version>`.
pub fn expected_release_tag(chart: &str, version: &str) -> String {
    format!("{chart}-{version}")
}

/// `semver.release-tag`: the chart was published under the release tag `<chart>-<version>`.
/// `found` is the tag the chart package was found under (e.g. from its download URL), or why it
/// is not known.
pub fn release_tag(chart: &str, version: &str, found: Result<&str, &str>) -> Check {
    const TITLE: &str = crate::check::spec::SEMVER_RELEASE_TAG.title();
    let expected = expected_release_tag(chart, version);
    match found {
        Ok(tag) => Check::compare(ids::SEMVER_RELEASE_TAG, TITLE, expected, tag),
        Err(why) => Check::not_run(ids::SEMVER_RELEASE_TAG, TITLE, expected, why),
    }
}

/// `semver.app-version`: `appVersion` is `v` + SemVer, the image tag the chart deploys equals
/// it, neither is a moving tag, and a pre-release only when the policy allows it.
///
/// `image_tag` is the tag the chart's values set explicitly; `None` means the chart deploys
/// `appVersion` itself (Helm's usual default).
pub fn app_version(app_version: Option<&str>, image_tag: Option<&str>, policy: Policy) -> Check {
    const TITLE: &str = crate::check::spec::SEMVER_APP_VERSION.title();
    let expected = match app_version {
        Some(a) if parse_v(a).is_ok() => format!("image tag = appVersion = {a} (v + SemVer)"),
        _ => "appVersion = image tag = v + SemVer (e.g. v1.3.1), not a moving tag".to_string(),
    };
    let fail = |found: String| Check::fail(ids::SEMVER_APP_VERSION, TITLE, expected.clone(), found);
    let Some(app) = app_version.filter(|a| !a.is_empty()) else {
        return fail("no appVersion in Chart.yaml".into());
    };
    let app_parsed = match parse_v(app) {
        Ok(v) => v,
        Err(e) => return fail(format!("appVersion {app:?}, which {e}")),
    };
    if let Some(tag) = image_tag {
        if tag != app {
            let why = match parse_v(tag) {
                Err(VersionError::Moving) => " (a moving tag, never a release)".to_string(),
                Err(e) => format!(" (which {e})"),
                Ok(_) => String::new(),
            };
            return fail(format!("image tag {tag:?}{why} but appVersion {app}"));
        }
    }
    if !app_parsed.pre.is_empty() && !policy.allow_prerelease {
        return fail(format!(
            "{app}, a pre-release (the profile does not allow pre-releases)"
        ));
    }
    let found = match image_tag {
        Some(tag) => format!("appVersion {app}, image tag {tag}"),
        None => format!("appVersion {app}, image tag defaults to it"),
    };
    Check::pass(ids::SEMVER_APP_VERSION, TITLE, expected, found)
}

/// `semver.no-downgrade`: no chart older than this one (by SemVer precedence) points at a newer
/// image than this one does. Index entries whose versions do not parse cannot be ordered and
/// are named in `found` (they fail their own `semver.chart-version`); pre-release charts are
/// compared only when the policy allows pre-releases.
pub fn no_downgrade(
    version: &str,
    app_version: Option<&str>,
    index: &[ChartPoint],
    policy: Policy,
) -> Check {
    ChartHistory::new(index, policy).no_downgrade(version, app_version)
}

/// A chart's history in a Helm index, ordered once for [`no_downgrade`]: every release of an
/// `--all-versions` run asks it in O(log n), so verifying every entry of an index is
/// O(n log n), not O(n²).
#[derive(Debug, Clone)]
pub struct ChartHistory {
    /// The charts that take part (version and appVersion parse, pre-release only when the
    /// policy allows), ordered by chart version.
    versions: Vec<Version>,
    /// `best[i]`: the newest image among `versions[..=i]` (on a tie, the first in index order),
    /// as (appVersion, the chart's point, its position in the index).
    best: Vec<(Version, ChartPoint, usize)>,
}

impl ChartHistory {
    pub fn new(index: &[ChartPoint], policy: Policy) -> ChartHistory {
        let mut charts: Vec<(Version, Version, usize)> = index
            .iter()
            .enumerate()
            .filter_map(|(i, point)| {
                let v = parse_bare(&point.version).ok()?;
                if !v.pre.is_empty() && !policy.allow_prerelease {
                    return None;
                }
                let a = parse_v(point.app_version.as_deref()?).ok()?;
                Some((v, a, i))
            })
            .collect();
        charts.sort_by(|x, y| x.0.cmp(&y.0));
        let mut versions = Vec::with_capacity(charts.len());
        let mut best: Vec<(Version, ChartPoint, usize)> = Vec::with_capacity(charts.len());
        for (v, a, i) in charts {
            let newer = match best.last() {
                None => true,
                Some((b, _, bi)) => a > *b || (a == *b && i < *bi),
            };
            let entry = if newer {
                (a, index[i].clone(), i)
            } else {
                best.last().cloned().expect("not the first")
            };
            versions.push(v);
            best.push(entry);
        }
        ChartHistory { versions, best }
    }

    /// `semver.no-downgrade` of chart `version` → `app_version` against this history.
    pub fn no_downgrade(&self, version: &str, app_version: Option<&str>) -> Check {
        const TITLE: &str = crate::check::spec::SEMVER_NO_DOWNGRADE.title();
        let (Ok(this), Some(Ok(app))) = (parse_bare(version), app_version.map(parse_v)) else {
            return Check::not_run(
                ids::SEMVER_NO_DOWNGRADE,
                TITLE,
                "chart version and appVersion that parse as SemVer",
                format!(
                    "chart {version:?}, appVersion {:?}: cannot be ordered",
                    app_version.unwrap_or("")
                ),
            );
        };
        let app_text = app_version.unwrap_or_default();
        // The earlier charts are the first `earlier` of the ordered history.
        let earlier = self.versions.partition_point(|v| *v < this);
        match earlier.checked_sub(1).map(|last| &self.best[last]) {
            None => Check::pass(
                ids::SEMVER_NO_DOWNGRADE,
                TITLE,
                format!("appVersion {app_text} not older than any earlier chart's"),
                format!("chart {this} is the first release with an image in the index"),
            ),
            Some((best, point, _)) => {
                let v = parse_bare(&point.version).expect("parsed when the history was built");
                let expected = format!(
                    "appVersion >= v{best} (chart {v}, the newest image among {earlier} earlier charts)"
                );
                if app < *best {
                    Check::fail(
                        ids::SEMVER_NO_DOWNGRADE,
                        TITLE,
                        expected,
                        format!(
                            "chart {this} points at {app_text}, older than chart {} → {}",
                            point.version,
                            point.app_version.as_deref().unwrap_or_default()
                        ),
                    )
                } else {
                    Check::pass(
                        ids::SEMVER_NO_DOWNGRADE,
                        TITLE,
                        expected,
                        format!("chart {this} → {app_text}"),
                    )
                }
            }
        }
    }
}

/// `semver.image-release`: the `appVersion` is an image release that exists. `releases` is
/// `Err(why)` when the list of image releases could not be obtained.
pub fn image_release(app_version: Option<&str>, releases: Result<&ImageReleases, &str>) -> Check {
    const TITLE: &str = crate::check::spec::SEMVER_IMAGE_RELEASE.title();
    let app = app_version.unwrap_or_default();
    let expected = match app {
        "" => "an image release named by the chart's appVersion (unknown)".to_string(),
        app => format!("an image release {app}"),
    };
    let releases = match releases {
        Ok(r) => r,
        Err(why) => return Check::not_run(ids::SEMVER_IMAGE_RELEASE, TITLE, expected, why),
    };
    if parse_v(app).is_err() {
        return Check::fail(
            ids::SEMVER_IMAGE_RELEASE,
            TITLE,
            "appVersion naming a v + SemVer image release",
            format!("appVersion {app:?}, which cannot name a release"),
        )
        .with_evidence(&releases.source);
    }
    let known = releases.releases();
    let check = if known.iter().any(|(t, _)| *t == app) {
        Check::pass(
            ids::SEMVER_IMAGE_RELEASE,
            TITLE,
            expected,
            format!("{app} among {} image releases", known.len()),
        )
    } else {
        let list = if known.is_empty() {
            "no image release at all".to_string()
        } else {
            let tags: Vec<&str> = known.iter().map(|(t, _)| *t).collect();
            format!("no release {app}; image releases are {}", tags.join(", "))
        };
        Check::fail(ids::SEMVER_IMAGE_RELEASE, TITLE, expected, list)
    };
    check.with_evidence(&releases.source)
}

/// What alignment looks at for one chart release.
#[derive(Debug, Clone, Copy)]
pub struct ReleaseVersions<'a> {
    pub chart: &'a str,
    pub version: &'a str,
    /// The tag the chart was published under, or why it is not known.
    pub release_tag: Result<&'a str, &'a str>,
    pub app_version: Option<&'a str>,
    /// The tag the chart's values set for its image (`None`: defaults to appVersion).
    pub image_tag: Option<&'a str>,
}

/// All five alignment checks of one release, in their report order.
pub fn check_release(
    release: &ReleaseVersions<'_>,
    index: &[ChartPoint],
    images: Result<&ImageReleases, &str>,
    policy: Policy,
) -> Vec<Check> {
    vec![
        chart_version(release.chart, release.version, policy),
        release_tag(release.chart, release.version, release.release_tag),
        app_version(release.app_version, release.image_tag, policy),
        no_downgrade(release.version, release.app_version, index, policy),
        image_release(release.app_version, images),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Outcome;

    const P: Policy = Policy {
        allow_prerelease: false,
    };

    #[test]
    fn chart_version_rejects_v_prefix_moving_and_non_semver() {
        assert!(chart_version("c", "1.3.2", P).passed());
        let c = chart_version("c", "v1.3.2", P);
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(c.found.contains("leading `v`"), "{c:?}");
        assert!(c.expected.contains("without `v`"));
        for bad in ["1.3", "01.2.3", "1.2.3.4", "main", "", "1.2.x"] {
            assert_eq!(chart_version("c", bad, P).outcome, Outcome::Fail, "{bad}");
        }
        let pre = chart_version("c", "1.4.0-rc.1", P);
        assert_eq!(pre.outcome, Outcome::Fail);
        assert!(pre.found.contains("pre-release"));
        assert!(
            chart_version(
                "c",
                "1.4.0-rc.1",
                Policy {
                    allow_prerelease: true
                }
            )
            .passed()
        );
    }

    #[test]
    fn moving_tags_and_aliases() {
        for t in ["main", "latest", "LATEST", "v1", "v1.3", "1", "edge"] {
            assert!(is_moving_tag(t), "{t}");
        }
        for t in ["v1.3.1", "1.3.1", "v1.3.1-rc.1", "feature"] {
            assert!(!is_moving_tag(t), "{t}");
        }
    }

    #[test]
    fn app_version_and_image_tag_must_be_equal_v_semver() {
        assert!(app_version(Some("v1.3.1"), None, P).passed());
        assert!(app_version(Some("v1.3.1"), Some("v1.3.1"), P).passed());
        let c = app_version(Some("v1.3.1"), Some("main"), P);
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(
            c.found.contains("\"main\"") && c.found.contains("moving"),
            "{c:?}"
        );
        assert!(c.expected.contains("v1.3.1"));
        let c = app_version(Some("1.3.1"), None, P);
        assert!(c.found.contains("lacks the leading `v`"), "{c:?}");
        let c = app_version(Some("latest"), None, P);
        assert!(c.found.contains("moving"), "{c:?}");
        let c = app_version(Some("v1.3.1"), Some("v1.3.0"), P);
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(c.found.contains("v1.3.0") && c.found.contains("v1.3.1"));
        assert_eq!(app_version(None, None, P).outcome, Outcome::Fail);
        assert_eq!(
            app_version(Some("v2.0.0-beta.1"), None, P).outcome,
            Outcome::Fail
        );
    }

    /// The check as a plain scan of the index (what [`ChartHistory`] answers in O(log n)).
    fn no_downgrade_by_scan(
        version: &str,
        app: &str,
        index: &[ChartPoint],
        policy: Policy,
    ) -> Check {
        let (Ok(this), Ok(app_v)) = (parse_bare(version), parse_v(app)) else {
            return ChartHistory::new(&[], policy).no_downgrade(version, Some(app));
        };
        let mut best: Option<(Version, &ChartPoint, Version)> = None;
        let mut earlier = 0;
        for p in index {
            let Ok(v) = parse_bare(&p.version) else {
                continue;
            };
            if v >= this || (!v.pre.is_empty() && !policy.allow_prerelease) {
                continue;
            }
            let Some(Ok(a)) = p.app_version.as_deref().map(parse_v) else {
                continue;
            };
            earlier += 1;
            if best.as_ref().is_none_or(|(b, _, _)| a > *b) {
                best = Some((a, p, v));
            }
        }
        let t = "no newer chart points at an older image than an earlier chart";
        match best {
            None => Check::pass(
                ids::SEMVER_NO_DOWNGRADE,
                t,
                format!("appVersion {app} not older than any earlier chart's"),
                format!("chart {this} is the first release with an image in the index"),
            ),
            Some((b, p, v)) => {
                let expected = format!(
                    "appVersion >= v{b} (chart {v}, the newest image among {earlier} earlier charts)"
                );
                if app_v < b {
                    let found = format!(
                        "chart {this} points at {app}, older than chart {} → {}",
                        p.version,
                        p.app_version.as_deref().unwrap_or_default()
                    );
                    Check::fail(ids::SEMVER_NO_DOWNGRADE, t, expected, found)
                } else {
                    Check::pass(
                        ids::SEMVER_NO_DOWNGRADE,
                        t,
                        expected,
                        format!("chart {this} → {app}"),
                    )
                }
            }
        }
    }

    #[test]
    fn the_ordered_history_answers_as_a_scan_of_the_index_does() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let version = |rng: &mut rand_chacha::ChaCha8Rng| {
            let pre = if rng.gen_bool(0.2) { "-rc.1" } else { "" };
            match rng.gen_range(0..10) {
                0 => "main".to_string(),
                1 => format!("v1.{}.0", rng.gen_range(0..4)),
                _ => format!(
                    "{}.{}.{}{pre}",
                    rng.gen_range(0..3),
                    rng.gen_range(0..3),
                    rng.gen_range(0..2)
                ),
            }
        };
        for round in 0..300 {
            let index: Vec<ChartPoint> = (0..rng.gen_range(0..12))
                .map(|_| {
                    let v = version(&mut rng);
                    let a = match rng.gen_range(0..8) {
                        0 => None,
                        1 => Some("latest".to_string()),
                        _ => Some(format!("v{}", version(&mut rng).trim_start_matches('v'))),
                    };
                    ChartPoint::new(v, a)
                })
                .collect();
            for allow_prerelease in [false, true] {
                let policy = Policy { allow_prerelease };
                let history = ChartHistory::new(&index, policy);
                for p in &index {
                    let app = p.app_version.as_deref().unwrap_or("v1.0.0");
                    assert_eq!(
                        history.no_downgrade(&p.version, Some(app)),
                        no_downgrade_by_scan(&p.version, app, &index, policy),
                        "round {round}, {p:?} in {index:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn downgrade_is_caught_against_the_newest_earlier_image() {
        let index = vec![
            ChartPoint::new("1.0.0", Some("v1.0.0")),
            ChartPoint::new("1.1.0", Some("v1.2.0")),
            ChartPoint::new("1.2.0", Some("v1.1.0")),
            ChartPoint::new("2.0.0", Some("v2.0.0")),
        ];
        assert!(no_downgrade("1.1.0", Some("v1.2.0"), &index, P).passed());
        let c = no_downgrade("1.2.0", Some("v1.1.0"), &index, P);
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(c.expected.contains(">= v1.2.0"), "{c:?}");
        assert!(
            c.found.contains("v1.1.0") && c.found.contains("chart 1.1.0"),
            "{c:?}"
        );
        assert!(no_downgrade("2.0.0", Some("v2.0.0"), &index, P).passed());
        assert!(no_downgrade("1.0.0", Some("v1.0.0"), &index, P).passed());
        // Not orderable: reported as not run, never passed.
        assert_eq!(
            no_downgrade("v1.0.0", Some("v1.0.0"), &index, P).outcome,
            Outcome::NotRun
        );
    }

    #[test]
    fn image_release_must_exist() {
        let r = ImageReleases::new(["v1.0.0", "v1.1.0", "main", "sha256-abc"], "registry tags");
        assert!(image_release(Some("v1.1.0"), Ok(&r)).passed());
        let c = image_release(Some("v1.2.0"), Ok(&r));
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(c.found.contains("v1.0.0, v1.1.0") && !c.found.contains("main"));
        assert_eq!(image_release(Some("main"), Ok(&r)).outcome, Outcome::Fail);
        assert_eq!(
            image_release(Some("v1.1.0"), Err("registry unreachable")).outcome,
            Outcome::NotRun
        );
    }

    #[test]
    fn release_tag_compares_and_unknown_is_not_run() {
        assert!(release_tag("g", "1.3.2", Ok("g-1.3.2")).passed());
        let c = release_tag("g", "1.3.2", Ok("v1.3.2"));
        assert_eq!(
            (c.expected.as_str(), c.found.as_str()),
            ("g-1.3.2", "v1.3.2")
        );
        assert_eq!(
            release_tag("g", "1.3.2", Err("not a GitHub release URL")).outcome,
            Outcome::NotRun
        );
    }
}
