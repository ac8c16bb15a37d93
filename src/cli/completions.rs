//! `kakunin completions` and `kakunin man`: generated from the clap definition, so they can
//! never drift from the real command line (a test compares them with `completions/`).

use std::path::PathBuf;

use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;

use kakunin::exit::ExitCode;

use super::{Cli, fail};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    shell: CompletionShell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write kakunin.1 and one kakunin-<command>.1 per command into this directory
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> ExitCode {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
        CompletionShell::Elvish => Shell::Elvish,
    };
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "kakunin", &mut std::io::stdout());
    ExitCode::Verified
}

pub fn man(args: ManArgs) -> ExitCode {
    let pages = super::help::pages();
    match args.out_dir {
        None => {
            let (_, root) = &pages[0];
            match std::io::Write::write_all(&mut std::io::stdout(), root) {
                Ok(()) => ExitCode::Verified,
                Err(e) => fail(
                    ExitCode::Usage,
                    format!("cannot write the manual page: {e}"),
                ),
            }
        }
        Some(dir) => {
            for (name, page) in &pages {
                if let Err(e) = std::fs::write(dir.join(name), page) {
                    return fail(
                        ExitCode::Usage,
                        format!("cannot write manual pages into {}: {e}", dir.display()),
                    );
                }
            }
            ExitCode::Verified
        }
    }
}
