//! The release world: a reproducible, GomenHashai-shaped set of releases (charts in a Helm
//! repository, release assets in GitHub's layout, small images in a registry), built by the
//! tests themselves from [`history`] with deterministic bytes, and released keylessly with
//! `kakunin publish chart|image` against the test Sigstore instance (fixed keys), as the
//! project's workflows would; the few bundles only a tampered world needs (a statement about
//! another ref than its certificate's, for instance) are signed with `kakunin sign-bundle`.
//!
//! The world is built once per test process ([`world`]) and shared; tampered worlds are
//! copies of its evidence with one thing changed.

// Parts of the world serve the CLI and registry tests only.
#![allow(dead_code)]

pub mod build;
pub mod history;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::Engine;
use kakunin::digest::Digest;
use kakunin::release::{Evidence, Fetched, IndexFile, Missing, RegistryEvidence};
use serde_json::json;

use crate::common::{TempDir, code, repo, run, stderr};
use crate::sigstore_instance::{GITHUB_ISSUER, TestSigstore};
use build::{Image, ImageBlock};
use history::ChartRelease;

/// Where the world's URLs point (the files are the same wherever they are served).
pub const GITHUB: &str = "https://github.com";
pub const GITHUB_REPOSITORY: &str = "GomenHashai/GomenHashai";

/// One chart release of the world.
#[derive(Debug, Clone)]
pub struct BuiltChart {
    pub release: ChartRelease,
    pub tgz: Vec<u8>,
    pub bundle: Vec<u8>,
    pub envelope: Vec<u8>,
    /// The Helm `.prov`, signed with the world's release key.
    pub prov: Vec<u8>,
}

/// One image release of the world.
#[derive(Debug, Clone)]
pub struct BuiltImage {
    pub image: Image,
    /// `ghcr.io/<owner>/gomenhashai`.
    pub repository: String,
    pub bundle: Vec<u8>,
    pub envelope: Vec<u8>,
}

/// Bundles signed only for tampered worlds.
#[derive(Debug, Clone)]
pub struct Extras {
    /// Chart 1.3.2's statement signed by another workflow of the project.
    pub chart_wrong_identity: Vec<u8>,
    /// Image v1.3.1's statement signed by the right workflow at the right tag, but from a
    /// checkout of another ref (`ref` claim refs/tags/v1.3.0).
    pub image_wrong_source_ref: Vec<u8>,
    /// An image statement for v1.3.1 whose subject is another digest, properly signed.
    pub image_other_subject: Vec<u8>,
    /// A chart 1.3.3 that goes back to image v1.2.0, properly built and signed.
    pub chart_downgrade: BuiltChart,
    /// Chart 1.3.2 rebuilt to deploy the `main` tag (pinned to what `main` is now), signed.
    pub chart_main_tag: BuiltChart,
}

pub struct World {
    /// The armored public key of the world's Helm `.prov` signing key.
    pub prov_keyring: Vec<u8>,
    pub charts: Vec<BuiltChart>,
    pub images: Vec<BuiltImage>,
    /// The moving `main` tag's image (same bytes as the newest release).
    pub main: Image,
    pub extras: Extras,
}

/// The world, built on first use.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(World::build)
}

/// The test instance's trusted root, as committed.
pub fn trusted_root() -> PathBuf {
    repo().join("fixtures/test-sigstore/trusted_root.json")
}

/// A GitHub Actions OIDC token whose certificate identity is `job_workflow_ref` and whose
/// source ref claim is `source_ref`, valid around `at` (unix seconds, the instance's clock).
fn token(repository: &str, workflow: &str, job_ref: &str, source_ref: &str, at: i64) -> String {
    let job_workflow_ref = format!("{repository}/.github/workflows/{workflow}@{job_ref}");
    let sha = format!(
        "{:040x}",
        Digest::sha256(job_workflow_ref.as_bytes()).as_bytes()[0]
    );
    let claims = json!({
        "iss": GITHUB_ISSUER,
        "aud": "sigstore",
        "sub": format!("repo:{repository}:ref:{source_ref}"),
        "iat": at - 10, "nbf": at - 10, "exp": at + 600,
        "repository": repository,
        "repository_owner": repository.split('/').next().unwrap(),
        "repository_id": "700000001",
        "repository_owner_id": "100000001",
        "repository_visibility": "public",
        "ref": source_ref,
        "sha": sha,
        "workflow": workflow.trim_end_matches(".yaml"),
        "workflow_ref": job_workflow_ref,
        "workflow_sha": sha,
        "job_workflow_ref": job_workflow_ref,
        "job_workflow_sha": sha,
        "event_name": "push",
        "runner_environment": "github-hosted",
        "run_id": "4242424242",
        "run_attempt": "1",
    });
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.unsigned",
        b64(&json!({"alg": "RS256", "typ": "JWT"})),
        b64(&claims)
    )
}

