//! The container images a chart refers to: `image:` blocks (`registry`, `repository`, `tag`,
//! `digest`) at any depth of `values.yaml`, and the `artifacthub.io/images` annotation.
//!
//! Guarantees: every block found is listed, valid or not; [`ChartImage::reference`] either
//! yields a well-formed OCI reference or an [`InvalidReference`] naming what is wrong (an
//! upper-case repository, a bad tag, a malformed digest). A tag left empty defaults to the
//! chart's `appVersion`, and the image says so. Nothing here asks a registry anything.

use serde::Deserialize;

use crate::limits::MAX_DEPTH;

/// Where in the chart an image reference was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// A block of `values.yaml`, at this dotted path (`image`, `webhook.image`).
    Values(String),
    /// An entry of the `artifacthub.io/images` annotation of `Chart.yaml`, by its name.
    Annotation(String),
    /// An image of a packaged subchart (`charts/<name>.tgz`).
    Subchart {
        chart: String,
        source: Box<ImageSource>,
    },
}

impl std::fmt::Display for ImageSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImageSource::Values(p) => write!(f, "values.yaml {p}"),
            ImageSource::Annotation(n) => {
                write!(f, "Chart.yaml annotation artifacthub.io/images {n:?}")
            }
            ImageSource::Subchart { chart, source } => write!(f, "subchart {chart}: {source}"),
        }
    }
}

/// One image reference of a chart, as written (nothing resolved, nothing trusted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartImage {
    pub source: ImageSource,
    /// `registry/repository` as written (the `registry` field joined when present).
    pub repository: String,
    /// The tag in effect: the one written, or the chart's `appVersion` when none was.
    pub tag: Option<String>,
    /// Whether [`Self::tag`] came from `appVersion` because the block had no tag.
    pub tag_from_app_version: bool,
    /// The digest pinned by the chart, if any (`sha256:<hex>`).
    pub digest: Option<String>,
}

/// An image reference that is not a valid OCI reference, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reference:?} is not a valid OCI image reference: {reason}")]
pub struct InvalidReference {
    pub reference: String,
    pub reason: String,
}

impl ChartImage {
    /// The whole reference as written: `repo[:tag][@digest]`.
    pub fn display(&self) -> String {
        let mut s = self.repository.clone();
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// Validates the reference and builds it as oci-client's parser would (same registry,
    /// repository, tag and digest; `nginx` is `docker.io/library/nginx:latest`), with clearer
    /// errors for the common mistakes. No regex: compiling oci-spec's reference regex cost
    /// more CPU than the rest of a verification.
    pub fn reference(&self) -> Result<oci_spec::distribution::Reference, InvalidReference> {
        let invalid = |reason: String| InvalidReference {
            reference: self.display(),
            reason,
        };
        let (registry, path) = validate_repository(&self.repository).map_err(invalid)?;
        if let Some(tag) = &self.tag {
            if !valid_tag(tag) {
                return Err(invalid(format!(
                    "expected a tag of [A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}}, found {tag:?}"
                )));
            }
        }
        if let Some(d) = &self.digest {
            d.parse::<crate::digest::Digest>()
                .map_err(|e| invalid(format!("digest: {e}")))?;
            // `Digest` reads the algorithm in any case; OCI references name it in lower case.
            let alg = d.split_once(':').map_or("", |(a, _)| a);
            if alg != "sha256" && alg != "sha512" {
                return Err(invalid(format!(
                    "expected the digest algorithm in lower case (sha256 or sha512), found {alg:?}"
                )));
            }
        }
        // Docker Hub's names, as oci-spec's `split_domain` normalises them.
        let registry = match registry {
            None | Some("index.docker.io") => "docker.io",
            Some(r) => r,
        };
        let repository = if registry == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        if repository.len() > MAX_REPOSITORY_LEN {
            return Err(invalid(format!(
                "expected a repository path of at most {MAX_REPOSITORY_LEN} characters, found {}",
                repository.len()
            )));
        }
        let registry = registry.to_string();
        Ok(match (self.tag.clone(), self.digest.clone()) {
            (Some(t), Some(d)) => {
                oci_spec::distribution::Reference::with_tag_and_digest(registry, repository, t, d)
            }
            (Some(t), None) => oci_spec::distribution::Reference::with_tag(registry, repository, t),
            (None, Some(d)) => {
                oci_spec::distribution::Reference::with_digest(registry, repository, d)
            }
            (None, None) => {
                oci_spec::distribution::Reference::with_tag(registry, repository, "latest".into())
            }
        })
    }
}

/// The longest repository path a reference may have (oci-spec's `NAME_TOTAL_LENGTH_MAX`),
/// counted after Docker Hub's `library/` is added.
const MAX_REPOSITORY_LEN: usize = 255;

/// Splits `[registry/]path` as Docker and oci-spec do (a first component with a `.` or a `:`,
/// or `localhost`, is a registry) and checks both: the registry is a host with an optional
/// port, the path components are lower case (`[a-z0-9]+` joined by `.`, `_`, `__` or dashes).
/// An OCI tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}` (the distribution spec's grammar).
pub(crate) fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= 128
        && tag.bytes().next().is_some_and(word)
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

fn validate_repository(repo: &str) -> Result<(Option<&str>, &str), String> {
    if repo.is_empty() {
        return Err("expected a repository, found an empty string".into());
    }
    let (registry, path) = match repo.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (Some(first), rest)
        }
        _ => (None, repo),
    };
    if let Some(r) = registry.filter(|r| !valid_host(r) && !valid_component(r)) {
        return Err(format!(
            "expected a registry host[:port] (labels of [A-Za-z0-9-] joined by '.'), found {r:?}"
        ));
    }
    for p in path.split('/') {
        if let Some(c) = p.chars().find(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "repository path components must be lower case: found {c:?} in {p:?}"
            ));
        }
        if !valid_component(p) {
            return Err(format!(
                "expected repository path components of [a-z0-9] separated by '.', '_', '__' or dashes, found {p:?}"
            ));
        }
    }
    Ok((registry, path))
}

