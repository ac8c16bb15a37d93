//! Command-line interface: thin. Each command parses its arguments into a request, calls the
//! library, renders the report and maps the verdict to an exit code (docs/exit-codes.md).

mod chart_args;
mod completions;
mod download;
mod emit_values;
mod fetch_args;
mod help;
mod inspect;
mod output;
mod policy;
mod post_render;
mod publish;
mod runtime;
mod sign_bundle;
pub(crate) mod signer;
mod trust_root;
mod verify;
mod verify_attestation;
mod verify_bundle;
mod verify_image;

use clap::{Parser, Subcommand};

use kakunin::exit::ExitCode;

pub use output::OutputArgs;

const EXAMPLES: &str = "\
Examples:
  # Verify a chart release end to end before `helm install` (built-in profile)
  kakunin verify gomenhashai@1.3.2

  # Verify a file against its Sigstore bundle and the workflow that must have signed it
  kakunin verify-bundle --bundle app.sigstore \\
    --certificate-identity-regexp 'https://github.com/o/r/.*@refs/tags/v.*' \\
    --certificate-oidc-issuer https://token.actions.githubusercontent.com app.tgz

Exit codes:
  0  verified: everything asked for was checked and holds
  1  verification failed: at least one check ran and failed
  2  usage or input error: the command line or an input file is wrong
  3  could not fetch: something could not be fetched, or a check could not run
";

/// Verify a Helm chart release, the image it points at, their Sigstore bundles and in-toto
/// attestations, before you install it.
#[derive(Debug, Parser)]
// `--version` (`-V`) is kakunin's own only at the top: on `verify` and `download` it is the
// chart version as in Helm, and on every other subcommand it is a usage error (exit 2), so that
// `kakunin verify mychart --version 1.2.3` can never print a version and exit 0.
#[command(name = "kakunin", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Each subcommand's arguments are built only when that subcommand runs (`defer`): building all
// of them, as clap otherwise does on every start, was ~0.1 ms of each `verify-bundle`
// (docs/performance.md). `trust-root` and `publish` are nested subcommand variants so that their
// own subcommands stay known to `kakunin help` and to the completions.
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum Command {
    /// Verify a chart release end to end: chart, image, bundles, attestations, versions
    Verify(Box<verify::VerifyArgs>),
    /// Verify an artifact (file or digest) against a Sigstore bundle, offline
    VerifyBundle(verify_bundle::VerifyBundleArgs),
    /// Show the embedded Sigstore trusted roots, or refresh them through TUF into the cache
    #[command(subcommand)]
    TrustRoot(trust_root::TrustRootCommand),
    /// Verify an in-toto attestation: its bundle, subject, predicate type and SLSA provenance
    VerifyAttestation(verify_attestation::VerifyAttestationArgs),
    /// Verify a container image's signatures and attestations (cosign .sig/.att, Sigstore bundles)
    VerifyImage(verify_image::VerifyImageArgs),
    /// Download a release (chart, provenance, bundles, image manifests and attestations) into a kit for offline verification
    Download(download::DownloadArgs),
    /// What is published for a chart (oci://, --repo, .tgz) and by whom, and a policy draft to review
    Inspect(inspect::InspectArgs),
    /// Print shell completions for kakunin to stdout
    Completions(completions::CompletionsArgs),
    /// Print kakunin's manual page (roff) to stdout, or write one page per command into a directory
    Man(completions::ManArgs),
    /// Sign a file or an in-toto statement keylessly (the Sigstore conformance protocol)
    SignBundle(sign_bundle::SignBundleArgs),
    /// Produce a release's .sigstore bundle and .intoto.jsonl (SLSA provenance), keyless or with a key
    #[command(subcommand)]
    Publish(publish::PublishWhat),
    /// Helm post-renderer: verify every rendered image and pin it by digest (manifests on stdin, to stdout)
    PostRender(post_render::PostRenderArgs),
    /// Export what kakunin verifies as a cluster admission policy (Kyverno, policy-controller) or GomenHashai values
    #[command(subcommand)]
    Policy(policy::PolicyCommand),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; everything else is a usage error (exit 2).
            let code = if e.use_stderr() {
                ExitCode::Usage.code()
            } else {
                0
            };
            if e.kind() == clap::error::ErrorKind::DisplayHelp
                && !std::io::IsTerminal::is_terminal(&std::io::stdout())
            {
                // Not on a terminal: plain text without clap's whitespace-only lines.
                let text = e.render().to_string();
                for line in text.lines() {
                    println!("{}", line.trim_end());
                }
            } else {
                let _ = e.print();
            }
            if e.kind() == clap::error::ErrorKind::DisplayHelp {
                // Examples verbatim, after clap's (re-wrapped) help: see cli/help.rs.
                let args: Vec<String> = std::env::args().skip(1).collect();
                help::print_examples_after_help(&args);
            }
            return std::process::ExitCode::from(code);
        }
    };
    std::process::ExitCode::from(dispatch(cli.command).code())
}

/// Runs a command: those that do async I/O get the one runtime (started here, once), but
/// `verify-image`, which starts its one runtime itself once it knows where its image is.
fn dispatch(command: Command) -> ExitCode {
    match command {
        Command::VerifyBundle(args) => verify_bundle::run(args),
        Command::VerifyAttestation(args) => verify_attestation::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
        // Chooses its runtime: none of its own threads for an image on this machine.
        Command::VerifyImage(args) => verify_image::run(args),
        command => match runtime::start() {
            Ok(rt) => dispatch_async(command, &rt),
            Err(code) => code,
        },
    }
}

/// The commands that run on the runtime (the others are here only for the match to be whole).
fn dispatch_async(command: Command, rt: &runtime::Runtime) -> ExitCode {
    match command {
        Command::Verify(args) => verify::run(*args, rt),
        Command::TrustRoot(args) => trust_root::run(args, rt),
        Command::VerifyImage(args) => verify_image::run(args),
        Command::Download(args) => download::run(args, rt),
        Command::Inspect(args) => inspect::run(args, rt),
        Command::SignBundle(args) => rt.block_on(sign_bundle::run(args)),
        Command::Publish(args) => rt.block_on(publish::run(args)),
        Command::PostRender(args) => post_render::run(args, rt),
        Command::Policy(args) => policy::run(args, rt),
        Command::VerifyBundle(args) => verify_bundle::run(args),
        Command::VerifyAttestation(args) => verify_attestation::run(args),
        Command::Completions(args) => completions::completions(args),
        Command::Man(args) => completions::man(args),
    }
}

/// Prints an error in the CLI's one style and returns its exit code.
pub fn fail(code: ExitCode, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("kakunin: error: {message}");
    code
}
