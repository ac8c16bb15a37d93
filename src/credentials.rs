//! Registry credentials, handed out only for the host actually contacted.
//!
//! The Docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`) stores
//! credentials per registry host, or names credential helpers that hold them. Guarantees of
//! [`Credentials::for_url`], the only way to a credential:
//! - the lookup is by the `host[:port]` of the URL about to be requested, exactly — never by the
//!   registry name an image reference or a profile uses, so a profile that maps `ghcr.io` to a
//!   mirror gets no `ghcr.io` credentials for that mirror, and a token realm on another host
//!   gets only what the Docker config stores for that host;
//! - never over plain HTTP, except to loopback (`127.0.0.0/8`, `::1`, `localhost`: nothing
//!   leaves the machine), and there only for the exact `host:port` stored;
//! - Docker Hub's hosts (`docker.io`, `index.docker.io`, `registry-1.docker.io` and its token
//!   service `auth.docker.io`) share the one entry `docker login` writes for Docker Hub;
//! - credential helpers run as Docker runs them: the host's `credHelpers` entry, else
//!   `credsStore`, else `auths` (a host with a helper never falls back to `auths`); the helper is
//!   `docker-credential-<name> get` from `PATH`, with the server (`host[:port]`, or
//!   `https://index.docker.io/v1/` for Docker Hub) on stdin, and answers
//!   `{"Username": …, "Secret": …}` on stdout. Its answer is bounded ([`HELPER_OUTPUT_CAP`]
//!   bytes, strict JSON), it is killed after [`HELPER_TIMEOUT`], "credentials not found" means
//!   anonymous, any other failure is an error naming the helper, its exit status and its first
//!   line of output; it runs at most once per host and process, and only for a request that may
//!   carry credentials;
//! - the secret itself never appears in `Debug` output or in messages.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::header::HeaderValue;
use serde::Deserialize;

use crate::fetch::RequestUrl;

/// Longest a credential helper may take to answer.
pub const HELPER_TIMEOUT: Duration = Duration::from_secs(30);
/// Most bytes read from a credential helper's stdout (and, for messages, its stderr).
pub const HELPER_OUTPUT_CAP: u64 = 64 * 1024;
/// Largest Docker config read.
const CONFIG_CAP: u64 = 1024 * 1024;
/// What Docker's helpers print (exit 1) for a server they hold nothing for.
const NOT_FOUND: &str = "credentials not found in native keychain";

/// Docker Hub's hosts, which share one credential (stored under [`DOCKER_HUB`]).
const DOCKER_HUB_HOSTS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "auth.docker.io",
];
const DOCKER_HUB: &str = "docker.io";

/// A base64 `user:password`, as the Docker config stores it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// The `Authorization: Basic …` header value.
    pub fn basic(&self) -> Option<HeaderValue> {
        let mut v = HeaderValue::from_str(&format!("Basic {}", self.0)).ok()?;
        v.set_sensitive(true);
        Some(v)
    }
}

/// Credentials could not be obtained from a credential helper.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialError(pub String);

impl std::fmt::Display for CredentialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CredentialError {}

/// What a helper answered for a host (kept so it runs once).
type HelperAnswer = Result<Option<Secret>, CredentialError>;

/// The credentials of the Docker config, by host, and the helpers it names.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Stored credentials tried before everything else, helpers included (Helm's registry
    /// config, [`Credentials::with_first`]).
    first: HashMap<String, Secret>,
    by_host: HashMap<String, Secret>,
    /// `credsStore`: the helper for every host without its own.
    store: Option<String>,
    /// `credHelpers`: host → helper name.
    helpers: HashMap<String, String>,
    /// Where the config was read from (for messages).
    origin: Option<PathBuf>,
    answers: Arc<Mutex<HashMap<String, HelperAnswer>>>,
    /// `PATH` for the helpers (tests), else the process's.
    helper_path: Option<std::ffi::OsString>,
    /// How long a helper may take, else [`HELPER_TIMEOUT`] (tests).
    helper_timeout: Option<Duration>,
}

/// The parts of a Docker `config.json` kakunin reads.
#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: HashMap<String, String>,
}

