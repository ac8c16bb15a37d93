//! `kakunin publish chart|image`: produce a release's `.sigstore` bundle and `.intoto.jsonl`
//! (docs/publish.md). The library does the work and the verification of what it wrote; this
//! file turns flags and the GitHub Actions environment into a request and prints the result.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use kakunin::digest::Digest;
use kakunin::exit::ExitCode;
use kakunin::fetch::{FetchOptions, Fetcher};
use kakunin::publish::{
    self, BuildContext, KeySigner, PublishError, Published, PublishedSigner, Request, Signing,
    SigningInstance, Subject, TokenSource,
};
use kakunin::registry::{RegistryClient, Repo};
use kakunin::trust::{Instance, Trust};
use std::collections::BTreeMap;

use super::fail;

pub const EXAMPLES: &str = "\
Examples:
  # In GitHub Actions (permissions: id-token: write), keyless on sigstore.dev
  kakunin publish chart gomenhashai-1.3.2.tgz --out dist/
  kakunin publish image ghcr.io/gomenhashai/gomenhashai@sha256:… --tag v1.3.1 --out dist/

  # A private Sigstore instance, a token from elsewhere, provenance from flags
  kakunin publish chart app-1.0.0.tgz --out dist/ \\
      --signing-config signing_config.json --trusted-root trusted_root.json \\
      --identity-token \"$TOKEN\" --repository o/r --ref refs/heads/main --sha 1ac9… \\
      --workflow-ref o/r/.github/workflows/helm-release.yaml@refs/heads/main --run-id 42

  # With cosign's encrypted key (cosign generate-key-pair); the public key is written too
  COSIGN_PASSWORD=… kakunin publish chart app-1.0.0.tgz --out dist/ --key cosign.key --public-key-out dist/app.pub

  # On a laptop: a minimal provenance (weaker), offline, with a timestamp only
  kakunin publish chart app-1.0.0.tgz --out dist/ --key release.key \\
      --builder-id mailto:me@example.com --source https://example.com/o/r@1ac9… \\
      --tlog-upload=false --timestamp-server https://tsa.example.com/api/v1/timestamp

Writes <stem>.sigstore (bundle v0.3) and <stem>.intoto.jsonl (its DSSE envelope on one line),
verifies them as written, and leaves neither when anything fails.
Exit codes: 0 published and verified, 1 what was produced does not verify, 2 usage or input
error, 3 a signing service or the output directory failed.
";

/// What `kakunin publish` attests (its examples are attached in `cli/mod.rs`).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum PublishWhat {
    /// Attest a Helm chart package: subject = the .tgz's name and SHA-256
    Chart(Box<ChartArgs>),
    /// Attest a container image: subject = its repository and manifest digest
    Image(Box<ImageArgs>),
}

