//! E-supervision items (电子监察督办), DOMAIN.md §4.
//!
//! Every node derives the same items from (events, calendar, matter, now):
//! each warning that e-supervision acts on, with a deterministic id =
//! blake3(case id, rule, threshold), so the county writes one
//! `SupervisionFlagged` per crossing and every node names it alike. The
//! threshold names the crossing ([`Warning::threshold`]): the limit a
//! deadline was crossed on, never a due date that moves while the clock is
//! paused.
//!
//! Items are never deleted: once flagged, an item stays on the case
//! even when the warning that raised it has gone (a yellow on a case
//! concluded in time); `SupervisionResolved` marks it resolved and
//! `SupervisionAnnotated` adds notes; `SupervisionAssigned` names the
//! department responsible and the day by which it must correct (the
//! latest assignment stands; [`SupervisionItem::correction_overdue`]). Flags and notes count even if some
//! event claims to supersede them; only a resolution can itself be
//! superseded.
//!
//! # What counts as a crossing
//!
//! A deadline rule (yellow, red, statutory overdue) is crossed once per
//! limit: the threshold is `limit:N`, N the limit in working days the case
//! has when the warning holds (promised or statutory, code 1 extensions
//! included). While the clock is paused (补齐补正, a code 2 special
//! procedure, a step that does not count) the days left stand still, a
//! yellow stays yellow and its due date moves: still the same crossing, so
//! one item however long the pause. A case that is yellow, paused,
//! resumed and yellow again on the same limit has one yellow item; only a
//! new limit (an extension that takes it out of yellow) makes the next
//! yellow a new crossing and a second item. Red after yellow is another
//! rule, so another item: yellow, pause, resume, red = one yellow and one
//! red. A warning that goes and comes back on the same limit (an
//! acceptance corrected, a conclusion retracted) is the same crossing.
//! The other rules name the event or fixed deadline they are about
//! ([`Warning::threshold`]).
//!
//! # Items flagged under due-date ids
//!
//! Yellow, red and statutory-overdue ids used to be keyed on the due date
//! (threshold `due:YYYY-MM-DD`), which moves every paused day, so a paused
//! case gathered one item a day. Those items are permanent and stay as they
//! are: the encoding (32 hex of blake3 over case, rule, threshold) has not
//! changed, so their ids still name them, and each is still listed with its
//! flag note, resolution and notes. A flag of one of those rules whose id
//! is none of the limit ids the case could have had is a due-date flag; it
//! is taken to be for the crossing on the limit that stood at its business
//! time (extensions started before it count). A current warning whose own
//! id is not flagged is shown on the earliest due-date item of its
//! crossing (history order) instead, and needs no flag: the next pass
//! writes nothing new for it. The later due-date items of that crossing
//! stay listed, flagged and without a warning, to be resolved like any
//! other item.
//!
//! This sits above [`mod@crate::fold`]: it folds the case to find its current
//! warnings. The rules and the item id themselves are in [`crate::rule`], so
//! events can name them without depending on this module.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::clock::{limits_at, MAX_CLOCK_DAYS};
use crate::context::FoldContext;
use crate::event::EventKind;
use crate::facts::Facts;
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
    /// The responsible department and correction deadline, once
    /// e-supervision named them (the latest `SupervisionAssigned`).
    pub assigned: Option<Assignment>,
}

