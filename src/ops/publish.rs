//! `ops::publish`: a release's `.sigstore` bundle and `.intoto.jsonl` (docs/publish.md) for a
//! chart package or an image digest, keyless or with a key, optionally pushed to and attached
//! in an OCI registry; [`crate::publish::publish`] does the work and verifies what it wrote.
//! This op turns the request into that library call: the subject (an image tag is resolved in
//! the registry now), the registry target, the signing instance and its trusted root, and the
//! signer. Usage errors are exit 2, a service or the output directory 3, what was produced
//! and does not verify 1.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::digest::Digest;
use crate::exit::ExitCode;
use crate::fetch::{FetchOptions, Fetcher};
use crate::publish::{
    self, BuildContext, KeySigner, PublishError, Published, Request, Signing, SigningInstance,
    Subject, TokenSource, oci,
};
use crate::registry::{RegistryClient, Repo};
use crate::trust::{Instance, Trust};

use super::Error;

/// What is attested.
pub enum What {
    /// A chart package, optionally pushed as `helm push` does (`--oci`).
    Chart {
        path: PathBuf,
        oci: Option<String>,
        replace_tag: bool,
        legacy_cosign: bool,
        plain_http: bool,
        /// An armored OpenPGP secret key for a `.prov`, and its passphrase.
        prov_key: Option<(PathBuf, String)>,
    },
    /// An image, `REGISTRY/REPO@sha256:…` or `REGISTRY/REPO:TAG`, its release tag and name.
    Image {
        image: String,
        tag: String,
        name: Option<String>,
        push_attestation: bool,
        legacy_cosign: bool,
        plain_http: bool,
    },
}

/// The subject, where the files go, the build's provenance and who signs (`kakunin publish`).
pub struct PublishRequest {
    pub what: What,
    pub out: PathBuf,
    /// The provenance of the build (flags over the CI environment, read by the caller).
    pub build: BuildContext,
    pub signer: SignerRequest,
}

/// Who signs, with which instance, and the root that must verify what is written.
pub struct SignerRequest {
    /// A private key instead of keyless; with it, whether to log and which TSA.
    pub key: Option<PathBuf>,
    pub tlog_upload: bool,
    pub timestamp_server: Option<String>,
    /// The OIDC token for keyless signing (else the environment's).
    pub identity_token: Option<String>,
    /// The signing instance: a signing config (with its trusted root), staging, or sigstore.dev.
    pub staging: bool,
    pub signing_config: Option<PathBuf>,
    pub trusted_root: Option<PathBuf>,
}

/// The subject, release file stem, registry target and `.prov` key of a publish.
struct Parsed {
    subject: Subject,
    stem: String,
    target: Option<oci::Target>,
    prov_key: Option<(PathBuf, String)>,
}

/// Publishes what `req` names (see the module documentation).
pub async fn publish(req: PublishRequest) -> Result<Published, Error> {
    let parsed = match req.what {
        What::Chart {
            path,
            oci,
            replace_tag,
            legacy_cosign,
            plain_http,
            prov_key,
        } => {
            let mut parsed = chart(path.clone(), prov_key)?;
            if let Some(oci) = oci {
                let name = chart_name(&path).map_err(Error::usage)?;
                let target = registry_target(&oci, &name, plain_http, legacy_cosign, replace_tag)
                    .map_err(Error::usage)?;
                parsed.target = Some(target);
            }
            parsed
        }
        What::Image {
            image,
            tag,
            name,
            push_attestation,
            legacy_cosign,
            plain_http,
        } => {
            let (repository, digest) = image_subject(&image, plain_http).await?;
            let name = name.unwrap_or_else(|| default_name(&req.build, &repository));
            let target = push_attestation
                .then(|| image_target(&repository, plain_http, legacy_cosign))
                .transpose()
                .map_err(Error::usage)?;
            Parsed {
                subject: Subject::Image { repository, digest },
                stem: format!("{name}-{tag}"),
                target,
                prov_key: None,
            }
        }
    };
    // Every missing provenance field is reported now, before a key or token is looked at.
    if let Err(e) = req.build.provenance() {
        return Err(Error::usage(format!(
            "publish failed, nothing was written: {e}"
        )));
    }
    let (instance, trust) = instance_and_trust(&req.signer).map_err(Error::usage)?;
    let signing = signing(&req.signer, instance).await.map_err(Error::usage)?;
    let request = Request {
        subject: parsed.subject,
        stem: parsed.stem,
        out: req.out,
        build: req.build,
        signing,
        trust,
        oci: parsed.target,
        prov_key: parsed.prov_key,
    };
    publish::publish(request).await.map_err(|e| {
        Error::new(
            exit_code(&e),
            format!("publish failed, nothing was written: {e}"),
        )
    })
}

