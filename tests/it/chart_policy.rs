//! `kakunin verify` of oci://, --repo and .tgz charts against a policy (`--policy FILE`, the
//! signer flags, `--image-policy`), with `--values`/`--set`: the chart's rules (its cosign
//! signer on the OCI manifest, its `.prov` keyring) and every image it deploys, all signed
//! keyless by the test Sigstore instance (cosign v3 referrer bundles in Debian's
//! docker-registry, and cosign's legacy `.sig` tag); each rule shown failing with expected and
//! found, and a digest-pinned OCI reference (`CHART@sha256:…`) compared with the manifest.

use std::path::Path;

use crate::chart_sources::{demo_tgz, pgp_pair};
use crate::common::{TempDir, code, run, stderr, stdout};
use crate::sigstore_instance::{GithubToken, TestSigstore};
use crate::support::keyless::{push_chart, sign_keyless};
use crate::support::registry::{PushedImage, Registry};

const GH: &str = "https://token.actions.githubusercontent.com";

/// The `.prov` of `tgz` (named `demo-<version>.tgz`), signed by `secret`.
fn prov(dir: &Path, version: &str, tgz: &[u8], secret: &[u8]) -> Vec<u8> {
    let path = dir.join(format!("demo-{version}.tgz"));
    std::fs::write(&path, tgz).unwrap();
    let key = dir.join("secret.asc");
    std::fs::write(&key, secret).unwrap();
    let name = format!("demo-{version}.tgz");
    let p = kakunin::publish::prov::sign(&path, &name, &key, "").unwrap();
    let mut prov_path = path.into_os_string();
    prov_path.push(".prov");
    std::fs::write(prov_path, &p).unwrap();
    p
}

fn report(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str::<serde_json::Value>(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out)))["reports"]
        [0]
    .clone()
}

fn checks<'a>(r: &'a serde_json::Value, id: &str) -> Vec<&'a serde_json::Value> {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect()
}

/// The images of a chart that did not verify are not read: `image.policy` is not run, naming
/// the chart check `unbound` that did not pass, and no other image check is made.
fn assert_images_not_read(r: &serde_json::Value, unbound: &str) {
    let c = checks(r, "image.policy");
    assert_eq!(c.len(), 1, "{r:#}");
    assert_eq!(c[0]["outcome"], "not-run", "{r:#}");
    let found = c[0]["found"].as_str().unwrap();
    assert!(
        found.contains("the chart package is not verified (") && found.contains(unbound),
        "{found}"
    );
    assert!(checks(r, "image.signature").is_empty(), "{r:#}");
    assert_eq!(r["details"]["images"], serde_json::json!([]), "{r:#}");
}

fn failed(r: &serde_json::Value) -> Vec<String> {
    r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["outcome"] != "pass")
        .map(|c| {
            format!(
                "{} {}: expected {} found {}",
                c["id"], c["outcome"], c["expected"], c["found"]
            )
        })
        .collect()
}

/// The world of these tests: a registry holding an OCI chart `o/charts/demo` 1.0.0 (with its
/// `.prov` layer) whose manifest is signed by the chart's workflow (referrer bundle) and by a
/// second identity (legacy `.sig`), deploying `o/app` (signed by the chart's workflow) and,
/// with the user's values, `o/sidecar` (signed by its own workflow).
struct World {
    reg: Registry,
    instance: TestSigstore,
    dir: TempDir,
    chart: GithubToken,
    legacy: GithubToken,
    sidecar_tok: GithubToken,
    app: PushedImage,
    sidecar: PushedImage,
    manifest: PushedImage,
    public: Vec<u8>,
    secret: Vec<u8>,
    tgz: Vec<u8>,
}

const CHART: &str = "o/charts/demo";

