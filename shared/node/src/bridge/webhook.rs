//! Pushing the department's cases to its own system (`--webhook URL`):
//! every case operation this bridge holds for its department, in the
//! order of the store's feed, is POSTed as one JSON delivery:
//!
//! ```json
//! {"delivery": "000000000000002a", "seq": 42, "type": "case" | "event",
//!  "department": "D03", "case_id": "...", "event": {...}, "case": {...}}
//! ```
//!
//! `type` is `case` for the operation with which the case became present
//! here (the delivery then carries the whole case as `GET /v1/cases/{id}`
//! shows it), `event` for each later one; `event` is always the event the
//! operation recorded (kind, time, who). Headers: `X-Liandong-Signature:
//! sha256=<hex HMAC-SHA256 of the body, keyed with the API token>`,
//! `X-Liandong-Delivery` (the delivery id, unique and increasing) and
//! `X-Liandong-Event` (the type).
//!
//! Each delivery is retried with jittered exponential backoff until the
//! receiver answers 2xx; only then does the next one go. The position
//! delivered up to is kept in `webhook-cursor.json` in the data directory,
//! written atomically (temporary file, sync, rename, sync of the folder)
//! after each 2xx, so pending deliveries survive a restart; a crash between
//! a 2xx and that write delivers that one again (receivers deduplicate on
//! `X-Liandong-Delivery`). A first start delivers everything the bridge
//! already holds. The number pending, the position and the last error show
//! in [`WebhookStatus`] (`/api/status`, `/metrics`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use backoff::backoff::Backoff;
use backoff::ExponentialBackoff;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::auth::Token;
use super::cases::cursor;
use super::view::{current, event_view, routed_to};
use crate::shutdown::Shutdown;
use crate::{NodeCore, NodeError};
use liandong_net::webhook::{post, WebhookUrl};
use liandong_store::CaseFeedEntry;

/// The cursor's file name in the data directory.
pub const CURSOR_FILE: &str = "webhook-cursor.json";

/// How long one POST may take.
pub const POST_TIMEOUT: Duration = Duration::from_secs(10);

/// Case operations read per pass.
const PAGE: usize = 64;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-liandong-signature";

/// The webhook as status shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct WebhookStatus {
    pub url: String,
    /// Deliveries not yet answered 2xx.
    pub pending: u64,
    /// Feed position delivered up to.
    pub delivered_to: u64,
    /// Deliveries answered 2xx since this process started.
    pub delivered: u64,
    pub failed_attempts: u64,
    /// Why the last attempt failed; cleared by the next 2xx.
    pub last_error: Option<String>,
    pub last_error_at_ms: Option<u64>,
    pub last_delivered_at_ms: Option<u64>,
}

/// A running webhook's shared status.
#[derive(Clone)]
pub struct Webhook {
    status: Arc<Mutex<WebhookStatus>>,
}

