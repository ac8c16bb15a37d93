//! A small OCI registry on loopback that serves the OCI 1.1 referrers API
//! (`GET /v2/<name>/referrers/<digest>`), which Debian's docker-registry lacks: manifests by
//! tag and digest, blobs by digest, and for every manifest pushed with a `subject` an entry
//! in its subject's referrers index (with the manifest's `artifactType` and annotations, as
//! the distribution spec says). Built on [`super::http::Server`], so every request is
//! recorded ([`OciRegistry::requests`]).

use kakunin::digest::Digest;

use super::http::{Reply, Server};

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// The registry; stops when dropped.
pub struct OciRegistry {
    server: Server,
    /// subject digest → (repo, descriptors of its referrers).
    referrers: std::sync::Mutex<Vec<(String, String, Vec<serde_json::Value>)>>,
}

fn leak(s: &str) -> &'static str {
    // Content types are few per test; the server's reply type wants a static string.
    Box::leak(s.to_string().into_boxed_str())
}

impl OciRegistry {
    pub fn start() -> OciRegistry {
        let server = Server::start();
        server.route("/v2/", Reply::Ok(b"{}".to_vec(), "application/json"));
        OciRegistry {
            server,
            referrers: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.server.port)
    }

    /// Stores a blob; returns its digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let d = Digest::sha256(bytes).to_string();
        self.server.route(
            &format!("/v2/{repo}/blobs/{d}"),
            Reply::Ok(bytes.to_vec(), "application/octet-stream"),
        );
        d
    }

    /// Stores a manifest under its digest (and `tag`, if given); a manifest with a `subject`
    /// is listed in its subject's referrers index. Returns its digest.
    pub fn push_manifest(&self, repo: &str, tag: Option<&str>, bytes: &[u8]) -> String {
        let doc: serde_json::Value = serde_json::from_slice(bytes).expect("manifest JSON");
        let media_type = leak(doc["mediaType"].as_str().unwrap_or(OCI_MANIFEST));
        let d = Digest::sha256(bytes).to_string();
        for r in std::iter::once(d.as_str()).chain(tag) {
            self.server.route(
                &format!("/v2/{repo}/manifests/{r}"),
                Reply::Ok(bytes.to_vec(), media_type),
            );
        }
        if let Some(subject) = doc["subject"]["digest"].as_str() {
            let mut desc = serde_json::json!({
                "mediaType": media_type,
                "digest": d,
                "size": bytes.len(),
            });
            if let Some(t) = doc["artifactType"].as_str() {
                desc["artifactType"] = t.into();
            }
            if doc["annotations"].is_object() {
                desc["annotations"] = doc["annotations"].clone();
            }
            let mut refs = self.referrers.lock().unwrap();
            match refs.iter_mut().find(|(r, s, _)| r == repo && s == subject) {
                Some((_, _, list)) => list.push(desc),
                None => refs.push((repo.to_string(), subject.to_string(), vec![desc])),
            }
            let list = refs
                .iter()
                .find(|(r, s, _)| r == repo && s == subject)
                .map(|(_, _, l)| l.clone())
                .unwrap();
            let index = serde_json::json!({
                "schemaVersion": 2,
                "mediaType": OCI_INDEX,
                "manifests": list,
            });
            self.server.route(
                &format!("/v2/{repo}/referrers/{subject}"),
                Reply::Ok(index.to_string().into_bytes(), OCI_INDEX),
            );
        }
        d
    }

    /// Pushes a one-layer image under `tag`; returns (digest, manifest bytes).
    pub fn push_image(&self, repo: &str, tag: &str, seed: &str) -> (String, Vec<u8>) {
        let config = format!(r#"{{"architecture":"amd64","os":"linux","seed":"{seed}"}}"#);
        let cd = self.push_blob(repo, config.as_bytes());
        let ld = self.push_blob(repo, seed.as_bytes());
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{ld}","size":{}}}]}}"#,
            config.len(),
            seed.len()
        );
        let d = self.push_manifest(repo, Some(tag), manifest.as_bytes());
        (d, manifest.into_bytes())
    }

    /// Attaches a Sigstore bundle to `subject` as cosign v3 and GitHub's `push-to-registry` do:
    /// an OCI manifest with artifactType and one layer of the bundle media type, the empty
    /// config, `subject`, and the bundle annotations. Returns the artifact's digest.
    pub fn attach_bundle(
        &self,
        repo: &str,
        subject: (&str, usize),
        bundle: &[u8],
        predicate_type: Option<&str>,
    ) -> String {
        const BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
        let empty = self.push_blob(repo, b"{}");
        let bd = self.push_blob(repo, bundle);
        let mut annotations = serde_json::json!({
            "dev.sigstore.bundle.content": if predicate_type.is_some() { "dsse-envelope" } else { "message-signature" },
            "org.opencontainers.image.created": "2026-12-01T00:00:00Z",
        });
        if let Some(p) = predicate_type {
            annotations["dev.sigstore.bundle.predicateType"] = p.into();
        }
        let manifest = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "artifactType": BUNDLE,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": empty, "size": 2},
            "layers": [{"mediaType": BUNDLE, "digest": bd, "size": bundle.len()}],
            "subject": {"mediaType": OCI_MANIFEST, "digest": subject.0, "size": subject.1},
            "annotations": annotations,
        });
        self.push_manifest(repo, None, manifest.to_string().as_bytes())
    }

    /// Serves `bytes` for the manifest `reference` (a tag or digest) from now on, whatever they
    /// hash to: a registry that answers a digest with other bytes.
    pub fn serve_manifest_as(&self, repo: &str, reference: &str, bytes: &[u8]) {
        self.server.route(
            &format!("/v2/{repo}/manifests/{reference}"),
            Reply::Ok(bytes.to_vec(), OCI_MANIFEST),
        );
    }

    /// The paths of every request received, in order.
    pub fn requests(&self) -> Vec<String> {
        self.server.seen().into_iter().map(|s| s.path).collect()
    }
}
