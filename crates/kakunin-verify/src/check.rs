//! Checks: the unit of every verdict kakunin gives.
//!
//! Every verification step yields a [`Check`]: a stable id, an [`Outcome`], what was expected,
//! what was found, and the evidence looked at. A failing check never hides the others, and a
//! check that could not run is never counted as passed ([`verdict`]).

use serde::Serialize;

use crate::exit::ExitCode;

pub mod spec;

pub use spec::CheckSpec;

/// The stable check ids of the JSON report (add, never rename; see `docs/report.md`): the ids
/// of [`spec::SPECS`]. A new check is a [`CheckSpec`] in `check/spec.rs` and its id here.
pub mod ids {
    use super::spec;

    // Single-bundle verification (verify-bundle, and the bundle inside every other command).
    pub const BUNDLE_SIGNATURE: &str = spec::BUNDLE_SIGNATURE.id;
    pub const BUNDLE_IDENTITY: &str = spec::BUNDLE_IDENTITY.id;
    pub const BUNDLE_ISSUER: &str = spec::BUNDLE_ISSUER.id;
    pub const BUNDLE_GITHUB_CLAIMS: &str = spec::BUNDLE_GITHUB_CLAIMS.id;
    // Attestations (verify-attestation).
    pub const ATTESTATION_PAYLOAD_TYPE: &str = spec::ATTESTATION_PAYLOAD_TYPE.id;
    pub const ATTESTATION_STATEMENT: &str = spec::ATTESTATION_STATEMENT.id;
    pub const ATTESTATION_SUBJECT: &str = spec::ATTESTATION_SUBJECT.id;
    pub const ATTESTATION_PREDICATE_TYPE: &str = spec::ATTESTATION_PREDICATE_TYPE.id;
    pub const ATTESTATION_PROVENANCE: &str = spec::ATTESTATION_PROVENANCE.id;
    pub const ATTESTATION_ENVELOPE: &str = spec::ATTESTATION_ENVELOPE.id;
    pub const ATTESTATION_WORKFLOW_REPOSITORY: &str = spec::ATTESTATION_WORKFLOW_REPOSITORY.id;
    pub const ATTESTATION_WORKFLOW_REF: &str = spec::ATTESTATION_WORKFLOW_REF.id;
    pub const ATTESTATION_WORKFLOW_PATH: &str = spec::ATTESTATION_WORKFLOW_PATH.id;
    pub const ATTESTATION_SOURCE_COMMIT: &str = spec::ATTESTATION_SOURCE_COMMIT.id;
    pub const ATTESTATION_BUILDER_ID: &str = spec::ATTESTATION_BUILDER_ID.id;
    pub const ATTESTATION_RUNNER_ENVIRONMENT: &str = spec::ATTESTATION_RUNNER_ENVIRONMENT.id;
    // Container images (verify-image): cosign's simple-signing payload, the image's signatures
    // and attestations.
    pub const COSIGN_PAYLOAD: &str = spec::COSIGN_PAYLOAD.id;
    pub const COSIGN_DOCKER_REFERENCE: &str = spec::COSIGN_DOCKER_REFERENCE.id;
    pub const IMAGE_SIGNATURE: &str = spec::IMAGE_SIGNATURE.id;
    pub const IMAGE_ATTESTATION: &str = spec::IMAGE_ATTESTATION.id;
    pub const IMAGE_PLATFORM: &str = spec::IMAGE_PLATFORM.id;
    // A chart release (verify).
    pub const CHART_INDEX_DIGEST: &str = spec::CHART_INDEX_DIGEST.id;
    pub const CHART_METADATA: &str = spec::CHART_METADATA.id;
    pub const CHART_PROV: &str = spec::CHART_PROV.id;
    pub const CHART_BUNDLE: &str = spec::CHART_BUNDLE.id;
    pub const CHART_SUBJECT: &str = spec::CHART_SUBJECT.id;
    pub const CHART_ENVELOPE: &str = spec::CHART_ENVELOPE.id;
    pub const CHART_PACKAGE: &str = spec::CHART_PACKAGE.id;
    pub const CHART_OCI_MANIFEST: &str = spec::CHART_OCI_MANIFEST.id;
    pub const CHART_OCI_LAYER: &str = spec::CHART_OCI_LAYER.id;
    pub const CHART_SIGNATURE: &str = spec::CHART_SIGNATURE.id;
    pub const CHART_ATTESTATION: &str = spec::CHART_ATTESTATION.id;
    pub const IMAGE_REFERENCE: &str = spec::IMAGE_REFERENCE.id;
    pub const IMAGE_REGISTRY_DIGEST: &str = spec::IMAGE_REGISTRY_DIGEST.id;
    pub const IMAGE_BUNDLE: &str = spec::IMAGE_BUNDLE.id;
    pub const IMAGE_ENVELOPE: &str = spec::IMAGE_ENVELOPE.id;
    pub const IMAGE_REGISTRY_ATTESTATION: &str = spec::IMAGE_REGISTRY_ATTESTATION.id;
    pub const IMAGE_SUBJECT: &str = spec::IMAGE_SUBJECT.id;
    pub const IMAGE_SOURCE_REF: &str = spec::IMAGE_SOURCE_REF.id;
    pub const SEMVER_CHART_VERSION: &str = spec::SEMVER_CHART_VERSION.id;
    pub const SEMVER_RELEASE_TAG: &str = spec::SEMVER_RELEASE_TAG.id;
    pub const SEMVER_APP_VERSION: &str = spec::SEMVER_APP_VERSION.id;
    pub const SEMVER_NO_DOWNGRADE: &str = spec::SEMVER_NO_DOWNGRADE.id;
    pub const SEMVER_IMAGE_RELEASE: &str = spec::SEMVER_IMAGE_RELEASE.id;
    // Every image a chart deploys, under a policy (verify --policy, docs/policy.md).
    pub const IMAGE_PINNED: &str = spec::IMAGE_PINNED.id;
    pub const IMAGE_POLICY: &str = spec::IMAGE_POLICY.id;
}

