//! What the benches share: the median of timed runs, the run count (`KAKUNIN_BENCH_RUNS`), one
//! timed run of a command that must exit as expected, tokio runtimes for the library's async
//! calls (the CLI's two kinds), and a loopback HTTP server that answers GETs from a function
//! of the path (404 when it has no answer) and records every request path, so a bench can print
//! how many requests a command made and which were repeated.
//!
//! Used as `mod common;` from a bench file (`benches/NAME.rs`), or under another name where the
//! bench includes the tests' `common` too; each bench uses a part of it.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The median wall time of `n` runs of `f`.
pub fn median(mut f: impl FnMut(), n: usize) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[n / 2]
}

/// The median of measured times.
pub fn median_of(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// Runs `cmd` to its end; its wall time and output. Any exit code but `code` stops the bench.
pub fn timed(cmd: &mut Command, code: i32) -> (Duration, Output) {
    let t = Instant::now();
    let out = cmd.output().expect("the command runs");
    let wall = t.elapsed();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{cmd:?}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (wall, out)
}

/// `KAKUNIN_BENCH_RUNS`, else `default`, kept within `min..=max` (benches stay bounded).
pub fn runs(default: usize, min: usize, max: usize) -> usize {
    std::env::var("KAKUNIN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .clamp(min, max)
}

/// Runs a future on a runtime of the bench's own (the library builds none): two worker
/// threads, as the CLI's for a command that fetches over the network (src/cli/runtime.rs).
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime starts")
        .block_on(f)
}

/// Runs a future on a new runtime without threads of its own, as the CLI's for a command whose
/// inputs are all on this machine (src/cli/runtime.rs, `Threads::None`: `verify-image
/// oci-layout:DIR`).
pub fn block_on_here<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime starts")
        .block_on(f)
}

/// The request paths a [`serve`]d server received, in order (query strings included).
#[derive(Clone, Default)]
pub struct Requests(Arc<Mutex<Vec<String>>>);

impl Requests {
    pub fn paths(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }

    /// `PATH xN` for each path asked more than once.
    pub fn repeated(&self) -> Vec<String> {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for p in self.paths() {
            *counts.entry(p).or_default() += 1;
        }
        counts
            .into_iter()
            .filter(|(_, n)| *n > 1)
            .map(|(p, n)| format!("{p} x{n}"))
            .collect()
    }
}

/// An answer: Content-Type and body.
pub type Answer = (&'static str, Vec<u8>);

/// A plain-HTTP server on 127.0.0.1 answering each GET with `answer(path without query)`: 200
/// with that body (and a `Docker-Content-Digest`, as registries send), else 404; one request
/// per connection. Returns its port and the requests it records.
pub fn serve(answer: impl Fn(&str) -> Option<Answer> + Send + 'static) -> (u16, Requests) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Requests::default();
    let log = seen.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                    break;
                }
            }
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            log.0.lock().unwrap().push(path.clone());
            let _ = match answer(path.split('?').next().unwrap_or("")) {
                Some((content_type, body)) => conn
                    .write_all(
                        format!(
                            "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nDocker-Content-Digest: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                            kakunin::digest::Digest::sha256(&body),
                            body.len()
                        )
                        .as_bytes(),
                    )
                    .and_then(|()| conn.write_all(&body)),
                None => conn.write_all(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                ),
            };
        }
    });
    (port, seen)
}
