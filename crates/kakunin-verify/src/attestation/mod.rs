//! In-toto attestations: what a release's attestation says, checked, not only who signed it.
//!
//! - [`dsse`]: the DSSE envelope model, PAE, and envelope comparison;
//! - [`jsonl`]: the `.intoto.jsonl` file in its three real shapes;
//! - [`statement`]: the in-toto Statement (v1, v0.1) and subject matching;
//! - [`provenance`]: SLSA provenance v1 / v0.2 read into the facts kakunin checks;
//! - [`policy`]: each check, with expected and found;
//! - [`files`]: the files given on the command line, verified end to end.
//!
//! Guarantees: a [`VerifiedStatement`] can only be built here, from the envelope of a bundle
//! whose signature verified (the signature covers PAE(payloadType, payload), so every byte
//! decoded into it is signed); [`evaluate`] reports every check even when an earlier one
//! failed, and reports a check it could not run as not run, never as passed.

pub mod dsse;
pub mod files;
mod json;
pub mod jsonl;
pub mod policy;
pub mod provenance;
pub mod statement;

use serde_json::json;

use crate::bundle::VerifiedBundle;
use crate::check::{Check, ids};

pub use dsse::{Envelope, IN_TOTO_PAYLOAD_TYPE};
pub use policy::{Policy, Signer, SignerClaims};
pub use provenance::BuildFacts;
pub use statement::{ExpectedSubject, Statement};

/// Predicates up to this size are included whole in the JSON report's details.
pub const MAX_REPORTED_PREDICATE_BYTES: usize = 1024 * 1024;

/// A statement decoded from a verified bundle's DSSE envelope: its bytes are signed by the
/// certificate whose claims it carries, or by the managed key the bundle verified with. Whether it satisfies a policy is what the checks say.
#[derive(Debug, Clone)]
pub struct VerifiedStatement {
    statement: Statement,
    payload: Vec<u8>,
    signer: Signer,
    provenance: Option<BuildFacts>,
}

impl VerifiedStatement {
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// The signed payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Who signed it: the claims of the certificate, or the managed key.
    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The SLSA provenance facts, when the predicate is provenance kakunin reads.
    pub fn provenance(&self) -> Option<&BuildFacts> {
        self.provenance.as_ref()
    }

    /// The statement for the JSON report: `_type`, subjects, predicateType, and the predicate
    /// itself when it is at most [`MAX_REPORTED_PREDICATE_BYTES`].
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(&self.statement).unwrap_or_default();
        if self.payload.len() <= MAX_REPORTED_PREDICATE_BYTES {
            #[derive(serde::Deserialize)]
            struct P {
                #[serde(default)]
                predicate: Option<serde_json::Value>,
            }
            if let Ok(P { predicate: Some(p) }) = json::from_slice::<P>(&self.payload) {
                v["predicate"] = p;
            }
        } else {
            v["predicateOmitted"] = json!(format!(
                "{} byte payload, more than the {MAX_REPORTED_PREDICATE_BYTES} bytes reported",
                self.payload.len()
            ));
        }
        v
    }
}

/// What to check of an attestation besides its bundle.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The artifact the attestation must be about.
    pub subject: &'a ExpectedSubject,
    pub policy: &'a Policy,
    /// The `.intoto.jsonl` envelope that must be the bundle's (`--envelope`).
    pub envelope_file: Option<&'a Envelope>,
}

/// The checks of one attestation, and its statement when it could be decoded.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub checks: Vec<Check>,
    pub statement: Option<VerifiedStatement>,
}

impl Evaluation {
    /// The report's `details`: the decoded statement, the provenance facts and the signer.
    pub fn details(&self) -> serde_json::Value {
        match &self.statement {
            Some(s) => json!({
                "statement": s.to_json(),
                "provenance": s.provenance(),
                "signer": s.signer(),
            }),
            None => serde_json::Value::Null,
        }
    }
}

