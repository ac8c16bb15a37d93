//! `kakunin publish`: keyless and keyed, end to end against the test Sigstore instance. What
//! it publishes verifies with kakunin, sigstore-python (same trusted root) and
//! securesystemslib's DSSE; a half-failed publish leaves nothing that looks complete.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::Engine;

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::sigstore_instance::{
    GITHUB_ISSUER, GithubToken, TestSigstore, sigstore_python_verify, venv_bin,
};

const SHA: &str = "9f1c6e8a2b3d4c5e6f708192a3b4c5d6e7f80912";

/// The GitHub Actions environment of the chart release workflow.
pub(crate) fn chart_env(cmd: &mut Command) -> &mut Command {
    for v in [
        "SIGSTORE_ID_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ] {
        cmd.env_remove(v);
    }
    cmd.env("GITHUB_REPOSITORY", "gomenhashai/gomenhashai")
        .env(
            "GITHUB_WORKFLOW_REF",
            "gomenhashai/gomenhashai/.github/workflows/helm-release.yaml@refs/heads/main",
        )
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_SHA", SHA)
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_REPOSITORY_ID", "700000001")
        .env("GITHUB_REPOSITORY_OWNER_ID", "100000001")
        .env("RUNNER_ENVIRONMENT", "github-hosted")
        .env("GITHUB_RUN_ID", "4242424242")
        .env("GITHUB_RUN_ATTEMPT", "1")
}

pub(crate) fn chart_token() -> GithubToken {
    GithubToken::new(
        "gomenhashai/gomenhashai",
        "helm-release.yaml",
        "refs/heads/main",
    )
}

struct Release {
    dir: TempDir,
    chart: PathBuf,
    out: PathBuf,
}

fn release(name: &str) -> Release {
    let dir = TempDir::new(name);
    let chart = dir.path().join("gomenhashai-1.3.2.tgz");
    std::fs::write(
        &chart,
        b"\x1f\x8b\x08\x00 not really a chart, but bytes with a digest",
    )
    .unwrap();
    let out = dir.path().join("dist");
    std::fs::create_dir(&out).unwrap();
    Release { dir, chart, out }
}

fn publish_chart(instance: &TestSigstore, r: &Release, extra: &[&str]) -> Output {
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .arg("publish")
        .arg("chart")
        .arg(&r.chart)
        .arg("--out")
        .arg(&r.out)
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(extra);
    cmd.output().expect("kakunin runs")
}

pub(crate) fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// securesystemslib's DSSE verification of a `.intoto.jsonl` line with the bundle's
/// certificate key, or a PEM public key or certificate (`key`; `bundle` is then not read). DSSE
/// makes `keyid` optional and GitHub omits it (cosign's `.att` layers leave it empty);
/// securesystemslib requires one and matches it against the key's (its issue #416), so a
/// missing or empty keyid is read as the verifying key's id.
pub(crate) fn securesystemslib_verify(bundle: &Path, jsonl: &Path, key: Option<&Path>) -> Output {
    const SNIPPET: &str = r#"
import base64, json, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey
bundle = json.load(open(sys.argv[1]))
lines = open(sys.argv[2]).read().splitlines()
assert len(lines) == 1, f"{len(lines)} lines"
env = json.loads(lines[0])
if sys.argv[3] == "-":
    der = base64.b64decode(bundle["verificationMaterial"]["certificate"]["rawBytes"])
    pub = x509.load_der_x509_certificate(der).public_key()
elif open(sys.argv[3], "rb").read().startswith(b"-----BEGIN CERTIFICATE"):
    pub = x509.load_pem_x509_certificate(open(sys.argv[3], "rb").read()).public_key()
else:
    pub = serialization.load_pem_public_key(open(sys.argv[3], "rb").read())
key = SSlibKey.from_crypto(pub)
for s in env["signatures"]:
    if not s.get("keyid"):
        s["keyid"] = key.keyid
Envelope.from_dict(env).verify([key], 1)
print("DSSE OK")
"#;
    Command::new(venv_bin("python"))
        .args(["-c", SNIPPET])
        .arg(bundle)
        .arg(jsonl)
        .arg(key.map(|k| k.display().to_string()).unwrap_or("-".into()))
        .output()
        .expect("python runs")
}

