//! One `.sig` layer verified: the simple-signing payload names the image, and the signature
//! over the payload's exact bytes verifies with its material under the signer policy.

use sigstore_types::HashAlgorithm;

use super::layer_signature::{LayerSigner, Signed, read_material, refuse, verify_layer_signature};
use super::material::Material;
use super::payload::{self, SIMPLE_SIGNING_MEDIA_TYPE, SimpleSigning};
use super::{Layer, LayerVerification, Options};
use crate::bundle::{Policy, VerifiedBundle};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::trust::Trust;

pub(super) const SIGNATURE_TITLE: &str =
    "cosign signature over the payload: certificate chain, Rekor SET, timestamps";

/// A `.sig` layer that verified for an image digest under a policy.
#[derive(Debug, Clone)]
pub struct VerifiedImageSignature {
    payload: SimpleSigning,
    layer_digest: Digest,
    /// Present when the material went through sigstore-verify (keyless, or keyed with a log
    /// entry); absent for a keyed signature accepted without a log entry.
    bundle: Option<VerifiedBundle>,
    key: Option<Digest>,
}

impl VerifiedImageSignature {
    pub fn payload(&self) -> &SimpleSigning {
        &self.payload
    }
    pub fn bundle(&self) -> Option<&VerifiedBundle> {
        self.bundle.as_ref()
    }
    /// Whether a transparency-log entry was verified for this signature.
    pub fn tlog_checked(&self) -> bool {
        self.bundle
            .as_ref()
            .is_some_and(|b| !b.log_indexes().is_empty())
    }
    /// One line: who signed, and where it was logged.
    pub fn describe(&self) -> String {
        let who = match &self.bundle {
            Some(b) => match (b.identity(), b.key_fingerprint()) {
                (Some(id), _) => format!("{id} ({})", b.issuer().unwrap_or("no issuer")),
                (None, Some(k)) => format!("key {k}"),
                (None, None) => "unknown signer".into(),
            },
            None => format!(
                "key {}",
                self.key.as_ref().map(Digest::to_string).unwrap_or_default()
            ),
        };
        let log = match self.bundle.as_ref().map(|b| b.log_indexes()) {
            Some(idx) if !idx.is_empty() => format!(", Rekor log index {}", idx[0]),
            _ => ", no transparency-log entry checked".into(),
        };
        format!("{who}{log}")
    }
    /// Facts for the report.
    pub fn details(&self) -> serde_json::Value {
        let mut v = super::signer_details(self.bundle.as_ref(), self.key.as_ref());
        v["form"] = "cosign-signature".into();
        v["layer_digest"] = self.layer_digest.to_string().into();
        v["docker_reference"] = self.payload.docker_reference.clone().into();
        v["docker_manifest_digest"] = self.payload.manifest_digest.clone().into();
        if !self.payload.optional.is_empty() {
            v["optional"] = serde_json::to_value(&self.payload.optional).unwrap_or_default();
        }
        v
    }
}

/// Verifies one `.sig` layer for `image` under `policy`: the layer is a simple-signing payload
/// naming `image` (and the `--docker-reference`, when given), and its signature annotation
/// verifies with its material under the signer policy ([`verify_layer_signature`]).
pub fn verify_signature_layer(
    trust: &Trust,
    layer: &Layer,
    image: &Digest,
    policy: &Policy,
    options: &Options,
) -> LayerVerification<VerifiedImageSignature> {
    let mut checks = Vec::new();
    let payload = match read_payload(layer, image, options, &mut checks) {
        Ok(p) => p,
        Err(why) => return LayerVerification::rejected(checks, why),
    };
    let signer = read_material(layer, SIGNATURE_TITLE, &mut checks).and_then(|material| {
        let signature = signature_annotation(&material, &mut checks)?;
        let signed = Signed::Payload {
            payload: &layer.payload,
            signature,
        };
        verify_layer_signature(trust, &material, &signed, policy, options, &mut checks)
    });
    match signer {
        Ok(LayerSigner { bundle, key }) => LayerVerification::finish(
            checks,
            VerifiedImageSignature {
                payload,
                layer_digest: layer.digest.clone(),
                bundle,
                key,
            },
        ),
        Err(why) => LayerVerification::rejected(checks, why),
    }
}

/// The layer's simple-signing payload, with the checks that it names `image` (and the
/// `--docker-reference`, when given) pushed; Err, with the one failed check pushed, when the
/// layer is not a simple-signing payload or does not parse as one.
fn read_payload(
    layer: &Layer,
    image: &Digest,
    options: &Options,
    checks: &mut Vec<Check>,
) -> Result<SimpleSigning, String> {
    if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
        checks.push(Check::fail(
            ids::COSIGN_PAYLOAD,
            "layer is a cosign simple-signing payload",
            SIMPLE_SIGNING_MEDIA_TYPE,
            layer.media_type.clone(),
        ));
        return Err("not a simple-signing layer".into());
    }
    let payload = SimpleSigning::parse(&layer.payload).map_err(|e| {
        checks.push(Check::fail(
            ids::COSIGN_PAYLOAD,
            "signed payload names this image",
            format!("a simple-signing payload for {image}"),
            e.to_string(),
        ));
        e.to_string()
    })?;
    checks.push(payload::check_payload(&payload, image));
    if let Some(r) = &options.docker_reference {
        checks.push(payload::check_docker_reference(&payload, r));
    }
    Ok(payload)
}

/// The signature annotation's bytes; its absence is a failed signature check.
fn signature_annotation<'m>(
    material: &'m Material,
    checks: &mut Vec<Check>,
) -> Result<&'m [u8], String> {
    match material.signature.as_deref() {
        Some(s) => Ok(s),
        None => {
            refuse(
                checks,
                SIGNATURE_TITLE,
                format!("a {} annotation", super::SIGNATURE),
                "none",
            );
            Err("no signature annotation".into())
        }
    }
}

pub(super) fn expected_signer(policy: &Policy) -> String {
    match policy {
        Policy::Key(k) => format!("a signature by the key {} ({})", k.name(), k.fingerprint()),
        Policy::DangerIgnoreTlog(inner) => expected_signer(inner),
        Policy::Certificate { .. } => {
            "a signature by a Fulcio certificate of the trusted root".into()
        }
    }
}

/// A keyed cosign signature over the payload bytes: SHA-256 for every key type (cosign's
/// default for ECDSA P-256/P-384 and RSA PKCS#1 v1.5), Ed25519 over the bytes.
pub(super) fn verify_with_key(
    key: &crate::bundle::PublicKey,
    payload: &[u8],
    signature: &[u8],
) -> Result<&'static str, String> {
    use sigstore_verify::crypto::{KeyAlgorithm, verify_signature};
    let alg = KeyAlgorithm::from_spki(key.der())
        .map_err(|e| format!("unsupported key {}: {e}", key.name()))?;
    let scheme = alg
        .resolve_signing_scheme(HashAlgorithm::Sha2256)
        .map_err(|e| format!("unsupported key {}: {e}", key.name()))?;
    let sig = sigstore_types::SignatureBytes::new(signature.to_vec());
    verify_signature(key.der(), payload, &sig, scheme)
        .map(|()| scheme.name())
        .map_err(|e| {
            format!(
                "the signature does not verify with the key {}: {e}",
                key.name()
            )
        })
}
