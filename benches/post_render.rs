//! `post-render` on a large rendered stream beside what parsing and re-emitting the same
//! stream with serde_norway costs (the baseline issue 15 names): 5,000 documents, 200 image
//! references (20 distinct), every image pinned. Two comparisons, each side by side:
//! 1. in process: the library's parse, image search, splice and re-check against
//!    serde_norway's parse and re-emit;
//! 2. whole processes: the `kakunin post-render` command (the bench profile's binary) on the
//!    stream on stdin, against this file run as the baseline program (`post_render
//!    --baseline`: the stream on stdin, every document parsed and re-emitted by serde_norway
//!    to stdout), interleaved. Each of the 20 images is signed keylessly by the test Sigstore
//!    instance (tests/sigstore-instance, `kakunin publish image`: a DSSE bundle with a Rekor
//!    entry), attached under the referrers fallback tag of a loopback registry; the profile
//!    requires the image workflow's identity for each tag. The cache is warmed online once;
//!    every measured run is `--offline`: it resolves each tag, reads each bundle from the cache
//!    and verifies it (certificate chain, log entry, signature, identity, subject digest)
//!    before pinning. A run over the same cache under a policy naming another signer must
//!    block, which shows that the measured runs verify.
//!
//! Run: `cargo bench --bench post_render` (KAKUNIN_BENCH_RUNS, default 5). Prints the medians
//! and their ratios.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use common::{Answer, median, median_of};
use kakunin::manifests::Rendered;

/// 5,000 documents as `helm template` writes them: 200 Deployments (one image each, 20
/// distinct) among 4,800 ConfigMaps.
fn stream() -> String {
    let mut s = String::new();
    for i in 0..5_000 {
        if i % 25 == 0 {
            let image = format!(
                "registry.example/team/app{}:1.{}",
                (i / 25) % 20,
                (i / 25) % 20
            );
            s.push_str(&format!(
                "---\n# Source: chart/templates/deploy{i}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"d{i}\"\n  labels:\n    app: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: c\n          image: \"{image}\"\n          ports:\n            - containerPort: 80\n"
            ));
        } else {
            s.push_str(&format!(
                "---\n# Source: chart/templates/cm{i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  key: \"value {i}\"\n  other: 'x'\n"
            ));
        }
    }
    s
}

/// serde_norway's parse and re-emit of every document (the baseline).
fn parse_and_emit(text: &str) -> String {
    use serde::Deserialize;
    let mut out = String::new();
    for doc in serde_norway::Deserializer::from_str(text) {
        let v = serde_norway::Value::deserialize(doc).unwrap();
        out.push_str("---\n");
        out.push_str(&serde_norway::to_string(&v).unwrap());
    }
    out
}

/// The baseline program: the stream on stdin, parsed and re-emitted to stdout.
fn baseline_program() {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).unwrap();
    let out = parse_and_emit(&text);
    std::io::stdout().write_all(out.as_bytes()).unwrap();
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--baseline") {
        return baseline_program();
    }
    let runs = common::runs(5, 1, 50);
    let text = stream();
    let bytes = text.as_bytes();
    let rendered = Rendered::parse(bytes).expect("the stream parses");
    assert_eq!(rendered.document_count(), 5_000);
    assert_eq!(rendered.images().len(), 200);
    let pins: BTreeMap<String, String> = rendered
        .distinct_images()
        .iter()
        .map(|i| {
            let repo = i.rsplit_once(':').unwrap().0;
            (i.to_string(), format!("{repo}@sha256:{}", "a".repeat(64)))
        })
        .collect();
    assert_eq!(pins.len(), 20);
    let kakunin = median(
        || {
            let r = Rendered::parse(bytes).unwrap();
            let out = r.rewrite(&pins).unwrap();
            std::hint::black_box(out);
        },
        runs,
    );
    let baseline = median(
        || {
            std::hint::black_box(parse_and_emit(&text));
        },
        runs,
    );
    println!(
        "post-render (parse + find images + splice + re-check), 5000 documents, 200 images: {kakunin:?}"
    );
    println!(
        "serde_norway parse + re-emit of the same stream:                        {baseline:?}"
    );
    println!(
        "ratio kakunin / serde_norway: {:.2} (issue 15 asks under 2)",
        kakunin.as_secs_f64() / baseline.as_secs_f64()
    );
    whole_command(&text, runs);
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
/// The GitHub repository whose image workflow signs the 20 images.
const SIGNER_REPOSITORY: &str = "bench/app";