#[test]
fn a_keyless_chart_release_verifies_with_kakunin_sigstore_python_and_securesystemslib() {
    let instance = TestSigstore::start();
    let r = release("publish-keyless");
    let tok = chart_token();
    let out = publish_chart(&instance, &r, &["--identity-token", &tok.jwt()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(&tok.identity()), "{}", stdout(&out));
    assert_eq!(
        files(&r.out),
        [
            "gomenhashai-1.3.2.intoto.jsonl",
            "gomenhashai-1.3.2.sigstore"
        ]
    );
    let bundle = r.out.join("gomenhashai-1.3.2.sigstore");
    let jsonl = r.out.join("gomenhashai-1.3.2.intoto.jsonl");

    // The statement: one subject, the .tgz; SLSA provenance v1 of GitHub's build type.
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    assert_eq!(
        b["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let payload = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let digest = kakunin::digest::sha256_file(&r.chart).unwrap();
    assert_eq!(
        st["subject"],
        serde_json::json!([{"name": "gomenhashai-1.3.2.tgz", "digest": {"sha256": digest.hex()}}])
    );
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(
        st["predicate"]["buildDefinition"]["buildType"],
        "https://actions.github.io/buildtypes/workflow/v1"
    );
    assert_eq!(
        st["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"],
        SHA
    );
    // The .intoto.jsonl is the envelope on one line.
    let line = std::fs::read_to_string(&jsonl).unwrap();
    assert_eq!(line.lines().count(), 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&line).unwrap(),
        b["dsseEnvelope"]
    );

    // kakunin
    let v = kakunin()
        .args(["verify-bundle", "--bundle"])
        .arg(&bundle)
        .args([
            "--certificate-identity",
            &tok.identity(),
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .arg(&r.chart)
        .output()
        .unwrap();
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    // sigstore-python, same trusted root
    let py = sigstore_python_verify(&instance, &bundle, &tok.identity(), &r.chart);
    assert!(
        py.status.success(),
        "sigstore-python: {}",
        String::from_utf8_lossy(&py.stderr)
    );
    // securesystemslib DSSE on the .intoto.jsonl
    let ssl = securesystemslib_verify(&bundle, &jsonl, None);
    assert!(
        ssl.status.success(),
        "securesystemslib: {}",
        String::from_utf8_lossy(&ssl.stderr)
    );

    // Each of them rejects a tampered input.
    std::fs::write(&r.chart, b"another chart").unwrap();
    let py = sigstore_python_verify(&instance, &bundle, &tok.identity(), &r.chart);
    assert!(
        !py.status.success(),
        "sigstore-python accepted a changed chart"
    );
    let mut env: serde_json::Value = serde_json::from_str(&line).unwrap();
    let tampered = String::from_utf8(payload)
        .unwrap()
        .replace("gomenhashai-1.3.2.tgz", "gomenhashai-9.9.9.tgz");
    env["payload"] = base64::engine::general_purpose::STANDARD
        .encode(tampered)
        .into();
    std::fs::write(&jsonl, format!("{env}\n")).unwrap();
    let ssl = securesystemslib_verify(&bundle, &jsonl, None);
    assert!(
        !ssl.status.success(),
        "securesystemslib accepted a changed payload"
    );
}

#[test]
fn a_keyless_image_release_names_files_after_the_repository_and_tag() {
    let instance = TestSigstore::start();
    let r = release("publish-image");
    let tok = GithubToken::new(
        "gomenhashai/gomenhashai",
        "docker-release.yaml",
        "refs/tags/v1.3.1",
    );
    let digest = format!("sha256:{}", "ab".repeat(32));
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .env("GITHUB_REPOSITORY", "GomenHashai/GomenHashai")
        .args([
            "publish",
            "image",
            &format!("ghcr.io/gomenhashai/gomenhashai@{digest}"),
            "--tag",
            "v1.3.1",
        ])
        .args([
            "--repository",
            "gomenhashai/gomenhashai",
            "--name",
            "GomenHashai",
            "--ref",
            "refs/tags/v1.3.1",
        ])
        .args([
            "--workflow-ref",
            "gomenhashai/gomenhashai/.github/workflows/docker-release.yaml@refs/tags/v1.3.1",
        ])
        .arg("--out")
        .arg(&r.out)
        .arg("--signing-config")
        .arg(instance.signing_config_rekor2())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &tok.jwt()]);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        files(&r.out),
        [
            "GomenHashai-v1.3.1.intoto.jsonl",
            "GomenHashai-v1.3.1.sigstore"
        ]
    );
    let bundle = r.out.join("GomenHashai-v1.3.1.sigstore");
    let v = kakunin()
        .args(["verify-bundle", "--bundle"])
        .arg(&bundle)
        .args([
            "--certificate-identity",
            &tok.identity(),
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .arg(&digest)
        .output()
        .unwrap();
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    let v = kakunin()
        .args(["verify-bundle", "--bundle"])
        .arg(&bundle)
        .args([
            "--certificate-identity",
            &tok.identity(),
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .arg(format!("sha256:{}", "cd".repeat(32)))
        .output()
        .unwrap();
    assert_eq!(
        code(&v),
        1,
        "another digest must not verify: {}",
        stdout(&v)
    );
    drop(r.dir);
}

#[test]
fn keyed_releases_verify_with_their_public_key_and_not_another() {
    let instance = TestSigstore::start();
    let r = release("publish-keyed");
    let keys = r.dir.path();
    let genkey = |name: &str, args: &[&str]| {
        let path = keys.join(name);
        let st = Command::new("openssl")
            .arg("genpkey")
            .args(args)
            .arg("-out")
            .arg(&path)
            .status()
            .expect("openssl runs");
        assert!(st.success());
        path
    };
    let ec = genkey(
        "ec.pem",
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    let ed = genkey("ed.pem", &["-algorithm", "ed25519"]);
    let mut pubs = Vec::new();
    for (key, name) in [(&ec, "ec"), (&ed, "ed")] {
        let out_dir = r.out.join(name);
        std::fs::create_dir(&out_dir).unwrap();
        let public = keys.join(format!("{name}.pub"));
        let mut cmd = kakunin();
        chart_env(&mut cmd)
            .args(["publish", "chart"])
            .arg(&r.chart)
            .arg("--out")
            .arg(&out_dir)
            .arg("--key")
            .arg(key)
            .arg("--public-key-out")
            .arg(&public)
            .arg("--signing-config")
            .arg(instance.signing_config())
            .arg("--trusted-root")
            .arg(instance.trusted_root());
        let out = cmd.output().unwrap();
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let bundle = out_dir.join("gomenhashai-1.3.2.sigstore");
        let b: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
        assert!(
            b["verificationMaterial"]["publicKey"]["hint"].is_string(),
            "{name}"
        );
        assert_eq!(
            b["verificationMaterial"]["tlogEntries"][0]["kindVersion"]["kind"],
            "dsse"
        );
        let ssl = securesystemslib_verify(
            &bundle,
            &out_dir.join("gomenhashai-1.3.2.intoto.jsonl"),
            Some(&public),
        );
        assert!(
            ssl.status.success(),
            "{name}: securesystemslib: {}",
            String::from_utf8_lossy(&ssl.stderr)
        );
        pubs.push((bundle, public));
    }
    for (i, (bundle, _)) in pubs.iter().enumerate() {
        for (j, (_, public)) in pubs.iter().enumerate() {
            let v = kakunin()
                .args(["verify-bundle", "--bundle"])
                .arg(bundle)
                .arg("--key")
                .arg(public)
                .arg("--trusted-root")
                .arg(instance.trusted_root())
                .arg(&r.chart)
                .output()
                .unwrap();
            assert_eq!(
                code(&v),
                if i == j { 0 } else { 1 },
                "bundle {i} key {j}: {}{}",
                stdout(&v),
                stderr(&v)
            );
        }
    }
}

fn assert_nothing_published(r: &Release, out: &Output, exit: i32, reason: &str) {
    assert_eq!(code(out), exit, "{}", stderr(out));
    assert!(
        stderr(out).contains(reason),
        "expected {reason:?} in: {}",
        stderr(out)
    );
    assert!(
        stderr(out).contains("nothing was written"),
        "{}",
        stderr(out)
    );
    assert!(files(&r.out).is_empty(), "left behind: {:?}", files(&r.out));
}

#[test]
fn a_half_failed_publish_leaves_nothing_and_says_why() {
    let instance = TestSigstore::start();
    let r = release("publish-fail");
    // The log refuses.
    instance.fail("rekor", Some(503));
    let out = publish_chart(&instance, &r, &["--identity-token", &chart_token().jwt()]);
    assert_nothing_published(&r, &out, 3, "Rekor (transparency log)");
    instance.fail("rekor", None);
    // The log is unreachable: nothing listens at the signing config's Rekor URL.
    let config: String = std::fs::read_to_string(instance.signing_config()).unwrap();
    let dead = r.dir.path().join("dead-rekor.json");
    let mut v: serde_json::Value = serde_json::from_str(&config).unwrap();
    v["rekorTlogUrls"][0]["url"] = "http://127.0.0.1:9".into();
    std::fs::write(&dead, v.to_string()).unwrap();
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .args(["publish", "chart"])
        .arg(&r.chart)
        .arg("--out")
        .arg(&r.out)
        .arg("--signing-config")
        .arg(&dead)
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &chart_token().jwt()]);
    assert_nothing_published(&r, &cmd.output().unwrap(), 3, "http://127.0.0.1:9");
    // A signing config is data: a log on a plain-HTTP host that is not loopback is refused
    // before anything is sent (the token never leaves the machine).
    v["rekorTlogUrls"][0]["url"] = "http://rekor.invalid".into();
    std::fs::write(&dead, v.to_string()).unwrap();
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .args(["publish", "chart"])
        .arg(&r.chart)
        .arg("--out")
        .arg(&r.out)
        .arg("--signing-config")
        .arg(&dead)
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &chart_token().jwt()]);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("refusing plain HTTP to rekor.invalid"),
        "{}",
        stderr(&out)
    );
    assert!(files(&r.out).is_empty(), "left behind: {:?}", files(&r.out));
    // The token has expired.
    let mut tok = chart_token();
    tok.expires_in = -1;
    let out = publish_chart(&instance, &r, &["--identity-token", &tok.jwt()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
    assert!(files(&r.out).is_empty());
    // What was produced does not verify (the CA's certificate is not valid yet in 2019).
    instance.set_time(Some("2019-06-01T00:00:00Z"));
    let mut tok = chart_token();
    tok.valid_from = -10 * 365 * 86400;
    let out = publish_chart(&instance, &r, &["--identity-token", &tok.jwt()]);
    assert_nothing_published(&r, &out, 1, "does not verify");
    instance.set_time(None);
}

#[test]
fn a_full_disk_leaves_nothing_that_looks_complete() {
    // RLIMIT_FSIZE stands in for a full disk (root ignores permissions): writes past 4 KiB
    // fail with EFBIG. SIGXFSZ is ignored so the write fails instead of killing the process.
    let instance = TestSigstore::start();
    let r = release("publish-full");
    let mut cmd = Command::new("sh");
    chart_env(&mut cmd)
        .arg("-c")
        .arg("ulimit -f 8; trap '' XFSZ; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_kakunin"))
        .args(["publish", "chart"])
        .arg(&r.chart)
        .arg("--out")
        .arg(&r.out)
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &chart_token().jwt()]);
    let out = cmd.output().unwrap();
    assert_nothing_published(&r, &out, 3, "cannot write");
}

