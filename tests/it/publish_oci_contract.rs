//! What `publish --oci` writes, read as the verifiers that cannot run here read it, and by the
//! ones that can.
//!
//! - A registry with the OCI 1.1 referrers API (docker-registry behind [`Front`] with
//!   `referrers_api`: it answers a referrer's `PUT` with `OCI-Subject` and serves
//!   `/v2/<name>/referrers/<digest>`): no fallback tag is written; docker-registry alone (no
//!   API): the fallback tag is (distribution-spec `spec.md`, "Pushing Manifests with Subject"
//!   and "Referrers Tag Schema").
//! - cosign v3 and Flux's source-controller are not installed here, so the manifests are
//!   checked field by field against what their sources read (cosign d6d86c22, source-controller
//!   39b711b1, which builds on cosign v3.0.6):
//!   - Flux `internal/oci/cosign/cosign.go` `CosignVerifier.Verify`: `cosign.GetBundles`, and
//!     when it finds bundles `cosign.VerifyImageAttestations`, else the `.sig` tag
//!     (`cosign.VerifyImageSignatures`); with a key it sets `IgnoreTlog`.
//!   - cosign `pkg/cosign/verify.go` `GetBundles`: the referrers of the manifest digest with no
//!     artifactType filter (`pkg/oci/remote/referrers.go`: go-containerregistry's
//!     `remote.Referrers`, which falls back to the `sha256-<hex>` tag on a 404), each manifest
//!     read by `pkg/oci/remote/signatures.go` `Bundle`: exactly one layer, its media type
//!     starting `application/vnd.dev.sigstore.bundle`, protobuf-JSON, bundle version ≥ v0.3.
//!   - cosign `verifyImageAttestationsSigstoreBundle` (same file): the bundle's content must be
//!     a DSSE envelope, verified for the artifact digest = the manifest digest, and
//!     `pkg/cosign/verifiers.go` `IntotoSubjectClaimVerifier`: a statement subject whose
//!     `sha256` is the manifest digest. `cosign verify-attestation --type` matches the
//!     statement's predicateType (`cmd/cosign/cli/verify/verify_attestation.go`).
//!   - what cosign itself writes (`pkg/oci/remote/write.go` `WriteAttestationNewBundleFormat`
//!     and `WriteReferrer`, `specs/BUNDLE_SPEC.md`): artifactType and layer media type
//!     `application/vnd.dev.sigstore.bundle.v0.3+json`, the empty config, `subject`, and the
//!     annotations `org.opencontainers.image.created`, `dev.sigstore.bundle.content:
//!     dsse-envelope`, `dev.sigstore.bundle.predicateType`.
//!   - the legacy layout (`pkg/oci/remote/options.go`: tag suffixes `sig`/`att` after
//!     `sha256-<hex>`; `pkg/oci/static/signature.go` and `pkg/oci/internal/signature/layer.go`:
//!     the annotation keys; `pkg/cosign/verifiers.go` `SimpleClaimVerifier`:
//!     `critical.image.docker-manifest-digest` is the manifest digest).
//! - securesystemslib verifies every DSSE envelope pulled back from the registry (the
//!   referrers' bundles and the `.att` layer) with the signing certificate's key, and refuses
//!   one whose payload was changed.

use std::collections::BTreeMap;
use std::path::Path;

use base64::Engine;

use crate::common::{code, stderr, stdout};
use crate::publish::securesystemslib_verify;
use crate::publish_oci::{chart, client, publish_via, verified_forms, verify_image};
use crate::sigstore_instance::TestSigstore;
use crate::support::front::{Front, Rules};
use crate::support::registry::Registry;

const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const EMPTY_DIGEST: &str =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A plain GET as any registry client sends it: (status, body).
fn get(url: &str, accept: &str) -> (u16, Vec<u8>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let r = reqwest::Client::new()
            .get(url)
            .header("accept", accept)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.bytes().await.unwrap().to_vec())
    })
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

fn sha256(bytes: &[u8]) -> String {
    kakunin::digest::Digest::sha256(bytes).to_string()
}

