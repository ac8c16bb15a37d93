//! `kakunin publish chart --oci` and `publish image --push-attestation` against Debian's
//! docker-registry on loopback (no referrers API: the fallback tag is exercised for real). What
//! is pushed is read back by kakunin's `verify-image` (referrers and cosign's `.sig`/`.att`),
//! by sigstore-python (the bundles) and by skopeo (the chart, copied into an OCI layout).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::{TempDir, code, kakunin, stderr, stdout};
use crate::publish::{chart_env, chart_tgz, chart_token, files};
use crate::sigstore_instance::{GITHUB_ISSUER, TestSigstore, venv_bin};
use crate::support::registry::Registry;

pub(crate) struct Chart {
    pub(crate) dir: TempDir,
    pub(crate) tgz: PathBuf,
    pub(crate) out: PathBuf,
}

pub(crate) fn chart(name: &str, version: &str) -> Chart {
    let dir = TempDir::new(&format!("publish-oci-{name}-{version}"));
    let tgz = dir.path().join(format!("{name}-{version}.tgz"));
    std::fs::write(&tgz, chart_tgz(name, version)).unwrap();
    let out = dir.path().join("dist");
    Chart { dir, tgz, out }
}

fn publish_chart(
    instance: &TestSigstore,
    reg: &Registry,
    c: &Chart,
    out: &Path,
    extra: &[&str],
) -> Output {
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .args(["publish", "chart"])
        .arg(&c.tgz)
        .arg("--out")
        .arg(out)
        .arg("--oci")
        .arg(format!("oci://{}/charts", reg.host()))
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &chart_token().jwt()])
        .args(extra);
    cmd.output().expect("kakunin runs")
}

pub(crate) fn verify_image(instance: &TestSigstore, reference: &str) -> Output {
    kakunin()
        .arg("verify-image")
        .arg(reference)
        .args([
            "--certificate-identity",
            &chart_token().identity(),
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
            "--attestation",
            "slsaprovenance1",
            "-o",
            "json",
        ])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .output()
        .unwrap()
}

pub(crate) fn verified_forms(out: &Output) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)));
    let mut forms: Vec<String> = v["reports"][0]["details"]["verified"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["form"].as_str().unwrap().to_string())
        .collect();
    forms.sort();
    forms
}