/// `host[:port]`: DNS labels of `[A-Za-z0-9-]` (no dash at either end) joined by `.`.
fn valid_host(s: &str) -> bool {
    let (host, port) = match s.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (s, None),
    };
    let label = |l: &str| {
        l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && l.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
            && l.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
    };
    host.split('.').all(label)
        && port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A repository path component: `[a-z0-9]+` runs joined by `.`, `_`, `__` or any dashes.
fn valid_component(p: &str) -> bool {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    p.bytes().next().is_some_and(alnum)
        && p.bytes().last().is_some_and(alnum)
        && p.split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            .all(|sep| matches!(sep, "." | "_" | "__") || sep.bytes().all(|b| b == b'-'))
}

/// Every image of a chart: `values.yaml` blocks first (in document order), then the
/// `artifacthub.io/images` annotation. `app_version` fills in missing tags.
pub fn chart_images(
    values: &serde_norway::Value,
    annotations: &std::collections::BTreeMap<String, String>,
    app_version: Option<&str>,
) -> Result<Vec<ChartImage>, String> {
    let mut out = Vec::new();
    walk(values, "", 0, app_version, &mut out);
    if let Some(raw) = annotations.get("artifacthub.io/images") {
        #[derive(Deserialize)]
        struct Entry {
            #[serde(default)]
            name: String,
            image: String,
        }
        let entries: Vec<Entry> = serde_norway::from_str(raw).map_err(|e| {
            format!("annotation artifacthub.io/images is not a list of images: {e}")
        })?;
        for e in entries {
            let mut img = split_reference(&e.image, ImageSource::Annotation(e.name));
            fill_tag(&mut img, app_version);
            out.push(img);
        }
    }
    Ok(out)
}

