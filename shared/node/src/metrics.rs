//! `/metrics`: a node's health in the Prometheus text format (0.0.4), on
//! every node's admin port. Nothing is counted twice: each scrape takes one
//! [`NodeStatus`] (store counters plus the link board, both cheap) and
//! encodes it through a `prometheus-client` collector, so the numbers are
//! exactly those `status` and the admin page show.
//!
//! Names are `liandong_*`; per-link series carry a `peer` label (the peer's
//! node id, e.g. `township/T01`), rejections also a `reason`. Counters are
//! this process's totals: they restart from zero with the process, which
//! Prometheus' `rate()` handles. A peer never contacted has no
//! last-contact-age series.
//!
//! Not yet: the depth of the network→store channels (they do not exist as
//! named channels yet).

use std::fmt;
use std::sync::OnceLock;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeCounterValue, EncodeGaugeValue, NoLabelSet,
};
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

use crate::{NodeCore, NodeError, NodeStatus, PeerStatus};

/// The `Content-Type` of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

static PROCESS_START_MS: OnceLock<u64> = OnceLock::new();

/// When this process started serving (Unix ms, by the system clock: the
/// process's own start, not the node's business time). The first call
/// fixes it; nodes call it as they start, so it is the start of the first
/// node.
pub fn process_start_ms() -> u64 {
    *PROCESS_START_MS.get_or_init(|| liandong_model::Clock::now_ms(&liandong_model::SystemClock))
}

/// One scrape's worth of numbers.
#[derive(Debug, Clone)]
pub struct Scrape {
    pub status: NodeStatus,
    /// Sequence number of the last entry in this node's change feed.
    pub feed_head: u64,
    pub process_start_ms: u64,
}

impl Scrape {
    /// Reads the node (blocking: call from `spawn_blocking`).
    pub fn take(core: &NodeCore) -> Result<Scrape, NodeError> {
        let status = core.status()?;
        let feed_head = core.store.stats()?.feed_head;
        Ok(Scrape {
            status,
            feed_head,
            process_start_ms: process_start_ms(),
        })
    }

    /// The scrape as Prometheus text.
    pub fn render(self) -> Result<String, fmt::Error> {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(self));
        let mut out = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)?;
        Ok(out)
    }
}

/// Reads and renders in one go (blocking).
pub fn scrape_text(core: &NodeCore) -> Result<String, NodeError> {
    Scrape::take(core)?
        .render()
        .map_err(|_| NodeError::internal("encoding metrics failed"))
}

impl Collector for Scrape {
    fn encode(&self, mut enc: DescriptorEncoder) -> fmt::Result {
        self.encode_node(&mut enc)?;
        self.encode_links(&mut enc)?;
        self.encode_reports(&mut enc)
    }
}

impl Scrape {
    fn encode_node(&self, enc: &mut DescriptorEncoder) -> fmt::Result {
        let s = &self.status;
        gauge(
            enc,
            "liandong_ops_held",
            "Operations this node holds.",
            s.ops_held,
        )?;
        gauge(enc, "liandong_cases", "Cases this node holds.", s.cases)?;
        gauge(
            enc,
            "liandong_disk_bytes",
            "Bytes the store uses on disk.",
            s.disk_bytes,
        )?;
        gauge(
            enc,
            "liandong_feed_head",
            "Sequence number of the newest entry in this node's change feed.",
            self.feed_head,
        )?;
        gauge(
            enc,
            "liandong_cert_expiry_timestamp_seconds",
            "When this node's certificate expires (Unix seconds).",
            ms_to_s(s.cert_not_after_ms),
        )?;
        gauge(
            enc,
            "liandong_process_start_time_seconds",
            "When this process started (Unix seconds).",
            ms_to_s(self.process_start_ms as i64),
        )
    }

