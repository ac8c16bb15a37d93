//! Reading `.intoto.jsonl` files, one attestation per line, in the three shapes found in the
//! wild:
//!
//! 1. a bare DSSE envelope without certificate (`jq -c .dsseEnvelope bundle`, as GomenHashai
//!    and in-toto publish): verifiable only together with the bundle it was taken from;
//! 2. a whole Sigstore bundle on one line (slsa-github-generator >= 2.1, BCR, `gh` .jsonl);
//! 3. a bare envelope whose signature carries a PEM certificate but no transparency-log entry
//!    (slsa-github-generator <= 2.0): without the log entry it cannot be verified offline.
//!
//! Guarantees: the file is split into at most [`MAX_JSONL_LINES`] non-empty lines of at most
//! [`MAX_BUNDLE_BYTES`] each, every line is parsed once under the JSON depth cap, and each is
//! classified into exactly one [`Line`] or refused with its line number. Nothing is verified.

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::dsse::{Envelope, EnvelopeError, EnvelopeWire};
use crate::limits::{MAX_BUNDLE_BYTES, MAX_JSONL_LINES};

/// One attestation line of an `.intoto.jsonl` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Shape 1: a DSSE envelope with no certificate.
    Envelope(Envelope),
    /// Shape 2: a Sigstore bundle holding a DSSE envelope; `json` is the line, for the bundle
    /// verifier.
    Bundle { json: Vec<u8>, envelope: Envelope },
    /// Shape 3: a DSSE envelope whose signature carries its certificate, without a log entry.
    EnvelopeWithCertificate {
        envelope: Envelope,
        certificate_pem: String,
    },
}

impl Line {
    /// The DSSE envelope of this line, whatever its shape.
    pub fn envelope(&self) -> &Envelope {
        match self {
            Line::Envelope(e) => e,
            Line::Bundle { envelope, .. } => envelope,
            Line::EnvelopeWithCertificate { envelope, .. } => envelope,
        }
    }

    /// A short name of the shape, for messages.
    pub fn shape(&self) -> &'static str {
        match self {
            Line::Envelope(_) => "a DSSE envelope without certificate",
            Line::Bundle { .. } => "a Sigstore bundle",
            Line::EnvelopeWithCertificate { .. } => {
                "a DSSE envelope with an embedded certificate and no transparency-log entry"
            }
        }
    }
}

/// Why an `.intoto.jsonl` file could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JsonlError {
    #[error("no attestation: expected at least one JSON line, found an empty file")]
    Empty,
    #[error("more than {MAX_JSONL_LINES} lines: expected at most {MAX_JSONL_LINES} attestations")]
    TooManyLines,
    #[error("line {line} is {found} bytes, more than the {cap} bytes allowed for one attestation")]
    LineTooLong { line: usize, found: usize, cap: u64 },
    #[error("line {line}: {detail}")]
    Line { line: usize, detail: String },
    #[error("line {line}: {source}")]
    Envelope {
        line: usize,
        #[source]
        source: EnvelopeError,
    },
}

/// Keys that tell the three shapes apart, read in one pass.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    media_type: Option<IgnoredAny>,
    #[serde(default)]
    verification_material: Option<IgnoredAny>,
    #[serde(default)]
    dsse_envelope: Option<EnvelopeWire>,
    #[serde(default)]
    message_signature: Option<IgnoredAny>,
    #[serde(default)]
    payload_type: Option<String>,
    #[serde(default)]
    payload: Option<String>,
    #[serde(default)]
    signatures: Option<
        super::json::BoundedVec<super::dsse::SignatureWire, { super::dsse::MAX_SIGNATURES }>,
    >,
}

/// Splits and classifies an `.intoto.jsonl` file (already read under
/// [`crate::limits::MAX_JSONL_BYTES`]).
pub fn read(bytes: &[u8]) -> Result<Vec<Line>, JsonlError> {
    let mut lines = Vec::new();
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let raw = raw.trim_ascii();
        if raw.is_empty() {
            continue;
        }
        if lines.len() == MAX_JSONL_LINES {
            return Err(JsonlError::TooManyLines);
        }
        if raw.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(JsonlError::LineTooLong {
                line: line_no,
                found: raw.len(),
                cap: MAX_BUNDLE_BYTES,
            });
        }
        lines.push(classify(raw, line_no)?);
    }
    if lines.is_empty() {
        return Err(JsonlError::Empty);
    }
    Ok(lines)
}

