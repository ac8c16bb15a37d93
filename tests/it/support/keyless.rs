//! Signing for tests and benches, as publishers sign on a registry, with the test Sigstore
//! instance: a Sigstore bundle over a file (`sign-bundle`), a cosign v3 referrer bundle over a
//! manifest or cosign's legacy `.sig` tag (certificate and Rekor SET in its annotations), a
//! DSSE in-toto attestation attached as a referrer (GitHub's `push-to-registry`), and a chart
//! pushed in Helm's OCI layout. Each signs by running kakunin's own `sign-bundle`.

use std::path::Path;

use base64::Engine;

use super::registry::{OCI_MANIFEST, PushedImage, Registry};
use crate::common::{TempDir, code, run, stderr};
use crate::sigstore_instance::{GithubToken, TestSigstore};

/// Runs `kakunin sign-bundle` with the test instance for the identity token `jwt` over `file`
/// (with `in_toto`, a DSSE bundle of the in-toto statement in it), writing the bundle to
/// `bundle`; the bundle's bytes. Every test and bench that signs with the instance calls this.
pub fn sign_bundle(
    instance: &TestSigstore,
    jwt: &str,
    file: &Path,
    bundle: &Path,
    in_toto: bool,
) -> Vec<u8> {
    let (bundle_arg, root, config) = (
        bundle.display().to_string(),
        instance.trusted_root().display().to_string(),
        instance.signing_config().display().to_string(),
    );
    let file_arg = file.display().to_string();
    let mut args = vec!["sign-bundle"];
    if in_toto {
        args.push("--in-toto");
    }
    args.extend([
        "--identity-token",
        jwt,
        "--bundle",
        &bundle_arg,
        "--trusted-root",
        &root,
        "--signing-config",
        &config,
        &file_arg,
    ]);
    let out = run(&args);
    assert_eq!(code(&out), 0, "sign-bundle {file_arg}: {}", stderr(&out));
    std::fs::read(bundle).unwrap()
}

/// Signs `file` with sign-bundle for `tok`; the bundle JSON.
pub fn sign_file(
    instance: &TestSigstore,
    tok: &GithubToken,
    dir: &Path,
    file: &Path,
) -> serde_json::Value {
    let bundle = dir.join(format!(
        "{}.sigstore",
        file.file_name().unwrap().to_str().unwrap()
    ));
    serde_json::from_slice(&sign_bundle(instance, &tok.jwt(), file, &bundle, false)).unwrap()
}

/// What [`sign_keyless`] signed: the Sigstore bundle and the bytes it signs (the manifest, or
/// the `.sig` payload), as `verify-bundle` takes them.
pub struct Signed {
    pub bundle: Vec<u8>,
    pub artifact: Vec<u8>,
}

/// Signs `subject` keyless for `tok`: a Sigstore bundle over its manifest attached as a
/// referrer (cosign v3), or with `legacy`, cosign's `.sig` tag (certificate and Rekor SET in
/// its annotations).
pub fn sign_keyless(
    reg: &Registry,
    instance: &TestSigstore,
    tok: &GithubToken,
    name: &str,
    subject: &PushedImage,
    legacy: bool,
) -> Signed {
    let dir = TempDir::new("cp-sign");
    if !legacy {
        let file = dir.path().join("manifest.json");
        std::fs::write(&file, &subject.manifest).unwrap();
        let b = sign_file(instance, tok, dir.path(), &file).to_string();
        reg.attach_bundle(name, subject, b.as_bytes());
        return Signed {
            bundle: b.into_bytes(),
            artifact: subject.manifest.clone(),
        };
    }
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/{name}"}},"image":{{"docker-manifest-digest":"{}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        reg.host(),
        subject.digest
    );
    let file = dir.path().join("payload.json");
    std::fs::write(&file, &payload).unwrap();
    let p = sign_file(instance, tok, dir.path(), &file);
    let b64 = base64::engine::general_purpose::STANDARD;
    let vm = &p["verificationMaterial"];
    let cert = b64
        .decode(vm["certificate"]["rawBytes"].as_str().unwrap())
        .unwrap();
    let e = &vm["tlogEntries"][0];
    let set = super::cosign::rekor_bundle(e);
    let annotations = serde_json::json!({
        "dev.cosignproject.cosign/signature": p["messageSignature"]["signature"],
        "dev.sigstore.cosign/certificate": format!(
            "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
            b64.encode(&cert)
        ),
        "dev.sigstore.cosign/bundle": set.to_string(),
    });
    let layer = reg.push_blob(name, payload.as_bytes());
    let config = reg.push_blob(name, b"{}");
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{annotations}}}]}}"#,
        payload.len()
    );
    let hex = subject.digest.strip_prefix("sha256:").unwrap();
    reg.push_manifest(
        name,
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        manifest.as_bytes(),
    );
    Signed {
        bundle: p.to_string().into_bytes(),
        artifact: payload.into_bytes(),
    }
}

