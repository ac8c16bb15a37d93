//! Content digests: parsing `sha256:<hex>` / `sha512:<hex>`, and hashing files and streams in
//! constant memory (aws-lc-rs, which uses the CPU's SHA extensions).
//!
//! A [`Digest`] says nothing about trust: it is what some bytes hash to, or what some document
//! claims they hash to. Comparing two of them is how the verifiers bind evidence together.

use std::fmt;
use std::io::Read;
use std::str::FromStr;

use aws_lc_rs::digest as lc;

/// A hash algorithm kakunin accepts for artifacts and subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

impl Algorithm {
    /// The name used in OCI digests and in-toto subjects (`sha256`, `sha512`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Length of the digest in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }

    fn lc(self) -> &'static lc::Algorithm {
        match self {
            Algorithm::Sha256 => &lc::SHA256,
            Algorithm::Sha512 => &lc::SHA512,
        }
    }

    /// Parses an algorithm name (`sha256`, `sha512`), case-insensitively.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        match name.to_ascii_lowercase().as_str() {
            "sha256" => Some(Algorithm::Sha256),
            "sha512" => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// An algorithm and the digest bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    bytes: Vec<u8>,
}

/// Why a digest string was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DigestError {
    #[error("expected a digest of the form sha256:<64 hex> or sha512:<128 hex>, found {0:?}")]
    Form(String),
    #[error("unsupported digest algorithm {0:?}: expected sha256 or sha512")]
    Algorithm(String),
    #[error("{algorithm} digest must be {expected} hex characters, found {found} in {value:?}")]
    Length {
        algorithm: &'static str,
        expected: usize,
        found: usize,
        value: String,
    },
    #[error("digest is not lower-case hexadecimal: {0:?}")]
    Hex(String),
}

impl Digest {
    /// A digest from its parts; `bytes` must have the algorithm's length.
    pub fn new(algorithm: Algorithm, bytes: Vec<u8>) -> Result<Digest, DigestError> {
        if bytes.len() != algorithm.digest_len() {
            return Err(DigestError::Length {
                algorithm: algorithm.name(),
                expected: algorithm.digest_len() * 2,
                found: bytes.len() * 2,
                value: hex::encode(&bytes),
            });
        }
        Ok(Digest { algorithm, bytes })
    }

    /// Parses the hex part of a digest whose algorithm is already known. Hex must be lower case,
    /// as OCI and in-toto write it: an upper-case digest is a different string to a registry.
    pub fn from_hex(algorithm: Algorithm, hex_str: &str) -> Result<Digest, DigestError> {
        if hex_str.len() != algorithm.digest_len() * 2 {
            return Err(DigestError::Length {
                algorithm: algorithm.name(),
                expected: algorithm.digest_len() * 2,
                found: hex_str.len(),
                value: truncate(hex_str),
            });
        }
        if !hex_str
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(DigestError::Hex(truncate(hex_str)));
        }
        let bytes = hex::decode(hex_str).map_err(|_| DigestError::Hex(truncate(hex_str)))?;
        Ok(Digest { algorithm, bytes })
    }

    /// The digest of a byte slice.
    pub fn of_bytes(algorithm: Algorithm, data: &[u8]) -> Digest {
        Digest {
            algorithm,
            bytes: lc::digest(algorithm.lc(), data).as_ref().to_vec(),
        }
    }

    /// SHA-256 of a byte slice.
    pub fn sha256(data: &[u8]) -> Digest {
        Digest::of_bytes(Algorithm::Sha256, data)
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The raw digest bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Lower-case hex of the digest bytes, without the algorithm.
    pub fn hex(&self) -> String {
        hex::encode(&self.bytes)
    }
}

fn truncate(s: &str) -> String {
    if s.len() > 140 {
        let mut end = 140;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}…", &s[..end])
    } else {
        s.to_string()
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    /// Parses `sha256:<hex>` or `sha512:<hex>`.
    fn from_str(s: &str) -> Result<Digest, DigestError> {
        let (alg, hex_str) = s
            .split_once(':')
            .ok_or_else(|| DigestError::Form(truncate(s)))?;
        let algorithm =
            Algorithm::from_name(alg).ok_or_else(|| DigestError::Algorithm(truncate(alg)))?;
        Digest::from_hex(algorithm, hex_str)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex())
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Size of the buffer used to stream data through the hashers: large enough that the per-call
/// overhead vanishes next to SHA-256 itself, small enough to keep peak memory low.
pub const STREAM_BUFFER: usize = 256 * 1024;

/// Hashes a stream with several algorithms at once, in constant memory.
/// Returns the digests in the order of `algorithms` and the number of bytes read.
pub fn hash_reader(
    mut reader: impl Read,
    algorithms: &[Algorithm],
) -> std::io::Result<(Vec<Digest>, u64)> {
    let mut contexts: Vec<lc::Context> = algorithms
        .iter()
        .map(|a| lc::Context::new(a.lc()))
        .collect();
    let mut buf = vec![0u8; STREAM_BUFFER];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        total += n as u64;
        for ctx in &mut contexts {
            ctx.update(&buf[..n]);
        }
    }
    let digests = contexts
        .into_iter()
        .zip(algorithms)
        .map(|(ctx, alg)| Digest {
            algorithm: *alg,
            bytes: ctx.finish().as_ref().to_vec(),
        })
        .collect();
    Ok((digests, total))
}

/// SHA-256 of a file, streamed.
pub fn sha256_file(path: &std::path::Path) -> std::io::Result<Digest> {
    let file = std::fs::File::open(path)?;
    let (mut d, _) = hash_reader(file, &[Algorithm::Sha256])?;
    Ok(d.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let s = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let d: Digest = s.parse().unwrap();
        assert_eq!(d.to_string(), s);
        assert_eq!(d, Digest::sha256(b""));
    }

    #[test]
    fn rejects_malformed_digests_naming_what_was_expected() {
        assert!(matches!(
            "sha256".parse::<Digest>(),
            Err(DigestError::Form(_))
        ));
        assert!(matches!(
            "md5:00".parse::<Digest>(),
            Err(DigestError::Algorithm(_))
        ));
        let err = "sha256:abcd".parse::<Digest>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "sha256 digest must be 64 hex characters, found 4 in \"abcd\""
        );
        let upper = "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        assert!(matches!(upper.parse::<Digest>(), Err(DigestError::Hex(_))));
    }

    #[test]
    fn streaming_equals_one_shot_for_both_algorithms() {
        let data: Vec<u8> = (0..(STREAM_BUFFER * 2 + 17))
            .map(|i| (i % 251) as u8)
            .collect();
        let (ds, n) = hash_reader(&data[..], &[Algorithm::Sha256, Algorithm::Sha512]).unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(ds[0], Digest::of_bytes(Algorithm::Sha256, &data));
        assert_eq!(ds[1], Digest::of_bytes(Algorithm::Sha512, &data));
    }
}