/// `publish chart`: the stem from the file name `NAME-VERSION.tgz`.
fn chart(path: PathBuf, prov_key: Option<(PathBuf, String)>) -> Result<Parsed, Error> {
    let Some(stem) = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".tgz"))
        .map(str::to_string)
    else {
        return Err(Error::usage(format!(
            "chart: expected a NAME-VERSION.tgz file, found {}",
            path.display()
        )));
    };
    Ok(Parsed {
        subject: Subject::Chart { path },
        stem,
        target: None,
        prov_key,
    })
}

/// The image's repository and digest: the digest given, or the one its tag names now.
async fn image_subject(image: &str, plain_http: bool) -> Result<(String, Digest), Error> {
    match parse_image(image).map_err(Error::usage)? {
        (repository, Some(digest)) => Ok((repository, digest)),
        // A tag: resolved now, and the digest it names is the subject.
        (repository, None) => resolve_tag(&repository, plain_http).await,
    }
}

/// The release name for file names: the GitHub repository's name, else the image's last
/// path segment.
fn default_name(build: &BuildContext, repository: &str) -> String {
    build
        .repository
        .as_deref()
        .and_then(|r| r.rsplit('/').next())
        .map(str::to_string)
        .unwrap_or_else(|| repository.rsplit('/').next().unwrap_or("image").to_string())
}

/// `REGISTRY/REPO:TAG` → (`REGISTRY/REPO`, the digest the tag names in the registry now).
async fn resolve_tag(repository: &str, plain_http: bool) -> Result<(String, Digest), Error> {
    let Some((registry, tag)) = repository.rsplit_once(':') else {
        return Err(Error::usage("image: expected a tag or digest"));
    };
    let t = image_target(registry, plain_http, false).map_err(Error::usage)?;
    match t.client.tag_digest(&t.repo, tag).await {
        Ok(Some(d)) => Ok((registry.to_string(), d)),
        Ok(None) => Err(Error::new(
            ExitCode::Fetch,
            format!("image: expected the tag {tag} in {registry}, found none (404)"),
        )),
        Err(e) => Err(Error::new(
            ExitCode::Fetch,
            format!("image: resolving {repository}: {e}"),
        )),
    }
}

/// The signing services (`--signing-config`, `--staging`, else sigstore.dev) and the trusted
/// root that must verify what is published.
fn instance_and_trust(req: &SignerRequest) -> Result<(SigningInstance, Trust), String> {
    let instance = match (&req.signing_config, req.staging) {
        (Some(path), _) => SigningInstance::from_file(path).map_err(|e| e.to_string())?,
        (None, true) => SigningInstance::Staging,
        (None, false) => SigningInstance::PublicGood,
    };
    let trust = match (&req.trusted_root, &req.signing_config, req.staging) {
        (Some(path), _, _) => Trust::from_file(path),
        (None, Some(_), _) => {
            return Err(
                "--signing-config: a private instance needs its --trusted-root, to verify what is published".into(),
            );
        }
        (None, None, true) => Trust::embedded(Instance::Staging),
        (None, None, false) => Trust::production(),
    }
    .map_err(|e| e.to_string())?
    .accept_tsa_only(crate::bundle::danger::TsaOnly);
    Ok((instance, trust))
}

/// Who signs: the `--key`, or keyless with the identity token (`--identity-token`, else the
/// environment's).
async fn signing(req: &SignerRequest, instance: SigningInstance) -> Result<Signing, String> {
    match &req.key {
        Some(path) => Ok(Signing::Key {
            signer: KeySigner::from_pem_file(path).map_err(|e| e.to_string())?,
            instance,
            tlog_upload: req.tlog_upload,
            timestamp_server: req.timestamp_server.clone(),
        }),
        None => {
            let source = TokenSource {
                explicit: req.identity_token.clone(),
                ambient: true,
            };
            let token = publish::identity_token(&source)
                .await
                .map_err(|e| e.to_string())?;
            Ok(Signing::Keyless { instance, token })
        }
    }
}

