//! Policy-layer tests: these call [`evaluate`] directly on decoded envelopes (no signature is
//! involved here; the integration tests in `tests/it/attestation.rs` go through bundle
//! verification with real attestations).

use super::*;
use crate::check::Outcome;
use crate::digest::Digest;

const REPO: &str = "https://github.com/GomenHashai/GomenHashai";
const REF: &str = "refs/tags/v1.3.1";
const PATH: &str = ".github/workflows/docker-release.yaml";
const COMMIT: &str = "0303dbc7e716e33ee9c950a1f7756f7cd3956dde";

fn signer() -> SignerClaims {
    let workflow = format!("{REPO}/{PATH}@{REF}");
    SignerClaims {
        identity: workflow.clone(),
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        source_repository_uri: Some(REPO.into()),
        source_repository_ref: Some(REF.into()),
        source_repository_digest: Some(COMMIT.into()),
        build_signer_uri: Some(workflow.clone()),
        build_config_uri: Some(workflow),
        runner_environment: Some("github-hosted".into()),
    }
}

fn artifact() -> Digest {
    Digest::sha256(b"image manifest")
}

/// A statement as actions/attest-build-provenance writes it, as JSON to be tampered with.
fn statement_json() -> serde_json::Value {
    serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "ghcr.io/gomenhashai/gomenhashai", "digest": {"sha256": artifact().hex()}}],
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "buildType": "https://actions.github.io/buildtypes/workflow/v1",
                "externalParameters": {"workflow": {"ref": REF, "repository": REPO, "path": PATH}},
                "internalParameters": {"github": {"event_name": "push", "runner_environment": "github-hosted"}},
                "resolvedDependencies": [{"uri": format!("git+{REPO}@{REF}"), "digest": {"gitCommit": COMMIT}}]
            },
            "runDetails": {
                "builder": {"id": format!("{REPO}/{PATH}@{REF}")},
                "metadata": {"invocationId": format!("{REPO}/actions/runs/1/attempts/1")}
            }
        }
    })
}

fn envelope_of(statement: &serde_json::Value) -> Envelope {
    Envelope {
        payload_type: IN_TOTO_PAYLOAD_TYPE.into(),
        payload: serde_json::to_vec(statement).unwrap(),
        signatures: vec![dsse::Signature {
            keyid: String::new(),
            sig: vec![1, 2, 3],
            cert: None,
        }],
    }
}

fn run(envelope: &Envelope, signer: SignerClaims, policy: &Policy) -> Evaluation {
    let subject = ExpectedSubject {
        name: None,
        digests: vec![artifact()],
    };
    evaluate(
        envelope,
        Signer::Certificate(signer),
        &Request {
            subject: &subject,
            policy,
            envelope_file: None,
        },
    )
}

fn failures(e: &Evaluation) -> Vec<&Check> {
    e.checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .collect()
}

fn strict_policy() -> Policy {
    Policy {
        repository: Some("GomenHashai/GomenHashai".into()),
        source_ref: Some(REF.into()),
        workflow: Some(PATH.into()),
        builder_id: Some(format!("{REPO}/{PATH}")),
        ..Policy::default()
    }
}

#[test]
fn a_faithful_statement_passes_every_check() {
    let e = run(&envelope_of(&statement_json()), signer(), &strict_policy());
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    let ids: Vec<_> = e.checks.iter().map(|c| c.id).collect();
    for id in [
        ids::ATTESTATION_PAYLOAD_TYPE,
        ids::ATTESTATION_STATEMENT,
        ids::ATTESTATION_SUBJECT,
        ids::ATTESTATION_PREDICATE_TYPE,
        ids::ATTESTATION_PROVENANCE,
        ids::ATTESTATION_WORKFLOW_REPOSITORY,
        ids::ATTESTATION_WORKFLOW_REF,
        ids::ATTESTATION_WORKFLOW_PATH,
        ids::ATTESTATION_SOURCE_COMMIT,
        ids::ATTESTATION_BUILDER_ID,
        ids::ATTESTATION_RUNNER_ENVIRONMENT,
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let details = e.details();
    assert_eq!(
        details["statement"]["predicateType"],
        "https://slsa.dev/provenance/v1"
    );
    assert_eq!(
        details["statement"]["predicate"]["runDetails"]["builder"]["id"],
        format!("{REPO}/{PATH}@{REF}")
    );
    assert_eq!(details["provenance"]["source_commit"], COMMIT);
}

type Tamper = fn(&mut serde_json::Value);
/// What is changed, the check that fails, what its expected and found values name, the change.
type TamperCase = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Tamper,
);

