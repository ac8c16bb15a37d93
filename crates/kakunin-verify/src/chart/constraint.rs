//! Helm's `--version` constraints: the version a `helm install --version V` would choose from a
//! repository index or a registry's tags, chosen the same way here.
//!
//! Helm reads `V` with Masterminds/semver v3 (`NewConstraint`), whose rules differ from Cargo's
//! (the `semver` crate): a bare `1.2` means `~1.2` (not `^1.2`), `1.2.x`/`*` wildcards, `A - B`
//! ranges, `||` alternatives, AND by spaces or commas, and a pre-release is a candidate only
//! when a comparator of its `||` group names a pre-release (any pre-release then, not only one
//! of the same `major.minor.patch`). Build metadata never takes part in a comparison.
//!
//! Guarantees: [`Constraint::parse`] refuses what Helm refuses (an error naming the part), and is
//! bounded ([`MAX_CONSTRAINT_LEN`]); [`pick`] chooses as Helm does: a version equal to `V` as a
//! string first, otherwise the highest version that satisfies the constraint (versions that are
//! not SemVer are never chosen by a range). Kept here (docs/architecture.md): no Rust crate
//! implements Masterminds' rules, and Cargo's differ on the cases above.

use std::cmp::Ordering;
use std::fmt;

/// The longest constraint accepted (Helm has no limit; no real constraint comes near).
pub const MAX_CONSTRAINT_LEN: usize = 1024;

/// A version as Helm reads one (`NewVersion`): `v` allowed, minor and patch optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub pre: semver::Prerelease,
}

impl HelmVersion {
    /// Parses a version the lenient way Helm does; `None` for anything else.
    pub fn parse(s: &str) -> Option<HelmVersion> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let (core, _build) = match s.split_once('+') {
            Some((c, b)) => {
                semver::BuildMetadata::new(b).ok()?;
                (c, Some(b))
            }
            None => (s, None),
        };
        let (nums, pre) = match core.split_once('-') {
            Some((n, p)) => (n, semver::Prerelease::new(p).ok()?),
            None => (core, semver::Prerelease::EMPTY),
        };
        let mut parts = nums.split('.');
        let num = |p: Option<&str>| -> Option<Option<u64>> {
            match p {
                None => Some(None),
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().ok().map(Some)
                }
                Some(_) => None,
            }
        };
        let major = num(parts.next())??;
        let minor = num(parts.next())?.unwrap_or(0);
        let patch = num(parts.next())?.unwrap_or(0);
        if parts.next().is_some() {
            return None;
        }
        Some(HelmVersion {
            major,
            minor,
            patch,
            pre,
        })
    }

    /// SemVer precedence (build metadata ignored, as Masterminds' `Compare`).
    fn cmp(&self, other: &HelmVersion) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(other.major, other.minor, other.patch))
            .then_with(|| self.pre.cmp(&other.pre))
    }

    fn core_is_zero(&self) -> bool {
        self.major == 0 && self.minor == 0 && self.patch == 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

#[derive(Debug, Clone)]
struct Comparator {
    op: Op,
    con: HelmVersion,
    /// Some part was a wildcard or missing (`1.2`, `1.x`, `*`).
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// A parsed `--version` constraint.
#[derive(Debug, Clone)]
pub struct Constraint {
    text: String,
    /// `||` alternatives, each an AND of comparators and whether one of them names a
    /// pre-release.
    groups: Vec<(Vec<Comparator>, bool)>,
}

/// Why a constraint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid version constraint {constraint:?}: {reason}")]
pub struct ConstraintError {
    pub constraint: String,
    pub reason: String,
}

const OPS: [(&str, Op); 12] = [
    // Longest first, so that `>=` is not read as `>` then `=`.
    ("!=", Op::NotEqual),
    (">=", Op::GreaterEqual),
    ("=>", Op::GreaterEqual),
    ("<=", Op::LessEqual),
    ("=<", Op::LessEqual),
    ("~>", Op::Tilde),
    (">", Op::Greater),
    ("<", Op::Less),
    ("=", Op::TildeOrEqual),
    ("~", Op::Tilde),
    ("^", Op::Caret),
    ("", Op::TildeOrEqual),
];

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

/// The length of a version token (`v?N(.N)?(.N)?(-pre)?(+build)?`, N digits or a wildcard) at
/// the start of `s`.
fn version_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'v'));
    let part = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && (b[*i].is_ascii_digit() || matches!(b[*i], b'x' | b'X' | b'*')) {
            *i += 1;
        }
        *i > start
    };
    if !part(&mut i) {
        return 0;
    }
    for _ in 0..2 {
        if b.get(i) == Some(&b'.') {
            let mut j = i + 1;
            if part(&mut j) {
                i = j;
            } else {
                break;
            }
        }
    }
    for sep in [b'-', b'+'] {
        if b.get(i) == Some(&sep) {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_alphanumeric() || matches!(b[j], b'-' | b'.')) {
                j += 1;
            }
            if j > i + 1 {
                i = j;
            }
        }
    }
    i
}