fn exit_code(e: &PublishError) -> ExitCode {
    if e.is_verification() {
        ExitCode::Failed
    } else if e.is_service() || e.is_io() {
        ExitCode::Fetch
    } else {
        ExitCode::Usage
    }
}

/// The chart's name, from its `Chart.yaml` (Helm pushes to PATH/<name>).
fn chart_name(path: &std::path::Path) -> Result<String, String> {
    let bytes = crate::limits::read_file_capped(path, crate::limits::MAX_CHART_BYTES)
        .map_err(|e| format!("cannot read the chart {}: {e}", path.display()))?;
    let a = publish::helm_oci::chart_artifact(&bytes, None, "1970-01-01T00:00:00Z")
        .map_err(|e| format!("chart {}: {e}", path.display()))?;
    Ok(a.name)
}

/// A registry client for pushing: no cache (what is decided must be what the registry holds
/// now), plain HTTP to loopback or with --plain-http, credentials from the Docker config.
fn client_for(registry: &str, plain_http: bool) -> Result<RegistryClient, String> {
    let mut options = FetchOptions {
        no_cache: true,
        ..FetchOptions::default()
    };
    let mut mirrors = BTreeMap::new();
    if plain_http || super::verify_image::is_loopback(registry) {
        options.http.insecure_hosts.push(registry.to_string());
        mirrors.insert(registry.to_string(), format!("http://{registry}"));
    }
    let fetcher = Fetcher::new(options).map_err(|e| e.to_string())?;
    Ok(RegistryClient::new(fetcher, mirrors))
}

fn image_target(
    repository: &str,
    plain_http: bool,
    legacy_cosign: bool,
) -> Result<oci::Target, String> {
    let (registry, path) = repository
        .split_once('/')
        .ok_or_else(|| format!("image: expected REGISTRY/REPOSITORY, found {repository}"))?;
    Ok(oci::Target {
        client: client_for(registry, plain_http)?,
        repo: Repo {
            registry: registry.to_string(),
            repository: path.to_string(),
        },
        legacy_cosign,
        replace_tag: false,
    })
}

/// `oci://REGISTRY/PATH` and the chart's name → the repository PATH/NAME, as `helm push`.
fn registry_target(
    oci: &str,
    chart: &str,
    plain_http: bool,
    legacy_cosign: bool,
    replace_tag: bool,
) -> Result<oci::Target, String> {
    let base = crate::registry::parse_oci_chart(oci).map_err(|e| format!("--oci: {e}"))?;
    let repo = Repo {
        registry: base.registry.clone(),
        repository: format!("{}/{chart}", base.repository),
    };
    Ok(oci::Target {
        client: client_for(&repo.registry, plain_http)?,
        repo,
        legacy_cosign,
        replace_tag,
    })
}

/// `REGISTRY/REPO@sha256:HEX` → (`REGISTRY/REPO`, digest); `REGISTRY/REPO:TAG` →
/// (`REGISTRY/REPO:TAG`, none): the tag is resolved in the registry.
fn parse_image(image: &str) -> Result<(String, Option<Digest>), String> {
    let Some((repository, digest)) = image.split_once('@') else {
        let last = image.rsplit('/').next().unwrap_or_default();
        if image.contains('/') && last.contains(':') && !last.ends_with(':') {
            return Ok((image.to_string(), None));
        }
        return Err(format!(
            "image: expected REGISTRY/REPOSITORY@sha256:HEX or REGISTRY/REPOSITORY:TAG, found {image}"
        ));
    };
    let digest: Digest = digest.parse().map_err(|e| format!("image digest: {e}"))?;
    if digest.algorithm() != crate::digest::Algorithm::Sha256 {
        return Err(format!("image digest: expected sha256:…, found {digest}"));
    }
    let last = repository.rsplit('/').next().unwrap_or_default();
    if !repository.contains('/') || last.contains(':') || repository.is_empty() {
        return Err(format!(
            "image: expected REGISTRY/REPOSITORY without a tag before @, found {repository}"
        ));
    }
    Ok((repository.to_string(), Some(digest)))
}