#[derive(Debug, Args)]
pub struct ChartArgs {
    /// The chart package, e.g. gomenhashai-1.3.2.tgz (files are named after it)
    #[arg(value_name = "CHART.tgz")]
    chart: PathBuf,
    /// Also write <chart>.tgz.prov, signed with this armored OpenPGP secret key (passphrase
    /// from $KAKUNIN_PROV_PASSPHRASE, if any)
    #[arg(long, value_name = "KEY.asc")]
    prov_key: Option<PathBuf>,
    /// Also push the chart to this OCI registry as `helm push` does (to PATH/<chart name>,
    /// tag = its version) and attach its signature and provenance as referrers
    #[arg(long, value_name = "oci://REGISTRY/PATH")]
    oci: Option<String>,
    /// With --oci: replace a version tag that holds another chart (never done otherwise)
    #[arg(long, requires = "oci")]
    replace_tag: bool,
    /// With --oci: also write cosign's legacy sha256-<hex>.sig and .att tags
    #[arg(long, requires = "oci")]
    legacy_cosign: bool,
    /// With --oci: talk to the registry over plain HTTP (loopback always is)
    #[arg(long, requires = "oci")]
    plain_http: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The image: REGISTRY/REPOSITORY@sha256:HEX, or REGISTRY/REPOSITORY:TAG (the tag is
    /// resolved to its manifest digest in the registry, and that digest is the subject)
    #[arg(value_name = "IMAGE@DIGEST|IMAGE:TAG")]
    image: String,
    /// The release tag, e.g. v1.3.1 (files are named <name>-<tag>)
    #[arg(long, value_name = "TAG")]
    tag: String,
    /// The release name for file names (default: the GitHub repository's name, else the
    /// image's last path segment), e.g. GomenHashai → GomenHashai-v1.3.1.sigstore
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Also attach the signature and provenance to the image in its registry (OCI referrers;
    /// the sha256-<hex> fallback tag where the registry has no referrers API). Credentials: the
    /// Docker config
    #[arg(long)]
    push_attestation: bool,
    /// With --push-attestation: also write cosign's legacy sha256-<hex>.sig and .att tags
    #[arg(long, requires = "push_attestation")]
    legacy_cosign: bool,
    /// Talk to the registry over plain HTTP (loopback always is)
    #[arg(long)]
    plain_http: bool,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// Directory to write the files into (created when missing; existing files are never replaced)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,

    /// OIDC identity token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)
    #[arg(long, value_name = "TOKEN", conflicts_with = "key")]
    identity_token: Option<String>,
    /// Sign with this private key instead of keyless: cosign.key (passphrase from COSIGN_PASSWORD) or PKCS#8 PEM; ECDSA P-256 or Ed25519
    #[arg(long, value_name = "PEM")]
    key: Option<PathBuf>,
    /// Write the key's public key (PEM) here (default: print it)
    #[arg(long, value_name = "FILE", requires = "key")]
    public_key_out: Option<PathBuf>,
    /// With --key: upload to the transparency log (cosign's name). --tlog-upload=false signs
    /// offline: no log entry, verifiable only with --insecure-ignore-tlog; needs --timestamp-server
    #[arg(
        long,
        value_name = "BOOL",
        default_value_t = true,
        action = clap::ArgAction::Set,
        requires = "key"
    )]
    tlog_upload: bool,
    /// With --key: the RFC 3161 timestamp authority to use (instead of the signing config's)
    #[arg(long, value_name = "URL", requires = "key")]
    timestamp_server: Option<String>,

    /// Sign with Sigstore's staging instance (sigstage.dev)
    #[arg(long, conflicts_with = "signing_config")]
    staging: bool,
    /// Sign with the instance this signing_config.json describes (needs --trusted-root)
    #[arg(long, value_name = "FILE")]
    signing_config: Option<PathBuf>,
    /// Verify what was written against this trusted_root.json (default: the instance's embedded root)
    #[arg(long, value_name = "FILE")]
    trusted_root: Option<PathBuf>,

    #[command(flatten)]
    build: BuildArgs,
}

