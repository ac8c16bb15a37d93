//! SLSA build provenance: v1 (<https://slsa.dev/provenance/v1>) and v0.2 (what
//! slsa-github-generator signs), read into the few facts kakunin checks.
//!
//! Build types understood:
//! - `https://actions.github.io/buildtypes/workflow/v1` (GitHub artifact attestations today):
//!   `builder.id` is `server_url + "/" + job_workflow_ref`, the runner kind is in
//!   `internalParameters.github.runner_environment`;
//! - `https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1` (earlier GitHub
//!   attestations): `builder.id` is `https://github.com/actions/runner/<github-hosted|self-hosted>`
//!   (or the signing workflow when a reusable workflow generated it);
//! - slsa-github-generator's SLSA v0.2 build types
//!   (`https://github.com/slsa-framework/slsa-github-generator/<generic|go|container…>@v1`):
//!   `invocation.configSource` = `git+<repository>@<ref>`, `entryPoint` = the workflow path,
//!   `digest.sha1` = the commit; `builder.id` = the generator's reusable workflow.
//!
//! - GitLab CI's build type (`https://gitlab.com/gitlab-org/gitlab-runner/-/blob/<version>/PROVENANCE.md`,
//!   and the `docs.gitlab.com` SLSA provenance page): `externalParameters.source` = the project
//!   URL, `entryPoint` = the job, `variables` = the CI/CD variables (the ref is `CI_COMMIT_TAG`
//!   or `CI_COMMIT_BRANCH`, the pipeline file `CI_CONFIG_PATH`), the resolved dependency whose
//!   `uri` is the project URL carries the `gitCommit`; `builder.id` is a runner URL;
//! - kakunin's minimal provenance of a build outside CI ([`KAKUNIN_MINIMAL_V1`]):
//!   `externalParameters.source` and its resolved dependency's `gitCommit`, and `builder.id`,
//!   all stated by the signer alone.
//!
//! Guarantees: [`BuildFacts`] holds exactly what the predicate says for these fields, parsed
//! from the same bounded payload as the statement; nothing is inferred or defaulted (a field
//! the predicate lacks is `None`, and the policy fails on it). Other fields of the predicate
//! are skipped without being buffered.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::json::{BoundedVec, DigestSet, Lenient, LenientStr};

pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
pub const SLSA_PROVENANCE_V0_2: &str = "https://slsa.dev/provenance/v0.2";

pub const GITHUB_WORKFLOW_V1: &str = "https://actions.github.io/buildtypes/workflow/v1";
pub const SLSA_GITHUB_WORKFLOW_V1: &str =
    "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1";
pub const SLSA_GITHUB_GENERATOR_PREFIX: &str =
    "https://github.com/slsa-framework/slsa-github-generator/";
/// GitLab Runner's build type: this prefix, the runner version, then [`GITLAB_RUNNER_SUFFIX`].
pub const GITLAB_RUNNER_PREFIX: &str = "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/";
pub const GITLAB_RUNNER_SUFFIX: &str = "/PROVENANCE.md";
/// GitLab's SLSA provenance specification page (the build type of GitLab-generated statements).
pub const GITLAB_SLSA_V1: &str = "https://docs.gitlab.com/ci/pipeline_security/slsa/provenance_v1";
/// kakunin's minimal provenance of a build outside CI (docs/publish.md, "Minimal provenance").
pub const KAKUNIN_MINIMAL_V1: &str =
    "https://github.com/kakunin/kakunin/blob/main/docs/publish.md#minimal-provenance-v1";

/// Whether `build_type` is one of GitLab CI's.
pub fn is_gitlab_build_type(build_type: &str) -> bool {
    build_type == GITLAB_SLSA_V1
        || build_type
            .strip_prefix(GITLAB_RUNNER_PREFIX)
            .and_then(|v| v.strip_suffix(GITLAB_RUNNER_SUFFIX))
            .is_some_and(|v| !v.is_empty() && !v.contains('/'))
}

/// Most resolved dependencies / materials kakunin reads from one provenance.
pub const MAX_DEPENDENCIES: usize = crate::limits::MAX_PROVENANCE_DEPENDENCIES;

/// The build types whose fields kakunin knows how to bind to a GitHub certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuildKind {
    /// `https://actions.github.io/buildtypes/workflow/v1`
    GitHubWorkflow,
    /// `https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1`
    SlsaGitHubWorkflow,
    /// slsa-github-generator's SLSA v0.2 build types.
    SlsaGitHubGenerator,
    /// GitLab CI's build types ([`is_gitlab_build_type`]).
    GitLabCi,
    /// kakunin's minimal provenance ([`KAKUNIN_MINIMAL_V1`]): weaker, stated by the signer alone.
    Minimal,
}

