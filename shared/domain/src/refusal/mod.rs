//! Why an event cannot be recorded: one variant per broken precondition,
//! each worded for the clerk at the window ([`Refusal::message`], Chinese
//! by default, English on request). The same values describe anomalies in
//! a case's state when such an event arrives by replication.
//!
//! The refusals about who recorded an event (its role, the person, the
//! node, the roster) are worded in `identity`, those about an applicant's
//! or agent's identity document in `applicant`, both languages side by
//! side; those of the acceptance, decision and fee rules in `rules`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod applicant;
mod identity;
mod required;
mod rules;
mod staff;

pub use required::RequiredField;
pub use staff::{StaffRefusal, MAX_ANSWER_DAYS};

use crate::applicant::{Holder, IdType, NumberFault};
use crate::authorisation::AuthError;
use crate::base::{Lang, Level};
use crate::matter::SpecialKind;
use crate::rule::SupervisionId;
use crate::staff::StaffRole;
use crate::status::Status;
use liandong_model::{NodeId, OpId};

/// An event's stable name, as `&'static str`. Spelt through this alias so
/// serde does not take the field for a borrow from the input (which would
/// let `Refusal` decode only from `'static` bytes); `identity::event_name`
/// reads it back as a static name.
type EventName = &'static str;

/// A broken precondition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    Required(RequiredField),
    /// A rule of e-supervision or staff management (`staff`).
    Staff(StaffRefusal),
    NotSubmitted,
    AlreadySubmitted,
    UnknownMatter {
        code: String,
    },
    MatterRetired {
        code: String,
    },
    MatterNotAtThisLevel {
        code: String,
        level: Level,
    },
    CaseClosed {
        status: Status,
    },
    CorrectionAfterAcceptance,
    NothingListed,
    CorrectionAlreadyRequested {
        request: OpId,
    },
    NoSuchRequest {
        op: OpId,
    },
    AlreadyAnswered {
        op: OpId,
    },
    AlreadyAccepted,
    AlreadyRejected,
    CorrectionOutstanding {
        missing: Vec<String>,
    },
    MaterialsMissing {
        materials: Vec<String>,
    },
    NotTolerable {
        material: String,
    },
    TolerancePromiseTooLate {
        promised_by: NaiveDate,
        latest: NaiveDate,
    },
    NotAccepted,
    AlreadyRouted {
        department: String,
    },
    NotRouted {
        department: String,
    },
    AlreadyGaveOpinion {
        department: String,
    },
    ExtensionTooLong {
        days: u16,
        max: u16,
    },
    ExtensionAlreadyGranted {
        op: OpId,
    },
    ProcedureTooLong {
        kind: SpecialKind,
        days: u16,
        max: u16,
    },
    AlreadyDecided {
        department: String,
        op: OpId,
    },
    Unauthorised(AuthError),
    FeeNotInCatalogue {
        item: String,
        allowed: Vec<String>,
    },
    FeeAmountMismatch {
        item: String,
        catalogue_fen: u64,
        charged_fen: u64,
    },
    FeeAlreadyCharged {
        item: String,
    },
    DecisionRequired,
    AwaitingOpinions {
        departments: Vec<String>,
    },
    PauseOpen {
        op: OpId,
    },
    AlreadyConcluded,
    NotConcluded,
    AlreadyDelivered,
    WithdrawAfterConclusion,
    AlreadyWithdrawn,
    EvaluationLevel {
        level: u8,
    },
    AlreadyEvaluated,
    NotABadReview {
        op: OpId,
    },
    SupervisionAlreadyFlagged {
        item: SupervisionId,
    },
    UnknownSupervisionItem {
        item: SupervisionId,
    },
    SupervisionAlreadyResolved {
        item: SupervisionId,
    },
    NothingToRetract,
    UnknownSupersededEvent {
        op: OpId,
    },
    /// Supervision records cannot be retracted or superseded.
    SupervisionIsPermanent {
        op: OpId,
    },
    /// Routing goes only to the matter's lead and co-departments or the
    /// departments its routing rule names.
    NotInRouting {
        department: String,
        matter: String,
    },
    AlreadyAsked {
        township: String,
    },
    OpinionNotRequested {
        township: String,
    },
    /// A decision's department is the department of its authorisation.
    DecisionDepartment {
        department: String,
        authorisation: String,
        belongs_to: String,
    },
    /// The lead concludes only after every routed part is decided.
    PartsUndecided {
        departments: Vec<String>,
    },
    /// The recorder's role may not record this kind of event
    /// ([`crate::permission`]); `event` is [`crate::EventKind::name`].
    RoleMayNotRecord {
        role: StaffRole,
        #[serde(with = "identity::event_name")]
        event: EventName,
    },
    /// An evaluation comes from the applicant only: it has no recorder.
    EvaluationByStaff,
    /// A decision names its decider: the one signed in.
    DecidesAsSomeoneElse {
        recorder: String,
        by: String,
    },
    /// Superseding an event recorded before recorders existed needs a role
    /// that may record its kind.
    RoleMayNotRetract {
        role: StaffRole,
        #[serde(with = "identity::event_name")]
        event: EventName,
    },
    /// An event is superseded only by the role that recorded it.
    RetractsAnotherRole {
        role: StaffRole,
        recorded_as: StaffRole,
    },
    /// An event is superseded only at the node where it was recorded.
    RetractsElsewhere {
        node: NodeId,
        origin: NodeId,
    },
    /// A decision is superseded only by the person who made it.
    RetractsAnotherPersonsDecision {
        staff: String,
        by: String,
    },
    /// An evaluation is never retracted or superseded.
    EvaluationRetracted,
    /// An evaluation code is handed out only at conclusion.
    InvitationBeforeConclusion,
    /// The applicant's evaluation code does not match this case (or it
    /// was used already: one evaluation per case).
    WrongEvaluationCode,
    /// Received: the recorder is not on the roster held here.
    RecorderNotOnRoster {
        staff: String,
    },
    /// Received: the roster held here does not give the recorder the role
    /// the event was recorded in.
    RecorderLacksRole {
        staff: String,
        role: StaffRole,
        node: NodeId,
    },
    /// Received: the role works at the person's centres, and the event was
    /// recorded elsewhere (`centres` empty: the county hall).
    RecorderOutsideCentres {
        staff: String,
        role: StaffRole,
        node: NodeId,
        centres: Vec<String>,
    },
    /// Received: the recorder's node is not the node that originated the
    /// operation.
    RecorderNotOrigin {
        node: NodeId,
        origin: NodeId,
    },
    /// An applicant's or agent's document number is wrong (GB 11643 /
    /// GB 32100 or the document's length and characters).
    DocumentNumber {
        holder: Holder,
        id_type: IdType,
        fault: NumberFault,
    },
    /// A legal representative is recorded only for an organisation.
    LegalRepresentativeForPerson {
        id_type: IdType,
    },
    // Acceptance, decision and fee rules, worded in `rules`.
    /// A correction notice or a rejection after the notice days passed
    /// with no reply: the case stands accepted (行政许可法 §32).
    DeemedAccepted {
        notice_due: NaiveDate,
    },
    /// Conclusion with catalogue fees due neither charged nor waived.
    FeesUnsettled {
        items: Vec<String>,
    },
    FeeAlreadyWaived {
        item: String,
    },
}

