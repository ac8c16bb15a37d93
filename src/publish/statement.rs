//! The statement a release publishes: an in-toto Statement v1 whose predicate is a SLSA
//! provenance v1 of GitHub's workflow build type
//! (`https://actions.github.io/buildtypes/workflow/v1`), shaped as
//! actions/attest-build-provenance writes it, or, for a build outside CI, kakunin's minimal
//! provenance ([`MINIMAL_BUILD_TYPE`]: the builder and the source commit, as the signer states
//! them, nothing else).
//!
//! Guarantees: the statement has exactly one subject, the artifact's name and SHA-256; every
//! provenance field comes from an explicit flag or the CI environment, never from a default
//! that could pass for a real value (every missing or malformed required field is reported, all
//! in one error naming each flag and variable); the bytes are deterministic for the same inputs.

use serde::Serialize;

use crate::digest::{Algorithm, Digest};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
pub const GITHUB_WORKFLOW_BUILD_TYPE: &str = "https://actions.github.io/buildtypes/workflow/v1";
/// GitLab's SLSA provenance build type (its specification page).
pub const GITLAB_BUILD_TYPE: &str = crate::attestation::provenance::GITLAB_SLSA_V1;
/// kakunin's minimal provenance for a build outside CI (docs/publish.md, "Minimal provenance").
pub const MINIMAL_BUILD_TYPE: &str = crate::attestation::provenance::KAKUNIN_MINIMAL_V1;

/// The GitHub Actions run that built the artifact. Each field's doc names its flag and the
/// environment variable it is read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BuildContext {
    /// `--server-url` / `GITHUB_SERVER_URL` (default `https://github.com`).
    pub server_url: Option<String>,
    /// `--repository` / `GITHUB_REPOSITORY`: `owner/repo`. Required.
    pub repository: Option<String>,
    /// `--workflow-ref` / `GITHUB_WORKFLOW_REF`:
    /// `owner/repo/.github/workflows/file.yaml@refs/...`. Required.
    pub workflow_ref: Option<String>,
    /// `--job-workflow-ref` (the reusable workflow that signs, if not the top-level one;
    /// the builder id). Defaults to the workflow ref.
    pub job_workflow_ref: Option<String>,
    /// `--ref` / `GITHUB_REF`: the git ref built. Required.
    pub git_ref: Option<String>,
    /// `--sha` / `GITHUB_SHA`: the commit built. Required.
    pub sha: Option<String>,
    /// `--event-name` / `GITHUB_EVENT_NAME`.
    pub event_name: Option<String>,
    /// `--repository-id` / `GITHUB_REPOSITORY_ID`.
    pub repository_id: Option<String>,
    /// `--repository-owner-id` / `GITHUB_REPOSITORY_OWNER_ID`.
    pub repository_owner_id: Option<String>,
    /// `--runner-environment` / `RUNNER_ENVIRONMENT` (`github-hosted` or `self-hosted`).
    pub runner_environment: Option<String>,
    /// `--run-id` / `GITHUB_RUN_ID`. Required.
    pub run_id: Option<String>,
    /// `--run-attempt` / `GITHUB_RUN_ATTEMPT` (default 1).
    pub run_attempt: Option<String>,
    /// `--builder-id`: who built it, for a minimal provenance outside CI (a URI).
    pub builder_id: Option<String>,
    /// `--source`: `URI@COMMIT` built, for a minimal provenance outside CI.
    pub source: Option<String>,
    /// The CI the environment says this runs in (`GITHUB_ACTIONS=true`, `GITLAB_CI=true`).
    pub ci: Option<&'static str>,
    /// In GitLab CI (`GITLAB_CI=true`): the `CI_*` variables its provenance is made of.
    pub gitlab: Option<std::collections::BTreeMap<&'static str, String>>,
}

