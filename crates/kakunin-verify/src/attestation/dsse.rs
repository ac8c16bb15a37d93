//! DSSE envelopes (<https://github.com/secure-systems-lab/dsse>, protocol v1): the wire model,
//! the pre-authentication encoding (PAE) every signature covers, and envelope comparison.
//!
//! Guarantees: an [`Envelope`] holds the *decoded* payload and signature bytes of a bounded,
//! well-formed envelope (base64 decoded, standard or URL-safe alphabet as the protocol allows;
//! at least one signature, at most [`MAX_SIGNATURES`]). Nothing here says a signature is valid:
//! that is the Sigstore bundle's verification (`crate::bundle`). [`compare`] says whether two
//! envelopes are the same signed object, naming the first field that differs.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::Deserialize;

use super::json::BoundedVec;
use crate::digest::Digest;

/// The payloadType of an in-toto statement.
pub const IN_TOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// Most signatures kakunin reads in one envelope.
pub const MAX_SIGNATURES: usize = crate::limits::MAX_DSSE_SIGNATURES;

/// A decoded DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub payload_type: String,
    /// The payload bytes, exactly as signed (after base64 decoding).
    pub payload: Vec<u8>,
    pub signatures: Vec<Signature>,
}

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The key id hint; empty when absent (the protocol treats both alike).
    pub keyid: String,
    /// The signature bytes (after base64 decoding).
    pub sig: Vec<u8>,
    /// A PEM certificate carried next to the signature (older slsa-github-generator files).
    /// Not part of the DSSE protocol and never trusted by itself.
    pub cert: Option<String>,
}

/// Why bytes are not a DSSE envelope.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("not a DSSE envelope: {0}")]
    Json(String),
    #[error("DSSE envelope field {field} is not base64: {detail}")]
    Base64 { field: String, detail: String },
    #[error("DSSE envelope has no signature: expected at least one in \"signatures\", found none")]
    NoSignatures,
    #[error("DSSE envelope payload is {found} bytes, more than the {cap} bytes allowed")]
    PayloadTooLarge { found: usize, cap: usize },
}

/// The envelope as it is written in JSON (also the `dsseEnvelope` of a Sigstore bundle).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EnvelopeWire {
    pub payload_type: String,
    pub payload: String,
    pub signatures: BoundedVec<SignatureWire, MAX_SIGNATURES>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignatureWire {
    #[serde(default)]
    pub keyid: Option<String>,
    pub sig: String,
    #[serde(default)]
    pub cert: Option<String>,
}

/// DSSE allows the standard and the URL-safe alphabets; padding may be present or not.
fn decode_base64(field: &str, text: &str) -> Result<Vec<u8>, EnvelopeError> {
    let config =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let standard = GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let url_safe = GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    standard
        .decode(text)
        .or_else(|e| url_safe.decode(text).map_err(|_| e))
        .map_err(|e| EnvelopeError::Base64 {
            field: field.to_owned(),
            detail: e.to_string(),
        })
}

impl EnvelopeWire {
    pub(crate) fn decode(self) -> Result<Envelope, EnvelopeError> {
        // Base64 inflates by 4/3: refuse before decoding what cannot fit.
        let cap = crate::limits::MAX_PAYLOAD_BYTES;
        if self.payload.len() / 4 * 3 > cap + 3 {
            return Err(EnvelopeError::PayloadTooLarge {
                found: self.payload.len() / 4 * 3,
                cap,
            });
        }
        let payload = decode_base64("payload", &self.payload)?;
        if payload.len() > cap {
            return Err(EnvelopeError::PayloadTooLarge {
                found: payload.len(),
                cap,
            });
        }
        if self.signatures.0.is_empty() {
            return Err(EnvelopeError::NoSignatures);
        }
        let signatures = self
            .signatures
            .0
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(Signature {
                    keyid: s.keyid.unwrap_or_default(),
                    sig: decode_base64(&format!("signatures[{i}].sig"), &s.sig)?,
                    cert: s.cert.filter(|c| !c.is_empty()),
                })
            })
            .collect::<Result<Vec<_>, EnvelopeError>>()?;
        Ok(Envelope {
            payload_type: self.payload_type,
            payload,
            signatures,
        })
    }
}

impl Envelope {
    /// Parses a bare DSSE envelope (one JSON object).
    pub fn from_json(bytes: &[u8]) -> Result<Envelope, EnvelopeError> {
        let wire: EnvelopeWire = super::json::from_slice(bytes).map_err(EnvelopeError::Json)?;
        wire.decode()
    }

    /// The bytes each signature covers: `PAE(payloadType, payload)`.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }
}

/// The DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, lengths as ASCII decimal byte counts.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let type_len = payload_type.len().to_string();
    let body_len = payload.len().to_string();
    let mut out = Vec::with_capacity(
        10 + type_len.len() + payload_type.len() + body_len.len() + payload.len(),
    );
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(type_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload_type.as_bytes());
    out.push(b' ');
    out.extend_from_slice(body_len.as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// The first difference between two envelopes, in the words of a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The field that differs: `payloadType`, `payload`, `signatures`, `signatures[i].sig`, …
    pub field: String,
    pub expected: String,
    pub found: String,
}

fn describe_payload(payload: &[u8]) -> String {
    format!("{} bytes, {}", payload.len(), Digest::sha256(payload))
}

fn describe_sig(sig: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(sig)
}

