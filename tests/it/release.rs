//! `kakunin verify`'s core over the release world: the whole history with the expected verdict
//! of each release, and one tampered world per check, each rejected by that check alone.

use kakunin::check::{Check, Outcome, ids};
use kakunin::profile::Profile;
use kakunin::release::{self, Context, Evidence, Fetched};
use kakunin::report::Report;
use kakunin::trust::Trust;

use crate::world::{self, not_found, trusted_root, world};

fn trust() -> Trust {
    Trust::from_file(&trusted_root()).expect("the test instance's trusted root loads")
}

fn verify_with(ev: &Evidence, profile: &Profile) -> Report {
    let trust = trust();
    release::verify(
        ev,
        &Context {
            profile,
            trust: &trust,
            keyring: None,
        },
    )
}

fn verify(ev: &Evidence) -> Report {
    verify_with(ev, &Profile::gomenhashai())
}

fn failed(r: &Report) -> Vec<&'static str> {
    r.checks
        .iter()
        .filter(|c| c.outcome == Outcome::Fail)
        .map(|c| c.id)
        .collect()
}

fn check<'a>(r: &'a Report, id: &str) -> &'a Check {
    r.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {r:#?}"))
}

/// The tampered release is rejected by `id` alone, and the check names expected and found.
fn rejected_only_by(r: &Report, id: &str) -> Check {
    assert_eq!(failed(r), [id], "{:#?}", r.checks);
    assert_eq!(r.exit_code().code(), 1);
    check(r, id).clone()
}

#[test]
fn every_release_of_the_history_gets_its_expected_verdict() {
    let w = world();
    for c in &w.charts {
        let v = c.release.version;
        let r = verify(&w.evidence(v));
        let all: Vec<&str> = r.checks.iter().map(|c| c.id).collect();
        assert_eq!(
            all,
            [
                ids::CHART_INDEX_DIGEST,
                ids::CHART_METADATA,
                ids::CHART_BUNDLE,
                ids::CHART_SUBJECT,
                ids::CHART_ENVELOPE,
                ids::IMAGE_REFERENCE,
                ids::IMAGE_REGISTRY_DIGEST,
                ids::IMAGE_BUNDLE,
                ids::IMAGE_ENVELOPE,
                ids::IMAGE_REGISTRY_ATTESTATION,
                ids::IMAGE_SUBJECT,
                ids::IMAGE_SOURCE_REF,
                ids::SEMVER_CHART_VERSION,
                ids::SEMVER_RELEASE_TAG,
                ids::SEMVER_APP_VERSION,
                ids::SEMVER_NO_DOWNGRADE,
                ids::SEMVER_IMAGE_RELEASE,
            ],
            "{v}"
        );
        match v {
            // Upper-case repository (not a valid OCI reference) and no digest.
            "0.1.0" => {
                let c = rejected_only_by(&r, ids::IMAGE_REFERENCE);
                assert!(
                    c.found.contains("marcantoineRaymond") && c.found.contains("lower case"),
                    "{c:?}"
                );
            }
            // No digest pinned, and the profile does not allow resolving by tag.
            "0.1.1" => {
                let c = rejected_only_by(&r, ids::IMAGE_REFERENCE);
                assert!(c.found.contains("pins no digest"), "{c:?}");
                assert!(c.expected.contains("pinned sha256 digest"), "{c:?}");
            }
            _ => assert_eq!(r.exit_code().code(), 0, "{v}: {:#?}", r.checks),
        }
        // The checks that could not run for the quirky releases are named, never passed.
        if v == "0.1.0" || v == "0.1.1" {
            assert_eq!(
                check(&r, ids::IMAGE_REGISTRY_DIGEST).outcome,
                Outcome::NotRun
            );
        }
    }
}