#[derive(Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// A Docker config's `auths` as `host[:port]` → base64 `user:password` (entries with neither
/// are left out). Nothing at all for a config that is not JSON.
pub fn auths_of(bytes: &[u8]) -> HashMap<String, String> {
    serde_json::from_slice::<DockerConfig>(bytes)
        .map(|c| {
            auths(c.auths)
                .into_iter()
                .map(|(k, v)| (normalise(&k), v))
                .collect()
        })
        .unwrap_or_default()
}

fn auths(entries: HashMap<String, AuthEntry>) -> HashMap<String, String> {
    entries
        .into_iter()
        .filter_map(|(host, a)| {
            let value = match (a.auth, a.username, a.password) {
                (Some(auth), _, _) if !auth.is_empty() => auth,
                (_, Some(u), Some(p)) => {
                    base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
                }
                _ => return None,
            };
            Some((host, value))
        })
        .collect()
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn docker_config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        Some(d) => Some(PathBuf::from(d).join("config.json")),
        None => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json")),
    }
}

/// A Docker config key (`ghcr.io`, `https://index.docker.io/v1/`, `localhost:5000`) as the
/// `host[:port]` it is for, in lower case, without the default https port.
fn normalise(key: &str) -> String {
    let k = key.trim();
    let k = k
        .strip_prefix("https://")
        .or_else(|| k.strip_prefix("http://"))
        .unwrap_or(k);
    let k = k.split('/').next().unwrap_or("").to_ascii_lowercase();
    let k = k.strip_suffix(":443").map(str::to_string).unwrap_or(k);
    if DOCKER_HUB_HOSTS.contains(&k.as_str()) {
        DOCKER_HUB.to_string()
    } else {
        k
    }
}

impl Credentials {
    /// No credentials at all.
    pub fn none() -> Credentials {
        Credentials::default()
    }

    /// Credentials by Docker config key → base64 `user:password` (keys are normalised to the
    /// `host[:port]` they name); no helpers.
    pub fn new(entries: HashMap<String, String>) -> Credentials {
        let by_host = entries
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (normalise(&k), Secret(v)))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Credentials {
            by_host,
            ..Credentials::default()
        }
    }

    /// A Docker `config.json`: `auths`, `credsStore` and `credHelpers`. A config that is not
    /// JSON gives no credentials (as before helpers were read).
    pub fn from_config(bytes: &[u8], origin: Option<&Path>) -> Credentials {
        let c: DockerConfig = serde_json::from_slice(bytes).unwrap_or_default();
        let mut creds = Credentials::new(auths(c.auths));
        creds.store = c.creds_store.filter(|s| !s.is_empty());
        creds.helpers = c
            .cred_helpers
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (normalise(&k), v))
            .collect();
        creds.origin = origin.map(Path::to_path_buf);
        creds
    }

    /// The user's Docker config (none when it is absent or unreadable).
    pub fn from_docker_config() -> Credentials {
        let Some(path) = docker_config_path() else {
            return Credentials::none();
        };
        match crate::limits::read_file_capped(&path, CONFIG_CAP) {
            Ok(bytes) => Credentials::from_config(&bytes, Some(&path)),
            Err(_) => Credentials::none(),
        }
    }

    /// These credentials (config key → base64 `user:password`: Helm's registry config) before
    /// everything this Docker config gives, its helpers included: Helm's order (its own store,
    /// then Docker's).
    pub fn with_first(mut self, entries: HashMap<String, String>) -> Credentials {
        self.first = Credentials::new(entries).by_host;
        self
    }

    /// The hosts credentials are stored for (for messages; never the secrets).
    pub fn hosts(&self) -> Vec<&str> {
        let mut h: Vec<&str> = self
            .first
            .keys()
            .chain(self.by_host.keys())
            .map(String::as_str)
            .collect();
        h.sort_unstable();
        h.dedup();
        h
    }

    /// The helper that holds `host`'s credentials, and the config key that named it.
    fn helper_for(&self, host: &str) -> Option<(&str, &'static str)> {
        if let Some(h) = self.helpers.get(host) {
            return Some((h, "credHelpers"));
        }
        self.store.as_deref().map(|s| (s, "credsStore"))
    }

    /// The credential to send with a request to `url`: the one its helper gives or the config
    /// stores for its exact `host[:port]`, and only over https or to loopback. An error when a
    /// credential helper fails.
    pub fn for_url(&self, url: &RequestUrl) -> Result<Option<Secret>, CredentialError> {
        if !may_carry_credentials(url) {
            return Ok(None);
        }
        let host = normalise(&url.host_port());
        if let Some(first) = self.first.get(&host) {
            return Ok(Some(first.clone()));
        }
        let Some((helper, key)) = self.helper_for(&host) else {
            return Ok(self.by_host.get(&host).cloned());
        };
        if let Some(known) = self.answers.lock().ok().and_then(|a| a.get(&host).cloned()) {
            return known;
        }
        let server = if host == DOCKER_HUB {
            "https://index.docker.io/v1/".to_string()
        } else {
            host.clone()
        };
        let origin = self
            .origin
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "the Docker config".into());
        let answer = run_helper(
            helper,
            &server,
            self.helper_path.as_deref(),
            self.helper_timeout.unwrap_or(HELPER_TIMEOUT),
        )
            .map_err(|why| {
                CredentialError(format!(
                    "credential helper docker-credential-{helper} ({key} of {origin}) for {server}: {why}"
                ))
            })
            .map(|found| {
                found.map(|(user, secret)| {
                    Secret(
                        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}")),
                    )
                })
            });
        if let Ok(mut a) = self.answers.lock() {
            a.insert(host, answer.clone());
        }
        answer
    }
}

