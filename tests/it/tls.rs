//! HTTPS as kakunin's client speaks it (src/fetch/tls.rs: reqwest's rustls configuration, with
//! the platform's verifier built on the first certificate it checks): a loopback HTTPS server
//! (openssl s_server) serving a Helm repository index, with a certificate for `localhost`
//! issued by a test CA. Under the system's roots it is refused (the certificate is verified:
//! UnknownIssuer, exit 3); with the test CA as the roots (`SSL_CERT_FILE`, which the platform
//! verifier reads when it is built) the handshake succeeds and the index is read.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{TempDir, kakunin, skipped};
use crate::support::openssl;

/// `openssl s_server -WWW` serving `dir` on a loopback port, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A test CA and a `localhost` leaf it issued (`ca.pem`, `leaf.pem`, `leaf.key` in `dir`).
fn certificates(dir: &Path) -> bool {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let ca = [
        &["req", "-x509"][..],
        &ec,
        &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2"],
        &["-subj", "/CN=kakunin-test-ca"],
        &["-addext", "basicConstraints=critical,CA:TRUE"],
        &["-addext", "keyUsage=critical,keyCertSign"],
    ]
    .concat();
    let csr = [
        &["req"][..],
        &ec,
        &[
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ],
    ]
    .concat();
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let leaf = [
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "2",
        "-extfile",
        "leaf.ext",
    ];
    openssl::succeeds(dir, &ca) && openssl::succeeds(dir, &csr) && openssl::succeeds(dir, &leaf)
}

fn serve(dir: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("openssl")
        .args(["s_server", "-WWW", "-quiet", "-accept"])
        .arg(port.to_string())
        .args(["-cert", "leaf.pem", "-key", "leaf.key"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl s_server starts");
    let server = Server { child, port };
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "openssl s_server did not listen"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    server
}

#[test]
fn https_certificates_are_verified_against_the_platform_roots_read_when_first_needed() {
    let test = "tls::https_certificates_are_verified";
    let t = TempDir::new("tls");
    if !certificates(t.path()) {
        skipped(test, "openssl cannot make a test CA and leaf here");
        return;
    }
    std::fs::write(t.path().join("index.yaml"), "apiVersion: v1\nentries: {}\n").unwrap();
    let server = serve(t.path());
    let repo = format!("https://localhost:{}", server.port);
    let run = |roots: Option<&Path>, cache: &str| {
        let mut c = kakunin();
        c.args(["verify", "demo", "--repo", &repo, "--version", "1.0.0"])
            .args(["--certificate-identity", "https://example.com/id"])
            .args(["--certificate-oidc-issuer", "https://example.com"])
            .arg("--cache-dir")
            .arg(t.path().join(cache))
            .env_remove("SSL_CERT_DIR");
        match roots {
            Some(r) => c.env("SSL_CERT_FILE", r),
            None => c.env_remove("SSL_CERT_FILE"),
        };
        c.output().unwrap()
    };

    let refused = run(None, "cache-1");
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(3), "{err}");
    assert!(
        err.contains("invalid peer certificate: UnknownIssuer"),
        "{err}"
    );

    let accepted = run(Some(&t.path().join("ca.pem")), "cache-2");
    let err = String::from_utf8_lossy(&accepted.stderr);
    assert!(
        err.contains(&format!(
            "{repo}/index.yaml: chart \"demo\" is not in the index"
        )),
        "the index was not read over TLS: {err}"
    );
    assert_eq!(accepted.status.code(), Some(2), "{err}");
}
