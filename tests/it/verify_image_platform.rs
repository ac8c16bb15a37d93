//! `kakunin verify-image --platform`: a real multi-platform image index pushed into Debian's
//! docker-registry on loopback, signed (cosign `.sig`, keyed) at the index digest or at one
//! platform manifest's digest.

use std::path::{Path, PathBuf};

use sigstore_verify::crypto::{KeyAlgorithm, KeyPair};

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::support::registry::{OCI_MANIFEST, Registry};

/// Pushes cosign's `.sig` manifest for `digest`: one simple-signing layer signed by `key`
/// (as `cosign sign --key --tlog-upload=false` writes it).
pub fn push_keyed_signature(reg: &Registry, name: &str, digest: &str, key: &KeyPair) {
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/{name}"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        reg.host()
    );
    let sig = key.sign(payload.as_bytes()).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig.as_bytes());
    let layer = reg.push_blob(name, payload.as_bytes());
    let config = reg.push_blob(name, b"{}");
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{{"dev.cosignproject.cosign/signature":"{b64}"}}}}]}}"#,
        payload.len()
    );
    let hex = digest.strip_prefix("sha256:").unwrap();
    reg.push_manifest(
        name,
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        manifest.as_bytes(),
    );
}

pub fn write_key(dir: &Path, name: &str, key: &KeyPair) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, key.public_key_der().unwrap().to_pem()).unwrap();
    p
}

#[test]
fn platform_selects_the_manifest_of_an_index_and_looks_up_its_own_signatures_too() {
    let Some(reg) = Registry::start("verify_image_platform") else {
        return;
    };
    let dir = TempDir::new("vi-platform");
    let cache = TempDir::new("vi-platform-cache");
    let key = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let key_pem = write_key(dir.path(), "cosign.pub", &key);

    // Two indexes over the same two platform images: "signed-index" is signed at the index
    // digest; "signed-arm" only at its linux/arm64 manifest.
    let name = "o/multi";
    let amd = reg.push_image(name, "amd64", "amd64-bits");
    let arm = reg.push_image(name, "arm64", "arm64-bits");
    let idx = reg.push_index(
        name,
        "signed-index",
        &[(&amd, "linux", "amd64"), (&arm, "linux", "arm64")],
    );
    push_keyed_signature(&reg, name, &idx.digest, &key);
    let name2 = "o/multi2";
    let amd2 = reg.push_image(name2, "amd64", "amd64-bits-2");
    let arm2 = reg.push_image(name2, "arm64", "arm64-bits-2");
    let idx2 = reg.push_index(
        name2,
        "signed-arm",
        &[(&amd2, "linux", "amd64"), (&arm2, "linux", "arm64")],
    );
    push_keyed_signature(&reg, name2, &arm2.digest, &key);

    let verify = |reference: &str, extra: &[&str]| {
        let mut a = vec![
            "verify-image",
            reference,
            "--key",
            key_pem.to_str().unwrap(),
            "--insecure-ignore-tlog",
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ];
        a.extend_from_slice(extra);
        let out = run(&a);
        let report: serde_json::Value =
            serde_json::from_str(&stdout(&out)).unwrap_or(serde_json::Value::Null);
        (out, report)
    };
    let check = |r: &serde_json::Value, id: &str| -> serde_json::Value {
        r["reports"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no {id} in {r}"))
    };

    // Signed at the index: with --platform, the platform manifest is selected and reported, and
    // the signature is reported as the index's.
    let r1 = format!("{}/{name}:signed-index", reg.host());
    let (out, r) = verify(&r1, &["--platform", "linux/arm64"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let d = &r["reports"][0]["details"];
    assert_eq!(d["digest"], idx.digest.as_str());
    assert_eq!(d["platform"]["platform"], "linux/arm64");
    assert_eq!(d["platform"]["digest"], arm.digest.as_str());
    assert_eq!(d["verified"][0]["subject"], idx.digest.as_str());
    assert_eq!(d["verified"][0]["subject_role"], "index");
    let p = check(&r, "image.platform");
    assert_eq!(p["outcome"], "pass", "{p}");
    assert!(p["found"].as_str().unwrap().contains(&arm.digest), "{p}");
    let s = check(&r, "image.signature");
    assert!(
        s["found"]
            .as_str()
            .unwrap()
            .contains(&format!("for the index {}", idx.digest)),
        "{s}"
    );
    // Both digests were looked up: the platform manifest's .sig tag was looked for too.
    let discovery = d["discovery"].to_string();
    let arm_hex = arm.digest.strip_prefix("sha256:").unwrap();
    assert!(
        discovery.contains(&format!("sha256-{arm_hex}.sig")),
        "{discovery}"
    );

    // Signed only at the linux/arm64 manifest.
    let r2 = format!("{}/{name2}:signed-arm", reg.host());
    let (out, r) = verify(&r2, &["--platform", "linux/arm64"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let d = &r["reports"][0]["details"];
    assert_eq!(d["verified"][0]["subject"], arm2.digest.as_str());
    assert_eq!(d["verified"][0]["subject_role"], "linux/arm64 manifest");
    let s = check(&r, "image.signature");
    assert!(
        s["found"]
            .as_str()
            .unwrap()
            .contains(&format!("for the linux/arm64 manifest {}", arm2.digest)),
        "{s}"
    );
    // Without --platform only the index is looked up: no signature of it.
    let (out, r) = verify(&r2, &[]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let s = check(&r, "image.signature");
    assert!(
        s["expected"].as_str().unwrap().contains(&idx2.digest),
        "{s}"
    );
    assert!(
        s["found"].as_str().unwrap().contains("no signature found"),
        "{s}"
    );
    // Another platform: neither it nor the index is signed.
    let (out, r) = verify(&r2, &["--platform", "linux/amd64"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let s = check(&r, "image.signature");
    assert!(
        s["expected"].as_str().unwrap().contains(&amd2.digest)
            && s["expected"].as_str().unwrap().contains(&idx2.digest),
        "{s}"
    );

    // A platform the index does not list: image.platform fails, naming what it lists.
    let (out, r) = verify(&r1, &["--platform", "linux/s390x"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let p = check(&r, "image.platform");
    assert_eq!(p["outcome"], "fail", "{p}");
    assert!(
        p["expected"].as_str().unwrap().contains("linux/s390x")
            && p["found"]
                .as_str()
                .unwrap()
                .contains("linux/amd64, linux/arm64"),
        "{p}"
    );
    // A single-platform image is not an index.
    let (out, r) = verify(
        &format!("{}/{name}:amd64", reg.host()),
        &["--platform", "linux/amd64"],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let p = check(&r, "image.platform");
    assert!(
        p["found"].as_str().unwrap().contains("not an image index"),
        "{p}"
    );
    // A malformed platform is a usage error.
    let (out, _) = verify(&r1, &["--platform", "linux"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("os/arch"), "{}", stderr(&out));
}
