//! cosign's encrypted private key format (`cosign generate-key-pair` writes `cosign.key`):
//! a PEM block `ENCRYPTED SIGSTORE PRIVATE KEY` (or, from older cosign, `ENCRYPTED COSIGN
//! PRIVATE KEY`) whose body is go-securesystemslib's `encrypted` JSON:
//!
//! ```text
//! {"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1},"salt":"<base64>"},
//!  "cipher":{"name":"nacl/secretbox","nonce":"<base64, 24 bytes>"},
//!  "ciphertext":"<base64>"}
//! ```
//!
//! The key is scrypt(passphrase, salt, N, r, p) of 32 bytes, the ciphertext is NaCl
//! secretbox (XSalsa20-Poly1305) of the PKCS#8 DER private key. What this guarantees: the DER
//! comes back only when the passphrase is right and the ciphertext is untouched (Poly1305
//! authenticates it); the scrypt work is bounded, since only the three parameter sets
//! securesystemslib writes are accepted (N = 2^15, 2^16 or 2^17, r = 8, p = 1: at most
//! 128 MiB and well under a second), as securesystemslib itself refuses any other.

use base64::Engine;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Nonce, XSalsa20Poly1305};
use serde::Deserialize;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The PEM labels cosign writes (current first).
pub const LABELS: [&str; 2] = [
    "ENCRYPTED SIGSTORE PRIVATE KEY",
    "ENCRYPTED COSIGN PRIVATE KEY",
];

/// The environment variable cosign reads the passphrase from.
pub const PASSWORD_ENV: &str = "COSIGN_PASSWORD";

