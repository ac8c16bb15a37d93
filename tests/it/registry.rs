//! The registry client against Debian's docker-registry (distribution 2.8: no referrers API,
//! so the fallback tag is exercised for real) and in-test handlers for what 2.8 lacks (the
//! OCI 1.1 referrers API with paging, ghcr.io's bearer-token flow) and for lying registries.

use std::collections::BTreeMap;

use crate::support::block_on;
use kakunin::digest::Digest;
use kakunin::fetch::{FetchError, FetchOptions, Fetcher};
use kakunin::registry::{BUNDLE_V03_MEDIA_TYPE, ReferrersVia, RegistryClient, Repo};

use crate::common::TempDir;
use crate::fetch::test_http;
use crate::support::http::{Reply, Server};
use crate::support::registry::{OCI_MANIFEST, Registry};

fn client(cache: &TempDir, host: &str, base: &str) -> RegistryClient {
    let f = Fetcher::new(FetchOptions {
        http: test_http(),
        cache_dir: Some(cache.path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap();
    let mut mirrors = BTreeMap::new();
    mirrors.insert(host.to_string(), base.to_string());
    RegistryClient::new(f, mirrors).with_credentials(Default::default())
}

fn repo(name: &str) -> Repo {
    Repo {
        registry: "ghcr.io".into(),
        repository: name.into(),
    }
}

#[test]
fn docker_registry_tags_indexes_fallback_referrers_and_cosign_tags() {
    let Some(reg) = Registry::start("docker_registry_tags_indexes_fallback_referrers") else {
        return;
    };
    let name = "gomenhashai/gomenhashai";
    let v1 = reg.push_image(name, "v1.0.0", "one");
    let amd = reg.push_image(name, "amd64-tmp", "two-amd64");
    let arm = reg.push_image(name, "arm64-tmp", "two-arm64");
    let v2 = reg.push_index(
        name,
        "v2.0.0",
        &[(&amd, "linux", "amd64"), (&arm, "linux", "arm64")],
    );
    let bundle = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","pretend":true}"#;
    let artifact = reg.attach_bundle(name, &v1, bundle);
    // Something else attached too (an SBOM), which the artifactType filter must drop.
    let sbom = reg.push_blob(name, b"sbom");
    let empty = reg.push_blob(name, b"{}");
    let sbom_manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"application/spdx+json","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{empty}","size":2}},"layers":[{{"mediaType":"application/spdx+json","digest":"{sbom}","size":4}}]}}"#
    );
    let sd = Digest::sha256(sbom_manifest.as_bytes()).to_string();
    reg.push_manifest(name, &sd, OCI_MANIFEST, sbom_manifest.as_bytes());
    reg.add_to_fallback_index(
        name,
        &v1.digest,
        format!(
            r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{sd}","size":{},"artifactType":"application/spdx+json"}}"#,
            sbom_manifest.len()
        ),
    );

    let cache = TempDir::new("registry-cache");
    let c = client(&cache, "ghcr.io", &reg.base());
    let r = repo(name);
    block_on(async {
        let m = c.manifest_by_tag(&r, "v1.0.0").await.unwrap();
        assert_eq!(m.digest().to_string(), v1.digest);
        assert!(!m.is_index());

        let idx = c.manifest_by_tag(&r, "v2.0.0").await.unwrap();
        assert_eq!(idx.digest().to_string(), v2.digest);
        assert!(idx.is_index());
        let platforms = c.platform_manifests(&r, &idx).await.unwrap();
        let found: Vec<(String, String)> = platforms
            .iter()
            .map(|(d, m)| {
                (
                    d.platform.as_ref().unwrap().architecture.clone(),
                    m.digest().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                ("amd64".to_string(), amd.digest.clone()),
                ("arm64".to_string(), arm.digest.clone())
            ]
        );

        let subject: Digest = v1.digest.parse().unwrap();
        let (refs, bundles) = c.attached_bundles(&r, &subject).await.unwrap();
        assert_eq!(
            refs.via,
            ReferrersVia::FallbackTag,
            "distribution 2.8 has no referrers API"
        );
        assert_eq!(refs.descriptors.len(), 1);
        assert_eq!(bundles.len(), 1);
        assert_eq!(bundles[0].manifest.digest().to_string(), artifact);
        assert_eq!(bundles[0].bundle.bytes, bundle);

        let none: Digest = amd.digest.parse().unwrap();
        let (refs, bundles) = c.attached_bundles(&r, &none).await.unwrap();
        assert_eq!(refs.via, ReferrersVia::None);
        assert!(bundles.is_empty());

        let (tags, _) = c.tags(&r).await.unwrap();
        for t in ["v1.0.0", "v2.0.0", &format!("sha256-{}", subject.hex())] {
            assert!(tags.iter().any(|x| x == t), "{t} in {tags:?}");
        }
        assert!(c.tags(&repo("no/such")).await.unwrap_err().is_not_found());
    });

    // cosign's older layout: a `.sig` tag whose layers carry the signature annotations.
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"ghcr.io/{name}"}},"image":{{"docker-manifest-digest":"{}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        v1.digest
    );
    let pd = reg.push_blob(name, payload.as_bytes());
    let cd = reg.push_blob(name, b"{}");
    let sig_manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{cd}","size":2}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"{pd}","size":{},"annotations":{{"dev.cosignproject.cosign/signature":"MEUCIQ==","dev.sigstore.cosign/certificate":"-----BEGIN CERTIFICATE-----\nMII=\n-----END CERTIFICATE-----\n","dev.sigstore.cosign/chain":"chain-pem","dev.sigstore.cosign/bundle":"{{\"SignedEntryTimestamp\":\"x\"}}"}}}}]}}"#,
        payload.len()
    );
    let subject: Digest = v1.digest.parse().unwrap();
    reg.push_manifest(
        name,
        &format!("sha256-{}.sig", subject.hex()),
        OCI_MANIFEST,
        sig_manifest.as_bytes(),
    );
    block_on(async {
        let sig = c
            .cosign_tag(&r, &subject, "sig")
            .await
            .unwrap()
            .expect("a .sig tag");
        assert_eq!(sig.layers.len(), 1);
        let l = &sig.layers[0];
        assert_eq!(l.payload.bytes, payload.as_bytes());
        assert_eq!(l.signature.as_deref(), Some("MEUCIQ=="));
        assert!(
            l.certificate
                .as_deref()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        assert_eq!(l.chain.as_deref(), Some("chain-pem"));
        assert!(
            l.rekor_bundle
                .as_deref()
                .unwrap()
                .contains("SignedEntryTimestamp")
        );
        assert!(c.cosign_tag(&r, &subject, "att").await.unwrap().is_none());
    });
}

