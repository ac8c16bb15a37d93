//! `verify-attestation` on real attestations (../shared/fixtures, see MANIFEST.md) and on
//! tampered copies of them; the DSSE PAE against real third-party signatures.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use crate::common::{TempDir, code, run, shared_fixtures, stderr, stdout};

const ISSUER: &str = "https://token.actions.githubusercontent.com";

fn gh_data(fixtures: &Path) -> PathBuf {
    fixtures.join("cli-cli/pkg/cmd/attestation/test/data")
}

fn slsa_data(fixtures: &Path) -> PathBuf {
    fixtures.join("slsa-verifier/cli/slsa-verifier/testdata")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Runs verify-attestation with `--output json` and returns (exit code, report, stderr).
fn verify(args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["verify-attestation", "--output", "json"];
    all.extend_from_slice(args);
    let out = run(&all);
    let report = serde_json::from_str(&stdout(&out)).unwrap_or(Value::Null);
    (code(&out), report, stderr(&out))
}

fn checks(report: &Value) -> Vec<Value> {
    report["reports"][0]["checks"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The first check with this id and outcome.
fn find(report: &Value, id: &str, outcome: &str) -> Option<Value> {
    checks(report)
        .into_iter()
        .find(|c| c["id"] == id && c["outcome"] == outcome)
}

fn assert_all_pass(code: i32, report: &Value, what: &str) {
    let failing: Vec<_> = checks(report)
        .into_iter()
        .filter(|c| c["outcome"] != "pass")
        .collect();
    assert_eq!(code, 0, "{what}: {failing:#?}\n{report:#}");
    assert!(failing.is_empty(), "{what}: {failing:#?}");
}

/// A real GitHub attestation (public-good Sigstore, reusable workflow, earlier GitHub build
/// type) with the expectations MANIFEST.md gives.
struct Case {
    bundle: PathBuf,
    subject: String,
    args: Vec<String>,
}

impl Case {
    fn run(&self, extra: &[&str]) -> (i32, Value, String) {
        let mut args: Vec<&str> = vec!["--bundle", self.bundle.to_str().unwrap()];
        args.extend(self.args.iter().map(String::as_str));
        args.extend_from_slice(extra);
        args.push(&self.subject);
        verify(&args)
    }
}

fn reusable_workflow(fx: &Path) -> Case {
    let d = gh_data(fx);
    Case {
        bundle: d.join("reusable-workflow-attestation.sigstore.json"),
        subject: s(&d.join("reusable-workflow-artifact")),
        args: vec![
            "--certificate-identity".into(),
            "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d".into(),
            "--certificate-oidc-issuer".into(),
            ISSUER.into(),
            "--repository".into(),
            "malancas/attest-demo".into(),
            "--source-ref".into(),
            "refs/heads/main".into(),
            "--workflow".into(),
            ".github/workflows/shared.yml".into(),
            "--builder-id".into(),
            "https://github.com/actions/runner/github-hosted".into(),
            "--source-digest".into(),
            "95baf27389e83e6a5c48f42e190d48d7abcea19e".into(),
        ],
    }
}

#[test]
fn real_github_attestations_verify_with_their_manifest_expectations() {
    let Some(fx) =
        shared_fixtures("real_github_attestations_verify_with_their_manifest_expectations")
    else {
        return;
    };
    let d = gh_data(&fx);
    let github_root =
        fx.join("sigstore-rust/crates/sigstore-trust-root/src/trusted_root_github.json");
    let (c, r, _) = reusable_workflow(&fx).run(&[]);
    assert_all_pass(c, &r, "reusable workflow");
    let details = &r["reports"][0]["details"];
    assert_eq!(
        details["statement"]["predicateType"],
        "https://slsa.dev/provenance/v1"
    );
    assert_eq!(
        details["statement"]["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["path"],
        ".github/workflows/shared.yml"
    );
    assert_eq!(
        details["provenance"]["source_commit"],
        "95baf27389e83e6a5c48f42e190d48d7abcea19e"
    );

    // GitHub's current build type, with a custom (GHE-style) issuer: builder.id is the workflow.
    let san =
        "https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main";
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&d.join("custom-issuer.sigstore.json")),
        "--certificate-identity",
        san,
        "--certificate-oidc-issuer",
        "https://token.actions.githubusercontent.com/hammer-time",
        "--repository",
        "too-legit/attest",
        "--source-ref",
        "refs/heads/main",
        "--workflow",
        ".github/workflows/integration.yml",
        "--builder-id",
        san,
        &s(&d.join("custom-issuer-artifact")),
    ]);
    assert_all_pass(c, &r, "custom issuer");

    // GitHub's own Sigstore instance (TSA only, no log).
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&d.join("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl")),
        "--trusted-root",
        &s(&github_root),
        "--certificate-identity",
        "https://github.com/actions/attest-demo/.github/workflows/build-python.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        ISSUER,
        "--repository",
        "actions/attest-demo",
        &s(&d.join("github_provenance_demo-0.0.12-py3-none-any.whl")),
    ]);
    assert_all_pass(c, &r, "GitHub instance");

    // npm provenance: the subject is the sha512 of the tarball, named by its purl.
    let js = [
        "--certificate-identity",
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        ISSUER,
        "--repository",
        "sigstore/sigstore-js",
        "--workflow",
        ".github/workflows/release.yml",
    ];
    let tgz = s(&d.join("sigstore-js-2.1.0.tgz"));
    for bundle in [
        "sigstore-js-2.1.0-bundle.json",
        "sigstore-js-2.1.0-bundle-v0.1.json",
        "sigstore-js-2.1.0_with_2_bundles.jsonl",
    ] {
        let mut args = vec!["--bundle".to_string(), s(&d.join(bundle))];
        args.extend(js.iter().map(|a| a.to_string()));
        args.push(tgz.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (c, r, _) = verify(&args);
        assert_all_pass(c, &r, bundle);
    }
    let purl = "pkg:npm/sigstore@2.1.0@sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f";
    let mut args = vec![
        "--bundle",
        &*Box::leak(s(&d.join("sigstore-js-2.1.0-bundle.json")).into_boxed_str()),
    ];
    args.extend_from_slice(&js);
    args.push(purl);
    let (c, r, _) = verify(&args);
    assert_all_pass(c, &r, "npm purl");
    // The same digest under another name is not the subject.
    *args.last_mut().unwrap() = "pkg:npm/sigstore@2.1.1@sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f";
    let (c, r, _) = verify(&args);
    assert_eq!(c, 1);
    let f = find(&r, "attestation.subject", "fail").expect("subject check fails");
    assert!(
        f["expected"]
            .as_str()
            .unwrap()
            .starts_with("pkg:npm/sigstore@2.1.1@sha512:"),
        "{f}"
    );
    assert!(
        f["found"]
            .as_str()
            .unwrap()
            .contains("pkg:npm/sigstore@2.1.0"),
        "{f}"
    );
}

