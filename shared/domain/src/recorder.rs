//! Who recorded an event: the staff member, the role they acted in and the
//! node they signed in at ([`Recorder`]), and the chief representative's
//! signature over a decision ([`SealSignature`]).
//!
//! Decisions:
//! - The node sets the recorder from the signed-in session, never from what
//!   a client sends; events written before staff signed in, and those the
//!   county's rule engine writes, carry none.
//! - The role is the one the person acted in, not every role they hold: a
//!   person who is both window clerk and fee clerk records an acceptance as
//!   window clerk and a fee as fee clerk.
//! - A seal signature is opaque here: the algorithm and key id name the key
//!   (its public half is on the public roster), the bytes are whatever that
//!   algorithm produced over the event's seal message
//!   (`crate::event::seal_message`, which reads the event and so sits above
//!   this module). Verifying it is not the domain's: it does no crypto.

use serde::{Deserialize, Serialize};

use crate::staff::StaffRole;
use liandong_model::NodeId;

/// The staff member who recorded an event, in which role, at which node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorder {
    pub staff: String,
    pub role: StaffRole,
    pub node: NodeId,
}

impl Recorder {
    pub fn new(staff: &str, role: StaffRole, node: NodeId) -> Self {
        Recorder {
            staff: staff.to_string(),
            role,
            node,
        }
    }
}

/// A chief representative's signature over a decision's seal message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealSignature {
    /// The signature algorithm, e.g. `ed25519`.
    pub algorithm: String,
    /// Which of the signer's keys ([`crate::credential::SealKey::key_id`]).
    pub key_id: String,
    pub signature: Vec<u8>,
}
