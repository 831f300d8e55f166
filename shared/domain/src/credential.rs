//! Sign-in credentials, seal keys and audit lines: the plain data of staff
//! identity that travels as operations ([`crate::op::OpBody::CredentialSet`],
//! `SealKeyPut`, `Audit`). No logic here: hashing, key handling and who may
//! write them belong to the nodes.
//!
//! Decisions:
//! - A credential is county data scoped to the staff member's centres and
//!   the county; its password hash never appears in logs: [`Credential`]'s
//!   `Debug` prints neither the hash nor the locked seal key.
//! - A seal key's public half is public (the roster is); its secret half
//!   travels only inside the credential, encrypted under a key derived from
//!   the password, and is opaque bytes to the domain.
//! - An audit line (等保 2.0) names staff and commands, never personal data
//!   of applicants: `target` is an id (a case number, a staff id), not a name.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::staff::StaffRole;

/// A staff member's sign-in credential (county data, scoped to the staff's
/// centres and the county).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub staff: String,
    /// argon2id PHC string; never logged (Debug must redact it).
    pub hash: String,
    /// The chief representative's seal key pair, its secret encrypted under
    /// a key derived from the password (opaque bytes to the domain), if he
    /// has one.
    pub locked_seal_key: Option<Vec<u8>>,
    /// Centres where this credential may sign in (node ids; the county
    /// always may).
    pub centres: BTreeSet<String>,
    /// Disabled accounts cannot sign in; every session of theirs ends.
    pub disabled: bool,
    /// Set by hall management (a reset): the staff member must choose a new
    /// one with `passwd`.
    pub must_change: bool,
    pub set_at_ms: u64,
    pub set_by: String,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let locked = self
            .locked_seal_key
            .as_ref()
            .map(|k| format!("<{} bytes, redacted>", k.len()));
        f.debug_struct("Credential")
            .field("staff", &self.staff)
            .field("hash", &"<redacted>")
            .field("locked_seal_key", &locked)
            .field("centres", &self.centres)
            .field("disabled", &self.disabled)
            .field("must_change", &self.must_change)
            .field("set_at_ms", &self.set_at_ms)
            .field("set_by", &self.set_by)
            .finish()
    }
}

/// A chief representative's public seal key, for the public roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealKey {
    pub staff: String,
    pub algorithm: String,
    pub key_id: String,
    pub public: Vec<u8>,
    pub created_ms: u64,
}

/// One line of a node's audit log (等保 2.0): sign-in, session end, every
/// command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at_ms: u64,
    pub node: String,
    pub staff: Option<String>,
    pub role: Option<StaffRole>,
    pub os_uid: Option<u32>,
    pub action: String,
    pub target: String,
    pub result: String,
}
