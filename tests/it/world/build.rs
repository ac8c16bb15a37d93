//! The release world's artifacts, built deterministically from the history table: small
//! synthetic OCI images, chart packages, and a Helm index. Same input, same bytes (fixed
//! mtimes, owners and gzip headers), so a chart's digest is stable across runs and machines.

use std::io::Write;

use flate2::{Compression, GzBuilder};
use kakunin::digest::Digest;
use serde_json::json;

use super::history::{self, ChartRelease};

/// A synthetic image: one layer, one config, one OCI manifest.
#[derive(Debug, Clone)]
pub struct Image {
    /// The tag it is released under (`v1.3.1`, or `main`).
    pub tag: String,
    /// Where it is pushed (lower-case repository path, without the registry host).
    pub path: String,
    pub layer: Vec<u8>,
    pub config: Vec<u8>,
    pub manifest: Vec<u8>,
}

pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

impl Image {
    pub fn digest(&self) -> Digest {
        Digest::sha256(&self.manifest)
    }
}

/// A gzip stream with a fixed header (no name, mtime 0).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// A tar of (path, contents) with fixed metadata.
pub fn tar(files: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    for (path, data) in files {
        let mut header = tar::Header::new_ustar();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(1_700_000_000);
        header.set_uid(0);
        header.set_gid(0);
        header.set_entry_type(tar::EntryType::Regular);
        builder
            .append_data(&mut header, path, data.as_slice())
            .unwrap();
    }
    builder.into_inner().unwrap()
}

/// The image of release `tag` pushed at `path` (`marcantoineraymond/gomenhashai`).
/// `flavour` distinguishes images with the same tag (a re-tagged image in a tampered world).
pub fn image(tag: &str, path: &str, flavour: &str) -> Image {
    let binary = format!("#!/bin/sh\necho 'GomenHashai {tag}{flavour} (kakunin test world)'\n");
    let layer_tar = tar(&[("usr/local/bin/gomenhashai", binary.into_bytes())]);
    let diff_id = Digest::sha256(&layer_tar);
    let layer = gzip(&layer_tar);
    let config = serde_json::to_vec(&json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2025-01-01T00:00:00Z",
        "config": {
            "Entrypoint": ["/usr/local/bin/gomenhashai"],
            "Labels": {
                "org.opencontainers.image.version": tag,
                "org.opencontainers.image.source": "https://github.com/GomenHashai/GomenHashai",
            }
        },
        "rootfs": {"type": "layers", "diff_ids": [diff_id.to_string()]},
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST_MEDIA_TYPE,
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "digest": Digest::sha256(&config).to_string(),
            "size": config.len(),
        },
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
            "digest": Digest::sha256(&layer).to_string(),
            "size": layer.len(),
        }],
        "annotations": {"org.opencontainers.image.version": tag},
    }))
    .unwrap();
    Image {
        tag: tag.into(),
        path: path.into(),
        layer,
        config,
        manifest,
    }
}

/// Every image release of the history, plus the moving `main` tag (built from the newest
/// release's commit, so it carries the same bytes as that release).
pub fn images() -> Vec<Image> {
    let mut v: Vec<Image> = history::IMAGES
        .iter()
        .map(|(tag, owner)| image(tag, &format!("{owner}/gomenhashai"), ""))
        .collect();
    let newest = history::IMAGES.last().unwrap();
    v.push(image(newest.0, &format!("{}/gomenhashai", newest.1), ""));
    v.last_mut().unwrap().tag = "main".into();
    v
}

/// What a chart's `image:` block says.
#[derive(Debug, Clone)]
pub struct ImageBlock {
    pub repository: String,
    pub tag: String,
    pub digest: Option<String>,
}

impl ImageBlock {
    /// The block a history release writes, pinning `digest` when the release pins one.
    pub fn of(release: &ChartRelease, digest: &Digest) -> ImageBlock {
        ImageBlock {
            repository: release.repository.into(),
            tag: String::new(),
            digest: release.pins_digest.then(|| digest.to_string()),
        }
    }
}

/// A chart package, as `helm package` lays it out (`<name>/Chart.yaml`, `values.yaml`,
/// `templates/…`).
pub fn chart_tgz(version: &str, app_version: &str, image: &ImageBlock) -> Vec<u8> {
    let chart_yaml = format!(
        "apiVersion: v2\nname: gomenhashai\ndescription: GomenHashai, as the kakunin test world releases it\n\
         type: application\nversion: {version}\nappVersion: {app_version}\n\
         home: https://github.com/GomenHashai/GomenHashai\n"
    );
    let digest = match &image.digest {
        Some(d) => format!("  digest: \"{d}\"\n"),
        None => String::new(),
    };
    let values = format!(
        "replicaCount: 1\nimage:\n  repository: {}\n  tag: \"{}\"\n{digest}  pullPolicy: IfNotPresent\n",
        image.repository, image.tag
    );
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n\
        spec:\n  template:\n    spec:\n      containers:\n        - name: gomenhashai\n\
        \x20         image: \"{{ .Values.image.repository }}{{ if .Values.image.digest }}@{{ .Values.image.digest }}{{ else }}:{{ .Values.image.tag | default .Chart.AppVersion }}{{ end }}\"\n";
    gzip(&tar(&[
        ("gomenhashai/Chart.yaml", chart_yaml.into_bytes()),
        ("gomenhashai/values.yaml", values.into_bytes()),
        (
            "gomenhashai/templates/deployment.yaml",
            deployment.as_bytes().to_vec(),
        ),
    ]))
}

/// One entry of the Helm index.
#[derive(Debug, Clone)]
pub struct IndexEntry {
    pub version: String,
    pub app_version: String,
    pub digest_hex: String,
    pub url: String,
}

/// A Helm repository `index.yaml` (entries newest first, as Helm writes them).
pub fn index_yaml(entries: &[IndexEntry]) -> String {
    let mut out = String::from("apiVersion: v1\nentries:\n  gomenhashai:\n");
    let mut sorted: Vec<&IndexEntry> = entries.iter().collect();
    sorted.sort_by(|a, b| {
        semver::Version::parse(&b.version)
            .ok()
            .cmp(&semver::Version::parse(&a.version).ok())
    });
    for e in sorted {
        out.push_str(&format!(
            "  - apiVersion: v2\n    appVersion: {}\n    created: \"2025-11-08T11:56:41Z\"\n    \
             description: GomenHashai, as the kakunin test world releases it\n    digest: {}\n    \
             name: gomenhashai\n    type: application\n    urls:\n    - {}\n    version: {}\n",
            e.app_version, e.digest_hex, e.url, e.version
        ));
    }
    out.push_str("generated: \"2025-11-08T11:56:42Z\"\n");
    out
}

#[test]
fn artifacts_are_deterministic() {
    let a = image("v1.3.1", "gomenhashai/gomenhashai", "");
    let b = image("v1.3.1", "gomenhashai/gomenhashai", "");
    assert_eq!(a.manifest, b.manifest);
    assert_ne!(
        a.digest(),
        image("v1.3.1", "gomenhashai/gomenhashai", "-retagged").digest()
    );
    let block = ImageBlock {
        repository: "ghcr.io/gomenhashai/gomenhashai".into(),
        tag: String::new(),
        digest: Some(a.digest().to_string()),
    };
    assert_eq!(
        chart_tgz("1.3.2", "v1.3.1", &block),
        chart_tgz("1.3.2", "v1.3.1", &block)
    );
}
