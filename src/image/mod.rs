//! `verify-image`: a container image's signatures and attestations, found where the world puts
//! them and verified against the image's digest.
//!
//! Discovery, in this order, every place reported: OCI 1.1 referrers (Sigstore bundles whose
//! artifactType is the bundle media type), the referrers fallback tag `sha256-<hex>`, cosign's
//! `sha256-<hex>.sig` and `sha256-<hex>.att` tags. The image comes from a registry (through
//! [`crate::registry`]) or from an OCI image layout on disk ([`layout`]).
//!
//! Guarantees: a tag is resolved to its digest first and every signature is checked against
//! that digest; [`verify`] returns `image.signature` as passed only when at least one signature
//! verified under the policy ([`crate::cosign`] for cosign's layers, [`crate::bundle`] for
//! attached bundles), and one `image.attestation` per predicate type asked for, passed only
//! when an attestation of that type verified. A place that could not be read is a check that
//! could not run, never a pass; a `.sig`/`.att` manifest with more than
//! [`crate::cosign::MAX_LAYERS`] layers is refused.

pub mod layout;
pub mod platform;
mod reference;
pub mod save;

use crate::bundle::{self, Artifact, Policy};
use crate::check::{Check, ids};
use crate::cosign::{self, Layer, LayerVerification, Options};
use crate::digest::Digest;
use crate::fetch::{FetchError, Kind};
use crate::registry::{BUNDLE_V03_MEDIA_TYPE, Descriptor, ManifestDoc, RegistryClient, Repo};
use crate::trust::Trust;

pub use layout::{Layout, LayoutError};
pub use platform::PlatformSpec;
pub use reference::{ImageRef, Target, parse_reference};

/// cosign v3's image-signature predicate (a DSSE bundle that is a signature, not an
/// attestation).
pub const COSIGN_SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

/// Where an image's bytes come from.
pub enum Source<'a> {
    Registry {
        client: &'a RegistryClient,
        repo: Repo,
    },
    Layout(&'a Layout),
}

/// Why bytes could not be had: absent (the place does not exist), wrong (bytes that do not
/// hash to the digest naming them: present and wrong, a failure) or unreadable.
#[derive(Debug, Clone)]
pub enum Miss {
    Absent(String),
    Wrong(String),
    Error(String),
}

impl Miss {
    pub fn describe(&self) -> &str {
        match self {
            Miss::Absent(s) | Miss::Wrong(s) | Miss::Error(s) => s,
        }
    }
}

fn from_fetch(e: FetchError) -> Miss {
    use kakunin_verify::release::evidence::FetchFailure;
    if e.status() == Some(404) {
        Miss::Absent(e.to_string())
    } else if e.is_mismatch() {
        Miss::Wrong(e.to_string())
    } else {
        Miss::Error(e.to_string())
    }
}

fn from_layout(e: LayoutError) -> Miss {
    match e {
        LayoutError::MissingBlob { .. } => Miss::Absent(e.to_string()),
        LayoutError::Digest { .. } => Miss::Wrong(e.to_string()),
        _ => Miss::Error(e.to_string()),
    }
}

