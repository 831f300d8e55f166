//! The ed25519 seal provider (ed25519-dalek): 32-byte secret seeds, 32-byte
//! public keys, 64-byte signatures, verified strictly (no malleable or
//! small-order signatures or keys).

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::{SealProvider, SealPublicKey, SealSecret};
use crate::kdf::random_bytes;
use crate::IdentityError;

const NAME: &str = "ed25519";

/// The ed25519 seal provider.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ed25519;

impl Ed25519 {
    fn signing_key(secret: &SealSecret) -> Result<SigningKey, IdentityError> {
        let seed: &[u8; 32] =
            secret
                .expose()
                .try_into()
                .map_err(|_| IdentityError::InvalidSealSecret {
                    algorithm: NAME,
                    reason: format!("{} bytes, expected 32", secret.expose().len()),
                })?;
        Ok(SigningKey::from_bytes(seed))
    }
}

impl SealProvider for Ed25519 {
    fn algorithm(&self) -> &'static str {
        NAME
    }

    fn generate(&self) -> (SealSecret, SealPublicKey) {
        let seed: [u8; 32] = random_bytes();
        let key = SigningKey::from_bytes(&seed);
        let public = SealPublicKey {
            algorithm: NAME.to_string(),
            bytes: key.verifying_key().to_bytes().to_vec(),
        };
        (SealSecret::new(seed.to_vec()), public)
    }

    fn sign(&self, secret: &SealSecret, message: &[u8]) -> Result<Vec<u8>, IdentityError> {
        let key = Self::signing_key(secret)?;
        Ok(key.sign(message).to_bytes().to_vec())
    }

    fn verify(&self, public: &SealPublicKey, message: &[u8], signature: &[u8]) -> bool {
        if public.algorithm != NAME {
            return false;
        }
        let Ok(bytes) = <&[u8; 32]>::try_from(public.bytes.as_slice()) else {
            return false;
        };
        let Ok(key) = VerifyingKey::from_bytes(bytes) else {
            return false;
        };
        let Ok(signature) = Signature::from_slice(signature) else {
            return false;
        };
        key.verify_strict(message, &signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DECISION: &[u8] = b"case 522601-county-20250301-0007: Approved";

    #[test]
    fn a_signature_verifies_under_its_public_key() {
        let (secret, public) = Ed25519.generate();
        assert_eq!(public.algorithm, "ed25519");
        assert_eq!(public.bytes.len(), 32);
        let signature = Ed25519.sign(&secret, DECISION).unwrap();
        assert_eq!(signature.len(), 64);
        assert!(Ed25519.verify(&public, DECISION, &signature));
    }

    #[test]
    fn an_altered_message_or_signature_does_not_verify() {
        let (secret, public) = Ed25519.generate();
        let signature = Ed25519.sign(&secret, DECISION).unwrap();
        assert!(!Ed25519.verify(
            &public,
            b"case 522601-county-20250301-0007: Denied",
            &signature
        ));
        let mut altered = signature.clone();
        altered[10] ^= 1;
        assert!(!Ed25519.verify(&public, DECISION, &altered));
        assert!(!Ed25519.verify(&public, DECISION, &signature[..63]));
        assert!(!Ed25519.verify(&public, DECISION, &[]));
    }

    #[test]
    fn another_key_or_algorithm_does_not_verify() {
        let (secret, public) = Ed25519.generate();
        let (_, other) = Ed25519.generate();
        let signature = Ed25519.sign(&secret, DECISION).unwrap();
        assert!(!Ed25519.verify(&other, DECISION, &signature));
        let renamed = SealPublicKey {
            algorithm: "sm2".into(),
            ..public
        };
        assert!(!Ed25519.verify(&renamed, DECISION, &signature));
    }

    #[test]
    fn a_secret_of_the_wrong_length_is_refused() {
        let err = Ed25519
            .sign(&SealSecret::new(vec![1; 31]), DECISION)
            .unwrap_err();
        assert!(
            matches!(err, IdentityError::InvalidSealSecret { .. }),
            "{err}"
        );
    }
}
