//! `kakunin policy export`: the generated Kyverno ClusterPolicy and policy-controller
//! ClusterImagePolicy validate against the projects' own CRD schemas (../shared, the
//! `openAPIV3Schema` of the version they name), identities stay anchored, and GomenHashai's
//! mapping validates against its chart's values.schema.json and maps every verified image.

use std::path::Path;

use serde_json::Value;

use crate::common::{TempDir, code, run, shared_fixtures, stderr, stdout};
use crate::support::registry::Registry;

/// The `openAPIV3Schema` of version `version` of a CRD file.
fn crd_schema(file: &Path, version: &str) -> Value {
    let text = std::fs::read_to_string(file).unwrap();
    let crd: Value = serde_norway::from_str(&text).unwrap();
    crd["spec"]["versions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == version)
        .unwrap_or_else(|| panic!("{} has no version {version}", file.display()))["schema"]
        ["openAPIV3Schema"]
        .clone()
}

fn errors(schema: &Value, instance: &Value) -> Vec<String> {
    let v = jsonschema::validator_for(schema).expect("the schema compiles");
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn yaml_docs(text: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_norway::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).unwrap())
        .filter(|v| !v.is_null())
        .collect()
}

fn export(args: &[&str]) -> Value {
    let mut a = vec!["policy", "export"];
    a.extend(args);
    let out = run(&a);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let docs = yaml_docs(&stdout(&out));
    assert_eq!(docs.len(), 1);
    docs.into_iter().next().unwrap()
}

/// Every `subjectRegExp` in a value, at any depth.
fn regexps(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                if k == "subjectRegExp" {
                    out.push(c.as_str().unwrap().to_string());
                }
                regexps(c, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|c| regexps(c, out)),
        _ => {}
    }
}

#[test]
fn kyverno_cluster_policy_validates_against_kyvernos_crd() {
    let Some(shared) = shared_fixtures("kyverno_cluster_policy_validates") else {
        return;
    };
    let schema = crd_schema(
        &shared.join("kyverno/config/crds/kyverno/kyverno.io_clusterpolicies.yaml"),
        "v1",
    );
    // The validator accepts Kyverno's own conformance policies ...
    for example in [
        "kyverno/test/conformance/chainsaw/verify-images/clusterpolicy/standard/keyless-attestation-regexp/policy.yaml",
        "kyverno/test/conformance/chainsaw/verify-images/clusterpolicy/standard/imageExtractors-complex-keyless/policy.yaml",
    ] {
        for doc in yaml_docs(&std::fs::read_to_string(shared.join(example)).unwrap()) {
            assert_eq!(errors(&schema, &doc), Vec::<String>::new(), "{example}");
        }
    }
    // ... and kakunin's.
    let policy = export(&["--format", "kyverno"]);
    assert_eq!(errors(&schema, &policy), Vec::<String>::new());
    assert_eq!(policy["apiVersion"], "kyverno.io/v1");
    assert_eq!(policy["kind"], "ClusterPolicy");
    let vi = &policy["spec"]["rules"][0]["verifyImages"][0];
    assert_eq!(vi["mutateDigest"], true);
    assert_eq!(vi["verifyDigest"], true);
    assert_eq!(vi["type"], "SigstoreBundle");
    let att = &vi["attestations"][0];
    assert_eq!(att["type"], "https://slsa.dev/provenance/v1");
    assert_eq!(att["attestors"][0]["count"], 1);
    let entries = att["attestors"][0]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    for e in entries {
        assert_eq!(
            e["keyless"]["issuer"],
            "https://token.actions.githubusercontent.com"
        );
    }
    assert_eq!(
        att["conditions"][0]["all"][0]["value"],
        serde_json::json!([
            "https://github.com/GomenHashai/GomenHashai",
            "https://github.com/MarcAntoineRaymond/GomenHashai"
        ])
    );
    let mut res = Vec::new();
    regexps(&policy, &mut res);
    assert_eq!(res.len(), 2);
    for r in &res {
        assert!(r.starts_with('^') && r.ends_with('$'), "unanchored: {r}");
    }

    // The schema check can fail: a policy the CRD does not allow is caught.
    let mut bad = policy.clone();
    bad["spec"]["rules"][0]["verifyImages"][0]["failureAction"] = "Sometimes".into();
    bad["spec"]["rules"][0]["verifyImages"][0]["mutateDigest"] = "yes".into();
    let errs = errors(&schema, &bad);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs.iter().any(|e| e.contains("Sometimes")), "{errs:?}");
}

