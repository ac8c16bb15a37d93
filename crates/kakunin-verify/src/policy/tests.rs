use super::*;

fn parse(yaml: &str) -> Result<Policy, PolicyError> {
    Policy::parse(yaml.as_bytes(), "p.yaml", None)
}

fn err(yaml: &str) -> String {
    parse(yaml).unwrap_err().to_string()
}

const KEYLESS: &str = "\
chart:
  name: mychart
  signer:
    identity_regexp: ^https://github\\.com/example/mychart/\\.github/workflows/release\\.yaml@refs/tags/v.*$
    issuer: https://token.actions.githubusercontent.com
images:
  - repository: ghcr.io/example/*
    signer:
      github: {repository: example/mychart, workflow: .github/workflows/release.yaml, ref: refs/tags/v*}
    attestations:
      - predicate_type: slsaprovenance1
        slsa: {source_repository: example/mychart}
    tag_is_app_version: true
allow_unverified: [docker.io/library/busybox]
versions:
  moving_tags: [stable-ish]
";

#[test]
fn a_keyless_policy_converts_into_rules() {
    let p = parse(KEYLESS).unwrap();
    assert_eq!(p.chart_name(), Some("mychart"));
    assert!(p.checks_images());
    let Coverage::Rule(rule) = p.coverage("ghcr.io/example/app") else {
        panic!("ghcr.io/example/app is covered by images[0]");
    };
    assert!(rule.tag_is_app_version() && !rule.resolve_by_tag());
    assert_eq!(
        rule.attestations()[0].predicate_type(),
        "https://slsa.dev/provenance/v1"
    );
    let with_claims = rule.attestations()[0].signer().unwrap().bundle_policy();
    let bundle::Policy::Certificate {
        identity, github, ..
    } = with_claims
    else {
        panic!("a certificate signer");
    };
    assert_eq!(github.repository.as_deref(), Some("example/mychart"));
    assert!(identity.matches(
        "https://github.com/Example/MyChart/.github/workflows/release.yaml@refs/tags/v1.2.3"
    ));
    assert!(!identity.matches(
        "https://github.com/example/mychart/.github/workflows/release.yaml@refs/heads/main"
    ));
    assert!(
        !identity.matches(
            "https://github.com/example/mychart/.github/workflows/other.yaml@refs/tags/v1"
        )
    );
    // `*` is one path component: a nested repository is not covered, busybox is allowed.
    assert!(matches!(p.coverage("ghcr.io/example/a/b"), Coverage::None));
    assert!(matches!(
        p.coverage("docker.io/library/busybox"),
        Coverage::Unverified(_)
    ));
    assert!(matches!(p.coverage("quay.io/x/y"), Coverage::None));
    assert!(p.versions().is_moving("latest") && p.versions().is_moving("Stable-Ish"));
    assert!(!p.versions().is_moving("v1.2.3"));
}

#[test]
fn globs_match_components_and_depths() {
    let g = RepositoryGlob::new("ghcr.io/org/**").unwrap();
    assert!(g.matches("ghcr.io/org/a/b/c") && g.matches("ghcr.io/org/a"));
    assert!(!g.matches("ghcr.io/organisation/a"));
    let g = RepositoryGlob::new("ghcr.io/org/app").unwrap();
    assert!(g.matches("ghcr.io/org/app") && !g.matches("ghcr.io/org/app2"));
    let g = RepositoryGlob::new("*.example.com/x").unwrap();
    assert!(g.matches("r.example.com/x") && !g.matches("a/b.example.com/x"));
    for bad in ["", "ghcr.io/(a|b)", "ghcr.io/.+", "ghcr.io/***", "a b"] {
        assert!(RepositoryGlob::new(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn unknown_fields_are_refused_with_their_name() {
    let e = err("chart:\n  name: c\n  signr: {key: k.pub}\n");
    assert!(e.contains("unknown field `signr`"), "{e}");
    let e = err(
        "images:\n  - repository: ghcr.io/x\n    signer: {identity: a, issuer: b}\n    resolve: true\n",
    );
    assert!(e.contains("unknown field `resolve`"), "{e}");
    let e = err("releases: {}\n");
    assert!(e.contains("unknown field `releases`"), "{e}");
}

#[test]
fn duplicate_keys_are_refused_anywhere() {
    let e = err("chart:\n  name: a\n  name: b\n");
    assert!(e.contains("duplicate"), "{e}");
    let e = err("chart: {name: a}\nmirrors:\n  ghcr.io: https://a\n  ghcr.io: https://b\n");
    assert!(e.contains("duplicate"), "{e}");
}

#[test]
fn an_unanchored_regexp_is_refused_with_the_anchored_form() {
    let e = err(
        "chart:\n  name: c\n  signer:\n    identity_regexp: https://github.com/o/.*\n    issuer: https://token.actions.githubusercontent.com\n",
    );
    assert!(
        e.contains("chart.signer.identity_regexp")
            && e.contains("expected an anchored regexp")
            && e.contains("\"^https://github.com/o/.*$\"")
            && e.contains("found \"https://github.com/o/.*\""),
        "{e}"
    );
    let e = err("chart:\n  name: c\n  signer:\n    identity_regexp: ^https://(o$\n    issuer: i\n");
    assert!(e.contains("a valid regexp"), "{e}");
    let e = err("chart:\n  name: c\n  signer:\n    identity: x\n    issuer_regexp: https://.*\n");
    assert!(
        e.contains("issuer_regexp") && e.contains("\"^https://.*$\""),
        "{e}"
    );
}

#[test]
fn signers_take_exactly_one_form_and_an_issuer() {
    let e = err("chart:\n  name: c\n  signer: {identity: a, key: k.pub}\n");
    assert!(
        e.contains("exactly one of identity, identity_regexp, github, key")
            && e.contains("2 of them"),
        "{e}"
    );
    let e = err("chart:\n  name: c\n  signer: {identity: a}\n");
    assert!(
        e.contains("chart.signer.issuer") && e.contains("found none"),
        "{e}"
    );
    // An embedded document (no directory) may not name files.
    let e = err("chart:\n  name: c\n  signer: {key: cosign.pub}\n");
    assert!(
        e.contains("chart.signer.key") && e.contains("cosign.pub"),
        "{e}"
    );
    let e = err("images:\n  - repository: ghcr.io/x\n");
    assert!(
        e.contains("images[0].signer") && e.contains("allow_unverified"),
        "{e}"
    );
    let e = err("chart:\n  name: c\n  signer:\n    github: {repository: o, ref: refs/tags/v1}\n");
    assert!(
        e.contains("chart.signer.github.repository") && e.contains("owner/repo"),
        "{e}"
    );
    let e = err("chart:\n  name: c\n  signer:\n    github: {repository: o/r, ref: v1}\n");
    assert!(e.contains("chart.signer.github.ref"), "{e}");
}

#[test]
fn an_empty_or_vacuous_policy_is_refused() {
    assert!(err("").contains("empty"));
    let e = err("allow_unverified: ['**']\n");
    assert!(e.contains("a policy that requires something"), "{e}");
    assert!(err("- a\n- b\n").contains("invalid type"));
}

#[test]
fn hostile_documents_are_refused_bounded() {
    use std::time::Instant;
    let t = Instant::now();
    // Huge.
    let huge = format!(
        "chart: {{name: c}}\n#{}\n",
        "x".repeat(MAX_POLICY_BYTES as usize)
    );
    assert!(err(&huge).contains("at most"), "huge");
    // Deep flow collections and deep block mappings.
    let deep = format!("chart: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert!(err(&deep).contains("nest deeper"));
    let mut block = String::new();
    for i in 0..2000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    assert!(parse(&block).is_err());
    // A billion laughs.
    assert!(parse(&crate::limits::yaml_alias_bomb()).is_err());
    // Too many rules.
    let mut many = String::from("allow_unverified:\n");
    for i in 0..=MAX_RULES {
        many.push_str(&format!("- r.io/x{i}\n"));
    }
    let e = err(&many);
    assert!(e.contains("at most 1000 rules"), "{e}");
    // A regexp too large to compile within the size limit.
    let e = err(&format!(
        "chart:\n  name: c\n  signer:\n    identity_regexp: ^{}$\n    issuer: i\n",
        "(a{1000}){1000}"
    ));
    assert!(e.contains("regexp"), "{e}");
    assert!(t.elapsed().as_secs() < 10, "{:?}", t.elapsed());
}

#[test]
fn builtin_is_the_embedded_document_and_the_docs_profile() {
    let p = Policy::builtin("gomenhashai").unwrap();
    assert!(!p.checks_images());
    assert_eq!(p.chart_name(), Some("gomenhashai"));
    let release = p.release().unwrap();
    assert_eq!(release, &Profile::gomenhashai());
    assert_eq!(
        release.to_raw().signers.repositories,
        ["GomenHashai/GomenHashai", "MarcAntoineRaymond/GomenHashai"]
    );
    assert!(Policy::builtin("nginx").is_err());
    // The embedded policy's release section is the profile block of docs/profile.md.
    let doc = include_str!("../../../../docs/profile.md");
    let block = doc
        .split("```yaml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let profile = Profile::parse(block.as_bytes(), Path::new("docs/profile.md")).unwrap();
    assert_eq!(&profile, release);
}

#[test]
fn a_profile_is_a_release_section() {
    let p = Policy::from_profile(Profile::gomenhashai(), "x.yaml");
    assert!(!p.checks_images());
    assert_eq!(p.release(), Some(&Profile::gomenhashai()));
    let e = err("release:\n  chart: c\n");
    assert!(e.contains("missing field"), "{e}");
    let e = err(
        "chart: {name: other}\nrelease:\n  chart: gomenhashai\n  helm_repository: https://x\n  github: {repository: o/r, image_assets: {bundle: b, envelope: e}}\n  image: {repositories: [ghcr.io/o/r]}\n  signers: {repositories: [o/r], chart_identity: x, image_identity: y}\n",
    );
    assert!(e.contains("chart.name") && e.contains("\"other\""), "{e}");
}

#[test]
fn a_chart_rule_beside_a_release_section_is_refused_not_ignored() {
    let release = Profile::gomenhashai().to_yaml();
    let indented: String = release.lines().map(|l| format!("  {l}\n")).collect();
    let e = err(&format!(
        "chart:\n  signer: {{identity: x, issuer: y}}\nrelease:\n{indented}"
    ));
    assert!(
        e.contains("release.signers.chart_identity") && e.contains("chart.signer"),
        "{e}"
    );
    assert!(parse(&format!("release:\n{indented}")).is_ok());
}

/// The five release styles of docs/policy.md load, each as the page says it is.
#[test]
fn docs_example_policies_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/policies");
    let doc = include_str!("../../../../docs/policy.md");
    let load = |name: &str| {
        assert!(
            doc.contains(&format!("(examples/policies/{name})")),
            "{name} not in docs/policy.md"
        );
        Policy::load(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let p = load("cosign-keyless-oci.yaml");
    let Coverage::Rule(r) = p.coverage("ghcr.io/stefanprodan/podinfo") else {
        panic!()
    };
    assert!(r.tag_semver() && r.requires_signature());
    assert!(p.chart().signer().is_some());

    let p = load("prov-http.yaml");
    let keyring = p.chart().prov_keyring().unwrap();
    let bytes = std::fs::read(keyring).unwrap();
    assert!(
        !crate::chart::prov::parse_keyring(&bytes)
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        p.coverage("docker.io/library/busybox"),
        Coverage::Unverified(_)
    ));
    let Coverage::Rule(r) = p.coverage("registry.example.com/mychart/app") else {
        panic!()
    };
    assert!(matches!(r.signer().bundle_policy(), bundle::Policy::Key(_)));

    let p = load("github-attestations.yaml");
    let Coverage::Rule(r) = p.coverage("ghcr.io/example/webapp") else {
        panic!()
    };
    assert!(!r.requires_signature());
    assert_eq!(
        r.attestations()[0].predicate_type(),
        "https://slsa.dev/provenance/v1"
    );
    assert!(r.attestations()[0].signer().is_some());
    assert_eq!(p.chart().attestations().len(), 1);

    let p = load("keyed-cosign.yaml");
    let Coverage::Rule(r) = p.coverage("registry.example.com/keyed/a/b") else {
        panic!()
    };
    assert!(r.resolve_by_tag() && p.versions().is_moving("edge"));

    let p = load("reference-gomenhashai.yaml");
    assert_eq!(p.release(), Some(&Profile::gomenhashai()));
    assert_eq!(
        std::fs::read_to_string(dir.join("reference-gomenhashai.yaml")).unwrap(),
        GOMENHASHAI,
        "docs/examples/policies/reference-gomenhashai.yaml is the built-in policy"
    );
}

/// The signer flags' policy: one signer for the chart and every image.
#[test]
fn one_signer_covers_the_chart_and_every_image() {
    let signer = Signer::from_policy(bundle::Policy::identity("id", "https://issuer"));
    let p = Policy::one_signer(
        signer.clone(),
        &["spdxjson".into()],
        true,
        "the signer flags",
    );
    assert!(p.checks_images() && p.chart().signer().is_some());
    assert_eq!(
        p.chart().attestations()[0].predicate_type(),
        "https://spdx.dev/Document"
    );
    // Without the chart (a .prov-signed chart's keyring verifies it), the images only.
    let images_only = Policy::one_signer(signer, &[], false, "the signer flags");
    assert!(images_only.chart().signer().is_none() && images_only.checks_images());
    for repo in [
        "ghcr.io/o/a",
        "docker.io/library/nginx",
        "127.0.0.1:5000/x/y/z",
    ] {
        let Coverage::Rule(r) = p.coverage(repo) else {
            panic!("{repo} is covered")
        };
        assert!(r.requires_signature() && !r.resolve_by_tag());
        assert_eq!(r.attestations().len(), 1);
    }
    assert_eq!(p.origin(), "the signer flags");
}