impl Source<'_> {
    fn describe(&self) -> String {
        match self {
            Source::Registry { repo, .. } => repo.to_string(),
            Source::Layout(l) => format!("oci-layout:{}", l.dir().display()),
        }
    }

    /// A manifest by tag: (digest, bytes, parsed).
    async fn by_tag(&self, tag: &str) -> Result<(Digest, Vec<u8>, ManifestDoc), Miss> {
        match self {
            Source::Registry { client, repo } => {
                let m = client
                    .manifest_by_tag(repo, tag)
                    .await
                    .map_err(from_fetch)?;
                let doc = m.parse().map_err(|e| Miss::Error(e.to_string()))?;
                Ok((m.digest().clone(), m.blob.bytes, doc))
            }
            Source::Layout(l) => {
                let d = l
                    .tag(tag)
                    .map_err(from_layout)?
                    .ok_or_else(|| Miss::Absent(format!("no tag {tag} in {}", self.describe())))?;
                let digest: Digest = d
                    .digest
                    .parse()
                    .map_err(|e| Miss::Error(format!("tag {tag}: digest {:?}: {e}", d.digest)))?;
                let (bytes, doc) = l.manifest(&digest).map_err(from_layout)?;
                Ok((digest, bytes, doc))
            }
        }
    }

    async fn by_digest(&self, digest: &Digest) -> Result<(Vec<u8>, ManifestDoc), Miss> {
        match self {
            Source::Registry { client, repo } => {
                let m = client
                    .manifest_by_digest(repo, digest)
                    .await
                    .map_err(from_fetch)?;
                let doc = m.parse().map_err(|e| Miss::Error(e.to_string()))?;
                Ok((m.blob.bytes, doc))
            }
            Source::Layout(l) => l.manifest(digest).map_err(from_layout),
        }
    }

    async fn blob(&self, digest: &Digest) -> Result<Vec<u8>, Miss> {
        match self {
            Source::Registry { client, repo } => client
                .blob(repo, digest, Kind::Blob)
                .await
                .map(|b| b.bytes)
                .map_err(from_fetch),
            Source::Layout(l) => l
                .blob(digest, crate::limits::MAX_BUNDLE_BYTES)
                .map_err(from_layout),
        }
    }

    /// The referrers with a Sigstore bundle artifactType: the API or fallback tag of a
    /// registry; in a layout, the fallback tag.
    async fn bundle_referrers(&self, subject: &Digest) -> Result<(String, Vec<Descriptor>), Miss> {
        match self {
            Source::Registry { client, repo } => {
                let r = client
                    .referrers(repo, subject, BUNDLE_V03_MEDIA_TYPE)
                    .await
                    .map_err(from_fetch)?;
                let via = match r.via {
                    crate::registry::ReferrersVia::Api => "OCI 1.1 referrers API",
                    crate::registry::ReferrersVia::FallbackTag => "referrers fallback tag",
                    crate::registry::ReferrersVia::None => {
                        "no referrers API (404) and no referrers fallback tag"
                    }
                };
                let via = match &r.api_absent_since {
                    Some(other) => format!(
                        "{via} (referrers API not asked: {} answered 404 for {other} earlier in this run)",
                        repo.registry
                    ),
                    None => via.to_string(),
                };
                Ok((via, r.descriptors))
            }
            Source::Layout(_) => {
                let tag = format!("{}-{}", subject.algorithm().name(), subject.hex());
                match self.by_tag(&tag).await {
                    Ok((_, _, doc)) => Ok((
                        "referrers fallback tag".into(),
                        doc.manifests
                            .into_iter()
                            .filter(|d| is_bundle_type(d.artifact_type.as_deref()))
                            .take(crate::registry::MAX_REFERRERS)
                            .collect(),
                    )),
                    Err(Miss::Absent(_)) => Ok(("no referrers fallback tag".into(), Vec::new())),
                    Err(e) => Err(e),
                }
            }
        }
    }
}

fn is_bundle_type(t: Option<&str>) -> bool {
    t.is_some_and(|t| t.starts_with("application/vnd.dev.sigstore.bundle"))
}

/// What to verify.
#[derive(Debug, Clone)]
pub struct Request {
    pub policy: Policy,
    pub options: Options,
    /// Predicate types (full URIs) an attestation must be found for.
    pub attestations: Vec<String>,
    /// Which places are looked at.
    pub lookup: Lookup,
}

/// Which of the places an image's signatures may be in are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Every place, whatever the earlier ones held (`verify-image` reports all of them).
    Every,
    /// In the same order, only the places that can still give what is required and has not
    /// verified yet: a signature (when `signature`) and an attestation of each type asked
    /// for. Once all of it verified, the rest cannot change the verdict and is not looked
    /// at; a `.sig` tag (signatures only) is not looked at when no signature is required.
    /// Every place not looked at is reported, with why.
    Required { signature: bool },
}

/// One place looked at, and what was found there.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Place {
    /// The digest whose signatures were looked for there.
    pub subject: String,
    pub place: String,
    pub found: String,
}

/// A digest whose signatures are looked up, and what it is to the reference given.
#[derive(Debug, Clone)]
pub struct Subject {
    pub digest: Digest,
    /// `image`, `index`, or `linux/arm64 manifest`.
    pub role: String,
}