// Provenance of the build: each flag overrides its GitHub Actions variable. (A plain comment:
// a doc comment here would become the `about` of `publish chart|image` when they are built.)
#[derive(Debug, Args)]
#[command(next_help_heading = "Provenance (default: the GitHub Actions environment)")]
struct BuildArgs {
    /// [$GITHUB_REPOSITORY] OWNER/REPO that built the artifact
    #[arg(long, value_name = "OWNER/REPO")]
    repository: Option<String>,
    /// [$GITHUB_WORKFLOW_REF] OWNER/REPO/.github/workflows/FILE@REF
    #[arg(long, value_name = "REF")]
    workflow_ref: Option<String>,
    /// The reusable workflow that signs, if not the top-level one (the builder id)
    #[arg(long, value_name = "REF")]
    job_workflow_ref: Option<String>,
    /// [$GITHUB_REF] git ref built, e.g. refs/tags/v1.3.1
    #[arg(long = "ref", value_name = "REF")]
    git_ref: Option<String>,
    /// [$GITHUB_SHA] commit built (40 hex digits)
    #[arg(long, value_name = "SHA")]
    sha: Option<String>,
    /// [$GITHUB_EVENT_NAME] e.g. push
    #[arg(long, value_name = "EVENT")]
    event_name: Option<String>,
    /// [$GITHUB_REPOSITORY_ID]
    #[arg(long, value_name = "ID")]
    repository_id: Option<String>,
    /// [$GITHUB_REPOSITORY_OWNER_ID]
    #[arg(long, value_name = "ID")]
    repository_owner_id: Option<String>,
    /// [$RUNNER_ENVIRONMENT] github-hosted or self-hosted
    #[arg(long, value_name = "ENV")]
    runner_environment: Option<String>,
    /// [$GITHUB_RUN_ID]
    #[arg(long, value_name = "ID")]
    run_id: Option<String>,
    /// [$GITHUB_RUN_ATTEMPT] (default 1)
    #[arg(long, value_name = "N")]
    run_attempt: Option<String>,
    /// [$GITHUB_SERVER_URL] (default https://github.com)
    #[arg(long, value_name = "URL")]
    server_url: Option<String>,
    /// Outside CI: who built it (a URI, e.g. mailto:you@example.com); with --source, makes a
    /// minimal provenance (weaker: only the signer vouches for it)
    #[arg(long, value_name = "URI", requires = "source")]
    builder_id: Option<String>,
    /// Outside CI: the repository and commit built, URI@COMMIT (with --builder-id)
    #[arg(long, value_name = "URI@COMMIT", requires = "builder_id")]
    source: Option<String>,
}

impl BuildArgs {
    fn context(&self) -> BuildContext {
        BuildContext {
            server_url: self.server_url.clone(),
            repository: self.repository.clone(),
            workflow_ref: self.workflow_ref.clone(),
            job_workflow_ref: self.job_workflow_ref.clone(),
            git_ref: self.git_ref.clone(),
            sha: self.sha.clone(),
            event_name: self.event_name.clone(),
            repository_id: self.repository_id.clone(),
            repository_owner_id: self.repository_owner_id.clone(),
            runner_environment: self.runner_environment.clone(),
            run_id: self.run_id.clone(),
            run_attempt: self.run_attempt.clone(),
            builder_id: self.builder_id.clone(),
            source: self.source.clone(),
            ci: None,
            gitlab: None,
        }
        .with_env(|v| std::env::var(v).ok())
    }
}

/// What a publish is about, parsed from its subcommand: the subject, the release file stem,
/// the common flags, the registry target and the `.prov` key.
struct Parsed {
    subject: Subject,
    stem: String,
    common: CommonArgs,
    target: Option<publish::oci::Target>,
    prov_key: Option<(std::path::PathBuf, String)>,
}

/// `kakunin publish`, run on the CLI's runtime.
pub async fn run(what: PublishWhat) -> ExitCode {
    let parsed = match what {
        PublishWhat::Chart(a) => parse_chart(*a),
        PublishWhat::Image(a) => parse_image_args(*a).await,
    };
    let Parsed {
        subject,
        stem,
        common,
        target,
        prov_key,
    } = match parsed {
        Ok(p) => p,
        Err(code) => return code,
    };
    // Every missing provenance field is reported now, before a key or token is looked at.
    let build = common.build.context();
    if let Err(e) = build.provenance() {
        return fail(
            ExitCode::Usage,
            format!("publish failed, nothing was written: {e}"),
        );
    }
    let (instance, trust) = match instance_and_trust(&common) {
        Ok(x) => x,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let signing = match signing(&common, instance).await {
        Ok(s) => s,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let request = Request {
        subject,
        stem,
        out: common.out.clone(),
        build,
        signing,
        trust,
        oci: target,
        prov_key,
    };
    match publish::publish(request).await {
        Ok(published) => report(&published, common.public_key_out.as_deref()),
        Err(e) => fail(
            exit_code(&e),
            format!("publish failed, nothing was written: {e}"),
        ),
    }
}

/// `publish chart`: the stem from the file name, and with `--oci` the repository
/// `PATH/<chart name>`.
fn parse_chart(a: ChartArgs) -> Result<Parsed, ExitCode> {
    let Some(stem) = a
        .chart
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".tgz"))
        .map(str::to_string)
    else {
        return Err(fail(
            ExitCode::Usage,
            format!(
                "chart: expected a NAME-VERSION.tgz file, found {}",
                a.chart.display()
            ),
        ));
    };
    let mut target = None;
    if let Some(oci) = &a.oci {
        let name = chart_name(&a.chart).map_err(|e| fail(ExitCode::Usage, e))?;
        target = Some(
            registry_target(oci, &name, a.plain_http, a.legacy_cosign, a.replace_tag)
                .map_err(|e| fail(ExitCode::Usage, e))?,
        );
    }
    let prov_key = a.prov_key.map(|k| {
        (
            k,
            std::env::var("KAKUNIN_PROV_PASSPHRASE").unwrap_or_default(),
        )
    });
    Ok(Parsed {
        subject: Subject::Chart { path: a.chart },
        stem,
        common: a.common,
        target,
        prov_key,
    })
}

