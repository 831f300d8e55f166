//! [`Actor`]: the staff member a command runs as, with his roles.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Forbidden, NodeError};
use liandong_domain::permission::{may_record, permits, Act};
use liandong_domain::{EventKind, Recorder, StaffRole};
use liandong_model::NodeId;

/// The signed-in staff member a command runs as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub staff: String,
    /// His roles in the roster as this node holds it.
    pub roles: BTreeSet<StaffRole>,
    /// The OS user that sent the command over the control socket.
    #[serde(default)]
    pub os_uid: Option<u32>,
    /// A chief representative's seal, unlocked at his sign-in.
    #[serde(skip)]
    pub seal: Option<super::SealHandle>,
}

impl Actor {
    pub fn new(staff: &str, roles: impl IntoIterator<Item = StaffRole>) -> Actor {
        Actor {
            staff: staff.to_string(),
            roles: roles.into_iter().collect(),
            os_uid: None,
            seal: None,
        }
    }

    /// The role this act is done in: the first of his roles that may.
    pub fn role_for(&self, act: Act) -> Option<StaffRole> {
        StaffRole::ALL
            .into_iter()
            .find(|r| self.roles.contains(r) && permits(*r, act))
    }

    /// The role this act is done in, or why he may not.
    pub fn may(&self, act: Act) -> Result<StaffRole, NodeError> {
        self.role_for(act).ok_or_else(|| {
            NodeError::not_permitted(Forbidden::Role {
                staff: self.staff.clone(),
                act: act.name().to_string(),
            })
        })
    }

    /// The recorder of an event of `kind` written at `node`, or why he
    /// may not record it.
    pub fn recorder(&self, kind: &EventKind, node: &NodeId) -> Result<Recorder, NodeError> {
        let role = StaffRole::ALL
            .into_iter()
            .find(|r| self.roles.contains(r) && may_record(*r, kind))
            .ok_or_else(|| {
                NodeError::not_permitted(Forbidden::Role {
                    staff: self.staff.clone(),
                    act: kind.name().to_string(),
                })
            })?;
        Ok(Recorder {
            staff: self.staff.clone(),
            role,
            node: node.clone(),
        })
    }
}
