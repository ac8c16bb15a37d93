//! Reading a document that holds no image without keeping it: the same parse (serde_norway's
//! events, its depth and alias limits) and the same refusals as building a
//! `serde_norway::Value`, but no tree.
//!
//! [`Skim`] accepts only what building a `Value` accepts: when it cannot tell as cheaply (a
//! tagged value, a key that is not a scalar, two keys of one mapping whose fingerprints are
//! equal, which is how a duplicate key shows), it gives up with [`GAVE_UP`], and the caller
//! builds the `Value` to decide.

use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// The message of the error [`Skim`] gives up with.
pub const GAVE_UP: &str = "kakunin: skim gave up";

/// A document read and dropped.
pub struct Skim;

impl<'de> Deserialize<'de> for Skim {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Skim, D::Error> {
        d.deserialize_any(SkimVisitor)
    }
}

struct SkimVisitor;

fn gave_up<E: de::Error>() -> E {
    E::custom(GAVE_UP)
}

impl<'de> Visitor<'de> for SkimVisitor {
    type Value = Skim;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_none<E: de::Error>(self) -> Result<Skim, E> {
        Ok(Skim)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skim, D::Error> {
        Skim::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skim, A::Error> {
        while seq.next_element::<Skim>()?.is_some() {}
        Ok(Skim)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skim, A::Error> {
        let mut keys: Vec<u64> = Vec::new();
        while let Some(Key(k)) = map.next_key::<Key>()? {
            if keys.contains(&k) {
                return Err(gave_up());
            }
            keys.push(k);
            map.next_value::<Skim>()?;
        }
        Ok(Skim)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Skim, A::Error> {
        Err(gave_up())
    }
}

/// A scalar key's fingerprint: keys a `Value` holds equal have equal fingerprints (an
/// integer is one number whichever sign it was read with, `-0.0` is `0.0`, NaN is NaN).
struct Key(u64);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        d.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

fn fingerprint(kind: u8, value: impl Hash) -> Key {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    kind.hash(&mut h);
    value.hash(&mut h);
    Key(h.finish())
}

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar key")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
        Ok(fingerprint(0, v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
        Ok(match u64::try_from(v) {
            Ok(u) => fingerprint(1, u),
            Err(_) => fingerprint(2, v),
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
        Ok(fingerprint(1, v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
        let bits = if v.is_nan() {
            f64::NAN.to_bits()
        } else if v == 0.0 {
            0
        } else {
            v.to_bits()
        };
        Ok(fingerprint(3, bits))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(fingerprint(4, v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
        Ok(fingerprint(5, ()))
    }
    fn visit_none<E: de::Error>(self) -> Result<Key, E> {
        Ok(fingerprint(5, ()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
        Err(gave_up())
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
        Err(gave_up())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
        Err(gave_up())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skim(text: &str) -> Result<usize, String> {
        let mut n = 0;
        for d in serde_norway::Deserializer::from_str(text) {
            Skim::deserialize(d).map_err(|e| e.to_string())?;
            n += 1;
        }
        Ok(n)
    }

    fn value(text: &str) -> Result<usize, String> {
        let mut n = 0;
        for d in serde_norway::Deserializer::from_str(text) {
            serde_norway::Value::deserialize(d).map_err(|e| e.to_string())?;
            n += 1;
        }
        Ok(n)
    }

    #[test]
    fn accepts_only_what_a_value_accepts() {
        let cases = [
            "a: 1\nb: [1, {c: d}]\n---\n- x\n",
            "a: 1\na: 2\n",
            "1: a\n1.0: b\n",
            "0x10: a\n16: b\n",
            "-0.0: a\n0.0: b\n",
            ".nan: a\n.NaN: b\n",
            "~: a\nnull: b\n",
            "true: a\nTrue: b\n",
            "? [a]\n: b\n",
            "a: !custom x\n",
            "a: &x [1]\nb: *x\n",
            "a: *nowhere\n",
            "a: [1, 2\n",
            "",
            "# only a comment\n",
        ];
        for text in cases {
            match skim(text) {
                Ok(n) => assert_eq!(value(text), Ok(n), "{text:?}"),
                Err(e) if e.contains(GAVE_UP) => {}
                Err(e) => assert!(value(text).is_err(), "{text:?}: {e}"),
            }
        }
        // A duplicate key is never accepted, in any spelling a Value sees as the same key.
        for text in [
            "a: 1\na: 2\n",
            "0x10: a\n16: b\n",
            "-0.0: a\n0.0: b\n",
            "~: a\nnull: b\n",
        ] {
            assert!(value(text).is_err(), "{text:?}");
            assert!(skim(text).is_err(), "{text:?}");
        }
    }
}
