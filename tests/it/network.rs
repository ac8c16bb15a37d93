//! The network rules of issue 10 as a user meets them, `kakunin verify` / `download` as
//! processes over the world served on loopback: URLs from data pass the transport policy
//! (defect 5), credentials go only to the host they are stored for (defect 6), numeric flags
//! are range-checked and `--timeout` is one deadline per file (defect 8).

use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::support::http::{Reply, Server};
use crate::world::{World, world};

/// kakunin with an empty Docker config of its own (never the user's) unless one is given.
fn run_with(args: &[&str], docker_config: Option<&Path>, env: &[(&str, String)]) -> Output {
    let empty = TempDir::new("docker-config-empty");
    let mut cmd = kakunin();
    cmd.args(args)
        .env("DOCKER_CONFIG", docker_config.unwrap_or(empty.path()));
    for v in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "NO_PROXY",
        "http_proxy",
        "https_proxy",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("kakunin runs")
}

/// The JSON report's checks as `id outcome: found`.
fn checks(out: &Output) -> Vec<(String, String, String)> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON report ({e}): {}\n{}", stdout(out), stderr(out)));
    v["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or("").to_string(),
                c["outcome"].as_str().unwrap_or("").to_string(),
                format!("expected {} found {} {}", c["expected"], c["found"], c),
            )
        })
        .collect()
}

fn check<'a>(all: &'a [(String, String, String)], id: &str) -> &'a (String, String, String) {
    all.iter()
        .find(|c| c.0 == id)
        .unwrap_or_else(|| panic!("no check {id} in {all:#?}"))
}

/// Defect 5: an index entry whose URL is `file:///…` (or plain HTTP to another host, or a
/// redirect to a local file) is refused before any I/O: `verify` fails `chart.index-digest`
/// (exit 1) naming the URL, and `download` copies nothing local into the kit.
#[test]
fn urls_from_the_index_are_refused_unless_https_or_allowed_http() {
    let w = world();
    let Some(served) = w.serve("network::urls_from_the_index") else {
        return;
    };
    // A local file holding exactly the chart package the index's digest names: read through a
    // file: URL, it would even "verify".
    let local = TempDir::new("network-local-file");
    let secret = local.path().join("gomenhashai-1.3.2.tgz");
    std::fs::write(&secret, &w.chart("1.3.2").tgz).unwrap();
    let file_url = url::Url::from_file_path(&secret).unwrap().to_string();
    let index_path = served.dir.path().join("pages/index.yaml");
    let original = std::fs::read_to_string(&index_path).unwrap();
    let base = served.http.url("");
    let genuine = World::chart_url(base.trim_end_matches('/'), "1.3.2");
    assert!(original.contains(&genuine));
    served
        .http
        .route("/redirect-to-file", Reply::Redirect(file_url.clone()));
    let profile = served.profile.display().to_string();
    for (url, says) in [
        (file_url.clone(), format!("refusing {file_url}")),
        (
            "http://example.invalid/gomenhashai-1.3.2.tgz".to_string(),
            "refusing plain HTTP to example.invalid".to_string(),
        ),
        (
            served.http.url("/redirect-to-file"),
            "redirect refused".to_string(),
        ),
    ] {
        std::fs::write(&index_path, original.replace(&genuine, &url)).unwrap();
        let out = run_with(
            &[
                "verify",
                "gomenhashai@1.3.2",
                "--profile",
                &profile,
                "--no-cache",
                "--output",
                "json",
            ],
            None,
            &[],
        );
        assert_eq!(code(&out), 1, "{url}: {}\n{}", stdout(&out), stderr(&out));
        let all = checks(&out);
        let c = check(&all, "chart.index-digest");
        assert_eq!(c.1, "fail", "{url}: {c:?}");
        assert!(c.2.contains(&says), "{url}: {c:?}");

        let kit = TempDir::new("network-kit");
        let out = run_with(
            &[
                "download",
                "gomenhashai@1.3.2",
                "--profile",
                &profile,
                "--no-cache",
                "--to",
                &kit.path().display().to_string(),
            ],
            None,
            &[],
        );
        assert_eq!(code(&out), 3, "{url}: {}\n{}", stdout(&out), stderr(&out));
        let manifest: kakunin::fetch::kit::KitManifest =
            serde_json::from_slice(&std::fs::read(kit.path().join("kit.json")).unwrap()).unwrap();
        assert!(
            manifest.files.iter().all(|f| f.role != "chart"),
            "{url}: {:?}",
            manifest.files
        );
        let missing = manifest
            .missing
            .iter()
            .find(|m| m.role == "chart")
            .unwrap_or_else(|| panic!("{url}: {:?}", manifest.missing));
        assert!(missing.why.contains(&says), "{url}: {missing:?}");
    }
    assert_eq!(
        served.http.hits("/redirect-to-file"),
        2,
        "the loopback URL was asked, the file it redirects to was not read"
    );
}

