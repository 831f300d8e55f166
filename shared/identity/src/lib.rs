//! Who a member of staff is and what he may sign: the pieces of identity that
//! every node and the CLI share, as a pure library (no runtime, no store, no
//! clock: time is passed in as milliseconds).
//!
//! - [`password`]: argon2id password hashes (PHC strings), the password
//!   policy, and the generated password of the initial admin account.
//! - [`lockout`]: failed sign-ins counted per account and source; five within
//!   fifteen minutes lock the account for fifteen minutes.
//! - [`token`]: session tokens; the node keeps only their digests.
//! - [`seal`]: the chief representative's electronic seal (ed25519 behind a
//!   provider trait), its private key kept only encrypted under a key derived
//!   from his password, and the short verification code printed on a decision.
//!
//! Decisions: nothing here logs, and no error or `Debug` output carries a
//! password, a hash, a token or a secret key. Randomness comes from the
//! thread-local CSPRNG of `rand` (seeded from the operating system). Messages
//! never say whether an account exists: that is the caller's wording, and
//! nothing here takes an account's existence as input.

mod error;
mod kdf;
pub mod lockout;
pub mod password;
pub mod seal;
pub mod token;

pub use error::IdentityError;