#[test]
fn a_changed_expectation_fails_the_check_that_names_it() {
    let Some(fx) = shared_fixtures("a_changed_expectation_fails_the_check_that_names_it") else {
        return;
    };
    let case = reusable_workflow(&fx);
    // --repository, --source-ref and --workflow are also the signer policy (as verify-bundle):
    // a certificate that does not name them fails `bundle.github-claims`, and the statement of
    // a signer the policy refuses is not evaluated (its checks did not run, never passed).
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--repository", "malancas/attest-demo2"],
            "bundle.github-claims",
            "https://github.com/malancas/attest-demo2",
        ),
        (
            &["--source-ref", "refs/heads/dev"],
            "bundle.github-claims",
            "refs/heads/dev",
        ),
        (
            &["--workflow", ".github/workflows/release.yml"],
            "bundle.github-claims",
            ".github/workflows/release.yml",
        ),
        (
            &[
                "--builder-id",
                "https://github.com/actions/runner/self-hosted",
            ],
            "attestation.builder-id",
            "self-hosted",
        ),
        (
            &["--predicate-type", "https://slsa.dev/provenance/v0.2"],
            "attestation.predicate-type",
            "https://slsa.dev/provenance/v0.2",
        ),
    ];
    for (extra, id, expected) in cases {
        // Later flags override the case's own (clap keeps the last value).
        let mut args: Vec<&str> = vec!["--bundle", case.bundle.to_str().unwrap()];
        let own: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let mut i = 0;
        while i < own.len() {
            if own[i] != extra[0] {
                args.extend_from_slice(&own[i..i + 2]);
            }
            i += 2;
        }
        args.extend_from_slice(extra);
        args.push(&case.subject);
        let (c, r, _) = verify(&args);
        assert_eq!(c, 1, "{extra:?}: {r:#}");
        let f = find(&r, id, "fail").unwrap_or_else(|| panic!("{extra:?}: no failing {id}: {r:#}"));
        assert!(f["expected"].as_str().unwrap().contains(expected), "{f}");
        assert!(!f["found"].as_str().unwrap().is_empty(), "{f}");
        if id.starts_with("bundle.") {
            let nr = find(&r, "attestation.statement", "not-run").expect("statement not evaluated");
            assert!(
                nr["found"].as_str().unwrap().contains("did not verify"),
                "{nr}"
            );
        }
    }
    // Another artifact is not the subject (the bundle's binding and the subject check both say so).
    let (c, r, _) = case.run(&[]);
    assert_eq!(c, 0, "{r:#}");
    let mut args: Vec<&str> = vec!["--bundle", case.bundle.to_str().unwrap()];
    args.extend(case.args.iter().map(String::as_str));
    let other = format!("sha256:{}", "ab".repeat(32));
    args.push(&other);
    let (c, r, _) = verify(&args);
    assert_eq!(c, 1);
    let sig =
        find(&r, "bundle.signature", "fail").expect("the bundle is not bound to another artifact");
    assert!(sig["expected"].as_str().unwrap().contains(&other), "{sig}");
}

#[test]
fn slsa_github_generator_and_bcr_intoto_jsonl_bundles_verify() {
    let Some(fx) = shared_fixtures("slsa_github_generator_and_bcr_intoto_jsonl_bundles_verify")
    else {
        return;
    };
    let d = slsa_data(&fx);
    let generic = d.join("gha_generic/v2.1.0");
    let signer_re = r"https://github\.com/slsa-framework/slsa-github-generator/\.github/workflows/(generator_generic|builder_go)_slsa3\.yml@refs/tags/v2\.1\.0";
    let base =
        |bundle: &Path, subject: &str, source_ref: &str, builder: &str| -> (i32, Value, String) {
            verify(&[
                "--bundle",
                &s(bundle),
                "--predicate-type",
                "https://slsa.dev/provenance/v0.2",
                "--certificate-identity-regexp",
                signer_re,
                "--certificate-oidc-issuer",
                ISSUER,
                "--repository",
                "slsa-framework/example-package",
                "--source-ref",
                source_ref,
                "--builder-id",
                builder,
                subject,
            ])
        };
    let generic_builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml";
    let go_builder = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml";
    let artifact = s(&generic.join("binary-linux-amd64-workflow_dispatch"));
    for (file, source_ref) in [
        (
            "binary-linux-amd64-workflow_dispatch.intoto.jsonl",
            "refs/heads/main",
        ),
        ("binary-linux-amd64-push-v14.intoto.jsonl", "refs/tags/v14"),
        (
            "binary-linux-amd64-push-v13.0.30.intoto.jsonl",
            "refs/tags/v13.0.30",
        ),
    ] {
        let (c, r, _) = base(&generic.join(file), &artifact, source_ref, generic_builder);
        assert_all_pass(c, &r, file);
        // A provenance field checked against the certificate and against a flag is one check:
        // an id appears once per report.
        let ids: Vec<&str> = r["reports"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["id"].as_str())
            .filter(|id| id.starts_with("attestation."))
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "{file}: {ids:?}");
        assert!(ids.contains(&"attestation.workflow-repository"), "{ids:?}");
        assert_eq!(
            r["reports"][0]["details"]["provenance"]["kind"],
            "slsa-git-hub-generator"
        );
        // The tag of another build fails, naming the ref.
        let (c, r, _) = base(
            &generic.join(file),
            &artifact,
            "refs/tags/v14.2",
            generic_builder,
        );
        assert_eq!(c, 1, "{file}");
        // --repository and --source-ref are one check; only the failing claim is listed.
        let f = find(&r, "bundle.github-claims", "fail").expect("ref check fails");
        assert_eq!(f["expected"], "source ref = refs/tags/v14.2");
        assert_eq!(f["found"], format!("source ref = {source_ref}"));
        let claims = r["reports"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["id"] == "bundle.github-claims")
            .count();
        assert_eq!(claims, 1, "one bundle.github-claims check: {r:#}");
        // Another builder fails, naming the builder id.
        let (c, r, _) = base(&generic.join(file), &artifact, source_ref, go_builder);
        assert_eq!(c, 1);
        assert!(
            find(&r, "attestation.builder-id", "fail").is_some(),
            "{r:#}"
        );
    }
    // The Go builder, by digest (binary not staged; digest from ARTIFACT-SHA256SUMS.txt).
    let go = "sha256:f6ab7ad0c7549b5a4942c3b0690519d791c28c4c0f8b286208cb40da3322a066";
    let (c, r, _) = base(
        &d.join("gha_go/v2.1.0/binary-linux-amd64-push-v14.2.intoto.jsonl"),
        go,
        "refs/tags/v14.2",
        go_builder,
    );
    assert_all_pass(c, &r, "gha_go v14.2");
    let (c, _, _) = base(
        &d.join("gha_go/v2.1.0/binary-linux-amd64-push-v14.2.intoto.jsonl"),
        go,
        "refs/tags/v14.2",
        generic_builder,
    );
    assert_eq!(c, 1);

    // BCR: SLSA v1 with GitHub's build type, signed by a reusable workflow that is the builder.
    let bcr = d.join("bcr");
    let ruleset = "https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml@refs/tags/v7.1.0";
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&bcr.join("rules_lint-v1.3.1.tar.gz.intoto.jsonl")),
        "--certificate-identity",
        ruleset,
        "--certificate-oidc-issuer",
        ISSUER,
        "--repository",
        "aspect-build/rules_lint",
        "--source-ref",
        "refs/heads/publish-to-bcr",
        "--workflow",
        ".github/workflows/release.yml",
        "--builder-id",
        ruleset,
        &s(&bcr.join("rules_lint-v1.3.1.tar.gz")),
    ]);
    assert_all_pass(c, &r, "bcr rules_lint");
    assert_eq!(
        r["reports"][0]["details"]["provenance"]["runner_environment"],
        "github-hosted"
    );
}

