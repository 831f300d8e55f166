//! [`EventTag`]: an event's kind without its fields, one per
//! [`EventKind`] variant, so tables (the permission table, counts) can be
//! keyed by kind. `EventKind::tag` is exhaustive, so a new event kind does
//! not compile until it has a tag (and then a row in the permission table).

use serde::{Deserialize, Serialize};

use super::EventKind;
use crate::base::Lang;

/// An event's kind, without its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventTag {
    Submitted,
    CorrectionRequested,
    CorrectionSupplied,
    Accepted,
    Rejected,
    RoutedToDepartment,
    OpinionGiven,
    SupplementRequested,
    SupplementSupplied,
    SpecialProcedureStarted,
    SpecialProcedureEnded,
    Decided,
    FeeCharged,
    Concluded,
    Delivered,
    Withdrawn,
    Evaluated,
    BadReviewHandled,
    SupervisionFlagged,
    SupervisionResolved,
    SupervisionAnnotated,
    Retracted,
    OpinionRequested,
    OpinionRecorded,
    EvaluationInvited,
    FeeWaived,
    SupervisionAssigned,
    EvaluationAppealed,
    AppealDecided,
}

impl EventTag {
    /// Every tag, in [`EventKind`]'s variant order.
    pub const ALL: [EventTag; 29] = [
        EventTag::Submitted,
        EventTag::CorrectionRequested,
        EventTag::CorrectionSupplied,
        EventTag::Accepted,
        EventTag::Rejected,
        EventTag::RoutedToDepartment,
        EventTag::OpinionGiven,
        EventTag::SupplementRequested,
        EventTag::SupplementSupplied,
        EventTag::SpecialProcedureStarted,
        EventTag::SpecialProcedureEnded,
        EventTag::Decided,
        EventTag::FeeCharged,
        EventTag::Concluded,
        EventTag::Delivered,
        EventTag::Withdrawn,
        EventTag::Evaluated,
        EventTag::BadReviewHandled,
        EventTag::SupervisionFlagged,
        EventTag::SupervisionResolved,
        EventTag::SupervisionAnnotated,
        EventTag::Retracted,
        EventTag::OpinionRequested,
        EventTag::OpinionRecorded,
        EventTag::EvaluationInvited,
        EventTag::FeeWaived,
        EventTag::SupervisionAssigned,
        EventTag::EvaluationAppealed,
        EventTag::AppealDecided,
    ];

    /// The stable name of [`EventKind::name`]; both opinion forms are
    /// `opinion`.
    pub fn name(self) -> &'static str {
        match self {
            EventTag::Submitted => "submitted",
            EventTag::CorrectionRequested => "correction-requested",
            EventTag::CorrectionSupplied => "correction-supplied",
            EventTag::Accepted => "accepted",
            EventTag::Rejected => "rejected",
            EventTag::RoutedToDepartment => "routed",
            EventTag::OpinionGiven => "opinion",
            EventTag::SupplementRequested => "supplement-requested",
            EventTag::SupplementSupplied => "supplement-supplied",
            EventTag::SpecialProcedureStarted => "special-started",
            EventTag::SpecialProcedureEnded => "special-ended",
            EventTag::Decided => "decided",
            EventTag::FeeCharged => "fee",
            EventTag::Concluded => "concluded",
            EventTag::Delivered => "delivered",
            EventTag::Withdrawn => "withdrawn",
            EventTag::Evaluated => "evaluated",
            EventTag::BadReviewHandled => "bad-review-handled",
            EventTag::SupervisionFlagged => "supervision-flagged",
            EventTag::SupervisionResolved => "supervision-resolved",
            EventTag::SupervisionAnnotated => "supervision-annotated",
            EventTag::Retracted => "retracted",
            EventTag::OpinionRequested => "opinion-requested",
            EventTag::OpinionRecorded => "opinion",
            EventTag::EvaluationInvited => "evaluation-invited",
            EventTag::FeeWaived => "fee-waived",
            EventTag::SupervisionAssigned => "supervision-assigned",
            EventTag::EvaluationAppealed => "evaluation-appealed",
            EventTag::AppealDecided => "appeal-decided",
        }
    }

    /// The clerk-facing name of the kind (a decision: 审批决定).
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            EventTag::Submitted => ("申请", "submitted"),
            EventTag::CorrectionRequested => ("补正告知", "correction requested"),
            EventTag::CorrectionSupplied => ("补齐材料", "correction supplied"),
            EventTag::Accepted => ("受理", "accepted"),
            EventTag::Rejected => ("不予受理", "rejected"),
            EventTag::RoutedToDepartment => ("分送部门", "routed to department"),
            EventTag::OpinionGiven | EventTag::OpinionRecorded => ("审查意见", "opinion"),
            EventTag::SupplementRequested => ("补齐补正", "supplement requested"),
            EventTag::SupplementSupplied => ("补正完成", "supplement supplied"),
            EventTag::SpecialProcedureStarted => ("特别程序开始", "special procedure"),
            EventTag::SpecialProcedureEnded => ("特别程序结束", "special procedure ended"),
            EventTag::Decided => ("审批决定", "decision"),
            EventTag::FeeCharged => ("收费", "fee charged"),
            EventTag::Concluded => ("办结", "concluded"),
            EventTag::Delivered => ("送达", "delivered"),
            EventTag::Withdrawn => ("撤回", "withdrawn"),
            EventTag::Evaluated => ("好差评", "evaluated"),
            EventTag::BadReviewHandled => ("差评整改", "bad review handled"),
            EventTag::SupervisionFlagged => ("电子监察督办", "supervision flagged"),
            EventTag::SupervisionResolved => ("督办办结", "supervision resolved"),
            EventTag::SupervisionAnnotated => ("督办批注", "supervision note"),
            EventTag::Retracted => ("更正作废", "retracted"),
            EventTag::OpinionRequested => ("征求意见", "opinion requested"),
            EventTag::EvaluationInvited => ("评价邀请", "evaluation invited"),
            EventTag::FeeWaived => ("免收", "fee waived"),
            EventTag::SupervisionAssigned => ("督办责任", "supervision assigned"),
            EventTag::EvaluationAppealed => ("差评申诉", "evaluation appealed"),
            EventTag::AppealDecided => ("申诉复核", "appeal decided"),
        };
        lang.pick(zh, en)
    }

    /// The first tag whose [`EventTag::name`] is `name`.
    pub fn from_name(name: &str) -> Option<EventTag> {
        EventTag::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The static name equal to `name`, if it is one of [`EventTag::name`]'s
    /// (for values that hold a name as `&'static str` and must decode one).
    pub fn static_name(name: &str) -> Option<&'static str> {
        EventTag::ALL
            .into_iter()
            .map(EventTag::name)
            .find(|n| *n == name)
    }
}

