//! E-supervision items (电子监察督办), DOMAIN.md §4.
//!
//! Every node derives the same items from (events, calendar, matter, now):
//! each warning that e-supervision acts on, with a deterministic id =
//! blake3(case id, rule, threshold), so the county writes one
//! `SupervisionFlagged` per crossing and every node names it alike. Items
//! are never deleted: once flagged, an item stays on the case even when the
//! warning that raised it has gone (a yellow on a case concluded in time);
//! `SupervisionResolved` marks it resolved and `SupervisionAnnotated` adds
//! notes. Flags and notes count even if some event claims to supersede
//! them; only a resolution can itself be superseded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::event::EventKind;
use super::fold::{fold, FoldContext};
use super::record::CaseRecord;
use super::warning::Warning;
use super::Lang;
use liandong_model::{CaseId, OpId};

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

/// A note added to an item, or its resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemNote {
    pub op: OpId,
    pub at_ms: u64,
    pub note: String,
}

/// One supervision item on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupervisionItem {
    pub id: SupervisionId,
    pub rule: Rule,
    /// The warning behind the item, while it still holds as of `now`
    /// (describe it with [`Warning::describe`]).
    pub warning: Option<Warning>,
    /// The `SupervisionFlagged` event, once the county wrote it, and its note.
    pub flagged_by: Option<OpId>,
    pub flag_note: String,
    pub resolved: Option<ItemNote>,
    pub notes: Vec<ItemNote>,
}

impl SupervisionItem {
    /// The county's rule engine should write a `SupervisionFlagged`.
    pub fn needs_flag(&self) -> bool {
        self.flagged_by.is_none()
    }

    /// Whether the warning behind the item still holds.
    pub fn current(&self) -> bool {
        self.warning.is_some()
    }
}

/// Every supervision item of a case, by id: the derived ones and the
/// flagged ones, with their resolutions and notes.
pub fn supervision_items(
    case: &CaseId,
    record: &CaseRecord,
    ctx: &FoldContext<'_>,
) -> Vec<SupervisionItem> {
    let state = fold(record, ctx);
    let mut items: BTreeMap<SupervisionId, SupervisionItem> = state
        .warnings
        .into_iter()
        .filter_map(|w| {
            let rule = w.rule()?;
            let id = SupervisionId::derive(case, rule, &w.threshold());
            let item = SupervisionItem {
                id: id.clone(),
                rule,
                warning: Some(w),
                flagged_by: None,
                flag_note: String::new(),
                resolved: None,
                notes: Vec::new(),
            };
            Some((id, item))
        })
        .collect();
    let history = record.history();
    // Flags first, so a note or resolution ordered before its flag (by a
    // skewed clock) still finds its item.
    for (op, e) in &history {
        if let EventKind::SupervisionFlagged { item, rule, note } = &e.event.kind {
            let entry = items
                .entry(item.clone())
                .or_insert_with(|| SupervisionItem {
                    id: item.clone(),
                    rule: *rule,
                    warning: None,
                    flagged_by: None,
                    flag_note: String::new(),
                    resolved: None,
                    notes: Vec::new(),
                });
            if entry.flagged_by.as_ref().is_none_or(|f| *op < f) {
                entry.flagged_by = Some((*op).clone());
                entry.flag_note = note.clone();
            }
        }
    }
    let superseded = record.superseded();
    for (op, e) in &history {
        let item_note = |note: &String| ItemNote {
            op: (*op).clone(),
            at_ms: e.event.at_ms,
            note: note.clone(),
        };
        match &e.event.kind {
            EventKind::SupervisionResolved { item, note } if !superseded.contains(*op) => {
                if let Some(entry) = items.get_mut(item) {
                    entry.resolved.get_or_insert_with(|| item_note(note));
                }
            }
            EventKind::SupervisionAnnotated { item, note } => {
                if let Some(entry) = items.get_mut(item) {
                    entry.notes.push(item_note(note));
                }
            }
            _ => {}
        }
    }
    items.into_values().collect()
}
