//! DSSE bundles whose payload is not an in-toto statement (`text/plain`, as sigstore-js signs):
//! the artifact is the payload itself.
//!
//! sigstore-verify 0.15.1 refuses such an envelope before any check (it binds DSSE only through
//! in-toto subjects). kakunin verifies it with sigstore-verify's own machinery, as a message
//! signature over the envelope's PAE (`DSSEv1 len(type) type len(payload) payload`), which is
//! exactly what the envelope's signature signs: the certificate chain at the verified times,
//! the SCT, RFC 3161 timestamps, log inclusion (inclusion proof, checkpoint, SET), the
//! integrated time within the certificate's validity, and the signature over the PAE with the
//! certificate's (or the managed) key all run there. A Rekor v2 `hashedrekord` 0.0.2 entry
//! records the PAE's SHA-256, so sigstore-verify binds it as it does for any DSSE envelope.
//!
//! A Rekor v1 `dsse` 0.0.1 entry is the one thing sigstore-verify refuses for a message
//! signature, and it does so last, after every check above passed (its step 8, "log entry
//! consistency"): that exact refusal, and only it, hands the entries to [`bind_dsse_entries`],
//! which checks each as sigstore-verify checks a `dsse` 0.0.1 entry of an envelope (payload
//! SHA-256, the one signature, its verifier the bundle's certificate or the managed key).
//! Then the artifact must equal the payload.

use sigstore_types::bundle::MessageSignature;
use sigstore_types::{Bundle, DsseEnvelope, HashAlgorithm, KindVersion, SignatureContent};
use sigstore_verify::VerificationResult;
use sigstore_verify::rekor::body::RekorEntryBody;

use super::{Artifact, BundleError, PublicKey};
use crate::digest::{self, Digest};
use crate::trust::Trust;

/// The payload type whose envelopes bind through statement subjects (sigstore-verify's path).
pub const IN_TOTO: &str = "application/vnd.in-toto+json";

/// What sigstore-verify proved about a bundle: its [`VerificationResult`], or for an envelope
/// whose `dsse` 0.0.1 entries kakunin bound itself, the same facts read from what was proved.
#[derive(Debug, Clone)]
pub(super) struct Proven {
    pub identity: Option<sigstore_verify::SubjectAltName>,
    pub issuer: Option<String>,
    pub certificate: Option<sigstore_verify::crypto::CertificateInfo>,
    pub integrated_time: Option<jiff::Timestamp>,
    pub verified_timestamps: Vec<jiff::Timestamp>,
    pub certificate_verified: bool,
    pub sct_verified: bool,
    pub tlog_verified: bool,
}

impl From<VerificationResult> for Proven {
    fn from(r: VerificationResult) -> Proven {
        Proven {
            identity: r.identity().cloned(),
            issuer: r.issuer().map(str::to_string),
            certificate: r.certificate().cloned(),
            integrated_time: r.integrated_time(),
            verified_timestamps: r.verified_timestamps().to_vec(),
            certificate_verified: r.certificate_verified(),
            sct_verified: r.sct_verified(),
            tlog_verified: r.tlog_verified(),
        }
    }
}

/// How sigstore-verify 0.15.1 refuses a `dsse` 0.0.1 entry beside a message signature: only in
/// its last step, once the certificate, times, log inclusion and signature have verified.
fn is_last_step_dsse_refusal(e: &sigstore_verify::Error) -> bool {
    matches!(e, sigstore_verify::Error::UnsupportedBundle(m)
        if m == "Rekor entry dsse/0.0.1 is incompatible with a message signature")
}

/// How the bundle is verified: kakunin's sigstore-verify policy, the managed key if any, and
/// whether log inclusion is waived.
pub(super) struct Verifying<'a> {
    pub policy: &'a dyn sigstore_verify::Policy,
    pub key: Option<&'a PublicKey>,
    pub skip_tlog: bool,
}

