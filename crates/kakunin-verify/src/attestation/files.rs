//! The attestation files a user hands over (`--bundle`, `--envelope`, the subject), read with
//! bounds and verified end to end: bundle first, then what the statement says.
//!
//! Guarantees: every attestation in the `--bundle` file is verified as a Sigstore bundle
//! (certificate chain, log or timestamps, signature, identity policy) before anything its
//! statement says is checked; an attestation that cannot be verified offline (a bare envelope,
//! or one carrying a certificate but no log entry) yields a check that did not run, so the
//! verdict is never "verified" (exit 3, with what is missing). With several attestations in
//! one file, the first that passes every check is the verdict (as `gh attestation verify`);
//! when none does, every line's checks are reported.

use std::path::{Path, PathBuf};

use serde_json::json;

use super::jsonl::{self, Line};
use super::statement::ExpectedSubject;
use super::{Envelope, Policy, Request, Statement};
use crate::bundle::{self, Artifact};
use crate::check::{Check, ids, verdict};
use crate::digest::{self, Algorithm, Digest};
use crate::exit::ExitCode;
use crate::limits;
use crate::trust::Trust;

/// The SUBJECT argument: a file, `sha256:<hex>` / `sha512:<hex>`, or `NAME@sha256:<hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectArg {
    File(PathBuf),
    Digest {
        name: Option<String>,
        digest: Digest,
    },
}

impl SubjectArg {
    /// A well-formed digest (optionally after `NAME@`) that is not a path on disk is a digest;
    /// anything else is a file.
    pub fn parse(arg: &str) -> SubjectArg {
        if !Path::new(arg).exists() {
            if let Ok(digest) = arg.parse::<Digest>() {
                return SubjectArg::Digest { name: None, digest };
            }
            if let Some((name, d)) = arg.rsplit_once('@') {
                if let (false, Ok(digest)) = (name.is_empty(), d.parse::<Digest>()) {
                    return SubjectArg::Digest {
                        name: Some(name.to_owned()),
                        digest,
                    };
                }
            }
        }
        SubjectArg::File(PathBuf::from(arg))
    }

    /// The expected subject: a file is hashed once, streamed, with SHA-256 and SHA-512 (the
    /// algorithms in-toto subjects use: GitHub's sha256, npm's sha512).
    pub fn expected(&self) -> Result<ExpectedSubject, FilesError> {
        match self {
            SubjectArg::Digest { name, digest } => Ok(ExpectedSubject {
                name: name.clone(),
                digests: vec![digest.clone()],
            }),
            SubjectArg::File(path) => {
                let read = |source| FilesError::Read {
                    what: "subject",
                    path: path.clone(),
                    source,
                };
                let file = std::fs::File::open(path).map_err(read)?;
                let (digests, _) =
                    digest::hash_reader(file, &[Algorithm::Sha256, Algorithm::Sha512])
                        .map_err(read)?;
                Ok(ExpectedSubject {
                    name: None,
                    digests,
                })
            }
        }
    }
}