#[test]
fn an_unpinned_chart_passes_only_when_the_profile_allows_resolving_by_tag_and_says_so() {
    let w = world();
    let mut profile = Profile::gomenhashai().to_raw();
    profile.require.allow_unpinned_image = true;
    let profile = Profile::try_from(profile).unwrap();
    let r = verify_with(&w.evidence("0.1.1"), &profile);
    assert_eq!(r.exit_code().code(), 0, "{:#?}", r.checks);
    let c = check(&r, ids::IMAGE_REFERENCE);
    assert!(
        c.found.contains("resolved by tag to sha256:") && c.found.contains("allow_unpinned_image"),
        "{c:?}"
    );
    // 0.1.0's upper-case repository is still not an image reference.
    let r = verify_with(&w.evidence("0.1.0"), &profile);
    assert_eq!(failed(&r), [ids::IMAGE_REFERENCE]);
}

#[test]
fn tampered_index_digest() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let index = w.index(world::GITHUB).replace(
        &kakunin::digest::Digest::sha256(&w.chart("1.3.2").tgz).hex(),
        &"ab".repeat(32),
    );
    ev.index = world::index_file(&index, "index.yaml");
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::CHART_INDEX_DIGEST);
    assert_eq!(c.expected, format!("sha256:{}", "ab".repeat(32)));
    assert!(c.found.starts_with("sha256:"));
    // The package is not the one the index lists: the image it names is not read.
    assert_chart_not_verified(&r, "chart.index-digest");
}

#[test]
fn tampered_chart_package_with_its_index_updated() {
    // The attacker controls the Helm repository: a changed .tgz, and the index says its digest.
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let block = world::build::ImageBlock {
        repository: "ghcr.io/gomenhashai/gomenhashai".into(),
        tag: String::new(),
        digest: Some(w.image("v1.3.1").image.digest().to_string()),
    };
    let evil = world::build::chart_tgz("1.3.2", "v1.3.1", &block)
        .into_iter()
        .chain(std::iter::once(0))
        .collect::<Vec<u8>>();
    let evil_digest = kakunin::digest::Digest::sha256(&evil);
    let index = w.index(world::GITHUB).replace(
        &kakunin::digest::Digest::sha256(&w.chart("1.3.2").tgz).hex(),
        &evil_digest.hex(),
    );
    ev.index = world::index_file(&index, "index.yaml");
    ev.package = Ok(Fetched::new(evil, "gomenhashai-1.3.2.tgz"));
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::CHART_SUBJECT);
    assert!(c.expected.contains(&evil_digest.to_string()), "{c:?}");
    assert!(
        c.found
            .contains(&kakunin::digest::Digest::sha256(&w.chart("1.3.2").tgz).hex()),
        "{c:?}"
    );
    // The evil package pins v1.3.1's (validly signed) image: no image check reads it.
    assert_chart_not_verified(&r, "chart.subject");
}

/// The image and SemVer checks that read the chart (its image, its appVersion, the image
/// release it names) did not run, because `unbound` (a check binding the package's digest) did
/// not pass: they take a `VerifiedChart`, and there is none.
fn assert_chart_not_verified(r: &Report, unbound: &str) {
    for id in [
        ids::IMAGE_REFERENCE,
        ids::IMAGE_REGISTRY_DIGEST,
        ids::IMAGE_BUNDLE,
        ids::IMAGE_ENVELOPE,
        ids::IMAGE_REGISTRY_ATTESTATION,
        ids::IMAGE_SUBJECT,
        ids::IMAGE_SOURCE_REF,
        ids::SEMVER_APP_VERSION,
        ids::SEMVER_NO_DOWNGRADE,
        ids::SEMVER_IMAGE_RELEASE,
    ] {
        let c = check(r, id);
        assert_eq!(c.outcome, Outcome::NotRun, "{c:?}");
        assert!(
            c.found.contains(&format!(
                "the chart package is not verified ({unbound} did not pass)"
            )),
            "{c:?}"
        );
    }
    assert!(r.details.get("image").is_none(), "{:#}", r.details);
}

