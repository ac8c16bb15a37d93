//! What `verify` asks the image's registry, through [`crate::registry`]: the digest the chart's
//! tag resolves to, the repository's tags, and the Sigstore bundles attached to the image
//! digest (referrers API or fallback tag).
//!
//! Guarantees: each answer becomes a piece of [`RegistryEvidence`] or a [`Missing`] that says
//! whether the registry said "not there" (404) or could not be asked; every file fetched is
//! recorded with its kit role, so a kit holds exactly what an online verify looked at.

use crate::chart::images::ChartImage;
use crate::chart::index::IndexEntry;
use crate::chart::package::ChartPackage;
use crate::digest::Digest;
use crate::fetch::{Blob, FetchError, Fetcher};
use crate::profile::Profile;
use crate::registry::{RegistryClient, Repo};

use super::evidence::{Fetched, Missing, RegistryEvidence};

/// The project image a chart package deploys (see [`super::project_image`]), as
/// `(repository, tag, pinned digest)` usable with a registry.
fn image_of(
    profile: &Profile,
    package: &Fetched,
    app_version: Option<&str>,
) -> Result<ChartImage, String> {
    let p = ChartPackage::read(&package.bytes).map_err(|e| e.to_string())?;
    super::project_image(profile, &p, app_version)
}

/// The project image the chart package deploys: its reference, the tag (empty when it has
/// none) and the digest it pins, if any.
pub fn image_target(
    profile: &Profile,
    package: &Fetched,
    entry: &IndexEntry,
) -> Result<(oci_client::Reference, String, Option<Digest>), String> {
    let img = image_of(profile, package, entry.app_version.as_deref())?;
    match img.reference() {
        Ok(r) if profile.is_project_image(&img.repository) => Ok((
            r,
            img.tag.clone().unwrap_or_default(),
            img.digest.as_deref().and_then(|d| d.parse().ok()),
        )),
        _ => Err(format!(
            "{} is not a usable reference to the project's image",
            img.display()
        )),
    }
}

