//! `kakunin verify-image` through the command for the newer forms: Sigstore bundles attached as
//! OCI 1.1 referrers and found through the referrers API (a real loopback registry that serves
//! it, tests/it/support/oci.rs), as cosign v3 (DSSE, predicate `https://sigstore.dev/cosign/sign/v1`)
//! and GitHub's `push-to-registry` (DSSE SLSA provenance) attach them; and cosign's legacy `.att`
//! tag in Debian's docker-registry, with `--attestation TYPE` passing and failing. Everything is
//! signed keylessly by the test Sigstore instance.

use base64::Engine;

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::{GithubToken, TestSigstore};
use crate::support::cosign::rekor_bundle;
use crate::support::keyless::{sign_bundle, sign_statement, statement};
use crate::support::signed_oci::{COSIGN_SIGN, SignedOci};
use crate::support::verify_cmd::{GH_ISSUER, verify_image};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn provenance(name: &str, digest: &str) -> serde_json::Value {
    let mut s = statement(name, digest, "https://slsa.dev/provenance/v1");
    s["predicate"] = serde_json::json!({
        "buildDefinition": {
            "buildType": "https://actions.github.io/buildtypes/workflow/v1",
            "externalParameters": {"workflow": {"ref": "refs/tags/v1.0.0", "repository": "https://github.com/o/app", "path": ".github/workflows/release.yaml"}},
            "internalParameters": {},
            "resolvedDependencies": [],
        },
        "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}, "metadata": {}},
    });
    s
}

fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(out), stderr(out)))
}

fn check<'a>(r: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    r["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {r}"))
}

/// `out` is exit 1 with `image.attestation` expecting the predicate type `wanted` and finding
/// SLSA provenance v1.
fn fails_finding_only_slsa_v1(out: &std::process::Output, wanted: &str) {
    assert_eq!(code(out), 1, "{}", stdout(out));
    let r = report(out);
    let a = check(&r, "image.attestation");
    assert!(
        a["expected"].as_str().unwrap().contains(wanted)
            && a["found"]
                .as_str()
                .unwrap()
                .contains("https://slsa.dev/provenance/v1"),
        "{a}"
    );
}

