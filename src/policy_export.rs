//! Cluster admission policies from what kakunin verifies (`kakunin policy export`).
//!
//! From a [`Profile`] (who signs the project's images, with which issuer) this builds:
//! - a Kyverno `ClusterPolicy` (kyverno.io/v1) whose `verifyImages` rule requires, for every
//!   image of the profile's repositories, a Sigstore-bundle SLSA provenance attestation signed
//!   keylessly by the image workflow (or by a given key), with `mutateDigest` and
//!   `verifyDigest`, and conditions on the provenance's workflow repository and path;
//! - a sigstore policy-controller `ClusterImagePolicy` (policy.sigstore.dev/v1beta1) with the
//!   same authorities;
//! - GomenHashai's `digestsMapping.mapping` values from images kakunin verified (every
//!   reference form its webhook matches, each mapped to the verified digest).
//!
//! Guarantees: identities keep their anchoring. A profile identity without `{tag}` is exact
//! and stays exact (`subject`); one with `{tag}` is a pattern and becomes a regular expression
//! that is anchored (`^…$`) and lets `{tag}` match one ref component only (no `/`), because
//! Kyverno and policy-controller match `subjectRegExp` unanchored.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::pin::PinnedImage;
use crate::profile::{Profile, RootChoice, Vars, expand};

/// The public-good Sigstore instance the exported policies name.
pub const PUBLIC_REKOR: &str = "https://rekor.sigstore.dev";
pub const PUBLIC_FULCIO: &str = "https://fulcio.sigstore.dev";

/// Why a policy cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "the profile trusts {found:?}: expected the public-good instance (the exported policies name its Fulcio and Rekor)"
    )]
    TrustedRoot { found: String },
    #[error("no verified image to map: expected at least one image verified with a digest")]
    NoImages,
}

/// A signer identity as the profile gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Exact(String),
    /// An anchored regular expression (`^…$`).
    Regex(String),
}

/// The image workflow's identities, one per signer repository.
pub fn image_subjects(profile: &Profile) -> Vec<Subject> {
    let template = profile.image_identity().as_str();
    profile
        .signer_repositories()
        .iter()
        .map(|r| {
            let r = r.as_str();
            if template.contains("{tag}") {
                let parts: Vec<String> = template
                    .split("{tag}")
                    .map(|p| {
                        re2_escape(&expand(
                            p,
                            &Vars {
                                repository: r,
                                ..Vars::default()
                            },
                        ))
                    })
                    .collect();
                Subject::Regex(format!("^{}$", parts.join("[^/]+")))
            } else {
                Subject::Exact(expand(
                    template,
                    &Vars {
                        repository: r,
                        ..Vars::default()
                    },
                ))
            }
        })
        .collect()
}

/// Escapes the characters RE2 (Go's regexp) and Rust's regex treat specially.
fn re2_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `(repository URLs, workflow path)` of the image identity, when it has GitHub's shape
/// `https://github.com/{repository}/<path>@<ref>`.
fn workflow_of(profile: &Profile) -> Option<(Vec<String>, String)> {
    let template = profile.image_identity().as_str();
    let (base, rest) = template.split_once("/{repository}/")?;
    let (path, _) = rest.split_once('@')?;
    if path.contains('{') || !base.starts_with("https://") {
        return None;
    }
    let repos = profile
        .signer_repositories()
        .iter()
        .map(|r| format!("{base}/{r}"))
        .collect();
    Some((repos, path.to_string()))
}

fn check_root(profile: &Profile) -> Result<(), ExportError> {
    match profile.root_choice() {
        RootChoice::Embedded(name) if name == "public-good" => Ok(()),
        other => Err(ExportError::TrustedRoot {
            found: other.to_string(),
        }),
    }
}

