//! Where a keyless signature's OIDC identity token comes from: an explicit token, the
//! `SIGSTORE_ID_TOKEN` environment variable, or GitHub Actions' ambient OIDC provider
//! (`ACTIONS_ID_TOKEN_REQUEST_URL` + `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, audience `sigstore`).
//!
//! A token is only decoded here, never trusted: Fulcio authenticates it. What is checked
//! locally is what would make Fulcio refuse it anyway (not a JWT, already expired), so that
//! a publish fails before it talks to any service.

use sigstore_sign::oidc::IdentityToken;

/// Where to look for the identity token, in this order.
#[derive(Debug, Clone, Default)]
pub struct TokenSource {
    /// `--identity-token`: the token itself.
    pub explicit: Option<String>,
    /// Whether `SIGSTORE_ID_TOKEN` and GitHub Actions' ambient OIDC may be used.
    pub ambient: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error(
        "no identity token: expected --identity-token, SIGSTORE_ID_TOKEN (in GitLab CI: `id_tokens: SIGSTORE_ID_TOKEN: aud: sigstore`), or GitHub Actions OIDC (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN, with `permissions: id-token: write`), found none"
    )]
    Missing,
    #[error("identity token from {source_name} is not a usable JWT: {reason}")]
    Invalid {
        source_name: &'static str,
        reason: String,
    },
    #[error("identity token from {source_name} expired at {expired} (now {now})")]
    Expired {
        source_name: &'static str,
        expired: String,
        now: String,
    },
    #[error("could not get GitHub Actions' OIDC token: {0}")]
    Ambient(String),
}

/// The identity token to sign with, from the first source that has one.
pub async fn identity_token(source: &TokenSource) -> Result<IdentityToken, IdentityError> {
    let (name, token) = if let Some(t) = &source.explicit {
        ("--identity-token", parse("--identity-token", t.trim())?)
    } else if let Some(t) = source
        .ambient
        .then(|| std::env::var("SIGSTORE_ID_TOKEN").ok())
        .flatten()
        .filter(|t| !t.trim().is_empty())
    {
        ("SIGSTORE_ID_TOKEN", parse("SIGSTORE_ID_TOKEN", t.trim())?)
    } else if source.ambient && std::env::var_os("ACTIONS_ID_TOKEN_REQUEST_URL").is_some() {
        let token = IdentityToken::detect_ambient()
            .await
            .map_err(|e| IdentityError::Ambient(e.to_string()))?
            .ok_or(IdentityError::Missing)?;
        ("GitHub Actions OIDC", token)
    } else {
        return Err(IdentityError::Missing);
    };
    if token.is_expired() {
        return Err(IdentityError::Expired {
            source_name: name,
            expired: token.expiration().to_string(),
            now: jiff::Timestamp::now().to_string(),
        });
    }
    Ok(token)
}

fn parse(source_name: &'static str, token: &str) -> Result<IdentityToken, IdentityError> {
    IdentityToken::from_jwt(token).map_err(|e| IdentityError::Invalid {
        source_name,
        reason: e.to_string(),
    })
}

/// The certificate identity (SAN) and OIDC issuer Fulcio will certify for this token, from its
/// (unverified) claims: for GitHub Actions `https://github.com/` + `job_workflow_ref`, for GitLab
/// CI `https://` + `ci_config_ref_uri`, else the `email` or the `sub`. Publishing verifies what it wrote against exactly these, so a CA that
/// certified someone else is caught.
pub fn expected_identity(token: &IdentityToken) -> (String, String) {
    use base64::Engine;
    let claims: serde_json::Value = token
        .expose_secret()
        .split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p.trim_end_matches('='))
                .ok()
        })
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    let issuer = token.issuer().to_string();
    let gitlab = claims.get("ci_config_ref_uri").and_then(|v| v.as_str());
    let san = match claims.get("job_workflow_ref").and_then(|v| v.as_str()) {
        Some(jwr) if issuer == GITHUB_ACTIONS_ISSUER => format!("https://github.com/{jwr}"),
        // GitLab CI (`id_tokens`, issuer https://gitlab.com or the instance's): Fulcio
        // certifies `https://` + `ci_config_ref_uri` (`gitlab.com/GROUP/PROJECT//.gitlab-ci.yml@refs/…`).
        _ if gitlab.is_some() => format!("https://{}", gitlab.unwrap_or_default()),
        _ => token
            .email()
            .map(str::to_string)
            .unwrap_or_else(|| token.subject().to_string()),
    };
    (san, issuer)
}

/// GitHub Actions' OIDC issuer.
pub const GITHUB_ACTIONS_ISSUER: &str = "https://token.actions.githubusercontent.com";
