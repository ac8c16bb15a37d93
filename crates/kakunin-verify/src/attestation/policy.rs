//! The attestation policy: each thing `verify-attestation` checks about a statement, as one
//! [`Check`] with what was expected and what was found.
//!
//! Guarantees: these functions are pure (no I/O) and fail closed: a field the provenance or
//! the certificate does not state is a failure, never a pass; with a managed key (no
//! certificate) the provenance is compared with what the user asked for only, and a comparison
//! with a certificate is not emitted rather than passed; a build type kakunin does not model
//! is verified on the certificate's claims (or the key) and the subject, and says so in
//! `attestation.provenance`, while an expectation of a field it does not state fails ("build
//! type X does not state Y"); an expectation given on the command line that cannot be checked
//! fails. They trust their inputs only as far as their types say: the
//! statement passed in must come from a verified envelope (see [`super::VerifiedStatement`]),
//! which is how the command calls them; tests also call them on decoded statements directly.

use crate::check::{Check, ids};

use super::provenance::{
    self, BuildFacts, BuildKind, GITHUB_WORKFLOW_V1, GITLAB_RUNNER_PREFIX, GITLAB_SLSA_V1,
    KAKUNIN_MINIMAL_V1, SLSA_GITHUB_GENERATOR_PREFIX, SLSA_GITHUB_WORKFLOW_V1, SLSA_PROVENANCE_V1,
};
use super::statement::{ExpectedSubject, Statement, describe_subject};

/// What the verified signing certificate says about the build (Fulcio's OIDC claims).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SignerClaims {
    /// The certificate's subject alternative name.
    pub identity: String,
    /// The OIDC issuer.
    pub issuer: Option<String>,
    /// 1.3.6.1.4.1.57264.1.12 Source Repository URI.
    pub source_repository_uri: Option<String>,
    /// 1.3.6.1.4.1.57264.1.14 Source Repository Ref.
    pub source_repository_ref: Option<String>,
    /// 1.3.6.1.4.1.57264.1.13 Source Repository Digest (the commit).
    pub source_repository_digest: Option<String>,
    /// 1.3.6.1.4.1.57264.1.9 Build Signer URI (the workflow that signed).
    pub build_signer_uri: Option<String>,
    /// 1.3.6.1.4.1.57264.1.18 Build Config URI (the top-level workflow).
    pub build_config_uri: Option<String>,
    /// 1.3.6.1.4.1.57264.1.11 Runner Environment (`github-hosted` / `self-hosted`).
    pub runner_environment: Option<String>,
}

/// Who signed the statement, as bundle verification established it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(untagged)]
pub enum Signer {
    /// A Fulcio certificate: its claims are what the provenance must agree with.
    Certificate(SignerClaims),
    /// A managed key (`--key`): there is no certificate, so the provenance is compared only
    /// with the expectations given (`--repository`, `--source-ref`, …).
    Key {
        /// `sha256:` of the key's DER SubjectPublicKeyInfo.
        key_fingerprint: String,
    },
}

impl Signer {
    /// The certificate's claims, if a certificate signed.
    pub fn certificate(&self) -> Option<&SignerClaims> {
        match self {
            Signer::Certificate(c) => Some(c),
            Signer::Key { .. } => None,
        }
    }
}

/// What the user expects of the attestation, beyond the signer identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The predicateType the statement must have.
    pub predicate_type: String,
    /// `OWNER/REPO` (on github.com) or the repository's URL, as `verify-bundle --repository`.
    pub repository: Option<String>,
    /// The full git ref built (`refs/tags/v1.0.0`).
    pub source_ref: Option<String>,
    /// The workflow file's path in the repository (`.github/workflows/release.yaml`), or its
    /// full URL without ref.
    pub workflow: Option<String>,
    /// The builder id, exactly, or without its `@ref` to accept any ref.
    pub builder_id: Option<String>,
    /// The source commit (hex, optionally `sha1:`), compared with the provenance's.
    pub source_digest: Option<String>,
    pub allow_self_hosted_runners: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            predicate_type: SLSA_PROVENANCE_V1.to_owned(),
            repository: None,
            source_ref: None,
            workflow: None,
            builder_id: None,
            source_digest: None,
            allow_self_hosted_runners: false,
        }
    }
}