impl Subject {
    pub fn new(digest: Digest, role: impl Into<String>) -> Subject {
        Subject {
            digest,
            role: role.into(),
        }
    }
    fn describe(&self) -> String {
        format!("the {} {}", self.role, self.digest)
    }
}

/// The outcome of `verify-image`.
#[derive(Debug)]
pub struct Outcome {
    pub digest: Digest,
    pub checks: Vec<Check>,
    pub details: serde_json::Value,
}

/// A verified signature or attestation, whichever form it came in.
struct Accepted {
    what: String,
    /// Index into the subjects verified.
    subject: usize,
    predicate_type: Option<String>,
    details: serde_json::Value,
}

struct Candidate {
    what: String,
    checks: Vec<Check>,
    result: Result<Accepted, String>,
}

fn candidate<T>(
    what: String,
    subject: usize,
    v: LayerVerification<T>,
    accept: impl FnOnce(&T) -> (Option<String>, serde_json::Value),
) -> Candidate {
    let result = v.result.map(|t| {
        let (predicate_type, details) = accept(&t);
        Accepted {
            what: what.clone(),
            subject,
            predicate_type,
            details,
        }
    });
    Candidate {
        what,
        checks: v.checks,
        result,
    }
}

/// The digest a tag names in `source` (its manifest fetched and digest-checked).
pub async fn tag_digest(source: &Source<'_>, tag: &str) -> Result<Digest, Miss> {
    source.by_tag(tag).await.map(|(d, _, _)| d)
}

/// Resolves `target` (a tag or digest) to the image digest: the tag's manifest digest, or the
/// digest given (whose manifest must exist and hash to it). A registry or layout that serves
/// other bytes for a digest (or a `Docker-Content-Digest` its bytes do not hash to) fails the
/// check, naming the expected and the found digest; one that could not be read leaves it not
/// run.
pub async fn resolve(source: &Source<'_>, target: &Target) -> Result<(Digest, Check), Check> {
    let title = "image reference resolves to a digest";
    let (expected, looked) = match target {
        Target::Tag(tag) => (
            format!("the manifest of tag {tag}"),
            source.by_tag(tag).await.map(|(d, _, _)| {
                let found = format!("{tag} is {d} in {}", source.describe());
                (d, found)
            }),
        ),
        Target::Digest(d) => (
            format!("the manifest {d}"),
            source
                .by_digest(d)
                .await
                .map(|_| (d.clone(), format!("{d} is in {}", source.describe()))),
        ),
    };
    match looked {
        Ok((d, found)) => Ok((d, Check::pass(ids::IMAGE_REFERENCE, title, expected, found))),
        // Present but wrong: a verification failure, not a fetch that could not be made.
        Err(Miss::Wrong(why)) => Err(Check::fail(ids::IMAGE_REFERENCE, title, expected, why)),
        Err(m) => Err(Check::not_run(
            ids::IMAGE_REFERENCE,
            title,
            expected,
            m.describe(),
        )),
    }
}

/// Verifies the image at `digest` in `source`.
pub async fn verify(
    trust: &Trust,
    source: &Source<'_>,
    digest: &Digest,
    request: &Request,
) -> (Vec<Check>, serde_json::Value) {
    verify_subjects(
        trust,
        source,
        &[Subject::new(digest.clone(), "image")],
        request,
    )
    .await
}

/// Verifies an image through the signatures of any of `subjects` (an index and one of its
/// platform manifests): a signature or attestation counts when it verifies for the subject it
/// was found for, and the report says which subject that was.
pub async fn verify_subjects(
    trust: &Trust,
    source: &Source<'_>,
    subjects: &[Subject],
    request: &Request,
) -> (Vec<Check>, serde_json::Value) {
    let mut found = Found::default();
    for (i, s) in subjects.iter().enumerate() {
        discover(trust, source, i, &s.digest, request, &mut found).await;
    }
    report(subjects, request, found)
}

#[derive(Default)]
struct Found {
    places: Vec<Place>,
    unreadable: Vec<String>,
    candidates: Vec<Candidate>,
}

/// The places in the order they are looked at: referrers (API or fallback tag), then
/// cosign's `.sig` and `.att` tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlaceKind {
    Referrers,
    Sig,
    Att,
}

