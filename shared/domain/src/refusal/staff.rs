//! Why a complaint, an enquiry, an assessment or an incentive-point entry
//! cannot be recorded (e-supervision and staff management, DOMAIN.md §6):
//! one variant per broken rule, worded for the person at the desk in both
//! languages. The same values describe what is wrong with such a record
//! when it arrives broken by replication (an anomaly of its view).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::base::Lang;
use liandong_model::OpId;

/// Largest answer time a complaint may be given, in working days.
pub const MAX_ANSWER_DAYS: u16 = 60;

/// A broken rule of e-supervision or staff management.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffRefusal {
    /// A required text (complaint, answer, enquiry, reason) is empty.
    Empty { field: String },
    /// The complaint was already received (its first receipt stands).
    ComplaintAlreadyReceived { receipt: OpId },
    /// An answer, or a second one, to a complaint not received.
    ComplaintNotReceived,
    /// The complaint already has its answer.
    ComplaintAlreadyAnswered { answer: OpId },
    /// The answer time is outside 1..=[`MAX_ANSWER_DAYS`] working days.
    AnswerDaysOutOfRange { days: u16 },
    /// An answer written at a centre: answers are e-supervision's, at the
    /// county.
    AnsweredOutsideCounty { node: String },
    /// 优秀 over the 20% rule: `excellent > floor(20% × assessed)`.
    ExcellentOverQuota {
        excellent: u32,
        assessed: u32,
        max: u32,
    },
    /// A grade for someone not on the roster.
    NotOnRoster { staff: String },
    /// An enquiry not handled here names no competent centre.
    NoCompetentCentre,
    /// A stand-in acting for themself.
    StandInForSelf { staff: String },
    /// Incentive points of zero.
    ZeroPoints,
    /// A correction deadline before the day it is set.
    CorrectionDeadlinePast {
        correct_by: NaiveDate,
        on: NaiveDate,
    },
    /// The case has no such evaluation.
    UnknownEvaluation { op: OpId },
    /// The evaluation is already appealed.
    AlreadyAppealed { appeal: OpId },
    /// The case has no such appeal.
    UnknownAppeal { op: OpId },
    /// The appeal is already decided.
    AppealAlreadyDecided { decision: OpId },
}

impl StaffRefusal {
    /// A stable label (JSON, metrics).
    pub fn code(&self) -> &'static str {
        match self {
            StaffRefusal::Empty { .. } => "empty",
            StaffRefusal::ComplaintAlreadyReceived { .. } => "complaint-already-received",
            StaffRefusal::ComplaintNotReceived => "complaint-not-received",
            StaffRefusal::ComplaintAlreadyAnswered { .. } => "complaint-already-answered",
            StaffRefusal::AnswerDaysOutOfRange { .. } => "answer-days-out-of-range",
            StaffRefusal::AnsweredOutsideCounty { .. } => "answered-outside-county",
            StaffRefusal::ExcellentOverQuota { .. } => "excellent-over-quota",
            StaffRefusal::NotOnRoster { .. } => "not-on-roster",
            StaffRefusal::NoCompetentCentre => "no-competent-centre",
            StaffRefusal::StandInForSelf { .. } => "stand-in-for-self",
            StaffRefusal::ZeroPoints => "zero-points",
            StaffRefusal::CorrectionDeadlinePast { .. } => "correction-deadline-past",
            StaffRefusal::UnknownEvaluation { .. } => "unknown-evaluation",
            StaffRefusal::AlreadyAppealed { .. } => "already-appealed",
            StaffRefusal::UnknownAppeal { .. } => "unknown-appeal",
            StaffRefusal::AppealAlreadyDecided { .. } => "appeal-already-decided",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }

