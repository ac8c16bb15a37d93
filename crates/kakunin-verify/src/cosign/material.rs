//! The verification material of one cosign layer, read from its annotations: the signature, the
//! Fulcio certificate and chain, the Rekor SET bundle and the RFC 3161 timestamp.
//!
//! Guarantees: every annotation is bounded ([`MAX_ANNOTATION_BYTES`]), the chain holds at most
//! [`MAX_CHAIN_CERTIFICATES`] certificates, every base64/PEM/JSON value is decoded strictly.
//! Nothing is trusted here: [`Material::blob_bundle`] and [`Material::dsse_bundle`] re-express the material as a Sigstore bundle
//! v0.1 (the form cosign's own `--bundle` output has), for sigstore-verify to check against a
//! trusted root.

use std::collections::BTreeMap;

use base64::Engine;
use sigstore_types::{
    Bundle, DerCertificate, DigestBytes, DsseEnvelope, DsseSignature, HashAlgorithm, KeyId,
    MediaType, MessageDigest, MessageSignature, PayloadBytes, PublicKeyIdentifier,
    Rfc3161Timestamp, SignatureBytes, SignatureContent, TimestampToken, TimestampVerificationData,
    VerificationMaterial, VerificationMaterialContent, X509Certificate,
};

use super::rekor_set::RekorSet;
use crate::digest::Digest;

/// `dev.cosignproject.cosign/signature`: base64 signature over the payload.
pub const SIGNATURE: &str = "dev.cosignproject.cosign/signature";
/// `dev.sigstore.cosign/certificate`: the signing certificate, PEM.
pub const CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
/// `dev.sigstore.cosign/chain`: intermediates and root, PEM.
pub const CHAIN: &str = "dev.sigstore.cosign/chain";
/// `dev.sigstore.cosign/bundle`: the Rekor SET bundle, JSON.
pub const BUNDLE: &str = "dev.sigstore.cosign/bundle";
/// `dev.sigstore.cosign/rfc3161timestamp`: `{"SignedRFC3161Timestamp": b64}`.
pub const RFC3161: &str = "dev.sigstore.cosign/rfc3161timestamp";

/// Largest single annotation read (a certificate chain is a few KiB).
pub const MAX_ANNOTATION_BYTES: usize = 256 * 1024;
/// Most certificates in a chain annotation.
pub const MAX_CHAIN_CERTIFICATES: usize = 10;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why a layer's annotations cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MaterialError {
    #[error("annotation {name} is {size} bytes, more than the {MAX_ANNOTATION_BYTES} allowed")]
    TooLarge { name: String, size: usize },
    #[error("annotation {name}: {reason}")]
    Invalid { name: &'static str, reason: String },
    #[error(
        "annotation {CHAIN} holds more than {MAX_CHAIN_CERTIFICATES} certificates (found {found})"
    )]
    ChainTooLong { found: usize },
    #[error(transparent)]
    Rekor(#[from] super::rekor_set::RekorSetError),
}

/// A layer's material, decoded (not verified).
#[derive(Debug, Clone)]
pub struct Material {
    /// The signature bytes (`None` when the annotation is absent or empty, as on `.att`
    /// layers, whose signature is in the envelope).
    pub signature: Option<Vec<u8>>,
    /// The leaf certificate, DER.
    pub certificate: Option<Vec<u8>>,
    /// The chain annotation's certificates, DER, in order.
    pub chain: Vec<Vec<u8>>,
    pub rekor: Option<RekorSet>,
    /// The RFC 3161 timestamp response, DER.
    pub timestamp: Option<Vec<u8>>,
}

