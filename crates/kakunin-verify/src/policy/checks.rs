//! The per-image checks a policy asks of every image a chart deploys: `image.policy` (a rule
//! covers the image's repository; fail-closed) and `image.pinned` (digest-pinned, or resolved
//! by a tag the rule allows, never a moving tag; the rule's tag rules). Pure: the registry's
//! answer for a tag is passed in.
//!
//! Guarantees: an image no rule covers fails `image.policy` with the rules it was compared
//! with; one listed under `allow_unverified` passes it with the report saying it is deployed
//! unverified; an image without a digest passes `image.pinned` only when its rule allows
//! resolving by tag, the tag does not move, and the registry resolved it (not run otherwise);
//! a pinned image whose registry serves a manifest that does not hash to the pin, or a tag
//! answer whose bytes are not what the registry says, fails `image.pinned` naming the expected
//! and the found digest (present but wrong is a failure, not a fetch that could not be made).

use crate::chart::images::ChartImage;
use crate::check::{Check, ids};
use crate::digest::Digest;

use super::{Coverage, ImageRule, Policy};

const T_POLICY: &str = "a policy rule covers the image";
const T_PINNED: &str = "the image is pinned by digest (or resolved by an allowed, non-moving tag)";

/// What the registry served for an image's manifest: asked by the pinned digest, or by the tag
/// its rule allows resolving.
#[derive(Debug, Clone)]
pub enum Served {
    /// A manifest whose bytes hash to this digest (for a digest asked for: that digest).
    Manifest(Digest),
    /// Bytes that are not what was asked for (present but wrong): why, naming the expected and
    /// the found digest.
    Wrong(String),
    /// The registry could not be asked, or did not answer with a manifest.
    Unavailable(String),
}

/// The repository an image is matched by: `registry/path` as oci-client normalises it
/// (`nginx` is `docker.io/library/nginx`), or why the reference is not valid.
pub fn normalised_repository(
    image: &ChartImage,
) -> Result<(oci_spec::distribution::Reference, String), String> {
    let r = image.reference().map_err(|e| e.to_string())?;
    let repo = format!("{}/{}", r.registry(), r.repository());
    Ok((r, repo))
}

/// `image.policy` for one image.
pub fn policy_check(policy: &Policy, image: &ChartImage, repository: &str) -> Check {
    let title = format!("{}: {T_POLICY}", image.display());
    let globs: Vec<&str> = policy
        .images()
        .iter()
        .map(|r| r.repository().as_str())
        .collect();
    let expected = format!(
        "an images rule ({}) or an allow_unverified entry covering {repository}",
        if globs.is_empty() {
            "none in the policy".to_string()
        } else {
            globs.join(", ")
        }
    );
    let check = match policy.coverage(repository) {
        Coverage::Rule(r) => Check::pass(
            ids::IMAGE_POLICY,
            title,
            expected,
            format!("covered by the images rule {}", r.repository().as_str()),
        ),
        Coverage::Unverified(g) => Check::pass(
            ids::IMAGE_POLICY,
            title,
            expected,
            format!(
                "listed under allow_unverified ({}): deployed WITHOUT verification",
                g.as_str()
            ),
        ),
        Coverage::None => Check::fail(
            ids::IMAGE_POLICY,
            title,
            expected,
            format!("no rule covers {repository} (fail-closed)"),
        ),
    };
    check.with_evidence(image.source.to_string())
}

/// `image.pinned` for one image: the digest the image's checks go on with (the pin, or what
/// the allowed tag resolved to), and the check. `served` is the registry's answer for the pin
/// or for the tag, when it was asked (see [`wants_resolution`], [`wants_manifest`]).
pub fn pinned_check(
    policy: &Policy,
    image: &ChartImage,
    repository: &str,
    app_version: Option<&str>,
    served: Option<&Served>,
) -> (Check, Option<Digest>) {
    let rule = match policy.coverage(repository) {
        Coverage::Rule(r) => Some(r),
        _ => None,
    };
    let tag = image.tag.as_deref().unwrap_or("latest");
    let (expected, problems) = tag_rules(policy, rule, tag, app_version);
    let mut pinned = Pinned {
        title: format!("{}: {T_PINNED}", image.display()),
        expected,
        evidence: image.source.to_string(),
        problems,
    };
    match &image.digest {
        Some(d) => pinned.by_digest(d, served),
        None if policy.versions().is_moving(tag) => {
            let why = format!(
                "no digest, and {tag} is a moving tag: it names a different image tomorrow"
            );
            (pinned.fail_with(why), None)
        }
        None if !rule.is_some_and(|r| r.resolve_by_tag()) => {
            let why = format!(
                "no digest (tag {tag}), and the policy does not allow resolving {repository} by tag (resolve_by_tag)"
            );
            (pinned.fail_with(why), None)
        }
        None => pinned.by_tag(tag, served),
    }
}

