//! The argon2id cost parameters shared by password hashes and the seal key's
//! wrapping key, and the raw key derivation.
//!
//! Decisions: new hashes and keys use the OWASP parameters (m = 19456 KiB,
//! t = 2, p = 1). Parameters read back from storage are honoured (so they can
//! be raised later without breaking old records) but only within
//! [`KdfParams::MAX`], so a crafted record cannot make a node allocate
//! gigabytes or spin for minutes.

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::IdentityError;

/// Length of a derived key in bytes.
pub(crate) const KEY_LEN: usize = 32;

/// argon2id cost parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// OWASP's recommendation for argon2id.
    pub const OWASP: KdfParams = KdfParams {
        m_kib: 19_456,
        t: 2,
        p: 1,
    };
    /// The largest parameters accepted from storage.
    pub const MAX: KdfParams = KdfParams {
        m_kib: 1_048_576,
        t: 16,
        p: 8,
    };
    /// The cheapest parameters argon2 allows: unit tests only.
    #[cfg(test)]
    pub const TEST: KdfParams = KdfParams {
        m_kib: 8,
        t: 1,
        p: 1,
    };

    /// Whether these parameters are within [`KdfParams::MAX`].
    pub fn within_bounds(&self) -> bool {
        self.m_kib <= Self::MAX.m_kib && self.t <= Self::MAX.t && self.p <= Self::MAX.p
    }

    /// The argon2 parameters with an output of `output_len` bytes.
    pub fn to_argon2(self, output_len: usize) -> Result<Params, IdentityError> {
        Params::new(self.m_kib, self.t, self.p, Some(output_len)).map_err(|e| {
            IdentityError::Hashing {
                reason: e.to_string(),
            }
        })
    }

    /// An argon2id (version 0x13) context with these parameters.
    pub fn argon2(self, output_len: usize) -> Result<Argon2<'static>, IdentityError> {
        Ok(Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            self.to_argon2(output_len)?,
        ))
    }
}

/// Derives a [`KEY_LEN`]-byte key from `password` and `salt`.
pub(crate) fn derive_key(
    password: &str,
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; KEY_LEN]>, IdentityError> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    params
        .argon2(KEY_LEN)?
        .hash_password_into(password.as_bytes(), salt, key.as_mut())
        .map_err(|e| IdentityError::Hashing {
            reason: e.to_string(),
        })?;
    Ok(key)
}

/// `N` random bytes from the thread-local CSPRNG.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_key_depends_on_password_and_salt() {
        let a = derive_key("correct horse 1", b"0123456789abcdef", KdfParams::TEST).unwrap();
        let b = derive_key("correct horse 1", b"0123456789abcdef", KdfParams::TEST).unwrap();
        let c = derive_key("correct horse 2", b"0123456789abcdef", KdfParams::TEST).unwrap();
        let d = derive_key("correct horse 1", b"fedcba9876543210", KdfParams::TEST).unwrap();
        assert_eq!(*a, *b);
        assert_ne!(*a, *c);
        assert_ne!(*a, *d);
    }

    #[test]
    fn parameters_above_the_bound_are_refused() {
        assert!(KdfParams::OWASP.within_bounds());
        let huge = KdfParams {
            m_kib: u32::MAX,
            ..KdfParams::OWASP
        };
        assert!(!huge.within_bounds());
    }
}
