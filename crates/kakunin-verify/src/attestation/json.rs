//! Bounded, strict JSON building blocks for the attestation models.
//!
//! Guarantees: a list never grows past its cap while it is being parsed (the error comes as soon
//! as one element too many is seen, not after the whole list was allocated); a digest set has
//! no duplicate algorithm (`{"sha256":"good","sha256":"evil"}` is rejected rather than "last one
//! wins"); [`from_slice`] refuses a key that appears twice in any object (through
//! [`crate::strict_json`]); the lenient wrappers skip a value of an unexpected kind without buffering it.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A JSON array of at most `MAX` elements, refused as soon as element `MAX + 1` appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundedVec<T, const MAX: usize>(pub Vec<T>);

impl<T, const MAX: usize> Default for BoundedVec<T, MAX> {
    fn default() -> Self {
        BoundedVec(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for BoundedVec<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const MAX: usize>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for V<T, MAX> {
            type Value = BoundedVec<T, MAX>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "an array of at most {MAX} elements")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(MAX).min(1024));
                while let Some(item) = seq.next_element()? {
                    if out.len() == MAX {
                        return Err(de::Error::custom(format_args!(
                            "more than {MAX} elements (the cap for this list)"
                        )));
                    }
                    out.push(item);
                }
                Ok(BoundedVec(out))
            }
        }
        d.deserialize_seq(V::<T, MAX>(PhantomData))
    }
}

/// Most digests one resource may list (`sha256`, `sha512`, `gitCommit`, …).
pub const MAX_DIGESTS: usize = crate::limits::MAX_DIGESTS_PER_SET;

/// An in-toto DigestSet: algorithm name → hex value. Duplicate algorithms are an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct DigestSet(pub BTreeMap<String, String>);

impl DigestSet {
    pub fn get(&self, algorithm: &str) -> Option<&str> {
        self.0.get(algorithm).map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for DigestSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DigestSet;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a digest set: an object of algorithm names to hex strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DigestSet, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    if out.len() == MAX_DIGESTS {
                        return Err(de::Error::custom(format_args!(
                            "a digest set with more than {MAX_DIGESTS} algorithms"
                        )));
                    }
                    if out.contains_key(&k) {
                        return Err(de::Error::custom(format_args!(
                            "digest algorithm {k:?} appears twice in one digest set"
                        )));
                    }
                    out.insert(k, v);
                }
                Ok(DigestSet(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Skips any JSON value except the kinds a lenient visitor wants; used by [`Lenient`] and
/// [`LenientStr`] so that a build-type-specific field of an unexpected shape is ignored (and
/// then reported as missing by the policy) instead of failing the whole document.
macro_rules! skip_other_kinds {
    ($value:ty, $empty:expr) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_none<E: de::Error>(self) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($empty)
        }
    };
}

/// An object parsed as `T`, or `None` when the value is not an object at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lenient<T>(pub Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Lenient<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Lenient<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Lenient(Some(t)))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Lenient<T>, E> {
                Ok(Lenient(None))
            }
            skip_other_kinds!(Lenient<T>, Lenient(None));
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A string, or `None` when the value is of another kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LenientStr(pub Option<String>);

impl<'de> Deserialize<'de> for LenientStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LenientStr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<LenientStr, E> {
                Ok(LenientStr(Some(s.to_owned())))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<LenientStr, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(LenientStr(None))
            }
            skip_other_kinds!(LenientStr, LenientStr(None));
        }
        d.deserialize_any(V)
    }
}

/// Parses a JSON object with [`crate::strict_json`]: bounded (size, depth), and refused when
/// any object in it names a key twice. The document must be an object: serde would otherwise
/// read a struct from an array, field by position.
pub fn from_slice<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, String> {
    crate::strict_json::from_slice(bytes, crate::limits::MAX_PAYLOAD_BYTES as u64)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_vec_refuses_one_element_too_many() {
        let ok: BoundedVec<u8, 3> = serde_json::from_str("[1,2,3]").unwrap();
        assert_eq!(ok.0, vec![1, 2, 3]);
        let err = serde_json::from_str::<BoundedVec<u8, 3>>("[1,2,3,4]").unwrap_err();
        assert!(err.to_string().contains("more than 3 elements"), "{err}");
    }

    #[test]
    fn digest_set_refuses_duplicate_algorithms() {
        let err =
            serde_json::from_str::<DigestSet>(r#"{"sha256":"aa","sha256":"bb"}"#).unwrap_err();
        assert!(err.to_string().contains("appears twice"), "{err}");
        let ok: DigestSet = serde_json::from_str(r#"{"sha256":"aa","sha512":"bb"}"#).unwrap();
        assert_eq!(ok.get("sha512"), Some("bb"));
    }

    #[test]
    fn lenient_values_skip_other_kinds() {
        #[derive(serde::Deserialize)]
        struct T {
            a: LenientStr,
        }
        let parsed: Lenient<T> = serde_json::from_str(r#"{"a":"x","b":[1,{"c":2}]}"#).unwrap();
        assert_eq!(parsed.0.unwrap().a.0.as_deref(), Some("x"));
        for other in [r#"[1,2]"#, "7", "null", "\"s\"", "true", "-1.5"] {
            let parsed: Lenient<T> = serde_json::from_str(other).unwrap();
            assert!(parsed.0.is_none(), "{other}");
        }
        let s: LenientStr = serde_json::from_str(r#"{"x":1}"#).unwrap();
        assert_eq!(s.0, None);
    }

    #[test]
    fn from_slice_refuses_deep_documents_clearly() {
        let deep = "[".repeat(crate::limits::MAX_DEPTH + 1);
        let err =
            from_slice::<serde_json::Value>(format!("{{\"a\":{deep}").as_bytes()).unwrap_err();
        assert!(err.contains("deeper than"), "{err}");
        let err = from_slice::<serde_json::Value>(b" [1]").unwrap_err();
        assert!(err.contains("expected a JSON object"), "{err}");
        let err = from_slice::<serde_json::Value>(br#"{"a":{"b":1,"b":2}}"#).unwrap_err();
        assert!(err.contains("\"b\" appears twice"), "{err}");
    }
}
