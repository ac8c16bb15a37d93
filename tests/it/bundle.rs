//! `kakunin verify-bundle`: the Sigstore conformance cases through the built binary, real
//! GitHub and npm attestation bundles (and tampered policies against them), and bad input.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::*;

const BEACON: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const GHA: &str = "https://token.actions.githubusercontent.com";

fn sha256_hex(path: &Path) -> String {
    kakunin::digest::sha256_file(path).unwrap().hex()
}

fn read_trimmed(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap().trim().to_string()
}

/// Runs one conformance case exactly as the protocol says: the argument order of
/// docs/cli_protocol.md, the case's files or the defaults of MANIFEST.md §3.2.
fn conformance_run(root: &Path, case: &Path, digest_mode: bool) -> Output {
    let artifact = if case.join("artifact").exists() {
        case.join("artifact")
    } else {
        root.join("a.txt")
    };
    let artifact_arg = if digest_mode {
        format!("sha256:{}", sha256_hex(&artifact))
    } else {
        artifact.display().to_string()
    };
    let bundle = case.join("bundle.sigstore.json");
    let mut args: Vec<String> = vec![
        "verify-bundle".into(),
        "--bundle".into(),
        bundle.display().to_string(),
    ];
    if case.join("key.pub").exists() {
        args.extend(["--key".into(), case.join("key.pub").display().to_string()]);
    } else {
        let identity = if case.join("identity").exists() {
            read_trimmed(&case.join("identity"))
        } else {
            BEACON.to_string()
        };
        let issuer = if case.join("issuer").exists() {
            read_trimmed(&case.join("issuer"))
        } else {
            GHA.to_string()
        };
        args.extend([
            "--certificate-identity".into(),
            identity,
            "--certificate-oidc-issuer".into(),
            issuer,
        ]);
    }
    if case.join("trusted_root.json").exists() {
        args.extend([
            "--trusted-root".into(),
            case.join("trusted_root.json").display().to_string(),
        ]);
    }
    args.push(artifact_arg);
    kakunin().args(&args).output().expect("kakunin runs")
}

#[test]
fn every_conformance_case_in_path_and_digest_mode() {
    let Some(shared) = shared_fixtures("every_conformance_case_in_path_and_digest_mode") else {
        return;
    };
    let root = shared.join("sigstore-conformance/test/assets/bundle-verify");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("bundle.sigstore.json").exists())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 50,
        "expected the conformance cases, found {}",
        cases.len()
    );
    let mut mismatches = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let must_fail = name.ends_with("_fail");
        for digest_mode in [false, true] {
            let out = conformance_run(&root, case, digest_mode);
            let rc = code(&out);
            let mode = if digest_mode { "DIGEST" } else { "PATH" };
            if must_fail == (rc == 0) {
                mismatches.push(format!(
                    "{mode}-{name}: exit {rc}, expected {}\n{}{}",
                    if must_fail { "non-zero" } else { "0" },
                    stdout(&out),
                    stderr(&out)
                ));
            }
            if rc == 0 {
                accepted += 1;
            } else {
                rejected += 1;
                // No case may make kakunin crash: a rejection is an orderly exit code.
                assert!(
                    matches!(rc, 1 | 2),
                    "{mode}-{name}: unexpected exit {rc}: {}",
                    stderr(&out)
                );
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} runs disagree with the conformance suite:\n{}",
        mismatches.len(),
        cases.len() * 2,
        mismatches.join("\n")
    );
    assert!(accepted > 0 && rejected > 0);
}

struct Real {
    bundle: PathBuf,
    artifact: String,
    identity: &'static str,
    issuer: &'static str,
    repository: &'static str,
    source_ref: &'static str,
    extra: Vec<&'static str>,
}