/// Why an encrypted cosign key could not be opened.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CosignKeyError {
    #[error("not cosign's encrypted key JSON: {0}")]
    Format(String),
    #[error("unsupported {what} {found:?} (cosign writes {expected})")]
    Unsupported {
        what: &'static str,
        expected: &'static str,
        found: String,
    },
    #[error("wrong passphrase (or a tampered key file): the secretbox does not open")]
    Decrypt,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Encrypted {
    kdf: Kdf,
    cipher: Cipher,
    ciphertext: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Kdf {
    name: String,
    params: ScryptParams,
    salt: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScryptParams {
    #[serde(rename = "N")]
    n: u64,
    r: u32,
    p: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Cipher {
    name: String,
    nonce: String,
}

fn b64(what: &str, s: &str) -> Result<Vec<u8>, CosignKeyError> {
    B64.decode(s)
        .map_err(|e| CosignKeyError::Format(format!("{what} is not base64: {e}")))
}

/// Decrypts the body of a cosign key PEM block (the JSON, already base64-decoded from the PEM)
/// with a passphrase; returns the PKCS#8 DER private key.
pub fn decrypt(body: &[u8], passphrase: &[u8]) -> Result<Vec<u8>, CosignKeyError> {
    // Parsed once, strictly (size cap, depth, duplicate keys refused), as every JSON input.
    let e: Encrypted = crate::strict_json::from_slice(body, 16 * 1024)
        .map_err(|e| CosignKeyError::Format(e.to_string()))?;
    if e.kdf.name != "scrypt" {
        return Err(CosignKeyError::Unsupported {
            what: "kdf",
            expected: "scrypt",
            found: e.kdf.name,
        });
    }
    if e.cipher.name != "nacl/secretbox" {
        return Err(CosignKeyError::Unsupported {
            what: "cipher",
            expected: "nacl/secretbox",
            found: e.cipher.name,
        });
    }
    let p = &e.kdf.params;
    let log_n = match (p.n, p.r, p.p) {
        (32768, 8, 1) => 15,
        (65536, 8, 1) => 16,
        (131072, 8, 1) => 17,
        _ => {
            return Err(CosignKeyError::Unsupported {
                what: "scrypt parameters",
                expected: "N 32768, 65536 or 131072 with r 8, p 1",
                found: format!("N {} r {} p {}", p.n, p.r, p.p),
            });
        }
    };
    let salt = b64("kdf.salt", &e.kdf.salt)?;
    let nonce = b64("cipher.nonce", &e.cipher.nonce)?;
    if nonce.len() != 24 {
        return Err(CosignKeyError::Format(format!(
            "cipher.nonce is {} bytes, not 24",
            nonce.len()
        )));
    }
    let ciphertext = b64("ciphertext", &e.ciphertext)?;
    let params = scrypt::Params::new(log_n, 8, 1, 32)
        .map_err(|e| CosignKeyError::Format(format!("scrypt parameters: {e}")))?;
    let mut key = [0u8; 32];
    scrypt::scrypt(passphrase, &salt, &params, &mut key)
        .map_err(|e| CosignKeyError::Format(format!("scrypt: {e}")))?;
    let cipher = XSalsa20Poly1305::new(&key.into());
    cipher
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| CosignKeyError::Decrypt)
}

/// Encrypts a PKCS#8 DER key the way cosign does (scrypt N = 2^15, the cheapest set cosign
/// reads), as the body of an `ENCRYPTED SIGSTORE PRIVATE KEY` PEM block. For tests, which
/// need cosign-format keys without cosign.
#[doc(hidden)]
pub fn encrypt_for_tests(der: &[u8], passphrase: &[u8], salt: [u8; 32], nonce: [u8; 24]) -> String {
    let params = scrypt::Params::new(15, 8, 1, 32).expect("valid scrypt parameters");
    let mut key = [0u8; 32];
    scrypt::scrypt(passphrase, &salt, &params, &mut key).expect("32-byte output");
    let ciphertext = XSalsa20Poly1305::new(&key.into())
        .encrypt(Nonce::from_slice(&nonce), der)
        .expect("secretbox seals");
    let json = serde_json::json!({
        "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": B64.encode(salt)},
        "cipher": {"name": "nacl/secretbox", "nonce": B64.encode(nonce)},
        "ciphertext": B64.encode(ciphertext),
    });
    let body = B64.encode(json.to_string());
    let mut pem = format!("-----BEGIN {}-----\n", LABELS[0]);
    for chunk in body.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        pem.push('\n');
    }
    pem.push_str(&format!("-----END {}-----\n", LABELS[0]));
    pem
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(pem: &str) -> Vec<u8> {
        let inner: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        B64.decode(inner).unwrap()
    }

    #[test]
    fn a_key_encrypted_as_cosign_does_opens_with_its_passphrase_only() {
        let der = b"pkcs8 der bytes".to_vec();
        let pem = encrypt_for_tests(&der, b"hello", [7; 32], [9; 24]);
        assert!(pem.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
        let b = body(&pem);
        assert_eq!(decrypt(&b, b"hello").unwrap(), der);
        assert_eq!(decrypt(&b, b"hellO"), Err(CosignKeyError::Decrypt));
        assert_eq!(decrypt(&b, b""), Err(CosignKeyError::Decrypt));
    }

    #[test]
    fn tampered_or_unsupported_files_are_refused() {
        let pem = encrypt_for_tests(b"der", b"pw", [1; 32], [2; 24]);
        let v: serde_json::Value = serde_json::from_slice(&body(&pem)).unwrap();
        let with = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut v = v.clone();
            f(&mut v);
            decrypt(v.to_string().as_bytes(), b"pw")
        };
        // A flipped ciphertext byte: Poly1305 refuses it.
        let e = with(&|v| {
            let mut c = B64.decode(v["ciphertext"].as_str().unwrap()).unwrap();
            c[0] ^= 1;
            v["ciphertext"] = B64.encode(c).into();
        });
        assert_eq!(e, Err(CosignKeyError::Decrypt));
        // Parameters that would cost unbounded work are refused before any is done.
        let e = with(&|v| v["kdf"]["params"]["N"] = (1u64 << 30).into()).unwrap_err();
        assert!(e.to_string().contains("N 1073741824 r 8 p 1"), "{e}");
        let e = with(&|v| v["kdf"]["name"] = "pbkdf2".into()).unwrap_err();
        assert!(e.to_string().contains("\"pbkdf2\""), "{e}");
        let e = with(&|v| v["cipher"]["name"] = "aes-gcm".into()).unwrap_err();
        assert!(e.to_string().contains("nacl/secretbox"), "{e}");
        let e = with(&|v| v["cipher"]["nonce"] = B64.encode([0u8; 12]).into()).unwrap_err();
        assert!(e.to_string().contains("not 24"), "{e}");
        let e = with(&|v| v["extra"] = 1.into()).unwrap_err();
        assert!(matches!(e, CosignKeyError::Format(_)), "{e}");
        assert!(matches!(
            decrypt(br#"{"kdf":1,"kdf":2}"#, b"pw"),
            Err(CosignKeyError::Format(_))
        ));
    }
}
