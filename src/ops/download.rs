//! `ops::download`: a release gathered exactly as `verify` gathers it, written as a kit
//! (docs/kit.md) that `verify --offline --kit DIR` reads later. The image's evidence goes in
//! as an OCI layout; what could not be fetched is listed in `kit.json` and returned. Every
//! error is a usage or input error (exit 2); a kit that lacks a file is written and reported
//! as incomplete (the CLI exits 3).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::fetch::kit::{KitImage, KitManifest, KitWriter};
use crate::fetch::{Blob, FetchOptions, Fetcher, Kind, Source, UrlPolicy};
use crate::profile::{Profile, RootChoice};
use crate::progress::Progress;
use crate::release::gather::{self, Record};
use crate::release::{Evidence, Piece};

use super::Error;

/// What to download and where (`kakunin download`).
pub struct DownloadRequest {
    /// The release as given: `CHART@VERSION`, or `CHART` with `version`.
    pub release: String,
    /// Helm's `--version`.
    pub version: Option<String>,
    /// The kit directory (created if needed).
    pub to: PathBuf,
    /// The project's profile; default: the chart's built-in one.
    pub profile: Option<PathBuf>,
    /// How to fetch (`kit` is not read: a download writes one).
    pub fetch: FetchOptions,
    /// Download progress, else silent.
    pub progress: Option<Arc<dyn Progress>>,
}

/// The kit written: its manifest, what could not be fetched, and the HTTP traffic it took.
#[derive(Debug)]
pub struct Downloaded {
    pub chart: String,
    pub version: String,
    pub manifest: KitManifest,
    /// Every piece of the release that could not be fetched or saved.
    pub unavailable: Vec<String>,
    /// HTTP requests sent and bytes received.
    pub requests: u64,
    pub bytes: u64,
}

impl Downloaded {
    /// Whether the kit holds every file of the release.
    pub fn complete(&self) -> bool {
        self.unavailable.is_empty() && self.manifest.missing.is_empty()
    }
}

/// Downloads the release `req` names into its kit (see the module documentation).
pub async fn download(req: DownloadRequest) -> Result<Downloaded, Error> {
    let (chart, version) = release(&req)?;
    let profile = profile(&req, &chart)?;
    let mut fetcher = Fetcher::new(req.fetch).map_err(Error::usage)?;
    if let Some(progress) = req.progress {
        fetcher = fetcher.with_progress(progress);
    }
    let (evidence, record) = gather::gather(&fetcher, &profile, &version, None)
        .await
        .map_err(Error::usage)?;
    let mut kit = KitWriter::create(&req.to, &chart, &version).map_err(Error::usage)?;
    // The image's evidence goes into the kit as an OCI layout; its files are not kept twice.
    let (image, mut unsaved) = save_image(&fetcher, &profile, &evidence, &req.to).await;
    if let Some(img) = image {
        kit.image(img);
    }
    add_files(&mut kit, &record)?;
    // Everything the gather could not get, including what has no URL (an index that could not
    // be read, a registry that could not be asked).
    let mut unavailable = unavailable(&evidence);
    unavailable.append(&mut unsaved);
    let root = trusted_root(&profile).map_err(Error::usage)?;
    kit.add(&root, "trusted-root", None).map_err(Error::usage)?;
    let manifest = kit.finish().map_err(Error::usage)?;
    let stats = fetcher.http().stats();
    Ok(Downloaded {
        chart,
        version,
        manifest,
        unavailable,
        requests: stats.requests.load(std::sync::atomic::Ordering::Relaxed),
        bytes: stats.bytes.load(std::sync::atomic::Ordering::Relaxed),
    })
}

/// `CHART@VERSION` or `CHART --version VERSION`: a download is of one version.
fn release(req: &DownloadRequest) -> Result<(String, String), Error> {
    match super::verify::release_with_version(&req.release, req.version.as_deref()) {
        Ok((chart, Some(version))) => Ok((chart, version)),
        Ok((_, None)) => Err(Error::usage(format!(
            "expected CHART@VERSION or CHART --version VERSION, found {:?}",
            req.release
        ))),
        Err(e) => Err(Error::usage(e)),
    }
}

/// The profile (`--profile`, else the chart's built-in one): for this chart, and every URL it
/// names allowed by the transport policy.
fn profile(req: &DownloadRequest, chart: &str) -> Result<Profile, Error> {
    let profile = match &req.profile {
        Some(p) => Profile::load(p),
        None => Profile::builtin(chart),
    }
    .map_err(Error::usage)?;
    if profile.chart() != chart {
        return Err(Error::usage(format!(
            "the profile is for chart {:?}, not {chart:?}",
            profile.chart()
        )));
    }
    let path = req.profile.as_deref().unwrap_or(Path::new("<built-in>"));
    let policy = UrlPolicy::new(req.fetch.http.insecure_hosts.clone());
    crate::fetch::policy::check_profile(&profile, path, &policy).map_err(Error::usage)?;
    Ok(profile)
}

