//! A front for the test registry (docker-registry on loopback): an HTTP/1.1 server of its own
//! that forwards every request to the registry and answers with the registry's answer, except
//! where a rule says otherwise. It stands for what sits in front of real registries: token
//! authentication (tokens from its own `/token` realm, each good for a few requests, then
//! expired: a 401 with a new challenge, as ghcr.io answers an expired token), and registries
//! that refuse some requests (one that accepts images but not referrers, a push failing part
//! way), and a registry with the OCI 1.1 referrers API (which docker-registry lacks): the
//! manifests are stored by docker-registry, and the front indexes the ones with a `subject` as
//! the distribution spec says a registry with that API does (`OCI-Subject` on the `PUT`, the
//! index at `GET /v2/<name>/referrers/<digest>`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the front does besides forwarding.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Answer 400 to a manifest `PUT` whose body has a `subject` (a referrer).
    pub refuse_referrers: bool,
    /// Answer 500 to the Nth blob upload `PUT` (1-based) and every later one.
    pub fail_blob_put_from: Option<usize>,
    /// Require a bearer token from `/token`, each good for this many requests.
    pub token_uses: Option<usize>,
    /// Serve the referrers API: a manifest `PUT` with a `subject` that the registry stored is
    /// answered with `OCI-Subject: <subject digest>` and listed (its digest, size, media type,
    /// `artifactType` or else the config's media type, and annotations) in
    /// `GET /v2/<name>/referrers/<subject digest>`, an image index (empty when none).
    pub referrers_api: bool,
    /// With `referrers_api`: answer `OCI-Subject` with this instead of the subject's digest.
    pub wrong_oci_subject: Option<String>,
    /// Require `Authorization: Basic <this>` (base64 `user:password`) on every request;
    /// others get 401 and a `WWW-Authenticate: Basic` challenge.
    pub basic: Option<String>,
}

#[derive(Default)]
struct State {
    rules: Rules,
    blob_puts: usize,
    tokens: HashMap<String, usize>,
    issued: usize,
    scopes: Vec<String>,
    expired: usize,
    /// (repository, subject digest) → the referrers' descriptors, in push order.
    referrers: Vec<(String, String, Vec<serde_json::Value>)>,
}

pub struct Front {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Front {
    /// A front for the registry at `backend` (`127.0.0.1:PORT`).
    pub fn start(backend: &str, rules: Rules) -> Front {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            rules,
            ..State::default()
        }));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let backend = backend.to_string();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let client = reqwest::Client::new();
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        Ok((sock, _)) = listener.accept() => {
                            let st = st.clone();
                            let client = client.clone();
                            let backend = backend.clone();
                            tokio::spawn(async move {
                                let _ = serve(sock, st, client, backend, port).await;
                            });
                        }
                    }
                }
            });
        });
        Front {
            port,
            state,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The referrers the front indexed for `subject` in `repository` (with `referrers_api`).
    pub fn referrers(&self, repository: &str, subject: &str) -> Vec<serde_json::Value> {
        let s = self.state.lock().unwrap();
        s.referrers
            .iter()
            .find(|(r, d, _)| r == repository && d == subject)
            .map(|(_, _, l)| l.clone())
            .unwrap_or_default()
    }

    /// Tokens issued, the scopes asked for, and how many requests came with an expired token.
    pub fn tokens(&self) -> (usize, Vec<String>, usize) {
        let s = self.state.lock().unwrap();
        (s.issued, s.scopes.clone(), s.expired)
    }
}

impl Drop for Front {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(
    mut sock: tokio::net::TcpStream,
    state: Arc<Mutex<State>>,
    client: reqwest::Client,
    backend: String,
    port: u16,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        let mut chunk = [0u8; 8192];
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("GET").to_string();
    let target = first.next().unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let header = |k: &str| headers.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let len: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let mut chunk = vec![0u8; 65536];
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }

    let reply = |status: u16, headers: Vec<(String, String)>, body: Vec<u8>| {
        let mut out = format!("HTTP/1.1 {status} X\r\n");
        for (k, v) in headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        ));
        let mut bytes = out.into_bytes();
        if method != "HEAD" {
            bytes.extend_from_slice(&body);
        }
        bytes
    };

    // The token realm.
    if target.starts_with("/token") {
        let b = {
            let mut s = state.lock().unwrap();
            s.issued += 1;
            let token = format!("token-{}", s.issued);
            let uses = s.rules.token_uses.unwrap_or(usize::MAX);
            s.tokens.insert(token.clone(), uses);
            let scope = url::Url::parse(&format!("http://x{target}"))
                .ok()
                .and_then(|u| {
                    u.query_pairs()
                        .find(|(k, _)| k == "scope")
                        .map(|(_, v)| v.to_string())
                })
                .unwrap_or_default();
            s.scopes.push(scope);
            serde_json::json!({ "token": token })
                .to_string()
                .into_bytes()
        };
        sock.write_all(&reply(
            200,
            vec![("content-type".into(), "application/json".into())],
            b,
        ))
        .await?;
        return Ok(());
    }

    // The referrers API, when the front provides it.
    let path = target.split('?').next().unwrap_or("").to_string();
    let api_index = (matches!(method.as_str(), "GET" | "HEAD") && path.contains("/referrers/"))
        .then(|| {
            let s = state.lock().unwrap();
            s.rules.referrers_api.then(|| {
                let (repo, subject) = path
                    .trim_start_matches("/v2/")
                    .split_once("/referrers/")
                    .unwrap_or_default();
                let list = s
                    .referrers
                    .iter()
                    .find(|(r, d, _)| r == repo && d == subject)
                    .map(|(_, _, l)| l.clone())
                    .unwrap_or_default();
                serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": list,
                })
            })
        })
        .flatten();
    if let Some(index) = api_index {
        sock.write_all(&reply(
            200,
            vec![(
                "content-type".into(),
                "application/vnd.oci.image.index.v1+json".into(),
            )],
            index.to_string().into_bytes(),
        ))
        .await?;
        return Ok(());
    }
    // A manifest pushed with a subject: indexed by the front once the registry stored it.
    let referrer = (method == "PUT" && path.contains("/manifests/"))
        .then(|| serde_json::from_slice::<serde_json::Value>(&body).ok())
        .flatten()
        .filter(|m| m["subject"]["digest"].is_string())
        .map(|m| {
            let repo = path
                .trim_start_matches("/v2/")
                .split_once("/manifests/")
                .map(|(r, _)| r.to_string())
                .unwrap_or_default();
            let mut desc = serde_json::json!({
                "mediaType": m["mediaType"],
                "digest": kakunin::digest::Digest::sha256(&body).to_string(),
                "size": body.len(),
                "artifactType": if m["artifactType"].is_string() { &m["artifactType"] } else { &m["config"]["mediaType"] },
            });
            if m["annotations"].is_object() {
                desc["annotations"] = m["annotations"].clone();
            }
            (repo, m["subject"]["digest"].as_str().unwrap_or("").to_string(), desc)
        });

    // Rules before forwarding.
    let refusal = {
        let mut s = state.lock().unwrap();
        let mut refusal = None;
        if s.rules.token_uses.is_some() {
            let token =
                header("authorization").and_then(|v| v.strip_prefix("Bearer ").map(str::to_string));
            let valid = match token.as_ref().and_then(|t| s.tokens.get_mut(t)) {
                Some(left) if *left > 0 => {
                    *left -= 1;
                    true
                }
                Some(_) => {
                    s.expired += 1;
                    false
                }
                None => false,
            };
            if !valid {
                refusal = Some((
                    401,
                    vec![(
                        "www-authenticate".to_string(),
                        format!(
                            "Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"front\",error=\"invalid_token\""
                        ),
                    )],
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"token expired or missing"}]}"#
                        .to_vec(),
                ));
            }
        }
        if let Some(want) = &s.rules.basic {
            if header("authorization").as_deref() != Some(format!("Basic {want}").as_str()) {
                refusal = Some((
                    401,
                    vec![(
                        "www-authenticate".to_string(),
                        "Basic realm=\"front\"".to_string(),
                    )],
                    br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#
                        .to_vec(),
                ));
            }
        }
        if refusal.is_none()
            && method == "PUT"
            && target.contains("/manifests/")
            && s.rules.refuse_referrers
            && serde_json::from_slice::<serde_json::Value>(&body)
                .map(|v| v.get("subject").is_some())
                .unwrap_or(false)
        {
            refusal = Some((
                400,
                Vec::new(),
                br#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifests with a subject are not accepted"}]}"#.to_vec(),
            ));
        }
        if refusal.is_none() && method == "PUT" && target.contains("/blobs/uploads/") {
            s.blob_puts += 1;
            if s.rules.fail_blob_put_from.is_some_and(|n| s.blob_puts >= n) {
                refusal = Some((500, Vec::new(), b"storage failure".to_vec()));
            }
        }
        refusal
    };
    if let Some((status, h, b)) = refusal {
        sock.write_all(&reply(status, h, b)).await?;
        return Ok(());
    }

    // Forward.
    let method_r = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method_r, format!("http://{backend}{target}"));
    for (k, v) in &headers {
        if !matches!(
            k.as_str(),
            "host" | "authorization" | "connection" | "content-length"
        ) {
            req = req.header(k, v);
        }
    }
    let resp = match req.body(body).send().await {
        Ok(r) => r,
        Err(e) => {
            sock.write_all(&reply(502, Vec::new(), e.to_string().into_bytes()))
                .await?;
            return Ok(());
        }
    };
    let status = resp.status().as_u16();
    let mut out_headers = Vec::new();
    for (k, v) in resp.headers() {
        let k = k.as_str().to_string();
        if matches!(
            k.as_str(),
            "content-length" | "connection" | "transfer-encoding"
        ) {
            continue;
        }
        let v = v
            .to_str()
            .unwrap_or("")
            .replace(&backend, &format!("127.0.0.1:{port}"));
        out_headers.push((k, v));
    }
    let b = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    if let Some((repo, subject, desc)) = referrer {
        let mut s = state.lock().unwrap();
        if s.rules.referrers_api && (200..300).contains(&status) {
            let answer = s.rules.wrong_oci_subject.clone().unwrap_or(subject.clone());
            out_headers.push(("oci-subject".into(), answer));
            match s
                .referrers
                .iter_mut()
                .find(|(r, d, _)| *r == repo && *d == subject)
            {
                Some((_, _, list)) => {
                    if !list.iter().any(|e| e["digest"] == desc["digest"]) {
                        list.push(desc)
                    }
                }
                None => s.referrers.push((repo, subject, vec![desc])),
            }
        }
    }
    sock.write_all(&reply(status, out_headers, b)).await?;
    Ok(())
}
