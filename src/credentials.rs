//! Registry credentials, handed out only for the host actually contacted.
//!
//! The Docker config (`$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, read by
//! [`crate::registry::docker_credentials`]) stores credentials per registry host. Guarantees of
//! [`Credentials::for_url`], the only way to a credential:
//! - the lookup is by the `host[:port]` of the URL about to be requested, exactly — never by the
//!   registry name an image reference or a profile uses, so a profile that maps `ghcr.io` to a
//!   mirror gets no `ghcr.io` credentials for that mirror, and a token realm on another host
//!   gets only what the Docker config stores for that host;
//! - never over plain HTTP, except to loopback (`127.0.0.0/8`, `::1`, `localhost`: nothing
//!   leaves the machine), and there only for the exact `host:port` stored;
//! - Docker Hub's hosts (`docker.io`, `index.docker.io`, `registry-1.docker.io` and its token
//!   service `auth.docker.io`) share the one entry `docker login` writes for Docker Hub.
//!
//! The secret itself never appears in `Debug` output or in messages.

use std::collections::HashMap;

use reqwest::header::HeaderValue;

use crate::fetch::RequestUrl;

/// Docker Hub's hosts, which share one credential (stored under [`DOCKER_HUB`]).
const DOCKER_HUB_HOSTS: [&str; 4] = [
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "auth.docker.io",
];
const DOCKER_HUB: &str = "docker.io";

/// A base64 `user:password`, as the Docker config stores it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl Secret {
    /// The `Authorization: Basic …` header value.
    pub fn basic(&self) -> Option<HeaderValue> {
        let mut v = HeaderValue::from_str(&format!("Basic {}", self.0)).ok()?;
        v.set_sensitive(true);
        Some(v)
    }
}

/// The credentials of the Docker config, by host.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    by_host: HashMap<String, Secret>,
}

/// A Docker config key (`ghcr.io`, `https://index.docker.io/v1/`, `localhost:5000`) as the
/// `host[:port]` it is for, in lower case, without the default https port.
fn normalise(key: &str) -> String {
    let k = key.trim();
    let k = k
        .strip_prefix("https://")
        .or_else(|| k.strip_prefix("http://"))
        .unwrap_or(k);
    let k = k.split('/').next().unwrap_or("").to_ascii_lowercase();
    let k = k.strip_suffix(":443").map(str::to_string).unwrap_or(k);
    if DOCKER_HUB_HOSTS.contains(&k.as_str()) {
        DOCKER_HUB.to_string()
    } else {
        k
    }
}

impl Credentials {
    /// No credentials at all.
    pub fn none() -> Credentials {
        Credentials::default()
    }

    /// Credentials by Docker config key → base64 `user:password` (keys are normalised to the
    /// `host[:port]` they name).
    pub fn new(entries: HashMap<String, String>) -> Credentials {
        let by_host = entries
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (normalise(&k), Secret(v)))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Credentials { by_host }
    }

    /// The user's Docker config (none when it is absent or unreadable).
    pub fn from_docker_config() -> Credentials {
        Credentials::new(crate::registry::docker_credentials())
    }

    /// The hosts credentials are stored for (for messages; never the secrets).
    pub fn hosts(&self) -> Vec<&str> {
        let mut h: Vec<&str> = self.by_host.keys().map(String::as_str).collect();
        h.sort_unstable();
        h
    }

    /// The credential to send with a request to `url`: the one stored for its exact
    /// `host[:port]`, and only over https or to loopback.
    pub fn for_url(&self, url: &RequestUrl) -> Option<&Secret> {
        if !may_carry_credentials(url) {
            return None;
        }
        self.by_host.get(&normalise(&url.host_port()))
    }
}

/// Whether a request to `url` may carry credentials (or a token obtained with them): https, or
/// plain HTTP that stays on the machine (loopback).
pub fn may_carry_credentials(url: &RequestUrl) -> bool {
    url.is_https() || url.is_loopback()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::UrlPolicy;

    fn url(s: &str) -> RequestUrl {
        UrlPolicy::new(vec!["registry.lan:5000".into()])
            .parse(s)
            .unwrap()
    }

    fn store() -> Credentials {
        Credentials::new(HashMap::from([
            ("ghcr.io".to_string(), "Z2hjcg==".to_string()),
            (
                "https://index.docker.io/v1/".to_string(),
                "aHVi".to_string(),
            ),
            ("127.0.0.1:5000".to_string(), "bG9jYWw=".to_string()),
            ("registry.lan:5000".to_string(), "bGFu".to_string()),
        ]))
    }

    #[test]
    fn only_the_exact_host_contacted_gets_its_credential() {
        let c = store();
        assert_eq!(
            c.for_url(&url("https://ghcr.io/v2/o/r/manifests/v1"))
                .unwrap()
                .0,
            "Z2hjcg=="
        );
        assert_eq!(
            c.for_url(&url("https://GHCR.io:443/token")).unwrap().0,
            "Z2hjcg=="
        );
        // Another host, another port, a look-alike: nothing.
        assert!(c.for_url(&url("https://mirror.test/v2/")).is_none());
        assert!(c.for_url(&url("https://ghcr.io:8443/v2/")).is_none());
        assert!(c.for_url(&url("https://ghcr.io.evil.test/v2/")).is_none());
        assert!(c.for_url(&url("http://127.0.0.1:5001/v2/")).is_none());
        // Loopback over plain HTTP: only the exact host:port stored.
        assert_eq!(
            c.for_url(&url("http://127.0.0.1:5000/v2/")).unwrap().0,
            "bG9jYWw="
        );
        // Plain HTTP to another host, even an allowed one: never.
        assert!(c.for_url(&url("http://registry.lan:5000/v2/")).is_none());
        // Docker Hub's hosts share its entry.
        for u in [
            "https://registry-1.docker.io/v2/",
            "https://auth.docker.io/token",
        ] {
            assert_eq!(c.for_url(&url(u)).unwrap().0, "aHVi", "{u}");
        }
        assert!(!format!("{c:?}").contains("Z2hjcg"), "{c:?}");
        assert_eq!(
            c.hosts(),
            [
                "127.0.0.1:5000",
                "docker.io",
                "ghcr.io",
                "registry.lan:5000"
            ]
        );
    }
}