/// One field of the faithful statement changed: what, the check that fails, and what its
/// expected and found values name.
fn tamper_cases() -> Vec<TamperCase> {
    let mut cases = statement_tampers();
    cases.extend(provenance_tampers());
    cases
}

/// The statement itself changed: its subject, predicateType or `_type`.
fn statement_tampers() -> Vec<TamperCase> {
    vec![
        (
            "subject digest",
            ids::ATTESTATION_SUBJECT,
            "sha256:",
            "no such subject",
            |s| s["subject"][0]["digest"]["sha256"] = "0".repeat(64).into(),
        ),
        (
            "predicateType",
            ids::ATTESTATION_PREDICATE_TYPE,
            "https://slsa.dev/provenance/v1",
            "https://slsa.dev/provenance/v0.2",
            |s| s["predicateType"] = "https://slsa.dev/provenance/v0.2".into(),
        ),
        (
            "statement _type",
            ids::ATTESTATION_STATEMENT,
            "in-toto Statement",
            "Statement/v9",
            |s| s["_type"] = "https://in-toto.io/Statement/v9".into(),
        ),
    ]
}

/// A field of the provenance changed (each bound to the certificate or an expectation).
fn provenance_tampers() -> Vec<TamperCase> {
    let mut cases = source_tampers();
    cases.extend(builder_tampers());
    cases
}