/// What became of a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The check ran and what was found is what was expected.
    Pass,
    /// The check ran and what was found is not what was expected.
    Fail,
    /// The check could not run (missing evidence, a fetch failed, a prerequisite failed).
    /// Never counted as passed.
    NotRun,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable id, one of [`ids`].
    pub id: &'static str,
    /// What was checked, in words a person understands at a glance.
    pub title: String,
    pub outcome: Outcome,
    /// What the check expected.
    pub expected: String,
    /// What the check found (or why it could not run).
    pub found: String,
    /// Which evidence was looked at: file paths, URLs, digests.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// A failed check whose evidence kakunin cannot check at all (every signature found is by
    /// a key or certificate of an algorithm it cannot verify with, "unsupported algorithm
    /// NAME" in `found`): the verdict is an input error (exit 2), never a bad signature,
    /// unless another check failed. Built by [`Check::unsupported`].
    #[serde(skip)]
    pub input_error: bool,
}

impl Check {
    /// A check that ran and passed.
    pub fn pass(
        id: &'static str,
        title: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        Check::new(id, title, Outcome::Pass, expected, found)
    }

    /// A check that ran and failed.
    pub fn fail(
        id: &'static str,
        title: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        Check::new(id, title, Outcome::Fail, expected, found)
    }

    /// A failed check whose evidence is of an algorithm kakunin cannot verify with (`found`
    /// says "unsupported algorithm NAME"): exit 2 rather than 1 (see [`Check::input_error`]).
    pub fn unsupported(
        id: &'static str,
        title: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        let mut c = Check::new(id, title, Outcome::Fail, expected, found);
        c.input_error = true;
        c
    }

    /// A check that could not run; `why` goes in `found`.
    pub fn not_run(
        id: &'static str,
        title: impl Into<String>,
        expected: impl Into<String>,
        why: impl Into<String>,
    ) -> Check {
        Check::new(id, title, Outcome::NotRun, expected, why)
    }

