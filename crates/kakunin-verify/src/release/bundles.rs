//! The release's Sigstore bundles: each verified with the profile's identities under the
//! trusted root, its `.intoto.jsonl` compared with the verified bundle's DSSE envelope, and its
//! statement's subjects compared with the artifact.
//!
//! Guarantees: what a later check reads of a bundle (its envelope, its statement, its
//! certificate's claims) comes from the [`VerifiedBundle`] only, through [`BundleResult`]; a
//! bundle that did not verify leaves those checks not run, never passed.

use crate::attestation::VerifiedStatement;
use crate::attestation::dsse;
use crate::attestation::jsonl;
use crate::attestation::statement::{Statement, describe_subject};
use crate::bundle::{self, Artifact, GitHubClaims, Identity, Policy, VerifiedBundle};
use crate::check::{Check, CheckSpec, ids};
use crate::digest::{Algorithm, Digest};
use crate::trust::Trust;

use super::{Context, CouldNotRun, Fetched, Missing, Piece};

/// A bundle's verification, reduced to what the release checks need. Both fields come from
/// verification only: the envelope the checks compare is `verified`'s, the statement they read
/// is decoded from it.
pub(super) struct BundleResult {
    /// The verified bundle, when it verified.
    pub verified: Option<VerifiedBundle>,
    /// The statement of the verified bundle's DSSE envelope, or why it has none (`None` when
    /// the bundle did not verify).
    pub statement: Option<Result<VerifiedStatement, String>>,
}

impl BundleResult {
    fn unverified() -> BundleResult {
        BundleResult {
            verified: None,
            statement: None,
        }
    }
}

/// Who must have signed a release bundle: any of the identities, under the profile's issuer,
/// verified with the trusted root.
pub(super) struct Signer<'a> {
    identities: Vec<String>,
    issuer: &'a str,
    trust: &'a Trust,
}

impl<'a> Signer<'a> {
    pub fn new(ctx: &'a Context<'a>, identities: Vec<String>) -> Signer<'a> {
        Signer {
            identities,
            issuer: ctx.profile.issuer(),
            trust: ctx.trust,
        }
    }

    /// The identities, or `what` when there are none.
    pub fn describe(&self, what: &str) -> String {
        if self.identities.is_empty() {
            what.to_string()
        } else {
            self.identities.join(" or ")
        }
    }

    fn expected(&self) -> String {
        format!(
            "signed by {} (issuer {}), verified with {}",
            self.describe("(no identity: the image tag is unknown)"),
            self.issuer,
            self.trust.name()
        )
    }
}

/// A required piece that is missing: fails when the source denied it or served it wrong, else
/// could not run.
pub(super) fn missing(spec: &CheckSpec, expected: impl Into<String>, m: &Missing) -> Check {
    if m.fails() {
        spec.fail(expected, m.to_string())
    } else {
        spec.not_run(expected, m.to_string())
    }
}

/// Why a bundle was not verified: its check fails, or could not run.
enum Refused {
    Fail(String),
    NotRun(CouldNotRun),
}

/// Verifies a release bundle with the signer: its check, and what the later checks need. The
/// statement's subject (preferring `prefer`) is the artifact the signature is checked against,
/// so that a statement about another artifact is reported by the subject check rather than
/// hidden in the signature check.
pub(super) fn verify(
    spec: &CheckSpec,
    piece: &Piece,
    signer: &Signer<'_>,
    prefer: Option<&Digest>,
) -> (Check, BundleResult) {
    let expected = signer.expected();
    let fetched = match piece {
        Ok(f) => f,
        // A required bundle that is absent is a failure of the release, unless it could not
        // be fetched at all (then the check could not run).
        Err(m) => return (missing(spec, expected, m), BundleResult::unverified()),
    };
    match verify_fetched(fetched, signer, prefer) {
        Ok(verified) => {
            let found = format!(
                "signed by {} (issuer {}){}",
                verified.identity().unwrap_or("?"),
                verified.issuer().unwrap_or("?"),
                verified
                    .verified_times()
                    .first()
                    .map(|t| format!(" at {}", t.rfc3339))
                    .unwrap_or_default()
            );
            let statement = Some(VerifiedStatement::decode(&verified));
            let check = spec.pass(expected, found).with_evidence(&fetched.source);
            let verified = Some(verified);
            (
                check,
                BundleResult {
                    verified,
                    statement,
                },
            )
        }
        Err(Refused::Fail(found)) => (
            spec.fail(expected, found).with_evidence(&fetched.source),
            BundleResult::unverified(),
        ),
        Err(Refused::NotRun(why)) => (spec.not_run(expected, why), BundleResult::unverified()),
    }
}

