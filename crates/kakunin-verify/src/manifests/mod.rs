//! Rendered Kubernetes manifests (what `helm template` prints and what Helm hands a
//! post-renderer): every container image they deploy, and the same bytes with some of those
//! images rewritten.
//!
//! Guarantees:
//! - the stream is parsed once with serde_norway, with bounds ([`MAX_STREAM_BYTES`],
//!   [`MAX_DOCUMENTS`], nesting depth, duplicate keys refused), as runs of whole documents
//!   that parse alone exactly as within the stream ([`chunks`]); a run whose text cannot hold
//!   an `image` key is checked without keeping its trees ([`skim`]); anything that is not
//!   YAML, and any image value that is not a plain one-line image reference (a newline, a
//!   YAML tag, an unrendered `{{ … }}` template, a non-string), is an error, never skipped;
//! - images are found in the pod specs of `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`,
//!   `ReplicaSet`, `Job`, `CronJob` and of any other kind that carries a pod-spec-shaped
//!   mapping (a `containers` sequence): their `containers`, `initContainers` and
//!   `ephemeralContainers`;
//! - [`Rendered::rewrite`] changes only the bytes of the image values it is given (found by
//!   [`locate`] in the raw text and matched one to one against the parsed trees), and proves
//!   it by parsing each rewritten run again: the result is the input's trees with exactly
//!   those values replaced, or an error; every other byte is copied from the input. Nothing
//!   is re-emitted, so comments, key order, quoting and document separators are the input's,
//!   byte for byte.

mod chunks;
mod locate;
mod skim;

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use serde_norway::Value;

/// Largest rendered stream accepted (Helm keeps a release in one Secret of at most ~1 MiB;
/// this leaves room for very large charts).
pub const MAX_STREAM_BYTES: usize = 32 * 1024 * 1024;
/// Most documents accepted in one stream.
pub const MAX_DOCUMENTS: usize = 20_000;
/// Longest image reference accepted (the OCI distribution spec's limit for a name is 255).
pub const MAX_IMAGE_LEN: usize = 1024;

/// Why a stream cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("the rendered manifests are {found} bytes: expected at most {expected}")]
    TooLarge { expected: usize, found: usize },
    #[error("the rendered manifests hold more than {expected} documents")]
    TooManyDocuments { expected: usize },
    #[error("the rendered manifests are not UTF-8: {0}")]
    NotUtf8(String),
    #[error("the rendered manifests are not valid YAML (document {document}): {message}")]
    NotYaml { document: usize, message: String },
    #[error("document {document}, {path}: expected an image reference, found {found}")]
    BadImage {
        document: usize,
        path: String,
        found: String,
    },
    #[error("document {document}, {path}: cannot rewrite the image in place: {why}")]
    NotLocated {
        document: usize,
        path: String,
        why: String,
    },
    #[error("the rewritten stream is not the input with only its images changed: {0}")]
    RewriteCheck(String),
}

/// One step of a path in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// One container image of a rendered stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The document's index in the stream (0-based, as parsed).
    pub document: usize,
    /// The document's `kind` (empty when it has none).
    pub kind: String,
    /// The object's `metadata.name` (empty when it has none).
    pub name: String,
    /// Where the value is: `spec.template.spec.containers[0].image`.
    pub path: Vec<Step>,
    /// The image reference as written.
    pub value: String,
}

impl ImageRef {
    /// The path as text: `spec.containers[0].image`.
    pub fn path_text(&self) -> String {
        path_text(&self.path)
    }
}