/// The GitLab CI/CD variables a GitLab provenance reads ([`BuildContext::with_env`]).
pub const GITLAB_VARIABLES: &[&str] = &[
    "CI_PROJECT_URL",
    "CI_PROJECT_PATH",
    "CI_SERVER_URL",
    "CI_COMMIT_SHA",
    "CI_COMMIT_TAG",
    "CI_COMMIT_BRANCH",
    "CI_COMMIT_REF_NAME",
    "CI_CONFIG_PATH",
    "CI_JOB_ID",
    "CI_JOB_NAME",
    "CI_PIPELINE_ID",
    "CI_PIPELINE_SOURCE",
    "CI_RUNNER_ID",
];

/// One required provenance field that is missing or malformed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldProblem {
    /// A CI variable with no flag (GitLab CI's).
    MissingVariable {
        field: &'static str,
        env: &'static str,
        ci: &'static str,
    },
    Missing {
        field: &'static str,
        flag: &'static str,
        env: Option<&'static str>,
    },
    Invalid {
        field: &'static str,
        expected: &'static str,
        found: String,
    },
}

impl std::fmt::Display for FieldProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FieldProblem::Missing {
                field,
                flag,
                env: Some(env),
            } => write!(
                f,
                "provenance field {field}: expected {flag} or ${env} (set in GitHub Actions), found neither"
            ),
            FieldProblem::Missing {
                field,
                flag,
                env: None,
            } => write!(f, "provenance field {field}: expected {flag}, found none"),
            FieldProblem::MissingVariable { field, env, ci } => write!(
                f,
                "provenance field {field}: expected ${env} (set in {ci}), found none"
            ),
            FieldProblem::Invalid {
                field,
                expected,
                found,
            } => write!(
                f,
                "provenance field {field}: expected {expected}, found {found:?}"
            ),
        }
    }
}

/// The problems of one provenance, collected so that one error names them all.
#[derive(Default)]
struct Problems(Vec<FieldProblem>);

impl Problems {
    fn need(
        &mut self,
        v: &Option<String>,
        field: &'static str,
        flag: &'static str,
        env: Option<&'static str>,
    ) -> Option<String> {
        if v.is_none() {
            self.0.push(FieldProblem::Missing { field, flag, env });
        }
        v.clone()
    }
    fn invalid(&mut self, field: &'static str, expected: &'static str, found: impl Into<String>) {
        self.0.push(FieldProblem::Invalid {
            field,
            expected,
            found: found.into(),
        });
    }
}

