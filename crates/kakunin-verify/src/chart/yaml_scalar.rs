//! YAML scalars as Helm reads them in `index.yaml` and `Chart.yaml`: strings
//! (`appVersion: 1.16` is the string "1.16", `true` the string "true"); a mapping or a list
//! where a scalar belongs is an error, never a string.

use serde::Deserialize;

/// A scalar, or `None` for null.
pub(super) fn opt_scalar<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match serde_norway::Value::deserialize(d)? {
        serde_norway::Value::Null => Ok(None),
        serde_norway::Value::String(s) => Ok(Some(s)),
        serde_norway::Value::Number(n) => Ok(Some(n.to_string())),
        serde_norway::Value::Bool(b) => Ok(Some(b.to_string())),
        other => Err(D::Error::custom(format!(
            "expected a scalar, found {other:?}"
        ))),
    }
}

/// A scalar that must be there: null is refused with `null_is` as what was found.
pub(super) fn required<'de, D: serde::Deserializer<'de>>(
    d: D,
    null_is: &str,
) -> Result<String, D::Error> {
    opt_scalar(d)?
        .ok_or_else(|| serde::de::Error::custom(format!("expected a scalar, found {null_is}")))
}
