//! `kakunin verify` as a process, over the release world served on loopback (HTTP server in
//! GitHub's layout, docker-registry): the whole history, exit codes, reports, the cache.

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::world::world;

fn verify(served: &crate::world::Served, args: &[&str], cache: &TempDir) -> std::process::Output {
    let profile = served.profile.display().to_string();
    let cache = cache.path().display().to_string();
    let mut all = vec!["verify", "--profile", &profile, "--cache-dir", &cache];
    all.extend_from_slice(args);
    run(&all)
}

#[test]
fn the_whole_history_over_loopback_with_expected_verdicts() {
    let w = world();
    let Some(served) = w.serve("verify::the_whole_history") else {
        return;
    };
    let cache = TempDir::new("verify-cache");
    // One release, verified: exit 0, a line per check.
    let out = verify(&served, &["gomenhashai@1.3.2"], &cache);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    for id in [
        "chart.index-digest",
        "image.registry-attestation",
        "semver.no-downgrade",
    ] {
        assert!(text.contains(&format!("✓ {id}")), "{text}");
    }
    assert!(text.contains("VERIFIED"), "{text}");

    // The whole history as JSON: 13 verified, 0.1.0 and 0.1.1 rejected by image.reference.
    let out = verify(
        &served,
        &["gomenhashai", "--all-versions", "--output", "json"],
        &cache,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 15);
    for r in reports {
        let subject = r["subject"].as_str().unwrap();
        let failed: Vec<&str> = r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] == "fail")
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        match subject {
            "gomenhashai@0.1.0" | "gomenhashai@0.1.1" => {
                assert_eq!(failed, ["image.reference"], "{subject}: {r:#}")
            }
            _ => {
                assert_eq!(r["verdict"], "verified", "{subject}: {r:#}");
                assert!(failed.is_empty());
            }
        }
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["verify"]);
    assert_eq!(code(&out), 2);
    let out = run(&["verify", "gomenhashai"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--all-versions"), "{}", stderr(&out));
    let out = run(&["verify", "nginx@1.0.0"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no built-in profile"),
        "{}",
        stderr(&out)
    );
    let dir = TempDir::new("verify-bad-profile");
    let p = dir.path().join("p.yaml");
    std::fs::write(&p, "chart: gomenhashai\nhelm_repositry: x\n").unwrap();
    let out = run(&[
        "verify",
        "gomenhashai@1.3.2",
        "--profile",
        &p.display().to_string(),
    ]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("helm_repositry"), "{}", stderr(&out));
}

#[test]
fn a_version_not_in_the_index_is_an_input_error_and_an_unreachable_repository_is_3() {
    let w = world();
    let Some(served) = w.serve("verify::not_in_index") else {
        return;
    };
    let cache = TempDir::new("verify-cache");
    let out = verify(&served, &["gomenhashai@9.9.9"], &cache);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("1.3.2"), "{}", stderr(&out));
    // The same profile with nothing listening.
    let dead = std::fs::read_to_string(&served.profile)
        .unwrap()
        .replace(&format!("127.0.0.1:{}", served.http.port), "127.0.0.1:9");
    let p = served.dir.path().join("dead.yaml");
    std::fs::write(&p, dead).unwrap();
    let out = run(&[
        "verify",
        "gomenhashai@1.3.2",
        "--profile",
        &p.display().to_string(),
        "--no-cache",
    ]);
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
}

fn failed_ids(out: &std::process::Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}): {}", stdout(out)));
    v["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .map(|c| {
            format!(
                "{}: expected {}, found {}",
                c["id"].as_str().unwrap(),
                c["expected"],
                c["found"]
            )
        })
        .collect()
}

#[test]
fn a_retagged_image_in_the_real_registry_is_rejected_by_registry_digest_alone() {
    let w = world();
    let Some(served) = w.serve("verify::retagged") else {
        return;
    };
    // Someone pushes another image under v1.3.1 after the release.
    let other = crate::world::build::image("v1.3.1", "gomenhashai/gomenhashai", "-retagged");
    served.registry.push_blob(&other.path, &other.config);
    served.registry.push_blob(&other.path, &other.layer);
    served.registry.push_manifest(
        &other.path,
        "v1.3.1",
        crate::world::build::MANIFEST_MEDIA_TYPE,
        &other.manifest,
    );
    let cache = TempDir::new("verify-cache");
    let out = verify(&served, &["gomenhashai@1.3.2", "--output", "json"], &cache);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let failed = failed_ids(&out);
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert!(
        failed[0].starts_with("image.registry-digest"),
        "{failed:#?}"
    );
    assert!(
        failed[0].contains(&other.digest().to_string()),
        "{failed:#?}"
    );
    assert!(
        failed[0].contains(&w.image("v1.3.1").image.digest().to_string()),
        "{failed:#?}"
    );
}