impl Found {
    /// Whether a signature verified, and an attestation of every type asked for.
    fn met(&self, request: &Request) -> (bool, bool) {
        let accepted: Vec<&Accepted> = self
            .candidates
            .iter()
            .filter_map(|c| c.result.as_ref().ok())
            .collect();
        let signature = accepted
            .iter()
            .any(|a| is_signature(a.predicate_type.as_deref()));
        let attestations = request.attestations.iter().all(|wanted| {
            accepted.iter().any(|a| {
                a.predicate_type
                    .as_deref()
                    .is_some_and(|p| cosign::predicate::matches(wanted, p))
            })
        });
        (signature, attestations)
    }

    /// Why `kind` is not looked at under the request's [`Lookup`], if it is not.
    fn skip(&self, request: &Request, kind: PlaceKind) -> Option<&'static str> {
        let Lookup::Required { signature } = request.lookup else {
            return None;
        };
        if kind == PlaceKind::Sig && !signature {
            return Some(
                "not looked up: not required by the policy (a .sig tag holds signatures only, and no signature is required)",
            );
        }
        let (signed, attested) = self.met(request);
        let signed = signed || !signature;
        if signed && attested {
            return Some("not looked up: what the policy requires already verified");
        }
        match kind {
            PlaceKind::Sig if signed => Some(
                "not looked up: a signature already verified and the attestations still required are never in a .sig tag",
            ),
            _ => None,
        }
    }
}

/// A verified candidate that counts as a signature: a message signature (no predicate type)
/// or a DSSE statement of cosign's signing predicate.
fn is_signature(predicate_type: Option<&str>) -> bool {
    predicate_type.is_none() || predicate_type == Some(COSIGN_SIGN_PREDICATE)
}

async fn discover(
    trust: &Trust,
    source: &Source<'_>,
    subject: usize,
    digest: &Digest,
    request: &Request,
    found: &mut Found,
) {
    let place = |place: String, found: String| Place {
        subject: digest.to_string(),
        place,
        found,
    };
    // 1 and 2: referrers (API, or the fallback tag), Sigstore bundles.
    if let Some(why) = found.skip(request, PlaceKind::Referrers) {
        found.places.push(place("referrers".into(), why.into()));
    } else {
        match source.bundle_referrers(digest).await {
            Ok((via, descriptors)) => {
                let n = descriptors.len();
                found
                    .places
                    .push(place(via, format!("{n} Sigstore bundle referrer(s)")));
                for d in descriptors {
                    let c = referrer(trust, source, &d, subject, digest, &request.policy).await;
                    found.candidates.push(c);
                }
            }
            Err(m) => {
                let what = format!("referrers of {digest}");
                let f = missed(&mut found.unreadable, &mut found.candidates, what, &m);
                found.places.push(place("referrers".into(), f));
            }
        }
    }
    // 3 and 4: cosign's .sig and .att tags.
    for (suffix, kind) in [("sig", PlaceKind::Sig), ("att", PlaceKind::Att)] {
        let tag = format!("{}-{}.{suffix}", digest.algorithm().name(), digest.hex());
        if let Some(why) = found.skip(request, kind) {
            found.places.push(place(format!("tag {tag}"), why.into()));
            continue;
        }
        let f = match cosign_layers(source, &tag).await {
            Ok(Some(layers)) => {
                let n = layers.len();
                for (i, l) in layers.into_iter().enumerate() {
                    let what = format!("{tag} layer {i}");
                    let layer = CosignLayer {
                        signature: kind == PlaceKind::Sig,
                        subject,
                        digest,
                    };
                    found.candidates.push(layer.verify(trust, what, l, request));
                }
                format!("{n} layer(s)")
            }
            Ok(None) => "absent".into(),
            Err(m) => missed(
                &mut found.unreadable,
                &mut found.candidates,
                format!("tag {tag}"),
                &m,
            ),
        };
        found.places.push(place(format!("tag {tag}"), f));
    }
}

/// One layer of a cosign `.sig` (a signature) or `.att` (an attestation) tag of `digest`.
struct CosignLayer<'a> {
    signature: bool,
    /// Index into the subjects verified.
    subject: usize,
    digest: &'a Digest,
}

