//! `kakunin verify CHART --all-versions` over Helm indexes of 200, 2,000 and 20,000 entries
//! served on loopback: peak RSS and wall time of the whole process, per index entry (issue 10,
//! defect 9: memory and time per release must stay constant, within 2x, as the index grows).
//!
//! What a "release" is here: every index entry is verified as a release of the chart. One
//! entry in 100 is a full release: its chart package, its chart and image `.sigstore` bundles
//! and `.intoto.jsonl` files are the real ones of the repository's kit (fixtures/), served in
//! GitHub's layout, so its bundles are verified for real (Sigstore signature, certificate
//! chain, transparency log against the test instance's trusted root). The other 99 are cheap:
//! their files answer 404 on loopback, so their checks fail after five HTTP requests each. No
//! registry is served (each full release's registry checks could not run), so every run exits
//! 1 (a failed check). The fraction of full releases is the same at every size, so the time
//! per entry is comparable across sizes.
//!
//! Run: `cargo bench --bench all_versions` (or `scripts/bench`). Sizes: `KAKUNIN_BENCH_SIZES`
//! (default `200,2000,20000`).

#![allow(dead_code)]

#[path = "../tests/it/support/http.rs"]
mod http;

use std::fmt::Write as _;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FULL_EVERY: usize = 100;
const REPO: &str = "GomenHashai/GomenHashai";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The kit's real release: chart package, its bundle and envelope, the image release's.
struct Release {
    tgz: Vec<u8>,
    chart_bundle: Vec<u8>,
    chart_envelope: Vec<u8>,
    image_bundle: Vec<u8>,
    image_envelope: Vec<u8>,
}

fn release() -> Release {
    let files = repo().join("fixtures/kit-gomenhashai-1.3.2/files");
    let read = |n: &str| std::fs::read(files.join(n)).unwrap_or_else(|e| panic!("{n}: {e}"));
    Release {
        tgz: read("gomenhashai-1.3.2.tgz"),
        chart_bundle: read("gomenhashai-1.3.2.sigstore"),
        chart_envelope: read("gomenhashai-1.3.2.intoto.jsonl"),
        image_bundle: read("GomenHashai-v1.3.1.sigstore"),
        image_envelope: read("GomenHashai-v1.3.1.intoto.jsonl"),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    kakunin::digest::Digest::sha256(bytes).hex()
}

/// Writes the site: `pages/index.yaml` with `n` entries and the full releases' assets.
fn write_site(dir: &Path, base: &str, n: usize, r: &Release) {
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    let releases = dir.join(REPO).join("releases/download");
    // The image release every full entry points at (appVersion v1.3.1).
    write(
        releases.join("v1.3.1/GomenHashai-v1.3.1.sigstore"),
        &r.image_bundle,
    );
    write(
        releases.join("v1.3.1/GomenHashai-v1.3.1.intoto.jsonl"),
        &r.image_envelope,
    );
    let digest = sha256_hex(&r.tgz);
    let mut index = String::from("apiVersion: v1\nentries:\n  gomenhashai:\n");
    for i in 0..n {
        let version = format!("{}.{}.{}", i / 10_000, (i / 100) % 100, i % 100);
        let tag = format!("gomenhashai-{version}");
        let full = i % FULL_EVERY == 0;
        let (app, digest) = if full {
            ("v1.3.1".to_string(), digest.clone())
        } else {
            (format!("v0.{}.{}", i / 1000, i % 1000), "0".repeat(64))
        };
        let url = format!("{base}/{REPO}/releases/download/{tag}/{tag}.tgz");
        let _ = write!(
            index,
            "  - apiVersion: v2\n    appVersion: {app}\n    digest: {digest}\n    name: gomenhashai\n    \
             type: application\n    urls:\n    - {url}\n    version: {version}\n"
        );
        if full {
            let d = releases.join(&tag);
            write(d.join(format!("{tag}.tgz")), &r.tgz);
            write(d.join(format!("{tag}.sigstore")), &r.chart_bundle);
            write(d.join(format!("{tag}.intoto.jsonl")), &r.chart_envelope);
        }
    }
    index.push_str("generated: \"2025-11-08T11:56:42Z\"\n");
    write(dir.join("pages/index.yaml"), index.as_bytes());
}

/// Runs a command and returns (wall time, peak RSS in KiB, exit code).
// The child is reaped by wait4 (which also gives its peak RSS), not by Child::wait.
#[allow(clippy::zombie_processes)]
fn measure(cmd: &mut Command) -> (Duration, u64, i32) {
    let t = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kakunin runs");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our child; `status` and `usage` are valid for writes.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
    let wall = t.elapsed();
    let code = std::process::ExitStatus::from_raw(status)
        .code()
        .unwrap_or(-1);
    (wall, usage.ru_maxrss as u64, code)
}

fn main() {
    let sizes: Vec<usize> = std::env::var("KAKUNIN_BENCH_SIZES")
        .unwrap_or_else(|_| "200,2000,20000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("KAKUNIN_BENCH_SIZES: numbers"))
        .collect();
    let r = release();
    let server = http::Server::start();
    let base = server.url("");
    let base = base.trim_end_matches('/').to_string();
    let work = std::env::temp_dir().join(format!("kakunin-bench-all-{}", std::process::id()));
    println!(
        "kakunin verify gomenhashai --all-versions --output json, index on loopback \
         (1 full release in {FULL_EVERY}, the rest 404):"
    );
    println!(
        "{:>7} {:>10} {:>12} {:>14} {:>14} {:>16}  exit",
        "entries", "wall", "peak RSS", "RSS per entry", "time/release", "RSS-base/entry"
    );
    // The baseline: the same process for a one-entry index (what any run costs).
    let mut base_rss = None;
    for &n in std::iter::once(&1).chain(&sizes) {
        let site = work.join(format!("site-{n}"));
        write_site(&site, &base, n, &r);
        server.serve_dir(&site);
        let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
        p.helm_repository = format!("{base}/pages");
        p.github.base_url = base.clone();
        // No registry: the image's registry checks could not run (closed port on loopback).
        p.image
            .mirrors
            .insert("ghcr.io".into(), "http://127.0.0.1:9".into());
        p.signers.trusted_root = repo()
            .join("fixtures/test-sigstore/trusted_root.json")
            .display()
            .to_string();
        let profile = site.join("profile.yaml");
        std::fs::write(&profile, p.to_yaml()).unwrap();
        let cache = site.join("cache");
        let (wall, rss, code) = measure(
            Command::new(env!("CARGO_BIN_EXE_kakunin"))
                .args([
                    "verify",
                    "gomenhashai",
                    "--all-versions",
                    "--output",
                    "json",
                ])
                .arg("--profile")
                .arg(&profile)
                .arg("--cache-dir")
                .arg(&cache)
                .args(["--retries", "0"]),
        );
        assert_eq!(code, 1, "{n} entries: a failed check is expected (exit 1)");
        let _ = std::fs::remove_dir_all(&site);
        let Some(base_rss) = base_rss else {
            base_rss = Some(rss);
            println!("{:>7} {:>8.2?} {:>9} KiB   (baseline)", n, wall, rss);
            continue;
        };
        println!(
            "{:>7} {:>8.2?} {:>9} KiB {:>10.1} KiB {:>11.2?} {:>12.2} KiB  {code}",
            n,
            wall,
            rss,
            rss as f64 / n as f64,
            wall / n as u32,
            rss.saturating_sub(base_rss) as f64 / n as f64,
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}
