//! Cutting a rendered stream into runs of whole documents that parse on their own exactly as
//! they do within the stream, so that only the runs holding an image need a tree, and only
//! the runs that were rewritten need parsing again.
//!
//! The cut points are lines that start, at column 0, with the document marker `---` followed
//! by a blank or the end of the line. libyaml (serde_norway's parser) ends whatever it is
//! reading at such a line: a plain scalar stops there, a block scalar's content is indented
//! at least one column, the block collections are closed, and a quoted scalar or a flow
//! collection still open is an error; the marker then starts a new document, and anchors and
//! tag shorthands do not outlive their document. So the documents of a run, parsed alone,
//! are the stream's documents, and a stream that is not YAML has a run that is not.
//! Conservative where that would not hold: no cut before the first marker (text before it
//! belongs to the first document, or is only comments), and none at all in a stream with
//! `%` directive lines (a directive belongs to the document after it). A missed cut only
//! makes a run longer.

use std::ops::Range;

/// A run of whole documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub range: Range<usize>,
    /// Whether its text could hold a mapping key `image`: it contains `image`, or a `\`
    /// (an escape in a double-quoted key could spell it). A run without either has none.
    pub may_hold_images: bool,
}

/// The runs of `text`, in order, covering all of it: each run that may hold an image is one
/// document (or what could not be cut), consecutive runs that cannot are merged.
pub fn runs(text: &str) -> Vec<Run> {
    let cuts = cuts(text);
    let mut out: Vec<Run> = Vec::new();
    let mut start = 0;
    for end in cuts.into_iter().chain(std::iter::once(text.len())) {
        let piece = &text[start..end];
        let may_hold_images = piece.contains("image") || piece.contains('\\');
        match out.last_mut() {
            Some(last) if !last.may_hold_images && !may_hold_images => last.range.end = end,
            _ => out.push(Run {
                range: start..end,
                may_hold_images,
            }),
        }
        start = end;
    }
    out
}

/// The byte offsets of the document markers a run may start at.
fn cuts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut first_marker = true;
    let mut at = 0;
    while at < bytes.len() {
        let line = &bytes[at..];
        if line[0] == b'%' {
            return Vec::new();
        }
        let marker = line.starts_with(b"---")
            && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r' | b'\n'));
        if marker {
            if !first_marker {
                out.push(at);
            }
            first_marker = false;
        }
        match line.iter().position(|b| *b == b'\n') {
            Some(n) => at += n + 1,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> Vec<(&str, bool)> {
        runs(text)
            .into_iter()
            .map(|r| (&text[r.range], r.may_hold_images))
            .collect()
    }

    #[test]
    fn cuts_at_markers_after_the_first_and_merges_runs_without_images() {
        let text = "# head\n---\na: 1\n---\nb: 2\n--- # c\nimage: x\n---\nc: 3\n---\nd: 4\n";
        assert_eq!(
            pieces(text),
            vec![
                ("# head\n---\na: 1\n---\nb: 2\n", false),
                ("--- # c\nimage: x\n", true),
                ("---\nc: 3\n---\nd: 4\n", false),
            ]
        );
    }

    #[test]
    fn only_column_zero_markers_followed_by_a_blank_cut() {
        let text = "---\na: |\n  ---\n----\n---x\n  --- \n---\n---\t#\n---";
        assert_eq!(cuts(text), vec![32, 36, 42]);
    }

    #[test]
    fn directives_and_escapes_are_conservative() {
        let text = "%YAML 1.1\n---\na: 1\n...\n%YAML 1.1\n---\nb: 2\n";
        assert_eq!(pieces(text), vec![(text, false)]);
        assert_eq!(
            pieces("---\n\"\\x69mage\": a\n"),
            vec![("---\n\"\\x69mage\": a\n", true)]
        );
    }

    /// Every run parses alone to the documents it holds within the stream.
    #[test]
    fn runs_parse_alone_as_within_the_stream() {
        use serde::Deserialize;
        let parse = |t: &str| -> Result<Vec<serde_norway::Value>, String> {
            serde_norway::Deserializer::from_str(t)
                .map(|d| serde_norway::Value::deserialize(d).map_err(|e| e.to_string()))
                .collect()
        };
        let streams = [
            "# only a comment\n",
            "",
            "# c\n---\na: 1\n---\nimage: b\n",
            "a: 1\n---\nb: &x {c: 1}\nd: *x\n---\nimage: 2\n",
            "---\nplain\nmulti line\n---\nimage: x\n",
            "--- |\n  block\n---\nimage: x\n",
            "---\n---\n---\nimage: x\n...\n---\n",
            "a: 1\r\n---\r\nimage: x\r\n",
        ];
        for s in streams {
            let whole = parse(s).unwrap();
            let mut alone = Vec::new();
            for r in runs(s) {
                alone.extend(parse(&s[r.range]).unwrap());
            }
            assert_eq!(alone, whole, "{s:?}");
        }
        // Not YAML as a whole: a run is not either.
        for s in [
            "a: \"open\n---\nimage: x\"\n",
            "a: [1,\n---\nimage: 2]\n",
            "a: 'x\n--- \nimage: y'\n",
        ] {
            assert!(parse(s).is_err(), "{s:?}");
            assert!(
                runs(s).iter().any(|r| parse(&s[r.range.clone()]).is_err()),
                "{s:?}"
            );
        }
    }
}
