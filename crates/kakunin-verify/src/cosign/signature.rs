//! One `.sig` layer verified: the simple-signing payload names the image, and the signature
//! over the payload's exact bytes verifies with its material under the signer policy.

use sigstore_types::HashAlgorithm;

use super::material::Material;
use super::payload::{self, SIMPLE_SIGNING_MEDIA_TYPE, SimpleSigning};
use super::{Layer, LayerVerification, Options, kind_mismatch, signer, unsupported_rekor_kind};
use crate::bundle::{self, Artifact, Policy, VerifiedBundle};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::trust::Trust;

const SIGNATURE_TITLE: &str =
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

/// Verifies one `.sig` layer for `image` under `policy`.
pub fn verify_signature_layer(
    trust: &Trust,
    layer: &Layer,
    image: &Digest,
    policy: &Policy,
    options: &Options,
) -> LayerVerification<VerifiedImageSignature> {
    let mut checks = Vec::new();
    if layer.media_type != SIMPLE_SIGNING_MEDIA_TYPE {
        let c = Check::fail(
            ids::COSIGN_PAYLOAD,
            "layer is a cosign simple-signing payload",
            SIMPLE_SIGNING_MEDIA_TYPE,
            layer.media_type.clone(),
        );
        return LayerVerification::rejected(vec![c], "not a simple-signing layer");
    }
    let payload = match SimpleSigning::parse(&layer.payload) {
        Ok(p) => p,
        Err(e) => {
            let c = Check::fail(
                ids::COSIGN_PAYLOAD,
                "signed payload names this image",
                format!("a simple-signing payload for {image}"),
                e.to_string(),
            );
            return LayerVerification::rejected(vec![c], e.to_string());
        }
    };
    checks.push(payload::check_payload(&payload, image));
    if let Some(r) = &options.docker_reference {
        checks.push(payload::check_docker_reference(&payload, r));
    }
    let material = match Material::from_annotations(&layer.annotations) {
        Ok(m) => m,
        Err(e) => {
            checks.push(Check::fail(
                ids::BUNDLE_SIGNATURE,
                SIGNATURE_TITLE,
                "readable cosign annotations",
                e.to_string(),
            ));
            return LayerVerification::rejected(checks, e.to_string());
        }
    };
    let Some(signature) = material.signature.clone() else {
        checks.push(Check::fail(
            ids::BUNDLE_SIGNATURE,
            SIGNATURE_TITLE,
            format!("a {} annotation", super::SIGNATURE),
            "none",
        ));
        return LayerVerification::rejected(checks, "no signature annotation");
    };
    let full_policy = policy;
    let (policy, waived) = signer(full_policy, options);
    if let Some(why) = kind_mismatch(policy, &material) {
        checks.push(Check::fail(
            ids::BUNDLE_SIGNATURE,
            SIGNATURE_TITLE,
            expected_signer(policy),
            why,
        ));
        return LayerVerification::rejected(checks, why);
    }
    if let Some((check, why)) =
        unsupported_rekor_kind(&material, SIGNATURE_TITLE, expected_signer(policy))
    {
        checks.push(check);
        return LayerVerification::rejected(checks, why);
    }
    let (bundle, key) = match (&material.rekor, policy) {
        (None, Policy::Key(key)) => {
            if !waived {
                let why = "no transparency-log entry (dev.sigstore.cosign/bundle) for this keyed signature; pass --insecure-ignore-tlog to accept it without one";
                checks.push(Check::fail(
                    ids::BUNDLE_SIGNATURE,
                    SIGNATURE_TITLE,
                    format!("{}, logged in {}", expected_signer(policy), trust.name()),
                    why,
                ));
                return LayerVerification::rejected(checks, why);
            }
            match verify_with_key(key, &layer.payload, &signature) {
                Ok(scheme) => {
                    let mut found = format!(
                        "signature verified with the key ({scheme}); NO transparency-log entry was checked (--insecure-ignore-tlog)"
                    );
                    if material.timestamp.is_some() {
                        found.push_str("; the RFC 3161 timestamp annotation was not checked");
                    }
                    checks.push(Check::pass(
                        ids::BUNDLE_SIGNATURE,
                        "cosign signature over the payload by the key (no transparency log)",
                        expected_signer(policy),
                        found,
                    ));
                    (None, Some(key.fingerprint()))
                }
                Err(e) => {
                    checks.push(Check::fail(
                        ids::BUNDLE_SIGNATURE,
                        "cosign signature over the payload by the key (no transparency log)",
                        expected_signer(policy),
                        e.clone(),
                    ));
                    return LayerVerification::rejected(checks, e);
                }
            }
        }
        _ => {
            let b = match material.message_bundle(&layer.payload) {
                Ok(b) => b,
                Err(e) => {
                    let why = format!("the layer's material does not form a Sigstore bundle: {e}");
                    checks.push(Check::fail(
                        ids::BUNDLE_SIGNATURE,
                        SIGNATURE_TITLE,
                        expected_signer(policy),
                        why.clone(),
                    ));
                    return LayerVerification::rejected(checks, why);
                }
            };
            // With a SET, it is always verified; the waiver only matters without one.
            let pol = if material.rekor.is_some() {
                policy
            } else {
                full_policy
            };
            let v = bundle::verify(trust, &b, &Artifact::Bytes(&layer.payload), pol);
            checks.extend(v.checks);
            match v.result {
                Ok(vb) => (Some(vb), None),
                Err(e) => return LayerVerification::rejected(checks, e.to_string()),
            }
        }
    };
    if let Some(c) = checks.iter().find(|c| !c.passed()) {
        let why = format!("{}: expected {}, found {}", c.title, c.expected, c.found);
        return LayerVerification::rejected(checks, why);
    }
    LayerVerification {
        checks,
        result: Ok(VerifiedImageSignature {
            payload,
            layer_digest: layer.digest.clone(),
            bundle,
            key,
        }),
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
