//! Keyed `publish chart --oci` and `publish image --push-attestation`, logged and offline
//! (`--tlog-upload=false` with an RFC 3161 timestamp), against Debian's docker-registry on
//! loopback. What is pushed verifies with `verify-image --key` and `verify oci://… --key`, and
//! not with another key; without a log entry only with `--insecure-ignore-tlog`, whose report
//! says that no log entry was checked.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::publish::{files, no_ci, p256_key};
use crate::sigstore_instance::TestSigstore;
use crate::support::registry::Registry;

const SHA: &str = "9f1c6e8a2b3d4c5e6f708192a3b4c5d6e7f80912";

struct Keyed {
    dir: TempDir,
    key: PathBuf,
    public: PathBuf,
    other_public: PathBuf,
}

fn keyed(name: &str) -> Keyed {
    let dir = TempDir::new(name);
    let key = p256_key(dir.path(), "k.pem");
    let public = dir.path().join("k.pub");
    let other = p256_key(dir.path(), "other.pem");
    let other_public = dir.path().join("other.pub");
    let st = std::process::Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&other)
        .arg("-out")
        .arg(&other_public)
        .status()
        .unwrap();
    assert!(st.success());
    Keyed {
        dir,
        key,
        public,
        other_public,
    }
}

/// The TSA of the test instance (its certificate is in the instance's trusted root).
fn tsa(instance: &TestSigstore) -> String {
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(instance.signing_config()).unwrap()).unwrap();
    config["tsaUrls"][0]["url"].as_str().unwrap().to_string()
}

/// `kakunin publish WHAT… --key` on a laptop (a minimal provenance), into `out`.
fn publish(
    instance: &TestSigstore,
    k: &Keyed,
    what: &[String],
    out: &Path,
    extra: &[&str],
) -> Output {
    no_ci(&mut kakunin())
        .arg("publish")
        .args(what)
        .arg("--out")
        .arg(out)
        .arg("--key")
        .arg(&k.key)
        .arg("--public-key-out")
        .arg(&k.public)
        .args([
            "--builder-id",
            "mailto:release@example.com",
            "--source",
            &format!("https://example.com/o/r@{SHA}"),
        ])
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(extra)
        .output()
        .expect("kakunin runs")
}

fn push_chart(reg: &Registry, k: &Keyed, version: &str) -> Vec<String> {
    let tgz = k.dir.path().join(format!("demo-{version}.tgz"));
    std::fs::write(&tgz, crate::chart_sources::demo_tgz(version, &[])).unwrap();
    vec![
        "chart".into(),
        tgz.display().to_string(),
        "--oci".into(),
        format!("oci://{}/charts", reg.host()),
    ]
}

fn verify_image(instance: &TestSigstore, reference: &str, public: &Path, extra: &[&str]) -> Output {
    kakunin()
        .arg("verify-image")
        .arg(reference)
        .arg("--key")
        .arg(public)
        .args(["--attestation", "slsaprovenance1", "-o", "json"])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(extra)
        .output()
        .unwrap()
}

fn verify_oci(
    instance: &TestSigstore,
    reference: &str,
    version: &str,
    public: &Path,
    extra: &[&str],
) -> Output {
    kakunin()
        .arg("verify")
        .arg(reference)
        .args(["--version", version])
        .arg("--key")
        .arg(public)
        .args(["--attestation", "slsaprovenance1", "-o", "json"])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(extra)
        .output()
        .unwrap()
}

fn outcome(out: &Output, id: &str) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    v["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("no check {id}: {v}"))
}

fn forms(out: &Output) -> Vec<String> {
    crate::publish_oci::verified_forms(out)
}

const ALL_FORMS: [&str; 4] = [
    "cosign-attestation",
    "cosign-signature",
    "sigstore-bundle-dsse",
    "sigstore-bundle-dsse",
];