/// A Docker config holding `auths` for these hosts (each `user:password` is `<host>:secret`).
fn docker_config(dir: &Path, hosts: &[&str]) -> Vec<String> {
    use base64::Engine;
    let mut auths = serde_json::Map::new();
    let mut secrets = Vec::new();
    for h in hosts {
        let b = base64::engine::general_purpose::STANDARD.encode(format!("{h}:secret"));
        auths.insert(h.to_string(), serde_json::json!({ "auth": b }));
        secrets.push(b);
    }
    std::fs::write(
        dir.join("config.json"),
        serde_json::json!({ "auths": auths }).to_string(),
    )
    .unwrap();
    secrets
}

/// The Authorization headers a server received.
fn authorizations(s: &Server) -> Vec<String> {
    s.seen()
        .into_iter()
        .flat_map(|r| r.headers)
        .filter(|(k, _)| k == "authorization")
        .map(|(_, v)| v)
        .collect()
}

/// Defect 6: with a profile mapping `ghcr.io` to a mirror, the mirror's 401 Basic challenge
/// gets none of the `ghcr.io` credentials of the user's Docker config (exit 3: the registry
/// checks could not run, saying why), and plain HTTP to a non-loopback host never carries
/// any, not even the host's own.
#[test]
fn a_mirror_and_plain_http_never_receive_the_docker_configs_credentials() {
    let w = world();
    let Some(served) = w.serve("network::a_mirror_never_receives") else {
        return;
    };
    let image = w.image("v1.3.1");
    let path = "/v2/gomenhashai/gomenhashai";
    let routes = [
        format!("{path}/manifests/v1.3.1"),
        format!("{path}/manifests/{}", image.image.digest()),
        format!("{path}/referrers/{}", image.image.digest()),
        format!("{path}/tags/list"),
    ];
    let basic = |s: &Server, prefix: &str| {
        for r in &routes {
            s.route(
                &format!("{prefix}{r}"),
                Reply::Basic {
                    credentials: "never-matches".into(),
                    then: Box::new(Reply::Status(500, vec![], b"unreachable".to_vec())),
                },
            );
        }
    };
    let profile_with_mirror = |mirror: &str, name: &str| {
        let text = std::fs::read_to_string(&served.profile)
            .unwrap()
            .replace(&served.registry.base(), mirror);
        assert!(text.contains(mirror));
        let p = served.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };

    // A mirror on loopback; the Docker config has credentials for ghcr.io only.
    let mirror = Server::start();
    basic(&mirror, "");
    let creds = TempDir::new("network-docker-config");
    let secrets = docker_config(creds.path(), &["ghcr.io"]);
    let profile = profile_with_mirror(&mirror.url(""), "mirror.yaml");
    let out = run_with(
        &[
            "verify",
            "gomenhashai@1.3.2",
            "--profile",
            &profile,
            "--no-cache",
            "--output",
            "json",
        ],
        Some(creds.path()),
        &[],
    );
    assert!(!mirror.seen().is_empty(), "the mirror was asked");
    assert_eq!(authorizations(&mirror), Vec::<String>::new());
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let host = format!("127.0.0.1:{}", mirror.port);
    let all = checks(&out);
    let c = check(&all, "image.registry-digest");
    assert_eq!(c.1, "not-run", "{c:?}");
    assert!(
        c.2.contains(&format!(
            "401 from {host} asking for Basic credentials, and the Docker config has none for {host}"
        )),
        "{c:?}"
    );
    assert!(!stdout(&out).contains(&secrets[0]) && !stderr(&out).contains(&secrets[0]));

    // A mirror on another host over plain HTTP (allowed by the user), reached through a proxy
    // on loopback; the Docker config has credentials for it and for ghcr.io: neither is sent.
    let proxy = Server::start();
    basic(&proxy, "http://registry.test:5000");
    let secrets = docker_config(creds.path(), &["ghcr.io", "registry.test:5000"]);
    let profile = profile_with_mirror("http://registry.test:5000", "plain.yaml");
    let out = run_with(
        &[
            "verify",
            "gomenhashai@1.3.2",
            "--profile",
            &profile,
            "--no-cache",
            "--allow-insecure-registry",
            "registry.test:5000",
            "--output",
            "json",
        ],
        Some(creds.path()),
        &[
            ("HTTP_PROXY", proxy.url("")),
            ("NO_PROXY", "127.0.0.1,localhost".into()),
        ],
    );
    assert!(!proxy.seen().is_empty(), "the plain-HTTP mirror was asked");
    assert_eq!(authorizations(&proxy), Vec::<String>::new());
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    let all = checks(&out);
    let c = check(&all, "image.registry-digest");
    assert!(
        c.2.contains("credentials are never sent over plain HTTP to registry.test:5000"),
        "{c:?}"
    );
    for s in &secrets {
        assert!(!stdout(&out).contains(s) && !stderr(&out).contains(s));
    }
}