impl Webhook {
    pub fn status(&self) -> WebhookStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn update(&self, f: impl FnOnce(&mut WebhookStatus)) {
        f(&mut self.status.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// Why the webhook could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebhookStartError {
    #[error("webhook cursor {path}: {detail}; move it aside to deliver everything again", path = .path.display())]
    Cursor { path: PathBuf, detail: String },
}

#[derive(Debug, Serialize, Deserialize)]
struct CursorFile {
    format: u8,
    delivered_to: u64,
    url: String,
}

/// One pass's worth of deliveries.
struct Page {
    /// Each case operation with its body (`None`: not this department's).
    entries: Vec<(CaseFeedEntry, Option<Vec<u8>>)>,
    scanned_to: u64,
    head: u64,
    /// Deliveries pending in all, when counted this pass.
    pending: Option<u64>,
}

/// Everything the delivery task needs.
struct Deliverer {
    core: NodeCore,
    department: String,
    token: Token,
    url: WebhookUrl,
    path: PathBuf,
    webhook: Webhook,
}

/// Loads the cursor and starts delivering to `url` until shutdown.
pub fn start(
    core: NodeCore,
    department: &str,
    token: Token,
    url: WebhookUrl,
    data_dir: &Path,
    shutdown: &Shutdown,
) -> Result<Webhook, WebhookStartError> {
    let path = data_dir.join(CURSOR_FILE);
    let delivered_to = read_cursor(&path)?;
    let webhook = Webhook {
        status: Arc::new(Mutex::new(WebhookStatus {
            url: url.to_string(),
            delivered_to,
            ..WebhookStatus::default()
        })),
    };
    let deliverer = Deliverer {
        core,
        department: department.to_string(),
        token,
        url,
        path,
        webhook: webhook.clone(),
    };
    let sd = shutdown.clone();
    shutdown.spawn("bridge-webhook", async move {
        deliverer.run(sd, delivered_to).await
    });
    Ok(webhook)
}

fn read_cursor(path: &Path) -> Result<u64, WebhookStartError> {
    let bad = |detail: String| WebhookStartError::Cursor {
        path: path.to_path_buf(),
        detail,
    };
    match std::fs::read(path) {
        Ok(bytes) => serde_json::from_slice::<CursorFile>(&bytes)
            .map(|c| c.delivered_to)
            .map_err(|e| bad(e.to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(bad(e.to_string())),
    }
}

/// Writes the cursor atomically (blocking).
fn write_cursor(path: &Path, delivered_to: u64, url: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("json.partial");
    let text = serde_json::to_vec(&CursorFile {
        format: 1,
        delivered_to,
        url: url.to_string(),
    })
    .map_err(std::io::Error::other)?;
    {
        let mut file = std::fs::File::create(&tmp)?;
        std::io::Write::write_all(&mut file, &text)?;
        file.sync_all()?;
    }
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// HMAC-SHA256 of `body` keyed with `key`, as `sha256=<hex>`.
pub fn signature(key: &[u8], body: &[u8]) -> Option<String> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(body);
    let tag = mac.finalize().into_bytes();
    Some(format!(
        "sha256={}",
        tag.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

fn new_backoff() -> ExponentialBackoff {
    ExponentialBackoff {
        initial_interval: Duration::from_millis(200),
        max_interval: Duration::from_secs(30),
        multiplier: 2.0,
        randomization_factor: 0.3,
        max_elapsed_time: None,
        ..ExponentialBackoff::default()
    }
}

impl Deliverer {
    async fn run(self, shutdown: Shutdown, mut delivered_to: u64) {
        let mut changes = self.core.store.subscribe();
        let this = Arc::new(self);
        // The feed head the pending count was last taken at: it is taken
        // again only when the feed grew, not for every page of a backlog.
        let mut counted_at: Option<u64> = None;
        while !shutdown.is_triggered() {
            changes.borrow_and_update();
            let t = this.clone();
            let page = tokio::task::spawn_blocking(move || t.page(delivered_to, counted_at)).await;
            let page = match page {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => {
                    this.failed(format!("reading the store: {e}"));
                    sleep_or_stop(&shutdown, Duration::from_secs(1)).await;
                    continue;
                }
                Err(e) => {
                    this.failed(format!("reading the store: {e}"));
                    return;
                }
            };
            if let Some(pending) = page.pending {
                counted_at = Some(page.head);
                this.webhook.update(|s| s.pending = pending);
            }
            let drained = page.entries.is_empty();
            if drained {
                this.webhook.update(|s| s.pending = 0);
            }
            for (entry, body) in page.entries {
                if let Some(body) = body {
                    if !this.deliver(&shutdown, &entry, body).await {
                        return;
                    }
                    this.webhook
                        .update(|s| s.pending = s.pending.saturating_sub(1));
                }
                delivered_to = entry.seq;
                this.persist(delivered_to).await;
            }
            if page.scanned_to > delivered_to {
                delivered_to = page.scanned_to;
                this.persist(delivered_to).await;
            }
            if drained || this.webhook.status().pending == 0 {
                tokio::select! {
                    _ = shutdown.triggered() => return,
                    r = changes.changed() => if r.is_err() { return },
                }
            }
        }
    }

    /// The next deliveries after `after` (a body for each of this
    /// department's, `None` for another's), and, when the feed head is not
    /// `counted_at`, how many deliveries are pending in all. Blocking.
    fn page(&self, after: u64, counted_at: Option<u64>) -> Result<Page, NodeError> {
        let store = &self.core.store;
        let feed = store.case_feed(after, PAGE)?;
        let mut entries = Vec::with_capacity(feed.entries.len());
        for entry in feed.entries {
            let body = self.body(&entry)?;
            entries.push((entry, body));
        }
        let pending = if counted_at == Some(feed.head) {
            None
        } else {
            Some(self.count_pending(after)?)
        };
        Ok(Page {
            entries,
            scanned_to: feed.scanned_to,
            head: feed.head,
            pending,
        })
    }

    /// The case operations of this department's cases past `after`.
    fn count_pending(&self, after: u64) -> Result<u64, NodeError> {
        let store = &self.core.store;
        let mut pending = 0u64;
        let mut ours: std::collections::HashMap<String, bool> = Default::default();
        for entry in store.case_feed(after, usize::MAX)?.entries {
            let key = entry.case.as_str().to_string();
            let is_ours = match ours.get(&key) {
                Some(v) => *v,
                None => {
                    let v = store
                        .case(&key)?
                        .is_some_and(|c| routed_to(&c.record, &self.department));
                    ours.insert(key, v);
                    v
                }
            };
            pending += u64::from(is_ours);
        }
        Ok(pending)
    }

    /// The delivery body of one case operation, or `None` when the case is
    /// not this department's (or the event is one this build cannot read).
    fn body(&self, entry: &CaseFeedEntry) -> Result<Option<Vec<u8>>, NodeError> {
        let Some(stored) = self.core.store.case(entry.case.as_str())? else {
            return Ok(None);
        };
        if !routed_to(&stored.record, &self.department) {
            return Ok(None);
        }
        let Some(recorded) = stored.record.get(&entry.op) else {
            tracing::debug!(op = %entry.op, "webhook: an event this build cannot read; skipped");
            return Ok(None);
        };
        let superseded = stored.record.superseded().contains(&entry.op);
        let event = event_view(&entry.op, recorded, &self.department, superseded);
        let case = if entry.first_of_case {
            Some(current(&self.core, &stored, &self.department)?)
        } else {
            None
        };
        let body = serde_json::json!({
            "delivery": cursor(entry.seq),
            "seq": entry.seq,
            "type": if entry.first_of_case { "case" } else { "event" },
            "department": self.department,
            "case_id": stored.id.to_string(),
            "event": event,
            "case": case,
        });
        Ok(Some(body.to_string().into_bytes()))
    }

    /// POSTs one delivery until a 2xx; false when shutdown came first.
    async fn deliver(&self, shutdown: &Shutdown, entry: &CaseFeedEntry, body: Vec<u8>) -> bool {
        let Some(signature) = signature(self.token.as_bytes(), &body) else {
            self.failed("cannot sign with the API token".into());
            return false;
        };
        let kind = if entry.first_of_case { "case" } else { "event" };
        let headers = [
            (SIGNATURE_HEADER, signature),
            ("x-liandong-delivery", cursor(entry.seq)),
            ("x-liandong-event", kind.to_string()),
        ];
        let mut backoff = new_backoff();
        loop {
            let attempt = tokio::select! {
                _ = shutdown.triggered() => return false,
                r = post(&self.url, &headers, body.clone(), POST_TIMEOUT) => r,
            };
            match attempt {
                Ok(status) if (200..300).contains(&status) => {
                    let now = self.core.now_ms();
                    self.webhook.update(|s| {
                        s.delivered += 1;
                        s.last_error = None;
                        s.last_delivered_at_ms = Some(now);
                    });
                    return true;
                }
                Ok(status) => self.failed(format!("{} answered {status}", self.url)),
                Err(e) => self.failed(e.to_string()),
            }
            let wait = backoff.next_backoff().unwrap_or(Duration::from_secs(30));
            if !sleep_or_stop(shutdown, wait).await {
                return false;
            }
        }
    }

    fn failed(&self, why: String) {
        tracing::warn!(url = %self.url, error = %why, "webhook delivery failed; retrying");
        let now = self.core.now_ms();
        self.webhook.update(|s| {
            s.failed_attempts += 1;
            s.last_error = Some(why);
            s.last_error_at_ms = Some(now);
        });
    }

    /// Keeps the position; a failure to write it is logged (the next
    /// write tries again; a restart would deliver again from the last one
    /// written).
    async fn persist(&self, delivered_to: u64) {
        self.webhook.update(|s| s.delivered_to = delivered_to);
        let (path, url) = (self.path.clone(), self.url.to_string());
        let written =
            tokio::task::spawn_blocking(move || write_cursor(&path, delivered_to, &url)).await;
        if !matches!(written, Ok(Ok(()))) {
            tracing::error!(path = %self.path.display(), "cannot write the webhook cursor");
        }
    }
}

/// Sleeps `wait` unless shutdown comes first (then false).
async fn sleep_or_stop(shutdown: &Shutdown, wait: Duration) -> bool {
    tokio::select! {
        _ = shutdown.triggered() => false,
        _ = tokio::time::sleep(wait) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_hmac_sha256_of_the_body_in_hex() {
        // RFC 4231, test case 2.
        let sig = signature(b"Jefe", b"what do ya want for nothing?").unwrap();
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_cursor_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CURSOR_FILE);
        assert_eq!(read_cursor(&path).unwrap(), 0);
        write_cursor(&path, 42, "http://x/").unwrap();
        write_cursor(&path, 43, "http://x/").unwrap();
        assert_eq!(read_cursor(&path).unwrap(), 43);
        std::fs::write(&path, "garbage").unwrap();
        assert!(read_cursor(&path).is_err());
    }
}