/// A helper's answer to `get`.
#[derive(Deserialize)]
struct HelperReply {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Reads at most `cap` bytes, and says whether there was more.
fn read_capped(r: impl Read, cap: u64) -> (Vec<u8>, bool) {
    let mut buf = Vec::new();
    let _ = r.take(cap + 1).read_to_end(&mut buf);
    let over = buf.len() as u64 > cap;
    buf.truncate(cap as usize);
    (buf, over)
}

/// The first line of a helper's output, short, for a message.
fn first_line(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut s: String = line.chars().take(200).collect();
    if line.chars().count() > 200 {
        s.push('…');
    }
    s
}

/// Runs `docker-credential-<name> get` for `server`: `(username, secret)`, or `None` when the
/// helper holds nothing for it.
fn run_helper(
    name: &str,
    server: &str,
    path: Option<&std::ffi::OsStr>,
    timeout: Duration,
) -> Result<Option<(String, String)>, String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(format!(
            "{name:?} is not a helper name (letters, digits, '-', '_' and '.')"
        ));
    }
    let program = format!("docker-credential-{name}");
    let mut cmd = Command::new(&program);
    if let Some(p) = path {
        // On Unix the program is looked up in the child's PATH when one is set.
        cmd.env("PATH", p);
    }
    let child = cmd
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("{program} is not on PATH"),
            _ => format!("{program} could not be started: {e}"),
        })?;
    let (status, stdout, stderr) = converse(child, server, timeout)?;
    helper_answer(status, &stdout, &stderr)
}

/// Writes `server` to the helper, reads its output (capped) and waits for it to exit, within
/// `timeout`; a helper that writes past the cap or does not exit in time is killed.
fn converse(
    mut child: std::process::Child,
    server: &str,
    timeout: Duration,
) -> Result<(std::process::ExitStatus, Vec<u8>, Vec<u8>), String> {
    let mut stdin = child.stdin.take();
    let server = server.to_string();
    let writer = std::thread::spawn(move || {
        if let Some(s) = stdin.as_mut() {
            let _ = s.write_all(server.as_bytes());
        }
        drop(stdin);
    });
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let (out_tx, out_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = out_tx.send(
            stdout
                .map(|o| read_capped(o, HELPER_OUTPUT_CAP))
                .unwrap_or_default(),
        );
    });
    let mut answer: Option<(Vec<u8>, bool)> = None;
    let (err_tx, err_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = err_tx.send(stderr.map(|e| read_capped(e, 4096)).unwrap_or_default());
    });
    let started = Instant::now();
    let too_long = || format!("its answer is longer than {HELPER_OUTPUT_CAP} bytes");
    let status = loop {
        if answer.is_none() {
            answer = out_rx.try_recv().ok();
        }
        if answer.as_ref().is_some_and(|(_, over)| *over) {
            // It writes on past the cap: it is not answering `get`.
            let _ = child.kill();
            let _ = child.wait();
            return Err(too_long());
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("no answer within {timeout:?} (killed)"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for it: {e}")),
        }
    };
    let _ = writer.join();
    let (stdout, over) = match answer {
        Some(a) => a,
        // Exited: its output is complete unless something it started still holds the pipe.
        None => out_rx
            .recv_timeout(timeout.saturating_sub(started.elapsed()))
            .map_err(|_| format!("it exited but its output stayed open for {timeout:?}"))?,
    };
    let (stderr, _) = err_rx
        .recv_timeout(Duration::from_millis(100))
        .unwrap_or_default();
    // A failure says what the helper said; a success past the cap is refused.
    if over && status.success() {
        return Err(too_long());
    }
    Ok((status, stdout, stderr))
}