fn describe_problems(problems: &[FieldProblem], minimal_hint: bool) -> String {
    let mut s = match problems {
        [one] => one.to_string(),
        many => format!(
            "{} provenance fields are missing or malformed: {}",
            many.len(),
            many.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    if minimal_hint {
        s.push_str(
            "; outside CI, give --builder-id URI and --source URI@COMMIT instead, for a minimal provenance (weaker: docs/publish.md)",
        );
    }
    s
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatementError {
    /// Every required field that is missing or malformed, in one error.
    #[error("{}", describe_problems(.problems, *.minimal_hint))]
    Provenance {
        problems: Vec<FieldProblem>,
        /// Whether to say how a build outside CI gets a minimal provenance.
        minimal_hint: bool,
    },
    #[error("subject: expected a sha256 digest, found {0}")]
    SubjectDigest(String),
}

impl BuildContext {
    /// Fills every field not already set from the GitHub Actions environment.
    pub fn with_env(mut self, env: impl Fn(&str) -> Option<String>) -> BuildContext {
        let get = |v: &str| env(v).filter(|s| !s.is_empty());
        let fill = |slot: &mut Option<String>, var: &str| {
            if slot.is_none() {
                *slot = get(var);
            }
        };
        fill(&mut self.server_url, "GITHUB_SERVER_URL");
        fill(&mut self.repository, "GITHUB_REPOSITORY");
        fill(&mut self.workflow_ref, "GITHUB_WORKFLOW_REF");
        fill(&mut self.git_ref, "GITHUB_REF");
        fill(&mut self.sha, "GITHUB_SHA");
        fill(&mut self.event_name, "GITHUB_EVENT_NAME");
        fill(&mut self.repository_id, "GITHUB_REPOSITORY_ID");
        fill(&mut self.repository_owner_id, "GITHUB_REPOSITORY_OWNER_ID");
        fill(&mut self.runner_environment, "RUNNER_ENVIRONMENT");
        fill(&mut self.run_id, "GITHUB_RUN_ID");
        fill(&mut self.run_attempt, "GITHUB_RUN_ATTEMPT");
        if self.gitlab.is_none() && get("GITLAB_CI").as_deref() == Some("true") {
            self.gitlab = Some(
                GITLAB_VARIABLES
                    .iter()
                    .filter_map(|v| get(v).map(|value| (*v, value)))
                    .collect(),
            );
        }
        if self.ci.is_none() {
            self.ci = if get("GITHUB_ACTIONS").as_deref() == Some("true") {
                Some("GitHub Actions (GITHUB_ACTIONS=true)")
            } else if get("GITLAB_CI").as_deref() == Some("true") {
                Some("GitLab CI (GITLAB_CI=true)")
            } else {
                None
            };
        }
        self
    }

    /// The SLSA provenance predicate, or every missing or malformed field in one error.
    /// `--builder-id` or `--source` select the minimal provenance of a build outside CI.
    pub fn provenance(&self) -> Result<Provenance, StatementError> {
        if self.builder_id.is_some() || self.source.is_some() {
            return self.minimal();
        }
        if let Some(vars) = &self.gitlab {
            return gitlab_provenance(vars);
        }
        let fields = self.github_fields()?;
        Ok(self.github_provenance(fields))
    }

    /// GitHub Actions' fields of the provenance, or every missing or malformed one in one
    /// error.
    fn github_fields(&self) -> Result<GithubFields, StatementError> {
        let mut p = Problems::default();
        let server = self
            .server_url
            .clone()
            .unwrap_or_else(|| "https://github.com".into());
        let server = server.trim_end_matches('/').to_string();
        let repository = p.need(
            &self.repository,
            "repository",
            "--repository",
            Some("GITHUB_REPOSITORY"),
        );
        if let Some(r) = &repository
            && (r.split('/').count() != 2 || r.split('/').any(str::is_empty))
        {
            p.invalid("repository", "owner/repo", r.clone());
        }
        let workflow_ref = p.need(
            &self.workflow_ref,
            "workflow ref",
            "--workflow-ref",
            Some("GITHUB_WORKFLOW_REF"),
        );
        let workflow = match (&workflow_ref, &repository) {
            (Some(w), Some(r)) => match split_workflow_ref(w, r) {
                Ok(x) => Some(x),
                Err(e) => {
                    p.0.push(e);
                    None
                }
            },
            _ => None,
        };
        let git_ref = p.need(&self.git_ref, "ref", "--ref", Some("GITHUB_REF"));
        let sha = p.need(&self.sha, "commit", "--sha", Some("GITHUB_SHA"));
        if let Some(sha) = &sha
            && !is_commit(sha)
        {
            p.invalid("commit", "a 40-hex-digit git commit", sha.clone());
        }
        let run_id = p.need(&self.run_id, "run id", "--run-id", Some("GITHUB_RUN_ID"));
        let (
            Some(repository),
            Some(workflow_ref),
            Some((workflow_path, workflow_git_ref)),
            Some(git_ref),
            Some(sha),
            Some(run_id),
            true,
        ) = (
            repository,
            workflow_ref,
            workflow,
            git_ref,
            sha,
            run_id,
            p.0.is_empty(),
        )
        else {
            let all_missing =
                p.0.iter()
                    .all(|e| matches!(e, FieldProblem::Missing { .. }));
            return Err(StatementError::Provenance {
                problems: p.0,
                minimal_hint: all_missing && self.ci.is_none(),
            });
        };
        Ok(GithubFields {
            server,
            repository,
            workflow_ref,
            workflow_path,
            workflow_git_ref,
            git_ref,
            sha,
            run_id,
        })
    }

    /// The provenance of GitHub's workflow build type, from its checked fields and the optional
    /// ones (event, ids, runner environment, run attempt, job workflow ref).
    fn github_provenance(&self, f: GithubFields) -> Provenance {
        let (server, repository, run_id) = (&f.server, &f.repository, &f.run_id);
        let run_attempt = self.run_attempt.clone().unwrap_or_else(|| "1".into());
        let builder = self.job_workflow_ref.as_ref().unwrap_or(&f.workflow_ref);
        Provenance::GitHub(GitHubProvenance {
            build_definition: BuildDefinition {
                build_type: GITHUB_WORKFLOW_BUILD_TYPE,
                external_parameters: ExternalParameters {
                    workflow: Workflow {
                        git_ref: f.workflow_git_ref.clone(),
                        repository: format!("{server}/{repository}"),
                        path: f.workflow_path.clone(),
                    },
                },
                internal_parameters: InternalParameters {
                    github: GithubParameters {
                        event_name: self.event_name.clone(),
                        repository_id: self.repository_id.clone(),
                        repository_owner_id: self.repository_owner_id.clone(),
                        runner_environment: self.runner_environment.clone(),
                    },
                },
                resolved_dependencies: vec![ResourceDescriptor {
                    uri: format!("git+{server}/{repository}@{}", f.git_ref),
                    digest: GitCommit {
                        git_commit: f.sha.clone(),
                    },
                }],
            },
            run_details: RunDetails {
                builder: Builder {
                    id: format!("{server}/{builder}"),
                },
                metadata: Metadata {
                    invocation_id: format!(
                        "{server}/{repository}/actions/runs/{run_id}/attempts/{run_attempt}"
                    ),
                },
            },
        })
    }

    /// kakunin's minimal provenance: `--builder-id` and `--source URI@COMMIT`, outside CI only
    /// (in CI, the CI's own provenance says more, and is what verifiers bind to its certificate).
    fn minimal(&self) -> Result<Provenance, StatementError> {
        let mut p = Problems::default();
        if let Some(ci) = self.ci {
            p.invalid(
                "--builder-id/--source",
                "a build outside CI (in CI, leave them out: the CI's full provenance is made)",
                ci,
            );
        }
        let builder = p.need(&self.builder_id, "builder id", "--builder-id", None);
        if let Some(b) = &builder
            && !is_uri(b)
        {
            p.invalid(
                "builder id",
                "a URI naming who built it, e.g. mailto:you@example.com or https://example.com/build-host",
                b.clone(),
            );
        }
        let source = p.need(&self.source, "source", "--source", None);
        let split = source.as_deref().and_then(|s| {
            s.rsplit_once('@')
                .filter(|(uri, rev)| is_uri(uri) && is_commit(rev))
        });
        if let (Some(s), None) = (&source, split) {
            p.invalid(
                "source",
                "URI@COMMIT, e.g. https://example.com/o/r@<40 or 64 hex digits>",
                s.clone(),
            );
        }
        match (builder, split, p.0.is_empty()) {
            (Some(id), Some((uri, rev)), true) => Ok(Provenance::Minimal(MinimalProvenance {
                build_definition: MinimalDefinition {
                    build_type: MINIMAL_BUILD_TYPE,
                    external_parameters: MinimalParameters {
                        source: uri.to_string(),
                    },
                    resolved_dependencies: vec![MinimalDependency {
                        uri: uri.to_string(),
                        digest: GitCommit {
                            git_commit: rev.to_ascii_lowercase(),
                        },
                    }],
                },
                run_details: MinimalRunDetails {
                    builder: Builder { id },
                },
            })),
            _ => Err(StatementError::Provenance {
                problems: p.0,
                minimal_hint: false,
            }),
        }
    }
}

/// GitHub Actions' required provenance fields, checked.
struct GithubFields {
    server: String,
    repository: String,
    workflow_ref: String,
    workflow_path: String,
    workflow_git_ref: String,
    git_ref: String,
    sha: String,
    run_id: String,
}

/// GitLab CI's provenance, of GitLab's SLSA build type, from its `CI_*` variables: the project
/// and commit, the ref (`CI_COMMIT_TAG`, else `CI_COMMIT_BRANCH`), the pipeline file, the job and
/// the runner.
fn gitlab_provenance(
    vars: &std::collections::BTreeMap<&'static str, String>,
) -> Result<Provenance, StatementError> {
    let mut p = Problems::default();
    let mut need = |field: &'static str, env: &'static str| -> Option<String> {
        let v = vars.get(env).cloned();
        if v.is_none() {
            p.0.push(FieldProblem::MissingVariable {
                field,
                env,
                ci: "GitLab CI",
            });
        }
        v
    };
    let project = need("repository", "CI_PROJECT_URL");
    let sha = need("commit", "CI_COMMIT_SHA");
    let job = need("job id", "CI_JOB_ID");
    let job_name = need("job name", "CI_JOB_NAME");
    let runner = need("runner id", "CI_RUNNER_ID");
    let config = need("pipeline file", "CI_CONFIG_PATH");
    let has_ref = vars.contains_key("CI_COMMIT_TAG") || vars.contains_key("CI_COMMIT_BRANCH");
    if !has_ref {
        p.0.push(FieldProblem::MissingVariable {
            field: "ref",
            env: "CI_COMMIT_TAG or $CI_COMMIT_BRANCH",
            ci: "GitLab CI",
        });
    }
    if let Some(sha) = &sha
        && !is_commit(sha)
    {
        p.invalid("commit", "a 40-hex-digit git commit", sha.clone());
    }
    if let Some(url) = &project
        && !url.starts_with("https://")
    {
        p.invalid("repository", "an https:// project URL", url.clone());
    }
    let (Some(project), Some(sha), Some(job), Some(job_name), Some(runner), Some(_), true) =
        (project, sha, job, job_name, runner, config, p.0.is_empty())
    else {
        return Err(StatementError::Provenance {
            problems: p.0,
            minimal_hint: false,
        });
    };
    let project = project.trim_end_matches('/').to_string();
    // The variables that say what was built, from where (never secrets: only these names).
    let variables: std::collections::BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Ok(Provenance::GitLab(GitLabProvenance {
        build_definition: GitLabDefinition {
            build_type: GITLAB_BUILD_TYPE,
            external_parameters: GitLabParameters {
                source: project.clone(),
                entry_point: job_name,
                variables,
            },
            internal_parameters: GitLabInternal { job: job.clone() },
            resolved_dependencies: vec![MinimalDependency {
                uri: project.clone(),
                digest: GitCommit {
                    git_commit: sha.to_ascii_lowercase(),
                },
            }],
        },
        run_details: GitLabRunDetails {
            builder: Builder {
                id: format!("{project}/-/runners/{runner}"),
            },
            metadata: Metadata {
                invocation_id: format!("{project}/-/jobs/{job}"),
            },
        },
    }))
}

fn is_commit(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_uri(s: &str) -> bool {
    s.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    }) && !s.contains(char::is_whitespace)
}

/// `owner/repo/.github/workflows/f.yaml@refs/x` → (`.github/workflows/f.yaml`, `refs/x`).
fn split_workflow_ref(
    workflow_ref: &str,
    repository: &str,
) -> Result<(String, String), FieldProblem> {
    let invalid = || FieldProblem::Invalid {
        field: "workflow ref",
        expected: "owner/repo/.github/workflows/FILE@REF of the same repository",
        found: workflow_ref.to_string(),
    };
    let (path, git_ref) = workflow_ref.rsplit_once('@').ok_or_else(invalid)?;
    let path = path
        .strip_prefix(repository)
        .and_then(|p| p.strip_prefix('/'))
        .ok_or_else(invalid)?;
    if !path.starts_with(".github/workflows/") || git_ref.is_empty() {
        return Err(invalid());
    }
    Ok((path.to_string(), git_ref.to_string()))
}

/// An in-toto Statement v1 with one subject.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    #[serde(rename = "_type")]
    statement_type: &'static str,
    subject: [Subject; 1],
    #[serde(rename = "predicateType")]
    predicate_type: &'static str,
    predicate: Provenance,
}

#[derive(Debug, Clone, Serialize)]
struct Subject {
    name: String,
    digest: SubjectDigest,
}

#[derive(Debug, Clone, Serialize)]
struct SubjectDigest {
    sha256: String,
}

impl Statement {
    /// A statement about one artifact (`name`, its SHA-256).
    pub fn new(
        name: impl Into<String>,
        digest: &Digest,
        predicate: Provenance,
    ) -> Result<Statement, StatementError> {
        if digest.algorithm() != Algorithm::Sha256 {
            return Err(StatementError::SubjectDigest(digest.to_string()));
        }
        Ok(Statement {
            statement_type: STATEMENT_TYPE,
            subject: [Subject {
                name: name.into(),
                digest: SubjectDigest {
                    sha256: digest.hex(),
                },
            }],
            predicate_type: SLSA_PROVENANCE_V1,
            predicate,
        })
    }

    /// The statement's bytes: compact JSON, fields in a fixed order.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a statement always serialises")
    }
}

