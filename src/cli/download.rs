//! `kakunin download CHART@VERSION --to DIR`: gather a release exactly as `verify` would, and
//! write it as a kit (docs/kit.md) that `verify --offline --kit DIR` reads later.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};

use kakunin::exit::ExitCode;
use kakunin::fetch::kit::KitWriter;
use kakunin::fetch::{Blob, Fetcher, Kind, Source};
use kakunin::profile::{Profile, RootChoice};
use kakunin::release::gather;
use kakunin::release::{Evidence, Piece};

use super::fail;
use super::fetch_args::{Bars, FetchArgs};
use super::runtime::Runtime;

pub const EXAMPLES: &str = "\
Examples:
  # Everything about gomenhashai 1.3.2 into a directory, then verify it with no network
  kakunin download gomenhashai@1.3.2 --to kit/
  kakunin verify --offline --kit kit/

  # A project described by a profile, with a registry mirror on plain HTTP
  kakunin download mychart@2.0.0 --profile mychart.yaml --to kit/ --allow-insecure-registry registry.lan:5000

Exit codes: 0 the kit holds every file of the release, 2 usage or input error (unknown chart
or version, unreadable profile), 3 some file could not be fetched (the kit is written and
kit.json lists what is missing and why).
";

#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The release: CHART@VERSION (e.g. gomenhashai@1.3.2), or CHART --version VERSION
    #[arg(value_name = "CHART[@VERSION]")]
    release: String,

    /// The chart version, as `helm pull --version` takes it: `CHART --version V` is `CHART@V`
    #[arg(long, value_name = "VERSION")]
    version: Option<String>,

    /// Directory to write the kit into (created if needed)
    #[arg(long, value_name = "DIR")]
    to: PathBuf,

    /// The project's profile (default: kakunin's built-in profile for CHART)
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,

    #[command(flatten)]
    fetch: FetchArgs,

    #[command(flatten)]
    output: DownloadOutput,
}

/// What `download` prints: a line for people, or the kit's manifest as JSON (it verifies
/// nothing, so it has no SARIF or JUnit report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
enum DownloadFormat {
    /// One line: where the kit is, how many files and bytes; what is missing
    #[default]
    Human,
    /// The kit's manifest, what could not be fetched, and HTTP statistics
    Json,
}

#[derive(Debug, Clone, Args)]
struct DownloadOutput {
    /// What to print (--format is the same option)
    #[arg(long, short = 'o', visible_alias = "format", value_enum, default_value_t = DownloadFormat::Human)]
    output: DownloadFormat,
    /// No progress bars, and no summary line
    #[arg(long, short = 'q')]
    quiet: bool,
}

impl DownloadOutput {
    fn progress_allowed(&self) -> bool {
        !self.quiet
            && self.output == DownloadFormat::Human
            && std::io::IsTerminal::is_terminal(&std::io::stderr())
    }
}

