//! `kakunin verify --policy FILE` with `--values`/`--set`: every image the release deploys is
//! checked (image.policy, image.pinned, image.signature / image.attestation) over the release
//! world served on loopback, a second image signed by the test Sigstore instance and attached
//! as a referrer in docker-registry; each check also shown failing with expected and found.

use std::path::Path;

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::{GithubToken, TestSigstore};
use crate::world::world;

const GH: &str = "https://token.actions.githubusercontent.com";
const D: &str = "sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8";

/// A policy: the served profile as its release section, and image rules.
fn policy(dir: &Path, profile: &Path, sidecar_identity: &str, name: &str) -> String {
    let profile = std::fs::read_to_string(profile).unwrap();
    let release: String = profile.lines().map(|l| format!("  {l}\n")).collect();
    let text = format!(
        "images:
  - repository: ghcr.io/*/gomenhashai
    signer:
      identity_regexp: ^(?i:https://github\\.com/[a-z]+/gomenhashai)/\\.github/workflows/docker-release\\.yaml@refs/tags/v.*$
      issuer: {GH}
    signature: false
    attestations:
      - predicate_type: slsaprovenance1
    tag_is_app_version: true
  - repository: 127.0.0.1:*/o/sidecar
    signer:
      identity: {sidecar_identity}
      issuer: {GH}
allow_unverified: [docker.io/library/busybox]
release:
{release}"
    );
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn checks<'a>(report: &'a serde_json::Value, id: &str) -> Vec<&'a serde_json::Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

