//! `kakunin trust-root`: show an embedded trusted root, or refresh one through TUF into the
//! user's cache (never needed for verification, which uses the embedded roots offline).

use std::path::PathBuf;

use clap::Subcommand;

use kakunin::exit::ExitCode;
use kakunin::fetch::tuf as trust;
use kakunin::trust::Instance;

use super::fail;
use super::runtime::Runtime;

pub const EXAMPLES: &str = "\
Examples:
  # Print the embedded public-good root (e.g. to pin it, or to give it to another verifier)
  kakunin trust-root show > trusted_root.json

  # Refresh GitHub's root through TUF, then verify against the refreshed copy
  kakunin trust-root update --instance github
  kakunin verify-bundle --trusted-root ~/.cache/kakunin/trust/github/trusted_root.json …
";

/// `kakunin trust-root show|update` (its examples are attached in `cli/mod.rs`).
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum TrustRootCommand {
    /// Print an embedded trusted_root.json to stdout
    Show {
        /// Which instance's root
        #[arg(long, value_name = "NAME", default_value = "public-good", value_parser = ["public-good", "staging", "github"])]
        instance: String,
    },
    /// Fetch the current trusted roots through TUF (network) into the cache directory
    Update {
        /// Which instances to refresh (default: all three)
        #[arg(long, value_name = "NAME", value_parser = ["public-good", "staging", "github"])]
        instance: Vec<String>,
        /// Where to keep the refreshed roots (default: $XDG_CACHE_HOME/kakunin/trust)
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
        /// A mirror of the instance's TUF repository (trust still starts from the embedded TUF root)
        #[arg(long, value_name = "URL")]
        tuf_url: Option<String>,
    },
}

pub fn run(command: TrustRootCommand, rt: &Runtime) -> ExitCode {
    match command {
        TrustRootCommand::Show { instance } => {
            let Some(instance) = Instance::from_name(&instance) else {
                return fail(ExitCode::Usage, format!("unknown instance {instance:?}"));
            };
            print!("{}", instance.embedded_json());
            ExitCode::Verified
        }
        TrustRootCommand::Update {
            instance,
            cache_dir,
            tuf_url,
        } => {
            let Some(cache) = cache_dir.or_else(trust::cache_dir) else {
                return fail(ExitCode::Usage, trust::UpdateError::NoCacheDir);
            };
            let instances: Vec<Instance> = if instance.is_empty() {
                vec![Instance::Production, Instance::Staging, Instance::GitHub]
            } else {
                instance
                    .iter()
                    .filter_map(|n| Instance::from_name(n))
                    .collect()
            };
            let mut code = ExitCode::Verified;
            for instance in instances {
                match rt.block_on(trust::update(instance, &cache, tuf_url.as_deref())) {
                    Ok(updated) => println!(
                        "{}: refreshed through TUF: {}",
                        instance.name(),
                        updated.path.display()
                    ),
                    Err(e) => {
                        let c = match e {
                            trust::UpdateError::Tuf { .. } => ExitCode::Fetch,
                            trust::UpdateError::Unusable { .. } => ExitCode::Failed,
                            _ => ExitCode::Usage,
                        };
                        code = code.worst(fail(c, e));
                    }
                }
            }
            code
        }
    }
}
