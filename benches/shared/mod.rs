//! What the whole-process benches share: how many runs (`KAKUNIN_BENCH_RUNS`, bounded), one
//! timed run of a command that must exit as expected, and the median of a set of times.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// `KAKUNIN_BENCH_RUNS`, or `default`, within 1..=50 (a bench stays short).
pub fn runs(default: usize) -> usize {
    std::env::var("KAKUNIN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .clamp(1, 50)
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

/// The median of `times` (the upper one of an even count).
pub fn median(times: &[Duration]) -> Duration {
    let mut v = times.to_vec();
    v.sort();
    v[v.len() / 2]
}
