//! Verifying and pinning the images a rendered release deploys (`kakunin post-render`).
//!
//! For each distinct image reference, against a [`Profile`]:
//! - `pin.image-policy`: the image's repository is one of the profile's image repositories
//!   (its signature is then required), or one the user allowed unsigned (`--allow-unsigned`);
//!   any other image fails;
//! - `pin.image-digest`: the digest it runs as: the reference's own digest, or what the
//!   registry resolves its tag to (a tag the registry does not have fails);
//! - `pin.image-signature` (profile images): a Sigstore bundle attached to that digest in the
//!   registry (referrers API or fallback tag) verifies against the profile's trusted root, with
//!   the image workflow's identity for the reference's tag and the profile's issuer, and names
//!   the digest as its subject.
//!
//! Guarantees: a pin (`repo@sha256:…`) is produced only for an image whose checks all passed;
//! a registry that could not be asked makes the check not run (never passed).

use crate::bundle::{self, Artifact, GitHubClaims, Policy};
use crate::check::Check;
use crate::digest::Digest;
use crate::fetch::FetchError;
use crate::profile::Profile;
use crate::registry::{RegistryClient, Repo};
use crate::trust::Trust;

/// Check ids of `post-render` (stable, see docs/post-render.md).
pub mod ids {
    pub const IMAGE_POLICY: &str = "pin.image-policy";
    pub const IMAGE_DIGEST: &str = "pin.image-digest";
    pub const IMAGE_SIGNATURE: &str = "pin.image-signature";
}

/// What an image must satisfy.
pub struct ImagePolicy<'a> {
    pub profile: &'a Profile,
    pub trust: &'a Trust,
    /// Repositories (`docker.io/library/alpine`, or a prefix ending in `/*`) whose images are
    /// pinned by digest without a signature.
    pub unsigned: &'a [String],
}

/// The outcome for one distinct image reference.
#[derive(Debug, Clone)]
pub struct PinnedImage {
    /// The reference as written in the manifests.
    pub reference: String,
    /// `registry/repository` (normalised: `alpine` is `docker.io/library/alpine`).
    pub repository: String,
    /// The tag the reference names, if any.
    pub tag: Option<String>,
    /// The digest it runs as, when known.
    pub digest: Option<Digest>,
    /// The verified signer's identity (profile images whose signature verified).
    pub signer: Option<String>,
    /// The reference to write instead (`repo@sha256:…`), when every check passed and the
    /// reference is not already pinned.
    pub pin: Option<String>,
    /// Whether every check of this image passed.
    pub verified: bool,
}

/// `registry/repository` of a parsed reference.
pub fn repository_of(r: &oci_client::Reference) -> String {
    format!("{}/{}", r.registry(), r.repository())
}

/// Whether `repository` is covered by one of the `--allow-unsigned` patterns.
pub fn allowed_unsigned(patterns: &[String], repository: &str) -> bool {
    patterns.iter().any(|p| match p.strip_suffix("/*") {
        Some(prefix) => repository
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/')),
        None => p == repository,
    })
}

/// The reference as written, without its tag, with `@digest`: `alpine:3` → `alpine@sha256:…`.
pub fn pinned_form(reference: &str, digest: &Digest) -> String {
    let name_end = reference.find('@').unwrap_or(reference.len());
    let name = &reference[..name_end];
    let last_slash = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    let repo = match name[last_slash..].rfind(':') {
        Some(colon) => &name[..last_slash + colon],
        None => name,
    };
    format!("{repo}@{digest}")
}

/// Verifies one image reference (already known to parse) and returns its checks and outcome.
pub async fn verify_image(
    client: &RegistryClient,
    policy: &ImagePolicy<'_>,
    reference: &str,
) -> (Vec<Check>, PinnedImage) {
    let parsed = kakunin_verify::chart::images::parse_reference(reference)
        .expect("the manifests' references are parsed first, by this parser");
    let repository = repository_of(&parsed);
    let mut checks = Vec::new();
    let mut out = PinnedImage {
        reference: reference.to_string(),
        repository: repository.clone(),
        tag: parsed.tag().map(str::to_string),
        digest: None,
        signer: None,
        pin: None,
        verified: false,
    };
    let project = policy.profile.is_project_image(&repository);
    let unsigned = !project && allowed_unsigned(policy.unsigned, &repository);
    let title = |what: &str| format!("{what}: {reference}");
    let covered = policy_check(
        policy,
        &repository,
        project,
        unsigned,
        title("image is one the policy covers"),
    );
    let is_covered = covered.passed();
    checks.push(covered);
    if !is_covered {
        return (checks, out);
    }
    let repo = Repo::of(&parsed);
    let digest = match resolve_digest(client, &parsed, &repo, title("image digest")).await {
        Ok((digest, check)) => {
            checks.push(check);
            digest
        }
        Err(check) => {
            checks.push(check);
            return (checks, out);
        }
    };
    out.digest = Some(digest.clone());

    if project {
        match verify_signature(client, policy, &repo, &parsed, &digest).await {
            Ok((check, signer)) => {
                checks.push(check);
                out.signer = Some(signer);
            }
            Err(check) => {
                checks.push(check);
                return (checks, out);
            }
        }
    }
    out.verified = true;
    if parsed.digest().is_none() {
        out.pin = Some(pinned_form(reference, &digest));
    }
    (checks, out)
}