/// Options of an export.
pub struct Export<'a> {
    pub profile: &'a Profile,
    /// `metadata.name` of the policy.
    pub name: String,
    /// A PEM public key: key-based attestors instead of keyless ones.
    pub key_pem: Option<String>,
    /// Export what this verified release verified (its image repository, its signer) instead of
    /// everything the profile would accept.
    pub release: Option<&'a VerifiedRelease>,
}

/// What `kakunin verify` verified of one release's image, read back from its report: built
/// only from a report whose verdict is verified, with the image pinned by digest and the
/// identity and issuer of the certificate that signed the image's bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRelease {
    /// `chart@version`.
    pub release: String,
    /// `registry/repository` of the image.
    pub repository: String,
    pub tag: Option<String>,
    pub digest: crate::digest::Digest,
    /// The verified signing certificate's identity (SAN) and OIDC issuer.
    pub identity: String,
    pub issuer: String,
}

impl VerifiedRelease {
    /// The release of a verified `verify` report; anything else is an error (nothing of an
    /// unverified release is exported).
    pub fn from_report(report: &crate::report::Report) -> Result<VerifiedRelease, String> {
        if report.verdict() != crate::report::Verdict::Verified {
            return Err(format!(
                "{} is not verified: nothing exported",
                report.subject
            ));
        }
        let subject = &report.subject;
        let reference = report.details["image"]["reference"]
            .as_str()
            .ok_or_else(|| format!("{subject}: the report names no image"))?;
        let (name, digest) = reference.split_once('@').ok_or_else(|| {
            format!(
                "{subject}: the chart pins no digest for {reference}: nothing verified to export"
            )
        })?;
        let digest: crate::digest::Digest = digest
            .parse()
            .map_err(|e| format!("{subject}: the digest of {reference}: {e}"))?;
        let parsed: oci_client::Reference = name
            .parse()
            .map_err(|e| format!("{subject}: the image {name}: {e}"))?;
        let signer = &report.details["image_signer"];
        let (Some(identity), Some(issuer)) =
            (signer["identity"].as_str(), signer["issuer"].as_str())
        else {
            return Err(format!(
                "{subject}: no verified image signature (image.bundle) to export the signer of"
            ));
        };
        Ok(VerifiedRelease {
            release: subject.clone(),
            repository: crate::pin::repository_of(&parsed),
            tag: parsed.tag().map(str::to_string),
            digest,
            identity: identity.to_string(),
            issuer: issuer.to_string(),
        })
    }

    /// The image as GomenHashai's mapping takes it.
    pub fn pinned_image(&self) -> PinnedImage {
        let tag = self
            .tag
            .as_ref()
            .map(|t| format!(":{t}"))
            .unwrap_or_default();
        PinnedImage {
            reference: format!("{}{tag}@{}", self.repository, self.digest),
            repository: self.repository.clone(),
            tag: self.tag.clone(),
            digest: Some(self.digest.clone()),
            signer: Some(self.identity.clone()),
            pin: None,
            verified: true,
        }
    }
}

/// The keyless signers to require, with their issuer: the verified release's own signer, or
/// every identity of the profile.
fn signers(e: &Export<'_>) -> (Vec<Subject>, String) {
    match e.release {
        Some(r) => (vec![Subject::Exact(r.identity.clone())], r.issuer.clone()),
        None => (image_subjects(e.profile), e.profile.issuer().to_string()),
    }
}

/// The image repositories the policy covers: the verified release's, or the profile's.
fn repositories(e: &Export<'_>) -> Vec<String> {
    match e.release {
        Some(r) => vec![r.repository.clone()],
        None => (e.profile.image_repositories().iter())
            .map(|r| r.to_string())
            .collect(),
    }
}

/// The in-toto predicate type the project's image attestations carry.
pub const PROVENANCE: &str = "https://slsa.dev/provenance/v1";