/// An SLSA v1 provenance statement of GitHub's build type for one subject.
fn statement(
    subject_name: &str,
    digest: &Digest,
    repository: &str,
    workflow: &str,
    git_ref: &str,
) -> Vec<u8> {
    let repo_url = format!("{GITHUB}/{repository}");
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": subject_name, "digest": {"sha256": digest.hex()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {
                    "ref": git_ref, "repository": repo_url,
                    "path": format!(".github/workflows/{workflow}"),
                }},
                "internalParameters": {"github": {
                    "event_name": "push", "repository_id": "700000001",
                    "repository_owner_id": "100000001", "runner_environment": "github-hosted",
                }},
                "resolvedDependencies": [{
                    "uri": format!("git+{repo_url}@{git_ref}"),
                    "digest": {"gitCommit": format!("{:0>40}", &digest.hex()[..12])},
                }],
            },
            "runDetails": {
                "builder": {"id": format!("{repo_url}/.github/workflows/{workflow}@{git_ref}")},
                "metadata": {"invocationId": format!("{repo_url}/actions/runs/4242424242/attempts/1")},
            },
        },
    }))
    .unwrap()
}

/// Signs with `kakunin sign-bundle --in-toto`; returns (bundle, .intoto.jsonl line).
struct Signer {
    instance: TestSigstore,
    dir: TempDir,
    n: std::cell::Cell<u32>,
    /// The armored secret key `.prov` files are signed with.
    prov_key: PathBuf,
}

/// The world's Helm provenance key (Ed25519, from a fixed seed): (secret, public), armored.
fn prov_key() -> (Vec<u8>, Vec<u8>) {
    use pgp::composed::{KeyType, SecretKeyParamsBuilder};
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x6b616b756e696e);
    let key = SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("GomenHashai charts (kakunin test world) <charts@kakunin.invalid>".into())
        .build()
        .unwrap()
        .generate(&mut rng)
        .unwrap();
    (
        key.to_armored_string(Default::default())
            .unwrap()
            .into_bytes(),
        key.to_public_key()
            .to_armored_bytes(Default::default())
            .unwrap(),
    )
}

impl Signer {
    fn sign(&self, statement: &[u8], jwt: &str, _at: &str) -> (Vec<u8>, Vec<u8>) {
        let n = self.n.get();
        self.n.set(n + 1);
        let (stmt, bundle) = (
            self.dir.path().join(format!("s{n}.json")),
            self.dir.path().join(format!("s{n}.sigstore")),
        );
        std::fs::write(&stmt, statement).unwrap();
        let bundle =
            crate::support::keyless::sign_bundle(&self.instance, jwt, &stmt, &bundle, true);
        (bundle.clone(), envelope_line(&bundle))
    }
}

impl Signer {
    /// `kakunin publish chart|image` with the provenance flags of a GitHub Actions run of
    /// `workflow` at `git_ref` in `repository`; returns (bundle, .intoto.jsonl) as written.
    fn publish(
        &self,
        what: &[&str],
        stem: &str,
        repository: &str,
        workflow: &str,
        git_ref: &str,
        jwt: &str,
    ) -> (Vec<u8>, Vec<u8>) {
        self.publish_in(what, stem, repository, workflow, git_ref, jwt)
            .0
    }