#[test]
fn a_missing_out_dir_is_created_and_a_file_there_is_refused() {
    let instance = TestSigstore::start();
    let r = release("publish-mkdir");
    let nested = Release {
        out: r.dir.path().join("new/dist"),
        chart: r.chart.clone(),
        dir: TempDir::new("publish-mkdir-unused"),
    };
    // A publish that fails leaves no directory it created behind.
    instance.fail("fulcio", Some(503));
    let out = publish_chart(
        &instance,
        &nested,
        &["--identity-token", &chart_token().jwt()],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        !r.dir.path().join("new").exists(),
        "a failed publish left the directory it created"
    );
    instance.fail("fulcio", None);
    // One that succeeds creates it, parents included.
    let out = publish_chart(
        &instance,
        &nested,
        &["--identity-token", &chart_token().jwt()],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        files(&nested.out),
        [
            "gomenhashai-1.3.2.intoto.jsonl",
            "gomenhashai-1.3.2.sigstore"
        ]
    );
    // A file where the directory should be: a usage error, the file untouched.
    let file = Release {
        out: r.dir.path().join("dist/a-file"),
        chart: r.chart.clone(),
        dir: TempDir::new("publish-mkdir-unused2"),
    };
    std::fs::write(&file.out, "keep me").unwrap();
    let out = publish_chart(
        &instance,
        &file,
        &["--identity-token", &chart_token().jwt()],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected a directory, found a file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file.out).unwrap(), "keep me");
}

