//! `kakunin verify --emit-values FILE`: Helm values pinning the verified image by digest,
//! written only for a verified release, shaped as the chart's own values schema wants.

use serde_json::Value;

use crate::common::{TempDir, code, run, shared_fixtures, stderr, stdout};
use crate::world::world;

#[test]
fn a_verified_release_emits_values_pinning_its_image_and_a_failed_one_emits_nothing() {
    let w = world();
    let Some(served) = w.serve("emit_values::a_verified_release") else {
        return;
    };
    let dir = TempDir::new("emit-values");
    let cache = dir.path().join("cache");
    let values = dir.path().join("values.yaml");
    let verify = |release: &str| {
        run(&[
            "verify",
            release,
            "--profile",
            served.profile.to_str().unwrap(),
            "--cache-dir",
            cache.to_str().unwrap(),
            "--emit-values",
            values.to_str().unwrap(),
        ])
    };
    let out = verify("gomenhashai@1.3.2");
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let text = std::fs::read_to_string(&values).unwrap();
    let v: Value = serde_norway::from_str(&text).unwrap();
    let img = w.image("v1.3.1");
    assert_eq!(
        v,
        serde_json::json!({"image": {
            "repository": img.repository,
            "tag": "v1.3.1",
            "digest": img.image.digest().to_string(),
        }})
    );
    if let Some(shared) = shared_fixtures("emit_values::a_verified_release") {
        let schema: Value = serde_json::from_slice(
            &std::fs::read(shared.join("GomenHashai/deploy/charts/gomenhashai/values.schema.json"))
                .unwrap(),
        )
        .unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        assert!(validator.is_valid(&v), "{v}");
    }

    // 0.1.1 does not verify (it pins no digest): nothing is written.
    std::fs::remove_file(&values).unwrap();
    let out = verify("gomenhashai@0.1.1");
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(!values.exists(), "values written for a failed release");
}
