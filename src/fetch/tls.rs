//! The TLS configuration of kakunin's HTTP client: what reqwest builds by itself with its
//! `rustls` feature (rustls with aws-lc-rs, TLS 1.2 and 1.3, ALPN h2 then http/1.1, the
//! platform's verifier: the system's root certificates), with one difference: the platform
//! verifier is built on the first certificate it is asked to verify, not with the client.
//!
//! Building it reads every root certificate of the system (on Debian, about 150 files and a
//! bundle: 15 % of the CPU of a warm `verify` of a chart from a loopback registry). A run that
//! only talks plain HTTP to loopback (a local registry or mirror) never needs them; a run that
//! opens a TLS connection reads them once, before its first certificate is checked, exactly as
//! before. What is verified does not change: the same verifier, over the same roots, checks
//! every certificate; if it cannot be built, every TLS connection fails with its error.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, Error, SignatureScheme};

/// The rustls client configuration handed to reqwest (`tls_backend_preconfigured`).
pub fn client_config() -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(rustls::ALL_VERSIONS)
        .map_err(|e| format!("TLS versions: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(LazyPlatformVerifier::new(provider)))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

/// The platform's verifier, built when first needed (see the module documentation).
#[derive(Debug)]
struct LazyPlatformVerifier {
    provider: Arc<CryptoProvider>,
    verifier: OnceLock<Result<rustls_platform_verifier::Verifier, Error>>,
}

impl LazyPlatformVerifier {
    fn new(provider: Arc<CryptoProvider>) -> LazyPlatformVerifier {
        LazyPlatformVerifier {
            provider,
            verifier: OnceLock::new(),
        }
    }

    fn verifier(&self) -> Result<&rustls_platform_verifier::Verifier, Error> {
        self.verifier
            .get_or_init(|| rustls_platform_verifier::Verifier::new(Arc::clone(&self.provider)))
            .as_ref()
            .map_err(Clone::clone)
    }
}

impl ServerCertVerifier for LazyPlatformVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        self.verifier()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    /// The provider's schemes, which are what the platform verifier answers (asked when the
    /// handshake starts, before any certificate: answering it builds nothing).
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Building the configuration reads no root certificate; the first certificate to verify
    /// does, once, and a certificate that chains to none of them is refused.
    #[test]
    fn roots_are_read_on_the_first_certificate_only() {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let lazy = LazyPlatformVerifier::new(Arc::clone(&provider));
        assert!(lazy.verifier.get().is_none());
        let platform = rustls_platform_verifier::Verifier::new(provider).unwrap();
        assert_eq!(
            lazy.supported_verify_schemes(),
            platform.supported_verify_schemes()
        );
        assert!(lazy.verifier.get().is_none(), "schemes built the verifier");
        // Not a certificate at all: refused by the platform verifier, now built.
        let bogus = CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let name = ServerName::try_from("example.com").unwrap();
        let r = lazy.verify_server_cert(&bogus, &[], &name, &[], UnixTime::now());
        assert!(r.is_err(), "{r:?}");
        assert!(lazy.verifier.get().is_some());
        assert!(client_config().is_ok());
    }
}
