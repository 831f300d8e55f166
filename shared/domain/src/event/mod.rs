//! The events of a case (办件) — DOMAIN.md §3, one variant per row.
//!
//! Every event carries `at_ms`, the business time of the origin's wall
//! clock (the legal act time; the HLC of its operation only orders), and
//! may name one earlier event it supersedes: that is how a record is
//! corrected, since nothing is ever deleted. Events that close something
//! opened earlier (a correction supplied, a special procedure ended) name
//! the opening event by operation id, so pairing never depends on order.
//!
//! Personal fields (applicant, attachments, delivery recipient, evaluator
//! and comment) are typed [`Personal`]. The applicant's document type,
//! legal representative and agent are written beside a submission, not in
//! it, so older submissions keep their bytes (`applicant`).
//!
//! Events are plain data: they name matters by code, special steps by their
//! catalogue kind ([`SpecialKind`], from [`crate::matter`]) and supervision
//! items by [`SupervisionId`] and [`Rule`] (from [`crate::rule`]); what a set
//! of them means is `facts` and [`mod@crate::fold`], further up.
//!
//! An event may name its [`Recorder`] (the signed-in staff member, the role
//! they acted in, the node) and, for a decision, carry the chief
//! representative's [`SealSignature`] over [`seal_message`]. Both are
//! `None` on events written before staff signed in and on those the
//! county's rule engine writes. [`EventTag`] names a kind without its
//! fields (the permission table is keyed by it).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod applicant;
mod seal;
mod tag;

pub use applicant::{Agent, Applicant, ApplicantIdentity};
pub use seal::seal_message;
pub use tag::EventTag;

use crate::base::{Lang, Stamp};
pub use crate::matter::SpecialKind;
use crate::recorder::{Recorder, SealSignature};
use crate::rule::{Rule, SupervisionId};
use liandong_model::{OpId, Personal};

/// One material handed in, by its catalogue name, with an optional
/// attachment reference (personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubmittedMaterial {
    pub name: String,
    pub attachment: Option<Personal<String>>,
}

/// 容缺受理: accepted with these materials missing, promised by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tolerance {
    pub missing: Vec<String>,
    pub promised_by: NaiveDate,
}

/// 特别程序代码 (GB/T 39046 A.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SpecialCode {
    /// 1 延长审批: adds days to the limits.
    Extension,
    /// 2 other special procedures: pause the clock unless the catalogue
    /// counts that step toward the limit.
    Other,
}

impl SpecialCode {
    pub fn code(self) -> u8 {
        match self {
            SpecialCode::Extension => 1,
            SpecialCode::Other => 2,
        }
    }
}

/// Which seal a decision was sealed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Seal {
    /// 行政审批专用章.
    Approval,
    /// 部门公章 (上报 or special cases).
    Official,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// 申请: pins the catalogue version current at submission.
    Submitted {
        matter: String,
        matter_version: Stamp,
        #[serde(with = "applicant::first_layout")]
        applicant: Applicant,
        materials: Vec<SubmittedMaterial>,
    },
    /// 补正告知: one written notice listing everything missing.
    CorrectionRequested {
        missing: Vec<String>,
    },
    /// 补齐: answers one notice.
    CorrectionSupplied {
        request: OpId,
        supplied: Vec<String>,
    },
    /// 受理: starts the clock.
    Accepted {
        tolerated: Option<Tolerance>,
    },
    /// 不予受理.
    Rejected {
        reason: String,
        legal_basis: String,
        competent_authority: Option<String>,
    },
    /// 分送: a department's part, with its stage limit in working days.
    RoutedToDepartment {
        department: String,
        part: String,
        stage_limit_days: Option<u16>,
    },
    /// 审查意见.
    OpinionGiven {
        department: String,
        agree: bool,
        text: String,
    },
    /// 补齐补正 asked by a department after acceptance: pauses the clock.
    SupplementRequested {
        department: String,
        items: Vec<String>,
    },
    SupplementSupplied {
        request: OpId,
        items: Vec<String>,
    },
    /// 特别程序.
    SpecialProcedureStarted {
        code: SpecialCode,
        kind: SpecialKind,
        reason: String,
        approver: String,
        days: u16,
    },
    SpecialProcedureEnded {
        started: OpId,
    },
    /// 准予 / 不予: one department's part.
    Decided {
        department: String,
        approve: bool,
        by: String,
        authorisation: String,
        seal: Option<Seal>,
        reason: String,
    },
    /// 收费, in fen.
    FeeCharged {
        item: String,
        amount_fen: u64,
    },
    /// 办结: stops the clock.
    Concluded,
    /// 送达.
    Delivered {
        recipient: Option<Personal<String>>,
    },
    /// 撤回, on the applicant's request.
    Withdrawn {
        reason: String,
    },
    /// 好差评: 1 非常满意 … 5 非常不满意.
    Evaluated {
        level: u8,
        text: Personal<String>,
        evaluator: Personal<String>,
    },
    /// 差评整改: answers one bad evaluation.
    BadReviewHandled {
        evaluation: OpId,
        note: String,
    },
    /// 电子监察督办, written by the county per crossing.
    SupervisionFlagged {
        item: SupervisionId,
        rule: Rule,
        note: String,
    },
    SupervisionResolved {
        item: SupervisionId,
        note: String,
    },
    SupervisionAnnotated {
        item: SupervisionId,
        note: String,
    },
    /// Voids the event it supersedes and nothing else.
    Retracted {
        reason: String,
    },
    /// 征求意见: a township centre asked for its opinion (a site opinion,
    /// 属地意见); widens the case's scope to that township.
    OpinionRequested {
        township: String,
        stage_limit_days: Option<u16>,
    },
    /// 审查意见 with its result (GB/T 39046 table 7: 通过/退回/其他) and the
    /// staff member who gave it, from a department or an asked township.
    /// [`EventKind::OpinionGiven`] is the earlier form, still read.
    OpinionRecorded {
        reviewer: Reviewer,
        result: OpinionResult,
        staff: String,
        text: String,
    },
    /// 评价邀请: written with the conclusion; the one-time code printed for
    /// the applicant is kept only as its digest (blake3), so only the
    /// applicant, holding the code, can evaluate (好差评, DOMAIN.md §3).
    EvaluationInvited {
        code_digest: [u8; 32],
    },
    // Acceptance, decision and fee rules (行政许可法 §32, §42–45; 统一收费).
    /// 免收: a catalogue fee due on the case, not charged, with the reason
    /// (a waiver under the fee basis or a decision that needs no fee).
    FeeWaived {
        item: String,
        reason: String,
    },
    /// 督办责任: the department responsible for a flagged item and the
    /// day by which it must correct (e-supervision, at the county). A
    /// later assignment of the same item replaces an earlier one.
    SupervisionAssigned {
        item: SupervisionId,
        department: String,
        correct_by: NaiveDate,
        note: String,
    },
    /// 申诉复核: a department appeals an evaluation it holds false.
    EvaluationAppealed {
        evaluation: OpId,
        department: String,
        reason: String,
    },
    /// Hall management's decision on an appeal (at the county): upheld,
    /// the evaluation is taken out of the statistics, never deleted.
    AppealDecided {
        appeal: OpId,
        upheld: bool,
        note: String,
    },
}