pub(super) fn pem_certificates(
    name: &'static str,
    text: &str,
    max: usize,
) -> Result<Vec<Vec<u8>>, MaterialError> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    let found = text.matches(BEGIN).count();
    if found > max {
        return Err(if name == CHAIN {
            MaterialError::ChainTooLong { found }
        } else {
            MaterialError::Invalid {
                name,
                reason: format!("expected {max} certificate, found {found}"),
            }
        });
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(BEGIN) {
        let block = &rest[start..];
        let end =
            block
                .find("-----END CERTIFICATE-----")
                .ok_or_else(|| MaterialError::Invalid {
                    name,
                    reason: "a PEM block without its END line".into(),
                })?
                + "-----END CERTIFICATE-----".len();
        let der = sigstore_types::DerCertificate::from_pem(&block[..end]).map_err(|e| {
            MaterialError::Invalid {
                name,
                reason: e.to_string(),
            }
        })?;
        out.push(der.as_bytes().to_vec());
        rest = &block[end..];
    }
    if out.is_empty() && !text.trim().is_empty() {
        return Err(MaterialError::Invalid {
            name,
            reason: "not a PEM certificate".into(),
        });
    }
    Ok(out)
}

impl Material {
    /// Reads the annotations of one layer.
    pub fn from_annotations(a: &BTreeMap<String, String>) -> Result<Material, MaterialError> {
        for (k, v) in a {
            if v.len() > MAX_ANNOTATION_BYTES {
                return Err(MaterialError::TooLarge {
                    name: k.clone(),
                    size: v.len(),
                });
            }
        }
        let get = |k: &str| {
            a.get(k)
                .map(String::as_str)
                .filter(|v| !v.trim().is_empty())
        };
        let signature = get(SIGNATURE)
            .map(|s| {
                B64.decode(s.trim()).map_err(|e| MaterialError::Invalid {
                    name: SIGNATURE,
                    reason: format!("not base64: {e}"),
                })
            })
            .transpose()?;
        let certificate = match get(CERTIFICATE) {
            Some(pem) => pem_certificates(CERTIFICATE, pem, 1)?.into_iter().next(),
            None => None,
        };
        let chain = match get(CHAIN) {
            Some(pem) => pem_certificates(CHAIN, pem, MAX_CHAIN_CERTIFICATES)?,
            None => Vec::new(),
        };
        let rekor = get(BUNDLE).map(RekorSet::parse).transpose()?;
        let timestamp = match get(RFC3161) {
            Some(json) => {
                #[derive(serde::Deserialize)]
                struct Tsa {
                    #[serde(rename = "SignedRFC3161Timestamp")]
                    ts: String,
                }
                let t: Tsa =
                    crate::strict_json::from_slice(json.as_bytes(), MAX_ANNOTATION_BYTES as u64)
                        .map_err(|e| MaterialError::Invalid {
                            name: RFC3161,
                            reason: e.to_string(),
                        })?;
                Some(B64.decode(&t.ts).map_err(|e| MaterialError::Invalid {
                    name: RFC3161,
                    reason: format!("not base64: {e}"),
                })?)
            }
            None => None,
        };
        Ok(Material {
            signature,
            certificate,
            chain,
            rekor,
            timestamp,
        })
    }

    /// Whether the layer carries a certificate (keyless) rather than only a signature (keyed).
    pub fn is_keyless(&self) -> bool {
        self.certificate.is_some()
    }

    /// The material as a bundle's verification material: the leaf certificate then the chain
    /// annotation's other certificates (a root among them is harmless: paths must end at the
    /// trusted root's CAs), or a key hint; the Rekor entry; the RFC 3161 timestamp.
    fn verification_material(&self) -> Result<VerificationMaterial, String> {
        let content = match &self.certificate {
            Some(leaf) => {
                let certificate =
                    |der: &Vec<u8>| X509Certificate::new(DerCertificate::from_bytes(der));
                let mut certificates = vec![certificate(leaf)];
                certificates.extend(self.chain.iter().filter(|c| *c != leaf).map(certificate));
                VerificationMaterialContent::X509CertificateChain { certificates }
            }
            None => VerificationMaterialContent::PublicKey(PublicKeyIdentifier::new("")),
        };
        let tlog_entries = self
            .rekor
            .iter()
            .map(RekorSet::tlog_entry)
            .collect::<Result<Vec<_>, _>>()?;
        let timestamps = self
            .timestamp
            .iter()
            .map(|ts| Rfc3161Timestamp::new(TimestampToken::from_bytes(ts)))
            .collect();
        Ok(VerificationMaterial::new(content)
            .with_tlog_entries(tlog_entries)
            .with_timestamp_verification_data(TimestampVerificationData::new(timestamps)))
    }