const GITHUB_HOSTED: &str = "github-hosted";
const GITLAB_HOSTED: &str = "gitlab-hosted";

/// `attestation.subject`: a subject of the statement is the artifact.
pub fn check_subject(statement: &Statement, expected: &ExpectedSubject) -> Check {
    let title = match &expected.name {
        Some(_) => "statement subjects include the artifact's name and digest",
        None => "statement subjects include the artifact's digest",
    };
    match statement.find_subject(expected) {
        Some(s) => Check::pass(
            ids::ATTESTATION_SUBJECT,
            title,
            expected.describe(),
            describe_subject(s),
        ),
        None => {
            let n = statement.subjects.len();
            let mut found = statement
                .subjects
                .iter()
                .take(5)
                .map(describe_subject)
                .collect::<Vec<_>>()
                .join("; ");
            if n > 5 {
                found.push_str(&format!("; and {} more", n - 5));
            }
            Check::fail(
                ids::ATTESTATION_SUBJECT,
                title,
                expected.describe(),
                format!("no such subject among {n}: {found}"),
            )
        }
    }
}

/// `attestation.predicate-type`.
pub fn check_predicate_type(statement: &Statement, policy: &Policy) -> Check {
    Check::compare(
        ids::ATTESTATION_PREDICATE_TYPE,
        "predicateType is the expected one",
        &policy.predicate_type,
        &statement.predicate_type,
    )
}

/// The provenance checks: what the SLSA predicate says about the build agrees with the
/// certificate (when a certificate signed) and with the expectations. `payload` is the
/// statement's payload.
pub fn check_provenance(
    payload: &[u8],
    statement: &Statement,
    signer: &Signer,
    policy: &Policy,
) -> (Vec<Check>, Option<BuildFacts>) {
    let cert = signer.certificate();
    let expectations = expectations(policy);
    if !provenance::is_provenance(&statement.predicate_type) {
        // Nothing to check unless the user asked for build facts this predicate cannot give.
        let checks = if expectations.is_empty() {
            Vec::new()
        } else {
            vec![Check::fail(
                ids::ATTESTATION_PROVENANCE,
                "the predicate is SLSA build provenance",
                format!("SLSA provenance, to check {}", expectations.join(", ")),
                format!(
                    "predicateType {} carries no build provenance",
                    statement.predicate_type
                ),
            )]
        };
        return (checks, None);
    }
    let facts = match provenance::read(payload, &statement.predicate_type) {
        Ok(f) => f,
        Err(e) => {
            return (
                vec![Check::fail(
                    ids::ATTESTATION_PROVENANCE,
                    "the predicate is well-formed SLSA provenance",
                    format!("SLSA provenance ({})", statement.predicate_type),
                    e.to_string(),
                )],
                None,
            );
        }
    };
    // A minimal provenance is the signer's own statement: it is compared with what the user
    // asked for, never bound to a certificate (a CI's claims are not in it).
    let cert = if facts.kind == Some(BuildKind::Minimal) {
        None
    } else {
        cert
    };
    let mut checks = vec![check_build_type(&facts, cert.is_some())];
    if facts.kind.is_none() {
        // The fields below have no agreed meaning in a build type kakunin does not model: the
        // attestation stands on the certificate's claims and the subject, and only a flag that
        // needs one of those fields fails.
        checks.extend(unstated_by_build_type(&facts, policy));
    } else {
        checks.extend(check_bound_fields(&facts, cert, policy));
    }
    checks.extend(check_builder_id(&facts, cert, policy));
    match facts.kind {
        Some(BuildKind::Minimal) => {}
        // Not modelled: the certificate's Runner Environment claim alone says where it ran.
        None if cert.is_none() => {}
        _ => checks.push(check_runner(&facts, cert, policy)),
    }
    // One check per provenance field: the certificate and a flag are two expectations of one
    // value (an id appears once per report).
    (Check::merge_same_ids(checks), Some(facts))
}

fn expectations(policy: &Policy) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(r) = &policy.repository {
        out.push(format!("--repository {r}"));
    }
    if let Some(r) = &policy.source_ref {
        out.push(format!("--source-ref {r}"));
    }
    if let Some(w) = &policy.workflow {
        out.push(format!("--workflow {w}"));
    }
    if let Some(d) = &policy.source_digest {
        out.push(format!("--source-digest {d}"));
    }
    if let Some(b) = &policy.builder_id {
        out.push(format!("--builder-id {b}"));
    }
    out
}

