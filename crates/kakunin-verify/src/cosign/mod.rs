//! cosign's image signatures and attestations in their "legacy" OCI layout: the layers of the
//! `sha256-<hex>.sig` tag (a simple-signing payload each, signature and material in
//! annotations) and of the `sha256-<hex>.att` tag (a DSSE envelope each).
//!
//! Pure: bytes in, verified types out; the registry or an OCI layout supplies the bytes
//! ([`crate::image`]). Guarantees:
//! - a [`VerifiedImageSignature`] exists only when the layer's payload names the image digest
//!   with cosign's signature type, and its signature verified, with the material re-expressed
//!   as a Sigstore bundle and checked by [`crate::bundle::verify`] (certificate chain to the
//!   trusted root's Fulcio CAs at the SET's integrated time, SCT, the SET by the trusted root's
//!   Rekor key, the SET's body bound to this signature, certificate or key, and payload digest,
//!   RFC 3161 timestamps when present), and under the signer [`Policy`] (identity, issuer,
//!   GitHub claims, or the managed key);
//! - a keyed signature with no log entry verifies only with
//!   [`Options::insecure_ignore_tlog`], and its check then says that no log entry was checked;
//! - a [`VerifiedImageAttestation`] is the same for a DSSE layer whose statement names the
//!   image digest as a subject;
//! - every input is bounded (payload, annotations, chain length); bad input is an error naming
//!   what was expected and found, never a panic.

mod attestation;
pub mod blob;
mod layer_signature;
mod material;
mod payload;
pub mod predicate;
mod rekor_set;
mod signature;

use std::collections::BTreeMap;

use crate::bundle::{Policy, VerifiedBundle, danger};
use crate::check::Check;
use crate::digest::Digest;

pub use attestation::{DSSE_MEDIA_TYPE, VerifiedImageAttestation, verify_attestation_layer};
pub use material::{
    BUNDLE, CERTIFICATE, CHAIN, MAX_ANNOTATION_BYTES, MAX_CHAIN_CERTIFICATES, Material,
    MaterialError, RFC3161, SIGNATURE,
};
pub use payload::{
    MAX_PAYLOAD_BYTES, PayloadError, SIGNATURE_TYPE, SIMPLE_SIGNING_MEDIA_TYPE, SimpleSigning,
};
pub use rekor_set::{RekorSet, RekorSetError};
pub use signature::{VerifiedImageSignature, verify_signature_layer};

/// Most layers read from one `.sig` or `.att` manifest.
pub const MAX_LAYERS: usize = 256;

/// One layer of a `.sig`/`.att` manifest: its media type, the bytes its digest names, and its
/// annotations.
#[derive(Debug, Clone)]
pub struct Layer {
    pub media_type: String,
    pub digest: Digest,
    pub payload: Vec<u8>,
    pub annotations: BTreeMap<String, String>,
}

impl Layer {
    /// A layer whose payload must hash to the descriptor's digest.
    pub fn new(
        media_type: impl Into<String>,
        digest: &str,
        payload: Vec<u8>,
        annotations: BTreeMap<String, String>,
    ) -> Result<Layer, String> {
        let digest: Digest = digest
            .parse()
            .map_err(|e| format!("layer digest {digest:?}: {e}"))?;
        let found = Digest::of_bytes(digest.algorithm(), &payload);
        if found != digest {
            return Err(format!(
                "layer blob: expected digest {digest}, found {found}"
            ));
        }
        Ok(Layer {
            media_type: media_type.into(),
            digest,
            payload,
            annotations,
        })
    }
}

/// How a layer is verified beyond the signer policy.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// DANGER (cosign's `--insecure-ignore-tlog`): with [`danger::IgnoreTlog`], a keyed
    /// signature that has no transparency-log entry is accepted; the signature check then says
    /// no entry was checked. `None` (the default): a log entry is required.
    pub insecure_ignore_tlog: Option<danger::IgnoreTlog>,
    /// `--docker-reference`: the payload's `critical.identity.docker-reference` must be this.
    pub docker_reference: Option<String>,
}

/// The checks of one layer and the verified value, or why it was rejected.
#[derive(Debug)]
pub struct LayerVerification<T> {
    pub checks: Vec<Check>,
    pub result: Result<T, String>,
}

impl<T> LayerVerification<T> {
    fn rejected(checks: Vec<Check>, why: impl Into<String>) -> LayerVerification<T> {
        LayerVerification {
            checks,
            result: Err(why.into()),
        }
    }
}

