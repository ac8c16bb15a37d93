//! Sigstore bundles: reading them (bounded), verifying them offline, and deciding whether the
//! signer is the one the user expects.
//!
//! Guarantees: a [`VerifiedBundle`] exists only when sigstore-verify accepted the bundle against
//! a [`Trust`] root for the given artifact (certificate chain and validity at a verified time,
//! SCT, transparency-log inclusion or RFC 3161 timestamps, the signature, the binding of the
//! artifact's digest) **and** every element of kakunin's [`Policy`] held (identity, issuer,
//! GitHub claims, or the managed key). A DSSE envelope that is not in-toto (`text/plain`) is
//! bound to an artifact equal to its payload; sigstore-verify checks it as a message signature
//! over the envelope's PAE, and a Rekor v1 `dsse` 0.0.1 entry, the one part it refuses there,
//! is bound by kakunin to the payload, signature and certificate or key (`plain.rs`). Artifacts given as files are hashed in streaming, never
//! read whole into memory (except for an Ed25519 message signature, whose scheme needs the
//! message itself; that is capped). Every policy element is reported as its own [`Check`], and
//! a failing one never hides the others.

pub mod danger;
mod parse;
mod plain;
mod policy;

use std::path::{Path, PathBuf};

use sigstore_types::bundle::VerificationMaterialContent;
use sigstore_types::{ArtifactDigest, Bundle, HashAlgorithm, SignatureContent};
use sigstore_verify::{PublicKeyVerificationPolicy, VerificationPolicy, VerificationResult};

use plain::Proven;

use crate::check::{Check, ids};
use crate::digest::{self, Algorithm, Digest};
use crate::limits;
use crate::trust::Trust;

pub use parse::{LoadedBundle, is_jsonl, parse_bundle, read_bundle_file};
pub use policy::{
    CertificateClaims, DeprecatedGitHubClaims, GitHubClaims, Identity, Issuer, RegexError,
    repository_uri,
};

/// The largest artifact kakunin reads into memory, for the one signature scheme (Ed25519 over a
/// message) that cannot be verified from a digest.
pub const MAX_IN_MEMORY_ARTIFACT: u64 = 256 * 1024 * 1024;

/// Why a bundle did not verify, or could not be read. Messages name what was expected and what
/// was found.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read bundle {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("not a valid Sigstore bundle: {reason}")]
    Parse { reason: String },
    #[error("{path} has more than {max} bundles")]
    TooManyLines { path: PathBuf, max: usize },
    #[error("cannot read artifact {path}: {source}")]
    Artifact {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read public key {path}: {reason}")]
    Key { path: PathBuf, reason: String },
    #[error("signature verification failed: {0}")]
    Signature(String),
    #[error("certificate identity: expected {expected}, found {found}")]
    Identity { expected: String, found: String },
    #[error("certificate OIDC issuer: expected {expected}, found {found}")]
    Issuer { expected: String, found: String },
    #[error("certificate claim {claim}: expected {expected}, found {found}")]
    Claim {
        claim: String,
        expected: String,
        found: String,
    },
    /// The signing certificate's key is of an algorithm sigstore-verify cannot verify with: an
    /// input kakunin cannot check (exit 2), never a bad signature.
    #[error(
        "unsupported algorithm {name} in the signing certificate ({reason}): kakunin verifies {} keys",
        crate::cosign::SUPPORTED_KEYS
    )]
    UnsupportedAlgorithm { name: String, reason: String },
    /// A message signature whose `hashedrekord` 0.0.1 log entry records a hash sigstore-verify
    /// cannot bind to the artifact (SHA-384, SHA-512): an input kakunin cannot check (exit 2).
    #[error("unsupported algorithm {name}: {reason}")]
    UnsupportedLogHash { name: String, reason: String },
    #[error("no bundle in {path} verified: {}", summary(.failures))]
    NoneVerified {
        path: PathBuf,
        failures: Vec<(usize, String)>,
    },
}

fn summary(failures: &[(usize, String)]) -> String {
    failures
        .iter()
        .map(|(line, e)| format!("line {line}: {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl BundleError {
    /// Whether this is an input error (a file that could not be read: exit 2) rather than a
    /// verification failure (exit 1). A file that was read but is not a valid bundle is a
    /// verification failure: the evidence offered does not verify.
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            BundleError::Read { .. }
                | BundleError::Artifact { .. }
                | BundleError::Key { .. }
                | BundleError::UnsupportedAlgorithm { .. }
                | BundleError::UnsupportedLogHash { .. }
        )
    }
}

/// The artifact a bundle must be bound to.
#[derive(Debug, Clone)]
pub enum Artifact<'a> {
    /// A file, hashed in streaming.
    Path(&'a Path),
    /// A digest (`sha256:` or `sha512:`), as the conformance protocol allows.
    Digest(Digest),
    /// Bytes already in memory.
    Bytes(&'a [u8]),
}

impl Artifact<'_> {
    /// What the report calls the artifact.
    pub fn describe(&self) -> String {
        match self {
            Artifact::Path(p) => p.display().to_string(),
            Artifact::Digest(d) => d.to_string(),
            Artifact::Bytes(b) => format!("{} bytes in memory", b.len()),
        }
    }
}

/// A managed public key (`--key`).
#[derive(Debug, Clone)]
pub struct PublicKey {
    der: sigstore_types::DerPublicKey,
    name: String,
}

