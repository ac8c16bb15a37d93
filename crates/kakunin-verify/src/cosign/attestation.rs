//! One `.att` layer verified: the DSSE envelope it holds is signed (PAE) by its material under
//! the signer policy, and its in-toto statement names the image digest as a subject.

use super::material::Material;
use super::signature::{expected_signer, verify_with_key};
use super::{Layer, LayerVerification, Options, kind_mismatch, signer, unsupported_rekor_kind};
use crate::attestation::dsse::Envelope;
use crate::attestation::policy::check_subject;
use crate::attestation::{ExpectedSubject, IN_TOTO_PAYLOAD_TYPE, Statement};
use crate::bundle::{self, Artifact, Policy, VerifiedBundle};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::trust::Trust;

/// The media type of a `.att` layer.
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

const TITLE: &str =
    "cosign attestation envelope signature: certificate chain, Rekor SET, timestamps";

/// A `.att` layer that verified for an image digest under a policy.
#[derive(Debug, Clone)]
pub struct VerifiedImageAttestation {
    statement: Statement,
    payload: Vec<u8>,
    layer_digest: Digest,
    bundle: Option<VerifiedBundle>,
    key: Option<Digest>,
}

impl VerifiedImageAttestation {
    pub fn predicate_type(&self) -> &str {
        &self.statement.predicate_type
    }
    pub fn statement(&self) -> &Statement {
        &self.statement
    }
    /// The statement's bytes, exactly as signed.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    pub fn bundle(&self) -> Option<&VerifiedBundle> {
        self.bundle.as_ref()
    }
    pub fn details(&self) -> serde_json::Value {
        let mut v = super::signer_details(self.bundle.as_ref(), self.key.as_ref());
        v["form"] = "cosign-attestation".into();
        v["layer_digest"] = self.layer_digest.to_string().into();
        v["predicate_type"] = self.statement.predicate_type.clone().into();
        v
    }
}

/// Verifies one `.att` layer for `image` under `policy`.
pub fn verify_attestation_layer(
    trust: &Trust,
    layer: &Layer,
    image: &Digest,
    policy: &Policy,
    options: &Options,
) -> LayerVerification<VerifiedImageAttestation> {
    let mut checks = Vec::new();
    let reject = |mut checks: Vec<Check>, expected: String, why: String| {
        checks.push(Check::fail(
            ids::BUNDLE_SIGNATURE,
            TITLE,
            expected,
            why.clone(),
        ));
        LayerVerification::rejected(checks, why)
    };
    if layer.media_type != DSSE_MEDIA_TYPE {
        return reject(
            checks,
            format!("a layer of media type {DSSE_MEDIA_TYPE}"),
            layer.media_type.clone(),
        );
    }
    let envelope = match Envelope::from_json(&layer.payload) {
        Ok(e) => e,
        Err(e) => return reject(checks, "a DSSE envelope".into(), e.to_string()),
    };
    if envelope.signatures.len() != 1 {
        return reject(
            checks,
            "a DSSE envelope with one signature".into(),
            format!("{} signatures", envelope.signatures.len()),
        );
    }
    let material = match Material::from_annotations(&layer.annotations) {
        Ok(m) => m,
        Err(e) => return reject(checks, "readable cosign annotations".into(), e.to_string()),
    };
    let full_policy = policy;
    let (policy, waived) = signer(full_policy, options);
    if let Some(why) = kind_mismatch(policy, &material) {
        return reject(checks, expected_signer(policy), why.into());
    }
    if let Some((check, why)) = unsupported_rekor_kind(&material, TITLE, expected_signer(policy)) {
        checks.push(check);
        return LayerVerification::rejected(checks, why);
    }
    let sig = &envelope.signatures[0];
    let (bundle, key) = match (&material.rekor, policy) {
        (None, Policy::Key(key)) => {
            if !waived {
                return reject(
                    checks,
                    format!("{}, logged in {}", expected_signer(policy), trust.name()),
                    "no transparency-log entry (dev.sigstore.cosign/bundle) for this keyed attestation; pass --insecure-ignore-tlog to accept it without one".into(),
                );
            }
            match verify_with_key(key, &envelope.pae(), &sig.sig) {
                Ok(scheme) => {
                    checks.push(Check::pass(
                        ids::BUNDLE_SIGNATURE,
                        "cosign attestation envelope signature by the key (no transparency log)",
                        expected_signer(policy),
                        format!("DSSE signature verified with the key ({scheme}); NO transparency-log entry was checked (--insecure-ignore-tlog)"),
                    ));
                    (None, Some(key.fingerprint()))
                }
                Err(e) => return reject(checks, expected_signer(policy), e),
            }
        }
        _ => {
            let b = match material.dsse_bundle(
                &envelope.payload_type,
                &envelope.payload,
                &sig.keyid,
                &sig.sig,
            ) {
                Ok(b) => b,
                Err(e) => {
                    return reject(
                        checks,
                        expected_signer(policy),
                        format!("the layer's material does not form a Sigstore bundle: {e}"),
                    );
                }
            };
            // The artifact is the image digest: sigstore-verify binds it to a statement subject.
            let pol = if material.rekor.is_some() {
                policy
            } else {
                full_policy
            };
            let v = bundle::verify(trust, &b, &Artifact::Digest(image.clone()), pol);
            checks.extend(v.checks);
            match v.result {
                Ok(vb) => (Some(vb), None),
                Err(e) => return LayerVerification::rejected(checks, e.to_string()),
            }
        }
    };
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        checks.push(Check::fail(
            ids::ATTESTATION_PAYLOAD_TYPE,
            "DSSE payloadType is in-toto",
            IN_TOTO_PAYLOAD_TYPE,
            envelope.payload_type.clone(),
        ));
        return LayerVerification::rejected(checks, "not an in-toto envelope");
    }
    let statement = match Statement::parse(&envelope.payload) {
        Ok(s) => s,
        Err(e) => {
            checks.push(e.check());
            return LayerVerification::rejected(checks, e.to_string());
        }
    };
    checks.push(check_subject(
        &statement,
        &ExpectedSubject {
            name: None,
            digests: vec![image.clone()],
        },
    ));
    if let Some(c) = checks.iter().find(|c| !c.passed()) {
        let why = format!("{}: expected {}, found {}", c.title, c.expected, c.found);
        return LayerVerification::rejected(checks, why);
    }
    LayerVerification {
        checks,
        result: Ok(VerifiedImageAttestation {
            statement,
            payload: envelope.payload,
            layer_digest: layer.digest.clone(),
            bundle,
            key,
        }),
    }
}