/// What the build was made from: repository, ref, workflow path, source commit.
fn source_tampers() -> Vec<TamperCase> {
    vec![
        (
            "workflow repository",
            ids::ATTESTATION_WORKFLOW_REPOSITORY,
            REPO,
            "https://github.com/evil/GomenHashai",
            |s| {
                s["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"] =
                    "https://github.com/evil/GomenHashai".into()
            },
        ),
        (
            "workflow ref",
            ids::ATTESTATION_WORKFLOW_REF,
            REF,
            "refs/heads/main",
            |s| {
                s["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["ref"] =
                    "refs/heads/main".into()
            },
        ),
        (
            "workflow path",
            ids::ATTESTATION_WORKFLOW_PATH,
            PATH,
            ".github/workflows/evil.yaml",
            |s| {
                s["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["path"] =
                    ".github/workflows/evil.yaml".into()
            },
        ),
        (
            "source commit",
            ids::ATTESTATION_SOURCE_COMMIT,
            COMMIT,
            "deadbeef",
            |s| {
                s["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"] =
                    "deadbeef".into()
            },
        ),
        (
            // Not modelled: the --source-ref given needs a field it does not state.
            "build type",
            ids::ATTESTATION_WORKFLOW_REF,
            REF,
            "build type https://example.com/buildtype does not state the source ref",
            |s| {
                s["predicate"]["buildDefinition"]["buildType"] =
                    "https://example.com/buildtype".into()
            },
        ),
    ]
}

/// Who built it and how: builder id, runner, build type, external parameters.
fn builder_tampers() -> Vec<TamperCase> {
    vec![
        (
            "builder id",
            ids::ATTESTATION_BUILDER_ID,
            "docker-release.yaml@refs/tags/v1.3.1",
            "https://github.com/evil/builder",
            |s| {
                s["predicate"]["runDetails"]["builder"]["id"] =
                    "https://github.com/evil/builder".into()
            },
        ),
        (
            "runner environment",
            ids::ATTESTATION_RUNNER_ENVIRONMENT,
            "github-hosted",
            "self-hosted",
            |s| {
                s["predicate"]["buildDefinition"]["internalParameters"]["github"]["runner_environment"] =
                    "self-hosted".into()
            },
        ),
        (
            "external parameters",
            ids::ATTESTATION_PROVENANCE,
            "workflow",
            "undefined external parameter(s): evil",
            |s| s["predicate"]["buildDefinition"]["externalParameters"]["evil"] = "x".into(),
        ),
    ]
}

/// Each tampered field fails the check that names it, with expected and found.
#[test]
fn tamper_matrix_on_decoded_statements() {
    for (what, id, expected, found, tamper) in tamper_cases() {
        let mut s = statement_json();
        tamper(&mut s);
        let e = run(&envelope_of(&s), signer(), &strict_policy());
        let failed = failures(&e);
        let hit = failed
            .iter()
            .find(|c| c.id == id && c.outcome == Outcome::Fail)
            .unwrap_or_else(|| panic!("{what}: no failing {id} in {failed:#?}"));
        assert!(
            hit.expected.contains(expected),
            "{what}: expected {:?} lacks {expected:?}",
            hit.expected
        );
        assert!(
            hit.found.contains(found),
            "{what}: found {:?} lacks {found:?}",
            hit.found
        );
        assert_eq!(
            crate::check::verdict(&e.checks),
            crate::exit::ExitCode::Failed,
            "{what}"
        );
    }
}

/// A build type kakunin does not model verifies on the certificate's claims and the subject;
/// each flag that needs a field it does not state fails naming the build type and the field.
#[test]
fn a_build_type_kakunin_does_not_model_stands_on_the_certificate_and_the_subject() {
    let other = "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0";
    let mut s = statement_json();
    s["predicate"]["buildDefinition"]["buildType"] = other.into();
    s["predicate"]["buildDefinition"]["externalParameters"] = serde_json::json!({"anything": 1});
    let e = run(&envelope_of(&s), signer(), &Policy::default());
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    let p = e
        .checks
        .iter()
        .find(|c| c.id == ids::ATTESTATION_PROVENANCE)
        .unwrap();
    assert!(p.title.contains("does not model"), "{p:?}");
    assert!(
        p.found.contains(other) && p.found.contains("not read"),
        "{p:?}"
    );
    // The certificate still says where it ran.
    let mut self_hosted = signer();
    self_hosted.runner_environment = Some("self-hosted".into());
    let e = run(&envelope_of(&s), self_hosted, &Policy::default());
    let f = failures(&e);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, ids::ATTESTATION_RUNNER_ENVIRONMENT);
    assert!(f[0].found.contains("self-hosted"), "{:?}", f[0]);
    // Every flag that needs a field of the provenance fails by that field's id.
    let policy = Policy {
        source_digest: Some(COMMIT.into()),
        ..strict_policy()
    };
    let e = run(&envelope_of(&s), signer(), &policy);
    let f = failures(&e);
    for (id, expected, what) in [
        (
            ids::ATTESTATION_WORKFLOW_REPOSITORY,
            REPO,
            "the source repository",
        ),
        (ids::ATTESTATION_WORKFLOW_REF, REF, "the source ref"),
        (ids::ATTESTATION_WORKFLOW_PATH, PATH, "the workflow path"),
        (ids::ATTESTATION_SOURCE_COMMIT, COMMIT, "the source commit"),
    ] {
        let c = f
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("{id}: {f:#?}"));
        assert_eq!(c.expected, expected);
        assert_eq!(c.found, format!("build type {other} does not state {what}"));
    }
    // --builder-id is stated by every SLSA provenance, and compared.
    assert!(
        !f.iter().any(|c| c.id == ids::ATTESTATION_BUILDER_ID),
        "{f:#?}"
    );
    assert_eq!(f.len(), 4, "{f:#?}");
}