/// `publish image`: a digest, or a tag resolved in the registry now; the stem `<name>-<tag>`.
async fn parse_image_args(a: ImageArgs) -> Result<Parsed, ExitCode> {
    let (repository, digest) = match parse_image(&a.image) {
        Ok((repository, Some(digest))) => (repository, digest),
        // A tag: resolved now, and the digest it names is the subject.
        Ok((repository, None)) => resolve_tag(&repository, a.plain_http).await?,
        Err(e) => return Err(fail(ExitCode::Usage, e)),
    };
    let build = a.common.build.context();
    let name = a
        .name
        .clone()
        .or_else(|| {
            build
                .repository
                .as_deref()
                .and_then(|r| r.rsplit('/').next())
                .map(str::to_string)
        })
        .unwrap_or_else(|| repository.rsplit('/').next().unwrap_or("image").to_string());
    let stem = format!("{name}-{}", a.tag);
    let target = if a.push_attestation {
        Some(
            image_target(&repository, a.plain_http, a.legacy_cosign)
                .map_err(|e| fail(ExitCode::Usage, e))?,
        )
    } else {
        None
    };
    Ok(Parsed {
        subject: Subject::Image { repository, digest },
        stem,
        common: a.common,
        target,
        prov_key: None,
    })
}

/// `REGISTRY/REPO:TAG` → (`REGISTRY/REPO`, the digest the tag names in the registry now).
async fn resolve_tag(repository: &str, plain_http: bool) -> Result<(String, Digest), ExitCode> {
    let Some((registry, tag)) = repository.rsplit_once(':') else {
        return Err(fail(ExitCode::Usage, "image: expected a tag or digest"));
    };
    let t = image_target(registry, plain_http, false).map_err(|e| fail(ExitCode::Usage, e))?;
    match t.client.tag_digest(&t.repo, tag).await {
        Ok(Some(d)) => Ok((registry.to_string(), d)),
        Ok(None) => Err(fail(
            ExitCode::Fetch,
            format!("image: expected the tag {tag} in {registry}, found none (404)"),
        )),
        Err(e) => Err(fail(
            ExitCode::Fetch,
            format!("image: resolving {repository}: {e}"),
        )),
    }
}

/// The signing services (`--signing-config`, `--staging`, else sigstore.dev) and the trusted
/// root that must verify what is published.
fn instance_and_trust(common: &CommonArgs) -> Result<(SigningInstance, Trust), String> {
    let instance = match (&common.signing_config, common.staging) {
        (Some(path), _) => SigningInstance::from_file(path).map_err(|e| e.to_string())?,
        (None, true) => SigningInstance::Staging,
        (None, false) => SigningInstance::PublicGood,
    };
    let trust = match (&common.trusted_root, &common.signing_config, common.staging) {
        (Some(path), _, _) => Trust::from_file(path),
        (None, Some(_), _) => {
            return Err(
                "--signing-config: a private instance needs its --trusted-root, to verify what is published".into(),
            );
        }
        (None, None, true) => Trust::embedded(Instance::Staging),
        (None, None, false) => Trust::production(),
    }
    .map_err(|e| e.to_string())?;
    Ok((instance, trust))
}

