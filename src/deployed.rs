//! Every image a chart deploys, verified against the policy (`verify --policy`, signer flags):
//! the images of the chart's values merged with the user's `--values`/`--set` (and of its
//! subcharts, each with its section of the values), each given `image.policy`, `image.pinned`
//! and its signatures and attestations verified as `verify-image` verifies them
//! ([`crate::image::verify`]: referrers, fallback tag, cosign `.sig`/`.att`).
//!
//! Guarantees: every image found is checked (the same reference twice is checked once); an
//! image no rule covers fails, one under `allow_unverified` is reported unverified, never
//! silently; a signature is verified only against a digest (the pin, or an allowed tag's
//! resolution), and the manifest of a pin is fetched from the registry by that digest: one
//! whose bytes hash to another digest fails `image.pinned` (exit 1) naming both; a chart
//! deploying more than [`MAX_IMAGES`] images is refused, not truncated.

use std::sync::Arc;

use futures_util::StreamExt;
use serde_json::json;

use crate::chart::images::{ChartImage, ImageSource, chart_images};
use crate::chart::package::ChartPackage;
use crate::chart_verify::Registries;
use crate::check::{Check, Outcome, ids};
use crate::cosign::Options;
use crate::digest::Digest;
use crate::helm_values::UserValues;
use crate::image::{self, Source, Target};
use crate::limits::MAX_DEPTH;
use crate::policy::checks::{
    Served, normalised_repository, pinned_check, policy_check, wants_manifest, wants_resolution,
};
use crate::policy::{AttestationRule, Coverage, ImageRule, Policy, Signer};
use crate::registry::{RegistryClient, Repo};
use crate::release::{CouldNotRun, VerifiedChart};
use crate::trust::Trust;

/// Most images one chart may deploy for a run to check them all.
pub const MAX_IMAGES: usize = 500;

/// What the image checks need besides the chart.
pub struct Request<'a> {
    pub policy: &'a Policy,
    pub trust: &'a Trust,
    pub values: &'a UserValues,
    /// How signatures are verified beyond the signer (cosign's `--insecure-ignore-tlog`).
    pub options: Options,
    /// One client per registry (the release section's mirrors, loopback over HTTP).
    pub registries: &'a Registries,
}

/// The images the chart deploys with `values`: its own (values merged over its defaults, then
/// the `artifacthub.io/images` annotation), then each subchart's, with its section of the
/// merged values and `global`. The same reference found twice is listed once.
pub fn deployed_images(
    package: &ChartPackage,
    values: &UserValues,
) -> Result<Vec<ChartImage>, String> {
    let merged = values.over(&package.values);
    let mut out = Vec::new();
    collect(package, &merged, None, 0, &mut out)?;
    let mut seen = std::collections::HashSet::new();
    out.retain(|i| seen.insert(i.display()));
    if out.len() > MAX_IMAGES {
        return Err(format!(
            "the chart deploys {} images: at most {MAX_IMAGES} are verified in one run",
            out.len()
        ));
    }
    Ok(out)
}

fn collect(
    chart: &ChartPackage,
    values: &serde_norway::Value,
    parent: Option<&str>,
    depth: usize,
    out: &mut Vec<ChartImage>,
) -> Result<(), String> {
    if depth > MAX_DEPTH || out.len() > MAX_IMAGES {
        return Ok(());
    }
    let images = chart_images(
        values,
        &chart.metadata.annotations,
        chart.metadata.app_version.as_deref(),
    )?;
    out.extend(images.into_iter().map(|mut i| {
        if let Some(p) = parent {
            i.source = ImageSource::Subchart {
                chart: p.to_string(),
                source: Box::new(i.source),
            };
        }
        i
    }));
    for sub in &chart.subcharts {
        let name = &sub.metadata.name;
        let sub_values = UserValues::for_subchart(values, name, &sub.values);
        collect(sub, &sub_values, Some(name), depth + 1, out)?;
    }
    Ok(())
}

