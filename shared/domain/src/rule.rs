//! E-supervision rules (warning types of GB/T 39046 table 11) and the id of
//! a supervision item, DOMAIN.md §4.
//!
//! An item's id is blake3(case id, rule, threshold), so every node derives
//! the same id for the same crossing and the county writes one
//! `SupervisionFlagged` per crossing. The rule codes are part of every id:
//! they never change. This module is plain data below [`crate::event`]
//! (events carry these values); deriving items from a case is
//! [`crate::supervision`].

use serde::{Deserialize, Serialize};

use crate::base::Lang;
use liandong_model::CaseId;

/// A supervision item's id: 32 hex characters of
/// blake3(case id, rule, threshold).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SupervisionId(pub String);

impl SupervisionId {
    pub fn derive(case: &CaseId, rule: Rule, threshold: &str) -> Self {
        let mut hasher = blake3::Hasher::new();
        for part in [case.as_str(), rule.code(), threshold] {
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
        let hex = hasher.finalize().to_hex();
        SupervisionId(hex.as_str().chars().take(32).collect())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SupervisionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-supervision rule (warning type of GB/T 39046 table 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Rule {
    Yellow,
    Red,
    StatutoryOverdue,
    StageOverrun,
    DecisionWithoutReasons,
    RejectionWithoutReasons,
    FeeNotInCatalogue,
    DeemedAccepted,
    Conflict,
    DeliveryOverdue,
    BadReviewOverdue,
}

impl Rule {
    /// A stable code (part of every item id: never change one).
    pub fn code(self) -> &'static str {
        match self {
            Rule::Yellow => "yellow",
            Rule::Red => "red",
            Rule::StatutoryOverdue => "statutory-overdue",
            Rule::StageOverrun => "stage-overrun",
            Rule::DecisionWithoutReasons => "decision-without-reasons",
            Rule::RejectionWithoutReasons => "rejection-without-reasons",
            Rule::FeeNotInCatalogue => "fee-not-in-catalogue",
            Rule::DeemedAccepted => "deemed-accepted",
            Rule::Conflict => "conflict",
            Rule::DeliveryOverdue => "delivery-overdue",
            Rule::BadReviewOverdue => "bad-review-overdue",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            Rule::Yellow => ("黄牌预警", "yellow warning"),
            Rule::Red => ("红牌超时", "red: overdue"),
            Rule::StatutoryOverdue => ("超法定时限", "statutory limit passed"),
            Rule::StageOverrun => ("环节超时", "stage overrun"),
            Rule::DecisionWithoutReasons => ("不予许可未说明理由", "denial without reasons"),
            Rule::RejectionWithoutReasons => ("不予受理未说明理由", "rejection without reasons"),
            Rule::FeeNotInCatalogue => ("目录外收费", "fee not in catalogue"),
            Rule::DeemedAccepted => ("视为受理", "deemed accepted"),
            Rule::Conflict => ("办件冲突", "conflict"),
            Rule::DeliveryOverdue => ("送达超时", "delivery overdue"),
            Rule::BadReviewOverdue => ("差评整改超时", "bad review overdue"),
        };
        lang.pick(zh, en)
    }
}
