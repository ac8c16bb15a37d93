//! Byte flips in every JSON and YAML file of the README's kit: never a panic, and a release
//! is verified (exit 0) only when the flip lands in bytes nothing signs or checks, in which
//! case the report is the untouched kit's (but for the evidence lines, which name the files
//! and say when one no longer matches kit.json).
//!
//! Each flip runs the library in-process, as `kakunin verify --offline --kit DIR` does: open
//! the kit (an error is exit 2), the built-in profile of the release it names, gather, verify.
//! The flips are deterministic (a fixed seed per file); `KAKUNIN_FLIPS` sets how many per file.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

use kakunin::exit::ExitCode;
use kakunin::fetch::{FetchOptions, Fetcher};
use kakunin::profile::Profile;
use kakunin::release::{self, Context};
use kakunin::trust::Trust;

use crate::evidence::KitCopy;
use crate::world::trusted_root;

/// Panics on the threads this test runs verification on (its own and its runtime's).
static PANICS: AtomicUsize = AtomicUsize::new(0);
const WORKER: &str = "byte-flip-worker";

/// One offline verification of `kit`, as the CLI runs it: the exit code and the report.
fn verify(rt: &tokio::runtime::Runtime, kit: &Path, trust: &Trust) -> (ExitCode, Option<Value>) {
    let fetcher = match Fetcher::new(FetchOptions {
        kit: Some(kit.to_path_buf()),
        offline: true,
        no_cache: true,
        ..FetchOptions::default()
    }) {
        Ok(f) => f,
        Err(_) => return (ExitCode::Usage, None),
    };
    let m = fetcher.kit().expect("a kit").manifest().clone();
    let Ok(profile) = Profile::builtin(&m.chart) else {
        return (ExitCode::Usage, None);
    };
    let ev = match rt.block_on(release::gather::gather(
        &fetcher, &profile, &m.version, None,
    )) {
        Ok((ev, _)) => ev,
        Err(_) => return (ExitCode::Usage, None),
    };
    let ctx = Context {
        profile: &profile,
        trust,
        keyring: None,
    };
    let report = release::verify(&ev, &ctx);
    let code = report.exit_code();
    let json = serde_json::to_value(&report).expect("a report serializes");
    (code, Some(without_evidence(json)))
}

/// What names a kit file that no longer matches kit.json (in evidence, and in the `found` of
/// the checks that list their sources).
const NOTE: &str = "; it does not match kit.json, which records sha256:";

/// The report minus what names the files: the evidence lines, and the note a kit file that no
/// longer matches kit.json carries wherever its source is named.
fn without_evidence(mut v: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::String(s) => {
                while let Some(at) = s.find(NOTE) {
                    let end = (at + NOTE.len() + 64).min(s.len());
                    s.replace_range(at..end, "");
                }
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            Value::Object(o) => o.values_mut().for_each(strip),
            _ => {}
        }
    }
    if let Some(checks) = v.get_mut("checks").and_then(Value::as_array_mut) {
        for c in checks {
            if let Some(o) = c.as_object_mut() {
                o.remove("evidence");
            }
        }
    }
    strip(&mut v);
    v
}

/// The checks of `report` that differ from the baseline's.
fn differences(report: &Value, baseline: &Value) -> String {
    let empty = Vec::new();
    let theirs = baseline["checks"].as_array().unwrap_or(&empty);
    let ours = report["checks"].as_array().unwrap_or(&empty);
    let mut out: Vec<String> = ours
        .iter()
        .filter(|c| !theirs.contains(c))
        .map(|c| format!("  now {c}"))
        .collect();
    out.extend(
        theirs
            .iter()
            .filter(|c| !ours.contains(c))
            .map(|c| format!("  was {c}")),
    );
    if report["details"] != baseline["details"] {
        out.push(format!("  details now {}", report["details"]));
    }
    out.join("\n")
}

#[test]
fn byte_flips_in_the_kits_json_and_yaml_never_panic_nor_pass_with_another_report() {
    let flips: usize = std::env::var("KAKUNIN_FLIPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100);
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let name = std::thread::current().name().unwrap_or("").to_string();
        if name.starts_with(WORKER) || name.contains("byte_flips") {
            PANICS.fetch_add(1, Ordering::SeqCst);
        }
        default_hook(info);
    }));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(WORKER)
        .enable_all()
        .build()
        .unwrap();
    let trust = Trust::from_file(&trusted_root()).unwrap();
    let kit = KitCopy::new("byte-flip");

    let (code, baseline) = verify(&rt, &kit.path, &trust);
    assert_eq!(code, ExitCode::Verified, "the untouched kit verifies");
    let baseline = baseline.unwrap();

    // Every JSON/YAML file: kit.json and each file it lists but the chart package, and every
    // file of the image's OCI layout (its index.json, oci-layout and JSON blobs).
    let mut files = vec!["kit.json".to_string()];
    for f in kit.kit_json()["files"].as_array().unwrap() {
        if f["role"] != "chart" {
            files.push(f["path"].as_str().unwrap().to_string());
        }
    }
    let layout = "images/ghcr.io/gomenhashai/gomenhashai";
    files.push(format!("{layout}/index.json"));
    files.push(format!("{layout}/oci-layout"));
    let mut blobs: Vec<String> = std::fs::read_dir(kit.file(&format!("{layout}/blobs/sha256")))
        .unwrap()
        .map(|e| {
            format!(
                "{layout}/blobs/sha256/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    blobs.sort();
    files.extend(blobs);
    assert_eq!(files.len(), 16, "{files:?}");

    let started = std::time::Instant::now();
    let mut tally: Vec<String> = Vec::new();
    let mut bad: Vec<String> = Vec::new();
    for (n, rel) in files.iter().enumerate() {
        let path = kit.file(rel);
        let original = std::fs::read(&path).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(0x6b61_6b75_6e69_6e00 + n as u64);
        let mut codes = [0usize; 4];
        for _ in 0..flips {
            let at = rng.gen_range(0..original.len());
            let x: u8 = rng.gen_range(1..=255);
            let mut bytes = original.clone();
            bytes[at] ^= x;
            std::fs::write(&path, &bytes).unwrap();
            let before = PANICS.load(Ordering::SeqCst);
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                verify(&rt, &kit.path, &trust)
            }));
            let flip = format!(
                "{rel} byte {at} ({:?} -> {:?})",
                original[at] as char, bytes[at] as char
            );
            let (code, report) = match run {
                Ok(r) => r,
                Err(_) => {
                    bad.push(format!("{flip}: panicked"));
                    continue;
                }
            };
            if PANICS.load(Ordering::SeqCst) != before {
                bad.push(format!("{flip}: a task panicked"));
            }
            codes[code.code() as usize] += 1;
            if code == ExitCode::Verified {
                let report = report.expect("a verified run has a report");
                if report != baseline {
                    bad.push(format!(
                        "{flip}: verified with another report:\n{}",
                        differences(&report, &baseline)
                    ));
                }
            }
        }
        std::fs::write(&path, &original).unwrap();
        tally.push(format!(
            "{rel}: exit 0 x{}, 1 x{}, 2 x{}, 3 x{}",
            codes[0], codes[1], codes[2], codes[3]
        ));
    }
    eprintln!(
        "{} flips per file in {:.1?}:\n  {}",
        flips,
        started.elapsed(),
        tally.join("\n  ")
    );
    assert!(
        bad.is_empty(),
        "{} bad flips:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // The kit is whole again.
    assert_eq!(verify(&rt, &kit.path, &trust).0, ExitCode::Verified);
}