    /// Checks with one id made one (a check id appears once per report): the first one's
    /// place, the worst outcome (failed, else could not run, else passed), and each distinct
    /// title, expectation and finding, in order (`provenance X = A and B` for titles that
    /// differ only after ` = `).
    pub fn merge_same_ids(checks: Vec<Check>) -> Vec<Check> {
        let mut groups: Vec<Vec<Check>> = Vec::new();
        for c in checks {
            match groups.iter_mut().find(|g| g[0].id == c.id) {
                Some(g) => g.push(c),
                None => groups.push(vec![c]),
            }
        }
        groups.into_iter().map(merge_group).collect()
    }

    /// Pass when `ok` (a comparison `found == expected` cannot express), fail otherwise.
    pub fn pass_if(
        ok: bool,
        id: &'static str,
        title: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
        Check::new(id, title, outcome, expected, found)
    }

    /// Pass when `found == expected`, fail otherwise.
    pub fn compare(
        id: &'static str,
        title: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        let (expected, found) = (expected.into(), found.into());
        let outcome = if expected == found {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        Check::new(id, title, outcome, expected, found)
    }

    fn new(
        id: &'static str,
        title: impl Into<String>,
        outcome: Outcome,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Check {
        Check {
            id,
            title: title.into(),
            outcome,
            expected: expected.into(),
            found: found.into(),
            evidence: Vec::new(),
            input_error: false,
        }
    }

    /// Adds a piece of evidence (a path, a URL, a digest) the check looked at.
    pub fn with_evidence(mut self, evidence: impl Into<String>) -> Check {
        self.evidence.push(evidence.into());
        self
    }

    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Pass
    }
}

/// The exit code a list of checks deserves: any failure → 1; else a failure that is an input
/// error ([`Check::input_error`]: evidence of an unsupported algorithm) → 2; else anything not
/// run (or no check at all) → 3; else 0. An empty list is never "verified".
pub fn verdict<'a>(checks: impl IntoIterator<Item = &'a Check>) -> ExitCode {
    let (mut any, mut failed, mut input, mut not_run) = (false, false, false, false);
    for check in checks {
        any = true;
        match check.outcome {
            Outcome::Pass => {}
            Outcome::Fail if check.input_error => input = true,
            Outcome::Fail => failed = true,
            Outcome::NotRun => not_run = true,
        }
    }
    if failed {
        ExitCode::Failed
    } else if input {
        ExitCode::Usage
    } else if not_run || !any {
        ExitCode::Fetch
    } else {
        ExitCode::Verified
    }
}