/// A Kyverno `ClusterPolicy`.
pub fn kyverno(e: &Export<'_>) -> Result<Value, ExportError> {
    check_root(e.profile)?;
    let (subjects, issuer) = signers(e);
    let entries: Vec<Value> = match &e.key_pem {
        Some(pem) => vec![json!({"keys": {"publicKeys": pem, "rekor": {"url": PUBLIC_REKOR}}})],
        None => subjects
            .into_iter()
            .map(|s| {
                let mut k = serde_json::Map::new();
                match s {
                    Subject::Exact(x) => k.insert("subject".into(), json!(x)),
                    Subject::Regex(x) => k.insert("subjectRegExp".into(), json!(x)),
                };
                k.insert("issuer".into(), json!(issuer));
                k.insert("rekor".into(), json!({"url": PUBLIC_REKOR}));
                json!({"keyless": k})
            })
            .collect(),
    };
    let mut attestation = json!({
        "type": PROVENANCE,
        "attestors": [{"count": 1, "entries": entries}],
    });
    if let Some((repos, path)) = workflow_of(e.profile) {
        attestation["conditions"] = json!([{"all": [
            {
                "key": "{{ buildDefinition.externalParameters.workflow.repository }}",
                "operator": "AnyIn",
                "value": repos,
            },
            {
                "key": "{{ buildDefinition.externalParameters.workflow.path }}",
                "operator": "Equals",
                "value": path,
            },
        ]}]);
    }
    let references: Vec<String> = repositories(e)
        .iter()
        .flat_map(|r| [r.clone(), format!("{r}:*"), format!("{r}@*")])
        .collect();
    Ok(json!({
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {
            "name": e.name,
            "annotations": {
                "policies.kyverno.io/title": format!("Images of {} verified as kakunin verifies them", e.profile.chart()),
                "policies.kyverno.io/description": "Generated by kakunin policy export: every image of the project's repositories must carry a Sigstore-bundle SLSA provenance signed by the project's image workflow; admitted images are pinned by digest.",
            },
        },
        "spec": {
            "background": false,
            "webhookTimeoutSeconds": 30,
            "rules": [{
                "name": "verify-images",
                "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                "verifyImages": [{
                    "type": "SigstoreBundle",
                    "imageReferences": references,
                    "failureAction": "Enforce",
                    "required": true,
                    "mutateDigest": true,
                    "verifyDigest": true,
                    "attestations": [attestation],
                }],
            }],
        },
    }))
}

/// A sigstore policy-controller `ClusterImagePolicy`.
pub fn policy_controller(e: &Export<'_>) -> Result<Value, ExportError> {
    check_root(e.profile)?;
    let (subjects, issuer) = signers(e);
    let mut authority = match &e.key_pem {
        Some(pem) => json!({"name": "release-key", "key": {"data": pem}}),
        None => {
            let identities: Vec<Value> = subjects
                .into_iter()
                .map(|s| match s {
                    Subject::Exact(x) => json!({"issuer": issuer, "subject": x}),
                    Subject::Regex(x) => json!({"issuer": issuer, "subjectRegExp": x}),
                })
                .collect();
            json!({
                "name": "image-workflow",
                "keyless": {"url": PUBLIC_FULCIO, "identities": identities},
            })
        }
    };
    authority["ctlog"] = json!({"url": PUBLIC_REKOR});
    authority["attestations"] = json!([{"name": "slsa-provenance", "predicateType": PROVENANCE}]);
    let globs: Vec<Value> = repositories(e)
        .iter()
        .flat_map(|r| {
            [
                json!({"glob": r}),
                json!({"glob": format!("{r}:*")}),
                json!({"glob": format!("{r}@*")}),
            ]
        })
        .collect();
    Ok(json!({
        "apiVersion": "policy.sigstore.dev/v1beta1",
        "kind": "ClusterImagePolicy",
        "metadata": {"name": e.name},
        "spec": {
            "mode": "enforce",
            "images": globs,
            "authorities": [authority],
        },
    }))
}