/// Whether `found` is the same signed envelope as `expected`: same payloadType, same payload
/// bytes, and the same signatures (bytes and key ids) in the same order. A certificate carried
/// next to a signature is not part of DSSE and is not compared.
pub fn compare(expected: &Envelope, found: &Envelope) -> Result<(), Mismatch> {
    if expected.payload_type != found.payload_type {
        return Err(Mismatch {
            field: "payloadType".into(),
            expected: expected.payload_type.clone(),
            found: found.payload_type.clone(),
        });
    }
    if expected.payload != found.payload {
        let at = expected
            .payload
            .iter()
            .zip(&found.payload)
            .position(|(a, b)| a != b)
            .unwrap_or(expected.payload.len().min(found.payload.len()));
        return Err(Mismatch {
            field: "payload".into(),
            expected: describe_payload(&expected.payload),
            found: format!(
                "{} (first difference at byte {at})",
                describe_payload(&found.payload)
            ),
        });
    }
    if expected.signatures.len() != found.signatures.len() {
        return Err(Mismatch {
            field: "signatures".into(),
            expected: format!("{} signature(s)", expected.signatures.len()),
            found: format!("{} signature(s)", found.signatures.len()),
        });
    }
    for (i, (e, f)) in expected
        .signatures
        .iter()
        .zip(&found.signatures)
        .enumerate()
    {
        if e.sig != f.sig {
            return Err(Mismatch {
                field: format!("signatures[{i}].sig"),
                expected: describe_sig(&e.sig),
                found: describe_sig(&f.sig),
            });
        }
        if e.keyid != f.keyid {
            return Err(Mismatch {
                field: format!("signatures[{i}].keyid"),
                expected: format!("{:?}", e.keyid),
                found: format!("{:?}", f.keyid),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_the_protocol_test_vector() {
        // From the DSSE protocol document.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ".to_vec());
        // Lengths count bytes, not characters.
        assert_eq!(
            pae("t", "é".as_bytes()),
            "DSSEv1 1 t 2 é".as_bytes().to_vec()
        );
    }

    fn envelope() -> Envelope {
        Envelope::from_json(
            br#"{"payloadType":"application/vnd.in-toto+json","payload":"aGVsbG8=","signatures":[{"sig":"AQID"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn decodes_standard_and_url_safe_base64_with_or_without_padding() {
        let e = envelope();
        assert_eq!(e.payload, b"hello");
        assert_eq!(e.signatures[0].sig, vec![1, 2, 3]);
        assert_eq!(e.signatures[0].keyid, "");
        let url = Envelope::from_json(
            br#"{"payloadType":"t","payload":"_-8","signatures":[{"keyid":"k","sig":"AQID"}]}"#,
        )
        .unwrap();
        assert_eq!(url.payload, vec![0xff, 0xef]);
        assert_eq!(url.signatures[0].keyid, "k");
    }

    #[test]
    fn malformed_envelopes_are_refused_with_the_reason() {
        let cases: &[(&[u8], &str)] = &[
            (b"{", "not a DSSE envelope"),
            (br#"{"payload":"aGVsbG8=","signatures":[]}"#, "payloadType"),
            (
                br#"{"payloadType":"t","payload":"aGVsbG8=","signatures":[]}"#,
                "no signature",
            ),
            (
                br#"{"payloadType":"t","payload":"@@@","signatures":[{"sig":"AQID"}]}"#,
                "payload is not base64",
            ),
            (
                br#"{"payloadType":"t","payload":"","signatures":[{"sig":"%"}]}"#,
                "signatures[0].sig is not base64",
            ),
        ];
        for (bytes, needle) in cases {
            let err = Envelope::from_json(bytes).unwrap_err().to_string();
            assert!(err.contains(needle), "{err} should mention {needle}");
        }
        // A key twice, at the top or in a signature: refused, never "the last one wins".
        for doubled in [
            &br#"{"payloadType":"t","payload":"aGVsbG8=","payload":"ZXZpbA==","signatures":[{"sig":"AQID"}]}"#[..],
            br#"{"payloadType":"t","payload":"aGVsbG8=","signatures":[{"sig":"AQID","keyid":"a","keyid":"b"}]}"#,
        ] {
            let err = Envelope::from_json(doubled).unwrap_err().to_string();
            assert!(err.contains("appears twice"), "{err}");
        }
        let many = format!(
            r#"{{"payloadType":"t","payload":"","signatures":[{}]}}"#,
            vec![r#"{"sig":"AQID"}"#; MAX_SIGNATURES + 1].join(",")
        );
        let err = Envelope::from_json(many.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 16"), "{err}");
    }

    #[test]
    fn compare_names_the_first_field_that_differs() {
        let a = envelope();
        assert_eq!(compare(&a, &a.clone()), Ok(()));

        let mut b = a.clone();
        b.payload_type = "text/plain".into();
        assert_eq!(compare(&a, &b).unwrap_err().field, "payloadType");

        let mut b = a.clone();
        b.payload[1] ^= 1;
        let m = compare(&a, &b).unwrap_err();
        assert_eq!(m.field, "payload");
        assert!(m.found.contains("first difference at byte 1"), "{m:?}");

        let mut b = a.clone();
        b.signatures[0].sig[0] ^= 1;
        let m = compare(&a, &b).unwrap_err();
        assert_eq!(m.field, "signatures[0].sig");
        assert_eq!(m.expected, "AQID");

        let mut b = a.clone();
        b.signatures.push(b.signatures[0].clone());
        assert_eq!(compare(&a, &b).unwrap_err().field, "signatures");

        let mut b = a.clone();
        b.signatures[0].keyid = "other".into();
        assert_eq!(compare(&a, &b).unwrap_err().field, "signatures[0].keyid");

        // A certificate next to the signature is not part of the signed envelope.
        let mut b = a.clone();
        b.signatures[0].cert = Some("-----BEGIN CERTIFICATE-----".into());
        assert_eq!(compare(&a, &b), Ok(()));
    }
}
