//! The output options every verify command shares, and printing a report with them.

use std::io::IsTerminal;

use clap::{Args, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::report::{self, Format, HumanStyle, Report};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// A line per check for people (colour on a terminal unless NO_COLOR is set)
    #[default]
    Human,
    /// The JSON report (docs/report.md)
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards
    Sarif,
    /// JUnit XML, for CI test reports
    Junit,
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

    /// Prints the reports to stdout and returns the overall exit code.
    pub fn print(&self, reports: &[Report]) -> Rendered {
        let color = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        let style = HumanStyle {
            color,
            verbose: self.verbose,
        };
        print!("{}", report::render(reports, self.format(), style));
        Rendered(report::overall(reports))
    }
}
