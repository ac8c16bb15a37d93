//! `ops::verify_attestation`: an in-toto attestation (DSSE in a Sigstore bundle) checked for
//! what it says: the subject, the predicate type, and SLSA provenance against the signing
//! certificate (or, with a key, against the expectations given only); optionally that a
//! `.intoto.jsonl` file is the same envelope as the bundle's. A root that does not load, a
//! subject that cannot be read and unreadable files are usage errors (exit 2); everything else
//! is a check of the report.

use std::path::PathBuf;

use crate::attestation::Policy as AttestationPolicy;
use crate::attestation::files::{self, Inputs, Outcome, SubjectArg};
use crate::bundle::Policy;
use crate::report::Report;
use crate::trust::{Instance, Trust};

use super::Error;

/// The attestation, what it must be about and say, and who must have signed it.
pub struct VerifyAttestationRequest {
    pub bundle: PathBuf,
    /// An `.intoto.jsonl` that must hold the bundle's envelope.
    pub envelope: Option<PathBuf>,
    /// A file (hashed), `sha256:<hex>`, or `NAME@sha256:<hex>`.
    pub subject: String,
    pub signer: Policy,
    /// The predicate type and the provenance expectations.
    pub policy: AttestationPolicy,
    /// A trusted_root.json, else the embedded root of `instance` (or staging's).
    pub trusted_root: Option<PathBuf>,
    pub instance: Option<Instance>,
    pub staging: bool,
}

/// Verifies the attestation `req` names: one report (see the module documentation).
pub fn verify_attestation(req: &VerifyAttestationRequest) -> Result<Report, Error> {
    let trust = Trust::select(req.trusted_root.as_deref(), req.instance, req.staging)
        .map_err(Error::usage)?
        .accept_tsa_only(crate::bundle::danger::TsaOnly);
    let outcome = outcome(req, &trust)?;
    let mut report = Report::new("verify-attestation", &req.subject);
    report.checks = outcome.checks;
    report.details = outcome.details;
    Ok(report)
}

/// Whether the attestation verifies against `trust` (another root than the one asked for, for
/// a hint only: the verdict stays the one of [`verify_attestation`]).
pub fn verifies_against(req: &VerifyAttestationRequest, trust: &Trust) -> bool {
    outcome(req, trust).is_ok_and(|o| !o.checks.is_empty() && o.checks.iter().all(|c| c.passed()))
}

fn outcome(req: &VerifyAttestationRequest, trust: &Trust) -> Result<Outcome, Error> {
    let subject = SubjectArg::parse(&req.subject)
        .expected()
        .map_err(Error::usage)?;
    let inputs = Inputs {
        trust,
        bundle_path: &req.bundle,
        envelope_path: req.envelope.as_deref(),
        subject: &subject,
        signer: &req.signer,
        policy: &req.policy,
    };
    files::verify_files(&inputs).map_err(Error::usage)
}