    fn media_type(&self) -> MediaType {
        // v0.1 is the bundle form whose log entries carry only an inclusion promise (SET), as
        // cosign's do; without a log entry there is nothing v0.1-specific.
        if self.rekor.is_some() {
            MediaType::Bundle0_1
        } else {
            MediaType::Bundle0_3
        }
    }

    /// The material as a Sigstore bundle with a message signature over `payload`.
    pub fn message_bundle(&self, payload: &[u8]) -> Result<Bundle, String> {
        self.blob_bundle(&Digest::sha256(payload))
    }

    /// The material as a Sigstore bundle with a message signature over the artifact whose
    /// SHA-256 digest is `artifact` (cosign `sign-blob` signs SHA-256). Built as its JSON would
    /// parse, without the JSON.
    pub fn blob_bundle(&self, artifact: &Digest) -> Result<Bundle, String> {
        if artifact.algorithm() != crate::digest::Algorithm::Sha256 {
            return Err(format!(
                "cosign signs blobs over SHA-256, and the artifact digest is {artifact}"
            ));
        }
        let sig = self
            .signature
            .as_ref()
            .ok_or_else(|| format!("the layer has no {SIGNATURE} annotation"))?;
        let signature = MessageSignature::new(SignatureBytes::from_bytes(sig)).with_message_digest(
            MessageDigest::new(
                HashAlgorithm::Sha2256,
                DigestBytes::from(artifact.as_bytes()),
            ),
        );
        Ok(Bundle::new(
            self.media_type(),
            self.verification_material()?,
            SignatureContent::MessageSignature(signature),
        ))
    }

    /// The material as a Sigstore bundle around a DSSE envelope (one signature).
    pub fn dsse_bundle(
        &self,
        payload_type: &str,
        payload: &[u8],
        keyid: &str,
        sig: &[u8],
    ) -> Result<Bundle, String> {
        let signature = DsseSignature::new(SignatureBytes::from_bytes(sig), KeyId::new(keyid));
        let envelope =
            DsseEnvelope::new(payload_type, PayloadBytes::from_bytes(payload), signature);
        Ok(Bundle::new(
            self.media_type(),
            self.verification_material()?,
            SignatureContent::DsseEnvelope(envelope),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(n: usize) -> String {
        // Any DER bytes: the PEM layer does not parse X.509.
        "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n".repeat(n)
    }

    #[test]
    fn a_chain_of_depth_50_is_refused_before_it_is_decoded() {
        let mut a = BTreeMap::new();
        a.insert(CHAIN.to_string(), pem(50));
        let e = Material::from_annotations(&a).unwrap_err();
        assert_eq!(e, MaterialError::ChainTooLong { found: 50 });
        assert!(e.to_string().contains("more than 10"), "{e}");
        a.insert(CHAIN.to_string(), pem(2));
        assert_eq!(Material::from_annotations(&a).unwrap().chain.len(), 2);
    }

    #[test]
    fn a_huge_annotation_is_refused_by_size() {
        let mut a = BTreeMap::new();
        a.insert("x".to_string(), "a".repeat(MAX_ANNOTATION_BYTES + 1));
        let e = Material::from_annotations(&a).unwrap_err().to_string();
        assert!(e.contains("more than the 262144 allowed"), "{e}");
    }

    #[test]
    fn bad_values_name_their_annotation() {
        for (k, v, want) in [
            (SIGNATURE, "***", "not base64"),
            (CERTIFICATE, "garbage", "not a PEM"),
            (CERTIFICATE, &pem(2)[..], "expected 1 certificate"),
            (RFC3161, "{}", "SignedRFC3161Timestamp"),
        ] {
            let mut a = BTreeMap::new();
            a.insert(k.to_string(), v.to_string());
            let e = Material::from_annotations(&a).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains(k), "{k}: {e}");
        }
    }
}
