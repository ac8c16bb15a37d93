//! Fetching against real servers on loopback: retries, caps, timeouts, redirects, the cache,
//! `--offline`, kits, and a registry (docker-registry 2.8, plus in-test handlers).

use std::time::Duration;

use crate::support::block_on;
use kakunin::digest::Digest;
use kakunin::fetch::kit::{Kit, KitWriter};
use kakunin::fetch::{FetchError, FetchOptions, Fetcher, HttpConfig, Kind, Source};
use url::Url;

use crate::common::TempDir;
use crate::support::http::{Reply, Server};

/// Retries fast, so servers that fail cost little. The deadline is one that a loaded machine
/// meets on loopback (the tests that expect a fetch to succeed use it); a test of a server that
/// never answers sets its own.
pub fn test_http() -> HttpConfig {
    HttpConfig {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_secs(10),
        retries: 2,
        backoff: Duration::from_millis(5),
        ..HttpConfig::default()
    }
}

fn fetcher(cache: &TempDir) -> Fetcher {
    Fetcher::new(FetchOptions {
        http: test_http(),
        cache_dir: Some(cache.path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap()
}

fn get(f: &Fetcher, url: &str, kind: Kind) -> Result<kakunin::fetch::Blob, FetchError> {
    block_on(f.get(&Url::parse(url).unwrap(), kind, None))
}

#[test]
fn a_server_error_is_retried_and_a_client_error_is_not() {
    let s = Server::start();
    s.route(
        "/flaky",
        Reply::Sequence(vec![
            Reply::Status(500, vec![], b"oops".to_vec()),
            Reply::Ok(b"fine".to_vec(), "text/plain"),
        ]),
    );
    s.route("/gone", Reply::Status(404, vec![], b"no".to_vec()));
    s.route("/down", Reply::Status(503, vec![], b"down".to_vec()));
    let cache = TempDir::new("fetch-retry");
    let f = fetcher(&cache);
    let b = get(&f, &s.url("/flaky"), Kind::Bundle).unwrap();
    assert_eq!(b.bytes, b"fine");
    assert_eq!(s.hits("/flaky"), 2);
    assert_eq!(
        b.source,
        Source::Network {
            url: s.url("/flaky")
        }
    );

    let err = get(&f, &s.url("/gone"), Kind::Bundle).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("HTTP 404 from {}: expected 200", s.url("/gone"))
    );
    assert!(err.is_not_found());
    assert_eq!(s.hits("/gone"), 1);

    let err = get(&f, &s.url("/down"), Kind::Bundle).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "HTTP 503 from {}: expected 200 (after 3 attempts)",
            s.url("/down")
        )
    );
    assert_eq!(s.hits("/down"), 3, "first attempt and two retries");
}

#[test]
fn a_truncated_body_is_an_error_naming_what_arrived() {
    let s = Server::start();
    s.route(
        "/cut",
        Reply::Truncate {
            declared: 1000,
            body: vec![b'x'; 10],
        },
    );
    let cache = TempDir::new("fetch-trunc");
    let f = fetcher(&cache);
    let err = get(&f, &s.url("/cut"), Kind::Chart).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("the body broke off after 10 bytes"), "{msg}");
    assert!(msg.ends_with("(after 3 attempts)"), "{msg}");
    assert_eq!(s.hits("/cut"), 3);
    // Nothing partial was cached.
    let err = block_on(
        Fetcher::new(FetchOptions {
            http: test_http(),
            cache_dir: Some(cache.path().to_path_buf()),
            offline: true,
            ..FetchOptions::default()
        })
        .unwrap()
        .get(&Url::parse(&s.url("/cut")).unwrap(), Kind::Chart, None),
    )
    .unwrap_err();
    assert!(matches!(err, FetchError::Offline { .. }), "{err}");
}

#[test]
fn a_100_mib_index_is_refused_at_the_cap() {
    let s = Server::start();
    let len = 100 * 1024 * 1024;
    s.route(
        "/declared/index.yaml",
        Reply::Huge {
            len,
            chunked: false,
        },
    );
    s.route("/chunked/index.yaml", Reply::Huge { len, chunked: true });
    let cache = TempDir::new("fetch-huge");
    let f = fetcher(&cache);
    let err = get(&f, &s.url("/declared/index.yaml"), Kind::Index).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the index may be at most 33554432 bytes, found Content-Length 104857600",
            s.url("/declared/index.yaml")
        )
    );
    let err = get(&f, &s.url("/chunked/index.yaml"), Kind::Index).unwrap_err();
    assert!(
        err.to_string().ends_with(
            "the index may be at most 33554432 bytes, found more than 33554432 bytes of body"
        ),
        "{err}"
    );
    assert_eq!(s.hits("/chunked/index.yaml"), 1, "a cap is not retried");
}

