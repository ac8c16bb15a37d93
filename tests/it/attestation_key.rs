//! `verify-attestation --key`: managed-key attestations as `kakunin publish chart --key` makes
//! them (bundle v0.3, `publicKey` verification material, logged in the test Sigstore
//! instance's Rekor). With no certificate, the provenance is checked against what was asked
//! for; what was not asked for and has nothing to compare is not reported as passed.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::sigstore_instance::TestSigstore;

const SHA: &str = "9f1c6e8a2b3d4c5e6f708192a3b4c5d6e7f80912";
const REPO: &str = "gomenhashai/gomenhashai";
const REF: &str = "refs/heads/main";
const WORKFLOW: &str = ".github/workflows/helm-release.yaml";

fn genkey(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let st = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
        ])
        .arg("-out")
        .arg(&path)
        .status()
        .expect("openssl runs");
    assert!(st.success());
    path
}

/// A keyed chart release: (chart, bundle, .intoto.jsonl, public key).
fn publish_keyed(instance: &TestSigstore, dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let chart = dir.join("gomenhashai-1.3.2.tgz");
    std::fs::write(
        &chart,
        b"\x1f\x8b\x08\x00 chart bytes for a keyed attestation",
    )
    .unwrap();
    let out = dir.join("dist");
    std::fs::create_dir(&out).unwrap();
    let key = genkey(dir, "release.pem");
    let public = dir.join("release.pub");
    let mut cmd = kakunin();
    for v in [
        "SIGSTORE_ID_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        cmd.env_remove(v);
    }
    let published = cmd
        .env("GITHUB_REPOSITORY", REPO)
        .env("GITHUB_WORKFLOW_REF", format!("{REPO}/{WORKFLOW}@{REF}"))
        .env("GITHUB_REF", REF)
        .env("GITHUB_SHA", SHA)
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_REPOSITORY_ID", "700000001")
        .env("GITHUB_REPOSITORY_OWNER_ID", "100000001")
        .env("RUNNER_ENVIRONMENT", "github-hosted")
        .env("GITHUB_RUN_ID", "4242424242")
        .env("GITHUB_RUN_ATTEMPT", "1")
        .args(["publish", "chart"])
        .arg(&chart)
        .arg("--out")
        .arg(&out)
        .arg("--key")
        .arg(&key)
        .arg("--public-key-out")
        .arg(&public)
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .output()
        .expect("kakunin runs");
    assert_eq!(code(&published), 0, "publish: {}", stderr(&published));
    (
        chart,
        out.join("gomenhashai-1.3.2.sigstore"),
        out.join("gomenhashai-1.3.2.intoto.jsonl"),
        public,
    )
}

/// verify-attestation --output json against the instance's root: (exit code, report, stderr).
fn verify(
    instance: &TestSigstore,
    args: &[&Path],
    extra: &[&str],
    subject: &Path,
) -> (i32, Value, String) {
    let mut cmd = kakunin();
    cmd.args(["verify-attestation", "--output", "json", "--trusted-root"])
        .arg(instance.trusted_root());
    for pair in args.chunks(2) {
        cmd.arg(pair[0]).arg(pair[1]);
    }
    let out = cmd.args(extra).arg(subject).output().expect("kakunin runs");
    let report = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
    (code(&out), report, stderr(&out))
}

