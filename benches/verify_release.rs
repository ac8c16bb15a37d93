//! `kakunin verify` as whole processes over the release world served on loopback (HTTP server in
//! GitHub's layout + docker-registry): one release cold (empty cache) and warm, the whole history
//! cold and warm, with the wall time (median), the HTTP requests made and the bytes received.
//! Run: `cargo bench --bench verify_release` (or `scripts/bench`). Needs what the tests need:
//! docker-registry and the test Sigstore instance (`scripts/setup-test-env`).
//!
//! Targets: one release under 100 ms cold on loopback, the whole history under 1 s, and no
//! request that a warm cache could have saved.

#![allow(dead_code)]

#[path = "../tests/it/common.rs"]
mod common;
#[path = "../tests/it/sigstore_instance.rs"]
mod sigstore_instance;
#[path = "../tests/it/support/mod.rs"]
mod support;
#[path = "../tests/it/world/mod.rs"]
mod world;

use std::process::Command;
use std::time::{Duration, Instant};

use common::TempDir;

struct Run {
    wall: Duration,
    requests: u64,
    bytes: u64,
    code: i32,
}

fn verify(profile: &str, cache: &str, args: &[&str]) -> Run {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kakunin"))
        .args([
            "verify",
            "--profile",
            profile,
            "--cache-dir",
            cache,
            "--stats",
            "--output",
            "json",
        ])
        .args(args)
        .output()
        .expect("kakunin runs");
    let wall = t.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stats = stderr
        .lines()
        .find_map(|l| l.strip_prefix("kakunin: http: "))
        .unwrap_or_else(|| panic!("no --stats line: {stderr}"));
    let nums: Vec<u64> = stats
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    Run {
        wall,
        requests: nums[0],
        bytes: nums[1],
        code: out.status.code().unwrap_or(-1),
    }
}

fn median(runs: &mut [Run]) -> &Run {
    runs.sort_by_key(|r| r.wall);
    &runs[runs.len() / 2]
}

fn main() {
    let n: usize = std::env::var("KAKUNIN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7);
    eprintln!("building and serving the release world (signing 30 bundles)…");
    let w = world::world();
    let Some(served) = w.serve("bench") else {
        eprintln!("docker-registry is not installed: run scripts/setup-test-env");
        std::process::exit(1);
    };
    let profile = served.profile.display().to_string();
    println!("kakunin verify over loopback, median of {n} whole processes:");
    println!(
        "{:<34} {:>10} {:>9} {:>10}  exit",
        "case", "wall", "requests", "bytes"
    );
    for (name, args, expect) in [
        (
            "one release (gomenhashai@1.3.2)",
            vec!["gomenhashai@1.3.2"],
            0,
        ),
        (
            "whole history (15 releases)",
            vec!["gomenhashai", "--all-versions"],
            1,
        ),
    ] {
        let mut cold: Vec<Run> = (0..n)
            .map(|_| {
                let cache = TempDir::new("bench-cold");
                verify(&profile, &cache.path().display().to_string(), &args)
            })
            .collect();
        let warm_cache = TempDir::new("bench-warm");
        let warm_dir = warm_cache.path().display().to_string();
        verify(&profile, &warm_dir, &args);
        let mut warm: Vec<Run> = (0..n).map(|_| verify(&profile, &warm_dir, &args)).collect();
        for (label, runs) in [("cold", &mut cold), ("warm", &mut warm)] {
            let m = median(runs);
            assert_eq!(m.code, expect, "{name} {label}: unexpected exit code");
            println!(
                "{:<34} {:>8.1?} {:>9} {:>10}  {}",
                format!("{name}, {label}"),
                m.wall,
                m.requests,
                m.bytes,
                m.code
            );
        }
    }
}