fn real_bundles(shared: &Path) -> Vec<Real> {
    let gh = shared.join("cli-cli/pkg/cmd/attestation/test/data");
    let js =
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
    vec![
        Real {
            bundle: gh.join("sigstore-js-2.1.0-bundle.json"),
            artifact: gh.join("sigstore-js-2.1.0.tgz").display().to_string(),
            identity: js,
            issuer: GHA,
            repository: "sigstore/sigstore-js",
            source_ref: "refs/heads/main",
            extra: vec![],
        },
        Real {
            bundle: gh.join("sigstore-js-2.1.0_with_2_bundles.jsonl"),
            artifact: gh.join("sigstore-js-2.1.0.tgz").display().to_string(),
            identity: js,
            issuer: GHA,
            repository: "sigstore/sigstore-js",
            source_ref: "refs/heads/main",
            extra: vec![],
        },
        Real {
            bundle: shared.join(
                "sigstore-rust/crates/sigstore-verify/test_data/bundles/sigstore.js@2.0.0-provenance.sigstore.json",
            ),
            artifact: "sha512:46d4e2f74c4877316640000a6fdf8a8b59f1e0847667973e9859f774dd31b8f1e0937813b777fb66a2ac67d50540fe34640966eee9fc2ccca387082b4c85cd3c".into(),
            identity: js,
            issuer: GHA,
            repository: "sigstore/sigstore-js",
            source_ref: "refs/heads/main",
            extra: vec![],
        },
        Real {
            bundle: gh.join("reusable-workflow-attestation.sigstore.json"),
            artifact: gh.join("reusable-workflow-artifact").display().to_string(),
            identity: "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d",
            issuer: GHA,
            repository: "malancas/attest-demo",
            source_ref: "refs/heads/main",
            extra: vec!["--workflow", ".github/workflows/shared.yml"],
        },
        Real {
            bundle: gh.join("custom-issuer.sigstore.json"),
            artifact: gh.join("custom-issuer-artifact").display().to_string(),
            identity: "https://github.com/too-legit/attest/.github/workflows/integration.yml@refs/heads/main",
            issuer: "https://token.actions.githubusercontent.com/hammer-time",
            repository: "too-legit/attest",
            source_ref: "refs/heads/main",
            extra: vec![],
        },
        Real {
            bundle: gh.join("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl"),
            artifact: gh
                .join("github_provenance_demo-0.0.12-py3-none-any.whl")
                .display()
                .to_string(),
            identity: "https://github.com/actions/attest-demo/.github/workflows/build-python.yml@refs/heads/main",
            issuer: GHA,
            repository: "actions/attest-demo",
            source_ref: "refs/heads/main",
            extra: vec!["--instance", "github", "--workflow", ".github/workflows/build-python.yml"],
        },
    ]
}

fn run_real(r: &Real, identity: &str, issuer: &str, repository: &str, source_ref: &str) -> Output {
    let mut args = vec![
        "verify-bundle".to_string(),
        "--bundle".into(),
        r.bundle.display().to_string(),
        "--certificate-identity".into(),
        identity.into(),
        "--certificate-oidc-issuer".into(),
        issuer.into(),
        "--repository".into(),
        repository.into(),
        "--source-ref".into(),
        source_ref.into(),
    ];
    args.extend(r.extra.iter().map(|s| s.to_string()));
    args.push(r.artifact.clone());
    kakunin().args(&args).output().expect("kakunin runs")
}

#[test]
fn real_attestation_bundles_verify_with_the_right_signer_only() {
    let Some(shared) =
        shared_fixtures("real_attestation_bundles_verify_with_the_right_signer_only")
    else {
        return;
    };
    for r in real_bundles(&shared) {
        let name = r.bundle.file_name().unwrap().to_string_lossy().into_owned();
        let out = run_real(&r, r.identity, r.issuer, r.repository, r.source_ref);
        assert_eq!(
            code(&out),
            0,
            "{name} must verify:\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        assert!(
            stdout(&out).contains("VERIFIED"),
            "{name}: {}",
            stdout(&out)
        );
        assert!(
            stdout(&out).contains(r.identity),
            "{name} names the identity"
        );

        let wrong_san = format!("{}-evil", r.identity);
        let wrong_issuer = "https://accounts.google.com";
        let wrong_repo = "evil/fork";
        let wrong_ref = "refs/heads/evil";
        for (what, out, expected, found) in [
            (
                "SAN",
                run_real(&r, &wrong_san, r.issuer, r.repository, r.source_ref),
                wrong_san.clone(),
                r.identity.to_string(),
            ),
            (
                "issuer",
                run_real(&r, r.identity, wrong_issuer, r.repository, r.source_ref),
                wrong_issuer.to_string(),
                r.issuer.to_string(),
            ),
            (
                "repository",
                run_real(&r, r.identity, r.issuer, wrong_repo, r.source_ref),
                "source repository = https://github.com/evil/fork".to_string(),
                format!("source repository = https://github.com/{}", r.repository),
            ),
            (
                "ref",
                run_real(&r, r.identity, r.issuer, r.repository, wrong_ref),
                format!("source ref = {wrong_ref}"),
                format!("source ref = {}", r.source_ref),
            ),
        ] {
            assert_eq!(
                code(&out),
                1,
                "{name} with a wrong {what} must fail:\n{}{}",
                stdout(&out),
                stderr(&out)
            );
            let text = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                text.contains(&format!("expected: {expected}"))
                    && text.contains(&format!("found:    {found}")),
                "{name}, wrong {what}: the report shows expected {expected} and found {found}:\n{text}"
            );
        }
    }
}