    /// As [`Signer::publish`], also returning the directory written into.
    #[allow(clippy::too_many_arguments)]
    fn publish_in(
        &self,
        what: &[&str],
        stem: &str,
        repository: &str,
        workflow: &str,
        git_ref: &str,
        jwt: &str,
    ) -> ((Vec<u8>, Vec<u8>), PathBuf) {
        let n = self.n.get();
        self.n.set(n + 1);
        let out_dir = self.dir.path().join(format!("p{n}"));
        std::fs::create_dir_all(&out_dir).unwrap();
        let workflow_ref = format!("{repository}/.github/workflows/{workflow}@{git_ref}");
        let sha = format!(
            "{:040x}",
            Digest::sha256(workflow_ref.as_bytes()).as_bytes()[0]
        );
        let (root, config, out) = (
            self.instance.trusted_root().display().to_string(),
            self.instance.signing_config().display().to_string(),
            out_dir.display().to_string(),
        );
        let mut args = vec!["publish"];
        args.extend_from_slice(what);
        args.extend_from_slice(&[
            "--out",
            &out,
            "--identity-token",
            jwt,
            "--signing-config",
            &config,
            "--trusted-root",
            &root,
            "--repository",
            repository,
            "--workflow-ref",
            &workflow_ref,
            "--ref",
            git_ref,
            "--sha",
            &sha,
            "--event-name",
            "push",
            "--repository-id",
            "700000001",
            "--repository-owner-id",
            "100000001",
            "--runner-environment",
            "github-hosted",
            "--run-id",
            "4242424242",
        ]);
        let out = run(&args);
        assert_eq!(
            code(&out),
            0,
            "publish {what:?}: {}\n{}",
            crate::common::stdout(&out),
            stderr(&out)
        );
        (
            (
                std::fs::read(out_dir.join(format!("{stem}.sigstore"))).unwrap(),
                std::fs::read(out_dir.join(format!("{stem}.intoto.jsonl"))).unwrap(),
            ),
            out_dir,
        )
    }

    /// Publishes a chart package (and its `.prov`) as the project's helm-release workflow does:
    /// (bundle, .intoto.jsonl, .prov).
    fn publish_chart(
        &self,
        version: &str,
        tgz: &[u8],
        repository: &str,
        workflow: &str,
        unix: i64,
    ) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        let dir = self.dir.path().join(format!("c{}", self.n.get()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(format!("gomenhashai-{version}.tgz"));
        std::fs::write(&file, tgz).unwrap();
        let jwt = token(
            repository,
            workflow,
            "refs/heads/main",
            "refs/heads/main",
            unix,
        );
        let file = file.display().to_string();
        let key = self.prov_key.display().to_string();
        let ((bundle, envelope), out) = self.publish_in(
            &["chart", &file, "--prov-key", &key],
            &format!("gomenhashai-{version}"),
            repository,
            workflow,
            "refs/heads/main",
            &jwt,
        );
        let prov = std::fs::read(out.join(format!("gomenhashai-{version}.tgz.prov"))).unwrap();
        (bundle, envelope, prov)
    }

    /// Publishes an image release as the project's docker-release workflow does.
    fn publish_image(
        &self,
        reference: &str,
        tag: &str,
        repository: &str,
        unix: i64,
    ) -> (Vec<u8>, Vec<u8>) {
        let git_ref = format!("refs/tags/{tag}");
        let jwt = token(repository, "docker-release.yaml", &git_ref, &git_ref, unix);
        self.publish(
            &["image", reference, "--tag", tag, "--name", "GomenHashai"],
            &format!("GomenHashai-{tag}"),
            repository,
            "docker-release.yaml",
            &git_ref,
            &jwt,
        )
    }
}

/// The `.intoto.jsonl` of a bundle: its `dsseEnvelope` on one line.
pub fn envelope_line(bundle: &[u8]) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(bundle).unwrap();
    let mut line = serde_json::to_vec(&v["dsseEnvelope"]).unwrap();
    line.push(b'\n');
    line
}

/// Now (unix seconds): `kakunin sign-bundle`, as any client, refuses an expired token by its
/// own clock, so the world is signed on the real clock (its artifacts' bytes are fixed; the
/// signatures and certificates are new at each build).
fn date(_n: usize) -> (String, i64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    (String::new(), now)
}