pub(crate) fn client(reg: &Registry) -> kakunin::registry::RegistryClient {
    use kakunin::fetch::{FetchOptions, Fetcher};
    let fetcher = Fetcher::new(FetchOptions {
        http: crate::fetch::test_http(),
        no_cache: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let mut mirrors = std::collections::BTreeMap::new();
    mirrors.insert(reg.host(), reg.base());
    kakunin::registry::RegistryClient::new(fetcher, mirrors).with_credentials(Default::default())
}

#[test]
fn a_chart_pushed_to_oci_verifies_with_kakunin_sigstore_python_and_skopeo() {
    let Some(reg) = Registry::start("publish_chart_oci") else {
        return;
    };
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_chart(&instance, &reg, &c, &c.out, &["--legacy-cosign"]);
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), reg.log());
    let text = stdout(&out);
    let repo = format!("{}/charts/gomenhashai", reg.host());
    assert!(text.contains(&format!("pushed {repo}:1.3.2")), "{text}");
    assert!(text.contains("referrers index in tag sha256-"), "{text}");
    assert!(text.contains(".sig"), "{text}");
    assert_eq!(
        files(&c.out),
        [
            "gomenhashai-1.3.2.intoto.jsonl",
            "gomenhashai-1.3.2.sigstore"
        ]
    );

    // The chart as Helm reads it: its manifest and the package byte for byte.
    let client = client(&reg);
    let r = kakunin::registry::Repo {
        registry: reg.host(),
        repository: "charts/gomenhashai".into(),
    };
    let back = crate::support::block_on(client.helm_chart(&r, "1.3.2")).unwrap();
    assert_eq!(back.package.bytes, std::fs::read(&c.tgz).unwrap());
    let manifest: serde_json::Value = serde_json::from_slice(&back.manifest.blob.bytes).unwrap();
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.cncf.helm.config.v1+json"
    );
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.title"],
        "gomenhashai"
    );
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.version"],
        "1.3.2"
    );
    let digest = back.manifest.digest().clone();

    // kakunin verify-image: the referrers (fallback tag) and cosign's .sig/.att all verify.
    let v = verify_image(&instance, &format!("{repo}:1.3.2"));
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
    // Another identity: none of them verifies.
    let other = kakunin()
        .arg("verify-image")
        .arg(format!("{repo}@{digest}"))
        .args([
            "--certificate-identity",
            "https://github.com/someone/else/.github/workflows/x.yaml@refs/heads/main",
            "--certificate-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .output()
        .unwrap();
    assert_eq!(code(&other), 1, "{}{}", stdout(&other), stderr(&other));

    // The referrer manifests are laid out as cosign's bundle spec says.
    let (refs, bundles) = crate::support::block_on(client.attached_bundles(&r, &digest)).unwrap();
    assert_eq!(refs.via, kakunin::registry::ReferrersVia::FallbackTag);
    assert_eq!(bundles.len(), 2);
    let mut predicates = Vec::new();
    for (i, b) in bundles.iter().enumerate() {
        let m: serde_json::Value = serde_json::from_slice(&b.manifest.blob.bytes).unwrap();
        assert_eq!(
            m["artifactType"],
            "application/vnd.dev.sigstore.bundle.v0.3+json"
        );
        assert_eq!(m["subject"]["digest"], digest.to_string());
        assert_eq!(
            m["annotations"]["dev.sigstore.bundle.content"],
            "dsse-envelope"
        );
        predicates.push(
            m["annotations"]["dev.sigstore.bundle.predicateType"]
                .as_str()
                .unwrap()
                .to_string(),
        );
        // sigstore-python verifies each bundle for the manifest digest, and refuses another.
        let path = c.dir.path().join(format!("referrer-{i}.sigstore.json"));
        std::fs::write(&path, &b.bundle.bytes).unwrap();
        let py = sigstore_python(&instance, &path, &digest.to_string());
        assert!(
            py.status.success(),
            "sigstore-python: {}",
            String::from_utf8_lossy(&py.stderr)
        );
        let py = sigstore_python(&instance, &path, &format!("sha256:{}", "1".repeat(64)));
        assert!(
            !py.status.success(),
            "sigstore-python accepted another digest"
        );
    }
    predicates.sort();
    assert_eq!(
        predicates,
        [
            "https://sigstore.dev/cosign/sign/v1",
            "https://slsa.dev/provenance/v1"
        ]
    );

    // skopeo reads the chart back and copies it into an OCI layout, byte for byte.
    let inspect = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!("docker://{repo}:1.3.2"))
        .output()
        .expect("skopeo runs");
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    assert_eq!(inspect.stdout, back.manifest.blob.bytes);
    let layout = c.dir.path().join("layout");
    let copy = Command::new("skopeo")
        .args(["copy", "--src-tls-verify=false"])
        .arg(format!("docker://{repo}:1.3.2"))
        .arg(format!("oci:{}:1.3.2", layout.display()))
        .output()
        .expect("skopeo runs");
    assert!(copy.status.success(), "{}", stderr(&copy));
    let blob = layout.join("blobs/sha256").join(digest.hex());
    assert_eq!(std::fs::read(blob).unwrap(), back.manifest.blob.bytes);
    let tgz = kakunin::digest::sha256_file(&c.tgz).unwrap();
    assert_eq!(
        std::fs::read(layout.join("blobs/sha256").join(tgz.hex())).unwrap(),
        std::fs::read(&c.tgz).unwrap()
    );
}

/// sigstore-python's verification of a bundle for a digest (`sha256:HEX` as the input).
pub(crate) fn sigstore_python(instance: &TestSigstore, bundle: &Path, digest: &str) -> Output {
    Command::new(venv_bin("sigstore"))
        .arg("--trust-config")
        .arg(instance.trust_config())
        .args(["verify", "identity", "--offline", "--bundle"])
        .arg(bundle)
        .args([
            "--cert-identity",
            &chart_token().identity(),
            "--cert-oidc-issuer",
            GITHUB_ISSUER,
        ])
        .arg(digest)
        .output()
        .expect("sigstore-python runs")
}