#[test]
fn a_server_that_never_answers_times_out_once_for_all_attempts() {
    let s = Server::start();
    s.route("/silent", Reply::Hang);
    let cache = TempDir::new("fetch-hang");
    let f = Fetcher::new(FetchOptions {
        http: HttpConfig {
            retries: 3,
            // Long enough that a loaded machine still lets the server read the request before
            // the deadline (at 300 ms, under a load of 18, it once had not: 0 hits).
            timeout: Duration::from_millis(1500),
            ..test_http()
        },
        cache_dir: Some(cache.path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap();
    let start = std::time::Instant::now();
    let err = get(&f, &s.url("/silent"), Kind::Bundle).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: no complete answer within 1.5s (after 1 attempt)",
            s.url("/silent")
        )
    );
    // One deadline per attempt would take at least 4 × 1.5 s.
    assert!(
        start.elapsed() < Duration::from_millis(5000),
        "one deadline for the file, not one per attempt: {:?}",
        start.elapsed()
    );
    assert_eq!(s.hits("/silent"), 1);
}

#[test]
fn retries_stop_at_the_files_deadline_and_say_how_many_were_made() {
    let s = Server::start();
    s.route("/down", Reply::Status(503, vec![], b"down".to_vec()));
    let f = Fetcher::new(FetchOptions {
        http: HttpConfig {
            retries: 10,
            backoff: Duration::from_millis(100),
            timeout: Duration::from_millis(1000),
            ..test_http()
        },
        no_cache: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let start = std::time::Instant::now();
    let err = get(&f, &s.url("/down"), Kind::Bundle).unwrap_err();
    let elapsed = start.elapsed();
    // Waits of 100, 200, 400 ms fit in the second; the next (800 ms) would not.
    let hits = s.hits("/down");
    assert!((2..=5).contains(&hits), "{hits} attempts");
    assert_eq!(
        err.to_string(),
        format!(
            "HTTP 503 from {}: expected 200 (after {hits} attempts)",
            s.url("/down")
        )
    );
    // Far above the 1 s deadline, so a loaded machine passes; far below the 102 s that 11
    // attempts with backoff would take.
    assert!(
        elapsed < Duration::from_secs(5),
        "11 attempts with backoff would take 102 s: {elapsed:?}"
    );
}

#[test]
fn extreme_durations_in_the_library_config_saturate_instead_of_panicking() {
    let s = Server::start();
    s.route("/f", Reply::Ok(b"fine".to_vec(), "text/plain"));
    for (timeout, connect) in [
        (Duration::MAX, Duration::MAX),
        (Duration::from_secs(u64::MAX), Duration::from_nanos(1)),
        (Duration::ZERO, Duration::ZERO),
    ] {
        let f = Fetcher::new(FetchOptions {
            http: HttpConfig {
                timeout,
                connect_timeout: connect,
                retries: u32::MAX,
                backoff: Duration::MAX,
                ..test_http()
            },
            no_cache: true,
            ..FetchOptions::default()
        })
        .unwrap();
        // Zero: no time at all, an error (never a panic); otherwise the file arrives.
        match get(&f, &s.url("/f"), Kind::Bundle) {
            Ok(b) => assert_eq!(b.bytes, b"fine"),
            Err(e) => assert!(
                timeout.is_zero() || connect < Duration::from_millis(1),
                "{timeout:?}/{connect:?}: {e}"
            ),
        }
    }
}

#[test]
fn redirect_loops_and_redirects_to_plain_http_are_refused() {
    let s = Server::start();
    s.route("/a", Reply::Redirect(s.url("/b")));
    s.route("/b", Reply::Redirect(s.url("/a")));
    s.route("/ok", Reply::Redirect(s.url("/final")));
    s.route("/final", Reply::Ok(b"here".to_vec(), "text/plain"));
    s.route("/out", Reply::Redirect("http://example.invalid/x".into()));
    s.route("/local", Reply::Redirect("file:///etc/passwd".into()));
    let cache = TempDir::new("fetch-redirect");
    let f = fetcher(&cache);
    assert_eq!(get(&f, &s.url("/ok"), Kind::Bundle).unwrap().bytes, b"here");
    let err = get(&f, &s.url("/a"), Kind::Bundle).unwrap_err();
    assert!(
        err.to_string().contains("redirect refused: ")
            && err.to_string().contains("redirect loop back to"),
        "{err}"
    );
    let err = get(&f, &s.url("/out"), Kind::Bundle).unwrap_err();
    assert!(
        err.to_string()
            .contains("refusing plain HTTP to example.invalid (http://example.invalid/x)"),
        "{err}"
    );
    let err = get(&f, &s.url("/local"), Kind::Bundle).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: redirect refused: refusing file:///etc/passwd: expected an https URL (or http \
             to loopback or an allowed host), found \"file\"",
            s.url("/local")
        )
    );
    // A file: URL, from anywhere, is refused before any I/O.
    let err = get(&f, "file:///etc/passwd", Kind::Index).unwrap_err();
    assert!(matches!(err, FetchError::Scheme { .. }), "{err}");
    // Plain HTTP to a non-loopback host is refused before any connection.
    let err = get(&f, "http://example.invalid/index.yaml", Kind::Index).unwrap_err();
    assert!(matches!(err, FetchError::Insecure { .. }), "{err}");
}

