//! Helm provenance (`<chart>-<version>.tgz.prov`) signed with an OpenPGP key (`--prov-key`),
//! as `helm package --sign` writes it: an OpenPGP clear-signed message whose body is the
//! chart's `Chart.yaml`, a `...` line, and `files:` mapping the package file name to its
//! `sha256:` digest.
//!
//! Guarantees: the body names exactly the package's file name and the SHA-256 of its bytes,
//! and [`sign`] returns only what [`crate::chart::prov::verify`] accepts with the signing key's
//! own public key (the caller writes it with the other release files, all or nothing).

use std::path::Path;

use pgp::composed::{CleartextSignedMessage, Deserializable, SignedSecretKey};

use crate::chart::ChartPackage;
use crate::digest::Digest;

#[derive(Debug, thiserror::Error)]
pub enum ProvSignError {
    #[error("--prov-key {path}: {reason}")]
    Key { path: String, reason: String },
    #[error("chart {path}: {reason}")]
    Chart { path: String, reason: String },
    #[error("signing the .prov failed: {0}")]
    Sign(String),
}

/// The `.prov` text for the chart package at `chart` (file name `package_name`), signed with
/// the armored secret key at `key` (unlocked with `passphrase`, empty for none).
pub fn sign(
    chart: &Path,
    package_name: &str,
    key: &Path,
    passphrase: &str,
) -> Result<Vec<u8>, ProvSignError> {
    let chart_err = |reason: String| ProvSignError::Chart {
        path: chart.display().to_string(),
        reason,
    };
    let key_err = |reason: String| ProvSignError::Key {
        path: key.display().to_string(),
        reason,
    };
    let bytes = crate::limits::read_file_capped(chart, crate::limits::MAX_CHART_BYTES)
        .map_err(|e| chart_err(e.to_string()))?;
    let package = ChartPackage::read(&bytes).map_err(|e| chart_err(e.to_string()))?;
    let chart_yaml = String::from_utf8(package.chart_yaml.clone())
        .map_err(|_| chart_err("Chart.yaml is not UTF-8".into()))?;
    let mut body = chart_yaml.replace("\r\n", "\n");
    if !body.ends_with('\n') {
        body.push('\n');
    }
    body.push_str(&format!(
        "\n...\nfiles:\n  {package_name}: {}\n",
        Digest::sha256(&bytes)
    ));

    let armored =
        crate::limits::read_file_capped(key, 1024 * 1024).map_err(|e| key_err(e.to_string()))?;
    let (secret, _) = SignedSecretKey::from_armor_single(armored.as_slice()).map_err(|e| {
        key_err(format!(
            "expected an armored OpenPGP secret key (gpg --export-secret-keys --armor), found: {e}"
        ))
    })?;
    let message = CleartextSignedMessage::sign(
        rand::thread_rng(),
        &body,
        &secret.primary_key,
        &passphrase.into(),
    )
    .map_err(|e| ProvSignError::Sign(e.to_string()))?;
    let text = message
        .to_armored_string(Default::default())
        .map_err(|e| ProvSignError::Sign(e.to_string()))?;

    // Check it as a consumer will, with the key's own public half.
    crate::chart::prov::verify(
        text.as_bytes(),
        &[secret.to_public_key()],
        &bytes,
        package_name,
    )
    .map_err(|e| ProvSignError::Sign(format!("the new .prov does not verify: {e}")))?;
    Ok(text.into_bytes())
}
