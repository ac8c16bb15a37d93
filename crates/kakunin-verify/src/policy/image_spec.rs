//! `--image-policy GLOB=SPEC`: one images rule of a policy (docs/policy.md) on the command
//! line. `GLOB` is a repository glob as in the file (`ghcr.io/o/*`, `docker.io/bitnami/**`);
//! `SPEC` is `allow_unverified`, or comma-separated `FIELD=VALUE` pairs named as the policy
//! file names them: a signer (`identity` or `identity_regexp` with `issuer` or
//! `issuer_regexp`; `github=OWNER/REPO` with optional `workflow` and `ref`; `key=PEM`), and
//! `attestation=TYPE` (repeatable), `signature=false`, `resolve_by_tag=true`. A `,` inside a
//! value is written `\,`; no other character is special.
//!
//! Guarantees: the spec becomes the policy file's raw rule and is converted by the same code
//! ([`super::image_rule`]), so every rule of the file holds here too (anchored regexps, one
//! signer form, an issuer, a valid glob); an unknown field, a field twice, an empty value or
//! a spec over [`super::MAX_PATTERN_LEN`] times 4 characters is refused (exit 2), never
//! ignored.

use std::path::{Path, PathBuf};

use super::raw::{RawAttestation, RawGitHub, RawImageRule, RawSigner};
use super::{ImageRule, MAX_PATTERN_LEN, PolicyError, RepositoryGlob};

/// The fields a spec may name.
const FIELDS: &str = "identity, identity_regexp, issuer, issuer_regexp, github, workflow, ref, key, attestation, signature, resolve_by_tag";

/// What one `--image-policy` says.
#[derive(Debug)]
pub enum Parsed {
    Rule(Box<ImageRule>),
    Unverified(RepositoryGlob),
}

/// Parses `GLOB=SPEC`; relative key paths are resolved against `dir`.
pub fn parse(spec: &str, dir: &Path) -> Result<Parsed, PolicyError> {
    let origin = format!("--image-policy {spec:?}");
    let invalid = |field: &str, expected: &str, found: String| PolicyError::Invalid {
        path: origin.clone(),
        field: field.to_string(),
        expected: expected.to_string(),
        found,
    };
    if spec.len() > 4 * MAX_PATTERN_LEN {
        return Err(invalid(
            "spec",
            &format!("at most {} characters", 4 * MAX_PATTERN_LEN),
            format!("{} characters", spec.len()),
        ));
    }
    let Some((glob, rest)) = spec.split_once('=') else {
        return Err(invalid(
            "spec",
            "REPO_GLOB=SPEC (e.g. ghcr.io/o/*=github=o/app, or docker.io/library/*=allow_unverified)",
            format!("no `=` in {spec:?}"),
        ));
    };
    if rest == "allow_unverified" {
        return RepositoryGlob::new(glob)
            .map(Parsed::Unverified)
            .map_err(|e| invalid("repository", &e, format!("{glob:?}")));
    }
    let raw = raw_rule(glob, rest).map_err(|(f, e, found)| invalid(f, &e, found))?;
    let file = |_: &str, p: &Path| -> Result<PathBuf, PolicyError> { Ok(dir.join(p)) };
    super::image_rule(&raw, "rule", &origin, &file).map(|r| Parsed::Rule(Box::new(r)))
}

type SpecError = (&'static str, String, String);

/// The `FIELD=VALUE` pairs, split on unescaped commas (`\,` is a comma in a value).
fn pairs(spec: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                chars.next();
                out.last_mut().expect("never empty").push(',');
            }
            ',' => out.push(String::new()),
            c => out.last_mut().expect("never empty").push(c),
        }
    }
    out
}