#[test]
fn a_helm_chart_pushed_to_an_oci_registry_is_fetched() {
    let Some(reg) = Registry::start("a_helm_chart_pushed_to_an_oci_registry") else {
        return;
    };
    use kakunin::registry::{
        HELM_CHART_MEDIA_TYPE, HELM_CONFIG_MEDIA_TYPE, HELM_PROV_MEDIA_TYPE, parse_oci_chart,
    };
    let name = "o/charts/demo";
    let tgz = crate::chart::raw_tgz([(
        "demo/Chart.yaml".to_string(),
        b"apiVersion: v2\nname: demo\nversion: 1.0.0+build.1\n".to_vec(),
    )]);
    let prov = b"-----BEGIN PGP SIGNED MESSAGE-----\n(pretend)\n".to_vec();
    let config = br#"{"name":"demo","version":"1.0.0+build.1"}"#;
    let cd = reg.push_blob(name, config);
    let td = reg.push_blob(name, &tgz);
    let pd = reg.push_blob(name, &prov);
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"{HELM_CONFIG_MEDIA_TYPE}","digest":"{cd}","size":{}}},"layers":[{{"mediaType":"{HELM_CHART_MEDIA_TYPE}","digest":"{td}","size":{}}},{{"mediaType":"{HELM_PROV_MEDIA_TYPE}","digest":"{pd}","size":{}}}]}}"#,
        config.len(),
        tgz.len(),
        prov.len()
    );
    reg.push_manifest(name, "1.0.0_build.1", OCI_MANIFEST, manifest.as_bytes());
    reg.push_image(name, "not-a-chart", "img");

    let r = parse_oci_chart(&format!("oci://{}/{name}", reg.host())).unwrap();
    let cache = TempDir::new("helm-oci");
    let c = client(&cache, &reg.host(), &reg.base());
    let chart = block_on(c.helm_chart(&r, "1.0.0+build.1")).unwrap();
    assert_eq!(chart.package.bytes, tgz);
    assert_eq!(chart.prov.unwrap().bytes, prov);
    let pkg = kakunin::chart::ChartPackage::read(&chart.package.bytes).unwrap();
    assert_eq!(pkg.metadata.version, "1.0.0+build.1");
    let err = block_on(c.helm_chart(&r, "not-a-chart")).unwrap_err();
    assert!(
        err.to_string().contains(&format!(
            "is not a Helm chart: expected config media type {HELM_CONFIG_MEDIA_TYPE}, found application/vnd.oci.image.config.v1+json"
        )),
        "{err}"
    );
}

