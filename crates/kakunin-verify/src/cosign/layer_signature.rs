//! The steps a `.sig` and a `.att` layer share once their payload is read: the material from
//! the annotations, the material against the signer policy, and the signature itself (a keyed
//! one without a log entry by the key alone, only with the log waived; anything else as a
//! Sigstore bundle through [`crate::bundle::verify`]).
//!
//! Guarantees: each step that refuses pushes one failed (or, for a Rekor entry kind that
//! cannot be checked, not-run) `bundle.signature` check naming what was expected and found, and
//! returns the reason; a [`LayerSigner`] is returned only when the signature verified.

use super::material::Material;
use super::signature::{expected_signer, verify_with_key};
use super::{Layer, LayerVerification, Options, kind_mismatch, signer, unsupported_rekor_kind};
use crate::attestation::dsse::Envelope;
use crate::bundle::{self, Artifact, Policy, PublicKey, VerifiedBundle};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::trust::Trust;

/// What a layer's signature is over.
pub(super) enum Signed<'a> {
    /// A simple-signing payload (`.sig`): signed as a message, the artifact is its bytes.
    Payload {
        payload: &'a [u8],
        signature: &'a [u8],
    },
    /// A DSSE envelope (`.att`, one signature): signed over its PAE, the artifact is the image
    /// digest, which sigstore-verify binds to a statement subject.
    Envelope {
        envelope: &'a Envelope,
        image: &'a Digest,
    },
}

impl Signed<'_> {
    /// The title of the layer's signature check.
    pub(super) fn title(&self) -> &'static str {
        match self {
            Signed::Payload { .. } => super::signature::SIGNATURE_TITLE,
            Signed::Envelope { .. } => super::attestation::TITLE,
        }
    }

    fn keyed_title(&self) -> &'static str {
        match self {
            Signed::Payload { .. } => {
                "cosign signature over the payload by the key (no transparency log)"
            }
            Signed::Envelope { .. } => {
                "cosign attestation envelope signature by the key (no transparency log)"
            }
        }
    }

    /// What the reasons call the layer, and what verified in a keyed check.
    fn names(&self) -> (&'static str, &'static str) {
        match self {
            Signed::Payload { .. } => ("signature", "signature"),
            Signed::Envelope { .. } => ("attestation", "DSSE signature"),
        }
    }

    /// The signature by a managed key over what it signs (the payload, or the PAE).
    fn verify_with_key(&self, key: &PublicKey) -> Result<&'static str, String> {
        match self {
            Signed::Payload { payload, signature } => verify_with_key(key, payload, signature),
            Signed::Envelope { envelope, .. } => {
                verify_with_key(key, &envelope.pae(), &envelope.signatures[0].sig)
            }
        }
    }

    /// The layer's material and what it signs, as one Sigstore bundle.
    fn bundle(&self, material: &Material) -> Result<sigstore_types::Bundle, String> {
        match self {
            Signed::Payload { payload, .. } => material.message_bundle(payload),
            Signed::Envelope { envelope, .. } => {
                let sig = &envelope.signatures[0];
                material.dsse_bundle(
                    &envelope.payload_type,
                    &envelope.payload,
                    &sig.keyid,
                    &sig.sig,
                )
            }
        }
    }

    fn artifact(&self) -> Artifact<'_> {
        match self {
            Signed::Payload { payload, .. } => Artifact::Bytes(payload),
            Signed::Envelope { image, .. } => Artifact::Digest((*image).clone()),
        }
    }
}

/// Who a verified layer signature is by: the bundle sigstore-verify accepted (keyless, or keyed
/// with a log entry), or, for a keyed signature accepted without a log entry, the key.
pub(super) struct LayerSigner {
    pub bundle: Option<VerifiedBundle>,
    pub key: Option<Digest>,
}

/// One failed `bundle.signature` check under `title`, pushed, and its reason returned.
pub(super) fn refuse(
    checks: &mut Vec<Check>,
    title: &str,
    expected: impl Into<String>,
    why: impl Into<String>,
) -> String {
    let why = why.into();
    checks.push(Check::fail(
        ids::BUNDLE_SIGNATURE,
        title,
        expected,
        why.clone(),
    ));
    why
}

/// The layer's material, read from its annotations; unreadable annotations are a failed check
/// under `title` ("readable cosign annotations" expected).
pub(super) fn read_material(
    layer: &Layer,
    title: &str,
    checks: &mut Vec<Check>,
) -> Result<Material, String> {
    Material::from_annotations(&layer.annotations)
        .map_err(|e| refuse(checks, title, "readable cosign annotations", e.to_string()))
}