/// The checks of every image the chart deploys, and the report's `images` details. The images
/// are read from the verified chart only: for one that is not verified, `image.policy` is not
/// run ([`not_verified`]).
pub async fn verify(
    req: &Request<'_>,
    chart: &Result<VerifiedChart, CouldNotRun>,
) -> (Vec<Check>, serde_json::Value, Vec<serde_json::Value>) {
    let package = match chart {
        Ok(c) => c.package(),
        Err(why) => return (vec![not_verified(why)], json!([]), Vec::new()),
    };
    let mut checks = Vec::new();
    let mut details = Vec::new();
    let mut not_required = Vec::new();
    let images = match deployed_images(package, req.values) {
        Ok(i) => i,
        Err(why) => {
            checks.push(Check::fail(
                ids::IMAGE_POLICY,
                "the chart's images can be listed",
                "the images of the chart's values, annotation and subcharts",
                why,
            ));
            return (checks, json!(details), not_required);
        }
    };
    let shared = Arc::new(Shared {
        policy: req.policy.clone(),
        trust: req.trust.clone(),
        options: req.options.clone(),
        app_version: package.metadata.app_version.clone(),
    });
    // The images are verified side by side, each on a task of its own (each mostly waits on
    // its registry, and its signature checks then use whichever thread is free), at most
    // CONCURRENT_IMAGES at a time, the next one started as soon as any is done (not in the
    // chart's order: a slow image does not hold the others back); their checks and details
    // are then put back in the chart's order.
    let mut results: Vec<(usize, ImageResult)> = futures_util::stream::iter(images)
        .enumerate()
        .map(|(i, img)| {
            let job = ImageJob::new(req.registries, &shared, img);
            async move {
                match job {
                    Ok(job) => (i, job.spawned().await),
                    Err(done) => (i, done),
                }
            }
        })
        .buffer_unordered(CONCURRENT_IMAGES)
        .collect()
        .await;
    results.sort_unstable_by_key(|(i, _)| *i);
    for (_, r) in results {
        checks.extend(r.checks);
        details.extend(r.detail);
        not_required.extend(r.not_required);
    }
    (checks, json!(details), not_required)
}

/// How many images are verified at once: enough to overlap their registries' answers, few
/// enough to stay polite to one registry.
const CONCURRENT_IMAGES: usize = 8;

/// What the checks of every image share, owned, so that each image can be verified on a task
/// of its own.
struct Shared {
    policy: Policy,
    trust: Trust,
    options: Options,
    /// The chart's `appVersion` (an image tag may have to equal it).
    app_version: Option<String>,
}

/// One image's checks, its `images` detail (none for a reference that is not one) and what
/// its rule does not require.
struct ImageResult {
    checks: Vec<Check>,
    detail: Option<serde_json::Value>,
    not_required: Vec<serde_json::Value>,
}

/// One image to verify: its reference, normalised, and its registry's client.
struct ImageJob {
    shared: Arc<Shared>,
    img: ChartImage,
    /// Where the registry holds it.
    repo: Repo,
    repository: String,
    client: Arc<RegistryClient>,
}

impl ImageJob {
    /// The job of `img`, or (for a reference that is not a valid image reference) its failed
    /// `image.pinned` check.
    fn new(
        registries: &Registries,
        shared: &Arc<Shared>,
        img: ChartImage,
    ) -> Result<ImageJob, ImageResult> {
        let (reference, repository) = match normalised_repository(&img) {
            Ok(x) => x,
            Err(why) => {
                let check = Check::fail(
                    ids::IMAGE_PINNED,
                    format!("{}: the image reference is valid", img.display()),
                    "a valid OCI image reference",
                    why,
                )
                .with_evidence(img.source.to_string());
                return Err(ImageResult {
                    checks: vec![check],
                    detail: None,
                    not_required: Vec::new(),
                });
            }
        };
        // One client per registry: its bearer tokens are asked for once, not once per image.
        let client = registries.client(reference.registry());
        Ok(ImageJob {
            shared: Arc::clone(shared),
            img,
            repo: Repo::of(&reference),
            repository,
            client,
        })
    }