fn path_text(path: &[Step]) -> String {
    let mut s = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Step::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// A parsed rendered stream.
#[derive(Debug)]
pub struct Rendered {
    text: String,
    document_count: usize,
    /// The runs of whole documents that may hold an image (see [`chunks`]), in stream order.
    chunks: Vec<Chunk>,
    images: Vec<ImageRef>,
    /// For each entry of `images`: its chunk (an index into `chunks`) and the index of its
    /// `image` key among the chunk's `image` keys in document order.
    placement: Vec<(usize, usize)>,
}

/// Whole documents of the stream that may hold an image, parsed on their own.
#[derive(Debug)]
struct Chunk {
    /// Their bytes in the stream.
    range: Range<usize>,
    /// The stream index of the first of them.
    first: usize,
    documents: Vec<Value>,
    /// How many mapping keys are the string `image`, at any depth.
    image_keys: usize,
    /// Every `image:` line of their text, in order (see [`locate`]), spans in stream bytes.
    located: Vec<locate::Located>,
}

impl Chunk {
    /// Whether the `image:` lines of the text are, one to one, the `image` keys of the trees.
    fn aligned(&self) -> bool {
        self.located.len() == self.image_keys
    }
}

/// The pod-spec lists whose entries name an image.
const CONTAINER_LISTS: &[&str] = &["initContainers", "containers", "ephemeralContainers"];

impl Rendered {
    /// Parses a rendered stream (the bytes Helm hands a post-renderer).
    pub fn parse(bytes: &[u8]) -> Result<Rendered, ManifestError> {
        if bytes.len() > MAX_STREAM_BYTES {
            return Err(ManifestError::TooLarge {
                expected: MAX_STREAM_BYTES,
                found: bytes.len(),
            });
        }
        let text = std::str::from_utf8(bytes)
            .map_err(|e| ManifestError::NotUtf8(e.to_string()))?
            .to_string();
        let (document_count, mut chunks) = parse_chunks(&text)?;
        let mut images = Vec::new();
        let mut placement = Vec::new();
        let mut image_keys = Vec::with_capacity(chunks.len());
        for (c, chunk) in chunks.iter().enumerate() {
            let mut walk = Walk::default();
            for (i, doc) in chunk.documents.iter().enumerate() {
                walk.document(chunk.first + i, doc);
            }
            image_keys.push(walk.keys);
            for found in walk.found {
                placement.push((c, found.key));
                images.push(found);
            }
        }
        let mut out = Vec::with_capacity(images.len());
        for (found, (c, key)) in images.into_iter().zip(&placement) {
            let chunk = &chunks[*c];
            // serde_norway resolves core-schema tags (`!!str`, `!!binary`) to plain strings:
            // the text says whether the value carried one.
            if chunk.located.len() == image_keys[*c] {
                if let Err(why) = &chunk.located[*key].span {
                    if why.contains("YAML tag") {
                        return Err(ManifestError::BadImage {
                            document: found.document,
                            path: path_text(&found.path),
                            found: format!("{why} (line {})", chunk.located[*key].line),
                        });
                    }
                }
            }
            let value = image_value(found.document, &found.path, found.value)?;
            out.push(ImageRef {
                document: found.document,
                kind: found.kind,
                name: found.name,
                path: found.path,
                value,
            });
        }
        for (chunk, keys) in chunks.iter_mut().zip(image_keys) {
            chunk.image_keys = keys;
        }
        Ok(Rendered {
            text,
            document_count,
            chunks,
            images: out,
            placement,
        })
    }

    /// The documents parsed (empty documents included).
    pub fn document_count(&self) -> usize {
        self.document_count
    }

    /// Every container image, in document order.
    pub fn images(&self) -> &[ImageRef] {
        &self.images
    }

    /// The distinct image references, in order of first appearance.
    pub fn distinct_images(&self) -> Vec<&str> {
        let mut seen = std::collections::HashSet::new();
        self.images
            .iter()
            .map(|i| i.value.as_str())
            .filter(|v| seen.insert(*v))
            .collect()
    }

    /// The stream with each image whose reference is a key of `pins` replaced by its value,
    /// every other byte unchanged; each run of documents that changed is checked by parsing
    /// it again (the other bytes are the input's).
    pub fn rewrite(&self, pins: &BTreeMap<String, String>) -> Result<Vec<u8>, ManifestError> {
        // Edits by chunk, in stream order.
        let mut edits: BTreeMap<usize, Vec<(Range<usize>, &str)>> = BTreeMap::new();
        for (image, (c, key)) in self.images.iter().zip(&self.placement) {
            let Some(pin) = pins.get(&image.value) else {
                continue;
            };
            let chunk = &self.chunks[*c];
            let not_located = |why: String| ManifestError::NotLocated {
                document: image.document,
                path: image.path_text(),
                why,
            };
            if !chunk.aligned() {
                return Err(not_located(format!(
                    "its documents parse to {} `image` keys but {} `image:` lines were found in \
                     their text (flow-style mappings `{{image: …}}`, complex keys and `image:` \
                     lines inside multi-line strings cannot be matched)",
                    chunk.image_keys,
                    chunk.located.len()
                )));
            }
            let located = &chunk.located[*key];
            let span = located.span.clone().map_err(not_located)?;
            let raw = &self.text[span.clone()];
            if raw != image.value {
                return Err(not_located(format!(
                    "the text at line {} reads {raw:?}, the parsed value is {:?}",
                    located.line, image.value
                )));
            }
            edits.entry(*c).or_default().push((span, pin.as_str()));
        }
        if edits.is_empty() {
            return Ok(self.text.as_bytes().to_vec());
        }
        let mut out = String::with_capacity(self.text.len() + pins.len() * 80);
        let mut at = 0;
        for (c, mut chunk_edits) in edits {
            let range = &self.chunks[c].range;
            out.push_str(&self.text[at..range.start]);
            chunk_edits.sort_by_key(|(r, _)| r.start);
            let mut new = String::with_capacity(range.len() + chunk_edits.len() * 80);
            let mut from = range.start;
            for (span, with) in &chunk_edits {
                new.push_str(&self.text[from..span.start]);
                new.push_str(with);
                from = span.end;
            }
            new.push_str(&self.text[from..range.end]);
            self.check_chunk(c, &new, pins)?;
            out.push_str(&new);
            at = range.end;
        }
        out.push_str(&self.text[at..]);
        Ok(out.into_bytes())
    }

    /// Parses the rewritten text of chunk `c` on its own and compares it with the chunk's
    /// trees whose pinned images are replaced.
    fn check_chunk(
        &self,
        c: usize,
        new: &str,
        pins: &BTreeMap<String, String>,
    ) -> Result<(), ManifestError> {
        let chunk = &self.chunks[c];
        let parsed = parse_documents(new, chunk.first, MAX_DOCUMENTS)
            .map_err(|e| ManifestError::RewriteCheck(e.to_string()))?;
        let mut expected = chunk.documents.clone();
        for (image, (ic, _)) in self.images.iter().zip(&self.placement) {
            if *ic != c {
                continue;
            }
            if let Some(pin) = pins.get(&image.value) {
                let slot = value_at_mut(&mut expected[image.document - chunk.first], &image.path)
                    .expect("an image's path exists in its document");
                *slot = Value::String(pin.clone());
            }
        }
        if parsed.len() != expected.len() {
            return Err(ManifestError::RewriteCheck(format!(
                "expected {} documents from document {}, found {}",
                expected.len(),
                chunk.first,
                parsed.len()
            )));
        }
        for (d, (p, e)) in parsed.iter().zip(&expected).enumerate() {
            if p != e {
                return Err(ManifestError::RewriteCheck(format!(
                    "document {} differs from the input beyond its images",
                    chunk.first + d
                )));
            }
        }
        Ok(())
    }
}

/// Parses the stream as runs of whole documents (see [`chunks`]): returns how many documents
/// it holds and the runs that may hold an image, with their trees and `image:` lines. Any
/// error is the one parsing the whole stream at once gives (its lines are the stream's).
fn parse_chunks(text: &str) -> Result<(usize, Vec<Chunk>), ManifestError> {
    if !crate::limits::yaml_flow_depth_ok(text.as_bytes()) {
        return Err(ManifestError::NotYaml {
            document: 0,
            message: format!("nesting deeper than {}", crate::limits::MAX_DEPTH),
        });
    }
    let mut count = 0;
    let mut kept = Vec::new();
    let mut line = 1;
    let mut line_at = 0;
    for run in chunks::runs(text) {
        let run_text = &text[run.range.clone()];
        let budget = MAX_DOCUMENTS - count;
        // A run without images is only checked; if skimming cannot tell, its trees decide.
        if !run.may_hold_images {
            if let Some(n) = skim_documents(run_text, budget) {
                count += n;
                continue;
            }
        }
        let documents = match parse_documents(run_text, count, budget) {
            Ok(d) => d,
            Err(e @ ManifestError::TooManyDocuments { .. }) => return Err(e),
            // The same error, told with the stream's line numbers.
            Err(e) => return Err(whole_stream_error(text).unwrap_or(e)),
        };
        let first = count;
        count += documents.len();
        if !run.may_hold_images {
            continue;
        }
        line += text[line_at..run.range.start]
            .bytes()
            .filter(|b| *b == b'\n')
            .count();
        line_at = run.range.start;
        let located = locate::image_values(&text[run.range.clone()])
            .into_iter()
            .map(|l| locate::Located {
                line: l.line + line - 1,
                span: l
                    .span
                    .map(|s| s.start + run.range.start..s.end + run.range.start),
            })
            .collect();
        kept.push(Chunk {
            range: run.range,
            first,
            documents,
            image_keys: 0,
            located,
        });
    }
    Ok((count, kept))
}

/// How many documents `text` holds, if [`skim::Skim`] accepts every one of them (at most
/// `budget`); `None` when it gives up or `text` is not YAML (a tree decides, and names the
/// error).
fn skim_documents(text: &str, budget: usize) -> Option<usize> {
    let mut n = 0;
    for de in serde_norway::Deserializer::from_str(text) {
        if n >= budget {
            return None;
        }
        skim::Skim::deserialize(de).ok()?;
        n += 1;
    }
    Some(n)
}

/// The error parsing the whole stream at once gives, if any.
fn whole_stream_error(text: &str) -> Option<ManifestError> {
    parse_documents(text, 0, MAX_DOCUMENTS).err()
}

/// Every document of `text`, the first numbered `first` in errors, at most `budget` of them.
fn parse_documents(text: &str, first: usize, budget: usize) -> Result<Vec<Value>, ManifestError> {
    let mut documents = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        if i >= budget {
            return Err(ManifestError::TooManyDocuments {
                expected: MAX_DOCUMENTS,
            });
        }
        let v = Value::deserialize(de).map_err(|e| ManifestError::NotYaml {
            document: first + i,
            message: e.to_string(),
        })?;
        documents.push(v);
    }
    Ok(documents)
}