#[test]
fn existing_release_files_are_never_replaced() {
    let instance = TestSigstore::start();
    let r = release("publish-exists");
    std::fs::write(r.out.join("gomenhashai-1.3.2.intoto.jsonl"), "old").unwrap();
    // Refused before any service is asked: a failing Fulcio is never reached.
    instance.fail("fulcio", Some(503));
    let out = publish_chart(&instance, &r, &["--identity-token", &chart_token().jwt()]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(files(&r.out), ["gomenhashai-1.3.2.intoto.jsonl"]);
    assert_eq!(
        std::fs::read_to_string(r.out.join("gomenhashai-1.3.2.intoto.jsonl")).unwrap(),
        "old"
    );
}

#[test]
fn push_attestation_attaches_the_bundle_as_a_referrer_in_the_registry() {
    use crate::support::block_on;
    use kakunin::fetch::{FetchOptions, Fetcher};
    use kakunin::registry::{ReferrersVia, RegistryClient, Repo};

    let Some(reg) = crate::support::registry::Registry::start("publish_push_attestation") else {
        return;
    };
    let instance = TestSigstore::start();
    let r = release("publish-push");
    let name = "gomenhashai/gomenhashai";
    let image = reg.push_image(name, "v1.3.1", "release-1.3.1");
    let tok = GithubToken::new(name, "docker-release.yaml", "refs/tags/v1.3.1");
    let publish = |out: &Path| {
        let mut cmd = kakunin();
        chart_env(&mut cmd)
            .args(["publish", "image"])
            .arg(format!("{}/{name}@{}", reg.host(), image.digest))
            .args([
                "--tag",
                "v1.3.1",
                "--name",
                "GomenHashai",
                "--push-attestation",
                "--plain-http",
            ])
            .args(["--ref", "refs/tags/v1.3.1", "--workflow-ref"])
            .arg(format!(
                "{name}/.github/workflows/docker-release.yaml@refs/tags/v1.3.1"
            ))
            .arg("--out")
            .arg(out)
            .arg("--signing-config")
            .arg(instance.signing_config())
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(["--identity-token", &tok.jwt()])
            .output()
            .unwrap()
    };
    let out = publish(&r.out);
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), reg.log());
    assert!(
        stdout(&out).contains("referrers index in tag sha256-"),
        "{}",
        stdout(&out)
    );

    // kakunin's registry client finds it through the fallback tag, byte for byte.
    let cache = TempDir::new("publish-push-cache");
    let fetcher = Fetcher::new(FetchOptions {
        http: crate::fetch::test_http(),
        cache_dir: Some(cache.path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap();
    let mut mirrors = std::collections::BTreeMap::new();
    mirrors.insert(reg.host(), reg.base());
    let client = RegistryClient::new(fetcher, mirrors).with_credentials(Default::default());
    let repo = Repo {
        registry: reg.host(),
        repository: name.into(),
    };
    let subject: kakunin::digest::Digest = image.digest.parse().unwrap();
    let (refs, bundles) = block_on(client.attached_bundles(&repo, &subject)).unwrap();
    assert_eq!(refs.via, ReferrersVia::FallbackTag);
    // The signature (cosign sign/v1) and the provenance, which is the file written.
    assert_eq!(bundles.len(), 2);
    let written = std::fs::read(r.out.join("GomenHashai-v1.3.1.sigstore")).unwrap();
    assert!(bundles.iter().any(|b| b.bundle.bytes == written));

    // A second release of the same image adds to the index rather than replacing it.
    let again = r.dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    let out = publish(&again);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (_, bundles) = block_on(client.attached_bundles(&repo, &subject)).unwrap();
    assert_eq!(bundles.len(), 4);

    // An image the registry does not have: nothing is written.
    let missing = r.dir.path().join("missing-image");
    std::fs::create_dir(&missing).unwrap();
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .args(["publish", "image"])
        .arg(format!("{}/{name}@sha256:{}", reg.host(), "0".repeat(64)))
        .args(["--tag", "v9.9.9", "--push-attestation", "--plain-http"])
        .arg("--out")
        .arg(&missing)
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &tok.jwt()]);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("found none (404)"),
        "{}",
        stderr(&out)
    );
    assert!(files(&missing).is_empty());
}