#[test]
fn the_referrers_api_is_paged_refiltered_and_behind_a_bearer_token() {
    let s = Server::start();
    let subject = Digest::sha256(b"the image manifest");
    let bundle = br#"{"pretend":"bundle"}"#.to_vec();
    let bd = Digest::sha256(&bundle);
    let artifact = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","artifactType":"{BUNDLE_V03_MEDIA_TYPE}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{}","size":2}},"layers":[{{"mediaType":"{BUNDLE_V03_MEDIA_TYPE}","digest":"{bd}","size":{}}}],"subject":{{"mediaType":"{OCI_MANIFEST}","digest":"{subject}","size":18}}}}"#,
        Digest::sha256(b"{}"),
        bundle.len()
    );
    let ad = Digest::sha256(artifact.as_bytes());
    let other = Digest::sha256(b"other");
    let desc = |d: &Digest, t: &str| {
        format!(r#"{{"mediaType":"{OCI_MANIFEST}","digest":"{d}","size":1,"artifactType":"{t}"}}"#)
    };
    let page1 = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{},{}]}}"#,
        desc(&other, "application/spdx+json"),
        desc(&ad, BUNDLE_V03_MEDIA_TYPE)
    );
    let page2 = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        desc(&ad, BUNDLE_V03_MEDIA_TYPE)
    );
    let guarded = |r: Reply| Reply::Bearer {
        token: "t0k".into(),
        realm: s.url("/token"),
        service: "test-registry".into(),
        then: Box::new(r),
    };
    s.route(
        &format!("/v2/o/app/referrers/{subject}"),
        guarded(Reply::Status(
            200,
            vec![
                (
                    "Content-Type".into(),
                    "application/vnd.oci.image.index.v1+json".into(),
                ),
                (
                    "Link".into(),
                    r#"</v2/o/app/referrers-page2>; rel="next""#.into(),
                ),
            ],
            page1.into_bytes(),
        )),
    );
    s.route(
        "/v2/o/app/referrers-page2",
        guarded(Reply::Ok(
            page2.into_bytes(),
            "application/vnd.oci.image.index.v1+json",
        )),
    );
    s.route(
        &format!("/v2/o/app/manifests/{ad}"),
        guarded(Reply::Ok(artifact.clone().into_bytes(), OCI_MANIFEST)),
    );
    s.route(
        &format!("/v2/o/app/blobs/{bd}"),
        guarded(Reply::Ok(bundle.clone(), "application/json")),
    );
    s.route(
        "/token",
        Reply::Ok(br#"{"token":"t0k"}"#.to_vec(), "application/json"),
    );

    let cache = TempDir::new("referrers-cache");
    let c = client(&cache, "ghcr.io", &s.url(""));
    let (refs, bundles) = block_on(c.attached_bundles(&repo("o/app"), &subject)).unwrap();
    assert_eq!(refs.via, ReferrersVia::Api);
    assert_eq!(refs.sources.len(), 2, "two pages");
    assert_eq!(
        refs.descriptors.len(),
        2,
        "the spdx referrer is filtered out"
    );
    assert_eq!(bundles[0].bundle.bytes, bundle);
    let seen = s.seen();
    let token_req = seen
        .iter()
        .find(|r| r.path.starts_with("/token"))
        .expect("token asked for");
    assert!(
        token_req.path.contains("service=test-registry")
            && token_req.path.contains("scope=repository%3Ao%2Fapp%3Apull"),
        "{}",
        token_req.path
    );
    assert_eq!(
        seen.iter().filter(|r| r.path.starts_with("/token")).count(),
        1,
        "the token is reused"
    );

    // Offline, what is not in the cache is unknown, never "no referrers".
    let off = Fetcher::new(FetchOptions {
        http: test_http(),
        cache_dir: Some(TempDir::new("referrers-offline").path().to_path_buf()),
        offline: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let mut mirrors = BTreeMap::new();
    mirrors.insert("ghcr.io".to_string(), s.url(""));
    let c_off = RegistryClient::new(off, mirrors).with_credentials(Default::default());
    let err = block_on(c_off.attached_bundles(&repo("o/app"), &subject)).unwrap_err();
    assert!(matches!(err, FetchError::Offline { .. }), "{err}");
    assert!(
        err.to_string()
            .contains(&format!("sha256-{}", subject.hex())),
        "{err}"
    );

    // Without a token endpoint that answers, the error names the registry's refusal.
    s.route("/token", Reply::Status(403, vec![], b"denied".to_vec()));
    let c = client(&TempDir::new("referrers-cache2"), "ghcr.io", &s.url(""));
    let err = block_on(c.attached_bundles(&repo("o/app"), &subject)).unwrap_err();
    assert!(
        err.to_string().starts_with("HTTP 403 from") && err.to_string().contains("/token?"),
        "{err}"
    );
}

/// A registry whose referrers API answered 404 has none: the API is asked once per registry
/// and run (the first query alone, the others waiting on its answer), the answers name the
/// repository whose 404 said so, and another registry (with the API) is still asked each time.
#[test]
fn a_referrers_api_that_answered_404_is_asked_once_per_registry() {
    let without = Server::start();
    let with = Server::start();
    let empty = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"#;
    let subjects: Vec<Digest> = (0..6)
        .map(|i| Digest::sha256(format!("image {i}").as_bytes()))
        .collect();
    for d in &subjects {
        with.route(
            &format!("/v2/o/b/referrers/{d}"),
            Reply::Ok(empty.to_vec(), "application/vnd.oci.image.index.v1+json"),
        );
    }
    let f = Fetcher::new(FetchOptions {
        http: test_http(),
        cache_dir: Some(TempDir::new("referrers-memo").path().to_path_buf()),
        ..FetchOptions::default()
    })
    .unwrap();
    let mut mirrors = BTreeMap::new();
    mirrors.insert("ghcr.io".to_string(), without.url(""));
    mirrors.insert("quay.io".to_string(), with.url(""));
    let c = RegistryClient::new(f, mirrors).with_credentials(Default::default());
    let at = |registry: &str, repository: &str| Repo {
        registry: registry.into(),
        repository: repository.into(),
    };
    // Six images in three repositories of the registry without the API, asked at once.
    let answers = block_on(futures_util::future::join_all(
        subjects.iter().enumerate().map(|(i, d)| {
            let r = at("ghcr.io", ["o/a", "o/c", "o/d"][i % 3]);
            let c = &c;
            async move { c.referrers(&r, d, BUNDLE_V03_MEDIA_TYPE).await.unwrap() }
        }),
    ));
    let api_asked: Vec<String> = without
        .seen()
        .into_iter()
        .map(|s| s.path)
        .filter(|p| p.contains("/referrers/"))
        .collect();
    assert_eq!(
        api_asked.len(),
        1,
        "the referrers API asked once: {api_asked:?}"
    );
    let first = api_asked[0].split('/').nth(3).map(|r| format!("o/{r}"));
    let fallback = without
        .seen()
        .iter()
        .filter(|s| s.path.contains("/manifests/sha256-"))
        .count();
    assert_eq!(fallback, 6, "each image's fallback tag still asked");
    let mut remembered = 0;
    for a in &answers {
        assert_eq!(a.via, ReferrersVia::None, "no API, no fallback tag");
        match &a.api_absent_since {
            Some(r) => {
                assert_eq!(Some(r), first.as_ref(), "{a:?}");
                remembered += 1;
            }
            None => assert!(a.sources.is_empty()),
        }
    }
    assert_eq!(remembered, 5, "five answers name the 404 they follow");

    // The registry with the API is asked for each image, in this run as well.
    for d in &subjects[..3] {
        let r = block_on(c.referrers(&at("quay.io", "o/b"), d, BUNDLE_V03_MEDIA_TYPE)).unwrap();
        assert_eq!(r.via, ReferrersVia::Api);
        assert!(r.api_absent_since.is_none());
    }
    let asked = with
        .seen()
        .iter()
        .filter(|s| s.path.contains("/referrers/"))
        .count();
    assert_eq!(asked, 3, "a registry with the API is asked every time");
}

#[test]
fn a_registry_serving_a_manifest_that_does_not_match_its_digest_is_caught() {
    let s = Server::start();
    let asked = Digest::sha256(b"what was pinned");
    let served = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
    s.route(
        &format!("/v2/o/app/manifests/{asked}"),
        Reply::Ok(served.to_vec(), OCI_MANIFEST),
    );
    s.route(
        "/v2/o/app/manifests/v1.0.0",
        Reply::Status(
            200,
            vec![
                ("Content-Type".into(), OCI_MANIFEST.into()),
                ("Docker-Content-Digest".into(), asked.to_string()),
            ],
            served.to_vec(),
        ),
    );
    let cache = TempDir::new("lying-registry");
    let c = client(&cache, "ghcr.io", &s.url(""));
    let err = block_on(c.manifest_by_digest(&repo("o/app"), &asked)).unwrap_err();
    assert!(matches!(err, FetchError::Digest { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "manifest: expected digest {asked}, found {} ({})",
            Digest::sha256(served),
            s.url(&format!("/v2/o/app/manifests/{asked}"))
        )
    );
    let err = block_on(c.manifest_by_tag(&repo("o/app"), "v1.0.0")).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "manifest (Docker-Content-Digest): expected digest {asked}, found {}",
            Digest::sha256(served)
        )),
        "{err}"
    );
}

