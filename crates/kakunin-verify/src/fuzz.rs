//! Entry points for fuzzing: one function per parser of this crate, each taking arbitrary
//! bytes and handing them to the parser exactly as kakunin does with a file it was given.
//!
//! Guarantees: every function here only parses (no file, network or environment is read) and
//! discards the result; a panic or an unbounded run in one of them is a bug of the parser it
//! names. The cargo-fuzz targets in `fuzz/fuzz_targets/` are each one call into one of these
//! functions, and the corpus test (`tests/it/fuzz_corpus.rs`) calls the same functions with
//! every file of `fuzz/corpus/<name>/`, its truncations and bit flips, so a crash the fuzzer
//! finds becomes an ordinary test once its input is added to the corpus.

use std::path::Path;

/// A fuzz entry point: its name (the cargo-fuzz target and corpus directory) and the function.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub name: &'static str,
    pub run: fn(&[u8]),
}

/// Every entry point of this crate, in the order of the docs (docs/architecture.md, Testing).
pub const TARGETS: &[Target] = &[
    Target {
        name: "bundle",
        run: bundle,
    },
    Target {
        name: "dsse_envelope",
        run: dsse_envelope,
    },
    Target {
        name: "intoto_jsonl",
        run: intoto_jsonl,
    },
    Target {
        name: "statement",
        run: statement,
    },
    Target {
        name: "index_yaml",
        run: index_yaml,
    },
    Target {
        name: "chart_tgz",
        run: chart_tgz,
    },
    Target {
        name: "chart_yaml",
        run: chart_yaml,
    },
    Target {
        name: "values_yaml",
        run: values_yaml,
    },
    Target {
        name: "simple_signing",
        run: simple_signing,
    },
    Target {
        name: "cosign_bundle",
        run: cosign_bundle,
    },
    Target {
        name: "rendered_manifests",
        run: rendered_manifests,
    },
    Target {
        name: "policy_yaml",
        run: policy_yaml,
    },
    Target {
        name: "profile_yaml",
        run: profile_yaml,
    },
    Target {
        name: "trusted_root",
        run: trusted_root,
    },
];

/// A Sigstore bundle (`--bundle FILE`, a `.sigstore.json`).
pub fn bundle(data: &[u8]) {
    let _ = crate::bundle::parse_bundle(data);
}

/// A DSSE envelope.
pub fn dsse_envelope(data: &[u8]) {
    let _ = crate::attestation::dsse::Envelope::from_json(data);
}

/// A `.intoto.jsonl` file: one bundle or envelope per line.
pub fn intoto_jsonl(data: &[u8]) {
    let _ = crate::attestation::jsonl::read(data);
}

/// An in-toto statement (a DSSE payload), then the provenance facts of its predicate.
pub fn statement(data: &[u8]) {
    if let Ok(s) = crate::attestation::statement::Statement::parse(data) {
        let _ = crate::attestation::provenance::read(data, &s.predicate_type);
    }
}

/// A Helm repository's `index.yaml`.
pub fn index_yaml(data: &[u8]) {
    let _ = crate::chart::HelmIndex::parse(data);
}

/// A chart package (`.tgz`), then the images it refers to.
pub fn chart_tgz(data: &[u8]) {
    if let Ok(chart) = crate::chart::ChartPackage::read(data) {
        let _ = chart.images();
    }
}

/// A `Chart.yaml`, read as a chart package holding it (with an empty `values.yaml`) would be.
pub fn chart_yaml(data: &[u8]) {
    chart_tgz(&package(&[("c/Chart.yaml", data), ("c/values.yaml", b"")]));
}

/// A `values.yaml`, read as a chart package holding it would be; also as a `--values` file.
pub fn values_yaml(data: &[u8]) {
    let chart = b"apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: 1.0.0\n";
    chart_tgz(&package(&[
        ("c/Chart.yaml", chart),
        ("c/values.yaml", data),
    ]));
    let _ = crate::helm_values::UserValues::none().add_file(data, "fuzz");
}

/// A cosign simple-signing payload.
pub fn simple_signing(data: &[u8]) {
    let _ = crate::cosign::SimpleSigning::parse(data);
}

/// A cosign `--bundle` file (`cosign sign-blob --bundle`).
pub fn cosign_bundle(data: &[u8]) {
    let _ = crate::cosign::blob::parse_cosign_bundle(data);
}

/// Rendered Kubernetes manifests (`helm template` output, the post-renderer's input).
pub fn rendered_manifests(data: &[u8]) {
    let _ = crate::manifests::Rendered::parse(data);
}

/// A policy file (`--policy`), without a directory: key files are refused, none is read.
pub fn policy_yaml(data: &[u8]) {
    let _ = crate::policy::Policy::parse(data, "fuzz", None);
}

/// A release profile (`--profile`).
pub fn profile_yaml(data: &[u8]) {
    let _ = crate::profile::Profile::parse(data, Path::new("fuzz"));
}

/// A `trusted_root.json` (`--trusted-root`).
pub fn trusted_root(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = crate::trust::Trust::from_json(text, "fuzz");
    }
}

/// A gzipped tar holding these files, as `helm package` writes one.
fn package(files: &[(&str, &[u8])]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for (path, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        // Writing to memory cannot fail.
        let _ = tar.append_data(&mut header, path, *bytes);
    }
    match tar.into_inner() {
        Ok(gz) => gz.finish().unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}
