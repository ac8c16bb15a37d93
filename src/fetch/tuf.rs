//! Refreshing a trusted root through TUF (`kakunin trust-root update`): the only trust code
//! that touches the network. Trust starts from the TUF root embedded in `sigstore-trust-root`;
//! the refreshed root must load as a [`Trust`] before it is written, so the cache never holds a
//! root kakunin could not verify with.

use std::path::{Path, PathBuf};

use sigstore_trust_root::TrustedRoot;

use crate::trust::{Instance, Trust, TrustError};

/// Where `kakunin trust-root update` keeps refreshed roots: `kakunin/trust` in the user's
/// cache directory ([`super::cache::user_cache_dir`]: `$XDG_CACHE_HOME`, or `~/.cache`).
pub fn cache_dir() -> Option<PathBuf> {
    Some(
        super::cache::user_cache_dir()?
            .join("kakunin")
            .join("trust"),
    )
}

/// Why a TUF refresh failed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error(
        "no cache directory: XDG_CACHE_HOME is not an absolute path and there is no home directory"
    )]
    NoCacheDir,
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("TUF update of the {instance} trusted root failed: {reason}")]
    Tuf {
        instance: &'static str,
        reason: String,
    },
    #[error("the {instance} trusted root fetched through TUF is not usable: {source}")]
    Unusable {
        instance: &'static str,
        source: TrustError,
    },
    #[error("--tuf-url: {0}")]
    Mirror(super::FetchError),
}

/// What an update wrote.
#[derive(Debug, Clone)]
pub struct Updated {
    pub instance: Instance,
    /// The refreshed `trusted_root.json` (usable with `--trusted-root`).
    pub path: PathBuf,
}

/// Refreshes an instance's trusted root through TUF (starting from the TUF root embedded in
/// `sigstore-trust-root`), checks that it is usable, and writes it to
/// `<cache>/<instance>/trusted_root.json`. `mirror` replaces the instance's TUF repository URL
/// (a mirror of the same repository: trust still starts from the embedded TUF root).
pub async fn update(
    instance: Instance,
    cache: &Path,
    mirror: Option<&str>,
) -> Result<Updated, UpdateError> {
    // The mirror passes the transport policy like every URL kakunin requests (https, or http
    // to loopback), before anything is written or fetched.
    if let Some(url) = mirror {
        super::UrlPolicy::default()
            .parse(url)
            .map_err(UpdateError::Mirror)?;
    }
    let dir = cache.join(instance.name());
    let tuf_dir = dir.join("tuf");
    std::fs::create_dir_all(&tuf_dir).map_err(|source| UpdateError::Write {
        path: tuf_dir.clone(),
        source,
    })?;
    let config = match mirror {
        Some(url) => sigstore_trust_root::TufConfig::custom(
            url,
            sigstore_trust_root::TufBootstrap::trusted(instance.sigstore().tuf_root()),
        ),
        None => instance.sigstore().tuf_config(),
    }
    .with_cache_dir(tuf_dir);
    let root = TrustedRoot::from_tuf(config)
        .await
        .map_err(|e| UpdateError::Tuf {
            instance: instance.name(),
            reason: e.to_string(),
        })?;
    let json = serde_json::to_string_pretty(&root).map_err(|e| UpdateError::Tuf {
        instance: instance.name(),
        reason: format!("cannot serialise the trusted root: {e}"),
    })?;
    // Refuse to store a root kakunin could not verify with.
    Trust::from_json(&json, format!("{} (TUF)", instance.name())).map_err(|source| {
        UpdateError::Unusable {
            instance: instance.name(),
            source,
        }
    })?;
    let path = dir.join("trusted_root.json");
    let tmp = dir.join("trusted_root.json.tmp");
    std::fs::write(&tmp, json.as_bytes())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| UpdateError::Write {
            path: path.clone(),
            source,
        })?;
    Ok(Updated { instance, path })
}