impl PublicKey {
    /// Parses a PEM public key (SubjectPublicKeyInfo); `name` is what reports call it.
    pub fn from_pem(pem: &str, name: impl Into<String>) -> Result<PublicKey, String> {
        let der = sigstore_types::DerPublicKey::from_pem(pem).map_err(|e| e.to_string())?;
        Ok(PublicKey {
            der,
            name: name.into(),
        })
    }

    /// Reads a PEM public key file (bounded).
    pub fn from_file(path: &Path) -> Result<PublicKey, BundleError> {
        let key_err = |reason: String| BundleError::Key {
            path: path.to_path_buf(),
            reason,
        };
        let bytes =
            limits::read_file_capped(path, 1024 * 1024).map_err(|e| key_err(e.to_string()))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| key_err("not UTF-8 PEM".into()))?;
        PublicKey::from_pem(text, path.display().to_string()).map_err(key_err)
    }

    /// The key's DER SubjectPublicKeyInfo.
    pub fn der(&self) -> &sigstore_types::DerPublicKey {
        &self.der
    }

    /// What reports call the key (its file name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The SHA-256 of the key's DER SubjectPublicKeyInfo.
    pub fn fingerprint(&self) -> Digest {
        Digest::sha256(self.der.as_bytes())
    }
}

/// Who must have signed.
// Built once per command and passed by reference: its size does not matter, and boxing the
// claims would only make every construction and match noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Policy {
    /// A Fulcio certificate with this identity and issuer (and GitHub claims, if any).
    Certificate {
        identity: Identity,
        issuer: Issuer,
        github: GitHubClaims,
    },
    /// A managed key.
    Key(PublicKey),
    /// DANGER (`--insecure-ignore-tlog`, cosign's name): the inner policy, with transparency-log
    /// inclusion NOT required. A bundle with no log entry (`publish --tlog-upload=false`) is
    /// accepted on its signature and its RFC 3161 timestamp alone: nothing proves the signature
    /// was ever made public, and a stolen key's signatures go unnoticed. The signature check's
    /// report says so in its own text. Built only by [`Policy::danger_ignore_tlog`], which
    /// takes the named choice [`danger::IgnoreTlog`].
    DangerIgnoreTlog(Box<Policy>),
}

impl Policy {
    /// DANGER: this policy without the transparency-log requirement (see
    /// [`Policy::DangerIgnoreTlog`]); the caller names the choice, [`danger::IgnoreTlog`].
    pub fn danger_ignore_tlog(self, _: danger::IgnoreTlog) -> Policy {
        match self {
            p @ Policy::DangerIgnoreTlog(_) => p,
            p => Policy::DangerIgnoreTlog(Box::new(p)),
        }
    }

    /// Whether this policy waives the transparency log (`--insecure-ignore-tlog`).
    pub fn ignores_tlog(&self) -> bool {
        matches!(self, Policy::DangerIgnoreTlog(_))
    }

    /// The signer policy, and whether the log is waived.
    fn signer(&self) -> (&Policy, bool) {
        match self {
            Policy::DangerIgnoreTlog(inner) => (inner.signer().0, true),
            p => (p, false),
        }
    }

    /// A certificate policy with an exact identity and issuer and no GitHub claims.
    pub fn identity(identity: impl Into<String>, issuer: impl Into<String>) -> Policy {
        Policy::Certificate {
            identity: Identity::exact(identity),
            issuer: Issuer::exact(issuer),
            github: GitHubClaims::default(),
        }
    }
}

/// What was signed: a message signature over the artifact, or a DSSE envelope whose statement
/// names the artifact as a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedContent {
    MessageSignature,
    Dsse(Envelope),
}

/// A DSSE envelope whose signature has been verified (its payload is authentic; what it says
/// is for the attestation module to check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    payload_type: String,
    payload: Vec<u8>,
    signatures: Vec<EnvelopeSignature>,
}

/// One signature of a DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvelopeSignature {
    pub keyid: String,
    pub sig: Vec<u8>,
}

impl Envelope {
    pub fn payload_type(&self) -> &str {
        &self.payload_type
    }
    /// The payload bytes (base64-decoded), exactly as signed.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    pub fn signatures(&self) -> &[EnvelopeSignature] {
        &self.signatures
    }
}

/// A point in time authenticated during verification.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Time {
    pub unix_seconds: i64,
    pub rfc3339: String,
}

impl Time {
    fn from_jiff(t: impl std::fmt::Display + Copy, seconds: i64) -> Time {
        Time {
            unix_seconds: seconds,
            rfc3339: t.to_string(),
        }
    }
}

/// A bundle that verified against a trusted root, for an artifact, under a policy.
/// Only [`verify`] builds one.
#[derive(Debug, Clone)]
pub struct VerifiedBundle {
    identity: Option<String>,
    issuer: Option<String>,
    claims: CertificateClaims,
    key: Option<Digest>,
    log_indexes: Vec<u64>,
    integrated_time: Option<Time>,
    verified_times: Vec<Time>,
    artifact_digest: Option<Digest>,
    content: SignedContent,
    trust: String,
    line: Option<usize>,
    /// Verified under `--insecure-ignore-tlog` (log inclusion not checked).
    tlog_ignored: bool,
}

