//! The image checks a policy with images rules adds to a release's report: every image the
//! release's chart deploys (with the user's values) is checked (`deployed::verify`), read from
//! the [`VerifiedChart`] only: a chart whose digest is not bound to the index and the
//! signatures leaves them not run.

use crate::chart_verify::Registries;
use crate::deployed;
use crate::fetch::Fetcher;
use crate::helm_values::UserValues;
use crate::policy::Policy;
use crate::profile::Profile;
use crate::release::{CouldNotRun, VerifiedChart};
use crate::report::Report;
use crate::trust::Trust;

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
    pub async fn add(
        &self,
        mut report: Report,
        chart: &Result<VerifiedChart, CouldNotRun>,
    ) -> Report {
        if !self.policy.checks_images() {
            return report;
        }
        let registries =
            Registries::with_mirrors(self.fetcher.clone(), self.profile.registry_mirrors());
        let req = deployed::Request {
            policy: self.policy,
            trust: self.trust,
            values: self.values,
            options: Default::default(),
            registries: &registries,
        };
        let (checks, images, not_required) = deployed::verify(&req, chart).await;
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