/// Classifies one line (also used for a single `.sigstore`/`.json` file).
pub fn classify(raw: &[u8], line: usize) -> Result<Line, JsonlError> {
    let probe: Probe = super::json::from_slice(raw).map_err(|detail| JsonlError::Line {
        line,
        detail: format!("not a DSSE envelope or a Sigstore bundle: {detail}"),
    })?;
    let is_bundle = probe.media_type.is_some()
        || probe.verification_material.is_some()
        || probe.dsse_envelope.is_some()
        || probe.message_signature.is_some();
    if is_bundle {
        let Some(wire) = probe.dsse_envelope else {
            return Err(JsonlError::Line {
                line,
                detail: "a Sigstore bundle without a dsseEnvelope: expected an attestation \
                         (DSSE envelope), found a message signature"
                    .into(),
            });
        };
        let envelope = wire
            .decode()
            .map_err(|source| JsonlError::Envelope { line, source })?;
        return Ok(Line::Bundle {
            json: raw.to_vec(),
            envelope,
        });
    }
    let (Some(payload_type), Some(payload), Some(signatures)) =
        (probe.payload_type, probe.payload, probe.signatures)
    else {
        return Err(JsonlError::Line {
            line,
            detail: "expected a DSSE envelope (payloadType, payload, signatures) or a Sigstore \
                     bundle (mediaType, verificationMaterial, dsseEnvelope); found neither"
                .into(),
        });
    };
    let envelope = EnvelopeWire {
        payload_type,
        payload,
        signatures,
    }
    .decode()
    .map_err(|source| JsonlError::Envelope { line, source })?;
    match envelope.signatures.iter().find_map(|s| s.cert.clone()) {
        Some(certificate_pem) => Ok(Line::EnvelopeWithCertificate {
            envelope,
            certificate_pem,
        }),
        None => Ok(Line::Envelope(envelope)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPE: &str = r#"{"payloadType":"application/vnd.in-toto+json","payload":"aGVsbG8=","signatures":[{"sig":"AQID"}]}"#;

    #[test]
    fn tells_the_three_shapes_apart() {
        let bundle = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{}},"dsseEnvelope":{ENVELOPE}}}"#
        );
        let with_cert = ENVELOPE.replace(
            r#"{"sig":"AQID"}"#,
            r#"{"keyid":"","sig":"AQID","cert":"-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n"}"#,
        );
        let file = format!("{ENVELOPE}\n\n{bundle}\r\n{with_cert}\n");
        let lines = read(file.as_bytes()).unwrap();
        assert_eq!(lines.len(), 3);
        assert!(matches!(lines[0], Line::Envelope(_)));
        assert!(matches!(&lines[1], Line::Bundle { json, .. } if json == bundle.as_bytes()));
        assert!(matches!(
            &lines[2],
            Line::EnvelopeWithCertificate { certificate_pem, .. } if certificate_pem.starts_with("-----BEGIN")
        ));
        // The same envelope in every shape.
        assert_eq!(lines[0].envelope().payload, lines[1].envelope().payload);
        assert_eq!(
            lines[0].envelope().signatures[0].sig,
            lines[2].envelope().signatures[0].sig
        );
    }

    #[test]
    fn refuses_what_is_not_an_attestation_with_the_line_number() {
        let cases: &[(&str, &str)] = &[
            ("", "empty file"),
            ("\n \n", "empty file"),
            ("{\"a\":1}", "line 1: expected a DSSE envelope"),
            (&format!("{ENVELOPE}\n{{"), "line 2: not a DSSE envelope"),
            (
                r#"{"mediaType":"x","messageSignature":{}}"#,
                "without a dsseEnvelope",
            ),
            (
                &ENVELOPE.replace("aGVsbG8=", "!!"),
                "line 1: DSSE envelope field payload is not base64",
            ),
            (
                "[1,2]",
                "line 1: not a DSSE envelope or a Sigstore bundle: expected a JSON object",
            ),
            (
                // Two envelopes in one bundle line: refused, whichever a reader would keep.
                &format!(
                    "{ENVELOPE}\n{{\"mediaType\":\"x\",\"dsseEnvelope\":{ENVELOPE},\"dsseEnvelope\":{}}}",
                    ENVELOPE.replace("aGVsbG8=", "ZXZpbA==")
                ),
                "line 2: not a DSSE envelope or a Sigstore bundle: key \"dsseEnvelope\" appears twice",
            ),
        ];
        for (file, needle) in cases {
            let err = read(file.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(needle), "{err:?} should contain {needle:?}");
        }
        let many = format!("{ENVELOPE}\n").repeat(MAX_JSONL_LINES + 1);
        assert_eq!(read(many.as_bytes()), Err(JsonlError::TooManyLines));
    }
}