/// A SLSA provenance v1 predicate: GitHub's workflow build type, or kakunin's minimal one.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Provenance {
    GitHub(GitHubProvenance),
    GitLab(GitLabProvenance),
    Minimal(MinimalProvenance),
}

/// SLSA provenance v1 of GitLab's build type ([`GITLAB_BUILD_TYPE`]), as GitLab documents it:
/// `externalParameters.source` / `entryPoint` / `variables`, `internalParameters.job`, the
/// project's commit, the runner as builder and the job as invocation.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GitLabProvenance {
    build_definition: GitLabDefinition,
    run_details: GitLabRunDetails,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct GitLabDefinition {
    build_type: &'static str,
    external_parameters: GitLabParameters,
    internal_parameters: GitLabInternal,
    resolved_dependencies: Vec<MinimalDependency>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct GitLabParameters {
    source: String,
    entry_point: String,
    variables: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct GitLabInternal {
    job: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct GitLabRunDetails {
    builder: Builder,
    metadata: Metadata,
}

impl Provenance {
    /// Whether this is the minimal provenance of a build outside CI (weaker: docs/publish.md).
    pub fn is_minimal(&self) -> bool {
        matches!(self, Provenance::Minimal(_))
    }
}

/// SLSA provenance v1, GitHub workflow build type.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GitHubProvenance {
    build_definition: BuildDefinition,
    run_details: RunDetails,
}

/// SLSA provenance v1 of [`MINIMAL_BUILD_TYPE`]: `externalParameters.source` (the repository
/// URI), one resolved dependency (that URI and its `gitCommit`), and `runDetails.builder.id`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MinimalProvenance {
    build_definition: MinimalDefinition,
    run_details: MinimalRunDetails,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct MinimalDefinition {
    build_type: &'static str,
    external_parameters: MinimalParameters,
    resolved_dependencies: Vec<MinimalDependency>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct MinimalParameters {
    source: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct MinimalDependency {
    uri: String,
    digest: GitCommit,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct MinimalRunDetails {
    builder: Builder,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct BuildDefinition {
    build_type: &'static str,
    external_parameters: ExternalParameters,
    internal_parameters: InternalParameters,
    resolved_dependencies: Vec<ResourceDescriptor>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct ExternalParameters {
    workflow: Workflow,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct Workflow {
    #[serde(rename = "ref")]
    git_ref: String,
    repository: String,
    path: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct InternalParameters {
    github: GithubParameters,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct GithubParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    event_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repository_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repository_owner_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    runner_environment: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct ResourceDescriptor {
    uri: String,
    digest: GitCommit,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct GitCommit {
    #[serde(rename = "gitCommit")]
    git_commit: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct RunDetails {
    builder: Builder,
    metadata: Metadata,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
struct Builder {
    id: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    invocation_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        Some(
            match var {
                "GITHUB_REPOSITORY" => "gomenhashai/gomenhashai",
                "GITHUB_WORKFLOW_REF" => {
                    "gomenhashai/gomenhashai/.github/workflows/helm-release.yaml@refs/heads/main"
                }
                "GITHUB_REF" => "refs/heads/main",
                "GITHUB_SHA" => "1ac93ce21ee526b36fd154b9058d97dfaa424c50",
                "GITHUB_EVENT_NAME" => "push",
                "GITHUB_REPOSITORY_ID" => "700000001",
                "GITHUB_REPOSITORY_OWNER_ID" => "100000001",
                "RUNNER_ENVIRONMENT" => "github-hosted",
                "GITHUB_RUN_ID" => "10313983218",
                "GITHUB_RUN_ATTEMPT" => "2",
                _ => return None,
            }
            .to_string(),
        )
    }

    #[test]
    fn the_statement_has_github_shape_from_the_environment() {
        let p = BuildContext::default().with_env(env).provenance().unwrap();
        let d = Digest::sha256(b"chart");
        let s = Statement::new("gomenhashai-1.3.2.tgz", &d, p).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&s.to_bytes()).unwrap();
        assert_eq!(v["_type"], STATEMENT_TYPE);
        assert_eq!(v["subject"][0]["name"], "gomenhashai-1.3.2.tgz");
        assert_eq!(v["subject"][0]["digest"]["sha256"], d.hex());
        assert_eq!(v["predicateType"], SLSA_PROVENANCE_V1);
        let b = &v["predicate"]["buildDefinition"];
        assert_eq!(b["buildType"], GITHUB_WORKFLOW_BUILD_TYPE);
        assert_eq!(
            b["externalParameters"]["workflow"],
            serde_json::json!({"ref": "refs/heads/main", "repository": "https://github.com/gomenhashai/gomenhashai", "path": ".github/workflows/helm-release.yaml"})
        );
        assert_eq!(
            b["internalParameters"]["github"]["runner_environment"],
            "github-hosted"
        );
        assert_eq!(
            b["resolvedDependencies"][0]["uri"],
            "git+https://github.com/gomenhashai/gomenhashai@refs/heads/main"
        );
        let r = &v["predicate"]["runDetails"];
        assert_eq!(
            r["builder"]["id"],
            "https://github.com/gomenhashai/gomenhashai/.github/workflows/helm-release.yaml@refs/heads/main"
        );
        assert_eq!(
            r["metadata"]["invocationId"],
            "https://github.com/gomenhashai/gomenhashai/actions/runs/10313983218/attempts/2"
        );
    }

    #[test]
    fn flags_win_over_the_environment() {
        let ctx = BuildContext {
            git_ref: Some("refs/tags/v1.3.1".into()),
            ..Default::default()
        }
        .with_env(env);
        assert_eq!(ctx.git_ref.as_deref(), Some("refs/tags/v1.3.1"));
    }

    #[test]
    fn a_missing_field_names_the_flag_and_the_variable() {
        let e = BuildContext::default()
            .with_env(|v| if v == "GITHUB_RUN_ID" { None } else { env(v) })
            .provenance()
            .unwrap_err();
        assert!(
            e.to_string().starts_with(
                "provenance field run id: expected --run-id or $GITHUB_RUN_ID (set in GitHub Actions), found neither"
            ),
            "{e}"
        );
    }

    #[test]
    fn every_missing_field_is_named_in_one_error() {
        let e = BuildContext::default()
            .with_env(|_| None)
            .provenance()
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("5 provenance fields are missing or malformed: "),
            "{e}"
        );
        for flag in [
            "--repository",
            "--workflow-ref",
            "--ref",
            "--sha",
            "--run-id",
        ] {
            assert!(e.contains(&format!("expected {flag} or $")), "{flag}: {e}");
        }
        assert!(
            e.contains("--builder-id URI and --source URI@COMMIT"),
            "{e}"
        );
        // In CI the hint is not given: the CI's variables are what is missing.
        let e = BuildContext::default()
            .with_env(|v| (v == "GITHUB_ACTIONS").then(|| "true".to_string()))
            .provenance()
            .unwrap_err()
            .to_string();
        assert!(!e.contains("--builder-id"), "{e}");
    }

    #[test]
    fn gitlab_ci_provenance_comes_from_its_variables() {
        let vars = |v: &str| -> Option<String> {
            Some(
                match v {
                    "GITLAB_CI" => "true",
                    "CI_PROJECT_URL" => "https://gitlab.com/group/project",
                    "CI_COMMIT_SHA" => "1ac93ce21ee526b36fd154b9058d97dfaa424c50",
                    "CI_COMMIT_BRANCH" => "main",
                    "CI_CONFIG_PATH" => ".gitlab-ci.yml",
                    "CI_JOB_ID" => "7",
                    "CI_JOB_NAME" => "release",
                    "CI_RUNNER_ID" => "33",
                    "CI_JOB_TOKEN" => "secret",
                    _ => return None,
                }
                .to_string(),
            )
        };
        let p = BuildContext::default().with_env(vars).provenance().unwrap();
        let v = serde_json::to_value(&p).unwrap();
        let b = &v["buildDefinition"];
        assert_eq!(b["buildType"], GITLAB_BUILD_TYPE);
        assert_eq!(
            b["externalParameters"]["source"],
            "https://gitlab.com/group/project"
        );
        assert_eq!(b["externalParameters"]["entryPoint"], "release");
        assert_eq!(
            b["externalParameters"]["variables"]["CI_COMMIT_BRANCH"],
            "main"
        );
        assert!(
            b["externalParameters"]["variables"]
                .get("CI_JOB_TOKEN")
                .is_none()
        );
        assert_eq!(
            b["resolvedDependencies"][0]["digest"]["gitCommit"],
            "1ac93ce21ee526b36fd154b9058d97dfaa424c50"
        );
        assert_eq!(
            v["runDetails"]["builder"]["id"],
            "https://gitlab.com/group/project/-/runners/33"
        );
        let e = BuildContext::default()
            .with_env(|v| (v == "GITLAB_CI").then(|| "true".to_string()))
            .provenance()
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("7 provenance fields"), "{e}");
        assert!(
            e.contains("expected $CI_PROJECT_URL (set in GitLab CI)"),
            "{e}"
        );
        assert!(e.contains("$CI_COMMIT_TAG or $CI_COMMIT_BRANCH"), "{e}");
    }

    #[test]
    fn a_minimal_provenance_outside_ci_names_the_builder_and_the_source_commit() {
        let ctx = BuildContext {
            builder_id: Some("mailto:release@example.com".into()),
            source: Some(format!("https://example.com/o/r@{}", "AB".repeat(20))),
            ..Default::default()
        };
        let p = ctx.clone().with_env(|_| None).provenance().unwrap();
        assert!(p.is_minimal());
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "buildDefinition": {
                    "buildType": MINIMAL_BUILD_TYPE,
                    "externalParameters": {"source": "https://example.com/o/r"},
                    "resolvedDependencies": [{"uri": "https://example.com/o/r", "digest": {"gitCommit": "ab".repeat(20)}}]
                },
                "runDetails": {"builder": {"id": "mailto:release@example.com"}}
            })
        );
        // Both are needed, well-formed, and only outside CI.
        let e = BuildContext {
            source: Some("https://example.com/o/r@main".into()),
            ..Default::default()
        }
        .provenance()
        .unwrap_err()
        .to_string();
        assert!(e.contains("expected --builder-id, found none"), "{e}");
        assert!(e.contains("URI@COMMIT"), "{e}");
        let e = ctx
            .with_env(|v| (v == "GITLAB_CI").then(|| "true".to_string()))
            .provenance()
            .unwrap_err()
            .to_string();
        assert!(e.contains("a build outside CI"), "{e}");
        assert!(e.contains("GitLab CI"), "{e}");
    }

    #[test]
    fn a_workflow_of_another_repository_or_a_bad_commit_is_refused() {
        let e = BuildContext {
            workflow_ref: Some("evil/repo/.github/workflows/x.yaml@refs/heads/main".into()),
            ..Default::default()
        }
        .with_env(env)
        .provenance()
        .unwrap_err();
        assert!(e.to_string().contains("found \"evil/repo/.github"), "{e}");
        let e = BuildContext {
            sha: Some("main".into()),
            ..Default::default()
        }
        .with_env(env)
        .provenance()
        .unwrap_err();
        assert!(e.to_string().contains("40-hex-digit"), "{e}");
    }

    #[test]
    fn only_sha256_subjects() {
        let p = BuildContext::default().with_env(env).provenance().unwrap();
        let d = Digest::of_bytes(Algorithm::Sha512, b"x");
        assert!(Statement::new("x", &d, p).is_err());
    }
}