#[test]
fn intoto_jsonl_that_cannot_be_verified_offline_never_exits_0() {
    let Some(fx) = shared_fixtures("intoto_jsonl_that_cannot_be_verified_offline_never_exits_0")
    else {
        return;
    };
    let d = slsa_data(&fx);
    // slsa-github-generator <= 2.0: a certificate in the envelope, no log entry.
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&d.join("annotated-tag.intoto.jsonl")),
        "--predicate-type",
        "https://slsa.dev/provenance/v0.2",
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        ISSUER,
        &s(&d.join("annotated-tag")),
    ]);
    assert_eq!(c, 3, "{r:#}");
    let nr = find(&r, "bundle.signature", "not-run").expect("a check that could not run");
    assert!(
        nr["found"]
            .as_str()
            .unwrap()
            .contains("no transparency-log entry"),
        "{nr}"
    );
    // A bare envelope without certificate (in-toto's example; GomenHashai's .intoto.jsonl).
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&fx.join("in-toto-java/intoto_example.intoto.jsonl")),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        ISSUER,
        "sha256:d4d5899a3868fbb6ae1856c3e55a32ce35913de3956d1973caccd37bd0174fa2",
    ]);
    assert_eq!(c, 3, "{r:#}");
    let nr = find(&r, "bundle.signature", "not-run").expect("a check that could not run");
    assert!(nr["found"].as_str().unwrap().contains("--envelope"), "{nr}");
}

/// The bundle JSON of the reusable-workflow case, its envelope, and a helper to write files.
fn bundle_json(fx: &Path) -> Value {
    let text = std::fs::read_to_string(reusable_workflow(fx).bundle).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn write(dir: &TempDir, name: &str, v: &Value) -> PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, serde_json::to_vec(v).unwrap()).unwrap();
    p
}

