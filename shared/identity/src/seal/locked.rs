//! [`LockedSealKey`]: a seal's private key encrypted under a key derived from
//! its owner's password, stored beside its public key.
//!
//! Decisions:
//! - argon2id(password, random 16-byte salt) → 32-byte key →
//!   XChaCha20-Poly1305 with a random 24-byte nonce. The argon2id cost is
//!   stored with the key (OWASP's for new keys) and bounded on reading.
//! - The associated data binds the format, the public key and the cost, so a
//!   record whose public key was swapped does not unlock.
//! - A wrong password and an altered record cannot be told apart (both fail
//!   authentication): both are [`IdentityError::WrongPassword`], whose
//!   message names both causes.
//! - [`LockedSealKey::to_bytes`] is postcard with the format number first;
//!   [`LockedSealKey::from_bytes`] reads the number before the rest, so a
//!   newer format is reported as such rather than as garbage.

use std::fmt;

use chacha20poly1305::aead::{Aead, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::{provider, SealPublicKey, SealSecret};
use crate::kdf::{derive_key, random_bytes, KdfParams};
use crate::IdentityError;

/// The stored format this build writes and reads.
const FORMAT: u16 = 1;
/// Separates this use of the derived key from any other.
const CONTEXT: &str = "liandong seal key";
/// A probe message signed when locking, to check the pair belongs together.
const PROBE: &[u8] = b"liandong seal key pair check";

/// A seal secret encrypted under its owner's password, with its public key.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedSealKey {
    format: u16,
    /// The public half, as published in the roster.
    pub public: SealPublicKey,
    kdf: KdfParams,
    salt: [u8; 16],
    nonce: [u8; 24],
    ciphertext: Vec<u8>,
}

impl LockedSealKey {
    /// Encrypts `secret` under `password`; refuses a secret that does not
    /// sign for `public`.
    pub fn lock(
        secret: &SealSecret,
        public: SealPublicKey,
        password: &str,
    ) -> Result<Self, IdentityError> {
        Self::lock_with(secret, public, password, KdfParams::OWASP)
    }

    pub(crate) fn lock_with(
        secret: &SealSecret,
        public: SealPublicKey,
        password: &str,
        kdf: KdfParams,
    ) -> Result<Self, IdentityError> {
        check_pair(secret, &public)?;
        let mut locked = LockedSealKey {
            format: FORMAT,
            public,
            kdf,
            salt: random_bytes(),
            nonce: random_bytes(),
            ciphertext: Vec::new(),
        };
        let cipher = locked.cipher(password)?;
        let aad = locked.associated_data();
        locked.ciphertext = cipher
            .encrypt(
                &XNonce::from(locked.nonce),
                Payload {
                    msg: secret.expose(),
                    aad: &aad,
                },
            )
            .map_err(|e| IdentityError::Encryption {
                reason: e.to_string(),
            })?;
        Ok(locked)
    }

    /// Decrypts the secret with `password`.
    pub fn unlock(&self, password: &str) -> Result<SealSecret, IdentityError> {
        self.check_readable()?;
        let cipher = self.cipher(password)?;
        let aad = self.associated_data();
        let plain = cipher
            .decrypt(
                &XNonce::from(self.nonce),
                Payload {
                    msg: &self.ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| IdentityError::WrongPassword)?;
        Ok(SealSecret::new(plain))
    }

    /// The stored form (postcard, format number first).
    pub fn to_bytes(&self) -> Vec<u8> {
        postcard::to_allocvec(self).expect("postcard encodes plain data into a Vec")
    }

    /// Reads [`LockedSealKey::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdentityError> {
        let malformed = |reason: String| IdentityError::MalformedSealKey { reason };
        let (format, _) =
            postcard::take_from_bytes::<u16>(bytes).map_err(|e| malformed(e.to_string()))?;
        if format != FORMAT {
            return Err(IdentityError::UnsupportedSealFormat {
                found: format,
                supported: FORMAT,
            });
        }
        let (locked, rest) = postcard::take_from_bytes::<LockedSealKey>(bytes)
            .map_err(|e| malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(malformed(format!("{} bytes after the end", rest.len())));
        }
        locked.check_readable()?;
        Ok(locked)
    }

    /// Refuses a record of another format or with a cost above the bound.
    fn check_readable(&self) -> Result<(), IdentityError> {
        if self.format != FORMAT {
            return Err(IdentityError::UnsupportedSealFormat {
                found: self.format,
                supported: FORMAT,
            });
        }
        if !self.kdf.within_bounds() {
            return Err(IdentityError::MalformedSealKey {
                reason: "key derivation cost above the accepted bound".into(),
            });
        }
        Ok(())
    }

    fn cipher(&self, password: &str) -> Result<XChaCha20Poly1305, IdentityError> {
        let key = derive_key(password, &self.salt, self.kdf)?;
        XChaCha20Poly1305::new_from_slice(key.as_ref()).map_err(|e| IdentityError::Encryption {
            reason: e.to_string(),
        })
    }