impl Signer {
    /// Who signed a verified bundle: its managed key, else its certificate.
    pub fn of(bundle: &VerifiedBundle) -> Signer {
        match bundle.key_fingerprint() {
            Some(fingerprint) => Signer::Key {
                key_fingerprint: fingerprint.to_string(),
            },
            None => Signer::Certificate(SignerClaims::of(bundle)),
        }
    }
}

impl SignerClaims {
    /// The claims of a verified bundle's certificate.
    pub fn of(bundle: &VerifiedBundle) -> SignerClaims {
        let c = bundle.claims();
        SignerClaims {
            identity: bundle.identity().unwrap_or_default().to_owned(),
            issuer: bundle.issuer().map(str::to_owned),
            source_repository_uri: c.source_repository_uri.clone(),
            source_repository_ref: c.source_repository_ref.clone(),
            source_repository_digest: c.source_repository_digest.clone(),
            build_signer_uri: c.build_signer_uri.clone(),
            build_config_uri: c.build_config_uri.clone(),
            runner_environment: c.runner_environment.clone(),
        }
    }
}

impl From<&crate::bundle::Envelope> for Envelope {
    fn from(e: &crate::bundle::Envelope) -> Envelope {
        Envelope {
            payload_type: e.payload_type().to_owned(),
            payload: e.payload().to_vec(),
            signatures: e
                .signatures()
                .iter()
                .map(|s| dsse::Signature {
                    keyid: s.keyid.clone(),
                    sig: s.sig.clone(),
                    cert: None,
                })
                .collect(),
        }
    }
}

impl VerifiedStatement {
    /// Decodes the statement of a verified DSSE bundle (for callers that check subjects
    /// themselves, such as a release's chart and image checks). Fails when the bundle holds
    /// no DSSE envelope, or its payload is not an in-toto statement.
    pub fn decode(bundle: &VerifiedBundle) -> Result<VerifiedStatement, String> {
        let envelope = bundle
            .envelope()
            .ok_or("the bundle holds a message signature, not a DSSE envelope (attestation)")?;
        if envelope.payload_type() != IN_TOTO_PAYLOAD_TYPE {
            return Err(format!(
                "DSSE payloadType: expected {IN_TOTO_PAYLOAD_TYPE}, found {}",
                envelope.payload_type()
            ));
        }
        let statement = Statement::parse(envelope.payload()).map_err(|e| e.to_string())?;
        let provenance = provenance::is_provenance(&statement.predicate_type)
            .then(|| provenance::read(envelope.payload(), &statement.predicate_type).ok())
            .flatten();
        Ok(VerifiedStatement {
            statement,
            payload: envelope.payload().to_vec(),
            signer: Signer::of(bundle),
            provenance,
        })
    }
}

/// Runs every attestation check on a bundle that verified: its DSSE envelope, statement,
/// subject, predicate type, provenance and (with `--envelope`) the `.intoto.jsonl` file.
pub fn verify(bundle: &VerifiedBundle, request: &Request<'_>) -> Evaluation {
    match bundle.envelope() {
        Some(envelope) => evaluate(&Envelope::from(envelope), Signer::of(bundle), request),
        None => {
            let mut checks = vec![Check::fail(
                ids::ATTESTATION_PAYLOAD_TYPE,
                "the bundle holds a DSSE envelope with an in-toto statement",
                format!("a dsseEnvelope with payloadType {IN_TOTO_PAYLOAD_TYPE}"),
                "a message signature (the bundle signs an artifact, it attests nothing)",
            )];
            checks.push(Check::not_run(
                ids::ATTESTATION_STATEMENT,
                "the payload is an in-toto Statement",
                "an in-toto Statement",
                "the bundle has no DSSE envelope",
            ));
            Evaluation {
                checks,
                statement: None,
            }
        }
    }
}