#[test]
fn docker_config_credentials_answer_basic_challenges_and_token_endpoints() {
    use std::collections::HashMap;
    let creds = "dTpw".to_string(); // base64("u:p")
    let s = Server::start();
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
    // A registry that wants Basic credentials directly.
    s.route(
        "/v2/basic/app/manifests/v1",
        Reply::Basic {
            credentials: creds.clone(),
            then: Box::new(Reply::Ok(manifest.to_vec(), OCI_MANIFEST)),
        },
    );
    // A registry whose token endpoint (on the same host) wants them (private repositories on
    // ghcr.io).
    s.route(
        "/v2/bearer/app/manifests/v1",
        Reply::Bearer {
            token: "private".into(),
            realm: s.url("/token"),
            service: "test".into(),
            then: Box::new(Reply::Ok(manifest.to_vec(), OCI_MANIFEST)),
        },
    );
    s.route(
        "/token",
        Reply::Basic {
            credentials: creds.clone(),
            then: Box::new(Reply::Ok(
                br#"{"access_token":"private"}"#.to_vec(),
                "application/json",
            )),
        },
    );
    let host = format!("127.0.0.1:{}", s.port);
    let with = |c: HashMap<String, String>| {
        let cache = TempDir::new("registry-creds");
        client(&cache, "ghcr.io", &s.url("")).with_credentials(c)
    };
    // Stored for the host contacted (the loopback registry itself): used.
    let mine = HashMap::from([(host.clone(), creds.clone())]);
    for path in ["basic/app", "bearer/app"] {
        let m = block_on(with(mine.clone()).manifest_by_tag(&repo(path), "v1")).unwrap();
        assert_eq!(m.blob.bytes, manifest);
    }
    let err = block_on(with(HashMap::new()).manifest_by_tag(&repo("basic/app"), "v1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "registry ghcr.io: 401 from {host} asking for Basic credentials, and the Docker config \
             has none for {host} (credentials go only to the exact host they are stored for)"
        )
    );
    let err =
        block_on(with(HashMap::new()).manifest_by_tag(&repo("bearer/app"), "v1")).unwrap_err();
    assert!(
        err.to_string().starts_with("HTTP 401 from ") && err.to_string().contains("/token?"),
        "{err}"
    );
    // Credentials parsed from a Docker config file.
    let parsed = kakunin::registry::parse_docker_config(
        br#"{"auths":{"https://ghcr.io":{"username":"u","password":"p"}}}"#,
    );
    assert_eq!(parsed["ghcr.io"], creds);
}

