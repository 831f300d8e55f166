//! Chief-representative authorisations (授权书), DOMAIN.md §6.
//!
//! An authorisation grants powers over one matter or all matters of one
//! department, between two dates (CST, both included). Revocation is a
//! timestamp in business time; concurrent revocations keep the earliest. It
//! does not undo decisions taken before it. [`authorised`] answers whether a
//! staff member may use a power on a matter at a moment, and if not, why.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use crdts::CvRDT;
use serde::{Deserialize, Serialize};

use liandong_model::{EntityId, MAX_KEY_COMPONENT_BYTES};

use crate::base::Lang;
use crate::calendar::cst_date;
use crate::matter::Matter;
use crate::staff::StaffError;

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
    /// The id is part of store keys: 1-64 bytes, no control characters.
    #[error("--id {id:?}: an authorisation id is 1-{MAX_KEY_COMPONENT_BYTES} bytes without control characters")]
    Id { id: String },
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
            (AuthorisationError::Id { id }, Lang::Zh) => {
                format!(
                    "授权书编号 {id:?} 不可用：应为 1-{MAX_KEY_COMPONENT_BYTES} 字节，不含控制字符"
                )
            }
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
    NotHolder {
        id: String,
        holder: String,
        staff: String,
    },
    #[error("authorisation {id} covers {scope}, not matter {matter}")]
    OutOfScope {
        id: String,
        scope: AuthScope,
        matter: String,
    },
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
        if EntityId::Authorisation(self.id.clone()).validate().is_err() {
            return Err(AuthorisationError::Id {
                id: self.id.clone(),
            });
        }
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
            Some(revoked) if revoked <= at_ms => Err(AuthError::Revoked { id, at_ms: revoked }),
            _ => Ok(()),
        }
    }
}

impl CvRDT for Authorisation {
    type Validation = std::convert::Infallible;

    fn validate_merge(&self, _other: &Self) -> Result<(), Self::Validation> {
        Ok(())
    }

    /// Both replicas must be the same grant (same id): only revocations
    /// differ between replicas.
    fn merge(&mut self, other: Self) {
        self.merge_from(&other);
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