/// `attestation.provenance`: a build type kakunin reads (and binds to the certificate, when one
/// signed), with no external parameter the build type does not define. A build type kakunin
/// does not model passes, saying in the check that its fields were not read: the attestation
/// then stands on the certificate's claims (or the key) and the subject.
fn check_build_type(facts: &BuildFacts, certificate: bool) -> Check {
    let title = if certificate {
        "provenance build type is one kakunin binds to the certificate"
    } else {
        "provenance build type is one kakunin reads"
    };
    let known = format!(
        "{GITHUB_WORKFLOW_V1}, {SLSA_GITHUB_WORKFLOW_V1}, {SLSA_GITHUB_GENERATOR_PREFIX}…, {GITLAB_RUNNER_PREFIX}<version>/PROVENANCE.md, {GITLAB_SLSA_V1} or {KAKUNIN_MINIMAL_V1}"
    );
    if facts.kind.is_none() {
        let on = if certificate {
            "the certificate's claims"
        } else {
            "the key"
        };
        return Check::pass(
            ids::ATTESTATION_PROVENANCE,
            format!(
                "provenance of a build type kakunin does not model: verified on {on} and the subject"
            ),
            format!("{known}, or another build type (its fields are then not read)"),
            format!(
                "{}: not modelled; its repository, ref, workflow, source commit and runner are not read from it",
                facts.build_type
            ),
        );
    }
    if facts.kind == Some(BuildKind::Minimal) && facts.unknown_external_parameters.is_empty() {
        // Weaker, and said so in the check itself: no CI vouches for any of it.
        return Check::pass(
            ids::ATTESTATION_PROVENANCE,
            "provenance is kakunin's minimal provenance of a build outside CI (WEAKER: the signer's own statement)",
            known,
            format!(
                "{}: builder {} and source commit only; absent: workflow, ref, run invocation, runner environment; no CI certificate claims bind it",
                facts.build_type, facts.builder_id
            ),
        );
    }
    if !facts.unknown_external_parameters.is_empty() {
        return Check::fail(
            ids::ATTESTATION_PROVENANCE,
            "provenance externalParameters are all defined by the build type",
            "workflow (and inputs, release, vars, runner_environment)",
            format!(
                "undefined external parameter(s): {}",
                facts.unknown_external_parameters.join(", ")
            ),
        );
    }
    Check::pass(ids::ATTESTATION_PROVENANCE, title, known, &facts.build_type)
}

/// The flags that need a field a build type kakunin does not model states: each fails, by the
/// id of that field, "build type X does not state Y".
fn unstated_by_build_type(facts: &BuildFacts, policy: &Policy) -> Vec<Check> {
    [
        (
            ids::ATTESTATION_WORKFLOW_REPOSITORY,
            "--repository",
            policy
                .repository
                .as_ref()
                .map(|r| crate::bundle::repository_uri(r)),
            "the source repository",
        ),
        (
            ids::ATTESTATION_WORKFLOW_REF,
            "--source-ref",
            policy.source_ref.clone(),
            "the source ref",
        ),
        (
            ids::ATTESTATION_WORKFLOW_PATH,
            "--workflow",
            policy.workflow.clone(),
            "the workflow path",
        ),
        (
            ids::ATTESTATION_SOURCE_COMMIT,
            "--source-digest",
            policy.source_digest.clone(),
            "the source commit",
        ),
    ]
    .into_iter()
    .filter_map(|(id, flag, expected, what)| {
        Some(Check::fail(
            id,
            format!("the provenance states {what}, as {flag} requires"),
            expected?,
            format!("build type {} does not state {what}", facts.build_type),
        ))
    })
    .collect()
}

/// Compares a provenance field with the certificate's claim; absent on either side fails.
fn against_certificate(
    id: &'static str,
    title: &str,
    claim: Option<&str>,
    claim_name: &str,
    found: Option<&str>,
    field: &str,
) -> Check {
    match (claim, found) {
        (Some(claim), Some(found)) => Check::compare(id, title, claim, found),
        (None, found) => Check::fail(
            id,
            title,
            format!("the certificate's {claim_name}"),
            format!(
                "the certificate has no {claim_name} (provenance says {})",
                found.unwrap_or("nothing either")
            ),
        ),
        (Some(claim), None) => Check::fail(
            id,
            title,
            claim,
            format!("{field} is missing from the provenance"),
        ),
    }
}