/// Defect 6 of issue 10: the credentials of `ghcr.io` never go to a mirror the profile maps
/// `ghcr.io` to, and a token realm on another host gets only what is stored for that host.
#[test]
fn credentials_go_only_to_the_exact_host_they_are_stored_for() {
    use std::collections::HashMap;
    let ghcr = "Z2hjcjpzZWNyZXQ=".to_string(); // base64("ghcr:secret")
    let theirs = "dGhlbTpwdw==".to_string(); // base64("them:pw")
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
    let mirror = Server::start();
    mirror.route(
        "/v2/o/app/manifests/v1",
        Reply::Basic {
            credentials: ghcr.clone(),
            then: Box::new(Reply::Ok(manifest.to_vec(), OCI_MANIFEST)),
        },
    );
    let c = client(&TempDir::new("creds-mirror"), "ghcr.io", &mirror.url(""))
        .with_credentials(HashMap::from([("ghcr.io".to_string(), ghcr.clone())]));
    let err = block_on(c.manifest_by_tag(&repo("o/app"), "v1")).unwrap_err();
    let host = format!("127.0.0.1:{}", mirror.port);
    assert_eq!(
        err.to_string(),
        format!(
            "registry ghcr.io: 401 from {host} asking for Basic credentials, and the Docker config \
             has none for {host} (credentials go only to the exact host they are stored for)"
        )
    );
    let sent: Vec<_> = mirror
        .seen()
        .into_iter()
        .flat_map(|r| r.headers)
        .filter(|(k, _)| k == "authorization")
        .collect();
    assert!(sent.is_empty(), "the mirror received {sent:?}");

    // A registry whose token realm is on another host (another port of loopback).
    let realm = Server::start();
    let registry = Server::start();
    registry.route(
        "/v2/o/app/manifests/v1",
        Reply::Bearer {
            token: "tok".into(),
            realm: realm.url("/token"),
            service: "svc".into(),
            then: Box::new(Reply::Ok(manifest.to_vec(), OCI_MANIFEST)),
        },
    );
    realm.route(
        "/token",
        Reply::Basic {
            credentials: theirs.clone(),
            then: Box::new(Reply::Ok(
                br#"{"token":"tok"}"#.to_vec(),
                "application/json",
            )),
        },
    );
    let registry_host = format!("127.0.0.1:{}", registry.port);
    let realm_host = format!("127.0.0.1:{}", realm.port);
    let realm_auth = |realm: &Server| -> Vec<String> {
        realm
            .seen()
            .into_iter()
            .flat_map(|r| r.headers)
            .filter(|(k, _)| k == "authorization")
            .map(|(_, v)| v)
            .collect()
    };
    // Only the registry's host is in the Docker config: the realm is asked anonymously.
    let c = client(&TempDir::new("creds-realm"), "ghcr.io", &registry.url(""))
        .with_credentials(HashMap::from([(registry_host.clone(), ghcr.clone())]));
    let err = block_on(c.manifest_by_tag(&repo("o/app"), "v1")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("HTTP 401 from http://{realm_host}/token?")),
        "{err}"
    );
    assert!(realm_auth(&realm).is_empty(), "{:?}", realm_auth(&realm));
    // The user's Docker config names the realm's host too: it gets its own entry, only.
    let c = client(&TempDir::new("creds-realm2"), "ghcr.io", &registry.url("")).with_credentials(
        HashMap::from([
            (registry_host.clone(), ghcr.clone()),
            (realm_host.clone(), theirs.clone()),
        ]),
    );
    let m = block_on(c.manifest_by_tag(&repo("o/app"), "v1")).unwrap();
    assert_eq!(m.blob.bytes, manifest);
    assert_eq!(realm_auth(&realm), [format!("Basic {theirs}")]);
}

