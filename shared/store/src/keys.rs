//! Key layout of the one sled tree. Every key starts with a one-letter
//! prefix. Every string in a key is length-prefixed (`s(..)` below): its
//! length as a big-endian u16, then its bytes. Numbers are big-endian u64 so
//! that range scans follow sequence order.
//!
//! | prefix | key                              | value                          |
//! |--------|----------------------------------|--------------------------------|
//! | `m`    | 0x00 meta name                   | format, store id, seqs, clock  |
//! | `o`    | s(origin) seq                    | [`super::StoredOp`]            |
//! | `f`    | feed seq                         | op key                         |
//! | `x`    | s(peer) outbox seq               | op key                         |
//! | `i`    | s(kind) s(id) op key             | (empty): entity → its ops      |
//! | `v`    | s(kind) s(id)                    | materialised view              |
//! | `s`    | s(kind) s(id)                    | the entity's scope members     |
//! | `c`    | s(peer)                          | cursor into that peer's outbox |
//! | `p`    | s(peer)                          | [`super::PeerRecord`]          |
//! | `d`    | s(scope name)                    | [`super::Digest`]              |
//! | `n`    | s(origin)                        | count of ops held from origin  |
//! | `g`    | global feed seq                  | feed entry of an operation in every node's scope |
//! | `r`    | rejection slot (seq mod 10,000)  | [`super::RejectionRecord`]     |
//! | `e`    | s(member) s(entity key)          | (empty): member → its cases    |
//! | `h`    | due ms, op key                   | an operation held back for its stamp ([`super::HeldOp`]) |
//! | `t`    | s(case id)                       | feed seq: case touched since the supervision pass looked |
//! | `w`    | s(case id)                       | [`super::CheckRow`]: what the last pass found on a case |
//!
//! Node ids are written as text (`township/T01`). An entity key
//! (`kind/id`, [`liandong_model::EntityId::key`]) is split at its first
//! `/` into two strings, so entities can be scanned by kind
//! ([`view_prefix`], [`entity_index_kind_prefix`]); a key without `/` is a
//! kind with an empty id.
//!
//! Invariants:
//! - Distinct components give distinct keys, and the prefix of one peer,
//!   origin or entity never covers another's keys (`T1` and `T10`,
//!   `matter/M1` and `matter/M1x`): a length-prefixed string is never the
//!   start of a different one.
//! - Every function here is total. Key strings are bounded far below
//!   64 KiB (node names 32 bytes, case numbers 96, other entity ids 64,
//!   checked when an operation is decoded), but a longer string is still
//!   written unambiguously: the length 0xFFFF is an escape followed by the
//!   real length as a big-endian u64. The parsers return `None` on a key
//!   they cannot read, never panic.
//! - Meta names are fixed constants, not components: `m` 0x00 `format` is
//!   where every store format keeps its format row, so an older store is
//!   recognised (and refused) at open.
//!

use liandong_model::{NodeId, OpId};

pub const META_FORMAT: &[u8] = b"m\0format";
pub const META_STORE_ID: &[u8] = b"m\0store_id";
pub const META_LOCAL_SEQ: &[u8] = b"m\0local_seq";
pub const META_FEED_HEAD: &[u8] = b"m\0feed_head";
pub const META_HLC: &[u8] = b"m\0hlc";
pub const META_CASES: &[u8] = b"m\0cases";
/// Moves once per batch that changes what the fold reads besides events.
pub const META_REGISTRY_EPOCH: &[u8] = b"m\0registry_epoch";
/// The registry epoch the supervision pass last checked every case at.
pub const META_CHECKED_EPOCH: &[u8] = b"m\0checked_epoch";
pub const TOUCHED_PREFIX: &[u8] = b"t";
pub const CHECK_PREFIX: &[u8] = b"w";

/// The touched mark of a case (`t`).
pub fn touched(case_id: &str) -> Vec<u8> {
    with_str(b't', case_id)
}

/// The supervision pass's row of a case (`w`).
pub fn check(case_id: &str) -> Vec<u8> {
    with_str(b'w', case_id)
}

/// The length that announces a u64 length after it.
const LONG: u16 = u16::MAX;

/// Appends a string: its length (u16, or [`LONG`] and a u64), its bytes.
fn put_str(k: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    match u16::try_from(bytes.len()) {
        Ok(len) if len < LONG => k.extend_from_slice(&len.to_be_bytes()),
        _ => {
            k.extend_from_slice(&LONG.to_be_bytes());
            k.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        }
    }
    k.extend_from_slice(bytes);
}

fn with_str(prefix: u8, s: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(s.len() + 11);
    k.push(prefix);
    put_str(&mut k, s);
    k
}

/// A prefix and an entity key as two strings, kind and id.
fn with_entity(prefix: u8, entity_key: &str) -> Vec<u8> {
    let (kind, id) = entity_key.split_once('/').unwrap_or((entity_key, ""));
    let mut k = with_str(prefix, kind);
    put_str(&mut k, id);
    k
}

