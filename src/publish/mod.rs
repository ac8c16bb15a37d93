//! Publishing: what a release pipeline runs to produce the artifacts kakunin verifies.
//!
//! `statement → sign (keyless | key) → bundle + .intoto.jsonl → write → verify what was
//! written`. What this module guarantees:
//!
//! - the statement is an in-toto Statement v1 whose subject is exactly the artifact's name and
//!   SHA-256, with a SLSA provenance v1 predicate of GitHub's workflow build type
//!   ([`statement`]);
//! - the bundle is v0.3 JSON whose `dsseEnvelope` signs the statement's bytes as built (DSSE,
//!   payload type `application/vnd.in-toto+json`), and the `.intoto.jsonl` is that envelope on
//!   one line ([`publish`]);
//! - [`publish`] returns only after the files *as read back from disk* verified with
//!   kakunin's bundle verification against the given trusted root, for the signer that was
//!   expected (the token's identity, or the key) and, when asked, after the bundle was attached
//!   to the image in its registry ([`attach`]); otherwise none of the files exists under its
//!   final name ([`write`]).

pub mod attach;
pub mod cosign_key;
pub mod helm_oci;
pub mod identity;
pub mod key;
pub mod prov;
pub mod sign;
pub mod statement;
pub mod write;

use std::path::{Path, PathBuf};

pub use identity::{IdentityError, TokenSource, expected_identity, identity_token};
pub use key::KeySigner;
pub use sign::{KeylessSigner, SignError, SigningInstance};
pub use statement::{BuildContext, Statement, StatementError};

use crate::bundle::{self, Artifact, Policy, PublicKey};
use crate::digest::Digest;
use crate::trust::Trust;

/// What is published about.
#[derive(Debug, Clone)]
pub enum Subject {
    /// A chart package: the subject is its file name and the SHA-256 of its bytes.
    Chart { path: PathBuf },
    /// An image: the subject is its repository (`ghcr.io/owner/name`) and manifest digest.
    Image { repository: String, digest: Digest },
}

/// How the statement is signed.
pub enum Signing {
    /// Keyless: a Fulcio certificate for this identity token.
    Keyless {
        instance: SigningInstance,
        token: sigstore_sign::oidc::IdentityToken,
    },
    /// A managed key; the log and TSA come from `instance`'s signing config.
    Key {
        signer: KeySigner,
        instance: SigningInstance,
        /// `--tlog-upload` (default true). False: no log entry, offline; the bundle then
        /// verifies only with the verifier's opt-out (`--insecure-ignore-tlog`).
        tlog_upload: bool,
        /// `--timestamp-server`: the RFC 3161 TSA to use instead of the signing config's
        /// (required with `tlog_upload: false`: it is the bundle's only signing time).
        timestamp_server: Option<String>,
    },
}

/// One publish: the subject, who signs, where the files go and how to verify them.
pub struct Request {
    pub subject: Subject,
    /// The release file stem: `gomenhashai-1.3.2` → `gomenhashai-1.3.2.sigstore`.
    pub stem: String,
    pub out: PathBuf,
    pub build: BuildContext,
    pub signing: Signing,
    /// The trusted root that must verify what is written.
    pub trust: Trust,
    /// Also attach the bundle to the image in its registry (image subjects only).
    pub attach: Option<attach::Target>,
    /// Also write a Helm `.prov` signed with this OpenPGP secret key and passphrase (charts only).
    pub prov_key: Option<(PathBuf, String)>,
}