/// What a helper's exit status and output mean: credentials, "none stored" or an error.
fn helper_answer(
    status: std::process::ExitStatus,
    stdout: &[u8],
    stderr: &[u8],
) -> Result<Option<(String, String)>, String> {
    if !status.success() {
        if String::from_utf8_lossy(stdout).contains(NOT_FOUND) {
            return Ok(None);
        }
        let said = match (first_line(stdout), first_line(stderr)) {
            (o, e) if o.is_empty() && e.is_empty() => "nothing".to_string(),
            (o, e) if e.is_empty() => format!("{o:?}"),
            (o, e) if o.is_empty() => format!("{e:?}"),
            (o, e) => format!("{o:?} (stderr {e:?})"),
        };
        return Err(format!("it failed ({status}) and said {said}"));
    }
    let reply: HelperReply = crate::strict_json::from_slice(stdout, HELPER_OUTPUT_CAP)
        .map_err(|e| format!("its answer is not {{\"Username\", \"Secret\"}} JSON: {e}"))?;
    if reply.username == "<token>" {
        return Err(
            "it answered an identity token (Username \"<token>\"); kakunin sends a username and \
             password, so log in with those (docker login -u USER)"
                .to_string(),
        );
    }
    if reply.username.is_empty() && reply.secret.is_empty() {
        return Ok(None);
    }
    Ok(Some((reply.username, reply.secret)))
}

/// Whether a request to `url` may carry credentials (or a token obtained with them): https, or
/// plain HTTP that stays on the machine (loopback).
pub fn may_carry_credentials(url: &RequestUrl) -> bool {
    url.is_https() || url.is_loopback()
}

