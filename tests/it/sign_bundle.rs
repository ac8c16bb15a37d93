//! `kakunin sign-bundle` (the conformance signing protocol) against the test Sigstore
//! instance; what it signs is cross-checked with sigstore-python.

use std::path::Path;

use crate::common::{TempDir, code, repo, run, stderr};
use crate::sigstore_instance::{GithubToken, TestSigstore, sigstore_python_verify};

const STATEMENT: &str = r#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"hello.txt","digest":{"sha256":"a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"}}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{"buildDefinition":{"buildType":"https://actions.github.io/buildtypes/workflow/v1"}}}"#;

fn token() -> GithubToken {
    GithubToken::new(
        "gomenhashai/gomenhashai",
        "docker-release.yaml",
        "refs/tags/v1.3.1",
    )
}

fn sign(
    instance: &TestSigstore,
    config: &Path,
    jwt: &str,
    bundle: &Path,
    file: &Path,
    in_toto: bool,
) -> std::process::Output {
    let mut args = vec!["sign-bundle"];
    if in_toto {
        args.push("--in-toto");
    }
    let (root, config) = (
        instance.trusted_root().display().to_string(),
        config.display().to_string(),
    );
    let bundle = bundle.display().to_string();
    let file = file.display().to_string();
    args.extend([
        "--identity-token",
        jwt,
        "--bundle",
        &bundle,
        "--trusted-root",
        &root,
        "--signing-config",
        &config,
        &file,
    ]);
    run(&args)
}

#[test]
fn a_signed_statement_verifies_with_sigstore_python_and_a_changed_artifact_does_not() {
    let instance = TestSigstore::start();
    let dir = TempDir::new("sign-intoto");
    let (statement, artifact, bundle) = (
        dir.path().join("statement.json"),
        dir.path().join("hello.txt"),
        dir.path().join("hello.sigstore"),
    );
    std::fs::write(&statement, STATEMENT).unwrap();
    std::fs::write(&artifact, "hello world\n").unwrap();
    let tok = token();
    let out = sign(
        &instance,
        &instance.signing_config(),
        &tok.jwt(),
        &bundle,
        &statement,
        true,
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // The envelope carries the statement byte for byte.
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    assert_eq!(
        json["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let payload = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        json["dsseEnvelope"]["payload"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(payload, STATEMENT.as_bytes());
    assert_eq!(
        json["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
        "dsse"
    );

    let py = sigstore_python_verify(&instance, &bundle, &tok.identity(), &artifact);
    assert!(
        py.status.success(),
        "sigstore-python: {}",
        String::from_utf8_lossy(&py.stderr)
    );

    std::fs::write(&artifact, "hello world, changed\n").unwrap();
    let py = sigstore_python_verify(&instance, &bundle, &tok.identity(), &artifact);
    assert!(!py.status.success(), "a changed artifact must not verify");
}

#[test]
fn a_signed_blob_verifies_with_sigstore_python_on_rekor_v1_and_v2() {
    let instance = TestSigstore::start();
    let dir = TempDir::new("sign-blob");
    let artifact = dir.path().join("hello.txt");
    std::fs::write(&artifact, "hello world\n").unwrap();
    let tok = token();
    for (config, name) in [
        (instance.signing_config(), "v1.sigstore"),
        (instance.signing_config_rekor2(), "v2.sigstore"),
    ] {
        let bundle = dir.path().join(name);
        let out = sign(&instance, &config, &tok.jwt(), &bundle, &artifact, false);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let py = sigstore_python_verify(&instance, &bundle, &tok.identity(), &artifact);
        assert!(
            py.status.success(),
            "{name}: sigstore-python: {}",
            String::from_utf8_lossy(&py.stderr)
        );
        // Another workflow's identity is not this bundle's.
        let py = sigstore_python_verify(
            &instance,
            &bundle,
            &tok.identity().replace("docker-release", "helm-release"),
            &artifact,
        );
        assert!(
            !py.status.success(),
            "{name}: a wrong identity must not verify"
        );
    }
}

#[test]
fn an_expired_token_is_refused_and_no_bundle_is_written() {
    let instance = TestSigstore::start();
    let dir = TempDir::new("sign-expired");
    let (artifact, bundle) = (dir.path().join("a.txt"), dir.path().join("a.sigstore"));
    std::fs::write(&artifact, "a").unwrap();
    let mut tok = token();
    tok.expires_in = -60;
    let out = sign(
        &instance,
        &instance.signing_config(),
        &tok.jwt(),
        &bundle,
        &artifact,
        false,
    );
    assert_ne!(code(&out), 0);
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    assert!(!bundle.exists());
}

#[test]
fn a_failing_log_or_tsa_leaves_no_bundle_and_names_the_service() {
    let instance = TestSigstore::start();
    let dir = TempDir::new("sign-unavailable");
    let artifact = dir.path().join("a.txt");
    std::fs::write(&artifact, "a").unwrap();
    for (service, named) in [
        ("rekor", "Rekor"),
        ("tsa", "timestamp authority"),
        ("fulcio", "Fulcio"),
    ] {
        instance.fail(service, Some(503));
        let bundle = dir.path().join(format!("{service}.sigstore"));
        let out = sign(
            &instance,
            &instance.signing_config(),
            &token().jwt(),
            &bundle,
            &artifact,
            false,
        );
        assert_eq!(code(&out), 3, "{service}: {}", stderr(&out));
        assert!(stderr(&out).contains(named), "{service}: {}", stderr(&out));
        assert!(!bundle.exists(), "{service}: a bundle was left behind");
        instance.fail(service, None);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "only the artifact remains: {leftovers:?}"
    );
}

#[test]
fn a_bundle_that_does_not_verify_is_not_kept() {
    // The instance's clock before its CA's validity: the certificate it issues cannot chain.
    let instance = TestSigstore::start_at(Some("2019-06-01T00:00:00Z"));
    let dir = TempDir::new("sign-unverifiable");
    let (artifact, bundle) = (dir.path().join("a.txt"), dir.path().join("a.sigstore"));
    std::fs::write(&artifact, "a").unwrap();
    let mut tok = token();
    tok.valid_from = -10 * 365 * 86400;
    let out = sign(
        &instance,
        &instance.signing_config(),
        &tok.jwt(),
        &bundle,
        &artifact,
        false,
    );
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("does not verify"), "{}", stderr(&out));
    assert!(!bundle.exists());
}

#[test]
fn the_committed_test_keys_are_the_ones_the_seed_derives() {
    let out = std::process::Command::new("node")
        .arg(repo().join("tests/sigstore-instance/generate.js"))
        .arg("--check")
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let served = TestSigstore::start();
    assert_eq!(
        std::fs::read_to_string(repo().join("fixtures/test-sigstore/trusted_root.json")).unwrap(),
        std::fs::read_to_string(served.trusted_root()).unwrap(),
        "the instance serves the committed trusted root"
    );
}