fn decoded_statement(bundle: &Value) -> Value {
    let payload = B64
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

fn with_statement(bundle: &Value, statement: &Value) -> Value {
    let mut b = bundle.clone();
    b["dsseEnvelope"]["payload"] = B64.encode(serde_json::to_vec(statement).unwrap()).into();
    b
}

/// Fields under the signature: a mutated copy of a real bundle is rejected by the signature
/// check (the statement is then not even decoded).
#[test]
fn tamper_matrix_fields_under_the_signature_are_caught_by_the_signature_check() {
    let Some(fx) = shared_fixtures(
        "tamper_matrix_fields_under_the_signature_are_caught_by_the_signature_check",
    ) else {
        return;
    };
    let dir = TempDir::new("attestation-tamper");
    let case = reusable_workflow(&fx);
    let original = bundle_json(&fx);
    type Tamper = Box<dyn Fn(&Value) -> Value>;
    let statement_edit = |f: fn(&mut Value)| -> Tamper {
        Box::new(move |b: &Value| {
            let mut st = decoded_statement(b);
            f(&mut st);
            with_statement(b, &st)
        })
    };
    let cases: Vec<(&str, Tamper)> = vec![
        (
            "payload byte",
            Box::new(|b: &Value| {
                let mut payload = B64
                    .decode(b["dsseEnvelope"]["payload"].as_str().unwrap())
                    .unwrap();
                let i = payload.len() / 2;
                payload[i] ^= 0x01;
                let mut b = b.clone();
                b["dsseEnvelope"]["payload"] = B64.encode(payload).into();
                b
            }),
        ),
        (
            "payloadType",
            Box::new(|b: &Value| {
                let mut b = b.clone();
                b["dsseEnvelope"]["payloadType"] = "application/vnd.in-toto+jsonx".into();
                b
            }),
        ),
        (
            "subject digest",
            statement_edit(|st| st["subject"][0]["digest"]["sha256"] = "0".repeat(64).into()),
        ),
        (
            "predicateType",
            statement_edit(|st| st["predicateType"] = "https://slsa.dev/provenance/v0.2".into()),
        ),
        (
            "workflow ref",
            statement_edit(|st| {
                st["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["ref"] =
                    "refs/heads/evil".into()
            }),
        ),
        (
            "workflow path",
            statement_edit(|st| {
                st["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["path"] =
                    ".github/workflows/evil.yml".into()
            }),
        ),
        (
            "workflow repository",
            statement_edit(|st| {
                st["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"] =
                    "https://github.com/evil/attest-demo".into()
            }),
        ),
        (
            "builder id",
            statement_edit(|st| {
                st["predicate"]["runDetails"]["builder"]["id"] =
                    "https://github.com/evil/runner".into()
            }),
        ),
        (
            "signature",
            Box::new(|b: &Value| {
                let mut sig = B64
                    .decode(b["dsseEnvelope"]["signatures"][0]["sig"].as_str().unwrap())
                    .unwrap();
                let i = sig.len() - 3;
                sig[i] ^= 0x01;
                let mut b = b.clone();
                b["dsseEnvelope"]["signatures"][0]["sig"] = B64.encode(sig).into();
                b
            }),
        ),
        (
            "a second signature",
            Box::new(|b: &Value| {
                let mut b = b.clone();
                let sig = b["dsseEnvelope"]["signatures"][0].clone();
                b["dsseEnvelope"]["signatures"]
                    .as_array_mut()
                    .unwrap()
                    .push(sig);
                b
            }),
        ),
    ];
    for (what, tamper) in cases {
        let tampered = tamper(&original);
        assert_ne!(tampered, original, "{what}");
        let path = write(&dir, "tampered.sigstore.json", &tampered);
        let mut args: Vec<&str> = vec!["--bundle", path.to_str().unwrap()];
        args.extend(case.args.iter().map(String::as_str));
        args.push(&case.subject);
        let (c, r, _) = verify(&args);
        assert_eq!(c, 1, "{what}: {r:#}");
        let sig = find(&r, "bundle.signature", "fail")
            .unwrap_or_else(|| panic!("{what}: signature check passed: {r:#}"));
        assert!(!sig["found"].as_str().unwrap().is_empty());
        assert!(
            checks(&r)
                .iter()
                .all(|c| !(c["id"].as_str().unwrap().starts_with("attestation.")
                    && c["outcome"] == "pass")),
            "{what}: an attestation check passed on a bundle that did not verify: {r:#}"
        );
    }
}

/// `--envelope`: the release's .intoto.jsonl (`jq -c .dsseEnvelope`) is the bundle's envelope;
/// any difference fails `attestation.envelope`, naming the field.
#[test]
fn tamper_matrix_intoto_jsonl_envelope_against_the_bundle() {
    let Some(fx) = shared_fixtures("tamper_matrix_intoto_jsonl_envelope_against_the_bundle") else {
        return;
    };
    let dir = TempDir::new("attestation-envelope");
    let case = reusable_workflow(&fx);
    let envelope = bundle_json(&fx)["dsseEnvelope"].clone();
    let run_with = |env_text: &str| {
        let p = dir.path().join("x.intoto.jsonl");
        std::fs::write(&p, env_text).unwrap();
        let ps = s(&p);
        case.run(&["--envelope", &ps])
    };
    let line = serde_json::to_string(&envelope).unwrap() + "\n";
    let (c, r, _) = run_with(&line);
    assert_all_pass(c, &r, "the bundle's own envelope");
    assert!(find(&r, "attestation.envelope", "pass").is_some());
    // The same envelope as a whole bundle on one line (slsa-github-generator >= 2.1 shape).
    let bundle_line = serde_json::to_string(&bundle_json(&fx)).unwrap();
    let (c, r, _) = run_with(&bundle_line);
    assert_all_pass(c, &r, "bundle on one line");

    type Tamper = fn(&mut Value);
    let cases: Vec<(&str, Tamper)> = vec![
        ("payload", |e| {
            let mut p = B64.decode(e["payload"].as_str().unwrap()).unwrap();
            p[10] ^= 0x20;
            e["payload"] = B64.encode(p).into();
        }),
        ("payloadType", |e| {
            e["payloadType"] = "application/json".into()
        }),
        ("signatures[0].sig", |e| {
            let mut sig = B64
                .decode(e["signatures"][0]["sig"].as_str().unwrap())
                .unwrap();
            sig[8] ^= 0x01;
            e["signatures"][0]["sig"] = B64.encode(sig).into();
        }),
        ("signatures", |e| {
            let extra = e["signatures"][0].clone();
            e["signatures"].as_array_mut().unwrap().push(extra);
        }),
        ("signatures[0].keyid", |e| {
            e["signatures"][0]["keyid"] = "other".into()
        }),
    ];
    for (field, tamper) in cases {
        let mut e = envelope.clone();
        tamper(&mut e);
        let (c, r, _) = run_with(&serde_json::to_string(&e).unwrap());
        assert_eq!(c, 1, "{field}: {r:#}");
        let f =
            find(&r, "attestation.envelope", "fail").unwrap_or_else(|| panic!("{field}: {r:#}"));
        assert!(
            f["title"]
                .as_str()
                .unwrap()
                .contains(&format!("({field} differs)")),
            "{f}"
        );
        assert!(f["expected"].as_str().unwrap().starts_with(field), "{f}");
        assert_ne!(f["expected"], f["found"]);
        // The bundle itself still verified: only the envelope check fails.
        assert_eq!(
            checks(&r).iter().filter(|c| c["outcome"] != "pass").count(),
            1,
            "{field}: {r:#}"
        );
    }
    // Not an envelope at all.
    let (c, r, _) = run_with("{\"payloadType\": ");
    assert_eq!(c, 1);
    let f = find(&r, "attestation.envelope", "fail").expect("malformed envelope fails");
    assert!(
        f["found"].as_str().unwrap().contains("not a DSSE envelope"),
        "{f}"
    );
}

#[test]
fn malformed_and_oversized_inputs_get_clear_errors_not_panics() {
    let dir = TempDir::new("attestation-bounds");
    let subject = format!("sha256:{}", "ab".repeat(32));
    let base = [
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        ISSUER,
    ];
    let try_bundle = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let ps = s(&p);
        let mut args = vec!["--bundle", ps.as_str()];
        args.extend_from_slice(&base);
        args.push(&subject);
        verify(&args)
    };
    for (name, bytes) in [
        (
            "truncated.sigstore.json",
            &b"{\"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\", \"dsseEnv"[..],
        ),
        ("empty.sigstore.json", b""),
        ("array.jsonl", b"[1,2,3]\n"),
        ("binary.sigstore", b"\xff\xfe\x00\x01"),
    ] {
        let (c, r, err) = try_bundle(name, bytes);
        assert_eq!(c, 1, "{name}: {r:#} {err}");
        let f = find(&r, "bundle.signature", "fail").unwrap_or_else(|| panic!("{name}: {r:#}"));
        assert!(!f["found"].as_str().unwrap().is_empty());
        assert!(!err.contains("panicked"), "{err}");
    }
    // A pretty-printed bundle that is cut short is one error, not one per line.
    let pretty = "{\n  \"mediaType\": \"application/vnd.dev.sigstore.bundle.v0.3+json\",\n  \"dsseEnvelope\": {\n    \"payload\": \"";
    let (c, r, _) = try_bundle("pretty.sigstore.json", pretty.as_bytes());
    assert_eq!(c, 1);
    assert_eq!(checks(&r).len(), 1, "{r:#}");
    let deep = format!("{{\"a\":{}", "[".repeat(100_000));
    let (c, r, _) = try_bundle("deep.sigstore.json", deep.as_bytes());
    assert_eq!(c, 1);
    assert!(
        find(&r, "bundle.signature", "fail").unwrap()["found"]
            .as_str()
            .unwrap()
            .contains("deeper than")
    );

    // A 50 MiB payload: the bundle file is refused before it is parsed (bounded), exit 2.
    let payload = B64.encode(vec![b' '; 50 * 1024 * 1024]);
    let big = format!(
        r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{}},"dsseEnvelope":{{"payloadType":"application/vnd.in-toto+json","payload":"{payload}","signatures":[{{"sig":"AA=="}}]}}}}"#
    );
    let (c, _, err) = try_bundle("big.sigstore.json", big.as_bytes());
    assert_eq!(c, 2, "{err}");
    assert!(err.contains("bytes allowed"), "{err}");

    // 10,000 subjects in a bare envelope given as --bundle: read, classified, not verifiable
    // offline (exit 3), no panic.
    let subjects: Vec<String> = (0..10_000)
        .map(|i| format!(r#"{{"name":"f{i}","digest":{{"sha256":"{i:064x}"}}}}"#))
        .collect();
    let statement = format!(
        r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{}],"predicateType":"https://slsa.dev/provenance/v1","predicate":{{}}}}"#,
        subjects.join(",")
    );
    let env = format!(
        r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{}","signatures":[{{"sig":"AA=="}}]}}"#,
        B64.encode(statement)
    );
    let (c, r, _) = try_bundle("many.intoto.jsonl", env.as_bytes());
    assert_eq!(c, 3, "{r:#}");
}

