//! `kakunin verify` of an OCI chart that deploys 20 images, against verifying the same 21
//! Sigstore bundles one by one with 21 `kakunin verify-bundle` processes (issue 14's speed
//! goal: cold at most 1x, warm under 0.5x). Everything is real and on loopback: Debian's
//! docker-registry holds the chart (Helm's OCI layout, signed by a cosign v3 bundle on the
//! referrers fallback tag) and its 20 images, signed by the test Sigstore instance in three
//! forms: cosign's legacy `.sig` tag (7), a cosign v3 bundle referrer on the fallback tag (7),
//! and a GitHub-style DSSE SLSA provenance attestation (6, `signature: false` in the policy).
//!
//! Printed: the median wall time of the 21 verify-bundle processes (each given its bundle and
//! the bytes it signs, offline), of `kakunin verify CHART --policy FILE` cold (a new, empty
//! cache each run) and warm (the cache of a cold run), their ratios, and the registry requests
//! of a cold and a warm run (from the registry's access log), with any request made twice.
//! Run: `cargo bench --bench chart_images` (KAKUNIN_BENCH_RUNS, default 5). Needs what the
//! tests need: docker-registry and the test Sigstore instance (`scripts/setup-test-env`).
//!
//! Also, for comparing builds on a loaded machine: `KAKUNIN_BENCH_BIN=PATH` runs `verify` with
//! another kakunin binary (an earlier build; verify-bundle stays this build's), and
//! `KAKUNIN_BENCH_CALLGRIND=1` then counts the instructions (valgrind's callgrind, which
//! other load does not change) of one cold and one warm `verify` and of the 21 verify-bundle
//! processes; `KAKUNIN_BENCH_REQUESTS=1` lists the requests of the first cold and warm run;
//! `KAKUNIN_BENCH_OTHER_BIN=PATH` also times another build's cold and warm `verify`, each run
//! beside this one's on the same world, and prints its ratios (two builds compared in one run).

#![allow(dead_code)]

#[path = "common/mod.rs"]
mod bench_common;
#[path = "../tests/it/common.rs"]
mod common;
#[path = "../tests/it/sigstore_instance.rs"]
mod sigstore_instance;
#[path = "../tests/it/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use bench_common::{median_of, runs, timed};
use common::TempDir;
use sigstore_instance::{GITHUB_ISSUER, GithubToken, TestSigstore};
use support::keyless::{attest, chart_tgz, push_chart, sign_keyless};
use support::registry::Registry;

const CHART: &str = "o/charts/demo";
const IMAGES: usize = 20;

/// One of the 21 bundles, as verify-bundle takes it: the bundle file and the signed bytes.
struct Signed {
    bundle: PathBuf,
    artifact: PathBuf,
}

/// The registry, the chart and its images, signed; the policy file and the bundles.
struct World {
    reg: Registry,
    instance: TestSigstore,
    dir: TempDir,
    policy: PathBuf,
    bundles: Vec<Signed>,
    identity: String,
}

fn keep(dir: &Path, label: &str, bundle: &[u8], artifact: &[u8]) -> Signed {
    let s = Signed {
        bundle: dir.join(format!("{label}.sigstore.json")),
        artifact: dir.join(format!("{label}.artifact")),
    };
    std::fs::write(&s.bundle, bundle).unwrap();
    std::fs::write(&s.artifact, artifact).unwrap();
    s
}

