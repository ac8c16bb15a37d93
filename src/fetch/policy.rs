//! Which URLs kakunin may request: the transport policy, as a type.
//!
//! Guarantees: a [`RequestUrl`] can only be built by [`UrlPolicy::check`], and the HTTP layer
//! ([`super::Http`]) takes nothing else, so no URL that came from data (a profile, an
//! `index.yaml`, a redirect, a registry's `Link` or token realm, a kit) reaches the network
//! without passing the policy. The policy: `https`, or `http` to loopback (`127.0.0.0/8`,
//! `::1`, `localhost`) or to a host the user allowed (`--allow-insecure-registry HOST`); never
//! another scheme (`file:`, `ftp:`, `data:` …), never a URL carrying a user name or password
//! (credentials come from the Docker config, for the host contacted: [`crate::credentials`]).
//! A refusal names the URL and happens before any I/O.

use url::Url;

use super::FetchError;

/// A URL that passed the transport policy; only [`UrlPolicy::check`] makes one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestUrl(Url);

impl RequestUrl {
    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `host` or `host:port` (the port when the URL names one), as Docker configs key hosts.
    pub fn host_port(&self) -> String {
        host_port(&self.0)
    }

    /// Whether the URL is `https` (credentials may be sent), as opposed to plain HTTP.
    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// Whether the host is loopback.
    pub fn is_loopback(&self) -> bool {
        is_loopback(&self.0)
    }
}

impl std::fmt::Display for RequestUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The transport policy: `https`, or `http` to loopback or to the allowed hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    /// Hosts (`host` or `host:port`) that may be reached over plain HTTP.
    insecure_hosts: Vec<String>,
}

/// Whether a host is loopback (plain HTTP allowed there).
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `host` or `host:port` of a URL (the port only when the URL names one).
pub fn host_port(url: &Url) -> String {
    let host = url.host_str().unwrap_or("");
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host.to_string(),
    }
}

impl UrlPolicy {
    /// The policy with these hosts allowed over plain HTTP (`host` or `host:port`).
    pub fn new(insecure_hosts: Vec<String>) -> UrlPolicy {
        UrlPolicy { insecure_hosts }
    }

    /// The hosts allowed over plain HTTP.
    pub fn insecure_hosts(&self) -> &[String] {
        &self.insecure_hosts
    }

    /// Checks a URL against the policy; the only way to a [`RequestUrl`].
    pub fn check(&self, url: &Url) -> Result<RequestUrl, FetchError> {
        match url.scheme() {
            "https" | "http" => {}
            other => {
                return Err(FetchError::Scheme {
                    url: url.to_string(),
                    scheme: other.to_string(),
                });
            }
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(FetchError::Scheme {
                url: url.to_string(),
                scheme: format!("{} without a host", url.scheme()),
            });
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(FetchError::Userinfo { url: redacted(url) });
        }
        if url.scheme() == "http" {
            let host = url.host_str().unwrap_or("");
            let host_port = host_port(url);
            let allowed = is_loopback(url)
                || self
                    .insecure_hosts
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(host) || h.eq_ignore_ascii_case(&host_port));
            if !allowed {
                return Err(FetchError::Insecure {
                    url: url.to_string(),
                    host: host_port,
                });
            }
        }
        Ok(RequestUrl(url.clone()))
    }

    /// Parses a URL (from a profile, a registry's challenge…) and checks it.
    pub fn parse(&self, raw: &str) -> Result<RequestUrl, FetchError> {
        let url = Url::parse(raw).map_err(|e| FetchError::Scheme {
            url: raw.to_string(),
            scheme: format!("not a URL: {e}"),
        })?;
        self.check(&url)
    }

    /// The redirect rule: at most `max` hops, no loop, never from `https` to anything else,
    /// and every hop under [`UrlPolicy::check`].
    pub fn redirect(&self, previous: &[Url], next: &Url, max: usize) -> Result<(), FetchError> {
        let refuse = |reason: String| FetchError::Redirect {
            url: next.to_string(),
            reason,
        };
        if previous.len() > max {
            return Err(refuse(format!(
                "expected at most {max} redirects, found more"
            )));
        }
        if previous.contains(next) {
            return Err(refuse(format!("redirect loop back to {next}")));
        }
        if previous.iter().any(|p| p.scheme() == "https") && next.scheme() != "https" {
            return Err(refuse(format!(
                "redirect from https to {} ({next}): expected https",
                next.scheme()
            )));
        }
        self.check(next).map(|_| ())
    }
}