#[test]
fn unreadable_inputs_and_missing_flags_are_usage_errors() {
    let out = run(&[
        "verify-attestation",
        "--bundle",
        "/nonexistent/x.sigstore",
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        ISSUER,
        &format!("sha256:{}", "ab".repeat(32)),
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read bundle /nonexistent/x.sigstore"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "verify-attestation",
        "--bundle",
        "x",
        "--certificate-oidc-issuer",
        ISSUER,
        "y",
    ]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--certificate-identity"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "verify-attestation",
        "--bundle",
        "x",
        "--certificate-identity",
        "x",
        "/nonexistent/artifact",
    ]);
    assert_eq!(code(&out), 2);
}

/// The DSSE PAE is what real third-party signers signed: in-toto's example (ECDSA P-521,
/// SHA-256, DER) and a Google VSA (ECDSA P-256, raw r||s) verify over our PAE, and not over a
/// PAE of a changed payload.
#[test]
fn pae_is_what_real_signers_signed() {
    use aws_lc_rs::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
    let Some(fx) = shared_fixtures("pae_is_what_real_signers_signed") else {
        return;
    };
    fn spki(pem_path: &Path) -> Vec<u8> {
        let pem = std::fs::read_to_string(pem_path).unwrap();
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        B64.decode(b64).unwrap()
    }
    let cases: [(PathBuf, PathBuf, &'static dyn VerificationAlgorithm); 2] = [
        (
            fx.join("in-toto-java/intoto_example.intoto.jsonl"),
            fx.join("in-toto-java/src/test/resources/public.pem"),
            &signature::ECDSA_P521_SHA256_ASN1,
        ),
        (
            fx.join(
                "slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/gke-gce-pre.bcid-vsa.jsonl",
            ),
            fx.join(
                "slsa-verifier/cli/slsa-verifier/testdata/vsa/gce/v1/vsa_signing_public_key.pem",
            ),
            &signature::ECDSA_P256_SHA256_FIXED,
        ),
    ];
    for (file, key, alg) in cases {
        let bytes = std::fs::read(&file).unwrap();
        let lines = kakunin::attestation::jsonl::read(&bytes).unwrap();
        assert_eq!(lines.len(), 1);
        assert!(
            matches!(lines[0], kakunin::attestation::jsonl::Line::Envelope(_)),
            "{file:?}"
        );
        let env = lines[0].envelope();
        let key = UnparsedPublicKey::new(alg, spki(&key));
        key.verify(&env.pae(), &env.signatures[0].sig)
            .unwrap_or_else(|_| panic!("{file:?}: the signature does not verify over our PAE"));
        let mut changed = env.payload.clone();
        changed[0] ^= 1;
        let pae = kakunin::attestation::dsse::pae(&env.payload_type, &changed);
        assert!(
            key.verify(&pae, &env.signatures[0].sig).is_err(),
            "{file:?}"
        );
        let statement = kakunin::attestation::Statement::parse(&env.payload).unwrap();
        assert!(!statement.subjects.is_empty());
    }
}

// ---- End to end with the test Sigstore instance: validly signed statements that lie ----------

mod signed {
    use std::path::{Path, PathBuf};

    use serde_json::{Value, json};

    use super::{checks, find, s, verify};
    use crate::common::TempDir;
    use crate::sigstore_instance::{GITHUB_ISSUER, GithubToken, TestSigstore};

    const REPO: &str = "https://github.com/GomenHashai/GomenHashai";
    const REF: &str = "refs/tags/v1.3.1";
    const PATH: &str = ".github/workflows/docker-release.yaml";
    const IMAGE: &str = "ghcr.io/gomenhashai/gomenhashai";

    fn token() -> GithubToken {
        GithubToken::new("GomenHashai/GomenHashai", "docker-release.yaml", REF)
    }

    fn digest() -> String {
        // The image manifest digest the statement is about.
        kakunin::digest::Digest::sha256(b"an image manifest").hex()
    }

    /// What actions/attest-build-provenance writes for this run.
    fn statement(tok: &GithubToken) -> Value {
        json!({
            "_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": IMAGE, "digest": {"sha256": digest()}}],
            "predicateType": "https://slsa.dev/provenance/v1",
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                    "externalParameters": {"workflow": {"ref": REF, "repository": REPO, "path": PATH}},
                    "internalParameters": {"github": {"event_name": "push", "repository_id": "700000001",
                        "repository_owner_id": "100000001", "runner_environment": "github-hosted"}},
                    "resolvedDependencies": [{"uri": format!("git+{REPO}@{REF}"), "digest": {"gitCommit": tok.sha}}]
                },
                "runDetails": {
                    "builder": {"id": tok.identity()},
                    "metadata": {"invocationId": format!("{REPO}/actions/runs/4242424242/attempts/1")}
                }
            }
        })
    }

    fn sign(instance: &TestSigstore, dir: &TempDir, name: &str, statement: &Value) -> PathBuf {
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, serde_json::to_vec(statement).unwrap()).unwrap();
        let bundle = dir.path().join(format!("{name}.sigstore"));
        crate::support::keyless::sign_bundle(instance, &token().jwt(), &file, &bundle, true);
        bundle
    }

    fn check(
        instance: &TestSigstore,
        bundle: &Path,
        extra: &[&str],
        subject: &str,
    ) -> (i32, Value) {
        let (root, b) = (s(&instance.trusted_root()), s(bundle));
        let identity = token().identity();
        let mut args = vec![
            "--bundle",
            b.as_str(),
            "--trusted-root",
            root.as_str(),
            "--certificate-identity",
            identity.as_str(),
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ];
        args.extend_from_slice(extra);
        args.push(subject);
        let (c, r, _) = verify(&args);
        (c, r)
    }

    #[test]
    fn a_faithful_attestation_verifies_and_each_lie_fails_the_check_that_names_it() {
        let instance = TestSigstore::start();
        let dir = TempDir::new("attestation-signed");
        let tok = token();
        let subject = format!("{IMAGE}@sha256:{}", digest());
        let expectations = [
            "--repository",
            "GomenHashai/GomenHashai",
            "--source-ref",
            REF,
            "--workflow",
            PATH,
        ];

        let good = sign(&instance, &dir, "good", &statement(&tok));
        let (c, r) = check(&instance, &good, &expectations, &subject);
        let failing: Vec<_> = checks(&r)
            .into_iter()
            .filter(|c| c["outcome"] != "pass")
            .collect();
        assert_eq!(c, 0, "{failing:#?}");
        // GomenHashai's .intoto.jsonl: `jq -c .dsseEnvelope` of the bundle.
        let bundle: Value = serde_json::from_slice(&std::fs::read(&good).unwrap()).unwrap();
        let jsonl = dir.path().join("good.intoto.jsonl");
        std::fs::write(
            &jsonl,
            serde_json::to_string(&bundle["dsseEnvelope"]).unwrap() + "\n",
        )
        .unwrap();
        let j = s(&jsonl);
        let (c, r) = check(&instance, &good, &["--envelope", &j], &subject);
        assert_eq!(c, 0, "{r:#}");
        assert!(find(&r, "attestation.envelope", "pass").is_some());
        // That .intoto.jsonl alone cannot be verified (no certificate): exit 3, never 0.
        let (c, _) = check(&instance, &jsonl, &[], &subject);
        assert_eq!(c, 3);
        // The envelope of another (valid) attestation is not this bundle's.
        let other = sign(&instance, &dir, "other", &statement(&tok));
        let other_bundle: Value = serde_json::from_slice(&std::fs::read(&other).unwrap()).unwrap();
        std::fs::write(
            &jsonl,
            serde_json::to_string(&other_bundle["dsseEnvelope"]).unwrap(),
        )
        .unwrap();
        let (c, r) = check(&instance, &good, &["--envelope", &j], &subject);
        assert_eq!(c, 1);
        let f = find(&r, "attestation.envelope", "fail").expect("another envelope fails");
        assert!(
            f["title"]
                .as_str()
                .unwrap()
                .contains("signatures[0].sig differs"),
            "{f}"
        );

        // Statements that are validly signed by the right workflow but say something else than
        // the certificate: the signature verifies, the policy layer catches the lie.
        type Lie = fn(&mut Value);
        let lies: Vec<(&str, &str, &str, Lie)> = vec![
            ("attestation.workflow-ref", REF, "refs/tags/v1.3.0", |st| {
                st["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["ref"] =
                    "refs/tags/v1.3.0".into();
                st["predicate"]["buildDefinition"]["resolvedDependencies"][0]["uri"] =
                    format!("git+{REPO}@refs/tags/v1.3.0").into();
            }),
            (
                "attestation.workflow-repository",
                REPO,
                "https://github.com/MarcAntoineRaymond/GomenHashai",
                |st| {
                    st["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"] =
                        "https://github.com/MarcAntoineRaymond/GomenHashai".into();
                },
            ),
            (
                "attestation.workflow-path",
                PATH,
                ".github/workflows/helm-release.yaml",
                |st| {
                    st["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["path"] =
                        ".github/workflows/helm-release.yaml".into();
                },
            ),
            (
                "attestation.source-commit",
                "9f1c6e8a2b3d4c5e6f708192a3b4c5d6e7f80912",
                "0000000000000000000000000000000000000000",
                |st| {
                    st["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"] =
                        "0".repeat(40).into();
                },
            ),
            (
                "attestation.builder-id",
                "docker-release.yaml@refs/tags/v1.3.1",
                "https://github.com/actions/runner/github-hosted",
                |st| {
                    st["predicate"]["runDetails"]["builder"]["id"] =
                        "https://github.com/actions/runner/github-hosted".into();
                },
            ),
            (
                "attestation.runner-environment",
                "github-hosted",
                "self-hosted",
                |st| {
                    st["predicate"]["buildDefinition"]["internalParameters"]["github"]["runner_environment"] =
                        "self-hosted".into();
                },
            ),
            ("attestation.subject", IMAGE, "no such subject", |st| {
                st["subject"][0]["name"] = "ghcr.io/evil/gomenhashai".into();
            }),
            (
                "attestation.predicate-type",
                "https://slsa.dev/provenance/v1",
                "https://slsa.dev/provenance/v0.2",
                |st| {
                    st["predicateType"] = "https://slsa.dev/provenance/v0.2".into();
                },
            ),
        ];
        for (i, (id, expected, found, lie)) in lies.into_iter().enumerate() {
            let mut st = statement(&tok);
            lie(&mut st);
            let bundle = sign(&instance, &dir, &format!("lie{i}"), &st);
            let (c, r) = check(&instance, &bundle, &[], &subject);
            assert_eq!(c, 1, "{id}: {r:#}");
            assert!(
                find(&r, "bundle.signature", "pass").is_some(),
                "{id}: the signature is valid: {r:#}"
            );
            let f = find(&r, id, "fail").unwrap_or_else(|| panic!("{id}: {r:#}"));
            assert!(
                f["expected"].as_str().unwrap().contains(expected),
                "{id}: {f}"
            );
            assert!(f["found"].as_str().unwrap().contains(found), "{id}: {f}");
        }
    }

    /// SLSA provenance of build types kakunin does not model (slsa-github-generator's
    /// container-based builder through its delegator, v1, and a v0.2 build type nobody
    /// defined): it verifies on the certificate's claims and the subject; a flag that needs a
    /// field the build type does not state fails, "build type X does not state Y"; a flag the
    /// certificate contradicts fails against the certificate; another subject fails.
    #[test]
    fn a_build_type_kakunin_does_not_model_verifies_on_the_certificate_and_the_subject() {
        let instance = TestSigstore::start();
        let dir = TempDir::new("attestation-build-types");
        let tok = token();
        let subject = format!("{IMAGE}@sha256:{}", digest());
        let delegator =
            "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0";
        let mut v1 = statement(&tok);
        v1["predicate"]["buildDefinition"]["buildType"] = delegator.into();
        v1["predicate"]["buildDefinition"]["externalParameters"] =
            json!({"inputs": {"registry-image": IMAGE}, "vars": {}});
        let custom = "https://example.com/buildtypes/custom@v1";
        let mut v02 = statement(&tok);
        v02["predicateType"] = "https://slsa.dev/provenance/v0.2".into();
        v02["predicate"] = json!({
            "builder": {"id": tok.identity()},
            "buildType": custom,
            "invocation": {"configSource": {}, "parameters": {}, "environment": {}},
            "materials": [],
        });
        for (name, st, build_type, predicate_type) in [
            (
                "delegator",
                &v1,
                delegator,
                "https://slsa.dev/provenance/v1",
            ),
            ("custom", &v02, custom, "https://slsa.dev/provenance/v0.2"),
        ] {
            let bundle = sign(&instance, &dir, name, st);
            let pt = ["--predicate-type", predicate_type];
            let (c, r) = check(&instance, &bundle, &pt, &subject);
            let failing: Vec<_> = checks(&r)
                .into_iter()
                .filter(|c| c["outcome"] != "pass")
                .collect();
            assert_eq!(c, 0, "{name}: {failing:#?}");
            let p = find(&r, "attestation.provenance", "pass").unwrap();
            assert!(
                p["title"].as_str().unwrap().contains("does not model"),
                "{p}"
            );
            assert!(p["found"].as_str().unwrap().contains(build_type), "{p}");
            assert!(find(&r, "attestation.runner-environment", "pass").is_some());
            // The certificate's claims are checked as for any attestation.
            let builder = format!("{REPO}/{PATH}");
            let mut a = pt.to_vec();
            a.extend([
                "--repository",
                "GomenHashai/GomenHashai",
                "--builder-id",
                &builder,
            ]);
            let (c, r) = check(&instance, &bundle, &a, &subject);
            assert_eq!(c, 1, "{r:#}");
            assert!(find(&r, "bundle.github-claims", "pass").is_some(), "{r:#}");
            let f = find(&r, "attestation.workflow-repository", "fail").unwrap();
            assert_eq!(f["expected"], REPO, "{f}");
            assert_eq!(
                f["found"],
                format!("build type {build_type} does not state the source repository"),
                "{f}"
            );
            // builder.id is stated by every SLSA provenance: compared, and it matches.
            assert!(
                find(&r, "attestation.builder-id", "pass").is_some(),
                "{r:#}"
            );
            for (flag, value, id, what) in [
                (
                    "--source-ref",
                    REF,
                    "attestation.workflow-ref",
                    "the source ref",
                ),
                (
                    "--workflow",
                    PATH,
                    "attestation.workflow-path",
                    "the workflow path",
                ),
            ] {
                let mut a = pt.to_vec();
                a.extend([flag, value]);
                let (c, r) = check(&instance, &bundle, &a, &subject);
                assert_eq!(c, 1, "{flag}: {r:#}");
                let failed: Vec<_> = checks(&r)
                    .into_iter()
                    .filter(|c| c["outcome"] != "pass")
                    .collect();
                assert_eq!(failed.len(), 1, "{flag}: {failed:#?}");
                assert_eq!(failed[0]["id"], id, "{flag}: {failed:#?}");
                assert_eq!(failed[0]["expected"], value);
                assert_eq!(
                    failed[0]["found"],
                    format!("build type {build_type} does not state {what}")
                );
            }
            // A ref the certificate contradicts fails against the certificate too.
            let mut a = pt.to_vec();
            a.extend(["--source-ref", "refs/tags/v9.9.9"]);
            let (c, r) = check(&instance, &bundle, &a, &subject);
            assert_eq!(c, 1, "{r:#}");
            let f = find(&r, "bundle.github-claims", "fail").unwrap();
            assert!(
                f["expected"].as_str().unwrap().contains("refs/tags/v9.9.9"),
                "{f}"
            );
            assert!(f["found"].as_str().unwrap().contains(REF), "{f}");
            // Another artifact: the statement is not about it.
            let other = format!("{IMAGE}@sha256:{}", "e".repeat(64));
            let (c, r) = check(&instance, &bundle, &pt, &other);
            assert_eq!(c, 1, "{r:#}");
            assert!(find(&r, "bundle.signature", "fail").is_some(), "{r:#}");
        }
    }

    #[test]
    fn a_signed_statement_with_ten_thousand_subjects_verifies_for_any_of_them() {
        let instance = TestSigstore::start();
        let dir = TempDir::new("attestation-many");
        let tok = token();
        let mut st = statement(&tok);
        let subjects: Vec<Value> = (0..10_000u32)
            .map(|i| json!({"name": format!("artifact-{i}"), "digest": {"sha256": kakunin::digest::Digest::sha256(&i.to_be_bytes()).hex()}}))
            .collect();
        st["subject"] = Value::Array(subjects);
        let bundle = sign(&instance, &dir, "many", &st);
        let sub = format!(
            "artifact-7777@sha256:{}",
            kakunin::digest::Digest::sha256(&7777u32.to_be_bytes()).hex()
        );
        let (c, r) = check(&instance, &bundle, &[], &sub);
        assert_eq!(c, 0, "{r:#}");
        let statement_check = find(&r, "attestation.statement", "pass").unwrap();
        assert!(
            statement_check["found"]
                .as_str()
                .unwrap()
                .contains("10000 subject(s)")
        );
        // A digest that is none of them: bound nowhere, and the subject list is summarised.
        let (c, r) = check(
            &instance,
            &bundle,
            &[],
            &format!("sha256:{}", "e".repeat(64)),
        );
        assert_eq!(c, 1);
        assert!(find(&r, "bundle.signature", "fail").is_some());
    }
}

#[test]
fn in_a_jsonl_a_bad_line_does_not_hide_a_good_one_and_is_reported_when_none_verifies() {
    let Some(fx) = shared_fixtures("in_a_jsonl_a_bad_line_does_not_hide_a_good_one") else {
        return;
    };
    let dir = TempDir::new("attestation-lines");
    let case = reusable_workflow(&fx);
    let good = serde_json::to_string(&bundle_json(&fx)).unwrap();
    let run_file = |text: &str| {
        let p = dir.path().join("mixed.jsonl");
        std::fs::write(&p, text).unwrap();
        let mut args: Vec<String> = vec!["--bundle".into(), s(&p)];
        args.extend(case.args.iter().cloned());
        args.push(case.subject.clone());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        verify(&args)
    };
    let (c, r, _) = run_file(&format!("{{not json\n\n{good}\n"));
    assert_eq!(c, 0, "{r:#}");
    assert_eq!(r["reports"][0]["details"]["line"], 3);
    let (c, r, _) = run_file("{not json\n{\"a\":1}\n");
    assert_eq!(c, 1, "{r:#}");
    let fails: Vec<_> = checks(&r)
        .into_iter()
        .filter(|c| c["outcome"] == "fail")
        .collect();
    assert_eq!(fails.len(), 2, "{fails:#?}");
    assert!(
        fails[0]["evidence"][0]
            .as_str()
            .unwrap()
            .ends_with("mixed.jsonl:1"),
        "{fails:#?}"
    );
    assert!(
        fails[1]["found"].as_str().unwrap().contains("line 2"),
        "{fails:#?}"
    );
}

/// slsa-verifier's BCR "wrong signer" case: a real provenance of another build, signed by an
/// unrelated workflow (a valid Sigstore bundle). Even with an identity policy that accepts any
/// signer, binding the provenance to the certificate's claims rejects it, field by field.
#[test]
fn a_provenance_signed_by_another_workflow_is_caught_by_the_certificate_binding() {
    let Some(fx) = shared_fixtures("a_provenance_signed_by_another_workflow_is_caught") else {
        return;
    };
    let bcr = slsa_data(&fx).join("bcr");
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&bcr.join("MODULE-wrong-signer.bazel.intoto.jsonl")),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        ISSUER,
        &s(&bcr.join("MODULE-wrong-signer.bazel")),
    ]);
    assert_eq!(c, 1, "{r:#}");
    assert!(
        find(&r, "bundle.signature", "pass").is_some(),
        "the bundle itself is valid: {r:#}"
    );
    for (id, expected, found) in [
        (
            "attestation.workflow-repository",
            "https://github.com/loosebazooka/aa-test",
            "https://github.com/aspect-build/rules_lint",
        ),
        (
            "attestation.workflow-ref",
            "refs/heads/main",
            "refs/heads/publish-to-bcr",
        ),
        (
            "attestation.workflow-path",
            ".github/workflows/malicious_attestation.yaml",
            ".github/workflows/release.yml",
        ),
        (
            "attestation.source-commit",
            "9b0800a2e136cb7c321bfdf49f73d0425e501cc3",
            "8f70009fde0c94ade6ce2a054b94718c819126ec",
        ),
        (
            "attestation.builder-id",
            "https://github.com/loosebazooka/aa-test/.github/workflows/malicious_attestation.yaml@refs/heads/main",
            "https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml@refs/tags/v0.0.1",
        ),
    ] {
        let f = find(&r, id, "fail").unwrap_or_else(|| panic!("{id}: {r:#}"));
        assert_eq!(f["expected"], expected, "{id}");
        assert_eq!(f["found"], found, "{id}");
    }
    // The genuine one verifies with the same permissive identity policy.
    let (c, r, _) = verify(&[
        "--bundle",
        &s(&bcr.join("MODULE.bazel.intoto.jsonl")),
        "--certificate-identity-regexp",
        ".*",
        "--certificate-oidc-issuer",
        ISSUER,
        &s(&bcr.join("MODULE.bazel")),
    ]);
    assert_all_pass(c, &r, "bcr MODULE.bazel");
}

