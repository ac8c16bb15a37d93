//! `publish --key cosign.key`: cosign's encrypted private key format, passphrase from
//! COSIGN_PASSWORD, against the test Sigstore instance. The key is made here (openssl's P-256
//! PKCS#8, encrypted as cosign encrypts it); the release verifies with its public key.

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;

use kakunin::publish::cosign_key;

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::sigstore_instance::TestSigstore;

/// A P-256 PKCS#8 key from openssl, as DER.
fn p256_der(dir: &Path) -> Vec<u8> {
    let pem = dir.join("ec.pem");
    let st = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&pem)
        .status()
        .expect("openssl runs");
    assert!(st.success());
    let text = std::fs::read_to_string(&pem).unwrap();
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap()
}

fn publish(
    instance: &TestSigstore,
    dir: &Path,
    key: &Path,
    password: Option<&str>,
    out: &str,
) -> Output {
    let out_dir = dir.join(out);
    std::fs::create_dir(&out_dir).unwrap();
    let mut cmd = kakunin();
    for v in [
        "COSIGN_PASSWORD",
        "SIGSTORE_ID_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        cmd.env_remove(v);
    }
    if let Some(p) = password {
        cmd.env("COSIGN_PASSWORD", p);
    }
    cmd.env("GITHUB_REPOSITORY", "o/r")
        .env(
            "GITHUB_WORKFLOW_REF",
            "o/r/.github/workflows/release.yaml@refs/heads/main",
        )
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_SHA", "9f1c6e8a2b3d4c5e6f708192a3b4c5d6e7f80912")
        .env("GITHUB_EVENT_NAME", "push")
        .env("RUNNER_ENVIRONMENT", "github-hosted")
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .args(["publish", "chart"])
        .arg(dir.join("app-1.0.0.tgz"))
        .arg("--out")
        .arg(&out_dir)
        .arg("--key")
        .arg(key)
        .arg("--public-key-out")
        .arg(dir.join(format!("{out}.pub")))
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root());
    cmd.output().expect("kakunin runs")
}

#[test]
fn publish_signs_with_a_cosign_key_and_its_passphrase_only() {
    let instance = TestSigstore::start();
    let dir = TempDir::new("cosign-key");
    let d = dir.path();
    std::fs::write(d.join("app-1.0.0.tgz"), b"\x1f\x8b\x08\x00 chart bytes").unwrap();
    let key = d.join("cosign.key");
    let pem = cosign_key::encrypt_for_tests(&p256_der(d), b"s3cret", [3; 32], [5; 24]);
    std::fs::write(&key, &pem).unwrap();

    let out = publish(&instance, d, &key, Some("s3cret"), "ok");
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let v = kakunin()
        .args(["verify-bundle", "--bundle"])
        .arg(d.join("ok/app-1.0.0.sigstore"))
        .arg("--key")
        .arg(d.join("ok.pub"))
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .arg(d.join("app-1.0.0.tgz"))
        .output()
        .unwrap();
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));

    // A wrong passphrase, no passphrase, a tampered key: usage errors, nothing written.
    let out = publish(&instance, d, &key, Some("s3creT"), "wrong");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("wrong passphrase"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_dir(d.join("wrong")).unwrap().count(), 0);

    let out = publish(&instance, d, &key, None, "unset");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("set COSIGN_PASSWORD"),
        "{}",
        stderr(&out)
    );

    let lines: Vec<&str> = pem.lines().collect();
    let mut body: Vec<u8> = lines[1..lines.len() - 1].concat().into_bytes();
    let mid = body.len() / 2;
    body[mid] = if body[mid] == b'A' { b'B' } else { b'A' };
    let tampered = format!(
        "{}\n{}\n{}\n",
        lines[0],
        String::from_utf8(body).unwrap(),
        lines[lines.len() - 1]
    );
    let bad = d.join("tampered.key");
    std::fs::write(&bad, tampered).unwrap();
    let out = publish(&instance, d, &bad, Some("s3cret"), "tampered");
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("cosign key"), "{}", stderr(&out));
}