/// The statement a DSSE envelope carries.
fn statement(envelope: &serde_json::Value) -> serde_json::Value {
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    json(&B64.decode(envelope["payload"].as_str().unwrap()).unwrap())
}

/// The chart's manifest digest, media type and size as docker-registry serves the tag.
fn chart_manifest(base: &str, repo: &str, tag: &str) -> (String, Vec<u8>) {
    let (status, bytes) = get(&format!("{base}/v2/{repo}/manifests/{tag}"), OCI_MANIFEST);
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    (sha256(&bytes), bytes)
}

/// securesystemslib on an envelope (with the PEM certificate `cert`), and on the same envelope
/// with its payload changed (refused).
fn securesystemslib_both(dir: &Path, name: &str, envelope: &serde_json::Value, cert: &Path) {
    let line = dir.join(format!("{name}.intoto.jsonl"));
    std::fs::write(&line, format!("{envelope}\n")).unwrap();
    let ok = securesystemslib_verify(&line, &line, Some(cert));
    assert!(
        ok.status.success(),
        "securesystemslib, {name}: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let mut changed = envelope.clone();
    let mut payload = B64.decode(envelope["payload"].as_str().unwrap()).unwrap();
    payload[0] ^= 0x20;
    changed["payload"] = B64.encode(payload).into();
    std::fs::write(&line, format!("{changed}\n")).unwrap();
    let bad = securesystemslib_verify(&line, &line, Some(cert));
    assert!(
        !bad.status.success(),
        "securesystemslib accepted a changed payload ({name})"
    );
}

fn pem_certificate(der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut s = "-----BEGIN CERTIFICATE-----\n".to_string();
    for c in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(c).unwrap());
        s.push('\n');
    }
    s + "-----END CERTIFICATE-----\n"
}

