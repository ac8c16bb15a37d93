//! One `.att` layer verified: the DSSE envelope it holds is signed (PAE) by its material under
//! the signer policy, and its in-toto statement names the image digest as a subject.

use super::layer_signature::{LayerSigner, Signed, read_material, refuse, verify_layer_signature};
use super::{Layer, LayerVerification, Options};
use crate::attestation::dsse::Envelope;
use crate::attestation::policy::check_subject;
use crate::attestation::{ExpectedSubject, IN_TOTO_PAYLOAD_TYPE, Statement};
use crate::bundle::{Policy, VerifiedBundle};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::trust::Trust;

/// The media type of a `.att` layer.
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

pub(super) const TITLE: &str =
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

/// Verifies one `.att` layer for `image` under `policy`: the layer is a DSSE envelope with one
/// signature that verifies with its material under the signer policy
/// ([`verify_layer_signature`]), holding an in-toto statement with `image` as a subject.
pub fn verify_attestation_layer(
    trust: &Trust,
    layer: &Layer,
    image: &Digest,
    policy: &Policy,
    options: &Options,
) -> LayerVerification<VerifiedImageAttestation> {
    let mut checks = Vec::new();
    let verified = read_envelope(layer, &mut checks).and_then(|envelope| {
        let material = read_material(layer, TITLE, &mut checks)?;
        let signed = Signed::Envelope {
            envelope: &envelope,
            image,
        };
        let signer =
            verify_layer_signature(trust, &material, &signed, policy, options, &mut checks)?;
        let statement = read_statement(&envelope, image, &mut checks)?;
        Ok((envelope, signer, statement))
    });
    match verified {
        Ok((envelope, LayerSigner { bundle, key }, statement)) => LayerVerification::finish(
            checks,
            VerifiedImageAttestation {
                statement,
                payload: envelope.payload,
                layer_digest: layer.digest.clone(),
                bundle,
                key,
            },
        ),
        Err(why) => LayerVerification::rejected(checks, why),
    }
}

/// The layer's DSSE envelope, of exactly one signature; anything else is one failed signature
/// check.
fn read_envelope(layer: &Layer, checks: &mut Vec<Check>) -> Result<Envelope, String> {
    if layer.media_type != DSSE_MEDIA_TYPE {
        return Err(refuse(
            checks,
            TITLE,
            format!("a layer of media type {DSSE_MEDIA_TYPE}"),
            layer.media_type.clone(),
        ));
    }
    let envelope = Envelope::from_json(&layer.payload)
        .map_err(|e| refuse(checks, TITLE, "a DSSE envelope", e.to_string()))?;
    if envelope.signatures.len() != 1 {
        return Err(refuse(
            checks,
            TITLE,
            "a DSSE envelope with one signature",
            format!("{} signatures", envelope.signatures.len()),
        ));
    }
    Ok(envelope)
}

/// The envelope's in-toto statement, with the check that it names `image` as a subject pushed;
/// Err, with its failed check pushed, for another payload type or a statement that does not
/// parse.
fn read_statement(
    envelope: &Envelope,
    image: &Digest,
    checks: &mut Vec<Check>,
) -> Result<Statement, String> {
    if envelope.payload_type != IN_TOTO_PAYLOAD_TYPE {
        checks.push(Check::fail(
            ids::ATTESTATION_PAYLOAD_TYPE,
            "DSSE payloadType is in-toto",
            IN_TOTO_PAYLOAD_TYPE,
            envelope.payload_type.clone(),
        ));
        return Err("not an in-toto envelope".into());
    }
    let statement = Statement::parse(&envelope.payload).map_err(|e| {
        checks.push(e.check());
        e.to_string()
    })?;
    checks.push(check_subject(
        &statement,
        &ExpectedSubject {
            name: None,
            digests: vec![image.clone()],
        },
    ));
    Ok(statement)
}
