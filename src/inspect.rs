//! `kakunin inspect`: what is published for a chart and by whom — the chart's source facts
//! (digests, the `.prov`), every signature and attestation found on the OCI chart manifest and
//! on each image the chart deploys, the identities in their certificates — and a policy draft
//! (the policy file's raw model, [`crate::policy::raw`]) with anchored identities taken from
//! those certificates.
//!
//! Guarantees: a signature is listed as "verified" only when it verified cryptographically
//! against the trusted root for the artifact's digest ([`crate::image::verify`], with a policy
//! that accepts any identity, so that the identity can be read); everything else found is
//! listed with why it was not verified (a keyed signature cannot be checked without its key).
//! The draft is built only from verified certificates and is never trusted by anything:
//! `verify` uses a policy only from the user's file.

use serde::Serialize;

use crate::bundle::{GitHubClaims, Identity, Issuer, Policy};
use crate::chart::ChartPackage;
use crate::chart_source::{FetchedChart, Prov};
use crate::chart_verify::Registries;
use crate::cosign::Options;
use crate::digest::Digest;
use crate::image::{self, Source, Target};
use crate::policy::raw::{RawChartRule, RawGitHub, RawImageRule, RawPolicy, RawSigner};
use crate::registry::Repo;
use crate::trust::Trust;

const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// A signature or attestation found on an artifact.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// Where it was found (`tag sha256-….sig layer 0`, a referrer).
    pub source: String,
    /// `cosign-signature`, `sigstore-bundle-…`, an attestation's predicate type.
    pub form: String,
    pub verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_sha256: Option<String>,
    /// Why it was not verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

/// What was found for one artifact (the chart manifest, an image).
#[derive(Debug, Clone, Serialize)]
pub struct Artifact {
    pub name: String,
    /// An image's repository as the chart names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Where it was looked for, and what each place held.
    pub looked: Vec<String>,
    pub found: Vec<Found>,
    /// Why nothing could be looked for (an unresolvable reference).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The whole inspection.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    pub subject: String,
    pub source: serde_json::Value,
    pub prov: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart: Option<Artifact>,
    pub images: Vec<Artifact>,
    /// The policy draft, as YAML (docs/policy.md), to review before use.
    pub policy_draft: String,
}

/// A policy that accepts any certificate identity and issuer: only for reading who signed.
fn anyone() -> Policy {
    Policy::Certificate {
        identity: Identity::regex(".*").expect("valid regex"),
        issuer: Issuer::regex(".*").expect("valid regex"),
        github: GitHubClaims::default(),
    }
}

async fn look(trust: &Trust, source: &Source<'_>, digest: &Digest, name: String) -> Artifact {
    let request = image::Request {
        policy: anyone(),
        options: Options::default(),
        attestations: Vec::new(),
        lookup: image::Lookup::Every,
    };
    let (_, d) = image::verify(trust, source, digest, &request).await;
    let s = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let mut found = Vec::new();
    for v in d["verified"].as_array().into_iter().flatten() {
        found.push(Found {
            source: s(v, "source").unwrap_or_default(),
            form: s(v, "form").unwrap_or_default(),
            verified: true,
            identity: s(v, "identity"),
            issuer: s(v, "issuer"),
            predicate_type: s(v, "predicate_type"),
            key_sha256: s(v, "key_sha256"),
            why: None,
        });
    }
    for v in d["rejected"].as_array().into_iter().flatten() {
        let text = v
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string());
        let (source, why) = text
            .split_once(": ")
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or((String::new(), text.clone()));
        found.push(Found {
            source,
            form: "unverified".into(),
            verified: false,
            identity: None,
            issuer: None,
            predicate_type: None,
            key_sha256: None,
            why: Some(why),
        });
    }
    let looked = d["discovery"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "{}: {}",
                s(p, "place").unwrap_or_default(),
                s(p, "found").unwrap_or_default()
            )
        })
        .collect();
    Artifact {
        name,
        repository: None,
        digest: Some(digest.to_string()),
        looked,
        found,
        error: None,
    }
}

/// Inspects a fetched chart.
pub async fn inspect(fetched: &FetchedChart, trust: &Trust, registries: &Registries) -> Inspection {
    let prov = match &fetched.prov {
        Prov::Present { source, .. } => format!("present: {source} (verify it with --keyring)"),
        Prov::Absent(why) => format!("absent: {why}"),
        Prov::Unreadable(why) | Prov::Wrong(why) => format!("unreadable: {why}"),
    };
    let chart = match &fetched.oci {
        Some(oci) => {
            let client = registries.client(&oci.repo.registry);
            let source = Source::Registry {
                client: &client,
                repo: oci.repo.clone(),
            };
            Some(look(trust, &source, &oci.digest, fetched.subject.clone()).await)
        }
        None => None,
    };
    let mut images = Vec::new();
    let package = fetched.package.as_deref().map(ChartPackage::read);
    let source_failed: Vec<String> = fetched
        .checks
        .iter()
        .filter(|c| !c.passed())
        .map(|c| format!("{}: expected {}, found {}", c.id, c.expected, c.found))
        .collect();
    match package {
        Some(Ok(pkg)) => match pkg.images() {
            Ok(list) => {
                for img in list {
                    let name = format!("{} ({})", img.display(), img.source);
                    images.push(image_artifact(trust, registries, &img, name).await);
                }
            }
            Err(e) => images.push(error_artifact("images".into(), e.to_string())),
        },
        Some(Err(e)) => images.push(error_artifact("chart package".into(), e.to_string())),
        None => images.push(error_artifact(
            "chart package".into(),
            format!("not read: {}", source_failed.join("; ")),
        )),
    }
    let draft = draft(fetched, chart.as_ref(), &images);
    Inspection {
        subject: fetched.subject.clone(),
        source: serde_json::Value::Object(fetched.details.clone()),
        prov,
        chart,
        images,
        policy_draft: draft,
    }
}