    /// The job run on a task of its own, when there is a runtime to spawn it on (else here).
    /// A task that stopped without an answer (a panic) is a check that did not run: the image
    /// is never counted as verified.
    async fn spawned(self) -> ImageResult {
        if tokio::runtime::Handle::try_current().is_err() {
            return self.run().await;
        }
        let display = self.img.display();
        match tokio::spawn(self.run()).await {
            Ok(r) => r,
            Err(e) => ImageResult {
                checks: vec![Check::not_run(
                    ids::IMAGE_SIGNATURE,
                    format!("{display}: its signatures verify with the policy's signer"),
                    "the image's checks run to their end",
                    format!("its verification stopped: {e}"),
                )],
                detail: None,
                not_required: Vec::new(),
            },
        }
    }

    /// `image.policy`, `image.pinned` and the signature checks of the image.
    async fn run(self) -> ImageResult {
        let ImageJob {
            shared,
            img,
            repo,
            repository,
            client,
        } = self;
        let mut checks = vec![policy_check(&shared.policy, &img, &repository)];
        let source = Source::Registry {
            client: &client,
            repo,
        };
        // An image pinned by digest has its signatures looked up while the registry is asked
        // for that digest's manifest (one round trip less per image). Signatures are verified
        // against the digest `image.pinned` names: for a sha256 pin that is the pin, whatever
        // the registry served for it (`image.pinned` says whether it serves those bytes), so
        // the early lookup is kept; should it ever name another digest (or none), the early
        // lookup is dropped and the signatures are looked up for what it names.
        let target = registry_target(&shared.policy, &img, &repository);
        let pin = match &target {
            Some(Target::Digest(d)) => Some(d.clone()),
            _ => None,
        };
        let (served, early) =
            futures_util::future::join(registry_answer(&source, target.as_ref()), async {
                match &pin {
                    Some(d) => Some(covered(&shared, &source, &img, &repository, Some(d)).await),
                    None => None,
                }
            })
            .await;
        let app_version = shared.app_version.as_deref();
        let (pinned, digest) = pinned_check(
            &shared.policy,
            &img,
            &repository,
            app_version,
            served.as_ref(),
        );
        checks.push(pinned);
        let found = match early {
            Some(found) if digest == pin => found,
            _ => covered(&shared, &source, &img, &repository, digest.as_ref()).await,
        };
        checks.extend(found.checks);
        let detail = json!({
            "reference": img.display(),
            "source": img.source.to_string(),
            "repository": repository,
            "coverage": found.coverage,
            "digest": digest.map(|d| d.to_string()),
        });
        ImageResult {
            checks,
            detail: Some(detail),
            not_required: found.not_required,
        }
    }
}

/// What the registry is asked for the image, when its checks need it ([`registry_answer`]).
fn registry_target(policy: &Policy, img: &ChartImage, repository: &str) -> Option<Target> {
    if wants_resolution(policy, img, repository) {
        Some(Target::Tag(
            img.tag.clone().unwrap_or_else(|| "latest".into()),
        ))
    } else {
        wants_manifest(policy, img, repository).map(Target::Digest)
    }
}

/// What the registry serves for the image, when its checks need it: the manifest of the pin of
/// an image under a rule (its signatures are verified against that digest, so the registry
/// must serve that digest's bytes), or the digest of its tag when its rule allows resolving by
/// tag. Present but wrong (bytes hashing to another digest) is told apart from unavailable.
async fn registry_answer(source: &Source<'_>, target: Option<&Target>) -> Option<Served> {
    Some(match image::resolve(source, target?).await {
        Ok((d, _)) => Served::Manifest(d),
        Err(c) if c.outcome == Outcome::Fail => Served::Wrong(c.found),
        Err(c) => Served::Unavailable(c.found),
    })
}

/// What an image's coverage gave: the signature checks it asks for, what its rule does not
/// require, and what the details call the coverage.
struct Covered {
    coverage: String,
    checks: Vec<Check>,
    not_required: Vec<serde_json::Value>,
}

