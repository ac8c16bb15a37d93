//! Signing with a managed key (`--key`): PKCS#8 PEM, or cosign's encrypted `cosign.key`
//! (passphrase from `COSIGN_PASSWORD`, see [`super::cosign_key`]); ECDSA P-256 (SHA-256) or
//! Ed25519.
//!
//! The bundle is v0.3 with `verificationMaterial.publicKey` (a hint: base64 SHA-256 of the
//! DER SubjectPublicKeyInfo), the DSSE envelope, **a Rekor v1 `dsse` entry** whose verifier is
//! the public key, and an RFC 3161 timestamp when a TSA is named. With `--tlog-upload=false`
//! there is no log entry (offline signing): such a bundle verifies only where the verifier
//! opts out of the log (`--insecure-ignore-tlog`), and needs the timestamp as its signing time.
//!
//! Why a log entry even with a key: Sigstore verifiers (sigstore-verify's
//! `PublicKeyVerificationPolicy`, sigstore-python, cosign) require transparency-log inclusion
//! for keyed bundles unless the verifier explicitly opts out, and a bundle that verifies only
//! with an opt-out would be a bundle most consumers reject. So a keyed publish needs a log,
//! like a keyless one, and fails (writing nothing) when the log cannot be reached.

use std::path::Path;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use sigstore_types::{Bundle, SignatureBytes};

use super::cosign_key;
use super::sign::SignError;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// DER prefix of a P-256 SubjectPublicKeyInfo (id-ecPublicKey, prime256v1), before the point.
const P256_SPKI_PREFIX: &[u8] = &[
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];
/// DER prefix of an Ed25519 SubjectPublicKeyInfo, before the 32-byte key.
const ED25519_SPKI_PREFIX: &[u8] = &[
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

enum Pair {
    EcdsaP256(EcdsaKeyPair),
    Ed25519(Ed25519KeyPair),
}

/// A private signing key read from a PKCS#8 PEM file.
pub struct KeySigner {
    pair: Pair,
    spki: Vec<u8>,
}

impl std::fmt::Debug for KeySigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeySigner({})", self.algorithm())
    }
}