/// The reference forms GomenHashai's webhook matches an image under (its docs/usage.md): the
/// reference as written, without registry (matches any registry), and with the registry
/// (`docker.io/library/busybox:stable`, `library/busybox:stable`, `busybox:stable`). Only
/// tagged forms: a key without a tag would admit every tag of the image.
pub fn gomenhashai_keys(image: &PinnedImage) -> Vec<String> {
    let Some(tag) = &image.tag else {
        return Vec::new();
    };
    let mut keys = vec![format!("{}:{tag}", image.repository)];
    if let Some((registry, path)) = image.repository.split_once('/') {
        keys.push(format!("{path}:{tag}"));
        if registry == "docker.io" {
            if let Some(short) = path.strip_prefix("library/") {
                keys.push(format!("{short}:{tag}"));
            }
        }
    }
    let written = image.reference.split('@').next().unwrap_or_default();
    if written.contains(':') && !keys.iter().any(|k| k == written) {
        keys.push(written.to_string());
    }
    keys
}

/// GomenHashai's chart values: `digestsMapping.create` and `.mapping` for every verified image.
pub fn gomenhashai(images: &[PinnedImage]) -> Result<Value, ExportError> {
    let mut mapping = BTreeMap::new();
    for image in images.iter().filter(|i| i.verified) {
        if let Some(d) = &image.digest {
            for k in gomenhashai_keys(image) {
                mapping.insert(k, d.to_string());
            }
        }
    }
    if mapping.is_empty() {
        return Err(ExportError::NoImages);
    }
    Ok(json!({"digestsMapping": {"create": true, "mapping": mapping}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_templates_become_anchored_expressions_and_exact_identities_stay_exact() {
        let p = Profile::gomenhashai();
        let s = image_subjects(&p);
        assert_eq!(
            s[0],
            Subject::Regex(
                r"^https://github\.com/GomenHashai/GomenHashai/\.github/workflows/docker-release\.yaml@refs/tags/[^/]+$"
                    .into()
            )
        );
        let re = regex::Regex::new(match &s[0] {
            Subject::Regex(r) => r,
            _ => unreachable!(),
        })
        .unwrap();
        assert!(re.is_match(
            "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1.3.1"
        ));
        for bad in [
            "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/heads/main",
            "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1/x",
            "https://evil.example/?https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1",
            "https://github.comX/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1",
        ] {
            assert!(!re.is_match(bad), "{bad}");
        }
        let mut raw = p.to_raw();
        raw.signers.image_identity =
            "https://github.com/{repository}/.github/workflows/docker-release.yaml@refs/heads/main"
                .into();
        let p = Profile::try_from(raw).unwrap();
        assert_eq!(
            image_subjects(&p)[1],
            Subject::Exact(
                "https://github.com/MarcAntoineRaymond/GomenHashai/.github/workflows/docker-release.yaml@refs/heads/main"
                    .into()
            )
        );
    }

    #[test]
    fn a_private_instance_is_refused() {
        let mut p = Profile::gomenhashai().to_raw();
        p.signers.trusted_root = "root.json".into();
        let p = Profile::try_from(p).unwrap();
        let e = Export {
            release: None,
            profile: &p,
            name: "x".into(),
            key_pem: None,
        };
        assert!(matches!(kyverno(&e), Err(ExportError::TrustedRoot { .. })));
        assert!(matches!(
            policy_controller(&e),
            Err(ExportError::TrustedRoot { .. })
        ));
    }

    #[test]
    fn gomenhashai_keys_are_the_tagged_forms_the_webhook_matches() {
        let img = |reference: &str, repository: &str, tag: Option<&str>| PinnedImage {
            reference: reference.into(),
            repository: repository.into(),
            tag: tag.map(str::to_string),
            digest: None,
            signer: None,
            pin: None,
            verified: true,
        };
        assert_eq!(
            gomenhashai_keys(&img(
                "busybox:stable",
                "docker.io/library/busybox",
                Some("stable")
            )),
            vec![
                "docker.io/library/busybox:stable",
                "library/busybox:stable",
                "busybox:stable"
            ]
        );
        assert_eq!(
            gomenhashai_keys(&img(
                "ghcr.io/gomenhashai/gomenhashai:v1.3.1",
                "ghcr.io/gomenhashai/gomenhashai",
                Some("v1.3.1")
            )),
            vec![
                "ghcr.io/gomenhashai/gomenhashai:v1.3.1",
                "gomenhashai/gomenhashai:v1.3.1"
            ]
        );
        assert!(gomenhashai_keys(&img("x@sha256:00", "docker.io/library/x", None)).is_empty());
    }

    fn release_report(verified: bool) -> crate::report::Report {
        use crate::check::Check;
        let mut r = crate::report::Report::new("verify", "gomenhashai@1.3.2");
        r.checks.push(if verified {
            Check::pass("image.bundle", "t", "e", "f")
        } else {
            Check::fail("image.bundle", "t", "e", "f")
        });
        r.details = json!({
            "chart": "gomenhashai",
            "image": {"reference": "ghcr.io/gomenhashai/gomenhashai:v1.3.1@sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8", "source": "values.yaml image"},
            "image_signer": {"identity": "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1.3.1", "issuer": "https://token.actions.githubusercontent.com"},
        });
        r
    }

    #[test]
    fn a_verified_release_exports_its_own_signer_exactly_and_its_repository_only() {
        let release = VerifiedRelease::from_report(&release_report(true)).unwrap();
        let mut p = Profile::gomenhashai().to_raw();
        p.image
            .repositories
            .push("ghcr.io/gomenhashai/other".into());
        let p = Profile::try_from(p).unwrap();
        let e = Export {
            profile: &p,
            name: "x".into(),
            key_pem: None,
            release: Some(&release),
        };
        let k = kyverno(&e).unwrap();
        let rule = &k["spec"]["rules"][0]["verifyImages"][0];
        let keyless = &rule["attestations"][0]["attestors"][0]["entries"][0]["keyless"];
        assert_eq!(keyless["subject"], json!(release.identity));
        assert!(keyless.get("subjectRegExp").is_none(), "{keyless}");
        assert_eq!(
            rule["imageReferences"],
            json!([
                "ghcr.io/gomenhashai/gomenhashai",
                "ghcr.io/gomenhashai/gomenhashai:*",
                "ghcr.io/gomenhashai/gomenhashai@*"
            ])
        );
        let c = policy_controller(&e).unwrap();
        let auth = &c["spec"]["authorities"][0]["keyless"]["identities"];
        assert_eq!(
            auth,
            &json!([{"issuer": release.issuer, "subject": release.identity}])
        );
        assert_eq!(c["spec"]["images"].as_array().unwrap().len(), 3);
        let g = gomenhashai(&[release.pinned_image()]).unwrap();
        assert_eq!(
            g["digestsMapping"]["mapping"]["ghcr.io/gomenhashai/gomenhashai:v1.3.1"],
            json!(release.digest.to_string())
        );
    }

    #[test]
    fn nothing_of_an_unverified_or_incomplete_release_is_exported() {
        let e = VerifiedRelease::from_report(&release_report(false)).unwrap_err();
        assert!(e.contains("not verified"), "{e}");
        let mut r = release_report(true);
        r.details["image"]["reference"] = json!("ghcr.io/gomenhashai/gomenhashai:v1.3.1");
        let e = VerifiedRelease::from_report(&r).unwrap_err();
        assert!(e.contains("pins no digest"), "{e}");
        let mut r = release_report(true);
        r.details.as_object_mut().unwrap().remove("image_signer");
        let e = VerifiedRelease::from_report(&r).unwrap_err();
        assert!(e.contains("image.bundle"), "{e}");
    }
}