/// The signer policy without the log waiver, and whether the log is waived (by the policy,
/// `--insecure-ignore-tlog` on the shared signer options, or by [`Options`]).
/// The report's facts on who signed a cosign layer: the verified bundle's, or for a keyed
/// signature verified without a log entry (`--insecure-ignore-tlog`), the key and that no log
/// entry was checked.
fn signer_details(bundle: Option<&VerifiedBundle>, key: Option<&Digest>) -> serde_json::Value {
    match bundle {
        Some(b) => b.details(),
        None => serde_json::json!({
            "key_sha256": key.map(Digest::to_string),
            "tlog": "not checked (--insecure-ignore-tlog)",
        }),
    }
}

fn signer<'p>(policy: &'p Policy, options: &Options) -> (&'p Policy, bool) {
    let mut p = policy;
    let mut waived = options.insecure_ignore_tlog.is_some();
    while let Policy::DangerIgnoreTlog(inner) = p {
        p = inner;
        waived = true;
    }
    (p, waived)
}

/// Whether the policy and the material of `what` ("the layer", "the blob") are of the same
/// kind (a key, or a certificate); the reason otherwise.
fn kind_mismatch(policy: &Policy, material: &Material, what: &str) -> Option<String> {
    match (policy, material.is_keyless()) {
        (Policy::Key(_), true) => Some(format!(
            "{what} is signed with a Fulcio certificate, not with the key given (--key)"
        )),
        (Policy::Certificate { .. }, false) => Some(format!(
            "{what} is signed with a managed key (no certificate): verify it with --key"
        )),
        _ => None,
    }
}

/// The `bundle.signature` check of a layer whose Rekor entry is of a kind sigstore-verify cannot
/// check (cosign's 2021 `rekord`), with the reason: a check that could not run, never a pass.
fn unsupported_rekor_kind(
    material: &Material,
    title: &str,
    expected: String,
) -> Option<(Check, String)> {
    let rekor = material.rekor.as_ref().filter(|r| !r.kind_supported())?;
    let why = format!(
        "unsupported Rekor entry kind {} {} (kakunin verifies hashedrekord 0.0.1, dsse 0.0.1 and intoto 0.0.2)",
        rekor.kind, rekor.version
    );
    let check = Check::not_run(
        crate::check::ids::BUNDLE_SIGNATURE,
        title,
        expected,
        why.clone(),
    );
    Some((check, why))
}

/// How every refusal of a key or certificate of an algorithm kakunin cannot verify with begins
/// ([`check_key_algorithm`], and [`crate::bundle::BundleError::UnsupportedAlgorithm`]).
pub const UNSUPPORTED_ALGORITHM: &str = "unsupported algorithm ";

/// Whether `reason` (a rejected signature's) is that its key or certificate is of an algorithm
/// kakunin cannot verify with: an input kakunin cannot check, never a bad signature.
pub fn is_unsupported_algorithm(reason: &str) -> bool {
    reason.starts_with(UNSUPPORTED_ALGORITHM)
}

/// The key algorithms kakunin verifies (`--key`).
pub const SUPPORTED_KEYS: &str = "ECDSA P-256 and P-384, Ed25519, RSA";

/// The name of a public key's algorithm when kakunin (sigstore-verify) cannot verify with it,
/// read from its SubjectPublicKeyInfo's algorithm and curve identifiers.
pub(crate) fn unsupported_key_name(der: &[u8]) -> &'static str {
    const NAMES: [(&[u8], &str); 5] = [
        (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23], "ECDSA P-521"),
        (
            &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a],
            "ECDSA secp256k1",
        ),
        (&[0x06, 0x03, 0x2b, 0x65, 0x71], "Ed448"),
        (
            &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01],
            "ECDSA P-192",
        ),
        (&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21], "ECDSA P-224"),
    ];
    NAMES
        .iter()
        .find(|(oid, _)| der.windows(oid.len()).any(|w| w == *oid))
        .map_or("of an unknown kind", |(_, name)| name)
}

/// A `--key` of an algorithm kakunin cannot verify with is refused up front as "unsupported
/// algorithm NAME" (an input error), never reported later as a bad signature.
pub fn check_key_algorithm(policy: &Policy) -> Result<(), String> {
    let (Policy::Key(key), _) = signer(policy, &Options::default()) else {
        return Ok(());
    };
    match sigstore_verify::crypto::KeyAlgorithm::from_spki(key.der()) {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "unsupported algorithm {} in key {} ({e}): kakunin verifies {SUPPORTED_KEYS} keys",
            unsupported_key_name(key.der().as_bytes()),
            key.name()
        )),
    }
}

/// What a report expects of the signer.
pub fn describe_signer(policy: &Policy) -> String {
    match signer(policy, &Options::default()).0 {
        Policy::Key(k) => format!("the key {} ({})", k.name(), k.fingerprint()),
        Policy::Certificate {
            identity, issuer, ..
        } => format!(
            "identity {} from issuer {}",
            identity.describe(),
            issuer.describe()
        ),
        Policy::DangerIgnoreTlog(_) => "a signer".into(),
    }
}
