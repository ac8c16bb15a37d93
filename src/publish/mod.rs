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
//!   expected (the token's identity, or the key) and, when asked, after the chart was pushed
//!   and the signature and provenance attached in the registry and read back verified
//!   ([`oci`]); otherwise none of the files exists under its final name ([`write`]).

pub mod cosign_key;
pub mod helm_oci;
pub mod identity;
pub mod key;
pub mod oci;
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
    /// Also publish in an OCI registry: push the chart (chart subjects), attach the signature
    /// and provenance as referrers (and cosign's legacy tags, if asked), read it all back.
    pub oci: Option<oci::Target>,
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
    /// What was published in the registry and verified there, if asked.
    pub oci: Option<oci::Pushed>,
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
    Oci(#[from] oci::OciError),
    #[error("{0}")]
    Prov(#[from] prov::ProvSignError),
}

impl PublishError {
    /// Whether a signing service failed (exit 3), as opposed to bad input (2) or a
    /// verification failure of what was produced (1).
    pub fn is_service(&self) -> bool {
        matches!(self, PublishError::Sign(e) if e.is_service())
            || matches!(self, PublishError::Oci(e) if !e.verification && !e.input)
    }
    pub fn is_verification(&self) -> bool {
        matches!(self, PublishError::Write(write::WriteError::Verify(_)))
            || matches!(self, PublishError::Oci(e) if e.verification)
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
    check_request(&request)?;
    let (subject_name, subject_digest) = subject_of(&request.subject)?;
    // `--out` is created when missing (and removed again if this publish fails); existing
    // release files are refused before anything is signed or logged.
    let out_dir = write::OutDir::prepare(&request.out)?;
    refuse_existing(&request, &subject_name)?;
    let statement_bytes = Statement::new(
        subject_name.clone(),
        &subject_digest,
        request.build.provenance()?,
    )?
    .to_bytes();
    let prov_text = helm_prov(&request, &subject_name)?;

    // In a registry: the chart's tag checked, or the image's manifest found, before signing.
    let (oci_chart, oci_subject) = match &request.oci {
        Some(target) => {
            let (chart, subject) = prepare_registry(&request, target, prov_text.as_deref()).await?;
            (chart, Some(subject))
        }
        None => (None, None),
    };

    let (bundle, policy, signer) = sign_dsse(&request.signing, &statement_bytes).await?;
    // What the registry gets, signed before anything is pushed.
    let oci_signed = match (&request.oci, &oci_subject) {
        (Some(target), Some(subject)) => {
            Some(sign_for_registry(&request, target, subject, &bundle).await?)
        }
        _ => None,
    };

    let bundle_json = to_json(&bundle)?;
    let files = release_files(&request, &subject_name, &bundle_json, prov_text)?;

    // Stage, verify what is on disk, attach (if asked), and only then put the files in place.
    let staged = write::Staged::new(&files, false)?;
    let artifact = match &request.subject {
        Subject::Chart { path } => Artifact::Path(path),
        Subject::Image { digest, .. } => Artifact::Digest(digest.clone()),
    };
    let temps = staged.temp_paths();
    let verified = verify_written(
        &request.trust,
        (&temps[0], &temps[1]),
        &artifact,
        &policy,
        &statement_bytes,
    )
    .map_err(write::WriteError::Verify)?;
    let pushed = match (&request.oci, &oci_subject, &oci_signed) {
        (Some(target), Some(subject), Some(signed)) => Some(
            oci::publish(
                target,
                oci_chart.as_ref(),
                subject,
                signed,
                &request.trust,
                &policy,
                (!logged(&request.signing)).then_some(bundle::danger::IgnoreTlog),
            )
            .await?,
        ),
        _ => None,
    };
    staged.commit()?;
    out_dir.keep();
    Ok(Published {
        bundle: files[0].0.clone(),
        envelope: files[1].0.clone(),
        subject_name,
        subject_digest,
        signer,
        verified,
        bundle_json: bundle_json.into_bytes(),
        oci: pushed,
        prov: files.get(2).map(|(p, _)| p.clone()),
    })
}

/// What is refused before anything is looked at: a bad stem, `--prov-key` for an image, and
/// `--tlog-upload=false` with no timestamp.
fn check_request(request: &Request) -> Result<(), PublishError> {
    check_stem(&request.stem)?;
    if request.prov_key.is_some() && matches!(request.subject, Subject::Image { .. }) {
        return Err(PublishError::Input {
            what: "--prov-key",
            expected: "a chart subject".into(),
            found: "an image".into(),
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
    Ok(())
}

/// The Helm `.prov` of a chart, when `--prov-key` asks for one.
fn helm_prov(request: &Request, subject_name: &str) -> Result<Option<Vec<u8>>, PublishError> {
    match (&request.prov_key, &request.subject) {
        (Some((key, pass)), Subject::Chart { path }) => {
            Ok(Some(prov::sign(path, subject_name, key, pass)?))
        }
        _ => Ok(None),
    }
}

/// Whether the signatures get a transparency-log entry (not with `--tlog-upload=false`).
fn logged(signing: &Signing) -> bool {
    !matches!(
        signing,
        Signing::Key {
            tlog_upload: false,
            ..
        }
    )
}

/// The statement's subject: the chart's file name and the SHA-256 of its bytes, or the image's
/// repository and digest.
fn subject_of(subject: &Subject) -> Result<(String, Digest), PublishError> {
    match subject {
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
            Ok((name, digest))
        }
        Subject::Image { repository, digest } => Ok((repository.clone(), digest.clone())),
    }
}

/// The release files' names in `--out`: the bundle, the envelope, and the `.prov` if asked.
fn release_names(request: &Request, subject_name: &str) -> Vec<PathBuf> {
    let mut names = vec![
        format!("{}.sigstore", request.stem),
        format!("{}.intoto.jsonl", request.stem),
    ];
    if request.prov_key.is_some() {
        names.push(format!("{subject_name}.prov"));
    }
    names.into_iter().map(|n| request.out.join(n)).collect()
}

/// Refuses a publish into a directory that already holds one of the release files.
fn refuse_existing(request: &Request, subject_name: &str) -> Result<(), PublishError> {
    match release_names(request, subject_name)
        .into_iter()
        .find(|p| p.symlink_metadata().is_ok())
    {
        Some(path) => Err(write::WriteError::Exists { path }.into()),
        None => Ok(()),
    }
}

/// The release files and their bytes: the bundle, its `dsseEnvelope` on one line, the `.prov`.
fn release_files(
    request: &Request,
    subject_name: &str,
    bundle_json: &str,
    prov_text: Option<Vec<u8>>,
) -> Result<Vec<(PathBuf, Vec<u8>)>, PublishError> {
    let value: serde_json::Value = serde_json::from_str(bundle_json)
        .map_err(|e| SignError::Other(format!("re-reading the bundle: {e}")))?;
    let envelope_line = format!("{}\n", value["dsseEnvelope"]);
    let mut contents = vec![bundle_json.as_bytes().to_vec(), envelope_line.into_bytes()];
    contents.extend(prov_text);
    Ok(release_names(request, subject_name)
        .into_iter()
        .zip(contents)
        .collect())
}

/// In a registry, before anything is signed: the chart's version tag checked (absent, or
/// holding this chart) and its artifact built, or the image's manifest found. Returns the
/// chart to push (charts) and the manifest that is signed.
async fn prepare_registry(
    request: &Request,
    target: &oci::Target,
    prov_text: Option<&[u8]>,
) -> Result<(Option<oci::PreparedChart>, crate::fetch::push::Subject), PublishError> {
    match &request.subject {
        Subject::Chart { path } => {
            let tgz = crate::limits::read_file_capped(path, crate::limits::MAX_CHART_BYTES)
                .map_err(|source| PublishError::Chart {
                    path: path.clone(),
                    source,
                })?;
            let created = jiff::Timestamp::now()
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            let artifact =
                helm_oci::chart_artifact(&tgz, prov_text, &created).map_err(|found| {
                    PublishError::Input {
                        what: "chart",
                        expected: "a Helm chart package (a .tgz with <name>/Chart.yaml)".into(),
                        found,
                    }
                })?;
            let prepared =
                oci::prepare_chart(target, artifact, tgz, prov_text.map(<[u8]>::to_vec)).await?;
            let subject = prepared.subject();
            Ok((Some(prepared), subject))
        }
        Subject::Image { digest, .. } => {
            let s = target
                .client
                .subject(&target.repo, digest)
                .await
                .map_err(|e| oci::OciError {
                    reason: format!("the image: {e}"),
                    pushed: Vec::new(),
                    verification: false,
                    input: false,
                })?;
            Ok((None, s))
        }
    }
}

/// The bundles the registry gets for `subject`: the cosign sign/v1 signature, the provenance
/// naming the manifest (for an image, `bundle` already does), and with `--legacy-cosign` the
/// simple-signing payload's message signature.
async fn sign_for_registry(
    request: &Request,
    target: &oci::Target,
    subject: &crate::fetch::push::Subject,
    bundle: &sigstore_types::Bundle,
) -> Result<oci::Signed, PublishError> {
    let repository = target.repo.to_string();
    let (signature, _, _) = sign_dsse(
        &request.signing,
        &oci::signature_statement(&repository, &subject.digest),
    )
    .await?;
    let provenance = match &request.subject {
        Subject::Image { .. } => bundle.clone(),
        Subject::Chart { .. } => {
            let s = Statement::new(
                repository.clone(),
                &subject.digest,
                request.build.provenance()?,
            )?;
            sign_dsse(&request.signing, &s.to_bytes()).await?.0
        }
    };
    let legacy_signature = if target.legacy_cosign {
        let payload = oci::simple_signing_payload(&repository, &subject.digest);
        let b = sign_message(&request.signing, &payload).await?;
        Some((payload, to_json(&b)?.into_bytes()))
    } else {
        None
    };
    Ok(oci::Signed {
        signature: to_json(&signature)?.into_bytes(),
        provenance: to_json(&provenance)?.into_bytes(),
        legacy_signature,
    })
}

fn to_json(bundle: &sigstore_types::Bundle) -> Result<String, PublishError> {
    Ok(bundle
        .to_json()
        .map_err(|e| SignError::Other(format!("serialising the bundle: {e}")))?)
}

/// The log and TSA of a keyed signature: the signing config's Rekor v1 log (none with
/// `--tlog-upload=false`), and `--timestamp-server` or the config's TSA. `None` for keyless.
fn keyed_services(signing: &Signing) -> Result<(Option<String>, Option<String>), PublishError> {
    let Signing::Key {
        instance,
        tlog_upload,
        timestamp_server,
        ..
    } = signing
    else {
        return Ok((None, None));
    };
    if !tlog_upload {
        return Ok((None, timestamp_server.clone()));
    }
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
    Ok((Some(services.rekor_url().to_string()), tsa))
}

/// Signs a statement's exact bytes as DSSE; returns the bundle, the policy it must verify
/// under, and who signed.
async fn sign_dsse(
    signing: &Signing,
    statement: &[u8],
) -> Result<(sigstore_types::Bundle, Policy, PublishedSigner), PublishError> {
    match signing {
        Signing::Keyless { instance, token } => {
            let (identity, issuer) = expected_identity(token);
            let signer = KeylessSigner::new(instance, token.clone())?;
            let bundle = signer.sign_statement(statement).await?;
            Ok((
                bundle,
                Policy::identity(identity.clone(), issuer.clone()),
                PublishedSigner::Certificate { identity, issuer },
            ))
        }
        Signing::Key {
            signer,
            tlog_upload,
            ..
        } => {
            let (rekor, tsa) = keyed_services(signing)?;
            let bundle = signer
                .sign_statement(statement, rekor.as_deref(), tsa.as_deref())
                .await?;
            let pem = signer.public_key_pem();
            let key = PublicKey::from_pem(&pem, "the publishing key").map_err(|e| {
                SignError::Other(format!("the key's own public key does not parse: {e}"))
            })?;
            let policy = if *tlog_upload {
                Policy::Key(key)
            } else {
                // What was asked for: verified as any verifier must, with the log opt-out.
                Policy::Key(key).danger_ignore_tlog(bundle::danger::IgnoreTlog)
            };
            Ok((
                bundle,
                policy,
                PublishedSigner::Key {
                    public_key_pem: pem,
                    algorithm: signer.algorithm(),
                    logged: *tlog_upload,
                },
            ))
        }
    }
}

/// Signs bytes as a message signature (cosign's `.sig` layer).
async fn sign_message(
    signing: &Signing,
    payload: &[u8],
) -> Result<sigstore_types::Bundle, PublishError> {
    match signing {
        Signing::Keyless { instance, token } => Ok(KeylessSigner::new(instance, token.clone())?
            .sign_artifact(payload)
            .await?),
        Signing::Key { signer, .. } => {
            let (rekor, tsa) = keyed_services(signing)?;
            Ok(signer
                .sign_message(payload, rekor.as_deref(), tsa.as_deref())
                .await?)
        }
    }
}

/// Verifies the files as written: the bundle with kakunin's verification, its envelope
/// carrying exactly the statement, and the `.intoto.jsonl` being that envelope.
fn verify_written(
    trust: &Trust,
    (bundle_path, envelope_path): (&Path, &Path),
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
