#![no_main]
//! Every wire message type of `liandong.v1` decoded from arbitrary bytes
//! with prost, then converted to the domain (`liandong_net::rpc::convert`).
//!
//! The first byte picks the message type; the rest is its encoding. A
//! message below a frame (hello, batch, ack, heartbeat, node report,
//! cursor, origin count) is converted inside the frame a peer would send
//! it in. Properties: nothing panics; a frame that converts goes back to
//! the wire and converts again to the same message (the report's bound
//! applied once is not applied differently the second time); a heartbeat's
//! report is within its bounds; a batch's operations are screened as the
//! driver does (`EncodedOp::decode`).

use liandong_model::EncodedOp;
use liandong_net::rpc::pb;
use liandong_sync::message::{MAX_REPORT_REASON, MAX_REPORT_REASONS, MAX_REPORT_TEXT};
use liandong_sync::Message;
use libfuzzer_sys::fuzz_target;
use prost::Message as _;

use pb::sync_frame::Kind;

fn frame(kind: Kind) -> pb::SyncFrame {
    pb::SyncFrame { kind: Some(kind) }
}

/// Decodes `bytes` as `M` and wraps it in the frame it travels in.
fn decoded<M: prost::Message + Default>(
    bytes: &[u8],
    wrap: impl Fn(M) -> pb::SyncFrame,
) -> Option<pb::SyncFrame> {
    M::decode(bytes).ok().map(wrap)
}

fn printable_within(text: &str, max: usize) {
    assert!(
        text.chars().count() <= max,
        "{} chars over {max}",
        text.chars().count()
    );
    assert!(
        !text.chars().any(char::is_control),
        "control character in {text:?}"
    );
}

fn check(frame: pb::SyncFrame) {
    let Ok(msg) = Message::try_from(frame) else {
        return;
    };
    match &msg {
        Message::Heartbeat(h) => {
            if let Some(report) = &h.report {
                printable_within(&report.version, MAX_REPORT_TEXT);
                printable_within(&report.store_problem, MAX_REPORT_TEXT);
                assert!(report.rejections.len() <= MAX_REPORT_REASONS);
                for reason in report.rejections.keys() {
                    printable_within(reason, MAX_REPORT_REASON);
                }
            }
        }
        Message::Batch(b) => {
            for op in &b.ops {
                if let Ok(op) = EncodedOp::decode(op.clone()) {
                    assert!(
                        op.entity().validate().is_ok(),
                        "a decoded op's entity is valid"
                    );
                }
            }
        }
        Message::Hello(_) | Message::Ack(_) => {}
    }
    let again = pb::SyncFrame::from(msg.clone()).encode_to_vec();
    let frame = pb::SyncFrame::decode(again.as_slice()).expect("an encoded frame decodes");
    let back = Message::try_from(frame).expect("a converted message converts back");
    assert_eq!(back, msg, "the wire round trip changed the message");
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, bytes)) = data.split_first() else {
        return;
    };
    let frame = match which % 10 {
        0 => decoded::<pb::SyncFrame>(bytes, |f| f),
        1 => decoded(bytes, |h: pb::Hello| frame(Kind::Hello(h))),
        2 => decoded(bytes, |b: pb::Batch| frame(Kind::Batch(b))),
        3 => decoded(bytes, |a: pb::Ack| frame(Kind::Ack(a))),
        4 => decoded(bytes, |h: pb::Heartbeat| frame(Kind::Heartbeat(h))),
        5 => decoded(bytes, |r: pb::NodeReport| {
            frame(Kind::Heartbeat(pb::Heartbeat {
                outbox_head: 0,
                sent_at_ms: 0,
                report: Some(r),
            }))
        }),
        6 => decoded(bytes, |c: pb::Cursor| {
            frame(Kind::Ack(pb::Ack {
                batch_id: 1,
                cursor: Some(c),
            }))
        }),
        7 => decoded(bytes, |o: pb::OriginCount| {
            frame(Kind::Hello(pb::Hello {
                node: "township/T01".into(),
                protocol_version: 1,
                store_id: vec![1; 16],
                outbox_incarnation: vec![2; 16],
                outbox_head: 0,
                resume: Some(pb::Cursor {
                    incarnation: vec![3; 16],
                    seq: 0,
                }),
                version_vector: vec![o],
            }))
        }),
        // The status call has no domain form: decoding must not panic.
        8 => {
            let _ = pb::StatusRequest::decode(bytes);
            None
        }
        _ => {
            if let Ok(reply) = pb::StatusReply::decode(bytes) {
                let again = pb::StatusReply::decode(reply.encode_to_vec().as_slice());
                assert_eq!(again.ok(), Some(reply), "a status reply round-trips");
            }
            None
        }
    };
    if let Some(frame) = frame {
        check(frame);
    }
});
