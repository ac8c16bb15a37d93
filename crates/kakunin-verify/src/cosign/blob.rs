//! cosign `sign-blob` outputs as release pages carry them: a detached signature (base64, as
//! `--output-signature` writes it, or raw bytes), the signing certificate (PEM, or base64 of
//! PEM as cosign 1.x's `--output-certificate` wrote it), its chain (PEM), and cosign's older
//! bundle JSON `{"base64Signature", "cert", "rekorBundle"}` (`sign-blob --bundle` before
//! Sigstore bundles).
//!
//! Guarantees: nothing here is trusted. Every file is bounded ([`MAX_BLOB_FILE_BYTES`]), JSON
//! is read strictly (duplicate keys refused), base64/PEM decoded strictly, the chain holds at
//! most [`super::MAX_CHAIN_CERTIFICATES`] certificates. The result is a [`Material`], which
//! [`Material::blob_bundle`] re-expresses as a Sigstore bundle v0.1 over the artifact's digest
//! for [`crate::bundle::verify`]: the certificate chain to the trusted root's Fulcio CAs at the
//! SET's integrated time, the SET by the trusted root's Rekor key, the log entry's body bound to
//! this signature, certificate or key and the artifact digest, the signature, the identity.

use base64::Engine;
use serde::Deserialize;

use super::material::{Material, pem_certificates};
use super::rekor_set::RekorSet;
use crate::bundle::{self, Artifact, BundleError, Policy, VerifiedBundle};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::trust::Trust;

/// Largest signature, certificate, chain or cosign bundle file read.
pub const MAX_BLOB_FILE_BYTES: usize = 256 * 1024;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Why a sign-blob output cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}: {reason}")]
pub struct BlobError {
    pub what: String,
    pub reason: String,
}

fn err(what: &str, reason: impl Into<String>) -> BlobError {
    BlobError {
        what: what.to_string(),
        reason: reason.into(),
    }
}

