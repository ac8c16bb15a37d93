//! Ops: what a command does, as one library call (cargo's `ops` layout). An op takes a request
//! (plain data: paths, names, options, already parsed by the caller) and returns what the
//! caller renders (reports) or an [`Error`] carrying the exit code it means. An op never
//! prints, never exits and never builds an async runtime: ops that do I/O are `async` and run
//! on the caller's runtime (the CLI owns one, see `src/cli/runtime.rs`).
//!
//! Adding a CLI flag: parse it in `src/cli/`, give it a field in the op's request, use it in
//! the op (docs/architecture.md "Ops").

use std::collections::HashMap;
use std::path::Path;

use pgp::composed::SignedPublicKey;

use crate::exit::ExitCode;

pub mod download;
pub mod inspect;
pub mod policy_export;
pub mod post_render;
pub mod publish;
pub mod sign_bundle;
pub mod verify;
pub mod verify_attestation;
pub mod verify_bundle;
pub mod verify_image;

pub use download::{DownloadRequest, Downloaded, download};
pub use inspect::{InspectRequest, inspect};
pub use policy_export::{PolicyExportRequest, policy_export};
pub use post_render::{PostRenderRequest, PostRendered, post_render};
pub use publish::{PublishRequest, publish};
pub use sign_bundle::{SignBundleRequest, sign_bundle};
pub use verify::{Verified, VerifyRequest, verify};
pub use verify_attestation::{VerifyAttestationRequest, verify_attestation};
pub use verify_bundle::{BundleVerified, VerifyBundleRequest, verify_bundle};
pub use verify_image::{VerifyImageRequest, verify_image};

/// What an op tells its user while it runs, besides its result: the CLI prints a note on
/// stderr (`kakunin: note: …`); a caller that wants none passes [`Quiet`].
pub trait Shell: Send + Sync {
    fn note(&self, message: &str);
}

/// A [`Shell`] that says nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Shell for Quiet {
    fn note(&self, _message: &str) {}
}

/// Why an op did not produce its reports: the exit code that says so (2 usage or input, 3
/// could not fetch or run, 1 an input present but wrong) and the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub code: ExitCode,
    pub message: String,
}

impl Error {
    pub fn new(code: ExitCode, message: impl std::fmt::Display) -> Error {
        Error {
            code,
            message: message.to_string(),
        }
    }

    /// A usage or input error (exit 2).
    pub fn usage(message: impl std::fmt::Display) -> Error {
        Error::new(ExitCode::Usage, message)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Bytes a PGP keyring file may have (`--keyring`).
pub const MAX_KEYRING_BYTES: u64 = 4 * 1024 * 1024;

/// The PGP keyring a chart's `.prov` is checked against (`--keyring FILE`), read capped and
/// parsed; a file that cannot be read or parsed is a usage error naming it.
pub fn read_keyring(path: &Path) -> Result<Vec<SignedPublicKey>, Error> {
    let bytes = crate::limits::read_file_capped(path, MAX_KEYRING_BYTES)
        .map_err(|e| Error::usage(format!("keyring {}: {e}", path.display())))?;
    crate::chart::prov::parse_keyring(&bytes)
        .map_err(|e| Error::usage(format!("keyring {}: {e}", path.display())))
}

/// Registry credentials from a registry config (Helm's, Docker's config.json format;
/// `--registry-config`, `HELM_REGISTRY_CONFIG` when Helm runs kakunin). A file that does not
/// exist gives none (Helm names its default path whether or not `helm registry login` ever
/// wrote it); one that exists must be readable.
pub fn registry_credentials(
    path: Option<&Path>,
) -> Result<Option<HashMap<String, String>>, String> {
    match path {
        Some(path) if path.exists() => {
            let bytes = crate::limits::read_file_capped(path, 1024 * 1024)
                .map_err(|e| format!("registry config {}: {e}", path.display()))?;
            Ok(Some(crate::registry::parse_docker_config(&bytes)))
        }
        _ => Ok(None),
    }
}

/// The trusted root: `flag` (`--trusted-root FILE`) when given, else the one `choice` names
/// (a policy's or a profile's: a file, or an embedded root by name).
pub fn trust(
    flag: Option<&Path>,
    choice: crate::profile::RootChoice,
) -> Result<crate::trust::Trust, Error> {
    use crate::profile::RootChoice;
    use crate::trust::{Instance, Trust};
    let trust = match (flag, choice) {
        (Some(path), _) => Trust::from_file(path).map_err(Error::usage),
        (None, RootChoice::File(path)) => Trust::from_file(&path).map_err(Error::usage),
        (None, RootChoice::Embedded(name)) => {
            let instance = Instance::from_name(&name)
                .ok_or_else(|| Error::usage(format!("no embedded trusted root named {name:?}")))?;
            Trust::embedded(instance).map_err(Error::usage)
        }
    };
    trust.map(|t| t.accept_tsa_only(crate::bundle::danger::TsaOnly))
}