#[test]
fn swapped_chart_bundle() {
    // 1.3.2 served with 1.3.1's (valid, same signer) bundle and envelope.
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let other = w.chart("1.3.1");
    ev.chart_bundle = Ok(Fetched::new(
        other.bundle.clone(),
        "gomenhashai-1.3.2.sigstore",
    ));
    ev.chart_envelope = Ok(Fetched::new(
        other.envelope.clone(),
        "gomenhashai-1.3.2.intoto.jsonl",
    ));
    let c = rejected_only_by(&verify(&ev), ids::CHART_SUBJECT);
    assert!(c.found.contains("gomenhashai-1.3.1.tgz"), "{c:?}");
}

#[test]
fn chart_signed_by_the_wrong_workflow() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let b = w.extras.chart_wrong_identity.clone();
    ev.chart_envelope = Ok(Fetched::new(
        world::envelope_line(&b),
        "gomenhashai-1.3.2.intoto.jsonl",
    ));
    ev.chart_bundle = Ok(Fetched::new(b, "gomenhashai-1.3.2.sigstore"));
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::CHART_BUNDLE);
    assert!(
        c.expected.contains("helm-release.yaml@refs/heads/main"),
        "{c:?}"
    );
    assert!(c.found.contains("helm-debug.yaml"), "{c:?}");
    // Its statement is not trusted, so its subject is not vouched for either.
    assert_eq!(check(&r, ids::CHART_SUBJECT).outcome, Outcome::NotRun);
}

#[test]
fn chart_envelope_from_another_release() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    ev.chart_envelope = Ok(Fetched::new(
        w.chart("1.3.1").envelope.clone(),
        "gomenhashai-1.3.2.intoto.jsonl",
    ));
    let c = rejected_only_by(&verify(&ev), ids::CHART_ENVELOPE);
    assert!(
        c.expected.starts_with("payload") && c.found.starts_with("payload"),
        "{c:?}"
    );
}

/// A statement forged from a signed one: another builder and commit, and an extra subject.
fn forge(statement: &mut serde_json::Value) {
    let evil =
        "https://github.com/evil/GomenHashai/.github/workflows/helm-release.yaml@refs/heads/main";
    statement["predicate"]["runDetails"]["builder"]["id"] = evil.into();
    statement["predicate"]["buildDefinition"]["resolvedDependencies"][0]["digest"]["gitCommit"] =
        "e".repeat(40).into();
    statement["subject"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "evil", "digest": {"sha256": "ee".repeat(32)}}));
}

#[test]
fn a_chart_bundle_with_a_second_forged_dsse_envelope() {
    // The signed envelope first (what a first-key reader verifies), a forged unsigned one last
    // (what a last-key reader would show), and the forged one as the .intoto.jsonl.
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let (bundle, line) = world::with_second_envelope(&w.chart("1.3.2").bundle, forge);
    ev.chart_bundle = Ok(Fetched::new(bundle, "gomenhashai-1.3.2.sigstore"));
    ev.chart_envelope = Ok(Fetched::new(line, "gomenhashai-1.3.2.intoto.jsonl"));
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::CHART_BUNDLE);
    assert!(
        c.found.contains("key \"dsseEnvelope\" appears twice"),
        "{c:?}"
    );
    assert!(c.expected.contains("helm-release.yaml"), "{c:?}");
    // Nothing the bundle says is read: its statement and envelope are not vouched for.
    assert_eq!(check(&r, ids::CHART_SUBJECT).outcome, Outcome::NotRun);
    assert_eq!(check(&r, ids::CHART_ENVELOPE).outcome, Outcome::NotRun);
}

