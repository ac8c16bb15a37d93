//! `post-render` on a large rendered stream beside what parsing and re-emitting the same
//! stream with serde_norway costs (the baseline issue 15 names): 5,000 documents, 200 image
//! references (20 distinct), every image pinned. Two comparisons, each side by side:
//! 1. in process: the library's parse, image search, splice and re-check against
//!    serde_norway's parse and re-emit;
//! 2. whole processes: the `kakunin post-render` command (the bench profile's binary) on the
//!    stream on stdin, its 20 images' registry answers in a warm cache (`--offline`), against
//!    this file run as the baseline program (`post_render --baseline`: the stream on stdin,
//!    every document parsed and re-emitted by serde_norway to stdout). The images are allowed
//!    unsigned (pinned by digest only), so no signature verification is in either number.
//!
//! Run: `cargo bench --bench post_render` (KAKUNIN_BENCH_RUNS, default 5). Prints the medians
//! and their ratios.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kakunin::manifests::Rendered;

fn median(mut f: impl FnMut(), n: usize) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

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
    let runs: usize = std::env::var("KAKUNIN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .clamp(1, 50);
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

/// A minimal loopback registry: `GET /v2/team/appN/manifests/1.N` answers an image manifest
/// (with its `Docker-Content-Digest`); returns the port and each tag's manifest digest.
fn serve() -> (u16, BTreeMap<String, String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut manifests = BTreeMap::new();
    let mut digests = BTreeMap::new();
    for n in 0..20 {
        let body = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":{n}}},"layers":[]}}"#,
            format!("{n:02}").repeat(32)
        );
        let digest = kakunin::digest::Digest::sha256(body.as_bytes()).to_string();
        digests.insert(
            format!("registry.example/team/app{n}:1.{n}"),
            digest.clone(),
        );
        manifests.insert(format!("/v2/team/app{n}/manifests/1.{n}"), (body, digest));
    }
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or("/");
            let _ = match manifests.get(path.split('?').next().unwrap_or("")) {
                Some((body, digest)) => conn.write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.manifest.v1+json\r\nDocker-Content-Digest: {digest}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                ),
                None => conn.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    (port, digests)
}

/// Runs `cmd` with `input` on stdin; returns its stdout (exit 0 required).
fn run(cmd: &mut Command, input: &Path) -> Vec<u8> {
    let out = cmd
        .stdin(Stdio::from(std::fs::File::open(input).unwrap()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The `kakunin post-render` process over a warm cache against the baseline process.
fn whole_command(text: &str, runs: usize) {
    let dir =
        std::env::temp_dir().join(format!("kakunin-bench-post-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (port, digests) = serve();
    let mut profile = kakunin::profile::Profile::gomenhashai();
    profile.image.mirrors.insert(
        "registry.example".into(),
        format!("http://127.0.0.1:{port}"),
    );
    let profile_path = dir.join("profile.yaml");
    std::fs::write(&profile_path, profile.to_yaml()).unwrap();
    let stream = dir.join("stream.yaml");
    std::fs::write(&stream, text).unwrap();
    let cache = dir.join("cache");
    let kakunin = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kakunin"));
        c.arg("post-render")
            .arg("--profile")
            .arg(&profile_path)
            .args(["--allow-unsigned", "registry.example/team/*", "--cache-dir"])
            .arg(&cache);
        c
    };
    // Warm the cache online, then check the answer: the stream with exactly its images pinned.
    let warm = run(&mut kakunin(), &stream);
    let mut expected = text.to_string();
    for (reference, digest) in &digests {
        let repo = reference.rsplit_once(':').unwrap().0;
        expected = expected.replace(&format!("\"{reference}\""), &format!("\"{repo}@{digest}\""));
    }
    assert_eq!(String::from_utf8(warm).unwrap(), expected);
    let offline = || {
        let mut c = kakunin();
        c.arg("--offline");
        c
    };
    assert_eq!(run(&mut offline(), &stream), expected.as_bytes());
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
        run(&mut offline(), &stream);
        k.push(t.elapsed());
        let t = Instant::now();
        run(&mut baseline(), &stream);
        b.push(t.elapsed());
    }
    k.sort();
    b.sort();
    let (k, b) = (k[runs / 2], b[runs / 2]);
    println!(
        "whole process: kakunin post-render --offline (warm cache, 20 images pinned), same stream on stdin: {k:?}"
    );
    println!(
        "whole process: serde_norway parse + re-emit program (post_render --baseline):                 {b:?}"
    );
    println!(
        "ratio kakunin / serde_norway (whole processes): {:.2} (issue 15 asks under 2)",
        k.as_secs_f64() / b.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
