//! The fuzz corpus as an ordinary test: every file of `fuzz/corpus/TARGET/`, its truncations and
//! its bit flips go through the same entry point the cargo-fuzz target `TARGET` calls
//! (`kakunin_verify::fuzz`, `kakunin::fuzz`). None may panic, and each must return within a
//! bound. The layout is checked too: one corpus directory, one `fuzz_targets/TARGET.rs` calling
//! that entry point and one `[[bin]]` in fuzz/Cargo.toml per target, and nothing else there.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kakunin::fuzz::{Target, all_targets};

/// The most one parse of one small input may take (a debug build, on a loaded machine).
const BOUND: Duration = Duration::from_secs(5);

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The input, every prefix at a few cut points, and single-bit flips spread over it.
fn variants(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![("whole".to_string(), data.to_vec())];
    let n = data.len();
    let mut cuts: Vec<usize> = (0..=16.min(n)).collect();
    cuts.extend([n / 4, n / 2, 3 * n / 4, n.saturating_sub(1)]);
    cuts.sort_unstable();
    cuts.dedup();
    for cut in cuts.into_iter().filter(|&c| c < n) {
        out.push((format!("first {cut} bytes"), data[..cut].to_vec()));
    }
    let step = (n / 48).max(1);
    for pos in (0..n).step_by(step) {
        for bit in [0u8, 5, 7] {
            let mut flipped = data.to_vec();
            flipped[pos] ^= 1 << bit;
            out.push((format!("bit {bit} of byte {pos} flipped"), flipped));
        }
    }
    out
}

/// Runs one input; a panic or a run past [`BOUND`] is returned as a failure.
fn run(target: &Target, data: &[u8]) -> Result<(), String> {
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| (target.run)(data)));
    let took = start.elapsed();
    match result {
        Err(_) => Err("panicked".into()),
        Ok(()) if took > BOUND => Err(format!("took {took:?}, more than {BOUND:?}")),
        Ok(()) => Ok(()),
    }
}

#[test]
fn every_corpus_file_and_its_mutations_parse_without_panic_in_bounded_time() {
    let corpus = fuzz_dir().join("corpus");
    let mut failures = Vec::new();
    let mut inputs = 0;
    for target in all_targets() {
        let dir = corpus.join(target.name);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/gen-fuzz-corpus)", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: no seed", dir.display());
        for file in files {
            let data = std::fs::read(&file).unwrap();
            for (what, input) in variants(&data) {
                inputs += 1;
                if let Err(why) = run(&target, &input) {
                    failures.push(format!("{} {}, {what}: {why}", target.name, file.display()));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{inputs} inputs:\n{}",
        failures.join("\n")
    );
}

#[test]
fn each_entry_point_has_a_fuzz_target_and_a_corpus_and_nothing_else_is_there() {
    let dir = fuzz_dir();
    let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let names: Vec<&str> = all_targets().iter().map(|t| t.name).collect();
    for (krate, targets) in [
        ("kakunin_verify", kakunin_verify::fuzz::TARGETS),
        ("kakunin", kakunin::fuzz::TARGETS),
    ] {
        for t in targets {
            let src = std::fs::read_to_string(dir.join(format!("fuzz_targets/{}.rs", t.name)))
                .unwrap_or_else(|e| panic!("fuzz_targets/{}.rs: {e}", t.name));
            let call = format!("{krate}::fuzz::{}(data)", t.name);
            assert!(
                src.contains(&call),
                "fuzz_targets/{}.rs must call {call}",
                t.name
            );
            let bin = format!(
                "name = \"{}\"\npath = \"fuzz_targets/{}.rs\"",
                t.name, t.name
            );
            assert!(
                toml.contains(&bin),
                "fuzz/Cargo.toml: no [[bin]] {}",
                t.name
            );
        }
    }
    for sub in ["fuzz_targets", "corpus"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let name = name.trim_end_matches(".rs");
            assert!(
                names.contains(&name),
                "fuzz/{sub}/{name} is no entry point's"
            );
        }
    }
    assert_eq!(
        toml.matches("[[bin]]").count(),
        names.len(),
        "one [[bin]] per target"
    );
}

#[test]
fn the_corpus_test_catches_a_panicking_parser() {
    fn panics(data: &[u8]) {
        assert!(data.len() < 3, "a parser bug");
    }
    let t = Target {
        name: "panics",
        run: panics,
    };
    assert!(run(&t, b"ab").is_ok());
    let failing: Vec<_> = variants(b"abcdef")
        .into_iter()
        .filter(|(_, input)| run(&t, input).is_err())
        .collect();
    assert!(failing.iter().any(|(what, _)| what == "whole"));
    assert!(failing.iter().all(|(_, input)| input.len() >= 3));
}