/// The gathered files (those an image layout holds excepted) and what the gather missed.
fn add_files(kit: &mut KitWriter, record: &Record) -> Result<(), Error> {
    for (blob, role) in &record.files {
        if !kit.manifest().images.is_empty() && IN_LAYOUT.contains(role) {
            continue;
        }
        let media_type = (blob.kind == Kind::Manifest)
            .then(|| media_type(&blob.bytes))
            .flatten();
        kit.add(blob, role, media_type.as_deref())
            .map_err(Error::usage)?;
    }
    for (url, role, why) in &record.missing {
        kit.missing(url, role, why);
    }
    Ok(())
}

/// Kit roles whose files an image layout in the kit holds instead.
const IN_LAYOUT: &[&str] = &[
    "image-manifest",
    "referrers",
    "attached-manifest",
    "attached-bundle",
];

/// Saves the project image's evidence (manifest, referrers, cosign `.sig`/`.att`) into
/// `kit/images/<registry>/<repository>` as an OCI layout. Returns the kit's record of it (none
/// when the image digest is not known) and what could not be saved.
async fn save_image(
    fetcher: &Fetcher,
    profile: &Profile,
    ev: &Evidence,
    kit: &Path,
) -> (Option<KitImage>, Vec<String>) {
    let Some((reference, tag, digest)) = image_to_save(profile, ev) else {
        return (None, Vec::new());
    };
    let repo = crate::registry::Repo::of(&reference);
    let rel = format!(
        "images/{}/{}",
        repo.registry.replace(':', "_"),
        repo.repository
    );
    let client = crate::registry::RegistryClient::new(fetcher.clone(), profile.registry_mirrors());
    let tag = if tag.is_empty() {
        "latest".to_string()
    } else {
        tag
    };
    match crate::image::save::save(&client, &repo, &digest, &tag, &kit.join(&rel)).await {
        Ok(saved) => (
            Some(KitImage {
                repository: repo.to_string(),
                tag,
                digest: digest.to_string(),
                layout: rel,
            }),
            saved.missing,
        ),
        Err(e) => (
            None,
            vec![format!("the image layout of {repo}@{digest}: {e}")],
        ),
    }
}

/// The project image (reference, tag, digest) when the release names it and its digest is
/// known (pinned by the chart, or the tag's as the registry answered).
fn image_to_save(
    profile: &Profile,
    ev: &Evidence,
) -> Option<(oci_client::Reference, String, crate::digest::Digest)> {
    let (Ok(index), Ok(package)) = (&ev.index, &ev.package) else {
        return None;
    };
    let entry = gather::entry(&index.parsed, &index.source, &ev.chart, &ev.version).ok()?;
    let (reference, tag, pinned) =
        crate::release::registry::image_target(profile, package, entry).ok()?;
    let digest = pinned.or_else(|| ev.registry.tag_digest.as_ref().ok().map(|(d, _)| d.clone()))?;
    Some((reference, tag, digest))
}

/// The pieces of a release that could not be gathered.
fn unavailable(ev: &Evidence) -> Vec<String> {
    let mut out = Vec::new();
    let mut piece = |p: &Piece| {
        if let Err(m) = p {
            out.push(m.to_string());
        }
    };
    if let Err(m) = &ev.index {
        piece(&Err(m.clone()));
    }
    piece(&ev.package);
    if let Some(p) = &ev.prov {
        piece(p);
    }
    piece(&ev.chart_bundle);
    piece(&ev.chart_envelope);
    piece(&ev.image_bundle);
    piece(&ev.image_envelope);
    for m in [
        ev.registry.tag_digest.as_ref().err(),
        ev.registry.attestations.as_ref().err(),
        ev.registry.tags.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        out.push(m.to_string());
    }
    out
}

/// The `mediaType` a manifest declares.
fn media_type(bytes: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct M {
        #[serde(rename = "mediaType")]
        media_type: Option<String>,
    }
    crate::strict_json::from_slice::<M>(bytes, crate::limits::MAX_MANIFEST_BYTES)
        .ok()?
        .media_type
}

/// The trusted root the profile names, as a kit file (recorded, never trusted by the kit).
fn trusted_root(profile: &Profile) -> Result<Blob, String> {
    let (bytes, source) = match profile.root_choice() {
        RootChoice::Embedded(name) => {
            let instance = crate::trust::Instance::from_name(&name)
                .ok_or_else(|| format!("unknown embedded trusted root {name:?}"))?;
            (
                instance.embedded_json().as_bytes().to_vec(),
                Source::Embedded {
                    name: format!("{name}/trusted_root.json"),
                },
            )
        }
        RootChoice::File(path) => (
            crate::limits::read_file_capped(&path, crate::limits::MAX_TRUST_BYTES)
                .map_err(|e| format!("{}: {e}", path.display()))?,
            Source::File { path },
        ),
    };
    Ok(Blob {
        digest: crate::digest::Digest::sha256(&bytes),
        bytes,
        source,
        kind: Kind::Trust,
    })
}