#[test]
fn a_keyed_chart_and_image_in_oci_verify_with_their_key_and_not_another() {
    let Some(reg) = Registry::start("publish_oci_keyed") else {
        return;
    };
    let instance = TestSigstore::start();
    let k = keyed("publish-oci-keyed");

    // The chart: pushed, its signature and provenance attached (referrers and cosign's tags),
    // each logged with the key as verifier.
    let out_dir = k.dir.path().join("chart");
    let out = publish(
        &instance,
        &k,
        &push_chart(&reg, &k, "1.0.0"),
        &out_dir,
        &["--legacy-cosign"],
    );
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), reg.log());
    let text = stdout(&out);
    assert!(text.contains("signed with a "), "{text}");
    assert!(!text.contains("NO transparency-log entry"), "{text}");
    assert!(
        text.contains("read back from the registry and verified"),
        "{text}"
    );
    assert_eq!(
        files(&out_dir),
        ["demo-1.0.0.intoto.jsonl", "demo-1.0.0.sigstore"]
    );

    let repo = format!("{}/charts/demo", reg.host());
    let v = verify_image(&instance, &format!("{repo}:1.0.0"), &k.public, &[]);
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    assert_eq!(forms(&v), ALL_FORMS);
    let v = verify_image(&instance, &format!("{repo}:1.0.0"), &k.other_public, &[]);
    assert_eq!(code(&v), 1, "another key: {}", stdout(&v));

    // kakunin verify oci://: the chart's signature and provenance, with the key.
    let reference = format!("oci://{repo}");
    let v = verify_oci(&instance, &reference, "1.0.0", &k.public, &[]);
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    for id in ["chart.oci-manifest", "chart.signature", "chart.attestation"] {
        assert_eq!(outcome(&v, id)["outcome"], "pass", "{id}: {}", stdout(&v));
    }
    let v = verify_oci(&instance, &reference, "1.0.0", &k.other_public, &[]);
    assert_eq!(code(&v), 1, "another key: {}", stdout(&v));
    assert_eq!(
        outcome(&v, "chart.signature")["outcome"],
        "fail",
        "{}",
        stdout(&v)
    );

    // An image, by tag: the same forms, with the same key.
    let image = reg.push_image("o/app", "v1.0.0", "keyed-app");
    let out_dir = k.dir.path().join("image");
    let what = vec![
        "image".to_string(),
        format!("{}/o/app:v1.0.0", reg.host()),
        "--tag".into(),
        "v1.0.0".into(),
        "--push-attestation".into(),
    ];
    let out = publish(&instance, &k, &what, &out_dir, &["--legacy-cosign"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let by_digest = format!("{}/o/app@{}", reg.host(), image.digest);
    let v = verify_image(&instance, &by_digest, &k.public, &[]);
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    assert_eq!(forms(&v), ALL_FORMS);
    let v = verify_image(&instance, &by_digest, &k.other_public, &[]);
    assert_eq!(code(&v), 1, "another key: {}", stdout(&v));
}

#[test]
fn an_offline_keyed_oci_publish_verifies_only_with_insecure_ignore_tlog_and_says_so() {
    let Some(reg) = Registry::start("publish_oci_keyed_offline") else {
        return;
    };
    let instance = TestSigstore::start();
    let k = keyed("publish-oci-keyed-offline");
    let tsa = tsa(&instance);
    let offline = [
        "--tlog-upload=false",
        "--timestamp-server",
        &tsa,
        "--legacy-cosign",
    ];

    // No log is contacted: the log refusing everything changes nothing.
    instance.fail("rekor", Some(503));
    let out_dir = k.dir.path().join("chart");
    let out = publish(
        &instance,
        &k,
        &push_chart(&reg, &k, "2.0.0"),
        &out_dir,
        &offline,
    );
    let image = reg.push_image("o/app", "v2.0.0", "offline-app");
    let image_out = k.dir.path().join("image");
    let what = vec![
        "image".to_string(),
        format!("{}/o/app@{}", reg.host(), image.digest),
        "--tag".into(),
        "v2.0.0".into(),
        "--push-attestation".into(),
    ];
    let image_published = publish(&instance, &k, &what, &image_out, &offline);
    instance.fail("rekor", None);
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), reg.log());
    assert!(
        stdout(&out).contains("NO transparency-log entry (--tlog-upload=false)"),
        "{}",
        stdout(&out)
    );
    assert_eq!(code(&image_published), 0, "{}", stderr(&image_published));

    let repo = format!("{}/charts/demo", reg.host());
    for reference in [
        format!("{repo}:2.0.0"),
        format!("{}/o/app@{}", reg.host(), image.digest),
    ] {
        // Without the opt-out: refused, with the reason.
        let v = verify_image(&instance, &reference, &k.public, &[]);
        assert_eq!(code(&v), 1, "{reference}: {}{}", stdout(&v), stderr(&v));
        assert!(
            stdout(&v).contains("expected a transparency-log entry"),
            "{reference}: {}",
            stdout(&v)
        );
        // With it: every form verifies, and the report says no log entry was checked.
        let v = verify_image(
            &instance,
            &reference,
            &k.public,
            &["--insecure-ignore-tlog"],
        );
        assert_eq!(code(&v), 0, "{reference}: {}{}", stdout(&v), stderr(&v));
        assert_eq!(forms(&v), ALL_FORMS, "{reference}");
        assert!(
            stdout(&v).contains("none was checked (--insecure-ignore-tlog)"),
            "{reference}: {}",
            stdout(&v)
        );
        assert!(
            stderr(&v).contains("WARNING: --insecure-ignore-tlog"),
            "{}",
            stderr(&v)
        );
        // The opt-out waives the log, not the key.
        let v = verify_image(
            &instance,
            &reference,
            &k.other_public,
            &["--insecure-ignore-tlog"],
        );
        assert_eq!(code(&v), 1, "{reference}, another key: {}", stdout(&v));
    }

    // kakunin verify oci://: the same, for the chart.
    let reference = format!("oci://{repo}");
    let v = verify_oci(&instance, &reference, "2.0.0", &k.public, &[]);
    assert_eq!(code(&v), 1, "{}{}", stdout(&v), stderr(&v));
    let sig = outcome(&v, "chart.signature");
    assert_eq!(sig["outcome"], "fail", "{sig}");
    assert!(
        stdout(&v).contains("expected a transparency-log entry"),
        "{}",
        stdout(&v)
    );
    let v = verify_oci(
        &instance,
        &reference,
        "2.0.0",
        &k.public,
        &["--insecure-ignore-tlog"],
    );
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    for id in ["chart.signature", "chart.attestation"] {
        assert_eq!(outcome(&v, id)["outcome"], "pass", "{id}: {}", stdout(&v));
    }
    assert!(
        stdout(&v).contains("none was checked (--insecure-ignore-tlog)"),
        "{}",
        stdout(&v)
    );
}