impl VerifiedBundle {
    /// Whether it was verified with the transparency log waived (`--insecure-ignore-tlog`):
    /// log inclusion was not checked.
    pub fn tlog_ignored(&self) -> bool {
        self.tlog_ignored
    }
    /// The certificate's SAN (None for a managed-key bundle).
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }
    /// The certificate's OIDC issuer extension, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }
    /// The certificate's Fulcio claims (empty for a managed-key bundle).
    pub fn claims(&self) -> &CertificateClaims {
        &self.claims
    }
    /// The SHA-256 fingerprint of the managed key that verified (None for a certificate).
    pub fn key_fingerprint(&self) -> Option<&Digest> {
        self.key.as_ref()
    }
    /// Transparency-log indexes of the bundle's entries (verified unless the root has no log).
    pub fn log_indexes(&self) -> &[u64] {
        &self.log_indexes
    }
    /// The authenticated Rekor v1 integrated time, if any.
    pub fn integrated_time(&self) -> Option<&Time> {
        self.integrated_time.as_ref()
    }
    /// Every authenticated signing time (RFC 3161 timestamps and integrated times).
    pub fn verified_times(&self) -> &[Time] {
        &self.verified_times
    }
    /// The digest of the artifact the signature is bound to. For a DSSE bundle this is the
    /// digest that matched a statement subject. `None` only for a message signature without
    /// a `messageDigest` verified from bytes in memory.
    pub fn artifact_digest(&self) -> Option<&Digest> {
        self.artifact_digest.as_ref()
    }
    /// What was signed.
    pub fn content(&self) -> &SignedContent {
        &self.content
    }
    /// The DSSE envelope, for a DSSE bundle.
    pub fn envelope(&self) -> Option<&Envelope> {
        match &self.content {
            SignedContent::Dsse(e) => Some(e),
            SignedContent::MessageSignature => None,
        }
    }
    /// Which trusted root verified it.
    pub fn trust(&self) -> &str {
        &self.trust
    }
    /// The 1-based line of the `.jsonl` file it came from, if it came from one.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// Facts for a report's `details`.
    pub fn details(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "trusted_root": self.trust,
            "content": match self.content { SignedContent::MessageSignature => "message-signature", SignedContent::Dsse(_) => "dsse" },
            "log_indexes": self.log_indexes,
            "verified_times": self.verified_times,
        });
        let o = v.as_object_mut().expect("object");
        if let Some(i) = &self.identity {
            o.insert("identity".into(), i.clone().into());
        }
        if let Some(i) = &self.issuer {
            o.insert("issuer".into(), i.clone().into());
        }
        if let Some(k) = &self.key {
            o.insert("key_sha256".into(), k.to_string().into());
        }
        if let Some(t) = &self.integrated_time {
            o.insert("integrated_time".into(), t.rfc3339.clone().into());
        }
        if let Some(d) = &self.artifact_digest {
            o.insert("artifact_digest".into(), d.to_string().into());
        }
        if let Some(e) = self.envelope() {
            o.insert("payload_type".into(), e.payload_type.clone().into());
        }
        if let Some(line) = self.line {
            o.insert("jsonl_line".into(), line.into());
        }
        if self.tlog_ignored {
            o.insert("insecure_ignore_tlog".into(), true.into());
        }
        if self.claims != CertificateClaims::default() {
            o.insert(
                "certificate_claims".into(),
                serde_json::to_value(&self.claims).unwrap_or_default(),
            );
        }
        v
    }
}

/// The outcome of verifying one bundle: every check, and the verified bundle or the first
/// reason it was rejected.
#[derive(Debug)]
pub struct Verification {
    pub checks: Vec<Check>,
    pub result: Result<VerifiedBundle, BundleError>,
}

impl Verification {
    /// Whether the bundle verified.
    pub fn verified(&self) -> bool {
        self.result.is_ok()
    }
}

const SIGNATURE_TITLE: &str = "bundle signature, certificate chain, log and timestamps";

/// Verifies one parsed bundle for an artifact under a policy. Never panics on input; returns a
/// check for the signature and one for each policy element.
pub fn verify(
    trust: &Trust,
    bundle: &Bundle,
    artifact: &Artifact<'_>,
    policy: &Policy,
) -> Verification {
    let (policy, ignore_tlog) = policy.signer();
    let crypto = run_crypto(trust, bundle, artifact, policy, ignore_tlog);
    let expected_sig = expected_signature(trust, artifact, policy, ignore_tlog);
    let (result, bound) = match crypto {
        Ok(ok) => ok,
        Err(e) => return refused(bundle, policy, expected_sig, e),
    };
    let mut checks = vec![Check::pass(
        ids::BUNDLE_SIGNATURE,
        SIGNATURE_TITLE,
        expected_sig,
        signature_found(trust, &result, bundle, ignore_tlog),
    )];
    let signer = match signer_checks(policy, &result, &mut checks) {
        Ok(s) => s,
        Err(e) => {
            return Verification {
                checks,
                result: Err(e),
            };
        }
    };
    let verified = verified_bundle(trust, bundle, &result, signer, bound, ignore_tlog);
    Verification {
        checks,
        result: Ok(verified),
    }
}