    fn encode_links(&self, enc: &mut DescriptorEncoder) -> fmt::Result {
        let peers = &self.status.peers;
        let now = self.status.now_ms;
        per_peer(
            enc,
            "liandong_peer_connected",
            "1 while a replication stream with the peer is open.",
            peers,
            |p| Some(u64::from(p.connected)),
        )?;
        peer_counter(
            enc,
            "liandong_peer_ops_sent",
            "Operations sent to the peer since this process started.",
            peers,
            |p| p.ops_sent,
        )?;
        peer_counter(
            enc,
            "liandong_peer_ops_received",
            "Operations received from the peer since this process started.",
            peers,
            |p| p.ops_received,
        )?;
        per_peer(
            enc,
            "liandong_peer_lag_out_ops",
            "Operations we hold that the peer has not acknowledged.",
            peers,
            |p| Some(p.lag_out_ops),
        )?;
        per_peer(
            enc,
            "liandong_peer_lag_in_ops",
            "Operations the peer reports holding for us that we have not received.",
            peers,
            |p| Some(p.lag_in_ops),
        )?;
        per_peer(
            enc,
            "liandong_peer_lag_seconds",
            "How long the peer has been behind us (0 when caught up).",
            peers,
            |p| Some(p.lag_seconds),
        )?;
        per_peer(
            enc,
            "liandong_peer_last_contact_age_seconds",
            "Seconds since the last word from the peer (absent if never contacted).",
            peers,
            |p| {
                p.last_contact_ms
                    .map(|t| now.saturating_sub(t) as f64 / 1000.0)
            },
        )?;
        per_peer(
            enc,
            "liandong_peer_clock_skew_seconds",
            "The peer's clock minus ours at its last heartbeat.",
            peers,
            |p| p.clock_skew_ms.map(|ms| ms as f64 / 1000.0),
        )?;
        self.encode_rejections(enc)
    }

    fn encode_rejections(&self, enc: &mut DescriptorEncoder) -> fmt::Result {
        let mut m = enc.encode_descriptor(
            "liandong_peer_rejections",
            "Messages or operations from the peer that this node refused, by reason.",
            None,
            MetricType::Counter,
        )?;
        for p in &self.status.peers {
            for (reason, n) in &p.rejections {
                let labels = [("peer", p.node.as_str()), ("reason", reason.as_str())];
                m.encode_family(&labels)?
                    .encode_counter::<NoLabelSet, _, u64>(n, None)?;
            }
        }
        Ok(())
    }

    /// What each peer says about itself in its heartbeats (townships, at the
    /// county); the last report is kept while the peer is down.
    fn encode_reports(&self, enc: &mut DescriptorEncoder) -> fmt::Result {
        let peers = &self.status.peers;
        for (name, help, value) in REPORT_GAUGES {
            per_peer(enc, name, help, peers, value)?;
        }
        Ok(())
    }
}

/// A gauge taken from the peer's own report: (name, help, value).
type ReportGauge = (&'static str, &'static str, fn(&PeerStatus) -> Option<i64>);

const REPORT_GAUGES: [ReportGauge; 7] = [
    (
        "liandong_peer_report_cases",
        "Cases the peer holds, as it last reported.",
        |p| p.report.as_ref().map(|r| r.cases as i64),
    ),
    (
        "liandong_peer_report_cases_yellow",
        "Cases with a yellow warning at the peer, as it last reported.",
        |p| p.report.as_ref().map(|r| r.cases_yellow as i64),
    ),
    (
        "liandong_peer_report_cases_red",
        "Cases with a red warning at the peer, as it last reported.",
        |p| p.report.as_ref().map(|r| r.cases_red as i64),
    ),
    (
        "liandong_peer_report_cases_overdue",
        "Overdue cases at the peer, as it last reported.",
        |p| p.report.as_ref().map(|r| r.cases_overdue as i64),
    ),
    (
        "liandong_peer_report_disk_bytes",
        "Bytes the peer's store uses on disk, as it last reported.",
        |p| p.report.as_ref().map(|r| r.disk_bytes as i64),
    ),
    (
        "liandong_peer_report_write_refusals",
        "Writes the peer refused at its windows (disk full and the like).",
        |p| p.report.as_ref().map(|r| r.write_refusals as i64),
    ),
    (
        "liandong_peer_report_cert_expiry_timestamp_seconds",
        "When the peer's certificate expires (Unix seconds), as it last reported.",
        |p| p.report.as_ref().map(|r| r.cert_not_after_ms / 1000),
    ),
];