    fn associated_data(&self) -> Vec<u8> {
        postcard::to_allocvec(&(CONTEXT, self.format, &self.public, self.kdf))
            .expect("postcard encodes plain data into a Vec")
    }
}

/// Checks that `secret` signs for `public` with its algorithm's provider.
fn check_pair(secret: &SealSecret, public: &SealPublicKey) -> Result<(), IdentityError> {
    let provider =
        provider(&public.algorithm).ok_or_else(|| IdentityError::UnknownSealAlgorithm {
            algorithm: public.algorithm.clone(),
        })?;
    let signature = provider.sign(secret, PROBE)?;
    if provider.verify(public, PROBE, &signature) {
        Ok(())
    } else {
        Err(IdentityError::InvalidSealSecret {
            algorithm: provider.algorithm(),
            reason: "it does not match the public key".into(),
        })
    }
}

impl fmt::Debug for LockedSealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockedSealKey")
            .field("format", &self.format)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Ed25519, SealProvider};
    use super::*;

    const PASSWORD: &str = "Seal-Pass-2025";

    fn locked() -> (LockedSealKey, SealPublicKey) {
        let (secret, public) = Ed25519.generate();
        let locked =
            LockedSealKey::lock_with(&secret, public.clone(), PASSWORD, KdfParams::TEST).unwrap();
        (locked, public)
    }

    #[test]
    fn an_unlocked_key_signs_for_its_public_key() {
        let (secret, public) = Ed25519.generate();
        let locked = LockedSealKey::lock(&secret, public.clone(), PASSWORD).unwrap();
        assert_eq!(locked.kdf, KdfParams::OWASP);
        let back = LockedSealKey::from_bytes(&locked.to_bytes()).unwrap();
        assert_eq!(back, locked);
        let unlocked = back.unlock(PASSWORD).unwrap();
        assert_eq!(unlocked.expose(), secret.expose());
        let signature = Ed25519.sign(&unlocked, b"decision").unwrap();
        assert!(Ed25519.verify(&public, b"decision", &signature));
    }

    #[test]
    fn the_ciphertext_does_not_contain_the_secret() {
        let (secret, public) = Ed25519.generate();
        let locked = LockedSealKey::lock_with(&secret, public, PASSWORD, KdfParams::TEST).unwrap();
        let bytes = locked.to_bytes();
        assert!(!bytes.windows(32).any(|w| w == secret.expose()));
    }

    #[test]
    fn a_wrong_password_does_not_unlock() {
        let (locked, _) = locked();
        let err = locked.unlock("Seal-Pass-2026").unwrap_err();
        assert!(matches!(err, IdentityError::WrongPassword), "{err}");
    }

    #[test]
    fn a_tampered_record_does_not_unlock() {
        let (locked, _) = locked();
        let mut ciphertext = locked.clone();
        ciphertext.ciphertext[0] ^= 1;
        let mut nonce = locked.clone();
        nonce.nonce[0] ^= 1;
        let mut salt = locked.clone();
        salt.salt[0] ^= 1;
        let (_, other) = Ed25519.generate();
        let mut swapped = locked.clone();
        swapped.public = other;
        for tampered in [ciphertext, nonce, salt, swapped] {
            assert!(matches!(
                tampered.unlock(PASSWORD),
                Err(IdentityError::WrongPassword)
            ));
        }
        assert!(locked.unlock(PASSWORD).is_ok());
    }

    #[test]
    fn a_secret_that_does_not_match_the_public_key_is_not_locked() {
        let (secret, _) = Ed25519.generate();
        let (_, other) = Ed25519.generate();
        let err = LockedSealKey::lock_with(&secret, other, PASSWORD, KdfParams::TEST).unwrap_err();
        assert!(
            matches!(err, IdentityError::InvalidSealSecret { .. }),
            "{err}"
        );
    }

    #[test]
    fn garbage_and_other_formats_are_refused_when_read() {
        assert!(matches!(
            LockedSealKey::from_bytes(&[]),
            Err(IdentityError::MalformedSealKey { .. })
        ));
        let mut bytes = locked().0.to_bytes();
        bytes.push(0);
        assert!(matches!(
            LockedSealKey::from_bytes(&bytes),
            Err(IdentityError::MalformedSealKey { .. })
        ));
        bytes.truncate(bytes.len() - 10);
        assert!(matches!(
            LockedSealKey::from_bytes(&bytes),
            Err(IdentityError::MalformedSealKey { .. })
        ));
        bytes[0] = 2;
        assert!(matches!(
            LockedSealKey::from_bytes(&bytes),
            Err(IdentityError::UnsupportedSealFormat { found: 2, .. })
        ));
    }

    #[test]
    fn a_record_with_an_excessive_cost_is_refused() {
        let (mut locked, _) = locked();
        locked.kdf.m_kib = u32::MAX;
        assert!(matches!(
            LockedSealKey::from_bytes(&locked.to_bytes()),
            Err(IdentityError::MalformedSealKey { .. })
        ));
        assert!(matches!(
            locked.unlock(PASSWORD),
            Err(IdentityError::MalformedSealKey { .. })
        ));
    }
}