fn list(items: &[String], lang: Lang) -> String {
    items.join(lang.pick("、", ", "))
}

impl Refusal {
    /// The text a clerk reads.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }

    fn zh(&self) -> String {
        let l = |items: &[String]| list(items, Lang::Zh);
        match self {
            Refusal::Required(f) => format!("{}不能为空", f.label(Lang::Zh)),
            Refusal::NotSubmitted => "该办件没有申请记录，请先登记申请".into(),
            Refusal::AlreadySubmitted => "该办件已有申请记录，不能重复申请".into(),
            Refusal::UnknownMatter { code } => format!("事项目录中没有事项 {code}"),
            Refusal::MatterRetired { code } => format!("事项 {code} 已停用，不能受理"),
            Refusal::MatterNotAtThisLevel { code, level } => format!(
                "事项 {code} 为{}事项，本中心不能受理",
                level.label(Lang::Zh)
            ),
            Refusal::CaseClosed { status } => {
                format!("该办件{}，不能再办理此项", status.label(Lang::Zh))
            }
            Refusal::CorrectionAfterAcceptance => "已受理的办件不能再发补正告知".into(),
            Refusal::NothingListed => "请至少列出一项缺少的材料".into(),
            Refusal::CorrectionAlreadyRequested { .. } => {
                "已发过补正告知：补正须一次性告知全部内容，如需更正请作废原告知后重发".into()
            }
            Refusal::NoSuchRequest { op } => format!("找不到被答复的记录 {op}"),
            Refusal::AlreadyAnswered { op } => format!("记录 {op} 已答复过"),
            Refusal::AlreadyAccepted => "该办件已受理".into(),
            Refusal::AlreadyRejected => "该办件已不予受理".into(),
            Refusal::CorrectionOutstanding { missing } => {
                format!("补正材料尚未补齐：{}", l(missing))
            }
            Refusal::MaterialsMissing { materials } => format!(
                "缺少必需材料：{}；请补正，或按容缺受理登记并承诺补交日期",
                l(materials)
            ),
            Refusal::NotTolerable { material } => format!("材料“{material}”不允许容缺"),
            Refusal::TolerancePromiseTooLate {
                promised_by,
                latest,
            } => format!("容缺补交日期 {promised_by} 晚于承诺时限 {latest}"),
            Refusal::NotAccepted => "该办件尚未受理".into(),
            Refusal::AlreadyRouted { department } => format!("已分送给 {department}"),
            Refusal::NotRouted { department } => format!("该办件未分送给 {department}"),
            Refusal::AlreadyGaveOpinion { department } => format!("{department} 已出具意见"),
            Refusal::NotInRouting { department, matter } => {
                format!("事项 {matter} 的主办、协办部门和联办路由中没有 {department}，不能分送")
            }
            Refusal::AlreadyAsked { township } => format!("已向 {township} 征求过意见"),
            Refusal::OpinionNotRequested { township } => {
                format!("该办件未向 {township} 征求意见")
            }
            Refusal::DecisionDepartment {
                department,
                authorisation,
                belongs_to,
            } => format!(
                "授权书 {authorisation} 属于 {belongs_to}，不能用于 {department} 的审批决定"
            ),
            Refusal::PartsUndecided { departments } => format!(
                "以下部门的审批事项尚未作出决定，不能办结：{}",
                l(departments)
            ),
            Refusal::ExtensionTooLong { days, max } => {
                format!("延长 {days} 个工作日超过上限 {max} 个工作日")
            }
            Refusal::ExtensionAlreadyGranted { .. } => "该办件已延长过审批时限".into(),
            Refusal::ProcedureTooLong { kind, days, max } => {
                format!(
                    "{}{days} 个工作日，超过目录规定的 {max} 个工作日",
                    kind.label(Lang::Zh)
                )
            }
            Refusal::AlreadyDecided { department, .. } => {
                format!("{department} 已作出决定；如需更正请作废原决定后重新决定")
            }
            Refusal::Unauthorised(e) => format!("无权决定：{}", e.message(Lang::Zh)),
            Refusal::FeeNotInCatalogue { item, allowed } if allowed.is_empty() => {
                format!("收费项目“{item}”不在收费目录内：该事项不收费")
            }
            Refusal::FeeNotInCatalogue { item, allowed } => {
                format!("收费项目“{item}”不在收费目录内，可收：{}", l(allowed))
            }
            Refusal::FeeAmountMismatch {
                item,
                catalogue_fen,
                charged_fen,
            } => format!(
                "“{item}”应收 {} 元，不能收 {} 元",
                yuan(*catalogue_fen),
                yuan(*charged_fen)
            ),
            Refusal::FeeAlreadyCharged { item } => format!("“{item}”已收过费"),
            Refusal::DecisionRequired => "尚未作出审批决定，不能办结".into(),
            Refusal::AwaitingOpinions { departments } => {
                format!("尚待部门意见：{}", l(departments))
            }
            Refusal::PauseOpen { op } => format!("补正或特别程序 {op} 尚未结束"),
            Refusal::AlreadyConcluded => "该办件已办结".into(),
            Refusal::NotConcluded => "办件尚未办结，不能送达".into(),
            Refusal::AlreadyDelivered => "该办件已送达".into(),
            Refusal::WithdrawAfterConclusion => "办件已办结，不能撤回".into(),
            Refusal::AlreadyWithdrawn => "该办件已撤回".into(),
            Refusal::EvaluationLevel { level } => {
                format!("评价等级 {level} 无效：应为 1（非常满意）至 5（非常不满意）")
            }
            Refusal::AlreadyEvaluated => "该办件已评价过".into(),
            Refusal::NotABadReview { op } => format!("记录 {op} 不是差评（4 或 5 级）"),
            Refusal::SupervisionAlreadyFlagged { item } => format!("督办事项 {item} 已立项"),
            Refusal::UnknownSupervisionItem { item } => format!("该办件没有督办事项 {item}"),
            Refusal::SupervisionAlreadyResolved { item } => format!("督办事项 {item} 已办结"),
            Refusal::NothingToRetract => "作废须指明被作废的记录".into(),
            Refusal::UnknownSupersededEvent { op } => format!("该办件没有记录 {op}"),
            Refusal::Staff(r) => r.message(Lang::Zh),
            Refusal::SupervisionIsPermanent { op } => {
                format!("{op} 是电子监察督办记录，任何人不能撤销或删除；可以批注或标记已解决")
            }
            Refusal::RoleMayNotRecord { .. }
            | Refusal::EvaluationByStaff
            | Refusal::InvitationBeforeConclusion
            | Refusal::WrongEvaluationCode
            | Refusal::DecidesAsSomeoneElse { .. }
            | Refusal::RoleMayNotRetract { .. }
            | Refusal::RetractsAnotherRole { .. }
            | Refusal::RetractsElsewhere { .. }
            | Refusal::RetractsAnotherPersonsDecision { .. }
            | Refusal::EvaluationRetracted
            | Refusal::RecorderNotOnRoster { .. }
            | Refusal::RecorderLacksRole { .. }
            | Refusal::RecorderOutsideCentres { .. }
            | Refusal::RecorderNotOrigin { .. } => {
                self.identity_message(Lang::Zh).unwrap_or_default()
            }
            Refusal::DocumentNumber { .. } | Refusal::LegalRepresentativeForPerson { .. } => {
                self.document_message(Lang::Zh).unwrap_or_default()
            }
            Refusal::DeemedAccepted { .. }
            | Refusal::FeesUnsettled { .. }
            | Refusal::FeeAlreadyWaived { .. } => self.rules_message(Lang::Zh).unwrap_or_default(),
        }
    }

