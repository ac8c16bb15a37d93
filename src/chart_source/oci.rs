//! An OCI chart (`oci://REGISTRY/PATH/CHART --version V`): the tag Helm would pull, its
//! manifest, the chart layer and the provenance layer.
//!
//! Guarantees: `--version` chooses the tag as Helm does (a version is the tag itself; a
//! constraint or nothing picks from the registry's tags, `_` read back as `+`); the manifest's
//! digest is the sha256 of its bytes and equals the registry's `Docker-Content-Digest`; the
//! manifest must be Helm's (`chart.oci-manifest`: config media type
//! [`HELM_CONFIG_MEDIA_TYPE`], exactly one [`HELM_CHART_MEDIA_TYPE`] layer, at most one
//! provenance layer); the chart layer must hash to its descriptor's digest and have its size
//! (`chart.oci-layer`), and a layer over [`MAX_CHART_BYTES`] is refused before it is fetched.
//! A reference that pins a digest (`CHART@sha256:…`, `CHART:VERSION@sha256:…`) is fetched by
//! it (without a version) or by the tag and compared with it (`chart.oci-manifest`); a
//! manifest of another digest is read no further.

use crate::chart::constraint::{self, HelmVersion};
use crate::check::{Check, ids};
use crate::digest::Digest;
use crate::fetch::{FetchError, Kind};
use crate::limits::MAX_CHART_BYTES;
use crate::registry::{
    Descriptor, HELM_CHART_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE, HELM_PROV_MEDIA_TYPE,
    RegistryClient, Repo,
};

use super::local::T_PACKAGE;
use super::{FetchedChart, OciManifest, OciRef, Prov, SourceError, fetched_but_wrong};

const T_MANIFEST: &str = "OCI manifest is a Helm chart (config and layer media types)";
const T_PIN: &str = "OCI manifest is the digest the reference pins";
const T_LAYER: &str = "chart layer's bytes are the manifest's digest and size";

