//! Reading bundle files with bounds: `.sigstore`, `.sigstore.json` (one bundle) and `.jsonl`
//! (one bundle a line, as `gh attestation download` writes).
//!
//! Guarantees: no file larger than [`limits::MAX_BUNDLE_BYTES`] (one bundle) or
//! [`limits::MAX_JSONL_BYTES`] (a `.jsonl`) is read, no JSON nested deeper than
//! [`limits::MAX_DEPTH`] reaches the parser, and a `.jsonl` has at most
//! [`limits::MAX_JSONL_LINES`] bundles, no bundle with a key twice in one object is parsed
//! (see [`crate::strict_json`]). A line that does not parse does not hide the others.

use std::path::{Path, PathBuf};

use sigstore_types::Bundle;

use super::BundleError;
use crate::limits;

/// One bundle read from a file: where it came from and the bundle, or why it did not parse.
#[derive(Debug)]
pub struct LoadedBundle {
    /// 1-based line number in a `.jsonl` file; `None` for a single-bundle file.
    pub line: Option<usize>,
    pub bundle: Result<Bundle, BundleError>,
}

/// Whether a path names a JSON-lines file of bundles.
pub fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

/// Reads a bundle file. A file that cannot be read at all is an `Err`; a file that can be read
/// gives one [`LoadedBundle`] per bundle in it (per non-empty line of a `.jsonl`), each parsed
/// or not.
pub fn read_bundle_file(path: &Path) -> Result<Vec<LoadedBundle>, BundleError> {
    let jsonl = is_jsonl(path);
    let cap = if jsonl {
        limits::MAX_JSONL_BYTES
    } else {
        limits::MAX_BUNDLE_BYTES
    };
    let bytes = limits::read_file_capped(path, cap).map_err(|source| BundleError::Read {
        path: PathBuf::from(path),
        source,
    })?;
    if !jsonl {
        return Ok(vec![LoadedBundle {
            line: None,
            bundle: parse_bundle(&bytes),
        }]);
    }
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_bytes = line.strip_suffix(b"\r").unwrap_or(line);
        if line_bytes.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if out.len() == limits::MAX_JSONL_LINES {
            return Err(BundleError::TooManyLines {
                path: PathBuf::from(path),
                max: limits::MAX_JSONL_LINES,
            });
        }
        out.push(LoadedBundle {
            line: Some(i + 1),
            bundle: parse_bundle(line_bytes),
        });
    }
    if out.is_empty() {
        return Err(BundleError::Parse {
            reason: format!("{} holds no bundle (every line is empty)", path.display()),
        });
    }
    Ok(out)
}

/// Parses one bundle document through [`crate::strict_json`]: bounded in size and depth, and
/// refused when any object in it names a key twice (sigstore-types reads the bundle's content
/// through `#[serde(flatten)]`, which keeps the first of two `dsseEnvelope`s while a
/// `serde_json::Value` keeps the last: a bundle with one copy of each key means one thing).
pub fn parse_bundle(bytes: &[u8]) -> Result<Bundle, BundleError> {
    crate::strict_json::check(bytes, limits::MAX_BUNDLE_BYTES).map_err(|e| BundleError::Parse {
        reason: match e {
            crate::strict_json::StrictJsonError::TooLarge { found, cap } => {
                format!("a bundle of {found} bytes is larger than the {cap} bytes allowed")
            }
            crate::strict_json::StrictJsonError::TooDeep => {
                format!("JSON nested deeper than {} levels", limits::MAX_DEPTH)
            }
            other => match what_else_bytes(bytes) {
                Some(hint) => format!("{other} ({hint})"),
                None => other.to_string(),
            },
        },
    })?;
    let text = std::str::from_utf8(bytes).map_err(|e| BundleError::Parse {
        reason: format!("not UTF-8: {e}"),
    })?;
    match Bundle::from_json(text) {
        Ok(b) => Ok(b),
        Err(strict) => {
            // Go's protojson, Python and JavaScript decoders all skip line breaks inside base64
            // (`base64` wraps its output at 76 columns, and tools paste that into bundles);
            // sigstore-types does not. Accept what the rest of the ecosystem accepts, and only
            // in the fields that are base64.
            unwrap_base64_lines(text)
                .and_then(|t| Bundle::from_json(&t).ok())
                .ok_or_else(|| BundleError::Parse {
                    reason: match what_else(text) {
                        Some(hint) => format!("{strict} ({hint})"),
                        None => strict.to_string(),
                    },
                })
        }
    }
}

fn what_else_bytes(bytes: &[u8]) -> Option<&'static str> {
    what_else(std::str::from_utf8(bytes).ok()?)
}

