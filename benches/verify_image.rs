//! `verify-image` against `verify-bundle` on the same signature, side by side in one run: the
//! real keyless cosign signature of go-bazel-github-workflow (../shared/fixtures §15.3) in an
//! OCI layout on disk, and the same material as the equivalent Sigstore bundle. Prints both
//! medians and their ratio; then the same as whole processes, as a user runs them (`kakunin
//! verify-image oci-layout:DIR:TAG …` against `kakunin verify-bundle --bundle FILE … PAYLOAD`,
//! alternated), and their ratio; then serves the layout over a loopback registry (plain HTTP, no
//! referrers API) and prints how many requests one `verify-image` makes and whether any was
//! repeated. Bounded: KAKUNIN_BENCH_RUNS runs of each (default 30).
//! Run: `cargo bench --bench verify_image`.
//!
//! Each in-process verify-image run starts the runtime the CLI starts for an OCI layout, once
//! per process (`common::block_on_here`, none of its own threads: src/cli/runtime.rs), so that
//! the run pays what a user's process pays. The processes are this build's `kakunin`, or
//! `KAKUNIN_BENCH_BIN` (an earlier build, to compare) for both sides.
//!
//! For counting instructions (callgrind, which other load does not change):
//! `KAKUNIN_BENCH_SIDE=image` (or `bundle`) runs only that side, KAKUNIN_BENCH_RUNS times after
//! one warm-up, and nothing else; the difference of two counts over the difference of their runs
//! is one run's instructions, without the set-up (`valgrind --tool=callgrind`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::{block_on, block_on_here, median, median_of, timed};

use kakunin::bundle::{self, Artifact, Identity, Issuer, Policy};
use kakunin::cosign::Material;
use kakunin::digest::Digest;
use kakunin::fetch::{FetchOptions, Fetcher};
use kakunin::image::{self, Layout, Request, Source};
use kakunin::registry::{RegistryClient, Repo};
use kakunin::trust::Trust;

const IMAGE: &str = "c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321";
const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// Writes the image index and its `.sig` manifest (with config and payload blobs) as an OCI
/// layout; returns the `.sig` manifest bytes.
fn layout(src: &Path, dir: &Path) -> Vec<u8> {
    let blobs = dir.join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(dir.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let copy = |hex: &str| {
        let b = std::fs::read(src.join("blobs/sha256").join(hex)).unwrap();
        std::fs::write(blobs.join(hex), &b).unwrap();
        b
    };
    let index = copy(IMAGE);
    let sig = std::fs::read(src.join(format!("sha256-{IMAGE}.sig.manifest.json"))).unwrap();
    let m: serde_json::Value = serde_json::from_slice(&sig).unwrap();
    copy(
        m["config"]["digest"]
            .as_str()
            .unwrap()
            .strip_prefix("sha256:")
            .unwrap(),
    );
    for l in m["layers"].as_array().unwrap() {
        copy(
            l["digest"]
                .as_str()
                .unwrap()
                .strip_prefix("sha256:")
                .unwrap(),
        );
    }
    let sd = Digest::sha256(&sig);
    std::fs::write(blobs.join(sd.hex()), &sig).unwrap();
    let entry = |mt: &str, d: &str, size: usize, tag: &str| {
        format!(
            r#"{{"mediaType":"{mt}","digest":"{d}","size":{size},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}"#
        )
    };
    std::fs::write(
        dir.join("index.json"),
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{INDEX}","manifests":[{},{}]}}"#,
            entry(INDEX, &format!("sha256:{IMAGE}"), index.len(), "v0.0.30"),
            entry(
                MANIFEST,
                &sd.to_string(),
                sig.len(),
                &format!("sha256-{IMAGE}.sig")
            ),
        ),
    )
    .unwrap();
    sig
}

/// A registry on loopback serving a layout's tags and blobs (404 for anything else, the
/// referrers API included), recording every request path.
fn serve(dir: PathBuf) -> (u16, common::Requests) {
    let layout = Layout::open(&dir).unwrap();
    common::serve(move |path| {
        if let Some(r) = path.strip_prefix("/v2/o/image/manifests/") {
            let digest = match r.parse::<Digest>() {
                Ok(d) => Some(d),
                Err(_) => layout
                    .tag(r)
                    .ok()
                    .flatten()
                    .and_then(|d| d.digest.parse().ok()),
            };
            digest.and_then(|d| {
                layout.blob(&d, 1 << 20).ok().map(|b| {
                    let mt = if b.windows(11).any(|w| w == b"image.index") {
                        INDEX
                    } else {
                        MANIFEST
                    };
                    (mt, b)
                })
            })
        } else if let Some(d) = path.strip_prefix("/v2/o/image/blobs/") {
            d.parse::<Digest>()
                .ok()
                .and_then(|d| layout.blob(&d, 1 << 20).ok())
                .map(|b| ("application/octet-stream", b))
        } else {
            None
        }
    })
}

