//! `kakunin verify` for charts named as `helm install` names them: a local `.tgz` with its
//! `.prov` beside it, `CHART --repo URL --version RANGE` on the loopback HTTP server, and
//! `oci://` charts pushed in Helm's layout into Debian's docker-registry (and served wrong by
//! the loopback HTTP server where a real registry cannot be made to lie).

use std::path::{Path, PathBuf};

use kakunin::digest::Digest;

use crate::common::{TempDir, code, run, stderr, stdout};
use crate::support::http::{Reply, Server};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

/// An armored (secret, public) PGP key pair from a seed.
pub fn pgp_pair(seed: u64) -> (Vec<u8>, Vec<u8>) {
    use pgp::composed::{KeyType, SecretKeyParamsBuilder};
    use rand::SeedableRng;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
    let key = SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id(format!("charts {seed} <charts@kakunin.invalid>"))
        .build()
        .unwrap()
        .generate(&mut rng)
        .unwrap();
    (
        key.to_armored_string(Default::default())
            .unwrap()
            .into_bytes(),
        key.to_public_key()
            .to_armored_bytes(Default::default())
            .unwrap(),
    )
}

/// A chart package `demo-<version>.tgz` whose values name `images` (one `image:` block each).
pub fn demo_tgz(version: &str, images: &[&str]) -> Vec<u8> {
    let chart_yaml =
        format!("apiVersion: v2\nname: demo\nversion: {version}\nappVersion: v{version}\n");
    let mut values = String::new();
    for (i, img) in images.iter().enumerate() {
        let (repo, pin) = img.split_once('@').unwrap_or((img, ""));
        values.push_str(&format!("c{i}:\n  image:\n    repository: {repo}\n"));
        if !pin.is_empty() {
            values.push_str(&format!("    digest: \"{pin}\"\n"));
        } else {
            values.push_str("    tag: \"v1\"\n");
        }
    }
    crate::chart::raw_tgz([
        ("demo/Chart.yaml".to_string(), chart_yaml.into_bytes()),
        ("demo/values.yaml".to_string(), values.into_bytes()),
    ])
}

/// Writes the package and a `.prov` signed by `secret` (None: no `.prov`); returns the path.
pub(crate) fn package(
    dir: &Path,
    version: &str,
    images: &[&str],
    secret: Option<&[u8]>,
) -> PathBuf {
    let path = dir.join(format!("demo-{version}.tgz"));
    std::fs::write(&path, demo_tgz(version, images)).unwrap();
    if let Some(secret) = secret {
        let key = dir.join("secret.asc");
        std::fs::write(&key, secret).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let prov = kakunin::publish::prov::sign(&path, name, &key, "").unwrap();
        let mut p = path.clone().into_os_string();
        p.push(".prov");
        std::fs::write(p, prov).unwrap();
    }
    path
}

pub(crate) fn keyring(dir: &Path, name: &str, public: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, public).unwrap();
    p.display().to_string()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| {
        panic!("not JSON ({e}): {}\n{}", stdout(out), stderr(out));
    })
}

fn check<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} check in {report}"))
}