/// What a document that is not a bundle looks like, when it is a well-known neighbour (only
/// asked of a document [`crate::strict_json`] accepted, or to add a hint to its refusal).
fn what_else(text: &str) -> Option<&'static str> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let o = v.as_object()?;
    if o.contains_key("payloadType") && o.contains_key("signatures") {
        Some(
            "this is a bare DSSE envelope, as in an .intoto.jsonl: it has no certificate or log entry; verify the .sigstore bundle instead",
        )
    } else if o.contains_key("_type") && o.contains_key("subject") {
        Some("this is an unsigned in-toto statement, not a bundle")
    } else if o.contains_key("tlogs") || o.contains_key("certificateAuthorities") {
        Some("this is a trusted root, not a bundle")
    } else {
        None
    }
}

/// The bundle's bytes fields (protobuf `bytes`, base64 in JSON).
const BASE64_FIELDS: &[&str] = &[
    "rawBytes",
    "signature",
    "digest",
    "payload",
    "sig",
    "canonicalizedBody",
    "signedEntryTimestamp",
    "signedTimestamp",
    "keyId",
    "rootHash",
    "hashes",
];

/// The document with `\r`/`\n` removed from base64 fields, or None when there were none (or it
/// is not JSON).
fn unwrap_base64_lines(text: &str) -> Option<String> {
    fn walk(v: &mut serde_json::Value, in_b64: bool, changed: &mut bool) {
        match v {
            serde_json::Value::String(s) if in_b64 && s.contains(['\r', '\n']) => {
                s.retain(|c| c != '\r' && c != '\n');
                *changed = true;
            }
            serde_json::Value::Array(items) => {
                for item in items {
                    walk(item, in_b64, changed);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map.iter_mut() {
                    walk(item, BASE64_FIELDS.contains(&k.as_str()), changed);
                }
            }
            _ => {}
        }
    }
    if !text.contains("\\n") && !text.contains("\\r") {
        return None;
    }
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut changed = false;
    walk(&mut v, false, &mut changed);
    if changed {
        serde_json::to_string(&v).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_bundles_are_parse_errors_not_panics() {
        for bad in [
            &b""[..],
            b"{",
            b"{\"mediaType\": 3}",
            b"\xff\xfe",
            b"[]",
            b"null",
        ] {
            assert!(
                matches!(parse_bundle(bad), Err(BundleError::Parse { .. })),
                "{bad:?}"
            );
        }
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_bundle(deep.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("nested deeper"), "{err}");
    }

    #[test]
    fn a_bundle_with_a_key_twice_is_refused_before_sigstore_types_reads_it() {
        // sigstore-types reads the content through #[serde(flatten)] (the first dsseEnvelope
        // wins) while a serde_json::Value keeps the last: neither may be asked.
        let env = |payload: &str| {
            format!(
                r#"{{"payloadType":"application/vnd.in-toto+json","payload":"{payload}","signatures":[{{"sig":"AQID"}}]}}"#
            )
        };
        let doubled = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{"publicKey":{{"hint":"x"}},"tlogEntries":[]}},"dsseEnvelope":{},"dsseEnvelope":{}}}"#,
            env("e30="),
            env("eyJhIjoxfQ==")
        );
        let err = parse_bundle(doubled.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("\"dsseEnvelope\" appears twice"), "{err}");
        // Deeper: two signatures of one DSSE signature object.
        let one = format!(
            r#"{{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{{"publicKey":{{"hint":"x"}},"tlogEntries":[]}},"dsseEnvelope":{}}}"#,
            env("e30=")
        );
        let inner = one.replacen(r#"{"sig":"AQID"}"#, r#"{"sig":"AQID","sig":"AQIE"}"#, 1);
        let err = parse_bundle(inner.as_bytes()).unwrap_err().to_string();
        assert!(
            err.contains("\"sig\" appears twice in the object at $.dsseEnvelope.signatures[0]"),
            "{err}"
        );
    }

    #[test]
    fn line_breaks_are_removed_from_base64_fields_only() {
        let doc = r#"{"a":{"rawBytes":"QUJD\nREVG","envelope":"x\ny"},"hashes":["YQ==\r\n"]}"#;
        let out = unwrap_base64_lines(doc).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["a"]["rawBytes"], "QUJDREVG");
        assert_eq!(v["a"]["envelope"], "x\ny");
        assert_eq!(v["hashes"][0], "YQ==");
        assert!(unwrap_base64_lines(r#"{"envelope":"x\ny"}"#).is_none());
    }

    #[test]
    fn a_bare_dsse_envelope_is_named_as_such() {
        let err = parse_bundle(br#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AA=="}]}"#)
            .unwrap_err();
        assert!(err.to_string().contains("bare DSSE envelope"), "{err}");
    }

    #[test]
    fn jsonl_is_recognised_by_extension() {
        assert!(is_jsonl(Path::new("sha256:abc.jsonl")));
        assert!(is_jsonl(Path::new("x.JSONL")));
        assert!(!is_jsonl(Path::new("x.sigstore.json")));
        assert!(!is_jsonl(Path::new("x.sigstore")));
    }
}