/// One provenance field against what the user asked for on the command line: passes when
/// `matches(expected, found)`, fails naming the value found, or that the field is missing.
fn against_flag(
    id: &'static str,
    title: String,
    expected: &str,
    found: Option<&str>,
    matches: impl Fn(&str, &str) -> bool,
    field: &str,
) -> Check {
    match found {
        Some(found) if matches(expected, found) => Check::pass(id, title, expected, found),
        Some(found) => Check::fail(id, title, expected, found),
        None => Check::fail(id, title, expected, format!("{field} is missing")),
    }
}

/// The provenance fields that name the repository, ref, workflow path and source commit, as
/// the build type writes them (the checks' titles and "missing" messages name them).
fn bound_field_names(kind: Option<BuildKind>) -> [&'static str; 4] {
    match kind {
        Some(BuildKind::GitLabCi) => [
            "externalParameters.source",
            "externalParameters.variables.CI_COMMIT_TAG/CI_COMMIT_BRANCH (ref)",
            "externalParameters.variables.CI_CONFIG_PATH",
            "resolvedDependencies[<source>].digest.gitCommit",
        ],
        Some(BuildKind::Minimal) => [
            "externalParameters.source",
            "ref (a minimal provenance has none)",
            "workflow (a minimal provenance has none)",
            "resolvedDependencies[<source>].digest.gitCommit",
        ],
        Some(BuildKind::SlsaGitHubGenerator) => [
            "invocation.configSource.uri (repository)",
            "invocation.configSource.uri (ref)",
            "invocation.configSource.entryPoint",
            "invocation.configSource.digest.sha1",
        ],
        _ => [
            "externalParameters.workflow.repository",
            "externalParameters.workflow.ref",
            "externalParameters.workflow.path",
            "resolvedDependencies[git+<repository>@<ref>].digest.gitCommit",
        ],
    }
}

/// One provenance field bound to a certificate claim and, when the user gave it, a flag.
struct BoundField<'a> {
    id: &'static str,
    /// The provenance field, as the build type names it.
    field: &'static str,
    /// The provenance's value.
    found: Option<&'a str>,
    /// With a certificate: what the title calls its claim, the claim's name, its value.
    certificate: Option<(&'static str, &'static str, Option<String>)>,
    /// With the flag: its name and expected value, the provenance's value as the flag reads
    /// it, and whether that value matches.
    flag: Option<Flag<'a>>,
}

/// An expectation given on the command line for a [`BoundField`].
struct Flag<'a> {
    name: &'static str,
    expected: String,
    found: Option<String>,
    matches: Box<dyn Fn(&str) -> bool + 'a>,
}

impl<'a> Flag<'a> {
    /// The provenance's value as this flag reads it.
    fn with_found(mut self, found: Option<String>) -> Flag<'a> {
        self.found = found;
        self
    }

    /// A flag whose value must equal the provenance's.
    fn equal(name: &'static str, expected: String, found: Option<&str>) -> Flag<'a> {
        let want = expected.clone();
        Flag {
            name,
            expected,
            found: found.map(str::to_string),
            matches: Box::new(move |found| found == want),
        }
    }
}

impl BoundField<'_> {
    /// The check against the certificate's claim, then the one against the flag.
    fn checks(self) -> Vec<Check> {
        let mut checks = Vec::new();
        if let Some((claim, claim_name, value)) = self.certificate {
            checks.push(against_certificate(
                self.id,
                &format!("provenance {} = the certificate's {claim}", self.field),
                value.as_deref(),
                claim_name,
                self.found,
                self.field,
            ));
        }
        if let Some(flag) = self.flag {
            checks.push(against_flag(
                self.id,
                format!("provenance {} = {}", self.field, flag.name),
                &flag.expected,
                flag.found.as_deref(),
                |_, found| (flag.matches)(found),
                self.field,
            ));
        }
        checks
    }
}

