use super::*;

/// The built-in profile as a raw document, to edit into another one.
fn raw() -> RawProfile {
    Profile::gomenhashai().to_raw()
}

#[test]
fn one_run_names_every_missing_required_field() {
    let e = Profile::parse(
        b"chart: mychart\nrequire:\n  prov: false\n",
        Path::new("p.yaml"),
    )
    .unwrap_err();
    let ProfileError::Missing { missing, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(missing.as_slice(), &REQUIRED_FIELDS[1..]);
    assert!(e.to_string().contains(
        "required fields are missing: helm_repository, github.repository, github.image_assets.bundle"
    ), "{e}");
    let e = Profile::parse(
        b"chart: c\nhelm_repository: https://x/\ngithub: {repository: o/r, image_assets: {bundle: b, envelope: e}}\nimage: {repositories: [ghcr.io/o/r]}\nsigners: {repositories: [o/r], chart_identity: x}\n",
        Path::new("p.yaml"),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "profile p.yaml: required field is missing: signers.image_identity"
    );
}

#[test]
fn builtin_gomenhashai_names_both_owners() {
    let p = Profile::builtin("gomenhashai").unwrap();
    assert_eq!(Profile::try_from(p.to_raw()).unwrap(), p);
    assert_eq!(
        p.chart_identities(),
        [
            "https://github.com/GomenHashai/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main",
            "https://github.com/MarcAntoineRaymond/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main",
        ]
    );
    assert_eq!(
        p.image_identities("v1.3.1")[0],
        "https://github.com/GomenHashai/GomenHashai/.github/workflows/docker-release.yaml@refs/tags/v1.3.1"
    );
    assert_eq!(p.chart_release_tag("1.3.2"), "gomenhashai-1.3.2");
    assert_eq!(p.image_release_tag("v1.3.1"), "v1.3.1");
    assert_eq!(
        p.asset_url("gomenhashai-1.3.2", &p.chart_asset_names("1.3.2").package),
        "https://github.com/GomenHashai/GomenHashai/releases/download/gomenhashai-1.3.2/gomenhashai-1.3.2.tgz"
    );
    assert_eq!(
        p.image_asset_names("v1.3.1").bundle,
        "GomenHashai-v1.3.1.sigstore"
    );
    assert!(p.is_project_image("ghcr.io/marcantoineraymond/gomenhashai"));
    assert!(p.is_project_image("ghcr.io/gomenhashai/gomenhashai"));
    assert!(!p.is_project_image("ghcr.io/marcantoineRaymond/gomenhashai"));
    assert_eq!(p.registry_url("ghcr.io"), "https://ghcr.io");
    assert_eq!(p.root_choice(), RootChoice::Embedded("public-good".into()));
    assert!(Profile::builtin("nginx").is_err());
}

#[test]
fn yaml_round_trips_and_rejects_unknown_fields() {
    let p = Profile::gomenhashai();
    let yaml = p.to_yaml();
    let back = Profile::parse(yaml.as_bytes(), Path::new("p.yaml")).unwrap();
    assert_eq!(back, p);
    let typo = yaml.replace("allow_prerelease", "allow_prereleases");
    let e = Profile::parse(typo.as_bytes(), Path::new("p.yaml")).unwrap_err();
    assert!(e.to_string().contains("allow_prereleases"), "{e}");
}

/// What the built-in policy document's release section says is what a profile prints: the
/// printed form goes through the raw model, field for field.
#[test]
fn yaml_is_the_embedded_document() {
    let doc = include_str!("../policy/gomenhashai.yaml");
    let release = doc.split_once("release:\n").unwrap().1;
    let unindented: String = release
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();
    assert_eq!(Profile::gomenhashai().to_yaml(), unindented);
}

#[test]
fn validation_names_field_expected_and_found() {
    let check = |raw: RawProfile| {
        Profile::from_raw(raw, Path::new("p.yaml"), &as_written)
            .unwrap_err()
            .to_string()
    };
    let mut p = raw();
    p.signers.image_identity = "https://github.com/{owner}/x@refs/tags/{tag}".into();
    let e = check(p);
    assert!(
        e.contains("signers.image_identity") && e.contains("{owner}"),
        "{e}"
    );
    let mut p = raw();
    p.image.repositories = vec!["ghcr.io/marcantoineRaymond/gomenhashai".into()];
    let e = check(p);
    assert!(
        e.contains("lower case") && e.contains("marcantoineRaymond"),
        "{e}"
    );
    let mut p = raw();
    p.require.prov = true;
    let e = check(p);
    assert!(e.contains("prov_keyring"), "{e}");
    let mut p = raw();
    p.github.base_url = "ftp://x".into();
    assert_eq!(
        check(p),
        "profile p.yaml: github.base_url: expected an http(s) URL, found \"ftp://x\""
    );
}

/// The first problem in the documented order is the error: a template before the image,
/// the image before the signers, the signers before the requirements.
#[test]
fn the_first_problem_in_order_is_the_error() {
    let mut p = raw();
    p.require.prov = true;
    p.signers.issuer = "not a url".into();
    p.image.repositories.clear();
    p.signers.chart_identity = String::new();
    let field_of = |p: &RawProfile| match Profile::try_from(p.clone()) {
        Err(ProfileError::Invalid { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field_of(&p), "signers.chart_identity");
    p.signers.chart_identity = "x/{repository}".into();
    assert_eq!(field_of(&p), "image.repositories");
    p.image.repositories = vec!["ghcr.io/a/b".into()];
    assert_eq!(field_of(&p), "signers.issuer");
    p.signers.issuer = GITHUB_ACTIONS_ISSUER.into();
    assert_eq!(field_of(&p), "require.prov_keyring");
}

#[test]
fn files_are_resolved_in_the_conversion() {
    let mut p = raw();
    p.require.prov = true;
    p.require.prov_keyring = Some("keys/charts.asc".into());
    p.signers.trusted_root = "root.json".into();
    let dir = Path::new("/etc/kakunin");
    let built = Profile::from_raw(p.clone(), Path::new("p.yaml"), &|_, f| {
        Ok::<_, ProfileError>(dir.join(f))
    })
    .unwrap();
    assert_eq!(
        built.require().prov_keyring(),
        Some(Path::new("/etc/kakunin/keys/charts.asc"))
    );
    assert_eq!(
        built.root_choice(),
        RootChoice::File("/etc/kakunin/root.json".into())
    );
    let refused = Profile::from_raw(p, Path::new("p.yaml"), &|field, f| {
        Err::<PathBuf, _>(Refused::File(format!("{field}: {}", f.display())))
    })
    .unwrap_err();
    assert_eq!(
        refused,
        Refused::File("require.prov_keyring: keys/charts.asc".into())
    );
}

/// An error of a caller that refuses files (as an embedded policy does).
#[derive(Debug, PartialEq)]
enum Refused {
    File(String),
    Profile(String),
}

impl From<ProfileError> for Refused {
    fn from(e: ProfileError) -> Refused {
        Refused::Profile(e.to_string())
    }
}

#[test]
fn with_prov_keyring_is_a_new_profile() {
    let p = Profile::gomenhashai();
    let q = p.with_prov_keyring("k.asc".into()).unwrap();
    assert!(!p.require().prov() && p.require().prov_keyring().is_none());
    assert!(q.require().prov());
    assert_eq!(q.require().prov_keyring(), Some(Path::new("k.asc")));
}

#[test]
fn image_repositories_follow_oci_rules() {
    let ok = |s: &str| ImageRepository::new(s).is_ok();
    assert!(ok("ghcr.io/gomenhashai/gomenhashai"));
    assert!(ok("127.0.0.1:5000/a/b"));
    assert!(!ok("gomenhashai"));
    assert!(!ok("ghcr.io//x"));
    let e = ImageRepository::new("ghcr.io/marcantoineRaymond/gomenhashai").unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected registry/path in lower case (an OCI repository), found \"ghcr.io/marcantoineRaymond/gomenhashai\""
    );
}

#[test]
fn templates_reject_placeholders_they_may_not_use() {
    let t = Template::new("{chart}-{version}.tgz", Placeholders::CHART_NAME).unwrap();
    let vars = Vars {
        chart: "c",
        version: "1.0.0",
        ..Vars::default()
    };
    assert_eq!(t.render(&vars), "c-1.0.0.tgz");
    assert!(t.uses("version") && !t.uses("tag"));
    let e = Template::new("{chart}-{tag}.tgz", Placeholders::CHART_NAME).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected a non-empty name using only {chart} {version}, found \"{chart}-{tag}.tgz\""
    );
    let e = Template::new("", Placeholders::IMAGE_NAME).unwrap_err();
    assert_eq!(e.found, "");
    let e = Template::new("x/{repository", Placeholders::CHART_IDENTITY).unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected an identity using only {repository}, found \"x/{repository\""
    );
}

