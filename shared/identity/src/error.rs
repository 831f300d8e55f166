//! [`IdentityError`]: why an identity operation failed, with a message that
//! says what to do. No variant carries a password, a hash or a key.

/// Why an identity operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// A stored password hash could not be parsed.
    #[error(
        "the stored password hash is not an argon2id PHC string ({reason}); \
         set a new password for this account"
    )]
    MalformedHash { reason: String },
    /// Hashing or key derivation failed (argon2 refused its input).
    #[error(
        "argon2id could not hash the password ({reason}); check that the machine \
         has enough free memory and try again"
    )]
    Hashing { reason: String },
    /// A session token that is not 64 lowercase hex characters.
    #[error(
        "the session token is not 64 lowercase hexadecimal characters; sign in again with `login`"
    )]
    MalformedToken,
    /// The password does not unlock the seal key (or the stored key was altered).
    #[error(
        "the password does not unlock this seal key; type the password of the chief \
         representative who owns it (if it is right, the stored key was altered: restore \
         it from a backup or issue a new seal key)"
    )]
    WrongPassword,
    /// Stored seal key bytes that cannot be decoded.
    #[error(
        "the stored seal key cannot be read ({reason}); restore it from a backup or issue \
         a new seal key"
    )]
    MalformedSealKey { reason: String },
    /// A stored seal key written in a format this build does not know.
    #[error(
        "the stored seal key has format {found}, this build reads format {supported}; \
         upgrade this node"
    )]
    UnsupportedSealFormat { found: u16, supported: u16 },
    /// A seal secret that does not fit its algorithm.
    #[error(
        "the seal secret is not a valid {algorithm} key ({reason}); issue a new seal key \
         for this chief representative"
    )]
    InvalidSealSecret {
        algorithm: &'static str,
        reason: String,
    },
    /// A seal algorithm this build has no provider for.
    #[error("no seal provider for the algorithm {algorithm:?}; this build supports \"ed25519\"")]
    UnknownSealAlgorithm { algorithm: String },
    /// Encryption of the seal secret failed.
    #[error("the seal key could not be encrypted ({reason}); try again")]
    Encryption { reason: String },
}