/// Everything cosign v3 (`GetBundles`, `Bundle`, `verifyImageAttestationsSigstoreBundle`,
/// `IntotoSubjectClaimVerifier`) and Flux read of the referrers of `digest`, from the index
/// `index` (the API's answer or the fallback tag's), checked field by field. Returns the
/// predicate types found.
fn assert_referrers_contract(
    base: &str,
    repo: &str,
    digest: &str,
    subject: &[u8],
    index: &serde_json::Value,
    dir: &Path,
) -> Vec<String> {
    // The referrers list: an image index of descriptors (distribution-spec: artifactType and
    // every annotation copied from the manifest).
    assert_eq!(index["schemaVersion"], 2, "{index}");
    assert_eq!(index["mediaType"], OCI_INDEX, "{index}");
    let descriptors = index["manifests"].as_array().unwrap();
    let mut predicates = Vec::new();
    for d in descriptors {
        assert_eq!(d["mediaType"], OCI_MANIFEST, "{d}");
        assert_eq!(d["artifactType"], BUNDLE_V03, "{d}");
        let reference = d["digest"].as_str().unwrap();
        let (status, bytes) = get(
            &format!("{base}/v2/{repo}/manifests/{reference}"),
            OCI_MANIFEST,
        );
        assert_eq!(status, 200);
        assert_eq!(
            sha256(&bytes),
            reference,
            "the manifest is the descriptor's"
        );
        assert_eq!(d["size"], bytes.len(), "{d}");
        let m = json(&bytes);
        assert_eq!(
            d["annotations"], m["annotations"],
            "annotations copied: {d}"
        );

        // The manifest, as cosign's BUNDLE_SPEC and WriteReferrer lay it out.
        assert_eq!(m["schemaVersion"], 2, "{m}");
        assert_eq!(m["mediaType"], OCI_MANIFEST, "{m}");
        assert_eq!(m["artifactType"], BUNDLE_V03, "{m}");
        assert_eq!(
            m["config"]["mediaType"], "application/vnd.oci.empty.v1+json",
            "{m}"
        );
        assert_eq!(m["config"]["digest"], EMPTY_DIGEST, "{m}");
        assert_eq!(m["config"]["size"], 2, "{m}");
        let (status, empty) = get(&format!("{base}/v2/{repo}/blobs/{EMPTY_DIGEST}"), "*/*");
        assert_eq!((status, &empty[..]), (200, &b"{}"[..]));
        assert_eq!(m["subject"]["digest"], digest, "{m}");
        assert_eq!(m["subject"]["mediaType"], OCI_MANIFEST, "{m}");
        assert_eq!(m["subject"]["size"], subject.len(), "{m}");
        // ociremote.Bundle: exactly one layer, of a Sigstore bundle media type.
        let layers = m["layers"].as_array().unwrap();
        assert_eq!(layers.len(), 1, "{m}");
        assert!(
            layers[0]["mediaType"]
                .as_str()
                .unwrap()
                .starts_with("application/vnd.dev.sigstore.bundle"),
            "{m}"
        );
        assert_eq!(layers[0]["mediaType"], BUNDLE_V03, "{m}");
        let a: BTreeMap<String, String> = serde_json::from_value(m["annotations"].clone()).unwrap();
        assert_eq!(a["dev.sigstore.bundle.content"], "dsse-envelope", "{m}");
        assert!(
            a["org.opencontainers.image.created"]
                .parse::<jiff::Timestamp>()
                .is_ok(),
            "{m}"
        );

        // The bundle: v0.3 (MinVersion("v0.3")), a DSSE envelope whose statement names the
        // manifest digest (IntotoSubjectClaimVerifier), of the annotated predicate type.
        let layer = layers[0]["digest"].as_str().unwrap();
        let (status, bundle_bytes) = get(&format!("{base}/v2/{repo}/blobs/{layer}"), "*/*");
        assert_eq!(status, 200);
        assert_eq!(sha256(&bundle_bytes), layer);
        assert_eq!(layers[0]["size"], bundle_bytes.len());
        let bundle = json(&bundle_bytes);
        assert_eq!(bundle["mediaType"], BUNDLE_V03);
        let envelope = &bundle["dsseEnvelope"];
        assert!(
            envelope.is_object(),
            "cosign requires DSSE content: {bundle}"
        );
        let st = statement(envelope);
        assert_eq!(st["_type"], "https://in-toto.io/Statement/v1");
        let hex = digest.strip_prefix("sha256:").unwrap();
        assert!(
            st["subject"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["digest"]["sha256"] == hex),
            "no subject names {digest}: {st}"
        );
        assert_eq!(
            st["predicateType"].as_str(),
            Some(a["dev.sigstore.bundle.predicateType"].as_str()),
            "the annotation is the statement's predicate type"
        );
        let vm = &bundle["verificationMaterial"];
        assert_eq!(vm["tlogEntries"].as_array().map(Vec::len), Some(1), "{vm}");
        predicates.push(a["dev.sigstore.bundle.predicateType"].clone());

        // securesystemslib on the envelope, with the bundle's certificate.
        let der = B64
            .decode(vm["certificate"]["rawBytes"].as_str().unwrap())
            .unwrap();
        let cert = dir.join(format!("{}.crt", &layer[7..19]));
        std::fs::write(&cert, pem_certificate(&der)).unwrap();
        securesystemslib_both(dir, &layer[7..19], envelope, &cert);
    }
    predicates.sort();
    predicates
}