/// Who gives an opinion: a routed department (through its bridge or at the
/// county hall) or a township centre asked for one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Reviewer {
    Department(String),
    Township(String),
}

impl Reviewer {
    /// The code, e.g. `D03` or `T02`.
    pub fn code(&self) -> &str {
        match self {
            Reviewer::Department(d) | Reviewer::Township(d) => d,
        }
    }
}

impl std::fmt::Display for Reviewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reviewer::Department(d) => write!(f, "department {d}"),
            Reviewer::Township(t) => write!(f, "township {t}"),
        }
    }
}

/// 审查结果 (GB/T 39046 table 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OpinionResult {
    /// 通过.
    Pass,
    /// 退回.
    Return,
    /// 其他.
    Other,
}

impl OpinionResult {
    pub fn as_str(self) -> &'static str {
        match self {
            OpinionResult::Pass => "pass",
            OpinionResult::Return => "return",
            OpinionResult::Other => "other",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            OpinionResult::Pass => lang.pick("通过", "pass"),
            OpinionResult::Return => lang.pick("退回", "return"),
            OpinionResult::Other => lang.pick("其他", "other"),
        }
    }
}

impl std::str::FromStr for OpinionResult {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pass" | "通过" => Ok(OpinionResult::Pass),
            "return" | "退回" => Ok(OpinionResult::Return),
            "other" | "其他" => Ok(OpinionResult::Other),
            other => Err(format!(
                "unknown opinion result `{other}`: use pass, return or other"
            )),
        }
    }
}

impl EventKind {
    /// A stable name (history lines, JSON); both opinion forms are
    /// `opinion`.
    pub fn name(&self) -> &'static str {
        self.tag().name()
    }

    /// The clerk-facing name.
    pub fn label(&self, lang: Lang) -> &'static str {
        match self {
            EventKind::Decided { approve: true, .. } => lang.pick("准予许可", "approved"),
            EventKind::Decided { approve: false, .. } => lang.pick("不予许可", "denied"),
            other => other.tag().label(lang),
        }
    }
}

/// One event of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvent {
    /// Business time: Unix ms of the origin's wall clock.
    pub at_ms: u64,
    /// The earlier event this one replaces.
    pub supersedes: Option<OpId>,
    pub kind: EventKind,
    /// Who recorded it, set by the node from the session; `None` on old
    /// events, the rule engine's and the applicant's.
    pub recorder: Option<Recorder>,
    /// The chief representative's signature over [`seal_message`] (a
    /// decision sealed with a seal key).
    pub seal: Option<SealSignature>,
}

impl CaseEvent {
    pub fn new(at_ms: u64, kind: EventKind) -> Self {
        CaseEvent {
            at_ms,
            supersedes: None,
            kind,
            recorder: None,
            seal: None,
        }
    }

    /// The same event, recorded by `recorder`.
    pub fn recorded_by(mut self, recorder: Recorder) -> Self {
        self.recorder = Some(recorder);
        self
    }

    /// The same event, with a seal signature.
    pub fn sealed(mut self, seal: SealSignature) -> Self {
        self.seal = Some(seal);
        self
    }

    /// The same event, replacing `earlier`.
    pub fn superseding(mut self, earlier: OpId) -> Self {
        self.supersedes = Some(earlier);
        self
    }
}
