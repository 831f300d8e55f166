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
//!
//! This sits above [`mod@crate::fold`]: it folds the case to find its current
//! warnings. The rules and the item id themselves are in [`crate::rule`], so
//! events can name them without depending on this module.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::context::FoldContext;
use crate::event::EventKind;
use crate::fold::fold;
use crate::record::CaseRecord;
pub use crate::rule::{Rule, SupervisionId};
use crate::warning::Warning;
use liandong_model::{CaseId, OpId};

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