fn comparator(op: Op, token: &str) -> Result<Comparator, String> {
    let t = token.strip_prefix('v').unwrap_or(token);
    let t = t.split_once('+').map_or(t, |(c, _)| c);
    let (nums, pre) = match t.split_once('-') {
        Some((n, p)) => (
            n,
            semver::Prerelease::new(p).map_err(|e| format!("{token:?}: {e}"))?,
        ),
        None => (t, semver::Prerelease::EMPTY),
    };
    let parts: Vec<&str> = nums.split('.').collect();
    let get = |i: usize| parts.get(i).copied().filter(|p| !is_x(p));
    let num = |p: &str| {
        p.parse::<u64>()
            .map_err(|_| format!("{token:?}: {p:?} is not a number or a wildcard"))
    };
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let con = match (get(0), get(1), get(2)) {
        (None, _, _) => {
            dirty = true;
            (0, 0, 0)
        }
        (Some(m), None, _) => {
            dirty = true;
            minor_dirty = true;
            (num(m)?, 0, 0)
        }
        (Some(m), Some(n), None) => {
            dirty = true;
            patch_dirty = true;
            (num(m)?, num(n)?, 0)
        }
        (Some(m), Some(n), Some(p)) => (num(m)?, num(n)?, num(p)?),
    };
    Ok(Comparator {
        op,
        con: HelmVersion {
            major: con.0,
            minor: con.1,
            patch: con.2,
            pre,
        },
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

/// One `||` alternative: comparators separated by whitespace or a comma.
fn group(s: &str) -> Result<Vec<Comparator>, String> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    if rest.trim().is_empty() {
        return Err("an empty alternative".into());
    }
    loop {
        let (op_text, op) = OPS
            .iter()
            .find(|(t, _)| rest.starts_with(t))
            .copied()
            .unwrap_or(("", Op::TildeOrEqual));
        let after_op = rest[op_text.len()..].trim_start();
        let n = version_len(after_op);
        if n == 0 {
            return Err(format!("expected a version at {rest:?}"));
        }
        out.push(comparator(op, &after_op[..n])?);
        let tail = &after_op[n..];
        let trimmed = tail.trim_start();
        if trimmed.is_empty() {
            return Ok(out);
        }
        rest = if let Some(r) = trimmed.strip_prefix(',') {
            r.trim_start()
        } else if trimmed.len() < tail.len() {
            trimmed
        } else {
            return Err(format!("expected a space or a comma before {trimmed:?}"));
        };
        if rest.is_empty() {
            return Err("a trailing comma".into());
        }
    }
}

/// `A - B` (spaces around the dash) is `>= A, <= B`.
fn rewrite_ranges(s: &str) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let is_version = |w: &str| !w.is_empty() && version_len(w) == w.len();
        if i + 2 < words.len()
            && words[i + 1] == "-"
            && is_version(words[i])
            && is_version(words[i + 2])
        {
            out.push(format!(">= {}, <= {}", words[i], words[i + 2]));
            i += 3;
        } else {
            out.push(words[i].to_string());
            i += 1;
        }
    }
    out.join(" ")
}