fn walk(
    v: &serde_norway::Value,
    path: &str,
    depth: usize,
    app_version: Option<&str>,
    out: &mut Vec<ChartImage>,
) {
    use serde_norway::Value;
    if depth > MAX_DEPTH {
        return;
    }
    let Value::Mapping(map) = v else {
        if let Value::Sequence(seq) = v {
            for (i, item) in seq.iter().enumerate() {
                walk(item, &format!("{path}[{i}]"), depth + 1, app_version, out);
            }
        }
        return;
    };
    for (k, child) in map {
        let Some(key) = k.as_str() else { continue };
        let child_path = if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        };
        let is_image_key = key.to_ascii_lowercase().ends_with("image");
        match child {
            // An `…image` key holding `repository`, or any block holding `repository` with a
            // `tag` or `digest` (`images: {app: {repository, tag}}`).
            Value::Mapping(m)
                if is_image_key
                    || (m.get("repository").and_then(scalar).is_some()
                        && (m.contains_key("tag") || m.contains_key("digest"))) =>
            {
                if let Some(repo) = m.get("repository").and_then(scalar) {
                    let registry = m.get("registry").and_then(scalar).filter(|r| !r.is_empty());
                    let repository = match registry {
                        Some(r) => format!("{}/{}", r.trim_end_matches('/'), repo),
                        None => repo,
                    };
                    let mut img = ChartImage {
                        source: ImageSource::Values(child_path.clone()),
                        repository,
                        tag: m.get("tag").and_then(scalar).filter(|t| !t.is_empty()),
                        tag_from_app_version: false,
                        digest: m.get("digest").and_then(scalar).filter(|d| !d.is_empty()),
                    };
                    fill_tag(&mut img, app_version);
                    out.push(img);
                } else {
                    walk(child, &child_path, depth + 1, app_version, out);
                }
            }
            Value::String(s)
                if key == "image" && !s.is_empty() && !s.contains(char::is_whitespace) =>
            {
                let mut img = split_reference(s, ImageSource::Values(child_path));
                fill_tag(&mut img, app_version);
                out.push(img);
            }
            _ => walk(child, &child_path, depth + 1, app_version, out),
        }
    }
}