/// A minimal chart package: `<name>/Chart.yaml` and `<name>/values.yaml`.
pub(crate) fn chart_tgz(name: &str, version: &str) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in [
        (
            format!("{name}/Chart.yaml"),
            format!("apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: v1.3.1\n"),
        ),
        (
            format!("{name}/values.yaml"),
            "image:\n  tag: v1.3.1\n".to_string(),
        ),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, path, data.as_bytes()).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn prov_key_writes_a_helm_prov_that_gpg_and_kakunin_verify() {
    use pgp::composed::{KeyType, SecretKeyParamsBuilder};
    use rand::SeedableRng;
    let instance = TestSigstore::start();
    let r = release("publish-prov");
    std::fs::write(&r.chart, chart_tgz("gomenhashai", "1.3.2")).unwrap();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(11);
    let key = SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id("GomenHashai release <release@kakunin.invalid>".into())
        .build()
        .unwrap()
        .generate(&mut rng)
        .unwrap();
    let secret = r.dir.path().join("release.asc");
    std::fs::write(&secret, key.to_armored_string(Default::default()).unwrap()).unwrap();
    let public = key.to_public_key();
    let keyring = r.dir.path().join("release.pub.asc");
    std::fs::write(
        &keyring,
        public.to_armored_bytes(Default::default()).unwrap(),
    )
    .unwrap();

    let out = publish_chart(
        &instance,
        &r,
        &[
            "--identity-token",
            &chart_token().jwt(),
            "--prov-key",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        files(&r.out),
        [
            "gomenhashai-1.3.2.intoto.jsonl",
            "gomenhashai-1.3.2.sigstore",
            "gomenhashai-1.3.2.tgz.prov"
        ]
    );
    let prov = std::fs::read(r.out.join("gomenhashai-1.3.2.tgz.prov")).unwrap();
    let text = String::from_utf8(prov.clone()).unwrap();
    let digest = kakunin::digest::sha256_file(&r.chart).unwrap();
    assert!(
        text.contains(&format!("files:\n  gomenhashai-1.3.2.tgz: {digest}\n")),
        "{text}"
    );
    let tgz = std::fs::read(&r.chart).unwrap();
    let ring = kakunin::chart::prov::parse_keyring(&std::fs::read(&keyring).unwrap()).unwrap();
    kakunin::chart::prov::verify(&prov, &ring, &tgz, "gomenhashai-1.3.2.tgz").unwrap();

    // GnuPG, independently.
    let home = TempDir::new("publish-prov-gnupg");
    let gpg = |args: &[&str]| {
        Command::new("gpg")
            .arg("--homedir")
            .arg(home.path())
            .args(["--batch", "--no-tty"])
            .args(args)
            .output()
            .expect("gpg runs")
    };
    let imported = gpg(&["--import", keyring.to_str().unwrap()]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let prov_path = r.out.join("gomenhashai-1.3.2.tgz.prov");
    let v = gpg(&["--verify", prov_path.to_str().unwrap()]);
    assert!(
        v.status.success(),
        "gpg: {}",
        String::from_utf8_lossy(&v.stderr)
    );
    let tampered = r.dir.path().join("tampered.prov");
    std::fs::write(&tampered, text.replace("version: 1.3.2", "version: 1.3.3")).unwrap();
    let v = gpg(&["--verify", tampered.to_str().unwrap()]);
    assert!(!v.status.success(), "gpg accepted a changed .prov");

    // --prov-key with a key that is not an OpenPGP secret key: nothing is written.
    let other = release("publish-prov-bad");
    std::fs::write(&other.chart, chart_tgz("gomenhashai", "1.3.2")).unwrap();
    let out = publish_chart(
        &instance,
        &other,
        &[
            "--identity-token",
            &chart_token().jwt(),
            "--prov-key",
            keyring.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--prov-key"), "{}", stderr(&out));
    assert!(files(&other.out).is_empty());
}

#[test]
fn the_identity_token_comes_from_sigstore_id_token_or_github_actions_oidc() {
    use crate::support::http::{Reply, Server};
    let instance = TestSigstore::start();
    let base = |r: &Release, cmd: &mut Command| {
        chart_env(cmd)
            .args(["publish", "chart"])
            .arg(&r.chart)
            .arg("--out")
            .arg(&r.out)
            .arg("--signing-config")
            .arg(instance.signing_config())
            .arg("--trusted-root")
            .arg(instance.trusted_root());
    };

    // SIGSTORE_ID_TOKEN
    let r = release("publish-env-token");
    let mut cmd = kakunin();
    base(&r, &mut cmd);
    cmd.env("SIGSTORE_ID_TOKEN", chart_token().jwt());
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    // GitHub Actions' OIDC provider, asked for audience sigstore with the request token.
    let oidc = Server::start();
    let body = serde_json::json!({ "value": chart_token().jwt() }).to_string();
    oidc.route("/token", Reply::Ok(body.into_bytes(), "application/json"));
    let r = release("publish-ambient-token");
    let mut cmd = kakunin();
    base(&r, &mut cmd);
    cmd.env("GITHUB_ACTIONS", "true")
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", oidc.url("/token"))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-token-42");
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&chart_token().identity()),
        "{}",
        stdout(&out)
    );
    let seen = oidc.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0]
            .headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("authorization") && v == "Bearer request-token-42"),
        "{seen:?}"
    );

    // None of them: a usage error that says where a token could come from.
    let r = release("publish-no-token");
    let mut cmd = kakunin();
    base(&r, &mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("SIGSTORE_ID_TOKEN"),
        "{}",
        stderr(&out)
    );
    assert!(files(&r.out).is_empty());
}

/// A command with none of the CI variables publish reads (a laptop, not GitHub Actions).
pub(crate) fn no_ci(cmd: &mut Command) -> &mut Command {
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k.starts_with("CI_") || k.starts_with("ACTIONS_") {
            cmd.env_remove(k);
        }
    }
    for v in ["GITLAB_CI", "RUNNER_ENVIRONMENT", "SIGSTORE_ID_TOKEN"] {
        cmd.env_remove(v);
    }
    cmd
}

pub(crate) fn p256_key(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    let st = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&path)
        .status()
        .expect("openssl runs");
    assert!(st.success());
    path
}