/// The integration tests' script writer, shared with the tests below.
#[cfg(test)]
#[path = "../tests/it/support/script.rs"]
mod test_script;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::UrlPolicy;
    use test_script::write_script;

    fn url(s: &str) -> RequestUrl {
        UrlPolicy::new(vec!["registry.lan:5000".into()])
            .parse(s)
            .unwrap()
    }

    fn store() -> Credentials {
        Credentials::new(HashMap::from([
            ("ghcr.io".to_string(), "Z2hjcg==".to_string()),
            (
                "https://index.docker.io/v1/".to_string(),
                "aHVi".to_string(),
            ),
            ("127.0.0.1:5000".to_string(), "bG9jYWw=".to_string()),
            ("registry.lan:5000".to_string(), "bGFu".to_string()),
        ]))
    }

    #[test]
    fn first_credentials_come_before_the_docker_configs_and_its_helpers() {
        // A credsStore that would be run for every host (it does not exist: running it fails).
        let docker = Credentials::from_config(
            br#"{"credsStore":"kakunin-test-no-such-helper","auths":{"ghcr.io":{"auth":"ZG9ja2Vy"}}}"#,
            None,
        );
        let c = docker.with_first(HashMap::from([(
            "https://ghcr.io".to_string(),
            "aGVsbQ==".to_string(),
        )]));
        let got = c.for_url(&url("https://ghcr.io/v2/")).unwrap().unwrap();
        assert!(got == Secret("aGVsbQ==".into()), "Helm's entry first");
        // A host the first entries do not name goes on to the Docker config (its helper).
        assert!(c.for_url(&url("https://quay.io/v2/")).is_err());
        assert_eq!(c.hosts(), vec!["ghcr.io"]);
    }

    #[test]
    fn only_the_exact_host_contacted_gets_its_credential() {
        let c = store();
        assert_eq!(
            c.for_url(&url("https://ghcr.io/v2/o/r/manifests/v1"))
                .unwrap()
                .unwrap()
                .0,
            "Z2hjcg=="
        );
        assert_eq!(
            c.for_url(&url("https://GHCR.io:443/token"))
                .unwrap()
                .unwrap()
                .0,
            "Z2hjcg=="
        );
        // Another host, another port, a look-alike: nothing.
        assert!(
            c.for_url(&url("https://mirror.test/v2/"))
                .unwrap()
                .is_none()
        );
        assert!(
            c.for_url(&url("https://ghcr.io:8443/v2/"))
                .unwrap()
                .is_none()
        );
        assert!(
            c.for_url(&url("https://ghcr.io.evil.test/v2/"))
                .unwrap()
                .is_none()
        );
        assert!(
            c.for_url(&url("http://127.0.0.1:5001/v2/"))
                .unwrap()
                .is_none()
        );
        // Loopback over plain HTTP: only the exact host:port stored.
        assert_eq!(
            c.for_url(&url("http://127.0.0.1:5000/v2/"))
                .unwrap()
                .unwrap()
                .0,
            "bG9jYWw="
        );
        // Plain HTTP to another host, even an allowed one: never.
        assert!(
            c.for_url(&url("http://registry.lan:5000/v2/"))
                .unwrap()
                .is_none()
        );
        // Docker Hub's hosts share its entry.
        for u in [
            "https://registry-1.docker.io/v2/",
            "https://auth.docker.io/token",
        ] {
            assert_eq!(c.for_url(&url(u)).unwrap().unwrap().0, "aHVi", "{u}");
        }
        assert!(!format!("{c:?}").contains("Z2hjcg"), "{c:?}");
        assert_eq!(
            c.hosts(),
            [
                "127.0.0.1:5000",
                "docker.io",
                "ghcr.io",
                "registry.lan:5000"
            ]
        );
    }

    /// A directory of `docker-credential-*` scripts, removed when dropped.
    struct Helpers(std::path::PathBuf);

    impl Helpers {
        fn new(scripts: &[(&str, &str)]) -> Helpers {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let dir = std::env::temp_dir().join(format!(
                "kakunin-cred-helpers-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            for (name, body) in scripts {
                let p = dir.join(format!("docker-credential-{name}"));
                write_script(&p, &format!("#!/bin/sh\n{body}\n"));
            }
            Helpers(dir)
        }

        fn credentials(&self, config: &str) -> Credentials {
            let mut c =
                Credentials::from_config(config.as_bytes(), Some(&self.0.join("config.json")));
            // Only the scripts here, and the shell's own tools.
            c.helper_path = Some(format!("{}:/usr/bin:/bin", self.0.display()).into());
            // Shorter than the 30 s a user's helper is given, long enough for a loaded machine.
            c.helper_timeout = Some(Duration::from_secs(10));
            c
        }

        fn runs(&self) -> Vec<String> {
            std::fs::read_to_string(self.0.join("runs"))
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect()
        }
    }

    impl Drop for Helpers {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn secret(c: &Credentials, u: &str) -> Option<String> {
        c.for_url(&url(u)).unwrap().map(|s| s.0)
    }

    #[test]
    fn helpers_run_as_docker_runs_them() {
        let log = "echo \"$0 $1 $server\" >> \"$(dirname \"$0\")/runs\"";
        let h = Helpers::new(&[
            (
                "gh",
                &format!(
                    "server=$(cat); {log}; [ \"$1\" = get ] || exit 3\n\
                     printf '{{\"ServerURL\":\"%s\",\"Username\":\"gh-user\",\"Secret\":\"%s-secret\"}}' \"$server\" \"$server\""
                ),
            ),
            (
                "store",
                &format!(
                    "server=$(cat); {log}\n\
                     if [ \"$server\" = https://index.docker.io/v1/ ]; then\n\
                       printf '{{\"Username\":\"hub\",\"Secret\":\"pw\"}}'\n\
                     else\n\
                       echo 'credentials not found in native keychain'; exit 1\n\
                     fi"
                ),
            ),
        ]);
        let c = h.credentials(
            r#"{"auths": {"ghcr.io": {"auth": "Zm9vOmJhcg=="}, "quay.io": {"auth": "cXVheQ=="}},
                "credsStore": "store",
                "credHelpers": {"https://GHCR.io": "gh", "127.0.0.1:5000": "gh"}}"#,
        );
        // The host's own helper wins over credsStore and over auths; the server on stdin.
        assert_eq!(
            secret(&c, "https://ghcr.io/v2/o/r/manifests/v1"),
            Some(b64("gh-user:ghcr.io-secret"))
        );
        assert_eq!(
            secret(&c, "http://127.0.0.1:5000/v2/"),
            Some(b64("gh-user:127.0.0.1:5000-secret"))
        );
        // credsStore for every other host: Docker Hub is asked as Docker asks it.
        assert_eq!(
            secret(&c, "https://registry-1.docker.io/v2/"),
            Some(b64("hub:pw"))
        );
        assert_eq!(
            secret(&c, "https://auth.docker.io/token"),
            Some(b64("hub:pw"))
        );
        // A host the store holds nothing for is anonymous, even with an `auths` entry (a host
        // with a helper never falls back to the file, as in Docker).
        assert_eq!(secret(&c, "https://quay.io/v2/"), None);
        // Plain HTTP off the machine: no helper is even asked.
        assert_eq!(secret(&c, "http://registry.lan:5000/v2/"), None);
        // Each helper ran once per host, with `get`.
        let mut runs = h.runs();
        runs.sort();
        let runs: Vec<String> = runs
            .iter()
            .map(|r| r.rsplit_once("docker-credential-").unwrap().1.to_string())
            .collect();
        assert_eq!(
            runs,
            [
                "gh get 127.0.0.1:5000",
                "gh get ghcr.io",
                "store get https://index.docker.io/v1/",
                "store get quay.io"
            ]
        );
        assert!(!format!("{c:?}").contains(&b64("hub:pw")), "{c:?}");
    }

    #[test]
    fn a_failing_helper_is_a_clear_error() {
        let h = Helpers::new(&[
            (
                "boom",
                "cat >/dev/null; echo 'the keychain is locked' >&2; exit 4",
            ),
            ("garbage", "cat >/dev/null; echo 'not json'"),
            (
                "twice",
                "cat >/dev/null; printf '{\"Username\":\"a\",\"Username\":\"b\",\"Secret\":\"s\"}'",
            ),
            (
                "huge",
                "cat >/dev/null; head -c 200000 /dev/zero | tr '\\0' a",
            ),
            ("slow", "cat >/dev/null; sleep 30"),
            (
                "token",
                "cat >/dev/null; printf '{\"Username\":\"<token>\",\"Secret\":\"refresh\"}'",
            ),
        ]);
        let err_within = |helper: &str, timeout: Duration| {
            let mut c = h.credentials(&format!(r#"{{"credsStore": "{helper}"}}"#));
            c.helper_timeout = Some(timeout);
            let e = c.for_url(&url("https://ghcr.io/v2/")).unwrap_err().0;
            // The failure is remembered: the helper is not run again for the host.
            assert_eq!(c.for_url(&url("https://ghcr.io/token")).unwrap_err().0, e);
            e
        };
        let err = |helper: &str| err_within(helper, Duration::from_secs(10));
        let e = err("missing");
        assert!(
            e.contains("docker-credential-missing (credsStore of ")
                && e.contains("config.json) for ghcr.io: docker-credential-missing is not on PATH"),
            "{e}"
        );
        let e = err("boom");
        assert!(
            e.contains("exit status: 4") && e.contains("\"the keychain is locked\""),
            "{e}"
        );
        assert!(err("garbage").contains("is not {\"Username\", \"Secret\"} JSON"));
        assert!(err("twice").contains("is not {\"Username\", \"Secret\"} JSON"));
        assert!(err("huge").contains("longer than 65536 bytes"));
        // Killed at its deadline: its 30 s sleep is not waited for.
        let started = Instant::now();
        let e = err_within("slow", Duration::from_millis(1500));
        assert!(e.contains("no answer within 1.5s (killed)"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10), "{e}");
        let e = err("token");
        assert!(
            e.contains("identity token") && !e.contains("refresh"),
            "{e}"
        );
        let e = err("../../bin/sh");
        assert!(e.contains("is not a helper name"), "{e}");
    }
}