#[test]
fn every_deployed_image_is_checked_against_the_policy_with_values_and_set() {
    let w = world();
    let Some(served) = w.serve("deployed_images::every_deployed_image") else {
        return;
    };
    // A second image, signed keyless by the test instance and attached as a referrer.
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/sidecar", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("deployed-images");
    let image = served.registry.push_image("o/sidecar", "v1.0.0", "sidecar");
    let manifest = dir.path().join("manifest.json");
    std::fs::write(&manifest, &image.manifest).unwrap();
    let bundle = dir.path().join("manifest.sigstore");
    let signed =
        crate::support::keyless::sign_bundle(&instance, &tok.jwt(), &manifest, &bundle, false);
    served.registry.attach_bundle("o/sidecar", &image, &signed);

    let good = policy(dir.path(), &served.profile, &tok.identity(), "policy.yaml");
    let cache = TempDir::new("deployed-images-cache");
    let host = served.registry.host();
    let values = dir.path().join("values.yaml");
    std::fs::write(
        &values,
        format!("sidecar:\n  image:\n    repository: {host}/o/sidecar\n    tag: v0.9.0\n"),
    )
    .unwrap();
    let sidecar_set = format!(
        "sidecar.image.tag=v1.0.0,sidecar.image.digest={}",
        image.digest
    );
    let verify = |policy: &str, extra: &[&str]| {
        let mut a = vec![
            "verify",
            "gomenhashai@1.3.2",
            "--policy",
            policy,
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ];
        a.extend_from_slice(extra);
        let out = run(&a);
        let report = serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .map(|v| v["reports"][0].clone())
            .unwrap_or_default();
        (out, report)
    };
    let values_arg = values.to_str().unwrap();
    let busybox = format!("tools.image=busybox:1.36@{D}");

    // Verified: the chart's image by its attestation, the sidecar (values file, then --set) by
    // its signature, busybox reported as deployed unverified.
    let (out, r) = verify(
        &good,
        &["-f", values_arg, "--set", &sidecar_set, "--set", &busybox],
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let policies = checks(&r, "image.policy");
    assert_eq!(policies.len(), 3, "{r:#}");
    assert!(
        policies[2]["found"]
            .as_str()
            .unwrap()
            .contains("deployed WITHOUT verification"),
        "{r:#}"
    );
    assert_eq!(checks(&r, "image.pinned").len(), 3, "{r:#}");
    let sigs = checks(&r, "image.signature");
    assert_eq!(sigs.len(), 1, "{r:#}");
    assert!(
        sigs[0]["title"].as_str().unwrap().contains("o/sidecar"),
        "{r:#}"
    );
    assert!(
        sigs[0]["title"].as_str().unwrap().contains(&image.digest),
        "{r:#}"
    );
    assert_eq!(checks(&r, "image.attestation").len(), 1, "{r:#}");
    // Only the places that can still give what a rule requires are asked; the others are
    // listed with why: the sidecar's signature verified from its referrer, so neither cosign
    // tag is asked; the attestation-only rule never asks the .sig tag (signatures only).
    let evidence = |c: &serde_json::Value| c["evidence"].to_string();
    let sidecar = evidence(sigs[0]);
    for tag in [".sig", ".att"] {
        assert!(
            sidecar.contains(&format!(
                "{tag}: not looked up: what the policy requires already verified"
            )),
            "{sidecar}"
        );
    }
    assert!(
        sidecar.contains("1 Sigstore bundle referrer(s)"),
        "{sidecar}"
    );
    let attested = evidence(checks(&r, "image.attestation")[0]);
    assert!(
        attested.contains(".sig: not looked up: not required by the policy"),
        "{attested}"
    );
    let not_required = r["details"]["not_required"].to_string();
    assert!(
        not_required.contains("busybox") && not_required.contains("signature: false"),
        "{not_required}"
    );
    // The release checks are the profile's, unchanged.
    assert_eq!(checks(&r, "image.reference").len(), 1);

    // image.policy: an image no rule covers fails (fail-closed).
    let (out, r) = verify(
        &good,
        &["--set", &format!("extra.image=quay.io/evil/x@{D}")],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let failed: Vec<_> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] == "fail")
        .collect();
    assert_eq!(failed.len(), 1, "{r:#}");
    assert_eq!(failed[0]["id"], "image.policy");
    assert!(
        failed[0]["found"]
            .as_str()
            .unwrap()
            .contains("no rule covers quay.io/evil/x")
            && failed[0]["expected"]
                .as_str()
                .unwrap()
                .contains("ghcr.io/*/gomenhashai, 127.0.0.1:*/o/sidecar"),
        "{r:#}"
    );

    // image.pinned: --set deletes the digest (null), leaving a tag the rule may not resolve.
    let (out, r) = verify(
        &good,
        &[
            "-f",
            values_arg,
            "--set",
            &sidecar_set,
            "--set",
            "sidecar.image.digest=null",
        ],
    );
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let pinned = checks(&r, "image.pinned");
    let bad: Vec<_> = pinned.iter().filter(|c| c["outcome"] == "fail").collect();
    assert_eq!(bad.len(), 1, "{r:#}");
    assert!(
        bad[0]["found"]
            .as_str()
            .unwrap()
            .contains("no digest (tag v1.0.0)"),
        "{r:#}"
    );
    assert_eq!(checks(&r, "image.signature")[0]["outcome"], "not-run");

    // image.signature: the sidecar signed by another identity than the policy's.
    let other = policy(
        dir.path(),
        &served.profile,
        "https://github.com/o/sidecar/.github/workflows/other.yaml@refs/tags/v1.0.0",
        "other.yaml",
    );
    let (out, r) = verify(&other, &["-f", values_arg, "--set", &sidecar_set]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let sig = checks(&r, "image.signature")[0];
    assert_eq!(sig["outcome"], "fail", "{r:#}");
    assert!(
        sig["expected"].as_str().unwrap().contains("other.yaml"),
        "{r:#}"
    );

    // image.attestation: the chart's image attested by the workflow at a tag, not a branch.
    let text = std::fs::read_to_string(&good)
        .unwrap()
        .replace("@refs/tags/v.*$", "@refs/heads/main$");
    let branch = dir.path().join("branch.yaml");
    std::fs::write(&branch, text).unwrap();
    let (out, r) = verify(branch.to_str().unwrap(), &[]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        checks(&r, "image.attestation")[0]["outcome"],
        "fail",
        "{r:#}"
    );

    // Usage errors (exit 2): --set syntax, an unanchored regexp, values with the built-in
    // policy (which checks no images).
    let (out, _) = verify(&good, &["--set", "a[x]=1"]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("--set \"a[x]=1\"") && stderr(&out).contains("not an integer"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(&good)
        .unwrap()
        .replace("identity_regexp: ^(?i:", "identity_regexp: (?i:");
    let unanchored = dir.path().join("unanchored.yaml");
    std::fs::write(&unanchored, text).unwrap();
    let (out, _) = verify(unanchored.to_str().unwrap(), &[]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("images[0].signer.identity_regexp")
            && stderr(&out).contains("expected an anchored regexp"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "verify",
        "gomenhashai@1.3.2",
        "--profile",
        served.profile.to_str().unwrap(),
        "--set",
        "image.tag=v2",
        "--offline",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("checks no images"),
        "{}",
        stderr(&out)
    );
}

/// `kakunin verify` of a release whose second image carries only a cosign `.sig` signed with
/// an ECDSA P-521 certificate (made by openssl; sigstore-verify cannot verify with P-521): its
/// image.signature check fails naming "unsupported algorithm ECDSA P-521" and the verdict is
/// exit 2 (an input kakunin cannot check), never 1 (a bad signature); beside a check that
/// really failed (an image no rule covers), the verdict is 1.
#[test]
fn a_deployed_image_signed_with_a_p521_certificate_is_unsupported_algorithm_exit_2() {
    use crate::support::registry::OCI_MANIFEST;
    use base64::Engine;
    let dir = TempDir::new("deployed-p521");
    let made = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
        ])
        .args(["-nodes", "-subj", "/CN=p521", "-days", "1"])
        .args(["-keyout", "k.pem", "-out", "c.pem"])
        .current_dir(dir.path())
        .output()
        .is_ok_and(|o| o.status.success());
    if !made {
        crate::common::skipped(
            "a_deployed_image_signed_with_a_p521_certificate_is_unsupported_algorithm_exit_2",
            "openssl cannot make a P-521 certificate here",
        );
        return;
    }
    let w = world();
    let Some(served) = w.serve("deployed_images::p521") else {
        return;
    };
    let image = served
        .registry
        .push_image("o/sidecar", "v1.0.0", "p521 sidecar");
    let hex = image.digest.trim_start_matches("sha256:");
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/o/sidecar"}},"image":{{"docker-manifest-digest":"{}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        served.registry.host(),
        image.digest
    );
    let layer = served.registry.push_blob("o/sidecar", payload.as_bytes());
    let config = served.registry.push_blob("o/sidecar", b"{}");
    let annotations = serde_json::json!({
        "dev.cosignproject.cosign/signature":
            base64::engine::general_purpose::STANDARD.encode([0x30u8; 70]),
        "dev.sigstore.cosign/certificate":
            std::fs::read_to_string(dir.path().join("c.pem")).unwrap(),
    });
    let sig = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{annotations}}}]}}"#,
        payload.len()
    );
    served.registry.push_manifest(
        "o/sidecar",
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        sig.as_bytes(),
    );
    let identity = "https://github.com/o/sidecar/.github/workflows/release.yaml@refs/tags/v1.0.0";
    let good = policy(dir.path(), &served.profile, identity, "policy.yaml");
    let cache = TempDir::new("deployed-p521-cache");
    let sidecar = format!(
        "sidecar.image.repository={}/o/sidecar,sidecar.image.tag=v1.0.0,sidecar.image.digest={}",
        served.registry.host(),
        image.digest
    );
    let verify = |extra: &[&str]| {
        let mut a = vec![
            "verify",
            "gomenhashai@1.3.2",
            "--policy",
            &good,
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
            "--set",
            &sidecar,
        ];
        a.extend_from_slice(extra);
        let out = run(&a);
        let report = serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .map(|v| v["reports"][0].clone())
            .unwrap_or_default();
        (out, report)
    };
    let (out, r) = verify(&[]);
    assert_eq!(code(&out), 2, "{}\n{}", stdout(&out), stderr(&out));
    let sigs = checks(&r, "image.signature");
    assert_eq!(sigs.len(), 1, "{r:#}");
    assert_eq!(sigs[0]["outcome"], "fail", "{r:#}");
    let found = sigs[0]["found"].as_str().unwrap();
    assert!(
        found.contains("unsupported algorithm ECDSA P-521 in the signing certificate"),
        "{r:#}"
    );
    assert!(!found.contains("signature verification failed"), "{r:#}");
    assert!(
        sigs[0]["expected"].as_str().unwrap().contains(identity),
        "{r:#}"
    );
    // A check that really failed beside it: the verdict is the failure's, 1.
    let (out, r) = verify(&["--set", &format!("extra.image=quay.io/evil/x@{D}")]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    assert_eq!(checks(&r, "image.signature")[0]["outcome"], "fail", "{r:#}");
}