fn world() -> Option<World> {
    let reg = Registry::start("bench chart_images")?;
    let instance = TestSigstore::start();
    let dir = TempDir::new("bench-chart-images");
    let tok = GithubToken::new("o/demo", "release.yaml", "refs/tags/v1.0.0");
    let mut bundles = Vec::new();
    let mut values = String::new();
    for i in 0..IMAGES {
        let form = ["legacy", "bundle", "attested"][i % 3];
        let repo = format!("o/{form}-{i}");
        let image = reg.push_image(&repo, "v1.0.0", &format!("bench-{i}"));
        let label = format!("image-{i}");
        let signed = match form {
            "attested" => {
                let slsa = "https://slsa.dev/provenance/v1";
                let b = attest(
                    &reg,
                    &instance,
                    &tok,
                    dir.path(),
                    &repo,
                    &image,
                    slsa,
                    &label,
                );
                keep(dir.path(), &label, &b, &image.manifest)
            }
            _ => {
                let s = sign_keyless(&reg, &instance, &tok, &repo, &image, form == "legacy");
                keep(dir.path(), &label, &s.bundle, &s.artifact)
            }
        };
        bundles.push(signed);
        values.push_str(&format!(
            "c{i}:\n  image:\n    repository: {}/{repo}\n    digest: \"{}\"\n",
            reg.host(),
            image.digest
        ));
    }
    let chart = push_chart(&reg, CHART, &chart_tgz("demo", "1.0.0", &values), None);
    let s = sign_keyless(&reg, &instance, &tok, CHART, &chart, false);
    bundles.push(keep(dir.path(), "chart", &s.bundle, &s.artifact));
    let github = "github: {repository: o/demo, workflow: .github/workflows/release.yaml}";
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!(
            "trusted_root: {root}
chart:
  name: demo
  signer:
    {github}
images:
  - repository: 127.0.0.1:*/o/attested-*
    signer:
      {github}
    signature: false
    attestations:
      - predicate_type: slsaprovenance1
  - repository: 127.0.0.1:*/o/*
    signer:
      {github}
",
            root = instance.trusted_root().display()
        ),
    )
    .unwrap();
    Some(World {
        reg,
        instance,
        dir,
        policy,
        bundles,
        identity: tok.identity(),
    })
}

/// Where the runs' caches are made (a new, empty directory for each cold run), removed at the
/// end: `KAKUNIN_BENCH_CACHE_ROOT`, else under the user's cache directory as kakunin resolves
/// it (`kakunin::fetch::cache::user_cache_dir`), where `verify` keeps its cache by default, so
/// that a cold run writes its files where a user's does. (On this project's CI machines the
/// temporary directory's part of the disk made each file created there cost ~0.7 ms, ~30x
/// what it costs under `$HOME/.cache` of the same file system: a cold run's 116 cache files
/// took ~80 ms there.)
struct CacheRoot(PathBuf);

impl CacheRoot {
    fn new() -> CacheRoot {
        let base = std::env::var_os("KAKUNIN_BENCH_CACHE_ROOT")
            .map(PathBuf::from)
            .or_else(kakunin::fetch::cache::user_cache_dir)
            .unwrap_or_else(std::env::temp_dir);
        let dir = base.join(format!("kakunin-bench-chart-images-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("the cache root can be made");
        CacheRoot(dir)
    }
}

impl Drop for CacheRoot {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The kakunin that runs `verify`: `KAKUNIN_BENCH_BIN`, else this build's.
fn verify_bin() -> PathBuf {
    std::env::var_os("KAKUNIN_BENCH_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_kakunin").into())
}

/// `cmd` under callgrind, writing `out`.
fn callgrind(cmd: &Command, out: &Path) -> Command {
    let mut c = Command::new("valgrind");
    c.arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg(cmd.get_program())
        .args(cmd.get_args());
    c
}

/// The instructions a callgrind output file counts (its `summary:` or `totals:` line).
fn instructions(out: &Path) -> u64 {
    let text = std::fs::read_to_string(out).expect("a callgrind output");
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("an instruction count")
}

impl World {
    /// `kakunin verify oci://…/o/charts/demo --version 1.0.0 --policy FILE` with `cache`.
    fn verify(&self, cache: &Path) -> Command {
        self.verify_with(&verify_bin(), cache)
    }

    /// The same `verify` with the kakunin binary `bin`.
    fn verify_with(&self, bin: &Path, cache: &Path) -> Command {
        let mut c = Command::new(bin);
        c.arg("verify")
            .arg(format!("oci://{}/{CHART}", self.reg.host()))
            .args(["--version", "1.0.0", "--policy"])
            .arg(&self.policy)
            .arg("--cache-dir")
            .arg(cache)
            .args(["--quiet", "-o", "json"]);
        c
    }

    /// The 21 verify-bundle processes, one after the other; their total wall time.
    fn verify_bundles(&self) -> Duration {
        self.bundle_commands()
            .iter_mut()
            .map(|c| timed(c, 0).0)
            .sum()
    }

    /// The 21 verify-bundle commands.
    fn bundle_commands(&self) -> Vec<Command> {
        let root = self.instance.trusted_root();
        self.bundles
            .iter()
            .map(|s| {
                let mut c = Command::new(env!("CARGO_BIN_EXE_kakunin"));
                c.arg("verify-bundle")
                    .arg("--bundle")
                    .arg(&s.bundle)
                    .arg("--trusted-root")
                    .arg(&root)
                    .args(["--certificate-identity", &self.identity])
                    .args(["--certificate-oidc-issuer", GITHUB_ISSUER])
                    .args(["--quiet", "-o", "json"])
                    .arg(&s.artifact);
                c
            })
            .collect()
    }

    /// Instructions (callgrind) of one cold and one warm verify, and of the 21 verify-bundle.
    fn instructions(&self) -> (u64, u64, u64) {
        let dir = self.dir.path().join("callgrind");
        std::fs::create_dir_all(&dir).unwrap();
        let cache = dir.join("cache");
        let run = |cmd: &Command, name: &str| {
            let out = dir.join(name);
            let (_, o) = timed(&mut callgrind(cmd, &out), 0);
            (o, instructions(&out))
        };
        let (o, cold) = run(&self.verify(&cache), "cold");
        check_report(&o.stdout);
        let (o, warm) = run(&self.verify(&cache), "warm");
        check_report(&o.stdout);
        let bundles = self
            .bundle_commands()
            .iter()
            .enumerate()
            .map(|(i, c)| run(c, &format!("bundle-{i}")).1)
            .sum();
        (cold, warm, bundles)
    }

    /// The registry's access log lines so far (`"GET /v2/… HTTP/1.1" 200 …`), as `GET path`.
    fn requests(&self) -> Vec<String> {
        self.reg
            .log()
            .lines()
            .filter_map(|l| {
                let q = l.split('"').nth(1)?;
                let mut w = q.split(' ');
                Some(format!("{} {}", w.next()?, w.next()?))
            })
            .filter(|r| r.contains(" /v2/"))
            .collect()
    }
}

/// The CPU time (user and system) of the children this process has waited for so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut u) } != 0 {
        return Duration::ZERO;
    }
    let t = |v: libc::timeval| Duration::new(v.tv_sec as u64, v.tv_usec as u32 * 1000);
    t(u.ru_utime) + t(u.ru_stime)
}

/// CPU time spent during runs: kakunin's own (or verify-bundle's), and the registry's.
#[derive(Default)]
struct Cpu {
    own: Duration,
    registry: Duration,
    runs: u32,
}

impl Cpu {
    /// Runs `f`, adding the CPU time its children and the registry used.
    fn measure<T>(&mut self, reg: &Registry, f: impl FnOnce() -> T) -> T {
        let (own, registry) = (children_cpu(), reg.cpu_time().unwrap_or_default());
        let out = f();
        self.own += children_cpu().saturating_sub(own);
        self.registry += reg.cpu_time().unwrap_or_default().saturating_sub(registry);
        self.runs += 1;
        out
    }

    /// The mean per run, in ms: `(own, registry)`.
    fn per_run(&self) -> (f64, f64) {
        let n = f64::from(self.runs.max(1));
        (
            self.own.as_secs_f64() * 1e3 / n,
            self.registry.as_secs_f64() * 1e3 / n,
        )
    }
}

/// The requests of one run (the log's lines after `before`): their count and those repeated.
fn tally(all: Vec<String>, before: usize) -> (usize, Vec<(String, usize)>) {
    let run = &all[before..];
    let mut seen = BTreeMap::<&str, usize>::new();
    for r in run {
        *seen.entry(r).or_default() += 1;
    }
    let repeated = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(r, n)| (r.to_string(), n))
        .collect();
    (run.len(), repeated)
}

/// The report of a verify run: every check passed, and one per image signed.
fn check_report(stdout: &[u8]) {
    let r: serde_json::Value = serde_json::from_slice(stdout).expect("a JSON report");
    let checks = r["reports"][0]["checks"].as_array().unwrap();
    let count = |id: &str| checks.iter().filter(|c| c["id"] == id).count();
    assert!(checks.iter().all(|c| c["outcome"] == "pass"), "{r:#}");
    assert_eq!(
        count("image.signature") + count("image.attestation"),
        IMAGES,
        "{r:#}"
    );
    assert_eq!(count("chart.signature"), 1, "{r:#}");
}

fn main() {
    let Some(w) = world() else {
        println!("chart_images: skipped (docker-registry is not installed)");
        return;
    };
    let runs = runs(5, 1, 50);
    let mut bundles = Vec::new();
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut counts = None;
    let (mut cold_list, mut warm_list) = (Vec::new(), Vec::new());
    let caches = CacheRoot::new();
    // CPU time of the cold runs, the warm runs and the verify-bundle processes.
    let mut cpu = (Cpu::default(), Cpu::default(), Cpu::default());
    let other_bin = std::env::var_os("KAKUNIN_BENCH_OTHER_BIN").map(PathBuf::from);
    let mut other = (Vec::new(), Vec::new());
    // Interleaved, so that all three see the same machine.
    for i in 0..runs {
        bundles.push(cpu.2.measure(&w.reg, || w.verify_bundles()));
        let cache = caches.0.join(format!("cache-{i}"));
        let before = w.requests().len();
        let (t, out) = cpu.0.measure(&w.reg, || timed(&mut w.verify(&cache), 0));
        check_report(&out.stdout);
        cold.push(t);
        let cold_requests = tally(w.requests(), before);
        if i == 0 {
            cold_list = w.requests()[before..].to_vec();
        }
        let before = w.requests().len();
        let (t, out) = cpu.1.measure(&w.reg, || timed(&mut w.verify(&cache), 0));
        check_report(&out.stdout);
        warm.push(t);
        if i == 0 {
            warm_list = w.requests()[before..].to_vec();
        }
        counts.get_or_insert((cold_requests, tally(w.requests(), before)));
        if let Some(bin) = &other_bin {
            let cache = caches.0.join(format!("other-cache-{i}"));
            for times in [&mut other.0, &mut other.1] {
                let (t, out) = timed(&mut w.verify_with(bin, &cache), 0);
                check_report(&out.stdout);
                times.push(t);
            }
        }
    }
    let (b, c, wm) = (median_of(bundles), median_of(cold), median_of(warm));
    let ((cold_n, cold_rep), (warm_n, warm_rep)) = counts.unwrap();
    println!(
        "chart with {IMAGES} images (7 cosign .sig, 7 cosign v3 bundle on the referrers fallback tag, 6 DSSE SLSA attestations) and a signed chart manifest, median of {runs}"
    );
    println!("  caches (one per cold run) in {}", caches.0.display());
    println!("  21 kakunin verify-bundle processes, one by one: {b:?}");
    println!(
        "  kakunin verify CHART --policy, cold cache:     {c:?} ({cold_n} registry requests, {} repeated)",
        cold_rep.len()
    );
    println!(
        "  kakunin verify CHART --policy, warm cache:     {wm:?} ({warm_n} registry requests, {} repeated)",
        warm_rep.len()
    );
    for (r, n) in cold_rep.iter().chain(&warm_rep) {
        println!("    repeated: {r} ({n} times)");
    }
    if std::env::var_os("KAKUNIN_BENCH_REQUESTS").is_some() {
        for (label, list) in [("cold", &cold_list), ("warm", &warm_list)] {
            for r in list {
                println!("    {label}: {r}");
            }
        }
    }
    println!(
        "  ratio cold / verify-bundle: {:.2} (goal <= 1); warm / verify-bundle: {:.2} (goal < 0.5)",
        c.as_secs_f64() / b.as_secs_f64(),
        wm.as_secs_f64() / b.as_secs_f64()
    );
    // The registry serves kakunin's requests on the same CPUs: what both use of them bounds
    // a run's wall time from below (the verify-bundle processes make no request).
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    for (label, c) in [
        ("cold verify", &cpu.0),
        ("warm verify", &cpu.1),
        ("21 verify-bundle", &cpu.2),
    ] {
        let (own, reg) = c.per_run();
        println!(
            "  CPU per run, {label}: kakunin {own:.1} ms, registry {reg:.1} ms; ({own:.1} + {reg:.1}) / {cpus} CPUs = {:.1} ms",
            (own + reg) / cpus
        );
    }
    if let Some(bin) = &other_bin {
        let (oc, ow) = (median_of(other.0), median_of(other.1));
        println!(
            "  other build {}: cold {oc:?} ({:.2}), warm {ow:?} ({:.2})",
            bin.display(),
            oc.as_secs_f64() / b.as_secs_f64(),
            ow.as_secs_f64() / b.as_secs_f64()
        );
    }
    if std::env::var_os("KAKUNIN_BENCH_CALLGRIND").is_some() {
        let (cold, warm, bundles) = w.instructions();
        let m = |n: u64| n as f64 / 1e6;
        println!(
            "  instructions (callgrind): 21 verify-bundle {:.1} M; verify cold {:.1} M ({:.2}), warm {:.1} M ({:.2})",
            m(bundles),
            m(cold),
            cold as f64 / bundles as f64,
            m(warm),
            warm as f64 / bundles as f64
        );
    }
}