#[test]
fn a_tag_holding_another_chart_is_never_replaced_without_replace_tag() {
    let Some(reg) = Registry::start("publish_chart_oci_tag") else {
        return;
    };
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_chart(&instance, &reg, &c, &c.out, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let client = client(&reg);
    let r = kakunin::registry::Repo {
        registry: reg.host(),
        repository: "charts/gomenhashai".into(),
    };
    let first = crate::support::block_on(client.tag_digest(&r, "1.3.2"))
        .unwrap()
        .unwrap();

    // The same chart again: the tag already holds it; its manifest is what is signed.
    let again = c.dir.path().join("again");
    let out = publish_chart(&instance, &reg, &c, &again, &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("already held this chart ({first})")),
        "{}",
        stdout(&out)
    );

    // Another chart of the same name and version: refused before anything is signed.
    let other = c.dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let mut tgz = chart_tgz("gomenhashai", "1.3.2");
    // Another package: the same files, compressed differently.
    tgz = {
        use std::io::Read;
        let mut tar = Vec::new();
        flate2::read::GzDecoder::new(&tgz[..])
            .read_to_end(&mut tar)
            .unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    };
    let changed = Chart {
        tgz: other.join("gomenhashai-1.3.2.tgz"),
        out: other.join("dist"),
        dir: TempDir::new("publish-oci-other"),
    };
    std::fs::write(&changed.tgz, &tgz).unwrap();
    let out = publish_chart(&instance, &reg, &changed, &changed.out, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("expected the tag to be absent or to hold this chart"),
        "{err}"
    );
    assert!(err.contains("--replace-tag"), "{err}");
    assert!(err.contains("nothing was pushed"), "{err}");
    assert!(!changed.out.exists(), "{:?}", files(&changed.out));
    assert_eq!(
        crate::support::block_on(client.tag_digest(&r, "1.3.2"))
            .unwrap()
            .unwrap(),
        first
    );

    // With --replace-tag it is replaced, and the new chart is what the tag serves.
    let out = publish_chart(&instance, &reg, &changed, &changed.out, &["--replace-tag"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let back = crate::support::block_on(client.helm_chart(&r, "1.3.2")).unwrap();
    assert_eq!(back.package.bytes, tgz);
    assert_ne!(back.manifest.digest(), &first);
}

#[test]
fn a_tgz_that_is_not_a_chart_is_refused_before_anything_is_signed_or_pushed() {
    let Some(reg) = Registry::start("publish_chart_oci_not_a_chart") else {
        return;
    };
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    std::fs::write(&c.tgz, b"\x1f\x8b\x08\x00 not a chart").unwrap();
    let out = publish_chart(&instance, &reg, &c, &c.out, &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("expected a Helm chart package"),
        "{}",
        stderr(&out)
    );
    assert!(!c.out.exists());
    let client = client(&reg);
    let r = kakunin::registry::Repo {
        registry: reg.host(),
        repository: "charts/gomenhashai".into(),
    };
    assert_eq!(
        crate::support::block_on(client.tag_digest(&r, "1.3.2")).unwrap(),
        None
    );
}

#[test]
fn an_image_by_tag_gets_referrers_and_cosign_legacy_tags_that_verify() {
    let Some(reg) = Registry::start("publish_image_oci") else {
        return;
    };
    let instance = TestSigstore::start();
    let name = "gomenhashai/gomenhashai";
    let image = reg.push_image(name, "v1.3.1", "release-1.3.1");
    let dir = TempDir::new("publish-image-oci");
    let publish = |reference: String, out: &Path, extra: &[&str]| {
        let mut cmd = kakunin();
        chart_env(&mut cmd)
            .args(["publish", "image"])
            .arg(reference)
            .args(["--tag", "v1.3.1", "--push-attestation"])
            .arg("--out")
            .arg(out)
            .arg("--signing-config")
            .arg(instance.signing_config())
            .arg("--trusted-root")
            .arg(instance.trusted_root())
            .args(["--identity-token", &chart_token().jwt()])
            .args(extra)
            .output()
            .unwrap()
    };
    // By tag: resolved to its digest, which is what is signed.
    let out = publish(
        format!("{}/{name}:v1.3.1", reg.host()),
        &dir.path().join("a"),
        &["--legacy-cosign"],
    );
    assert_eq!(code(&out), 0, "{}\n{}", stderr(&out), reg.log());
    assert!(stdout(&out).contains(&image.digest), "{}", stdout(&out));
    let v = verify_image(
        &instance,
        &format!("{}/{name}@{}", reg.host(), image.digest),
    );
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
    // cosign's .sig layer is a simple-signing payload naming the image digest.
    let client = client(&reg);
    let r = kakunin::registry::Repo {
        registry: reg.host(),
        repository: name.into(),
    };
    let subject: kakunin::digest::Digest = image.digest.parse().unwrap();
    let sig = crate::support::block_on(client.cosign_tag(&r, &subject, "sig"))
        .unwrap()
        .unwrap();
    assert_eq!(sig.layers.len(), 1);
    let payload: serde_json::Value = serde_json::from_slice(&sig.layers[0].payload.bytes).unwrap();
    assert_eq!(
        payload["critical"]["image"]["docker-manifest-digest"],
        image.digest
    );
    assert!(sig.layers[0].certificate.is_some() && sig.layers[0].rekor_bundle.is_some());

    // A second publish keeps the layers already there.
    let out = publish(
        format!("{}/{name}@{}", reg.host(), image.digest),
        &dir.path().join("b"),
        &["--legacy-cosign"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let sig = crate::support::block_on(client.cosign_tag(&r, &subject, "sig"))
        .unwrap()
        .unwrap();
    assert_eq!(sig.layers.len(), 2);

    // A tag the registry does not have: exit 3, nothing written.
    let out = publish(
        format!("{}/{name}:v9.9.9", reg.host()),
        &dir.path().join("c"),
        &[],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("found none (404)"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("c").exists());
}

pub(crate) fn publish_via(
    instance: &TestSigstore,
    host: &str,
    c: &Chart,
    extra: &[&str],
) -> Output {
    let mut cmd = kakunin();
    chart_env(&mut cmd)
        .args(["publish", "chart"])
        .arg(&c.tgz)
        .arg("--out")
        .arg(&c.out)
        .arg("--oci")
        .arg(format!("oci://{host}/charts"))
        .arg("--signing-config")
        .arg(instance.signing_config())
        .arg("--trusted-root")
        .arg(instance.trusted_root())
        .args(["--identity-token", &chart_token().jwt()])
        .args(extra);
    cmd.output().expect("kakunin runs")
}

#[test]
fn a_registry_that_refuses_the_referrer_fails_the_publish_and_says_what_was_left() {
    use crate::support::front::{Front, Rules};
    let Some(reg) = Registry::start("publish_oci_refused_referrer") else {
        return;
    };
    let front = Front::start(
        &reg.host(),
        Rules {
            refuse_referrers: true,
            ..Rules::default()
        },
    );
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_via(&instance, &front.host(), &c, &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("attaching the signature as a referrer"),
        "{err}"
    );
    assert!(err.contains("HTTP 400"), "{err}");
    assert!(
        err.contains("manifests with a subject are not accepted"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "left in the registry: blob sha256:{}",
            kakunin::digest::Digest::sha256(&{
                let a = kakunin::publish::helm_oci::chart_artifact(
                    &std::fs::read(&c.tgz).unwrap(),
                    None,
                    "x",
                )
                .unwrap();
                a.config
            })
            .hex()
        )),
        "{err}"
    );
    assert!(err.contains("charts/gomenhashai:1.3.2 = sha256:"), "{err}");
    assert!(err.contains("(the chart)"), "{err}");
    assert!(!c.out.exists(), "no file is written");
}

#[test]
fn a_push_failing_half_way_says_which_blobs_were_left() {
    use crate::support::front::{Front, Rules};
    let Some(reg) = Registry::start("publish_oci_half_way") else {
        return;
    };
    // The first blob (the chart config) goes in; every later upload fails.
    let front = Front::start(
        &reg.host(),
        Rules {
            fail_blob_put_from: Some(2),
            ..Rules::default()
        },
    );
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_via(&instance, &front.host(), &c, &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("pushing the chart package"), "{err}");
    assert!(err.contains("(chart config)"), "{err}");
    assert!(!err.contains("(the chart)"), "{err}");
    assert!(!c.out.exists());
    // The tag was never written.
    let client = client(&reg);
    let r = kakunin::registry::Repo {
        registry: reg.host(),
        repository: "charts/gomenhashai".into(),
    };
    assert_eq!(
        crate::support::block_on(client.tag_digest(&r, "1.3.2")).unwrap(),
        None
    );
}

#[test]
fn a_token_that_expires_mid_publish_is_replaced_and_the_publish_completes() {
    use crate::support::front::{Front, Rules};
    let Some(reg) = Registry::start("publish_oci_token_expiry") else {
        return;
    };
    // Each token is good for three requests: a publish needs many more.
    let front = Front::start(
        &reg.host(),
        Rules {
            token_uses: Some(3),
            ..Rules::default()
        },
    );
    let instance = TestSigstore::start();
    let c = chart("gomenhashai", "1.3.2");
    let out = publish_via(&instance, &front.host(), &c, &["--legacy-cosign"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let (issued, scopes, expired) = front.tokens();
    assert!(issued > 2, "{issued} tokens");
    assert!(expired > 0, "no request came with an expired token");
    assert!(
        scopes
            .iter()
            .any(|s| s == "repository:charts/gomenhashai:pull,push"),
        "{scopes:?}"
    );
    // What the registry holds verifies (read behind the front).
    let v = verify_image(
        &instance,
        &format!("{}/charts/gomenhashai:1.3.2", reg.host()),
    );
    assert_eq!(code(&v), 0, "{}{}", stdout(&v), stderr(&v));
}
