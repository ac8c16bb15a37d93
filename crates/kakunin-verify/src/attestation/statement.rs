//! The in-toto Statement (<https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md>),
//! v1 and v0.1: subjects with their digest sets, and the predicate type.
//!
//! Guarantees: a [`Statement`] comes from a bounded payload (at most
//! [`crate::limits::MAX_PAYLOAD_BYTES`], [`crate::limits::MAX_SUBJECTS`] subjects, nesting at
//! most [`crate::limits::MAX_DEPTH`]) whose `_type` is a Statement version kakunin knows, with
//! at least one subject, every subject carrying a non-empty digest set without duplicate
//! algorithms, and a non-empty `predicateType`. Duplicate top-level fields are refused (no
//! "last one wins" differential with other parsers). The predicate itself is not kept here:
//! [`super::provenance`] reads what it needs from the same payload.

use serde::{Deserialize, Serialize};

use super::json::{BoundedVec, DigestSet};
use crate::digest::Digest;
use crate::limits::{MAX_PAYLOAD_BYTES, MAX_SUBJECTS};

pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";
pub const STATEMENT_V0_1: &str = "https://in-toto.io/Statement/v0.1";

/// Which Statement layer the payload uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum StatementVersion {
    #[serde(rename = "https://in-toto.io/Statement/v1")]
    V1,
    #[serde(rename = "https://in-toto.io/Statement/v0.1")]
    V0_1,
}

impl StatementVersion {
    pub fn uri(self) -> &'static str {
        match self {
            StatementVersion::V1 => STATEMENT_V1,
            StatementVersion::V0_1 => STATEMENT_V0_1,
        }
    }
}

/// One subject: an optional name and its digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub digest: DigestSet,
}

/// A parsed in-toto statement (without its predicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    pub version: StatementVersion,
    #[serde(rename = "subject")]
    pub subjects: Vec<Subject>,
    #[serde(rename = "predicateType")]
    pub predicate_type: String,
}

/// Why a payload is not an acceptable in-toto statement.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatementError {
    #[error("payload is {found} bytes, more than the {cap} bytes allowed for a statement")]
    TooLarge { found: usize, cap: usize },
    #[error("payload is not an in-toto statement: {0}")]
    Json(String),
    #[error("statement _type: expected {STATEMENT_V1} or {STATEMENT_V0_1}, found {0:?}")]
    Type(String),
    #[error("statement subject: expected at least one subject, found none")]
    NoSubjects,
    #[error("statement subject[{index}] digest: expected at least one digest, found none")]
    EmptyDigest { index: usize },
    #[error("statement predicateType: expected a URI, found an empty string")]
    EmptyPredicateType,
}

impl StatementError {
    /// `attestation.statement` failed with this error: what an image's attestation (a cosign
    /// `.att` layer, a DSSE referrer) that is not a statement reports.
    pub fn check(&self) -> crate::check::Check {
        crate::check::Check::fail(
            crate::check::ids::ATTESTATION_STATEMENT,
            "payload is an in-toto statement",
            "an in-toto Statement v1 or v0.1",
            self.to_string(),
        )
    }
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "_type")]
    type_: String,
    subject: BoundedVec<Subject, MAX_SUBJECTS>,
    #[serde(rename = "predicateType")]
    predicate_type: String,
    #[serde(default, rename = "predicate")]
    _predicate: Option<serde::de::IgnoredAny>,
}

impl Statement {
    /// Parses and validates a statement from a DSSE payload.
    pub fn parse(payload: &[u8]) -> Result<Statement, StatementError> {
        if payload.len() > MAX_PAYLOAD_BYTES {
            return Err(StatementError::TooLarge {
                found: payload.len(),
                cap: MAX_PAYLOAD_BYTES,
            });
        }
        let wire: Wire = super::json::from_slice(payload).map_err(StatementError::Json)?;
        let version = match wire.type_.as_str() {
            STATEMENT_V1 => StatementVersion::V1,
            STATEMENT_V0_1 => StatementVersion::V0_1,
            _ => return Err(StatementError::Type(truncate(&wire.type_))),
        };
        let subjects = wire.subject.0;
        if subjects.is_empty() {
            return Err(StatementError::NoSubjects);
        }
        if let Some(index) = subjects.iter().position(|s| s.digest.0.is_empty()) {
            return Err(StatementError::EmptyDigest { index });
        }
        if wire.predicate_type.is_empty() {
            return Err(StatementError::EmptyPredicateType);
        }
        Ok(Statement {
            version,
            subjects,
            predicate_type: wire.predicate_type,
        })
    }

