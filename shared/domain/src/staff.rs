//! Staff (窗口工作人员), DOMAIN.md §6: the roster entry of one person.
//!
//! A staff member's name, department and window are LWW registers stamped
//! with [`Stamp`]; the roles are an `Orswot` whose actor is the node that
//! edits the roster. Role operations of one actor must be applied in the
//! order that actor produced them (the replication feed delivers an
//! origin's operations in sequence); whole states merge in any order.

use std::collections::BTreeSet;

use crdts::{orswot, CmRDT, CvRDT, LWWReg, Orswot};
use serde::{Deserialize, Serialize};

use crate::base::{Lang, Stamp};
use liandong_model::NodeId;

/// What a staff member does in the hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum StaffRole {
    /// 窗口受理人员.
    Clerk,
    /// 首席代表.
    ChiefRepresentative,
    /// 部门审查人员.
    Reviewer,
    /// 收费窗口人员.
    FeeClerk,
    /// 电子监察.
    Supervisor,
}

impl StaffRole {
    pub const ALL: [StaffRole; 5] = [
        StaffRole::Clerk,
        StaffRole::ChiefRepresentative,
        StaffRole::Reviewer,
        StaffRole::FeeClerk,
        StaffRole::Supervisor,
    ];

    /// The CLI spelling (`--role chief-representative`).
    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Clerk => "clerk",
            StaffRole::ChiefRepresentative => "chief-representative",
            StaffRole::Reviewer => "reviewer",
            StaffRole::FeeClerk => "fee-clerk",
            StaffRole::Supervisor => "supervisor",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            StaffRole::Clerk => lang.pick("窗口人员", "clerk"),
            StaffRole::ChiefRepresentative => lang.pick("首席代表", "chief representative"),
            StaffRole::Reviewer => lang.pick("审查人员", "reviewer"),
            StaffRole::FeeClerk => lang.pick("收费人员", "fee clerk"),
            StaffRole::Supervisor => lang.pick("电子监察", "supervisor"),
        }
    }
}

impl std::str::FromStr for StaffRole {
    type Err = StaffError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StaffRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| StaffError::Role(s.to_string()))
    }
}

/// What is wrong with a staff or authorisation field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum StaffError {
    #[error("staff id `{0}`: use 1-16 letters, digits or `_`")]
    Id(String),
    #[error("name: must not be empty")]
    Name,
    #[error("department: must not be empty")]
    Department,
    #[error("role `{0}`: use clerk, chief-representative, reviewer, fee-clerk or supervisor")]
    Role(String),
    #[error("power `{0}`: use decide, coordinate, report or seal")]
    Power(String),
}

impl StaffError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (StaffError::Id(v), Lang::Zh) => format!("工号“{v}”无效：请用 1 至 16 位字母、数字或“_”"),
            (StaffError::Name, Lang::Zh) => "姓名不能为空".into(),
            (StaffError::Department, Lang::Zh) => "所属部门不能为空".into(),
            (StaffError::Role(v), Lang::Zh) => format!(
                "角色“{v}”无效：可用 clerk（窗口人员）、chief-representative（首席代表）、reviewer（审查人员）、fee-clerk（收费人员）、supervisor（电子监察）"
            ),
            (StaffError::Power(v), Lang::Zh) => format!(
                "权限“{v}”无效：可用 decide（审批决定权）、coordinate（组织协调权）、report（审批上报权）、seal（专用章使用权）"
            ),
        }
    }
}

/// A member of the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    pub id: String,
    pub name: LWWReg<String, Stamp>,
    pub department: LWWReg<String, Stamp>,
    pub window: LWWReg<Option<String>, Stamp>,
    pub roles: Orswot<StaffRole, NodeId>,
}

/// Checks the fields `staff add` writes.
pub fn validate_staff(id: &str, name: &str, department: &str) -> Result<(), StaffError> {
    let id_ok = !id.is_empty()
        && id.len() <= 16
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !id_ok {
        return Err(StaffError::Id(id.to_string()));
    }
    if name.trim().is_empty() {
        return Err(StaffError::Name);
    }
    if department.trim().is_empty() {
        return Err(StaffError::Department);
    }
    Ok(())
}

impl Staff {
    pub fn new(id: &str, name: &str, department: &str, stamp: Stamp) -> Self {
        let reg = |val| LWWReg {
            val,
            marker: stamp.clone(),
        };
        Staff {
            id: id.to_string(),
            name: reg(name.to_string()),
            department: reg(department.to_string()),
            window: LWWReg {
                val: None,
                marker: stamp.clone(),
            },
            roles: Orswot::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name.val
    }

    pub fn department(&self) -> &str {
        &self.department.val
    }

    pub fn window(&self) -> Option<&str> {
        self.window.val.as_deref()
    }

    pub fn rename(&mut self, name: &str, stamp: Stamp) {
        self.name.update(name.to_string(), stamp);
    }

    pub fn move_to(&mut self, department: &str, stamp: Stamp) {
        self.department.update(department.to_string(), stamp);
    }

    pub fn assign_window(&mut self, window: Option<String>, stamp: Stamp) {
        self.window.update(window, stamp);
    }

    /// The operation that adds a role, written by `actor` (replicate it,
    /// then [`Staff::apply_role_op`] it everywhere, here included).
    pub fn add_role_op(&self, role: StaffRole, actor: NodeId) -> orswot::Op<StaffRole, NodeId> {
        self.roles
            .add(role, self.roles.read_ctx().derive_add_ctx(actor))
    }

    /// The operation that removes a role as this replica sees it.
    pub fn remove_role_op(&self, role: StaffRole) -> orswot::Op<StaffRole, NodeId> {
        self.roles
            .rm(role, self.roles.contains(&role).derive_rm_ctx())
    }

    pub fn apply_role_op(&mut self, op: orswot::Op<StaffRole, NodeId>) {
        self.roles.apply(op);
    }

    pub fn has_role(&self, role: StaffRole) -> bool {
        self.roles.contains(&role).val
    }

    pub fn roles(&self) -> BTreeSet<StaffRole> {
        self.roles.read().val.into_iter().collect()
    }

    /// Folds another replica of the same staff member into this one.
    pub fn merge_from(&mut self, other: &Staff) {
        self.name
            .update(other.name.val.clone(), other.name.marker.clone());
        self.department.update(
            other.department.val.clone(),
            other.department.marker.clone(),
        );
        self.window
            .update(other.window.val.clone(), other.window.marker.clone());
        self.roles.merge(other.roles.clone());
    }
}

impl CvRDT for Staff {
    type Validation = std::convert::Infallible;

    fn validate_merge(&self, _other: &Self) -> Result<(), Self::Validation> {
        Ok(())
    }

    /// Both replicas must be the same staff id (the roster keys by id).
    fn merge(&mut self, other: Self) {
        self.merge_from(&other);
    }
}
