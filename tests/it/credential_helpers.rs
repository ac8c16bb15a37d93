//! Docker credential helpers (issue 12): `credHelpers` / `credsStore` of the Docker config run
//! as Docker runs them, as a user meets them — `kakunin verify-image` against a loopback
//! registry that asks for Basic credentials, with a real `docker-credential-*` script on `PATH`.

use std::path::Path;
use std::process::Output;

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::support::http::{Reply, Server};
use crate::support::script::write_script;

const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn helper(dir: &Path, name: &str, body: &str) {
    let p = dir.join(format!("docker-credential-{name}"));
    write_script(&p, &format!("#!/bin/sh\n{body}\n"));
}

fn verify_image(server: &Server, config: &Path, bin: &Path) -> Output {
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let reference = format!("127.0.0.1:{}/o/r@{DIGEST}", server.port);
    kakunin()
        .args([
            "verify-image",
            &reference,
            "--certificate-identity",
            "https://github.com/o/r/.github/workflows/release.yaml@refs/tags/v1.0.0",
            "--certificate-oidc-issuer",
            "https://token.actions.githubusercontent.com",
        ])
        .env("DOCKER_CONFIG", config)
        .env("PATH", path)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .output()
        .expect("kakunin runs")
}

fn authorizations(s: &Server) -> Vec<String> {
    s.seen()
        .into_iter()
        .flat_map(|r| r.headers)
        .filter(|(k, _)| k == "authorization")
        .map(|(_, v)| v)
        .collect()
}

/// The registry's own helper (`credHelpers`) is asked for the exact `host:port` contacted, on
/// stdin, and what it answers is the Basic credential sent; `credsStore` is not asked for it.
#[test]
fn the_hosts_credential_helper_answers_the_registrys_challenge() {
    use base64::Engine;
    let server = Server::start();
    let host = format!("127.0.0.1:{}", server.port);
    let want = base64::engine::general_purpose::STANDARD.encode(format!("robot:{host}-pw"));
    for path in [
        format!("/v2/o/r/manifests/{DIGEST}"),
        "/v2/o/r/referrers/".to_string() + DIGEST,
    ] {
        server.route(
            &path,
            Reply::Basic {
                credentials: want.clone(),
                then: Box::new(Reply::Status(404, vec![], b"no such manifest".to_vec())),
            },
        );
    }
    let dir = TempDir::new("credential-helpers");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("asked");
    helper(
        &bin,
        "kakunin-test",
        &format!(
            "[ \"$1\" = get ] || exit 3\nserver=$(cat)\necho \"$server\" >> '{}'\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"robot\",\"Secret\":\"%s-pw\"}}' \"$server\" \"$server\"",
            log.display()
        ),
    );
    helper(&bin, "never", "echo asked >> /dev/stderr; exit 1");
    std::fs::write(
        dir.path().join("config.json"),
        format!(r#"{{"credsStore": "never", "credHelpers": {{"{host}": "kakunin-test"}}}}"#),
    )
    .unwrap();
    let out = verify_image(&server, dir.path(), &bin);
    let auths = authorizations(&server);
    assert!(
        !auths.is_empty() && auths.iter().all(|a| *a == format!("Basic {want}")),
        "{auths:?}\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    // Asked once, for the host:port contacted.
    let asked = std::fs::read_to_string(&log).unwrap();
    assert_eq!(asked, format!("{host}\n"));
    assert!(!stdout(&out).contains(&want) && !stderr(&out).contains(&want));
}

/// A helper that fails stops the registry step with its own words: exit 3 (nothing could be
/// fetched), naming the helper and the config entry, and no request carries a credential.
#[test]
fn a_failing_credential_helper_is_reported() {
    let server = Server::start();
    server.route(
        &format!("/v2/o/r/manifests/{DIGEST}"),
        Reply::Basic {
            credentials: "never-matches".into(),
            then: Box::new(Reply::Status(500, vec![], b"unreachable".to_vec())),
        },
    );
    let dir = TempDir::new("credential-helpers-fail");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    helper(
        &bin,
        "locked",
        "cat > /dev/null; echo 'error: the keyring is locked' >&2; exit 1",
    );
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"credsStore": "locked"}"#,
    )
    .unwrap();
    let out = verify_image(&server, dir.path(), &bin);
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(code(&out), 3, "{all}");
    assert!(
        all.contains("credential helper docker-credential-locked (credsStore of ")
            && all.contains("\"error: the keyring is locked\""),
        "{all}"
    );
    assert_eq!(authorizations(&server), Vec::<String>::new());
}
