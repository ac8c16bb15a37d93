//! `ops::verify_image`: a container image's signatures and attestations (cosign's `.sig`/`.att`
//! tags, Sigstore bundles attached as referrers) verified against its digest, in a registry or
//! an OCI image layout on disk, and for an index optionally the manifest of one platform. A
//! key cosign cannot have signed with, a root that does not load, a layout that cannot be
//! opened, and signatures found only of an algorithm kakunin cannot check (a P-521
//! certificate) when nothing verified, are usage errors (exit 2); everything else is a check of
//! the report.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::bundle::Policy;
use crate::check::Check;
use crate::cosign::{Options, predicate};
use crate::exit::ExitCode;
use crate::fetch::{FetchOptions, Fetcher};
use crate::image::{self, ImageRef, Layout, PlatformSpec, Request, Source, Subject};
use crate::registry::RegistryClient;
use crate::report::Report;
use crate::trust::{Instance, Trust};

use super::Error;

/// The image and who must have signed it (`kakunin verify-image`).
pub struct VerifyImageRequest {
    /// The reference as given (the report's subject), and parsed.
    pub subject: String,
    pub reference: ImageRef,
    /// For an index: also the signatures of this platform's manifest.
    pub platform: Option<PlatformSpec>,
    /// Who must have signed.
    pub policy: Policy,
    /// `--insecure-ignore-tlog` and `--docker-reference`.
    pub options: Options,
    /// Predicate types (cosign short names or URIs) an attestation must be found for.
    pub attestations: Vec<String>,
    /// A trusted_root.json, else the embedded root of `instance` (default public-good).
    pub trusted_root: Option<PathBuf>,
    pub instance: Option<Instance>,
    pub fetch: FetchOptions,
}

/// Verifies the image `req` names: one report (see the module documentation).
pub async fn verify_image(req: VerifyImageRequest) -> Result<Report, Error> {
    crate::cosign::check_key_algorithm(&req.policy).map_err(Error::usage)?;
    let trust = Trust::select(req.trusted_root.as_deref(), req.instance, false)
        .map_err(Error::usage)?
        .accept_tsa_only(crate::bundle::danger::TsaOnly);
    let request = Request {
        policy: req.policy,
        options: req.options,
        attestations: req
            .attestations
            .iter()
            .map(|a| predicate::resolve(a))
            .collect(),
        lookup: crate::image::Lookup::Every,
    };
    let layout;
    let client;
    let (source, target) = match req.reference {
        ImageRef::Layout { dir, target } => {
            layout = Layout::open(&dir).map_err(Error::usage)?;
            (Source::Layout(&layout), target)
        }
        ImageRef::Registry { repo, target } => {
            let fetcher = Fetcher::new(req.fetch).map_err(Error::usage)?;
            // A registry on this machine speaks plain HTTP (as cosign and crane assume).
            let mut mirrors = BTreeMap::new();
            if is_loopback(&repo.registry) {
                mirrors.insert(repo.registry.clone(), format!("http://{}", repo.registry));
            }
            client = RegistryClient::new(fetcher, mirrors);
            let source = Source::Registry {
                client: &client,
                repo,
            };
            (source, target)
        }
    };
    let (checks, details) = match image::resolve(&source, &target).await {
        Ok((digest, resolved)) => {
            let platform = req.platform.as_ref();
            subjects(&trust, &source, digest, resolved, platform, &request).await
        }
        Err(check) => (vec![check], serde_json::Value::Null),
    };
    let mut report = Report::new("verify-image", req.subject);
    report.checks = checks;
    report.details = details;
    if !report.details.is_null() {
        report.details["trusted_root"] = trust.name().into();
    }
    // Signatures kakunin cannot check (a P-521 certificate…) are an input error (exit 2), as
    // in verify-bundle, never a failed verification.
    if let Some(why) = image::input_error(&report.details)
        && matches!(
            crate::check::verdict(&report.checks),
            ExitCode::Failed | ExitCode::Usage
        )
    {
        return Err(Error::usage(why));
    }
    Ok(report)
}

/// The resolved image (and with a platform, the manifest it selects) verified: the checks in
/// order (resolution, platform selection, then each subject's) and the details.
async fn subjects(
    trust: &Trust,
    source: &Source<'_>,
    digest: crate::digest::Digest,
    resolved: Check,
    platform: Option<&PlatformSpec>,
    request: &Request,
) -> (Vec<Check>, serde_json::Value) {
    let mut first = vec![resolved];
    let mut subjects = Vec::new();
    let mut selected = serde_json::Value::Null;
    match platform {
        None => subjects.push(Subject::new(digest.clone(), "image")),
        Some(spec) => {
            subjects.push(Subject::new(digest.clone(), "index"));
            match image::platform::select(source, &digest, spec).await {
                Ok((pd, check)) => {
                    selected = serde_json::json!({
                        "platform": spec.to_string(),
                        "digest": pd.to_string(),
                    });
                    subjects.push(Subject::new(pd, format!("{spec} manifest")));
                    first.push(check);
                }
                Err(check) => first.push(check),
            }
        }
    }
    let (checks, mut details) = image::verify_subjects(trust, source, &subjects, request).await;
    if platform.is_some() {
        details["platform"] = selected;
    }
    first.extend(checks);
    (first, details)
}

/// Whether a registry host (with or without its port) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let h = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(h, "localhost" | "127.0.0.1" | "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_registries_are_recognised_with_and_without_port() {
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("localhost"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("ghcr.io"));
        assert!(!is_loopback("127.0.0.1.example.com:5000"));
    }
}