#[test]
fn image_bundles_with_a_second_forged_dsse_envelope() {
    let w = world();
    let img = w.image("v1.3.1");
    let (bundle, line) = world::with_second_envelope(&img.bundle, forge);
    // The release's .sigstore.
    let mut ev = w.evidence("1.3.2");
    ev.image_bundle = Ok(Fetched::new(bundle.clone(), "GomenHashai-v1.3.1.sigstore"));
    ev.image_envelope = Ok(Fetched::new(line, "GomenHashai-v1.3.1.intoto.jsonl"));
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::IMAGE_BUNDLE);
    assert!(
        c.found.contains("key \"dsseEnvelope\" appears twice"),
        "{c:?}"
    );
    assert_eq!(check(&r, ids::IMAGE_ENVELOPE).outcome, Outcome::NotRun);
    // The bundle attached in the registry.
    let mut ev = w.evidence("1.3.2");
    ev.registry.attestations = Ok(vec![Fetched::new(
        bundle,
        "ghcr.io/gomenhashai/gomenhashai@sha256:… (referrer)",
    )]);
    let c = rejected_only_by(&verify(&ev), ids::IMAGE_REGISTRY_ATTESTATION);
    assert!(
        c.found.contains("key \"dsseEnvelope\" appears twice"),
        "{c:?}"
    );
}

#[test]
fn a_stray_attestation_attached_before_the_right_one() {
    // A validly signed attestation (same workflow, same tag) about another digest, attached
    // first: the right one is still found, and the report says why the stray was not used.
    let w = world();
    let target = w.image("v1.3.1").image.digest();
    let mut ev = w.evidence("1.3.2");
    let right = ev.registry.attestations.as_ref().unwrap()[0].clone();
    let stray = Fetched::new(
        w.extras.image_other_subject.clone(),
        "ghcr.io/gomenhashai/gomenhashai@… → stray (referrer)",
    );
    ev.registry.attestations = Ok(vec![stray.clone(), right.clone()]);
    let r = verify(&ev);
    assert_eq!(r.exit_code().code(), 0, "{:#?}", r.checks);
    let c = check(&r, ids::IMAGE_REGISTRY_ATTESTATION);
    assert_eq!(c.outcome, Outcome::Pass);
    assert!(c.expected.contains(&target.to_string()), "{c:?}");
    assert!(
        c.found
            .contains("(2 attached); not used: ghcr.io/gomenhashai/gomenhashai@… → stray")
            && c.found.contains(&format!("is not about {target}")),
        "{c:?}"
    );
    assert_eq!(c.evidence, std::slice::from_ref(&right.source));
    assert_eq!(check(&r, ids::IMAGE_SUBJECT).outcome, Outcome::Pass);
    let listed = &r.details["registry_attestations"];
    assert_eq!(listed[0]["source"], stray.source.as_str(), "{listed:#}");
    assert_eq!(listed[0]["used"], false);
    assert!(
        listed[0]["why"]
            .as_str()
            .unwrap()
            .contains("its statement names")
    );
    assert_eq!(listed[1]["used"], true);

    // Only the stray one: the registry attestation fails, saying what it is about.
    ev.registry.attestations = Ok(vec![stray]);
    let c = rejected_only_by(&verify(&ev), ids::IMAGE_REGISTRY_ATTESTATION);
    assert!(c.expected.contains(&format!("names {target}")), "{c:?}");
    assert!(
        c.found.starts_with(&format!(
            "none of 1 attached bundles verifies with the expected identity and names {target}"
        )) && c.found.contains("is not about"),
        "{c:?}"
    );
}

#[test]
fn missing_chart_bundle_fails_and_an_unreachable_one_is_not_run() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    ev.chart_bundle = Err(not_found("gomenhashai-1.3.2.sigstore"));
    let r = verify(&ev);
    assert!(failed(&r).contains(&ids::CHART_BUNDLE));
    let mut ev = w.evidence("1.3.2");
    ev.chart_bundle = Err(kakunin::release::Missing::new(
        "gomenhashai-1.3.2.sigstore",
        "connection refused",
    ));
    let r = verify(&ev);
    assert_eq!(check(&r, ids::CHART_BUNDLE).outcome, Outcome::NotRun);
    assert_eq!(r.exit_code().code(), 3, "{:#?}", r.checks);
}

