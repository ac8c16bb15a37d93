//! The statement a release publishes: an in-toto Statement v1 whose predicate is a SLSA
//! provenance v1 of GitHub's workflow build type
//! (`https://actions.github.io/buildtypes/workflow/v1`), shaped as
//! actions/attest-build-provenance writes it.
//!
//! Guarantees: the statement has exactly one subject, the artifact's name and SHA-256; every
//! provenance field comes from an explicit flag or the GitHub Actions environment, never from
//! a default that could pass for a real value (a missing required field is an error naming the
//! flag and the variable); the bytes are deterministic for the same inputs.

use serde::Serialize;

use crate::digest::{Algorithm, Digest};

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
pub const GITHUB_WORKFLOW_BUILD_TYPE: &str = "https://actions.github.io/buildtypes/workflow/v1";

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
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StatementError {
    #[error(
        "provenance field {field}: expected {flag} or ${env} (set in GitHub Actions), found neither"
    )]
    Missing {
        field: &'static str,
        flag: &'static str,
        env: &'static str,
    },
    #[error("provenance field {field}: expected {expected}, found {found:?}")]
    Invalid {
        field: &'static str,
        expected: &'static str,
        found: String,
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
        self
    }

    /// The SLSA provenance predicate, or the first missing or malformed field.
    pub fn provenance(&self) -> Result<Provenance, StatementError> {
        let need = |v: &Option<String>, field, flag, env| {
            v.clone()
                .ok_or(StatementError::Missing { field, flag, env })
        };
        let server = self
            .server_url
            .clone()
            .unwrap_or_else(|| "https://github.com".into());
        let server = server.trim_end_matches('/').to_string();
        let repository = need(
            &self.repository,
            "repository",
            "--repository",
            "GITHUB_REPOSITORY",
        )?;
        if repository.split('/').count() != 2 || repository.split('/').any(str::is_empty) {
            return Err(StatementError::Invalid {
                field: "repository",
                expected: "owner/repo",
                found: repository,
            });
        }
        let workflow_ref = need(
            &self.workflow_ref,
            "workflow ref",
            "--workflow-ref",
            "GITHUB_WORKFLOW_REF",
        )?;
        let (workflow_path, workflow_git_ref) = split_workflow_ref(&workflow_ref, &repository)?;
        let git_ref = need(&self.git_ref, "ref", "--ref", "GITHUB_REF")?;
        let sha = need(&self.sha, "commit", "--sha", "GITHUB_SHA")?;
        if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StatementError::Invalid {
                field: "commit",
                expected: "a 40-hex-digit git commit",
                found: sha,
            });
        }
        let run_id = need(&self.run_id, "run id", "--run-id", "GITHUB_RUN_ID")?;
        let run_attempt = self.run_attempt.clone().unwrap_or_else(|| "1".into());
        let builder = self
            .job_workflow_ref
            .clone()
            .unwrap_or(workflow_ref.clone());
        Ok(Provenance {
            build_definition: BuildDefinition {
                build_type: GITHUB_WORKFLOW_BUILD_TYPE,
                external_parameters: ExternalParameters {
                    workflow: Workflow {
                        git_ref: workflow_git_ref,
                        repository: format!("{server}/{repository}"),
                        path: workflow_path,
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
                    uri: format!("git+{server}/{repository}@{git_ref}"),
                    digest: GitCommit { git_commit: sha },
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
}

/// `owner/repo/.github/workflows/f.yaml@refs/x` → (`.github/workflows/f.yaml`, `refs/x`).
fn split_workflow_ref(
    workflow_ref: &str,
    repository: &str,
) -> Result<(String, String), StatementError> {
    let invalid = || StatementError::Invalid {
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

/// SLSA provenance v1, GitHub workflow build type.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Provenance {
    build_definition: BuildDefinition,
    run_details: RunDetails,
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
        assert_eq!(
            e.to_string(),
            "provenance field run id: expected --run-id or $GITHUB_RUN_ID (set in GitHub Actions), found neither"
        );
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