#[test]
fn policy_controller_cluster_image_policy_validates_against_its_crd() {
    let Some(shared) = shared_fixtures("policy_controller_cluster_image_policy") else {
        return;
    };
    let crd = shared.join("policy-controller/config/300-clusterimagepolicy.yaml");
    let schema = crd_schema(&crd, "v1beta1");
    for example in [
        "policy-controller/test/testdata/policy-controller/e2e/cip-key-and-keyless.yaml",
        "policy-controller/test/testdata/policy-controller/e2e/cip-key-with-attestations.yaml",
    ] {
        for doc in yaml_docs(&std::fs::read_to_string(shared.join(example)).unwrap()) {
            let version = doc["apiVersion"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            assert_eq!(
                errors(&crd_schema(&crd, version), &doc),
                Vec::<String>::new(),
                "{example}"
            );
        }
    }
    let policy = export(&[
        "--format",
        "policy-controller",
        "--name",
        "gomenhashai-images",
    ]);
    assert_eq!(errors(&schema, &policy), Vec::<String>::new());
    assert_eq!(policy["apiVersion"], "policy.sigstore.dev/v1beta1");
    assert_eq!(policy["metadata"]["name"], "gomenhashai-images");
    let authority = &policy["spec"]["authorities"][0];
    assert_eq!(authority["keyless"]["url"], "https://fulcio.sigstore.dev");
    assert_eq!(
        authority["attestations"][0]["predicateType"],
        "https://slsa.dev/provenance/v1"
    );
    let mut res = Vec::new();
    regexps(&policy, &mut res);
    assert_eq!(res.len(), 2);
    for r in &res {
        assert!(r.starts_with('^') && r.ends_with('$'), "unanchored: {r}");
        let re = regex::Regex::new(r).unwrap();
        assert!(!re.is_match(&format!(
            "https://evil.example/{}",
            r.trim_start_matches('^').replace('\\', "")
        )));
    }
    let mut bad = policy.clone();
    bad["spec"]["authorities"][0]["keyless"]["identities"] = "anyone".into();
    assert_eq!(errors(&schema, &bad).len(), 1);

    // A key instead of keyless identities, for both formats.
    let key = shared.join("in-toto-java/src/test/resources/public.pem");
    let keyed = export(&[
        "--format",
        "policy-controller",
        "--key",
        key.to_str().unwrap(),
    ]);
    assert_eq!(errors(&schema, &keyed), Vec::<String>::new());
    assert!(
        keyed["spec"]["authorities"][0]["key"]["data"]
            .as_str()
            .unwrap()
            .contains("BEGIN PUBLIC KEY")
    );
    let kyverno_schema = crd_schema(
        &shared.join("kyverno/config/crds/kyverno/kyverno.io_clusterpolicies.yaml"),
        "v1",
    );
    let keyed = export(&["--format", "kyverno", "--key", key.to_str().unwrap()]);
    assert_eq!(errors(&kyverno_schema, &keyed), Vec::<String>::new());
    let out = run(&[
        "policy",
        "export",
        "--format",
        "kyverno",
        "--key",
        crd.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2, "a file that is not a key: {}", stderr(&out));
}

#[test]
fn exact_identities_stay_exact() {
    let dir = TempDir::new("policy-exact");
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    p.signers.image_identity =
        "https://github.com/{repository}/.github/workflows/docker-release.yaml@refs/heads/main"
            .into();
    let path = dir.path().join("p.yaml");
    std::fs::write(&path, p.to_yaml()).unwrap();
    let policy = export(&["--format", "kyverno", "--profile", path.to_str().unwrap()]);
    let entries = &policy["spec"]["rules"][0]["verifyImages"][0]["attestations"][0]["attestors"][0]
        ["entries"];
    assert_eq!(
        entries[0]["keyless"]["subject"],
        "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/heads/main"
    );
    assert!(entries[0]["keyless"].get("subjectRegExp").is_none());
    let policy = export(&[
        "--format",
        "policy-controller",
        "--profile",
        path.to_str().unwrap(),
    ]);
    assert_eq!(
        policy["spec"]["authorities"][0]["keyless"]["identities"][1]["subject"],
        "https://github.com/MarcAntoineRaymond/GomenHashai/.github/workflows/docker-release.yaml@refs/heads/main"
    );
}

#[test]
fn gomenhashai_mapping_lists_every_verified_image_and_validates_against_the_chart_schema() {
    let Some(shared) = shared_fixtures("gomenhashai_mapping") else {
        return;
    };
    let Some(reg) = Registry::start("gomenhashai_mapping") else {
        return;
    };
    let alpine = reg.push_image("library/alpine", "latest", "alpine");
    let dir = TempDir::new("policy-gomenhashai");
    let mut p = kakunin::profile::Profile::gomenhashai().to_raw();
    p.image.mirrors.insert("docker.io".into(), reg.base());
    let profile = dir.path().join("p.yaml");
    std::fs::write(&profile, p.to_yaml()).unwrap();
    let manifests = shared.join("helm/pkg/cmd/testdata/output/template.txt");
    let args = [
        "--format",
        "gomenhashai",
        "--profile",
        profile.to_str().unwrap(),
        "--manifests",
        manifests.to_str().unwrap(),
        "--no-cache",
    ];
    // Not allowed unsigned: not verified, so no mapping.
    let mut a = vec!["policy", "export"];
    a.extend(args);
    let out = run(&a);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("pin.image-policy"),
        "{}",
        stderr(&out)
    );

    let mut a = args.to_vec();
    a.extend(["--allow-unsigned", "docker.io/library/alpine"]);
    let values = export(&a);
    let schema: Value = serde_json::from_slice(
        &std::fs::read(shared.join("GomenHashai/deploy/charts/gomenhashai/values.schema.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(errors(&schema, &values), Vec::<String>::new());
    let d = alpine.digest.as_str();
    assert_eq!(
        values["digestsMapping"]["mapping"],
        serde_json::json!({
            "docker.io/library/alpine:latest": d,
            "library/alpine:latest": d,
            "alpine:latest": d,
        })
    );
    let mut bad = values.clone();
    bad["digestsMapping"]["mapping"] = serde_json::json!(["alpine:latest"]);
    assert_eq!(errors(&schema, &bad).len(), 1);

    // Without manifests there is nothing verified to map.
    let out = run(&["policy", "export", "--format", "gomenhashai"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("--manifests"), "{}", stderr(&out));
}

/// The release kit of fixtures/ (signed by the test Sigstore instance) and the options that
/// verify it offline.
const KIT: [&str; 5] = [
    "--kit",
    "fixtures/kit-gomenhashai-1.3.2",
    "--offline",
    "--trusted-root",
    "fixtures/test-sigstore/trusted_root.json",
];

/// The image digest the kit's chart pins (its values.yaml), as the verify report names it.
fn kit_image() -> (String, String) {
    let out = run(&[
        "verify",
        "--offline",
        "--kit",
        "fixtures/kit-gomenhashai-1.3.2",
        "--trusted-root",
        "fixtures/test-sigstore/trusted_root.json",
        "--output",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let details = &report["reports"][0]["details"];
    let reference = details["image"]["reference"].as_str().unwrap().to_string();
    assert_eq!(
        details["image_signer"]["issuer"],
        "https://token.actions.githubusercontent.com"
    );
    let (_, digest) = reference.split_once('@').unwrap();
    (reference.clone(), digest.to_string())
}

#[test]
fn gomenhashai_mapping_from_a_verified_release_maps_its_verified_image() {
    let (reference, digest) = kit_image();
    assert!(
        reference.starts_with("ghcr.io/gomenhashai/gomenhashai:v1.3.1@"),
        "{reference}"
    );
    let cache = TempDir::new("policy-release-cache");
    let mut args = vec!["--format", "gomenhashai", "--no-cache"];
    args.extend(KIT);
    let values = export(&args);
    assert_eq!(
        values["digestsMapping"]["mapping"],
        serde_json::json!({
            "ghcr.io/gomenhashai/gomenhashai:v1.3.1": digest,
            "gomenhashai/gomenhashai:v1.3.1": digest,
        })
    );
    // --release names the same release as the kit.
    let mut a = vec!["--release", "gomenhashai@1.3.2", "--cache-dir"];
    a.push(cache.path().to_str().unwrap());
    a.extend(["--format", "gomenhashai"]);
    a.extend(KIT);
    assert_eq!(export(&a), values);
    if let Some(shared) = shared_fixtures("gomenhashai_mapping_from_a_verified_release") {
        let schema: Value = serde_json::from_slice(
            &std::fs::read(shared.join("GomenHashai/deploy/charts/gomenhashai/values.schema.json"))
                .unwrap(),
        )
        .unwrap();
        assert_eq!(errors(&schema, &values), Vec::<String>::new());
    }
}

#[test]
fn export_from_a_release_that_does_not_verify_writes_nothing() {
    let dir = TempDir::new("policy-release-unverified");
    // Verified against a root that did not sign it (the public-good one): failed, exit 1.
    let root = run(&["trust-root", "show"]);
    let public = dir.path().join("public.json");
    std::fs::write(&public, &root.stdout).unwrap();
    let out = run(&[
        "policy",
        "export",
        "--format",
        "gomenhashai",
        "--kit",
        "fixtures/kit-gomenhashai-1.3.2",
        "--offline",
        "--trusted-root",
        public.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("chart.bundle"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing exported"),
        "{}",
        stderr(&out)
    );

    // A kit that lacks the image bundle: could not verify, exit 3, nothing written.
    let kit = dir.path().join("kit");
    copy_dir(Path::new("fixtures/kit-gomenhashai-1.3.2"), &kit);
    std::fs::remove_file(kit.join("files/GomenHashai-v1.3.1.sigstore")).unwrap();
    let out = run(&[
        "policy",
        "export",
        "--format",
        "gomenhashai",
        "--kit",
        kit.to_str().unwrap(),
        "--offline",
        "--no-cache",
        "--trusted-root",
        "fixtures/test-sigstore/trusted_root.json",
    ]);
    assert!(matches!(code(&out), 1 | 3), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert!(stderr(&out).contains("image.bundle"), "{}", stderr(&out));

    // The same kit's image bundle replaced by the chart's (validly signed, another subject).
    std::fs::copy(
        kit.join("files/gomenhashai-1.3.2.sigstore"),
        kit.join("files/GomenHashai-v1.3.1.sigstore"),
    )
    .unwrap();
    let out = run(&[
        "policy",
        "export",
        "--format",
        "gomenhashai",
        "--kit",
        kit.to_str().unwrap(),
        "--offline",
        "--no-cache",
        "--trusted-root",
        "fixtures/test-sigstore/trusted_root.json",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));

    // Cluster policies name the public-good instance: a release verified with another root
    // cannot become one (refused before anything is verified).
    for format in ["kyverno", "policy-controller"] {
        let mut a = vec!["policy", "export", "--format", format];
        a.extend(KIT);
        let out = run(&a);
        assert_eq!(code(&out), 2, "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(stderr(&out).contains("public-good"), "{}", stderr(&out));
    }
    // --release and --manifests are two different sources.
    let out = run(&[
        "policy",
        "export",
        "--format",
        "gomenhashai",
        "--release",
        "gomenhashai@1.3.2",
        "--manifests",
        "-",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
