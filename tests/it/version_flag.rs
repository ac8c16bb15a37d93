//! `--version` (issue 10, defect 10): only `kakunin --version` / `-V` prints kakunin's version;
//! on `verify` and `download` it is the chart version as in Helm (`CHART --version V` is
//! `CHART@V`), on every other subcommand a usage error. Nothing but a completed verification
//! exits 0 from a verify command.

use crate::common::{TempDir, code, repo, run, stderr, stdout};
use crate::world::{trusted_root, world};

fn kit_args() -> Vec<String> {
    let kit = repo().join("fixtures/kit-gomenhashai-1.3.2");
    let root = repo().join("fixtures/test-sigstore/trusted_root.json");
    vec![
        "verify".into(),
        "--offline".into(),
        "--kit".into(),
        kit.display().to_string(),
        "--trusted-root".into(),
        root.display().to_string(),
    ]
}

fn run_s(args: &[String]) -> std::process::Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[test]
fn only_kakunin_itself_prints_its_version() {
    for flag in ["--version", "-V"] {
        let out = run(&[flag]);
        assert_eq!(code(&out), 0, "{flag}: {}", stderr(&out));
        assert_eq!(
            stdout(&out).trim(),
            format!("kakunin {}", env!("CARGO_PKG_VERSION")),
            "{flag}"
        );
    }
}

/// Every subcommand kakunin lists (read from `kakunin --help`, so a new one is covered too).
fn subcommands() -> Vec<String> {
    let help = stdout(&run(&["--help"]));
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

#[test]
fn on_subcommands_without_a_chart_version_is_a_usage_error() {
    let subs = subcommands();
    assert!(
        subs.len() >= 9 && subs.iter().any(|s| s == "verify-bundle"),
        "{subs:?}"
    );
    let nested = [
        vec!["trust-root", "show"],
        vec!["trust-root", "update"],
        vec!["publish", "chart"],
        vec!["publish", "image"],
    ];
    let mut cases: Vec<Vec<&str>> = subs.iter().map(|s| vec![s.as_str()]).collect();
    cases.extend(nested);
    for case in cases {
        if ["verify", "download"].contains(&case[0]) {
            continue;
        }
        for flag in [vec!["--version"], vec!["--version", "1.2.3"], vec!["-V"]] {
            let args: Vec<&str> = case.iter().chain(&flag).copied().collect();
            let out = run(&args);
            assert_eq!(code(&out), 2, "{args:?}: {}{}", stdout(&out), stderr(&out));
            assert!(
                !stdout(&out).contains(env!("CARGO_PKG_VERSION")),
                "{args:?} printed a version: {}",
                stdout(&out)
            );
        }
    }
}

#[test]
fn verify_chart_version_flag_is_the_release_as_in_helm() {
    // The release named by --version is verified: the same report as CHART@VERSION.
    let mut by_flag = kit_args();
    by_flag.extend(["gomenhashai", "--version", "1.3.2", "--output", "json"].map(String::from));
    let mut by_at = kit_args();
    by_at.extend(["gomenhashai@1.3.2", "--output", "json"].map(String::from));
    let (a, b) = (run_s(&by_flag), run_s(&by_at));
    assert_eq!(code(&a), 0, "{}{}", stdout(&a), stderr(&a));
    let checks = |o: &std::process::Output| {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["reports"][0]["subject"], "gomenhashai@1.3.2");
        v["reports"][0]["checks"].clone()
    };
    assert_eq!(checks(&a), checks(&b));

    // A version the kit does not hold, and two versions that disagree: usage errors, in every
    // output format, with no report that could read as verified.
    for output in ["human", "json", "sarif", "junit"] {
        for extra in [
            vec!["gomenhashai", "--version", "1.3.1"],
            vec!["gomenhashai@1.3.2", "--version", "1.3.1"],
            vec!["--version", "1.3.1"],
            vec!["gomenhashai", "--version"],
        ] {
            let mut args = kit_args();
            args.extend(extra.iter().map(|s| s.to_string()));
            args.extend(["--output".into(), output.into()]);
            let out = run_s(&args);
            assert_eq!(code(&out), 2, "{extra:?} {output}: {}", stderr(&out));
            assert!(stdout(&out).is_empty(), "{extra:?}: {}", stdout(&out));
            assert!(!stderr(&out).contains("kakunin-verify"), "{}", stderr(&out));
        }
    }
    // Helm's spelling with --all-versions is refused too (a version and every version).
    let out = run(&[
        "verify",
        "gomenhashai",
        "--version",
        "1.3.2",
        "--all-versions",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("--version"), "{}", stderr(&out));
}

#[test]
fn download_chart_version_flag_is_the_release_as_in_helm() {
    let out = run(&[
        "download",
        "gomenhashai@1.3.2",
        "--version",
        "1.3.1",
        "--to",
        "/nonexistent/kit",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("name different versions"),
        "{}",
        stderr(&out)
    );
    let out = run(&["download", "gomenhashai", "--to", "/nonexistent/kit"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));

    let w = world();
    let Some(served) = w.serve("version_flag::download_chart_version_flag") else {
        return;
    };
    let dir = TempDir::new("version-flag-kit");
    let kit = dir.path().join("kit");
    let cache = dir.path().join("cache");
    let out = run(&[
        "download",
        "gomenhashai",
        "--version",
        "1.3.2",
        "--profile",
        &served.profile.display().to_string(),
        "--to",
        &kit.display().to_string(),
        "--cache-dir",
        &cache.display().to_string(),
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let manifest: kakunin::fetch::kit::KitManifest =
        serde_json::from_slice(&std::fs::read(kit.join("kit.json")).unwrap()).unwrap();
    assert_eq!(manifest.version, "1.3.2");
    // And it verifies offline as the release it names.
    let out = run(&[
        "verify",
        "--offline",
        "--kit",
        &kit.display().to_string(),
        "--trusted-root",
        &trusted_root().display().to_string(),
        "--profile",
        &served.profile.display().to_string(),
        "gomenhashai",
        "--version",
        "1.3.2",
    ]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
}