/// Repository, ref, workflow path and source commit: each against the certificate's claim
/// (when a certificate signed) and against the expectation given (when one was).
fn check_bound_fields(
    facts: &BuildFacts,
    cert: Option<&SignerClaims>,
    policy: &Policy,
) -> Vec<Check> {
    let [repo_field, ref_field, path_field, commit_field] = bound_field_names(facts.kind);
    let fields = [
        BoundField {
            id: ids::ATTESTATION_WORKFLOW_REPOSITORY,
            field: repo_field,
            found: facts.repository.as_deref(),
            certificate: cert.map(|s| {
                let uri = s.source_repository_uri.clone();
                ("source repository", "source repository URI", uri)
            }),
            flag: policy.repository.as_ref().map(|want| Flag {
                name: "--repository",
                expected: crate::bundle::repository_uri(want),
                found: facts.repository.clone(),
                matches: Box::new(move |found| repository_matches(want, found)),
            }),
        },
        BoundField {
            id: ids::ATTESTATION_WORKFLOW_REF,
            field: ref_field,
            found: facts.git_ref.as_deref(),
            certificate: cert.map(|s| {
                let r = s.source_repository_ref.clone();
                ("source ref", "source repository ref", r)
            }),
            flag: policy
                .source_ref
                .as_ref()
                .map(|want| Flag::equal("--source-ref", want.clone(), facts.git_ref.as_deref())),
        },
        workflow_path_field(facts, cert, policy, path_field),
        BoundField {
            id: ids::ATTESTATION_SOURCE_COMMIT,
            field: commit_field,
            found: facts.source_commit.as_deref(),
            certificate: cert.map(|s| {
                let d = s.source_repository_digest.clone();
                ("source commit", "source repository digest", d)
            }),
            // As `verify-bundle`: hex, any case, optionally `sha1:`.
            flag: policy.source_digest.as_ref().map(|want| {
                let want = want.to_ascii_lowercase();
                let want = want.strip_prefix("sha1:").unwrap_or(&want).to_owned();
                Flag::equal("--source-digest", want, facts.source_commit.as_deref())
            }),
        },
    ];
    fields.into_iter().flat_map(BoundField::checks).collect()
}

/// The workflow path: the certificate's build config URI is `<repository>/<path>@<ref>`;
/// `--workflow`, as in `verify-bundle`, is a path in the repository or the workflow's full URL
/// without its ref.
fn workflow_path_field<'a>(
    facts: &'a BuildFacts,
    cert: Option<&'a SignerClaims>,
    policy: &Policy,
    field: &'static str,
) -> BoundField<'a> {
    let certificate = cert.map(|signer| {
        let path = signer.build_config_uri.as_deref().and_then(|uri| {
            workflow_path_of(
                uri,
                signer.source_repository_uri.as_deref()?,
                signer.source_repository_ref.as_deref(),
            )
        });
        (path, "build config URI")
    });
    let flag = policy.workflow.as_ref().map(|want| {
        let want = want.trim_start_matches('/');
        let found = match (
            want.contains("://"),
            &facts.repository,
            &facts.workflow_path,
        ) {
            (true, Some(repo), Some(path)) => Some(format!("{repo}/{path}")),
            (false, _, Some(path)) => Some(path.clone()),
            _ => None,
        };
        Flag::equal("--workflow", want.to_string(), None).with_found(found)
    });
    BoundField {
        id: ids::ATTESTATION_WORKFLOW_PATH,
        field,
        found: facts.workflow_path.as_deref(),
        certificate: certificate.map(|(path, name)| ("build config (workflow) path", name, path)),
        flag,
    }
}

/// `attestation.builder-id`: who generated the provenance, as the build type defines it,
/// and the user's `--builder-id`.
fn check_builder_id(
    facts: &BuildFacts,
    cert: Option<&SignerClaims>,
    policy: &Policy,
) -> Vec<Check> {
    let mut checks = Vec::new();
    if let Some(signer) = cert {
        checks.extend(builder_against_certificate(facts, signer));
    }
    if let Some(want) = &policy.builder_id {
        let ok = facts.builder_id == *want
            || (!want.contains('@')
                && facts.builder_id.split_once('@').map(|(b, _)| b) == Some(want.as_str()));
        let expected = if want.contains('@') {
            want.clone()
        } else {
            format!("{want} (at any ref)")
        };
        let title = "provenance builder.id = --builder-id";
        checks.push(Check::pass_if(
            ok,
            ids::ATTESTATION_BUILDER_ID,
            title,
            expected,
            &facts.builder_id,
        ));
    }
    checks
}