/// Parses and verifies a fetched bundle with the signer.
fn verify_fetched(
    fetched: &Fetched,
    signer: &Signer<'_>,
    prefer: Option<&Digest>,
) -> Result<VerifiedBundle, Refused> {
    let parsed = bundle::parse_bundle(&fetched.bytes).map_err(|e| Refused::Fail(e.to_string()))?;
    // Which digest to bind the signature to: the subject equal to `prefer`, else the
    // statement's first, read from the parsed bundle about to be verified. Nothing read here is
    // reported or trusted: sigstore-verify checks the binding, and the checks read the
    // statement of the verified bundle.
    let artifact = bundle::dsse_payload(&parsed)
        .and_then(|p| Statement::parse(p).ok())
        .and_then(|s| subject_digest(&s, prefer))
        .or_else(|| prefer.cloned())
        .ok_or_else(|| {
            Refused::Fail(
                "a bundle with no statement subject and no artifact to check it against".into(),
            )
        })?;
    if signer.identities.is_empty() {
        return Err(Refused::NotRun(CouldNotRun::NoIdentity));
    }
    let identity = identity_matcher(&signer.identities)
        .map_err(|e| Refused::NotRun(CouldNotRun::IdentityMatcher(e)))?;
    let policy = Policy::Certificate {
        identity,
        issuer: signer.issuer.to_string().into(),
        github: GitHubClaims::default(),
    };
    let v = bundle::verify(signer.trust, &parsed, &Artifact::Digest(artifact), &policy);
    v.result.map_err(|e| {
        Refused::Fail(match v.checks.iter().find(|c| !c.passed()) {
            Some(c) if c.id == ids::BUNDLE_IDENTITY => format!("signed by {}", c.found),
            Some(c) if c.id == ids::BUNDLE_ISSUER => format!("issued by {}", c.found),
            Some(c) => format!("{}: expected {}, found {}", c.id, c.expected, c.found),
            None => e.to_string(),
        })
    })
}

const ENVELOPE_EXPECTED: &str =
    "one line: the bundle's dsseEnvelope (same payload type, payload and signatures)";

/// A release bundle's check and its envelope's, not run: what they would be checked against is
/// not known (`why`: the chart that names the release is not verified).
pub(super) fn not_run(
    spec: &CheckSpec,
    envelope_spec: &CheckSpec,
    signer: &Signer<'_>,
    why: &CouldNotRun,
) -> [Check; 2] {
    [
        spec.not_run(signer.expected(), why.clone()),
        envelope_spec.not_run(ENVELOPE_EXPECTED, why.clone()),
    ]
}

/// `*.envelope`: the `.intoto.jsonl` is one line holding the verified bundle's DSSE envelope.
pub(super) fn envelope(spec: &CheckSpec, b: &BundleResult, piece: &Piece) -> Check {
    let expected = ENVELOPE_EXPECTED;
    let fetched = match piece {
        Ok(f) => f,
        Err(m) => return missing(spec, expected, m),
    };
    let bundle_env = match &b.verified {
        None => Err(CouldNotRun::BundleNotVerified),
        Some(v) => v
            .envelope()
            .map(dsse::Envelope::from)
            .ok_or(CouldNotRun::NoEnvelope),
    };
    let bundle_env = match bundle_env {
        Ok(e) => e,
        Err(why) => return spec.not_run(expected, why).with_evidence(&fetched.source),
    };
    let check = match jsonl::read(&fetched.bytes) {
        Err(e) => spec.fail(expected, e.to_string()),
        Ok(lines) if lines.len() != 1 => spec.fail(expected, format!("{} lines", lines.len())),
        Ok(lines) => match dsse::compare(&bundle_env, lines[0].envelope()) {
            Ok(()) => spec.pass(
                expected,
                format!(
                    "the same envelope ({}, payload {})",
                    lines[0].shape(),
                    Digest::sha256(&bundle_env.payload)
                ),
            ),
            Err(m) => spec.fail(
                format!("{}: {}", m.field, m.expected),
                format!("{}: {}", m.field, m.found),
            ),
        },
    };
    check.with_evidence(&fetched.source)
}

/// Whether a verified bundle's statement names `digest` as a subject.
pub(super) fn subject_check(
    spec: &CheckSpec,
    expected: String,
    b: &BundleResult,
    digest: &Digest,
) -> Check {
    let statement = match &b.statement {
        Some(Ok(s)) => s.statement(),
        Some(Err(why)) => return spec.fail(expected, why.clone()),
        None => return spec.not_run(expected, CouldNotRun::StatementNotTrusted),
    };
    let hex = digest.hex();
    let found: Vec<String> = statement.subjects.iter().map(describe_subject).collect();
    let named = statement
        .subjects
        .iter()
        .any(|s| s.digest.get(digest.algorithm().name()) == Some(hex.as_str()));
    spec.pass_if(named, expected, found.join(", "))
}

/// The sha256 of a statement subject: the one equal to `prefer` if there is one, else the first.
fn subject_digest(s: &Statement, prefer: Option<&Digest>) -> Option<Digest> {
    let digests: Vec<Digest> = s
        .subjects
        .iter()
        .filter_map(|sub| sub.digest.get("sha256"))
        .filter_map(|hex| Digest::from_hex(Algorithm::Sha256, hex).ok())
        .collect();
    if let Some(p) = prefer {
        if digests.contains(p) {
            return Some(p.clone());
        }
    }
    digests.into_iter().next()
}

/// A certificate-identity matcher accepting any of `identities`, comparing the
/// `https://host/owner/repo/` part without case (GitHub names are case-insensitive) and the
/// rest exactly.
pub fn identity_matcher(identities: &[String]) -> Result<Identity, String> {
    let alternatives: Vec<String> = identities
        .iter()
        .map(|id| {
            let parts: Vec<&str> = id.splitn(6, '/').collect();
            // ["https:", "", host, owner, repo, rest]
            if parts.len() == 6 && parts[0] == "https:" && parts[1].is_empty() {
                format!(
                    "(?i-u:{})/{}",
                    regex::escape(&parts[..5].join("/")),
                    regex::escape(parts[5])
                )
            } else {
                regex::escape(id)
            }
        })
        .collect();
    Identity::regex(alternatives.join("|")).map_err(|e| e.to_string())
}