fn scalar(v: &serde_norway::Value) -> Option<String> {
    match v {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn fill_tag(img: &mut ChartImage, app_version: Option<&str>) {
    if img.tag.is_none() {
        if let Some(av) = app_version.filter(|a| !a.is_empty()) {
            img.tag = Some(av.to_string());
            img.tag_from_app_version = true;
        }
    }
}

/// Parses an image reference string (`nginx`, `ghcr.io/o/r:v1@sha256:…`) as oci-spec's parser
/// does, without its regex: the same validation and the same reference as
/// [`ChartImage::reference`] (compiling oci-spec's regex costs a short command more CPU than
/// the rest of its work). Rendered manifests and post-render's pins use it.
pub fn parse_reference(s: &str) -> Result<oci_spec::distribution::Reference, InvalidReference> {
    split_reference(s, ImageSource::Values(String::new())).reference()
}

/// Splits `repo[:tag][@digest]` (a `:` after the last `/` is a tag, before it a port).
fn split_reference(s: &str, source: ImageSource) -> ChartImage {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d.to_string())),
        None => (s, None),
    };
    let slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    let (repository, tag) = match rest[slash..].rfind(':') {
        Some(i) => (
            rest[..slash + i].to_string(),
            Some(rest[slash + i + 1..].to_string()),
        ),
        None => (rest.to_string(), None),
    };
    ChartImage {
        source,
        repository,
        tag,
        tag_from_app_version: false,
        digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:75dec07996b338ba12d6986657a22ac560d7b3a4712fb53a4ab02f1aeca9b4d8";

    #[test]
    fn finds_blocks_at_any_depth_and_defaults_the_tag() {
        let values: serde_norway::Value = serde_norway::from_str(&format!(
            "image:\n  repository: ghcr.io/gomenhashai/gomenhashai\n  tag: \"\"\n  digest: {D}\n\
             webhook:\n  sidecarImage:\n    registry: quay.io\n    repository: o/side\n    tag: 1.2\n\
             images:\n  - name: x\n  - tools:\n      repository: docker.io/o/tools\n      digest: \"\"\n\
             dependencyRepo:\n  repository: https://charts.example.test\n"
        ))
        .unwrap();
        let imgs = chart_images(&values, &Default::default(), Some("v1.3.1")).unwrap();
        assert_eq!(imgs.len(), 3, "{imgs:#?}");
        assert_eq!(
            imgs[2].source,
            ImageSource::Values("images[1].tools".into())
        );
        assert_eq!(imgs[2].tag.as_deref(), Some("v1.3.1"));
        assert_eq!(imgs[0].source, ImageSource::Values("image".into()));
        assert_eq!(imgs[0].tag.as_deref(), Some("v1.3.1"));
        assert!(imgs[0].tag_from_app_version);
        assert_eq!(imgs[0].digest.as_deref(), Some(D));
        let r = imgs[0].reference().unwrap();
        assert_eq!(r.repository(), "gomenhashai/gomenhashai");
        assert_eq!(imgs[1].repository, "quay.io/o/side");
        assert_eq!(imgs[1].tag.as_deref(), Some("1.2"));
    }

    #[test]
    fn an_upper_case_repository_is_reported_as_such() {
        let values: serde_norway::Value = serde_norway::from_str(
            "image:\n  repository: ghcr.io/marcantoineRaymond/gomenhashai\n",
        )
        .unwrap();
        let imgs = chart_images(&values, &Default::default(), Some("v0.1.0")).unwrap();
        let err = imgs[0].reference().unwrap_err().to_string();
        assert_eq!(
            err,
            "\"ghcr.io/marcantoineRaymond/gomenhashai:v0.1.0\" is not a valid OCI image reference: \
             repository path components must be lower case: found 'R' in \"marcantoineRaymond\""
        );
    }

    #[test]
    fn reads_the_artifacthub_annotation() {
        let mut ann = std::collections::BTreeMap::new();
        ann.insert(
            "artifacthub.io/images".to_string(),
            format!(
                "- name: app\n  image: localhost:5000/o/app:v1@{D}\n- name: x\n  image: nginx\n"
            ),
        );
        let imgs = chart_images(&serde_norway::Value::Null, &ann, Some("v2")).unwrap();
        assert_eq!(imgs[0].repository, "localhost:5000/o/app");
        assert_eq!(imgs[0].tag.as_deref(), Some("v1"));
        assert_eq!(imgs[0].digest.as_deref(), Some(D));
        assert!(imgs[0].reference().is_ok());
        assert_eq!(imgs[1].tag.as_deref(), Some("v2"));
        ann.insert("artifacthub.io/images".into(), "{not: a list}".into());
        assert!(chart_images(&serde_norway::Value::Null, &ann, None).is_err());
    }

    #[test]
    fn bad_tags_and_digests_are_invalid() {
        let img = split_reference("ghcr.io/o/a:-bad", ImageSource::Values("image".into()));
        assert!(
            img.reference()
                .unwrap_err()
                .reason
                .contains("found \"-bad\"")
        );
        let img = split_reference(
            "ghcr.io/o/a@sha256:1234",
            ImageSource::Values("image".into()),
        );
        assert!(img.reference().unwrap_err().reason.contains("64 hex"));
    }

    /// `reference()` as it was when it parsed with oci-client (its checks, then
    /// `display().parse()`): the oracle the regex-free construction must agree with.
    fn parsed_reference(img: &ChartImage) -> Option<oci_spec::distribution::Reference> {
        fn old_validate_repository(repo: &str) -> bool {
            let mut parts: Vec<&str> = repo.split('/').collect();
            let first = parts[0];
            if parts.len() > 1
                && (first.contains('.') || first.contains(':') || first == "localhost")
            {
                parts.remove(0);
            }
            !repo.is_empty()
                && parts.iter().all(|p| {
                    p.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
                        && p.bytes().last().is_some_and(|b| b.is_ascii_alphanumeric())
                        && p.bytes().all(|b| {
                            b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b)
                        })
                })
        }
        let tag_ok = img.tag.as_ref().is_none_or(|tag| {
            !tag.is_empty()
                && tag.len() <= 128
                && tag
                    .bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        });
        let digest_ok = img
            .digest
            .as_ref()
            .is_none_or(|d| d.parse::<crate::digest::Digest>().is_ok());
        if !(old_validate_repository(&img.repository) && tag_ok && digest_ok) {
            return None;
        }
        img.display()
            .parse::<oci_spec::distribution::Reference>()
            .ok()
    }

    fn assert_same(img: &ChartImage) {
        let built = img.reference();
        match (parsed_reference(img), &built) {
            (Some(p), Ok(b)) => assert_eq!(
                (p.registry(), p.repository(), p.tag(), p.digest(), &p),
                (b.registry(), b.repository(), b.tag(), b.digest(), b),
                "{img:?}"
            ),
            (None, Err(e)) => assert!(!e.reason.is_empty(), "{img:?}"),
            (p, b) => panic!("{img:?}: oci-client parsed {p:?}, reference() gave {b:?}"),
        }
    }

    fn image(repository: &str, tag: Option<&str>, digest: Option<&str>) -> ChartImage {
        ChartImage {
            source: ImageSource::Values("image".into()),
            repository: repository.into(),
            tag: tag.map(Into::into),
            tag_from_app_version: false,
            digest: digest.map(Into::into),
        }
    }

    /// Whole strings, as rendered manifests hold them: `parse_reference` accepts what the
    /// oracle accepts and builds the reference oci-spec's own parser builds from the string.
    #[test]
    fn parse_reference_agrees_with_oci_spec_on_whole_strings() {
        let strings = [
            "nginx".to_string(),
            "nginx:1.27".into(),
            format!("nginx@{D}"),
            format!("ghcr.io/o/r:v1@{D}"),
            "localhost:5000/o/app:v1".into(),
            "127.0.0.1:5000/o/app".into(),
            "docker.io/library/nginx:latest".into(),
            "index.docker.io/o/r".into(),
            "quay.io/o/r:-bad".into(),
            "ghcr.io/O/r:v1".into(),
            "ghcr.io/o/r@sha256:1234".into(),
            format!("ghcr.io/o/r@{D}@{D}"),
            "ghcr.io/o/r:v1:v2".into(),
            "ghcr.io//r".into(),
            "o@r".into(),
            ":v1".into(),
            "ghcr.io/o/r:".into(),
        ];
        for s in &strings {
            assert_same(&split_reference(s, ImageSource::Values("image".into())));
            if let Ok(built) = parse_reference(s) {
                let parsed = oci_spec::distribution::Reference::try_from(s.as_str())
                    .unwrap_or_else(|e| panic!("{s:?}: built {built:?}, oci-spec refused: {e}"));
                assert_eq!(parsed, built, "{s:?}");
            }
        }
    }

    /// Registry parts (with their `/`) of the cross-product corpus: valid, odd and invalid.
    const REGISTRIES: [&str; 22] = [
        "",
        "ghcr.io/",
        "localhost/",
        "localhost:5000/",
        "127.0.0.1:5000/",
        "docker.io/",
        "index.docker.io/",
        "GHCR.IO/",
        "Ghcr.io:443/",
        "a_b.com/",
        "a-b.io/",
        "-x.io/",
        "x-.io/",
        "x..io/",
        "x.io./",
        "x.io:/",
        "x.io:port/",
        "x.io:5000:1/",
        "[::1]:5000/",
        "x.io:-1/",
        "Foo/",
        "a__b.c/",
    ];

    /// Repository paths of the corpus, the length limits' edges included.
    fn corpus_paths() -> Vec<String> {
        let fixed = [
            "nginx",
            "library/nginx",
            "o/r",
            "gomenhashai/gomenhashai",
            "O/r",
            "o/R",
            "a__b",
            "a___b",
            "a--b",
            "a-",
            "a.-b",
            "a..b",
            "a._b",
            "_a",
            "a.b.c",
            "",
            "o//r",
            "o/r/",
            "/o",
            "o/r:v1",
            "o@r",
            "ünï",
        ];
        let mut paths: Vec<String> = fixed.iter().map(|p| p.to_string()).collect();
        paths.extend([
            "a".repeat(247),
            "a".repeat(248),
            format!("o/{}", "a".repeat(253)),
            format!("o/{}", "a".repeat(254)),
        ]);
        paths
    }

    /// Tags of the corpus (`None` for no tag), the 128-character limit's edge included.
    fn corpus_tags() -> Vec<Option<String>> {
        let fixed = ["v1.2.3", "latest", "_x", "-x", ".x", "A", "", "v:1", "ü"];
        let mut tags = vec![None];
        tags.extend(fixed.iter().map(|t| Some(t.to_string())));
        tags.extend([Some("t".repeat(128)), Some("t".repeat(129))]);
        tags
    }

    /// Digests of the corpus (`None` for no digest): supported, of other case, short, unknown.
    fn corpus_digests() -> Vec<Option<String>> {
        let mut digests = vec![
            None,
            Some(D.to_string()),
            Some(format!("sha512:{}", "ab".repeat(64))),
            Some(D.replace("sha256", "SHA256")),
            Some(D.to_uppercase().replace("SHA256", "sha256")),
            Some(D[..D.len() - 1].to_string()),
            Some(format!("sha384:{}", "ab".repeat(48))),
        ];
        digests.extend(["md5:abc", "sha256", ""].map(|d| Some(d.to_string())));
        digests
    }

    #[test]
    fn builds_the_references_oci_client_parses() {
        let (paths, tags, digests) = (corpus_paths(), corpus_tags(), corpus_digests());
        let mut both_ok = 0;
        for r in REGISTRIES {
            for p in &paths {
                let repo = format!("{r}{p}");
                for t in &tags {
                    for d in &digests {
                        let img = image(&repo, t.as_deref(), d.as_deref());
                        assert_same(&img);
                        both_ok += usize::from(img.reference().is_ok());
                    }
                }
            }
        }
        // The corpus has both sides: references built, references refused.
        assert!(both_ok > 1000, "{both_ok}");
    }

    #[test]
    fn splits_written_references_as_oci_client_parses() {
        // Written references, split as a chart's `image:` string is.
        for s in [
            "ghcr.io/o/r:v1.2.3",
            &format!("ghcr.io/o/r@{D}"),
            &format!("ghcr.io/o/r:v1.2.3@{D}"),
            "localhost:5000/x",
            "localhost:5000/x:5000",
            "nginx",
            "library/nginx",
            "nginx:1.27",
            "docker.io/nginx",
            "index.docker.io/library/nginx:1",
            "registry-1.docker.io/nginx",
            "test.com:5000",
            "ghcr.io/",
            ":v1",
            &format!("@{D}"),
            "ghcr.io/o/r@",
            "ghcr.io/o/r:",
        ] {
            assert_same(&split_reference(s, ImageSource::Values("image".into())));
        }
    }

    #[test]
    fn random_references_agree_with_oci_client() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x7265_6670);
        let alphabet = b"ab0.-_:/@Ay";
        for _ in 0..20_000 {
            let len = rng.gen_range(1..24);
            let s: String = (0..len)
                .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
                .collect();
            let mut img = split_reference(&s, ImageSource::Values("image".into()));
            if rng.gen_bool(0.3) {
                img.digest = Some(D.into());
            }
            assert_same(&img);
        }
    }

    #[test]
    fn the_new_refusals_name_what_was_expected_and_found() {
        let err = |s: &str| {
            split_reference(s, ImageSource::Values("image".into()))
                .reference()
                .unwrap_err()
                .reason
        };
        assert_eq!(
            err("x.io:port/o/r:v1"),
            "expected a registry host[:port] (labels of [A-Za-z0-9-] joined by '.'), found \"x.io:port\""
        );
        assert_eq!(
            err("ghcr.io/o/a..b:v1"),
            "expected repository path components of [a-z0-9] separated by '.', '_', '__' or dashes, found \"a..b\""
        );
        assert_eq!(
            err(&format!("ghcr.io/o/r@{}", D.replace("sha256", "SHA256"))),
            "expected the digest algorithm in lower case (sha256 or sha512), found \"SHA256\""
        );
        assert_eq!(
            err(&format!("{}:v1", "a".repeat(248))),
            "expected a repository path of at most 255 characters, found 256"
        );
    }

    #[test]
    fn docker_hub_names_are_normalised_and_a_bare_name_means_latest() {
        for s in [
            "nginx",
            "library/nginx",
            "docker.io/nginx",
            "index.docker.io/library/nginx",
        ] {
            let r = split_reference(s, ImageSource::Values("image".into()))
                .reference()
                .unwrap();
            assert_eq!(r.to_string(), "docker.io/library/nginx:latest", "{s}");
        }
        let r = image("localhost:5000/x", None, Some(D))
            .reference()
            .unwrap();
        assert_eq!((r.registry(), r.tag()), ("localhost:5000", None));
    }
}