    fn zh(&self) -> String {
        match self {
            StaffRefusal::Empty { field } => format!("{field}不能为空"),
            StaffRefusal::ComplaintAlreadyReceived { receipt } => {
                format!("该投诉已登记（{receipt}），不能重复登记")
            }
            StaffRefusal::ComplaintNotReceived => "该投诉尚未登记，不能答复".into(),
            StaffRefusal::ComplaintAlreadyAnswered { answer } => {
                format!("该投诉已答复（{answer}），不能重复答复")
            }
            StaffRefusal::AnswerDaysOutOfRange { days } => {
                format!("答复期限 {days} 个工作日无效：应为 1 至 {MAX_ANSWER_DAYS} 个工作日")
            }
            StaffRefusal::AnsweredOutsideCounty { node } => {
                format!("投诉由县级电子监察答复，{node} 不能答复")
            }
            StaffRefusal::ExcellentOverQuota {
                excellent,
                assessed,
                max,
            } => format!(
                "优秀 {excellent} 人超过比例：参加考核 {assessed} 人，优秀最多 {max} 人（20% 向下取整）"
            ),
            StaffRefusal::NotOnRoster { staff } => format!("工号“{staff}”不在人员名册中"),
            StaffRefusal::NoCompetentCentre => "本中心不能办理的事项须写明有权办理的中心".into(),
            StaffRefusal::StandInForSelf { staff } => {
                format!("AB岗替岗人员不能是本人（{staff}）")
            }
            StaffRefusal::ZeroPoints => "激励积分不能为零".into(),
            StaffRefusal::CorrectionDeadlinePast { correct_by, on } => {
                format!("整改期限 {correct_by} 早于督办当日 {on}")
            }
            StaffRefusal::UnknownEvaluation { op } => format!("该办件没有评价 {op}"),
            StaffRefusal::AlreadyAppealed { appeal } => format!("该评价已申诉（{appeal}）"),
            StaffRefusal::UnknownAppeal { op } => format!("该办件没有申诉 {op}"),
            StaffRefusal::AppealAlreadyDecided { decision } => {
                format!("该申诉已复核（{decision}）")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            StaffRefusal::Empty { field } => format!("{field}: must not be empty"),
            StaffRefusal::ComplaintAlreadyReceived { receipt } => {
                format!("the complaint was already received ({receipt})")
            }
            StaffRefusal::ComplaintNotReceived => {
                "the complaint has not been received; nothing to answer".into()
            }
            StaffRefusal::ComplaintAlreadyAnswered { answer } => {
                format!("the complaint was already answered ({answer})")
            }
            StaffRefusal::AnswerDaysOutOfRange { days } => format!(
                "an answer time of {days} working days: use 1 to {MAX_ANSWER_DAYS}"
            ),
            StaffRefusal::AnsweredOutsideCounty { node } => format!(
                "complaints are answered by e-supervision at the county, not at {node}"
            ),
            StaffRefusal::ExcellentOverQuota {
                excellent,
                assessed,
                max,
            } => format!(
                "{excellent} graded excellent out of {assessed} assessed: at most {max} (floor of 20%)"
            ),
            StaffRefusal::NotOnRoster { staff } => format!("staff id {staff} is not on the roster"),
            StaffRefusal::NoCompetentCentre => {
                "a matter not handled here must name the competent centre".into()
            }
            StaffRefusal::StandInForSelf { staff } => {
                format!("a stand-in acts for someone else, not for {staff}")
            }
            StaffRefusal::ZeroPoints => "incentive points must not be zero".into(),
            StaffRefusal::CorrectionDeadlinePast { correct_by, on } => {
                format!("a correction deadline of {correct_by} is before the day it is set, {on}")
            }
            StaffRefusal::UnknownEvaluation { op } => format!("this case has no evaluation {op}"),
            StaffRefusal::AlreadyAppealed { appeal } => {
                format!("the evaluation is already appealed ({appeal})")
            }
            StaffRefusal::UnknownAppeal { op } => format!("this case has no appeal {op}"),
            StaffRefusal::AppealAlreadyDecided { decision } => {
                format!("the appeal is already decided ({decision})")
            }
        }
    }
}

impl std::fmt::Display for StaffRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en())
    }
}

impl std::error::Error for StaffRefusal {}
