//! The release kit committed in `fixtures/` for the README's offline command, and how it is
//! made: `kakunin download` of gomenhashai@1.3.2 from the release world served on loopback,
//! with the loopback URLs then written back to the project's real ones (github.com, its Pages
//! site, ghcr.io), so that the built-in profile finds every file by the URL it would use online.
//!
//! Regenerate with `scripts/gen-release-kit` (it runs the second test with
//! `KAKUNIN_UPDATE_KIT=1`).

use std::path::Path;

use crate::support::block_on;
use kakunin::digest::Digest;
use kakunin::exit::ExitCode;
use kakunin::fetch::kit::KitManifest;
use kakunin::fetch::{FetchOptions, Fetcher};
use kakunin::profile::Profile;
use kakunin::release::{self, Context};
use kakunin::trust::Trust;

use crate::common::{TempDir, code, repo, stderr, stdout};
use crate::world::{trusted_root, world};

/// Where the kit lives, relative to the repository.
pub const KIT: &str = "fixtures/kit-gomenhashai-1.3.2";
/// The README's offline command, word for word after `cargo run --release --quiet --` (run from
/// the repository root).
pub const README_COMMAND: &str = "verify --offline --kit fixtures/kit-gomenhashai-1.3.2 --trusted-root fixtures/test-sigstore/trusted_root.json";

/// Runs kakunin from `dir` with an empty cache of its own.
fn run_in(dir: &Path, args: &[&str]) -> std::process::Output {
    let cache = TempDir::new("kit-cache");
    crate::common::kakunin()
        .current_dir(dir)
        .env("KAKUNIN_CACHE_DIR", cache.path())
        .args(args)
        .output()
        .expect("kakunin runs")
}

#[test]
fn the_readme_offline_command_verifies_the_committed_kit() {
    let args: Vec<&str> = README_COMMAND.split(' ').collect();
    let out = run_in(&repo(), &args);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("VERIFIED"), "{}", stdout(&out));
    // The kit's own trusted root is not trusted because the kit carries it: without
    // --trusted-root the built-in profile's root (public-good) rejects the test instance.
    let out = run_in(&repo(), &args[..4]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("--trusted-root"), "{}", stderr(&out));
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap_or_default();
    assert!(
        readme.contains(README_COMMAND),
        "README.md shows the offline command: {README_COMMAND}"
    );
}

