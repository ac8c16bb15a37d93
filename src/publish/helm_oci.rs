//! The OCI artifact of a Helm chart, byte for byte as `helm push` writes it: the config (the
//! chart's `Chart.yaml` metadata as JSON, in Helm's field order, empty fields left out), the
//! chart layer (and the `.prov` layer before it, when there is one), and the image manifest
//! with Helm's `org.opencontainers.image.*` annotations.
//!
//! Guarantees: the chart is read with kakunin's bounded chart reader (a `.tgz` that is not a
//! chart is refused with the reason); every descriptor's digest and size are those of the bytes
//! returned; for the same inputs the bytes are the same (tested against the manifest and config
//! `helm push` wrote in Helm's own registry test). Pushing them is not this module's work.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chart::package::ChartPackage;
use crate::digest::Digest;

/// Helm's chart config media type.
pub const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
/// Helm's chart content layer media type.
pub const HELM_CHART_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
/// Helm's provenance (`.prov`) layer media type.
pub const HELM_PROV_LAYER: &str = "application/vnd.cncf.helm.chart.provenance.v1.prov";

/// A chart's OCI artifact: the blobs and the manifest that names them.
#[derive(Debug, Clone)]
pub struct ChartArtifact {
    pub name: String,
    pub version: String,
    pub config: Vec<u8>,
    pub manifest: Vec<u8>,
    pub manifest_digest: Digest,
}

/// `Chart.yaml` as Helm's `chart.Metadata` serialises it to JSON (its Go field order; empty
/// values omitted, as `omitempty` does).
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    home: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    sources: Vec<String>,
    version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    maintainers: Vec<Maintainer>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    icon: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    condition: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    tags: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    app_version: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    deprecated: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    kube_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<Dependency>,
    #[serde(default, rename = "type", skip_serializing_if = "String::is_empty")]
    chart_type: String,
}

#[derive(Debug, Deserialize, Serialize)]
struct Maintainer {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    url: String,
}

#[derive(Debug, Deserialize, Serialize)]
struct Dependency {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    repository: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    condition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tags: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    enabled: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    alias: String,
}

#[derive(Serialize)]
struct Descriptor<'a> {
    #[serde(rename = "mediaType")]
    media_type: &'a str,
    digest: String,
    size: usize,
}

#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(rename = "schemaVersion")]
    schema_version: u32,
    config: Descriptor<'a>,
    layers: Vec<Descriptor<'a>>,
    annotations: BTreeMap<String, String>,
}

fn descriptor<'a>(media_type: &'a str, bytes: &[u8]) -> Descriptor<'a> {
    Descriptor {
        media_type,
        digest: Digest::sha256(bytes).to_string(),
        size: bytes.len(),
    }
}

/// The OCI artifact of the chart package `tgz` (with its `.prov`, if given), created at
/// `created` (RFC 3339, as `helm push` stamps it).
pub fn chart_artifact(
    tgz: &[u8],
    prov: Option<&[u8]>,
    created: &str,
) -> Result<ChartArtifact, String> {
    let package =
        ChartPackage::read(tgz).map_err(|e| format!("expected a Helm chart package: {e}"))?;
    let meta: Metadata = serde_norway::from_slice(&package.chart_yaml)
        .map_err(|e| format!("Chart.yaml: expected Helm chart metadata, found: {e}"))?;
    let config = serde_json::to_vec(&meta).map_err(|e| format!("chart config: {e}"))?;

    // As Helm's generateOCIAnnotations: the chart's own annotations, then the standard ones.
    let mut annotations = meta.annotations.clone();
    let mut put = |k: &str, v: &str| {
        if !v.is_empty() {
            annotations.insert(format!("org.opencontainers.image.{k}"), v.to_string());
        }
    };
    put("description", &meta.description);
    put("title", &meta.name);
    put("version", &meta.version);
    put("url", &meta.home);
    put("created", created);
    if let Some(source) = meta.sources.first() {
        put("source", source);
    }
    let authors: Vec<String> = meta
        .maintainers
        .iter()
        .map(|m| match (m.name.as_str(), m.email.as_str()) {
            (n, "") => n.to_string(),
            (n, e) => format!("{n} ({e})"),
        })
        .collect();
    put("authors", &authors.join(", "));

    let mut layers = Vec::new();
    if let Some(prov) = prov {
        layers.push(descriptor(HELM_PROV_LAYER, prov));
    }
    layers.push(descriptor(HELM_CHART_LAYER, tgz));
    let manifest = serde_json::to_vec(&Manifest {
        schema_version: 2,
        config: descriptor(HELM_CONFIG, &config),
        layers,
        annotations,
    })
    .map_err(|e| format!("chart manifest: {e}"))?;
    Ok(ChartArtifact {
        name: meta.name,
        version: meta.version,
        manifest_digest: Digest::sha256(&manifest),
        config,
        manifest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_is_not_a_chart_is_refused() {
        let e = chart_artifact(
            b"\x1f\x8b\x08\x00 not a chart",
            None,
            "2026-01-01T00:00:00Z",
        )
        .unwrap_err();
        assert!(e.starts_with("expected a Helm chart package"), "{e}");
    }
}
