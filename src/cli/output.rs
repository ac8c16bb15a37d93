//! The output options every verify command shares, and printing a report with them.

use std::io::{IsTerminal, Write};

use anstream::ColorChoice;
use clap::{Args, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::report::{self, Format, HumanStyle, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// A line per check for people (colour: see --color)
    #[default]
    Human,
    /// The JSON report (docs/report.md)
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// JUnit XML, for CI test reports
    Junit,
}

/// When the human report is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorWhen {
    /// On a terminal, unless NO_COLOR is set, TERM=dumb or CLICOLOR=0 (CLICOLOR_FORCE forces it)
    #[default]
    Auto,
    /// Always, even into a pipe or a file
    Always,
    /// Never
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Report format (--format is the same option, as `gh attestation verify --format json`)
    #[arg(long, short = 'o', visible_alias = "format", value_enum, default_value_t = OutputFormat::Human, global = true)]
    pub output: OutputFormat,
    /// No progress bars
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// Also show expected and found values of checks that passed (human output)
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// When to colour the human report
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,
}

/// A report printed: its exit code.
pub struct Rendered(pub ExitCode);

impl OutputArgs {
    pub fn format(&self) -> Format {
        match self.output {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Junit => Format::Junit,
        }
    }

    /// Whether progress bars may be drawn: a terminal on stderr, human output, not quiet.
    pub fn progress_allowed(&self) -> bool {
        !self.quiet && self.output == OutputFormat::Human && std::io::stderr().is_terminal()
    }

    /// Whether the human report is coloured: `--color`, and for `auto` what anstream decides
    /// from stdout and the environment (NO_COLOR, CLICOLOR_FORCE, CLICOLOR, TERM).
    pub fn color(&self) -> bool {
        let choice = match self.color {
            ColorWhen::Always => ColorChoice::Always,
            ColorWhen::Never => ColorChoice::Never,
            ColorWhen::Auto => anstream::AutoStream::choice(&std::io::stdout()),
        };
        choice != ColorChoice::Never
    }

    /// Prints the reports to stdout and returns the overall exit code.
    pub fn print(&self, reports: &[Report]) -> Rendered {
        let style = HumanStyle {
            color: self.color(),
            verbose: self.verbose,
            host: hostname(),
        };
        let text = report::render(reports, self.format(), style);
        let mut out = std::io::stdout().lock();
        // A closed pipe (`| head`) is not an error of the verification.
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        Rendered(report::overall(reports))
    }
}

/// The host this runs on, for JUnit's `hostname`: the kernel's name for it, else `HOSTNAME` or
/// `COMPUTERNAME`, else `localhost`. Read once.
pub fn hostname() -> &'static str {
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOST.get_or_init(|| {
        std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .or_else(|| std::env::var("COMPUTERNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty() && h.len() <= 255)
            .unwrap_or_else(|| "localhost".into())
    })
}

/// The ops' notes, on stderr in the CLI's style.
pub struct Notes;

impl kakunin::ops::Shell for Notes {
    fn note(&self, message: &str) {
        eprintln!("kakunin: note: {message}");
    }
}