/// What the signature check expects: a valid signature by a certificate of the root, or by
/// the key (logged), and the log waiver when there is one.
fn expected_signature(
    trust: &Trust,
    artifact: &Artifact<'_>,
    policy: &Policy,
    ignore_tlog: bool,
) -> String {
    let expected = match policy {
        Policy::Certificate { .. } => format!(
            "a valid signature over {} by a certificate from {}",
            artifact.describe(),
            trust.name()
        ),
        Policy::Key(key) => format!(
            "a valid signature over {} by the key {} ({}), logged per {}",
            artifact.describe(),
            key.name,
            key.fingerprint(),
            trust.name()
        ),
        Policy::DangerIgnoreTlog(_) => unreachable!("signer() unwraps the log waiver"),
    };
    if ignore_tlog {
        format!(
            "{expected}; DANGER --insecure-ignore-tlog: transparency-log inclusion not required"
        )
    } else {
        expected
    }
}

/// The verification of a bundle whose signature was refused: the failed signature check, and
/// the policy elements read from the unverified certificate if it parses (so one failure does
/// not hide the others), none of them shown as passed.
fn refused(bundle: &Bundle, policy: &Policy, expected_sig: String, e: BundleError) -> Verification {
    let mut checks = vec![Check::fail(
        ids::BUNDLE_SIGNATURE,
        SIGNATURE_TITLE,
        expected_sig,
        e.to_string(),
    )];
    if let Policy::Certificate {
        identity,
        issuer,
        github,
    } = policy
    {
        let info = bundle
            .signing_certificate()
            .and_then(|c| sigstore_verify::crypto::parse_certificate_info(c).ok());
        let san = info
            .as_ref()
            .and_then(|i| i.identity.as_ref())
            .map(|s| s.as_str().to_string());
        let iss = info.as_ref().and_then(|i| i.issuer.clone());
        let claims = info
            .as_ref()
            .map(CertificateClaims::from_certificate)
            .unwrap_or_default();
        checks.push(unverified(policy::identity_check(identity, san.as_deref())));
        checks.push(unverified(policy::issuer_check(issuer, iss.as_deref())));
        let compared = policy::compare_github_claims(github, &claims);
        checks.extend(policy::github_check(&compared).map(unverified));
    }
    Verification {
        checks,
        result: Err(e),
    }
}

/// Who signed a verified bundle: the certificate's SAN, issuer and claims, or the key's
/// fingerprint.
struct SignerFacts {
    identity: Option<String>,
    issuer: Option<String>,
    claims: CertificateClaims,
    key: Option<Digest>,
}

/// The policy's checks of a verified signer (identity, issuer, GitHub claims; none for a key),
/// pushed onto `checks`; the signer's facts, or the first element that failed.
fn signer_checks(
    policy: &Policy,
    result: &Proven,
    checks: &mut Vec<Check>,
) -> Result<SignerFacts, BundleError> {
    let (identity, issuer, github) = match policy {
        Policy::Certificate {
            identity,
            issuer,
            github,
        } => (identity, issuer, github),
        Policy::Key(key) => {
            return Ok(SignerFacts {
                identity: None,
                issuer: None,
                claims: CertificateClaims::default(),
                key: Some(key.fingerprint()),
            });
        }
        Policy::DangerIgnoreTlog(_) => unreachable!("signer() unwraps the log waiver"),
    };
    let mut first_error: Option<BundleError> = None;
    let san = result.identity.as_ref().map(|s| s.as_str().to_string());
    let iss = result.issuer.clone();
    let claims = result
        .certificate
        .as_ref()
        .map(CertificateClaims::from_certificate)
        .unwrap_or_default();
    let id_check = policy::identity_check(identity, san.as_deref());
    if !id_check.passed() {
        first_error.get_or_insert(BundleError::Identity {
            expected: id_check.expected.clone(),
            found: id_check.found.clone(),
        });
    }
    checks.push(id_check);
    let iss_check = policy::issuer_check(issuer, iss.as_deref());
    if !iss_check.passed() {
        first_error.get_or_insert(BundleError::Issuer {
            expected: iss_check.expected.clone(),
            found: iss_check.found.clone(),
        });
    }
    checks.push(iss_check);
    let compared = policy::compare_github_claims(github, &claims);
    if let Some(c) = compared.iter().find(|c| !c.ok) {
        first_error.get_or_insert(BundleError::Claim {
            claim: c.name.to_string(),
            expected: c.expected.clone(),
            found: c.found.clone(),
        });
    }
    checks.extend(policy::github_check(&compared));
    match first_error {
        Some(e) => Err(e),
        None => Ok(SignerFacts {
            identity: san,
            issuer: iss,
            claims,
            key: None,
        }),
    }
}

/// The [`VerifiedBundle`] of a bundle whose signature and signer verified.
fn verified_bundle(
    trust: &Trust,
    bundle: &Bundle,
    result: &Proven,
    signer: SignerFacts,
    bound: Option<Digest>,
    ignore_tlog: bool,
) -> VerifiedBundle {
    let content = match &bundle.content {
        SignatureContent::DsseEnvelope(env) => SignedContent::Dsse(Envelope {
            payload_type: env.payload_type.clone(),
            payload: env.payload.as_bytes().to_vec(),
            signatures: vec![EnvelopeSignature {
                keyid: env.signature.keyid.as_str().to_string(),
                sig: env.signature.sig.as_bytes().to_vec(),
            }],
        }),
        _ => SignedContent::MessageSignature,
    };
    VerifiedBundle {
        identity: signer.identity,
        issuer: signer.issuer,
        claims: signer.claims,
        key: signer.key,
        log_indexes: bundle
            .verification_material
            .tlog_entries
            .iter()
            .map(|e| e.log_index.get())
            .collect(),
        integrated_time: result
            .integrated_time
            .map(|t| Time::from_jiff(t, t.as_second())),
        verified_times: result
            .verified_timestamps
            .iter()
            .map(|t| Time::from_jiff(*t, t.as_second()))
            .collect(),
        artifact_digest: bound,
        content,
        trust: trust.name().to_string(),
        line: None,
        tlog_ignored: ignore_tlog,
    }
}