/// Verifies a DSSE bundle whose payload type is not in-toto against an artifact that must be
/// its payload; the facts proved and the artifact's digest.
pub(super) fn verify(
    trust: &Trust,
    bundle: &Bundle,
    env: &DsseEnvelope,
    artifact: &Artifact<'_>,
    how: &Verifying<'_>,
) -> Result<(Proven, Option<Digest>), BundleError> {
    let mut as_message = bundle.clone();
    as_message.content =
        SignatureContent::MessageSignature(MessageSignature::new(env.signature.sig.clone()));
    let pae = env.pae();
    let proven = match trust
        .verifier()
        .verify(pae.as_slice(), &as_message, how.policy)
    {
        Ok(r) => Proven::from(r),
        Err(e) if is_last_step_dsse_refusal(&e) => {
            bind_dsse_entries(bundle, env, how.key)?;
            facts(trust, bundle, env, how)?
        }
        Err(e) => return Err(BundleError::Signature(e.to_string())),
    };
    let digest = bind_payload(env, artifact)?;
    Ok((proven, Some(digest)))
}

/// The artifact is the payload: its digest (in the artifact's algorithm when given as one) is
/// the payload's, else a failure naming both.
fn bind_payload(env: &DsseEnvelope, artifact: &Artifact<'_>) -> Result<Digest, BundleError> {
    let payload = env.payload.as_bytes();
    let found = match artifact {
        Artifact::Digest(d) => d.clone(),
        Artifact::Bytes(b) => Digest::sha256(b),
        Artifact::Path(p) => digest::sha256_file(p).map_err(|source| BundleError::Artifact {
            path: p.to_path_buf(),
            source,
        })?,
    };
    let expected = Digest::of_bytes(found.algorithm(), payload);
    if found != expected {
        return Err(BundleError::Signature(format!(
            "the artifact must be the DSSE payload ({}): expected digest {expected}, found {found} for {}",
            env.payload_type,
            artifact.describe()
        )));
    }
    Ok(found)
}

/// Each log entry checked against the envelope as sigstore-verify checks a `dsse` 0.0.1 entry:
/// the payload's SHA-256, the one signature, and its verifier (the bundle's certificate, or the
/// managed key).
fn bind_dsse_entries(
    bundle: &Bundle,
    env: &DsseEnvelope,
    key: Option<&PublicKey>,
) -> Result<(), BundleError> {
    let bad = |why: String| BundleError::Signature(format!("transparency-log entry: {why}"));
    let payload_hash = hex::encode(Digest::sha256(env.payload.as_bytes()).as_bytes());
    for entry in &bundle.verification_material.tlog_entries {
        if entry.kind_version != KindVersion::DsseV001 {
            return Err(bad(format!(
                "expected dsse 0.0.1 beside the other entries, found {}/{}",
                entry.kind_version.kind(),
                entry.kind_version.version()
            )));
        }
        let body = match RekorEntryBody::parse(&entry.canonicalized_body, entry.kind_version) {
            Ok(RekorEntryBody::DsseV001(b)) => b,
            Ok(_) => return Err(bad("the body is not a dsse 0.0.1 entry".into())),
            Err(e) => return Err(bad(format!("the body does not parse: {e}"))),
        };
        let logged = &body.spec.payload_hash;
        if logged.algorithm != HashAlgorithm::Sha2256 || logged.value.as_str() != payload_hash {
            return Err(bad(format!(
                "payload hash: expected sha256 {payload_hash}, found {} {}",
                logged.algorithm,
                logged.value.as_str()
            )));
        }
        let [sig] = body.spec.signatures.as_slice() else {
            return Err(bad(format!(
                "expected 1 signature, found {}",
                body.spec.signatures.len()
            )));
        };
        if sig.signature.as_bytes() != env.signature.sig.as_bytes() {
            return Err(bad("its signature is not the envelope's".into()));
        }
        if !verifier_matches(bundle, sig, key) {
            return Err(bad(
                "its verifier is not the bundle's certificate or the key given".into(),
            ));
        }
    }
    Ok(())
}

