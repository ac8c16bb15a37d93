//! `ops::post_render`: Helm's post-renderer as a library call. The rendered manifests are
//! parsed, every distinct container image is verified against the profile (or pinned by digest
//! without a signature where `--allow-unsigned` says so), and the manifests are rewritten with
//! each image pinned. Everything is decided before anything is returned: the rewritten bytes
//! come back only when every image verified. Unusable YAML, a bad profile or root are usage
//! errors (exit 2); a failed image is a failed check of the report.
//!
//! [`verify_images`] is the image step alone, shared with `policy export --manifests`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::check::Check;
use crate::exit::ExitCode;
use crate::fetch::{FetchOptions, Fetcher};
use crate::manifests::Rendered;
use crate::pin::{self, ImagePolicy, PinnedImage};
use crate::profile::Profile;
use crate::registry::RegistryClient;
use crate::report::Report;
use crate::trust::Trust;

use super::Error;

/// The rendered manifests and what their images are verified against (`kakunin post-render`).
pub struct PostRenderRequest {
    /// The manifests as Helm rendered them: this file, or stdin (none, or `-`).
    pub input: Option<PathBuf>,
    /// The profile; default: the built-in GomenHashai profile.
    pub profile: Option<PathBuf>,
    /// A trusted_root.json that overrides the profile's.
    pub trusted_root: Option<PathBuf>,
    /// Rewrite every image to `repo@sha256:…` (else the manifests come back unchanged).
    pub pin: bool,
    /// Repositories (or `prefix/*`) pinned by digest without a signature.
    pub allow_unsigned: Vec<String>,
    /// Registry credentials in Docker's config.json format, tried first.
    pub registry_config: Option<PathBuf>,
    pub fetch: FetchOptions,
}

/// The report, and the manifests to write: `Some` only when every image verified.
pub struct PostRendered {
    pub report: Report,
    pub output: Option<Vec<u8>>,
}

/// The profile and trust the images of a rendered stream are checked against, and how.
pub struct ImageCheck<'a> {
    pub profile: &'a Profile,
    pub trust: &'a Trust,
    pub allow_unsigned: &'a [String],
    pub registry_config: Option<&'a Path>,
    pub fetch: FetchOptions,
}

/// Verifies the rendered manifests of `req` (see the module documentation).
pub async fn post_render(req: PostRenderRequest) -> Result<PostRendered, Error> {
    let profile = match &req.profile {
        Some(path) => Profile::load(path).map_err(Error::usage)?,
        None => Profile::gomenhashai(),
    };
    let trust = load_trust(&profile, req.trusted_root.as_deref())?;
    let manifests = read_manifests(req.input.as_deref())?;
    let rendered = Rendered::parse(&manifests).map_err(Error::usage)?;
    let distinct = rendered.distinct_images();
    let check = ImageCheck {
        profile: &profile,
        trust: &trust,
        allow_unsigned: &req.allow_unsigned,
        registry_config: req.registry_config.as_deref(),
        fetch: req.fetch.clone(),
    };
    let results = verify_images(&distinct, check).await?;
    let report = report(&rendered, distinct.len(), &results, req.pin);
    let pins: BTreeMap<String, String> = results
        .iter()
        .filter_map(|(_, i)| Some((i.reference.clone(), i.pin.clone()?)))
        .collect();
    // The rewrite comes first: a stream that cannot be rewritten is an input error, reported
    // as such, not after a report that says every image verified.
    let output = match (report.exit_code(), req.pin) {
        (ExitCode::Verified, false) => Some(manifests),
        (ExitCode::Verified, true) => Some(rendered.rewrite(&pins).map_err(Error::usage)?),
        _ => None,
    };
    Ok(PostRendered { report, output })
}

/// The report: each image's checks, and per image where it is used and what it is pinned to.
fn report(
    rendered: &Rendered,
    distinct: usize,
    results: &[(Vec<Check>, PinnedImage)],
    pin: bool,
) -> Report {
    let mut report = Report::new(
        "post-render",
        format!(
            "{} container images ({distinct} distinct) in {} documents",
            rendered.images().len(),
            rendered.document_count()
        ),
    );
    let mut images_json = Vec::new();
    for (checks, image) in results {
        report.checks.extend(checks.iter().cloned());
        let places: Vec<String> = rendered
            .images()
            .iter()
            .filter(|i| i.value == image.reference)
            .map(|i| format!("{} {} {}", i.kind, i.name, i.path_text()))
            .collect();
        images_json.push(serde_json::json!({
            "reference": image.reference,
            "repository": image.repository,
            "digest": image.digest.as_ref().map(|d| d.to_string()),
            "signer": image.signer,
            "pinned": if pin { image.pin.clone() } else { None },
            "used_by": places,
        }));
    }
    if rendered.images().is_empty() {
        report.checks.push(Check::pass(
            pin::ids::IMAGE_POLICY,
            "every container image is one the policy covers",
            "the container images of the rendered objects",
            format!(
                "no container image in {} documents",
                rendered.document_count()
            ),
        ));
    }
    report.details = serde_json::json!({ "images": images_json, "pinned": pin });
    report
}

/// The trusted root: `--trusted-root`, else the profile's.
pub fn load_trust(profile: &Profile, flag: Option<&Path>) -> Result<Trust, Error> {
    super::trust(flag, profile.root_choice())
}

/// Verifies each distinct image reference against the profile (see [`pin`]), in order.
pub async fn verify_images(
    images: &[&str],
    check: ImageCheck<'_>,
) -> Result<Vec<(Vec<Check>, PinnedImage)>, Error> {
    for p in check.allow_unsigned {
        let repo = p.strip_suffix("/*").unwrap_or(p);
        if crate::profile::ImageRepository::new(repo).is_err() {
            return Err(Error::usage(format!(
                "--allow-unsigned: expected REGISTRY/REPOSITORY (or REGISTRY/PREFIX/*), found {p:?}"
            )));
        }
    }
    let mut fetcher = Fetcher::new(check.fetch).map_err(Error::usage)?;
    if let Some(c) = super::registry_credentials(check.registry_config).map_err(Error::usage)? {
        fetcher = fetcher.with_registry_credentials(c);
    }
    let client = RegistryClient::new(fetcher, check.profile.registry_mirrors());
    let policy = ImagePolicy {
        profile: check.profile,
        trust: check.trust,
        unsigned: check.allow_unsigned,
    };
    let mut out = Vec::new();
    for image in images {
        out.push(pin::verify_image(&client, &policy, image).await);
    }
    Ok(out)
}

/// Reads at most `cap + 1` bytes, so that a larger input is refused without holding it.
fn read_capped(mut r: impl Read, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    r.by_ref().take(cap as u64 + 1).read_to_end(&mut buf)?;
    Ok(buf)
}

/// The rendered manifests from FILE, or stdin when there is none (or it is `-`), bounded
/// (a stream over the cap is refused by the parse).
pub fn read_manifests(input: Option<&Path>) -> Result<Vec<u8>, Error> {
    let cap = crate::manifests::MAX_STREAM_BYTES;
    match input {
        Some(path) if path.as_os_str() != "-" => {
            crate::limits::read_file_capped(path, cap as u64 + 1)
                .map_err(|e| Error::usage(format!("{}: {e}", path.display())))
        }
        _ => read_capped(std::io::stdin().lock(), cap)
            .map_err(|e| Error::usage(format!("cannot read the manifests from stdin: {e}"))),
    }
}