/// Deterministic corruptions of real attestation lines and statements: every parser either
/// accepts or refuses with an error; none panics.
#[test]
fn corrupted_envelopes_and_statements_are_refused_or_accepted_never_a_panic() {
    use kakunin::attestation::{Statement, dsse::Envelope, jsonl, provenance};
    let Some(fx) = shared_fixtures("corrupted_envelopes_and_statements") else {
        return;
    };
    let mut inputs: Vec<Vec<u8>> = vec![
        std::fs::read(fx.join("in-toto-java/intoto_example.intoto.jsonl")).unwrap(),
        std::fs::read(slsa_data(&fx).join("annotated-tag.intoto.jsonl")).unwrap(),
        std::fs::read(slsa_data(&fx).join("bcr/MODULE.bazel.intoto.jsonl")).unwrap(),
    ];
    let bundle = bundle_json(&fx);
    inputs.push(
        B64.decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
            .unwrap(),
    );
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let specials = [
        b'"', b'{', b'}', b'[', b']', b',', b':', b'\\', b'0', b'@', 0xff,
    ];
    let mut refused = 0;
    for input in &inputs {
        for _ in 0..500 {
            let mut m = input.clone();
            match next() % 4 {
                0 => {
                    let i = (next() as usize) % m.len();
                    m[i] = specials[(next() as usize) % specials.len()];
                }
                1 => m.truncate((next() as usize) % m.len()),
                2 => {
                    let i = (next() as usize) % m.len();
                    let j = (i + 1 + (next() as usize) % 64).min(m.len());
                    m.drain(i..j);
                }
                _ => {
                    let i = (next() as usize) % m.len();
                    let chunk = m[i..(i + 32).min(m.len())].to_vec();
                    m.splice(i..i, chunk);
                }
            }
            let a = jsonl::read(&m).is_err();
            let b = Envelope::from_json(&m).is_err();
            let c = Statement::parse(&m).is_err();
            let _ = provenance::read(&m, provenance::SLSA_PROVENANCE_V1);
            let _ = provenance::read(&m, provenance::SLSA_PROVENANCE_V0_2);
            refused += usize::from(a && b && c);
        }
    }
    assert!(refused > 0, "corruptions are refused");
}