/// Runs every attestation check on the envelope of a bundle that verified. Private: the only
/// callers pass the envelope of a verified bundle (see [`verify`]), so that the statement it
/// returns is a [`VerifiedStatement`].
fn evaluate(envelope: &Envelope, signer: Signer, request: &Request<'_>) -> Evaluation {
    let mut checks = Vec::new();
    let mut statement = None;

    let type_ok = envelope.payload_type == IN_TOTO_PAYLOAD_TYPE;
    checks.push(Check::compare(
        ids::ATTESTATION_PAYLOAD_TYPE,
        "DSSE payloadType is an in-toto statement",
        IN_TOTO_PAYLOAD_TYPE,
        &envelope.payload_type,
    ));
    let parsed = if type_ok {
        Some(Statement::parse(&envelope.payload))
    } else {
        None
    };
    const STATEMENT_TITLE: &str = "the payload is an in-toto Statement";
    const STATEMENT_EXPECTED: &str =
        "an in-toto Statement (v1 or v0.1) with subjects and a predicateType";
    match parsed {
        None => checks.push(Check::not_run(
            ids::ATTESTATION_STATEMENT,
            STATEMENT_TITLE,
            STATEMENT_EXPECTED,
            "the payload is not declared as an in-toto statement",
        )),
        Some(Err(e)) => checks.push(Check::fail(
            ids::ATTESTATION_STATEMENT,
            STATEMENT_TITLE,
            STATEMENT_EXPECTED,
            e.to_string(),
        )),
        Some(Ok(s)) => {
            checks.push(Check::pass(
                ids::ATTESTATION_STATEMENT,
                STATEMENT_TITLE,
                STATEMENT_EXPECTED,
                format!(
                    "{} with {} subject(s), predicateType {}",
                    s.version.uri(),
                    s.subjects.len(),
                    s.predicate_type
                ),
            ));
            checks.push(policy::check_subject(&s, request.subject));
            checks.push(policy::check_predicate_type(&s, request.policy));
            let (provenance_checks, facts) =
                policy::check_provenance(&envelope.payload, &s, &signer, request.policy);
            checks.extend(provenance_checks);
            statement = Some(VerifiedStatement {
                statement: s,
                payload: envelope.payload.clone(),
                signer,
                provenance: facts,
            });
        }
    }
    if statement.is_none() {
        checks.extend(undecoded_statement_checks(request));
    }
    if let Some(file) = request.envelope_file {
        checks.push(check_envelope(envelope, file));
    }
    Evaluation { checks, statement }
}

/// The subject and predicate-type checks when no statement could be decoded: not run, never
/// passed.
fn undecoded_statement_checks(request: &Request<'_>) -> Vec<Check> {
    [
        (
            ids::ATTESTATION_SUBJECT,
            "statement subjects include the artifact",
            request.subject.describe(),
        ),
        (
            ids::ATTESTATION_PREDICATE_TYPE,
            "predicateType is the expected one",
            request.policy.predicate_type.clone(),
        ),
    ]
    .into_iter()
    .map(|(id, title, expected)| {
        Check::not_run(id, title, expected, "no statement could be decoded")
    })
    .collect()
}

/// `attestation.envelope`: the `.intoto.jsonl` envelope is the bundle's.
pub fn check_envelope(bundle: &Envelope, file: &Envelope) -> Check {
    let title = "the .intoto.jsonl envelope is the bundle's dsseEnvelope";
    match dsse::compare(bundle, file) {
        Ok(()) => Check::pass(
            ids::ATTESTATION_ENVELOPE,
            title,
            "the same payloadType, payload bytes and signatures",
            format!(
                "identical ({} payload bytes, {} signature(s))",
                file.payload.len(),
                file.signatures.len()
            ),
        ),
        Err(m) => Check::fail(
            ids::ATTESTATION_ENVELOPE,
            format!("{title} ({} differs)", m.field),
            format!("{}: {}", m.field, m.expected),
            format!("{}: {}", m.field, m.found),
        ),
    }
}

#[cfg(test)]
mod tests;