impl CosignLayer<'_> {
    /// The layer verified under the request's signer, or the failure to read it.
    fn verify(
        &self,
        trust: &Trust,
        what: String,
        layer: Result<Layer, String>,
        request: &Request,
    ) -> Candidate {
        let l = match layer {
            Ok(l) => l,
            Err(e) => {
                return Candidate {
                    what,
                    checks: vec![Check::fail(
                        ids::BUNDLE_SIGNATURE,
                        "cosign layer can be read",
                        "a layer blob of the digest its descriptor names",
                        e.clone(),
                    )],
                    result: Err(e),
                };
            }
        };
        let (policy, options) = (&request.policy, &request.options);
        if self.signature {
            let v = cosign::verify_signature_layer(trust, &l, self.digest, policy, options);
            candidate(what, self.subject, v, |s| (None, s.details()))
        } else {
            let v = cosign::verify_attestation_layer(trust, &l, self.digest, policy, options);
            candidate(what, self.subject, v, |a| {
                (Some(a.predicate_type().to_string()), a.details())
            })
        }
    }
}

/// A place that could not be read (the checks it feeds could not run), or whose bytes are
/// there and wrong (a rejected candidate: present but wrong is a failure). Returns what the
/// discovery report says was found there.
fn missed(
    unreadable: &mut Vec<String>,
    candidates: &mut Vec<Candidate>,
    what: String,
    m: &Miss,
) -> String {
    match m {
        Miss::Wrong(why) => {
            candidates.push(Candidate {
                what: what.clone(),
                checks: vec![Check::fail(
                    ids::BUNDLE_SIGNATURE,
                    "signature evidence is the bytes its digest names",
                    format!("{what}: bytes that hash to the digest naming them"),
                    why.clone(),
                )],
                result: Err(why.clone()),
            });
            format!("wrong: {why}")
        }
        Miss::Absent(why) | Miss::Error(why) => {
            unreadable.push(format!("{what}: {why}"));
            format!("could not be read: {why}")
        }
    }
}

/// What was found, tallied for the report: who was expected, every place looked at, and each
/// candidate verified or rejected.
struct Tally<'a> {
    subjects: &'a [Subject],
    signer: String,
    several: bool,
    /// Every place looked at and what was there (each requirement check's evidence).
    looked: Vec<String>,
    /// The subjects, for the checks' expected values.
    of: String,
    unreadable: &'a [String],
    rejected: Vec<String>,
    accepted: Vec<&'a Accepted>,
}

