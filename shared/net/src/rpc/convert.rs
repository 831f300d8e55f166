//! Wire ↔ domain conversions, all in one place. Every required field that is
//! missing, every id of the wrong length and every unknown frame kind is a
//! typed [`ConvertError`] naming the field; nothing here panics on input.
//!
//! A peer's health report is bounded on the way in ([`NodeReport::bounded`]:
//! text cut to size, control characters removed, a bounded number of
//! rejection reasons), so nothing downstream stores or prints it raw.

use std::collections::BTreeMap;

use super::pb;
use liandong_model::{NodeId, NodeIdError};
use liandong_store::{Cursor, Incarnation};
use liandong_sync::{Ack, Batch, Heartbeat, Hello, Message, NodeReport};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvertError {
    #[error("frame has no kind (empty or from a newer protocol)")]
    UnknownKind,
    #[error("missing field `{0}`")]
    Missing(&'static str),
    #[error("field `{field}` must be 16 bytes, got {len}")]
    BadIncarnation { field: &'static str, len: usize },
    #[error("field `{field}`: {source}")]
    BadNode {
        field: &'static str,
        source: NodeIdError,
    },
}

fn incarnation(field: &'static str, bytes: &[u8]) -> Result<Incarnation, ConvertError> {
    bytes.try_into().map_err(|_| ConvertError::BadIncarnation {
        field,
        len: bytes.len(),
    })
}

fn node(field: &'static str, s: &str) -> Result<NodeId, ConvertError> {
    s.parse()
        .map_err(|source| ConvertError::BadNode { field, source })
}

fn cursor(field: &'static str, c: Option<pb::Cursor>) -> Result<Cursor, ConvertError> {
    let c = c.ok_or(ConvertError::Missing(field))?;
    Ok(Cursor {
        incarnation: incarnation(field, &c.incarnation)?,
        seq: c.seq,
    })
}

impl From<Cursor> for pb::Cursor {
    fn from(c: Cursor) -> Self {
        pb::Cursor {
            incarnation: c.incarnation.to_vec(),
            seq: c.seq,
        }
    }
}

impl TryFrom<pb::SyncFrame> for Message {
    type Error = ConvertError;

    fn try_from(frame: pb::SyncFrame) -> Result<Self, Self::Error> {
        use pb::sync_frame::Kind;
        match frame.kind.ok_or(ConvertError::UnknownKind)? {
            Kind::Hello(h) => Ok(Message::Hello(h.try_into()?)),
            Kind::Batch(b) => Ok(Message::Batch(Batch {
                batch_id: b.batch_id,
                incarnation: incarnation("batch.incarnation", &b.incarnation)?,
                first_seq: b.first_seq,
                last_seq: b.last_seq,
                ops: b.ops,
            })),
            Kind::Ack(a) => Ok(Message::Ack(Ack {
                batch_id: a.batch_id,
                cursor: cursor("ack.cursor", a.cursor)?,
            })),
            Kind::Heartbeat(h) => Ok(Message::Heartbeat(Heartbeat {
                outbox_head: h.outbox_head,
                sent_at_ms: h.sent_at_ms,
                report: h.report.map(NodeReport::from),
            })),
        }
    }
}

impl TryFrom<pb::Hello> for Hello {
    type Error = ConvertError;

    fn try_from(h: pb::Hello) -> Result<Self, Self::Error> {
        let pb::Hello {
            node: sender,
            protocol_version,
            store_id,
            outbox_incarnation,
            outbox_head,
            resume,
            version_vector,
        } = h;
        let mut vv = BTreeMap::new();
        for entry in version_vector {
            vv.insert(
                node("hello.version_vector.origin", &entry.origin)?,
                entry.count,
            );
        }
        Ok(Hello {
            node: node("hello.node", &sender)?,
            protocol_version,
            store_id: incarnation("hello.store_id", &store_id)?,
            outbox: incarnation("hello.outbox_incarnation", &outbox_incarnation)?,
            outbox_head,
            resume: cursor("hello.resume", resume)?,
            version_vector: vv,
        })
    }
}

impl From<Message> for pb::SyncFrame {
    fn from(msg: Message) -> Self {
        use pb::sync_frame::Kind;
        let kind = match msg {
            Message::Hello(h) => Kind::Hello(pb::Hello {
                node: h.node.to_string(),
                protocol_version: h.protocol_version,
                store_id: h.store_id.to_vec(),
                outbox_incarnation: h.outbox.to_vec(),
                outbox_head: h.outbox_head,
                resume: Some(h.resume.into()),
                version_vector: h
                    .version_vector
                    .into_iter()
                    .map(|(origin, count)| pb::OriginCount {
                        origin: origin.to_string(),
                        count,
                    })
                    .collect(),
            }),
            Message::Batch(b) => Kind::Batch(pb::Batch {
                batch_id: b.batch_id,
                incarnation: b.incarnation.to_vec(),
                first_seq: b.first_seq,
                last_seq: b.last_seq,
                ops: b.ops,
            }),
            Message::Ack(a) => Kind::Ack(pb::Ack {
                batch_id: a.batch_id,
                cursor: Some(a.cursor.into()),
            }),
            Message::Heartbeat(h) => Kind::Heartbeat(pb::Heartbeat {
                outbox_head: h.outbox_head,
                sent_at_ms: h.sent_at_ms,
                report: h.report.map(pb::NodeReport::from),
            }),
        };
        pb::SyncFrame { kind: Some(kind) }
    }
}

impl From<pb::NodeReport> for NodeReport {
    fn from(r: pb::NodeReport) -> Self {
        let pb::NodeReport {
            version,
            ops_held,
            disk_bytes,
            cert_not_after_ms,
            cases,
            cases_yellow,
            cases_red,
            cases_overdue,
            outbox_pending,
            rejections,
            write_refusals,
            store_problem,
        } = r;
        NodeReport {
            version,
            ops_held,
            disk_bytes,
            cert_not_after_ms,
            cases,
            cases_yellow,
            cases_red,
            cases_overdue,
            outbox_pending,
            rejections: rejections.into_iter().collect(),
            write_refusals,
            store_problem,
        }
        .bounded()
    }
}

impl From<NodeReport> for pb::NodeReport {
    fn from(r: NodeReport) -> Self {
        pb::NodeReport {
            version: r.version,
            ops_held: r.ops_held,
            disk_bytes: r.disk_bytes,
            cert_not_after_ms: r.cert_not_after_ms,
            cases: r.cases,
            cases_yellow: r.cases_yellow,
            cases_red: r.cases_red,
            cases_overdue: r.cases_overdue,
            outbox_pending: r.outbox_pending,
            rejections: r.rejections.into_iter().collect(),
            write_refusals: r.write_refusals,
            store_problem: r.store_problem,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> Hello {
        Hello {
            node: NodeId::township("T01").unwrap(),
            protocol_version: 1,
            store_id: [1; 16],
            outbox: [2; 16],
            outbox_head: 5,
            resume: Cursor {
                incarnation: [3; 16],
                seq: 4,
            },
            version_vector: [(NodeId::township("T01").unwrap(), 9)].into(),
        }
    }

    #[test]
    fn every_message_round_trips_through_the_wire_form() {
        let msgs = vec![
            Message::Hello(hello()),
            Message::Batch(Batch {
                batch_id: 1,
                incarnation: [2; 16],
                first_seq: 1,
                last_seq: 2,
                ops: vec![vec![1], vec![2]],
            }),
            Message::Ack(Ack {
                batch_id: 1,
                cursor: Cursor::default(),
            }),
            Message::Heartbeat(Heartbeat {
                outbox_head: 3,
                sent_at_ms: 4,
                report: Some(NodeReport {
                    version: "0.1.0".into(),
                    ops_held: 5,
                    rejections: [("malformed".to_string(), 2)].into(),
                    ..NodeReport::default()
                }),
            }),
        ];
        for m in msgs {
            let frame: pb::SyncFrame = m.clone().into();
            assert_eq!(Message::try_from(frame).unwrap(), m);
        }
    }

    #[test]
    fn a_hostile_report_in_a_heartbeat_arrives_bounded_and_printable() {
        use liandong_sync::message::{MAX_REPORT_REASON, MAX_REPORT_REASONS, MAX_REPORT_TEXT};
        let frame = pb::SyncFrame {
            kind: Some(pb::sync_frame::Kind::Heartbeat(pb::Heartbeat {
                outbox_head: 1,
                sent_at_ms: u64::MAX,
                report: Some(pb::NodeReport {
                    version: format!("\u{1b}[31m{}", "9".repeat(1 << 20)),
                    store_problem: "\u{1b}]8;;http://evil\u{7}click\r\n".repeat(1000),
                    rejections: (0..5_000)
                        .map(|i| (format!("\u{1b}[2K{i}{}", "r".repeat(500)), 1))
                        .collect(),
                    ..pb::NodeReport::default()
                }),
            })),
        };
        let Ok(Message::Heartbeat(h)) = Message::try_from(frame) else {
            panic!("a heartbeat converts");
        };
        let report = h.report.expect("report kept");
        let texts = [&report.version, &report.store_problem];
        for text in texts {
            assert!(
                text.chars().count() <= MAX_REPORT_TEXT,
                "{} chars",
                text.len()
            );
            assert!(!text.chars().any(char::is_control), "{text:?}");
        }
        assert!(report.rejections.len() <= MAX_REPORT_REASONS);
        assert!(report
            .rejections
            .keys()
            .all(|r| r.chars().count() <= MAX_REPORT_REASON && !r.chars().any(char::is_control)));
        assert_eq!(report.rejections.values().sum::<u64>(), 5_000);
    }

    #[test]
    fn an_empty_frame_is_an_unknown_kind() {
        assert_eq!(
            Message::try_from(pb::SyncFrame { kind: None }),
            Err(ConvertError::UnknownKind)
        );
    }

    #[test]
    fn a_short_incarnation_and_a_bad_node_name_the_field() {
        let mut h: pb::Hello = match pb::SyncFrame::from(Message::Hello(hello())).kind {
            Some(pb::sync_frame::Kind::Hello(h)) => h,
            _ => unreachable!(),
        };
        h.store_id = vec![1, 2];
        assert_eq!(
            Hello::try_from(h.clone()),
            Err(ConvertError::BadIncarnation {
                field: "hello.store_id",
                len: 2
            })
        );
        h.store_id = vec![1; 16];
        h.node = "mayor/X".into();
        assert!(matches!(
            Hello::try_from(h),
            Err(ConvertError::BadNode {
                field: "hello.node",
                ..
            })
        ));
    }
}
