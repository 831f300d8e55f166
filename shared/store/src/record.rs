//! The stored form of one operation: its bytes as received, with their
//! hash, feed position and source, laid out by hand (see [`StoredOp`]).
//! Invariant: [`StoredOp::from_bytes`] never panics on any input; a record
//! that does not parse is corruption.

use super::{StoreError, OP_RECORD_V2};
use liandong_model::NodeId;

/// One stored operation.
///
/// Stored as: format byte, the 32-byte hash, the feed sequence (u64 LE),
/// the source node's id (u8 length, 0 when written here, then UTF-8), then
/// the operation's bytes as they are. Hand-laid so the write and read paths
/// copy the bytes once instead of encoding them element by element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOp {
    pub hash: [u8; 32],
    pub feed_seq: u64,
    /// The peer it came from; `None` when written here.
    pub source: Option<NodeId>,
    pub bytes: Vec<u8>,
}

impl StoredOp {
    pub fn to_bytes(&self) -> Vec<u8> {
        let source = self
            .source
            .as_ref()
            .map(|n| n.to_string())
            .unwrap_or_default();
        let source = &source.as_bytes()[..source.len().min(255)];
        let mut out = Vec::with_capacity(1 + 32 + 8 + 1 + source.len() + self.bytes.len());
        out.push(OP_RECORD_V2);
        out.extend_from_slice(&self.hash);
        out.extend_from_slice(&self.feed_seq.to_le_bytes());
        out.push(source.len() as u8);
        out.extend_from_slice(source);
        out.extend_from_slice(&self.bytes);
        out
    }

    pub fn from_bytes(raw: &[u8]) -> Result<StoredOp, StoreError> {
        let bad = |detail: &str| StoreError::corrupt("operation record", detail);
        let (&format, rest) = raw.split_first().ok_or_else(|| bad("empty"))?;
        if format != OP_RECORD_V2 {
            return Err(bad("unknown record format"));
        }
        let hash: [u8; 32] = rest
            .get(..32)
            .and_then(|h| h.try_into().ok())
            .ok_or_else(|| bad("short hash"))?;
        let seq: [u8; 8] = rest
            .get(32..40)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| bad("short sequence"))?;
        let len = *rest.get(40).ok_or_else(|| bad("no source"))? as usize;
        let source = rest.get(41..41 + len).ok_or_else(|| bad("short source"))?;
        let source = if len == 0 {
            None
        } else {
            let text = std::str::from_utf8(source).map_err(|_| bad("source not UTF-8"))?;
            Some(text.parse().map_err(|_| bad("source not a node id"))?)
        };
        Ok(StoredOp {
            hash,
            feed_seq: u64::from_le_bytes(seq),
            source,
            bytes: rest[41 + len..].to_vec(),
        })
    }
}