impl KeySigner {
    /// Reads a PKCS#8 PEM private key (`BEGIN PRIVATE KEY`), ECDSA P-256 or Ed25519.
    pub fn from_pem_file(path: &Path) -> Result<KeySigner, SignError> {
        let bad = |reason: String| SignError::Key {
            path: path.display().to_string(),
            reason,
        };
        let bytes =
            crate::limits::read_file_capped(path, 64 * 1024).map_err(|e| bad(e.to_string()))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("not a PEM file".into()))?;
        if let Some(label) = cosign_key::LABELS
            .into_iter()
            .find(|l| text.contains(&format!("-----BEGIN {l}-----")))
        {
            let body = pem_block(text, label)
                .ok_or_else(|| bad(format!("the {label} PEM block is not base64")))?;
            // As cosign: the passphrase comes from COSIGN_PASSWORD (set and empty is an empty
            // passphrase); kakunin never prompts.
            let passphrase = std::env::var_os(cosign_key::PASSWORD_ENV).ok_or_else(|| {
                bad(format!(
                    "an encrypted cosign key: set {} to its passphrase",
                    cosign_key::PASSWORD_ENV
                ))
            })?;
            let der = cosign_key::decrypt(&body, passphrase.as_encoded_bytes())
                .map_err(|e| bad(format!("cosign key: {e}")))?;
            return KeySigner::from_pkcs8_der(&der).map_err(bad);
        }
        KeySigner::from_pem(text).map_err(bad)
    }

    /// Parses a PKCS#8 PEM private key.
    pub fn from_pem(pem: &str) -> Result<KeySigner, String> {
        let der = pem_block(pem, "PRIVATE KEY").ok_or_else(|| {
            if pem.contains("BEGIN EC PRIVATE KEY") {
                "expected a PKCS#8 key (BEGIN PRIVATE KEY), found a SEC1 EC key; convert it with `openssl pkcs8 -topk8 -nocrypt`".to_string()
            } else if pem.contains("BEGIN ENCRYPTED PRIVATE KEY") {
                "expected an unencrypted PKCS#8 key, found an encrypted one".to_string()
            } else {
                "expected a PEM block BEGIN PRIVATE KEY (PKCS#8), found none".to_string()
            }
        })?;
        KeySigner::from_pkcs8_der(&der)
    }

    /// A PKCS#8 DER private key, ECDSA P-256 or Ed25519.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<KeySigner, String> {
        if let Ok(pair) = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, der) {
            let spki = [P256_SPKI_PREFIX, pair.public_key().as_ref()].concat();
            return Ok(KeySigner {
                pair: Pair::EcdsaP256(pair),
                spki,
            });
        }
        if let Ok(pair) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
            let spki = [ED25519_SPKI_PREFIX, pair.public_key().as_ref()].concat();
            return Ok(KeySigner {
                pair: Pair::Ed25519(pair),
                spki,
            });
        }
        Err(
            "expected a PKCS#8 ECDSA P-256 or Ed25519 private key, found another kind of key"
                .into(),
        )
    }

    /// `ecdsa-p256-sha256` or `ed25519`.
    pub fn algorithm(&self) -> &'static str {
        match self.pair {
            Pair::EcdsaP256(_) => "ecdsa-p256-sha256",
            Pair::Ed25519(_) => "ed25519",
        }
    }

    /// The public key, PEM SubjectPublicKeyInfo (what `verify-bundle --key` takes).
    pub fn public_key_pem(&self) -> String {
        let b64 = B64.encode(&self.spki);
        let mut pem = String::from("-----BEGIN PUBLIC KEY-----\n");
        for chunk in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END PUBLIC KEY-----\n");
        pem
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.pair {
            Pair::EcdsaP256(p) => p
                .sign(&SystemRandom::new(), message)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| SignError::Other("ECDSA signing failed".into())),
            Pair::Ed25519(p) => Ok(p.sign(message).as_ref().to_vec()),
        }
    }

    /// Signs `statement` (its exact bytes) as a DSSE envelope, logs it in the Rekor v1 log at
    /// `rekor_url` (none: `--tlog-upload=false`, a bundle with no log entry), timestamps the
    /// signature at the TSA `tsa_url` (if any), and returns the bundle v0.3.
    pub async fn sign_statement(
        &self,
        statement: &[u8],
        rekor_url: Option<&str>,
        tsa_url: Option<&str>,
    ) -> Result<Bundle, SignError> {
        serde_json::from_slice::<sigstore_types::Statement>(statement)
            .map_err(|e| SignError::Statement(e.to_string()))?;
        let payload_type = "application/vnd.in-toto+json";
        let signature = self.sign(&sigstore_types::pae(payload_type, statement))?;
        let envelope = serde_json::json!({
            "payloadType": payload_type,
            "payload": B64.encode(statement),
            "signatures": [{ "sig": B64.encode(&signature) }],
        });
        let tlog_entries = match rekor_url {
            Some(url) => vec![self.log(&envelope, url).await?],
            None => Vec::new(),
        };
        self.assemble(
            &signature,
            tlog_entries,
            tsa_url,
            ("dsseEnvelope", envelope),
        )
        .await
    }

    /// Signs `payload`'s bytes (a `messageSignature` bundle over their SHA-256, as cosign's
    /// `.sig` layers are signed), logs it as a Rekor v1 `hashedrekord` entry with this key
    /// (none: `--tlog-upload=false`), and timestamps it at `tsa_url` (if any). ECDSA P-256
    /// only: a `hashedrekord` entry cannot carry a pure Ed25519 signature.
    pub async fn sign_message(
        &self,
        payload: &[u8],
        rekor_url: Option<&str>,
        tsa_url: Option<&str>,
    ) -> Result<Bundle, SignError> {
        if !matches!(self.pair, Pair::EcdsaP256(_)) {
            return Err(SignError::Other(format!(
                "cosign's .sig layer: expected an ECDSA P-256 key (a hashedrekord log entry cannot carry a pure Ed25519 signature), found {}",
                self.algorithm()
            )));
        }
        let signature = self.sign(payload)?;
        let digest = crate::digest::Digest::sha256(payload);
        let tlog_entries = match rekor_url {
            Some(url) => vec![self.log_hashed(&digest, &signature, url).await?],
            None => Vec::new(),
        };
        let content = serde_json::json!({
            "messageDigest": { "algorithm": "SHA2_256", "digest": B64.encode(digest.as_bytes()) },
            "signature": B64.encode(&signature),
        });
        self.assemble(
            &signature,
            tlog_entries,
            tsa_url,
            ("messageSignature", content),
        )
        .await
    }

    /// The bundle v0.3 of a signature: this key's hint as the verification material, the log
    /// entries, an RFC 3161 timestamp of the signature from `tsa_url` (if any), and the signed
    /// content (`dsseEnvelope` or `messageSignature`).
    async fn assemble(
        &self,
        signature: &[u8],
        tlog_entries: Vec<serde_json::Value>,
        tsa_url: Option<&str>,
        (field, content): (&str, serde_json::Value),
    ) -> Result<Bundle, SignError> {
        let mut material = serde_json::json!({
            "publicKey": { "hint": B64.encode(crate::digest::Digest::sha256(&self.spki).as_bytes()) },
            "tlogEntries": tlog_entries,
        });
        if let Some(tsa_url) = tsa_url {
            material["timestampVerificationData"] = self.timestamp(signature, tsa_url).await?;
        }
        let mut bundle = serde_json::json!({
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": material,
        });
        bundle[field] = content;
        Bundle::from_json(&bundle.to_string())
            .map_err(|e| SignError::Other(format!("assembling the bundle: {e}")))
    }

    async fn timestamp(
        &self,
        signature: &[u8],
        tsa_url: &str,
    ) -> Result<serde_json::Value, SignError> {
        let tsa_err = |reason: String| SignError::Tsa {
            url: tsa_url.to_string(),
            reason,
        };
        let client = sigstore_sign::tsa::TimestampClient::builder(tsa_url)
            .with_http_client(http_client()?)
            .build()
            .map_err(|e| tsa_err(e.to_string()))?;
        let token = client
            .timestamp_signature(&SignatureBytes::new(signature.to_vec()))
            .await
            .map_err(|e| tsa_err(e.to_string()))?;
        Ok(serde_json::json!({
            "rfc3161Timestamps": [{ "signedTimestamp": B64.encode(token.as_bytes()) }],
        }))
    }

    /// Logs a signature over `digest` as a Rekor v1 `hashedrekord` entry with this key.
    async fn log_hashed(
        &self,
        digest: &crate::digest::Digest,
        signature: &[u8],
        rekor_url: &str,
    ) -> Result<serde_json::Value, SignError> {
        let rekor_err = |reason: String| SignError::Rekor {
            url: rekor_url.to_string(),
            reason,
        };
        let proposed = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "hashedrekord",
            "spec": {
                "data": { "hash": { "algorithm": "sha256", "value": digest.hex() } },
                "signature": {
                    "content": B64.encode(signature),
                    "publicKey": { "content": B64.encode(self.public_key_pem()) },
                },
            },
        });
        let entry: sigstore_sign::rekor::HashedRekord =
            serde_json::from_value(proposed).map_err(|e| rekor_err(e.to_string()))?;
        let client = sigstore_sign::rekor::RekorClient::builder(rekor_url)
            .with_http_client(http_client()?)
            .build()
            .map_err(|e| rekor_err(e.to_string()))?;
        let logged = client
            .create_entry(entry)
            .await
            .map_err(|e| rekor_err(e.to_string()))?;
        let tlog = logged
            .to_bundle_entry(sigstore_types::KindVersion::HashedRekordV001)
            .map_err(|e| rekor_err(format!("invalid log entry: {e}")))?;
        serde_json::to_value(&tlog).map_err(|e| rekor_err(e.to_string()))
    }

    /// Logs the envelope as a Rekor v1 `dsse` entry with this key as its verifier.
    async fn log(
        &self,
        envelope: &serde_json::Value,
        rekor_url: &str,
    ) -> Result<serde_json::Value, SignError> {
        let rekor_url = rekor_url.to_string();
        let rekor_err = |reason: String| SignError::Rekor {
            url: rekor_url.clone(),
            reason,
        };
        let proposed = serde_json::json!({
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": { "proposedContent": {
                "envelope": envelope.to_string(),
                "verifiers": [B64.encode(self.public_key_pem())],
            }},
        });
        let entry: sigstore_sign::rekor::DsseEntry =
            serde_json::from_value(proposed).map_err(|e| rekor_err(e.to_string()))?;
        let client = sigstore_sign::rekor::RekorClient::builder(rekor_url.as_str())
            .with_http_client(http_client()?)
            .build()
            .map_err(|e| rekor_err(e.to_string()))?;
        let logged = client
            .create_dsse_entry(entry)
            .await
            .map_err(|e| rekor_err(e.to_string()))?;
        let tlog = logged
            .to_bundle_entry(sigstore_types::KindVersion::DsseV001)
            .map_err(|e| rekor_err(format!("invalid log entry: {e}")))?;

        serde_json::to_value(&tlog).map_err(|e| rekor_err(e.to_string()))
    }
}

