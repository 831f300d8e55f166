//! Staff passwords: argon2id hashes as PHC strings, the password policy, and
//! the generated password of the initial admin account.
//!
//! Decisions:
//! - New hashes use argon2id v19 with OWASP's parameters (m = 19456 KiB,
//!   t = 2, p = 1) and a random 16-byte salt. Verification uses the
//!   parameters written in the hash, within a bound, so parameters can be
//!   raised later without invalidating old hashes.
//! - [`PasswordHash`] never prints its content (`Debug` and `Display` show
//!   `PasswordHash(..)`); [`PasswordHash::as_str`] is for storing it.
//! - The policy (等保 style): at least 8 characters, at least two of the
//!   classes letters / digits / other, and not the staff id (compared without
//!   regard to case or surrounding spaces). [`PolicyError`] words each refusal
//!   in English (`Display`) and Chinese ([`PolicyError::message_zh`]) from one
//!   table.
//! - Not done here: password history, expiry, or a dictionary check.

use std::fmt;

use argon2::{PasswordHasher, PasswordVerifier};
use rand::Rng;

use crate::kdf::{random_bytes, KdfParams};
use crate::IdentityError;

/// The minimum number of characters in a password.
pub const MIN_LENGTH: usize = 8;
/// The length of a [`generate_password`] password.
pub const GENERATED_LENGTH: usize = 20;
/// The characters of a generated password: letters and digits, without the
/// ones that are easily mistaken for each other (0 O o, 1 I l).
const UNAMBIGUOUS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
/// Length of a new hash's salt in bytes.
const SALT_LEN: usize = 16;
/// Length of a new hash's output in bytes.
const OUTPUT_LEN: usize = 32;

/// An argon2id password hash as a PHC string (`$argon2id$v=19$m=…`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// The PHC string, for storing.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a stored PHC string; refuses anything that is not a complete
    /// argon2id v19 hash with parameters within bounds.
    pub fn from_phc(phc: String) -> Result<Self, IdentityError> {
        parse_phc(&phc)?;
        Ok(PasswordHash(phc))
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl fmt::Display for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// Parses and checks a PHC string: argon2id, version 19, salt and output
/// present, parameters within [`KdfParams::MAX`].
fn parse_phc(phc: &str) -> Result<argon2::PasswordHash, IdentityError> {
    let malformed = |reason: String| IdentityError::MalformedHash { reason };
    let parsed = argon2::PasswordHash::new(phc).map_err(|e| malformed(e.to_string()))?;
    if parsed.algorithm.as_str() != argon2::ARGON2ID_IDENT.as_str() {
        return Err(malformed(format!(
            "algorithm {:?}, expected argon2id",
            parsed.algorithm.as_str()
        )));
    }
    if parsed.version != Some(0x13) {
        return Err(malformed("version is not 19".into()));
    }
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(malformed("salt or hash output missing".into()));
    }
    let params = argon2::Params::try_from(&parsed).map_err(|e| malformed(e.to_string()))?;
    let params = KdfParams {
        m_kib: params.m_cost(),
        t: params.t_cost(),
        p: params.p_cost(),
    };
    if !params.within_bounds() {
        return Err(malformed("cost parameters above the accepted bound".into()));
    }
    Ok(parsed)
}

/// Hashes `password` with argon2id, OWASP parameters and a random salt.
pub fn hash_password(password: &str) -> Result<PasswordHash, IdentityError> {
    hash_with(password, KdfParams::OWASP)
}

/// Hashes `password` with the given cost parameters.
pub(crate) fn hash_with(password: &str, params: KdfParams) -> Result<PasswordHash, IdentityError> {
    let salt: [u8; SALT_LEN] = random_bytes();
    let phc = params
        .argon2(OUTPUT_LEN)?
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map_err(|e| IdentityError::Hashing {
            reason: e.to_string(),
        })?;
    Ok(PasswordHash(phc.to_string()))
}

/// Whether `password` is the one `hash` was made from. A hash that no longer
/// parses verifies nothing.
pub fn verify_password(hash: &PasswordHash, password: &str) -> bool {
    let Ok(parsed) = parse_phc(hash.as_str()) else {
        return false;
    };
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

/// Why a password was refused by [`check_policy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message_en())]
pub enum PolicyError {
    /// Fewer than [`MIN_LENGTH`] characters.
    TooShort,
    /// Only one of the classes letters / digits / other.
    TooFewKinds,
    /// The password is the staff id.
    SameAsStaffId,
}

impl PolicyError {
    /// The refusal in English and Chinese, side by side.
    fn messages(&self) -> (&'static str, &'static str) {
        match self {
            PolicyError::TooShort => (
                "the password is too short: use at least 8 characters",
                "密码太短：至少需要 8 个字符",
            ),
            PolicyError::TooFewKinds => (
                "the password needs at least two of: letters, digits, other characters",
                "密码至少需要包含字母、数字、其他字符中的两类",
            ),
            PolicyError::SameAsStaffId => (
                "the password must not be the staff id: choose another",
                "密码不能与工号相同，请另选一个",
            ),
        }
    }

    /// The refusal in English (also its `Display`).
    pub fn message_en(&self) -> String {
        self.messages().0.to_string()
    }

    /// The refusal in Chinese.
    pub fn message_zh(&self) -> String {
        self.messages().1.to_string()
    }
}

/// Checks `password` against the policy for the member of staff `staff`.
pub fn check_policy(staff: &str, password: &str) -> Result<(), PolicyError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PolicyError::TooShort);
    }
    if kinds(password) < 2 {
        return Err(PolicyError::TooFewKinds);
    }
    if password.trim().to_lowercase() == staff.trim().to_lowercase() {
        return Err(PolicyError::SameAsStaffId);
    }
    Ok(())
}

