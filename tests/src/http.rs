//! A small HTTP/1.1 client for tests (hyper's connection API over one
//! TCP connection per request), bounded by a timeout: what a department
//! system does against a bridge's API.

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// A response: status, headers (lower-case names) and body text.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request; panics if the server does not answer within 10 s.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Reply {
    let exchange = async {
        let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let (mut sender, conn) = http1::handshake(TokioIo::new(tcp))
            .await
            .expect("handshake");
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", addr.to_string());
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let req = req.body(Body::from(body)).expect("request");
        let send = async {
            let response = sender.send_request(req).await.expect("response");
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        v.to_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let bytes = axum::body::to_bytes(Body::new(response.into_body()), 16 << 20)
                .await
                .expect("body");
            Reply {
                status,
                headers,
                body: String::from_utf8_lossy(&bytes).into_owned(),
            }
        };
        tokio::pin!(conn);
        let mut conn_done = false;
        tokio::pin!(send);
        loop {
            tokio::select! {
                reply = &mut send => return reply,
                _ = &mut conn, if !conn_done => conn_done = true,
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .unwrap_or_else(|_| panic!("{method} {path}: no answer in 10 s"))
}

/// `Authorization: Bearer <token>`.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// GET with an optional token.
pub async fn get(addr: SocketAddr, path: &str, token: Option<&str>) -> Reply {
    let auth = token.map(bearer);
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| vec![("authorization", a)])
        .unwrap_or_default();
    request(addr, "GET", path, &headers, Vec::new()).await
}

/// POST a JSON body with an optional token and idempotency key.
pub async fn post(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    key: Option<&str>,
    body: &str,
) -> Reply {
    let auth = token.map(bearer);
    let mut headers = vec![("content-type", "application/json")];
    if let Some(a) = auth.as_deref() {
        headers.push(("authorization", a));
    }
    if let Some(k) = key {
        headers.push(("idempotency-key", k));
    }
    request(addr, "POST", path, &headers, body.as_bytes().to_vec()).await
}