    fn en(&self) -> String {
        let l = |items: &[String]| list(items, Lang::En);
        match self {
            Refusal::Required(f) => format!("{} must not be empty", f.label(Lang::En)),
            Refusal::NotSubmitted => "this case has no application yet".into(),
            Refusal::AlreadySubmitted => "this case already has an application".into(),
            Refusal::UnknownMatter { code } => format!("matter {code} is not in the catalogue"),
            Refusal::MatterRetired { code } => format!("matter {code} is retired"),
            Refusal::MatterNotAtThisLevel { code, level } => format!(
                "matter {code} is a {}-level matter; this centre cannot accept it",
                level.label(Lang::En)
            ),
            Refusal::CaseClosed { status } => format!("the case is {}", status.label(Lang::En)),
            Refusal::CorrectionAfterAcceptance => {
                "the case is accepted: no correction notice any more".into()
            }
            Refusal::NothingListed => "list at least one missing item (--missing)".into(),
            Refusal::CorrectionAlreadyRequested { .. } => {
                "a correction notice was already sent: one notice lists everything; retract it to send another".into()
            }
            Refusal::NoSuchRequest { op } => format!("no event {op} to answer"),
            Refusal::AlreadyAnswered { op } => format!("event {op} was already answered"),
            Refusal::AlreadyAccepted => "the case is already accepted".into(),
            Refusal::AlreadyRejected => "the case was already rejected".into(),
            Refusal::CorrectionOutstanding { missing } => {
                format!("the correction is still outstanding: {}", l(missing))
            }
            Refusal::MaterialsMissing { materials } => format!(
                "mandatory materials missing: {}; request a correction or accept with tolerance",
                l(materials)
            ),
            Refusal::NotTolerable { material } => {
                format!("material `{material}` may not be missing at acceptance")
            }
            Refusal::TolerancePromiseTooLate {
                promised_by,
                latest,
            } => format!("promised date {promised_by} is after the promised limit {latest}"),
            Refusal::NotAccepted => "the case is not accepted yet".into(),
            Refusal::AlreadyRouted { department } => format!("already routed to {department}"),
            Refusal::NotRouted { department } => format!("the case was not routed to {department}"),
            Refusal::AlreadyGaveOpinion { department } => {
                format!("{department} already gave its opinion")
            }
            Refusal::NotInRouting { department, matter } => format!(
                "{department} is neither a lead or co-department of matter {matter} nor in its routing rule: cannot route to it"
            ),
            Refusal::AlreadyAsked { township } => format!("{township} was already asked for an opinion"),
            Refusal::OpinionNotRequested { township } => {
                format!("{township} was not asked for an opinion on this case")
            }
            Refusal::DecisionDepartment {
                department,
                authorisation,
                belongs_to,
            } => format!(
                "authorisation {authorisation} belongs to {belongs_to}: it cannot decide {department}'s part"
            ),
            Refusal::PartsUndecided { departments } => format!(
                "parts not decided yet: {}; every routed department decides its own part before the case is concluded",
                l(departments)
            ),
            Refusal::ExtensionTooLong { days, max } => {
                format!("an extension of {days} working days exceeds the {max} allowed")
            }
            Refusal::ExtensionAlreadyGranted { op } => format!("already extended ({op})"),
            Refusal::ProcedureTooLong { kind, days, max } => format!(
                "{} for {days} days exceeds the catalogue's {max}",
                kind.label(Lang::En)
            ),
            Refusal::AlreadyDecided { department, op } => format!(
                "{department} already decided ({op}); retract that decision to decide again"
            ),
            Refusal::Unauthorised(e) => format!("not authorised: {}", e.message(Lang::En)),
            Refusal::FeeNotInCatalogue { item, allowed } if allowed.is_empty() => {
                format!("fee item `{item}` is not in the catalogue: the matter is free")
            }
            Refusal::FeeNotInCatalogue { item, allowed } => format!(
                "fee item `{item}` is not in the catalogue; allowed: {}",
                l(allowed)
            ),
            Refusal::FeeAmountMismatch {
                item,
                catalogue_fen,
                charged_fen,
            } => format!(
                "`{item}` is {} yuan in the catalogue, not {}",
                yuan(*catalogue_fen),
                yuan(*charged_fen)
            ),
            Refusal::FeeAlreadyCharged { item } => format!("`{item}` was already charged"),
            Refusal::DecisionRequired => "no decision yet: cannot conclude".into(),
            Refusal::AwaitingOpinions { departments } => {
                format!("still waiting for opinions from {}", l(departments))
            }
            Refusal::PauseOpen { op } => format!("supplement or special procedure {op} is still open"),
            Refusal::AlreadyConcluded => "the case is already concluded".into(),
            Refusal::NotConcluded => "the case is not concluded: cannot deliver".into(),
            Refusal::AlreadyDelivered => "the case is already delivered".into(),
            Refusal::WithdrawAfterConclusion => "the case is concluded: cannot withdraw".into(),
            Refusal::AlreadyWithdrawn => "the case is already withdrawn".into(),
            Refusal::EvaluationLevel { level } => format!(
                "evaluation level {level}: use 1 (very satisfied) to 5 (very dissatisfied)"
            ),
            Refusal::AlreadyEvaluated => "the case was already evaluated".into(),
            Refusal::NotABadReview { op } => format!("event {op} is not a bad review (level 4-5)"),
            Refusal::SupervisionAlreadyFlagged { item } => format!("item {item} is already flagged"),
            Refusal::UnknownSupervisionItem { item } => format!("no supervision item {item} on this case"),
            Refusal::SupervisionAlreadyResolved { item } => format!("item {item} is already resolved"),
            Refusal::NothingToRetract => "name the event to retract".into(),
            Refusal::UnknownSupersededEvent { op } => format!("this case has no event {op}"),
            Refusal::Staff(r) => r.message(Lang::En),
            Refusal::SupervisionIsPermanent { op } => format!(
                "{op} is an e-supervision record: nobody can retract or delete it; annotate or resolve it instead"
            ),
            Refusal::RoleMayNotRecord { .. }
            | Refusal::EvaluationByStaff
            | Refusal::InvitationBeforeConclusion
            | Refusal::WrongEvaluationCode
            | Refusal::DecidesAsSomeoneElse { .. }
            | Refusal::RoleMayNotRetract { .. }
            | Refusal::RetractsAnotherRole { .. }
            | Refusal::RetractsElsewhere { .. }
            | Refusal::RetractsAnotherPersonsDecision { .. }
            | Refusal::EvaluationRetracted
            | Refusal::RecorderNotOnRoster { .. }
            | Refusal::RecorderLacksRole { .. }
            | Refusal::RecorderOutsideCentres { .. }
            | Refusal::RecorderNotOrigin { .. } => self.identity_message(Lang::En).unwrap_or_default(),
            Refusal::DocumentNumber { .. } | Refusal::LegalRepresentativeForPerson { .. } => {
                self.document_message(Lang::En).unwrap_or_default()
            }
            Refusal::DeemedAccepted { .. }
            | Refusal::FeesUnsettled { .. }
            | Refusal::FeeAlreadyWaived { .. } => self.rules_message(Lang::En).unwrap_or_default(),
        }
    }
}

/// Fen as yuan with two decimals.
fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for Refusal {}