fn bounded<'a>(what: &str, bytes: &'a [u8]) -> Result<&'a [u8], BlobError> {
    if bytes.len() > MAX_BLOB_FILE_BYTES {
        return Err(err(
            what,
            format!(
                "{} bytes, more than the {MAX_BLOB_FILE_BYTES} allowed",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Whether `bytes` look like cosign's older bundle JSON (a top-level `base64Signature`), as
/// opposed to a Sigstore bundle (`mediaType`).
pub fn is_cosign_bundle(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(MAX_BLOB_FILE_BYTES)];
    match serde_json::from_slice::<serde_json::Value>(head) {
        Ok(serde_json::Value::Object(m)) => {
            m.contains_key("base64Signature") && !m.contains_key("mediaType")
        }
        _ => false,
    }
}

/// A detached signature file: base64 text (whitespace around it allowed), else the raw bytes.
pub fn decode_signature(bytes: &[u8]) -> Result<Vec<u8>, BlobError> {
    let bytes = bounded("signature", bytes)?;
    if bytes.is_empty() {
        return Err(err("signature", "the file is empty"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if !text.trim().is_empty() => match B64.decode(text.trim()) {
            Ok(sig) if !sig.is_empty() => Ok(sig),
            _ => Ok(bytes.to_vec()),
        },
        _ => Ok(bytes.to_vec()),
    }
}

/// PEM text, or base64 of PEM.
fn pem_text(what: &str, bytes: &[u8]) -> Result<String, BlobError> {
    let bytes = bounded(what, bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|_| err(what, "not PEM text (not UTF-8)"))?;
    if text.contains("-----BEGIN") {
        return Ok(text.to_string());
    }
    let decoded: String = text.split_whitespace().collect();
    let inner = B64
        .decode(decoded)
        .map_err(|_| err(what, "neither PEM nor base64 of PEM"))?;
    let inner = String::from_utf8(inner).map_err(|_| err(what, "base64 of something not PEM"))?;
    if !inner.contains("-----BEGIN") {
        return Err(err(what, "base64 of something not PEM"));
    }
    Ok(inner)
}

/// The signing certificate, DER.
pub fn decode_certificate(bytes: &[u8]) -> Result<Vec<u8>, BlobError> {
    let text = pem_text("certificate", bytes)?;
    let mut certs = pem_certificates(super::CERTIFICATE, &text, 1)
        .map_err(|e| err("certificate", e.to_string()))?;
    certs
        .pop()
        .ok_or_else(|| err("certificate", "no PEM certificate"))
}

/// A certificate chain file, DER, in order.
pub fn decode_chain(bytes: &[u8]) -> Result<Vec<Vec<u8>>, BlobError> {
    let text = pem_text("certificate chain", bytes)?;
    pem_certificates(super::CHAIN, &text, super::MAX_CHAIN_CERTIFICATES)
        .map_err(|e| err("certificate chain", e.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CosignBundle {
    #[serde(rename = "base64Signature")]
    signature: String,
    #[serde(default)]
    cert: Option<String>,
    #[serde(rename = "rekorBundle", default)]
    rekor: Option<serde_json::Value>,
}

/// cosign's older bundle JSON `{"base64Signature", "cert", "rekorBundle"}`.
pub fn parse_cosign_bundle(bytes: &[u8]) -> Result<Material, BlobError> {
    const WHAT: &str = "cosign bundle";
    let bytes = bounded(WHAT, bytes)?;
    let b: CosignBundle = crate::strict_json::from_slice(bytes, MAX_BLOB_FILE_BYTES as u64)
        .map_err(|e| err(WHAT, e.to_string()))?;
    let signature = B64
        .decode(b.signature.trim())
        .map_err(|e| err(WHAT, format!("base64Signature is not base64: {e}")))?;
    if signature.is_empty() {
        return Err(err(WHAT, "base64Signature is empty"));
    }
    let certificate = match b.cert.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(c) => Some(
            decode_certificate(c.as_bytes())
                .map_err(|e| err(WHAT, format!("cert: {}", e.reason)))?,
        ),
        None => None,
    };
    let rekor = match b.rekor {
        Some(v) => Some(
            RekorSet::parse(&v.to_string()).map_err(|e| err(WHAT, format!("rekorBundle: {e}")))?,
        ),
        None => None,
    };
    Ok(Material {
        signature: Some(signature),
        certificate,
        chain: Vec::new(),
        rekor,
        timestamp: None,
    })
}

/// A blob signature that verified: through a Sigstore bundle (certificate or key, with a log
/// entry), or by a managed key alone with the log waived.
#[derive(Debug, Clone)]
pub enum VerifiedBlob {
    Bundle(Box<VerifiedBundle>),
    /// `--insecure-ignore-tlog`: the signature verified with the key, and no log entry exists.
    KeyWithoutLog {
        key: Digest,
        scheme: &'static str,
        artifact: Digest,
    },
}

impl VerifiedBlob {
    pub fn details(&self) -> serde_json::Value {
        match self {
            VerifiedBlob::Bundle(b) => b.details(),
            VerifiedBlob::KeyWithoutLog {
                key,
                scheme,
                artifact,
            } => serde_json::json!({
                "artifact_digest": artifact.to_string(),
                "key_sha256": key.to_string(),
                "scheme": scheme,
                "tlog": "not checked (--insecure-ignore-tlog): no transparency-log entry",
            }),
        }
    }
}

/// The checks of one blob signature and what verified, or why not.
#[derive(Debug)]
pub struct BlobVerification {
    pub checks: Vec<Check>,
    pub result: Result<VerifiedBlob, BundleError>,
}

const TITLE: &str =
    "cosign blob signature: certificate chain, Rekor SET, signature over the artifact";

/// Verifies sign-blob material for `artifact` under `policy`: the checks of
/// [`crate::bundle::verify`] (the material as a Sigstore bundle over the artifact's SHA-256
/// digest); for a managed-key signature without a log entry, only with the log waived
/// (`--insecure-ignore-tlog`), by the key over the artifact, and the check says no log entry was
/// checked. A key given for a certificate signature (or the other way round), a keyless
/// signature with no log entry, and a log entry of a kind sigstore-verify cannot bind are each
/// one failed `bundle.signature` check saying so.
pub fn verify_blob(
    trust: &Trust,
    material: &Material,
    artifact: &Artifact<'_>,
    policy: &Policy,
) -> Result<BlobVerification, BundleError> {
    let digest = artifact_digest(artifact)?;
    let (signer, waived) = super::signer(policy, &super::Options::default());
    let expected = super::signature::expected_signer(signer);
    if let Some(why) = super::kind_mismatch(signer, material, "the blob") {
        return Ok(refused(&expected, why));
    }
    if let Some((check, why)) = super::unsupported_rekor_kind(material, TITLE, expected.clone()) {
        return Ok(BlobVerification {
            checks: vec![check],
            result: Err(BundleError::Signature(why)),
        });
    }
    match (&material.rekor, signer) {
        (None, Policy::Key(_)) if !waived => Ok(refused(
            &expected,
            format!(
                "no transparency-log entry for this keyed signature (logged in {} expected); pass --insecure-ignore-tlog to accept it without one",
                trust.name()
            ),
        )),
        (None, Policy::Key(key)) => Ok(verify_keyed_without_log(
            material, artifact, digest, key, &expected,
        )),
        (None, _) => Ok(refused(
            &expected,
            "no transparency-log entry for this certificate signature: kakunin verifies offline, \
             so the Rekor SET must be given (cosign's bundle JSON with its rekorBundle, --bundle)"
                .into(),
        )),
        (Some(_), _) => Ok(verify_as_bundle(trust, material, digest, signer, &expected)),
    }
}

/// The SHA-256 digest of the artifact (given, of the bytes, or of the file read).
fn artifact_digest(artifact: &Artifact<'_>) -> Result<Digest, BundleError> {
    match artifact {
        Artifact::Digest(d) => Ok(d.clone()),
        Artifact::Bytes(b) => Ok(Digest::sha256(b)),
        Artifact::Path(p) => {
            crate::digest::sha256_file(p).map_err(|source| BundleError::Artifact {
                path: p.to_path_buf(),
                source,
            })
        }
    }
}

/// A verification refused before any cryptography: one failed `bundle.signature` check.
fn refused(expected: &str, why: String) -> BlobVerification {
    BlobVerification {
        checks: vec![Check::fail(
            ids::BUNDLE_SIGNATURE,
            TITLE,
            expected,
            why.clone(),
        )],
        result: Err(BundleError::Signature(why)),
    }
}

/// A keyed signature without a log entry, the log waived: verified only by the key over the
/// artifact, and the passing check says that no transparency-log entry was checked.
fn verify_keyed_without_log(
    material: &Material,
    artifact: &Artifact<'_>,
    digest: Digest,
    key: &crate::bundle::PublicKey,
    expected: &str,
) -> BlobVerification {
    let sig = material.signature.as_deref().unwrap_or_default();
    match verify_key_over_artifact(key, artifact, &digest, sig) {
        Ok(scheme) => BlobVerification {
            checks: vec![Check::pass(
                ids::BUNDLE_SIGNATURE,
                "cosign blob signature by the key (no transparency log)",
                format!("{expected} over {digest}"),
                format!(
                    "signature verified with the key ({scheme}); NO transparency-log entry was checked (--insecure-ignore-tlog)"
                ),
            )],
            result: Ok(VerifiedBlob::KeyWithoutLog {
                key: key.fingerprint(),
                scheme,
                artifact: digest,
            }),
        },
        Err(e) => refused(expected, e),
    }
}

/// The material with a SET, as a Sigstore bundle over the artifact's digest, verified by
/// [`crate::bundle::verify`] under the signer policy (the SET is always verified, so the log
/// waiver plays no part).
fn verify_as_bundle(
    trust: &Trust,
    material: &Material,
    digest: Digest,
    signer: &Policy,
    expected: &str,
) -> BlobVerification {
    let b = match material.blob_bundle(&digest) {
        Ok(b) => b,
        Err(e) => {
            return refused(
                expected,
                format!("the material does not form a Sigstore bundle: {e}"),
            );
        }
    };
    let v = bundle::verify(trust, &b, &Artifact::Digest(digest), signer);
    BlobVerification {
        checks: v.checks,
        result: v.result.map(|b| VerifiedBlob::Bundle(Box::new(b))),
    }
}

/// Largest file read for an Ed25519 signature (which signs the bytes, not a digest).
const MAX_ED25519_ARTIFACT_BYTES: u64 = 256 * 1024 * 1024;

/// A managed-key signature over the artifact: SHA-256 prehashed for ECDSA and RSA (as cosign
/// sign-blob signs), the bytes for Ed25519.
fn verify_key_over_artifact(
    key: &crate::bundle::PublicKey,
    artifact: &Artifact<'_>,
    digest: &Digest,
    signature: &[u8],
) -> Result<&'static str, String> {
    use sigstore_verify::crypto::{KeyAlgorithm, verify_signature_prehashed};
    let alg = KeyAlgorithm::from_spki(key.der())
        .map_err(|e| format!("unsupported key {}: {e}", key.name()))?;
    if alg == KeyAlgorithm::Ed25519 {
        let bytes = match artifact {
            Artifact::Bytes(b) => b.to_vec(),
            Artifact::Path(p) => crate::limits::read_file_capped(p, MAX_ED25519_ARTIFACT_BYTES)
                .map_err(|e| format!("cannot read artifact {}: {e}", p.display()))?,
            Artifact::Digest(d) => {
                return Err(format!(
                    "an Ed25519 signature is over the artifact's bytes: give the file, not its digest {d}"
                ));
            }
        };
        return super::signature::verify_with_key(key, &bytes, signature);
    }
    let scheme = alg
        .resolve_signing_scheme(sigstore_types::HashAlgorithm::Sha2256)
        .map_err(|e| format!("unsupported key {}: {e}", key.name()))?;
    let sig = sigstore_types::SignatureBytes::new(signature.to_vec());
    verify_signature_prehashed(key.der(), digest.as_bytes(), &sig, scheme)
        .map(|()| scheme.name())
        .map_err(|e| {
            format!(
                "the signature does not verify with the key {}: {e}",
                key.name()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_base64_or_raw_and_bounded() {
        assert_eq!(decode_signature(b"AQID\n").unwrap(), vec![1, 2, 3]);
        assert_eq!(
            decode_signature(&[0x30, 0x45, 0xff]).unwrap(),
            vec![0x30, 0x45, 0xff]
        );
        assert!(
            decode_signature(b"")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let big = vec![b'A'; MAX_BLOB_FILE_BYTES + 1];
        assert!(
            decode_signature(&big)
                .unwrap_err()
                .to_string()
                .contains("more than")
        );
    }

    #[test]
    fn cosign_bundles_are_told_from_sigstore_bundles_and_bad_ones_name_the_field() {
        assert!(is_cosign_bundle(br#"{"base64Signature":"AQ==","cert":""}"#));
        assert!(!is_cosign_bundle(
            br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#
        ));
        assert!(!is_cosign_bundle(b"not json"));
        for (bad, want) in [
            (r#"{"base64Signature":"***"}"#, "not base64"),
            (r#"{"base64Signature":""}"#, "empty"),
            (
                r#"{"base64Signature":"AQ==","base64Signature":"AQ=="}"#,
                "twice",
            ),
            (
                r#"{"base64Signature":"AQ==","cert":"bm90IHBlbQ=="}"#,
                "cert",
            ),
            (
                r#"{"base64Signature":"AQ==","rekorBundle":{"x":1}}"#,
                "rekorBundle",
            ),
            (r#"{"base64Signature":"AQ==","extra":1}"#, "extra"),
        ] {
            let e = parse_cosign_bundle(bad.as_bytes()).unwrap_err().to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
        let m = parse_cosign_bundle(br#"{"base64Signature":"AQID"}"#).unwrap();
        assert_eq!(m.signature, Some(vec![1, 2, 3]));
        assert!(m.certificate.is_none() && m.rekor.is_none());
    }
}