/// What a provenance predicate says about the build, for the fields kakunin checks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BuildFacts {
    pub predicate_type: String,
    pub build_type: String,
    /// `None` for a build type kakunin does not know.
    pub kind: Option<BuildKind>,
    pub builder_id: String,
    /// HTTPS URI of the source repository (`externalParameters.workflow.repository`).
    pub repository: Option<String>,
    /// The git ref built (`externalParameters.workflow.ref`).
    pub git_ref: Option<String>,
    /// The workflow file within the repository (`externalParameters.workflow.path`).
    pub workflow_path: Option<String>,
    /// The commit the resolved source dependency points at.
    pub source_commit: Option<String>,
    /// `github-hosted` / `self-hosted`, when the predicate says.
    pub runner_environment: Option<String>,
    /// External parameters the build type does not define (consumers SHOULD reject them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown_external_parameters: Vec<String>,
}

/// Why a predicate is not readable as SLSA provenance.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProvenanceError {
    #[error("predicate is not SLSA provenance {predicate_type}: {detail}")]
    Json {
        predicate_type: String,
        detail: String,
    },
    #[error("predicateType {0} is not SLSA provenance v1 or v0.2")]
    NotProvenance(String),
}

/// Whether kakunin reads this predicate type as build provenance.
pub fn is_provenance(predicate_type: &str) -> bool {
    predicate_type == SLSA_PROVENANCE_V1 || predicate_type == SLSA_PROVENANCE_V0_2
}

/// Reads the provenance facts of a statement payload whose predicateType is `predicate_type`.
/// The payload was already bounded and parsed as a [`super::statement::Statement`].
pub fn read(payload: &[u8], predicate_type: &str) -> Result<BuildFacts, ProvenanceError> {
    let err = |detail: String| ProvenanceError::Json {
        predicate_type: predicate_type.to_owned(),
        detail,
    };
    match predicate_type {
        SLSA_PROVENANCE_V1 => {
            let doc: PredicateOf<V1> = super::json::from_slice(payload).map_err(err)?;
            Ok(doc.predicate.facts(predicate_type).unmodelled_unread())
        }
        SLSA_PROVENANCE_V0_2 => {
            let doc: PredicateOf<V02> = super::json::from_slice(payload).map_err(err)?;
            Ok(doc.predicate.facts(predicate_type).unmodelled_unread())
        }
        other => Err(ProvenanceError::NotProvenance(other.to_owned())),
    }
}

impl BuildFacts {
    /// A build type kakunin does not model: only what every SLSA provenance states (build type,
    /// builder id) is kept; fields read in another build type's places are not guessed at.
    fn unmodelled_unread(self) -> BuildFacts {
        if self.kind.is_some() {
            return self;
        }
        BuildFacts {
            repository: None,
            git_ref: None,
            workflow_path: None,
            source_commit: None,
            runner_environment: None,
            unknown_external_parameters: Vec::new(),
            ..self
        }
    }
}

/// The statement with only its predicate read (other fields skipped, duplicates refused).
#[derive(Deserialize)]
struct PredicateOf<P> {
    predicate: P,
}

// ---- SLSA v1 -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V1 {
    build_definition: BuildDefinition,
    run_details: RunDetails,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition {
    build_type: String,
    external_parameters: ExternalParameters,
    #[serde(default)]
    internal_parameters: Lenient<InternalParameters>,
    #[serde(default)]
    resolved_dependencies: BoundedVec<ResourceDescriptor, MAX_DEPENDENCIES>,
}

#[derive(Deserialize)]
struct RunDetails {
    builder: Builder,
}

#[derive(Deserialize)]
struct Builder {
    id: String,
}

#[derive(Deserialize)]
struct ResourceDescriptor {
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    digest: Option<DigestSet>,
}

#[derive(Deserialize, Default)]
struct InternalParameters {
    #[serde(default)]
    github: Lenient<GitHubInternal>,
}

#[derive(Deserialize, Default)]
struct GitHubInternal {
    #[serde(default)]
    runner_environment: LenientStr,
}

#[derive(Deserialize, Default)]
struct WorkflowParameters {
    #[serde(default, rename = "ref")]
    git_ref: LenientStr,
    #[serde(default)]
    repository: LenientStr,
    #[serde(default)]
    path: LenientStr,
}