/// `image.policy`: the image is a repository of the profile (its signature is then required)
/// or one allowed unsigned (pinned by digest only).
fn policy_check(
    policy: &ImagePolicy<'_>,
    repository: &str,
    project: bool,
    unsigned: bool,
    title: String,
) -> Check {
    let expected = format!(
        "a repository of the profile ({}){}",
        policy.profile.image_repositories_joined(", "),
        if policy.unsigned.is_empty() {
            String::new()
        } else {
            format!(" or one allowed unsigned ({})", policy.unsigned.join(", "))
        }
    );
    match (project, unsigned) {
        (true, _) => Check::pass(
            ids::IMAGE_POLICY,
            title,
            expected,
            format!("{repository} (a profile repository: signature required)"),
        ),
        (false, true) => Check::pass(
            ids::IMAGE_POLICY,
            title,
            expected,
            format!("{repository} (allowed unsigned: pinned by digest only)"),
        ),
        (false, false) => Check::fail(ids::IMAGE_POLICY, title, expected, repository),
    }
}

/// `image.digest`: the digest the reference pins, or the registry's digest for its tag.
async fn resolve_digest(
    client: &RegistryClient,
    parsed: &oci_client::Reference,
    repo: &Repo,
    title: String,
) -> Result<(Digest, Check), Check> {
    if let Some(d) = parsed.digest() {
        return match d.parse::<Digest>() {
            Ok(digest) => {
                let found = format!("{digest} (pinned in the manifests)");
                let expected =
                    "the digest the reference pins, or the registry's digest for its tag";
                Ok((
                    digest,
                    Check::pass(ids::IMAGE_DIGEST, title, expected, found),
                ))
            }
            Err(e) => Err(Check::fail(
                ids::IMAGE_DIGEST,
                title,
                "a sha256 or sha512 digest",
                format!("{d}: {e}"),
            )),
        };
    }
    let tag = parsed.tag().unwrap_or("latest");
    let expected = format!("the registry's digest for {repo}:{tag}");
    match client.manifest_by_tag(repo, tag).await {
        Ok(m) => {
            let d = m.digest().clone();
            let check = Check::pass(ids::IMAGE_DIGEST, title, expected, d.to_string())
                .with_evidence(m.blob.source.to_string());
            Ok((d, check))
        }
        Err(e) => Err(fetch_check(ids::IMAGE_DIGEST, title, expected, &e)),
    }
}

/// A failed registry request as a check: "not there" fails, anything else could not run.
fn fetch_check(id: &'static str, title: String, expected: String, e: &FetchError) -> Check {
    if e.status() == Some(404) {
        Check::fail(id, title, expected, e.to_string())
    } else {
        Check::not_run(id, title, expected, e.to_string())
    }
}

/// The `pin.image-signature` check of `repo@digest`: passed, with the signer's identity, when
/// one of the Sigstore bundles attached to the digest verifies under the profile's signer
/// policy; failed when none is attached or none verifies (the first failure is given); not run
/// when the registry could not be asked.
async fn verify_signature(
    client: &RegistryClient,
    policy: &ImagePolicy<'_>,
    repo: &Repo,
    parsed: &oci_client::Reference,
    digest: &Digest,
) -> Result<(Check, String), Check> {
    let title = format!("image signature: {}", parsed.whole());
    let (pol, expected) = signer_policy(policy, repo, parsed.tag(), digest, &title)?;
    let attached = match client.attached_bundles(repo, digest).await {
        Ok((_, attached)) => attached,
        Err(e) => return Err(fetch_check(ids::IMAGE_SIGNATURE, title, expected, &e)),
    };
    let mut first_failure = None;
    for a in &attached {
        match verify_attached(policy.trust, &pol, digest, &a.bundle.bytes) {
            Ok((signer, issuer)) => {
                let found = format!(
                    "signed by {signer} (issuer {issuer}), {} attached",
                    attached.len()
                );
                let check = Check::pass(ids::IMAGE_SIGNATURE, title, expected, found)
                    .with_evidence(a.bundle.source.to_string());
                return Ok((check, signer));
            }
            Err(found) => {
                first_failure.get_or_insert((found, a.bundle.source.to_string()));
            }
        }
    }
    let Some((found, source)) = first_failure else {
        return Err(Check::fail(
            ids::IMAGE_SIGNATURE,
            title,
            expected,
            format!("no Sigstore bundle attached to {digest} (referrers and the fallback tag)"),
        ));
    };
    Err(Check::fail(
        ids::IMAGE_SIGNATURE,
        title,
        expected,
        format!(
            "none of {} attached bundles verifies; {found}",
            attached.len()
        ),
    )
    .with_evidence(source))
}

