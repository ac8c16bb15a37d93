//! The parts a profile is built of, each a type that can only hold a valid value: a name
//! [`Template`] (its placeholders checked against the ones it may use), an [`OwnerRepo`], an
//! [`ImageRepository`], an [`HttpUrl`]. Each constructor says what it expected and what it
//! found ([`Rejected`]); the profile's conversion adds the field.

use std::fmt;

/// A value that is not what it must be: what was expected, what was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub expected: String,
    pub found: String,
}

impl Rejected {
    fn new(expected: impl Into<String>, found: &str) -> Rejected {
        Rejected {
            expected: expected.into(),
            found: found.into(),
        }
    }
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, found {:?}", self.expected, self.found)
    }
}

impl std::error::Error for Rejected {}

/// The values a name template may refer to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Vars<'a> {
    pub chart: &'a str,
    pub version: &'a str,
    pub tag: &'a str,
    pub repository: &'a str,
}

/// Fills a template's placeholders (any text: [`Template::render`] is the checked form).
pub fn expand(template: &str, vars: &Vars<'_>) -> String {
    template
        .replace("{chart}", vars.chart)
        .replace("{version}", vars.version)
        .replace("{tag}", vars.tag)
        .replace("{repository}", vars.repository)
}

/// What a kind of template is (in errors) and which placeholders it may use.
#[derive(Debug, PartialEq, Eq)]
pub struct Placeholders {
    what: &'static str,
    names: &'static [&'static str],
}

impl Placeholders {
    /// A chart release's tag and asset names: `{chart}`, `{version}`.
    pub const CHART_NAME: &'static Placeholders = &Placeholders {
        what: "a non-empty name",
        names: &["chart", "version"],
    };
    /// An image release's tag and asset names: `{chart}`, `{tag}`.
    pub const IMAGE_NAME: &'static Placeholders = &Placeholders {
        what: "a non-empty name",
        names: &["chart", "tag"],
    };
    /// The image workflow's certificate identity: `{repository}`, `{tag}`.
    pub const IMAGE_IDENTITY: &'static Placeholders = &Placeholders {
        what: "a non-empty name",
        names: &["repository", "tag"],
    };
    /// The chart workflow's certificate identity: `{repository}`.
    pub const CHART_IDENTITY: &'static Placeholders = &Placeholders {
        what: "an identity",
        names: &["repository"],
    };

    fn expected(&self) -> String {
        let names: Vec<String> = self.names.iter().map(|a| format!("{{{a}}}")).collect();
        format!("{} using only {}", self.what, names.join(" "))
    }
}

/// A non-empty name template using only the placeholders its kind allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    allowed: &'static Placeholders,
}

impl Template {
    pub fn new(text: &str, allowed: &'static Placeholders) -> Result<Template, Rejected> {
        if text.is_empty() || !unknown_placeholders(text, allowed.names).is_empty() {
            return Err(Rejected::new(allowed.expected(), text));
        }
        Ok(Template {
            text: text.to_string(),
            allowed,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether it uses `{name}`.
    pub fn uses(&self, name: &str) -> bool {
        self.text.contains(&format!("{{{name}}}"))
    }

    /// The name for these values (placeholders it may not use are never in it).
    pub fn render(&self, vars: &Vars<'_>) -> String {
        expand(&self.text, vars)
    }
}

/// Which placeholders a template uses that it may not (or that do not exist).
fn unknown_placeholders(template: &str, allowed: &[&str]) -> Vec<String> {
    let mut bad = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            bad.push(after.to_string());
            break;
        };
        let name = &after[..close];
        if !allowed.contains(&name) {
            bad.push(format!("{{{name}}}"));
        }
        rest = &after[close + 1..];
    }
    bad
}

/// A GitHub `owner/repo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRepo(String);

impl OwnerRepo {
    pub fn new(s: &str) -> Result<OwnerRepo, Rejected> {
        let mut parts = s.split('/');
        let ok = |p: Option<&str>| {
            p.is_some_and(|p| {
                !p.is_empty()
                    && p.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            })
        };
        if ok(parts.next()) && ok(parts.next()) && parts.next().is_none() {
            Ok(OwnerRepo(s.to_string()))
        } else {
            Err(Rejected::new("owner/repo", s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An OCI repository with its registry host: `host[:port]/path`, path in lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRepository(String);

impl ImageRepository {
    pub fn new(s: &str) -> Result<ImageRepository, Rejected> {
        if valid_image_repository(s) {
            Ok(ImageRepository(s.to_string()))
        } else {
            let expected = "registry/path in lower case (an OCI repository)";
            Err(Rejected::new(expected, s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_image_repository(s: &str) -> bool {
    let Some((host, path)) = s.split_once('/') else {
        return false;
    };
    let host_ok = !host.is_empty()
        && (host.contains('.') || host.contains(':') || host == "localhost")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':');
    // OCI distribution: path components [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*
    let component_ok = |c: &str| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
            && c.as_bytes()[0].is_ascii_alphanumeric()
            && c.as_bytes()[c.len() - 1].is_ascii_alphanumeric()
    };
    host_ok && path.split('/').all(component_ok)
}

/// An `http` or `https` URL with a host, kept as written (the `url` crate parses it; its
/// normalised form, with a trailing `/` added, is not what the profile said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(String);

impl HttpUrl {
    pub fn new(s: &str) -> Result<HttpUrl, Rejected> {
        if is_http_url(s) {
            Ok(HttpUrl(s.to_string()))
        } else {
            Err(Rejected::new("an http(s) URL", s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(super) fn is_http_url(s: &str) -> bool {
    url::Url::parse(s).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
}

/// Where the chart's Helm index is: an http(s) URL (of the repository, or of its
/// `index.yaml`), or a path to a local `index.yaml`. Kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelmRepository(String);

impl HelmRepository {
    pub fn new(s: &str) -> Result<HelmRepository, Rejected> {
        if is_http_url(s) || s.ends_with(".yaml") {
            Ok(HelmRepository(s.to_string()))
        } else {
            let expected = "an http(s) URL or a path to an index.yaml";
            Err(Rejected::new(expected, s))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(
    Template,
    OwnerRepo,
    ImageRepository,
    HttpUrl,
    HelmRepository
);