/// A policy check made on a certificate whose bundle did not verify: a mismatch is still a
/// failure, but a match proves nothing, so it is never shown as passed.
fn unverified(mut check: Check) -> Check {
    if check.passed() {
        check = Check::not_run(
            check.id,
            check.title,
            check.expected,
            format!("{} (in a certificate that did not verify)", check.found),
        );
    }
    check
        .evidence
        .push("from a certificate that did not verify".into());
    check
}

fn signature_found(trust: &Trust, result: &Proven, bundle: &Bundle, ignore_tlog: bool) -> String {
    let mut parts = vec!["verified".to_string()];
    if ignore_tlog {
        let n = bundle.verification_material.tlog_entries.len();
        parts.push(if n == 0 {
            "NO transparency-log entry: none was checked (--insecure-ignore-tlog), nothing proves this signature was published".to_string()
        } else {
            format!("{n} transparency-log entr{} present but inclusion NOT checked (--insecure-ignore-tlog)", if n == 1 { "y" } else { "ies" })
        });
    }
    if result.certificate_verified {
        parts.push("certificate chains to the trusted root".into());
    }
    if result.sct_verified {
        parts.push("SCT verified".into());
    }
    if result.tlog_verified {
        let idx: Vec<String> = bundle
            .verification_material
            .tlog_entries
            .iter()
            .map(|e| e.log_index.get().to_string())
            .collect();
        parts.push(format!("logged at index {}", idx.join(", ")));
    } else if trust.tsa_only_accepted() {
        parts.push("no transparency log in this trust root".into());
    }
    if let Some(t) = result.integrated_time {
        parts.push(format!("integrated {t}"));
    }
    let tsa = bundle
        .verification_material
        .timestamp_verification_data
        .rfc3161_timestamps
        .len();
    if tsa > 0 {
        parts.push(format!("{tsa} RFC 3161 timestamp(s)"));
    }
    parts.join("; ")
}