/// An image found in a tree, before its value is checked.
struct Found<'a> {
    document: usize,
    kind: String,
    name: String,
    path: Vec<Step>,
    value: &'a Value,
    /// Its `image` key's index among the chunk's `image` keys.
    key: usize,
}

/// One walk over the trees of a chunk: counts every mapping key that is the string `image`
/// (depth first, in document order: the order their lines appear in block-style YAML), and
/// finds the images of every pod-spec-shaped mapping (one with a `containers` sequence), at
/// any depth: `spec` of a Pod, `spec.template.spec` of a Deployment,
/// `spec.jobTemplate.spec.template.spec` of a CronJob, and wherever another kind keeps one.
#[derive(Default)]
struct Walk<'a> {
    keys: usize,
    found: Vec<Found<'a>>,
    document: usize,
    kind: String,
    name: String,
}

/// A step of the path being walked (borrowed: a path is built only for an image).
#[derive(Clone, Copy)]
enum At<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> Walk<'a> {
    fn document(&mut self, document: usize, doc: &'a Value) {
        self.document = document;
        self.kind = str_at(doc, "kind");
        self.name = doc
            .get("metadata")
            .map(|m| str_at(m, "name"))
            .unwrap_or_default();
        self.value(doc, &mut Vec::new(), true);
    }

    /// `search`: whether pod specs are looked for here (not under a non-string key, nor
    /// inside a container list).
    fn value(&mut self, v: &'a Value, path: &mut Vec<At<'a>>, search: bool) {
        match v {
            Value::Mapping(m) => {
                let pod_spec = search && matches!(m.get("containers"), Some(Value::Sequence(_)));
                for (k, child) in m {
                    let key = k.as_str();
                    if key == Some("image") {
                        self.keys += 1;
                    }
                    match (key, child) {
                        (Some(key), Value::Sequence(list))
                            if pod_spec && CONTAINER_LISTS.contains(&key) =>
                        {
                            path.push(At::Key(key));
                            for (i, c) in list.iter().enumerate() {
                                path.push(At::Index(i));
                                self.container(c, path);
                                path.pop();
                            }
                            path.pop();
                        }
                        (Some(key), _) if search => {
                            path.push(At::Key(key));
                            self.value(child, path, true);
                            path.pop();
                        }
                        _ => self.value(child, path, false),
                    }
                }
            }
            Value::Sequence(s) => {
                for (i, child) in s.iter().enumerate() {
                    if search {
                        path.push(At::Index(i));
                    }
                    self.value(child, path, search);
                    if search {
                        path.pop();
                    }
                }
            }
            Value::Tagged(t) => self.value(&t.value, path, search),
            _ => {}
        }
    }

    /// An entry of a container list: its `image` is an image (its `image` keys are counted).
    fn container(&mut self, c: &'a Value, path: &[At<'a>]) {
        let image = c.get("image");
        let Value::Mapping(m) = untagged(c) else {
            // Only a mapping has an `image` entry; anything else is walked for its keys.
            return self.value(c, &mut Vec::new(), false);
        };
        for (k, child) in m {
            if k.as_str() == Some("image") {
                if image.is_some_and(|i| std::ptr::eq(i, child)) {
                    let mut p: Vec<Step> = path
                        .iter()
                        .map(|s| match s {
                            At::Key(k) => Step::Key(k.to_string()),
                            At::Index(i) => Step::Index(*i),
                        })
                        .collect();
                    p.push(Step::Key("image".into()));
                    self.found.push(Found {
                        document: self.document,
                        kind: self.kind.clone(),
                        name: self.name.clone(),
                        path: p,
                        value: child,
                        key: self.keys,
                    });
                }
                self.keys += 1;
            }
            self.value(child, &mut Vec::new(), false);
        }
    }
}