/// A file that could not be read (exit 2). A file that was read but holds no valid
/// attestation is a verification failure instead, reported as a check.
#[derive(Debug, thiserror::Error)]
pub enum FilesError {
    #[error("cannot read {what} {path}: {source}")]
    Read {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What to verify.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub trust: &'a Trust,
    pub bundle_path: &'a Path,
    pub envelope_path: Option<&'a Path>,
    pub subject: &'a ExpectedSubject,
    /// Who must have signed (identity, issuer, certificate claims), as `verify-bundle`.
    pub signer: &'a bundle::Policy,
    pub policy: &'a Policy,
}

/// The checks of the attestation files and the report's details.
#[derive(Debug)]
pub struct Outcome {
    pub checks: Vec<Check>,
    pub details: serde_json::Value,
}

const SIGNATURE_TITLE: &str = "bundle signature, certificate chain, log and timestamps";

/// Reads and verifies the attestation files.
pub fn verify_files(inputs: &Inputs<'_>) -> Result<Outcome, FilesError> {
    let bytes = limits::read_file_capped(inputs.bundle_path, limits::MAX_JSONL_BYTES).map_err(
        |source| FilesError::Read {
            what: "bundle",
            path: inputs.bundle_path.to_path_buf(),
            source,
        },
    )?;
    let envelope_file = match inputs.envelope_path {
        None => None,
        Some(path) => Some(read_envelope_file(path)?),
    };
    let bundle_name = inputs.bundle_path.display().to_string();
    let lines = match read_lines(&bytes, bundle::is_jsonl(inputs.bundle_path)) {
        Ok(lines) => lines,
        Err(e) => {
            let check = Check::fail(
                ids::BUNDLE_SIGNATURE,
                SIGNATURE_TITLE,
                "a Sigstore bundle with a DSSE envelope",
                e,
            )
            .with_evidence(&bundle_name);
            return Ok(Outcome {
                checks: vec![check],
                details: json!({ "bundle": bundle_name }),
            });
        }
    };
    let multi = lines.len() > 1;
    let mut all = Vec::new();
    let mut first_details = None;
    for (line_no, line) in lines {
        let (mut checks, details) = match line {
            Ok(line) => verify_line(inputs, &line, envelope_file.as_ref()),
            // A line that is not an attestation does not hide the others.
            Err(e) => (
                vec![Check::fail(
                    ids::BUNDLE_SIGNATURE,
                    SIGNATURE_TITLE,
                    "a Sigstore bundle with a DSSE envelope",
                    e,
                )],
                json!({}),
            ),
        };
        let evidence = if multi {
            format!("{bundle_name}:{line_no}")
        } else {
            bundle_name.clone()
        };
        for c in &mut checks {
            c.evidence.push(evidence.clone());
        }
        let mut details = details;
        details["bundle"] = bundle_name.clone().into();
        if multi {
            details["line"] = line_no.into();
        }
        if let Some(path) = inputs.envelope_path {
            details["envelope"] = path.display().to_string().into();
        }
        if verdict(&checks) == ExitCode::Verified {
            return Ok(Outcome { checks, details });
        }
        first_details.get_or_insert(details);
        all.extend(checks);
    }
    Ok(Outcome {
        checks: all,
        details: first_details.unwrap_or_default(),
    })
}

/// A `.sigstore`/`.json` file is one document (possibly pretty-printed); a `.jsonl` file is one
/// attestation a line, each classified on its own (a line that is not one is an `Err` there).
/// A one-line `.jsonl` is also one document. The outer error is for a file that holds no
/// attestation at all (or too many lines).
#[allow(clippy::type_complexity)]
fn read_lines(bytes: &[u8], jsonl: bool) -> Result<Vec<(usize, Result<Line, String>)>, String> {
    match jsonl::classify(bytes.trim_ascii(), 1) {
        Ok(line) => return Ok(vec![(1, Ok(line))]),
        Err(e) if !jsonl => return Err(e.to_string()),
        Err(_) => {}
    }
    let mut out = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let raw = raw.trim_ascii();
        if raw.is_empty() {
            continue;
        }
        if out.len() == limits::MAX_JSONL_LINES {
            return Err(jsonl::JsonlError::TooManyLines.to_string());
        }
        let line = if raw.len() as u64 > limits::MAX_BUNDLE_BYTES {
            Err(jsonl::JsonlError::LineTooLong {
                line: i + 1,
                found: raw.len(),
                cap: limits::MAX_BUNDLE_BYTES,
            }
            .to_string())
        } else {
            jsonl::classify(raw, i + 1).map_err(|e| e.to_string())
        };
        out.push((i + 1, line));
    }
    if out.is_empty() {
        return Err(jsonl::JsonlError::Empty.to_string());
    }
    Ok(out)
}