/// What `image.pinned` says of an image: its title, what it expects (a digest, and its rule's
/// tag rules), what the tag rules found wrong, and its evidence (where the image was found).
struct Pinned {
    title: String,
    expected: String,
    evidence: String,
    problems: Vec<String>,
}

impl Pinned {
    fn check(
        &self,
        outcome: fn(&'static str, String, String, String) -> Check,
        found: String,
    ) -> Check {
        outcome(
            ids::IMAGE_PINNED,
            self.title.clone(),
            self.expected.clone(),
            found,
        )
        .with_evidence(self.evidence.clone())
    }

    /// Failed: the tag rules' problems.
    fn fail(&self) -> Check {
        self.check(Check::fail, self.problems.join("; "))
    }

    /// Failed: `first`, then the tag rules' problems.
    fn fail_with(&mut self, first: String) -> Check {
        self.problems.insert(0, first);
        self.fail()
    }

    /// A digest-pinned image: its digest must be sha256, the registry must serve its manifest
    /// (when asked), and the tag rules hold.
    fn by_digest(mut self, d: &str, served: Option<&Served>) -> (Check, Option<Digest>) {
        let digest = match d.parse::<Digest>() {
            Ok(d) if d.algorithm() == crate::digest::Algorithm::Sha256 => d,
            Ok(d) => {
                return (
                    self.check(Check::fail, format!("digest {d} (not sha256)")),
                    None,
                );
            }
            Err(e) => return (self.check(Check::fail, format!("digest {d:?}: {e}")), None),
        };
        let check = match served {
            Some(Served::Wrong(why)) => self.fail_with(format!(
                "pinned by {digest}, but the registry serves other bytes for it: {why}"
            )),
            _ if !self.problems.is_empty() => self.fail(),
            Some(Served::Unavailable(why)) => self.check(
                Check::not_run,
                format!("pinned by {digest}; its manifest could not be fetched: {why}"),
            ),
            Some(Served::Manifest(_)) => self.check(
                Check::pass,
                format!("pinned by {digest} (the registry's manifest for it hashes to it)"),
            ),
            None => self.check(Check::pass, format!("pinned by {digest}")),
        };
        (check, Some(digest))
    }

    /// An image its rule allows resolving by its (non-moving) tag: what the registry answered.
    fn by_tag(mut self, tag: &str, served: Option<&Served>) -> (Check, Option<Digest>) {
        match served {
            Some(Served::Manifest(d)) if self.problems.is_empty() => {
                let found = format!(
                    "no digest; tag {tag} resolved by the registry to {d} (allowed by resolve_by_tag: only as good as the registry's answer now)"
                );
                (self.check(Check::pass, found), Some(d.clone()))
            }
            Some(Served::Manifest(d)) => (self.fail(), Some(d.clone())),
            Some(Served::Wrong(why)) => {
                let why = format!("tag {tag}: the registry's answer is wrong: {why}");
                (self.fail_with(why), None)
            }
            Some(Served::Unavailable(why)) => {
                let found = format!("tag {tag} could not be resolved: {why}");
                (self.check(Check::not_run, found), None)
            }
            None => {
                let found = format!("tag {tag} was not resolved");
                (self.check(Check::not_run, found), None)
            }
        }
    }
}

/// What `image.pinned` expects of an image (a digest, or where its rule allows it a resolved
/// tag; and its rule's tag rules), and what its tag breaks of those rules.
fn tag_rules(
    policy: &Policy,
    rule: Option<&ImageRule>,
    tag: &str,
    app_version: Option<&str>,
) -> (String, Vec<String>) {
    let mut expected = vec!["a sha256 digest".to_string()];
    if rule.is_some_and(|r| r.resolve_by_tag()) {
        expected[0] =
            "a sha256 digest, or a non-moving tag resolved by the registry (resolve_by_tag)".into();
    }
    let mut problems = Vec::new();
    let Some(r) = rule else {
        return (expected.join("; "), problems);
    };
    if r.tag_is_app_version() {
        let want = app_version.unwrap_or("(the chart's appVersion, unknown)");
        expected.push(format!("tag = appVersion {want}"));
        if Some(tag) != app_version {
            problems.push(format!("tag {tag} is not the appVersion {want}"));
        }
    }
    if r.tag_semver() {
        expected.push("a SemVer release tag".into());
        let bare = tag.strip_prefix('v').unwrap_or(tag);
        if policy.versions().is_moving(tag) || semver::Version::parse(bare).is_err() {
            problems.push(format!("tag {tag} is not a SemVer release"));
        } else if !policy.versions().allow_prerelease()
            && semver::Version::parse(bare).is_ok_and(|v| !v.pre.is_empty())
        {
            problems.push(format!(
                "tag {tag} is a pre-release (versions.allow_prerelease is false)"
            ));
        }
    }
    (expected.join("; "), problems)
}

/// The sha256 digest an image under a rule is pinned by, whose manifest the registry must serve
/// (its signatures are verified against that digest); `None` for an image without a (valid
/// sha256) digest, or one no rule covers or listed under `allow_unverified` (nothing of it is
/// fetched).
pub fn wants_manifest(policy: &Policy, image: &ChartImage, repository: &str) -> Option<Digest> {
    let digest: Digest = image.digest.as_deref()?.parse().ok()?;
    (digest.algorithm() == crate::digest::Algorithm::Sha256
        && matches!(policy.coverage(repository), Coverage::Rule(_)))
    .then_some(digest)
}

/// Whether the registry must be asked for the image's tag: no digest, a rule that allows
/// resolving by tag, and a tag that does not move.
pub fn wants_resolution(policy: &Policy, image: &ChartImage, repository: &str) -> bool {
    let tag = image.tag.as_deref().unwrap_or("latest");
    image.digest.is_none()
        && !policy.versions().is_moving(tag)
        && matches!(policy.coverage(repository), Coverage::Rule(r) if r.resolve_by_tag())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::images::ImageSource;
    use crate::check::Outcome;

    const D: &str = "sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8";

    fn policy() -> Policy {
        Policy::parse(
            b"chart: {name: c}\nimages:\n- repository: ghcr.io/o/*\n  signer: {identity: x, issuer: y}\n  tag_is_app_version: true\n  tag_semver: true\n- repository: quay.io/o/tagged\n  signer: {identity: x, issuer: y}\n  resolve_by_tag: true\nallow_unverified: [docker.io/library/busybox]\n",
            "p.yaml",
            None,
        )
        .unwrap()
    }

    fn img(s: &str, tag: Option<&str>, digest: Option<&str>) -> ChartImage {
        ChartImage {
            source: ImageSource::Values("image".into()),
            repository: s.into(),
            tag: tag.map(Into::into),
            tag_from_app_version: false,
            digest: digest.map(Into::into),
        }
    }

    fn pinned(i: &ChartImage, served: Option<&Served>) -> (Check, Option<Digest>) {
        let p = policy();
        let (_, repo) = normalised_repository(i).unwrap();
        pinned_check(&p, i, &repo, Some("v1.2.3"), served)
    }

    #[test]
    fn image_policy_fails_closed_and_names_unverified_images() {
        let p = policy();
        let check = |s: &str| {
            let i = img(s, Some("1"), None);
            let (_, repo) = normalised_repository(&i).unwrap();
            policy_check(&p, &i, &repo)
        };
        let c = check("quay.io/evil/app");
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(
            c.expected.contains("ghcr.io/o/*, quay.io/o/tagged"),
            "{}",
            c.expected
        );
        assert!(
            c.found.contains("no rule covers quay.io/evil/app"),
            "{}",
            c.found
        );
        assert_eq!(check("ghcr.io/o/app").outcome, Outcome::Pass);
        let c = check("busybox");
        assert_eq!(c.outcome, Outcome::Pass);
        assert!(c.found.contains("WITHOUT verification"), "{}", c.found);
        // `*` does not cross a `/`.
        assert_eq!(check("ghcr.io/o/a/b").outcome, Outcome::Fail);
    }

    #[test]
    fn image_pinned_needs_a_digest_or_an_allowed_resolved_tag() {
        let (c, d) = pinned(&img("ghcr.io/o/app", Some("v1.2.3"), Some(D)), None);
        assert_eq!(
            (c.outcome, d.map(|d| d.to_string())),
            (Outcome::Pass, Some(D.to_string()))
        );
        // A tag without a digest, where the rule does not allow resolving.
        let (c, _) = pinned(&img("ghcr.io/o/app", Some("v1.2.3"), None), None);
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(
            c.found.contains("no digest (tag v1.2.3)") && c.found.contains("resolve_by_tag"),
            "{}",
            c.found
        );
        // Moving tags fail even where resolving is allowed.
        for tag in ["latest", "main", "v1"] {
            let (c, _) = pinned(&img("quay.io/o/tagged", Some(tag), None), None);
            assert_eq!(c.outcome, Outcome::Fail, "{tag}");
            assert!(c.found.contains("moving tag"), "{}", c.found);
        }
        let i = img("quay.io/o/tagged", Some("2.0.0"), None);
        let (_, repo) = normalised_repository(&i).unwrap();
        assert!(wants_resolution(&policy(), &i, &repo));
        let (c, d) = pinned(&i, Some(&Served::Manifest(D.parse().unwrap())));
        assert_eq!(c.outcome, Outcome::Pass);
        assert!(
            c.found.contains("resolved by the registry to") && d.is_some(),
            "{}",
            c.found
        );
        let (c, _) = pinned(&i, Some(&Served::Unavailable("HTTP 404".into())));
        assert_eq!(c.outcome, Outcome::NotRun);
        let (c, _) = pinned(
            &i,
            Some(&Served::Wrong("expected digest a, found b".into())),
        );
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(
            c.found.contains("the registry's answer is wrong"),
            "{}",
            c.found
        );
    }

    #[test]
    fn a_pin_whose_manifest_the_registry_serves_wrong_fails() {
        let i = img("ghcr.io/o/app", Some("v1.2.3"), Some(D));
        let (_, repo) = normalised_repository(&i).unwrap();
        assert_eq!(
            wants_manifest(&policy(), &i, &repo).map(|d| d.to_string()),
            Some(D.to_string())
        );
        // Nothing is fetched for an image deployed unverified.
        let busybox = img("busybox", Some("1"), Some(D));
        let (_, repo) = normalised_repository(&busybox).unwrap();
        assert!(wants_manifest(&policy(), &busybox, &repo).is_none());

        let found = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        let why = format!(
            "manifest: expected digest {D}, found {found} (http://r/v2/o/app/manifests/{D})"
        );
        let (c, d) = pinned(&i, Some(&Served::Wrong(why)));
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(
            c.found.contains(&format!("expected digest {D}")) && c.found.contains(found),
            "{}",
            c.found
        );
        assert_eq!(d.map(|d| d.to_string()), Some(D.to_string()));
        let (c, _) = pinned(&i, Some(&Served::Manifest(D.parse().unwrap())));
        assert_eq!(c.outcome, Outcome::Pass);
        let (c, _) = pinned(&i, Some(&Served::Unavailable("HTTP 503".into())));
        assert_eq!(c.outcome, Outcome::NotRun);
        assert!(
            c.found.contains("could not be fetched: HTTP 503"),
            "{}",
            c.found
        );
    }

    #[test]
    fn tag_rules_say_expected_and_found() {
        let (c, _) = pinned(&img("ghcr.io/o/app", Some("v1.2.4"), Some(D)), None);
        assert_eq!(c.outcome, Outcome::Fail);
        assert!(
            c.expected.contains("tag = appVersion v1.2.3"),
            "{}",
            c.expected
        );
        assert!(
            c.found.contains("tag v1.2.4 is not the appVersion v1.2.3"),
            "{}",
            c.found
        );
        let (c, _) = pinned(&img("ghcr.io/o/app", Some("nightly-2024"), Some(D)), None);
        assert!(c.found.contains("not a SemVer release"), "{}", c.found);
        // A malformed digest is not a reference at all (deployed::verify fails image.pinned).
        let e = normalised_repository(&img("ghcr.io/o/app", Some("v1.2.3"), Some("sha256:abc")))
            .unwrap_err();
        assert!(e.contains("64 hex characters"), "{e}");
    }
}