#[test]
fn every_missing_provenance_field_is_named_in_one_error_before_anything_is_signed() {
    let r = release("publish-missing-fields");
    let key = p256_key(r.dir.path(), "k.pem");
    let out_dir = r.dir.path().join("not-yet");
    let out = no_ci(&mut kakunin())
        .args(["publish", "chart"])
        .arg(&r.chart)
        .arg("--out")
        .arg(&out_dir)
        .arg("--key")
        .arg(&key)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("5 provenance fields are missing or malformed"),
        "{err}"
    );
    for flag in [
        "--repository",
        "--workflow-ref",
        "--ref",
        "--sha",
        "--run-id",
    ] {
        assert!(
            err.contains(&format!("expected {flag} or $")),
            "{flag}: {err}"
        );
    }
    assert!(
        err.contains("--builder-id URI and --source URI@COMMIT"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        !out_dir.exists(),
        "--out was created for a publish that failed"
    );
}

/// A keyed publish on a laptop: minimal provenance, no log entry, a timestamp from the test
/// instance's TSA. Verifiers refuse it unless they opt out of the log, and then say so.
#[test]
fn an_offline_keyed_publish_needs_the_verifier_to_opt_out_of_the_log_and_says_so() {
    let instance = TestSigstore::start();
    let r = release("publish-offline");
    let key = p256_key(r.dir.path(), "k.pem");
    let public = r.dir.path().join("k.pub");
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(instance.signing_config()).unwrap()).unwrap();
    let tsa = config["tsaUrls"][0]["url"].as_str().unwrap().to_string();
    let source = format!("https://example.com/o/r@{SHA}");
    let publish = |out: &Path, extra: &[&str]| {
        no_ci(&mut kakunin())
            .args(["publish", "chart"])
            .arg(&r.chart)
            .arg("--out")
            .arg(out)
            .arg("--key")
            .arg(&key)
            .arg("--public-key-out")
            .arg(&public)
            .args([
                "--builder-id",
                "mailto:release@example.com",
                "--source",
                &source,
            ])
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(extra)
            .output()
            .unwrap()
    };
    // --tlog-upload=false without a timestamp: refused, nothing written.
    let out = publish(&r.out, &["--tlog-upload=false"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--timestamp-server"),
        "{}",
        stderr(&out)
    );
    assert!(files(&r.out).is_empty());
    // With the log refusing everything, an offline publish does not need it.
    instance.fail("rekor", Some(503));
    let out = publish(&r.out, &["--tlog-upload=false", "--timestamp-server", &tsa]);
    instance.fail("rekor", None);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("NO transparency-log entry (--tlog-upload=false)"),
        "{}",
        stdout(&out)
    );
    let bundle = r.out.join("gomenhashai-1.3.2.sigstore");
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    assert_eq!(
        b["verificationMaterial"]["tlogEntries"],
        serde_json::json!([])
    );
    assert_eq!(
        b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let payload = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(
        st["predicate"]["buildDefinition"]["buildType"],
        kakunin::publish::statement::MINIMAL_BUILD_TYPE
    );
    assert_eq!(
        st["predicate"]["runDetails"]["builder"]["id"],
        "mailto:release@example.com"
    );

    let verify_bundle = |extra: &[&str], artifact: &Path| {
        kakunin()
            .args(["verify-bundle", "--output", "json", "--bundle"])
            .arg(&bundle)
            .arg("--key")
            .arg(&public)
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(extra)
            .arg(artifact)
            .output()
            .unwrap()
    };
    // Without the opt-out: refused, with the reason.
    let v = verify_bundle(&[], &r.chart);
    assert_eq!(code(&v), 1, "{}{}", stdout(&v), stderr(&v));
    assert!(
        stdout(&v).contains("expected a transparency-log entry"),
        "{}",
        stdout(&v)
    );
    assert!(
        stdout(&v).contains("--insecure-ignore-tlog"),
        "{}",
        stdout(&v)
    );
    // With it: verified, and the signature check says no log entry was checked.
    let v = verify_bundle(&["--insecure-ignore-tlog"], &r.chart);
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    let report: serde_json::Value = serde_json::from_str(&stdout(&v)).unwrap();
    let sig = &report["reports"][0]["checks"][0];
    assert!(
        sig["found"]
            .as_str()
            .unwrap()
            .contains("NO transparency-log entry: none was checked (--insecure-ignore-tlog)"),
        "{sig}"
    );
    assert!(
        stderr(&v).contains("WARNING: --insecure-ignore-tlog"),
        "{}",
        stderr(&v)
    );
    // The opt-out waives the log, nothing else: another artifact still fails.
    let other = r.dir.path().join("other.tgz");
    std::fs::write(&other, b"another chart").unwrap();
    let v = verify_bundle(&["--insecure-ignore-tlog"], &other);
    assert_eq!(code(&v), 1, "{}", stdout(&v));

    // verify-attestation: the minimal provenance is reported as weaker, with what is absent;
    // it is compared with what the user asks, and what it cannot say fails.
    let attest = |extra: &[&str]| {
        let out = kakunin()
            .args(["verify-attestation", "--output", "json", "--bundle"])
            .arg(&bundle)
            .arg("--key")
            .arg(&public)
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(extra)
            .arg(&r.chart)
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_str(&stdout(&out)).unwrap_or(serde_json::Value::Null);
        (code(&out), report, stdout(&out))
    };
    let (c, _, text) = attest(&[]);
    assert_eq!(c, 1, "without --insecure-ignore-tlog: {text}");
    let (c, report, text) = attest(&[
        "--insecure-ignore-tlog",
        "--repository",
        "https://example.com/o/r",
        "--source-digest",
        SHA,
        "--builder-id",
        "mailto:release@example.com",
    ]);
    assert_eq!(c, 0, "{text}");
    let prov = report["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "attestation.provenance")
        .cloned()
        .unwrap();
    assert!(prov["title"].as_str().unwrap().contains("WEAKER"), "{prov}");
    assert!(
        prov["found"]
            .as_str()
            .unwrap()
            .contains("absent: workflow, ref, run invocation, runner environment"),
        "{prov}"
    );
    let (c, _, text) = attest(&[
        "--insecure-ignore-tlog",
        "--repository",
        "https://example.com/o/other",
    ]);
    assert_eq!(c, 1, "another repository: {text}");
    let (c, _, text) = attest(&["--insecure-ignore-tlog", "--source-ref", "refs/heads/main"]);
    assert_eq!(c, 1, "a ref the minimal provenance does not state: {text}");

    // securesystemslib's DSSE on the .intoto.jsonl, with the public key.
    let ssl = securesystemslib_verify(
        &bundle,
        &r.out.join("gomenhashai-1.3.2.intoto.jsonl"),
        Some(&public),
    );
    assert!(
        ssl.status.success(),
        "securesystemslib: {}",
        String::from_utf8_lossy(&ssl.stderr)
    );
}

#[test]
fn a_minimal_provenance_is_refused_in_ci() {
    let r = release("publish-minimal-in-ci");
    let key = p256_key(r.dir.path(), "k.pem");
    let out = no_ci(&mut kakunin())
        .env("GITHUB_ACTIONS", "true")
        .args(["publish", "chart"])
        .arg(&r.chart)
        .arg("--out")
        .arg(&r.out)
        .arg("--key")
        .arg(&key)
        .args(["--builder-id", "mailto:a@example.com", "--source"])
        .arg(format!("https://example.com/o/r@{SHA}"))
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("a build outside CI"),
        "{}",
        stderr(&out)
    );
    assert!(files(&r.out).is_empty());
}

