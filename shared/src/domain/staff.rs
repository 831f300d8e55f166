//! Staff (窗口工作人员) and chief-representative authorisations (授权书),
//! DOMAIN.md §6.
//!
//! A staff member's name, department and window are LWW registers stamped
//! with [`Stamp`]; the roles are an `Orswot` whose actor is the node that
//! edits the roster. Role operations of one actor must be applied in the
//! order that actor produced them (the replication feed delivers an
//! origin's operations in sequence); whole states merge in any order.
//!
//! An authorisation grants powers over one matter or all matters of one
//! department, between two dates (CST, both included). Revocation is a
//! timestamp in business time; concurrent revocations keep the earliest. It
//! does not undo decisions taken before it. [`authorised`] answers whether a
//! staff member may use a power on a matter at a moment, and if not, why.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use crdts::{orswot, CmRDT, CvRDT, LWWReg, Orswot};
use serde::{Deserialize, Serialize};

use super::calendar::cst_date;
use super::matter::Matter;
use super::{Lang, Stamp};
use crate::model::NodeId;

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
        self.name.update(other.name.val.clone(), other.name.marker.clone());
        self.department
            .update(other.department.val.clone(), other.department.marker.clone());
        self.window
            .update(other.window.val.clone(), other.window.marker.clone());
        self.roles.merge(other.roles.clone());
    }
}

/// A chief representative's powers (DOMAIN.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Power {
    /// 审批决定权.
    Decide,
    /// 组织协调权.
    Coordinate,
    /// 审批上报权.
    Report,
    /// 专用章使用权.
    Seal,
}

impl Power {
    pub const ALL: [Power; 4] = [Power::Decide, Power::Coordinate, Power::Report, Power::Seal];

    pub fn as_str(self) -> &'static str {
        match self {
            Power::Decide => "decide",
            Power::Coordinate => "coordinate",
            Power::Report => "report",
            Power::Seal => "seal",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Power::Decide => lang.pick("审批决定权", "decision"),
            Power::Coordinate => lang.pick("组织协调权", "coordination"),
            Power::Report => lang.pick("审批上报权", "reporting"),
            Power::Seal => lang.pick("专用章使用权", "seal use"),
        }
    }

    /// Parses `decide,coordinate,report,seal`.
    pub fn parse_list(s: &str) -> Result<BTreeSet<Power>, StaffError> {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| p.parse())
            .collect()
    }
}

impl std::str::FromStr for Power {
    type Err = StaffError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Power::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| StaffError::Power(s.to_string()))
    }
}

/// What an authorisation covers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AuthScope {
    /// One matter, by code.
    Matter(String),
    /// Every matter this department leads or takes part in.
    Department(String),
}

impl AuthScope {
    pub fn covers(&self, matter: &Matter) -> bool {
        match self {
            AuthScope::Matter(code) => &matter.code == code,
            AuthScope::Department(dept) => matter.involves(dept),
        }
    }
}

impl std::fmt::Display for AuthScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthScope::Matter(code) => write!(f, "matter {code}"),
            AuthScope::Department(d) => write!(f, "department {d}"),
        }
    }
}

/// A written grant (授权书) to one staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorisation {
    pub id: String,
    pub staff: String,
    pub scope: AuthScope,
    pub powers: BTreeSet<Power>,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    /// Business time (Unix ms) of the earliest revocation.
    pub revoked_at_ms: Option<u64>,
}

/// What is wrong with an authorisation record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AuthorisationError {
    #[error("powers: name at least one of decide, coordinate, report, seal")]
    NoPowers,
    #[error("--to {to} is before --from {from}")]
    Dates { from: NaiveDate, to: NaiveDate },
    #[error("scope: name a matter or a department")]
    Scope,
}

impl AuthorisationError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (_, Lang::En) => self.to_string(),
            (AuthorisationError::NoPowers, Lang::Zh) => {
                "授权权限不能为空：请至少填写 decide、coordinate、report、seal 之一".into()
            }
            (AuthorisationError::Dates { from, to }, Lang::Zh) => {
                format!("授权截止日期 {to} 早于生效日期 {from}")
            }
            (AuthorisationError::Scope, Lang::Zh) => "授权范围不能为空：请填写事项或部门".into(),
        }
    }
}

/// Why a staff member may not use a power. Each names the authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AuthError {
    #[error("{staff} holds no authorisation")]
    NoAuthorisation { staff: String },
    #[error("authorisation {id} is not on file")]
    UnknownAuthorisation { id: String },
    #[error("authorisation {id} was granted to {holder}, not {staff}")]
    NotHolder { id: String, holder: String, staff: String },
    #[error("authorisation {id} covers {scope}, not matter {matter}")]
    OutOfScope { id: String, scope: AuthScope, matter: String },
    #[error("authorisation {id} does not grant the {} power", power.as_str())]
    MissingPower { id: String, power: Power },
    #[error("authorisation {id} is valid only from {from}")]
    NotYetValid { id: String, from: NaiveDate },
    #[error("authorisation {id} expired on {to}")]
    Expired { id: String, to: NaiveDate },
    #[error("authorisation {id} was revoked (at {at_ms} ms)")]
    Revoked { id: String, at_ms: u64 },
}