#[test]
fn retagged_image_in_the_registry() {
    // v1.3.1 now points at another image in the registry; the chart's pin is unchanged.
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let other = world::build::image("v1.3.1", "gomenhashai/gomenhashai", "-retagged");
    ev.registry.tag_digest = Ok((
        other.digest(),
        "ghcr.io/gomenhashai/gomenhashai:v1.3.1".into(),
    ));
    let c = rejected_only_by(&verify(&ev), ids::IMAGE_REGISTRY_DIGEST);
    assert_eq!(c.expected, w.image("v1.3.1").image.digest().to_string());
    assert_eq!(c.found, other.digest().to_string());
}

#[test]
fn image_attestation_about_another_digest() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let b = w.extras.image_other_subject.clone();
    ev.image_envelope = Ok(Fetched::new(
        world::envelope_line(&b),
        "GomenHashai-v1.3.1.intoto.jsonl",
    ));
    ev.image_bundle = Ok(Fetched::new(b, "GomenHashai-v1.3.1.sigstore"));
    let c = rejected_only_by(&verify(&ev), ids::IMAGE_SUBJECT);
    assert_eq!(c.expected, w.image("v1.3.1").image.digest().to_string());
    assert!(c.found.contains("GomenHashai-v1.3.1.sigstore"), "{c:?}");
}

#[test]
fn image_built_from_another_ref() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let b = w.extras.image_wrong_source_ref.clone();
    ev.image_envelope = Ok(Fetched::new(
        world::envelope_line(&b),
        "GomenHashai-v1.3.1.intoto.jsonl",
    ));
    ev.image_bundle = Ok(Fetched::new(b, "GomenHashai-v1.3.1.sigstore"));
    let c = rejected_only_by(&verify(&ev), ids::IMAGE_SOURCE_REF);
    assert_eq!(c.expected, "refs/tags/v1.3.1");
    assert!(c.found.contains("refs/tags/v1.3.0"), "{c:?}");
}

#[test]
fn image_release_bundle_signed_for_another_release() {
    // v1.3.1's release carries v1.3.0's bundle: signed at refs/tags/v1.3.0, by the old owner.
    let w = world();
    let mut ev = w.evidence("1.3.2");
    let other = w.image("v1.3.0");
    ev.image_bundle = Ok(Fetched::new(
        other.bundle.clone(),
        "GomenHashai-v1.3.1.sigstore",
    ));
    ev.image_envelope = Ok(Fetched::new(
        other.envelope.clone(),
        "GomenHashai-v1.3.1.intoto.jsonl",
    ));
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::IMAGE_BUNDLE);
    assert!(
        c.expected.contains("docker-release.yaml@refs/tags/v1.3.1"),
        "{c:?}"
    );
    assert!(c.found.contains("refs/tags/v1.3.0"), "{c:?}");
}

#[test]
fn no_attestation_attached_in_the_registry() {
    let w = world();
    let mut ev = w.evidence("1.3.2");
    ev.registry.attestations = Ok(Vec::new());
    let c = rejected_only_by(&verify(&ev), ids::IMAGE_REGISTRY_ATTESTATION);
    assert!(c.found.contains("no Sigstore bundle attached"), "{c:?}");
    // Not required by the profile: not run, and said so in the details.
    let mut profile = Profile::gomenhashai().to_raw();
    profile.require.registry_attestation = false;
    let profile = Profile::try_from(profile).unwrap();
    let r = verify_with(&ev, &profile);
    assert_eq!(r.exit_code().code(), 0, "{:#?}", r.checks);
    assert!(
        r.details["not_required"]
            .to_string()
            .contains("image.registry-attestation")
    );
}

#[test]
fn a_downgrade_in_the_index() {
    // A new chart 1.3.3, properly built and signed, goes back to image v1.2.0 (which exists).
    let w = world();
    let mut charts = w.charts.clone();
    charts.push(w.extras.chart_downgrade.clone());
    let r = verify(&w.evidence_of(&w.extras.chart_downgrade, &charts));
    let c = rejected_only_by(&r, ids::SEMVER_NO_DOWNGRADE);
    assert!(c.expected.contains(">= v1.3.1"), "{c:?}");
    assert!(c.found.contains("chart 1.3.3 points at v1.2.0"), "{c:?}");
    // The earlier charts are not affected by a later one.
    let r = verify(&w.evidence_of(w.chart("1.3.2"), &charts));
    assert_eq!(r.exit_code().code(), 0, "{:#?}", r.checks);
}