fn main() {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures");
    let src = shared.join("go-bazel-github-workflow/README.md.extracted");
    if !src.is_dir() {
        println!("SKIPPED verify-image bench: ../shared/fixtures is not present");
        return;
    }
    let n = common::runs(30, 3, 1000);
    let dir = std::env::temp_dir().join(format!("kakunin-bench-vi-{}", std::process::id()));
    let sig = layout(&src, &dir);
    let trust = Trust::production().unwrap();
    let policy = Policy::Certificate {
        identity: Identity::regex("https://github.com/salrashid123/.*").unwrap(),
        issuer: Issuer::exact("https://token.actions.githubusercontent.com"),
        github: Default::default(),
    };
    let request = Request {
        policy: policy.clone(),
        options: Default::default(),
        attestations: Vec::new(),
        lookup: image::Lookup::Every,
    };

    // The equivalent bundle: the .sig layer's material and payload as a Sigstore bundle.
    let m: serde_json::Value = serde_json::from_slice(&sig).unwrap();
    let l = &m["layers"][0];
    let annotations: BTreeMap<String, String> =
        serde_json::from_value(l["annotations"].clone()).unwrap();
    let payload = std::fs::read(
        src.join("blobs/sha256").join(
            l["digest"]
                .as_str()
                .unwrap()
                .strip_prefix("sha256:")
                .unwrap(),
        ),
    )
    .unwrap();
    let bundle_json = Material::from_annotations(&annotations)
        .unwrap()
        .message_bundle(&payload)
        .unwrap()
        .to_json()
        .unwrap();

    let verify_image = || {
        let layout = Layout::open(&dir).unwrap();
        let source = Source::Layout(&layout);
        let (checks, _) = block_on_here(async {
            let (d, _) = image::resolve(&source, &image::Target::Tag("v0.0.30".into()))
                .await
                .unwrap();
            image::verify(&trust, &source, &d, &request).await
        });
        assert!(checks.iter().all(|c| c.passed()), "{checks:?}");
    };
    let verify_bundle = || {
        let b = bundle::parse_bundle(bundle_json.as_bytes()).unwrap();
        let v = bundle::verify(&trust, &b, &Artifact::Bytes(&payload), &policy);
        assert!(v.verified(), "{:?}", v.checks);
    };
    verify_image();
    verify_bundle();
    if let Ok(side) = std::env::var("KAKUNIN_BENCH_SIDE") {
        let run: &dyn Fn() = match side.as_str() {
            "image" => &verify_image,
            "bundle" => &verify_bundle,
            other => panic!("KAKUNIN_BENCH_SIDE={other}: expected image or bundle"),
        };
        (0..n).for_each(|_| run());
        println!("{side}: {n} runs");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let (mut ti, mut tb) = (Vec::new(), Vec::new());
    // Interleaved, so both see the same machine load.
    for _ in 0..3 {
        tb.push(median(verify_bundle, n / 3 + 1));
        ti.push(median(verify_image, n / 3 + 1));
    }
    tb.sort();
    ti.sort();
    let (b, i) = (tb[1], ti[1]);
    println!("verify-bundle (equivalent bundle, in process)  median {b:>9.2?}");
    println!("verify-image  (OCI layout, same signature)    median {i:>9.2?}");
    println!(
        "ratio verify-image / verify-bundle, in process: {:.2} (issue 13 asks <= 1.5)",
        i.as_secs_f64() / b.as_secs_f64()
    );

    // Whole processes, alternated: what a user's run of each costs.
    let files = std::env::temp_dir().join(format!("kakunin-bench-vb-{}", std::process::id()));
    std::fs::create_dir_all(&files).unwrap();
    let (bundle_file, payload_file) = (files.join("sig.sigstore.json"), files.join("payload"));
    std::fs::write(&bundle_file, &bundle_json).unwrap();
    std::fs::write(&payload_file, &payload).unwrap();
    let bin = std::env::var_os("KAKUNIN_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_kakunin").into());
    let signer = [
        "--certificate-identity-regexp",
        "https://github.com/salrashid123/.*",
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com",
    ];
    let image_process = || {
        let mut c = Command::new(&bin);
        c.arg("verify-image")
            .arg(format!("oci-layout:{}:v0.0.30", dir.display()))
            .args(signer);
        c
    };
    let bundle_process = || {
        let mut c = Command::new(&bin);
        c.arg("verify-bundle")
            .arg("--bundle")
            .arg(&bundle_file)
            .args(signer)
            .arg(&payload_file);
        c
    };
    timed(&mut image_process(), 0);
    timed(&mut bundle_process(), 0);
    let (mut pi, mut pb): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for _ in 0..n {
        pb.push(timed(&mut bundle_process(), 0).0);
        pi.push(timed(&mut image_process(), 0).0);
    }
    let (pb, pi) = (median_of(pb), median_of(pi));
    println!(
        "kakunin verify-bundle (equivalent bundle, process) median {pb:>9.2?}  ({n} processes)"
    );
    println!("kakunin verify-image  (oci-layout:DIR:TAG, process) median {pi:>9.2?}");
    println!(
        "ratio verify-image / verify-bundle, processes: {:.2} (issue 13 asks <= 1.5)",
        pi.as_secs_f64() / pb.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&files);

    // Over loopback: every request one verify-image makes (on the CLI's runtime for a registry).
    let (port, requests) = serve(dir.clone());
    let host = format!("127.0.0.1:{port}");
    let fetcher = Fetcher::new(FetchOptions {
        no_cache: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let mut mirrors = BTreeMap::new();
    mirrors.insert(host.clone(), format!("http://{host}"));
    let client = RegistryClient::new(fetcher, mirrors);
    let source = Source::Registry {
        client: &client,
        repo: Repo {
            registry: host.clone(),
            repository: "o/image".into(),
        },
    };
    let t = Instant::now();
    let (checks, _) = block_on(async {
        let (d, _) = image::resolve(&source, &image::Target::Tag("v0.0.30".into()))
            .await
            .unwrap();
        image::verify(&trust, &source, &d, &request).await
    });
    let took = t.elapsed();
    assert!(checks.iter().all(|c| c.passed()), "{checks:?}");
    let (seen, repeated) = (requests.paths(), requests.repeated());
    println!(
        "verify-image over loopback: {} HTTP requests in {took:.2?}, {} repeated{}",
        seen.len(),
        repeated.len(),
        if repeated.is_empty() {
            String::new()
        } else {
            format!(": {}", repeated.join(", "))
        }
    );
    for p in &seen {
        println!("  GET {p}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
