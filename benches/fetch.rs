//! In-process phases of fetching and reading a release, and how fast hostile inputs are turned
//! away: the real GomenHashai `index.yaml` parsed and a version chosen, a chart package read in
//! memory, a gzip bomb and a 100,000-entry tar refused, a cache hit (re-hashed), and downloads
//! over loopback (cold, then from the cache). Run: `cargo bench --bench fetch`.
//! Medians of repeated runs; nothing here is asserted.

#![allow(dead_code)]

/// benches/common (the name `common` is the tests' module here).
#[path = "common/mod.rs"]
mod bench;
#[path = "../tests/it/common.rs"]
mod common;
#[path = "../tests/it/support/http.rs"]
mod http_support;

use bench::{block_on, median};

use kakunin::chart::index::{HelmIndex, VersionRequest};
use kakunin::chart::package::ChartPackage;
use kakunin::digest::Digest;
use kakunin::fetch::{Cache, FetchOptions, Fetcher, HttpConfig, Kind};

fn tgz(entries: impl IntoIterator<Item = (String, Vec<u8>)>, level: u32) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_path(&path).unwrap();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, &data[..]).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

fn main() {
    println!("phase                                             median");
    let shared = common::repo().join("../shared/fixtures/GomenHashai/index.yaml");
    if let Ok(index) = std::fs::read(&shared) {
        let d = median(|| drop(HelmIndex::parse(&index).unwrap()), 200);
        println!(
            "parse GomenHashai index.yaml ({} KiB)            {d:>10.1?}",
            index.len() / 1024
        );
        let parsed = HelmIndex::parse(&index).unwrap();
        let req = VersionRequest::parse("^1").unwrap();
        let d = median(
            || {
                parsed.select("gomenhashai", &req, false).unwrap();
            },
            2000,
        );
        println!("choose the newest ^1 of 15 versions                {d:>10.1?}");
    } else {
        println!("(../shared absent: GomenHashai index not measured)");
    }

    // A chart of 200 templates of 5 KiB (about 1 MiB unpacked).
    let mut files = vec![
        ("demo/Chart.yaml".to_string(), b"apiVersion: v2\nname: demo\nversion: 1.0.0\nappVersion: v1.0.0\n".to_vec()),
        ("demo/values.yaml".to_string(), b"image:\n  repository: ghcr.io/o/demo\n  digest: sha256:0000000000000000000000000000000000000000000000000000000000000000\n".to_vec()),
    ];
    for i in 0..200 {
        files.push((
            format!("demo/templates/t{i}.yaml"),
            format!("kind: ConfigMap # {i}\n").repeat(250).into_bytes(),
        ));
    }
    let chart = tgz(files, 6);
    let d = median(
        || drop(ChartPackage::read(&chart).unwrap().images().unwrap()),
        50,
    );
    println!("read a 1 MiB chart (202 files) + its images        {d:>10.1?}");

    // Hostile: 20 × 15 MiB of zeros (300 MiB unpacked, refused at 256 MiB).
    let zeros = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut e, &vec![0u8; 15 << 20]).unwrap();
        e.finish().unwrap()
    };
    let mut bomb = Vec::new();
    for i in 0..20 {
        let mut h = tar::Header::new_gnu();
        h.set_path(format!("demo/z{i}")).unwrap();
        h.set_size(15 << 20);
        h.set_cksum();
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut e, h.as_bytes()).unwrap();
        bomb.extend(e.finish().unwrap());
        bomb.extend(&zeros);
    }
    let d = median(|| assert!(ChartPackage::read(&bomb).is_err()), 5);
    println!(
        "refuse a gzip bomb ({} KiB → 300 MiB)            {d:>10.1?}",
        bomb.len() / 1024
    );
    let many = tgz((0..100_000).map(|i| (format!("demo/f{i}"), Vec::new())), 1);
    let d = median(|| assert!(ChartPackage::read(&many).is_err()), 5);
    println!("refuse a 100,000-entry chart                       {d:>10.1?}");
    let deep = format!("apiVersion: v1\nentries: {}\n", "[".repeat(32 << 20 >> 1));
    let d = median(|| assert!(HelmIndex::parse(deep.as_bytes()).is_err()), 5);
    println!("refuse a 16 MiB index of nested '['               {d:>10.1?}");

    // The cache: a 10 MiB entry read back and re-hashed.
    let dir = common::TempDir::new("bench-cache");
    let cache = Cache::new(dir.path());
    let big = vec![7u8; 10 << 20];
    let digest = cache.put(&big, None).unwrap();
    let d = median(|| drop(cache.get(&digest, 64 << 20).unwrap()), 20);
    println!("cache hit of 10 MiB (read + sha256)                {d:>10.1?}");

    // Loopback: 8 release assets of 64 KiB in parallel, cold then from the cache.
    let server = http_support::Server::start();
    let mut urls = Vec::new();
    for i in 0..8 {
        let body = vec![i as u8; 64 << 10];
        server.route(
            &format!("/o/r/releases/download/t/a{i}.sigstore"),
            http_support::Reply::Ok(body, "application/json"),
        );
        urls.push(
            url::Url::parse(&server.url(&format!("/o/r/releases/download/t/a{i}.sigstore")))
                .unwrap(),
        );
    }
    let cold = median(
        || {
            let dir = common::TempDir::new("bench-cold");
            let f = Fetcher::new(FetchOptions {
                http: HttpConfig::default(),
                cache_dir: Some(dir.path().to_path_buf()),
                ..FetchOptions::default()
            })
            .unwrap();
            let r = block_on(
                f.get_all(
                    urls.iter()
                        .map(|u| (u.clone(), Kind::Bundle, None))
                        .collect(),
                ),
            );
            assert!(r.iter().all(|r| r.is_ok()));
        },
        20,
    );
    println!("8 × 64 KiB assets over loopback, in parallel       {cold:>10.1?}");
    let warm_dir = common::TempDir::new("bench-warm");
    let f = Fetcher::new(FetchOptions {
        http: HttpConfig::default(),
        cache_dir: Some(warm_dir.path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap();
    block_on(
        f.get_all(
            urls.iter()
                .map(|u| (u.clone(), Kind::Bundle, None))
                .collect(),
        ),
    );
    let before = f
        .http()
        .stats()
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    let warm = median(
        || {
            let r = block_on(
                f.get_all(
                    urls.iter()
                        .map(|u| (u.clone(), Kind::Bundle, None))
                        .collect(),
                ),
            );
            assert!(r.iter().all(|r| r.is_ok()));
        },
        20,
    );
    let after = f
        .http()
        .stats()
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "the same from the cache ({} requests)               {warm:>10.1?}",
        after - before
    );
    let _ = Digest::sha256(b"");
}