/// `externalParameters`: the `workflow` object and `runner_environment` of GitHub's build
/// types, plus the names of every other parameter (kept to be reported, values skipped).
#[derive(Default)]
struct ExternalParameters {
    workflow: Option<WorkflowParameters>,
    runner_environment: Option<String>,
    /// GitLab's and the minimal build type's `source` (the repository URL).
    source: Option<String>,
    /// GitLab's `variables`: the few CI/CD variables kakunin reads.
    variables: Option<GitLabVariables>,
    others: Vec<String>,
}

/// The CI/CD variables of a GitLab provenance that say what was built from where.
#[derive(Deserialize, Default)]
struct GitLabVariables {
    #[serde(default, rename = "CI_COMMIT_TAG")]
    commit_tag: LenientStr,
    #[serde(default, rename = "CI_COMMIT_BRANCH")]
    commit_branch: LenientStr,
    #[serde(default, rename = "CI_CONFIG_PATH")]
    config_path: LenientStr,
}

/// External parameters kakunin's minimal build type defines.
const MINIMAL_EXTERNAL_PARAMETERS: &[&str] = &["source"];

/// External parameters GitHub's workflow build types define.
const GITHUB_EXTERNAL_PARAMETERS: &[&str] = &[
    "workflow",
    "runner_environment",
    "inputs",
    "release",
    "vars",
];