fn world(test: &str) -> Option<World> {
    let reg = Registry::start(test)?;
    let instance = TestSigstore::start();
    let dir = TempDir::new("cp-world");
    let chart = GithubToken::new("o/demo", "release.yaml", "refs/tags/v1.0.0");
    let legacy = GithubToken::new("o/demo", "legacy.yaml", "refs/tags/v1.0.0");
    let sidecar_tok = GithubToken::new("o/sidecar", "release.yaml", "refs/tags/v2.0.0");
    let app = reg.push_image("o/app", "v1.0.0", "cp-app");
    let sidecar = reg.push_image("o/sidecar", "v2.0.0", "cp-sidecar");
    sign_keyless(&reg, &instance, &chart, "o/app", &app, false);
    sign_keyless(&reg, &instance, &sidecar_tok, "o/sidecar", &sidecar, true);
    let (secret, public) = pgp_pair(11);
    let tgz = demo_tgz("1.0.0", &[&format!("{}/o/app@{}", reg.host(), app.digest)]);
    let p = prov(dir.path(), "1.0.0", &tgz, &secret);
    let manifest = push_chart(&reg, CHART, &tgz, Some(&p));
    sign_keyless(&reg, &instance, &chart, CHART, &manifest, false);
    sign_keyless(&reg, &instance, &legacy, CHART, &manifest, true);
    std::fs::write(dir.path().join("pub.asc"), &public).unwrap();
    Some(World {
        reg,
        instance,
        dir,
        chart,
        legacy,
        sidecar_tok,
        app,
        sidecar,
        manifest,
        public,
        secret,
        tgz,
    })
}

impl World {
    fn reference(&self) -> String {
        format!("oci://{}/{CHART}", self.reg.host())
    }

    fn root(&self) -> String {
        self.instance.trusted_root().display().to_string()
    }

    /// `--set` that deploys the sidecar pinned.
    fn sidecar_set(&self) -> String {
        format!(
            "sidecar.image.repository={}/o/sidecar,sidecar.image.digest={}",
            self.reg.host(),
            self.sidecar.digest
        )
    }

