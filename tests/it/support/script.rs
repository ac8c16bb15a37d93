//! Executable scripts a test writes and then runs (or has kakunin run), written so that running
//! them cannot fail with ETXTBSY.
//!
//! Shared with the library's unit tests (`src/credentials.rs` includes this file by path).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Writes the executable `path` without this process ever holding it open for writing: a shell
/// writes it. A test thread that forks while such a descriptor is open hands it to its child
/// until that child execs, and running the script meanwhile fails with ETXTBSY ("Text file
/// busy"), at random.
pub fn write_script(path: &Path, body: &str) {
    let mut sh = Command::new("/bin/sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    sh.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    assert!(
        sh.wait().unwrap().success(),
        "{} not written",
        path.display()
    );
}