impl World {
    fn build() -> World {
        let dir = TempDir::new("world-sign");
        let (secret, prov_keyring) = prov_key();
        let prov_key = dir.path().join("charts.asc");
        std::fs::write(&prov_key, secret).unwrap();
        let signer = Signer {
            instance: TestSigstore::start(),
            dir,
            n: std::cell::Cell::new(0),
            prov_key,
        };
        let mut images = Vec::new();
        for (tag, owner) in history::IMAGES.iter() {
            let image = build::image(tag, &format!("{owner}/gomenhashai"), "");
            let repository = format!("ghcr.io/{owner}/gomenhashai");
            let gh = history::github_repository(owner);
            let (_, unix) = date(0);
            let reference = format!("{repository}@{}", image.digest());
            let (bundle, envelope) = signer.publish_image(&reference, tag, gh, unix);
            images.push(BuiltImage {
                image,
                repository,
                bundle,
                envelope,
            });
        }
        let digest_of = |tag: &str| {
            images
                .iter()
                .find(|i| i.image.tag == tag)
                .map(|i| i.image.digest())
                .unwrap()
        };
        let sign_chart = |release: ChartRelease, block: &ImageBlock, gh: &str| {
            let tgz = build::chart_tgz(release.version, release.app_version, block);
            let (_, unix) = date(0);
            let (bundle, envelope, prov) =
                signer.publish_chart(release.version, &tgz, gh, "helm-release.yaml", unix);
            BuiltChart {
                release,
                tgz,
                bundle,
                envelope,
                prov,
            }
        };
        let mut charts = Vec::new();
        for release in history::CHARTS.iter() {
            let block = ImageBlock::of(release, &digest_of(release.app_version));
            let owner = history::image_owner(release.app_version);
            charts.push(sign_chart(
                *release,
                &block,
                history::github_repository(owner),
            ));
        }
        let downgrade = ChartRelease {
            version: "1.3.3",
            app_version: "v1.2.0",
            repository: "ghcr.io/marcantoineraymond/gomenhashai",
            pins_digest: true,
        };
        let chart_downgrade = sign_chart(
            downgrade,
            &ImageBlock::of(&downgrade, &digest_of("v1.2.0")),
            GITHUB_REPOSITORY,
        );
        let newest_chart = *history::CHARTS.last().unwrap();
        let chart_main_tag = sign_chart(
            newest_chart,
            &ImageBlock {
                repository: newest_chart.repository.into(),
                tag: "main".into(),
                digest: Some(digest_of("v1.3.1").to_string()),
            },
            GITHUB_REPOSITORY,
        );
        let newest = images.last().unwrap();
        let mut main = newest.image.clone();
        main.tag = "main".into();

        // Extras for tampered worlds.
        let (at, unix) = date(20);
        let c = charts.last().unwrap();
        let chart_wrong_identity = signer
            .publish_chart("1.3.2", &c.tgz, GITHUB_REPOSITORY, "helm-debug.yaml", unix)
            .0;
        let stmt = statement(
            &newest.repository,
            &newest.image.digest(),
            GITHUB_REPOSITORY,
            "docker-release.yaml",
            "refs/tags/v1.3.1",
        );
        let jwt = token(
            GITHUB_REPOSITORY,
            "docker-release.yaml",
            "refs/tags/v1.3.1",
            "refs/tags/v1.3.0",
            unix,
        );
        let image_wrong_source_ref = signer.sign(&stmt, &jwt, &at).0;
        let other = build::image("v1.3.1", "gomenhashai/gomenhashai", "-other");
        let stmt = statement(
            &newest.repository,
            &other.digest(),
            GITHUB_REPOSITORY,
            "docker-release.yaml",
            "refs/tags/v1.3.1",
        );
        let jwt = token(
            GITHUB_REPOSITORY,
            "docker-release.yaml",
            "refs/tags/v1.3.1",
            "refs/tags/v1.3.1",
            unix,
        );
        let image_other_subject = signer.sign(&stmt, &jwt, &at).0;
        World {
            prov_keyring,
            charts,
            images,
            main,
            extras: Extras {
                chart_wrong_identity,
                image_wrong_source_ref,
                image_other_subject,
                chart_downgrade,
                chart_main_tag,
            },
        }
    }

    pub fn chart(&self, version: &str) -> &BuiltChart {
        self.charts
            .iter()
            .find(|c| c.release.version == version)
            .unwrap_or_else(|| panic!("no chart {version} in the world"))
    }

    pub fn image(&self, tag: &str) -> &BuiltImage {
        self.images
            .iter()
            .find(|i| i.image.tag == tag)
            .unwrap_or_else(|| panic!("no image {tag} in the world"))
    }