impl<'a> Tally<'a> {
    fn new(subjects: &'a [Subject], request: &Request, found: &'a Found) -> Tally<'a> {
        let several = subjects.len() > 1;
        let looked = found
            .places
            .iter()
            .map(|p| {
                if several {
                    format!("{} {}: {}", p.subject, p.place, p.found)
                } else {
                    format!("{}: {}", p.place, p.found)
                }
            })
            .collect();
        let of = if several {
            subjects
                .iter()
                .map(Subject::describe)
                .collect::<Vec<_>>()
                .join(" or of ")
        } else {
            subjects[0].digest.to_string()
        };
        Tally {
            subjects,
            signer: cosign::describe_signer(&request.policy),
            several,
            looked,
            of,
            unreadable: &found.unreadable,
            rejected: found
                .candidates
                .iter()
                .filter_map(|c| c.result.as_ref().err().map(|e| format!("{}: {e}", c.what)))
                .collect(),
            accepted: found
                .candidates
                .iter()
                .filter_map(|c| c.result.as_ref().ok())
                .collect(),
        }
    }

    /// `what` verified, and for which subject when there are several.
    fn named(&self, hits: &[&&Accepted]) -> String {
        hits.iter()
            .map(|a| {
                if self.several {
                    format!("{} for {}", a.what, self.subjects[a.subject].describe())
                } else {
                    a.what.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `image.signature`: a signature by the signer verified; the one that did is `satisfied`.
    fn signature_check(&self, satisfied: &mut Vec<&'a str>) -> Check {
        let signatures: Vec<&&Accepted> = self
            .accepted
            .iter()
            .filter(|a| is_signature(a.predicate_type.as_deref()))
            .collect();
        let title = "a signature of the image digest verifies with the expected signer";
        let expected = format!("a signature of {} by {}", self.of, self.signer);
        let mut c = if let Some(&&first) = signatures.first() {
            satisfied.push(first.what.as_str());
            Check::pass(
                ids::IMAGE_SIGNATURE,
                title,
                expected,
                format!(
                    "{} verified ({})",
                    self.named(&signatures),
                    first.details["form"].as_str().unwrap_or("signature")
                ),
            )
        } else if !self.unreadable.is_empty() {
            Check::not_run(
                ids::IMAGE_SIGNATURE,
                title,
                expected,
                format!(
                    "no signature verified, and some places could not be read: {}",
                    self.unreadable.join("; ")
                ),
            )
        } else {
            let found = if self.rejected.is_empty() {
                format!("no signature found ({})", self.looked.join("; "))
            } else {
                format!("no signature verified: {}", self.rejected.join("; "))
            };
            Check::fail(ids::IMAGE_SIGNATURE, title, expected, found)
        };
        c.evidence = self.looked.clone();
        c
    }

    /// `image.attestation` for one predicate type asked for.
    fn attestation_check(&self, wanted: &str, satisfied: &mut Vec<&'a str>) -> Check {
        let title = format!("an attestation of predicate type {wanted} verifies for the image");
        let expected = format!(
            "an attestation of {}, predicate type {wanted}, by {}",
            self.of, self.signer
        );
        let hits: Vec<&&Accepted> = self
            .accepted
            .iter()
            .filter(|a| {
                a.predicate_type
                    .as_deref()
                    .is_some_and(|p| cosign::predicate::matches(wanted, p))
            })
            .collect();
        let mut c = if let Some(&&first) = hits.first() {
            satisfied.push(first.what.as_str());
            let found = format!("{} verified", self.named(&hits));
            Check::pass(ids::IMAGE_ATTESTATION, title, expected, found)
        } else if !self.unreadable.is_empty() {
            Check::not_run(
                ids::IMAGE_ATTESTATION,
                title,
                expected,
                format!(
                    "no such attestation verified, and some places could not be read: {}",
                    self.unreadable.join("; ")
                ),
            )
        } else {
            Check::fail(
                ids::IMAGE_ATTESTATION,
                title,
                expected,
                self.no_attestation(),
            )
        };
        c.evidence = self.looked.clone();
        c
    }

    /// What was found instead of an attestation of the type asked for.
    fn no_attestation(&self) -> String {
        let others: Vec<String> = self
            .accepted
            .iter()
            .filter_map(|a| {
                a.predicate_type
                    .as_ref()
                    .map(|p| format!("{} ({p})", a.what))
            })
            .collect();
        let mut found = if others.is_empty() {
            "no attestation of that type verified".to_string()
        } else {
            format!(
                "verified attestations are of other types: {}",
                others.join(", ")
            )
        };
        if !self.rejected.is_empty() {
            found.push_str(&format!("; rejected: {}", self.rejected.join("; ")));
        }
        found
    }

    /// The report's details: the digest, every place looked at, what verified and what not.
    fn details(&self, request: &Request, found: &Found) -> serde_json::Value {
        let mut details = serde_json::json!({
            "digest": self.subjects[0].digest.to_string(),
            "discovery": found.places,
            "verified": self.accepted.iter().map(|a| {
                let mut d = a.details.clone();
                d["source"] = a.what.clone().into();
                d["subject"] = self.subjects[a.subject].digest.to_string().into();
                d["subject_role"] = self.subjects[a.subject].role.clone().into();
                d
            }).collect::<Vec<_>>(),
            "rejected": self.rejected,
            "attestations_required": request.attestations,
        });
        if let Some(why) = unsupported_only(&found.candidates) {
            details[INPUT_ERROR] = why.into();
        }
        details
    }
}

/// The requirement checks (`image.signature`, one `image.attestation` per type asked for),
/// then the detailed checks of what satisfied them, or of every candidate when one was not
/// met; and the report's details.
fn report(
    subjects: &[Subject],
    request: &Request,
    found: Found,
) -> (Vec<Check>, serde_json::Value) {
    let tally = Tally::new(subjects, request, &found);
    let mut satisfied: Vec<&str> = Vec::new();
    let mut checks = vec![tally.signature_check(&mut satisfied)];
    for wanted in &request.attestations {
        checks.push(tally.attestation_check(wanted, &mut satisfied));
    }
    let all_met = checks.iter().all(Check::passed);
    for cand in &found.candidates {
        if !all_met || satisfied.contains(&cand.what.as_str()) {
            for c in &cand.checks {
                let mut c = c.clone();
                c.evidence.push(cand.what.clone());
                checks.push(c);
            }
        }
    }
    // Every signature found is of an algorithm kakunin cannot verify with: each failure is an
    // input error (exit 2, in every command that verifies images), never a bad signature.
    if unsupported_only(&found.candidates).is_some() {
        for c in checks.iter_mut().filter(|c| !c.passed()) {
            c.input_error = c.outcome == crate::check::Outcome::Fail;
        }
    }
    let details = tally.details(request, &found);
    (checks, details)
}

/// The details key of [`input_error`].
const INPUT_ERROR: &str = "input_error";

/// When nothing verified and every signature found was refused because its key or certificate
/// is of an algorithm kakunin cannot verify with (ECDSA P-521, Ed448, secp256k1, …): what
/// they were, "unsupported algorithm NAME …". The verdict is then an input error (exit 2),
/// never a bad signature.
fn unsupported_only(candidates: &[Candidate]) -> Option<String> {
    let reasons: Vec<&String> = candidates
        .iter()
        .map(|c| c.result.as_ref().err())
        .collect::<Option<_>>()?;
    let all = !reasons.is_empty() && reasons.iter().all(|r| cosign::is_unsupported_algorithm(r));
    all.then(|| {
        candidates
            .iter()
            .zip(reasons)
            .map(|(c, r)| format!("{}: {r}", c.what))
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// From a report's details of [`verify`]: why its failure is an input error (exit 2) rather
/// than a failed verification, when it is (see [`unsupported_only`]).
pub fn input_error(details: &serde_json::Value) -> Option<&str> {
    details[INPUT_ERROR].as_str()
}

/// The layers of a cosign tag, each with its blob (or why it could not be read); `None` when
/// the tag does not exist.
async fn cosign_layers(
    source: &Source<'_>,
    tag: &str,
) -> Result<Option<Vec<Result<Layer, String>>>, Miss> {
    let doc = match source.by_tag(tag).await {
        Ok((_, _, doc)) => doc,
        Err(Miss::Absent(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if doc.layers.len() > cosign::MAX_LAYERS {
        // Present but wrong: a failed candidate (exit 1), not a place that could not be read.
        return Ok(Some(vec![Err(format!(
            "{tag} has {} layers, more than the {} kakunin reads",
            doc.layers.len(),
            cosign::MAX_LAYERS
        ))]));
    }
    let mut out = Vec::new();
    for l in doc.layers {
        let digest: Digest = match l.digest.parse() {
            Ok(d) => d,
            Err(e) => {
                out.push(Err(format!("layer digest {:?}: {e}", l.digest)));
                continue;
            }
        };
        let layer = match source.blob(&digest).await {
            Ok(bytes) => Layer::new(
                l.media_type.clone(),
                &l.digest,
                bytes,
                l.annotations.clone(),
            ),
            Err(m) => Err(m.describe().to_string()),
        };
        out.push(layer);
    }
    Ok(Some(out))
}

/// A referrer's artifact manifest (fetched by digest; its `subject`, when present, must be
/// `image`) and the bytes of its Sigstore bundle layer: `(artifact digest, bundle)`.
async fn referrer_bundle(
    source: &Source<'_>,
    d: &Descriptor,
    image: &Digest,
) -> Result<(Digest, Vec<u8>), Miss> {
    let digest: Digest = d
        .digest
        .parse()
        .map_err(|e| Miss::Wrong(format!("descriptor digest {:?}: {e}", d.digest)))?;
    let (_, doc) = source.by_digest(&digest).await?;
    if let Some(s) = &doc.subject
        && s.digest != image.to_string()
    {
        return Err(Miss::Wrong(format!(
            "the artifact's subject is {}, not the image {image}",
            s.digest
        )));
    }
    let Some(layer) = doc
        .layers
        .iter()
        .find(|l| is_bundle_type(Some(&l.media_type)))
    else {
        return Err(Miss::Wrong(format!(
            "no Sigstore bundle layer in artifact {digest} (layers: {})",
            doc.layers
                .iter()
                .map(|l| l.media_type.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let ld: Digest = layer
        .digest
        .parse()
        .map_err(|e| Miss::Wrong(format!("layer digest {:?}: {e}", layer.digest)))?;
    Ok((digest, source.blob(&ld).await?))
}

/// The Sigstore bundles attached to `image` in `source` (referrers API or fallback tag; in a
/// layout, the fallback tag): `(artifact digest, bundle bytes)` each, unverified. An error
/// names the place or referrer that could not be read, or that is there and wrong.
pub async fn attached_bundles(
    source: &Source<'_>,
    image: &Digest,
) -> Result<Vec<(Digest, Vec<u8>)>, Miss> {
    let (_, descriptors) = source.bundle_referrers(image).await?;
    let mut out = Vec::new();
    for d in &descriptors {
        out.push(referrer_bundle(source, d, image).await?);
    }
    Ok(out)
}

/// One referrer: its manifest, its bundle layer, the bundle verified for the image digest.
async fn referrer(
    trust: &Trust,
    source: &Source<'_>,
    d: &Descriptor,
    subject: usize,
    image: &Digest,
    policy: &Policy,
) -> Candidate {
    let what = format!("referrer {}", d.digest);
    let fail = |why: String| Candidate {
        what: what.clone(),
        checks: vec![Check::fail(
            ids::BUNDLE_SIGNATURE,
            "attached Sigstore bundle verifies for the image digest",
            format!("a Sigstore bundle for {image}"),
            why.clone(),
        )],
        result: Err(why),
    };
    let bytes = match referrer_bundle(source, d, image).await {
        Ok((_, b)) => b,
        Err(m) => return fail(m.describe().to_string()),
    };
    let b = match bundle::parse_bundle(&bytes) {
        Ok(b) => b,
        Err(e) => return fail(e.to_string()),
    };
    let v = bundle::verify(trust, &b, &Artifact::Digest(image.clone()), policy);
    let mut checks = v.checks;
    let result = match v.result {
        Ok(vb) => match accepted_bundle(&vb, &what, subject) {
            Ok(a) => Ok(a),
            Err(not_statement) => {
                let why = not_statement.found.clone();
                checks.push(not_statement);
                Err(why)
            }
        },
        Err(e) => Err(rejected_bundle(&e, &b, image)),
    };
    Candidate {
        what,
        checks,
        result,
    }
}

/// A referrer's bundle that verified: a message signature, or a DSSE envelope whose payload is
/// an in-toto statement (its predicate type decides what it satisfies); a DSSE payload that is
/// not a statement is the failed `attestation.statement` check.
fn accepted_bundle(
    vb: &bundle::VerifiedBundle,
    what: &str,
    subject: usize,
) -> Result<Accepted, Check> {
    let predicate_type = match vb.envelope() {
        Some(env) => match crate::attestation::Statement::parse(env.payload()) {
            Ok(st) => Some(st.predicate_type),
            Err(e) => return Err(e.check()),
        },
        None => None,
    };
    let mut details = vb.details();
    details["form"] = if predicate_type.is_some() {
        "sigstore-bundle-dsse"
    } else {
        "sigstore-bundle-message-signature"
    }
    .into();
    Ok(Accepted {
        what: what.to_string(),
        subject,
        predicate_type,
        details,
    })
}

/// Why a referrer's bundle was rejected, naming what its (unverified) statement is about when
/// that is another image; nothing here is trusted, it only explains the rejection.
fn rejected_bundle(e: &bundle::BundleError, b: &sigstore_types::Bundle, image: &Digest) -> String {
    let about = bundle::dsse_payload(b)
        .and_then(|p| crate::attestation::Statement::parse(p).ok())
        .map(|st| {
            st.subjects
                .iter()
                .flat_map(|s| s.digest.0.iter().map(|(a, h)| format!("{a}:{h}")))
                .collect::<Vec<_>>()
        })
        .filter(|d| !d.is_empty() && !d.contains(&image.to_string()));
    match about {
        Some(d) => format!(
            "{e} (expected a statement about {image}, found one about {})",
            d.join(", ")
        ),
        None => e.to_string(),
    }
}
