//! Key layout of the one sled tree. Every key starts with a one-letter
//! prefix; strings are terminated by 0x00 and numbers are big-endian so that
//! range scans follow sequence order.
//!
//! | prefix | key                         | value                          |
//! |--------|-----------------------------|--------------------------------|
//! | `m`    | meta name                   | format, store id, seqs, clock  |
//! | `o`    | origin 0 seq                | [`super::StoredOp`]            |
//! | `f`    | feed seq                    | op key                         |
//! | `x`    | peer 0 outbox seq           | op key                         |
//! | `i`    | entity 0 op key             | (empty): entity → its ops      |
//! | `v`    | entity                      | materialised view              |
//! | `c`    | peer                        | cursor into that peer's outbox |
//! | `p`    | peer                        | [`super::PeerRecord`]          |
//! | `d`    | scope name                  | [`super::Digest`]              |
//! | `n`    | origin                      | count of ops held from origin  |
//! | `s`    | entity                      | the case's scope members       |
//! | `e`    | member 0 entity             | (empty): member → its cases    |
//! | `g`    | feed seq                    | op key (everyone's scope)      |
//! | `r`    | slot (seq mod 10,000)       | [`super::RejectionRecord`]     |

use liandong_model::{NodeId, OpId};

pub const META_FORMAT: &[u8] = b"m\0format";
pub const META_STORE_ID: &[u8] = b"m\0store_id";
pub const META_LOCAL_SEQ: &[u8] = b"m\0local_seq";
pub const META_FEED_HEAD: &[u8] = b"m\0feed_head";
pub const META_HLC: &[u8] = b"m\0hlc";
pub const META_CASES: &[u8] = b"m\0cases";

fn with_str(prefix: u8, s: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(s.len() + 10);
    k.push(prefix);
    k.extend_from_slice(s.as_bytes());
    k.push(0);
    k
}

pub fn op(id: &OpId) -> Vec<u8> {
    let mut k = with_str(b'o', &id.origin.to_string());
    k.extend_from_slice(&id.seq.to_be_bytes());
    k
}

pub fn feed(seq: u64) -> Vec<u8> {
    let mut k = vec![b'f'];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub fn outbox_prefix(peer: &NodeId) -> Vec<u8> {
    with_str(b'x', &peer.to_string())
}

pub fn outbox(peer: &NodeId, seq: u64) -> Vec<u8> {
    let mut k = outbox_prefix(peer);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub fn entity_index_prefix(entity_key: &str) -> Vec<u8> {
    with_str(b'i', entity_key)
}

pub fn entity_index(entity_key: &str, op_key: &[u8]) -> Vec<u8> {
    let mut k = entity_index_prefix(entity_key);
    k.extend_from_slice(op_key);
    k
}

pub fn view(entity_key: &str) -> Vec<u8> {
    let mut k = vec![b'v'];
    k.extend_from_slice(entity_key.as_bytes());
    k
}

pub fn view_prefix(kind: &str) -> Vec<u8> {
    let mut k = vec![b'v'];
    k.extend_from_slice(kind.as_bytes());
    k.push(b'/');
    k
}

pub fn cursor(peer: &NodeId) -> Vec<u8> {
    with_str(b'c', &peer.to_string())
}

pub const CURSOR_PREFIX: &[u8] = b"c";

pub fn peer(peer: &NodeId) -> Vec<u8> {
    with_str(b'p', &peer.to_string())
}

pub const PEER_PREFIX: &[u8] = b"p";

pub fn digest(scope: &str) -> Vec<u8> {
    with_str(b'd', scope)
}

pub fn origin_count(origin: &NodeId) -> Vec<u8> {
    with_str(b'n', &origin.to_string())
}

pub const ORIGIN_COUNT_PREFIX: &[u8] = b"n";

pub const META_REJECTIONS: &[u8] = b"m\0rejections";

/// The members of a case's scope (its centre and every node its routing
/// events named).
pub fn scope(entity_key: &str) -> Vec<u8> {
    with_str(b's', entity_key)
}

/// Reverse scope index: `member` is in the scope of `entity_key`.
pub fn member_prefix(member: &NodeId) -> Vec<u8> {
    with_str(b'e', &member.to_string())
}

pub fn member(member: &NodeId, entity_key: &str) -> Vec<u8> {
    let mut k = member_prefix(member);
    k.extend_from_slice(entity_key.as_bytes());
    k
}

/// The entity key after a member prefix.
pub fn member_entity<'a>(member: &NodeId, key: &'a [u8]) -> Option<&'a str> {
    let rest = key.get(member_prefix(member).len()..)?;
    std::str::from_utf8(rest).ok()
}

/// Feed entries of operations in every node's scope (catalogue, calendar,
/// roster, ...), by feed sequence.
pub fn global_feed(seq: u64) -> Vec<u8> {
    let mut k = vec![b'g'];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub const GLOBAL_FEED_PREFIX: &[u8] = b"g";

/// A refused operation's record, in a ring of [`REJECTIONS_KEPT`] slots.
pub fn rejection(seq: u64) -> Vec<u8> {
    let mut k = vec![b'r'];
    k.extend_from_slice(&(seq % REJECTIONS_KEPT).to_be_bytes());
    k
}

/// How many rejection records are kept (the oldest are overwritten).
pub const REJECTIONS_KEPT: u64 = 10_000;

/// The trailing big-endian u64 of a sequence key.
pub fn trailing_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// The string between a one-byte prefix and its 0x00 terminator.
pub fn leading_str(key: &[u8]) -> Option<&str> {
    let body = key.get(1..)?;
    let end = body.iter().position(|&b| b == 0)?;
    std::str::from_utf8(&body[..end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_keys_sort_by_sequence() {
        let p = NodeId::township("T01").unwrap();
        assert!(outbox(&p, 2) < outbox(&p, 256));
        assert_eq!(trailing_seq(&outbox(&p, 300)), Some(300));
        assert_eq!(leading_str(&outbox(&p, 1)), Some("township/T01"));
    }

    #[test]
    fn one_peer_prefix_does_not_cover_another() {
        let a = NodeId::township("T1").unwrap();
        let b = NodeId::township("T10").unwrap();
        assert!(!outbox(&b, 1).starts_with(&outbox_prefix(&a)));
    }
}