#[test]
fn a_local_package_and_the_prov_beside_it_verify_with_the_keyring_as_helm_verify_does() {
    let dir = TempDir::new("cs-local");
    let (secret, public) = pgp_pair(1);
    let (_, other) = pgp_pair(2);
    let tgz = package(dir.path(), "1.2.3", &[], Some(&secret));
    let tgz = tgz.to_str().unwrap();
    let ring = keyring(dir.path(), "pub.asc", &public);
    let out = run(&["verify", tgz, "--keyring", &ring, "-o", "json"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r = json(&out);
    assert_eq!(check(&r, "chart.prov")["outcome"], "pass", "{r}");
    assert!(
        check(&r, "chart.package")["found"]
            .as_str()
            .unwrap()
            .contains("demo 1.2.3"),
        "{r}"
    );

    // Another key: chart.prov fails, naming the keys.
    let ring2 = keyring(dir.path(), "other.asc", &other);
    let out = run(&["verify", tgz, "--keyring", &ring2, "-o", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let c = check(&json(&out), "chart.prov").clone();
    assert_eq!(c["outcome"], "fail");
    assert!(
        c["expected"].as_str().unwrap().contains("demo-1.2.3.tgz"),
        "{c}"
    );

    // The package changed after signing: the files: digest is not the package's.
    std::fs::write(tgz, demo_tgz("1.2.3", &["ghcr.io/o/x@sha256:0000000000000000000000000000000000000000000000000000000000000000"])).unwrap();
    let out = run(&["verify", tgz, "--keyring", &ring, "-o", "json"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let c = check(&json(&out), "chart.prov").clone();
    assert_eq!(c["outcome"], "fail", "{c}");
    let found = c["found"].as_str().unwrap();
    assert!(found.contains("sha256:"), "{c}");

    // --keyring makes the .prov required: without one beside the package, a failure.
    let bare = package(dir.path(), "2.0.0", &[], None);
    let out = run(&["verify", bare.to_str().unwrap(), "--keyring", &ring]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("a keyring requires the .prov") && text.contains("demo-2.0.0.tgz.prov"),
        "{text}"
    );
}

#[test]
fn local_packages_that_are_too_large_missing_or_unverifiable_are_clear_errors() {
    let dir = TempDir::new("cs-local-bad");
    let (_, public) = pgp_pair(1);
    let ring = keyring(dir.path(), "pub.asc", &public);
    // 2 GiB (sparse): refused by its size, before it is read.
    let big = dir.path().join("big-1.0.0.tgz");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(2 * 1024 * 1024 * 1024)
        .unwrap();
    let start = std::time::Instant::now();
    let out = run(&[
        "verify",
        big.to_str().unwrap(),
        "--keyring",
        &ring,
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let c = check(&json(&out), "chart.package").clone();
    assert_eq!(
        c["expected"], "a chart package of at most 67108864 bytes",
        "{c}"
    );
    assert_eq!(c["found"], "2147483648 bytes", "{c}");
    assert!(start.elapsed() < std::time::Duration::from_secs(10));

    // Not a chart: chart.package fails saying why.
    let junk = dir.path().join("junk-1.0.0.tgz");
    std::fs::write(&junk, b"not gzip").unwrap();
    let out = run(&[
        "verify",
        junk.to_str().unwrap(),
        "--keyring",
        &ring,
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(check(&json(&out), "chart.package")["outcome"], "fail");

    // A missing file, or nothing to verify against: usage errors.
    let out = run(&["verify", "./nope-1.0.0.tgz", "--keyring", &ring]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("nope-1.0.0.tgz"), "{}", stderr(&out));
    let ok = package(dir.path(), "1.0.0", &[], None);
    let out = run(&["verify", ok.to_str().unwrap()]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("nothing to verify the chart against"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "verify",
        ok.to_str().unwrap(),
        "--keyring",
        &ring,
        "--version",
        "1.0.0",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}

/// A Helm repository on the loopback server: `index.yaml` listing `demo` at several versions
/// (each package and `.prov` served beside it).
struct HelmRepo {
    server: Server,
    dir: TempDir,
    public: Vec<u8>,
}

fn helm_repo(versions: &[&str], index_digest: impl Fn(&str, &Digest) -> String) -> HelmRepo {
    let server = Server::start();
    let dir = TempDir::new("cs-repo");
    let (secret, public) = pgp_pair(7);
    let mut index = String::from("apiVersion: v1\nentries:\n  demo:\n");
    for v in versions {
        let p = package(dir.path(), v, &[], Some(&secret));
        let bytes = std::fs::read(&p).unwrap();
        let d = Digest::sha256(&bytes);
        server.route(
            &format!("/charts/demo-{v}.tgz"),
            Reply::Ok(bytes, "application/gzip"),
        );
        let mut prov = p.into_os_string();
        prov.push(".prov");
        server.route(
            &format!("/charts/demo-{v}.tgz.prov"),
            Reply::Ok(std::fs::read(prov).unwrap(), "text/plain"),
        );
        index.push_str(&format!(
            "  - name: demo\n    version: {v}\n    appVersion: v{v}\n    digest: {}\n    urls:\n    - charts/demo-{v}.tgz\n",
            index_digest(v, &d)
        ));
    }
    server.route("/index.yaml", Reply::Ok(index.into_bytes(), "text/yaml"));
    HelmRepo {
        server,
        dir,
        public,
    }
}

#[test]
fn a_repository_chart_is_chosen_by_helms_version_rules_and_its_index_digest_and_prov_checked() {
    let repo = helm_repo(&["1.2.0", "1.10.1", "2.0.0", "1.11.0-rc.1"], |_, d| d.hex());
    let ring = keyring(repo.dir.path(), "pub.asc", &repo.public);
    let cache = TempDir::new("cs-repo-cache");
    let url = repo.server.url("/");
    let verify = |version: Option<&str>| {
        let mut a = vec![
            "verify",
            "demo",
            "--repo",
            &url,
            "--keyring",
            &ring,
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ];
        if let Some(v) = version {
            a.extend(["--version", v]);
        }
        run(&a)
    };
    for (asked, chosen) in [
        (Some("^1.2"), "1.10.1"),
        (Some("1.2"), "1.2.0"),
        (Some(">=1.0.0-0 <2"), "1.11.0-rc.1"),
        (Some("2.0.0"), "2.0.0"),
        (None, "2.0.0"),
    ] {
        let out = verify(asked);
        assert_eq!(
            code(&out),
            0,
            "{asked:?}: {}\n{}",
            stdout(&out),
            stderr(&out)
        );
        let r = json(&out);
        assert_eq!(
            r["reports"][0]["subject"],
            format!("demo@{chosen} ({url})"),
            "{asked:?}"
        );
        for id in ["chart.index-digest", "chart.metadata", "chart.prov"] {
            assert_eq!(check(&r, id)["outcome"], "pass", "{id}: {r}");
        }
    }
    let out = verify(Some("^3"));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no version matches ^3: found 1.2.0, 1.10.1, 2.0.0, 1.11.0-rc.1"),
        "{}",
        stderr(&out)
    );
    let out = verify(Some(">=1.0,,"));
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("invalid version constraint"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_repository_whose_index_digest_differs_or_whose_index_is_hostile_fails() {
    let other = Digest::sha256(b"another package").hex();
    let repo = helm_repo(&["1.0.0"], |_, _| other.clone());
    let ring = keyring(repo.dir.path(), "pub.asc", &repo.public);
    let url = repo.server.url("/");
    let cache = TempDir::new("cs-repo-bad-cache");
    let verify = |url: &str| {
        run(&[
            "verify",
            "demo",
            "--repo",
            url,
            "--version",
            "1.0.0",
            "--keyring",
            &ring,
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ])
    };
    let out = verify(&url);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let r = json(&out);
    let c = check(&r, "chart.index-digest");
    assert_eq!(c["outcome"], "fail");
    assert_eq!(c["expected"], format!("sha256:{other}"));
    assert!(c["found"].as_str().unwrap().starts_with("sha256:"), "{c}");
    // The package that failed is read no further.
    assert!(
        r["reports"][0]["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "chart.prov"),
        "{r}"
    );

    // Hostile indexes: a chart listed twice (duplicate key), not an index at all, too deep.
    let s = Server::start();
    s.route(
        "/dup/index.yaml",
        Reply::Ok(
            b"apiVersion: v1\nentries:\n  demo: []\n  demo: []\n".to_vec(),
            "text/yaml",
        ),
    );
    s.route(
        "/deep/index.yaml",
        Reply::Ok(
            format!(
                "apiVersion: v1\nentries: {}{}\n",
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
            .into_bytes(),
            "text/yaml",
        ),
    );
    s.route(
        "/html/index.yaml",
        Reply::Ok(b"<html>hi</html>".to_vec(), "text/html"),
    );
    for (path, says) in [
        ("/dup/", "duplicate key \"demo\""),
        ("/deep/", "nest deeper than"),
        ("/html/", "not a Helm repository index"),
    ] {
        let out = verify(&s.url(path));
        assert_eq!(code(&out), 1, "{path}: {}", stderr(&out));
        assert!(stderr(&out).contains(says), "{path}: {}", stderr(&out));
    }
    // Nothing there: could not fetch.
    s.route(
        "/gone/index.yaml",
        Reply::Status(404, vec![], b"no".to_vec()),
    );
    let out = verify(&s.url("/gone/"));
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 404"), "{}", stderr(&out));
}

/// A cosign key pair: the signing half and its public PEM written into `dir`.
pub fn cosign_key(dir: &Path, name: &str) -> (sigstore_verify::crypto::KeyPair, PathBuf) {
    use sigstore_verify::crypto::{KeyAlgorithm, KeyPair};
    let key = KeyPair::generate(KeyAlgorithm::EcdsaP256).unwrap();
    let pem = dir.join(format!("{name}.pub"));
    std::fs::write(&pem, key.public_key_der().unwrap().to_pem()).unwrap();
    (key, pem)
}

/// Signs `digest` in `name` with a cosign `.sig` tag (simple-signing payload, keyed, no log).
pub fn sign_keyed(
    reg: &crate::support::registry::Registry,
    name: &str,
    digest: &str,
    key: &sigstore_verify::crypto::KeyPair,
) {
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/{name}"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        reg.host()
    );
    let sig = key.sign(payload.as_bytes()).unwrap();
    let b64 = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, sig.as_bytes());
    let layer = reg.push_blob(name, payload.as_bytes());
    let config = reg.push_blob(name, b"{}");
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{layer}","size":{},"annotations":{{"dev.cosignproject.cosign/signature":"{b64}"}}}}]}}"#,
        payload.len()
    );
    let hex = digest.strip_prefix("sha256:").unwrap();
    reg.push_manifest(
        name,
        &format!("sha256-{hex}.sig"),
        OCI_MANIFEST,
        manifest.as_bytes(),
    );
}

/// Pushes `tgz` (and `prov`) to `name` as `helm push` lays it out; returns the manifest digest.
pub fn push_chart(
    reg: &crate::support::registry::Registry,
    name: &str,
    tgz: &[u8],
    prov: Option<&[u8]>,
) -> String {
    let a = kakunin::publish::helm_oci::chart_artifact(tgz, prov, "2026-01-01T00:00:00Z").unwrap();
    reg.push_blob(name, &a.config);
    reg.push_blob(name, tgz);
    if let Some(p) = prov {
        reg.push_blob(name, p);
    }
    reg.push_manifest(
        name,
        &a.version.replace('+', "_"),
        OCI_MANIFEST,
        &a.manifest,
    )
}

#[test]
fn an_oci_chart_verifies_its_manifest_layer_prov_cosign_signature_and_images() {
    let Some(reg) = crate::support::registry::Registry::start("chart_sources_oci") else {
        return;
    };
    let dir = TempDir::new("cs-oci");
    let (secret, public) = pgp_pair(3);
    let ring = keyring(dir.path(), "pub.asc", &public);
    // An image the chart deploys, pinned, signed with the project's key…
    let image = reg.push_image("o/app", "v1", "app");
    let chart_name = "o/charts/demo";
    let pinned = format!("{}/o/app@{}", reg.host(), image.digest);
    let tgz_path = package(dir.path(), "1.0.0", &[&pinned], Some(&secret));
    let tgz = std::fs::read(&tgz_path).unwrap();
    let mut prov_path = tgz_path.clone().into_os_string();
    prov_path.push(".prov");
    let prov = std::fs::read(prov_path).unwrap();
    let manifest = push_chart(&reg, chart_name, &tgz, Some(&prov));
    push_chart(&reg, chart_name, &demo_tgz("0.9.0", &[]), None);
    push_chart(&reg, chart_name, &demo_tgz("1.1.0-rc.1", &[]), None);
    // The chart manifest and the image signed with the project's key.
    let (key, pem) = cosign_key(dir.path(), "project");
    sign_keyed(&reg, chart_name, &manifest, &key);
    sign_keyed(&reg, "o/app", &image.digest, &key);

    let cache = TempDir::new("cs-oci-cache");
    let reference = format!("oci://{}/{chart_name}", reg.host());
    let pem_s = pem.display().to_string();
    let verify = |version: &str, extra: &[&str]| {
        let mut a = vec![
            "verify",
            &reference,
            "--version",
            version,
            "--keyring",
            &ring,
            "--key",
            &pem_s,
            "--insecure-ignore-tlog",
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ];
        a.extend_from_slice(extra);
        run(&a)
    };
    let out = verify("~1.0", &[]);
    let r = json(&out);
    assert_eq!(code(&out), 0, "{r}\n{}", stderr(&out));
    assert_eq!(r["reports"][0]["subject"], format!("{reference}:1.0.0"));
    let details = &r["reports"][0]["details"];
    assert_eq!(details["manifest_digest"], manifest);
    assert_eq!(
        details["chart_layer_digest"],
        Digest::sha256(&tgz).to_string()
    );
    for id in [
        "chart.oci-manifest",
        "chart.oci-layer",
        "chart.package",
        "chart.metadata",
        "chart.prov",
        "chart.signature",
        "image.policy",
        "image.pinned",
        "image.signature",
    ] {
        assert_eq!(check(&r, id)["outcome"], "pass", "{id}: {r}");
    }
    assert!(
        check(&r, "image.signature")["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/o/app:v1.0.0@{}", reg.host(), image.digest)),
        "{r}"
    );

    // The image re-signed by someone else: its signature fails, the chart's still passes.
    let (other, _) = cosign_key(dir.path(), "other");
    sign_keyed(&reg, "o/app", &image.digest, &other);
    let out = verify("1.0.0", &[]);
    let r = json(&out);
    assert_eq!(code(&out), 1, "{r}");
    assert_eq!(check(&r, "chart.signature")["outcome"], "pass", "{r}");
    let c = check(&r, "image.signature");
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(
        c["expected"].as_str().unwrap().contains(&image.digest),
        "{c}"
    );

    // The chart manifest re-signed by someone else: chart.signature fails.
    sign_keyed(&reg, chart_name, &manifest, &other);
    let out = verify("1.0.0", &[]);
    let r = json(&out);
    assert_eq!(code(&out), 1, "{r}");
    let c = check(&r, "chart.signature");
    assert_eq!(c["outcome"], "fail", "{c}");
    assert!(c["expected"].as_str().unwrap().contains(&manifest), "{c}");

    // Pre-releases only when asked (Helm's --devel), and a version that is not there.
    let out = verify("*", &[]);
    assert_eq!(
        json(&out)["reports"][0]["subject"],
        format!("{reference}:1.0.0")
    );
    let out = run(&[
        "verify",
        &reference,
        "--devel",
        "--key",
        &pem_s,
        "--insecure-ignore-tlog",
        "--cache-dir",
        cache.path().to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(
        json(&out)["reports"][0]["subject"],
        format!("{reference}:1.1.0-rc.1")
    );
    let out = verify("^2", &[]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no tag matches ^2"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn oci_charts_served_wrong_fail_naming_what_was_expected_and_found() {
    // A registry that lies (docker-registry cannot be made to): the loopback HTTP server.
    let s = Server::start();
    let dir = TempDir::new("cs-oci-wrong");
    let (_, public) = pgp_pair(4);
    let ring = keyring(dir.path(), "pub.asc", &public);
    let tgz = demo_tgz("1.0.0", &[]);
    let td = Digest::sha256(&tgz);
    let config = br#"{"name":"demo","version":"1.0.0"}"#;
    let cd = Digest::sha256(config);
    let helm_config = "application/vnd.cncf.helm.config.v1+json";
    let chart_layer = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
    let manifest = |config_type: &str, layers: &[(&str, &Digest, i64)]| -> Vec<u8> {
        let layers: Vec<String> = layers
            .iter()
            .map(|(t, d, n)| format!(r#"{{"mediaType":"{t}","digest":"{d}","size":{n}}}"#))
            .collect();
        format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"{config_type}","digest":"{cd}","size":{}}},"layers":[{}]}}"#,
            config.len(),
            layers.join(",")
        )
        .into_bytes()
    };
    let serve = |repo: &str, m: Vec<u8>| {
        s.route(
            &format!("/v2/{repo}/manifests/1.0.0"),
            Reply::Status(200, vec![("Content-Type".into(), OCI_MANIFEST.into())], m),
        );
    };
    let n = tgz.len() as i64;
    serve(
        "o/wrongtype",
        manifest(
            "application/vnd.oci.image.config.v1+json",
            &[(chart_layer, &td, n)],
        ),
    );
    serve(
        "o/twolayers",
        manifest(helm_config, &[(chart_layer, &td, n), (chart_layer, &td, n)]),
    );
    serve(
        "o/baddigest",
        manifest(helm_config, &[(chart_layer, &td, n)]),
    );
    s.route(
        &format!("/v2/o/baddigest/blobs/{td}"),
        Reply::Ok(b"something else".to_vec(), "application/octet-stream"),
    );
    serve(
        "o/huge",
        manifest(helm_config, &[(chart_layer, &td, 2 * 1024 * 1024 * 1024)]),
    );
    let cache = TempDir::new("cs-oci-wrong-cache");
    let verify = |repo: &str| {
        let reference = format!("oci://127.0.0.1:{}/{repo}", s.port);
        let out = run(&[
            "verify",
            &reference,
            "--version",
            "1.0.0",
            "--keyring",
            &ring,
            "--cache-dir",
            cache.path().to_str().unwrap(),
            "-o",
            "json",
        ]);
        assert_eq!(code(&out), 1, "{repo}: {}\n{}", stdout(&out), stderr(&out));
        json(&out)
    };
    let r = verify("o/wrongtype");
    let c = check(&r, "chart.oci-manifest");
    assert_eq!(c["outcome"], "fail");
    assert!(
        c["expected"]
            .as_str()
            .unwrap()
            .contains(&format!("config {helm_config}")),
        "{c}"
    );
    assert!(
        c["found"]
            .as_str()
            .unwrap()
            .contains("config application/vnd.oci.image.config.v1+json"),
        "{c}"
    );
    let r = verify("o/twolayers");
    let c = check(&r, "chart.oci-manifest");
    assert_eq!(c["outcome"], "fail");
    assert!(
        c["found"]
            .as_str()
            .unwrap()
            .contains(&format!("layers [{chart_layer}, {chart_layer}]")),
        "{c}"
    );
    let r = verify("o/baddigest");
    let c = check(&r, "chart.oci-layer");
    assert_eq!(c["outcome"], "fail");
    assert_eq!(c["expected"], td.to_string());
    assert_eq!(c["found"], Digest::sha256(b"something else").to_string());
    let r = verify("o/huge");
    let c = check(&r, "chart.package");
    assert_eq!(c["outcome"], "fail");
    assert_eq!(c["expected"], "a chart package of at most 67108864 bytes");
    assert_eq!(
        c["found"],
        "the chart layer's descriptor says 2147483648 bytes"
    );
    assert_eq!(s.hits(&format!("/v2/o/huge/blobs/{td}")), 0);
    // Nothing at the tag: could not fetch (3).
    let out = run(&[
        "verify",
        &format!("oci://127.0.0.1:{}/o/none", s.port),
        "--version",
        "1.0.0",
        "--keyring",
        &ring,
        "--cache-dir",
        cache.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    // A digest-pinned reference (`CHART@sha256:…`, no --version) whose manifest the registry
    // answers with other bytes: chart.oci-manifest fails with the pin and the served digest,
    // and nothing more is read (1).
    let good = manifest(helm_config, &[(chart_layer, &td, n)]);
    let pin = Digest::sha256(&good);
    let lie = manifest(helm_config, &[(chart_layer, &td, n + 1)]);
    s.route(
        &format!("/v2/o/pinned/manifests/{pin}"),
        Reply::Status(
            200,
            vec![("Content-Type".into(), OCI_MANIFEST.into())],
            lie.clone(),
        ),
    );
    let out = run(&[
        "verify",
        &format!("oci://127.0.0.1:{}/o/pinned@{pin}", s.port),
        "--keyring",
        &ring,
        "--no-cache",
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 1, "{}\n{}", stdout(&out), stderr(&out));
    let r = json(&out);
    let c = check(&r, "chart.oci-manifest");
    assert_eq!(c["outcome"], "fail", "{c}");
    assert_eq!(c["expected"], pin.to_string(), "{c}");
    assert_eq!(c["found"], Digest::sha256(&lie).to_string(), "{c}");
    let ids: Vec<&serde_json::Value> = r["reports"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert!(!ids.iter().any(|id| *id == "chart.package"), "{r:#}");
    assert_eq!(s.hits(&format!("/v2/o/pinned/blobs/{td}")), 0);
    // A manifest that is there but not an OCI manifest: a wrong answer (1), named.
    s.route(
        "/v2/o/notjson/manifests/1.0.0",
        Reply::Status(
            200,
            vec![("Content-Type".into(), OCI_MANIFEST.into())],
            b"<html>a login page</html>".to_vec(),
        ),
    );
    let out = run(&[
        "verify",
        &format!("oci://127.0.0.1:{}/o/notjson", s.port),
        "--version",
        "1.0.0",
        "--keyring",
        &ring,
        "--cache-dir",
        cache.path().to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not an OCI manifest or index"),
        "{}",
        stderr(&out)
    );
    // Behind Basic authentication with no credentials for the host: the registry's 401 stops
    // the fetch before any answer came, so the chart could not be fetched (3), not wrong (1).
    s.route(
        "/v2/o/private/manifests/1.0.0",
        Reply::Basic {
            credentials: "dTpw".into(),
            then: Box::new(Reply::Status(
                200,
                vec![("Content-Type".into(), OCI_MANIFEST.into())],
                manifest(helm_config, &[(chart_layer, &td, n)]),
            )),
        },
    );
    let out = crate::common::kakunin()
        .args([
            "verify",
            &format!("oci://127.0.0.1:{}/o/private", s.port),
            "--version",
            "1.0.0",
            "--keyring",
            &ring,
            "--no-cache",
        ])
        .env("DOCKER_CONFIG", dir.path().join("no-docker"))
        .env_remove("HELM_REGISTRY_CONFIG")
        .output()
        .unwrap();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "401 from 127.0.0.1:{} asking for Basic credentials",
            s.port
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn inspect_lists_what_an_oci_chart_and_its_images_carry_and_drafts_a_policy() {
    let Some(reg) = crate::support::registry::Registry::start("chart_sources_inspect") else {
        return;
    };
    let dir = TempDir::new("cs-inspect");
    let (secret, _) = pgp_pair(5);
    let image = reg.push_image("o/app", "v1", "inspect");
    let pinned = format!("{}/o/app@{}", reg.host(), image.digest);
    let tgz_path = package(dir.path(), "1.0.0", &[&pinned], Some(&secret));
    let tgz = std::fs::read(&tgz_path).unwrap();
    let mut prov_path = tgz_path.into_os_string();
    prov_path.push(".prov");
    let prov = std::fs::read(prov_path).unwrap();
    let manifest = push_chart(&reg, "o/charts/demo", &tgz, Some(&prov));
    let (key, _) = cosign_key(dir.path(), "k");
    sign_keyed(&reg, "o/charts/demo", &manifest, &key);
    let cache = TempDir::new("cs-inspect-cache");
    let reference = format!("oci://{}/o/charts/demo", reg.host());
    let out = run(&[
        "inspect",
        &reference,
        "--version",
        "1.0.0",
        "--cache-dir",
        cache.path().to_str().unwrap(),
        "-o",
        "json",
    ]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    let r: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(r["source"]["manifest_digest"], manifest);
    assert!(r["prov"].as_str().unwrap().starts_with("present"), "{r}");
    // The keyed signature is found but cannot be verified without its key.
    let found = r["chart"]["found"].as_array().unwrap();
    assert!(
        found
            .iter()
            .any(|f| f["verified"] == false && f["source"].as_str().unwrap().contains(".sig")),
        "{r}"
    );
    // The image carries nothing: the draft lists it as unverified, never silently.
    assert_eq!(r["images"][0]["found"].as_array().unwrap().len(), 0, "{r}");
    let draft = r["policy_draft"].as_str().unwrap();
    assert!(draft.contains("prov_keyring: keyring.asc"), "{draft}");
    assert!(draft.contains("key: cosign.pub"), "{draft}");
    assert!(
        draft.contains(&format!("- {}/o/app", reg.host())),
        "{draft}"
    );
    // Not a chart reference: a usage error.
    let out = run(&["inspect", "gomenhashai@1.3.2"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
}