#[test]
fn a_changed_chart_package_on_the_server_is_rejected() {
    let w = world();
    let Some(served) = w.serve("verify::changed_tgz") else {
        return;
    };
    let tgz = served
        .dir
        .path()
        .join("GomenHashai/GomenHashai/releases/download/gomenhashai-1.3.2/gomenhashai-1.3.2.tgz");
    let mut bytes = std::fs::read(&tgz).unwrap();
    bytes.extend_from_slice(&[0; 512]);
    std::fs::write(&tgz, &bytes).unwrap();
    let cache = TempDir::new("verify-cache");
    let out = verify(&served, &["gomenhashai@1.3.2", "--output", "json"], &cache);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let failed = failed_ids(&out);
    // The index no longer matches the package, and the signed statement is about the original.
    assert!(failed[0].starts_with("chart.index-digest"), "{failed:#?}");
    assert!(
        failed.iter().any(|f| f.starts_with("chart.subject")),
        "{failed:#?}"
    );
    assert!(
        failed.iter().all(|f| f.starts_with("chart.")),
        "{failed:#?}"
    );
}

/// Defect 7 of issue 10, over docker-registry: a validly signed attestation about another
/// digest, attached to the image before the right one, neither hides the right one nor passes
/// for it; alone, it fails `image.registry-attestation` (exit 1).
#[test]
fn a_stray_attestation_attached_first_in_the_registry() {
    let w = world();
    let Some(served) = w.serve("verify::a_stray_attestation") else {
        return;
    };
    let img = w.image("v1.3.1");
    let pushed = crate::support::registry::PushedImage {
        digest: img.image.digest().to_string(),
        manifest: img.image.manifest.clone(),
        media_type: crate::world::build::MANIFEST_MEDIA_TYPE,
    };
    let stray = served.registry.attach_bundle_first(
        &img.image.path,
        &pushed,
        &w.extras.image_other_subject,
    );
    let cache = TempDir::new("verify-stray-cache");
    let report = |out: &std::process::Output| -> serde_json::Value {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)));
        v.get("reports").map(|r| r[0].clone()).unwrap_or(v)
    };
    let check = |r: &serde_json::Value, id: &str| -> serde_json::Value {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {r:#}"))
    };
    let out = verify(&served, &["gomenhashai@1.3.2", "--output", "json"], &cache);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let att = check(&r, "image.registry-attestation");
    assert_eq!(att["outcome"], "pass", "{att:#}");
    let found = att["found"].as_str().unwrap();
    assert!(
        found.contains("(2 attached); not used: ") && found.contains(&stray),
        "{att:#}"
    );
    assert_eq!(check(&r, "image.subject")["outcome"], "pass");
    let listed = &r["details"]["registry_attestations"];
    assert_eq!(listed[0]["used"], false, "{listed:#}");
    assert!(listed[0]["source"].as_str().unwrap().contains(&stray));
    assert_eq!(listed[1]["used"], true, "{listed:#}");

    // Only the stray one attached (the right one taken out of the referrers index).
    served
        .registry
        .remove_last_referrer(&img.image.path, &pushed.digest);
    let cache = TempDir::new("verify-stray-cache-2");
    let out = verify(&served, &["gomenhashai@1.3.2", "--output", "json"], &cache);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let att = check(&r, "image.registry-attestation");
    assert_eq!(att["outcome"], "fail", "{att:#}");
    assert!(
        att["expected"]
            .as_str()
            .unwrap()
            .contains(&format!("names {}", img.image.digest())),
        "{att:#}"
    );
    assert!(
        att["found"]
            .as_str()
            .unwrap()
            .starts_with("none of 1 attached bundles")
            && att["found"].as_str().unwrap().contains("is not about"),
        "{att:#}"
    );
}
