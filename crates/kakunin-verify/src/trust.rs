//! Trusted roots: which Sigstore instance's keys and certificates a bundle must chain to.
//!
//! Guarantees: verification never touches the network. The public-good production and staging
//! roots and GitHub's artifact-attestation root are embedded in the binary (the snapshots
//! `sigstore-trust-root` ships); `--trusted-root FILE` loads any other root, bounded by
//! [`limits::MAX_TRUST_BYTES`]. A root is parsed once and turned into a ready
//! [`sigstore_verify::Verifier`] once; a [`Trust`] is then reused for every bundle.
//!
//! Only the root that was asked for is parsed. Refreshing a root through TUF (`kakunin
//! trust-root update`) is the binary's job (`kakunin::fetch::tuf`); it is never needed for
//! verification, and verification does not read that cache unless the user points
//! `--trusted-root` at the refreshed file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sigstore_trust_root::{SigstoreInstance, TrustedRoot};
use sigstore_verify::Verifier;

use crate::limits;

/// The Sigstore instances whose roots are embedded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Instance {
    /// Sigstore public-good production (Fulcio, Rekor, CT log, TSA).
    Production,
    /// Sigstore public-good staging.
    Staging,
    /// GitHub's artifact-attestation instance (Fulcio and TSA; no transparency log, no CT log).
    GitHub,
}

impl Instance {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Instance::Production => "public-good",
            Instance::Staging => "staging",
            Instance::GitHub => "github",
        }
    }

    /// Parses an instance name as given to `--instance`.
    pub fn from_name(name: &str) -> Option<Instance> {
        match name {
            "public-good" | "production" | "prod" => Some(Instance::Production),
            "staging" => Some(Instance::Staging),
            "github" => Some(Instance::GitHub),
            _ => None,
        }
    }

    pub fn sigstore(self) -> SigstoreInstance {
        match self {
            Instance::Production => SigstoreInstance::PublicGood,
            Instance::Staging => SigstoreInstance::Staging,
            Instance::GitHub => SigstoreInstance::GitHub,
        }
    }

    /// The embedded `trusted_root.json` of this instance.
    pub fn embedded_json(self) -> &'static str {
        self.sigstore().embedded_trusted_root_json()
    }
}

/// Why a trusted root could not be used. Every variant is an input error (exit 2): nothing was
/// verified.
#[derive(Debug, thiserror::Error)]
pub enum TrustError {
    #[error("cannot read trusted root {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("trusted root {name} is not valid JSON nested at most {max} deep", max = limits::MAX_DEPTH)]
    Depth { name: String },
    #[error("trusted root {name} is not a valid Sigstore trusted root: {reason}")]
    Parse { name: String, reason: String },
    #[error("trusted root {name} cannot be used for verification: {reason}")]
    Unusable { name: String, reason: String },
}

/// A trusted root ready for verification: the parsed root, the verifier built from it once, and
/// what kind of instance it describes. Cheap to clone (the root and verifier are shared), so
/// work spread over threads verifies with the one root parsed for the run.
#[derive(Clone)]
pub struct Trust {
    root: Arc<TrustedRoot>,
    verifier: Arc<Verifier>,
    name: String,
    tsa_only: bool,
    /// The caller accepted a root without a transparency log ([`Trust::accept_tsa_only`]).
    tsa_only_accepted: bool,
    has_ct_logs: bool,
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trust")
            .field("name", &self.name)
            .field("tsa_only", &self.tsa_only)
            .field("tsa_only_accepted", &self.tsa_only_accepted)
            .field("has_ct_logs", &self.has_ct_logs)
            .finish_non_exhaustive()
    }
}

impl Trust {
    /// The embedded root of a well-known instance.
    pub fn embedded(instance: Instance) -> Result<Trust, TrustError> {
        Trust::from_json(
            instance.embedded_json(),
            format!("{} (embedded)", instance.name()),
        )
    }

    /// Sigstore public-good production (the default).
    pub fn production() -> Result<Trust, TrustError> {
        Trust::embedded(Instance::Production)
    }