/// Verifies the signature of a layer whose material is `material` under `policy`: the
/// material's kind fits the policy's (a key, or a certificate), its Rekor entry (if any) is of a
/// kind that can be checked, and then either, keyed without a log entry, the log is waived and
/// the key verifies the signature (the check says no log entry was checked), or the material as
/// a Sigstore bundle passes [`crate::bundle::verify`] over the signed artifact. The checks are
/// pushed onto `checks`; Err is the reason of the first refusal.
pub(super) fn verify_layer_signature(
    trust: &Trust,
    material: &Material,
    signed: &Signed<'_>,
    policy: &Policy,
    options: &Options,
    checks: &mut Vec<Check>,
) -> Result<LayerSigner, String> {
    let (signer_policy, waived) = signer(policy, options);
    fits_policy(material, signed, signer_policy, checks)?;
    match (&material.rekor, signer_policy) {
        (None, Policy::Key(key)) => {
            verify_keyed_without_log(trust, material, signed, key, signer_policy, waived, checks)
        }
        // With a SET, it is always verified; the waiver only matters without one.
        (Some(_), _) => verify_as_bundle(trust, material, signed, signer_policy, checks),
        (None, _) => verify_as_bundle(trust, material, signed, policy, checks),
    }
}

/// Ok when the material is of the policy's kind (a certificate for a certificate policy, none
/// for a key) and its Rekor entry, if any, is of a kind sigstore-verify checks; otherwise the
/// check saying which (failed for the kind, not run for the Rekor entry).
fn fits_policy(
    material: &Material,
    signed: &Signed<'_>,
    policy: &Policy,
    checks: &mut Vec<Check>,
) -> Result<(), String> {
    let title = signed.title();
    if let Some(why) = kind_mismatch(policy, material, "the layer") {
        return Err(refuse(checks, title, expected_signer(policy), why));
    }
    if let Some((check, why)) = unsupported_rekor_kind(material, title, expected_signer(policy)) {
        checks.push(check);
        return Err(why);
    }
    Ok(())
}

/// A keyed signature with no log entry: refused unless the log is waived; then Ok only if the
/// key verifies the signature, and the passing check says that no transparency-log entry (nor
/// an RFC 3161 timestamp annotation, when there is one) was checked.
fn verify_keyed_without_log(
    trust: &Trust,
    material: &Material,
    signed: &Signed<'_>,
    key: &PublicKey,
    policy: &Policy,
    waived: bool,
    checks: &mut Vec<Check>,
) -> Result<LayerSigner, String> {
    let (noun, what) = signed.names();
    if !waived {
        return Err(refuse(
            checks,
            signed.title(),
            format!("{}, logged in {}", expected_signer(policy), trust.name()),
            format!(
                "no transparency-log entry (dev.sigstore.cosign/bundle) for this keyed {noun}; pass --insecure-ignore-tlog to accept it without one"
            ),
        ));
    }
    let scheme = signed
        .verify_with_key(key)
        .map_err(|e| refuse(checks, signed.keyed_title(), expected_signer(policy), e))?;
    let mut found = format!(
        "{what} verified with the key ({scheme}); NO transparency-log entry was checked (--insecure-ignore-tlog)"
    );
    if material.timestamp.is_some() {
        found.push_str("; the RFC 3161 timestamp annotation was not checked");
    }
    checks.push(Check::pass(
        ids::BUNDLE_SIGNATURE,
        signed.keyed_title(),
        expected_signer(policy),
        found,
    ));
    Ok(LayerSigner {
        bundle: None,
        key: Some(key.fingerprint()),
    })
}

/// The material and what it signs as one Sigstore bundle, verified by [`crate::bundle::verify`]
/// over the signed artifact under `policy`; its checks are pushed, Ok only when it verified.
fn verify_as_bundle(
    trust: &Trust,
    material: &Material,
    signed: &Signed<'_>,
    policy: &Policy,
    checks: &mut Vec<Check>,
) -> Result<LayerSigner, String> {
    let b = signed.bundle(material).map_err(|e| {
        refuse(
            checks,
            signed.title(),
            expected_signer(policy),
            format!("the layer's material does not form a Sigstore bundle: {e}"),
        )
    })?;
    let v = bundle::verify(trust, &b, &signed.artifact(), policy);
    checks.extend(v.checks);
    match v.result {
        Ok(vb) => Ok(LayerSigner {
            bundle: Some(vb),
            key: None,
        }),
        Err(e) => Err(e.to_string()),
    }
}

impl<T> LayerVerification<T> {
    /// The layer's verdict once every step ran: rejected with the first failed check's title,
    /// expected and found when any check did not pass, else `value`.
    pub(super) fn finish(checks: Vec<Check>, value: T) -> LayerVerification<T> {
        if let Some(c) = checks.iter().find(|c| !c.passed()) {
            let why = format!("{}: expected {}, found {}", c.title, c.expected, c.found);
            return LayerVerification::rejected(checks, why);
        }
        LayerVerification {
            checks,
            result: Ok(value),
        }
    }
}