const GITLAB: &str = "https://gitlab.com";
const GITLAB_IDENTITY: &str = "https://gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main";

/// A GitLab CI `id_tokens` token (aud sigstore) for group/project's pipeline on main, with the
/// claims Fulcio maps into its extensions (unsigned: the test instance does not check it).
fn gitlab_token() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let claims = serde_json::json!({
        "iss": GITLAB, "aud": "sigstore",
        "sub": "project_path:group/project:ref_type:branch:ref:main",
        "iat": now - 10, "nbf": now - 10, "exp": now + 600,
        "namespace_id": "100", "namespace_path": "group",
        "project_id": "200", "project_path": "group/project", "project_visibility": "public",
        "pipeline_id": "300", "pipeline_source": "push", "job_id": "400",
        "ref": "main", "ref_type": "branch", "ref_protected": "true",
        "sha": SHA,
        "ci_config_ref_uri": "gitlab.com/group/project//.gitlab-ci.yml@refs/heads/main",
        "ci_config_sha": SHA,
        "runner_id": 33, "runner_environment": "gitlab-hosted",
    });
    let b64 = |v: &serde_json::Value| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.unsigned",
        b64(&serde_json::json!({"alg": "RS256", "typ": "JWT"})),
        b64(&claims)
    )
}

/// GitLab CI's predefined variables for that pipeline's `release` job.
fn gitlab_env(cmd: &mut Command) -> &mut Command {
    no_ci(cmd)
        .env("GITLAB_CI", "true")
        .env("CI_SERVER_URL", GITLAB)
        .env("CI_PROJECT_URL", "https://gitlab.com/group/project")
        .env("CI_PROJECT_PATH", "group/project")
        .env("CI_COMMIT_SHA", SHA)
        .env("CI_COMMIT_BRANCH", "main")
        .env("CI_COMMIT_REF_NAME", "main")
        .env("CI_CONFIG_PATH", ".gitlab-ci.yml")
        .env("CI_JOB_ID", "400")
        .env("CI_JOB_NAME", "release")
        .env("CI_PIPELINE_ID", "300")
        .env("CI_PIPELINE_SOURCE", "push")
        .env("CI_RUNNER_ID", "33")
        .env("CI_JOB_TOKEN", "must-not-be-recorded")
}

