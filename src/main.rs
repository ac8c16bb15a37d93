//! The `kakunin` command: parse the command line, call the library, render, exit.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