/// Whether a `dsse` 0.0.1 signature's verifier is the bundle's certificate, or for a managed-key
/// bundle the key (a PEM public key, or a certificate of that key).
fn verifier_matches(
    bundle: &Bundle,
    sig: &sigstore_verify::rekor::body::DsseV001Signature,
    key: Option<&PublicKey>,
) -> bool {
    if let Some(cert) = bundle.signing_certificate() {
        return sig
            .parse_certificate()
            .is_ok_and(|c| c.as_bytes() == cert.as_bytes());
    }
    let Some(key) = key else { return false };
    let logged = match sig.parse_certificate() {
        Ok(c) => sigstore_verify::crypto::parse_certificate_info(&c)
            .ok()
            .map(|i| i.public_key),
        Err(_) => std::str::from_utf8(sig.verifier.as_bytes())
            .ok()
            .and_then(|pem| sigstore_types::DerPublicKey::from_pem(pem).ok()),
    };
    logged.is_some_and(|k| k.as_bytes() == key.der().as_bytes())
}

/// The facts sigstore-verify proved before its last step refused the `dsse` 0.0.1 entries:
/// the certificate's claims (its chain and SCT were verified: kakunin's keyless policy never
/// skips the chain, and skips the SCT only for a root without CT logs), the integrated times of
/// the entries' SETs, and the RFC 3161 timestamps (read again from the tokens it verified).
fn facts(
    trust: &Trust,
    bundle: &Bundle,
    env: &DsseEnvelope,
    how: &Verifying<'_>,
) -> Result<Proven, BundleError> {
    let certificate = match bundle.signing_certificate() {
        Some(c) => Some(
            sigstore_verify::crypto::parse_certificate_info(c)
                .map_err(|e| BundleError::Signature(e.to_string()))?,
        ),
        None => None,
    };
    let keyless = certificate.is_some();
    let logged: Vec<jiff::Timestamp> = bundle
        .verification_material
        .tlog_entries
        .iter()
        .filter(|e| e.inclusion_promise.is_some())
        .filter_map(|e| e.integrated_time)
        .collect();
    let mut verified_timestamps = tsa_times(trust, bundle, env)?;
    // Keyless: every SET-verified time validated the certificate; keyed: only with the log.
    if keyless || !how.skip_tlog {
        verified_timestamps.extend(logged.iter().copied());
    }
    Ok(Proven {
        identity: certificate.as_ref().and_then(|c| c.identity.clone()),
        issuer: certificate.as_ref().and_then(|c| c.issuer.clone()),
        integrated_time: (!how.skip_tlog)
            .then(|| logged.iter().min().copied())
            .flatten(),
        verified_timestamps,
        certificate_verified: keyless,
        sct_verified: keyless && trust.has_ct_logs(),
        tlog_verified: !how.skip_tlog,
        certificate,
    })
}

/// The signing times of the bundle's RFC 3161 timestamps over the envelope's signature, each by
/// the first of the root's timestamp authorities that verifies it.
fn tsa_times(
    trust: &Trust,
    bundle: &Bundle,
    env: &DsseEnvelope,
) -> Result<Vec<jiff::Timestamp>, BundleError> {
    let tokens = &bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps;
    let authorities = trust.root().tsa_authorities();
    tokens
        .iter()
        .map(|t| {
            authorities
                .iter()
                .find_map(|a| {
                    sigstore_verify::tsa::verify_timestamp_for_authority(
                        &t.signed_timestamp,
                        &env.signature.sig,
                        a,
                    )
                    .ok()
                })
                .ok_or_else(|| {
                    BundleError::Signature("an RFC 3161 timestamp does not verify".into())
                })
        })
        .collect()
}