/// One of the 20 distinct images of the stream: `registry.example/team/appN:1.N`.
struct Image {
    /// `team/appN`.
    path: String,
    /// `1.N`.
    tag: String,
    manifest: String,
    digest: String,
}

impl Image {
    fn reference(&self) -> String {
        format!("registry.example/{}:{}", self.path, self.tag)
    }
}

/// The 20 images, each with its own manifest (so its own digest).
fn images() -> Vec<Image> {
    (0..20)
        .map(|n| {
            let manifest = format!(
                r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{n}}},"layers":[]}}"#,
                format!("{n:02}").repeat(32)
            );
            let digest = kakunin::digest::Digest::sha256(manifest.as_bytes()).to_string();
            Image {
                path: format!("team/app{n}"),
                tag: format!("1.{n}"),
                manifest,
                digest,
            }
        })
        .collect()
}

/// The test Sigstore instance (tests/sigstore-instance: Fulcio, Rekor and a TSA with the fixed
/// keys of fixtures/test-sigstore), stopped when dropped.
struct Instance {
    child: std::process::Child,
    dir: std::path::PathBuf,
}

impl Instance {
    /// Starts it on a free loopback port, or says why it cannot (node or its packages missing).
    fn start(dir: &Path) -> Result<Instance, String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigstore-instance");
        if !root.join("node_modules/@sigstore/mock").is_dir() {
            return Err(
                "tests/sigstore-instance has no node_modules (scripts/setup-test-env)".into(),
            );
        }
        std::fs::create_dir_all(dir).unwrap();
        let mut child = Command::new("node")
            .arg(root.join("server.js"))
            .args(["--port", "0", "--watch-stdin", "--out"])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("node: {e}"))?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .map_err(|e| format!("the test Sigstore instance: {e}"))?;
        if !line.contains("\"url\"") {
            return Err(format!(
                "the test Sigstore instance did not start: {line:?}"
            ));
        }
        Ok(Instance {
            child,
            dir: dir.to_path_buf(),
        })
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An (unsigned, as the test instance takes them) GitHub Actions OIDC token of the image
/// workflow of [`SIGNER_REPOSITORY`] at `refs/tags/TAG`.
fn token(tag: &str) -> String {
    use base64::Engine;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let workflow_ref =
        format!("{SIGNER_REPOSITORY}/.github/workflows/docker-release.yaml@refs/tags/{tag}");
    let claims = serde_json::json!({
        "iss": "https://token.actions.githubusercontent.com", "aud": "sigstore",
        "sub": format!("repo:{SIGNER_REPOSITORY}:ref:refs/tags/{tag}"),
        "iat": now - 10, "nbf": now - 10, "exp": now + 600,
        "repository": SIGNER_REPOSITORY, "repository_owner": "bench",
        "ref": format!("refs/tags/{tag}"), "sha": "1".repeat(40),
        "workflow_ref": workflow_ref, "job_workflow_ref": workflow_ref,
        "event_name": "push", "runner_environment": "github-hosted", "run_id": "42",
    });
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let header = serde_json::json!({"alg": "RS256", "typ": "JWT"});
    format!("{}.{}.unsigned", b64(&header), b64(&claims))
}