/// The tag `--version` names: the version itself, or the highest tag the constraint matches.
pub async fn tag(
    client: &RegistryClient,
    repo: &Repo,
    request: Option<&str>,
) -> Result<String, SourceError> {
    if let Some(v) = request
        && HelmVersion::parse(v).is_some()
    {
        return Ok(v.to_string());
    }
    let (tags, _) = client
        .tags(repo)
        .await
        .map_err(|e| SourceError::from_fetch(&format!("tags of {repo}"), &e))?;
    let versions: Vec<String> = tags.iter().map(|t| t.replace('_', "+")).collect();
    let picked = constraint::pick(versions.iter().map(String::as_str), request)
        .map_err(|e| SourceError::usage(e.to_string()))?;
    match picked {
        Some(v) => Ok(v.to_string()),
        None => Err(SourceError::usage(format!(
            "oci://{repo}: no tag matches {}: found {}",
            request.unwrap_or("* (the newest release)"),
            if versions.is_empty() {
                "no tags".to_string()
            } else {
                versions
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ))),
    }
}

/// Fetches the chart `oci` names at the version `request` chooses; a digest the reference
/// pins must be the manifest's (`chart.oci-manifest`), and without a version the manifest is
/// fetched by that digest.
pub async fn fetch(
    client: &RegistryClient,
    oci: &OciRef,
    request: Option<&str>,
) -> Result<FetchedChart, SourceError> {
    let repo = &oci.repo;
    let by_digest = oci.digest.as_ref().filter(|_| request.is_none());
    let (version, tag, subject) = match by_digest {
        Some(d) => (None, String::new(), format!("oci://{repo}@{d}")),
        None => {
            let version = tag(client, repo, request).await?;
            let tag = version.replace('+', "_");
            let subject = format!("oci://{repo}:{version}");
            (Some(version), tag, subject)
        }
    };
    let manifest = match by_digest {
        Some(d) => client.manifest_by_digest(repo, d).await,
        None => client.manifest_by_tag(repo, &tag).await,
    };
    let manifest = match manifest {
        Ok(m) => m,
        Err(FetchError::Digest {
            expected,
            found,
            url,
            ..
        }) if by_digest.is_some() => {
            let mut fetched = fetched_chart(oci, &subject, version, &tag, None);
            fetched.checks.push(
                Check::fail(ids::CHART_OCI_MANIFEST, T_PIN, expected, found).with_evidence(url),
            );
            return Ok(fetched);
        }
        Err(e) => {
            let what = format!("manifest of {subject}");
            return Err(match e {
                FetchError::Registry { .. } => SourceError::wrong(format!("{what}: {e}")),
                e => SourceError::from_fetch(&what, &e),
            });
        }
    };
    let digest = manifest.digest().clone();
    let mut fetched = fetched_chart(oci, &subject, version, &tag, Some(&digest));
    if let Some(pin) = oci.digest.as_ref().filter(|_| by_digest.is_none()) {
        let check = Check::pass_if(
            *pin == digest,
            ids::CHART_OCI_MANIFEST,
            T_PIN,
            format!("{pin} (the reference's pin)"),
            format!("{digest} (the manifest of {subject})"),
        );
        let pinned = check.passed();
        fetched.checks.push(check);
        if !pinned {
            return Ok(fetched);
        }
    }
    let doc = manifest
        .parse()
        .map_err(|e| SourceError::wrong(format!("manifest of {subject}: {e}")))?;
    let Some((layer, prov)) = helm_layers(&doc, &mut fetched) else {
        return Ok(fetched);
    };
    fetched.package = chart_layer(client, repo, layer, &mut fetched).await?;
    if by_digest.is_some() {
        name_by_package(&mut fetched);
    }
    if let Some(p) = prov {
        fetched.prov = prov_layer(client, repo, p, &subject).await;
    }
    Ok(fetched)
}

/// Fetched by digest, the version is the package's: the `.prov`'s `files:` entry names it.
fn name_by_package(fetched: &mut FetchedChart) {
    if let Some(v) = fetched
        .package
        .as_deref()
        .and_then(|b| crate::chart::ChartPackage::read(b).ok())
        .map(|p| p.metadata.version)
    {
        let name = fetched.name.clone().unwrap_or_default();
        fetched.package_name = format!("{name}-{v}.tgz");
    }
}

/// The chart as fetched so far: nothing read beyond the manifest's digest.
fn fetched_chart(
    oci: &OciRef,
    subject: &str,
    version: Option<String>,
    tag: &str,
    digest: Option<&Digest>,
) -> FetchedChart {
    let repo = &oci.repo;
    let name = repo
        .repository
        .rsplit('/')
        .next()
        .unwrap_or(&repo.repository)
        .to_string();
    let mut details = serde_json::Map::new();
    details.insert("source".into(), "oci".into());
    if let Some(d) = digest {
        details.insert("manifest_digest".into(), d.to_string().into());
    }
    if let Some(d) = &oci.digest {
        details.insert("pinned_digest".into(), d.to_string().into());
    }
    FetchedChart {
        subject: subject.to_string(),
        package_name: format!("{name}-{}.tgz", version.as_deref().unwrap_or("VERSION")),
        version,
        name: Some(name),
        package: None,
        package_source: format!("{subject} (chart layer)"),
        prov: Prov::Absent(format!("{subject}: no {HELM_PROV_MEDIA_TYPE} layer")),
        checks: Vec::new(),
        oci: digest.map(|d| OciManifest {
            repo: repo.clone(),
            digest: d.clone(),
            tag: tag.to_string(),
        }),
        skipped: Vec::new(),
        details,
    }
}

/// `chart.oci-manifest`: Helm's config media type, one chart layer, at most one `.prov`
/// layer; the chart layer and the `.prov` layer when it holds.
fn helm_layers<'m>(
    doc: &'m crate::registry::ManifestDoc,
    fetched: &mut FetchedChart,
) -> Option<(&'m Descriptor, Option<&'m Descriptor>)> {
    let config = doc
        .config
        .as_ref()
        .map_or("none", |c| c.media_type.as_str());
    let of = |t: &str| -> Vec<&'m Descriptor> {
        doc.layers.iter().filter(|l| l.media_type == t).collect()
    };
    let (charts, provs) = (of(HELM_CHART_MEDIA_TYPE), of(HELM_PROV_MEDIA_TYPE));
    let expected = format!(
        "config {HELM_CONFIG_MEDIA_TYPE}, one layer {HELM_CHART_MEDIA_TYPE}, at most one {HELM_PROV_MEDIA_TYPE}"
    );
    let found = format!(
        "config {config}, layers [{}]",
        doc.layers
            .iter()
            .take(10)
            .map(|l| l.media_type.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let ok = config == HELM_CONFIG_MEDIA_TYPE && charts.len() == 1 && provs.len() <= 1;
    let evidence = match &fetched.oci {
        Some(m) => format!("{} = {}", fetched.subject, m.digest),
        None => fetched.subject.clone(),
    };
    fetched.checks.push(
        Check::pass_if(ok, ids::CHART_OCI_MANIFEST, T_MANIFEST, expected, found)
            .with_evidence(evidence),
    );
    ok.then(|| (charts[0], provs.first().copied()))
}

/// `chart.oci-layer` (and `chart.package` for a layer over the cap): the chart layer's bytes,
/// when they are its descriptor's digest and size.
async fn chart_layer(
    client: &RegistryClient,
    repo: &Repo,
    layer: &Descriptor,
    fetched: &mut FetchedChart,
) -> Result<Option<Vec<u8>>, SourceError> {
    fetched
        .details
        .insert("chart_layer_digest".into(), layer.digest.clone().into());
    let too_large = |found: String| {
        Check::fail(
            ids::CHART_PACKAGE,
            T_PACKAGE,
            format!("a chart package of at most {MAX_CHART_BYTES} bytes"),
            found,
        )
    };
    let layer_digest: Digest = match layer.digest.parse() {
        Ok(d) => d,
        Err(e) => {
            fetched.checks.push(Check::fail(
                ids::CHART_OCI_LAYER,
                T_LAYER,
                "a sha256 digest in the chart layer's descriptor",
                format!("{:?}: {e}", layer.digest),
            ));
            return Ok(None);
        }
    };
    if layer.size < 0 || layer.size as u64 > MAX_CHART_BYTES {
        let found = format!("the chart layer's descriptor says {} bytes", layer.size);
        fetched.checks.push(too_large(found));
        return Ok(None);
    }
    match client.blob(repo, &layer_digest, Kind::Chart).await {
        Ok(b) => {
            let size_ok = b.bytes.len() as u64 == layer.size as u64;
            fetched.checks.push(
                Check::pass_if(
                    size_ok,
                    ids::CHART_OCI_LAYER,
                    T_LAYER,
                    format!("{layer_digest}, {} bytes", layer.size),
                    format!("{}, {} bytes", b.digest, b.bytes.len()),
                )
                .with_evidence(b.source.to_string()),
            );
            Ok(size_ok.then_some(b.bytes))
        }
        Err(FetchError::Digest {
            expected,
            found,
            url,
            ..
        }) => {
            fetched.checks.push(
                Check::fail(ids::CHART_OCI_LAYER, T_LAYER, expected, found).with_evidence(url),
            );
            Ok(None)
        }
        Err(e @ FetchError::TooLarge { .. }) => {
            fetched.checks.push(too_large(e.to_string()));
            Ok(None)
        }
        Err(e) => Err(SourceError::from_fetch("chart layer", &e)),
    }
}

/// The `.prov` of the provenance layer.
async fn prov_layer(client: &RegistryClient, repo: &Repo, p: &Descriptor, subject: &str) -> Prov {
    match p.digest.parse::<Digest>() {
        Err(e) => Prov::Wrong(format!("provenance layer digest {:?}: {e}", p.digest)),
        Ok(d) => match client.blob(repo, &d, Kind::Prov).await {
            Ok(b) => Prov::Present {
                bytes: b.bytes,
                source: format!("{subject} provenance layer {d}"),
            },
            Err(e) if fetched_but_wrong(&e) => Prov::Wrong(e.to_string()),
            Err(e) => Prov::Unreadable(e.to_string()),
        },
    }
}