fn str_at(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// An image value as a usable reference string, or why it is not one.
fn image_value(document: usize, path: &[Step], v: &Value) -> Result<String, ManifestError> {
    let bad = |found: String| ManifestError::BadImage {
        document,
        path: path_text(path),
        found,
    };
    let s = match v {
        Value::String(s) => s,
        Value::Tagged(t) => return Err(bad(format!("a value with the YAML tag {}", t.tag))),
        Value::Null => return Err(bad("nothing (null)".into())),
        // `image: {{ .Values.image }}` is a flow mapping whose key is a mapping.
        Value::Mapping(m) if m.keys().any(Value::is_mapping) => {
            return Err(bad(
                "an unrendered template (`{{ … }}` left in the manifests parses as a mapping)"
                    .into(),
            ));
        }
        Value::Mapping(_) => return Err(bad("a mapping".into())),
        Value::Sequence(_) => return Err(bad("a sequence".into())),
        other => {
            return Err(bad(format!(
                "the non-string value {}",
                serde_norway::to_string(other).unwrap_or_default().trim()
            )));
        }
    };
    if s.contains("{{") || s.contains("}}") {
        return Err(bad(format!("an unrendered template {s:?}")));
    }
    if s.len() > MAX_IMAGE_LEN {
        return Err(bad(format!("a string of {} bytes", s.len())));
    }
    if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad(format!(
            "{s:?} (empty, or with whitespace or a newline)"
        )));
    }
    if let Err(e) = crate::chart::images::parse_reference(s) {
        return Err(bad(format!("{s:?} ({})", e.reason)));
    }
    Ok(s.clone())
}

/// `v` without its tags (serde_norway's own `untag_ref` is private).
fn untagged(mut v: &Value) -> &Value {
    while let Value::Tagged(t) = v {
        v = &t.value;
    }
    v
}

fn value_at_mut<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for step in path {
        if let Value::Tagged(t) = cur {
            cur = &mut t.value;
        }
        cur = match (step, cur) {
            (Step::Key(k), Value::Mapping(m)) => m.get_mut(k.as_str())?,
            (Step::Index(i), Value::Sequence(s)) => s.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests;
