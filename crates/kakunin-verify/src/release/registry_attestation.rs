//! `image.registry-attestation`: a Sigstore bundle attached to the image in its registry
//! (OCI referrers or the fallback tag) verifies with the image workflow's identity and its
//! statement names the pinned digest.
//!
//! Guarantees: every attached bundle is tried; the one used is the first that verifies AND
//! names the digest, and each other one is listed with why it was not used, so that a stray
//! attachment (validly signed, about another image) can neither hide the right one nor pass
//! for it.

use serde_json::json;

use crate::check::{Check, spec};
use crate::digest::Digest;

use super::bundles::{self, BundleResult, Signer};
use super::{CouldNotRun, Fetched, RegistryEvidence};

/// The check, the bundle used (with its source) and the report's
/// `details.registry_attestations` (once bundles were found attached).
pub(super) struct Found {
    pub check: Check,
    pub used: Option<(String, BundleResult)>,
    pub listed: Option<serde_json::Value>,
}

impl Found {
    fn only(check: Check) -> Found {
        Found {
            check,
            used: None,
            listed: None,
        }
    }
}

/// What the check expects of the bundles attached to the image.
fn expected(signer: &Signer<'_>) -> String {
    format!(
        "a Sigstore bundle attached to the image in its registry, signed by {}",
        signer.describe("the image workflow")
    )
}

/// `image.registry-attestation` not run, for `why` (the chart is not verified, so the image it
/// names is not trusted and nothing attached to it is looked at).
pub(super) fn not_run(signer: &Signer<'_>, why: &CouldNotRun) -> Check {
    spec::IMAGE_REGISTRY_ATTESTATION.not_run(expected(signer), why.clone())
}

/// `image.registry-attestation` of the bundles attached to `target`.
pub(super) fn check(
    registry: &RegistryEvidence,
    signer: &Signer<'_>,
    target: Option<&Digest>,
) -> Found {
    let spec = spec::IMAGE_REGISTRY_ATTESTATION;
    let expected = expected(signer);
    let Some(target) = target else {
        return Found::only(spec.not_run(expected, CouldNotRun::NoImageDigest));
    };
    let attached = match &registry.attestations {
        Ok(a) => a,
        // A manifest or bundle served for a digest that hashes to another one is tampering:
        // the check fails; one that could not be fetched leaves it not run.
        Err(m) if m.wrong => return Found::only(spec.fail(expected, m.to_string())),
        Err(m) => return Found::only(spec.not_run(expected, m.to_string())),
    };
    if attached.is_empty() {
        return Found::only(spec.fail(
            expected,
            format!("no Sigstore bundle attached to {target} (referrers and the fallback tag)"),
        ));
    }
    let expected = format!("{expected}, whose statement names {target}");
    let tried = try_each(attached, signer, target);
    let listed: Vec<serde_json::Value> = attached
        .iter()
        .enumerate()
        .map(
            |(i, a)| match tried.not_used.iter().find(|(j, _)| *j == i) {
                Some((_, why)) => json!({"source": a.source, "used": false, "why": why}),
                None => json!({"source": a.source, "used": true}),
            },
        )
        .collect();
    let others = tried
        .not_used
        .iter()
        .map(|(i, why)| format!("{}: {why}", attached[*i].source))
        .collect::<Vec<_>>()
        .join("; ");
    let (check, used) = match tried.used {
        Some((i, check, b)) => {
            let mut found = format!("{} ({} attached)", check.found, attached.len());
            if !tried.not_used.is_empty() {
                found.push_str(&format!("; not used: {others}"));
            }
            let source = attached[i].source.clone();
            let check = spec.pass(expected, found).with_evidence(&source);
            (check, Some((source, b)))
        }
        None => {
            let found = format!(
                "none of {} attached bundles verifies with the expected identity and names {target}: {others}",
                attached.len()
            );
            let mut check = spec.fail(expected, found);
            check.evidence = attached.iter().map(|a| a.source.clone()).collect();
            (check, None)
        }
    };
    Found {
        check,
        used,
        listed: Some(json!(listed)),
    }
}

/// The attached bundles tried: the one used (its index, its bundle check, its result), and
/// each other one's index with why it was not used.
struct Tried {
    used: Option<(usize, Check, BundleResult)>,
    not_used: Vec<(usize, String)>,
}

fn try_each(attached: &[Fetched], signer: &Signer<'_>, target: &Digest) -> Tried {
    let spec = spec::IMAGE_REGISTRY_ATTESTATION;
    let mut tried = Tried {
        used: None,
        not_used: Vec::new(),
    };
    for (i, a) in attached.iter().enumerate() {
        let (check, b) = bundles::verify(&spec, &Ok(a.clone()), signer, Some(target));
        if !check.passed() {
            tried
                .not_used
                .push((i, format!("does not verify: {}", check.found)));
            continue;
        }
        let subject = bundles::subject_check(&spec::IMAGE_SUBJECT, target.to_string(), &b, target);
        if !subject.passed() {
            tried.not_used.push((
                i,
                format!(
                    "verifies ({}) but is not about {target}: its statement names {}",
                    check.found, subject.found
                ),
            ));
        } else if tried.used.is_some() {
            tried.not_used.push((
                i,
                "also verifies and names the digest (the first such bundle is used)".into(),
            ));
        } else {
            tried.used = Some((i, check, b));
        }
    }
    tried
}
