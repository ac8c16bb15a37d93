//! `kakunin download` as a process: a kit of one release of the world served on loopback, then
//! `verify --offline --kit` from it with the servers gone; a tampered kit; an incomplete one.

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::world::{trusted_root, world};

#[test]
fn a_kit_downloaded_online_verifies_offline_and_a_tampered_one_does_not() {
    let w = world();
    let Some(served) = w.serve("download::a_kit_downloaded_online") else {
        return;
    };
    // The profile outlives the servers (it names their URLs, which the kit is keyed by).
    let keep = TempDir::new("download-profile");
    let profile = keep.path().join("profile.yaml");
    std::fs::copy(&served.profile, &profile).unwrap();
    let profile = profile.display().to_string();
    let kit = keep.path().join("kit");
    let kit_s = kit.display().to_string();
    let cache = TempDir::new("download-cache");
    let cache_s = cache.path().display().to_string();

    let out = run(&[
        "download",
        "gomenhashai@1.3.2",
        "--profile",
        &profile,
        "--to",
        &kit_s,
        "--cache-dir",
        &cache_s,
        "--output",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unavailable"].as_array().unwrap().len(), 0, "{v:#}");
    let manifest: kakunin::fetch::kit::KitManifest =
        serde_json::from_slice(&std::fs::read(kit.join("kit.json")).unwrap()).unwrap();
    assert_eq!(
        (manifest.chart.as_str(), manifest.version.as_str()),
        ("gomenhashai", "1.3.2")
    );
    let roles: Vec<&str> = manifest.files.iter().map(|f| f.role.as_str()).collect();
    for role in [
        "index",
        "chart",
        "chart-bundle",
        "chart-envelope",
        "image-bundle",
        "image-envelope",
        "image-manifest",
        "referrers",
        "attached-manifest",
        "attached-bundle",
        "image-tags",
        "trusted-root",
    ] {
        assert!(roles.contains(&role), "{role} in {roles:?}");
    }
    for f in &manifest.files {
        let bytes = std::fs::read(kit.join(&f.path)).unwrap();
        assert_eq!(
            kakunin::digest::Digest::sha256(&bytes).to_string(),
            f.digest,
            "{}",
            f.path
        );
        assert_eq!(bytes.len() as u64, f.size);
    }
    let chart = manifest.files.iter().find(|f| f.role == "chart").unwrap();
    assert_eq!(
        chart.digest,
        kakunin::digest::Digest::sha256(&w.chart("1.3.2").tgz).to_string()
    );
    // Again with the warm cache: only what can change (index, tag, referrers, tag list) is asked
    // again; the chart, its assets and every blob by digest come from the cache.
    let cold = v["http"]["requests"].as_u64().unwrap();
    let hits_before: Vec<(String, usize)> = served
        .http
        .seen()
        .iter()
        .map(|r| r.path.clone())
        .filter(|p| p.contains("/releases/download/"))
        .map(|p| (p.clone(), served.http.hits(&p)))
        .collect();
    assert!(!hits_before.is_empty());
    let kit2 = keep.path().join("kit2").display().to_string();
    let out = run(&[
        "download",
        "gomenhashai@1.3.2",
        "--profile",
        &profile,
        "--to",
        &kit2,
        "--cache-dir",
        &cache_s,
        "--output",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let warm: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warm = warm["http"]["requests"].as_u64().unwrap();
    assert!(warm < cold, "warm {warm} < cold {cold}");
    for (path, hits) in hits_before {
        assert_eq!(
            served.http.hits(&path),
            hits,
            "{path} asked again with a warm cache"
        );
    }
    eprintln!("download gomenhashai@1.3.2: {cold} HTTP requests cold, {warm} with a warm cache");

    drop(served); // no network from here on

    let root = trusted_root().display().to_string();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--offline",
            "--kit",
            &kit_s,
            "--no-cache",
            "--profile",
            &profile,
            "--trusted-root",
            &root,
        ];
        args.extend_from_slice(extra);
        run(&args)
    };
    let out = verify(&[]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("gomenhashai@1.3.2"),
        "{}",
        stdout(&out)
    );

    // A kit file changed after the download is verified as found: the check covering it fails
    // (exit 1, not 3: it is there, and wrong), and the report says kit.json disagrees.
    let bundle = manifest
        .files
        .iter()
        .find(|f| f.role == "chart-bundle")
        .unwrap();
    let path = kit.join(&bundle.path);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.push(b'x');
    std::fs::write(&path, &bytes).unwrap();
    let out = verify(&[]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("✗ chart.bundle"), "{all}");
    assert!(
        all.contains(&format!(
            "it does not match kit.json, which records {}",
            bundle.digest
        )),
        "{all}"
    );
}

#[test]
fn a_download_that_cannot_get_everything_says_what_and_exits_3() {
    let keep = TempDir::new("download-offline");
    let kit = keep.path().join("kit");
    let cache = keep.path().join("empty-cache");
    // Offline with an empty cache: nothing can be had; the kit says so and the exit code is 3.
    let out = run(&[
        "download",
        "gomenhashai@1.3.2",
        "--to",
        &kit.display().to_string(),
        "--cache-dir",
        &cache.display().to_string(),
        "--offline",
    ]);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("missing:") && text.contains("offline: index.yaml is not in the cache"),
        "{text}"
    );
    // Usage errors.
    let out = run(&[
        "download",
        "gomenhashai",
        "--to",
        &kit.display().to_string(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("expected CHART@VERSION"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "download",
        "nosuchchart@1.0.0",
        "--to",
        &kit.display().to_string(),
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
