//! What the supervision pass keeps in the store so that it never has to
//! fold every case: a row per case that still matters to it (`w`,
//! [`CheckRow`]), the touched marks the write path leaves (`t`, see
//! `write::marks`) and the registry epoch it last checked everything at.
//!
//! The pass (in the node) folds only the cases in its [`CheckPlan`]: every
//! touched case, every row whose case can still change with the date and
//! was last checked on an earlier day, and every case when the registry
//! epoch moved since it last checked everything (or it never did: a store
//! written before these rows existed, or a new one). It then writes its
//! findings and clears the marks it consumed in one commit
//! ([`Store::record_checks`]).
//!
//! Invariants:
//! - A case has a row exactly when the last check found it could still
//!   change with the date, or found a warning, an overrun or a supervision
//!   item on it; a quiet case with nothing on it has none, so the rows stay
//!   as few as the cases the county has to watch.
//! - A mark is cleared only if it still holds the feed seq the pass read:
//!   an operation committed during the pass leaves the case marked.
//! - These rows are derived, never replicated, and rebuilt by the next
//!   pass from the operations (a restore marks every case).
//!
//! Not yet: rows are found by a scan of `w` (one small row per watched
//! case, not per case held); a due-day index would make even that scan
//! proportional to the cases due.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::views::StoredCase;
use super::{decode, encode, keys, Announce, Store, StoreError, Writes};

/// What the last supervision pass found on one case.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckRow {
    /// The day (days since 1970-01-01, China Standard Time) it was checked.
    pub day: u32,
    /// Nothing about the case can change with the date alone: it is
    /// checked again only when touched or when the registry changes.
    pub quiet: bool,
    pub yellow: bool,
    pub red: bool,
    pub overdue: bool,
    /// Supervision items on the case (current warnings and flagged items).
    pub items: u32,
}

impl CheckRow {
    /// Whether the case is checked again on `today` without being touched.
    pub fn due(&self, today: u32) -> bool {
        !self.quiet && self.day < today
    }
}

/// What a supervision pass has to look at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckPlan {
    /// Cases touched since they were last checked, with the mark's seq.
    pub touched: Vec<(String, u64)>,
    /// Every stored row, in key order.
    pub rows: Vec<(String, CheckRow)>,
    /// The registry epoch now.
    pub registry_epoch: u64,
    /// The registry epoch every case was last checked at (None: never).
    pub checked_epoch: Option<u64>,
}

impl CheckPlan {
    /// Whether every case has to be checked.
    pub fn full(&self) -> bool {
        self.checked_epoch != Some(self.registry_epoch)
    }
}

impl Store {
    /// The touched marks, the rows and the epochs, read without the writer
    /// lock (a mark written meanwhile is kept by [`Store::record_checks`]).
    pub fn check_plan(&self) -> Result<CheckPlan, StoreError> {
        let mut touched = Vec::new();
        for item in self.db.scan_prefix(keys::TOUCHED_PREFIX) {
            let (k, v) = item?;
            let case = keys::leading_str(&k)
                .ok_or_else(|| StoreError::corrupt("touched mark", "unparsable key"))?;
            touched.push((case.to_string(), decode("touched mark", &v)?));
        }
        let checked_epoch = match self.db.get(keys::META_CHECKED_EPOCH)? {
            Some(v) => Some(decode("checked epoch", &v)?),
            None => None,
        };
        Ok(CheckPlan {
            touched,
            rows: self.check_rows()?,
            registry_epoch: super::write::registry_epoch(self)?,
            checked_epoch,
        })
    }

    /// Every stored row, in key order (cases with something on them, and
    /// cases that can still change with the date).
    pub fn check_rows(&self) -> Result<Vec<(String, CheckRow)>, StoreError> {
        let mut rows = Vec::new();
        for item in self.db.scan_prefix(keys::CHECK_PREFIX) {
            let (k, v) = item?;
            let case = keys::leading_str(&k)
                .ok_or_else(|| StoreError::corrupt("check row", "unparsable key"))?;
            rows.push((case.to_string(), decode("check row", &v)?));
        }
        Ok(rows)
    }

    /// Writes a pass's findings in one commit: each case's row (None
    /// removes it), the marks it consumed (each removed only if it still
    /// holds the seq read) and, after a pass over every case, the epoch it
    /// ran at. Writes only what changed; returns the keys written.
    pub fn record_checks(
        &self,
        consumed: &[(String, u64)],
        rows: BTreeMap<String, Option<CheckRow>>,
        checked_epoch: Option<u64>,
    ) -> Result<usize, StoreError> {
        self.check_writable()?;
        let mut state = self.lock();
        let mut writes = Writes::default();
        let consumed: BTreeMap<&str, u64> =
            consumed.iter().map(|(c, s)| (c.as_str(), *s)).collect();
        for (case, seq) in consumed {
            let key = keys::touched(case);
            if let Some(v) = self.db.get(&key)? {
                if decode::<u64>("touched mark", &v)? == seq {
                    writes.remove(key);
                }
            }
        }
        for (case, row) in rows {
            let key = keys::check(&case);
            let stored = self.db.get(&key)?;
            match row {
                Some(row) => writes.put_changed(key, stored.as_deref(), encode(&row)),
                None if stored.is_some() => writes.remove(key),
                None => {}
            }
        }
        if let Some(epoch) = checked_epoch {
            let stored = self.db.get(keys::META_CHECKED_EPOCH)?;
            writes.put_changed(keys::META_CHECKED_EPOCH, stored.as_deref(), encode(&epoch));
        }
        self.commit(&mut state, writes, Announce::Quiet, |_| {})
    }

    /// Calls `f` with every case in index order, one at a time: one scan
    /// of the entity index, one read per operation, one case in memory.
    pub fn each_case<E: From<StoreError>>(
        &self,
        mut f: impl FnMut(StoredCase) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut current: Option<StoredCase> = None;
        let mut current_entity: Vec<u8> = Vec::new();
        // The index key is `i s(case) s(<id>) <op key>`; scan every case.
        for item in self.db.scan_prefix(keys::entity_index_kind_prefix("case")) {
            let (k, _) = item.map_err(StoreError::from)?;
            let op_key = keys::entity_index_op_key(&k)
                .ok_or_else(|| StoreError::corrupt("entity index", "unparsable key"))?;
            let entity = &k[..k.len() - op_key.len()];
            if entity != current_entity.as_slice() {
                if let Some(case) = current.take() {
                    f(case)?;
                }
                current_entity = entity.to_vec();
            }
            self.absorb_case_op(op_key, &mut current)?;
        }
        if let Some(case) = current {
            f(case)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