/// The signer policy of a profile image and the check's expected text: the image workflow's
/// identities for the reference's tag, and the profile's issuer. A failed check when the
/// identity depends on a tag the reference does not have; not run when the identities do not
/// form a matcher.
fn signer_policy(
    policy: &ImagePolicy<'_>,
    repo: &Repo,
    tag: Option<&str>,
    digest: &Digest,
    title: &str,
) -> Result<(Policy, String), Check> {
    let profile = policy.profile;
    let template_needs_tag = profile.image_identity().uses("tag");
    let identities = profile.image_identities(tag.unwrap_or_default());
    let expected = format!(
        "a Sigstore bundle attached to {repo}@{digest}, signed by {} (issuer {}), verified with {}",
        if template_needs_tag && tag.is_none() {
            profile.image_identity().to_string()
        } else {
            identities.join(" or ")
        },
        profile.issuer(),
        policy.trust.name()
    );
    if template_needs_tag && tag.is_none() {
        return Err(Check::fail(
            ids::IMAGE_SIGNATURE,
            title,
            expected,
            "a reference with a digest and no tag: the signer identity depends on the release tag",
        ));
    }
    let identity = crate::release::identity_matcher(&identities)
        .map_err(|e| Check::not_run(ids::IMAGE_SIGNATURE, title, expected.clone(), e))?;
    let pol = Policy::Certificate {
        identity,
        issuer: crate::bundle::Issuer::exact(profile.issuer()),
        github: GitHubClaims::default(),
    };
    Ok((pol, expected))
}

/// One attached bundle verified for `digest` under `pol`: the signer's identity and issuer
/// (`?` when absent), or what failed (the first failed check's id, expected and found, else the
/// error).
fn verify_attached(
    trust: &Trust,
    pol: &Policy,
    digest: &Digest,
    bytes: &[u8],
) -> Result<(String, String), String> {
    let parsed = bundle::parse_bundle(bytes).map_err(|e| e.to_string())?;
    let v = bundle::verify(trust, &parsed, &Artifact::Digest(digest.clone()), pol);
    match v.result {
        Ok(verified) => Ok((
            verified.identity().unwrap_or("?").to_string(),
            verified.issuer().unwrap_or("?").to_string(),
        )),
        Err(e) => Err(match v.checks.iter().find(|c| !c.passed()) {
            Some(c) => format!("{}: expected {}, found {}", c.id, c.expected, c.found),
            None => e.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_forms_keep_the_repository_as_written() {
        let d: Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
            .parse()
            .unwrap();
        assert_eq!(pinned_form("alpine:latest", &d), format!("alpine@{d}"));
        assert_eq!(pinned_form("alpine", &d), format!("alpine@{d}"));
        assert_eq!(
            pinned_form("localhost:5000/a/b:v1", &d),
            format!("localhost:5000/a/b@{d}")
        );
        assert_eq!(
            pinned_form("localhost:5000/a/b", &d),
            format!("localhost:5000/a/b@{d}")
        );
    }

    #[test]
    fn unsigned_patterns_match_whole_repositories_or_prefixes() {
        let p = vec![
            "docker.io/library/alpine".to_string(),
            "gcr.io/google-samples/*".to_string(),
        ];
        assert!(allowed_unsigned(&p, "docker.io/library/alpine"));
        assert!(!allowed_unsigned(&p, "docker.io/library/alpine2"));
        assert!(allowed_unsigned(&p, "gcr.io/google-samples/node-hello"));
        assert!(!allowed_unsigned(&p, "gcr.io/google-samples-evil/x"));
        assert!(!allowed_unsigned(&p, "gcr.io/google-samples"));
    }
}