    /// The first subject that is the expected artifact, if any (see [`ExpectedSubject`]).
    pub fn find_subject(&self, expected: &ExpectedSubject) -> Option<&Subject> {
        self.subjects.iter().find(|s| expected.matches(s))
    }
}

/// The artifact an attestation must be about: digests kakunin computed or was given, and
/// optionally the name the statement must give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedSubject {
    pub name: Option<String>,
    /// At least one digest; several algorithms of the same artifact when it was hashed here.
    pub digests: Vec<Digest>,
}

impl ExpectedSubject {
    /// A subject's digest set names this artifact when at least one of its digests is one of
    /// ours and none of the algorithms we both know disagrees (and the name is equal, when one
    /// is expected). Digest values compare as the lower-case hex in-toto prescribes.
    pub fn matches(&self, subject: &Subject) -> bool {
        if let Some(name) = &self.name {
            if subject.name.as_deref() != Some(name.as_str()) {
                return false;
            }
        }
        let mut any = false;
        for d in &self.digests {
            match subject.digest.get(d.algorithm().name()) {
                Some(v) if v == d.hex() => any = true,
                Some(_) => return false,
                None => {}
            }
        }
        any
    }

    /// How the expected subject reads in a check: `name@sha256:…` or `sha256:… (sha512:…)`.
    pub fn describe(&self) -> String {
        let digests = self
            .digests
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" or ");
        match &self.name {
            Some(name) => format!("{name}@{digests}"),
            None => digests,
        }
    }
}

