//! Caps applied where bytes enter kakunin: every parser and download is bounded here, not later.

/// A Sigstore bundle (`.sigstore`, `.sigstore.json`, one line of a `.jsonl`).
pub const MAX_BUNDLE_BYTES: u64 = 16 * 1024 * 1024;
/// A whole `.jsonl` file of bundles.
pub const MAX_JSONL_BYTES: u64 = 64 * 1024 * 1024;
/// Bundles in a `.jsonl` file.
pub const MAX_JSONL_LINES: usize = 1024;
/// A DSSE payload (an in-toto statement), after base64 decoding.
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;
/// Subjects in one in-toto statement.
pub const MAX_SUBJECTS: usize = 100_000;
/// Signatures in one DSSE envelope.
pub const MAX_DSSE_SIGNATURES: usize = 16;
/// Algorithms in one in-toto digest set.
pub const MAX_DIGESTS_PER_SET: usize = 32;
/// Resolved dependencies read from one SLSA provenance.
pub const MAX_PROVENANCE_DEPENDENCIES: usize = 10_000;
/// Nesting depth of any JSON or YAML document kakunin parses.
pub const MAX_DEPTH: usize = 128;
/// A Helm repository `index.yaml`.
pub const MAX_INDEX_BYTES: u64 = 32 * 1024 * 1024;
/// A chart package `.tgz` as downloaded.
pub const MAX_CHART_BYTES: u64 = 64 * 1024 * 1024;
/// A chart package once decompressed (all entries together).
pub const MAX_CHART_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;
/// One file inside a chart package.
pub const MAX_CHART_ENTRY_BYTES: u64 = 16 * 1024 * 1024;
/// Entries in a chart package.
pub const MAX_CHART_ENTRIES: usize = 10_000;
/// A Helm `.prov` file.
pub const MAX_PROV_BYTES: u64 = 1024 * 1024;
/// An OCI manifest or index.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// A trusted root or signing config JSON.
pub const MAX_TRUST_BYTES: u64 = 4 * 1024 * 1024;

/// Reads a whole file, refusing one larger than `cap` bytes before reading it.
pub fn read_file_capped(path: &std::path::Path, cap: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} is {len} bytes, more than the {cap} bytes allowed for this kind of file",
                path.display()
            ),
        ));
    }
    let mut buf = Vec::with_capacity(len as usize);
    // `take` guards against a file that grows while we read it.
    file.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "{} grew past the {cap} bytes allowed while being read",
                path.display()
            ),
        ));
    }
    Ok(buf)
}

/// The nesting of brackets while a document is scanned, refused past [`MAX_DEPTH`]: the one
/// depth rule of [`json_depth_ok`] and [`yaml_flow_depth_ok`], which differ only in what they
/// skip (strings; YAML's quoted scalars and comments).
#[derive(Default)]
struct Nesting(usize);

impl Nesting {
    /// One level deeper (`[` or `{`); `false` once past [`MAX_DEPTH`].
    fn open(&mut self) -> bool {
        self.0 += 1;
        self.0 <= MAX_DEPTH
    }

    /// One level out (`]` or `}`); an unbalanced close stays at the top.
    fn close(&mut self) {
        self.0 = self.0.saturating_sub(1);
    }
}

/// Checks that a JSON document nests no deeper than [`MAX_DEPTH`] before it is parsed
/// (serde_json's own recursion limit is 128 too, but this gives a clearer error and also
/// guards the typed models that flatten `serde_json::Value`).
pub fn json_depth_ok(bytes: &[u8]) -> bool {
    let mut depth = Nesting::default();
    let mut in_string = false;
    let mut escaped = false;
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' if !depth.open() => return false,
            b'}' | b']' => depth.close(),
            _ => {}
        }
    }
    true
}

/// Checks that a YAML document's flow collections (`[…]`, `{…}`) nest no deeper than
/// [`MAX_DEPTH`] before it is parsed: libyaml's scanner is quadratic in flow depth (10,000
/// levels take seconds, 32 MiB of `[` would take hours), and the deserializer's own recursion
/// limit only applies after the whole document was scanned. Quoted scalars and comments are
/// skipped; brackets in plain scalars count, which can only over-estimate the depth.
pub fn yaml_flow_depth_ok(bytes: &[u8]) -> bool {
    let mut depth = Nesting::default();
    let mut i = 0;
    let mut prev = b'\n';
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'\'' => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    i += 1;
                }
            }
            b'#' if prev.is_ascii_whitespace() => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'[' | b'{' if !depth.open() => return false,
            b']' | b'}' => depth.close(),
            _ => {}
        }
        prev = bytes.get(i).copied().unwrap_or(b'\n');
        i += 1;
    }
    true
}

/// A "billion laughs" YAML document: eleven levels of aliases, each ten of the one before
/// (10^12 scalars once expanded), for the tests of every YAML reader that must refuse it.
#[cfg(test)]
pub(crate) fn yaml_alias_bomb() -> String {
    let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let prev = if i == 1 {
            "a".to_string()
        } else {
            format!("a{}", i - 1)
        };
        let refs = vec![format!("*{prev}"); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    bomb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        assert!(json_depth_ok(br#"{"a":"[[[[[[[["}"#));
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(!json_depth_ok(deep.as_bytes()));
        let ok = "[".repeat(MAX_DEPTH);
        assert!(json_depth_ok(ok.as_bytes()));
    }

    #[test]
    fn yaml_flow_depth_skips_quotes_and_comments() {
        assert!(yaml_flow_depth_ok(b"a: [1, {b: 2}]\n"));
        let deep = "[".repeat(MAX_DEPTH + 1);
        assert!(!yaml_flow_depth_ok(deep.as_bytes()));
        let quoted = format!("a: \"{deep}\"\nb: '{deep}'\nc: 1 # {deep}\n");
        assert!(yaml_flow_depth_ok(quoted.as_bytes()));
        assert!(yaml_flow_depth_ok(b"a: 'it''s [' \nb: \"\\\"[\"\n"));
    }

    #[test]
    fn read_file_capped_refuses_large_files() {
        let dir = std::env::temp_dir().join(format!("kakunin-limits-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("f");
        std::fs::write(&p, vec![0u8; 100]).unwrap();
        assert_eq!(read_file_capped(&p, 100).unwrap().len(), 100);
        let err = read_file_capped(&p, 99).unwrap_err();
        assert!(err.to_string().contains("more than the 99 bytes"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