    /// The release tag and asset URL of a chart package on GitHub.
    pub fn chart_url(base: &str, version: &str) -> String {
        format!(
            "{base}/{GITHUB_REPOSITORY}/releases/download/gomenhashai-{version}/gomenhashai-{version}.tgz"
        )
    }

    /// The Helm index of the world's charts, with download URLs under `base`.
    pub fn index(&self, base: &str) -> String {
        index_of(&self.charts, base)
    }

    /// The evidence a fetch of chart `version` gathers from the untouched world (the registry
    /// answering as the world's registry does).
    pub fn evidence(&self, version: &str) -> Evidence {
        self.evidence_of(self.chart(version), &self.charts)
    }

    /// The evidence of chart `c` in a Helm repository listing `charts`.
    pub fn evidence_of(&self, c: &BuiltChart, charts: &[BuiltChart]) -> Evidence {
        let version = c.release.version;
        let tag = c.release.app_version;
        let img = self.image(tag);
        let asset = |release: &str, name: &str, bytes: &[u8]| {
            Ok(Fetched::new(
                bytes.to_vec(),
                format!("{GITHUB}/{GITHUB_REPOSITORY}/releases/download/{release}/{name}"),
            ))
        };
        let chart_tag = format!("gomenhashai-{version}");
        let mut tags: Vec<String> = self
            .images
            .iter()
            .filter(|i| i.repository == img.repository)
            .map(|i| i.image.tag.clone())
            .collect();
        if img.repository.ends_with("gomenhashai/gomenhashai") {
            tags.push("main".into());
        }
        Evidence {
            chart: "gomenhashai".into(),
            version: version.into(),
            index: index_file(
                &index_of(charts, GITHUB),
                "https://gomenhashai.github.io/GomenHashai/index.yaml",
            ),
            package: asset(&chart_tag, &format!("{chart_tag}.tgz"), &c.tgz),
            prov: Some(asset(&chart_tag, &format!("{chart_tag}.tgz.prov"), &c.prov)),
            chart_bundle: asset(&chart_tag, &format!("{chart_tag}.sigstore"), &c.bundle),
            chart_envelope: asset(
                &chart_tag,
                &format!("{chart_tag}.intoto.jsonl"),
                &c.envelope,
            ),
            image_bundle: asset(tag, &format!("GomenHashai-{tag}.sigstore"), &img.bundle),
            image_envelope: asset(
                tag,
                &format!("GomenHashai-{tag}.intoto.jsonl"),
                &img.envelope,
            ),
            registry: RegistryEvidence {
                tag_digest: Ok((img.image.digest(), format!("{}:{tag}", img.repository))),
                attestations: Ok(vec![Fetched::new(
                    img.bundle.clone(),
                    format!("{}@{} (referrer)", img.repository, img.image.digest()),
                )]),
                tags: Ok((tags, format!("tags of {}", img.repository))),
            },
        }
    }

    /// Writes the world's Helm repository and release assets in GitHub's layout under `dir`:
    /// `pages/index.yaml` (URLs under `base`) and `<owner>/<repo>/releases/download/<tag>/<asset>`.
    pub fn write_site(&self, dir: &Path, base: &str) {
        let write = |path: PathBuf, bytes: &[u8]| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        };
        write(dir.join("pages/index.yaml"), self.index(base).as_bytes());
        let releases = dir.join(GITHUB_REPOSITORY).join("releases/download");
        for c in &self.charts {
            let t = format!("gomenhashai-{}", c.release.version);
            write(releases.join(&t).join(format!("{t}.tgz")), &c.tgz);
            write(releases.join(&t).join(format!("{t}.sigstore")), &c.bundle);
            write(
                releases.join(&t).join(format!("{t}.intoto.jsonl")),
                &c.envelope,
            );
        }
        for i in &self.images {
            let t = &i.image.tag;
            write(
                releases.join(t).join(format!("GomenHashai-{t}.sigstore")),
                &i.bundle,
            );
            write(
                releases
                    .join(t)
                    .join(format!("GomenHashai-{t}.intoto.jsonl")),
                &i.envelope,
            );
        }
    }
}

