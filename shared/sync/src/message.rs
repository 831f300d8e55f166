//! The replication protocol's messages as domain types. `rpc` converts them
//! to and from protobuf; the session never sees wire types.
//!
//! A [`NodeReport`] comes from the peer and is shown to admins (status
//! tables, the admin page, metrics labels): whoever receives one bounds it
//! first with [`NodeReport::bounded`] (text cut to [`MAX_REPORT_TEXT`]
//! characters, control characters removed, at most [`MAX_REPORT_REASONS`]
//! rejection reasons).

use std::collections::BTreeMap;

use liandong_model::NodeId;
use liandong_model::{Cursor, Incarnation};

/// Protocol version spoken by this build. A peer with another major version
/// is refused in the hello.
pub const PROTOCOL_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Hello(Hello),
    Batch(Batch),
    Ack(Ack),
    Heartbeat(Heartbeat),
}

/// First message on each side of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hello {
    pub node: NodeId,
    pub protocol_version: u32,
    /// The sender's store identity (new after a restore or rebuild).
    pub store_id: Incarnation,
    /// The outbox the sender keeps for the receiver.
    pub outbox: Incarnation,
    pub outbox_head: u64,
    /// How far the sender durably holds the receiver's outbox for it.
    pub resume: Cursor,
    /// Operations held per origin (status only; never drives resumption).
    pub version_vector: BTreeMap<NodeId, u64>,
}

/// A run of consecutive outbox entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Per-session sequence number of the batch, from 1.
    pub batch_id: u64,
    pub incarnation: Incarnation,
    pub first_seq: u64,
    pub last_seq: u64,
    /// Encoded operations, exactly as stored at the sender.
    pub ops: Vec<Vec<u8>>,
}

/// The receiver durably holds everything up to `cursor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ack {
    pub batch_id: u64,
    pub cursor: Cursor,
}

/// Periodic liveness and lag report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    pub outbox_head: u64,
    pub sent_at_ms: u64,
    /// The sender's health; filled in by the driver, not the session.
    pub report: Option<NodeReport>,
}

/// A node's health as it reports it to its parent. Carries no personal data.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeReport {
    pub version: String,
    pub ops_held: u64,
    pub disk_bytes: u64,
    pub cert_not_after_ms: i64,
    pub cases: u64,
    pub cases_yellow: u64,
    pub cases_red: u64,
    pub cases_overdue: u64,
    pub outbox_pending: u64,
    pub rejections: BTreeMap<String, u64>,
    pub write_refusals: u64,
    /// Empty when the store is healthy.
    pub store_problem: String,
}

/// Longest text field of a received report, in characters.
pub const MAX_REPORT_TEXT: usize = 256;

/// Longest rejection reason of a received report, in characters.
pub const MAX_REPORT_REASON: usize = 64;

/// Most rejection reasons kept from a received report; the counts of the
/// rest are added under [`OTHER_REASONS`].
pub const MAX_REPORT_REASONS: usize = 32;

/// Where the counts of reasons beyond [`MAX_REPORT_REASONS`] go.
pub const OTHER_REASONS: &str = "others";

impl NodeReport {
    /// The report cut to size for showing and storing: every text field at
    /// most [`MAX_REPORT_TEXT`] characters with control characters (and
    /// bidirectional overrides) removed, at most [`MAX_REPORT_REASONS`]
    /// rejection reasons of at most [`MAX_REPORT_REASON`] characters.
    pub fn bounded(self) -> NodeReport {
        let mut rejections: BTreeMap<String, u64> = BTreeMap::new();
        for (reason, n) in self.rejections {
            let mut reason = printable(&reason, MAX_REPORT_REASON);
            // Only reasons other than OTHER_REASONS count toward the cap, so
            // a report already within bounds is kept as it is.
            let named = rejections.len() - usize::from(rejections.contains_key(OTHER_REASONS));
            if named >= MAX_REPORT_REASONS - 1 && !rejections.contains_key(&reason) {
                reason = OTHER_REASONS.to_string();
            }
            let count = rejections.entry(reason).or_insert(0);
            *count = count.saturating_add(n);
        }
        NodeReport {
            version: printable(&self.version, MAX_REPORT_TEXT),
            store_problem: printable(&self.store_problem, MAX_REPORT_TEXT),
            rejections,
            ..self
        }
    }
}

/// `text` without control characters or bidirectional overrides, cut to
/// `max` characters.
fn printable(text: &str, max: usize) -> String {
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    text.chars()
        .filter(|&c| !c.is_control() && !bidi(c))
        .take(max)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_report_is_cut_to_size_and_stripped_of_control_characters() {
        let hostile = NodeReport {
            version: format!("\u{1b}[2J\u{1b}]0;owned\u{7}{}", "v".repeat(100_000)),
            store_problem: "disk\r\nfine\u{202e}".repeat(10_000),
            rejections: (0..10_000)
                .map(|i| (format!("reason-{i:05}\n{}", "x".repeat(1000)), u64::MAX / 2))
                .collect(),
            ..NodeReport::default()
        };
        let report = hostile.bounded();
        assert!(report.version.chars().count() <= MAX_REPORT_TEXT);
        assert!(
            report.version.starts_with("[2J]0;owned"),
            "{}",
            report.version
        );
        assert!(report.store_problem.chars().count() <= MAX_REPORT_TEXT);
        assert!(report.store_problem.starts_with("diskfine"));
        assert!(report.rejections.len() <= MAX_REPORT_REASONS);
        for reason in report.rejections.keys() {
            assert!(reason.chars().count() <= MAX_REPORT_REASON);
            assert!(!reason.chars().any(char::is_control), "{reason:?}");
        }
        assert_eq!(report.rejections.get(OTHER_REASONS), Some(&u64::MAX));
    }

    #[test]
    fn a_bounded_report_with_an_others_reason_is_kept_as_it_is_when_bounded_again() {
        // Sorted, `others` comes before `p`: it must not take `p`'s place.
        let mut hostile = NodeReport::default();
        for i in 0..30 {
            hostile.rejections.insert(format!("a{i:02}"), 1);
        }
        hostile.rejections.insert("p".into(), 1);
        hostile.rejections.insert("q".into(), 1);
        let once = hostile.bounded();
        assert_eq!(once.rejections.len(), MAX_REPORT_REASONS);
        assert_eq!(once.rejections.get("p"), Some(&1));
        assert_eq!(once.clone().bounded(), once);
    }

    #[test]
    fn an_ordinary_report_is_kept_as_it_is() {
        let report = NodeReport {
            version: "0.1.0".into(),
            store_problem: "磁盘空间不足 disk nearly full".into(),
            rejections: [("malformed".to_string(), 2), ("clock-skew".to_string(), 1)].into(),
            ops_held: 9,
            ..NodeReport::default()
        };
        assert_eq!(report.clone().bounded(), report);
    }
}