#[test]
fn cosign_v3_and_push_to_registry_referrers_verify_through_the_referrers_api() {
    // cosign v3: the image signature as a DSSE bundle; GitHub: SLSA provenance v1.
    let signed = SignedOci::start("vi-referrers", "app-bits");
    let (reg, name, full, image) = (&signed.reg, signed.name, &signed.full, &signed.image);
    let tok = &signed.tok;
    let (_, prov_ref) = signed.attest("prov", &provenance(full, image));

    let cache = TempDir::new("vi-referrers-cache");
    let root = signed.instance.trusted_root();
    let verify = |reference: &str, identity: &str, extra: &[&str]| {
        verify_image(reference, identity, &root, cache.path(), extra)
    };
    let reference = format!("{full}:v1.0.0");
    let out = verify(
        &reference,
        &tok.identity(),
        &["--attestation", "slsaprovenance1"],
    );
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let d = &r["reports"][0]["details"];
    assert_eq!(d["digest"], image.as_str());
    let discovery = d["discovery"].to_string();
    assert!(
        discovery.contains("OCI 1.1 referrers API")
            && discovery.contains("2 Sigstore bundle referrer(s)"),
        "{discovery}"
    );
    let s = check(&r, "image.signature");
    assert!(
        s["found"]
            .as_str()
            .unwrap()
            .contains(&format!("referrer {}", signed.sig_ref))
            && s["found"]
                .as_str()
                .unwrap()
                .contains("sigstore-bundle-dsse"),
        "{s}"
    );
    let a = check(&r, "image.attestation");
    assert_eq!(a["outcome"], "pass", "{a}");
    assert!(a["found"].as_str().unwrap().contains(&prov_ref), "{a}");
    // The API was asked (and answered): no fallback tag was looked for.
    let reqs = reg.requests();
    assert!(
        reqs.iter()
            .any(|p| p.starts_with(&format!("/v2/{name}/referrers/{image}"))),
        "{reqs:?}"
    );
    let hex = image.strip_prefix("sha256:").unwrap();
    assert!(
        !reqs
            .iter()
            .any(|p| p == &format!("/v2/{name}/manifests/sha256-{hex}")),
        "{reqs:?}"
    );

    // An attestation type that is not attached: exit 1, naming the type and what was found.
    let out = verify(&reference, &tok.identity(), &["--attestation", "spdxjson"]);
    fails_finding_only_slsa_v1(&out, "https://spdx.dev/Document");
    // Another signer: every referrer rejected, exit 1, the identity expected and found named.
    let other = "https://github.com/else/where/.github/workflows/x.yaml@refs/heads/main";
    let out = verify(&reference, other, &[]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains(other) && text.contains(&tok.identity()),
        "{text}"
    );

    // A second image whose only referrer is a bundle for the first image: the DSSE statement's
    // subject is not this image, so nothing verifies.
    let (image2, manifest2) = reg.push_image(name, "v2.0.0", "other-bits");
    reg.attach_bundle(
        name,
        (&image2, manifest2.len()),
        &signed.sig,
        Some(COSIGN_SIGN),
    );
    let out = verify(&format!("{full}:v2.0.0"), &tok.identity(), &[]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let r = report(&out);
    let s = check(&r, "image.signature");
    let found = s["found"].as_str().unwrap();
    assert!(
        found.contains(&format!(
            "expected a statement about {image2}, found one about {image}"
        )),
        "{s}"
    );
}

/// cosign's legacy `.att` tag: a DSSE envelope layer with its certificate and Rekor SET in
/// cosign's annotations, pushed into docker-registry.
#[test]
fn a_legacy_att_tag_satisfies_attestation_of_its_type_only_and_a_changed_statement_fails() {
    use crate::support::registry::{OCI_MANIFEST, Registry};
    let Some(reg) = Registry::start("verify_image_att_registry") else {
        return;
    };
    let instance = TestSigstore::start();
    let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
    let dir = TempDir::new("vi-att");
    let name = "o/app";
    let image = reg.push_image(name, "v1.0.0", "att-bits");
    let full = format!("{}/{name}", reg.host());
    let bundle: serde_json::Value = serde_json::from_slice(&sign_statement(
        &instance,
        &tok,
        dir.path(),
        "prov",
        &provenance(&full, &image.digest),
    ))
    .unwrap();
    let env = &bundle["dsseEnvelope"];
    let vm = &bundle["verificationMaterial"];
    let cert_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        vm["certificate"]["rawBytes"].as_str().unwrap()
    );
    let set = rekor_bundle(&vm["tlogEntries"][0]);
    let push_att = |envelope: &serde_json::Value| {
        let layer_bytes = envelope.to_string();
        let layer = reg.push_blob(name, layer_bytes.as_bytes());
        let config = reg.push_blob(name, b"{}");
        let annotations = serde_json::json!({
            "dev.cosignproject.cosign/signature": "",
            "dev.sigstore.cosign/certificate": cert_pem,
            "dev.sigstore.cosign/bundle": set.to_string(),
            "predicateType": "https://slsa.dev/provenance/v1",
        });
        let m = format!(
            r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dsse.envelope.v1+json","digest":"{layer}","size":{},"annotations":{annotations}}}]}}"#,
            layer_bytes.len()
        );
        let hex = image.digest.strip_prefix("sha256:").unwrap();
        reg.push_manifest(
            name,
            &format!("sha256-{hex}.att"),
            OCI_MANIFEST,
            m.as_bytes(),
        );
    };
    // The envelope exactly as cosign writes an .att layer.
    let envelope = serde_json::json!({
        "payloadType": env["payloadType"],
        "payload": env["payload"],
        "signatures": [{"keyid": "", "sig": env["signatures"][0]["sig"]}],
    });
    push_att(&envelope);
    // And a signature, so that image.signature has something to verify (a bundle referrer).
    let manifest_file = dir.path().join("manifest.json");
    std::fs::write(&manifest_file, &image.manifest).unwrap();
    let mb = dir.path().join("manifest.sigstore");
    let manifest_bundle = sign_bundle(&instance, &tok.jwt(), &manifest_file, &mb, false);
    reg.attach_bundle(name, &image, &manifest_bundle);

    let cache = TempDir::new("vi-att-cache");
    let reference = format!("{full}:v1.0.0");
    let root = instance.trusted_root();
    let verify =
        |extra: &[&str]| verify_image(&reference, &tok.identity(), &root, cache.path(), extra);
    let out = verify(&["--attestation", "slsaprovenance1"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let a = check(&r, "image.attestation");
    assert!(a["found"].as_str().unwrap().contains(".att layer 0"), "{a}");
    let verified = r["reports"][0]["details"]["verified"].to_string();
    assert!(verified.contains("cosign-attestation"), "{verified}");
    // The full URI works as well as the short name; another type fails, naming both.
    let out = verify(&["--attestation", "https://slsa.dev/provenance/v1"]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let out = verify(&["--attestation", "cyclonedx"]);
    fails_finding_only_slsa_v1(&out, "https://cyclonedx.org/bom");

    // The statement changed after signing (another subject digest): the DSSE signature and the
    // log entry no longer match, and the attestation is rejected.
    let mut st: serde_json::Value =
        serde_json::from_slice(&B64.decode(env["payload"].as_str().unwrap()).unwrap()).unwrap();
    st["predicate"]["runDetails"]["builder"]["id"] = "https://evil.example/builder".into();
    let mut tampered = envelope.clone();
    tampered["payload"] = B64.encode(st.to_string()).into();
    push_att(&tampered);
    let out = verify(&["--attestation", "slsaprovenance1"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let r = report(&out);
    let a = check(&r, "image.attestation");
    assert_eq!(a["outcome"], "fail", "{a}");
    assert!(a["found"].as_str().unwrap().contains("rejected"), "{a}");
}

/// SLSA provenance whose build type kakunin does not model (slsa-github-generator's maven,
/// gradle and container-based builders, and one nobody defined) attached as referrers: each
/// verifies for `--attestation` on the certificate's claims and the statement's subject; a
/// claim flag the certificate contradicts fails it, and a provenance about another image is
/// rejected naming it.
#[test]
fn provenance_of_build_types_kakunin_does_not_model_verifies_on_the_certificate_and_subject() {
    let signed = SignedOci::start("vi-build-types", "app-bits");
    let (tok, full, image) = (&signed.tok, &signed.full, &signed.image);
    let generator = "https://github.com/slsa-framework/slsa-github-generator";
    let v02 = |build_type: &str| {
        let mut s = statement(full, image, "https://slsa.dev/provenance/v0.2");
        s["predicate"] = serde_json::json!({
            "builder": {"id": format!("{generator}/.github/workflows/builder_maven_slsa3.yml@refs/tags/v2.0.0")},
            "buildType": build_type,
            "invocation": {"configSource": {}, "parameters": {}, "environment": {}},
            "buildConfig": {"steps": [{"command": ["mvn", "package"]}]},
            "materials": [],
        });
        s
    };
    let v1 = |build_type: &str| {
        let mut s = statement(full, image, "https://slsa.dev/provenance/v1");
        s["predicate"] = serde_json::json!({
            "buildDefinition": {"buildType": build_type, "externalParameters": {"anything": {"at": "all"}}, "internalParameters": {}, "resolvedDependencies": []},
            "runDetails": {"builder": {"id": format!("{generator}/.github/workflows/builder_container-based_slsa3.yml@refs/tags/v2.0.0")}, "metadata": {}},
        });
        s
    };
    let cases = [
        (
            "maven",
            v02(&format!("{generator}/maven@v1")),
            "slsaprovenance",
        ),
        (
            "gradle",
            v02(&format!("{generator}/gradle@v1")),
            "slsaprovenance02",
        ),
        (
            "container",
            v1(&format!("{generator}/delegator-generic@v0")),
            "slsaprovenance1",
        ),
        (
            "unknown",
            v1("https://example.com/buildtypes/nobody-defined-this/v7"),
            "https://slsa.dev/provenance/v1",
        ),
    ];
    let cache = TempDir::new("vi-build-types-cache");
    let root = signed.instance.trusted_root();
    let reference = format!("{full}:v1.0.0");
    let verify =
        |extra: &[&str]| verify_image(&reference, &tok.identity(), &root, cache.path(), extra);
    for (label, st, _) in &cases {
        signed.attest(label, st);
    }
    for (label, _, wanted) in &cases {
        let out = verify(&["--attestation", wanted, "--source-ref", "refs/tags/v1.0.0"]);
        assert_eq!(code(&out), 0, "{label}: {}\n{}", stdout(&out), stderr(&out));
        let r = report(&out);
        assert_eq!(check(&r, "image.attestation")["outcome"], "pass", "{label}");
    }
    // A claim flag the certificate contradicts: the provenance of an unmodelled build type is
    // not a way around it.
    let out = verify(&[
        "--attestation",
        "slsaprovenance1",
        "--source-ref",
        "refs/tags/v9.9.9",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        stdout(&out).contains("refs/tags/v9.9.9"),
        "{}",
        stdout(&out)
    );
    // Unmodelled provenance about another image is rejected, naming that image.
    let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let mut only_other = statement(full, other, "https://in-toto.io/attestation/other/v1");
    only_other["predicate"] = serde_json::json!({});
    signed.attest("other2", &only_other);
    let out = verify(&["--attestation", "https://in-toto.io/attestation/other/v1"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(stdout(&out).contains(other), "{}", stdout(&out));
}

/// Through `kakunin verify`: a chart (a `.tgz` with its `.prov`) deploying an image whose SLSA
/// provenance is of a build type kakunin does not model (slsa-github-generator's delegator)
/// verifies with `--attestation slsaprovenance1` on the certificate's claims and the subject;
/// a `--source-ref` the certificate contradicts fails, naming expected and found.
#[test]
fn verify_accepts_a_chart_image_attested_by_a_build_type_kakunin_does_not_model() {
    let signed = SignedOci::start("verify-build-types", "app-bits-of-verify");
    let (dir, full, image) = (signed.dir.path(), &signed.full, &signed.image);
    let v1 = "https://slsa.dev/provenance/v1";
    let mut st = statement(full, image, v1);
    st["predicate"] = serde_json::json!({
        "buildDefinition": {
            "buildType": "https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0",
            "externalParameters": {"inputs": {"registry-image": full}, "vars": {}},
            "internalParameters": {},
            "resolvedDependencies": [],
        },
        "runDetails": {"builder": {"id": signed.tok.identity()}, "metadata": {}},
    });
    signed.attest("delegator", &st);
    let (secret, public) = crate::chart_sources::pgp_pair(21);
    let pinned = format!("{full}@{image}");
    let tgz = crate::chart_sources::package(dir, "1.0.0", &[&pinned], Some(&secret));
    let ring = crate::chart_sources::keyring(dir, "pub.asc", &public);
    let root = signed.instance.trusted_root();
    let cache = TempDir::new("verify-build-types-cache");
    let identity = signed.tok.identity();
    let verify = |source_ref: &str| {
        run(&[
            "verify",
            tgz.to_str().unwrap(),
            "--keyring",
            &ring,
            "--certificate-identity",
            &identity,
            "--certificate-oidc-issuer",
            GH_ISSUER,
            "--source-ref",
            source_ref,
            "--attestation",
            "slsaprovenance1",
            "--trusted-root",
            root.to_str().unwrap(),
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let out = verify("refs/tags/v1.0.0");
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r = report(&out);
    let a = check(&r, "image.attestation");
    assert_eq!(a["outcome"], "pass", "{a}");
    assert!(a["expected"].as_str().unwrap().contains(v1), "{a}");
    let out = verify("refs/tags/v9.9.9");
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let r = report(&out);
    let a = check(&r, "image.attestation");
    assert_eq!(a["outcome"], "fail", "{a}");
    let claims = r["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "bundle.github-claims" && c["outcome"] == "fail")
        .unwrap_or_else(|| panic!("no failing bundle.github-claims in {r:#}"));
    assert!(
        claims["expected"]
            .as_str()
            .unwrap()
            .contains("refs/tags/v9.9.9")
            && claims["found"]
                .as_str()
                .unwrap()
                .contains("refs/tags/v1.0.0"),
        "{claims}"
    );
}
