//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The built `kakunin` binary.
pub fn kakunin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kakunin"))
}

#[path = "report_schema.rs"]
pub mod report_schema;

/// Runs kakunin with arguments and returns its output. A report a verify command prints is
/// checked against its format's schema on the way ([`report_schema::check_output`]).
pub fn run(args: &[&str]) -> Output {
    let out = kakunin().args(args).output().expect("kakunin runs");
    report_schema::check_output(args, &out);
    out
}

/// Exit code of a finished process (a signal counts as a failure of the test).
pub fn code(out: &Output) -> i32 {
    out.status
        .code()
        .unwrap_or_else(|| panic!("kakunin was killed by a signal: {out:?}"))
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/fixtures`, the real third-party fixtures, when present.
///
/// A fresh clone without `../shared` still passes: the test says it was skipped and returns
/// `None`. CI sets `KAKUNIN_REQUIRE_SHARED=1`, and there a missing `../shared` fails the test.
pub fn shared_fixtures(test: &str) -> Option<PathBuf> {
    let dir = repo().join("../shared/fixtures");
    if dir.is_dir() {
        return Some(dir.canonicalize().expect("shared fixtures path resolves"));
    }
    if std::env::var_os("KAKUNIN_REQUIRE_SHARED").is_some_and(|v| v == "1") {
        panic!("{test}: ../shared/fixtures is required (KAKUNIN_REQUIRE_SHARED=1) but missing");
    }
    skipped(
        test,
        "../shared/fixtures is not present next to the repository",
    );
    None
}

/// Says that a test skipped its body, and why: on stderr (shown by `--nocapture`) and, when
/// `KAKUNIN_SKIP_LOG` names a file, as a line there, which `scripts/test` prints and counts at
/// the end (cargo hides a passing test's output, and counts a skipped body as passed).
pub fn skipped(test: &str, why: &str) {
    eprintln!("SKIPPED {test}: {why}");
    if let Some(log) = std::env::var_os("KAKUNIN_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            // One write of the whole line: with O_APPEND it cannot interleave with another
            // test's line (`writeln!` on a File writes piece by piece, and lines were merged).
            let _ = f.write_all(format!("{test}: {why}\n").as_bytes());
        }
    }
}

/// A fresh temporary directory for one test, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "kakunin-test-{name}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