/// A supervision item's responsible department and correction deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub op: OpId,
    pub at_ms: u64,
    pub department: String,
    pub correct_by: NaiveDate,
    pub note: String,
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

    /// Assigned, not resolved, and past its correction deadline on `today`.
    pub fn correction_overdue(&self, today: NaiveDate) -> bool {
        self.resolved.is_none() && self.assigned.as_ref().is_some_and(|a| today > a.correct_by)
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
    let history = record.history();
    let flags: Vec<Flag<'_>> = history
        .iter()
        .filter_map(|(op, e)| match &e.event.kind {
            EventKind::SupervisionFlagged { item, rule, note } => Some(Flag {
                op,
                item,
                rule: *rule,
                at_ms: e.event.at_ms,
                note,
            }),
            _ => None,
        })
        .collect();
    let mut items: BTreeMap<SupervisionId, SupervisionItem> = BTreeMap::new();
    for w in state.warnings {
        let Some(rule) = w.rule() else { continue };
        let own = SupervisionId::derive(case, rule, &w.threshold());
        let id = if flags.iter().any(|f| *f.item == own) {
            own
        } else {
            due_date_item(case, rule, &w, &flags, record, ctx).unwrap_or(own)
        };
        items.insert(id.clone(), unflagged(id, rule, Some(w)));
    }
    // Flags first, so a note or resolution ordered before its flag (by a
    // skewed clock) still finds its item.
    for f in &flags {
        let entry = items
            .entry(f.item.clone())
            .or_insert_with(|| unflagged(f.item.clone(), f.rule, None));
        if entry.flagged_by.as_ref().is_none_or(|by| f.op < by) {
            entry.flagged_by = Some(f.op.clone());
            entry.flag_note = f.note.clone();
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
            // History order: the latest assignment stands.
            EventKind::SupervisionAssigned {
                item,
                department,
                correct_by,
                note,
            } => {
                if let Some(entry) = items.get_mut(item) {
                    entry.assigned = Some(Assignment {
                        op: (*op).clone(),
                        at_ms: e.event.at_ms,
                        department: department.clone(),
                        correct_by: *correct_by,
                        note: note.clone(),
                    });
                }
            }
            _ => {}
        }
    }
    items.into_values().collect()
}

/// One `SupervisionFlagged` of the case.
struct Flag<'a> {
    op: &'a OpId,
    item: &'a SupervisionId,
    rule: Rule,
    at_ms: u64,
    note: &'a String,
}

fn unflagged(id: SupervisionId, rule: Rule, warning: Option<Warning>) -> SupervisionItem {
    SupervisionItem {
        id,
        rule,
        warning,
        flagged_by: None,
        flag_note: String::new(),
        resolved: None,
        notes: Vec::new(),
        assigned: None,
    }
}

/// Which limit a deadline rule is crossed on: the promised one (`false`)
/// or the statutory one (`true`); `None` for the other rules, whose ids
/// never named a due date that moves.
fn on_statutory_limit(rule: Rule) -> Option<bool> {
    match rule {
        Rule::Yellow | Rule::Red => Some(false),
        Rule::StatutoryOverdue => Some(true),
        _ => None,
    }
}

fn limit_of(warning: &Warning) -> Option<u32> {
    match warning {
        Warning::Yellow { limit_days, .. }
        | Warning::Red { limit_days, .. }
        | Warning::StatutoryOverdue { limit_days, .. } => Some(*limit_days),
        _ => None,
    }
}

/// The earliest item flagged under a due-date id for the crossing of
/// `warning` (see the module doc), if any.
fn due_date_item(
    case: &CaseId,
    rule: Rule,
    warning: &Warning,
    flags: &[Flag<'_>],
    record: &CaseRecord,
    ctx: &FoldContext<'_>,
) -> Option<SupervisionId> {
    let statutory = on_statutory_limit(rule)?;
    let limit = limit_of(warning)?;
    let candidates: Vec<&Flag<'_>> = flags.iter().filter(|f| f.rule == rule).collect();
    if candidates.is_empty() {
        return None;
    }
    let pick = |limits: (u32, u32)| if statutory { limits.1 } else { limits.0 };
    // Every limit the case could have had: none to all extensions ever
    // recorded, superseded ones included.
    let every = Facts::of_record(record, &BTreeSet::new());
    let lowest = pick(limits_at(&every, ctx, 0)?);
    let highest = pick(limits_at(&every, ctx, u64::MAX)?).min(MAX_CLOCK_DAYS);
    let limit_ids: BTreeSet<SupervisionId> = (lowest..=highest.max(limit))
        .map(|l| SupervisionId::derive(case, rule, &Warning::limit_threshold(l)))
        .collect();
    let live = Facts::of_record(record, &record.superseded());
    candidates
        .into_iter()
        .filter(|f| !limit_ids.contains(f.item))
        .find(|f| limits_at(&live, ctx, f.at_ms).map(pick) == Some(limit))
        .map(|f| f.item.clone())
}