impl AuthError {
    /// How far the authorisation got before failing (to report the most
    /// relevant one when a staff member holds several).
    fn depth(&self) -> u8 {
        match self {
            AuthError::NoAuthorisation { .. } | AuthError::UnknownAuthorisation { .. } => 0,
            AuthError::NotHolder { .. } => 1,
            AuthError::OutOfScope { .. } => 2,
            AuthError::MissingPower { .. } => 3,
            AuthError::NotYetValid { .. } | AuthError::Expired { .. } => 4,
            AuthError::Revoked { .. } => 5,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            AuthError::NoAuthorisation { staff } => format!("{staff} 没有任何授权书"),
            AuthError::UnknownAuthorisation { id } => format!("授权书 {id} 未备案"),
            AuthError::NotHolder { id, holder, staff } => {
                format!("授权书 {id} 授予的是 {holder}，不是 {staff}")
            }
            AuthError::OutOfScope { id, scope, matter } => {
                let scope = match scope {
                    AuthScope::Matter(c) => format!("事项 {c}"),
                    AuthScope::Department(d) => format!("部门 {d} 的事项"),
                };
                format!("授权书 {id} 的范围是{scope}，不包括事项 {matter}")
            }
            AuthError::MissingPower { id, power } => {
                format!("授权书 {id} 未授予{}", power.label(Lang::Zh))
            }
            AuthError::NotYetValid { id, from } => format!("授权书 {id} 自 {from} 起才生效"),
            AuthError::Expired { id, to } => format!("授权书 {id} 已于 {to} 到期"),
            AuthError::Revoked { id, .. } => format!("授权书 {id} 已被撤销"),
        }
    }
}

impl Authorisation {
    pub fn validate(&self) -> Result<(), AuthorisationError> {
        if self.powers.is_empty() {
            return Err(AuthorisationError::NoPowers);
        }
        if self.valid_to < self.valid_from {
            return Err(AuthorisationError::Dates {
                from: self.valid_from,
                to: self.valid_to,
            });
        }
        let scope_empty = match &self.scope {
            AuthScope::Matter(s) | AuthScope::Department(s) => s.trim().is_empty(),
        };
        if scope_empty {
            return Err(AuthorisationError::Scope);
        }
        Ok(())
    }

    /// Records a revocation; the earliest one stands.
    pub fn revoke(&mut self, at_ms: u64) {
        self.revoked_at_ms = Some(self.revoked_at_ms.map_or(at_ms, |t| t.min(at_ms)));
    }

    /// Folds another replica of the same grant (revocations) into this one.
    pub fn merge_from(&mut self, other: &Authorisation) {
        if let Some(at) = other.revoked_at_ms {
            self.revoke(at);
        }
    }

    /// Whether `staff` may use `power` on `matter` at business time `at_ms`.
    pub fn permits(
        &self,
        staff: &str,
        matter: &Matter,
        power: Power,
        at_ms: u64,
    ) -> Result<(), AuthError> {
        let id = self.id.clone();
        if self.staff != staff {
            let (holder, staff) = (self.staff.clone(), staff.to_string());
            return Err(AuthError::NotHolder { id, holder, staff });
        }
        if !self.scope.covers(matter) {
            let (scope, matter) = (self.scope.clone(), matter.code.clone());
            return Err(AuthError::OutOfScope { id, scope, matter });
        }
        if !self.powers.contains(&power) {
            return Err(AuthError::MissingPower { id, power });
        }
        let date = cst_date(at_ms);
        if date < self.valid_from {
            let from = self.valid_from;
            return Err(AuthError::NotYetValid { id, from });
        }
        if date > self.valid_to {
            let to = self.valid_to;
            return Err(AuthError::Expired { id, to });
        }
        match self.revoked_at_ms {
            Some(revoked) if revoked <= at_ms => Err(AuthError::Revoked {
                id,
                at_ms: revoked,
            }),
            _ => Ok(()),
        }
    }
}

/// The authorisation under which `staff` may use `power` on `matter` at
/// business time `at_ms` (its CST date decides validity; revocation counts
/// from its exact time). If several qualify, the smallest id is returned;
/// if none, the failure of the one that came closest.
pub fn authorised<'a>(
    staff: &str,
    matter: &Matter,
    power: Power,
    at_ms: u64,
    authorisations: &'a [Authorisation],
) -> Result<&'a Authorisation, AuthError> {
    let mut best_ok: Option<&Authorisation> = None;
    let mut best_err: Option<(u8, &str, AuthError)> = None;
    for auth in authorisations.iter().filter(|a| a.staff == staff) {
        match auth.permits(staff, matter, power, at_ms) {
            Ok(()) => {
                if best_ok.is_none_or(|b| auth.id < b.id) {
                    best_ok = Some(auth);
                }
            }
            Err(e) => {
                let better = best_err.as_ref().is_none_or(|(depth, id, _)| {
                    (e.depth(), std::cmp::Reverse(auth.id.as_str()))
                        > (*depth, std::cmp::Reverse(*id))
                });
                if better {
                    best_err = Some((e.depth(), auth.id.as_str(), e));
                }
            }
        }
    }
    match (best_ok, best_err) {
        (Some(auth), _) => Ok(auth),
        (None, Some((_, _, e))) => Err(e),
        (None, None) => Err(AuthError::NoAuthorisation {
            staff: staff.to_string(),
        }),
    }
}