fn error_artifact(name: String, error: String) -> Artifact {
    Artifact {
        name,
        repository: None,
        digest: None,
        looked: Vec::new(),
        found: Vec::new(),
        error: Some(error),
    }
}

async fn image_artifact(
    trust: &Trust,
    registries: &Registries,
    img: &crate::chart::ChartImage,
    name: String,
) -> Artifact {
    let reference = match img.reference() {
        Ok(r) => r,
        Err(e) => return error_artifact(name, e.to_string()),
    };
    let repo = Repo::of(&reference);
    let target = match reference.digest().map(str::parse::<Digest>) {
        Some(Ok(d)) => Target::Digest(d),
        Some(Err(e)) => return error_artifact(name, e.to_string()),
        None => Target::Tag(reference.tag().unwrap_or("latest").to_string()),
    };
    let client = registries.client(&repo.registry);
    let source = Source::Registry {
        client: &client,
        repo,
    };
    let mut a = match image::resolve(&source, &target).await {
        Ok((digest, _)) => look(trust, &source, &digest, name).await,
        Err(c) => error_artifact(name, c.found),
    };
    a.repository = Some(img.repository.clone());
    a
}

/// A signer rule from a verified certificate: a GitHub Actions workflow identity becomes its
/// repository, workflow and ref pattern; any other identity an anchored, escaped regexp.
fn signer_of(found: &[Found]) -> Option<RawSigner> {
    let f = found.iter().find(|f| f.verified && f.identity.is_some())?;
    let identity = f.identity.as_deref()?;
    let issuer = f.issuer.clone();
    if issuer.as_deref() == Some(GITHUB_ISSUER)
        && let Some(rest) = identity.strip_prefix("https://github.com/")
        && let Some((path, git_ref)) = rest.rsplit_once('@')
    {
        let mut parts = path.splitn(3, '/');
        if let (Some(owner), Some(repo), Some(workflow)) =
            (parts.next(), parts.next(), parts.next())
        {
            let source_ref = match git_ref.strip_prefix("refs/tags/") {
                Some(_) => "refs/tags/*".to_string(),
                None => git_ref.to_string(),
            };
            return Some(RawSigner {
                github: Some(RawGitHub {
                    repository: format!("{owner}/{repo}"),
                    workflow: Some(workflow.to_string()),
                    source_ref: Some(source_ref),
                }),
                ..RawSigner::default()
            });
        }
    }
    Some(RawSigner {
        identity_regexp: Some(format!("^{}$", regex::escape(identity))),
        issuer,
        ..RawSigner::default()
    })
}

fn key_signer(found: &[Found]) -> Option<RawSigner> {
    found
        .iter()
        .any(|f| !f.verified && f.why.as_deref().is_some_and(|w| w.contains("key")))
        .then(|| RawSigner {
            key: Some("cosign.pub".into()),
            ..RawSigner::default()
        })
}

fn draft(fetched: &FetchedChart, chart: Option<&Artifact>, images: &[Artifact]) -> String {
    let chart_signer = chart.and_then(|a| signer_of(&a.found).or_else(|| key_signer(&a.found)));
    let prov_keyring = matches!(fetched.prov, Prov::Present { .. }).then(|| "keyring.asc".into());
    let mut rules: Vec<RawImageRule> = Vec::new();
    let mut unverified = Vec::new();
    for a in images {
        let Some(repository) = a.repository.clone() else {
            continue;
        };
        if rules.iter().any(|r| r.repository == repository) || unverified.contains(&repository) {
            continue;
        }
        match signer_of(&a.found).or_else(|| key_signer(&a.found)) {
            Some(signer) => rules.push(RawImageRule {
                repository,
                signer: Some(signer),
                ..RawImageRule::default()
            }),
            None => unverified.push(repository),
        }
    }
    let policy = RawPolicy {
        chart: Some(RawChartRule {
            name: fetched.name.clone(),
            signer: chart_signer,
            prov_keyring,
            ..RawChartRule::default()
        }),
        images: rules,
        allow_unverified: unverified,
        ..RawPolicy::default()
    };
    let yaml = serde_norway::to_string(&policy).unwrap_or_default();
    format!(
        "# Policy draft by `kakunin inspect {}`: review every line before use.\n\
         # Identities are taken from certificates that verified; a key or keyring named here is a\n\
         # placeholder for the file you obtain from the project; allow_unverified lists images\n\
         # on which no signature verified.\n{yaml}",
        fetched.subject
    )
}
