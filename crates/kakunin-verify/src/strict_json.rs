//! Strict JSON: the one way kakunin reads a document that carries signatures or trust (Sigstore
//! bundles, DSSE envelopes, in-toto statements, `.intoto.jsonl` lines, OCI manifests and
//! referrers indexes, trusted roots, kit manifests).
//!
//! Guarantees: a document is refused, with the reason, before any typed parser sees it, when it
//! is larger than the cap given, nests deeper than [`MAX_DEPTH`], is not a JSON object, or
//! names a key twice in one object — at any depth, keys compared after unescaping (`"a"` and
//! `"\u0061"` are the same key). JSON itself leaves duplicates to the reader (RFC 8259 §4), and
//! readers disagree: serde's derived structs refuse some, `serde_json::Value` keeps the last, a
//! `#[serde(flatten)]` field (as sigstore-types' bundle content) keeps the first. A document
//! with one copy of each key has a single meaning, so two readers of it cannot see two
//! different signed documents. The typed parse that follows reads the same bytes with the same
//! parser (serde_json), after this pass; the pass itself builds nothing but the keys of the
//! object it is in, so its memory is bounded by the document.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

pub use crate::limits::MAX_DEPTH;

/// Why a document was refused. The message says what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrictJsonError {
    #[error("a document of {found} bytes, more than the {cap} bytes allowed")]
    TooLarge { found: usize, cap: u64 },
    #[error("expected a JSON object, found {found}")]
    NotObject { found: &'static str },
    #[error("JSON nests deeper than {MAX_DEPTH} levels")]
    TooDeep,
    /// Invalid JSON, a key that appears twice, or a document that is not the expected type.
    #[error("{0}")]
    Invalid(String),
}

/// Checks a document: size, depth, an object at the top, and no key twice in any object.
/// Use it before handing the bytes to a parser kakunin does not own (sigstore-types'
/// `Bundle::from_json`, `TrustedRoot::from_json`); otherwise use [`from_slice`].
pub fn check(bytes: &[u8], cap: u64) -> Result<(), StrictJsonError> {
    if bytes.len() as u64 > cap {
        return Err(StrictJsonError::TooLarge {
            found: bytes.len(),
            cap,
        });
    }
    if !crate::limits::json_depth_ok(bytes) {
        return Err(StrictJsonError::TooDeep);
    }
    match bytes.trim_ascii_start().first() {
        Some(b'{') => {}
        Some(b'[') => return Err(StrictJsonError::NotObject { found: "an array" }),
        Some(_) => {
            return Err(StrictJsonError::NotObject {
                found: "another value",
            });
        }
        None => return Err(StrictJsonError::NotObject { found: "nothing" }),
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut path = Vec::new();
    Probe { path: &mut path }
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| StrictJsonError::Invalid(e.to_string()))
}

/// Parses a document as `T` after [`check`] accepted it.
pub fn from_slice<'a, T: serde::Deserialize<'a>>(
    bytes: &'a [u8],
    cap: u64,
) -> Result<T, StrictJsonError> {
    check(bytes, cap)?;
    serde_json::from_slice(bytes).map_err(|e| StrictJsonError::Invalid(e.to_string()))
}

/// Parses a document into a [`serde_json::Value`] after [`check`] accepted it (for documents
/// read as trees, such as a bundle being rewritten).
pub fn to_value(bytes: &[u8], cap: u64) -> Result<serde_json::Value, StrictJsonError> {
    from_slice(bytes, cap)
}

/// One step of the path to a value, for messages (`$.dsseEnvelope.signatures[0]`).
enum Step {
    Key(String),
    Index(usize),
}

fn describe(path: &[Step]) -> String {
    let mut out = String::from("$");
    for s in path {
        match s {
            Step::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Walks one value, refusing a key seen twice in one object and anything nested deeper than
/// [`MAX_DEPTH`]; builds nothing.
struct Probe<'p> {
    path: &'p mut Vec<Step>,
}

impl<'de> DeserializeSeed<'de> for Probe<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.path.len() >= MAX_DEPTH {
            return Err(de::Error::custom(format_args!(
                "JSON nests deeper than {MAX_DEPTH} levels at {}",
                describe(self.path)
            )));
        }
        d.deserialize_any(self)
    }
}

/// A key, borrowed from the document when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