fn checks(report: &Value) -> Vec<Value> {
    report["reports"][0]["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn ids(report: &Value) -> Vec<String> {
    checks(report)
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn failing(report: &Value) -> Vec<Value> {
    checks(report)
        .into_iter()
        .filter(|c| c["outcome"] != "pass")
        .collect()
}

#[test]
fn keyed_chart_attestations_verify_with_their_key_and_the_expectations_given() {
    let instance = TestSigstore::start();
    let dir = TempDir::new("attestation-key");
    let (chart, bundle, jsonl, public) = publish_keyed(&instance, dir.path());
    let p = Path::new;
    let with_key: [&Path; 6] = [
        p("--bundle"),
        &bundle,
        p("--envelope"),
        &jsonl,
        p("--key"),
        &public,
    ];

    // The key alone: the statement checks run; nothing is compared with a certificate.
    let (c, r, e) = verify(&instance, &with_key, &[], &chart);
    assert_eq!(c, 0, "{e}\n{r:#}");
    assert!(failing(&r).is_empty(), "{:#?}", failing(&r));
    let got = ids(&r);
    for id in [
        "bundle.signature",
        "attestation.payload-type",
        "attestation.statement",
        "attestation.subject",
        "attestation.predicate-type",
        "attestation.provenance",
        "attestation.runner-environment",
        "attestation.envelope",
    ] {
        assert!(got.iter().any(|g| g == id), "{id} missing from {got:?}");
    }
    for id in [
        "bundle.identity",
        "bundle.issuer",
        "bundle.github-claims",
        "attestation.workflow-repository",
        "attestation.workflow-ref",
        "attestation.workflow-path",
        "attestation.source-commit",
        "attestation.builder-id",
    ] {
        assert!(
            !got.iter().any(|g| g == id),
            "{id} reported without a certificate or an expectation: {r:#}"
        );
    }
    let details = &r["reports"][0]["details"];
    assert!(
        details["signer"]["key_fingerprint"]
            .as_str()
            .is_some_and(|f| f.starts_with("sha256:")),
        "{details:#}"
    );

    // Every expectation given is compared with the provenance, and passes.
    let builder = format!("https://github.com/{REPO}/{WORKFLOW}");
    let asked = [
        "--repository",
        REPO,
        "--source-ref",
        REF,
        "--workflow",
        WORKFLOW,
        "--source-digest",
        SHA,
        "--builder-id",
        builder.as_str(),
    ];
    let (c, r, e) = verify(&instance, &with_key, &asked, &chart);
    assert_eq!(c, 0, "{e}\n{r:#}");
    assert!(failing(&r).is_empty(), "{:#?}", failing(&r));
    let got = ids(&r);
    for id in [
        "attestation.workflow-repository",
        "attestation.workflow-ref",
        "attestation.workflow-path",
        "attestation.source-commit",
        "attestation.builder-id",
    ] {
        assert_eq!(
            got.iter().filter(|g| *g == id).count(),
            1,
            "{id}: compared once, with the expectation: {got:?}"
        );
    }

    // A wrong --repository / --source-ref fails that field, with expected and found.
    for (flag, value, id, expected, found) in [
        (
            "--repository",
            "gomenhashai/other",
            "attestation.workflow-repository",
            "https://github.com/gomenhashai/other".to_owned(),
            format!("https://github.com/{REPO}"),
        ),
        (
            "--source-ref",
            "refs/tags/v9.9.9",
            "attestation.workflow-ref",
            "refs/tags/v9.9.9".to_owned(),
            REF.to_owned(),
        ),
        (
            "--source-digest",
            "0000000000000000000000000000000000000000",
            "attestation.source-commit",
            "0000000000000000000000000000000000000000".to_owned(),
            SHA.to_owned(),
        ),
    ] {
        let (c, r, _) = verify(&instance, &with_key, &[flag, value], &chart);
        assert_eq!(c, 1, "{flag}: {r:#}");
        let f = failing(&r);
        assert_eq!(f.len(), 1, "{flag}: {f:#?}");
        assert_eq!(f[0]["id"], id, "{flag}: {f:#?}");
        assert!(f[0]["title"].as_str().unwrap().contains(flag), "{f:#?}");
        assert_eq!(f[0]["expected"], expected.as_str(), "{flag}");
        assert_eq!(f[0]["found"], found.as_str(), "{flag}");
    }

    // Another key: bundle.signature fails naming the key, nothing of the statement is trusted.
    let other = genkey(dir.path(), "other.pem");
    let other_pub = dir.path().join("other.pub");
    let st = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&other)
        .arg("-out")
        .arg(&other_pub)
        .status()
        .unwrap();
    assert!(st.success());
    let (c, r, _) = verify(
        &instance,
        &[p("--bundle"), &bundle, p("--key"), &other_pub],
        &[],
        &chart,
    );
    assert_eq!(c, 1, "{r:#}");
    let sig = checks(&r)
        .into_iter()
        .find(|c| c["id"] == "bundle.signature")
        .unwrap();
    assert_eq!(sig["outcome"], "fail", "{sig:#}");
    assert!(
        sig["expected"]
            .as_str()
            .unwrap()
            .contains(&other_pub.display().to_string()),
        "{sig:#}"
    );
    assert!(
        !checks(&r).iter().any(
            |c| c["id"].as_str().unwrap().starts_with("attestation.") && c["outcome"] == "pass"
        ),
        "{r:#}"
    );

    // A tampered .intoto.jsonl: attestation.envelope fails, naming the field.
    let mut env: Value = serde_json::from_slice(&std::fs::read(&jsonl).unwrap()).unwrap();
    let mut statement: Value =
        serde_json::from_slice(&B64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
    statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["ref"] =
        "refs/tags/v6.6.6".into();
    env["payload"] = B64.encode(serde_json::to_vec(&statement).unwrap()).into();
    let tampered = dir.path().join("tampered.intoto.jsonl");
    std::fs::write(&tampered, serde_json::to_vec(&env).unwrap()).unwrap();
    let (c, r, _) = verify(
        &instance,
        &[
            p("--bundle"),
            &bundle,
            p("--envelope"),
            &tampered,
            p("--key"),
            &public,
        ],
        &[],
        &chart,
    );
    assert_eq!(c, 1, "{r:#}");
    let f = failing(&r);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0]["id"], "attestation.envelope");
    assert!(
        f[0]["title"].as_str().unwrap().contains("payload"),
        "{f:#?}"
    );
    assert_ne!(f[0]["expected"], f[0]["found"]);
}

#[test]
fn key_with_a_certificate_identity_is_a_usage_error() {
    let dir = TempDir::new("attestation-key-usage");
    let key = dir.path().join("k.pub");
    std::fs::write(&key, "not read").unwrap();
    let out = kakunin()
        .args(["verify-attestation", "--bundle", "b.sigstore", "--key"])
        .arg(&key)
        .args([
            "--certificate-identity",
            "https://github.com/o/r/.github/workflows/x.yaml@refs/heads/main",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--certificate-identity"),
        "{}",
        stderr(&out)
    );
}