    /// A policy file: the chart signed by `chart_signer` with the `.prov` of `keyring`, the app
    /// by the chart's repository, the sidecar by its own workflow.
    fn policy(&self, name: &str, chart_signer: &str, keyring: &str) -> String {
        let text = format!(
            "trusted_root: {root}
chart:
  name: demo
  signer:
{chart_signer}
  prov_keyring: {keyring}
images:
  - repository: 127.0.0.1:*/o/app
    signer:
      github: {{repository: o/demo, workflow: .github/workflows/release.yaml}}
  - repository: 127.0.0.1:*/o/sidecar
    signer:
      identity: {sidecar}
      issuer: {GH}
",
            root = self.root(),
            sidecar = self.sidecar_tok.identity(),
        );
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    fn verify(&self, reference: &str, extra: &[&str]) -> (std::process::Output, serde_json::Value) {
        let cache = self.dir.path().join("cache");
        let mut a = vec![
            "verify",
            reference,
            "--cache-dir",
            cache.to_str().unwrap(),
            "-o",
            "json",
        ];
        a.extend_from_slice(extra);
        let out = run(&a);
        let r = if out.stdout.is_empty() {
            serde_json::Value::Null
        } else {
            report(&out)
        };
        (out, r)
    }
}

const GITHUB_CHART_SIGNER: &str =
    "    github: {repository: o/demo, workflow: .github/workflows/release.yaml}";

#[test]
fn a_policy_file_verifies_an_oci_chart_its_prov_and_every_image_it_deploys_and_each_rule_can_fail()
{
    let Some(w) = world("chart_policy_oci") else {
        return;
    };
    let good = w.policy("policy.yaml", GITHUB_CHART_SIGNER, "pub.asc");
    let set = w.sidecar_set();
    let reference = w.reference();
    let (out, r) = w.verify(
        &reference,
        &["--version", "1.0.0", "--policy", &good, "--set", &set],
    );
    assert_eq!(code(&out), 0, "{:#?}\n{}", failed(&r), stderr(&out));
    for id in ["chart.signature", "chart.prov", "chart.metadata"] {
        assert!(
            checks(&r, id).iter().all(|c| c["outcome"] == "pass") && !checks(&r, id).is_empty(),
            "{id}: {r:#}"
        );
    }
    assert_eq!(checks(&r, "image.policy").len(), 2, "{r:#}");
    let sigs = checks(&r, "image.signature");
    assert_eq!(sigs.len(), 2, "{r:#}");
    assert!(
        sigs[1]["title"]
            .as_str()
            .unwrap()
            .contains(&w.sidecar.digest),
        "{r:#}"
    );
    assert!(
        sigs[0]["title"].as_str().unwrap().contains(&w.app.digest),
        "{r:#}"
    );

    // Values files merge as Helm merges them: an image no rule covers fails image.policy.
    let values = w.dir.path().join("values.yaml");
    std::fs::write(
        &values,
        format!("extra:\n  image: quay.io/evil/x@{}\n", w.app.digest),
    )
    .unwrap();
    let (out, r) = w.verify(
        &reference,
        &[
            "--version",
            "1.0.0",
            "--policy",
            &good,
            "--set",
            &set,
            "-f",
            values.to_str().unwrap(),
        ],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    assert_eq!(failed(&r).len(), 1, "{:#?}", failed(&r));
    let c = checks(&r, "image.policy")
        .into_iter()
        .find(|c| c["outcome"] == "fail")
        .unwrap();
    assert!(
        c["found"]
            .as_str()
            .unwrap()
            .contains("no rule covers quay.io/evil/x"),
        "{c}"
    );
    assert!(
        c["expected"]
            .as_str()
            .unwrap()
            .contains("127.0.0.1:*/o/app, 127.0.0.1:*/o/sidecar"),
        "{c}"
    );

    // The chart signer: another workflow of the repository did not sign the chart.
    let other = w.policy(
        "other-signer.yaml",
        "    github: {repository: o/demo, workflow: .github/workflows/nightly.yaml}",
        "pub.asc",
    );
    let (out, r) = w.verify(
        &reference,
        &["--version", "1.0.0", "--policy", &other, "--set", &set],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.signature")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(
        c["expected"].as_str().unwrap().contains(&w.manifest.digest),
        "{c}"
    );
    assert!(
        c["title"].as_str().unwrap().starts_with("chart manifest:"),
        "{c}"
    );
    assert!(
        c["found"].as_str().unwrap().contains("release.yaml")
            || c["found"].as_str().unwrap().contains("legacy.yaml"),
        "{c}"
    );

    // The .prov keyring: the chart's .prov is not signed by this key.
    let (_, other_public) = pgp_pair(12);
    std::fs::write(w.dir.path().join("other.asc"), &other_public).unwrap();
    let wrong_ring = w.policy("other-ring.yaml", GITHUB_CHART_SIGNER, "other.asc");
    let (out, r) = w.verify(
        &reference,
        &["--version", "1.0.0", "--policy", &wrong_ring, "--set", &set],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    assert_eq!(failed(&r).len(), 2, "{:#?}", failed(&r));
    let c = checks(&r, "chart.prov")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert_images_not_read(&r, "chart.prov");
    assert!(
        c["expected"].as_str().unwrap().contains("demo-1.0.0.tgz"),
        "{c}"
    );

    // The policy's chart.name: another chart fails chart.metadata.
    let renamed = std::fs::read_to_string(&good)
        .unwrap()
        .replace("name: demo", "name: other");
    let renamed_path = w.dir.path().join("renamed.yaml");
    std::fs::write(&renamed_path, renamed).unwrap();
    let (out, r) = w.verify(
        &reference,
        &[
            "--version",
            "1.0.0",
            "--policy",
            renamed_path.to_str().unwrap(),
            "--set",
            &set,
        ],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.metadata")
        .into_iter()
        .find(|c| c["outcome"] == "fail")
        .unwrap();
    assert_eq!(c["expected"], "other (the policy's chart.name)", "{c}");
    assert_eq!(c["found"], "demo (Chart.yaml)", "{c}");

    // Required rules with no evidence: a chart pushed without signature and without .prov.
    push_chart(&w.reg, CHART, &demo_tgz("1.1.0", &[]), None);
    let (out, r) = w.verify(&reference, &["--version", "1.1.0", "--policy", &good]);
    assert_eq!(code(&out), 1, "{r:#}");
    assert_eq!(checks(&r, "chart.signature")[0]["outcome"], "fail", "{r:#}");
    let c = checks(&r, "chart.prov")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(
        c["found"]
            .as_str()
            .unwrap()
            .contains("no application/vnd.cncf.helm.chart.provenance.v1.prov layer"),
        "{c}"
    );

    // A required chart attestation that is not there.
    let attested = std::fs::read_to_string(&good).unwrap().replace(
        "  prov_keyring: pub.asc",
        "  prov_keyring: pub.asc\n  attestations:\n    - predicate_type: slsaprovenance1",
    );
    let attested_path = w.dir.path().join("attested.yaml");
    std::fs::write(&attested_path, attested).unwrap();
    let (out, r) = w.verify(
        &reference,
        &[
            "--version",
            "1.0.0",
            "--policy",
            attested_path.to_str().unwrap(),
            "--set",
            &set,
        ],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.attestation")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(
        c["expected"]
            .as_str()
            .unwrap()
            .contains("https://slsa.dev/provenance/v1"),
        "{c}"
    );

    // Usage errors: a policy and signer flags, a release section, --set syntax.
    let (out, _) = w.verify(&reference, &["--policy", &good, "--key", &good]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("give one"), "{}", stderr(&out));
    let (out, _) = w.verify(&reference, &["--policy", &good, "--set", "a[x]=1"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not an integer"), "{}", stderr(&out));
    let _ = (&w.public, &w.secret, &w.tgz, &w.legacy, &w.chart);
}

#[test]
fn keyless_oci_charts_verify_by_referrer_bundle_and_legacy_sig_with_identity_flags() {
    let Some(w) = world("chart_policy_keyless") else {
        return;
    };
    let reference = w.reference();
    let root = w.root();
    let set = w.sidecar_set();
    let flags = |identity: &str| -> Vec<String> {
        vec![
            "--version".into(),
            "1.0.0".into(),
            "--certificate-identity".into(),
            identity.into(),
            "--certificate-oidc-issuer".into(),
            GH.into(),
            "--trusted-root".into(),
            root.clone(),
        ]
    };
    // The chart workflow's referrer bundle: the chart and the app verify with its identity.
    let chart_id = w.chart.identity();
    let a = flags(&chart_id);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, r) = w.verify(&reference, &a);
    assert_eq!(code(&out), 0, "{:#?}\n{}", failed(&r), stderr(&out));
    let verified = r["details"]["chart_signatures"].to_string();
    assert!(verified.contains("sigstore-bundle"), "{verified}");
    // The legacy .sig of the second workflow verifies the chart; the app is not signed by it.
    let legacy_id = w.legacy.identity();
    let a = flags(&legacy_id);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, r) = w.verify(&reference, &a);
    assert_eq!(code(&out), 1, "{r:#}");
    assert_eq!(checks(&r, "chart.signature")[0]["outcome"], "pass", "{r:#}");
    assert!(
        r["details"]["chart_signatures"]
            .to_string()
            .contains("cosign-signature"),
        "{r:#}"
    );
    assert_eq!(checks(&r, "image.signature")[0]["outcome"], "fail", "{r:#}");
    // With --image-policy for the sidecar and the app, over the flags' rule.
    let sidecar_rule = format!(
        "127.0.0.1:*/o/sidecar=identity={},issuer={GH}",
        w.sidecar_tok.identity()
    );
    let app_rule =
        "127.0.0.1:*/o/app=github=o/demo,workflow=.github/workflows/release.yaml,ref=refs/tags/v*";
    let mut a = a.clone();
    a.extend([
        "--image-policy",
        &sidecar_rule,
        "--image-policy",
        app_rule,
        "--set",
        &set,
    ]);
    let (out, r) = w.verify(&reference, &a);
    assert_eq!(code(&out), 0, "{:#?}\n{}", failed(&r), stderr(&out));
    assert_eq!(checks(&r, "image.signature").len(), 2, "{r:#}");
    // A wrong identity: neither form verifies the chart.
    let a = flags("https://github.com/o/demo/.github/workflows/evil.yaml@refs/tags/v1.0.0");
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, r) = w.verify(&reference, &a);
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.signature")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(c["expected"].as_str().unwrap().contains("evil.yaml"), "{c}");
    // The chart changed under its tag: the signatures are of the old manifest, not this one.
    push_chart(
        &w.reg,
        CHART,
        &demo_tgz(
            "1.0.0",
            &[
                &format!("{}/o/app@{}", w.reg.host(), w.app.digest),
                "ghcr.io/o/extra@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            ],
        ),
        None,
    );
    let a = flags(&chart_id);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let (out, r) = w.verify(&reference, &a);
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.signature")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(
        !c["expected"].as_str().unwrap().contains(&w.manifest.digest),
        "{c}"
    );
    // And through a policy file: the changed chart fails the same way.
    let policy = w.policy("keyless.yaml", GITHUB_CHART_SIGNER, "pub.asc");
    let (out, r) = w.verify(&reference, &["--version", "1.0.0", "--policy", &policy]);
    assert_eq!(code(&out), 1, "{r:#}");
    assert_eq!(checks(&r, "chart.signature")[0]["outcome"], "fail", "{r:#}");
}

#[test]
fn a_digest_pinned_oci_reference_is_compared_with_the_manifest_and_image_policy_specs_are_checked()
{
    let Some(w) = world("chart_policy_pinned") else {
        return;
    };
    let policy = w.policy("policy.yaml", GITHUB_CHART_SIGNER, "pub.asc");
    let host = w.reg.host();
    for pinned in [
        format!("oci://{host}/{CHART}@{}", w.manifest.digest),
        format!("oci://{host}/{CHART}:1.0.0@{}", w.manifest.digest),
    ] {
        let (out, r) = w.verify(&pinned, &["--policy", &policy]);
        assert_eq!(
            code(&out),
            0,
            "{pinned}: {:#?}\n{}",
            failed(&r),
            stderr(&out)
        );
        assert_eq!(r["details"]["manifest_digest"], w.manifest.digest, "{r:#}");
        assert_eq!(checks(&r, "chart.prov")[0]["outcome"], "pass", "{r:#}");
    }
    // A tag whose manifest is not the pinned digest: chart.oci-manifest fails, read no further.
    let other = push_chart(&w.reg, CHART, &demo_tgz("2.0.0", &[]), None);
    let wrong = format!("oci://{host}/{CHART}:2.0.0@{}", w.manifest.digest);
    let (out, r) = w.verify(&wrong, &["--policy", &policy]);
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.oci-manifest")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert_eq!(
        c["expected"],
        format!("{} (the reference's pin)", w.manifest.digest)
    );
    assert!(
        c["found"].as_str().unwrap().starts_with(&other.digest),
        "{c}"
    );
    assert!(checks(&r, "chart.package").is_empty(), "{r:#}");
    // A version in the reference and another in --version.
    let (out, _) = w.verify(
        &format!("oci://{host}/{CHART}:1.0.0"),
        &["--version", "2.0.0", "--policy", &policy],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("different versions"),
        "{}",
        stderr(&out)
    );

    // --image-policy: malformed specs are usage errors naming what is wrong.
    let reference = w.reference();
    for (spec, says) in [
        ("127.0.0.1:*/o/app", "no `=`"),
        (
            "127.0.0.1:*/o/app=identity_regexp=https://x/.*,issuer=https://i",
            "expected an anchored regexp",
        ),
        ("127.0.0.1:*/o/app=colour=red", "one of the fields"),
    ] {
        let (out, _) = w.verify(&reference, &["--policy", &policy, "--image-policy", spec]);
        assert_eq!(code(&out), 2, "{spec}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{spec}: {}", stderr(&out));
    }
    // allow_unverified (for images no rule covers): deployed unverified, reported.
    let set = w.sidecar_set();
    let extra = format!("extra.image=quay.io/third/party@{}", w.app.digest);
    let (out, r) = w.verify(
        &reference,
        &[
            "--version",
            "1.0.0",
            "--policy",
            &policy,
            "--set",
            &extra,
            "--image-policy",
            "quay.io/third/*=allow_unverified",
        ],
    );
    assert_eq!(code(&out), 0, "{:#?}", failed(&r));
    let not_required = r["details"]["not_required"].to_string();
    assert!(
        not_required.contains("quay.io/third/party") && not_required.contains("allow_unverified"),
        "{r:#}"
    );
    assert_eq!(checks(&r, "image.signature").len(), 1, "{r:#}");
    let (out, r) = w.verify(
        &reference,
        &["--version", "1.0.0", "--policy", &policy, "--set", &extra],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    // A wrong signer for the sidecar, taking precedence over the file's rule.
    let (out, r) = w.verify(
        &reference,
        &[
            "--version",
            "1.0.0",
            "--policy",
            &policy,
            "--set",
            &set,
            "--image-policy",
            &format!("127.0.0.1:*/o/sidecar=github=o/other,issuer={GH}"),
        ],
    );
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "image.signature")
        .into_iter()
        .find(|c| c["outcome"] == "fail")
        .unwrap();
    assert!(c["title"].as_str().unwrap().contains("o/sidecar"), "{c}");
}

#[test]
fn repository_and_local_charts_are_verified_by_the_policys_prov_keyring_and_images() {
    let Some(w) = world("chart_policy_repo_local") else {
        return;
    };
    // The same chart in an HTTP Helm repository, and as a file with its .prov beside it.
    let server = crate::support::http::Server::start();
    let p = std::fs::read(w.dir.path().join("demo-1.0.0.tgz.prov")).unwrap();
    server.route(
        "/charts/demo-1.0.0.tgz",
        crate::support::http::Reply::Ok(w.tgz.clone(), "application/gzip"),
    );
    server.route(
        "/charts/demo-1.0.0.tgz.prov",
        crate::support::http::Reply::Ok(p, "text/plain"),
    );
    let d = kakunin::digest::Digest::sha256(&w.tgz).hex();
    server.route(
        "/index.yaml",
        crate::support::http::Reply::Ok(
            format!("apiVersion: v1\nentries:\n  demo:\n  - name: demo\n    version: 1.0.0\n    digest: {d}\n    urls:\n    - charts/demo-1.0.0.tgz\n").into_bytes(),
            "text/yaml",
        ),
    );
    let url = server.url("/");
    let local = w.dir.path().join("demo-1.0.0.tgz").display().to_string();
    let text =
        std::fs::read_to_string(w.policy("signed.yaml", GITHUB_CHART_SIGNER, "pub.asc")).unwrap();
    // A chart of these sources is signed by its .prov: no chart.signer.
    let prov_only = text.replace(&format!("  signer:\n{GITHUB_CHART_SIGNER}\n"), "");
    let prov_policy = w.dir.path().join("prov.yaml");
    std::fs::write(&prov_policy, &prov_only).unwrap();
    let prov_policy = prov_policy.display().to_string();
    let set = w.sidecar_set();
    for (reference, extra) in [
        ("demo", vec!["--repo", url.as_str(), "--version", "1.0.0"]),
        (local.as_str(), vec![]),
    ] {
        let mut a = extra.clone();
        a.extend(["--policy", prov_policy.as_str(), "--set", set.as_str()]);
        let (out, r) = w.verify(reference, &a);
        assert_eq!(
            code(&out),
            0,
            "{reference}: {:#?}\n{}",
            failed(&r),
            stderr(&out)
        );
        assert_eq!(checks(&r, "chart.prov")[0]["outcome"], "pass", "{r:#}");
        assert_eq!(checks(&r, "image.signature").len(), 2, "{r:#}");
        assert!(
            r["details"]["not_required"]
                .to_string()
                .contains("requires no chart signer"),
            "{r:#}"
        );

        // A chart signer required of a chart that has no OCI manifest: no evidence, a failure.
        let mut a = extra.clone();
        let signed = w.dir.path().join("signed.yaml").display().to_string();
        a.extend(["--policy", signed.as_str(), "--set", set.as_str()]);
        let (out, r) = w.verify(reference, &a);
        assert_eq!(code(&out), 1, "{r:#}");
        assert_eq!(failed(&r).len(), 2, "{:#?}", failed(&r));
        assert_images_not_read(&r, "chart.signature");
        let c = checks(&r, "chart.signature")[0];
        assert!(
            c["found"].as_str().unwrap().contains("is not an OCI chart"),
            "{c}"
        );
        assert!(c["expected"].as_str().unwrap().contains("o/demo"), "{c}");

        // The .prov keyring of the policy: another key fails chart.prov.
        let (_, other) = pgp_pair(13);
        std::fs::write(w.dir.path().join("other.asc"), other).unwrap();
        let wrong = w.dir.path().join("wrong-ring.yaml");
        std::fs::write(
            &wrong,
            prov_only.replace("prov_keyring: pub.asc", "prov_keyring: other.asc"),
        )
        .unwrap();
        let mut a = extra.clone();
        a.extend(["--policy", wrong.to_str().unwrap(), "--set", set.as_str()]);
        let (out, r) = w.verify(reference, &a);
        assert_eq!(code(&out), 1, "{r:#}");
        assert_eq!(checks(&r, "chart.prov")[0]["outcome"], "fail", "{r:#}");
    }
}

/// Attaches to `subject` a DSSE attestation of `predicate_type` signed for `tok`.
fn attest(w: &World, tok: &GithubToken, subject: &PushedImage, predicate_type: &str, label: &str) {
    let dir = w.dir.path();
    crate::support::keyless::attest(
        &w.reg,
        &w.instance,
        tok,
        dir,
        CHART,
        subject,
        predicate_type,
        label,
    );
}

/// A chart version pushed with its `.prov` and signed by the chart's workflow (referrer bundle).
fn push_signed_version(w: &World, version: &str) -> PushedImage {
    let app = format!("{}/o/app@{}", w.reg.host(), w.app.digest);
    let tgz = demo_tgz(version, &[&app]);
    let p = prov(w.dir.path(), version, &tgz, &w.secret);
    let m = push_chart(&w.reg, CHART, &tgz, Some(&p));
    sign_keyless(&w.reg, &w.instance, &w.chart, CHART, &m, false);
    m
}

#[test]
fn a_chart_attestation_the_policy_requires_verifies_and_fails_for_another_type_or_signer() {
    let Some(w) = world("chart_policy_attested") else {
        return;
    };
    const SLSA: &str = "https://slsa.dev/provenance/v1";
    attest(&w, &w.chart, &w.manifest, SLSA, "chart-slsa");
    // 1.2.0: attested by the chart's workflow, but SPDX, not SLSA provenance.
    let spdx = push_signed_version(&w, "1.2.0");
    attest(
        &w,
        &w.chart,
        &spdx,
        "https://spdx.dev/Document",
        "chart-spdx",
    );
    // 1.3.0: SLSA provenance, but signed by another workflow than the chart's.
    let other = push_signed_version(&w, "1.3.0");
    attest(&w, &w.legacy, &other, SLSA, "chart-legacy-slsa");
    let text = std::fs::read_to_string(w.policy("base.yaml", GITHUB_CHART_SIGNER, "pub.asc"))
        .unwrap()
        .replace(
            "  prov_keyring: pub.asc",
            "  prov_keyring: pub.asc\n  attestations:\n    - predicate_type: slsaprovenance1",
        );
    let policy = w.dir.path().join("attested.yaml");
    std::fs::write(&policy, text).unwrap();
    let policy = policy.to_str().unwrap();
    let reference = w.reference();

    let (out, r) = w.verify(&reference, &["--version", "1.0.0", "--policy", policy]);
    assert_eq!(code(&out), 0, "{:#?}\n{}", failed(&r), stderr(&out));
    let c = checks(&r, "chart.attestation");
    assert_eq!(c.len(), 1, "{r:#}");
    assert_eq!(c[0]["outcome"], "pass", "{}", c[0]);
    assert!(
        c[0]["expected"].as_str().unwrap().contains(SLSA),
        "{}",
        c[0]
    );
    assert!(
        c[0]["expected"].as_str().unwrap().contains("o/demo"),
        "{}",
        c[0]
    );
    assert!(
        c[0]["found"].as_str().unwrap().ends_with(" verified"),
        "{}",
        c[0]
    );

    for (version, found) in [
        ("1.2.0", "https://spdx.dev/Document"),
        ("1.3.0", "legacy.yaml"),
    ] {
        let (out, r) = w.verify(&reference, &["--version", version, "--policy", policy]);
        assert_eq!(code(&out), 1, "{version}: {r:#}");
        // Only the attestation fails (with, for another signer, the identity check of the
        // bundle that was rejected), and the chart's images are not read.
        let others: Vec<String> = failed(&r)
            .into_iter()
            .filter(|f| {
                !f.starts_with("\"chart.attestation\"")
                    && !f.starts_with("\"bundle.identity\"")
                    && !f.starts_with("\"image.policy\" \"not-run\"")
            })
            .collect();
        assert!(others.is_empty(), "{version}: {others:#?}");
        assert_images_not_read(&r, "chart.attestation");
        let c = checks(&r, "chart.attestation")[0];
        assert_eq!(c["outcome"], "fail", "{version}: {c}");
        assert!(
            c["expected"].as_str().unwrap().contains(SLSA),
            "{version}: {c}"
        );
        assert!(
            c["found"].as_str().unwrap().contains(found),
            "{version}: {c}"
        );
        assert_eq!(checks(&r, "chart.signature")[0]["outcome"], "pass", "{r:#}");
    }
}

#[test]
fn verify_takes_the_shared_signer_flags_with_githubs_repository_as_github_repo() {
    let Some(w) = world("chart_policy_github_repo") else {
        return;
    };
    let reference = w.reference();
    let root = w.root();
    let with = |repo: &str| {
        let a = [
            "--version",
            "1.0.0",
            "--github-repo",
            repo,
            "--trusted-root",
            &root,
        ];
        w.verify(&reference, &a)
    };
    // The chart and its app are signed by o/demo's release workflow: GitHub's repository
    // flag of verify-image and verify-bundle is --github-repo here, and it is checked.
    let (out, r) = with("o/demo");
    assert_eq!(code(&out), 0, "{:#?}\n{}", failed(&r), stderr(&out));
    let (out, r) = with("o/other");
    assert_eq!(code(&out), 1, "{r:#}");
    let c = checks(&r, "chart.signature")[0];
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(c["expected"].as_str().unwrap().contains("o/other"), "{c}");
    // --repo stays Helm's chart repository: with an oci:// chart it is refused as Helm does.
    let (out, _) = w.verify(&reference, &["--repo", "o/demo", "--trusted-root", &root]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    // On a CHART@VERSION release of a profile, a signer flag is refused, never ignored.
    let out = run(&[
        "verify",
        "gomenhashai@1.3.2",
        "--source-ref",
        "refs/tags/v1.3.2",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("signer flags"), "{}", stderr(&out));
}