/// The Helm index of `charts`, with download URLs under `base`.
pub fn index_of(charts: &[BuiltChart], base: &str) -> String {
    let entries: Vec<build::IndexEntry> = charts
        .iter()
        .map(|c| build::IndexEntry {
            version: c.release.version.into(),
            app_version: c.release.app_version.into(),
            digest_hex: Digest::sha256(&c.tgz).hex(),
            url: World::chart_url(base, c.release.version),
        })
        .collect();
    build::index_yaml(&entries)
}

/// A missing piece, as a 404 reports it.
pub fn not_found(what: &str) -> Missing {
    Missing::absent(
        what,
        format!("HTTP 404 Not Found from {GITHUB}/{GITHUB_REPOSITORY}/releases/download/…/{what}"),
    )
}

/// The world served on loopback: the Helm repository and GitHub release assets over HTTP, the
/// images (with their attestations attached by the fallback tag) in docker-registry, and a
/// profile that points there (the built-in GomenHashai profile with loopback URLs).
pub struct Served {
    pub http: crate::support::http::Server,
    pub registry: crate::support::registry::Registry,
    pub dir: TempDir,
    pub profile: PathBuf,
}

impl World {
    /// Serves the world; `None` (SKIPPED) when docker-registry is not installed.
    pub fn serve(&self, test: &str) -> Option<Served> {
        let registry = crate::support::registry::Registry::start(test)?;
        let http = crate::support::http::Server::start();
        let dir = TempDir::new("world-site");
        let base = http.url("");
        let base = base.trim_end_matches('/');
        self.write_site(dir.path(), base);
        http.serve_dir(dir.path());
        self.push(&registry);
        let profile = dir.path().join("profile.yaml");
        let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
        p.helm_repository = format!("{base}/pages");
        p.github.base_url = base.to_string();
        p.image.mirrors.insert("ghcr.io".into(), registry.base());
        p.signers.trusted_root = trusted_root().display().to_string();
        std::fs::write(&profile, p.to_yaml()).unwrap();
        Some(Served {
            http,
            registry,
            dir,
            profile,
        })
    }

    /// Pushes every image (and `main`) and attaches each release's bundle to its image.
    pub fn push(&self, registry: &crate::support::registry::Registry) {
        let push = |img: &Image, tag: &str| {
            registry.push_blob(&img.path, &img.config);
            registry.push_blob(&img.path, &img.layer);
            let digest =
                registry.push_manifest(&img.path, tag, build::MANIFEST_MEDIA_TYPE, &img.manifest);
            crate::support::registry::PushedImage {
                digest,
                manifest: img.manifest.clone(),
                media_type: build::MANIFEST_MEDIA_TYPE,
            }
        };
        for i in &self.images {
            let pushed = push(&i.image, &i.image.tag);
            registry.attach_bundle(&i.image.path, &pushed, &i.bundle);
        }
        push(&self.main, "main");
    }
}

/// An `index.yaml` as a release's evidence holds it: parsed once, shared.
pub fn index_file(yaml: &str, source: &str) -> Result<std::sync::Arc<IndexFile>, Missing> {
    IndexFile::parse(yaml.as_bytes(), source).map(std::sync::Arc::new)
}

/// `bundle` with a second `dsseEnvelope` after the signed one: the signed statement changed by
/// `forge`, under the signed envelope's own signature (which does not cover it). Returns the
/// doubled bundle and the forged envelope as an `.intoto.jsonl` line, as an attacker would
/// publish them together: a reader that keeps the last key sees a consistent forged release.
pub fn with_second_envelope(
    bundle: &[u8],
    forge: impl Fn(&mut serde_json::Value),
) -> (Vec<u8>, Vec<u8>) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let v: serde_json::Value = serde_json::from_slice(bundle).unwrap();
    let mut envelope = v["dsseEnvelope"].clone();
    let mut statement: serde_json::Value =
        serde_json::from_slice(&b64.decode(envelope["payload"].as_str().unwrap()).unwrap())
            .unwrap();
    forge(&mut statement);
    envelope["payload"] = b64.encode(serde_json::to_vec(&statement).unwrap()).into();
    let text = std::str::from_utf8(bundle).unwrap();
    let end = text.rfind('}').unwrap();
    let doubled = format!("{},\"dsseEnvelope\":{envelope}}}", &text[..end]);
    let mut line = serde_json::to_vec(&envelope).unwrap();
    line.push(b'\n');
    (doubled.into_bytes(), line)
}