impl Constraint {
    /// Parses a constraint as Helm's `--version` takes it.
    pub fn parse(s: &str) -> Result<Constraint, ConstraintError> {
        let err = |reason: String| ConstraintError {
            constraint: s.chars().take(100).collect(),
            reason,
        };
        if s.len() > MAX_CONSTRAINT_LEN {
            return Err(err(format!(
                "{} bytes: expected at most {MAX_CONSTRAINT_LEN}",
                s.len()
            )));
        }
        let rewritten = rewrite_ranges(s);
        let mut groups = Vec::new();
        for alt in rewritten.split("||") {
            let cs = group(alt).map_err(err)?;
            let has_pre = cs.iter().any(|c| !c.con.pre.is_empty());
            groups.push((cs, has_pre));
        }
        Ok(Constraint {
            text: s.to_string(),
            groups,
        })
    }

    /// Whether `version` (read as Helm reads versions) satisfies the constraint.
    pub fn matches(&self, version: &str) -> bool {
        HelmVersion::parse(version).is_some_and(|v| self.matches_version(&v))
    }

    fn matches_version(&self, v: &HelmVersion) -> bool {
        self.groups
            .iter()
            .any(|(cs, has_pre)| cs.iter().all(|c| c.check(v, *has_pre)))
    }
}

impl fmt::Display for Constraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Comparator {
    fn check(&self, v: &HelmVersion, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        let ord = v.cmp(c);
        match self.op {
            Op::TildeOrEqual if self.dirty => self.tilde(v),
            Op::TildeOrEqual => ord == Ordering::Equal,
            Op::Tilde => self.tilde(v),
            Op::Less => ord == Ordering::Less,
            Op::GreaterEqual => ord != Ordering::Less,
            Op::NotEqual => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        return (!v.pre.is_empty() || !c.pre.is_empty()) && v.pre != c.pre;
                    }
                }
                ord != Ordering::Equal
            }
            Op::Greater => {
                if !self.dirty {
                    return ord == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                ord == Ordering::Greater
            }
            Op::LessEqual => {
                if !self.dirty {
                    return ord != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            Op::Caret => {
                if ord == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                v.patch == c.patch
            }
        }
    }

    fn tilde(&self, v: &HelmVersion) -> bool {
        let c = &self.con;
        if v.cmp(c) == Ordering::Less {
            return false;
        }
        if c.core_is_zero() && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }
}

/// What Helm's `--devel` means when no `--version` is given: any version, pre-releases too.
pub const DEVEL: &str = ">0.0.0-0";

