//! The `dev.sigstore.cosign/bundle` annotation: a Rekor v1 entry's signed entry timestamp (SET)
//! with the entry it covers, `{"SignedEntryTimestamp": b64, "Payload": {"body": b64,
//! "integratedTime": n, "logIndex": n, "logID": hex}}`.
//!
//! Guarantees: nothing here is trusted. A [`RekorSet`] is the annotation parsed with bounds
//! (size, depth, base64, a 32-byte log id, the body's `kind`/`apiVersion`) and turned into the
//! transparency-log entry of a Sigstore bundle, whose SET (a signature by the log over the
//! canonical JSON of `{body, integratedTime, logID, logIndex}`), integrated time and body
//! binding sigstore-verify then verifies against the trusted root's Rekor keys.

use base64::Engine;
use serde::Deserialize;

/// The annotation is a few KiB (the body embeds the certificate).
pub const MAX_REKOR_BUNDLE_BYTES: usize = 256 * 1024;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A parsed (unverified) Rekor SET bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekorSet {
    pub signed_entry_timestamp: Vec<u8>,
    pub body: Vec<u8>,
    pub integrated_time: i64,
    pub log_index: u64,
    pub log_id: Vec<u8>,
    /// The body's `kind` and `apiVersion` (`hashedrekord`, `0.0.1`).
    pub kind: String,
    pub version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[serde(rename = "SignedEntryTimestamp")]
    set: String,
    #[serde(rename = "Payload")]
    payload: Payload,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    body: String,
    #[serde(rename = "integratedTime")]
    integrated_time: i64,
    #[serde(rename = "logIndex")]
    log_index: u64,
    #[serde(rename = "logID")]
    log_id: String,
}

#[derive(Deserialize)]
struct Body {
    kind: String,
    #[serde(rename = "apiVersion")]
    api_version: String,
}

/// Why the annotation cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the Rekor bundle annotation (dev.sigstore.cosign/bundle) is not valid: {0}")]
pub struct RekorSetError(pub String);

impl RekorSet {
    pub fn parse(text: &str) -> Result<RekorSet, RekorSetError> {
        let err = |m: String| RekorSetError(m);
        let doc: Doc =
            crate::strict_json::from_slice(text.as_bytes(), MAX_REKOR_BUNDLE_BYTES as u64)
                .map_err(|e| err(e.to_string()))?;
        let set = B64
            .decode(&doc.set)
            .map_err(|e| err(format!("SignedEntryTimestamp: {e}")))?;
        let body = B64
            .decode(&doc.payload.body)
            .map_err(|e| err(format!("Payload.body: {e}")))?;
        let log_id = hex::decode(&doc.payload.log_id)
            .ok()
            .filter(|id| id.len() == 32)
            .ok_or_else(|| {
                err(format!(
                    "Payload.logID: expected 64 hex digits, found {:?}",
                    doc.payload.log_id
                ))
            })?;
        let b: Body = crate::strict_json::from_slice(&body, MAX_REKOR_BUNDLE_BYTES as u64)
            .map_err(|e| err(format!("the entry body is not a Rekor entry: {e}")))?;
        Ok(RekorSet {
            signed_entry_timestamp: set,
            body,
            integrated_time: doc.payload.integrated_time,
            log_index: doc.payload.log_index,
            log_id,
            kind: b.kind,
            version: b.api_version,
        })
    }

    /// Whether sigstore-verify can check the consistency of this entry kind with the
    /// signature (hashedrekord 0.0.1, dsse 0.0.1, intoto 0.0.2).
    pub fn kind_supported(&self) -> bool {
        matches!(
            (self.kind.as_str(), self.version.as_str()),
            ("hashedrekord", "0.0.1") | ("dsse", "0.0.1") | ("intoto", "0.0.2")
        )
    }

    /// The entry as a Sigstore bundle's `tlogEntries[]` element.
    pub fn to_tlog_entry(&self) -> serde_json::Value {
        serde_json::json!({
            "logIndex": self.log_index.to_string(),
            "logId": {"keyId": B64.encode(&self.log_id)},
            "kindVersion": {"kind": self.kind, "version": self.version},
            "integratedTime": self.integrated_time.to_string(),
            "inclusionPromise": {"signedEntryTimestamp": B64.encode(&self.signed_entry_timestamp)},
            "canonicalizedBody": B64.encode(&self.body),
        })
    }

    /// The annotation cosign writes for a bundle's transparency-log entry (the inverse of
    /// [`RekorSet::parse`]; used to produce cosign's layout).
    pub fn annotation(&self) -> String {
        serde_json::json!({
            "SignedEntryTimestamp": B64.encode(&self.signed_entry_timestamp),
            "Payload": {
                "body": B64.encode(&self.body),
                "integratedTime": self.integrated_time,
                "logIndex": self.log_index,
                "logID": hex::encode(&self.log_id),
            }
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn annotation(body: &str, log_id: &str) -> String {
        format!(
            r#"{{"SignedEntryTimestamp":"AAAA","Payload":{{"body":"{}","integratedTime":1,"logIndex":2,"logID":"{log_id}"}}}}"#,
            B64.encode(body)
        )
    }

    #[test]
    fn reads_the_entry_and_its_kind() {
        let s = RekorSet::parse(&annotation(
            r#"{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}"#,
            &"ab".repeat(32),
        ))
        .unwrap();
        assert_eq!(
            (s.kind.as_str(), s.version.as_str()),
            ("hashedrekord", "0.0.1")
        );
        assert!(s.kind_supported());
        assert_eq!(s.log_index, 2);
        assert_eq!(RekorSet::parse(&s.annotation()).unwrap(), s);
        let e = s.to_tlog_entry();
        assert_eq!(e["logIndex"], "2");
        assert_eq!(e["kindVersion"]["kind"], "hashedrekord");
    }

    #[test]
    fn bad_annotations_are_clear_errors() {
        let ok_body = r#"{"apiVersion":"0.0.1","kind":"rekord"}"#;
        let rekord = RekorSet::parse(&annotation(ok_body, &"00".repeat(32))).unwrap();
        assert!(!rekord.kind_supported());
        for (bad, want) in [
            ("not json".to_string(), "expected"),
            (annotation(r#"{"kind":"a","kind":"b","apiVersion":"1"}"#, &"00".repeat(32)), "appears twice"),
            (annotation(ok_body, "abc"), "64 hex digits"),
            (annotation("not json", &"00".repeat(32)), "not a Rekor entry"),
            (
                r#"{"SignedEntryTimestamp":"!!","Payload":{"body":"","integratedTime":1,"logIndex":2,"logID":""}}"#.to_string(),
                "SignedEntryTimestamp",
            ),
            (" ".repeat(MAX_REKOR_BUNDLE_BYTES + 1), "more than"),
        ] {
            let e = RekorSet::parse(&bad).unwrap_err().to_string();
            assert!(e.contains(want), "{want}: {e}");
        }
    }
}
