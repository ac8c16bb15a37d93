//! The start of a test of an image signed as cosign v3 signs, on the referrers-API registry
//! [`OciRegistry`]: the test Sigstore instance, a token for `o/app`'s `release.yaml` at
//! `refs/tags/v1.0.0`, a temporary directory, and the registry holding `o/app:v1.0.0` with its
//! signature — a DSSE bundle of a [`COSIGN_SIGN`] statement about the image, signed keylessly
//! for the token — attached as a referrer. Nothing else is in the registry.

use super::keyless::{sign_statement, statement};
use super::oci::OciRegistry;
use crate::common::TempDir;
use crate::sigstore_instance::{GithubToken, TestSigstore};

/// cosign v3's predicate type of an image signature.
pub const COSIGN_SIGN: &str = "https://sigstore.dev/cosign/sign/v1";

/// What [`SignedOci::start`] made.
pub struct SignedOci {
    pub instance: TestSigstore,
    pub tok: GithubToken,
    pub dir: TempDir,
    pub reg: OciRegistry,
    /// The repository, `o/app`.
    pub name: &'static str,
    /// `127.0.0.1:PORT/o/app`.
    pub full: String,
    /// The digest of `o/app:v1.0.0`.
    pub image: String,
    /// Its manifest's bytes.
    pub manifest: Vec<u8>,
    /// The signature bundle attached to it.
    pub sig: Vec<u8>,
    /// The digest of the referrer that carries `sig`.
    pub sig_ref: String,
}

impl SignedOci {
    /// Starts the instance and the registry, with the temporary directory `label`, and pushes
    /// and signs `o/app:v1.0.0`, an image made from `seed`.
    pub fn start(label: &str, seed: &str) -> SignedOci {
        let instance = TestSigstore::start();
        let tok = GithubToken::new("o/app", "release.yaml", "refs/tags/v1.0.0");
        let dir = TempDir::new(label);
        let reg = OciRegistry::start();
        let name = "o/app";
        let (image, manifest) = reg.push_image(name, "v1.0.0", seed);
        let full = format!("{}/{name}", reg.host());
        let signing = statement(&full, &image, COSIGN_SIGN);
        let mut signed = SignedOci {
            instance,
            tok,
            dir,
            reg,
            name,
            full,
            image,
            manifest,
            sig: Vec::new(),
            sig_ref: String::new(),
        };
        (signed.sig, signed.sig_ref) = signed.attest("sign", &signing);
        signed
    }

    /// Signs the in-toto `statement` as a DSSE bundle for the token (its files named `label` in
    /// the directory) and attaches it to `o/app:v1.0.0` as a referrer of the statement's
    /// predicate type, as cosign v3 and GitHub's `push-to-registry` do; the bundle and the
    /// referrer's digest.
    pub fn attest(&self, label: &str, statement: &serde_json::Value) -> (Vec<u8>, String) {
        let bundle = sign_statement(&self.instance, &self.tok, self.dir.path(), label, statement);
        let predicate_type = statement["predicateType"].as_str();
        let referrer = self.reg.attach_bundle(
            self.name,
            (&self.image, self.manifest.len()),
            &bundle,
            Some(predicate_type.expect("the statement has a predicateType")),
        );
        (bundle, referrer)
    }
}