#[test]
fn identity_regexp_is_anchored_and_json_report_names_what_was_verified() {
    let Some(shared) = shared_fixtures("identity_regexp_is_anchored") else {
        return;
    };
    let gh = shared.join("cli-cli/pkg/cmd/attestation/test/data");
    let bundle = gh.join("sigstore-js-2.1.0_with_2_bundles.jsonl");
    let artifact = gh.join("sigstore-js-2.1.0.tgz");
    let run_re = |re: &str| {
        run(&[
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity-regexp",
            re,
            "--certificate-oidc-issuer",
            GHA,
            "--output",
            "json",
            artifact.to_str().unwrap(),
        ])
    };
    let out = run_re(r"https://github\.com/sigstore/sigstore-js/\.github/workflows/.*");
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let details = &v["reports"][0]["details"];
    assert_eq!(details["jsonl_line"], 1);
    assert_eq!(details["log_indexes"][0], 33351527);
    assert_eq!(details["integrated_time"], "2023-08-29T15:40:23Z");
    assert_eq!(details["issuer"], GHA);
    assert_eq!(
        details["artifact_digest"],
        "sha512:90f223f992e4c88dd068cd2a5fc57f9d2b30798343dd6e38f29c240e04ba090ef831f84490847c4e82b9232c78e8a258463b1e55c0f7469f730265008fa6633f"
    );
    // A pattern matching only part of the SAN does not match: it is anchored.
    for partial in [
        "sigstore/sigstore-js",
        "https://github.com/sigstore/",
        ".*release.yml",
    ] {
        let out = run_re(partial);
        assert_eq!(code(&out), 1, "{partial} must not match a part of the SAN");
    }
    let out = run_re("(");
    assert_eq!(code(&out), 2, "an invalid regexp is a usage error");
}

