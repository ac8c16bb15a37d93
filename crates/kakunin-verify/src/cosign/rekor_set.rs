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
use sigstore_types::bundle::{InclusionPromise, KindVersion, LogId, TransparencyLogEntry};
use sigstore_types::{CanonicalizedBody, LogIndex, LogKeyId, SignedTimestamp};

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

    /// The entry as a Sigstore bundle's `tlogEntries[]` element, built as the bundle's JSON
    /// parser would build it (log index within protobuf `int64`, integrated time 0 as absent):
    /// the SET as its inclusion promise, the body as its canonicalized body. Err for an entry
    /// kind or an index or time a bundle cannot hold.
    pub fn tlog_entry(&self) -> Result<TransparencyLogEntry, String> {
        let kind_version = match (self.kind.as_str(), self.version.as_str()) {
            ("hashedrekord", "0.0.1") => KindVersion::HashedRekordV001,
            ("hashedrekord", "0.0.2") => KindVersion::HashedRekordV002,
            ("dsse", "0.0.1") => KindVersion::DsseV001,
            ("intoto", "0.0.2") => KindVersion::IntotoV002,
            (kind, version) => {
                return Err(format!("unsupported Rekor entry format: {kind}/{version}"));
            }
        };
        let log_index = LogIndex::new(self.log_index).map_err(|e| e.to_string())?;
        let entry = TransparencyLogEntry::new(
            log_index,
            LogId::new(LogKeyId::from_bytes(&self.log_id)),
            kind_version,
            CanonicalizedBody::from_bytes(&self.body),
        )
        .with_inclusion_promise(InclusionPromise::new(SignedTimestamp::from_bytes(
            &self.signed_entry_timestamp,
        )));
        if self.integrated_time == 0 {
            return Ok(entry);
        }
        let time = jiff::Timestamp::from_second(self.integrated_time)
            .map_err(|e| format!("invalid timestamp {}: {e}", self.integrated_time))?;
        Ok(entry.with_integrated_time(time))
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
        let e = s.tlog_entry().unwrap();
        assert_eq!(e.log_index.get(), 2);
        assert_eq!(e.kind_version, KindVersion::HashedRekordV001);
        assert_eq!(e.integrated_time.map(|t| t.as_second()), Some(1));
        assert_eq!(e.canonicalized_body.as_bytes(), s.body.as_slice());
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