/// A certificate-signed provenance: who generated it, as the build type defines it.
fn builder_against_certificate(facts: &BuildFacts, signer: &SignerClaims) -> Vec<Check> {
    let mut checks = Vec::new();
    let signing_workflow = signer
        .build_signer_uri
        .as_deref()
        .unwrap_or(signer.identity.as_str());
    let title = "provenance runDetails.builder.id is the builder the certificate names";
    match facts.kind {
        Some(BuildKind::GitHubWorkflow) | Some(BuildKind::SlsaGitHubGenerator) => {
            // server_url + job_workflow_ref: the workflow that signed.
            let title = if facts.kind == Some(BuildKind::SlsaGitHubGenerator) {
                "provenance builder.id is the generator workflow that signed"
            } else {
                title
            };
            checks.push(Check::compare(
                ids::ATTESTATION_BUILDER_ID,
                title,
                signing_workflow,
                &facts.builder_id,
            ));
        }
        Some(BuildKind::SlsaGitHubWorkflow) => {
            // GitHub's runner (`<server>/actions/runner/<environment>`), or the workflow
            // that generated the provenance.
            let runner_prefix = format!("{}/actions/runner/", server_of(Some(signer)));
            let ok = facts.builder_id == signing_workflow
                || facts
                    .builder_id
                    .strip_prefix(&runner_prefix)
                    .is_some_and(|env| env == GITHUB_HOSTED || env == "self-hosted");
            let expected =
                format!("{runner_prefix}github-hosted (or self-hosted) or {signing_workflow}");
            checks.push(Check::pass_if(
                ok,
                ids::ATTESTATION_BUILDER_ID,
                title,
                expected,
                &facts.builder_id,
            ));
        }
        Some(BuildKind::GitLabCi) => {
            // A runner of the GitLab instance that issued the certificate:
            // `<server>/…/-/runners/<id>` (the certificate names no runner id).
            let server = server_of(Some(signer));
            let ok = facts
                .builder_id
                .strip_prefix(&format!("{server}/"))
                .is_some_and(|rest| rest.contains("/-/runners/") || rest.starts_with("-/runners/"));
            let expected = format!("a runner of {server} ({server}/…/-/runners/<id>)");
            checks.push(Check::pass_if(
                ok,
                ids::ATTESTATION_BUILDER_ID,
                title,
                expected,
                &facts.builder_id,
            ));
        }
        Some(BuildKind::Minimal) | None => {}
    }
    checks
}