#[test]
fn tampered_artifact_and_wrong_root_fail() {
    let Some(shared) = shared_fixtures("tampered_artifact_and_wrong_root_fail") else {
        return;
    };
    let gh = shared.join("cli-cli/pkg/cmd/attestation/test/data");
    let dir = TempDir::new("bundle-tamper");
    let tampered = dir.path().join("sigstore-js-2.1.0.tgz");
    let mut bytes = std::fs::read(gh.join("sigstore-js-2.1.0.tgz")).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&tampered, &bytes).unwrap();
    let id =
        "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
    let bundle = gh.join("sigstore-js-2.1.0-bundle.json");
    let out = run(&[
        "verify-bundle",
        "--bundle",
        bundle.to_str().unwrap(),
        "--certificate-identity",
        id,
        "--certificate-oidc-issuer",
        GHA,
        tampered.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains("does not match"), "{}", stdout(&out));
    // A GitHub-instance bundle does not verify against the public-good root, and vice versa.
    let out = run(&[
        "verify-bundle",
        "--bundle",
        gh.join("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl")
            .to_str()
            .unwrap(),
        "--certificate-identity",
        "https://github.com/actions/attest-demo/.github/workflows/build-python.yml@refs/heads/main",
        "--certificate-oidc-issuer",
        GHA,
        gh.join("github_provenance_demo-0.0.12-py3-none-any.whl")
            .to_str()
            .unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("hint: this bundle verifies against the embedded github root"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "verify-bundle",
        "--instance",
        "github",
        "--bundle",
        bundle.to_str().unwrap(),
        "--certificate-identity",
        id,
        "--certificate-oidc-issuer",
        GHA,
        gh.join("sigstore-js-2.1.0.tgz").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    // Bundles the manifest lists as invalid.
    for bad in [
        "sigstoreBundle-invalid-signature.json",
        "sigstoreBundle-invalid-mismatched-signatures.json",
        "github_provenance_demo-0.0.12-py3-none-any-bundle-missing-cert.jsonl",
        "github_provenance_demo-0.0.12-py3-none-any-bundle-missing-verification-material.jsonl",
    ] {
        let out = run(&[
            "verify-bundle",
            "--bundle",
            gh.join(bad).to_str().unwrap(),
            "--certificate-identity",
            "brian@dehamer.com",
            "--certificate-oidc-issuer",
            "https://github.com/login/oauth",
            gh.join("github_provenance_demo-0.0.12-py3-none-any.whl")
                .to_str()
                .unwrap(),
        ]);
        assert_eq!(code(&out), 1, "{bad}: {}{}", stdout(&out), stderr(&out));
    }
}

/// Bad input never panics and gets a clear message; none of these needs ../shared.
#[test]
fn bad_bundles_get_clear_errors_and_no_panic() {
    let dir = TempDir::new("bundle-bad");
    let artifact = dir.path().join("a.txt");
    std::fs::write(&artifact, b"hello\n").unwrap();
    let verify = |bundle: &Path| {
        run(&[
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            "x",
            "--certificate-oidc-issuer",
            "y",
            artifact.to_str().unwrap(),
        ])
    };
    let truncated = dir.path().join("truncated.sigstore.json");
    std::fs::write(&truncated, br#"{"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json", "verificationMaterial": {"#).unwrap();
    let out = verify(&truncated);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("not a valid Sigstore bundle"),
        "{}",
        stderr(&out)
    );

    let deep = dir.path().join("deep.sigstore.json");
    std::fs::write(&deep, "[".repeat(100_000)).unwrap();
    let out = verify(&deep);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("nested deeper"), "{}", stderr(&out));

    let huge = dir.path().join("huge.sigstore");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(kakunin::limits::MAX_BUNDLE_BYTES + 1).unwrap();
    let out = verify(&huge);
    assert_eq!(
        code(&out),
        2,
        "a file too large to be a bundle is an input error"
    );
    assert!(stderr(&out).contains("more than the"), "{}", stderr(&out));

    let jsonl = dir.path().join("lines.jsonl");
    std::fs::write(&jsonl, "{\n\n[1]\n").unwrap();
    let out = verify(&jsonl);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("line 1") && stderr(&out).contains("line 3"),
        "{}",
        stderr(&out)
    );

    let out = verify(&dir.path().join("missing.sigstore"));
    assert_eq!(code(&out), 2, "an unreadable bundle is an input error");

    let out = run(&[
        "verify-bundle",
        "--bundle",
        truncated.to_str().unwrap(),
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        "y",
        dir.path().join("no-such-artifact").to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2, "a missing artifact is an input error");
    assert!(
        stderr(&out).contains("cannot read artifact"),
        "{}",
        stderr(&out)
    );

    let envelope = dir.path().join("chart.intoto.jsonl");
    std::fs::write(
        &envelope,
        br#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AA=="}]}"#,
    )
    .unwrap();
    let out = verify(&envelope);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).contains("bare DSSE envelope"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "verify-bundle",
        "--bundle",
        truncated.to_str().unwrap(),
        "a.txt",
    ]);
    assert_eq!(code(&out), 2, "no identity and no key is a usage error");

    let bad_root = dir.path().join("root.json");
    std::fs::write(&bad_root, b"{}").unwrap();
    let out = run(&[
        "verify-bundle",
        "--bundle",
        truncated.to_str().unwrap(),
        "--certificate-identity",
        "x",
        "--certificate-oidc-issuer",
        "y",
        "--trusted-root",
        bad_root.to_str().unwrap(),
        artifact.to_str().unwrap(),
    ]);
    assert_eq!(
        code(&out),
        2,
        "an unusable trusted root is an input error: {}",
        stderr(&out)
    );
}

