//! Session tokens: 32 random bytes, written as 64 lowercase hex characters.
//!
//! Decisions: the client keeps the token (a 0600 file, see the CLI's
//! `session` module); the node keeps only [`SessionToken::digest`] (blake3),
//! so a copy of the node's store does not let anyone sign in. `Debug`
//! redacts, and the token's memory is wiped when it is dropped. Parsing is
//! strict (no whitespace, no upper case) so one token has one spelling.

use std::fmt;

use zeroize::Zeroize;

use crate::kdf::random_bytes;
use crate::IdentityError;

/// Number of random bytes in a token.
pub const TOKEN_BYTES: usize = 32;

/// A session token, see the module doc.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken {
    bytes: [u8; TOKEN_BYTES],
    hex: String,
}

impl SessionToken {
    /// A fresh token from the CSPRNG.
    pub fn new_random() -> Self {
        Self::from_bytes(random_bytes())
    }

    fn from_bytes(bytes: [u8; TOKEN_BYTES]) -> Self {
        let hex = bytes.iter().map(|b| format!("{b:02x}")).collect();
        SessionToken { bytes, hex }
    }

    /// Reads a token written by [`SessionToken::as_str`]: exactly 64
    /// lowercase hex characters.
    pub fn parse(text: &str) -> Result<Self, IdentityError> {
        let digits = text.as_bytes();
        if digits.len() != 2 * TOKEN_BYTES {
            return Err(IdentityError::MalformedToken);
        }
        let mut bytes = [0u8; TOKEN_BYTES];
        for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
            *byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
        }
        Ok(Self::from_bytes(bytes))
    }

    /// The token as 64 lowercase hex characters.
    pub fn as_str(&self) -> &str {
        &self.hex
    }

    /// blake3 of the token's bytes: what the node stores and looks up.
    pub fn digest(&self) -> [u8; 32] {
        *blake3::hash(&self.bytes).as_bytes()
    }
}

fn hex_value(digit: u8) -> Result<u8, IdentityError> {
    match digit {
        b'0'..=b'9' => Ok(digit - b'0'),
        b'a'..=b'f' => Ok(digit - b'a' + 10),
        _ => Err(IdentityError::MalformedToken),
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(..)")
    }
}

impl Drop for SessionToken {
    fn drop(&mut self) {
        self.bytes.zeroize();
        self.hex.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_prints_as_64_lowercase_hex_and_parses_back() {
        let token = SessionToken::new_random();
        assert_eq!(token.as_str().len(), 64);
        assert!(token
            .as_str()
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        let back = SessionToken::parse(token.as_str()).unwrap();
        assert_eq!(back, token);
        assert_eq!(back.digest(), token.digest());
    }

    #[test]
    fn fresh_tokens_differ() {
        assert_ne!(SessionToken::new_random(), SessionToken::new_random());
    }

    #[test]
    fn the_digest_is_blake3_of_the_bytes() {
        let token = SessionToken::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(token.digest(), *blake3::hash(&[0xab; 32]).as_bytes());
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = "0123456789abcdef".repeat(4);
        for bad in [
            String::new(),
            good[..63].to_string(),
            format!("{good}0"),
            good.to_uppercase(),
            format!("{} ", &good[..63]),
            format!("{}g", &good[..63]),
            format!("{}é", &good[..62]),
        ] {
            assert!(
                matches!(
                    SessionToken::parse(&bad),
                    Err(IdentityError::MalformedToken)
                ),
                "{bad:?}"
            );
        }
        assert!(SessionToken::parse(&good).is_ok());
    }

    #[test]
    fn debug_does_not_show_the_token() {
        let token = SessionToken::new_random();
        let shown = format!("{token:?}");
        assert_eq!(shown, "SessionToken(..)");
        assert!(!shown.contains(&token.as_str()[..8]));
    }
}
