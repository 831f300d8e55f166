//! Staff (窗口工作人员), DOMAIN.md §6: the roster entry of one person.
//!
//! A staff member's name, department, window and centres are LWW registers
//! stamped with [`Stamp`]; the roles are an `Orswot` whose actor is the node
//! that edits the roster. Role operations of one actor must be applied in
//! the order that actor produced them (the replication feed delivers an
//! origin's operations in sequence); whole states merge in any order.
//!
//! Dual management (双重管理, DOMAIN.md §6): `department` is the
//! department that manages the person's personnel and pay; `centres` are
//! the halls whose management runs their daily work (empty: the county
//! hall). Both are recorded on every entry
//! ([`Staff::personnel_department`], [`Staff::daily_management`]).
//!
//! Decisions:
//! - [`StaffRole`] variants are only ever appended: postcard encodes a
//!   variant by its index, and stored rosters must still decode. The CLI
//!   spelling of `Clerk` is `window-clerk`; `clerk` still parses, for old
//!   scripts.
//! - The centres a person works at are node names (`T01`); an empty set is
//!   the county hall. A roster entry written before centres existed has the
//!   register at its default ([`Staff::centres_unset`]): empty, stamped
//!   below every real write, so any later `set_centres` wins a merge. Such
//!   an entry is also [`LegacyStaff`], the layout those entries were
//!   encoded in, so its encoding (and the hash of an operation carrying it)
//!   does not change.

use std::collections::BTreeSet;

use crdts::{orswot, CmRDT, CvRDT, LWWReg, Orswot};
use serde::{Deserialize, Serialize};

use crate::base::{Lang, Stamp};
use liandong_model::{Hlc, NodeId, OpId};

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
    /// 电子监察 (纪委监委).
    Supervisor,
    /// 大厅管理: catalogue, roster, credentials, authorisations, calendar,
    /// routing rules.
    HallManagement,
    /// 网络管理员: node status, PKI, backup, verify; never case contents.
    NetworkAdmin,
}

impl StaffRole {
    pub const ALL: [StaffRole; 7] = [
        StaffRole::Clerk,
        StaffRole::ChiefRepresentative,
        StaffRole::Reviewer,
        StaffRole::FeeClerk,
        StaffRole::Supervisor,
        StaffRole::HallManagement,
        StaffRole::NetworkAdmin,
    ];

    /// The CLI spelling (`--role chief-representative`).
    pub fn as_str(self) -> &'static str {
        self.names().0
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (_, zh, en) = self.names();
        lang.pick(zh, en)
    }

    /// The CLI spelling, the Chinese label and the English label.
    fn names(self) -> (&'static str, &'static str, &'static str) {
        match self {
            StaffRole::Clerk => ("window-clerk", "窗口人员", "window clerk"),
            StaffRole::ChiefRepresentative => {
                ("chief-representative", "首席代表", "chief representative")
            }
            StaffRole::Reviewer => ("reviewer", "审查人员", "reviewer"),
            StaffRole::FeeClerk => ("fee-clerk", "收费人员", "fee clerk"),
            StaffRole::Supervisor => ("supervisor", "电子监察", "e-supervision"),
            StaffRole::HallManagement => ("hall-management", "大厅管理", "hall management"),
            StaffRole::NetworkAdmin => ("network-admin", "网络管理员", "network admin"),
        }
    }
}

impl std::str::FromStr for StaffRole {
    type Err = StaffError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // `clerk` was the window clerk's spelling before the other roles came.
        if s == "clerk" {
            return Ok(StaffRole::Clerk);
        }
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
    #[error("role `{0}`: use window-clerk, chief-representative, reviewer, fee-clerk, supervisor, hall-management or network-admin")]
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
                "角色“{v}”无效：可用 window-clerk（窗口人员）、chief-representative（首席代表）、reviewer（审查人员）、fee-clerk（收费人员）、supervisor（电子监察）、hall-management（大厅管理）、network-admin（网络管理员）"
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
    /// The centres the person works at (node names such as `T01`); empty:
    /// the county hall.
    pub centres: LWWReg<BTreeSet<String>, Stamp>,
}

/// A roster entry as encoded before it had centres: the fields and order of
/// [`Staff`] without `centres`. Old `StaffPut` bodies and stored rosters
/// decode as this; it converts to a [`Staff`] whose centres are
/// [unset](Staff::centres_unset).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyStaff {
    pub id: String,
    pub name: LWWReg<String, Stamp>,
    pub department: LWWReg<String, Stamp>,
    pub window: LWWReg<Option<String>, Stamp>,
    pub roles: Orswot<StaffRole, NodeId>,
}

impl From<LegacyStaff> for Staff {
    fn from(old: LegacyStaff) -> Self {
        Staff {
            id: old.id,
            name: old.name,
            department: old.department,
            window: old.window,
            roles: old.roles,
            centres: Staff::centres_unset(),
        }
    }
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
            centres: Staff::centres_unset(),
        }
    }

    /// The centres register of an entry that never set them: empty (the
    /// county hall), stamped at HLC zero, below every real write.
    pub fn centres_unset() -> LWWReg<BTreeSet<String>, Stamp> {
        LWWReg {
            val: BTreeSet::new(),
            marker: Stamp::new(
                Hlc::default(),
                OpId {
                    origin: unset_origin(),
                    seq: 0,
                },
            ),
        }
    }

    /// Whether the centres register is still at its default (then the entry
    /// encodes as a [`LegacyStaff`]).
    pub fn centres_are_unset(&self) -> bool {
        self.centres == Staff::centres_unset()
    }

    /// The entry in the layout of before centres, when it has none set.
    pub fn legacy(&self) -> Option<LegacyStaff> {
        self.centres_are_unset().then(|| LegacyStaff {
            id: self.id.clone(),
            name: self.name.clone(),
            department: self.department.clone(),
            window: self.window.clone(),
            roles: self.roles.clone(),
        })
    }

    /// The centres the person works at; empty: the county hall.
    pub fn centres(&self) -> &BTreeSet<String> {
        &self.centres.val
    }

    pub fn set_centres(&mut self, centres: BTreeSet<String>, stamp: Stamp) {
        self.centres.update(centres, stamp);
    }

    pub fn name(&self) -> &str {
        &self.name.val
    }

    pub fn department(&self) -> &str {
        &self.department.val
    }

    /// The department in charge of personnel and pay (双重管理).
    pub fn personnel_department(&self) -> &str {
        self.department()
    }

    /// The halls in charge of daily management (双重管理): node names;
    /// empty: the county hall.
    pub fn daily_management(&self) -> &BTreeSet<String> {
        self.centres()
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
        self.centres
            .update(other.centres.val.clone(), other.centres.marker.clone());
    }
}

/// The origin named in the unset centres register's stamp: a fixed, valid
/// county name, so every replica builds the same default.
fn unset_origin() -> NodeId {
    match NodeId::county("unset") {
        Ok(node) => node,
        // `unset` is a valid node name (letters only); covered by a test.
        Err(_) => unreachable!("`unset` is a valid node name"),
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