pub fn run(args: DownloadArgs, rt: &Runtime) -> ExitCode {
    let (chart, version) =
        match super::verify::release_with_version(&args.release, args.version.as_deref()) {
            Ok((chart, Some(version))) => (chart, version),
            Ok((_, None)) => {
                return fail(
                    ExitCode::Usage,
                    format!(
                        "expected CHART@VERSION or CHART --version VERSION, found {:?}",
                        args.release
                    ),
                );
            }
            Err(e) => return fail(ExitCode::Usage, e),
        };
    let (chart, version) = (chart.as_str(), version.as_str());
    let profile = match &args.profile {
        Some(p) => Profile::load(p),
        None => Profile::builtin(chart),
    };
    let profile = match profile {
        Ok(p) if p.chart == chart => p,
        Ok(p) => {
            return fail(
                ExitCode::Usage,
                format!("the profile is for chart {:?}, not {chart:?}", p.chart),
            );
        }
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let profile_path = args.profile.as_deref().unwrap_or(Path::new("<built-in>"));
    if let Err(e) =
        kakunin::fetch::policy::check_profile(&profile, profile_path, &args.fetch.policy())
    {
        return fail(ExitCode::Usage, e);
    }
    let mut fetcher = match Fetcher::new(args.fetch.options(None)) {
        Ok(f) => f,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    if let Some(bars) = Bars::new(args.output.progress_allowed()) {
        fetcher = fetcher.with_progress(Arc::new(bars));
    }
    let (evidence, record) = match rt.block_on(gather::gather(&fetcher, &profile, version, None)) {
        Ok(r) => r,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let mut kit = match KitWriter::create(&args.to, chart, version) {
        Ok(k) => k,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    // The image's evidence goes into the kit as an OCI layout; its files are not kept twice.
    let (image, mut unsaved) = rt.block_on(save_image(&fetcher, &profile, &evidence, &args.to));
    if let Some(img) = image {
        kit.image(img);
    }
    for (blob, role) in &record.files {
        if !kit.manifest().images.is_empty() && IN_LAYOUT.contains(role) {
            continue;
        }
        let media_type = (blob.kind == Kind::Manifest)
            .then(|| media_type(&blob.bytes))
            .flatten();
        if let Err(e) = kit.add(blob, role, media_type.as_deref()) {
            return fail(ExitCode::Usage, e);
        }
    }
    for (url, role, why) in &record.missing {
        kit.missing(url, role, why);
    }
    // Everything the gather could not get, including what has no URL (an index that could not
    // be read, a registry that could not be asked).
    let mut unavailable = unavailable(&evidence);
    unavailable.append(&mut unsaved);
    match trusted_root(&profile) {
        Ok(root) => {
            if let Err(e) = kit.add(&root, "trusted-root", None) {
                return fail(ExitCode::Usage, e);
            }
        }
        Err(e) => return fail(ExitCode::Usage, e),
    }
    let manifest = match kit.finish() {
        Ok(m) => m,
        Err(e) => return fail(ExitCode::Usage, e),
    };
    let bytes: u64 = manifest.files.iter().map(|f| f.size).sum();
    if args.output.output == DownloadFormat::Json {
        let stats = fetcher.http().stats();
        let out = serde_json::json!({
            "kit": args.to,
            "manifest": manifest,
            "unavailable": unavailable,
            "http": {
                "requests": stats.requests.load(std::sync::atomic::Ordering::Relaxed),
                "bytes": stats.bytes.load(std::sync::atomic::Ordering::Relaxed),
            },
        });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    } else if !args.output.quiet {
        println!(
            "kit for {chart}@{version} written to {}: {} files, {bytes} bytes",
            args.to.display(),
            manifest.files.len()
        );
        for m in &unavailable {
            println!("  missing: {m}");
        }
    }
    if unavailable.is_empty() && manifest.missing.is_empty() {
        ExitCode::Verified
    } else {
        ExitCode::Fetch
    }
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
) -> (Option<kakunin::fetch::kit::KitImage>, Vec<String>) {
    let (Ok(index), Ok(package)) = (&ev.index, &ev.package) else {
        return (None, Vec::new());
    };
    let Ok(entry) = gather::entry(&index.parsed, &index.source, &ev.chart, &ev.version) else {
        return (None, Vec::new());
    };
    let Ok((reference, tag, pinned)) =
        kakunin::release::registry::image_target(profile, package, entry)
    else {
        return (None, Vec::new());
    };
    let Some(digest) =
        pinned.or_else(|| ev.registry.tag_digest.as_ref().ok().map(|(d, _)| d.clone()))
    else {
        return (None, Vec::new());
    };
    let repo = kakunin::registry::Repo::of(&reference);
    let rel = format!(
        "images/{}/{}",
        repo.registry.replace(':', "_"),
        repo.repository
    );
    let client =
        kakunin::registry::RegistryClient::new(fetcher.clone(), profile.image.mirrors.clone());
    let tag = if tag.is_empty() {
        "latest".to_string()
    } else {
        tag
    };
    match kakunin::image::save::save(&client, &repo, &digest, &tag, &kit.join(&rel)).await {
        Ok(saved) => (
            Some(kakunin::fetch::kit::KitImage {
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
    kakunin::strict_json::from_slice::<M>(bytes, kakunin::limits::MAX_MANIFEST_BYTES)
        .ok()?
        .media_type
}

/// The trusted root the profile names, as a kit file (recorded, never trusted by the kit).
fn trusted_root(profile: &Profile) -> Result<Blob, String> {
    let (bytes, source) = match profile.root_choice() {
        RootChoice::Embedded(name) => {
            let instance = kakunin::trust::Instance::from_name(&name)
                .ok_or_else(|| format!("unknown embedded trusted root {name:?}"))?;
            (
                instance.embedded_json().as_bytes().to_vec(),
                Source::Embedded {
                    name: format!("{name}/trusted_root.json"),
                },
            )
        }
        RootChoice::File(path) => (
            kakunin::limits::read_file_capped(&path, kakunin::limits::MAX_TRUST_BYTES)
                .map_err(|e| format!("{}: {e}", path.display()))?,
            Source::File { path },
        ),
    };
    Ok(Blob {
        digest: kakunin::digest::Digest::sha256(&bytes),
        bytes,
        source,
        kind: Kind::Trust,
    })
}