/// Defect 8: every numeric flag is range-checked (exit 2, the range in the message), the
/// largest values in range work, and `--timeout` is one deadline per file across its retries
/// (the error says how many attempts were made).
#[test]
fn numeric_flags_are_range_checked_and_the_timeout_is_one_deadline_per_file() {
    let s = Server::start();
    let dir = TempDir::new("network-flags");
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    p.helm_repository = s.url("/repo");
    p.github.base_url = s.url("");
    let profile = dir.path().join("p.yaml");
    std::fs::write(&profile, p.to_yaml()).unwrap();
    let profile = profile.display().to_string();
    let kit = dir.path().join("kit").display().to_string();
    let flags = [
        ("--timeout", "1", "86400"),
        ("--connect-timeout", "1", "3600"),
        ("--retries", "0", "10"),
    ];
    for command in ["verify", "download"] {
        for (flag, lo, hi) in flags {
            let below = (lo.parse::<i64>().unwrap() - 1).to_string();
            let above = (hi.parse::<u64>().unwrap() + 1).to_string();
            for bad in [
                below.as_str(),
                "-1",
                &above,
                "18446744073709551615",
                "18446744073709551616",
                "1e3",
                "",
            ] {
                let mut args = vec![command, "gomenhashai@1.3.2", "--profile", &profile];
                if command == "download" {
                    args.extend(["--to", &kit]);
                }
                let value = format!("{flag}={bad}");
                args.push(&value);
                let out = run_with(&args, None, &[]);
                assert_eq!(code(&out), 2, "{command} {value}: {}", stderr(&out));
                assert!(
                    stderr(&out).contains(&format!("expected an integer from {lo} to {hi}")),
                    "{command} {value}: {}",
                    stderr(&out)
                );
            }
        }
    }
    // The largest values in range, against a real server: no overflow, the request is made.
    s.route(
        "/repo/index.yaml",
        Reply::Ok(
            b"apiVersion: v1\nentries:\n  gomenhashai: []\n".to_vec(),
            "text/yaml",
        ),
    );
    let out = run_with(
        &[
            "verify",
            "gomenhashai@1.3.2",
            "--profile",
            &profile,
            "--no-cache",
            "--timeout",
            "86400",
            "--connect-timeout",
            "3600",
            "--retries",
            "10",
        ],
        None,
        &[],
    );
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("gomenhashai@1.3.2 is not in the Helm index"),
        "{}",
        stderr(&out)
    );
    // A server that never answers: one deadline for the index, whatever --retries says.
    s.route("/repo/index.yaml", Reply::Hang);
    let start = Instant::now();
    let out = run_with(
        &[
            "verify",
            "gomenhashai@1.3.2",
            "--profile",
            &profile,
            "--no-cache",
            "--timeout",
            "1",
            "--retries",
            "10",
            "--output",
            "json",
        ],
        None,
        &[],
    );
    let elapsed = start.elapsed();
    assert_eq!(code(&out), 3, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("no complete answer within 1s (after 1 attempt)"),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    // 11 attempts would take at least 11 s; a loaded machine starting kakunin takes seconds.
    assert!(
        elapsed < Duration::from_secs(8),
        "one deadline of 1 s, not 11 attempts of 1 s with backoff: {elapsed:?}"
    );
}
