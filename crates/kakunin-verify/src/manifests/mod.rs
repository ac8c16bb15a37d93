//! Rendered Kubernetes manifests (what `helm template` prints and what Helm hands a
//! post-renderer): every container image they deploy, and the same bytes with some of those
//! images rewritten.
//!
//! Guarantees:
//! - the stream is parsed once with serde_norway, with bounds ([`MAX_STREAM_BYTES`],
//!   [`MAX_DOCUMENTS`], nesting depth, duplicate keys refused); anything that is not YAML, and
//!   any image value that is not a plain one-line image reference (a newline, a YAML tag, an
//!   unrendered `{{ … }}` template, a non-string), is an error, never skipped;
//! - images are found in the pod specs of `Pod`, `Deployment`, `StatefulSet`, `DaemonSet`,
//!   `ReplicaSet`, `Job`, `CronJob` and of any other kind that carries a pod-spec-shaped
//!   mapping (a `containers` sequence): their `containers`, `initContainers` and
//!   `ephemeralContainers`;
//! - [`Rendered::rewrite`] changes only the bytes of the image values it is given (found by
//!   [`locate`] in the raw text and matched one to one against the parsed tree), and proves it
//!   by parsing its output again: the result is the input tree with exactly those values
//!   replaced, or an error. Nothing is re-emitted, so comments, key order, quoting and document
//!   separators are the input's, byte for byte.

mod locate;

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
    documents: Vec<Value>,
    images: Vec<ImageRef>,
    /// The index, among every `image:` key of the stream in document order, of each entry of
    /// `images`.
    image_key_index: Vec<usize>,
    /// Every `image` mapping key of the stream, in document order: its document and path.
    image_keys: Vec<(usize, Vec<Step>)>,
    /// Every `image:` line of the text, in order (see [`locate`]).
    located: Vec<locate::Located>,
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
        let documents = parse_documents(&text)?;
        let mut image_keys = Vec::new();
        for (d, doc) in documents.iter().enumerate() {
            let mut path = Vec::new();
            collect_image_keys(doc, d, &mut path, &mut image_keys);
        }
        let mut images = Vec::new();
        for (d, doc) in documents.iter().enumerate() {
            let kind = str_at(doc, "kind");
            let name = doc
                .get("metadata")
                .map(|m| str_at(m, "name"))
                .unwrap_or_default();
            let mut path = Vec::new();
            find_pod_specs(doc, &mut path, &mut |list_path, containers| {
                for (i, c) in containers.iter().enumerate() {
                    let Some(image) = c.get("image") else {
                        continue;
                    };
                    let mut p = list_path.to_vec();
                    p.push(Step::Index(i));
                    p.push(Step::Key("image".into()));
                    images.push((d, kind.clone(), name.clone(), p, image.clone()));
                }
            });
        }
        let located = locate::image_values(&text);
        let aligned = located.len() == image_keys.len();
        let mut out = Vec::new();
        let mut image_key_index = Vec::new();
        for (document, kind, name, path, value) in images {
            let key_index = image_keys
                .iter()
                .position(|(d, p)| *d == document && *p == path)
                .expect("every container image is an image key");
            // serde_norway resolves core-schema tags (`!!str`, `!!binary`) to plain strings:
            // the text says whether the value carried one.
            if aligned {
                if let Err(why) = &located[key_index].span {
                    if why.contains("YAML tag") {
                        return Err(ManifestError::BadImage {
                            document,
                            path: path_text(&path),
                            found: format!("{why} (line {})", located[key_index].line),
                        });
                    }
                }
            }
            let value = image_value(document, &path, &value)?;
            image_key_index.push(key_index);
            out.push(ImageRef {
                document,
                kind,
                name,
                path,
                value,
            });
        }
        Ok(Rendered {
            text,
            documents,
            images: out,
            image_key_index,
            image_keys,
            located,
        })
    }

    /// The documents parsed (empty documents included).
    pub fn document_count(&self) -> usize {
        self.documents.len()
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
    /// every other byte unchanged; checked by parsing the result again.
    pub fn rewrite(&self, pins: &BTreeMap<String, String>) -> Result<Vec<u8>, ManifestError> {
        let todo: Vec<usize> = (0..self.images.len())
            .filter(|i| pins.contains_key(&self.images[*i].value))
            .collect();
        if todo.is_empty() {
            return Ok(self.text.as_bytes().to_vec());
        }
        let found = &self.located;
        if found.len() != self.image_keys.len() {
            let first = &self.images[todo[0]];
            return Err(ManifestError::NotLocated {
                document: first.document,
                path: first.path_text(),
                why: format!(
                    "the stream parses to {} `image` keys but {} `image:` lines were found in its \
                     text (flow-style mappings `{{image: …}}`, complex keys and `image:` lines \
                     inside multi-line strings cannot be matched)",
                    self.image_keys.len(),
                    found.len()
                ),
            });
        }
        let mut edits: Vec<(Range<usize>, &str)> = Vec::new();
        for i in todo {
            let image = &self.images[i];
            let located = &found[self.image_key_index[i]];
            let not_located = |why: String| ManifestError::NotLocated {
                document: image.document,
                path: image.path_text(),
                why,
            };
            let span = located.span.clone().map_err(not_located)?;
            let raw = &self.text[span.clone()];
            if raw != image.value {
                return Err(not_located(format!(
                    "the text at line {} reads {raw:?}, the parsed value is {:?}",
                    located.line, image.value
                )));
            }
            edits.push((span, pins[&image.value].as_str()));
        }
        edits.sort_by_key(|(r, _)| r.start);
        let mut out = String::with_capacity(self.text.len() + edits.len() * 80);
        let mut at = 0;
        for (range, with) in &edits {
            out.push_str(&self.text[at..range.start]);
            out.push_str(with);
            at = range.end;
        }
        out.push_str(&self.text[at..]);
        self.check_rewrite(&out, pins)?;
        Ok(out.into_bytes())
    }

    /// Parses `out` and compares it with the input tree whose pinned images are replaced.
    fn check_rewrite(
        &self,
        out: &str,
        pins: &BTreeMap<String, String>,
    ) -> Result<(), ManifestError> {
        let parsed =
            parse_documents(out).map_err(|e| ManifestError::RewriteCheck(e.to_string()))?;
        let mut expected = self.documents.clone();
        for image in &self.images {
            if let Some(pin) = pins.get(&image.value) {
                let slot = value_at_mut(&mut expected[image.document], &image.path)
                    .expect("an image's path exists in its document");
                *slot = Value::String(pin.clone());
            }
        }
        if parsed.len() != expected.len() {
            return Err(ManifestError::RewriteCheck(format!(
                "expected {} documents, found {}",
                expected.len(),
                parsed.len()
            )));
        }
        for (d, (p, e)) in parsed.iter().zip(&expected).enumerate() {
            if p != e {
                return Err(ManifestError::RewriteCheck(format!(
                    "document {d} differs from the input beyond its images"
                )));
            }
        }
        Ok(())
    }
}

