//! Scope digests: an order-independent summary of a set of operations, so
//! two nodes can prove they hold the same operations of a scope without
//! shipping them. Each operation contributes blake3(op key, op hash), added
//! lane-wise (4 × u64, wrapping); adding is commutative and associative, and
//! the store adds each operation once (dedup by op id), so the digest is a
//! function of the set alone.
//!
//! Not yet: per-entity Merkle levels to find *which* entities differ.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Digest {
    lanes: [u64; 4],
    count: u64,
}

impl Digest {
    pub fn add(&mut self, op_key: &[u8], op_hash: &[u8; 32]) {
        let mut h = blake3::Hasher::new();
        h.update(op_key);
        h.update(op_hash);
        let bytes = h.finalize();
        for (i, lane) in self.lanes.iter_mut().enumerate() {
            let mut chunk = [0u8; 8];
            chunk.copy_from_slice(&bytes.as_bytes()[i * 8..i * 8 + 8]);
            *lane = lane.wrapping_add(u64::from_le_bytes(chunk));
        }
        self.count += 1;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Short printable form for reports: count plus 16 hex digits.
    pub fn short(&self) -> String {
        format!(
            "{}:{:016x}",
            self.count,
            self.lanes[0]
                ^ self.lanes[1].rotate_left(17)
                ^ self.lanes[2].rotate_left(31)
                ^ self.lanes[3]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_is_independent_of_insertion_order() {
        let items: Vec<(Vec<u8>, [u8; 32])> = (0u8..20)
            .map(|i| (vec![i], [i.wrapping_mul(7); 32]))
            .collect();
        let mut a = Digest::default();
        let mut b = Digest::default();
        for (k, h) in &items {
            a.add(k, h);
        }
        for (k, h) in items.iter().rev() {
            b.add(k, h);
        }
        assert_eq!(a, b);
        let mut c = Digest::default();
        for (k, h) in items.iter().skip(1) {
            c.add(k, h);
        }
        assert_ne!(a, c);
    }
}