#[test]
fn a_gitlab_ci_release_is_signed_for_its_pipeline_and_verified_against_its_claims() {
    let instance = TestSigstore::start();
    let r = release("publish-gitlab");
    let out = gitlab_env(&mut kakunin())
        .env("SIGSTORE_ID_TOKEN", gitlab_token())
        .args(["publish", "chart"])
        .arg(&r.chart)
        .arg("--out")
        .arg(&r.out)
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains(GITLAB_IDENTITY), "{}", stdout(&out));
    let bundle = r.out.join("gomenhashai-1.3.2.sigstore");
    let b: serde_json::Value = serde_json::from_slice(&std::fs::read(&bundle).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let st: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    let def = &st["predicate"]["buildDefinition"];
    assert_eq!(
        def["buildType"],
        "https://docs.gitlab.com/ci/pipeline_security/slsa/provenance_v1"
    );
    assert_eq!(
        def["externalParameters"]["source"],
        "https://gitlab.com/group/project"
    );
    assert!(
        !String::from_utf8_lossy(&payload).contains("must-not-be-recorded"),
        "the job token was recorded"
    );

    // verify-bundle: the GitLab identity, issuer and Fulcio claims.
    let verify_bundle = |extra: &[&str]| {
        kakunin()
            .args(["verify-bundle", "--bundle"])
            .arg(&bundle)
            .args(["--certificate-identity", GITLAB_IDENTITY])
            .args(["--certificate-oidc-issuer", GITLAB])
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(extra)
            .arg(&r.chart)
            .output()
            .unwrap()
    };
    let claims = [
        "--repository",
        "https://gitlab.com/group/project",
        "--source-ref",
        "refs/heads/main",
        "--workflow",
        ".gitlab-ci.yml",
        "--source-digest",
        SHA,
    ];
    let v = verify_bundle(&claims);
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    let v = verify_bundle(&["--source-ref", "refs/tags/v9.9.9"]);
    assert_eq!(code(&v), 1, "another ref: {}", stdout(&v));
    assert!(stdout(&v).contains("refs/heads/main"), "{}", stdout(&v));
    let v = verify_bundle(&["--workflow", "other.yml"]);
    assert_eq!(code(&v), 1, "another pipeline file: {}", stdout(&v));

    // verify-attestation: the provenance is bound to the certificate's GitLab claims.
    let attest = |extra: &[&str]| {
        let out = kakunin()
            .args(["verify-attestation", "--output", "json", "--bundle"])
            .arg(&bundle)
            .arg("--envelope")
            .arg(r.out.join("gomenhashai-1.3.2.intoto.jsonl"))
            .args(["--certificate-identity", GITLAB_IDENTITY])
            .args(["--certificate-oidc-issuer", GITLAB])
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(extra)
            .arg(&r.chart)
            .output()
            .unwrap();
        let report: serde_json::Value =
            serde_json::from_str(&stdout(&out)).unwrap_or(serde_json::Value::Null);
        (code(&out), report, stdout(&out))
    };
    let (c, report, text) = attest(&claims);
    assert_eq!(c, 0, "{text}");
    let checks = report["reports"][0]["checks"].as_array().unwrap().clone();
    for id in [
        "attestation.workflow-repository",
        "attestation.workflow-ref",
        "attestation.workflow-path",
        "attestation.source-commit",
        "attestation.builder-id",
        "attestation.runner-environment",
    ] {
        assert!(
            checks
                .iter()
                .any(|c| c["id"] == id && c["outcome"] == "pass"),
            "{id} did not pass: {text}"
        );
    }
    let (c, _, text) = attest(&["--source-ref", "refs/heads/other"]);
    assert_eq!(c, 1, "{text}");

    // sigstore-python, same trusted root, GitLab's issuer.
    let py = Command::new(venv_bin("sigstore"))
        .arg("--trust-config")
        .arg(instance.trust_config())
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(&bundle)
        .args([
            "--cert-identity",
            GITLAB_IDENTITY,
            "--cert-oidc-issuer",
            GITLAB,
        ])
        .arg(&r.chart)
        .output()
        .unwrap();
    assert!(
        py.status.success(),
        "sigstore-python: {}",
        String::from_utf8_lossy(&py.stderr)
    );
    let py = Command::new(venv_bin("sigstore"))
        .arg("--trust-config")
        .arg(instance.trust_config())
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(&bundle)
        .args([
            "--cert-identity",
            GITLAB_IDENTITY,
            "--cert-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg(&r.chart)
        .output()
        .unwrap();
    assert!(
        !py.status.success(),
        "sigstore-python accepted another issuer"
    );

    // In GitLab CI with a variable missing: all of them named at once.
    let other = release("publish-gitlab-missing");
    let out = gitlab_env(&mut kakunin())
        .env_remove("CI_COMMIT_SHA")
        .env_remove("CI_RUNNER_ID")
        .env("SIGSTORE_ID_TOKEN", gitlab_token())
        .args(["publish", "chart"])
        .arg(&other.chart)
        .arg("--out")
        .arg(&other.out)
        .output()
        .unwrap();
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 provenance fields"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("$CI_COMMIT_SHA (set in GitLab CI)"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("$CI_RUNNER_ID"), "{}", stderr(&out));
    assert!(files(&other.out).is_empty());
}

/// The chart's OCI artifact is byte for byte what `helm push` wrote in Helm's registry test
/// (signtest-0.1.0 with its .prov, creation time pinned): same config, same manifest digest.
#[test]
fn the_chart_oci_artifact_is_what_helm_push_writes() {
    use kakunin::publish::helm_oci;
    let Some(fx) =
        crate::common::shared_fixtures("the_chart_oci_artifact_is_what_helm_push_writes")
    else {
        return;
    };
    let blobs = fx.join("helm/pkg/registry/registry_test.go.extracted/signtest-0.1.0/blobs/sha256");
    let blob = |hex: &str| std::fs::read(blobs.join(hex)).unwrap();
    let tgz = blob("e5ef611620fb97704d8751c16bab17fedb68883bfb0edc76f78a70e9173f9b55");
    let prov = blob("b0a02b7412f78ae93324d48df8fcc316d8482e5ad7827b5b238657a29a22f256");
    let a = helm_oci::chart_artifact(&tgz, Some(&prov), "1977-09-02T22:04:05Z").unwrap();
    assert_eq!(
        String::from_utf8_lossy(&a.config),
        String::from_utf8_lossy(&blob(
            "8d17cb6bf6ccd8c29aace9a658495cbd5e2e87fc267876e86117c7db681c9580"
        ))
    );
    assert_eq!(
        String::from_utf8_lossy(&a.manifest),
        String::from_utf8_lossy(&blob(
            "fbbade96da6050f68f94f122881e3b80051a18f13ab5f4081868dd494538f5c2"
        ))
    );
    assert_eq!(
        a.manifest_digest.to_string(),
        "sha256:fbbade96da6050f68f94f122881e3b80051a18f13ab5f4081868dd494538f5c2"
    );
    assert_eq!((a.name.as_str(), a.version.as_str()), ("signtest", "0.1.0"));
    // Another chart package as the layer: another manifest.
    let other = fx.join("helm/pkg/provenance/testdata/hashtest-1.2.3.tgz");
    let b = helm_oci::chart_artifact(
        &std::fs::read(other).unwrap(),
        Some(&prov),
        "1977-09-02T22:04:05Z",
    )
    .unwrap();
    assert_ne!(b.manifest_digest, a.manifest_digest);
}