/// `attestation.runner-environment`: the build ran on a GitHub-hosted runner (unless
/// self-hosted runners are allowed). The certificate's Runner Environment extension comes
/// from GitHub's OIDC token and is authoritative; the provenance's own statement (the
/// `runner_environment` parameter, or the runner in `builder.id`) must agree with it.
///
/// With a managed key there is no certificate: the provenance's own statement is all there
/// is, and it is held to the same policy (a build it does not say ran on a GitHub-hosted
/// runner fails unless self-hosted runners are allowed).
fn check_runner(facts: &BuildFacts, cert: Option<&SignerClaims>, policy: &Policy) -> Check {
    // A build type kakunin does not model: GitLab's when the certificate says GitLab hosted it.
    let gitlab = match facts.kind {
        Some(kind) => kind == BuildKind::GitLabCi,
        None => cert.and_then(|c| c.runner_environment.as_deref()) == Some(GITLAB_HOSTED),
    };
    let hosted = if gitlab { GITLAB_HOSTED } else { GITHUB_HOSTED };
    let title = match (cert, policy.allow_self_hosted_runners, gitlab) {
        (_, true, _) => {
            "the build's runner environment is stated consistently (self-hosted runners allowed)"
        }
        (Some(_), false, false) => "the build ran on a GitHub-hosted runner",
        (None, false, false) => "the provenance says the build ran on a GitHub-hosted runner",
        (Some(_), false, true) => "the build ran on a GitLab-hosted runner",
        (None, false, true) => "the provenance says the build ran on a GitLab-hosted runner",
    };
    let id = ids::ATTESTATION_RUNNER_ENVIRONMENT;
    let from_builder = (facts.kind == Some(BuildKind::SlsaGitHubWorkflow))
        .then(|| {
            facts
                .builder_id
                .strip_prefix(&format!("{}/actions/runner/", server_of(cert)))
        })
        .flatten();
    let stated = facts.runner_environment.as_deref().or(from_builder);
    let cert = cert.and_then(|c| c.runner_environment.as_deref());
    if let (Some(cert), Some(stated)) = (cert, stated) {
        if cert != stated {
            return Check::fail(
                id,
                "the provenance's runner environment = the certificate's",
                cert,
                format!("{stated} (the provenance contradicts the certificate)"),
            );
        }
    }
    let expected = match (policy.allow_self_hosted_runners, gitlab) {
        (true, false) => "github-hosted or self-hosted",
        (true, true) => "gitlab-hosted or self-hosted",
        (false, _) => hosted,
    };
    match cert.or(stated) {
        Some(h) if h == hosted => Check::pass(id, title, expected, hosted),
        Some(other) if policy.allow_self_hosted_runners => Check::pass(
            id,
            title,
            expected,
            format!("{other} (allowed by --allow-self-hosted-runners)"),
        ),
        Some(other) => Check::fail(
            id,
            title,
            expected,
            format!("{other} (use --allow-self-hosted-runners to accept it)"),
        ),
        None if policy.allow_self_hosted_runners => Check::pass(
            id,
            title,
            expected,
            "not stated by the certificate or the provenance (allowed by --allow-self-hosted-runners)",
        ),
        None => Check::fail(
            id,
            title,
            expected,
            "not stated by the certificate or the provenance",
        ),
    }
}

/// `https://github.com` from the certificate's source repository URI (GitHub Enterprise
/// servers have their own), `https://github.com` when the certificate does not say.
fn server_of(signer: Option<&SignerClaims>) -> String {
    signer
        .and_then(|s| s.source_repository_uri.as_deref())
        .and_then(|u| {
            let rest = u.strip_prefix("https://")?;
            let host = rest.split('/').next()?;
            Some(format!("https://{host}"))
        })
        .unwrap_or_else(|| "https://github.com".to_owned())
}

/// `<repository>/<path>@<ref>` → `<path>`; the ref is cut from the end because the path
/// itself may contain `@`.
fn workflow_path_of(
    build_config_uri: &str,
    repository: &str,
    git_ref: Option<&str>,
) -> Option<String> {
    let rest = build_config_uri
        .strip_prefix(repository)?
        .strip_prefix('/')?;
    let path = match git_ref.and_then(|r| rest.strip_suffix(&format!("@{r}"))) {
        Some(p) => p,
        None => rest.rsplit_once('@')?.0,
    };
    // GitLab separates the project from the pipeline file with `//`.
    let path = path.trim_start_matches('/');
    (!path.is_empty()).then(|| path.to_owned())
}

/// `--repository` as `verify-bundle` reads it: `OWNER/REPO` means
/// `https://github.com/OWNER/REPO`, a URL is taken as given; compared exactly.
fn repository_matches(want: &str, found: &str) -> bool {
    crate::bundle::repository_uri(want) == found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_and_path_helpers() {
        assert!(repository_matches("o/r", "https://github.com/o/r"));
        assert!(repository_matches(
            "https://github.com/o/r/",
            "https://github.com/o/r"
        ));
        assert!(!repository_matches("O/R", "https://github.com/o/r"));
        assert!(!repository_matches("o/r2", "https://github.com/o/r"));
        assert!(!repository_matches(
            "https://ghe.example/o/r",
            "https://github.com/o/r"
        ));
        assert_eq!(
            workflow_path_of(
                "https://github.com/o/r/.github/workflows/a@b.yml@refs/tags/v1",
                "https://github.com/o/r",
                Some("refs/tags/v1")
            )
            .as_deref(),
            Some(".github/workflows/a@b.yml")
        );
        assert_eq!(
            workflow_path_of(
                "https://github.com/o/r2/.github/workflows/a.yml@x",
                "https://github.com/o/r",
                None
            ),
            None
        );
    }
}