impl EventKind {
    /// The kind without its fields.
    pub fn tag(&self) -> EventTag {
        match self {
            EventKind::Submitted { .. } => EventTag::Submitted,
            EventKind::CorrectionRequested { .. } => EventTag::CorrectionRequested,
            EventKind::CorrectionSupplied { .. } => EventTag::CorrectionSupplied,
            EventKind::Accepted { .. } => EventTag::Accepted,
            EventKind::Rejected { .. } => EventTag::Rejected,
            EventKind::RoutedToDepartment { .. } => EventTag::RoutedToDepartment,
            EventKind::OpinionGiven { .. } => EventTag::OpinionGiven,
            EventKind::SupplementRequested { .. } => EventTag::SupplementRequested,
            EventKind::SupplementSupplied { .. } => EventTag::SupplementSupplied,
            EventKind::SpecialProcedureStarted { .. } => EventTag::SpecialProcedureStarted,
            EventKind::SpecialProcedureEnded { .. } => EventTag::SpecialProcedureEnded,
            EventKind::Decided { .. } => EventTag::Decided,
            EventKind::FeeCharged { .. } => EventTag::FeeCharged,
            EventKind::Concluded => EventTag::Concluded,
            EventKind::Delivered { .. } => EventTag::Delivered,
            EventKind::Withdrawn { .. } => EventTag::Withdrawn,
            EventKind::Evaluated { .. } => EventTag::Evaluated,
            EventKind::BadReviewHandled { .. } => EventTag::BadReviewHandled,
            EventKind::SupervisionFlagged { .. } => EventTag::SupervisionFlagged,
            EventKind::SupervisionResolved { .. } => EventTag::SupervisionResolved,
            EventKind::SupervisionAnnotated { .. } => EventTag::SupervisionAnnotated,
            EventKind::Retracted { .. } => EventTag::Retracted,
            EventKind::OpinionRequested { .. } => EventTag::OpinionRequested,
            EventKind::OpinionRecorded { .. } => EventTag::OpinionRecorded,
            EventKind::EvaluationInvited { .. } => EventTag::EvaluationInvited,
            EventKind::FeeWaived { .. } => EventTag::FeeWaived,
            EventKind::SupervisionAssigned { .. } => EventTag::SupervisionAssigned,
            EventKind::EvaluationAppealed { .. } => EventTag::EvaluationAppealed,
            EventKind::AppealDecided { .. } => EventTag::AppealDecided,
        }
    }
}