fn ms_to_s(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

fn gauge(
    enc: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: impl EncodeGaugeValue,
) -> fmt::Result {
    enc.encode_descriptor(name, help, None, MetricType::Gauge)?
        .encode_gauge(&value)
}

/// A gauge with one series per peer; peers without a value are left out.
fn per_peer<V: EncodeGaugeValue>(
    enc: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    peers: &[PeerStatus],
    value: impl Fn(&PeerStatus) -> Option<V>,
) -> fmt::Result {
    let mut m = enc.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for p in peers {
        if let Some(v) = value(p) {
            m.encode_family(&[("peer", p.node.as_str())])?
                .encode_gauge(&v)?;
        }
    }
    Ok(())
}

/// A counter (exported as `NAME_total`) with one series per peer.
fn peer_counter<V: EncodeCounterValue>(
    enc: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    peers: &[PeerStatus],
    value: impl Fn(&PeerStatus) -> V,
) -> fmt::Result {
    let mut m = enc.encode_descriptor(name, help, None, MetricType::Counter)?;
    for p in peers {
        m.encode_family(&[("peer", p.node.as_str())])?
            .encode_counter::<NoLabelSet, _, u64>(&value(p), None)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use liandong_sync::NodeReport;

    fn peer(node: &str, contact: Option<u64>) -> PeerStatus {
        PeerStatus {
            node: node.into(),
            connected: contact.is_some(),
            last_contact_ms: contact,
            connected_since_ms: contact,
            ops_sent: 7,
            ops_received: 3,
            lag_out_ops: 2,
            lag_in_ops: 1,
            outbox_head: 9,
            scope_digest: "0:0".into(),
            clock_skew_ms: Some(-1500),
            rejections: BTreeMap::from([("bad \"hash\"".to_string(), 4)]),
            last_error: None,
            state: "up".into(),
            lag_seconds: 5,
            report: contact.map(|_| NodeReport {
                cases_red: 2,
                ..NodeReport::default()
            }),
            reported_at_ms: contact,
        }
    }

    fn scrape() -> Scrape {
        Scrape {
            status: NodeStatus {
                node: "county/HQ".into(),
                version: "0.1.0".into(),
                now_ms: 100_000,
                ops_held: 42,
                digest: "42:00".into(),
                disk_bytes: 4096,
                cases: 21,
                cert_not_after_ms: 1_800_000_000_000,
                peers: vec![
                    peer("township/T01", Some(88_000)),
                    peer("township/T02", None),
                ],
                store_problem: None,
                rejected_total: 0,
                recent_rejections: vec![],
                held_back_ops: 0,
            },
            feed_head: 40,
            process_start_ms: 1_000,
        }
    }

    fn line<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
        text.lines().find(|l| l.starts_with(prefix))
    }

    #[test]
    fn node_and_link_numbers_appear_under_their_names() {
        let text = scrape().render().expect("renders");
        assert_eq!(
            line(&text, "liandong_ops_held "),
            Some("liandong_ops_held 42")
        );
        assert_eq!(
            line(&text, "liandong_feed_head "),
            Some("liandong_feed_head 40")
        );
        assert_eq!(
            line(&text, "liandong_peer_ops_sent_total{peer=\"township/T01\"}"),
            Some("liandong_peer_ops_sent_total{peer=\"township/T01\"} 7")
        );
        assert_eq!(
            line(&text, "liandong_peer_last_contact_age_seconds{"),
            Some("liandong_peer_last_contact_age_seconds{peer=\"township/T01\"} 12.0")
        );
        assert!(text.contains("# TYPE liandong_peer_rejections_total counter"));
        assert!(text.contains("liandong_peer_connected{peer=\"township/T02\"} 0"));
        assert!(text.contains("liandong_peer_report_cases_red{peer=\"township/T01\"} 2"));
    }

    #[test]
    fn a_peer_never_contacted_has_no_age_or_report_series() {
        let text = scrape().render().expect("renders");
        assert!(!text.contains("liandong_peer_last_contact_age_seconds{peer=\"township/T02\"}"));
        assert!(!text.contains("liandong_peer_report_cases{peer=\"township/T02\"}"));
    }

    #[test]
    fn label_values_from_the_network_are_escaped() {
        let text = scrape().render().expect("renders");
        assert!(
            text.contains(r#"reason="bad \"hash\"""#),
            "reason label not escaped: {text}"
        );
    }
}