impl<'de> Deserialize<'de> for ExternalParameters {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExternalParameters;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of external parameters")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = ExternalParameters::default();
                let mut seen = std::collections::BTreeSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format_args!(
                            "external parameter {key:?} appears twice"
                        )));
                    }
                    match key.as_str() {
                        "workflow" => {
                            out.workflow = map.next_value::<Lenient<WorkflowParameters>>()?.0
                        }
                        "runner_environment" => {
                            out.runner_environment = map.next_value::<LenientStr>()?.0
                        }
                        "source" => out.source = map.next_value::<LenientStr>()?.0,
                        "variables" => {
                            out.variables = map.next_value::<Lenient<GitLabVariables>>()?.0
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            if out.others.len() < 64 {
                                out.others.push(key);
                            }
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

impl V1 {
    fn facts(self, predicate_type: &str) -> BuildFacts {
        let def = self.build_definition;
        let kind = match def.build_type.as_str() {
            GITHUB_WORKFLOW_V1 => Some(BuildKind::GitHubWorkflow),
            SLSA_GITHUB_WORKFLOW_V1 => Some(BuildKind::SlsaGitHubWorkflow),
            KAKUNIN_MINIMAL_V1 => Some(BuildKind::Minimal),
            t if is_gitlab_build_type(t) => Some(BuildKind::GitLabCi),
            _ => None,
        };
        let read = if matches!(kind, Some(BuildKind::GitLabCi | BuildKind::Minimal)) {
            source_fields(kind, def.external_parameters, &def.resolved_dependencies.0)
        } else {
            workflow_fields(
                kind,
                def.external_parameters,
                def.internal_parameters,
                &def.resolved_dependencies.0,
            )
        };
        BuildFacts {
            predicate_type: predicate_type.to_owned(),
            build_type: def.build_type,
            kind,
            builder_id: self.run_details.builder.id,
            repository: read.repository,
            git_ref: read.git_ref,
            workflow_path: read.workflow_path,
            source_commit: read.source_commit,
            runner_environment: read.runner_environment,
            unknown_external_parameters: read.unknown_external_parameters,
        }
    }
}

/// The fields of [`BuildFacts`] a v1 build type states in its own places.
struct Fields {
    repository: Option<String>,
    git_ref: Option<String>,
    workflow_path: Option<String>,
    source_commit: Option<String>,
    runner_environment: Option<String>,
    unknown_external_parameters: Vec<String>,
}

/// The `gitCommit` (or, with `sha1`, that digest) of the resolved dependency whose `uri` is
/// exactly `uri`.
fn commit_of(deps: &[ResourceDescriptor], uri: &str, sha1: bool) -> Option<String> {
    let digest = deps
        .iter()
        .find(|d| d.uri.as_deref() == Some(uri))
        .and_then(|d| d.digest.as_ref())?;
    digest
        .get("gitCommit")
        .or_else(|| if sha1 { digest.get("sha1") } else { None })
        .map(str::to_owned)
}

/// The external parameters among `names` that the build type does not define.
fn undefined(names: Vec<String>, defined: &[&str]) -> Vec<String> {
    names
        .into_iter()
        .filter(|k| !defined.contains(&k.as_str()))
        .collect()
}

/// GitLab's and the minimal build type: the source is a URL, the resolved dependency with that
/// very `uri` carries the commit; GitLab's ref and pipeline file are CI/CD variables.
fn source_fields(
    kind: Option<BuildKind>,
    ext: ExternalParameters,
    deps: &[ResourceDescriptor],
) -> Fields {
    let repository = ext.source;
    let source_commit = repository
        .as_deref()
        .and_then(|repo| commit_of(deps, repo, false));
    let has_variables = ext.variables.is_some();
    let vars = ext.variables.unwrap_or_default();
    let (git_ref, workflow_path) = if kind == Some(BuildKind::GitLabCi) {
        let git_ref = match (vars.commit_tag.0, vars.commit_branch.0) {
            (Some(tag), _) => Some(format!("refs/tags/{tag}")),
            (None, Some(branch)) => Some(format!("refs/heads/{branch}")),
            (None, None) => None,
        };
        (git_ref, vars.config_path.0)
    } else {
        (None, None)
    };
    // GitLab: consumers ignore unknown external parameters (its build type says so); the
    // minimal build type defines `source` only.
    let unknown_external_parameters = if kind == Some(BuildKind::Minimal) {
        let mut names = ext.others;
        if ext.workflow.is_some() {
            names.push("workflow".into());
        }
        if ext.runner_environment.is_some() {
            names.push("runner_environment".into());
        }
        if has_variables {
            names.push("variables".into());
        }
        undefined(names, MINIMAL_EXTERNAL_PARAMETERS)
    } else {
        Vec::new()
    };
    Fields {
        repository,
        git_ref,
        workflow_path,
        source_commit,
        runner_environment: None,
        unknown_external_parameters,
    }
}

/// GitHub's workflow build types: `externalParameters.workflow`, the resolved dependency
/// `git+<repository>@<ref>` (SPDX download location) whose gitCommit is the source built, and
/// the runner environment.
fn workflow_fields(
    kind: Option<BuildKind>,
    ext: ExternalParameters,
    internal: Lenient<InternalParameters>,
    deps: &[ResourceDescriptor],
) -> Fields {
    let workflow = ext.workflow.unwrap_or_default();
    let repository = workflow.repository.0;
    let git_ref = workflow.git_ref.0;
    let source_commit = match (&repository, &git_ref) {
        (Some(repo), Some(r)) => commit_of(deps, &format!("git+{repo}@{r}"), true),
        _ => None,
    };
    let internal_runner = internal
        .0
        .and_then(|i| i.github.0)
        .and_then(|g| g.runner_environment.0);
    let mut others = ext.others;
    if ext.source.is_some() {
        others.push("source".into());
    }
    if ext.variables.is_some() {
        others.push("variables".into());
    }
    let unknown_external_parameters = if kind.is_some() {
        undefined(others, GITHUB_EXTERNAL_PARAMETERS)
    } else {
        Vec::new()
    };
    Fields {
        repository,
        git_ref,
        workflow_path: workflow.path.0,
        source_commit,
        runner_environment: ext.runner_environment.or(internal_runner),
        unknown_external_parameters,
    }
}

// ---- SLSA v0.2 (slsa-github-generator) -----------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct V02 {
    builder: Builder,
    build_type: String,
    #[serde(default)]
    invocation: Option<Invocation>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    #[serde(default)]
    config_source: Option<ConfigSource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigSource {
    #[serde(default)]
    uri: Option<String>,
    #[serde(default)]
    digest: Option<DigestSet>,
    #[serde(default)]
    entry_point: Option<String>,
}

impl V02 {
    fn facts(self, predicate_type: &str) -> BuildFacts {
        let kind = self
            .build_type
            .starts_with(SLSA_GITHUB_GENERATOR_PREFIX)
            .then_some(BuildKind::SlsaGitHubGenerator);
        let source = self.invocation.and_then(|i| i.config_source);
        let (mut repository, mut git_ref, mut workflow_path, mut source_commit) =
            (None, None, None, None);
        if let Some(source) = source {
            // `git+https://github.com/OWNER/REPO@refs/tags/v1`: the ref follows the last `@`
            // that starts a `refs/` (a path cannot hold `@refs/`).
            if let Some(rest) = source.uri.as_deref().and_then(|u| u.strip_prefix("git+")) {
                if let Some(at) = rest.rfind("@refs/") {
                    repository = Some(rest[..at].to_owned());
                    git_ref = Some(rest[at + 1..].to_owned());
                }
            }
            source_commit = source
                .digest
                .as_ref()
                .and_then(|d| d.get("sha1").or_else(|| d.get("gitCommit")))
                .map(str::to_owned);
            workflow_path = source.entry_point;
        }
        BuildFacts {
            predicate_type: predicate_type.to_owned(),
            build_type: self.build_type,
            kind,
            builder_id: self.builder.id,
            repository,
            git_ref,
            workflow_path,
            source_commit,
            runner_environment: None,
            unknown_external_parameters: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v1(build_type: &str, extra_external: &str, internal: &str, builder: &str) -> String {
        format!(
            r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"digest":{{"sha256":"00"}}}}],
            "predicateType":"https://slsa.dev/provenance/v1","predicate":{{
              "buildDefinition":{{"buildType":"{build_type}",
                "externalParameters":{{"workflow":{{"ref":"refs/tags/v1.3.1","repository":"https://github.com/o/r","path":".github/workflows/release.yaml"}}{extra_external}}},
                "internalParameters":{internal},
                "resolvedDependencies":[{{"uri":"git+https://github.com/o/other@refs/tags/v1.3.1","digest":{{"gitCommit":"bad"}}}},
                                        {{"uri":"git+https://github.com/o/r@refs/tags/v1.3.1","digest":{{"gitCommit":"c0ffee"}}}}]}},
              "runDetails":{{"builder":{{"id":"{builder}"}},"metadata":{{"invocationId":"x"}}}}}}}}"#
        )
    }

    #[test]
    fn reads_github_workflow_v1() {
        let doc = v1(
            GITHUB_WORKFLOW_V1,
            "",
            r#"{"github":{"event_name":"push","runner_environment":"github-hosted"}}"#,
            "https://github.com/o/r/.github/workflows/release.yaml@refs/tags/v1.3.1",
        );
        let f = read(doc.as_bytes(), SLSA_PROVENANCE_V1).unwrap();
        assert_eq!(f.kind, Some(BuildKind::GitHubWorkflow));
        assert_eq!(f.repository.as_deref(), Some("https://github.com/o/r"));
        assert_eq!(f.git_ref.as_deref(), Some("refs/tags/v1.3.1"));
        assert_eq!(
            f.workflow_path.as_deref(),
            Some(".github/workflows/release.yaml")
        );
        assert_eq!(f.source_commit.as_deref(), Some("c0ffee"));
        assert_eq!(f.runner_environment.as_deref(), Some("github-hosted"));
        assert!(f.unknown_external_parameters.is_empty());
    }

    #[test]
    fn unknown_shapes_of_build_type_specific_fields_are_skipped_not_guessed() {
        let doc = v1(
            "https://example.com/other/v1",
            r#","extra":{"a":[1,2]}"#,
            r#"[1,2,3]"#,
            "https://example.com/builder",
        );
        let f = read(doc.as_bytes(), SLSA_PROVENANCE_V1).unwrap();
        assert_eq!(f.kind, None);
        assert_eq!(f.runner_environment, None);
        // GitHub's workflow fields in a build type that is not GitHub's are not read.
        assert_eq!(
            (f.repository, f.git_ref, f.source_commit),
            (None, None, None)
        );
        assert_eq!(f.builder_id, "https://example.com/builder");
        // Unknown external parameters are only reported for build types that define them.
        assert!(f.unknown_external_parameters.is_empty());
        let doc = v1(GITHUB_WORKFLOW_V1, r#","extra":1"#, "null", "b");
        let f = read(doc.as_bytes(), SLSA_PROVENANCE_V1).unwrap();
        assert_eq!(f.unknown_external_parameters, vec!["extra".to_string()]);
        assert_eq!(f.runner_environment, None);
    }

    #[test]
    fn malformed_provenance_says_what_is_missing() {
        let doc = v1(GITHUB_WORKFLOW_V1, "", "{}", "b").replace("runDetails", "rundetails");
        let err = read(doc.as_bytes(), SLSA_PROVENANCE_V1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `runDetails`"), "{err}");
        let doc = v1(GITHUB_WORKFLOW_V1, r#","workflow":{}"#, "{}", "b");
        let err = read(doc.as_bytes(), SLSA_PROVENANCE_V1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"workflow\" appears twice"), "{err}");
        assert!(matches!(
            read(doc.as_bytes(), "https://example.com/p"),
            Err(ProvenanceError::NotProvenance(_))
        ));
    }

    #[test]
    fn reads_gitlab_and_minimal_provenance() {
        let doc = |build_type: &str, external: &str| {
            format!(
                r#"{{"_type":"https://in-toto.io/Statement/v1","subject":[{{"digest":{{"sha256":"00"}}}}],
                "predicateType":"https://slsa.dev/provenance/v1","predicate":{{
                  "buildDefinition":{{"buildType":"{build_type}","externalParameters":{external},
                    "resolvedDependencies":[{{"uri":"https://gitlab.com/g/other","digest":{{"gitCommit":"bad"}}}},
                                            {{"uri":"https://gitlab.com/g/p","digest":{{"gitCommit":"c0ffee"}}}}]}},
                  "runDetails":{{"builder":{{"id":"https://gitlab.com/g/p/-/runners/33"}}}}}}}}"#
            )
        };
        let gitlab = doc(
            "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/v18.1.0/PROVENANCE.md",
            r#"{"source":"https://gitlab.com/g/p","entryPoint":"release","variables":{"CI_COMMIT_TAG":"v1.2.3","CI_COMMIT_BRANCH":"main","CI_CONFIG_PATH":".gitlab-ci.yml","CI_JOB_ID":"7"}}"#,
        );
        let f = read(gitlab.as_bytes(), SLSA_PROVENANCE_V1).unwrap();
        assert_eq!(f.kind, Some(BuildKind::GitLabCi));
        assert_eq!(f.repository.as_deref(), Some("https://gitlab.com/g/p"));
        assert_eq!(f.git_ref.as_deref(), Some("refs/tags/v1.2.3"));
        assert_eq!(f.workflow_path.as_deref(), Some(".gitlab-ci.yml"));
        assert_eq!(f.source_commit.as_deref(), Some("c0ffee"));
        assert!(f.unknown_external_parameters.is_empty());
        assert!(!is_gitlab_build_type(
            "https://gitlab.com/gitlab-org/gitlab-runner/-/blob/a/b/PROVENANCE.md"
        ));

        let minimal = doc(KAKUNIN_MINIMAL_V1, r#"{"source":"https://gitlab.com/g/p"}"#);
        let f = read(minimal.as_bytes(), SLSA_PROVENANCE_V1).unwrap();
        assert_eq!(f.kind, Some(BuildKind::Minimal));
        assert_eq!(f.source_commit.as_deref(), Some("c0ffee"));
        assert_eq!((f.git_ref, f.workflow_path), (None, None));
        let minimal = doc(
            KAKUNIN_MINIMAL_V1,
            r#"{"source":"https://gitlab.com/g/p","workflow":{}}"#,
        );
        let f = read(minimal.as_bytes(), SLSA_PROVENANCE_V1).unwrap();
        assert_eq!(f.unknown_external_parameters, vec!["workflow".to_string()]);
    }

    #[test]
    fn reads_slsa_github_generator_v0_2() {
        let doc = r#"{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2",
          "subject":[{"name":"a","digest":{"sha256":"00"}}],
          "predicate":{"builder":{"id":"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml@refs/tags/v1.2.2"},
            "buildType":"https://github.com/slsa-framework/slsa-github-generator/generic@v1",
            "invocation":{"configSource":{"uri":"git+https://github.com/asraa/slsa-on-github-test@refs/tags/v1.5.0",
              "digest":{"sha1":"5e7ad4b6c7d2b6b2b6e0f5f5b6b2b6b2b6e0f5f5"},"entryPoint":".github/workflows/slsa-generic.yml"},
              "parameters":{},"environment":{"github_run_id":"1"}},
            "materials":[]}}"#;
        let f = read(doc.as_bytes(), SLSA_PROVENANCE_V0_2).unwrap();
        assert_eq!(f.kind, Some(BuildKind::SlsaGitHubGenerator));
        assert_eq!(
            f.repository.as_deref(),
            Some("https://github.com/asraa/slsa-on-github-test")
        );
        assert_eq!(f.git_ref.as_deref(), Some("refs/tags/v1.5.0"));
        assert_eq!(
            f.workflow_path.as_deref(),
            Some(".github/workflows/slsa-generic.yml")
        );
        assert_eq!(
            f.source_commit.as_deref(),
            Some("5e7ad4b6c7d2b6b2b6e0f5f5b6b2b6b2b6e0f5f5")
        );
    }
}