/// Runs sigstore-verify with kakunin's trust settings and returns the result and the digest
/// of the artifact the signature is bound to.
/// A signing certificate whose key sigstore-verify cannot verify with (ECDSA P-521, Ed448,
/// secp256k1, …) is refused by name before any signature is checked.
fn unsupported_certificate_algorithm(bundle: &Bundle) -> Result<(), BundleError> {
    let Some(cert) = bundle.signing_certificate() else {
        return Ok(());
    };
    match sigstore_verify::crypto::parse_certificate_info(cert) {
        Err(e) if e.to_string().contains("unsupported") => Err(BundleError::UnsupportedAlgorithm {
            name: crate::cosign::unsupported_key_name(cert.as_bytes()).to_string(),
            reason: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// A message signature whose `hashedrekord` 0.0.1 log entry records a hash other than SHA-256
/// (ECDSA P-384 with SHA-384, as the Sigstore algorithm registry pairs them): sigstore-verify
/// 0.15.1 reads such an entry's hash as SHA-256 only, so the entry cannot be bound to the
/// artifact; it is refused by name ("unsupported algorithm ECDSA_P384_SHA_384"), an input
/// error, never a bad signature.
fn unsupported_log_hash(bundle: &Bundle, policy: &Policy) -> Result<(), BundleError> {
    use sigstore_verify::rekor::body::RekorEntryBody;
    if !matches!(bundle.content, SignatureContent::MessageSignature(_)) {
        return Ok(());
    }
    for entry in &bundle.verification_material.tlog_entries {
        if entry.kind_version != sigstore_types::KindVersion::HashedRekordV001 {
            continue;
        }
        let Ok(RekorEntryBody::HashedRekordV001(body)) =
            RekorEntryBody::parse(&entry.canonicalized_body, entry.kind_version)
        else {
            continue;
        };
        let hash = body.spec.data.hash.algorithm;
        let hash_name = match hash {
            HashAlgorithm::Sha2256 => continue,
            HashAlgorithm::Sha2384 => "SHA_384",
            HashAlgorithm::Sha2512 => "SHA_512",
            _ => "SHA_OTHER",
        };
        return Err(BundleError::UnsupportedLogHash {
            name: format!("{}_{hash_name}", signing_key_name(bundle, policy)),
            reason: format!(
                "the hashedrekord 0.0.1 log entry at index {} records a {hash} hash of the artifact, and kakunin binds hashedrekord entries by SHA-256 only",
                entry.log_index.get()
            ),
        });
    }
    Ok(())
}

/// The signing key's algorithm as the Sigstore algorithm registry names it (`ECDSA_P384`…):
/// the managed key's, or the signing certificate's.
fn signing_key_name(bundle: &Bundle, policy: &Policy) -> &'static str {
    use sigstore_verify::crypto::KeyAlgorithm;
    let algorithm = match policy {
        Policy::Key(key) => KeyAlgorithm::from_spki(key.der()).ok(),
        _ => bundle
            .signing_certificate()
            .and_then(|c| sigstore_verify::crypto::parse_certificate_info(c).ok())
            .map(|i| i.key_algorithm),
    };
    match algorithm {
        Some(KeyAlgorithm::EcdsaP256) => "ECDSA_P256",
        Some(KeyAlgorithm::EcdsaP384) => "ECDSA_P384",
        Some(KeyAlgorithm::Rsa) => "RSA_PKCS1V15",
        Some(KeyAlgorithm::Ed25519) => "ED25519",
        _ => "KEY",
    }
}

fn run_crypto(
    trust: &Trust,
    bundle: &Bundle,
    artifact: &Artifact<'_>,
    policy: &Policy,
    ignore_tlog: bool,
) -> Result<(Proven, Option<Digest>), BundleError> {
    let skip_tlog = ignore_tlog || trust.tsa_only_accepted();
    refuse_before_crypto(trust, bundle, policy, skip_tlog)?;
    // Identity and issuer are kakunin's policy (below, as checks); sigstore-verify proves the
    // cryptography. Without a transparency log (GitHub's instance) signing times come from the
    // TSA alone; without CT logs there is no SCT to verify.
    let keyless = {
        let mut p = VerificationPolicy::any_identity();
        if skip_tlog {
            p = p.skip_tlog_unsafe();
        }
        if !trust.has_ct_logs() {
            p = p.skip_sct();
        }
        p
    };
    let keyed = match policy {
        Policy::Key(key) => {
            let mut p = PublicKeyVerificationPolicy::new(key.der.clone());
            if skip_tlog {
                p = p.skip_tlog_unsafe();
            }
            Some(p)
        }
        Policy::Certificate { .. } | Policy::DangerIgnoreTlog(_) => None,
    };
    let pol: &dyn sigstore_verify::Policy = match &keyed {
        Some(p) => p,
        None => &keyless,
    };
    if let SignatureContent::DsseEnvelope(env) = &bundle.content
        && env.payload_type != plain::IN_TOTO
    {
        let key = match policy {
            Policy::Key(k) => Some(k),
            _ => None,
        };
        let how = plain::Verifying {
            policy: pol,
            key,
            skip_tlog,
        };
        return plain::verify(trust, bundle, env, artifact, &how);
    }
    verify_artifact(trust, bundle, artifact, pol).map(|(r, d)| (Proven::from(r), d))
}

/// What is refused before any signature is checked: a certificate key sigstore-verify cannot
/// use, a root without a log the caller did not accept, a managed-key bundle under a
/// certificate policy, and a bundle without the log entry the root requires.
fn refuse_before_crypto(
    trust: &Trust,
    bundle: &Bundle,
    policy: &Policy,
    skip_tlog: bool,
) -> Result<(), BundleError> {
    unsupported_certificate_algorithm(bundle)?;
    unsupported_log_hash(bundle, policy)?;
    if trust.is_tsa_only() && !trust.tsa_only_accepted() {
        return Err(BundleError::Signature(format!(
            "{} has no transparency log, and this verification did not accept a root without one (bundle::danger::TsaOnly)",
            trust.name()
        )));
    }
    if let Policy::Certificate { .. } = policy
        && matches!(
            bundle.verification_material.content,
            VerificationMaterialContent::PublicKey(_)
        )
    {
        return Err(BundleError::Signature(
            "the bundle is signed with a managed key (no certificate): verify it with --key".into(),
        ));
    }
    if !skip_tlog && bundle.verification_material.tlog_entries.is_empty() {
        return Err(BundleError::Signature(format!(
            "expected a transparency-log entry ({} has a log), found none: a bundle signed offline (publish --tlog-upload=false) verifies only with --insecure-ignore-tlog",
            trust.name()
        )));
    }
    Ok(())
}

/// sigstore-verify over the artifact as given (a digest, bytes, a file), with the policy.
fn verify_artifact(
    trust: &Trust,
    bundle: &Bundle,
    artifact: &Artifact<'_>,
    pol: &dyn sigstore_verify::Policy,
) -> Result<(VerificationResult, Option<Digest>), BundleError> {
    let sig = |e: sigstore_verify::Error| BundleError::Signature(e.to_string());
    let verifier = trust.verifier();
    match artifact {
        Artifact::Digest(d) => {
            let alg = match d.algorithm() {
                Algorithm::Sha256 => HashAlgorithm::Sha2256,
                Algorithm::Sha512 => HashAlgorithm::Sha2512,
            };
            let ad = ArtifactDigest::new(alg, d.as_bytes().to_vec())
                .map_err(|e| BundleError::Signature(e.to_string()))?;
            let r = verifier.verify(ad, bundle, pol).map_err(sig)?;
            Ok((r, Some(d.clone())))
        }
        Artifact::Bytes(b) => {
            if let SignatureContent::DsseEnvelope(env) = &bundle.content {
                let algorithms = subject_algorithms(env.payload.as_bytes());
                if !algorithms.is_empty() {
                    let digests = algorithms.iter().map(|a| Digest::of_bytes(*a, b)).collect();
                    return verify_dsse_by_digests(trust, bundle, pol, digests);
                }
            }
            let r = verifier.verify(*b, bundle, pol).map_err(sig)?;
            let d = match &bundle.content {
                SignatureContent::MessageSignature(_) => Some(Digest::sha256(b)),
                _ => None,
            };
            Ok((r, d))
        }
        Artifact::Path(path) => verify_path(trust, bundle, path, pol),
    }
}

fn open(path: &Path) -> Result<std::fs::File, BundleError> {
    std::fs::File::open(path).map_err(|source| BundleError::Artifact {
        path: path.to_path_buf(),
        source,
    })
}

/// A file artifact: for DSSE, hash it once with the algorithm its subjects use and verify by
/// digest; for a message signature, let sigstore-verify stream it (it hashes with exactly what
/// the signature scheme needs) and fall back to bytes in memory only for Ed25519.
fn verify_path(
    trust: &Trust,
    bundle: &Bundle,
    path: &Path,
    pol: &dyn sigstore_verify::Policy,
) -> Result<(VerificationResult, Option<Digest>), BundleError> {
    let verifier = trust.verifier();
    let sig = |e: sigstore_verify::Error| BundleError::Signature(e.to_string());
    let io = |source| BundleError::Artifact {
        path: path.to_path_buf(),
        source,
    };
    if let SignatureContent::DsseEnvelope(env) = &bundle.content {
        let algorithms = subject_algorithms(env.payload.as_bytes());
        if !algorithms.is_empty() {
            // One pass over the file for every algorithm the subjects use (usually one), then
            // bind by digest: the first digest that names a subject wins.
            let (digests, _) = digest::hash_reader(open(path)?, &algorithms).map_err(io)?;
            return verify_dsse_by_digests(trust, bundle, pol, digests);
        }
    }
    // No BufReader: sigstore-verify reads in its own 64 KiB chunks; a buffer would add a copy.
    match verifier.verify_reader(open(path)?, bundle, pol) {
        Ok(r) => {
            let d = match &bundle.content {
                // verify_reader checked the bundle's messageDigest against the artifact.
                SignatureContent::MessageSignature(m) => m.message_digest.as_ref().and_then(|md| {
                    let alg = match md.algorithm {
                        HashAlgorithm::Sha2256 => Algorithm::Sha256,
                        HashAlgorithm::Sha2512 => Algorithm::Sha512,
                        _ => return None,
                    };
                    Digest::new(alg, md.digest.as_bytes().to_vec()).ok()
                }),
                _ => None,
            };
            let d = match d {
                Some(d) => d,
                None => digest::sha256_file(path).map_err(io)?,
            };
            Ok((r, Some(d)))
        }
        Err(sigstore_verify::Error::UnsupportedArtifact(msg)) if msg.contains("prehashed") => {
            // Ed25519 over a message: the scheme needs the bytes themselves.
            let bytes = limits::read_file_capped(path, MAX_IN_MEMORY_ARTIFACT).map_err(io)?;
            let r = verifier
                .verify(bytes.as_slice(), bundle, pol)
                .map_err(sig)?;
            Ok((r, Some(Digest::sha256(&bytes))))
        }
        Err(e) => Err(sig(e)),
    }
}

/// The digest algorithms of a DSSE statement's subjects that kakunin can bind a file with
/// (sha256 first, then sha512); empty when the payload is not a statement with such subjects
/// (sigstore-verify then reports why).
fn subject_algorithms(payload: &[u8]) -> Vec<Algorithm> {
    #[derive(serde::Deserialize)]
    struct Statement {
        subject: Vec<Subject>,
    }
    #[derive(serde::Deserialize)]
    struct Subject {
        #[serde(default)]
        digest: std::collections::BTreeMap<String, String>,
    }
    let Ok(st) =
        crate::strict_json::from_slice::<Statement>(payload, limits::MAX_PAYLOAD_BYTES as u64)
    else {
        return Vec::new();
    };
    let has = |name: &str| st.subject.iter().any(|s| s.digest.contains_key(name));
    [Algorithm::Sha256, Algorithm::Sha512]
        .into_iter()
        .filter(|a| has(a.name()))
        .collect()
}

/// Verifies a DSSE bundle with each digest of the artifact in turn (one per algorithm its
/// subjects use); the first that names a subject binds it.
fn verify_dsse_by_digests(
    trust: &Trust,
    bundle: &Bundle,
    pol: &dyn sigstore_verify::Policy,
    digests: Vec<Digest>,
) -> Result<(VerificationResult, Option<Digest>), BundleError> {
    let mut last = BundleError::Signature("no digest of the artifact to bind".into());
    for d in digests {
        match trust.verifier().verify(artifact_digest(&d)?, bundle, pol) {
            Ok(r) => return Ok((r, Some(d))),
            Err(e) => last = BundleError::Signature(e.to_string()),
        }
    }
    Err(last)
}

fn artifact_digest(d: &Digest) -> Result<ArtifactDigest, BundleError> {
    let alg = match d.algorithm() {
        Algorithm::Sha256 => HashAlgorithm::Sha2256,
        Algorithm::Sha512 => HashAlgorithm::Sha2512,
    };
    ArtifactDigest::new(alg, d.as_bytes().to_vec())
        .map_err(|e| BundleError::Signature(e.to_string()))
}

/// The DSSE payload of a parsed bundle that has **not** been verified (None for a message
/// signature). Only for choosing what to verify the bundle against (which subject digest to
/// bind); what a statement says is read from a [`VerifiedBundle`]'s [`VerifiedBundle::envelope`].
pub fn dsse_payload(bundle: &Bundle) -> Option<&[u8]> {
    match &bundle.content {
        SignatureContent::DsseEnvelope(env) => Some(env.payload.as_bytes()),
        _ => None,
    }
}

/// Verifies every bundle of a file (one, or one per `.jsonl` line) and returns the first that
/// verifies, with its checks, or the checks of every line when none does.
pub fn verify_file(
    trust: &Trust,
    bundle_path: &Path,
    artifact: &Artifact<'_>,
    policy: &Policy,
) -> Result<Verification, BundleError> {
    let loaded = read_bundle_file(bundle_path)?;
    let multi = loaded.len() > 1 || loaded.first().is_some_and(|l| l.line.is_some());
    let mut failures = Vec::new();
    let mut all_checks = Vec::new();
    for LoadedBundle { line, bundle } in loaded {
        let mut v = match bundle {
            Ok(b) => verify(trust, &b, artifact, policy),
            Err(e) => Verification {
                checks: vec![Check::fail(
                    ids::BUNDLE_SIGNATURE,
                    SIGNATURE_TITLE,
                    "a valid Sigstore bundle",
                    e.to_string(),
                )],
                result: Err(e),
            },
        };
        if let Some(n) = line {
            for c in &mut v.checks {
                c.evidence.push(format!("{}:{n}", bundle_path.display()));
            }
        } else {
            for c in &mut v.checks {
                c.evidence.push(bundle_path.display().to_string());
            }
        }
        match v.result {
            Ok(mut vb) => {
                vb.line = line;
                return Ok(Verification {
                    checks: v.checks,
                    result: Ok(vb),
                });
            }
            Err(e) => {
                if !multi {
                    return Ok(Verification {
                        checks: v.checks,
                        result: Err(e),
                    });
                }
                failures.push((line.unwrap_or(1), e.to_string()));
                all_checks.extend(v.checks);
            }
        }
    }
    Ok(Verification {
        checks: all_checks,
        result: Err(BundleError::NoneVerified {
            path: bundle_path.to_path_buf(),
            failures,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_algorithms_lists_what_the_statement_uses_sha256_first() {
        let st = |digests: &str| {
            format!(
                r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{digests}],"predicateType":"p"}}"#
            )
        };
        let both = st(r#"{"digest":{"sha512":"aa"}},{"digest":{"sha256":"bb"}}"#);
        assert_eq!(
            subject_algorithms(both.as_bytes()),
            vec![Algorithm::Sha256, Algorithm::Sha512]
        );
        let only512 = st(r#"{"name":"x","digest":{"sha512":"aa","gitCommit":"cc"}}"#);
        assert_eq!(
            subject_algorithms(only512.as_bytes()),
            vec![Algorithm::Sha512]
        );
        assert!(subject_algorithms(st(r#"{"digest":{"sha1":"aa"}}"#).as_bytes()).is_empty());
        assert!(subject_algorithms(b"not json").is_empty());
    }

    #[test]
    fn claims_of_an_unverified_certificate_never_pass() {
        let matched = unverified(Check::pass(ids::BUNDLE_IDENTITY, "t", "a", "a"));
        assert_eq!(matched.outcome, crate::check::Outcome::NotRun);
        assert!(matched.found.contains("did not verify"));
        let mismatched = unverified(Check::fail(ids::BUNDLE_ISSUER, "t", "a", "b"));
        assert_eq!(mismatched.outcome, crate::check::Outcome::Fail);
        assert_eq!(mismatched.found, "b");
    }

    const KEY_BUNDLE: &str = r#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"},"tlogEntries":[]},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"AAAA"}}"#;

    #[test]
    fn a_root_without_a_log_verifies_nothing_unless_the_caller_names_danger_tsa_only() {
        use crate::trust::Instance;
        let bundle = parse_bundle(KEY_BUNDLE.as_bytes()).unwrap();
        let run = |trust: &Trust| {
            let policy = Policy::identity("a", "b");
            verify(trust, &bundle, &Artifact::Bytes(b"x"), &policy)
                .result
                .unwrap_err()
                .to_string()
        };
        let github = Trust::embedded(Instance::GitHub).unwrap();
        assert!(github.is_tsa_only() && !github.tsa_only_accepted());
        let refused = run(&github);
        assert!(
            refused.contains("has no transparency log") && refused.contains("danger::TsaOnly"),
            "{refused}"
        );
        // Accepted: verification goes on (and refuses this bundle for what it is).
        let accepted = github.accept_tsa_only(danger::TsaOnly);
        let e = run(&accepted);
        assert!(!e.contains("danger::TsaOnly") && e.contains("--key"), "{e}");
        // A root with a log is not changed by the waiver.
        let production = Trust::production()
            .unwrap()
            .accept_tsa_only(danger::TsaOnly);
        assert!(!production.tsa_only_accepted());
    }

    #[test]
    fn a_certificate_policy_refuses_a_managed_key_bundle() {
        let trust = Trust::production().unwrap();
        let bundle = parse_bundle(KEY_BUNDLE.as_bytes()).unwrap();
        let v = verify(
            &trust,
            &bundle,
            &Artifact::Bytes(b"x"),
            &Policy::identity("a", "b"),
        );
        assert!(!v.verified());
        assert!(v.result.unwrap_err().to_string().contains("--key"));
    }
}