/// How many of the classes letters, digits and other characters occur.
fn kinds(password: &str) -> usize {
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let other = password
        .chars()
        .any(|c| !c.is_alphabetic() && !c.is_ascii_digit());
    [letters, digits, other].into_iter().filter(|k| *k).count()
}

/// A random password of [`GENERATED_LENGTH`] characters from an unambiguous
/// alphabet that passes the policy for any staff id (it holds letters and
/// digits).
pub fn generate_password() -> String {
    let mut rng = rand::rng();
    loop {
        let candidate: String = (0..GENERATED_LENGTH)
            .map(|_| char::from(UNAMBIGUOUS[rng.random_range(0..UNAMBIGUOUS.len())]))
            .collect();
        if kinds(&candidate) >= 2 {
            return candidate;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let hash = hash_with("Spring2025!", KdfParams::TEST).unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$"));
        assert!(verify_password(&hash, "Spring2025!"));
        assert!(!verify_password(&hash, "Spring2025?"));
        assert!(!verify_password(&hash, ""));
    }

    #[test]
    fn new_hashes_use_the_owasp_parameters_and_a_fresh_salt() {
        let a = hash_password("Spring2025!").unwrap();
        assert!(
            a.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            a.as_str()
        );
        assert!(verify_password(&a, "Spring2025!"));
        let b = hash_with("Spring2025!", KdfParams::TEST).unwrap();
        let c = hash_with("Spring2025!", KdfParams::TEST).unwrap();
        assert_ne!(b.as_str(), c.as_str(), "two hashes share a salt");
    }

    #[test]
    fn a_stored_hash_round_trips_through_from_phc() {
        let hash = hash_with("Spring2025!", KdfParams::TEST).unwrap();
        let back = PasswordHash::from_phc(hash.as_str().to_string()).unwrap();
        assert!(verify_password(&back, "Spring2025!"));
    }

    #[test]
    fn garbage_phc_strings_are_refused_with_a_malformed_hash_error() {
        let argon2i = "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
        let huge = "$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";
        let no_hash = "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHRzYWx0";
        for bad in ["", "hunter2", "$argon2id$", "$$$$", argon2i, huge, no_hash] {
            let err = PasswordHash::from_phc(bad.to_string()).unwrap_err();
            assert!(
                matches!(err, IdentityError::MalformedHash { .. }),
                "{bad:?}: {err:?}"
            );
        }
    }

    #[test]
    fn debug_and_display_do_not_show_the_hash() {
        let hash = hash_with("Spring2025!", KdfParams::TEST).unwrap();
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
        assert_eq!(format!("{hash}"), "PasswordHash(..)");
    }

    #[test]
    fn the_policy_refuses_short_one_kind_and_staff_id_passwords() {
        assert_eq!(check_policy("w001", "ab1!"), Err(PolicyError::TooShort));
        assert_eq!(
            check_policy("w001", "abcdefghij"),
            Err(PolicyError::TooFewKinds)
        );
        assert_eq!(
            check_policy("w001", "1234567890"),
            Err(PolicyError::TooFewKinds)
        );
        assert_eq!(
            check_policy("zhang2024", "Zhang2024"),
            Err(PolicyError::SameAsStaffId)
        );
        // Eight characters, counted as characters rather than bytes.
        assert_eq!(check_policy("w001", "密码密码密码12"), Ok(()));
        assert_eq!(check_policy("w001", "密码1"), Err(PolicyError::TooShort));
        assert_eq!(check_policy("w001", "abcdefg1"), Ok(()));
        assert_eq!(check_policy("w001", "abcd efg"), Ok(()));
    }

    #[test]
    fn policy_refusals_are_worded_in_both_languages() {
        for e in [
            PolicyError::TooShort,
            PolicyError::TooFewKinds,
            PolicyError::SameAsStaffId,
        ] {
            assert!(e.to_string().is_ascii(), "{e}");
            assert_eq!(e.to_string(), e.message_en());
            assert!(!e.message_zh().is_ascii(), "{}", e.message_zh());
        }
    }

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.chars().count(), GENERATED_LENGTH);
        assert!(a.bytes().all(|c| UNAMBIGUOUS.contains(&c)), "{a}");
        assert_eq!(check_policy("admin", &a), Ok(()));
        assert_ne!(a, b);
    }
}