#[test]
fn owner_repo_and_urls_reject_what_they_are_not() {
    assert_eq!(OwnerRepo::new("o/r.x").unwrap().as_str(), "o/r.x");
    for bad in ["o", "o/r/x", "/r", "o r/x"] {
        let e = OwnerRepo::new(bad).unwrap_err();
        assert_eq!(e.to_string(), format!("expected owner/repo, found {bad:?}"));
    }
    assert_eq!(
        HttpUrl::new("https://github.com").unwrap().as_str(),
        "https://github.com"
    );
    for bad in ["ftp://x", "github.com", "https://", "file:///x"] {
        let e = HttpUrl::new(bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("expected an http(s) URL, found {bad:?}")
        );
    }
    assert!(HelmRepository::new("charts/index.yaml").is_ok());
    let e = HelmRepository::new("charts/").unwrap_err();
    assert_eq!(
        e.to_string(),
        "expected an http(s) URL or a path to an index.yaml, found \"charts/\""
    );
}

/// The docs' two examples parse: the built-in one exactly, the short one with defaults.
#[test]
fn docs_profile_examples_parse() {
    let doc = include_str!("../../../../docs/profile.md");
    let blocks: Vec<&str> = doc
        .split("```yaml\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .collect();
    assert_eq!(blocks.len(), 2);
    let builtin = Profile::parse(blocks[0].as_bytes(), Path::new("docs/profile.md")).unwrap();
    assert_eq!(builtin, Profile::gomenhashai());
    let own = Profile::parse(blocks[1].as_bytes(), Path::new("docs/profile.md")).unwrap();
    assert_eq!(own.github_base_url().as_str(), "https://github.com");
    assert_eq!(
        own.chart_asset_names("1.0.0").bundle,
        "mychart-1.0.0.sigstore"
    );
    assert!(own.require().prov() && own.require().registry_attestation());
}

/// A key twice in one mapping is refused, in a map (`image.mirrors`) as in a struct, as a
/// policy's release section refuses it: never the last one silently winning.
#[test]
fn a_key_twice_is_refused() {
    let yaml = Profile::gomenhashai().to_yaml();
    let twice = yaml.replace(
        "  mirrors: {}\n",
        "  mirrors:\n    ghcr.io: https://a.example\n    ghcr.io: https://b.example\n",
    );
    let e = Profile::parse(twice.as_bytes(), Path::new("p.yaml")).unwrap_err();
    assert!(
        matches!(e, ProfileError::Parse { .. }) && e.to_string().contains("duplicate"),
        "{e}"
    );
    assert!(e.to_string().contains("ghcr.io"), "{e}");
    let twice = yaml.replace("chart: gomenhashai\n", "chart: gomenhashai\nchart: other\n");
    let e = Profile::parse(twice.as_bytes(), Path::new("p.yaml")).unwrap_err();
    assert!(e.to_string().contains("duplicate"), "{e}");
    let once = yaml.replace(
        "  mirrors: {}\n",
        "  mirrors:\n    ghcr.io: https://a.example\n",
    );
    let p = Profile::parse(once.as_bytes(), Path::new("p.yaml")).unwrap();
    assert_eq!(p.registry_url("ghcr.io"), "https://a.example");
}