/// `trust-root show` prints an embedded root that `--trusted-root` accepts; `trust-root update`
/// against a TUF mirror on loopback that has nothing (404 for every file) fails with exit 3 and
/// writes no root. (The real TUF repositories are on the internet, which tests never touch.)
#[test]
fn trust_root_show_and_update_error_path_offline() {
    use std::io::{Read, Write};
    let dir = TempDir::new("trust-root");
    for instance in ["public-good", "staging", "github"] {
        let out = run(&["trust-root", "show", "--instance", instance]);
        assert_eq!(code(&out), 0);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["mediaType"].as_str().unwrap().contains("trustedroot"));
        assert!(kakunin::trust::Trust::from_json(&stdout(&out), instance).is_ok());
    }

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        // Answer a few requests with 404, then stop.
        for stream in listener.incoming().take(8) {
            let Ok(mut s) = stream else { break };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(
                b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            );
        }
    });
    let out = run(&[
        "trust-root",
        "update",
        "--instance",
        "github",
        "--cache-dir",
        dir.path().to_str().unwrap(),
        "--tuf-url",
        &format!("http://127.0.0.1:{port}"),
    ]);
    assert_eq!(code(&out), 3, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stderr(&out).contains("TUF update of the github trusted root failed"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("github/trusted_root.json").exists());
    // Unblock the server thread if it still waits.
    let _ = std::net::TcpStream::connect(("127.0.0.1", port));
    drop(server);
}

/// Base64 wrapped at 76 columns (as `base64` writes it) is accepted in a bundle's bytes fields,
/// as Go's protojson and the Python and JavaScript clients accept it; the bundle still has to
/// verify.
#[test]
fn base64_wrapped_in_lines_is_accepted_like_other_clients_do() {
    let Some(shared) = shared_fixtures("base64_wrapped_in_lines") else {
        return;
    };
    let root = shared.join("sigstore-conformance/test/assets/bundle-verify");
    let case = root.join("rekor2-happy-path");
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&std::fs::read(case.join("bundle.sigstore.json")).unwrap()).unwrap();
    let wrap = |s: &str| {
        s.as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let ts = &mut bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
        [0]["signedTimestamp"];
    *ts = wrap(ts.as_str().unwrap()).into();
    let cert = &mut bundle["verificationMaterial"]["certificate"]["rawBytes"];
    *cert = wrap(cert.as_str().unwrap()).into();
    let dir = TempDir::new("wrapped");
    let wrapped = dir.path().join("bundle.sigstore.json");
    std::fs::write(&wrapped, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let verify = |b: &Path| {
        run(&[
            "verify-bundle",
            "--bundle",
            b.to_str().unwrap(),
            "--certificate-identity",
            BEACON,
            "--certificate-oidc-issuer",
            GHA,
            "--trusted-root",
            case.join("trusted_root.json").to_str().unwrap(),
            root.join("a.txt").to_str().unwrap(),
        ])
    };
    let out = verify(&wrapped);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    // Wrapping does not make a bad signature good.
    let sig = &mut bundle["messageSignature"]["signature"];
    let mut s = sig.as_str().unwrap().to_string();
    s.replace_range(10..11, if &s[10..11] == "A" { "B" } else { "A" });
    *sig = wrap(&s).into();
    std::fs::write(&wrapped, serde_json::to_vec(&bundle).unwrap()).unwrap();
    let out = verify(&wrapped);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
}

/// `--workflow` and `--source-digest` against the reusable-workflow attestation: the workflow
/// that ran is the caller's (`shared.yml`), not the reusable workflow that signed.
#[test]
fn workflow_and_source_digest_claims_fail_with_expected_and_found() {
    let Some(shared) = shared_fixtures("workflow_and_source_digest_claims") else {
        return;
    };
    let gh = shared.join("cli-cli/pkg/cmd/attestation/test/data");
    let bundle = gh.join("reusable-workflow-attestation.sigstore.json");
    let artifact = gh.join("reusable-workflow-artifact");
    let id = "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d";
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify-bundle",
            "--bundle",
            bundle.to_str().unwrap(),
            "--certificate-identity",
            id,
            "--certificate-oidc-issuer",
            GHA,
        ];
        args.extend_from_slice(extra);
        args.push(artifact.to_str().unwrap());
        run(&args)
    };
    let good = [
        "--workflow",
        ".github/workflows/shared.yml",
        "--source-digest",
        "95baf27389e83e6a5c48f42e190d48d7abcea19e",
    ];
    let out = verify(&good);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = verify(&["--workflow", ".github/workflows/attest.yml"]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("expected: workflow = .github/workflows/attest.yml")
            && stdout(&out).contains("found:    workflow = .github/workflows/shared.yml"),
        "{}",
        stdout(&out)
    );
    let out = verify(&[
        "--source-digest",
        "0000000000000000000000000000000000000000",
    ]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("found:    source commit = 95baf27389e83e6a5c48f42e190d48d7abcea19e"),
        "{}",
        stdout(&out)
    );
}