/// Every document of the stream, bounded.
fn parse_documents(text: &str) -> Result<Vec<Value>, ManifestError> {
    if !crate::limits::yaml_flow_depth_ok(text.as_bytes()) {
        return Err(ManifestError::NotYaml {
            document: 0,
            message: format!("nesting deeper than {}", crate::limits::MAX_DEPTH),
        });
    }
    let mut documents = Vec::new();
    for (i, de) in serde_norway::Deserializer::from_str(text).enumerate() {
        if i >= MAX_DOCUMENTS {
            return Err(ManifestError::TooManyDocuments {
                expected: MAX_DOCUMENTS,
            });
        }
        let v = Value::deserialize(de).map_err(|e| ManifestError::NotYaml {
            document: i,
            message: e.to_string(),
        })?;
        documents.push(v);
    }
    Ok(documents)
}

fn str_at(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Every mapping entry whose key is the string `image`, depth first in document order (the
/// order their lines appear in block-style YAML).
fn collect_image_keys(
    v: &Value,
    doc: usize,
    path: &mut Vec<Step>,
    out: &mut Vec<(usize, Vec<Step>)>,
) {
    match v {
        Value::Mapping(m) => {
            for (k, child) in m {
                let key = match k {
                    Value::String(s) => s.clone(),
                    // A non-string key: recorded by its YAML form so that paths stay unique.
                    other => serde_norway::to_string(other).unwrap_or_default(),
                };
                path.push(Step::Key(key.clone()));
                if key == "image" {
                    out.push((doc, path.clone()));
                }
                collect_image_keys(child, doc, path, out);
                path.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                path.push(Step::Index(i));
                collect_image_keys(child, doc, path, out);
                path.pop();
            }
        }
        Value::Tagged(t) => collect_image_keys(&t.value, doc, path, out),
        _ => {}
    }
}

/// Calls `found` with the path and entries of every container list of every pod-spec-shaped
/// mapping (one with a `containers` sequence), at any depth: `spec` of a Pod,
/// `spec.template.spec` of a Deployment, `spec.jobTemplate.spec.template.spec` of a CronJob,
/// and wherever another kind keeps one.
fn find_pod_specs(v: &Value, path: &mut Vec<Step>, found: &mut dyn FnMut(&[Step], &[Value])) {
    match v {
        Value::Mapping(m) => {
            let pod_spec = matches!(m.get("containers"), Some(Value::Sequence(_)));
            for (k, child) in m {
                let Some(key) = k.as_str() else { continue };
                path.push(Step::Key(key.to_string()));
                match child {
                    Value::Sequence(list) if pod_spec && CONTAINER_LISTS.contains(&key) => {
                        found(path, list)
                    }
                    _ => find_pod_specs(child, path, found),
                }
                path.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                path.push(Step::Index(i));
                find_pod_specs(child, path, found);
                path.pop();
            }
        }
        Value::Tagged(t) => find_pod_specs(&t.value, path, found),
        _ => {}
    }
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
    if let Err(e) = oci_spec::distribution::Reference::try_from(s.as_str()) {
        return Err(bad(format!("{s:?} ({e})")));
    }
    Ok(s.clone())
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
