//! How Helm names a chart's version and repository (`--version`, `--repo`, `--devel`), shared
//! by the commands that read a chart as `helm install` names it (`verify`, `inspect`).

use clap::Args;

use kakunin::chart::constraint;

// (Plain comments: a doc comment on a flattened struct would become the command's about.)
#[derive(Debug, Clone, Default, Args)]
pub struct HelmChartArgs {
    /// The chart version, as `helm install --version` takes it; for oci:// and --repo charts
    /// also a SemVer constraint as Helm reads it (`^1.2`, `~1.2.3`, `>=1.0 <2`, `1.2.x`; the
    /// highest match, pre-releases only when the constraint names one), and without it their
    /// newest release
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,

    /// The chart's HTTP Helm repository (helm's --repo): CHART is looked up in URL/index.yaml
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,

    /// Helm's --devel: without --version, pre-releases are candidates too (>0.0.0-0)
    #[arg(long)]
    pub devel: bool,
}

impl HelmChartArgs {
    /// `--version`, or `--devel`'s constraint when no version is given.
    pub fn version_or_devel(&self) -> Option<String> {
        match (&self.version, self.devel) {
            (None, true) => Some(constraint::DEVEL.to_string()),
            (v, _) => v.clone(),
        }
    }
}
