//! `verify`'s policy and values flags: `--policy FILE` (docs/policy.md), and Helm's
//! `--values`/`-f` and `--set`, so that the images checked are the ones the release deploys.

use std::path::{Path, PathBuf};

use clap::Args;

use kakunin::chart::package::ChartPackage;
use kakunin::check::{Check, ids};
use kakunin::deployed;
use kakunin::fetch::Fetcher;
use kakunin::helm_values::UserValues;
use kakunin::policy::Policy;
use kakunin::profile::Profile;
use kakunin::release::Evidence;
use kakunin::report::Report;
use kakunin::trust::Trust;

#[derive(Debug, Clone, Default, Args)]
pub struct PolicyArgs {
    /// A policy file (docs/policy.md): per artifact (the chart, each image by repository glob)
    /// the signer required, the attestations and the version rules; every image the chart
    /// deploys is then checked (image.policy, image.pinned, image.signature)
    #[arg(long, value_name = "FILE", conflicts_with = "profile")]
    pub policy: Option<PathBuf>,

    /// A values file the release will be installed with (helm's -f/--values; repeatable, later
    /// files win): the images checked are those it deploys
    #[arg(long = "values", short = 'f', value_name = "FILE")]
    pub values: Vec<PathBuf>,

    /// A value the release will be installed with, in helm's --set syntax (a.b=c,list[0]=d;
    /// repeatable, applied after --values)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl PolicyArgs {
    /// The policy: `--policy FILE`, a `--profile FILE` as a policy, or the chart's built-in.
    pub fn load(&self, profile: Option<&Path>, chart: &str) -> Result<Policy, String> {
        let policy = match (&self.policy, profile) {
            (Some(path), _) => Policy::load(path).map_err(|e| e.to_string())?,
            (None, Some(path)) => Policy::from_profile(
                Profile::load(path).map_err(|e| e.to_string())?,
                &path.display().to_string(),
            ),
            (None, None) => Policy::builtin(chart).map_err(|e| e.to_string())?,
        };
        if (!self.values.is_empty() || !self.set.is_empty()) && !policy.checks_images() {
            return Err(format!(
                "--values and --set choose the images that are checked, and {} checks no images \
                 (it has no images rules): give a policy with images rules (docs/policy.md)",
                policy.origin()
            ));
        }
        Ok(policy)
    }

    /// The user's values: the files in order, then the `--set` assignments in order.
    pub fn user_values(&self) -> Result<UserValues, String> {
        let mut v = UserValues::none();
        for path in &self.values {
            let bytes =
                kakunin::limits::read_file_capped(path, kakunin::helm_values::MAX_VALUES_BYTES)
                    .map_err(|e| format!("values file {}: {e}", path.display()))?;
            v.add_file(&bytes, &path.display().to_string())?;
        }
        for s in &self.set {
            v.add_set(s)?;
        }
        Ok(v)
    }
}

/// What the image checks of every release need.
pub struct ImageChecks<'a> {
    pub fetcher: &'a Fetcher,
    pub policy: &'a Policy,
    pub trust: &'a Trust,
    pub values: &'a UserValues,
    pub profile: &'a Profile,
}

impl ImageChecks<'_> {
    /// `report` with the checks of every image the release's chart deploys, when the policy
    /// has image rules (a release section alone verifies exactly as its profile does).
    pub async fn add(&self, mut report: Report, ev: &Evidence) -> Report {
        if !self.policy.checks_images() {
            return report;
        }
        let package = match &ev.package {
            Ok(p) => ChartPackage::read(&p.bytes).map_err(|e| format!("{}: {e}", p.source)),
            Err(m) => Err(m.to_string()),
        };
        let package = match package {
            Ok(p) => p,
            Err(why) => {
                report.checks.push(Check::not_run(
                    ids::IMAGE_POLICY,
                    "the images the chart deploys are covered by the policy",
                    "the chart package, to list its images",
                    why,
                ));
                return report;
            }
        };
        let req = deployed::Request {
            policy: self.policy,
            trust: self.trust,
            values: self.values,
            mirrors: self.profile.image.mirrors.clone(),
        };
        let (checks, images, not_required) = deployed::verify(self.fetcher, &req, &package).await;
        report.checks.extend(checks);
        if let serde_json::Value::Object(d) = &mut report.details {
            d.insert("images".into(), images);
            if !not_required.is_empty() {
                let list = d
                    .entry("not_required")
                    .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                if let serde_json::Value::Array(a) = list {
                    a.extend(not_required);
                }
            }
        }
        report
    }
}