/// What a successful publish wrote and verified.
#[derive(Debug)]
pub struct Published {
    pub bundle: PathBuf,
    pub envelope: PathBuf,
    pub subject_name: String,
    pub subject_digest: Digest,
    /// The certificate identity and issuer (keyless) or the public key PEM (keyed).
    pub signer: PublishedSigner,
    pub verified: bundle::VerifiedBundle,
    /// The bundle JSON as written.
    pub bundle_json: Vec<u8>,
    /// Where the bundle was attached in the registry, if asked.
    pub attached: Option<attach::Attached>,
    /// The Helm `.prov`, if asked.
    pub prov: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub enum PublishedSigner {
    Certificate {
        identity: String,
        issuer: String,
    },
    Key {
        public_key_pem: String,
        algorithm: &'static str,
        /// Whether the bundle has a transparency-log entry (`--tlog-upload`).
        logged: bool,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{0}")]
    Statement(#[from] StatementError),
    #[error("{0}")]
    Sign(#[from] SignError),
    #[error("cannot read the chart {path}: {source}")]
    Chart {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{what}: expected {expected}, found {found}")]
    Input {
        what: &'static str,
        expected: String,
        found: String,
    },
    #[error("{0}")]
    Write(#[from] write::WriteError),
    #[error("{0}")]
    Attach(#[from] attach::AttachError),
    #[error("{0}")]
    Prov(#[from] prov::ProvSignError),
}

impl PublishError {
    /// Whether a signing service failed (exit 3), as opposed to bad input (2) or a
    /// verification failure of what was produced (1).
    pub fn is_service(&self) -> bool {
        matches!(self, PublishError::Sign(e) if e.is_service())
            || matches!(self, PublishError::Attach(_))
    }
    pub fn is_verification(&self) -> bool {
        matches!(self, PublishError::Write(write::WriteError::Verify(_)))
    }
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            PublishError::Write(write::WriteError::Io { .. } | write::WriteError::Exists { .. })
        )
    }
}

/// Builds the statement, signs it, writes `<stem>.sigstore` and `<stem>.intoto.jsonl` into
/// `out`, and verifies them as written. All or nothing (see the module documentation).
pub async fn publish(request: Request) -> Result<Published, PublishError> {
    check_stem(&request.stem)?;
    if request.prov_key.is_some() && matches!(request.subject, Subject::Image { .. }) {
        return Err(PublishError::Input {
            what: "--prov-key",
            expected: "a chart subject".into(),
            found: "an image".into(),
        });
    }
    if request.attach.is_some() && matches!(request.subject, Subject::Chart { .. }) {
        return Err(PublishError::Input {
            what: "--push-attestation",
            expected: "an image subject".into(),
            found: "a chart".into(),
        });
    }
    if let Signing::Key {
        tlog_upload: false,
        timestamp_server: None,
        ..
    } = &request.signing
    {
        return Err(PublishError::Input {
            what: "--tlog-upload=false",
            expected: "--timestamp-server URL too (with no log entry, an RFC 3161 timestamp is the bundle's only signing time, and verifiers refuse a bundle with neither)".into(),
            found: "no --timestamp-server".into(),
        });
    }
    let (subject_name, subject_digest) = match &request.subject {
        Subject::Chart { path } => {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .ok_or_else(|| PublishError::Input {
                    what: "chart",
                    expected: "a path to a .tgz file".into(),
                    found: path.display().to_string(),
                })?;
            let digest =
                crate::digest::sha256_file(path).map_err(|source| PublishError::Chart {
                    path: path.clone(),
                    source,
                })?;
            (name, digest)
        }
        Subject::Image { repository, digest } => (repository.clone(), digest.clone()),
    };
    // `--out` is created when missing (and removed again if this publish fails); existing
    // release files are refused before anything is signed or logged.
    let out_dir = write::OutDir::prepare(&request.out)?;
    let mut names = vec![
        format!("{}.sigstore", request.stem),
        format!("{}.intoto.jsonl", request.stem),
    ];
    if request.prov_key.is_some() {
        names.push(format!("{subject_name}.prov"));
    }
    if let Some(path) = names
        .iter()
        .map(|n| request.out.join(n))
        .find(|p| p.symlink_metadata().is_ok())
    {
        return Err(write::WriteError::Exists { path }.into());
    }
    let provenance = request.build.provenance()?;
    let statement = Statement::new(subject_name.clone(), &subject_digest, provenance)?;
    let statement_bytes = statement.to_bytes();

    let (bundle, policy, signer) = match &request.signing {
        Signing::Keyless { instance, token } => {
            let (identity, issuer) = expected_identity(token);
            let signer = KeylessSigner::new(instance, token.clone())?;
            let bundle = signer.sign_statement(&statement_bytes).await?;
            (
                bundle,
                Policy::identity(identity.clone(), issuer.clone()),
                PublishedSigner::Certificate { identity, issuer },
            )
        }
        Signing::Key {
            signer,
            instance,
            tlog_upload,
            timestamp_server,
        } => {
            let (rekor, tsa) = if *tlog_upload {
                let services = instance.services()?;
                if services.rekor_api_version() != sigstore_sign::rekor::RekorApiVersion::V1 {
                    return Err(SignError::Config(format!(
                        "keyed publishing logs to a Rekor v1 log; the signing config selects Rekor v{} at {}",
                        services.rekor_api_version().major(),
                        services.rekor_url()
                    ))
                    .into());
                }
                let tsa = timestamp_server
                    .clone()
                    .or(services.tsa_url().map(str::to_string));
                (Some(services.rekor_url().to_string()), tsa)
            } else {
                (None, timestamp_server.clone())
            };
            let bundle = signer
                .sign_statement(&statement_bytes, rekor.as_deref(), tsa.as_deref())
                .await?;
            let pem = signer.public_key_pem();
            let key = PublicKey::from_pem(&pem, "the publishing key").map_err(|e| {
                SignError::Other(format!("the key's own public key does not parse: {e}"))
            })?;
            let policy = if *tlog_upload {
                Policy::Key(key)
            } else {
                // What was asked for: verified as any verifier must, with the log opt-out.
                Policy::Key(key).danger_ignore_tlog()
            };
            (
                bundle,
                policy,
                PublishedSigner::Key {
                    public_key_pem: pem,
                    algorithm: signer.algorithm(),
                    logged: *tlog_upload,
                },
            )
        }
    };

    let bundle_json = bundle
        .to_json()
        .map_err(|e| SignError::Other(format!("serialising the bundle: {e}")))?;
    let value: serde_json::Value = serde_json::from_str(&bundle_json)
        .map_err(|e| SignError::Other(format!("re-reading the bundle: {e}")))?;
    let envelope_line = format!("{}\n", value["dsseEnvelope"]);
    let bundle_path = request.out.join(format!("{}.sigstore", request.stem));
    let envelope_path = request.out.join(format!("{}.intoto.jsonl", request.stem));
    let mut files = vec![
        (bundle_path.clone(), bundle_json.clone().into_bytes()),
        (envelope_path.clone(), envelope_line.into_bytes()),
    ];
    let mut prov_path = None;
    if let (Some((key, passphrase)), Subject::Chart { path }) =
        (&request.prov_key, &request.subject)
    {
        let text = prov::sign(path, &subject_name, key, passphrase)?;
        let p = request.out.join(format!("{subject_name}.prov"));
        files.push((p.clone(), text));
        prov_path = Some(p);
    }

    // Stage, verify what is on disk, attach (if asked), and only then put the files in place.
    let staged = write::Staged::new(&files, false)?;
    let artifact = match &request.subject {
        Subject::Chart { path } => Artifact::Path(path),
        Subject::Image { digest, .. } => Artifact::Digest(digest.clone()),
    };
    let temps = staged.temp_paths();
    let verified = verify_written(
        &request.trust,
        &temps[0],
        &temps[1],
        &artifact,
        &policy,
        &statement_bytes,
    )
    .map_err(write::WriteError::Verify)?;
    let attached = match (&request.attach, &request.subject) {
        (Some(target), Subject::Image { digest, .. }) => Some(
            attach::attach_bundle(
                target,
                digest,
                bundle_json.as_bytes(),
                statement::SLSA_PROVENANCE_V1,
            )
            .await?,
        ),
        _ => None,
    };
    staged.commit()?;
    out_dir.keep();
    Ok(Published {
        bundle: bundle_path,
        envelope: envelope_path,
        subject_name,
        subject_digest,
        signer,
        verified,
        bundle_json: bundle_json.into_bytes(),
        attached,
        prov: prov_path,
    })
}

/// Verifies the files as written: the bundle with kakunin's verification, its envelope
/// carrying exactly the statement, and the `.intoto.jsonl` being that envelope.
fn verify_written(
    trust: &Trust,
    bundle_path: &Path,
    envelope_path: &Path,
    artifact: &Artifact<'_>,
    policy: &Policy,
    statement: &[u8],
) -> Result<bundle::VerifiedBundle, String> {
    let v = bundle::verify_file(trust, bundle_path, artifact, policy).map_err(|e| e.to_string())?;
    let verified = match v.result {
        Ok(vb) => vb,
        Err(e) => {
            let failed: Vec<String> = v
                .checks
                .iter()
                .filter(|c| !c.passed())
                .map(|c| format!("{}: expected {}, found {}", c.title, c.expected, c.found))
                .collect();
            return Err(format!("{e} ({})", failed.join("; ")));
        }
    };
    match verified.content() {
        bundle::SignedContent::Dsse(env) if env.payload() == statement => {}
        _ => {
            return Err(
                "the bundle's envelope does not carry the statement that was signed".into(),
            );
        }
    }
    let bundle_value: serde_json::Value =
        serde_json::from_slice(&std::fs::read(bundle_path).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let jsonl = std::fs::read_to_string(envelope_path).map_err(|e| e.to_string())?;
    let lines: Vec<&str> = jsonl.lines().collect();
    let line: serde_json::Value = match lines.as_slice() {
        [one] => serde_json::from_str(one).map_err(|e| e.to_string())?,
        _ => {
            return Err(format!(
                "the .intoto.jsonl has {} lines, expected 1",
                lines.len()
            ));
        }
    };
    if line != bundle_value["dsseEnvelope"] {
        return Err("the .intoto.jsonl is not the bundle's dsseEnvelope".into());
    }
    Ok(verified)
}

/// A stem names files in `--out`: no path separators, no leading dot.
fn check_stem(stem: &str) -> Result<(), PublishError> {
    if stem.is_empty()
        || stem.starts_with('.')
        || stem.contains(['/', '\\', '\0'])
        || stem.len() > 200
    {
        return Err(PublishError::Input {
            what: "release file name",
            expected: "a plain file name stem such as gomenhashai-1.3.2".into(),
            found: format!("{stem:?}"),
        });
    }
    Ok(())
}
