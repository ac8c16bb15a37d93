//! The `kakunin` command: parse the command line, call the library, render, exit.

mod cli;

fn main() -> std::process::ExitCode {
    // Before any signature is checked: one that verified is not verified again in this run.
    kakunin::signature_memo::install();
    cli::main()
}