#[test]
fn the_cache_answers_known_digests_and_refetches_corrupt_entries() {
    let s = Server::start();
    let chart = b"pretend this is a chart package".to_vec();
    let d = Digest::sha256(&chart);
    s.route("/c.tgz", Reply::Ok(chart.clone(), "application/gzip"));
    let cache = TempDir::new("fetch-cache");
    let f = fetcher(&cache);
    let url = Url::parse(&s.url("/c.tgz")).unwrap();
    let b = block_on(f.get(&url, Kind::Chart, Some(&d))).unwrap();
    assert_eq!(b.digest, d);
    let b = block_on(f.get(&url, Kind::Chart, Some(&d))).unwrap();
    assert!(matches!(b.source, Source::Cache { .. }));
    assert_eq!(s.hits("/c.tgz"), 1, "a warm cache saves the request");
    // Corrupt the entry on disk: it is detected, dropped and fetched again.
    let entry = cache.path().join("blobs/sha256").join(d.hex());
    std::fs::write(&entry, b"pretend this is a chart pack").unwrap();
    let b = block_on(f.get(&url, Kind::Chart, Some(&d))).unwrap();
    assert_eq!(b.bytes, chart);
    assert!(matches!(b.source, Source::Network { .. }));
    assert_eq!(s.hits("/c.tgz"), 2);
    // Offline: served from the cache by URL; a file never fetched is named.
    let off = Fetcher::new(FetchOptions {
        http: test_http(),
        cache_dir: Some(cache.path().to_path_buf()),
        offline: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let b = block_on(off.get(&url, Kind::Chart, None)).unwrap();
    assert_eq!(b.bytes, chart);
    let missing = Url::parse(&s.url("/r/x-1.0.0.tgz.prov")).unwrap();
    let err = block_on(off.get(&missing, Kind::Prov, None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("offline: x-1.0.0.tgz.prov is not in the cache ({missing})")
    );
    assert_eq!(s.hits("/c.tgz"), 2);
    // The HTTP client (and the root certificates it loads) is built by the first request only.
    assert!(f.http().is_built(), "the online fetcher made requests");
    assert!(!off.http().is_built(), "offline, no HTTP client is built");
}

#[test]
fn independent_downloads_run_in_parallel_and_keep_their_order() {
    let s = Server::start();
    for i in 0..8 {
        s.route(
            &format!("/f{i}"),
            Reply::Ok(format!("file {i}").into_bytes(), "text/plain"),
        );
    }
    let cache = TempDir::new("fetch-par");
    let f = fetcher(&cache);
    let reqs = (0..8)
        .map(|i| {
            (
                Url::parse(&s.url(&format!("/f{i}"))).unwrap(),
                Kind::Bundle,
                None,
            )
        })
        .chain([(Url::parse(&s.url("/nope")).unwrap(), Kind::Bundle, None)])
        .collect();
    let out = block_on(f.get_all(reqs));
    for (i, r) in out.iter().take(8).enumerate() {
        assert_eq!(r.as_ref().unwrap().bytes, format!("file {i}").into_bytes());
    }
    assert_eq!(out[8].as_ref().unwrap_err().status(), Some(404));
}

#[test]
fn a_kit_serves_its_files_offline_and_refuses_tampered_ones() {
    let s = Server::start();
    s.route(
        "/o/r/releases/download/t/a.sigstore",
        Reply::Ok(b"{}".to_vec(), "application/json"),
    );
    let cache = TempDir::new("kit-cache");
    let f = fetcher(&cache);
    let url = kakunin::fetch::release_asset_url(&s.url(""), "o/r", "t", "a.sigstore").unwrap();
    let b = block_on(f.get(&url, Kind::Bundle, None)).unwrap();
    let kit_dir = TempDir::new("kit");
    let mut w = KitWriter::create(kit_dir.path(), "demo", "1.0.0").unwrap();
    w.add(&b, "chart-bundle", None).unwrap();
    w.missing(
        &s.url("/o/r/releases/download/t/a.prov"),
        "prov",
        "HTTP 404",
    );
    let m = w.finish().unwrap();
    assert_eq!(m.files[0].path, "files/a.sigstore");
    assert_eq!(m.files[0].digest, Digest::sha256(b"{}").to_string());

    let off = Fetcher::new(FetchOptions {
        http: test_http(),
        no_cache: true,
        offline: true,
        kit: Some(kit_dir.path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap();
    let b = block_on(off.get(&url, Kind::Bundle, None)).unwrap();
    assert!(matches!(b.source, Source::Kit { .. }), "{:?}", b.source);
    let kit = off.kit().unwrap();
    assert_eq!(
        kit.missing(&s.url("/o/r/releases/download/t/a.prov"))
            .unwrap()
            .why,
        "HTTP 404"
    );
    let other = Url::parse(&s.url("/o/r/releases/download/t/b.sigstore")).unwrap();
    let err = block_on(off.get(&other, Kind::Bundle, None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("offline: b.sigstore is not in the kit ({other})")
    );

    // A file changed after download is served as found (for the check that covers it to fail
    // on), saying what kit.json records.
    std::fs::write(kit_dir.path().join("files/a.sigstore"), b"{ }").unwrap();
    let b = block_on(off.get(&url, Kind::Bundle, None)).unwrap();
    assert_eq!(b.bytes, b"{ }");
    assert_eq!(b.digest, Digest::sha256(b"{ }"));
    assert!(
        b.source.to_string().ends_with(&format!(
            "it does not match kit.json, which records {})",
            Digest::sha256(b"{}")
        )),
        "{}",
        b.source
    );
    // A kit.json pointing outside the kit.
    let json = std::fs::read_to_string(kit_dir.path().join("kit.json"))
        .unwrap()
        .replace("files/a.sigstore", "../../etc/passwd");
    std::fs::write(kit_dir.path().join("kit.json"), json).unwrap();
    let err = Kit::open(kit_dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("file path \"../../etc/passwd\": expected a relative path inside the kit"),
        "{err}"
    );
}

#[test]
fn a_kit_whose_directory_links_outside_is_refused() {
    let s = Server::start();
    s.route(
        "/x/a.sigstore",
        Reply::Ok(b"{}".to_vec(), "application/json"),
    );
    let cache = TempDir::new("kit-link-cache");
    let url = Url::parse(&s.url("/x/a.sigstore")).unwrap();
    let b = block_on(fetcher(&cache).get(&url, Kind::Bundle, None)).unwrap();
    let kit_dir = TempDir::new("kit-link");
    let mut w = KitWriter::create(kit_dir.path(), "demo", "1.0.0").unwrap();
    w.add(&b, "chart-bundle", None).unwrap();
    w.finish().unwrap();
    // Move files/ elsewhere and leave a symlink in its place.
    let outside = TempDir::new("kit-link-outside");
    std::fs::rename(kit_dir.path().join("files"), outside.path().join("files")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("files"), kit_dir.path().join("files")).unwrap();
    // Refused when the kit is opened (an input error), before any file is read.
    let err = Kit::open(kit_dir.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("files/a.sigstore: expected a file inside the kit, found one at "),
        "{err}"
    );
}

/// In a child process (environment variables are process-wide): fetch through whatever proxy
/// the environment names, and report the outcome on stdout.
#[test]
fn proxy_child() {
    let Ok(url) = std::env::var("KAKUNIN_PROXY_CHILD_URL") else {
        return; // only meaningful when run by proxies_from_the_environment_are_honoured
    };
    let f = Fetcher::new(FetchOptions {
        http: HttpConfig {
            retries: 0,
            insecure_hosts: vec!["kakunin-proxy-test.invalid".into()],
            ..test_http()
        },
        no_cache: true,
        ..FetchOptions::default()
    })
    .unwrap();
    match get(&f, &url, Kind::Bundle) {
        Ok(b) => println!("CHILD-OK {}", String::from_utf8_lossy(&b.bytes)),
        Err(e) => println!("CHILD-ERR {e}"),
    }
}

#[test]
fn proxies_from_the_environment_are_honoured() {
    let proxy = Server::start();
    proxy.route(
        "http://kakunin-proxy-test.invalid/file",
        Reply::Ok(b"via proxy".to_vec(), "text/plain"),
    );
    let child = |url: &str, env: &[(&str, String)]| {
        let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "fetch::proxy_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("KAKUNIN_PROXY_CHILD_URL", url);
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
        let out = cmd.output().unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.find("CHILD-").map(|i| l[i..].to_string()))
            .unwrap_or_else(|| "no child output".to_string())
    };
    // HTTP_PROXY: the request goes to the proxy in absolute form.
    let out = child(
        "http://kakunin-proxy-test.invalid/file",
        &[("HTTP_PROXY", proxy.url(""))],
    );
    assert_eq!(out, "CHILD-OK via proxy");
    // HTTPS_PROXY: an https request opens a CONNECT tunnel through the proxy.
    let out = child(
        "https://kakunin-proxy-test.invalid/file",
        &[("HTTPS_PROXY", proxy.url(""))],
    );
    assert!(out.starts_with("CHILD-ERR"), "{out}");
    assert!(
        proxy
            .seen()
            .iter()
            .any(|r| r.path == "kakunin-proxy-test.invalid:443"),
        "CONNECT seen by the proxy: {:?}",
        proxy.seen()
    );
    // NO_PROXY: the host is reached directly (and, being invalid, not at all).
    let before = proxy.seen().len();
    let out = child(
        "http://kakunin-proxy-test.invalid/file",
        &[
            ("HTTP_PROXY", proxy.url("")),
            ("NO_PROXY", "kakunin-proxy-test.invalid".to_string()),
        ],
    );
    assert!(out.starts_with("CHILD-ERR"), "{out}");
    assert_eq!(proxy.seen().len(), before, "the proxy was bypassed");
}

#[test]
fn progress_hears_of_every_download_and_of_its_end_even_on_error() {
    use std::sync::{Arc, Mutex};
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);
    impl kakunin::progress::Progress for Log {
        fn start(&self, what: &str, total: Option<u64>) {
            self.0
                .lock()
                .unwrap()
                .push(format!("start {what} {total:?}"));
        }
        fn advance(&self, _what: &str, _n: u64) {}
        fn finish(&self, what: &str) {
            self.0.lock().unwrap().push(format!("finish {what}"));
        }
    }
    let s = Server::start();
    s.route(
        "/ok.sigstore",
        Reply::Ok(b"12345".to_vec(), "application/json"),
    );
    s.route(
        "/cut.sigstore",
        Reply::Truncate {
            declared: 100,
            body: b"12".to_vec(),
        },
    );
    let log = Arc::new(Log::default());
    let f = Fetcher::new(FetchOptions {
        http: HttpConfig {
            retries: 0,
            ..test_http()
        },
        no_cache: true,
        ..FetchOptions::default()
    })
    .unwrap()
    .with_progress(log.clone());
    get(&f, &s.url("/ok.sigstore"), Kind::Bundle).unwrap();
    get(&f, &s.url("/cut.sigstore"), Kind::Bundle).unwrap_err();
    assert_eq!(
        *log.0.lock().unwrap(),
        [
            "start ok.sigstore Some(5)",
            "finish ok.sigstore",
            "start cut.sigstore Some(100)",
            "finish cut.sigstore"
        ]
    );
}