/// The signature checks the image's coverage asks for (its rule's, against `digest`; none
/// for an `allow_unverified` image, reported).
async fn covered(
    req: &Shared,
    source: &Source<'_>,
    img: &ChartImage,
    repository: &str,
    digest: Option<&Digest>,
) -> Covered {
    let mut checks = Vec::new();
    let mut not_required = Vec::new();
    let coverage = match req.policy.coverage(repository) {
        Coverage::Rule(r) => {
            match digest {
                Some(d) => {
                    let found = signatures(req, source, d, r, img, &mut not_required).await;
                    checks.extend(found);
                }
                None => checks.push(Check::not_run(
                    ids::IMAGE_SIGNATURE,
                    format!(
                        "{}: its signatures verify with the policy's signer",
                        img.display()
                    ),
                    format!("a signature by {}", r.signer().describe()),
                    "no digest to verify signatures against (image.pinned)",
                )),
            }
            format!("images rule {}", r.repository().as_str())
        }
        Coverage::Unverified(g) => {
            not_required.push(json!({
                "id": ids::IMAGE_SIGNATURE,
                "why": format!("{} is listed under allow_unverified ({}): deployed without verification", img.display(), g.as_str()),
            }));
            format!("allow_unverified {}", g.as_str())
        }
        Coverage::None => "none".into(),
    };
    Covered {
        coverage,
        checks,
        not_required,
    }
}

/// The signature and attestation checks of one image under its rule, titles naming the image.
async fn signatures(
    req: &Shared,
    source: &Source<'_>,
    digest: &Digest,
    rule: &ImageRule,
    img: &ChartImage,
    not_required: &mut Vec<serde_json::Value>,
) -> Vec<Check> {
    let name = format!(
        "{}@{digest}",
        img.display().split('@').next().unwrap_or_default()
    );
    if !rule.requires_signature() {
        not_required.push(json!({
            "id": ids::IMAGE_SIGNATURE,
            "why": format!("{name}: the images rule {} requires attestations only (signature: false)", rule.repository().as_str()),
        }));
    }
    let required = Required {
        signer: rule.signer(),
        attestations: rule.attestations(),
        signature: rule.requires_signature(),
    };
    let (checks, _) = signed(&req.trust, source, digest, &required, &req.options).await;
    checks
        .into_iter()
        .map(|mut c| {
            c.title = format!("{name}: {}", c.title);
            c
        })
        .collect()
}

/// What an artifact (an image, or an OCI chart's manifest) must carry.
pub struct Required<'a> {
    pub signer: &'a Signer,
    pub attestations: &'a [AttestationRule],
    /// A signature by `signer` is required (else only the attestations are).
    pub signature: bool,
}

/// The `image.signature` (when required) and `image.attestation` checks of `digest`, found
/// and verified as `verify-image` does; the details of the signer's verification.
pub async fn signed(
    trust: &Trust,
    source: &Source<'_>,
    digest: &Digest,
    required: &Required<'_>,
    options: &Options,
) -> (Vec<Check>, serde_json::Value) {
    let same_signer: Vec<String> = required
        .attestations
        .iter()
        .filter(|a| a.signer().is_none())
        .map(|a| a.predicate_type().to_string())
        .collect();
    let request = image::Request {
        policy: required.signer.bundle_policy().clone(),
        options: options.clone(),
        attestations: same_signer,
        lookup: image::Lookup::Required {
            signature: required.signature,
        },
    };
    let (checks, details) = image::verify(trust, source, digest, &request).await;
    let mut out: Vec<Check> = checks
        .into_iter()
        .filter(|c| required.signature || c.id != ids::IMAGE_SIGNATURE)
        .collect();
    // Attestations whose signer carries SLSA claims: verified under that signer.
    for a in required.attestations {
        let Some(signer) = a.signer() else { continue };
        let request = image::Request {
            policy: signer.bundle_policy().clone(),
            options: options.clone(),
            attestations: vec![a.predicate_type().to_string()],
            lookup: image::Lookup::Required { signature: false },
        };
        let (checks, _) = image::verify(trust, source, digest, &request).await;
        out.extend(checks.into_iter().filter(|c| c.id != ids::IMAGE_SIGNATURE));
    }
    (out, details)
}

