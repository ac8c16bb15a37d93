//! Debian's `docker-registry` (distribution 2.8, no OCI referrers API) on loopback, with a
//! fresh storage directory, and helpers that push blobs, images, image indexes and attached
//! Sigstore bundles over the registry's HTTP API.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kakunin::digest::Digest;

use crate::common::TempDir;

/// A running registry; stopped (killed and reaped) when dropped.
pub struct Registry {
    pub port: u16,
    child: Child,
    dir: TempDir,
    client: reqwest::Client,
}

/// What [`Registry::push_image`] pushed.
#[derive(Debug, Clone)]
pub struct PushedImage {
    pub digest: String,
    pub manifest: Vec<u8>,
    pub media_type: &'static str,
}

pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Registry {
    /// Starts docker-registry, or returns `None` (saying SKIPPED) when it is not installed and
    /// `KAKUNIN_REQUIRE_REGISTRY` is not `1` (scripts/setup-test-env installs it).
    pub fn start(test: &str) -> Option<Registry> {
        let bin = std::env::var("KAKUNIN_DOCKER_REGISTRY").unwrap_or("docker-registry".into());
        if Command::new(&bin).arg("--version").output().is_err() {
            if std::env::var_os("KAKUNIN_REQUIRE_REGISTRY").is_some_and(|v| v == "1") {
                panic!("{test}: docker-registry is required but not installed");
            }
            crate::common::skipped(
                test,
                "docker-registry is not installed (scripts/setup-test-env)",
            );
            return None;
        }
        let dir = TempDir::new("registry");
        let port = free_port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog: {{level: error}}\nstorage: {{filesystem: {{rootdirectory: {}}}, delete: {{enabled: true}}}}\nhttp: {{addr: 127.0.0.1:{port}}}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let log = std::fs::File::create(dir.path().join("registry.log")).unwrap();
        let child = Command::new(&bin)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("docker-registry starts");
        let reg = Registry {
            port,
            child,
            dir,
            client: reqwest::Client::new(),
        };
        let start = Instant::now();
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                let ok = crate::support::block_on(async {
                    reg.client
                        .get(format!("{}/v2/", reg.base()))
                        .send()
                        .await
                        .map(|r| r.status().is_success())
                        .unwrap_or(false)
                });
                if ok {
                    break;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "docker-registry did not start: {}",
                std::fs::read_to_string(reg.dir.path().join("registry.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
        Some(reg)
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Uploads a blob (monolithic POST + PUT) and returns its digest.
    pub fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
        let digest = Digest::sha256(bytes).to_string();
        crate::support::block_on(async {
            let r = self
                .client
                .post(format!("{}/v2/{repo}/blobs/uploads/", self.base()))
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status().as_u16(),
                202,
                "start upload: {:?}",
                r.text().await
            );
            let loc = r.headers()["location"].to_str().unwrap().to_string();
            let loc = if loc.starts_with('/') {
                format!("{}{loc}", self.base())
            } else {
                loc
            };
            let sep = if loc.contains('?') { '&' } else { '?' };
            let r = self
                .client
                .put(format!("{loc}{sep}digest={digest}"))
                .header("content-type", "application/octet-stream")
                .body(bytes.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status().as_u16(),
                201,
                "finish upload: {:?}",
                r.text().await
            );
        });
        digest
    }

    /// Puts a manifest under a tag or digest and returns its digest.
    pub fn push_manifest(
        &self,
        repo: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let digest = Digest::sha256(bytes).to_string();
        crate::support::block_on(async {
            let r = self
                .client
                .put(format!("{}/v2/{repo}/manifests/{reference}", self.base()))
                .header("content-type", media_type)
                .body(bytes.to_vec())
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status().as_u16(),
                201,
                "put manifest: {:?}",
                r.text().await
            );
        });
        digest
    }

    /// Pushes a small single-platform image (a config and one gzip layer, both derived from
    /// `seed`) under `tag`.
    pub fn push_image(&self, repo: &str, tag: &str, seed: &str) -> PushedImage {
        let config = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"Labels":{{"seed":"{seed}"}}}},"rootfs":{{"type":"layers","diff_ids":[]}}}}"#
        );
        let layer = {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut gz, seed.as_bytes()).unwrap();
            gz.finish().unwrap()
        };
        let cd = self.push_blob(repo, config.as_bytes());
        let ld = self.push_blob(repo, &layer);
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{ld}","size":{}}}]}}"#,
            config.len(),
            layer.len()
        );
        let digest = self.push_manifest(repo, tag, OCI_MANIFEST, manifest.as_bytes());
        PushedImage {
            digest,
            manifest: manifest.into_bytes(),
            media_type: OCI_MANIFEST,
        }
    }

    /// Pushes an image index over images already pushed (`(image, os, arch)`).
    pub fn push_index(
        &self,
        repo: &str,
        tag: &str,
        images: &[(&PushedImage, &str, &str)],
    ) -> PushedImage {
        let entries: Vec<String> = images
            .iter()
            .map(|(img, os, arch)| {
                format!(
                    r#"{{"mediaType":"{}","digest":"{}","size":{},"platform":{{"architecture":"{arch}","os":"{os}"}}}}"#,
                    img.media_type,
                    img.digest,
                    img.manifest.len()
                )
            })
            .collect();
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{}]}}"#,
            entries.join(",")
        );
        let digest = self.push_manifest(repo, tag, OCI_INDEX, index.as_bytes());
        PushedImage {
            digest,
            manifest: index.into_bytes(),
            media_type: OCI_INDEX,
        }
    }

    /// Attaches a Sigstore bundle to `subject` as an OCI 1.1 artifact (artifactType and layer
    /// media type `application/vnd.dev.sigstore.bundle.v0.3+json`, `subject` set), and — as a
    /// client must on a registry without the referrers API — adds it to the referrers index
    /// under the fallback tag `sha256-<hex>`. Returns the artifact manifest's digest.
    pub fn attach_bundle(&self, repo: &str, subject: &PushedImage, bundle: &[u8]) -> String {
        let empty = self.push_blob(repo, b"{}");
        let bd = self.push_blob(repo, bundle);
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"{BUNDLE_V03}","config":{{"mediaType":"{EMPTY_CONFIG}","digest":"{empty}","size":2}},"layers":[{{"mediaType":"{BUNDLE_V03}","digest":"{bd}","size":{}}}],"subject":{{"mediaType":"{}","digest":"{}","size":{}}},"annotations":{{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"https://slsa.dev/provenance/v1"}}}}"#,
            bundle.len(),
            subject.media_type,
            subject.digest,
            subject.manifest.len()
        );
        let digest = Digest::sha256(manifest.as_bytes()).to_string();
        self.push_manifest(repo, &digest, OCI_MANIFEST, manifest.as_bytes());
        self.add_to_fallback_index(
            repo,
            &subject.digest,
            format!(
                r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{digest}","size":{},"artifactType":"{BUNDLE_V03}"}}"#,
                manifest.len()
            ),
        );
        digest
    }

    /// Like [`Registry::attach_bundle`], but the new attachment comes first in the referrers
    /// index (as a registry may list them in any order).
    pub fn attach_bundle_first(&self, repo: &str, subject: &PushedImage, bundle: &[u8]) -> String {
        let digest = self.attach_bundle(repo, subject, bundle);
        self.edit_fallback_index(repo, &subject.digest, |e| e.rotate_right(1));
        digest
    }

    /// Takes the last attachment out of the referrers index of `subject`.
    pub fn remove_last_referrer(&self, repo: &str, subject: &str) {
        self.edit_fallback_index(repo, subject, |e| {
            e.pop();
        });
    }

    /// Appends a descriptor (JSON) to the referrers index under the fallback tag of `subject`.
    pub fn add_to_fallback_index(&self, repo: &str, subject: &str, descriptor: String) {
        self.edit_fallback_index(repo, subject, |e| {
            e.push(serde_json::from_str(&descriptor).unwrap())
        });
    }

    /// Rewrites the referrers index under the fallback tag of `subject`.
    fn edit_fallback_index(
        &self,
        repo: &str,
        subject: &str,
        edit: impl FnOnce(&mut Vec<serde_json::Value>),
    ) {
        let tag = subject.replace(':', "-");
        let existing = crate::support::block_on(async {
            let r = self
                .client
                .get(format!("{}/v2/{repo}/manifests/{tag}", self.base()))
                .header("accept", OCI_INDEX)
                .send()
                .await
                .unwrap();
            if r.status().is_success() {
                Some(r.bytes().await.unwrap().to_vec())
            } else {
                None
            }
        });
        let mut entries: Vec<serde_json::Value> = existing
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|v| v["manifests"].as_array().cloned())
            .unwrap_or_default();
        edit(&mut entries);
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_INDEX,
            "manifests": entries,
        });
        self.push_manifest(repo, &tag, OCI_INDEX, index.to_string().as_bytes());
    }

    /// The CPU time (user and system, all its threads) the registry process has used so far,
    /// from `/proc/PID/stat` (in clock ticks of 10 ms); `None` where there is no such file.
    pub fn cpu_time(&self) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id())).ok()?;
        // Fields after the command name (which may hold spaces), from field 3: utime is 14.
        let rest = stat.rsplit_once(')')?.1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    /// The registry's log (for assertion messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
