//! Where the `image:` values of a block-style YAML stream are, in bytes.
//!
//! serde_norway gives values, not positions, so this scanner reads the raw text line by line:
//! it skips comments, document markers, directives and the contents of block scalars (`|`,
//! `>`), and reports every line whose mapping key is `image` (plain or quoted, after any
//! number of `- ` sequence indicators) with the byte range of its one-line value. It never
//! decides what is an image: [`super::Rendered::rewrite`] matches its findings one to one
//! against the parsed tree, compares each value's text with the parsed value, and parses the
//! rewritten stream again, so a line this scanner misreads is an error, never a wrong edit.

use std::ops::Range;

/// One `image:` key found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 1-based line number.
    pub line: usize,
    /// The value's bytes (inside the quotes for a quoted scalar), or why the value cannot be
    /// rewritten in place.
    pub span: Result<Range<usize>, String>,
}

/// Every `image:` key of the stream, in text order.
pub fn image_values(text: &str) -> Vec<Located> {
    let mut out = Vec::new();
    // Inside a block scalar: its parent's indentation (content lines are indented more).
    let mut block_parent: Option<isize> = None;
    let mut offset = 0usize;
    for (n, line_with_end) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += line_with_end.len();
        let line = line_with_end
            .strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(line_with_end);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        let is_marker = indent == 0
            && (line.starts_with("---") || line.starts_with("..."))
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| c == ' ' || c == '\t');
        if let Some(parent) = block_parent {
            let blank = rest.trim().is_empty();
            if !is_marker && (blank || indent as isize > parent) {
                continue;
            }
            block_parent = None;
        }
        if is_marker {
            // `--- |` starts a top-level block scalar.
            if block_header(line[3..].trim_start()) {
                block_parent = Some(-1);
            }
            continue;
        }
        if rest.is_empty() || rest.starts_with('#') || (indent == 0 && rest.starts_with('%')) {
            continue;
        }
        // Sequence indicators: `- `, `- - `.
        let mut col = indent;
        let mut item = &line[col..];
        let mut dash = indent;
        while item == "-" || item.starts_with("- ") || item.starts_with("-\t") {
            dash = col;
            let after = &item[1..];
            let ws = after.len() - after.trim_start_matches([' ', '\t']).len();
            col += 1 + ws;
            item = &line[col..];
            if item.is_empty() {
                break;
            }
        }
        if item.is_empty() {
            continue;
        }
        if block_header(item) {
            // `- |`: content is indented more than the `-`.
            block_parent = Some(dash as isize);
            continue;
        }
        let Some((key, value_at)) = mapping_key(item) else {
            continue;
        };
        let value_col = col + value_at;
        let value = &line[value_col..];
        if block_header(value) {
            block_parent = Some(col as isize);
        }
        if key != "image" {
            continue;
        }
        out.push(Located {
            line: n + 1,
            span: value_span(value).map(|r| start + value_col + r.start..start + value_col + r.end),
        });
    }
    out
}

/// Whether `s` (a value's text) is a block scalar header: `|`, `>-`, `|2+ # comment`.
fn block_header(s: &str) -> bool {
    let mut chars = s.chars();
    if !matches!(chars.next(), Some('|' | '>')) {
        return false;
    }
    let rest: &str = chars.as_str();
    let ind_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '+' || c == '-'))
        .unwrap_or(rest.len());
    let tail = rest[ind_end..].trim_start_matches([' ', '\t']);
    tail.is_empty()
        || (tail.starts_with('#')
            && ind_end < rest.len()
            && rest[ind_end..].starts_with([' ', '\t']))
}

