//! cosign's own shapes of Sigstore material that the tests rewrite bundles into: the
//! `rekorBundle` (a Rekor v1 SET and the entry it signs) that cosign writes beside a signature
//! in its bundle JSON and in the `dev.sigstore.cosign/bundle` annotation of `.sig` and `.att`
//! layers. The values are the bundle's own, only moved; nothing is re-signed.

use base64::Engine;

/// cosign's `rekorBundle` of a Sigstore bundle's transparency-log entry `e` (an element of
/// `verificationMaterial.tlogEntries`): `SignedEntryTimestamp` is the entry's inclusion
/// promise, and `Payload` its canonicalized body, integrated time, log index and log ID (hex).
pub fn rekor_bundle(e: &serde_json::Value) -> serde_json::Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    serde_json::json!({
        "SignedEntryTimestamp": e["inclusionPromise"]["signedEntryTimestamp"],
        "Payload": {
            "body": e["canonicalizedBody"],
            "integratedTime": e["integratedTime"].as_str().unwrap().parse::<i64>().unwrap(),
            "logIndex": e["logIndex"].as_str().unwrap().parse::<u64>().unwrap(),
            "logID": hex::encode(b64.decode(e["logId"]["keyId"].as_str().unwrap()).unwrap()),
        }
    })
}