/// Signs every image keylessly as a release workflow does (`kakunin publish image`, against
/// the test instance): one Sigstore bundle (DSSE, SLSA provenance, Rekor entry) per image.
fn sign(images: &[Image], instance: &Instance, dir: &Path) -> Vec<Vec<u8>> {
    let children: Vec<_> = images
        .iter()
        .map(|i| {
            let out = dir.join(&i.tag);
            let git_ref = format!("refs/tags/{}", i.tag);
            let child = Command::new(env!("CARGO_BIN_EXE_kakunin"))
                .args(["publish", "image"])
                .arg(format!("registry.example/{}@{}", i.path, i.digest))
                .args(["--tag", &i.tag, "--name", "bench", "--out"])
                .arg(&out)
                .args(["--identity-token", &token(&i.tag), "--signing-config"])
                .arg(instance.dir.join("signing_config.json"))
                .arg("--trusted-root")
                .arg(instance.dir.join("trusted_root.json"))
                .args(["--repository", SIGNER_REPOSITORY, "--workflow-ref"])
                .arg(format!(
                    "{SIGNER_REPOSITORY}/.github/workflows/docker-release.yaml@{git_ref}"
                ))
                .args(["--ref", &git_ref, "--sha", &"1".repeat(40)])
                .args(["--event-name", "push", "--repository-id", "1"])
                .args(["--repository-owner-id", "1", "--runner-environment"])
                .args(["github-hosted", "--run-id", "42"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            (child, out.join(format!("bench-{}.sigstore", i.tag)))
        })
        .collect();
    children
        .into_iter()
        .map(|(child, bundle)| {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "publish image: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::fs::read(bundle).unwrap()
        })
        .collect()
}

/// What the loopback registry answers, by request path: (Content-Type, body). Each image's
/// manifest by tag and by digest, and its bundle attached as docker-registry holds it without
/// the referrers API (the referrers fallback tag `sha256-<hex>`: an index naming the bundle's
/// artifact manifest, whose layer is the bundle).
fn routes(images: &[Image], bundles: &[Vec<u8>]) -> BTreeMap<String, Answer> {
    let sha = |b: &[u8]| kakunin::digest::Digest::sha256(b).to_string();
    let mut r = BTreeMap::new();
    for (i, bundle) in images.iter().zip(bundles) {
        let base = format!("/v2/{}", i.path);
        let m = i.manifest.as_bytes().to_vec();
        r.insert(
            format!("{base}/manifests/{}", i.tag),
            (OCI_MANIFEST, m.clone()),
        );
        r.insert(format!("{base}/manifests/{}", i.digest), (OCI_MANIFEST, m));
        let (empty, bd) = (sha(b"{}"), sha(bundle));
        let artifact = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"{BUNDLE_V03}","config":{{"mediaType":"{EMPTY_CONFIG}","digest":"{empty}","size":2}},"layers":[{{"mediaType":"{BUNDLE_V03}","digest":"{bd}","size":{}}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{}","size":{}}}}}"#,
            bundle.len(),
            i.digest,
            i.manifest.len()
        );
        let ad = sha(artifact.as_bytes());
        let index = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_INDEX}","manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{ad}","size":{},"artifactType":"{BUNDLE_V03}"}}]}}"#,
            artifact.len()
        );
        let fallback = i.digest.replace(':', "-");
        r.insert(
            format!("{base}/manifests/{fallback}"),
            (OCI_INDEX, index.into_bytes()),
        );
        r.insert(
            format!("{base}/manifests/{ad}"),
            (OCI_MANIFEST, artifact.into_bytes()),
        );
        r.insert(
            format!("{base}/blobs/{bd}"),
            ("application/octet-stream", bundle.clone()),
        );
        r.insert(
            format!("{base}/blobs/{empty}"),
            ("application/octet-stream", b"{}".to_vec()),
        );
    }
    r
}

/// Runs `cmd` with `input` on stdin; returns its exit code and stdout.
fn run_status(cmd: &mut Command, input: &Path) -> (Option<i32>, Vec<u8>, String) {
    let out = cmd
        .stdin(Stdio::from(std::fs::File::open(input).unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), out.stdout, err)
}

/// Runs `cmd` with `input` on stdin; returns its stdout (exit 0 required).
fn run(cmd: &mut Command, input: &Path) -> Vec<u8> {
    let (code, out, err) = run_status(cmd, input);
    assert_eq!(code, Some(0), "{cmd:?}: {err}");
    out
}

/// A profile whose 20 image repositories are `registry.example/team/appN` (served on
/// loopback), signed by the image workflow of `signer` at the image's tag, verified with the
/// test instance's trusted root.
fn profile(images: &[Image], port: u16, signer: &str) -> String {
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    p.image.repositories = images
        .iter()
        .map(|i| format!("registry.example/{}", i.path))
        .collect();
    p.image.mirrors.insert(
        "registry.example".into(),
        format!("http://127.0.0.1:{port}"),
    );
    p.signers.repositories = vec![signer.into()];
    p.signers.trusted_root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/test-sigstore/trusted_root.json")
        .display()
        .to_string();
    p.to_yaml()
}

/// The `kakunin post-render` process over a warm cache, every image's signature verified,
/// against the baseline process.
fn whole_command(text: &str, runs: usize) {
    let dir =
        std::env::temp_dir().join(format!("kakunin-bench-post-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let images = images();
    let instance = match Instance::start(&dir.join("sigstore")) {
        Ok(i) => i,
        Err(why) => {
            println!("whole process: not measured: {why}");
            let _ = std::fs::remove_dir_all(&dir);
            return;
        }
    };
    let bundles = sign(&images, &instance, &dir.join("signed"));
    drop(instance);
    let routes = routes(&images, &bundles);
    let (port, seen) = common::serve(move |path| routes.get(path).cloned());
    let profile_path = dir.join("profile.yaml");
    std::fs::write(&profile_path, profile(&images, port, SIGNER_REPOSITORY)).unwrap();
    let stream = dir.join("stream.yaml");
    std::fs::write(&stream, text).unwrap();
    let cache = dir.join("cache");
    let kakunin = |profile: &Path| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kakunin"));
        c.arg("post-render")
            .arg("--profile")
            .arg(profile)
            .arg("--cache-dir")
            .arg(&cache);
        c
    };
    // Warm the cache online, then check the answer: the stream with exactly its images pinned,
    // each signature verified.
    let (code, warm, report) = run_status(&mut kakunin(&profile_path), &stream);
    assert_eq!(code, Some(0), "{report}");
    let (requests, repeated) = (seen.len(), seen.repeated().len());
    let mut expected = text.to_string();
    for i in &images {
        let repo = i.reference().rsplit_once(':').unwrap().0.to_string();
        expected = expected.replace(
            &format!("\"{}\"", i.reference()),
            &format!("\"{repo}@{}\"", i.digest),
        );
    }
    assert_eq!(String::from_utf8(warm).unwrap(), expected);
    let verified = report.matches("pin.image-signature").count();
    assert!(verified >= 20, "{report}");
    let offline = |profile: &Path| {
        let mut c = kakunin(profile);
        c.arg("--offline");
        c
    };
    assert_eq!(
        run(&mut offline(&profile_path), &stream),
        expected.as_bytes()
    );
    assert_eq!(seen.len(), requests, "--offline asked the registry");
    // The same warm cache under a policy naming another signer: the signatures are verified
    // from the cache on every run, so this blocks (exit 1, nothing on stdout).
    let other = dir.join("other-signer.yaml");
    std::fs::write(&other, profile(&images, port, "bench/other")).unwrap();
    let (code, out, err) = run_status(&mut offline(&other), &stream);
    assert_eq!(code, Some(1), "another signer was accepted: {err}");
    assert!(out.is_empty() && err.contains("bench/other"), "{err}");
    let baseline = || {
        let mut c = Command::new(std::env::current_exe().unwrap());
        c.arg("--baseline");
        c
    };
    assert!(!run(&mut baseline(), &stream).is_empty());
    // Interleaved, so that both see the same machine.
    let (mut k, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let t = Instant::now();
        run(&mut offline(&profile_path), &stream);
        k.push(t.elapsed());
        let t = Instant::now();
        run(&mut baseline(), &stream);
        b.push(t.elapsed());
    }
    let (k, b) = (median_of(k), median_of(b));
    println!(
        "warm-up (online, empty cache): {requests} registry requests, {} repeated; --offline: none; a policy naming another signer over the warm cache: exit 1",
        repeated
    );
    println!(
        "whole process: kakunin post-render --offline (warm cache, 20 signed images verified and pinned), same stream on stdin: {k:?}"
    );
    println!(
        "whole process: serde_norway parse + re-emit program (post_render --baseline):                                       {b:?}"
    );
    println!(
        "ratio kakunin / serde_norway (whole processes): {:.2} (issue 15 asks under 2)",
        k.as_secs_f64() / b.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