/// Defect 5 of issue 10, registry side: a token realm or a `Link` to the next page is a URL
/// from data, refused before any I/O unless https or allowed http.
#[test]
fn a_token_realm_or_next_page_that_is_not_https_is_refused() {
    let s = Server::start();
    let manifest = br#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","layers":[]}"#;
    s.route(
        "/v2/o/app/manifests/v1",
        Reply::Bearer {
            token: "t".into(),
            realm: "file:///etc/passwd".into(),
            service: "svc".into(),
            then: Box::new(Reply::Ok(manifest.to_vec(), OCI_MANIFEST)),
        },
    );
    s.route(
        "/v2/o/app/tags/list",
        Reply::Status(
            200,
            vec![("Link".into(), r#"<file:///etc/passwd>; rel="next""#.into())],
            br#"{"tags":["v1"]}"#.to_vec(),
        ),
    );
    let c = client(&TempDir::new("realm-file"), "ghcr.io", &s.url(""));
    let err = block_on(c.manifest_by_tag(&repo("o/app"), "v1")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "registry ghcr.io: token realm: refusing file:///etc/passwd: expected an https URL (or \
         http to loopback or an allowed host), found \"file\""
    );
    let err = block_on(c.tags(&repo("o/app"))).unwrap_err();
    assert!(matches!(err, FetchError::Scheme { .. }), "{err}");
    assert!(
        err.to_string().contains("refusing file:///etc/passwd"),
        "{err}"
    );
}