/// Policies that differ from the faithful statement in one expectation: the check that fails,
/// and what its expected value names.
fn expectation_cases() -> Vec<(Policy, &'static str, &'static str)> {
    vec![
        (
            Policy {
                repository: Some("other/repo".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_REPOSITORY,
            "other/repo",
        ),
        (
            Policy {
                source_ref: Some("refs/tags/v1.3.2".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_REF,
            "refs/tags/v1.3.2",
        ),
        (
            Policy {
                source_ref: Some("v1.3.1".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_REF,
            "v1.3.1",
        ),
        (
            Policy {
                repository: Some("gomenhashai/gomenhashai".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_REPOSITORY,
            "https://github.com/gomenhashai/gomenhashai",
        ),
        (
            Policy {
                workflow: Some(format!("{REPO}/.github/workflows/helm-release.yaml")),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_PATH,
            "helm-release.yaml",
        ),
        (
            Policy {
                source_ref: Some("refs/heads/v1.3.1".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_REF,
            "refs/heads/v1.3.1",
        ),
        (
            Policy {
                workflow: Some(".github/workflows/helm-release.yaml".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_WORKFLOW_PATH,
            "helm-release.yaml",
        ),
        (
            Policy {
                builder_id: Some("https://github.com/actions/runner/github-hosted".into()),
                ..Policy::default()
            },
            ids::ATTESTATION_BUILDER_ID,
            "actions/runner",
        ),
        (
            Policy {
                predicate_type: "https://in-toto.io/attestation/release/v0.1".into(),
                ..Policy::default()
            },
            ids::ATTESTATION_PREDICATE_TYPE,
            "release/v0.1",
        ),
    ]
}

#[test]
fn expectations_from_the_command_line_fail_when_they_differ() {
    for (policy, id, expected) in expectation_cases() {
        let e = run(&envelope_of(&statement_json()), signer(), &policy);
        let failed = failures(&e);
        assert_eq!(failed.len(), 1, "{policy:?}: {failed:#?}");
        assert_eq!(failed[0].id, id);
        assert!(failed[0].expected.contains(expected), "{:?}", failed[0]);
    }
}

#[test]
fn the_certificate_is_authoritative_for_what_the_statement_claims() {
    type Change = fn(&mut SignerClaims);
    let cases: Vec<(&str, Change)> = vec![
        (ids::ATTESTATION_WORKFLOW_REPOSITORY, |s| {
            s.source_repository_uri = Some("https://github.com/other/repo".into())
        }),
        (ids::ATTESTATION_WORKFLOW_REF, |s| {
            s.source_repository_ref = Some("refs/heads/main".into())
        }),
        (ids::ATTESTATION_SOURCE_COMMIT, |s| {
            s.source_repository_digest = Some("1".repeat(40))
        }),
        (ids::ATTESTATION_SOURCE_COMMIT, |s| {
            s.source_repository_digest = None
        }),
        (ids::ATTESTATION_WORKFLOW_PATH, |s| {
            s.build_config_uri = Some(format!("{REPO}/.github/workflows/other.yaml@{REF}"))
        }),
        (ids::ATTESTATION_BUILDER_ID, |s| {
            s.build_signer_uri =
                Some("https://github.com/o/r/.github/workflows/x.yml@refs/heads/main".into())
        }),
        (ids::ATTESTATION_RUNNER_ENVIRONMENT, |s| {
            s.runner_environment = Some("self-hosted".into())
        }),
    ];
    for (id, change) in cases {
        let mut claims = signer();
        change(&mut claims);
        let e = run(&envelope_of(&statement_json()), claims, &Policy::default());
        let failed = failures(&e);
        assert!(failed.iter().any(|c| c.id == id), "{id}: {failed:#?}");
    }
}

#[test]
fn self_hosted_runners_only_with_the_flag_and_never_against_the_certificate() {
    let mut s = statement_json();
    s["predicate"]["buildDefinition"]["internalParameters"]["github"]["runner_environment"] =
        "self-hosted".into();
    let mut claims = signer();
    claims.runner_environment = Some("self-hosted".into());
    let strict = run(&envelope_of(&s), claims.clone(), &Policy::default());
    assert!(
        failures(&strict)
            .iter()
            .any(|c| c.id == ids::ATTESTATION_RUNNER_ENVIRONMENT)
    );
    let allowed = Policy {
        allow_self_hosted_runners: true,
        ..Policy::default()
    };
    let ok = run(&envelope_of(&s), claims, &allowed);
    assert!(failures(&ok).is_empty(), "{:#?}", failures(&ok));
    // The provenance claiming github-hosted when the certificate says self-hosted is a lie.
    let mut claims = signer();
    claims.runner_environment = Some("self-hosted".into());
    let lie = run(&envelope_of(&statement_json()), claims, &allowed);
    let f = failures(&lie);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert!(f[0].found.contains("contradicts the certificate"), "{f:#?}");
}

#[test]
fn earlier_github_build_type_names_the_runner_in_builder_id() {
    let mut s = statement_json();
    s["predicate"]["buildDefinition"]["buildType"] =
        "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1".into();
    s["predicate"]["buildDefinition"]["internalParameters"] =
        serde_json::json!({"github": {"event_name": "push"}});
    s["predicate"]["runDetails"]["builder"]["id"] =
        "https://github.com/actions/runner/github-hosted".into();
    let e = run(&envelope_of(&s), signer(), &Policy::default());
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    s["predicate"]["runDetails"]["builder"]["id"] =
        "https://github.com/actions/runner/self-hosted".into();
    let mut claims = signer();
    claims.runner_environment = None;
    let e = run(&envelope_of(&s), claims, &Policy::default());
    let f = failures(&e);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, ids::ATTESTATION_RUNNER_ENVIRONMENT);
    assert!(f[0].found.contains("self-hosted"));
}

#[test]
fn non_provenance_predicates_skip_provenance_unless_expectations_were_given() {
    let mut s = statement_json();
    s["predicateType"] = "https://in-toto.io/attestation/release/v0.1".into();
    s["predicate"] = serde_json::json!({"purl": "pkg:github/o/r@v1"});
    let policy = Policy {
        predicate_type: "https://in-toto.io/attestation/release/v0.1".into(),
        ..Policy::default()
    };
    let e = run(&envelope_of(&s), signer(), &policy);
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    assert!(!e.checks.iter().any(|c| c.id == ids::ATTESTATION_PROVENANCE));
    let policy = Policy {
        repository: Some("o/r".into()),
        ..policy
    };
    let e = run(&envelope_of(&s), signer(), &policy);
    let f = failures(&e);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, ids::ATTESTATION_PROVENANCE);
    assert!(f[0].found.contains("carries no build provenance"));
}

#[test]
fn a_payload_that_is_not_a_statement_fails_and_later_checks_do_not_pass() {
    for payload in [&b"{\"_type\": "[..], b"[]", b"\xff\xfe", b""] {
        let mut env = envelope_of(&statement_json());
        env.payload = payload.to_vec();
        let e = run(&env, signer(), &Policy::default());
        assert!(e.statement.is_none());
        let statement = e
            .checks
            .iter()
            .find(|c| c.id == ids::ATTESTATION_STATEMENT)
            .unwrap();
        assert_eq!(statement.outcome, Outcome::Fail);
        assert!(
            statement.found.contains("not an in-toto statement"),
            "{statement:?}"
        );
        assert!(
            e.checks
                .iter()
                .filter(|c| c.id == ids::ATTESTATION_SUBJECT)
                .all(|c| c.outcome == Outcome::NotRun)
        );
    }
    let mut env = envelope_of(&statement_json());
    env.payload_type = "text/plain".into();
    let e = run(&env, signer(), &Policy::default());
    let pt = e
        .checks
        .iter()
        .find(|c| c.id == ids::ATTESTATION_PAYLOAD_TYPE)
        .unwrap();
    assert_eq!(pt.outcome, Outcome::Fail);
    assert_eq!(pt.found, "text/plain");
    assert_eq!(
        crate::check::verdict(&e.checks),
        crate::exit::ExitCode::Failed
    );
}

#[test]
fn a_fifty_mib_payload_is_handled_and_its_predicate_left_out_of_the_report() {
    let mut s = statement_json();
    s["predicate"]["buildDefinition"]["internalParameters"]["padding"] =
        "x".repeat(50 * 1024 * 1024).into();
    let env = envelope_of(&s);
    assert!(env.payload.len() > 50 * 1024 * 1024);
    let e = run(&env, signer(), &Policy::default());
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    let details = e.details();
    assert!(details["statement"]["predicate"].is_null());
    assert!(
        details["statement"]["predicateOmitted"]
            .as_str()
            .unwrap()
            .contains("byte payload")
    );
}

#[test]
fn envelope_comparison_is_its_own_check() {
    let bundle = envelope_of(&statement_json());
    let subject = ExpectedSubject {
        name: None,
        digests: vec![artifact()],
    };
    let policy = Policy::default();
    let mut file = bundle.clone();
    file.signatures[0].sig[2] ^= 0x40;
    let e = evaluate(
        &bundle,
        Signer::Certificate(signer()),
        &Request {
            subject: &subject,
            policy: &policy,
            envelope_file: Some(&file),
        },
    );
    let f = failures(&e);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, ids::ATTESTATION_ENVELOPE);
    assert!(
        f[0].title.contains("signatures[0].sig differs"),
        "{:?}",
        f[0]
    );
}

fn run_keyed(statement: &serde_json::Value, policy: &Policy) -> Evaluation {
    let subject = ExpectedSubject {
        name: None,
        digests: vec![artifact()],
    };
    evaluate(
        &envelope_of(statement),
        Signer::Key {
            key_fingerprint: Digest::sha256(b"a key").to_string(),
        },
        &Request {
            subject: &subject,
            policy,
            envelope_file: None,
        },
    )
}

#[test]
fn with_a_key_only_the_expectations_given_are_compared_with_the_provenance() {
    // Nothing asked: no comparison is reported (none could run against a certificate).
    let e = run_keyed(&statement_json(), &Policy::default());
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    for id in [
        ids::ATTESTATION_WORKFLOW_REPOSITORY,
        ids::ATTESTATION_WORKFLOW_REF,
        ids::ATTESTATION_WORKFLOW_PATH,
        ids::ATTESTATION_SOURCE_COMMIT,
        ids::ATTESTATION_BUILDER_ID,
    ] {
        assert!(
            !e.checks.iter().any(|c| c.id == id),
            "{id}: {:#?}",
            e.checks
        );
    }
    // Everything asked: one comparison each, with the expectation.
    let policy = Policy {
        source_digest: Some(format!("sha1:{}", COMMIT.to_uppercase())),
        ..strict_policy()
    };
    let e = run_keyed(&statement_json(), &policy);
    assert!(failures(&e).is_empty(), "{:#?}", failures(&e));
    for id in [
        ids::ATTESTATION_WORKFLOW_REPOSITORY,
        ids::ATTESTATION_WORKFLOW_REF,
        ids::ATTESTATION_WORKFLOW_PATH,
        ids::ATTESTATION_SOURCE_COMMIT,
        ids::ATTESTATION_BUILDER_ID,
    ] {
        assert_eq!(e.checks.iter().filter(|c| c.id == id).count(), 1, "{id}");
    }
    // A wrong expectation fails with expected and found.
    let policy = Policy {
        workflow: Some(".github/workflows/other.yaml".into()),
        ..Policy::default()
    };
    let e = run_keyed(&statement_json(), &policy);
    let f = failures(&e);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, ids::ATTESTATION_WORKFLOW_PATH);
    assert_eq!(f[0].expected, ".github/workflows/other.yaml");
    assert_eq!(f[0].found, PATH);
    // The runner policy holds the provenance's own statement to it.
    let mut s = statement_json();
    s["predicate"]["buildDefinition"]["internalParameters"]["github"]["runner_environment"] =
        "self-hosted".into();
    let f = run_keyed(&s, &Policy::default());
    let f = failures(&f);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].id, ids::ATTESTATION_RUNNER_ENVIRONMENT);
    assert!(f[0].found.starts_with("self-hosted"), "{:?}", f[0]);
}
