//! The release history the world reproduces: GomenHashai's 15 chart releases and 11 image
//! releases, with the same version topology and quirks (`../shared/fixtures/GomenHashai/
//! release-history.tsv`; a test checks this table against it when `../shared` is present, and
//! the world is built from this table so that a fresh clone can build it too).

/// One chart release as the history has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartRelease {
    pub version: &'static str,
    pub app_version: &'static str,
    /// `values.yaml` `image.repository`, exactly as the chart wrote it (0.1.0: upper case).
    pub repository: &'static str,
    /// Whether the chart pins `image.digest` (0.1.0 and 0.1.1 do not).
    pub pins_digest: bool,
}

const OLD: &str = "ghcr.io/marcantoineraymond/gomenhashai";
const NEW: &str = "ghcr.io/gomenhashai/gomenhashai";

const fn r(
    version: &'static str,
    app_version: &'static str,
    repository: &'static str,
    pins_digest: bool,
) -> ChartRelease {
    ChartRelease {
        version,
        app_version,
        repository,
        pins_digest,
    }
}

/// The chart releases, oldest first.
pub const CHARTS: [ChartRelease; 15] = [
    r(
        "0.1.0",
        "v0.1.0",
        "ghcr.io/marcantoineRaymond/gomenhashai",
        false,
    ),
    r("0.1.1", "v0.1.0", OLD, false),
    r("0.2.0", "v0.2.0", OLD, true),
    r("0.3.0", "v0.3.0", OLD, true),
    r("0.4.0", "v0.4.0", OLD, true),
    r("1.0.0", "v1.0.0", OLD, true),
    r("1.1.0", "v1.1.0", OLD, true),
    r("1.1.1", "v1.1.1", OLD, true),
    r("1.1.2", "v1.1.2", OLD, true),
    r("1.1.3", "v1.1.2", OLD, true),
    r("1.2.0", "v1.2.0", OLD, true),
    r("1.2.1", "v1.2.0", OLD, true),
    r("1.3.0", "v1.3.0", OLD, true),
    r("1.3.1", "v1.3.1", NEW, true),
    r("1.3.2", "v1.3.1", NEW, true),
];

/// The image releases (tag, owner whose repository it was pushed to), oldest first. The
/// project moved from `marcantoineraymond` to `gomenhashai` with v1.3.1.
pub const IMAGES: [(&str, &str); 11] = [
    ("v0.1.0", "marcantoineraymond"),
    ("v0.2.0", "marcantoineraymond"),
    ("v0.3.0", "marcantoineraymond"),
    ("v0.4.0", "marcantoineraymond"),
    ("v1.0.0", "marcantoineraymond"),
    ("v1.1.0", "marcantoineraymond"),
    ("v1.1.1", "marcantoineraymond"),
    ("v1.1.2", "marcantoineraymond"),
    ("v1.2.0", "marcantoineraymond"),
    ("v1.3.0", "marcantoineraymond"),
    ("v1.3.1", "gomenhashai"),
];

/// The GitHub repository of the owner at the time of an image release (as certificate
/// identities spell it).
pub fn github_repository(owner: &str) -> &'static str {
    match owner {
        "gomenhashai" => "GomenHashai/GomenHashai",
        _ => "MarcAntoineRaymond/GomenHashai",
    }
}

/// The owner an image release was pushed under.
pub fn image_owner(tag: &str) -> &'static str {
    IMAGES
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, o)| *o)
        .unwrap_or_else(|| panic!("no image release {tag}"))
}

#[test]
fn the_table_is_the_real_history() {
    let Some(dir) = crate::common::shared_fixtures("world::history") else {
        return;
    };
    let tsv = std::fs::read_to_string(dir.join("GomenHashai/release-history.tsv")).unwrap();
    let rows: Vec<Vec<&str>> = tsv
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    assert_eq!(rows.len(), CHARTS.len());
    for (row, chart) in rows.iter().zip(CHARTS.iter()) {
        assert_eq!(row[0], format!("gomenhashai-{}", chart.version));
        assert_eq!(row[1], chart.version);
        assert_eq!(row[2], chart.app_version);
        assert_eq!(row[3], chart.repository, "{}", chart.version);
        assert_eq!(
            row.get(4).is_some_and(|d| !d.is_empty()),
            chart.pins_digest,
            "{}",
            chart.version
        );
        // The repository a chart names is the owner its image was pushed under.
        assert_eq!(
            chart.repository.to_ascii_lowercase(),
            format!("ghcr.io/{}/gomenhashai", image_owner(chart.app_version))
        );
    }
    let mut images: Vec<&str> = rows.iter().map(|r| r[2]).collect();
    images.dedup();
    assert_eq!(images, IMAGES.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    // Chart-only releases pin the same digest as the chart before them.
    for w in rows.windows(2) {
        if w[0][2] == w[1][2]
            && w[1].get(4).is_some_and(|d| !d.is_empty())
            && w[0].len() > 4
            && !w[0][4].is_empty()
        {
            assert_eq!(w[0][4], w[1][4]);
        }
    }
}
