//! `post-render`'s own work on a large rendered stream, beside what parsing and re-emitting the
//! same stream with serde_norway costs (the baseline issue 15 names): 5,000 documents, 200
//! image references (20 distinct), every image pinned. Registry lookups are not included (a
//! warm cache answers them from disk). Run: `cargo bench --bench post_render`
//! (KAKUNIN_BENCH_RUNS, default 5). Prints both medians and their ratio.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use kakunin::manifests::Rendered;

fn median(mut f: impl FnMut(), n: usize) -> Duration {
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

/// 5,000 documents as `helm template` writes them: 200 Deployments (one image each, 20
/// distinct) among 4,800 ConfigMaps.
fn stream() -> String {
    let mut s = String::new();
    for i in 0..5_000 {
        if i % 25 == 0 {
            let image = format!(
                "registry.example/team/app{}:1.{}",
                (i / 25) % 20,
                (i / 25) % 20
            );
            s.push_str(&format!(
                "---\n# Source: chart/templates/deploy{i}.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: \"d{i}\"\n  labels:\n    app: web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: c\n          image: \"{image}\"\n          ports:\n            - containerPort: 80\n"
            ));
        } else {
            s.push_str(&format!(
                "---\n# Source: chart/templates/cm{i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  key: \"value {i}\"\n  other: 'x'\n"
            ));
        }
    }
    s
}

fn main() {
    let runs: usize = std::env::var("KAKUNIN_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5)
        .clamp(1, 50);
    let text = stream();
    let bytes = text.as_bytes();
    let rendered = Rendered::parse(bytes).expect("the stream parses");
    assert_eq!(rendered.document_count(), 5_000);
    assert_eq!(rendered.images().len(), 200);
    let pins: BTreeMap<String, String> = rendered
        .distinct_images()
        .iter()
        .map(|i| {
            let repo = i.rsplit_once(':').unwrap().0;
            (i.to_string(), format!("{repo}@sha256:{}", "a".repeat(64)))
        })
        .collect();
    assert_eq!(pins.len(), 20);
    let kakunin = median(
        || {
            let r = Rendered::parse(bytes).unwrap();
            let out = r.rewrite(&pins).unwrap();
            std::hint::black_box(out);
        },
        runs,
    );
    let baseline = median(
        || {
            use serde::Deserialize;
            let mut out = String::new();
            for doc in serde_norway::Deserializer::from_str(&text) {
                let v = serde_norway::Value::deserialize(doc).unwrap();
                out.push_str("---\n");
                out.push_str(&serde_norway::to_string(&v).unwrap());
            }
            std::hint::black_box(out);
        },
        runs,
    );
    println!(
        "post-render (parse + find images + splice + re-check), 5000 documents, 200 images: {kakunin:?}"
    );
    println!(
        "serde_norway parse + re-emit of the same stream:                        {baseline:?}"
    );
    println!(
        "ratio kakunin / serde_norway: {:.2} (issue 15 asks under 2)",
        kakunin.as_secs_f64() / baseline.as_secs_f64()
    );
}