/// Who signs: the `--key`, or keyless with the identity token (`--identity-token`, else the
/// environment's).
async fn signing(common: &CommonArgs, instance: SigningInstance) -> Result<Signing, String> {
    match &common.key {
        Some(path) => Ok(Signing::Key {
            signer: KeySigner::from_pem_file(path).map_err(|e| e.to_string())?,
            instance,
            tlog_upload: common.tlog_upload,
            timestamp_server: common.timestamp_server.clone(),
        }),
        None => {
            let source = TokenSource {
                explicit: common.identity_token.clone(),
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

fn report(p: &Published, public_key_out: Option<&std::path::Path>) -> ExitCode {
    println!("published {} ({})", p.subject_name, p.subject_digest);
    println!("  {}", p.bundle.display());
    println!("  {}", p.envelope.display());
    if let Some(prov) = &p.prov {
        println!("  {}", prov.display());
    }
    match &p.signer {
        PublishedSigner::Certificate { identity, issuer } => {
            println!("  signed by {identity} (issuer {issuer}), verified as written");
            print_attached(p);
        }
        PublishedSigner::Key {
            public_key_pem,
            algorithm,
            logged,
        } => {
            print_attached(p);
            println!("  signed with a {algorithm} key, verified as written");
            if !logged {
                println!(
                    "  NO transparency-log entry (--tlog-upload=false): verifiers must opt out with --insecure-ignore-tlog"
                );
            }
            match public_key_out {
                Some(path) => {
                    if let Err(e) = std::fs::write(path, public_key_pem) {
                        return fail(
                            ExitCode::Fetch,
                            format!("cannot write the public key to {}: {e}", path.display()),
                        );
                    }
                    println!("  public key: {}", path.display());
                }
                None => print!("{public_key_pem}"),
            }
        }
    }
    ExitCode::Verified
}

fn print_attached(p: &Published) {
    if let Some(o) = &p.oci {
        match &o.tag {
            Some((tag, true)) => println!(
                "  {}:{tag} already held this chart ({}); not pushed again",
                o.repository, o.manifest
            ),
            Some((tag, false)) => println!("  pushed {}:{tag} ({})", o.repository, o.manifest),
            None => {}
        }
        for (what, r) in &o.referrers {
            match &r.fallback_tag {
                Some(tag) => println!(
                    "  attached the {what} as {} (referrers index in tag {tag})",
                    r.manifest
                ),
                None => println!("  attached the {what} as {} (referrers API)", r.manifest),
            }
        }
        for t in &o.legacy_tags {
            println!("  cosign legacy tag {}:{t}", o.repository);
        }
        println!(
            "  read back from the registry and verified: {}",
            o.verified.join(", ")
        );
    }
}

/// The chart's name, from its `Chart.yaml` (Helm pushes to PATH/<name>).
fn chart_name(path: &std::path::Path) -> Result<String, String> {
    let bytes = kakunin::limits::read_file_capped(path, kakunin::limits::MAX_CHART_BYTES)
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
) -> Result<publish::oci::Target, String> {
    let (registry, path) = repository
        .split_once('/')
        .ok_or_else(|| format!("image: expected REGISTRY/REPOSITORY, found {repository}"))?;
    Ok(publish::oci::Target {
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
) -> Result<publish::oci::Target, String> {
    let base = kakunin::registry::parse_oci_chart(oci).map_err(|e| format!("--oci: {e}"))?;
    let repo = Repo {
        registry: base.registry.clone(),
        repository: format!("{}/{chart}", base.repository),
    };
    Ok(publish::oci::Target {
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
    if digest.algorithm() != kakunin::digest::Algorithm::Sha256 {
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