/// A block mapping key at the start of `item`: the key's text and where its value starts
/// (after the `:` and blanks).
fn mapping_key(item: &str) -> Option<(String, usize)> {
    let (key, after_key) = match item.as_bytes()[0] {
        q @ (b'"' | b'\'') => {
            let close = item[1..].find(q as char)? + 1;
            let key = &item[1..close];
            if key.contains('\\') || (q == b'\'' && item[close + 1..].starts_with('\'')) {
                // Escapes: not an `image` key as far as this scanner can tell.
                return Some((String::new(), item.len()));
            }
            (key.to_string(), close + 1)
        }
        b'?' | b'{' | b'[' | b'&' | b'*' | b'!' | b'|' | b'>' | b'#' => return None,
        _ => {
            // A plain key ends at the first `:` followed by a blank or the end of the line.
            let bytes = item.as_bytes();
            let mut i = 0;
            loop {
                if i >= bytes.len() {
                    return None;
                }
                if bytes[i] == b':'
                    && (i + 1 == bytes.len() || bytes[i + 1] == b' ' || bytes[i + 1] == b'\t')
                {
                    break;
                }
                if bytes[i] == b'#' && i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
                    return None;
                }
                i += 1;
            }
            (item[..i].trim_end().to_string(), i)
        }
    };
    let rest = &item[after_key..];
    let rest_trim = rest.trim_start_matches([' ', '\t']);
    let colon = rest_trim.strip_prefix(':')?;
    if !(colon.is_empty() || colon.starts_with([' ', '\t'])) {
        return None;
    }
    let value = colon.trim_start_matches([' ', '\t']);
    Some((key, item.len() - value.len()))
}

/// The bytes of a one-line scalar value within `value` (the rest of the line after `key: `).
fn value_span(value: &str) -> Result<Range<usize>, String> {
    let after = |end: usize| -> Result<(), String> {
        let tail = value[end..].trim_start_matches([' ', '\t']);
        if tail.is_empty() || (tail.starts_with('#') && tail.len() < value[end..].len()) {
            Ok(())
        } else {
            Err(format!("unexpected text after the value: {tail:?}"))
        }
    };
    match value.chars().next() {
        None | Some('#') => Err("the value is not on the key's line".into()),
        Some('"') => {
            let close = value[1..]
                .find('"')
                .ok_or("a double-quoted value that goes on past its line")?
                + 1;
            if value[1..close].contains('\\') {
                return Err("a double-quoted value with escapes".into());
            }
            after(close + 1)?;
            Ok(1..close)
        }
        Some('\'') => {
            let close = value[1..]
                .find('\'')
                .ok_or("a single-quoted value that goes on past its line")?
                + 1;
            if value[close + 1..].starts_with('\'') {
                return Err("a single-quoted value with an escaped quote".into());
            }
            after(close + 1)?;
            Ok(1..close)
        }
        Some('!') => Err("a value with a YAML tag".into()),
        Some('&') => Err("a value with a YAML anchor".into()),
        Some('*') => Err("a YAML alias".into()),
        Some('{' | '[') => Err("a flow collection".into()),
        Some('|' | '>') => Err("a block scalar".into()),
        Some(_) => {
            let bytes = value.as_bytes();
            let mut end = bytes.len();
            for i in 1..bytes.len() {
                if bytes[i] == b'#' && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
                    end = i;
                    break;
                }
            }
            let end = value[..end].trim_end_matches([' ', '\t']).len();
            Ok(0..end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<Result<&str, String>> {
        image_values(text)
            .into_iter()
            .map(|l| l.span.map(|r| &text[r]))
            .collect()
    }

    #[test]
    fn finds_plain_quoted_and_sequence_values() {
        let text = "spec:\n  containers:\n    - name: a\n      image: alpine:3 # pinned later\n  - image: \"x/y:1\"\n  - - 'image': 'z'\n";
        assert_eq!(spans(text), vec![Ok("alpine:3"), Ok("x/y:1"), Ok("z")]);
    }

    #[test]
    fn skips_block_scalars_comments_and_markers() {
        let text = "---\n# image: not-me\ndata:\n  config.yaml: |\n    image: inside-a-block\n\n    more: x\n  image: after\n--- |\nimage: top-level-block\n---\nimage: last\n";
        assert_eq!(spans(text), vec![Ok("after"), Ok("last")]);
    }

    #[test]
    fn values_that_cannot_be_rewritten_say_why() {
        let text = "image: !!str a\nimage: \"a\\nb\"\nimage: *x\nimage:\n  - a\nimage: \"open\n";
        let found = spans(text);
        assert_eq!(found.len(), 5);
        assert!(found.iter().all(Result::is_err), "{found:?}");
        assert!(found[0].as_ref().unwrap_err().contains("YAML tag"));
    }

    #[test]
    fn keys_that_only_start_like_image_are_not_images() {
        let text = "imagePullPolicy: Always\nimages: [a]\n\"image\" : b\nimage:c\n";
        assert_eq!(spans(text), vec![Ok("b")]);
    }
}
