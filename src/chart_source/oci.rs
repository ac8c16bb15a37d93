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
use super::{FetchedChart, OciManifest, Prov, SourceError, fetched_but_wrong};

const T_MANIFEST: &str = "OCI manifest is a Helm chart (config and layer media types)";
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

/// Fetches the chart `oci://repo` at the version `request` chooses.
pub async fn fetch(
    client: &RegistryClient,
    repo: &Repo,
    request: Option<&str>,
) -> Result<FetchedChart, SourceError> {
    let version = tag(client, repo, request).await?;
    let tag = version.replace('+', "_");
    let subject = format!("oci://{repo}:{version}");
    let manifest = client.manifest_by_tag(repo, &tag).await.map_err(|e| {
        let what = format!("manifest of {subject}");
        match e {
            FetchError::Registry { .. } => SourceError::wrong(format!("{what}: {e}")),
            e => SourceError::from_fetch(&what, &e),
        }
    })?;
    let digest = manifest.digest().clone();
    let name = repo
        .repository
        .rsplit('/')
        .next()
        .unwrap_or(&repo.repository)
        .to_string();
    let mut details = serde_json::Map::new();
    details.insert("source".into(), "oci".into());
    details.insert("manifest_digest".into(), digest.to_string().into());
    let mut fetched = FetchedChart {
        subject: subject.clone(),
        version: Some(version.clone()),
        name: Some(name.clone()),
        package: None,
        package_source: format!("{subject} (chart layer)"),
        package_name: format!("{name}-{version}.tgz"),
        prov: Prov::Absent(format!("{subject}: no {HELM_PROV_MEDIA_TYPE} layer")),
        checks: Vec::new(),
        oci: Some(OciManifest {
            repo: repo.clone(),
            digest: digest.clone(),
            tag: tag.clone(),
        }),
        skipped: Vec::new(),
        details,
    };

    let doc = manifest
        .parse()
        .map_err(|e| SourceError::wrong(format!("manifest of {subject}: {e}")))?;
    let config = doc
        .config
        .as_ref()
        .map_or("none", |c| c.media_type.as_str());
    let charts: Vec<&Descriptor> = doc
        .layers
        .iter()
        .filter(|l| l.media_type == HELM_CHART_MEDIA_TYPE)
        .collect();
    let provs: Vec<&Descriptor> = doc
        .layers
        .iter()
        .filter(|l| l.media_type == HELM_PROV_MEDIA_TYPE)
        .collect();
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
    fetched.checks.push(
        Check::pass_if(ok, ids::CHART_OCI_MANIFEST, T_MANIFEST, expected, found)
            .with_evidence(format!("{subject} = {digest}")),
    );
    if !ok {
        return Ok(fetched);
    }
    let layer = charts[0];
    fetched
        .details
        .insert("chart_layer_digest".into(), layer.digest.clone().into());
    let layer_digest: Digest = match layer.digest.parse() {
        Ok(d) => d,
        Err(e) => {
            fetched.checks.push(Check::fail(
                ids::CHART_OCI_LAYER,
                T_LAYER,
                "a sha256 digest in the chart layer's descriptor",
                format!("{:?}: {e}", layer.digest),
            ));
            return Ok(fetched);
        }
    };
    if layer.size < 0 || layer.size as u64 > MAX_CHART_BYTES {
        fetched.checks.push(Check::fail(
            ids::CHART_PACKAGE,
            T_PACKAGE,
            format!("a chart package of at most {MAX_CHART_BYTES} bytes"),
            format!("the chart layer's descriptor says {} bytes", layer.size),
        ));
        return Ok(fetched);
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
            if size_ok {
                fetched.package = Some(b.bytes);
            }
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
        }
        Err(e @ FetchError::TooLarge { .. }) => {
            fetched.checks.push(Check::fail(
                ids::CHART_PACKAGE,
                T_PACKAGE,
                format!("a chart package of at most {MAX_CHART_BYTES} bytes"),
                e.to_string(),
            ));
        }
        Err(e) => return Err(SourceError::from_fetch("chart layer", &e)),
    }
    if let Some(p) = provs.first() {
        fetched.prov = match p.digest.parse::<Digest>() {
            Err(e) => Prov::Wrong(format!("provenance layer digest {:?}: {e}", p.digest)),
            Ok(d) => match client.blob(repo, &d, Kind::Prov).await {
                Ok(b) => Prov::Present {
                    bytes: b.bytes,
                    source: format!("{subject} provenance layer {d}"),
                },
                Err(e) if fetched_but_wrong(&e) => Prov::Wrong(e.to_string()),
                Err(e) => Prov::Unreadable(e.to_string()),
            },
        };
    }
    Ok(fetched)
}