/// Everything the registry says about the chart's image, and the files fetched to learn it.
pub async fn gather(
    fetcher: &Fetcher,
    profile: &Profile,
    package: Option<&Fetched>,
    entry: &IndexEntry,
) -> (RegistryEvidence, Vec<(Blob, &'static str)>) {
    let Some(package) = package else {
        return (
            RegistryEvidence::unavailable("the chart package could not be obtained"),
            Vec::new(),
        );
    };
    let (reference, tag, pinned) = match image_target(profile, package, entry) {
        Ok(t) => t,
        Err(why) => return (RegistryEvidence::unavailable(&why), Vec::new()),
    };
    let client = RegistryClient::new(fetcher.clone(), profile.registry_mirrors());
    let repo = Repo::of(&reference);
    let missing = |what: String, e: FetchError| Missing::from_fetch(what, &e);
    let mut files: Vec<(Blob, &'static str)> = Vec::new();
    if let Some((_, dir)) = fetcher.kit().and_then(|k| k.image(&repo.to_string())) {
        // The kit holds the image's evidence as an OCI layout: read from it (the tag list,
        // which a layout does not hold, still comes from the kit's files).
        let tags = client
            .tags(&repo)
            .await
            .map(|(tags, _)| (tags, format!("tags of {repo} (kit)")))
            .map_err(|e| missing(format!("the tags of {repo}"), e));
        let (tag_digest, attestations) = from_layout(&dir, &tag, pinned.as_ref()).await;
        return (
            RegistryEvidence {
                tag_digest,
                attestations,
                tags,
            },
            files,
        );
    }
    let (resolved, tags) = tokio::join!(client.manifest_by_tag(&repo, &tag), client.tags(&repo));
    let tag_digest = match resolved {
        Ok(m) => {
            let found = (
                m.digest().clone(),
                format!("{repo}:{tag} ({})", m.blob.source),
            );
            files.push((m.blob, "image-manifest"));
            Ok(found)
        }
        Err(e) => Err(missing(format!("the registry's digest of {repo}:{tag}"), e)),
    };
    let tags = match tags {
        Ok((tags, sources)) => {
            let source = sources
                .first()
                .map(|b| b.source.to_string())
                .unwrap_or_default();
            files.extend(sources.into_iter().map(|b| (b, "image-tags")));
            Ok((tags, format!("tags of {repo} ({source})")))
        }
        Err(e) => Err(missing(format!("the tags of {repo}"), e)),
    };
    let target = pinned.or_else(|| tag_digest.as_ref().ok().map(|(d, _)| d.clone()));
    let attestations = attached(&client, &repo, target.as_ref(), &mut files).await;
    (
        RegistryEvidence {
            tag_digest,
            attestations,
            tags,
        },
        files,
    )
}

/// The Sigstore bundles attached to the image digest `target`, each named by where it came
/// from; the referrers, manifests and bundles fetched are added to `files`.
async fn attached(
    client: &RegistryClient,
    repo: &Repo,
    target: Option<&Digest>,
    files: &mut Vec<(Blob, &'static str)>,
) -> Result<Vec<Fetched>, Missing> {
    let Some(d) = target else {
        return Err(Missing::new(
            "attestations attached in the registry",
            "no image digest to look them up by",
        ));
    };
    let (refs, attached) = client
        .attached_bundles(repo, d)
        .await
        .map_err(|e| Missing::from_fetch(format!("attestations attached to {repo}@{d}"), &e))?;
    files.extend(refs.sources.into_iter().map(|b| (b, "referrers")));
    let mut out = Vec::new();
    for a in attached {
        out.push(Fetched::new(
            a.bundle.bytes.clone(),
            format!("{repo}@{d} → {} ({})", a.manifest.digest(), a.bundle.source),
        ));
        files.push((a.manifest.blob, "attached-manifest"));
        files.push((a.bundle, "attached-bundle"));
    }
    Ok(out)
}

/// A miss in a kit's image layout, as release evidence: absent, wrong (bytes that do not hash
/// to their digest: the covering check fails), or could not be read.
fn layout_missing(what: String, m: crate::image::Miss) -> Missing {
    use crate::image::Miss;
    match m {
        Miss::Absent(why) => Missing::absent(what, why),
        Miss::Wrong(why) => Missing::wrong(what, why),
        Miss::Error(why) => Missing::new(what, why),
    }
}

/// The tag's digest and the attached bundles, from a kit's OCI layout of the image.
async fn from_layout(
    dir: &std::path::Path,
    tag: &str,
    pinned: Option<&Digest>,
) -> (
    Result<(Digest, String), Missing>,
    Result<Vec<Fetched>, Missing>,
) {
    use crate::image::{Layout, Source};
    let place = format!("oci-layout:{}", dir.display());
    let layout = match Layout::open(dir) {
        Ok(l) => l,
        Err(e) => {
            let m = Missing::new("the kit's image layout", e.to_string());
            return (Err(m.clone()), Err(m));
        }
    };
    let source = Source::Layout(&layout);
    let tag_digest = crate::image::tag_digest(&source, tag)
        .await
        .map(|d| (d, format!("{place}:{tag}")))
        .map_err(|m| layout_missing(format!("the digest of tag {tag} in {place}"), m));
    let Some(target) = pinned
        .cloned()
        .or_else(|| tag_digest.as_ref().ok().map(|(d, _)| d.clone()))
    else {
        let m = Missing::new(
            "attestations attached in the registry",
            "no image digest to look them up by",
        );
        return (tag_digest, Err(m));
    };
    let attestations = crate::image::attached_bundles(&source, &target)
        .await
        .map(|found| {
            found
                .into_iter()
                .map(|(artifact, bytes)| {
                    Fetched::new(bytes, format!("{place}@{target} → {artifact}"))
                })
                .collect()
        })
        .map_err(|m| layout_missing(format!("attestations attached to {target} in {place}"), m));
    (tag_digest, attestations)
}
