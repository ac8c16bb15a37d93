//! Helm provenance (`<chart>-<version>.tgz.prov`): an OpenPGP clear-signed message whose body is
//! the chart's `Chart.yaml`, a `...` separator, and `files:` mapping the package's file name to
//! its `sha256:` digest.
//!
//! Guarantees: a [`VerifiedProvenance`] exists only when the signature verifies with a key of the
//! keyring the user gave (a primary key, or a subkey whose binding verifies; RSA, EdDSA and the
//! other algorithms rpgp supports) **and** the `files:` digest for the package equals the sha256
//! of the package bytes given. Sizes are capped ([`MAX_PROV_BYTES`]).

use std::collections::BTreeMap;

use pgp::composed::{CleartextSignedMessage, PublicOrSecret, SignedPublicKey};
use pgp::types::KeyDetails;

use crate::digest::Digest;
use crate::limits::MAX_PROV_BYTES;

/// Why a provenance file does not verify.
#[derive(Debug, thiserror::Error)]
pub enum ProvError {
    #[error(".prov is {found} bytes: expected at most {max}")]
    TooLarge { max: u64, found: u64 },
    #[error("keyring is {found} bytes: expected at most {max}")]
    KeyringTooLarge { max: u64, found: u64 },
    #[error(".prov is not an OpenPGP clear-signed message: {0}")]
    Armor(String),
    #[error("keyring holds no usable OpenPGP public key: {0}")]
    Keyring(String),
    #[error(
        ".prov signature does not verify: expected a signature by one of {expected}, found one by {found}"
    )]
    Signature { expected: String, found: String },
    #[error(".prov body is not Helm provenance: {0}")]
    Body(String),
    #[error(".prov lists no digest for {expected:?}: found entries for {found}")]
    NoFile { expected: String, found: String },
    #[error(".prov digest of {file} does not match the chart: expected {expected}, found {found}")]
    Digest {
        file: String,
        expected: String,
        found: String,
    },
}

/// A provenance file whose signature and package digest both verified.
#[derive(Debug, Clone)]
pub struct VerifiedProvenance {
    signer: String,
    digest: Digest,
    chart_yaml: String,
}

impl VerifiedProvenance {
    /// Fingerprint (upper-case hex) of the key that made the signature.
    pub fn signer_fingerprint(&self) -> &str {
        &self.signer
    }
    /// The package digest the signed `files:` entry holds (= the package's sha256).
    pub fn digest(&self) -> &Digest {
        &self.digest
    }
    /// The signed copy of `Chart.yaml`.
    pub fn chart_yaml(&self) -> &str {
        &self.chart_yaml
    }
}

/// Parses a keyring: binary or ASCII-armored, one or more public keys (secret keys are used
/// for their public part).
pub fn parse_keyring(bytes: &[u8]) -> Result<Vec<SignedPublicKey>, ProvError> {
    if bytes.len() as u64 > MAX_PROV_BYTES * 16 {
        return Err(ProvError::KeyringTooLarge {
            max: MAX_PROV_BYTES * 16,
            found: bytes.len() as u64,
        });
    }
    let (iter, _) =
        PublicOrSecret::from_reader_many(bytes).map_err(|e| ProvError::Keyring(e.to_string()))?;
    let mut keys = Vec::new();
    let mut last_err = String::from("no keys in the file");
    for k in iter {
        match k {
            Ok(PublicOrSecret::Public(k)) => keys.push(k),
            Ok(PublicOrSecret::Secret(k)) => keys.push(k.to_public_key()),
            Err(e) => last_err = e.to_string(),
        }
    }
    if keys.is_empty() {
        return Err(ProvError::Keyring(last_err));
    }
    Ok(keys)
}

/// Verifies a `.prov` against a keyring and the chart package it describes.
/// `package_name` is the file name the `files:` entry must carry (`<chart>-<version>.tgz`).
pub fn verify(
    prov: &[u8],
    keyring: &[SignedPublicKey],
    package: &[u8],
    package_name: &str,
) -> Result<VerifiedProvenance, ProvError> {
    if prov.len() as u64 > MAX_PROV_BYTES {
        return Err(ProvError::TooLarge {
            max: MAX_PROV_BYTES,
            found: prov.len() as u64,
        });
    }
    let text = std::str::from_utf8(prov).map_err(|e| ProvError::Armor(e.to_string()))?;
    let (msg, _) =
        CleartextSignedMessage::from_string(text).map_err(|e| ProvError::Armor(e.to_string()))?;

    let signer = signer_of(&msg, keyring)?;

    let body = msg.signed_text().replace("\r\n", "\n");
    let (chart_yaml, files) = split_body(&body)?;
    let claimed = files.get(package_name).ok_or_else(|| ProvError::NoFile {
        expected: package_name.to_string(),
        found: if files.is_empty() {
            "none".into()
        } else {
            files.keys().cloned().collect::<Vec<_>>().join(", ")
        },
    })?;
    let claimed: Digest = claimed
        .parse()
        .map_err(|e| ProvError::Body(format!("files: {package_name}: {e}")))?;
    let actual = Digest::of_bytes(claimed.algorithm(), package);
    if actual != claimed {
        return Err(ProvError::Digest {
            file: package_name.to_string(),
            expected: claimed.to_string(),
            found: actual.to_string(),
        });
    }
    Ok(VerifiedProvenance {
        signer,
        digest: claimed,
        chart_yaml,
    })
}

fn signer_of(
    msg: &CleartextSignedMessage,
    keyring: &[SignedPublicKey],
) -> Result<String, ProvError> {
    let mut tried = Vec::new();
    for key in keyring {
        tried.push(key.fingerprint().to_string().to_uppercase());
        if msg.verify(key).is_ok() {
            return Ok(key.fingerprint().to_string().to_uppercase());
        }
        for sub in &key.public_subkeys {
            if sub.verify_bindings(&key.primary_key).is_ok() && msg.verify(sub).is_ok() {
                return Ok(sub.key.fingerprint().to_string().to_uppercase());
            }
        }
    }
    let found: Vec<String> = msg
        .signatures()
        .iter()
        .flat_map(|s| {
            let fps: Vec<String> = s
                .issuer_fingerprint()
                .iter()
                .map(|f| f.to_string().to_uppercase())
                .collect();
            if fps.is_empty() {
                s.issuer_key_id()
                    .iter()
                    .map(|k| format!("key id {}", k.to_string().to_uppercase()))
                    .collect()
            } else {
                fps
            }
        })
        .collect();
    Err(ProvError::Signature {
        expected: if tried.is_empty() {
            "no keys".into()
        } else {
            tried.join(", ")
        },
        found: if found.is_empty() {
            "an unknown key (or a body that was changed after signing)".into()
        } else {
            format!("{} that does not verify over this body", found.join(", "))
        },
    })
}

/// Splits the signed body into the Chart.yaml text and the `files:` map.
fn split_body(body: &str) -> Result<(String, BTreeMap<String, String>), ProvError> {
    let (chart, files) = body.split_once("\n...\n").ok_or_else(|| {
        ProvError::Body("expected a '...' line between Chart.yaml and files:".into())
    })?;
    #[derive(serde::Deserialize)]
    struct Files {
        files: BTreeMap<String, String>,
    }
    let f: Files =
        serde_norway::from_str(files).map_err(|e| ProvError::Body(format!("files: block: {e}")))?;
    Ok((chart.to_string(), f.files))
}
