//! The policy `verify` checks a release against: `--policy FILE` (docs/policy.md), a
//! `--profile FILE` read as a policy, or the chart's built-in one; and Helm's `--values`/`-f`
//! and `--set`, so that the images checked are the ones the release deploys.

use std::path::{Path, PathBuf};

use crate::helm_values::UserValues;
use crate::policy::Policy;
use crate::profile::Profile;

use super::super::Error;
use super::VerifyRequest;

/// The policy file and the values the release will be installed with, as given.
#[derive(Debug, Clone, Default)]
pub struct PolicyFiles {
    /// `--policy FILE`.
    pub policy: Option<PathBuf>,
    /// Helm's `-f`/`--values` files, in order (later files win).
    pub values: Vec<PathBuf>,
    /// Helm's `--set` assignments, in order (applied after the files).
    pub set: Vec<String>,
    /// `--image-policy GLOB=SPEC` rules, before the policy's own.
    pub image_policy: Vec<String>,
}

impl PolicyFiles {
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
        let policy = policy
            .with_image_specs(&self.image_policy, Path::new("."))
            .map_err(|e| e.to_string())?;
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
            let bytes = crate::limits::read_file_capped(path, crate::helm_values::MAX_VALUES_BYTES)
                .map_err(|e| format!("values file {}: {e}", path.display()))?;
            v.add_file(&bytes, &path.display().to_string())?;
        }
        for s in &self.set {
            v.add_set(s)?;
        }
        Ok(v)
    }
}

/// The policy, the user's values and the release section's profile (for `chart`, its URLs
/// within the transport policy of `req.fetch`).
pub(super) fn load(
    req: &VerifyRequest,
    chart: &str,
) -> Result<(Policy, UserValues, Profile), Error> {
    let policy = req
        .policy
        .load(req.profile.as_deref(), chart)
        .map_err(Error::usage)?;
    let values = req.policy.user_values().map_err(Error::usage)?;
    let profile: Profile = policy.release().cloned().ok_or_else(|| {
        Error::usage(format!(
            "policy {}: no release section, so nothing says where {chart}@VERSION is published \
             (docs/policy.md)",
            policy.origin()
        ))
    })?;
    if profile.chart() != chart {
        return Err(Error::usage(format!(
            "the profile is for chart {:?}, not {chart:?}",
            profile.chart()
        )));
    }
    let profile_path = req
        .policy
        .policy
        .as_deref()
        .or(req.profile.as_deref())
        .unwrap_or(Path::new("<built-in>"));
    let url_policy = crate::fetch::UrlPolicy::new(req.fetch.http.insecure_hosts.clone());
    crate::fetch::policy::check_profile(&profile, profile_path, &url_policy)
        .map_err(Error::usage)?;
    Ok((policy, values, profile))
}