/// A chart package `<name>-<version>.tgz` with this `values.yaml`.
pub fn chart_tgz(name: &str, version: &str, values: &str) -> Vec<u8> {
    let chart_yaml = format!("apiVersion: v2\nname: {name}\nversion: {version}\n");
    let mut b = tar::Builder::new(Vec::new());
    for (file, data) in [
        ("Chart.yaml", chart_yaml.as_bytes()),
        ("values.yaml", values.as_bytes()),
    ] {
        let mut h = tar::Header::new_gnu();
        h.set_path(format!("{name}/{file}")).unwrap();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// Pushes a chart package (and `.prov`) as `helm push` lays it out.
pub fn push_chart(reg: &Registry, name: &str, tgz: &[u8], prov: Option<&[u8]>) -> PushedImage {
    let a = kakunin::publish::helm_oci::chart_artifact(tgz, prov, "2026-01-01T00:00:00Z").unwrap();
    reg.push_blob(name, &a.config);
    reg.push_blob(name, tgz);
    if let Some(p) = prov {
        reg.push_blob(name, p);
    }
    let digest = reg.push_manifest(
        name,
        &a.version.replace('+', "_"),
        OCI_MANIFEST,
        &a.manifest,
    );
    PushedImage {
        digest,
        manifest: a.manifest,
        media_type: OCI_MANIFEST,
    }
}

/// Signs the in-toto `statement` as a DSSE bundle (`sign-bundle --in-toto`); the bundle bytes.
pub fn sign_statement(
    instance: &TestSigstore,
    tok: &GithubToken,
    dir: &Path,
    label: &str,
    statement: &serde_json::Value,
) -> Vec<u8> {
    let file = dir.join(format!("{label}.json"));
    std::fs::write(&file, statement.to_string()).unwrap();
    let bundle = dir.join(format!("{label}.sigstore.json"));
    sign_bundle(instance, &tok.jwt(), &file, &bundle, true)
}

/// An in-toto v1 statement of `predicate_type` (empty predicate) about `name` at `digest`.
pub fn statement(name: &str, digest: &str, predicate_type: &str) -> serde_json::Value {
    serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": name, "digest": {"sha256": digest.strip_prefix("sha256:").unwrap()}}],
        "predicateType": predicate_type,
        "predicate": {},
    })
}

/// Attaches a DSSE attestation of `predicate_type` about `subject` in `repo`, signed for `tok`,
/// as GitHub's `push-to-registry` does (a referrer; docker-registry gets the fallback tag).
/// Returns the bundle.
#[allow(clippy::too_many_arguments)]
pub fn attest(
    reg: &Registry,
    instance: &TestSigstore,
    tok: &GithubToken,
    dir: &Path,
    repo: &str,
    subject: &PushedImage,
    predicate_type: &str,
    label: &str,
) -> Vec<u8> {
    let name = format!("{}/{repo}", reg.host());
    let bundle = sign_statement(
        instance,
        tok,
        dir,
        label,
        &statement(&name, &subject.digest, predicate_type),
    );
    reg.attach_bundle(repo, subject, &bundle);
    bundle
}
