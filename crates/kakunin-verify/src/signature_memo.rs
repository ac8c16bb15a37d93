//! A signature that verified once in a process is not verified again.
//!
//! `kakunin verify` of a chart checks one Sigstore bundle per image, and every bundle of a
//! release carries the same certificate chains: the Fulcio intermediate signed by its root, the
//! timestamp authority's chain, often the same log checkpoint. sigstore-verify checks each of
//! them again for every bundle (146 ECDSA verifications for 21 bundles in
//! `benches/chart_images.rs`, half of a warm run's instructions).
//!
//! Guarantees: [`install`] puts, once per process and before any signature is checked,
//! sigstore-crypto's own aws-lc-rs provider behind a memo. A verification is answered from the
//! memo only when a verification of exactly the same inputs (scheme, public key, signed bytes
//! or digest, signature: all of them, as the SHA-256 of their length-prefixed encoding)
//! already succeeded in this process: verifying is a pure function of those inputs, so the
//! answer is the one aws-lc-rs gave. A failed verification is never remembered (it is checked
//! again, and fails again). At most [`MAX_ENTRIES`] successes are kept; beyond that, nothing
//! more is remembered and every verification runs. Hashing, signing and key generation go to
//! aws-lc-rs unchanged. Nothing is kept across processes.

use std::collections::HashSet;
use std::sync::Mutex;

use sigstore_types::HashAlgorithm;
use sigstore_verify::crypto::{
    CryptoProvider, HashContext, KeyAlgorithm, Result, SigningKeyPair, SigningScheme,
    aws_lc_provider,
};

/// How many successful verifications one process remembers.
pub const MAX_ENTRIES: usize = 4096;

/// aws-lc-rs, with the successful verifications it made remembered.
#[derive(Debug, Default)]
struct Memo {
    verified: Mutex<HashSet<[u8; 32]>>,
}

static MEMO: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();

/// Installs the memo as sigstore-crypto's provider for this process. Returns whether it is the
/// provider now (false when another provider was installed first: then that one answers).
pub fn install() -> bool {
    let memo = MEMO.get_or_init(Memo::default);
    match sigstore_verify::crypto::install_default_provider(memo) {
        Ok(()) => true,
        Err(p) => std::ptr::addr_eq(p, memo as &dyn CryptoProvider),
    }
}

/// The key of one verification: every input, each length-prefixed, hashed (streamed: the
/// signed bytes are never copied); `None` if SHA-256 is unavailable (then nothing is
/// remembered).
fn key(prehashed: bool, scheme: SigningScheme, parts: [&[u8]; 3]) -> Option<[u8; 32]> {
    let mut h = aws_lc_provider().hash(HashAlgorithm::Sha2256).ok()?;
    h.update(&[u8::from(prehashed)]);
    for p in [scheme.name().as_bytes()].into_iter().chain(parts) {
        h.update(&(p.len() as u64).to_be_bytes());
        h.update(p);
    }
    h.finalize().try_into().ok()
}

impl Memo {
    /// `verify` unless the same verification already succeeded; a success is remembered.
    fn once(&self, key: Option<[u8; 32]>, verify: impl FnOnce() -> Result<()>) -> Result<()> {
        let Some(key) = key else {
            return verify();
        };
        if self.verified.lock().is_ok_and(|s| s.contains(&key)) {
            return Ok(());
        }
        verify()?;
        if let Ok(mut s) = self.verified.lock()
            && s.len() < MAX_ENTRIES
        {
            s.insert(key);
        }
        Ok(())
    }
}

impl CryptoProvider for Memo {
    fn hash(&self, algorithm: HashAlgorithm) -> Result<Box<dyn HashContext>> {
        aws_lc_provider().hash(algorithm)
    }

    fn sha256(&self, data: &[u8]) -> [u8; 32] {
        aws_lc_provider().sha256(data)
    }

    fn sha384(&self, data: &[u8]) -> [u8; 48] {
        aws_lc_provider().sha384(data)
    }

    fn sha512(&self, data: &[u8]) -> [u8; 64] {
        aws_lc_provider().sha512(data)
    }

    fn verify_raw(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        data: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let k = key(false, scheme, [spki_pubkey_bytes, data, signature]);
        self.once(k, || {
            aws_lc_provider().verify_raw(scheme, spki_pubkey_bytes, data, signature)
        })
    }

    fn verify_prehashed(
        &self,
        scheme: SigningScheme,
        spki_pubkey_bytes: &[u8],
        digest: &[u8],
        signature: &[u8],
    ) -> Result<()> {
        let k = key(true, scheme, [spki_pubkey_bytes, digest, signature]);
        self.once(k, || {
            aws_lc_provider().verify_prehashed(scheme, spki_pubkey_bytes, digest, signature)
        })
    }

    fn generate_key_pair(&self, algorithm: KeyAlgorithm) -> Result<Box<dyn SigningKeyPair>> {
        aws_lc_provider().generate_key_pair(algorithm)
    }

    fn key_pair_from_pkcs8_der(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKeyPair>> {
        aws_lc_provider().key_pair_from_pkcs8_der(pkcs8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigstore_verify::crypto::KeyPair;

    #[test]
    fn only_the_same_inputs_that_verified_are_answered_from_the_memo() {
        let m = Memo::default();
        let pair = KeyPair::generate_ecdsa_p256().unwrap();
        let public = pair.public_key_bytes().to_vec();
        let scheme = SigningScheme::EcdsaP256Sha256;
        let sig = pair.sign(b"signed bytes").unwrap();
        let sig = sig.as_bytes();
        assert!(m.verify_raw(scheme, &public, b"signed bytes", sig).is_ok());
        assert_eq!(m.verified.lock().unwrap().len(), 1);
        // Answered from the memo: still Ok, nothing added.
        assert!(m.verify_raw(scheme, &public, b"signed bytes", sig).is_ok());
        assert_eq!(m.verified.lock().unwrap().len(), 1);
        // Any other input is verified, and fails, and a failure is never remembered.
        assert!(m.verify_raw(scheme, &public, b"other bytes", sig).is_err());
        let mut flipped = sig.to_vec();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(
            m.verify_raw(scheme, &public, b"signed bytes", &flipped)
                .is_err()
        );
        let other = KeyPair::generate_ecdsa_p256().unwrap();
        let other_key = other.public_key_bytes().to_vec();
        assert!(
            m.verify_raw(scheme, &other_key, b"signed bytes", sig)
                .is_err()
        );
        assert!(
            m.verify_prehashed(scheme, &public, b"signed bytes", sig)
                .is_err()
        );
        assert_eq!(m.verified.lock().unwrap().len(), 1);
    }

    #[test]
    fn install_makes_the_memo_sigstore_cryptos_provider_once() {
        assert!(install());
        assert!(install(), "installing again keeps the same provider");
        let active = sigstore_verify::crypto::default_provider();
        assert!(std::ptr::addr_eq(
            active,
            MEMO.get().unwrap() as &dyn CryptoProvider
        ));
    }

    #[test]
    fn the_memo_is_bounded() {
        let m = Memo::default();
        for i in 0..MAX_ENTRIES + 10 {
            let _ = m.once(
                key(
                    false,
                    SigningScheme::EcdsaP256Sha256,
                    [&i.to_be_bytes(), b"", b""],
                ),
                || Ok(()),
            );
        }
        assert_eq!(m.verified.lock().unwrap().len(), MAX_ENTRIES);
    }
}