fn with_seq(prefix: u8, seq: u64) -> Vec<u8> {
    let mut k = vec![prefix];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub fn op(id: &OpId) -> Vec<u8> {
    let mut k = with_str(b'o', &id.origin.to_string());
    k.extend_from_slice(&id.seq.to_be_bytes());
    k
}

pub fn feed(seq: u64) -> Vec<u8> {
    with_seq(b'f', seq)
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
    with_entity(b'i', entity_key)
}

/// The entity index entries of every entity of one kind (`case`).
pub fn entity_index_kind_prefix(kind: &str) -> Vec<u8> {
    with_str(b'i', kind)
}

pub fn entity_index(entity_key: &str, op_key: &[u8]) -> Vec<u8> {
    let mut k = entity_index_prefix(entity_key);
    k.extend_from_slice(op_key);
    k
}

/// The op key at the end of an entity index entry.
pub fn entity_index_op_key(key: &[u8]) -> Option<&[u8]> {
    let mut parts = Components::after_prefix(key)?;
    parts.bytes()?;
    parts.bytes()?;
    Some(parts.rest)
}

pub fn view(entity_key: &str) -> Vec<u8> {
    with_entity(b'v', entity_key)
}

/// The views of every entity of one kind (`matter`, `staff`).
pub fn view_prefix(kind: &str) -> Vec<u8> {
    with_str(b'v', kind)
}

/// The id of the entity a view key is of (`M001` for `matter/M001`).
pub fn view_id(key: &[u8]) -> Option<&str> {
    let mut parts = Components::after_prefix(key)?;
    parts.bytes()?;
    parts.str()
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

/// The nodes in a case's scope (its centre and every node its routing
/// events named).
pub fn scope(entity_key: &str) -> Vec<u8> {
    with_entity(b's', entity_key)
}

/// Reverse scope index: `member` is in the scope of `entity_key`.
pub fn member_prefix(member: &NodeId) -> Vec<u8> {
    with_str(b'e', &member.to_string())
}

pub fn member(member: &NodeId, entity_key: &str) -> Vec<u8> {
    let mut k = member_prefix(member);
    put_str(&mut k, entity_key);
    k
}

/// The entity key of a member index key.
pub fn member_entity<'a>(member: &NodeId, key: &'a [u8]) -> Option<&'a str> {
    let rest = key.get(member_prefix(member).len()..)?;
    let len = u16::from_be_bytes(rest.get(..2)?.try_into().ok()?) as usize;
    let body = rest.get(2..)?;
    (body.len() == len).then(|| std::str::from_utf8(body).ok())?
}

/// Feed entries of the operations in every node's scope (catalogue,
/// calendar, roster, ...), by feed sequence.
pub fn global_feed(seq: u64) -> Vec<u8> {
    with_seq(b'g', seq)
}

pub const GLOBAL_FEED_PREFIX: &[u8] = b"g";

/// A refused operation's record, in a ring of [`REJECTIONS_KEPT`] slots.
pub fn rejection(seq: u64) -> Vec<u8> {
    with_seq(b'r', seq % REJECTIONS_KEPT)
}

/// How many rejection records are kept (the oldest are overwritten).
pub const REJECTIONS_KEPT: u64 = 10_000;

/// An operation held back until `due_ms` (its stamp minus the skew
/// bound), by due time then operation.
pub fn held(due_ms: u64, op_key: &[u8]) -> Vec<u8> {
    let mut k = with_seq(b'h', due_ms);
    k.extend_from_slice(op_key);
    k
}

pub const HELD_PREFIX: &[u8] = b"h";

/// The due time of a [`held`] key.
pub fn held_due(key: &[u8]) -> Option<u64> {
    let due: [u8; 8] = key.get(1..9)?.try_into().ok()?;
    Some(u64::from_be_bytes(due))
}

/// The trailing big-endian u64 of a sequence key.
pub fn trailing_seq(key: &[u8]) -> Option<u64> {
    let tail: [u8; 8] = key.get(key.len().checked_sub(8)?..)?.try_into().ok()?;
    Some(u64::from_be_bytes(tail))
}

/// The first string after the one-byte prefix (the peer of a cursor or
/// outbox key, the origin of an operation or origin-count key).
pub fn leading_str(key: &[u8]) -> Option<&str> {
    Components::after_prefix(key)?.str()
}

/// An op key for messages: `township/T01#5`, or its bytes escaped when it
/// is not one.
pub fn op_name(op_key: &[u8]) -> String {
    let mut parts = Components::after_prefix(op_key);
    let origin = parts.as_mut().and_then(|p| p.str());
    let seq = parts.and_then(|p| <[u8; 8]>::try_from(p.rest).ok());
    match (op_key.first(), origin, seq) {
        (Some(b'o'), Some(origin), Some(seq)) => {
            format!("{origin}#{}", u64::from_be_bytes(seq))
        }
        _ => format!("key {:?}", String::from_utf8_lossy(op_key)),
    }
}

/// Reads a key's length-prefixed strings front to back.
struct Components<'a> {
    rest: &'a [u8],
}

impl<'a> Components<'a> {
    fn after_prefix(key: &'a [u8]) -> Option<Self> {
        Some(Components {
            rest: key.get(1..)?,
        })
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = self.rest.split_first_chunk::<2>()?;
        let (len, rest) = match u16::from_be_bytes(*len) {
            LONG => {
                let (len, rest) = rest.split_first_chunk::<8>()?;
                (usize::try_from(u64::from_be_bytes(*len)).ok()?, rest)
            }
            len => (usize::from(len), rest),
        };
        let (s, rest) = rest.split_at_checked(len)?;
        self.rest = rest;
        Some(s)
    }

    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}

#[cfg(test)]
mod tests;