/// `image.policy` not run: the chart is not verified, so the images it names are not read.
pub fn not_verified(why: &CouldNotRun) -> Check {
    Check::not_run(
        ids::IMAGE_POLICY,
        "the images the chart deploys are covered by the policy",
        "the verified chart package, to list its images",
        why.clone(),
    )
}

/// The images the chart deploys, each with a not-run `image.policy` check: what a run with no
/// policy and no signer reports (the images are listed, never passed).
pub fn unchecked(
    chart: &Result<VerifiedChart, CouldNotRun>,
    values: &UserValues,
) -> (Vec<Check>, serde_json::Value) {
    let package = match chart {
        Ok(c) => c.package(),
        Err(why) => return (vec![not_verified(why)], json!([])),
    };
    let images = match deployed_images(package, values) {
        Ok(i) => i,
        Err(why) => {
            let c = Check::fail(
                ids::IMAGE_POLICY,
                "the chart's images can be listed",
                "the images of the chart's values, annotation and subcharts",
                why,
            );
            return (vec![c], json!([]));
        }
    };
    let checks = images
        .iter()
        .map(|img| {
            Check::not_run(
                ids::IMAGE_POLICY,
                format!("{}: {T_POLICY_RULE}", img.display()),
                "a policy or a signer for the chart's images",
                "no policy and no signer was given: name it with --policy FILE, --image-policy, \
                 --certificate-identity[-regexp] and --certificate-oidc-issuer, --signer-repo…, or --key",
            )
            .with_evidence(img.source.to_string())
        })
        .collect();
    let details = images
        .iter()
        .map(|i| json!({"reference": i.display(), "source": i.source.to_string(), "coverage": "none"}))
        .collect::<Vec<_>>();
    (checks, json!(details))
}

const T_POLICY_RULE: &str = "a policy rule covers the image";

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    fn chart() -> ChartPackage {
        let sub = tgz(&[
            (
                "redis/Chart.yaml",
                b"name: redis\nversion: 2.0.0\nappVersion: 7.2.0\n",
            ),
            (
                "redis/values.yaml",
                b"image:\n  repository: docker.io/library/redis\n",
            ),
        ]);
        ChartPackage::read(&tgz(&[
            (
                "demo/Chart.yaml",
                b"name: demo\nversion: 1.0.0\nappVersion: v1\n",
            ),
            (
                "demo/values.yaml",
                b"image:\n  repository: ghcr.io/o/demo\nredis:\n  image:\n    tag: 7.2.4\n",
            ),
            ("demo/charts/redis-2.0.0.tgz", &sub),
        ]))
        .unwrap()
    }

    #[test]
    fn subcharts_get_their_section_of_the_parent_and_user_values() {
        let c = chart();
        let imgs = deployed_images(&c, &UserValues::none()).unwrap();
        let shown: Vec<String> = imgs
            .iter()
            .map(|i| format!("{} ({})", i.display(), i.source))
            .collect();
        assert_eq!(
            shown,
            [
                "ghcr.io/o/demo:v1 (values.yaml image)",
                "docker.io/library/redis:7.2.4 (subchart redis: values.yaml image)",
            ]
        );
        let mut u = UserValues::none();
        u.add_set("redis.image.repository=quay.io/x/redis,image.digest=sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8").unwrap();
        let imgs = deployed_images(&c, &u).unwrap();
        assert_eq!(imgs[1].display(), "quay.io/x/redis:7.2.4");
        assert!(imgs[0].digest.is_some());
    }

    #[test]
    fn too_many_images_are_refused_not_truncated() {
        let c = chart();
        let mut u = UserValues::none();
        for i in 0..=MAX_IMAGES {
            u.add_set(&format!("many[{i}].image=r.io/x/app{i}:1"))
                .unwrap();
        }
        let e = deployed_images(&c, &u).unwrap_err();
        assert!(e.contains(&format!("at most {MAX_IMAGES}")), "{e}");
    }
}