#[test]
fn a_main_tag() {
    // values.yaml deploys `main`, pinned to what `main` is now (the v1.3.1 image, as the
    // registry says): everything is signed and pinned, but `main` is not a release.
    let w = world();
    let chart = &w.extras.chart_main_tag;
    let mut charts = w.charts.clone();
    *charts.last_mut().unwrap() = chart.clone();
    let mut ev = w.evidence_of(chart, &charts);
    ev.registry.tag_digest = Ok((
        w.main.digest(),
        "ghcr.io/gomenhashai/gomenhashai:main".into(),
    ));
    let r = verify(&ev);
    let c = rejected_only_by(&r, ids::SEMVER_APP_VERSION);
    assert!(
        c.found.contains("\"main\"") && c.found.contains("moving"),
        "{c:?}"
    );
    assert!(c.expected.contains("v1.3.1"), "{c:?}");
}

#[test]
fn a_package_whose_chart_yaml_is_another_version() {
    // 1.2.1's signed package re-listed in the index as 1.3.3.
    let w = world();
    let mut relisted = w.chart("1.2.1").clone();
    relisted.release.version = "1.3.3";
    let mut charts = w.charts.clone();
    charts.push(relisted.clone());
    let r = verify(&w.evidence_of(&relisted, &charts));
    let c = check(&r, ids::CHART_METADATA);
    assert_eq!(c.outcome, Outcome::Fail);
    assert_eq!(c.expected, "gomenhashai 1.3.3 appVersion v1.2.0");
    assert_eq!(c.found, "gomenhashai 1.2.1 appVersion v1.2.0");
}

#[test]
fn a_required_prov_verifies_and_one_of_another_release_is_rejected_by_prov_alone() {
    let w = world();
    let keyring = kakunin::chart::prov::parse_keyring(&w.prov_keyring).unwrap();
    let mut profile = Profile::gomenhashai().to_raw();
    profile.require.prov = true;
    profile.require.prov_keyring = Some("charts.asc".into());
    let profile = Profile::try_from(profile).unwrap();
    let trust = trust();
    let ctx = Context {
        profile: &profile,
        trust: &trust,
        keyring: Some(&keyring),
    };
    let r = release::verify(&w.evidence("1.3.2"), &ctx);
    assert_eq!(r.exit_code().code(), 0, "{:#?}", r.checks);
    assert!(
        check(&r, ids::CHART_PROV)
            .found
            .contains("gomenhashai-1.3.2.tgz")
    );
    // 1.3.1's (validly signed) .prov served for 1.3.2.
    let mut ev = w.evidence("1.3.2");
    ev.prov = Some(Ok(Fetched::new(
        w.chart("1.3.1").prov.clone(),
        "gomenhashai-1.3.2.tgz.prov",
    )));
    let c = rejected_only_by(&release::verify(&ev, &ctx), ids::CHART_PROV);
    assert!(
        c.found.contains("gomenhashai-1.3.2.tgz") && c.found.contains("gomenhashai-1.3.1.tgz"),
        "{c:?}"
    );
    // A .prov that is required but absent fails; not required, it is named as not checked.
    let mut ev = w.evidence("1.3.2");
    ev.prov = Some(Err(not_found("gomenhashai-1.3.2.tgz.prov")));
    rejected_only_by(&release::verify(&ev, &ctx), ids::CHART_PROV);
    let r = verify(&w.evidence("1.3.2"));
    assert!(r.checks.iter().all(|c| c.id != ids::CHART_PROV));
    assert!(r.details["not_required"].to_string().contains("chart.prov"));
}
