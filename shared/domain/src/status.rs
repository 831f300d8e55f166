//! The status of a case and the conflicts that override it (DOMAIN.md §3,
//! status fold): plain values, computed by [`mod@crate::fold`] and read by the
//! facts, the refusals and the warnings below it.

use serde::{Deserialize, Serialize};

use crate::base::Lang;
use liandong_model::OpId;

/// DOMAIN.md §3's status fold; the first that applies wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Conflict,
    Withdrawn,
    Delivered,
    Concluded,
    Rejected,
    /// Accepted, with a pause open.
    Paused,
    /// Accepted, waiting for routed departments.
    AwaitingOpinions,
    InProcess,
    AwaitingCorrection,
    Submitted,
    /// Events arrived but not the application itself (yet).
    Incomplete,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Conflict => "conflict",
            Status::Withdrawn => "withdrawn",
            Status::Delivered => "delivered",
            Status::Concluded => "concluded",
            Status::Rejected => "rejected",
            Status::Paused => "paused",
            Status::AwaitingOpinions => "awaiting-opinions",
            Status::InProcess => "in-process",
            Status::AwaitingCorrection => "awaiting-correction",
            Status::Submitted => "submitted",
            Status::Incomplete => "incomplete",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Status::Conflict => lang.pick("冲突", "conflict"),
            Status::Withdrawn => lang.pick("已撤回", "withdrawn"),
            Status::Delivered => lang.pick("已送达", "delivered"),
            Status::Concluded => lang.pick("已办结", "concluded"),
            Status::Rejected => lang.pick("不予受理", "rejected"),
            Status::Paused => lang.pick("暂停计时", "paused"),
            Status::AwaitingOpinions => lang.pick("待部门意见", "awaiting opinions"),
            Status::InProcess => lang.pick("办理中", "in process"),
            Status::AwaitingCorrection => lang.pick("待补正", "awaiting correction"),
            Status::Submitted => lang.pick("已申请", "submitted"),
            Status::Incomplete => lang.pick("记录不全", "incomplete"),
        }
    }
}

/// What cannot both stand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConflictKind {
    AcceptedAndRejected,
    DecisionsDisagree { department: String },
    ConcludedAndWithdrawn,
    DecisionUnderRevokedAuthorisation { authorisation: String },
}

impl ConflictKind {
    /// A stable key (supervision item ids).
    pub fn key(&self) -> String {
        match self {
            ConflictKind::AcceptedAndRejected => "accepted-rejected".into(),
            ConflictKind::DecisionsDisagree { department } => format!("decisions:{department}"),
            ConflictKind::ConcludedAndWithdrawn => "concluded-withdrawn".into(),
            ConflictKind::DecisionUnderRevokedAuthorisation { authorisation } => {
                format!("revoked:{authorisation}")
            }
        }
    }

    pub fn describe(&self, lang: Lang) -> String {
        match (self, lang) {
            (ConflictKind::AcceptedAndRejected, Lang::Zh) => "同时受理与不予受理".into(),
            (ConflictKind::AcceptedAndRejected, Lang::En) => "accepted and rejected".into(),
            (ConflictKind::DecisionsDisagree { department }, Lang::Zh) => {
                format!("{department} 的决定相互矛盾")
            }
            (ConflictKind::DecisionsDisagree { department }, Lang::En) => {
                format!("contradictory decisions for {department}")
            }
            (ConflictKind::ConcludedAndWithdrawn, Lang::Zh) => "同时办结与撤回".into(),
            (ConflictKind::ConcludedAndWithdrawn, Lang::En) => "concluded and withdrawn".into(),
            (ConflictKind::DecisionUnderRevokedAuthorisation { authorisation }, Lang::Zh) => {
                format!("决定所依授权书 {authorisation} 此前已撤销")
            }
            (ConflictKind::DecisionUnderRevokedAuthorisation { authorisation }, Lang::En) => {
                format!("decision under authorisation {authorisation}, already revoked")
            }
        }
    }
}

/// A contradiction, with every event involved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Conflict {
    pub kind: ConflictKind,
    pub ops: Vec<OpId>,
}
