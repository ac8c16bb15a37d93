//! cosign's simple-signing payload (`application/vnd.dev.cosign.simplesigning.v1+json`): the
//! bytes a legacy `.sig` layer signs.
//!
//! Guarantees: a [`SimpleSigning`] is read through [`crate::strict_json`] from at most
//! [`MAX_PAYLOAD_BYTES`] bytes (depth bounded, no key twice in any object); its
//! `critical.type` and `critical.image.docker-manifest-digest` are present. Whether they name
//! the image being verified is [`check_payload`]'s verdict, given as a [`Check`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::check::{Check, ids};
use crate::digest::Digest;

/// The media type of a simple-signing payload layer.
pub const SIMPLE_SIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// The only `critical.type` a cosign image signature carries.
pub const SIGNATURE_TYPE: &str = "cosign container image signature";
/// cosign's payloads are a few hundred bytes; this leaves room for large `optional` maps.
pub const MAX_PAYLOAD_BYTES: usize = 1024 * 1024;

/// A parsed simple-signing payload (its bytes are what the signature covers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleSigning {
    /// `critical.identity.docker-reference`: the repository the signer named.
    pub docker_reference: Option<String>,
    /// `critical.image.docker-manifest-digest`, as written.
    pub manifest_digest: String,
    /// `critical.type`.
    pub kind: String,
    /// `optional`: string annotations given at signing (`cosign sign -a k=v`); other values are
    /// kept as their JSON text.
    pub optional: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Doc {
    critical: Critical,
    #[serde(default)]
    optional: Option<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct Critical {
    #[serde(default)]
    identity: Option<IdentityDoc>,
    image: Image,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
struct IdentityDoc {
    #[serde(rename = "docker-reference", default)]
    docker_reference: Option<String>,
}

#[derive(Deserialize)]
struct Image {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: String,
}

/// Why a payload is not a simple-signing payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the signed payload is not a cosign simple-signing payload: {0}")]
pub struct PayloadError(pub String);

impl SimpleSigning {
    /// Parses payload bytes (bounded).
    pub fn parse(bytes: &[u8]) -> Result<SimpleSigning, PayloadError> {
        let doc: Doc = crate::strict_json::from_slice(bytes, MAX_PAYLOAD_BYTES as u64)
            .map_err(|e| PayloadError(e.to_string()))?;
        let optional = doc
            .optional
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        Ok(SimpleSigning {
            docker_reference: doc.critical.identity.and_then(|i| i.docker_reference),
            manifest_digest: doc.critical.image.docker_manifest_digest,
            kind: doc.critical.kind,
            optional,
        })
    }
}

/// The payload's type is cosign's and its digest is the image's.
pub fn check_payload(payload: &SimpleSigning, image: &Digest) -> Check {
    let title =
        "signed payload names this image (critical.image.docker-manifest-digest, critical.type)";
    let expected = format!("{image}, type {SIGNATURE_TYPE:?}");
    let found = format!("{}, type {:?}", payload.manifest_digest, payload.kind);
    let digest_ok = payload
        .manifest_digest
        .parse::<Digest>()
        .is_ok_and(|d| &d == image);
    if digest_ok && payload.kind == SIGNATURE_TYPE {
        Check::pass(ids::COSIGN_PAYLOAD, title, expected, found)
    } else {
        Check::fail(ids::COSIGN_PAYLOAD, title, expected, found)
    }
}

/// `critical.identity.docker-reference` equals the reference the user expects. Registry hosts
/// are compared as cosign writes them (`index.docker.io/…` for Docker Hub).
pub fn check_docker_reference(payload: &SimpleSigning, expected: &str) -> Check {
    let title = "signed payload's docker-reference (critical.identity.docker-reference)";
    let found = payload.docker_reference.as_deref().unwrap_or("(absent)");
    let norm = |s: &str| {
        let s = s.trim_end_matches('/');
        s.strip_prefix("docker.io/")
            .map(|r| format!("index.docker.io/{r}"))
            .unwrap_or_else(|| s.to_string())
    };
    if payload
        .docker_reference
        .as_deref()
        .is_some_and(|f| norm(f) == norm(expected))
    {
        Check::pass(ids::COSIGN_DOCKER_REFERENCE, title, expected, found)
    } else {
        Check::fail(ids::COSIGN_DOCKER_REFERENCE, title, expected, found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"critical":{"identity":{"docker-reference":"index.docker.io/o/r"},"image":{"docker-manifest-digest":"sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321"},"type":"cosign container image signature"},"optional":{"key1":"value1","n":3}}"#;

    fn image() -> Digest {
        "sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321"
            .parse()
            .unwrap()
    }

    #[test]
    fn a_payload_names_its_image_and_type() {
        let p = SimpleSigning::parse(GOOD.as_bytes()).unwrap();
        assert_eq!(p.docker_reference.as_deref(), Some("index.docker.io/o/r"));
        assert_eq!(p.optional["key1"], "value1");
        assert_eq!(p.optional["n"], "3");
        assert!(check_payload(&p, &image()).passed());
        let other: Digest = format!("sha256:{}", "0".repeat(64)).parse().unwrap();
        let c = check_payload(&p, &other);
        assert!(!c.passed());
        assert!(c.expected.contains(&other.to_string()) && c.found.contains("c05263d2"));
        let mut wrong_type = p.clone();
        wrong_type.kind = "something else".into();
        assert!(!check_payload(&wrong_type, &image()).passed());
    }

    #[test]
    fn docker_reference_is_compared_with_docker_hub_normalised() {
        let p = SimpleSigning::parse(GOOD.as_bytes()).unwrap();
        assert!(check_docker_reference(&p, "docker.io/o/r").passed());
        assert!(check_docker_reference(&p, "index.docker.io/o/r").passed());
        let c = check_docker_reference(&p, "ghcr.io/o/r");
        assert!(!c.passed());
        assert_eq!(c.found, "index.docker.io/o/r");
    }

    #[test]
    fn bad_payloads_are_clear_errors() {
        for (bad, want) in [
            (&b"not json"[..], "expected a JSON object"),
            (b"[1]", "expected a JSON object"),
            (
                br#"{"critical":{"image":{"docker-manifest-digest":"x"},"type":"t"},"critical":{}}"#,
                "appears twice",
            ),
            (b"{}", "missing field `critical`"),
            (
                br#"{"critical":{"image":{"docker-manifest-digest":"x"},"type":"t","type":"u"}}"#,
                "appears twice",
            ),
        ] {
            let e = SimpleSigning::parse(bad).unwrap_err();
            assert!(e.to_string().contains(want), "{e}");
        }
        let deep = format!("{{\"a\":{}", "[".repeat(10_000));
        assert!(
            SimpleSigning::parse(deep.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("deeper")
        );
        let huge = vec![b' '; MAX_PAYLOAD_BYTES + 1];
        assert!(
            SimpleSigning::parse(&huge)
                .unwrap_err()
                .to_string()
                .contains("more than the")
        );
    }
}