/// cosign's legacy `.sig` and `.att` tags (Flux's fallback when no bundle is found).
fn assert_legacy_contract(base: &str, repo: &str, digest: &str, dir: &Path) {
    let hex = digest.strip_prefix("sha256:").unwrap();
    let layers = |suffix: &str| {
        let (status, bytes) = get(
            &format!("{base}/v2/{repo}/manifests/sha256-{hex}.{suffix}"),
            OCI_MANIFEST,
        );
        assert_eq!(status, 200, "sha256-{hex}.{suffix}");
        let m = json(&bytes);
        assert_eq!(m["mediaType"], OCI_MANIFEST, "{m}");
        assert_eq!(
            m["config"]["mediaType"], "application/vnd.oci.image.config.v1+json",
            "{m}"
        );
        let layers = m["layers"].as_array().unwrap().clone();
        assert_eq!(layers.len(), 1, "{m}");
        let l = layers[0].clone();
        let (status, payload) = get(
            &format!("{base}/v2/{repo}/blobs/{}", l["digest"].as_str().unwrap()),
            "*/*",
        );
        assert_eq!(status, 200);
        let a: BTreeMap<String, String> = serde_json::from_value(l["annotations"].clone()).unwrap();
        (l["mediaType"].as_str().unwrap().to_string(), a, payload)
    };
    let cert_of = |a: &BTreeMap<String, String>| {
        assert!(
            a["dev.sigstore.cosign/certificate"].starts_with("-----BEGIN CERTIFICATE-----"),
            "{a:?}"
        );
        let rekor = json(a["dev.sigstore.cosign/bundle"].as_bytes());
        assert!(rekor["SignedEntryTimestamp"].is_string(), "{rekor}");
        for k in ["body", "integratedTime", "logIndex", "logID"] {
            assert!(!rekor["Payload"][k].is_null(), "{k}: {rekor}");
        }
    };

    // .sig: a simple-signing payload naming the manifest (SimpleClaimVerifier).
    let (media_type, a, payload) = layers("sig");
    assert_eq!(
        media_type,
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    let p = json(&payload);
    assert_eq!(
        p["critical"]["image"]["docker-manifest-digest"], digest,
        "{p}"
    );
    assert_eq!(
        p["critical"]["type"], "cosign container image signature",
        "{p}"
    );
    assert!(
        !B64.decode(&a["dev.cosignproject.cosign/signature"])
            .unwrap()
            .is_empty()
    );
    cert_of(&a);

    // .att: a DSSE envelope of the provenance naming the manifest.
    let (media_type, a, payload) = layers("att");
    assert_eq!(media_type, "application/vnd.dsse.envelope.v1+json");
    let envelope = json(&payload);
    let st = statement(&envelope);
    assert_eq!(st["predicateType"], "https://slsa.dev/provenance/v1");
    assert_eq!(a["predicateType"], "https://slsa.dev/provenance/v1");
    assert!(
        st["subject"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["digest"]["sha256"] == hex),
        "{st}"
    );
    cert_of(&a);
    let cert = dir.join("att.crt");
    std::fs::write(&cert, &a["dev.sigstore.cosign/certificate"]).unwrap();
    securesystemslib_both(dir, "att", &envelope, &cert);
}

#[test]
fn a_registry_with_the_referrers_api_gets_no_fallback_tag_and_one_without_does() {
    let Some(reg) = Registry::start("publish_oci_referrers_api") else {
        return;
    };
    let front = Front::start(
        &reg.host(),
        Rules {
            referrers_api: true,
            ..Rules::default()
        },
    );
    let instance = TestSigstore::start();
    let repo = "charts/gomenhashai";

    // With the API: each referrer's PUT is answered with OCI-Subject; no tag is written.
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_via(&instance, &front.host(), &c, &["--legacy-cosign"]);
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), reg.log());
    let text = stdout(&out);
    assert_eq!(text.matches("(referrers API)").count(), 2, "{text}");
    assert!(!text.contains("referrers index in tag"), "{text}");
    let (digest, subject) = chart_manifest(&reg.base(), repo, "1.3.2");
    let hex = digest.strip_prefix("sha256:").unwrap();
    let (status, _) = get(
        &format!("{}/v2/{repo}/manifests/sha256-{hex}", reg.base()),
        OCI_INDEX,
    );
    assert_eq!(
        status, 404,
        "a fallback tag was written to a registry with the API"
    );
    assert_eq!(front.referrers(repo, &digest).len(), 2);
    // Read through the API (no artifactType filter, as cosign asks).
    let (status, index) = get(
        &format!("http://{}/v2/{repo}/referrers/{digest}", front.host()),
        OCI_INDEX,
    );
    assert_eq!(status, 200);
    let predicates = assert_referrers_contract(
        &reg.base(),
        repo,
        &digest,
        &subject,
        &json(&index),
        c.dir.path(),
    );
    assert_eq!(
        predicates,
        [
            "https://sigstore.dev/cosign/sign/v1",
            "https://slsa.dev/provenance/v1"
        ]
    );
    assert_legacy_contract(&reg.base(), repo, &digest, c.dir.path());
    // kakunin reads them from the API, and they verify.
    let r = kakunin::registry::Repo {
        registry: front.host(),
        repository: repo.into(),
    };
    let front_client = {
        use kakunin::fetch::{FetchOptions, Fetcher};
        let fetcher = Fetcher::new(FetchOptions {
            http: crate::fetch::test_http(),
            no_cache: true,
            ..FetchOptions::default()
        })
        .unwrap();
        let mirrors = BTreeMap::from([(front.host(), format!("http://{}", front.host()))]);
        kakunin::registry::RegistryClient::new(fetcher, mirrors)
            .with_credentials(Default::default())
    };
    let d: kakunin::digest::Digest = digest.parse().unwrap();
    let (refs, bundles) = crate::support::block_on(front_client.attached_bundles(&r, &d)).unwrap();
    assert_eq!(refs.via, kakunin::registry::ReferrersVia::Api);
    assert_eq!(bundles.len(), 2);
    let v = verify_image(&instance, &format!("{}/{repo}:1.3.2", front.host()));
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
    assert_eq!(
        verified_forms(&v),
        [
            "cosign-attestation",
            "cosign-signature",
            "sigstore-bundle-dsse",
            "sigstore-bundle-dsse"
        ]
    );

    // Without the API (docker-registry alone): the referrers tag schema's index is written,
    // and it is what cosign's fallback reads.
    let c = chart("gomenhashai", "1.3.3");
    let out = publish_via(&instance, &reg.host(), &c, &["--legacy-cosign"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        stdout(&out)
            .matches("referrers index in tag sha256-")
            .count(),
        2,
        "{}",
        stdout(&out)
    );
    let (digest, subject) = chart_manifest(&reg.base(), repo, "1.3.3");
    let hex = digest.strip_prefix("sha256:").unwrap();
    let (status, _) = get(
        &format!("{}/v2/{repo}/referrers/{digest}", reg.base()),
        OCI_INDEX,
    );
    assert_eq!(status, 404, "docker-registry has no referrers API");
    let (status, index) = get(
        &format!("{}/v2/{repo}/manifests/sha256-{hex}", reg.base()),
        OCI_INDEX,
    );
    assert_eq!(status, 200, "the fallback tag");
    let predicates = assert_referrers_contract(
        &reg.base(),
        repo,
        &digest,
        &subject,
        &json(&index),
        c.dir.path(),
    );
    assert_eq!(predicates.len(), 2);
    assert_legacy_contract(&reg.base(), repo, &digest, c.dir.path());
    let (refs, _) = crate::support::block_on(client(&reg).attached_bundles(
        &kakunin::registry::Repo {
            registry: reg.host(),
            repository: repo.into(),
        },
        &digest.parse().unwrap(),
    ))
    .unwrap();
    assert_eq!(refs.via, kakunin::registry::ReferrersVia::FallbackTag);
}

#[test]
fn an_oci_subject_naming_another_digest_fails_the_publish() {
    let Some(reg) = Registry::start("publish_oci_wrong_subject") else {
        return;
    };
    let other = format!("sha256:{}", "0".repeat(64));
    let front = Front::start(
        &reg.host(),
        Rules {
            referrers_api: true,
            wrong_oci_subject: Some(other.clone()),
            ..Rules::default()
        },
    );
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_via(&instance, &front.host(), &c, &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("expected OCI-Subject sha256:"), "{err}");
    assert!(
        err.contains(&format!("found OCI-Subject \"{other}\"")),
        "{err}"
    );
    assert!(err.contains("(the chart)"), "what was left is named: {err}");
    assert!(!c.out.exists(), "no file is written");
}