impl UrlPolicy {
    /// reqwest's redirect policy under [`UrlPolicy::redirect`]: every client kakunin builds
    /// follows redirects through this (a refusal comes back as the [`FetchError`], inside
    /// reqwest's error).
    pub fn reqwest_redirects(&self, max: usize) -> reqwest::redirect::Policy {
        let policy = self.clone();
        reqwest::redirect::Policy::custom(move |attempt| {
            match policy.redirect(attempt.previous(), attempt.url(), max) {
                Ok(()) => attempt.follow(),
                Err(refusal) => attempt.error(refusal),
            }
        })
    }
}

/// A URL with its user name and password replaced, for messages.
fn redacted(url: &Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("REDACTED");
    if u.password().is_some() {
        let _ = u.set_password(Some("REDACTED"));
    }
    u.to_string()
}

/// Checks every URL of [`crate::profile::Profile::request_urls`] against the transport policy before anything
/// is fetched: a profile naming `http://registry.lan` (without `--allow-insecure-registry
/// registry.lan`), a `file:` URL or a URL with credentials in it is an invalid profile (exit 2),
/// naming the field and the URL.
pub fn check_profile(
    profile: &crate::profile::Profile,
    path: &std::path::Path,
    policy: &UrlPolicy,
) -> Result<(), crate::profile::ProfileError> {
    for (field, url) in profile.request_urls() {
        policy
            .parse(url)
            .map_err(|e| crate::profile::ProfileError::Invalid {
                path: path.to_path_buf(),
                field,
                expected: "an https URL, or http to loopback or to a host given with \
                           --allow-insecure-registry"
                    .into(),
                found: e.to_string(),
            })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn plain_http_only_to_loopback_or_allowed_hosts() {
        let p = UrlPolicy::default();
        assert!(p.check(&u("https://example.test/x")).is_ok());
        assert!(p.check(&u("http://127.0.0.1:8080/x")).is_ok());
        assert!(p.check(&u("http://127.9.0.1/x")).is_ok());
        assert!(p.check(&u("http://[::1]/x")).is_ok());
        assert!(p.check(&u("http://localhost/x")).is_ok());
        let err = p.check(&u("http://registry.test:5000/v2/")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refusing plain HTTP to registry.test:5000 (http://registry.test:5000/v2/): expected https, \
             loopback, or --allow-insecure-registry registry.test:5000"
        );
        let allowed = UrlPolicy::new(vec!["registry.test:5000".into()]);
        assert!(allowed.check(&u("http://registry.test:5000/v2/")).is_ok());
        assert!(allowed.check(&u("http://registry.test:5001/v2/")).is_err());
        let host_only = UrlPolicy::new(vec!["registry.test".into()]);
        assert!(host_only.check(&u("http://registry.test:5000/v2/")).is_ok());
    }

    #[test]
    fn other_schemes_and_credentials_in_urls_are_refused() {
        let p = UrlPolicy::new(vec!["etc".into()]);
        for (raw, scheme) in [
            ("file:///etc/passwd", "file"),
            ("file://localhost/etc/passwd", "file"),
            ("ftp://example.test/x", "ftp"),
            ("data:text/plain,hello", "data"),
            ("gopher://127.0.0.1/x", "gopher"),
        ] {
            let err = p.check(&u(raw)).unwrap_err();
            assert!(
                matches!(&err, FetchError::Scheme { scheme: s, .. } if s == scheme),
                "{raw}: {err}"
            );
            assert!(err.to_string().starts_with("refusing "), "{err}");
            assert!(err.to_string().contains(&u(raw).to_string()), "{err}");
        }
        let err = p.check(&u("https://user:secret@ghcr.io/v2/")).unwrap_err();
        assert!(matches!(err, FetchError::Userinfo { .. }), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(p.check(&u("https://token@ghcr.io/v2/")).is_err());
        assert!(p.parse("not a url").is_err());
    }

    #[test]
    fn redirects_follow_the_same_rule() {
        let p = UrlPolicy::default();
        let https = [u("https://a.test/x")];
        assert_eq!(
            p.redirect(&https, &u("http://127.0.0.1/x"), 10)
                .unwrap_err()
                .to_string(),
            "http://127.0.0.1/x: redirect refused: redirect from https to http (http://127.0.0.1/x): expected https"
        );
        assert!(p.redirect(&https, &u("https://b.test/y"), 10).is_ok());
        assert!(
            p.redirect(&https, &u("https://a.test/x"), 10)
                .unwrap_err()
                .to_string()
                .contains("loop")
        );
        let plain = [u("http://127.0.0.1/x")];
        assert!(matches!(
            p.redirect(&plain, &u("file:///etc/passwd"), 10),
            Err(FetchError::Scheme { .. })
        ));
        assert!(matches!(
            p.redirect(&plain, &u("http://example.test/x"), 10),
            Err(FetchError::Insecure { .. })
        ));
    }
}