fn raw_rule(glob: &str, spec: &str) -> Result<RawImageRule, SpecError> {
    let mut rule = RawImageRule {
        repository: glob.to_string(),
        ..RawImageRule::default()
    };
    let mut signer = RawSigner::default();
    let (mut workflow, mut source_ref, mut github) = (None, None, None);
    let mut seen = std::collections::BTreeSet::new();
    for pair in pairs(spec) {
        let Some((field, value)) = pair.split_once('=').filter(|(_, v)| !v.is_empty()) else {
            return Err((
                "spec",
                format!(
                    "FIELD=VALUE pairs separated by `,` (fields: {FIELDS}; allow_unverified alone)"
                ),
                format!("{pair:?}"),
            ));
        };
        if field != "attestation" && !seen.insert(field.to_string()) {
            return Err(("spec", "each field once".into(), format!("{field} twice")));
        }
        let value = value.to_string();
        let flag = |v: &str| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            other => Err((
                "spec",
                format!("{field}=true or {field}=false"),
                format!("{other:?}"),
            )),
        };
        match field {
            "identity" => signer.identity = Some(value),
            "identity_regexp" => signer.identity_regexp = Some(value),
            "issuer" => signer.issuer = Some(value),
            "issuer_regexp" => signer.issuer_regexp = Some(value),
            "key" => signer.key = Some(PathBuf::from(value)),
            "github" => github = Some(value),
            "workflow" => workflow = Some(value),
            "ref" => source_ref = Some(value),
            "attestation" => rule.attestations.push(RawAttestation {
                predicate_type: value,
                slsa: None,
            }),
            "signature" => rule.signature = Some(flag(&value)?),
            "resolve_by_tag" => rule.resolve_by_tag = flag(&value)?,
            other => {
                return Err((
                    "spec",
                    format!("one of the fields {FIELDS}"),
                    format!("{other:?}"),
                ));
            }
        }
    }
    match github {
        Some(repository) => {
            signer.github = Some(RawGitHub {
                repository,
                workflow,
                source_ref,
            })
        }
        None if workflow.is_some() || source_ref.is_some() => {
            return Err((
                "spec",
                "workflow and ref with github=OWNER/REPO".into(),
                "no github".into(),
            ));
        }
        None => {}
    }
    rule.signer = Some(signer);
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(spec: &str) -> ImageRule {
        match parse(spec, Path::new(".")).unwrap() {
            Parsed::Rule(r) => *r,
            Parsed::Unverified(g) => panic!("unverified {g:?}"),
        }
    }

    fn error(spec: &str) -> String {
        parse(spec, Path::new(".")).unwrap_err().to_string()
    }

    #[test]
    fn each_signer_form_and_allow_unverified_map_onto_the_policy_model() {
        let r = rule(
            "ghcr.io/o/*=identity=https://github.com/o/app/.github/workflows/r.yaml@refs/tags/v1,issuer=https://token.actions.githubusercontent.com",
        );
        assert!(r.repository().matches("ghcr.io/o/app"));
        assert!(!r.repository().matches("ghcr.io/other/app"));
        assert!(r.signer().describe().contains("r.yaml@refs/tags/v1"));
        let r = rule(
            "ghcr.io/o/**=github=o/app,ref=refs/tags/v*,attestation=slsaprovenance1,signature=false",
        );
        assert!(!r.requires_signature());
        assert_eq!(
            r.attestations()[0].predicate_type(),
            "https://slsa.dev/provenance/v1"
        );
        let r = rule(
            r"quay.io/x=identity_regexp=^https://a\.example/(x|y){1\,3}$,issuer=https://i,resolve_by_tag=true",
        );
        assert!(r.resolve_by_tag());
        assert!(
            r.signer().describe().contains("{1,3}"),
            "{}",
            r.signer().describe()
        );
        assert!(matches!(
            parse("docker.io/library/*=allow_unverified", Path::new(".")).unwrap(),
            Parsed::Unverified(g) if g.matches("docker.io/library/redis")
        ));
    }

    #[test]
    fn malformed_specs_are_refused_naming_what_is_wrong() {
        let e = error("ghcr.io/o/*=identity_regexp=https://github\\.com/o/.*,issuer=https://i");
        assert!(
            e.contains("rule.signer.identity_regexp") && e.contains("expected an anchored regexp"),
            "{e}"
        );
        assert!(error("ghcr.io/o/*").contains("no `=`"));
        assert!(error("ghcr.io/o/*=identity=x").contains("issuer"));
        assert!(error("ghcr.io/o/*=colour=red").contains("one of the fields"));
        assert!(error("ghcr.io/o/*=github=o/a,github=o/b").contains("github twice"));
        assert!(error("ghcr.io/o/*=github=o/a,").contains("FIELD=VALUE"));
        assert!(error("ghcr.io/o/(a|b)=github=o/a").contains("repository glob"));
        assert!(error("ghcr.io/o/*=workflow=x.yaml,identity=a,issuer=b").contains("with github"));
        assert!(error("ghcr.io/o/*=github=o/a,signature=no").contains("signature=true or"));
        assert!(error("ghcr.io/o/*=github=o/a,identity=x").contains("exactly one of"));
        assert!(error(&format!("x={}", "a".repeat(5000))).contains("at most 4096"));
    }
}
