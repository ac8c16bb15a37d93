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
        "image-tags",
        "trusted-root",
    ] {
        assert!(roles.contains(&role), "{role} in {roles:?}");
    }
    // The image's manifest, referrers and attached bundles are in its OCI layout.
    assert_eq!(manifest.images.len(), 1, "{manifest:?}");
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

/// A keyed cosign `.sig` for `digest` pushed to `path` in the served registry; returns the
/// public key's PEM.
fn push_keyed_sig(reg: &crate::support::registry::Registry, path: &str, digest: &str) -> String {
    use sigstore_verify::crypto::{KeyAlgorithm, KeyPair};
    const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"ghcr.io/{path}"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#
    );
    let key = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let sig = key.sign(payload.as_bytes()).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig.as_bytes());
    let layer = reg.push_blob(path, payload.as_bytes());
    let config = reg.push_blob(path, b"{}");
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{{"dev.cosignproject.cosign/signature":"{b64}"}}}}]}}"#,
        payload.len()
    );
    let hex = digest.strip_prefix("sha256:").unwrap();
    reg.push_manifest(
        path,
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        manifest.as_bytes(),
    );
    key.public_key_der().unwrap().to_pem()
}

/// The image evidence of a kit is an OCI image layout (as `skopeo copy … oci:DIR:TAG` writes
/// one): skopeo reads it, `verify-image oci-layout:…` verifies its `.sig` from it and
/// `verify --kit` its attached bundle, both with no network; a changed blob fails both.
#[test]
fn a_kit_holds_the_image_as_an_oci_layout_that_verifies_offline_and_fails_when_changed() {
    let w = world();
    let Some(served) = w.serve("download::a_kit_holds_the_image_as_an_oci_layout") else {
        return;
    };
    let keep = TempDir::new("download-layout");
    let profile = keep.path().join("profile.yaml");
    std::fs::copy(&served.profile, &profile).unwrap();
    let profile = profile.display().to_string();
    let kit = keep.path().join("kit");
    let kit_s = kit.display().to_string();
    let cache = TempDir::new("download-layout-cache");
    // The chart's image, with a keyed cosign signature pushed beside its attached bundle.
    let chart_image = w.image("v1.3.1");
    let digest = kakunin::digest::Digest::sha256(&chart_image.image.manifest).to_string();
    let pem = push_keyed_sig(&served.registry, &chart_image.image.path, &digest);
    let key = keep.path().join("cosign.pub");
    std::fs::write(&key, pem).unwrap();

    let out = run(&[
        "download",
        "gomenhashai@1.3.2",
        "--profile",
        &profile,
        "--to",
        &kit_s,
        "--cache-dir",
        &cache.path().display().to_string(),
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    drop(served); // no network from here on

    let manifest: kakunin::fetch::kit::KitManifest =
        serde_json::from_slice(&std::fs::read(kit.join("kit.json")).unwrap()).unwrap();
    assert_eq!(manifest.images.len(), 1, "{:?}", manifest.images);
    let img = &manifest.images[0];
    assert_eq!(img.digest, digest);
    assert_eq!(img.tag, "v1.3.1");
    // The layout replaces the image's files: they are not kept twice.
    for f in &manifest.files {
        assert!(
            ![
                "image-manifest",
                "referrers",
                "attached-manifest",
                "attached-bundle"
            ]
            .contains(&f.role.as_str()),
            "{f:?}"
        );
    }
    let layout = kit.join(&img.layout);
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let hex = digest.strip_prefix("sha256:").unwrap();
    let names: Vec<&str> = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            m["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .unwrap()
        })
        .collect();
    let fallback = format!("sha256-{hex}");
    let sig_tag = format!("sha256-{hex}.sig");
    for want in ["v1.3.1", fallback.as_str(), sig_tag.as_str()] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }

    // skopeo reads the layout: the image by its tag, and the signature manifest.
    if std::process::Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok()
    {
        for tag in ["v1.3.1", sig_tag.as_str()] {
            let out = std::process::Command::new("skopeo")
                .args(["inspect", &format!("oci:{}:{tag}", layout.display())])
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            if tag == "v1.3.1" {
                assert_eq!(v["Digest"], digest.as_str(), "{v:#}");
            }
        }
    } else {
        crate::common::skipped(
            "a_kit_holds_the_image_as_an_oci_layout",
            "skopeo is not installed",
        );
    }

    let reference = format!("oci-layout:{}:v1.3.1", layout.display());
    let key_s = key.display().to_string();
    let verify_image = || {
        run(&[
            "verify-image",
            &reference,
            "--key",
            &key_s,
            "--insecure-ignore-tlog",
            "--offline",
            "--no-cache",
            "-o",
            "json",
        ])
    };
    let out = verify_image();
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("cosign-signature"),
        "{}",
        stdout(&out)
    );
    let root = trusted_root().display().to_string();
    let verify_kit = |extra: &[&str]| {
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
    let out = verify_kit(&["-o", "json"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("oci-layout:"),
        "the attached bundle is read from the layout: {}",
        stdout(&out)
    );

    // A changed blob: the .sig payload (verify-image fails), the attached bundle (verify fails).
    let blobs = layout.join("blobs/sha256");
    let sig_manifest: serde_json::Value = {
        let d = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == sig_tag.as_str())
            .unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string();
        serde_json::from_slice(&std::fs::read(blobs.join(&d[7..])).unwrap()).unwrap()
    };
    let payload = blobs.join(&sig_manifest["layers"][0]["digest"].as_str().unwrap()[7..]);
    let mut bytes = std::fs::read(&payload).unwrap();
    bytes[20] ^= 1;
    std::fs::write(&payload, &bytes).unwrap();
    let out = verify_image();
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("holds bytes whose digest is"),
        "{}",
        stdout(&out)
    );

    let referrers: serde_json::Value = {
        let d = index["manifests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == fallback.as_str())
            .unwrap()["digest"]
            .as_str()
            .unwrap()
            .to_string();
        serde_json::from_slice(&std::fs::read(blobs.join(&d[7..])).unwrap()).unwrap()
    };
    let artifact: serde_json::Value = serde_json::from_slice(
        &std::fs::read(blobs.join(&referrers["manifests"][0]["digest"].as_str().unwrap()[7..]))
            .unwrap(),
    )
    .unwrap();
    let bundle = blobs.join(&artifact["layers"][0]["digest"].as_str().unwrap()[7..]);
    let mut bytes = std::fs::read(&bundle).unwrap();
    bytes.push(b' ');
    std::fs::write(&bundle, &bytes).unwrap();
    let out = verify_kit(&[]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("✗ image.registry-attestation"), "{all}");
    assert!(all.contains("holds bytes whose digest is"), "{all}");
}
