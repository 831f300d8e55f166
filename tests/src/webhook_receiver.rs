//! A department system's webhook receiver for tests: a small axum server
//! on `127.0.0.1:0` that answers 500 to its first N calls (or until told
//! to accept), then 204, and keeps every accepted delivery with its
//! signature header, so a test can check order, uniqueness and the HMAC.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

#[derive(Default)]
struct Inner {
    /// Calls still to be failed.
    fail_left: usize,
    calls: usize,
    /// (signature header, body) of each accepted call, in arrival order.
    accepted: Vec<(String, Vec<u8>)>,
}

/// A running receiver; stopped on drop.
pub struct Receiver {
    addr: std::net::SocketAddr,
    inner: Arc<Mutex<Inner>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts a receiver that fails its first `fail` calls.
    pub async fn start(fail: usize) -> Receiver {
        let inner = Arc::new(Mutex::new(Inner {
            fail_left: fail,
            ..Inner::default()
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("addr");
        let router = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(inner.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Receiver { addr, inner, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Accepts every call from now on.
    pub fn accept_from_now(&self) {
        self.lock().fail_left = 0;
    }

    /// Calls received, failed or not.
    pub fn calls(&self) -> usize {
        self.lock().calls
    }

    /// The accepted deliveries' bodies, parsed.
    pub fn delivered(&self) -> Vec<Value> {
        self.lock()
            .accepted
            .iter()
            .map(|(_, body)| serde_json::from_slice(body).expect("delivery is JSON"))
            .collect()
    }

    /// Waits until `n` deliveries were accepted (panics after `limit`),
    /// then a moment more to see that no extra one follows.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Value> {
        let start = Instant::now();
        while self.lock().accepted.len() < n {
            assert!(
                start.elapsed() < limit,
                "after {limit:?} the receiver holds {} of {n} deliveries",
                self.lock().accepted.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let all = self.delivered();
        assert_eq!(all.len(), n, "more deliveries than expected: {all:#?}");
        all
    }

    /// Every accepted delivery carries `sha256=<hex HMAC-SHA256(body)>`
    /// keyed with `token`.
    pub fn assert_signed(&self, token: &str) {
        for (signature, body) in &self.lock().accepted {
            let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(token.as_bytes())
                .expect("any key length");
            mac.update(body);
            let hex: String = mac
                .finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(signature, &format!("sha256={hex}"), "bad signature");
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(inner): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inner = inner.lock().unwrap_or_else(|e| e.into_inner());
    inner.calls += 1;
    if inner.fail_left > 0 {
        inner.fail_left -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let signature = headers
        .get("x-liandong-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    inner.accepted.push((signature, body.to_vec()));
    StatusCode::NO_CONTENT
}