/// Offline, everything comes from the kit: the release verifies and the HTTP client, whose
/// construction loads the platform's root certificates, is never built.
#[test]
fn an_offline_verification_from_the_kit_builds_no_http_client() {
    let fetcher = Fetcher::new(FetchOptions {
        kit: Some(repo().join(KIT)),
        offline: true,
        no_cache: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let profile = Profile::gomenhashai();
    let (ev, _) = block_on(release::gather::gather(&fetcher, &profile, "1.3.2", None)).unwrap();
    let trust = Trust::from_file(&trusted_root()).unwrap();
    let ctx = Context {
        profile: &profile,
        trust: &trust,
        keyring: None,
    };
    assert_eq!(release::verify(&ev, &ctx).exit_code(), ExitCode::Verified);
    assert!(
        !fetcher.http().is_built(),
        "offline, no HTTP client is built"
    );
}

/// Rewrites the loopback URLs of a kit made from the served world to the project's real ones.
fn canonicalize(kit: &Path, http_port: u16, registry_port: u16) {
    let http = format!("http://127.0.0.1:{http_port}");
    let registry = format!("http://127.0.0.1:{registry_port}");
    let url = |u: &str| -> String {
        if let Some(rest) = u.strip_prefix(&format!("{http}/pages/")) {
            format!("https://gomenhashai.github.io/GomenHashai/{rest}")
        } else if let Some(rest) = u.strip_prefix(&format!("{http}/")) {
            format!("https://github.com/{rest}")
        } else if let Some(rest) = u.strip_prefix(&format!("{registry}/")) {
            format!("https://ghcr.io/{rest}")
        } else if u.starts_with("file://") {
            "file://fixtures/test-sigstore/trusted_root.json".into()
        } else {
            u.to_string()
        }
    };
    let json = kit.join("kit.json");
    let mut m: KitManifest = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    for f in &mut m.files {
        f.url = url(&f.url);
        if f.role == "index" {
            let path = kit.join(&f.path);
            let text = std::fs::read_to_string(&path)
                .unwrap()
                .replace(&format!("{http}/"), "https://github.com/");
            std::fs::write(&path, &text).unwrap();
            f.digest = Digest::sha256(text.as_bytes()).to_string();
            f.size = text.len() as u64;
        }
    }
    for x in &mut m.missing {
        x.url = url(&x.url);
    }
    std::fs::write(&json, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}

#[test]
fn the_committed_kit_is_made_by_download_and_verifies_offline() {
    let w = world();
    let Some(served) = w.serve("kit::the_committed_kit") else {
        return;
    };
    let dir = TempDir::new("kit-gen");
    let kit = dir.path().join("kit-gomenhashai-1.3.2");
    let out = run_in(
        dir.path(),
        &[
            "download",
            "gomenhashai@1.3.2",
            "--profile",
            &served.profile.display().to_string(),
            "--to",
            &kit.display().to_string(),
        ],
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    canonicalize(&kit, served.http.port, served.registry.port);
    drop(served);
    // The kit verifies offline with the built-in profile, as the README says.
    let out = run_in(
        dir.path(),
        &[
            "verify",
            "--offline",
            "--kit",
            &kit.display().to_string(),
            "--trusted-root",
            &trusted_root().display().to_string(),
        ],
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    if std::env::var_os("KAKUNIN_UPDATE_KIT").is_some_and(|v| v == "1") {
        let target = repo().join(KIT);
        let _ = std::fs::remove_dir_all(&target);
        std::fs::create_dir_all(&target).unwrap();
        for entry in walk(&kit) {
            let rel = entry.strip_prefix(&kit).unwrap();
            std::fs::create_dir_all(target.join(rel).parent().unwrap()).unwrap();
            std::fs::copy(&entry, target.join(rel)).unwrap();
        }
        eprintln!("updated {}", target.display());
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A copy of the committed kit in which the file of each `role` is replaced, kit.json
/// updated to match (the kit's carrier controls kit.json: it vouches for nothing).
fn kit_with(dir: &Path, replace: &[(&str, Vec<u8>)]) -> std::path::PathBuf {
    let src = repo().join(KIT);
    let kit = dir.join("kit");
    for entry in walk(&src) {
        let rel = entry.strip_prefix(&src).unwrap();
        std::fs::create_dir_all(kit.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(&entry, kit.join(rel)).unwrap();
    }
    let json = kit.join("kit.json");
    let mut m: KitManifest = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    for (role, bytes) in replace {
        let f = m.files.iter_mut().find(|f| f.role == *role).unwrap();
        std::fs::write(kit.join(&f.path), bytes).unwrap();
        f.digest = Digest::sha256(bytes).to_string();
        f.size = bytes.len() as u64;
    }
    std::fs::write(&json, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    kit
}

/// Defect 1 of issue 10: a bundle with a second, forged `dsseEnvelope` (and the forged
/// envelope as the `.intoto.jsonl`) verified as the forged statement. Refused by the bundle
/// check, exit 1, for the chart and for the image release.
#[test]
fn a_kit_whose_bundle_has_a_second_forged_dsse_envelope_fails() {
    let forge = |s: &mut serde_json::Value| {
        s["predicate"]["runDetails"]["builder"]["id"] = "https://evil.example/builder".into();
        s["subject"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"name": "evil", "digest": {"sha256": "ee".repeat(32)}}));
    };
    let read = |name: &str| std::fs::read(repo().join(KIT).join("files").join(name)).unwrap();
    for (bundle_role, envelope_role, file, id) in [
        (
            "chart-bundle",
            "chart-envelope",
            "gomenhashai-1.3.2.sigstore",
            "chart.bundle",
        ),
        (
            "image-bundle",
            "image-envelope",
            "GomenHashai-v1.3.1.sigstore",
            "image.bundle",
        ),
    ] {
        let dir = TempDir::new("kit-doubled");
        let (bundle, line) = crate::world::with_second_envelope(&read(file), forge);
        let kit = kit_with(dir.path(), &[(bundle_role, bundle), (envelope_role, line)]);
        let out = run_in(
            dir.path(),
            &[
                "verify",
                "--offline",
                "--kit",
                &kit.display().to_string(),
                "--trusted-root",
                &trusted_root().display().to_string(),
                "--output",
                "json",
            ],
        );
        assert_eq!(code(&out), 1, "{id}: {}\n{}", stdout(&out), stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let checks = v["checks"]
            .as_array()
            .or_else(|| v["reports"][0]["checks"].as_array())
            .unwrap_or_else(|| panic!("{v:#}"));
        let failed: Vec<&serde_json::Value> =
            checks.iter().filter(|c| c["outcome"] == "fail").collect();
        assert_eq!(failed.len(), 1, "{id}: {v:#}");
        assert_eq!(failed[0]["id"], id, "{v:#}");
        assert!(
            failed[0]["found"]
                .as_str()
                .unwrap()
                .contains("key \"dsseEnvelope\" appears twice"),
            "{v:#}"
        );
    }
}
