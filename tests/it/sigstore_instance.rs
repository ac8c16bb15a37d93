//! The test Sigstore instance (tests/sigstore-instance, docs/test-sigstore.md) as a test
//! fixture: started on 127.0.0.1 with a free port for one test, stopped when dropped.
//!
//! It serves Fulcio, Rekor v1/v2 and a TSA from npm `@sigstore/mock` with the fixed keys of
//! `fixtures/test-sigstore/`, so every bundle it helps sign verifies against
//! `fixtures/test-sigstore/trusted_root.json`. `scripts/setup-test-env` installs its npm
//! dependencies; without them the test fails and says so.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine;

use crate::common::{TempDir, repo};

/// GitHub Actions' OIDC issuer: what Fulcio writes into certificates for workflow tokens.
pub const GITHUB_ISSUER: &str = "https://token.actions.githubusercontent.com";

/// A running instance. Its documents (trusted root, signing configs, sigstore-python's trust
/// config) are written into its own temporary directory.
pub struct TestSigstore {
    child: Child,
    url: String,
    dir: TempDir,
}

impl TestSigstore {
    /// Starts an instance on the real clock.
    pub fn start() -> TestSigstore {
        Self::start_at(None)
    }

    /// Starts an instance whose clock is fixed at `time` (RFC 3339), or the real clock.
    pub fn start_at(time: Option<&str>) -> TestSigstore {
        let root = repo().join("tests/sigstore-instance");
        assert!(
            root.join("node_modules/@sigstore/mock").is_dir(),
            "the test Sigstore instance is not installed: run scripts/setup-test-env \
             (it runs `npm ci` in tests/sigstore-instance)"
        );
        let dir = TempDir::new("sigstore");
        let mut cmd = Command::new("node");
        cmd.arg(root.join("server.js"))
            .args(["--port", "0", "--watch-stdin", "--out"])
            .arg(dir.path());
        if let Some(t) = time {
            cmd.args(["--time", t]);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs (scripts/setup-test-env installs it)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout piped"))
            .read_line(&mut line)
            .expect("read the instance's first line");
        let ready: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("test Sigstore instance did not start ({e}): {line:?}"));
        let url = ready["url"].as_str().expect("url").to_string();
        TestSigstore { child, url, dir }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The instance's trusted_root.json (the same as fixtures/test-sigstore/trusted_root.json).
    pub fn trusted_root(&self) -> PathBuf {
        self.dir.path().join("trusted_root.json")
    }

    /// Signing config: Fulcio, Rekor v1, TSA.
    pub fn signing_config(&self) -> PathBuf {
        self.dir.path().join("signing_config.json")
    }

    /// Signing config: Fulcio, Rekor v2, TSA.
    pub fn signing_config_rekor2(&self) -> PathBuf {
        self.dir.path().join("signing_config.rekor2.json")
    }

    /// sigstore-python's `--trust-config` (ClientTrustConfig: trusted root + signing config).
    pub fn trust_config(&self) -> PathBuf {
        self.dir.path().join("trust_config.json")
    }

    /// Fixes the instance's clock at `time` (RFC 3339), or returns it to the real clock.
    pub fn set_time(&self, time: Option<&str>) {
        let body = serde_json::json!({ "time": time });
        self.control(&body);
    }

    /// Makes `service` ("fulcio", "rekor", "tsa") answer every request with `status`, or
    /// serve normally again with `None`.
    pub fn fail(&self, service: &str, status: Option<u16>) {
        let body = serde_json::json!({ "fail": { service: status } });
        self.control(&body);
    }

    fn control(&self, body: &serde_json::Value) {
        let addr = self.url.trim_start_matches("http://");
        let body = body.to_string();
        let mut s = TcpStream::connect(addr).expect("connect to the test instance");
        write!(
            s,
            "POST /__control HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        s.read_to_string(&mut reply).unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "control failed: {reply}");
    }
}

impl Drop for TestSigstore {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A GitHub Actions OIDC token for a workflow run, as the tests mint them (unsigned: the test
/// instance decodes tokens without checking a signature, as documented).
#[derive(Debug, Clone)]
pub struct GithubToken {
    pub repository: String,
    pub workflow_file: String,
    pub git_ref: String,
    pub sha: String,
    /// Seconds from now until it expires (negative: already expired).
    pub expires_in: i64,
    /// Seconds from now when it became valid (`nbf`, `iat`).
    pub valid_from: i64,
}

impl GithubToken {
    pub fn new(repository: &str, workflow_file: &str, git_ref: &str) -> GithubToken {
        GithubToken {
            repository: repository.into(),
            workflow_file: workflow_file.into(),
            git_ref: git_ref.into(),
            sha: "9f1c6e8a2b3d4c5e6f708192a3b4c5d6e7f80912".into(),
            expires_in: 600,
            valid_from: -10,
        }
    }

    /// The certificate identity Fulcio derives from this token (its `job_workflow_ref`).
    pub fn identity(&self) -> String {
        format!("https://github.com/{}", self.workflow_ref())
    }

    fn workflow_ref(&self) -> String {
        format!(
            "{}/.github/workflows/{}@{}",
            self.repository, self.workflow_file, self.git_ref
        )
    }

    pub fn jwt(&self) -> String {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let owner = self.repository.split('/').next().unwrap_or_default();
        let claims = serde_json::json!({
            "iss": GITHUB_ISSUER,
            "aud": "sigstore",
            "sub": format!("repo:{}:ref:{}", self.repository, self.git_ref),
            "iat": now + self.valid_from,
            "nbf": now + self.valid_from,
            "exp": now + self.expires_in,
            "repository": self.repository,
            "repository_owner": owner,
            "repository_id": "700000001",
            "repository_owner_id": "100000001",
            "repository_visibility": "public",
            "ref": self.git_ref,
            "sha": self.sha,
            "workflow": self.workflow_file.trim_end_matches(".yaml").trim_end_matches(".yml"),
            "workflow_ref": self.workflow_ref(),
            "workflow_sha": self.sha,
            "job_workflow_ref": self.workflow_ref(),
            "job_workflow_sha": self.sha,
            "event_name": "push",
            "runner_environment": "github-hosted",
            "run_id": "4242424242",
            "run_attempt": "1",
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
}

/// A program of the test venv (sigstore-python, python with securesystemslib), from
/// KAKUNIN_TEST_VENV or .test-env/venv.
pub fn venv_bin(name: &str) -> PathBuf {
    let venv = std::env::var_os("KAKUNIN_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".test-env/venv"));
    let bin = venv.join("bin").join(name);
    assert!(
        bin.exists(),
        "{} is missing: run scripts/setup-test-env",
        bin.display()
    );
    bin
}

/// Runs sigstore-python 4.5.1 `verify identity --offline` with the instance's trust config.
pub fn sigstore_python_verify(
    instance: &TestSigstore,
    bundle: &Path,
    identity: &str,
    artifact: &Path,
) -> std::process::Output {
    Command::new(venv_bin("sigstore"))
        .arg("--trust-config")
        .arg(instance.trust_config())
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(bundle)
        .args([
            "--cert-identity",
            identity,
            "--cert-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg(artifact)
        .output()
        .expect("sigstore-python runs")
}