/// POSTs to the test Sigstore instance and returns the response body.
fn post(url: &str, path: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    use std::io::{Read, Write};
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.0\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut reply = Vec::new();
    s.read_to_end(&mut reply).unwrap();
    let split = reply.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&reply[..split]).into_owned();
    assert!(head.contains(" 201 "), "{head}");
    // HTTP/1.0: no chunked encoding, the body runs to the end of the stream.
    reply[split + 4..].to_vec()
}

/// An Ed25519 managed-key message signature (the one scheme that cannot be verified from a
/// digest): verified from the file's bytes, refused in digest mode, refused for a changed
/// artifact. Its signing time comes from the test instance's TSA, against a root that has only
/// that TSA (so no transparency log is required, and none is given).
#[test]
fn ed25519_message_signature_needs_the_bytes() {
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let sigstore = crate::sigstore_instance::TestSigstore::start();
    let dir = TempDir::new("ed25519");

    let key = Ed25519KeyPair::generate().unwrap();
    let mut spki = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    spki.extend_from_slice(key.public_key().as_ref());
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        b64.encode(&spki)
    );
    std::fs::write(dir.path().join("key.pub"), pem).unwrap();
    let artifact: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(dir.path().join("artifact"), &artifact).unwrap();
    let sig = key.sign(&artifact);

    let request = serde_json::json!({
        "artifactHash": b64.encode(kakunin::digest::Digest::sha256(sig.as_ref()).as_bytes()),
        "hashAlgorithm": "sha256",
        "certificates": true,
    });
    let tsr = post(
        sigstore.url(),
        "/api/v1/timestamp",
        "application/json",
        request.to_string().as_bytes(),
    );
    let bundle = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": {"hint": "ed25519-test"},
            "tlogEntries": [],
            "timestampVerificationData": {"rfc3161Timestamps": [{"signedTimestamp": b64.encode(&tsr)}]},
        },
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64.encode(kakunin::digest::Digest::sha256(&artifact).as_bytes())},
            "signature": b64.encode(sig.as_ref()),
        },
    });
    std::fs::write(dir.path().join("bundle.json"), bundle.to_string()).unwrap();
    let mut root: serde_json::Value =
        serde_json::from_slice(&std::fs::read(sigstore.trusted_root()).unwrap()).unwrap();
    for field in ["tlogs", "ctlogs", "certificateAuthorities"] {
        root[field] = serde_json::json!([]);
    }
    std::fs::write(dir.path().join("root.json"), root.to_string()).unwrap();

    let verify = |artifact_arg: &str| {
        run(&[
            "verify-bundle",
            "--bundle",
            dir.path().join("bundle.json").to_str().unwrap(),
            "--key",
            dir.path().join("key.pub").to_str().unwrap(),
            "--trusted-root",
            dir.path().join("root.json").to_str().unwrap(),
            artifact_arg,
        ])
    };
    let path = dir.path().join("artifact");
    let out = verify(path.to_str().unwrap());
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("timestamp:"), "{}", stdout(&out));

    let digest = kakunin::digest::Digest::sha256(&artifact).to_string();
    let out = verify(&digest);
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("prehashed"), "{}", stderr(&out));

    let mut changed = artifact.clone();
    changed[1000] ^= 1;
    std::fs::write(&path, &changed).unwrap();
    let out = verify(path.to_str().unwrap());
    assert_eq!(code(&out), 1, "{}{}", stdout(&out), stderr(&out));
}