fn http_client() -> Result<sigstore_sign::reqwest::Client, SignError> {
    sigstore_sign::reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .connect_timeout(std::time::Duration::from_secs(15))
        .user_agent(concat!("kakunin/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| SignError::Other(format!("HTTP client: {e}")))
}

/// The DER inside the first PEM block labelled `label`.
fn pem_block(pem: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin)? + begin.len();
    let stop = start + pem[start..].find(&end)?;
    let body: String = pem[start..stop].split_whitespace().collect();
    B64.decode(body).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdsa_and_ed25519_keys_give_their_public_keys() {
        let rng = SystemRandom::new();
        let ec = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            B64.encode(ec.as_ref())
        );
        let k = KeySigner::from_pem(&pem).unwrap();
        assert_eq!(k.algorithm(), "ecdsa-p256-sha256");
        sigstore_types::DerPublicKey::from_pem(&k.public_key_pem()).unwrap();

        let ed = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            B64.encode(ed.as_ref())
        );
        let k = KeySigner::from_pem(&pem).unwrap();
        assert_eq!(k.algorithm(), "ed25519");
        assert!(k.public_key_pem().contains("MCowBQYDK2VwAyEA"));
    }

    #[test]
    fn other_keys_are_refused_with_the_reason() {
        let e = KeySigner::from_pem(
            "-----BEGIN EC PRIVATE KEY-----\nAA==\n-----END EC PRIVATE KEY-----",
        )
        .unwrap_err();
        assert!(e.contains("found a SEC1 EC key"), "{e}");
        let e = KeySigner::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
            .unwrap_err();
        assert!(e.contains("found another kind of key"), "{e}");
        let e = KeySigner::from_pem("nothing").unwrap_err();
        assert!(e.contains("found none"), "{e}");
    }
}
