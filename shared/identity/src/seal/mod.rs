//! The chief representative's electronic seal (行政审批专用章): his own signing
//! key, the public half in the public roster, the private half kept only
//! encrypted under his password ([`LockedSealKey`]), and the short code
//! printed on a decision ([`verification_code`]).
//!
//! Decisions:
//! - Algorithms sit behind [`SealProvider`], looked up by name with
//!   [`provider`], so an SM2 provider can be added where 密评 requires it
//!   without changing callers. Today only [`Ed25519`].
//! - [`SealSecret`] is wiped from memory on drop and never printed.
//! - [`SealPublicKey::key_id`] is 16 hex characters of
//!   blake3(algorithm ‖ key bytes), short enough for a roster column.
//! - The verification code is 8 Crockford base32 characters of
//!   blake3(signature), printed `XXXX-XXXX` (40 bits: a check a person can
//!   read out, not a replacement for verifying the signature).

mod ed25519;
mod locked;

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::IdentityError;

pub use ed25519::Ed25519;
pub use locked::LockedSealKey;

/// A signature algorithm for the seal.
pub trait SealProvider: Send + Sync {
    /// The algorithm's name as written in [`SealPublicKey::algorithm`].
    fn algorithm(&self) -> &'static str;
    /// A new key pair.
    fn generate(&self) -> (SealSecret, SealPublicKey);
    /// Signs `message`; refuses a secret that is not a key of this algorithm.
    fn sign(&self, secret: &SealSecret, message: &[u8]) -> Result<Vec<u8>, IdentityError>;
    /// Whether `signature` is this algorithm's valid signature of `message`
    /// under `public`; false for a key of another algorithm.
    fn verify(&self, public: &SealPublicKey, message: &[u8], signature: &[u8]) -> bool;
}

static ED25519: Ed25519 = Ed25519;

/// The provider for `algorithm`, if this build has one ("ed25519").
pub fn provider(algorithm: &str) -> Option<&'static dyn SealProvider> {
    match algorithm {
        "ed25519" => Some(&ED25519),
        _ => None,
    }
}

/// A seal's public key, as published in the roster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SealPublicKey {
    /// The algorithm's name ([`SealProvider::algorithm`]).
    pub algorithm: String,
    /// The key in the algorithm's own encoding.
    pub bytes: Vec<u8>,
}

impl SealPublicKey {
    /// 16 lowercase hex characters of blake3(algorithm ‖ bytes).
    pub fn key_id(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        hasher.update(self.algorithm.as_bytes());
        hasher.update(&self.bytes);
        hasher.finalize().to_hex()[..16].to_string()
    }
}

/// A seal's private key. Wiped on drop; `Debug` redacts.
pub struct SealSecret(Vec<u8>);

impl SealSecret {
    /// Wraps a provider's secret key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        SealSecret(bytes)
    }

    /// The secret key bytes, for a provider.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SealSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SealSecret(..)")
    }
}

impl Drop for SealSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// Crockford's base32 alphabet (no I, L, O, U).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The code printed on a decision: the first 40 bits of blake3(signature) in
/// Crockford base32, as `XXXX-XXXX`.
pub fn verification_code(signature: &[u8]) -> String {
    let hash = blake3::hash(signature);
    let bits = hash.as_bytes()[..5]
        .iter()
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        let index = (bits >> (35 - 5 * i)) & 0x1f;
        code.push(char::from(CROCKFORD[index as usize]));
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provider_is_found_by_name() {
        assert_eq!(provider("ed25519").unwrap().algorithm(), "ed25519");
        assert!(provider("sm2").is_none());
        assert!(provider("").is_none());
    }

    #[test]
    fn the_verification_code_is_two_groups_of_four_crockford_characters() {
        let code = verification_code(&[7u8; 64]);
        assert_eq!(code.len(), 9);
        let (a, b) = code.split_at(4);
        assert!(b.starts_with('-'));
        for c in a.chars().chain(b[1..].chars()) {
            assert!(CROCKFORD.contains(&(c as u8)), "{code}");
        }
    }

    #[test]
    fn the_verification_code_is_stable() {
        // blake3("") begins af 13 49 b9 f5: 10101 11100 01001 10100
        // 10011 01110 01111 10101 in 5-bit groups.
        assert_eq!(verification_code(b""), "NW9M-KEFN");
        assert_eq!(verification_code(b"sig"), verification_code(b"sig"));
        assert_ne!(verification_code(b"sig1"), verification_code(b"sig2"));
    }

    #[test]
    fn the_key_id_is_16_hex_of_blake3_of_algorithm_and_bytes() {
        let key = SealPublicKey {
            algorithm: "ed25519".into(),
            bytes: vec![1, 2, 3],
        };
        let expected = blake3::hash(b"ed25519\x01\x02\x03").to_hex()[..16].to_string();
        assert_eq!(key.key_id(), expected);
        let other = SealPublicKey {
            algorithm: "sm2".into(),
            ..key.clone()
        };
        assert_ne!(key.key_id(), other.key_id());
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let secret = SealSecret::new(vec![0xaa; 32]);
        assert_eq!(format!("{secret:?}"), "SealSecret(..)");
    }
}