/// Each string once, in order.
fn distinct(parts: Vec<&str>) -> Vec<&str> {
    let mut seen: Vec<&str> = Vec::new();
    for p in parts {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen
}

/// One check from checks with the same id (see [`Check::merge_same_ids`]).
fn merge_group(mut group: Vec<Check>) -> Check {
    if group.len() == 1 {
        return group.remove(0);
    }
    let titles = distinct(group.iter().map(|c| c.title.as_str()).collect());
    let split: Vec<Option<(&str, &str)>> = titles.iter().map(|t| t.split_once(" = ")).collect();
    let title = match split.first().copied().flatten() {
        Some((lhs, _)) if split.iter().all(|s| s.is_some_and(|(l, _)| l == lhs)) => format!(
            "{lhs} = {}",
            split
                .iter()
                .filter_map(|s| s.map(|(_, r)| r))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
        _ => titles.join("; "),
    };
    // One value when they are all the same, else each in order (expected and found line up).
    let values = |f: fn(&Check) -> &str| {
        let all: Vec<&str> = group.iter().map(f).collect();
        match distinct(all.clone()).len() {
            1 => all[0].to_string(),
            _ => all.join("; "),
        }
    };
    let expected = values(|c| c.expected.as_str());
    let found = values(|c| c.found.as_str());
    let outcome = if group.iter().any(|c| c.outcome == Outcome::Fail) {
        Outcome::Fail
    } else if group.iter().any(|c| c.outcome == Outcome::NotRun) {
        Outcome::NotRun
    } else {
        Outcome::Pass
    };
    let mut evidence: Vec<String> = Vec::new();
    for e in group.iter().flat_map(|c| c.evidence.iter()) {
        if !evidence.contains(e) {
            evidence.push(e.clone());
        }
    }
    let mut c = Check::new(group[0].id, title, outcome, expected, found);
    c.evidence = evidence;
    // An input error only when every failure merged in is one.
    c.input_error = group
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .all(|c| c.input_error);
    c.input_error &= outcome == Outcome::Fail;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_never_says_verified_for_checks_that_did_not_run() {
        let pass = Check::pass(ids::CHART_INDEX_DIGEST, "t", "a", "a");
        let not_run = Check::not_run(ids::CHART_PROV, "t", "a", "no keyring");
        let fail = Check::compare(ids::CHART_SUBJECT, "t", "a", "b");
        assert_eq!(fail.outcome, Outcome::Fail);
        assert_eq!(verdict([&pass]), ExitCode::Verified);
        assert_eq!(verdict([&pass, &not_run]), ExitCode::Fetch);
        assert_eq!(verdict([&not_run, &fail, &pass]), ExitCode::Failed);
        assert_eq!(verdict(std::iter::empty::<&Check>()), ExitCode::Fetch);
        // Evidence of an unsupported algorithm: exit 2, unless something else failed.
        let unsupported =
            Check::unsupported(ids::IMAGE_SIGNATURE, "t", "a", "unsupported algorithm X");
        assert_eq!(unsupported.outcome, Outcome::Fail);
        assert_eq!(verdict([&pass, &unsupported, &not_run]), ExitCode::Usage);
        assert_eq!(verdict([&unsupported, &fail]), ExitCode::Failed);
        let merged = Check::merge_same_ids(vec![unsupported.clone(), unsupported.clone()]);
        assert_eq!(verdict(&merged), ExitCode::Usage);
        let merged = Check::merge_same_ids(vec![
            unsupported,
            Check::fail(ids::IMAGE_SIGNATURE, "t", "a", "b"),
        ]);
        assert_eq!(verdict(&merged), ExitCode::Failed);
    }

    #[test]
    fn checks_with_one_id_are_merged_into_one_with_the_worst_outcome() {
        let merged = Check::merge_same_ids(vec![
            Check::pass(
                ids::ATTESTATION_WORKFLOW_REPOSITORY,
                "p = the certificate's",
                "r",
                "r",
            ),
            Check::pass(ids::ATTESTATION_WORKFLOW_REF, "ref", "a", "a"),
            Check::fail(
                ids::ATTESTATION_WORKFLOW_REPOSITORY,
                "p = --repository",
                "o",
                "r",
            ),
        ]);
        assert_eq!(merged.len(), 2);
        let repo = &merged[0];
        assert_eq!(repo.id, ids::ATTESTATION_WORKFLOW_REPOSITORY);
        assert_eq!(repo.outcome, Outcome::Fail);
        assert_eq!(repo.title, "p = the certificate's and --repository");
        assert_eq!((repo.expected.as_str(), repo.found.as_str()), ("r; o", "r"));
        let claims = Check::merge_same_ids(vec![
            Check::pass(ids::BUNDLE_GITHUB_CLAIMS, "a", "x", "x"),
            Check::fail(ids::BUNDLE_GITHUB_CLAIMS, "b", "y", "x"),
        ]);
        assert_eq!(
            (claims[0].expected.as_str(), claims[0].found.as_str()),
            ("x; y", "x")
        );
        assert_eq!(merged[1].outcome, Outcome::Pass);
        let not_run = Check::merge_same_ids(vec![
            Check::pass(ids::BUNDLE_GITHUB_CLAIMS, "a", "x", "x"),
            Check::not_run(ids::BUNDLE_GITHUB_CLAIMS, "b", "y", "no cert"),
        ]);
        assert_eq!(not_run.len(), 1);
        assert_eq!(not_run[0].outcome, Outcome::NotRun);
        assert_eq!(not_run[0].title, "a; b");
    }
}