/// How a subject reads in a check: `name (sha256:…, sha512:…)`.
pub fn describe_subject(s: &Subject) -> String {
    let digests = s
        .digest
        .0
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(", ");
    match &s.name {
        Some(name) => format!("{name} ({digests})"),
        None => format!("(no name) ({digests})"),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "afa27b44d43b02a9fea41d13cedc2e4016cfcf87c5dbf990e593669aa8ce286d";

    fn statement(subjects: &str) -> String {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":{subjects},"predicateType":"https://slsa.dev/provenance/v1","predicate":{{"x":[1,2,{{"y":null}}]}}}}"#
        )
    }

    fn expected(name: Option<&str>) -> ExpectedSubject {
        ExpectedSubject {
            name: name.map(Into::into),
            digests: vec![format!("sha256:{HEX}").parse().unwrap()],
        }
    }

    #[test]
    fn parses_v1_and_v0_1_statements() {
        let s = Statement::parse(
            statement(&format!(
                r#"[{{"name":"artifact","digest":{{"sha256":"{HEX}"}}}}]"#
            ))
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(s.version, StatementVersion::V1);
        assert_eq!(s.predicate_type, "https://slsa.dev/provenance/v1");
        assert_eq!(s.subjects[0].name.as_deref(), Some("artifact"));
        let v01 = format!(
            r#"{{"_type":"https://in-toto.io/Statement/v0.1","subject":[{{"digest":{{"sha256":"{HEX}"}}}}],"predicateType":"p"}}"#
        );
        let s = Statement::parse(v01.as_bytes()).unwrap();
        assert_eq!(s.version, StatementVersion::V0_1);
        assert_eq!(s.subjects[0].name, None);
    }

    #[test]
    fn refuses_what_the_spec_does_not_allow_naming_the_field() {
        let cases = [
            (
                statement("[]").replace("Statement/v1", "Statement/v2"),
                "_type: expected https://in-toto.io/Statement/v1",
            ),
            (statement("[]"), "expected at least one subject"),
            (
                statement(r#"[{"name":"a","digest":{}}]"#),
                "subject[0] digest",
            ),
            (statement(r#"[{"name":"a"}]"#), "missing field `digest`"),
            (
                statement(&format!(r#"[{{"digest":{{"sha256":"{HEX}"}}}}]"#))
                    .replace("https://slsa.dev/provenance/v1", ""),
                "predicateType",
            ),
            (
                statement(&format!(r#"[{{"digest":{{"sha256":"{HEX}"}}}}]"#)).replacen(
                    "{\"_type\"",
                    "{\"_type\":\"x\",\"_type\"",
                    1,
                ),
                "key \"_type\" appears twice",
            ),
            (
                // At any depth: a predicate naming its builder twice.
                statement(&format!(r#"[{{"digest":{{"sha256":"{HEX}"}}}}]"#)).replacen(
                    "\"predicateType\"",
                    "\"predicate\":{\"builder\":{\"id\":\"a\",\"id\":\"b\"}},\"predicateType\"",
                    1,
                ),
                "key \"id\" appears twice in the object at $.predicate.builder",
            ),
            (r#"{"_type": "#.to_string(), "not an in-toto statement"),
            ("[]".to_string(), "not an in-toto statement"),
        ];
        for (doc, needle) in cases {
            let err = Statement::parse(doc.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(needle), "{err:?} should contain {needle:?}");
        }
    }

    #[test]
    fn subject_matching_wants_the_digest_and_the_name_when_given() {
        let s = Statement::parse(
            statement(&format!(
                r#"[{{"name":"other","digest":{{"sha256":"{}"}}}},{{"name":"artifact","digest":{{"sha256":"{HEX}"}}}}]"#,
                "0".repeat(64)
            ))
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            s.find_subject(&expected(None)).unwrap().name.as_deref(),
            Some("artifact")
        );
        assert!(s.find_subject(&expected(Some("artifact"))).is_some());
        assert!(s.find_subject(&expected(Some("other"))).is_none());
        assert!(s.find_subject(&expected(Some("Artifact"))).is_none());
    }

    #[test]
    fn a_subject_whose_other_digest_disagrees_is_not_the_artifact() {
        let data = b"artifact";
        let sha256 = Digest::of_bytes(crate::digest::Algorithm::Sha256, data);
        let sha512 = Digest::of_bytes(crate::digest::Algorithm::Sha512, data);
        let both = ExpectedSubject {
            name: None,
            digests: vec![sha256.clone(), sha512.clone()],
        };
        let doc = |d256: &str, d512: &str| {
            statement(&format!(
                r#"[{{"digest":{{"sha256":"{d256}","sha512":"{d512}"}}}}]"#
            ))
        };
        let ok = Statement::parse(doc(&sha256.hex(), &sha512.hex()).as_bytes()).unwrap();
        assert!(ok.find_subject(&both).is_some());
        let bad = Statement::parse(doc(&sha256.hex(), &"0".repeat(128)).as_bytes()).unwrap();
        assert!(bad.find_subject(&both).is_none());
        // Upper-case hex is not the in-toto form and does not match.
        let upper = Statement::parse(
            statement(&format!(
                r#"[{{"digest":{{"sha256":"{}"}}}}]"#,
                HEX.to_uppercase()
            ))
            .as_bytes(),
        )
        .unwrap();
        assert!(upper.find_subject(&expected(None)).is_none());
    }

    #[test]
    fn ten_thousand_subjects_parse_and_one_too_many_is_refused() {
        let subjects: Vec<String> = (0..10_000)
            .map(|i| format!(r#"{{"name":"f{i}","digest":{{"sha256":"{i:064x}"}}}}"#))
            .collect();
        let s =
            Statement::parse(statement(&format!("[{}]", subjects.join(","))).as_bytes()).unwrap();
        assert_eq!(s.subjects.len(), 10_000);
        let over = format!(
            "[{}]",
            vec![format!(r#"{{"digest":{{"sha256":"{HEX}"}}}}"#); MAX_SUBJECTS + 1].join(",")
        );
        let err = Statement::parse(statement(&over).as_bytes())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("more than {MAX_SUBJECTS} elements")),
            "{err}"
        );
    }
}
