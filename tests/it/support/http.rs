//! A small HTTP/1.1 server on loopback (tokio, its own thread): serves routes and a directory,
//! and behaves badly on request (5xx, truncated bodies, huge bodies, silence, redirects).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the server answers for a path.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this body and content type.
    Ok(Vec<u8>, &'static str),
    /// This status with a short body, and extra headers.
    Status(u16, Vec<(String, String)>, Vec<u8>),
    /// 302 to this location.
    Redirect(String),
    /// Announces `declared` bytes, sends `body`, then closes the connection.
    Truncate { declared: u64, body: Vec<u8> },
    /// Streams `len` bytes of zeros (chunked when `chunked`, else with a Content-Length).
    Huge { len: u64, chunked: bool },
    /// Accepts the request and never answers.
    Hang,
    /// One reply per request, in order; the last one repeats.
    Sequence(Vec<Reply>),
    /// `then` for requests with `Authorization: Bearer <token>`; others get 401 and a
    /// `WWW-Authenticate: Bearer realm=…,service=…` challenge (the flow ghcr.io uses).
    Bearer {
        token: String,
        realm: String,
        service: String,
        then: Box<Reply>,
    },
    /// `then` for requests with `Authorization: Basic <credentials>` (base64 `user:password`);
    /// others get 401 and a `WWW-Authenticate: Basic realm=…` challenge.
    Basic {
        credentials: String,
        then: Box<Reply>,
    },
}

/// A request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Reply>,
    counters: HashMap<String, usize>,
    seen: Vec<Seen>,
    dir: Option<PathBuf>,
}

/// The server; stops when dropped.
pub struct Server {
    pub port: u16,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts a server with no routes.
    pub fn start() -> Server {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            if let Ok((sock, _)) = acc {
                                tokio::spawn(handle(sock, st.clone()));
                            }
                        }
                    }
                }
            });
        });
        Server {
            port,
            state,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    /// Serves files under `dir` for paths without a route (`/a/b` → `dir/a/b`).
    pub fn serve_dir(&self, dir: impl Into<PathBuf>) {
        self.state.lock().unwrap().dir = Some(dir.into());
    }

    /// Sets what a path answers.
    pub fn route(&self, path: &str, reply: Reply) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), reply);
    }

    /// `http://127.0.0.1:PORT` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// How many requests a path received.
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .seen
            .iter()
            .filter(|s| s.path == path)
            .count()
    }

    /// Every request received, in order.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn handle(mut sock: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() > 64 * 1024 {
            break;
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = text.split("\r\n");
    let first = lines.next().unwrap_or("");
    let path = first.split(' ').nth(1).unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let auth = headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .map(|(_, v)| v.clone());
    let reply = {
        let mut st = state.lock().unwrap();
        st.seen.push(Seen {
            path: path.clone(),
            headers,
        });
        let route_path = path.split('?').next().unwrap_or("").to_string();
        let reply = st
            .routes
            .get(&path)
            .or_else(|| st.routes.get(&route_path))
            .cloned();
        match reply {
            Some(Reply::Sequence(seq)) => {
                let n = st.counters.entry(path.clone()).or_insert(0);
                let r = seq[(*n).min(seq.len() - 1)].clone();
                *n += 1;
                Some(r)
            }
            Some(r) => Some(r),
            None => st.dir.as_ref().and_then(|d| {
                let rel = route_path.trim_start_matches('/');
                if rel.split('/').any(|c| c == ".." || c.is_empty()) {
                    return None;
                }
                std::fs::read(d.join(rel))
                    .ok()
                    .map(|b| Reply::Ok(b, "application/octet-stream"))
            }),
        }
    };
    let mut reply = reply.unwrap_or(Reply::Status(404, vec![], b"not found".to_vec()));
    let reply = loop {
        reply = match reply {
            Reply::Basic { credentials, then } => {
                if auth.as_deref() == Some(format!("Basic {credentials}").as_str()) {
                    *then
                } else {
                    Reply::Status(
                        401,
                        vec![("WWW-Authenticate".into(), "Basic realm=\"test\"".into())],
                        b"{}".to_vec(),
                    )
                }
            }
            Reply::Bearer {
                token,
                realm,
                service,
                then,
            } => {
                if auth.as_deref() == Some(format!("Bearer {token}").as_str()) {
                    *then
                } else {
                    Reply::Status(
                        401,
                        vec![(
                            "WWW-Authenticate".into(),
                            format!("Bearer realm=\"{realm}\",service=\"{service}\""),
                        )],
                        br#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.to_vec(),
                    )
                }
            }
            other => break other,
        };
    };
    let _ = respond(&mut sock, reply).await;
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        302 => "Found",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

async fn respond(sock: &mut tokio::net::TcpStream, reply: Reply) -> std::io::Result<()> {
    match reply {
        Reply::Ok(body, ct) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(&body).await?;
        }
        Reply::Status(code, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {code} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(code),
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(&body).await?;
        }
        Reply::Redirect(loc) => {
            let head = format!(
                "HTTP/1.1 302 Found\r\nLocation: {loc}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
        }
        Reply::Truncate { declared, body } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
            sock.write_all(&body).await?;
            sock.flush().await?;
        }
        Reply::Huge { len, chunked } => {
            let head = if chunked {
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    .to_string()
            } else {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n")
            };
            sock.write_all(head.as_bytes()).await?;
            let block = vec![0u8; 64 * 1024];
            let mut left = len;
            while left > 0 {
                let n = left.min(block.len() as u64) as usize;
                if chunked {
                    sock.write_all(format!("{n:x}\r\n").as_bytes()).await?;
                    sock.write_all(&block[..n]).await?;
                    sock.write_all(b"\r\n").await?;
                } else {
                    sock.write_all(&block[..n]).await?;
                }
                left -= n as u64;
            }
            if chunked {
                sock.write_all(b"0\r\n\r\n").await?;
            }
        }
        Reply::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Reply::Sequence(_) | Reply::Bearer { .. } | Reply::Basic { .. } => {
            unreachable!("sequences and auth are resolved before responding")
        }
    }
    sock.shutdown().await
}
