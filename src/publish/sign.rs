//! Keyless signing with sigstore-sign: an ephemeral key, a Fulcio certificate for the
//! identity token, a Rekor entry and an RFC 3161 timestamp, as the instance's signing config
//! says. Returns a bundle v0.3; it does not verify it (the caller verifies what it writes).
//!
//! A DSSE statement is signed byte for byte as given: no re-serialisation, so what a
//! verifier hashes is exactly what the caller wrote.

use std::path::Path;

use sigstore_sign::oidc::IdentityToken;
use sigstore_sign::trust_root::SigningConfig;
use sigstore_sign::{SigningContext, SigningServices, SigstoreInstance};
use sigstore_types::Bundle;

use crate::limits;

/// Which Sigstore instance signs.
#[derive(Debug, Clone)]
pub enum SigningInstance {
    /// sigstore.dev (the signing config embedded in sigstore-sign).
    PublicGood,
    /// sigstage.dev.
    Staging,
    /// A private instance, from its `signing_config.json` (protobuf-specs SigningConfig v0.2).
    Config(Box<SigningConfig>),
}

impl SigningInstance {
    /// Reads a signing_config.json (bounded).
    pub fn from_file(path: &Path) -> Result<SigningInstance, SignError> {
        let bytes = limits::read_file_capped(path, limits::MAX_TRUST_BYTES).map_err(|e| {
            SignError::Config(format!(
                "cannot read signing config {}: {e}",
                path.display()
            ))
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            SignError::Config(format!("signing config {} is not UTF-8", path.display()))
        })?;
        crate::strict_json::check(&bytes, limits::MAX_TRUST_BYTES)
            .map_err(|e| SignError::Config(format!("signing config {}: {e}", path.display())))?;
        let config = SigningConfig::from_json(text).map_err(|e| {
            SignError::Config(format!(
                "signing config {}: expected a SigningConfig v0.2 document, found: {e}",
                path.display()
            ))
        })?;
        Ok(SigningInstance::Config(Box::new(config)))
    }

    /// The services (Fulcio, Rekor, TSA) this instance's signing config selects.
    pub fn services(&self) -> Result<SigningServices, SignError> {
        let services = match self {
            SigningInstance::PublicGood => {
                SigningServices::from_embedded(SigstoreInstance::PublicGood)
            }
            SigningInstance::Staging => SigningServices::from_embedded(SigstoreInstance::Staging),
            SigningInstance::Config(c) => SigningServices::from_signing_config(c),
        };
        let services = services.map_err(|e| SignError::Config(e.to_string()))?;
        services
            .validate()
            .map_err(|e| SignError::Config(e.to_string()))?;
        // A signing config is data: its service URLs obey the rule every request of kakunin's
        // does (https, or http to loopback), refused before anything is sent.
        let policy = crate::fetch::policy::UrlPolicy::new(Vec::new());
        let urls = [Some(services.fulcio_url()), Some(services.rekor_url())];
        for url in urls.into_iter().chain([services.tsa_url()]).flatten() {
            let parsed = url::Url::parse(url).map_err(|e| {
                SignError::Config(format!("signing config: {url} is not a URL: {e}"))
            })?;
            policy
                .check(&parsed)
                .map_err(|e| SignError::Config(format!("signing config: {e}")))?;
        }
        Ok(services)
    }
}

/// Why signing failed. Every variant names the service (or input) at fault.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("signing configuration: {0}")]
    Config(String),
    #[error("Fulcio (certificate authority) at {url} did not issue a certificate: {reason}")]
    Fulcio { url: String, reason: String },
    #[error("Rekor (transparency log) at {url} did not log the signature: {reason}")]
    Rekor { url: String, reason: String },
    #[error("the timestamp authority at {url} did not timestamp the signature: {reason}")]
    Tsa { url: String, reason: String },
    #[error("signing key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("the statement to sign: {0}")]
    Statement(String),
    #[error("signing failed: {0}")]
    Other(String),
}

impl SignError {
    /// Whether a service could not be reached or refused (as opposed to bad input).
    pub fn is_service(&self) -> bool {
        matches!(
            self,
            SignError::Fulcio { .. } | SignError::Rekor { .. } | SignError::Tsa { .. }
        )
    }
}

/// A keyless signer for one identity token and one instance.
pub struct KeylessSigner {
    services: SigningServices,
    token: IdentityToken,
}

impl KeylessSigner {
    pub fn new(instance: &SigningInstance, token: IdentityToken) -> Result<Self, SignError> {
        Ok(KeylessSigner {
            services: instance.services()?,
            token,
        })
    }

    /// The services this signer submits to.
    pub fn services(&self) -> &SigningServices {
        &self.services
    }

    fn signer(&self) -> Result<sigstore_sign::Signer, SignError> {
        let http = sigstore_sign::reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(60))
            .connect_timeout(std::time::Duration::from_secs(15))
            .user_agent(concat!("kakunin/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SignError::Other(format!("HTTP client: {e}")))?;
        Ok(SigningContext::new(self.services.clone())
            .with_http_client(http)
            .signer(self.token.clone()))
    }

    /// Signs an in-toto statement (its exact bytes) as a DSSE envelope.
    pub async fn sign_statement(&self, statement: &[u8]) -> Result<Bundle, SignError> {
        self.signer()?
            .sign_raw_statement(statement)
            .await
            .map_err(|e| self.classify(e))
    }

    /// Signs an artifact's bytes (a `messageSignature` bundle over its SHA-256).
    pub async fn sign_artifact(&self, reader: impl std::io::Read) -> Result<Bundle, SignError> {
        self.signer()?
            .sign_reader(reader)
            .await
            .map_err(|e| self.classify(e))
    }

    fn classify(&self, e: sigstore_sign::Error) -> SignError {
        use sigstore_sign::Error as E;
        let reason = e.to_string();
        match e {
            E::Fulcio(_) => SignError::Fulcio {
                url: self.services.fulcio_url().to_string(),
                reason,
            },
            E::Rekor(_) => SignError::Rekor {
                url: self.services.rekor_url().to_string(),
                reason,
            },
            E::Tsa(_) => SignError::Tsa {
                url: self.services.tsa_url().unwrap_or("").to_string(),
                reason,
            },
            E::InvalidStatement(_) => SignError::Statement(reason),
            E::Config(_) => SignError::Config(reason),
            _ => SignError::Other(reason),
        }
    }
}
