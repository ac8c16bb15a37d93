//! `kakunin publish chart|image`: produce a release's `.sigstore` bundle and `.intoto.jsonl`
//! (docs/publish.md). The library does the work and the verification of what it wrote; this
//! file turns flags and the GitHub Actions environment into a request and prints the result.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use kakunin::exit::ExitCode;
use kakunin::ops::publish::{SignerRequest, What};
use kakunin::ops::{self, PublishRequest};
use kakunin::publish::{BuildContext, Published, PublishedSigner};

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

/// `kakunin publish`, run on the CLI's runtime.
pub async fn run(what: PublishWhat) -> ExitCode {
    let (what, common) = match what {
        PublishWhat::Chart(a) => {
            let a = *a;
            let prov_key = a.prov_key.map(|k| {
                (
                    k,
                    std::env::var("KAKUNIN_PROV_PASSPHRASE").unwrap_or_default(),
                )
            });
            let what = What::Chart {
                path: a.chart,
                oci: a.oci,
                replace_tag: a.replace_tag,
                legacy_cosign: a.legacy_cosign,
                plain_http: a.plain_http,
                prov_key,
            };
            (what, a.common)
        }
        PublishWhat::Image(a) => {
            let a = *a;
            let what = What::Image {
                image: a.image,
                tag: a.tag,
                name: a.name,
                push_attestation: a.push_attestation,
                legacy_cosign: a.legacy_cosign,
                plain_http: a.plain_http,
            };
            (what, a.common)
        }
    };
    let request = PublishRequest {
        what,
        out: common.out.clone(),
        build: common.build.context(),
        signer: SignerRequest {
            key: common.key.clone(),
            tlog_upload: common.tlog_upload,
            timestamp_server: common.timestamp_server.clone(),
            identity_token: common.identity_token.clone(),
            staging: common.staging,
            signing_config: common.signing_config.clone(),
            trusted_root: common.trusted_root.clone(),
        },
    };
    match ops::publish(request).await {
        Ok(published) => report(&published, common.public_key_out.as_deref()),
        Err(e) => fail(e.code, e.message),
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