    /// A `trusted_root.json` file, read with a size cap.
    pub fn from_file(path: &Path) -> Result<Trust, TrustError> {
        let bytes = limits::read_file_capped(path, limits::MAX_TRUST_BYTES).map_err(|source| {
            TrustError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
        let name = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|_| TrustError::Parse {
            name: name.clone(),
            reason: "not UTF-8".into(),
        })?;
        Trust::from_json(text, name)
    }

    /// A trusted root from its JSON text; `name` is what reports call it.
    pub fn from_json(json: &str, name: impl Into<String>) -> Result<Trust, TrustError> {
        let name = name.into();
        // Parsed once, and only after strict_json refused a key twice in any object (as in a
        // bundle, two copies of one key would let two readers trust two different roots).
        match crate::strict_json::check(json.as_bytes(), limits::MAX_TRUST_BYTES) {
            Ok(()) => {}
            Err(crate::strict_json::StrictJsonError::TooDeep) => {
                return Err(TrustError::Depth { name });
            }
            Err(e) => {
                return Err(TrustError::Parse {
                    name,
                    reason: e.to_string(),
                });
            }
        }
        let root = TrustedRoot::from_json(json).map_err(|e| TrustError::Parse {
            name: name.clone(),
            reason: e.to_string(),
        })?;
        Trust::from_root(root, name)
    }

    /// A parsed trusted root.
    pub fn from_root(root: TrustedRoot, name: impl Into<String>) -> Result<Trust, TrustError> {
        let name = name.into();
        let verifier = Verifier::new(&root).map_err(|e| TrustError::Unusable {
            name: name.clone(),
            reason: e.to_string(),
        })?;
        // An instance without a transparency log (GitHub's) can only vouch for signing times
        // through its timestamp authorities; one without CT logs cannot have issued SCTs.
        let tsa_only = root.tlogs.is_empty();
        let has_ct_logs = !root.ctlogs.is_empty();
        Ok(Trust {
            root: Arc::new(root),
            verifier: Arc::new(verifier),
            name,
            tsa_only,
            tsa_only_accepted: false,
            has_ct_logs,
        })
    }

    /// The root as selected on the command line: `--trusted-root FILE` wins, then `--instance`,
    /// then `--staging`, else production.
    pub fn select(
        trusted_root: Option<&Path>,
        instance: Option<Instance>,
        staging: bool,
    ) -> Result<Trust, TrustError> {
        match (trusted_root, instance) {
            (Some(path), _) => Trust::from_file(path),
            (None, Some(instance)) => Trust::embedded(instance),
            (None, None) if staging => Trust::embedded(Instance::Staging),
            (None, None) => Trust::production(),
        }
    }

    /// The parsed trusted root.
    pub fn root(&self) -> &TrustedRoot {
        &self.root
    }

    /// The verifier built from the root (built once, reused for every bundle).
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// What reports call this root (`public-good (embedded)`, a file path, …).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the root has no transparency log (GitHub's instance): signing times then come
    /// from RFC 3161 timestamps alone, which must verify against the root's TSAs.
    pub fn is_tsa_only(&self) -> bool {
        self.tsa_only
    }

    /// DANGER: accept this root even if it has no transparency log (GitHub's instance), its
    /// bundles then verified on their RFC 3161 timestamps alone. Without it, a root without a
    /// log verifies no bundle. A root with a log is unchanged.
    pub fn accept_tsa_only(mut self, _: crate::bundle::danger::TsaOnly) -> Trust {
        self.tsa_only_accepted = self.tsa_only;
        self
    }

    /// Whether the root has no transparency log and the caller accepted that
    /// ([`Trust::accept_tsa_only`]).
    pub fn tsa_only_accepted(&self) -> bool {
        self.tsa_only_accepted
    }

    /// Whether the root has CT logs whose SCTs a signing certificate must carry.
    pub fn has_ct_logs(&self) -> bool {
        self.has_ct_logs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_root_builds_a_verifier() {
        for instance in [Instance::Production, Instance::Staging, Instance::GitHub] {
            let trust = Trust::embedded(instance).unwrap();
            assert_eq!(
                trust.is_tsa_only(),
                instance == Instance::GitHub,
                "{instance:?}"
            );
            assert_eq!(trust.has_ct_logs(), instance != Instance::GitHub);
            assert!(trust.name().contains(instance.name()));
            assert_eq!(Instance::from_name(instance.name()), Some(instance));
        }
    }

    #[test]
    fn malformed_roots_are_input_errors_naming_the_root() {
        let err = Trust::from_json("{", "x.json").unwrap_err();
        assert!(matches!(err, TrustError::Parse { .. }), "{err}");
        assert!(err.to_string().contains("x.json"));
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(
            Trust::from_json(&deep, "d").unwrap_err(),
            TrustError::Depth { .. }
        ));
        let err = Trust::from_file(Path::new("/nonexistent/root.json")).unwrap_err();
        assert!(matches!(err, TrustError::Read { .. }));
    }

    #[test]
    fn a_root_with_a_key_twice_is_refused() {
        // A second `tlogs` (here empty: a root without a log, whose bundles need no log entry)
        // after the real one: one reader would keep the first, another the last.
        let json = Instance::Production.embedded_json();
        let end = json.rfind('}').unwrap();
        let doubled = format!("{}, \"tlogs\": []}}", &json[..end]);
        let err = Trust::from_json(&doubled, "doubled.json").unwrap_err();
        assert!(matches!(err, TrustError::Parse { .. }), "{err}");
        assert!(
            err.to_string().contains("\"tlogs\" appears twice")
                && err.to_string().contains("doubled.json"),
            "{err}"
        );
    }
}