/// Objects with up to this many keys are checked by a linear scan; larger ones by a hash set.
const SMALL_OBJECT: usize = 16;

impl<'de> Visitor<'de> for Probe<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        loop {
            self.path.push(Step::Index(i));
            let more = seq.next_element_seed(Probe {
                path: &mut *self.path,
            })?;
            self.path.pop();
            if more.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut small: Vec<Cow<'de, str>> = Vec::new();
        let mut large: HashSet<Cow<'de, str>> = HashSet::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let seen = if large.is_empty() {
                small.contains(&key)
            } else {
                large.contains(&key)
            };
            if seen {
                return Err(de::Error::custom(format_args!(
                    "key {key:?} appears twice in the object at {} (a document with two values for one key has no single meaning)",
                    describe(self.path)
                )));
            }
            self.path.push(Step::Key(key.clone().into_owned()));
            map.next_value_seed(Probe {
                path: &mut *self.path,
            })?;
            self.path.pop();
            if large.is_empty() && small.len() < SMALL_OBJECT {
                small.push(key);
            } else {
                large.extend(small.drain(..));
                large.insert(key);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAP: u64 = 1 << 20;

    #[test]
    fn duplicate_keys_are_refused_at_any_depth_with_their_path() {
        let top = check(br#"{"a":1,"b":2,"a":3}"#, CAP)
            .unwrap_err()
            .to_string();
        assert!(
            top.contains(r#"key "a" appears twice in the object at $"#),
            "{top}"
        );
        let deep = check(br#"{"x":[{"ok":1},{"y":{"k":1,"k":2}}]}"#, CAP)
            .unwrap_err()
            .to_string();
        assert!(
            deep.contains(r#"key "k" appears twice in the object at $.x[1].y"#),
            "{deep}"
        );
        // Keys are compared after unescaping.
        let escaped = check(br#"{"dsseEnvelope":{},"dsse\u0045nvelope":{}}"#, CAP)
            .unwrap_err()
            .to_string();
        assert!(
            escaped.contains("\"dsseEnvelope\" appears twice"),
            "{escaped}"
        );
        // The same key in sibling objects is not a duplicate.
        check(br#"{"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]}"#, CAP).unwrap();
    }

    #[test]
    fn duplicates_in_large_objects_are_found_too() {
        let mut keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\":{i}")).collect();
        check(format!("{{{}}}", keys.join(",")).as_bytes(), CAP).unwrap();
        keys.push("\"k3\":0".into());
        let err = check(format!("{{{}}}", keys.join(",")).as_bytes(), CAP).unwrap_err();
        assert!(err.to_string().contains("\"k3\" appears twice"), "{err}");
    }

    #[test]
    fn size_shape_depth_and_syntax_are_refused_before_parsing() {
        assert_eq!(
            check(b"{}", 1).unwrap_err(),
            StrictJsonError::TooLarge { found: 2, cap: 1 }
        );
        for (doc, found) in [
            (&b" [1]"[..], "an array"),
            (b"7", "another value"),
            (b"", "nothing"),
        ] {
            assert_eq!(
                check(doc, CAP).unwrap_err(),
                StrictJsonError::NotObject { found }
            );
        }
        let deep = format!("{{\"a\":{}", "[".repeat(MAX_DEPTH + 1));
        assert_eq!(
            check(deep.as_bytes(), CAP).unwrap_err(),
            StrictJsonError::TooDeep
        );
        for bad in [
            &b"{"[..],
            b"{\"a\":1} {}",
            b"{\"a\":1,}",
            b"{\"a\":\"\xff\"}",
        ] {
            assert!(
                matches!(check(bad, CAP), Err(StrictJsonError::Invalid(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn from_slice_parses_what_check_accepts() {
        #[derive(serde::Deserialize)]
        struct T {
            a: Vec<u8>,
        }
        let t: T = from_slice(br#"{"a":[1,2],"b":{"c":null}}"#, CAP).unwrap();
        assert_eq!(t.a, [1, 2]);
        assert!(from_slice::<T>(br#"{"a":[1],"a":[2]}"#, CAP).is_err());
        let v = to_value(br#"{"k":"v"}"#, CAP).unwrap();
        assert_eq!(v["k"], "v");
        assert!(to_value(br#"{"k":"v","k":"w"}"#, CAP).is_err());
    }
}
