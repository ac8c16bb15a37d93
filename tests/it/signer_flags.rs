//! The signer flags people bring from cosign, `gh attestation verify` and sigstore-python, on
//! real GitHub and Sigstore bundles (../shared/fixtures): each one lets a right signer pass and
//! makes a wrong one fail, with what was expected and what was found.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::{code, run, shared_fixtures, stderr, stdout};

const GH_ISSUER: &str = "https://token.actions.githubusercontent.com";
const JS_SAN: &str =
    "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main";
const RELEASE_DIGEST: &str =
    "sha256:e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec3";

fn gh_data(shared: &Path) -> PathBuf {
    shared.join("cli-cli/pkg/cmd/attestation/test/data")
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// `verify-bundle` of sigstore-js 2.1.0's npm provenance (public-good, github-hosted,
/// release.yml on refs/heads/main, push) with these signer options.
fn js(shared: &Path, signer: &[&str]) -> Output {
    let d = gh_data(shared);
    let bundle = s(&d.join("sigstore-js-2.1.0-bundle.json"));
    let artifact = s(&d.join("sigstore-js-2.1.0.tgz"));
    let mut args = vec!["verify-bundle", "--bundle", &bundle];
    args.extend_from_slice(signer);
    args.push(&artifact);
    run(&args)
}

/// The reusable-workflow attestation: the SAN is github/artifact-attestations-workflows'
/// attest.yml, the source repository malancas/attest-demo.
fn reusable(shared: &Path, signer: &[&str]) -> Output {
    let d = gh_data(shared);
    let bundle = s(&d.join("reusable-workflow-attestation.sigstore.json"));
    let artifact = s(&d.join("reusable-workflow-artifact"));
    let mut args = vec!["verify-bundle", "--bundle", &bundle];
    args.extend_from_slice(signer);
    args.push(&artifact);
    run(&args)
}

#[track_caller]
fn passes(what: &str, out: &Output) {
    assert_eq!(
        code(out),
        0,
        "{what} must verify:\n{}{}",
        stdout(out),
        stderr(out)
    );
    assert!(stdout(out).contains("VERIFIED"), "{what}: {}", stdout(out));
}

/// Exit 1, and the failing check names what was expected and what was found.
#[track_caller]
fn fails(what: &str, out: &Output, expected: &str, found: &str) {
    let text = stdout(out);
    assert_eq!(code(out), 1, "{what} must fail:\n{text}{}", stderr(out));
    assert!(
        text.contains(&format!("expected: {expected}\n")),
        "{what}: expected {expected:?} in\n{text}"
    );
    assert!(
        text.contains(&format!("found:    {found}\n")),
        "{what}: found {found:?} in\n{text}"
    );
}

#[test]
fn sigstore_python_aliases_cert_identity_and_cert_oidc_issuer() {
    let Some(shared) =
        shared_fixtures("sigstore_python_aliases_cert_identity_and_cert_oidc_issuer")
    else {
        return;
    };
    let a = shared.join("sigstore-python/test/assets");
    let bundle = s(&a.join("bundle.txt.sigstore"));
    let artifact = s(&a.join("bundle.txt"));
    let with = |id: &str, iss: &str| {
        run(&[
            "verify-bundle",
            "--staging",
            "--bundle",
            &bundle,
            "--cert-identity",
            id,
            "--cert-oidc-issuer",
            iss,
            &artifact,
        ])
    };
    passes(
        "aliases",
        &with("a@tny.town", "https://github.com/login/oauth"),
    );
    fails(
        "--cert-identity wrong",
        &with("b@tny.town", "https://github.com/login/oauth"),
        "b@tny.town",
        "a@tny.town",
    );
    fails(
        "--cert-oidc-issuer wrong",
        &with("a@tny.town", "https://accounts.google.com"),
        "https://accounts.google.com",
        "https://github.com/login/oauth",
    );
    // No runner environment claim on a person's certificate: --deny-self-hosted-runners fails.
    let out = run(&[
        "verify-bundle",
        "--staging",
        "--bundle",
        &bundle,
        "--cert-identity",
        "a@tny.town",
        "--cert-oidc-issuer",
        "https://github.com/login/oauth",
        "--deny-self-hosted-runners",
        &artifact,
    ]);
    fails(
        "--deny-self-hosted-runners without the claim",
        &out,
        "runner environment = github-hosted",
        "runner environment = (absent)",
    );
}

#[test]
fn cosign_oidc_issuer_regexp_is_anchored() {
    let Some(shared) = shared_fixtures("cosign_oidc_issuer_regexp_is_anchored") else {
        return;
    };
    let re = |re: &str| {
        js(
            &shared,
            &[
                "--certificate-identity",
                JS_SAN,
                "--certificate-oidc-issuer-regexp",
                re,
            ],
        )
    };
    passes(
        "issuer regexp",
        &re(r"https://token\.actions\.githubusercontent\.com"),
    );
    // A pattern matching only a part of the issuer must not pass.
    fails(
        "partial issuer regexp",
        &re(r"https://token\.actions"),
        r"matches ^(?:https://token\.actions)$",
        GH_ISSUER,
    );
    let out = re("(");
    assert_eq!(code(&out), 2, "a bad regexp is a usage error");
    assert!(stderr(&out).contains("--certificate-oidc-issuer-regexp"));
}

#[test]
fn cosign_github_workflow_extension_flags() {
    let Some(shared) = shared_fixtures("cosign_github_workflow_extension_flags") else {
        return;
    };
    let base = [
        "--certificate-identity",
        JS_SAN,
        "--certificate-oidc-issuer",
        GH_ISSUER,
    ];
    // One `bundle.github-claims` check; a failing claim is named with what was expected and found.
    for (flag, right, wrong) in [
        ("--certificate-github-workflow-trigger", "push", "release"),
        (
            "--certificate-github-workflow-sha",
            "26d16513386ffaa790b1c32f927544f1322e4194",
            "0000000000000000000000000000000000000000",
        ),
        ("--certificate-github-workflow-name", "Release", "CI"),
        (
            "--certificate-github-workflow-repository",
            "sigstore/sigstore-js",
            "sigstore/sigstore-go",
        ),
        (
            "--certificate-github-workflow-ref",
            "refs/heads/main",
            "refs/tags/v2.1.0",
        ),
    ] {
        let mut args = base.to_vec();
        args.extend([flag, right]);
        passes(flag, &js(&shared, &args));
        let mut args = base.to_vec();
        args.extend([flag, wrong]);
        let claim = format!(
            "GitHub workflow {}",
            flag.trim_start_matches("--certificate-github-workflow-")
        );
        fails(
            flag,
            &js(&shared, &args),
            &format!("{claim} = {wrong}"),
            &format!("{claim} = {right}"),
        );
    }
}

#[test]
fn gh_owner_and_repo_say_signed_by_this_repositorys_workflows() {
    let Some(shared) =
        shared_fixtures("gh_owner_and_repo_say_signed_by_this_repositorys_workflows")
    else {
        return;
    };
    passes("--owner", &js(&shared, &["--owner", "sigstore"]));
    // GitHub's names are case-insensitive, as gh compares them.
    passes("--owner Sigstore", &js(&shared, &["--owner", "Sigstore"]));
    passes("--repo", &js(&shared, &["--repo", "sigstore/sigstore-js"]));
    fails(
        "--owner wrong",
        &js(&shared, &["--owner", "sigstor"]),
        "source repository owner = https://github.com/sigstor",
        "source repository owner = https://github.com/sigstore",
    );
    fails(
        "--repo wrong",
        &js(&shared, &["--repo", "sigstore/sigstore-go"]),
        "source repository (--repo) = https://github.com/sigstore/sigstore-go",
        "source repository (--repo) = https://github.com/sigstore/sigstore-js",
    );
    // A workflow of another repository of the same owner is not this repository's.
    let out = js(&shared, &["--repo", "sigstore/sigstore"]);
    fails(
        "--repo prefix",
        &out,
        r"matches ^(?:(?i:https://github\.com/sigstore/sigstore)/.+)$",
        JS_SAN,
    );
    let out = js(&shared, &["--repo", "sigstore"]);
    assert_eq!(code(&out), 2, "--repo needs OWNER/REPO");

    // The issuer is GitHub Actions' unless given: a custom (GHE-style) issuer fails, and
    // passes once named.
    let d = gh_data(&shared);
    let bundle = s(&d.join("custom-issuer.sigstore.json"));
    let artifact = s(&d.join("custom-issuer-artifact"));
    let custom = "https://token.actions.githubusercontent.com/hammer-time";
    let out = run(&[
        "verify-bundle",
        "--bundle",
        &bundle,
        "--owner",
        "too-legit",
        &artifact,
    ]);
    fails("--owner, custom issuer", &out, GH_ISSUER, custom);
    let out = run(&[
        "verify-bundle",
        "--bundle",
        &bundle,
        "--owner",
        "too-legit",
        "--cert-oidc-issuer",
        custom,
        &artifact,
    ]);
    passes("--owner with --cert-oidc-issuer", &out);
}

#[test]
fn gh_signer_repo_and_signer_workflow_name_a_reusable_workflow() {
    let Some(shared) =
        shared_fixtures("gh_signer_repo_and_signer_workflow_name_a_reusable_workflow")
    else {
        return;
    };
    let signer = "https://github.com/github/artifact-attestations-workflows/.github/workflows/attest.yml@09b495c3f12c7881b3cc17209a327792065c1a1d";
    // --repo alone expects the repository's own workflow to have signed (as gh).
    fails(
        "--repo, reusable workflow",
        &reusable(&shared, &["--repo", "malancas/attest-demo"]),
        r"matches ^(?:(?i:https://github\.com/malancas/attest\-demo)/.+)$",
        signer,
    );
    passes(
        "--repo with --signer-repo",
        &reusable(
            &shared,
            &[
                "--repo",
                "malancas/attest-demo",
                "--signer-repo",
                "github/artifact-attestations-workflows",
            ],
        ),
    );
    fails(
        "--signer-repo wrong",
        &reusable(&shared, &["--signer-repo", "github/other-workflows"]),
        r"matches ^(?:(?i:https://github\.com/github/other\-workflows)/.+)$",
        signer,
    );
    passes(
        "--signer-workflow",
        &reusable(
            &shared,
            &[
                "--signer-workflow",
                "github/artifact-attestations-workflows/.github/workflows/attest.yml",
                "--repo",
                "malancas/attest-demo",
            ],
        ),
    );
    fails(
        "--signer-workflow wrong",
        &reusable(
            &shared,
            &[
                "--signer-workflow",
                "github/artifact-attestations-workflows/.github/workflows/attest.yaml",
            ],
        ),
        r"matches ^(?:https://github\.com/github/artifact\-attestations\-workflows/\.github/workflows/attest\.yaml@.+)$",
        signer,
    );
    passes(
        "--deny-self-hosted-runners",
        &reusable(
            &shared,
            &[
                "--signer-repo",
                "github/artifact-attestations-workflows",
                "--deny-self-hosted-runners",
            ],
        ),
    );
}

#[test]
fn github_release_attestation_verifies_with_its_flag_only() {
    let Some(shared) = shared_fixtures("github_release_attestation_verifies_with_its_flag_only")
    else {
        return;
    };
    let bundle = s(&gh_data(&shared).join("github_release_bundle.json"));
    let out = run(&[
        "verify-bundle",
        "--github-release",
        "--bundle",
        &bundle,
        RELEASE_DIGEST,
    ]);
    passes("--github-release", &out);
    assert!(stdout(&out).contains("https://dotcom.releases.github.com"));
    // Another artifact is not what GitHub attested.
    let other = "sha256:e15b593c6ab8d7725a3cc82226ef816cac6bf9c70eed383bd459295cc65f5ec4";
    let out = run(&[
        "verify-bundle",
        "--github-release",
        "--bundle",
        &bundle,
        other,
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    // Without the flag an issuer is required, and none is in the certificate.
    let out = run(&[
        "verify-bundle",
        "--instance",
        "github",
        "--cert-identity",
        "https://dotcom.releases.github.com",
        "--cert-oidc-issuer",
        GH_ISSUER,
        "--bundle",
        &bundle,
        RELEASE_DIGEST,
    ]);
    fails(
        "release without --github-release",
        &out,
        GH_ISSUER,
        "(absent)",
    );
    // A workflow's attestation is not GitHub's release attestation.
    let out = js(&shared, &["--github-release", "--instance", "public-good"]);
    fails(
        "--github-release on a workflow's bundle",
        &out,
        "(absent) (a GitHub release attestation)",
        GH_ISSUER,
    );
    // verify-attestation, with the release predicate.
    let out = run(&[
        "verify-attestation",
        "--github-release",
        "--predicate-type",
        "https://in-toto.io/attestation/release/v0.1",
        "--bundle",
        &bundle,
        RELEASE_DIGEST,
    ]);
    passes("verify-attestation --github-release", &out);
}

#[test]
fn a_github_instance_bundle_under_public_good_hints_at_instance_github() {
    let Some(shared) =
        shared_fixtures("a_github_instance_bundle_under_public_good_hints_at_instance_github")
    else {
        return;
    };
    let d = gh_data(&shared);
    let bundle = s(&d.join("github_provenance_demo-0.0.12-py3-none-any-bundle.jsonl"));
    let artifact = s(&d.join("github_provenance_demo-0.0.12-py3-none-any.whl"));
    for cmd in ["verify-bundle", "verify-attestation"] {
        let out = run(&[
            cmd,
            "--repo",
            "actions/attest-demo",
            "--bundle",
            &bundle,
            &artifact,
        ]);
        assert_eq!(code(&out), 1, "{cmd}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("add --instance github"),
            "{cmd}: {}",
            stderr(&out)
        );
        let out = run(&[
            cmd,
            "--repo",
            "actions/attest-demo",
            "--instance",
            "github",
            "--offline",
            "--bundle",
            &bundle,
            &artifact,
        ]);
        passes(cmd, &out);
        let out = run(&[
            cmd,
            "--repo",
            "actions/other",
            "--instance",
            "github",
            "--bundle",
            &bundle,
            &artifact,
        ]);
        fails(
            cmd,
            &out,
            "source repository (--repo) = https://github.com/actions/other",
            "source repository (--repo) = https://github.com/actions/attest-demo",
        );
    }
}

#[test]
fn format_json_is_output_json() {
    let Some(shared) = shared_fixtures("format_json_is_output_json") else {
        return;
    };
    let out = js(&shared, &["--owner", "sigstore", "--format", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(v["verdict"], "verified");
    let out = js(&shared, &["--owner", "sigstor", "--format", "json"]);
    assert_eq!(code(&out), 1);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(v["verdict"], "failed");
}

#[test]
fn a_key_bundle_with_certificate_claims_is_a_usage_error() {
    let out = run(&[
        "verify-bundle",
        "--bundle",
        "x.sigstore.json",
        "--key",
        "k.pub",
        "--repository",
        "o/r",
        "x",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let out = run(&[
        "verify-bundle",
        "--bundle",
        "x.sigstore.json",
        "--key",
        "k.pub",
        "--owner",
        "o",
        "x",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
