//! The house rules the compiler alone cannot hold: the verification crate decides and never
//! fetches (docs/architecture.md, "Crates").

use std::path::{Path, PathBuf};

fn verify_crate() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/kakunin-verify")
}

/// The names of the direct dependencies in a `[dependencies]` table of a Cargo.toml.
fn direct_dependencies(manifest: &str) -> Vec<String> {
    let mut deps = Vec::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
            continue;
        }
        if inside && !line.is_empty() && !line.starts_with('#') {
            if let Some((name, _)) = line.split_once('=') {
                deps.push(name.trim().trim_matches('"').to_string());
            }
        }
    }
    deps
}

const IO_CRATES: [&str; 5] = ["tokio", "reqwest", "oci-client", "hyper", "indicatif"];

#[test]
fn the_verification_crate_depends_on_no_network_or_runtime_crate() {
    let manifest = std::fs::read_to_string(verify_crate().join("Cargo.toml")).unwrap();
    let deps = direct_dependencies(&manifest);
    assert!(deps.contains(&"sigstore-verify".to_string()), "{deps:?}");
    for io in IO_CRATES {
        assert!(
            !deps.iter().any(|d| d == io),
            "kakunin-verify must not depend on {io}: expected none of {IO_CRATES:?}, found {deps:?}"
        );
    }
}

#[test]
fn the_verification_crate_reads_no_environment_and_starts_no_runtime() {
    let mut offenders = Vec::new();
    let mut stack = vec![verify_crate().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // Unit tests may make temporary files; the library may not.
            let library = text.split("#[cfg(test)]").next().unwrap_or("");
            for (n, line) in library.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for banned in [
                    "std::env::var",
                    "std::env::home_dir",
                    "tokio::",
                    "reqwest::",
                    "oci_client::",
                    "std::net::",
                    "std::process::",
                ] {
                    if code.contains(banned) {
                        offenders.push(format!("{}:{}: {banned}", path.display(), n + 1));
                    }
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "expected no I/O of its own in kakunin-verify, found:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_dependency_reader_sees_a_forbidden_crate() {
    // The check above can fail: a manifest naming tokio is caught.
    let deps = direct_dependencies("[package]\nname = \"x\"\n[dependencies]\ntokio = \"1\"\n");
    assert_eq!(deps, ["tokio"]);
}

/// Lines of `code` (up to its unit tests) that build a tokio runtime.
fn runtime_builders(code: &str) -> Vec<usize> {
    code.lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .enumerate()
        .filter(|(_, l)| {
            let l = l.trim_start();
            !l.starts_with("//")
                && ["runtime::Builder", "Runtime::new", "#[tokio::main]"]
                    .iter()
                    .any(|b| l.contains(b))
        })
        .map(|(n, _)| n + 1)
        .collect()
}

#[test]
fn only_the_cli_builds_a_runtime() {
    // One tokio runtime per run, owned by the CLI (src/cli/runtime.rs) and passed to the
    // commands; library code and the other CLI files run on it (docs/architecture.md, "Ops").
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let the_one = src.join("cli/runtime.rs");
    let mut offenders = Vec::new();
    let mut dirs = vec![src];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && path != the_one {
                let code = std::fs::read_to_string(&path).unwrap();
                for n in runtime_builders(&code) {
                    offenders.push(format!("{}:{n}", path.display()));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "expected one runtime, built in src/cli/runtime.rs; also built at:\n{}",
        offenders.join("\n")
    );
    let one = std::fs::read_to_string(&the_one).unwrap();
    assert_eq!(
        runtime_builders(&one).len(),
        1,
        "src/cli/runtime.rs builds the runtime once"
    );
}

#[test]
fn the_runtime_scanner_sees_a_runtime_being_built() {
    // The check above can fail: a second runtime is caught, a comment or a unit test is not.
    let code = "fn f() {\n    // tokio::runtime::Builder in a comment\n    let rt = tokio::runtime::Builder::new_current_thread();\n}\n#[cfg(test)]\nmod tests { fn t() { tokio::runtime::Runtime::new(); } }\n";
    assert_eq!(runtime_builders(code), [3]);
}