/// Chooses a version as Helm does for `--version request` (`None`: the newest release, `*`):
/// one equal to the request as a string, else the highest that satisfies the constraint.
pub fn pick<'a>(
    versions: impl IntoIterator<Item = &'a str> + Clone,
    request: Option<&str>,
) -> Result<Option<&'a str>, ConstraintError> {
    if let Some(r) = request
        && let Some(exact) = versions.clone().into_iter().find(|v| *v == r)
    {
        return Ok(Some(exact));
    }
    let constraint = Constraint::parse(request.unwrap_or("*"))?;
    Ok(versions
        .into_iter()
        .filter_map(|v| HelmVersion::parse(v).map(|p| (p, v)))
        .filter(|(p, _)| constraint.matches_version(p))
        .max_by(|(a, _), (b, _)| a.cmp(b))
        .map(|(_, v)| v))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(c: &str, v: &str) -> bool {
        Constraint::parse(c).unwrap().matches(v)
    }

    #[test]
    fn bare_and_equal_versions_with_wildcards_are_tilde_ranges() {
        assert!(m("1.2.3", "1.2.3"));
        assert!(!m("1.2.3", "1.2.4"));
        // Helm: `1.2` is `~1.2` (Cargo would read `^1.2` and take 1.9.0).
        assert!(m("1.2", "1.2.9"));
        assert!(!m("1.2", "1.3.0"));
        assert!(m("1.2.x", "1.2.0"));
        assert!(m("1", "1.9.0"));
        assert!(!m("1", "2.0.0"));
        assert!(m("*", "0.0.1"));
        assert!(m("=1.x", "1.4.0"));
        assert!(m("v1.2.3", "1.2.3+build.7"));
    }

    #[test]
    fn comparisons_and_dirty_bounds_follow_masterminds() {
        assert!(m(">= 1.2.3", "1.2.3"));
        assert!(m(">=1.2.3, <2", "1.9.9"));
        assert!(!m(">=1.2.3, <2", "2.0.0"));
        assert!(m(">=1.2.3 <2.0.0", "1.5.0"));
        assert!(!m(">1.2", "1.2.9"));
        assert!(m(">1.2", "1.3.0"));
        assert!(!m(">1", "1.9.0"));
        assert!(m("<=1.2", "1.2.9"));
        assert!(!m("<=1.2", "1.3.0"));
        assert!(m("!=1.2.3", "1.2.4"));
        assert!(!m("!=1.2.x", "1.2.4"));
        assert!(m("!=1.x", "2.0.0"));
        assert!(m("=>1.0", "1.0.0") && m("=<1.0.0", "0.9.0"));
    }

    #[test]
    fn tilde_caret_ranges_and_alternatives() {
        assert!(m("~1.2.3", "1.2.9") && !m("~1.2.3", "1.3.0") && !m("~1.2.3", "1.2.2"));
        assert!(m("~>1.2", "1.2.5") && !m("~>1.2", "1.3.0"));
        assert!(m("~1", "1.9.0") && !m("~1", "2.0.0"));
        assert!(m("^1.2.3", "1.9.0") && !m("^1.2.3", "2.0.0") && !m("^1.2.3", "1.2.2"));
        assert!(m("^0.2.3", "0.2.9") && !m("^0.2.3", "0.3.0"));
        assert!(m("^0.0.3", "0.0.3") && !m("^0.0.3", "0.0.4"));
        assert!(m("^0.0", "0.0.9") && !m("^0.0", "0.1.0"));
        assert!(m("^0", "0.9.0") && !m("^0", "1.0.0"));
        assert!(m("1.2 - 1.4.5", "1.4.5") && !m("1.2 - 1.4.5", "1.4.6"));
        assert!(m("1.2 - 1.4.5", "1.2.0") && !m("1.2 - 1.4.5", "1.1.9"));
        assert!(m("^1.0 || ^3.0", "3.1.0") && !m("^1.0 || ^3.0", "2.1.0"));
    }

    #[test]
    fn prereleases_are_candidates_only_when_their_group_names_one() {
        assert!(!m("^1.0", "1.5.0-rc.1"));
        assert!(!m("*", "2.0.0-alpha"));
        // Any pre-release once the group names one (not only the same major.minor.patch).
        assert!(m(">=1.0.0-0", "1.5.0-rc.1"));
        assert!(m(">=1.0.0-0 <2", "1.5.0-rc.1"));
        assert!(!m(">=1.0.0-0 <2 || ^3", "3.1.0-rc.1"));
        assert!(m(DEVEL, "0.1.0-alpha.1"));
        assert!(m("1.0.0-rc.1", "1.0.0-rc.1") && !m("1.0.0-rc.1", "1.0.0-rc.2"));
    }

    #[test]
    fn bad_constraints_are_refused_naming_the_part() {
        for bad in [
            "",
            "abc",
            ">=1.0,",
            ">=1.0,,<2",
            ">=1.0<2",
            "1.2.3.4",
            "||",
            "^",
            "1.0 ||",
        ] {
            let e = Constraint::parse(bad).unwrap_err();
            assert!(
                e.to_string().contains("invalid version constraint"),
                "{bad}: {e}"
            );
        }
        let long = "1".repeat(MAX_CONSTRAINT_LEN + 1);
        let e = Constraint::parse(&long).unwrap_err();
        assert!(e.reason.contains("expected at most 1024"), "{e}");
    }

    #[test]
    fn pick_takes_the_exact_string_then_the_highest_match() {
        let vs = ["1.2.0", "1.10.0", "1.9.0", "2.0.0-rc.1", "v1.11.0", "nope"];
        assert_eq!(pick(vs, Some("1.9.0")).unwrap(), Some("1.9.0"));
        assert_eq!(pick(vs, Some("^1.0")).unwrap(), Some("v1.11.0"));
        assert_eq!(pick(vs, Some("~1.9")).unwrap(), Some("1.9.0"));
        assert_eq!(pick(vs, None).unwrap(), Some("v1.11.0"));
        assert_eq!(pick(vs, Some(DEVEL)).unwrap(), Some("2.0.0-rc.1"));
        assert_eq!(pick(vs, Some("nope")).unwrap(), Some("nope"));
        assert_eq!(pick(vs, Some("^3")).unwrap(), None);
        assert!(pick(vs, Some("1.0 || ")).is_err());
    }
}