/// The `--envelope` file: exactly one attestation, in any of the three shapes.
fn read_envelope_file(path: &Path) -> Result<Result<Envelope, String>, FilesError> {
    let bytes = limits::read_file_capped(path, limits::MAX_JSONL_BYTES).map_err(|source| {
        FilesError::Read {
            what: "envelope",
            path: path.to_path_buf(),
            source,
        }
    })?;
    Ok(match read_lines(&bytes, bundle::is_jsonl(path)) {
        Err(e) => Err(format!("{}: {e}", path.display())),
        Ok(mut lines) if lines.len() == 1 => match lines.remove(0).1 {
            Ok(line) => Ok(line.envelope().clone()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        },
        Ok(lines) => Err(format!(
            "{}: expected one envelope, found {} attestations",
            path.display(),
            lines.len()
        )),
    })
}

/// What one line of a `.intoto.jsonl` yields: its checks and its JSON details.
type LineReport = (Vec<Check>, serde_json::Value);

/// The Sigstore bundle a line holds, or the report of a line that cannot be verified offline
/// (a bare envelope, an envelope without its log entry) or whose bundle does not parse.
fn line_bundle(line: &Line) -> Result<sigstore_types::Bundle, LineReport> {
    let shape = || json!({ "shape": line.shape() });
    let json = match line {
        Line::Bundle { json, .. } => json,
        Line::Envelope(_) => {
            return Err((
                vec![Check::not_run(
                    ids::BUNDLE_SIGNATURE,
                    SIGNATURE_TITLE,
                    "a Sigstore bundle (certificate, transparency-log entry or timestamp, signature)",
                    "a bare DSSE envelope without certificate: it can only be verified with the \
                     .sigstore bundle it was taken from (--bundle X.sigstore --envelope X.intoto.jsonl)",
                )],
                shape(),
            ));
        }
        Line::EnvelopeWithCertificate { .. } => {
            return Err((
                vec![Check::not_run(
                    ids::BUNDLE_SIGNATURE,
                    SIGNATURE_TITLE,
                    "a signature whose transparency-log entry (inclusion proof or signed entry \
                     timestamp) is in hand, so it verifies offline",
                    "a DSSE envelope carrying its certificate but no transparency-log entry (older \
                     slsa-github-generator): missing the Rekor entry, which kakunin does not look \
                     up online; use a Sigstore bundle of this attestation",
                )],
                shape(),
            ));
        }
    };
    bundle::parse_bundle(json).map_err(|e| {
        (
            vec![Check::fail(
                ids::BUNDLE_SIGNATURE,
                SIGNATURE_TITLE,
                "a valid Sigstore bundle",
                e.to_string(),
            )],
            shape(),
        )
    })
}

fn verify_line(
    inputs: &Inputs<'_>,
    line: &Line,
    envelope_file: Option<&Result<Envelope, String>>,
) -> LineReport {
    let parsed = match line_bundle(line) {
        Ok(b) => b,
        Err(report) => return report,
    };
    let Some(artifact) = artifact_for(inputs.subject, line.envelope()) else {
        return (
            vec![Check::not_run(
                ids::ATTESTATION_SUBJECT,
                "statement subjects include the artifact",
                "an artifact digest",
                "no digest of the subject was given",
            )],
            json!({}),
        );
    };
    let verification = bundle::verify(inputs.trust, &parsed, &artifact, inputs.signer);
    let mut checks = verification.checks;
    let verified = match verification.result {
        Ok(v) => v,
        Err(e) => {
            checks.push(Check::not_run(
                ids::ATTESTATION_STATEMENT,
                "the payload is an in-toto Statement",
                "a statement from a bundle that verified",
                format!("not decoded: the bundle did not verify ({e})"),
            ));
            return (
                checks,
                json!({ "trusted_root": inputs.trust.name(), "error": e.to_string() }),
            );
        }
    };
    let file_envelope = match envelope_file {
        Some(Err(e)) => {
            checks.push(unreadable_envelope_file(e));
            None
        }
        Some(Ok(e)) => Some(e),
        None => None,
    };
    let evaluation = super::verify(
        &verified,
        &Request {
            subject: inputs.subject,
            policy: inputs.policy,
            envelope_file: file_envelope,
        },
    );
    checks.extend(evaluation.checks.iter().cloned());
    let mut details = evaluation.details();
    if details.is_null() {
        details = json!({});
    }
    details["verified_bundle"] = verified.details();
    (checks, details)
}

/// `attestation.envelope` when the `--envelope` file could not be read as an envelope.
fn unreadable_envelope_file(why: &str) -> Check {
    Check::fail(
        ids::ATTESTATION_ENVELOPE,
        "the .intoto.jsonl envelope is the bundle's dsseEnvelope",
        "a DSSE envelope (or a bundle holding one)",
        why,
    )
}

/// The artifact to bind the bundle to: a digest the statement's subjects use (sha256 when one
/// has it, else sha512), peeked from the not-yet-verified payload only to pick the algorithm;
/// sigstore-verify then checks the binding on the verified payload.
fn artifact_for(subject: &ExpectedSubject, envelope: &Envelope) -> Option<Artifact<'static>> {
    let preferred = Statement::parse(&envelope.payload)
        .ok()
        .and_then(|s| {
            [Algorithm::Sha256, Algorithm::Sha512]
                .into_iter()
                .find(|a| s.subjects.iter().any(|x| x.digest.get(a.name()).is_some()))
        })
        .unwrap_or(Algorithm::Sha256);
    let digest = subject
        .digests
        .iter()
        .find(|d| d.algorithm() == preferred)
        .or(subject.digests.first())?
        .clone();
    Some(Artifact::Digest(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_argument_forms() {
        let hex = "a".repeat(64);
        assert_eq!(
            SubjectArg::parse(&format!("sha256:{hex}")),
            SubjectArg::Digest {
                name: None,
                digest: format!("sha256:{hex}").parse().unwrap()
            }
        );
        assert_eq!(
            SubjectArg::parse(&format!("pkg:npm/sigstore@2.1.0@sha256:{hex}")),
            SubjectArg::Digest {
                name: Some("pkg:npm/sigstore@2.1.0".into()),
                digest: format!("sha256:{hex}").parse().unwrap()
            }
        );
        assert_eq!(
            SubjectArg::parse("app.tgz"),
            SubjectArg::File("app.tgz".into())
        );
        assert_eq!(
            SubjectArg::parse("sha256:abc"),
            SubjectArg::File("sha256:abc".into())
        );
        assert_eq!(
            SubjectArg::parse(&format!("@sha256:{hex}")),
            SubjectArg::File(format!("@sha256:{hex}").into())
        );
    }
}
