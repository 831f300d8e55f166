//! The matter catalogue (实施清单) as replicated data.
//!
//! Each matter code has an LWW register (`crdts::LWWReg`) holding its
//! current version, the write with the highest [`Stamp`] winning, plus the
//! grow-only set of every version it ever had: a case pins the version that
//! was current when it was submitted and is checked against that version,
//! not against later edits. Merge is the union of versions; the register
//! then agrees with the highest stamp, so the whole is a CRDT.

use std::collections::BTreeMap;

use crdts::{CvRDT, LWWReg};
use serde::{Deserialize, Serialize};

use crate::base::{Level, Stamp};
use crate::matter::Matter;

/// One matter code's versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogueEntry {
    current: LWWReg<Matter, Stamp>,
    versions: BTreeMap<Stamp, Matter>,
}

impl CatalogueEntry {
    pub fn new(matter: Matter, stamp: Stamp) -> Self {
        let mut versions = BTreeMap::new();
        versions.insert(stamp.clone(), matter.clone());
        CatalogueEntry {
            current: LWWReg {
                val: matter,
                marker: stamp,
            },
            versions,
        }
    }

    /// The version with the highest stamp.
    pub fn current(&self) -> &Matter {
        &self.current.val
    }

    pub fn current_stamp(&self) -> &Stamp {
        &self.current.marker
    }

    /// A pinned version, by the stamp that wrote it.
    pub fn version(&self, stamp: &Stamp) -> Option<&Matter> {
        self.versions.get(stamp)
    }

    /// Every version, oldest first.
    pub fn versions(&self) -> impl Iterator<Item = (&Stamp, &Matter)> {
        self.versions.iter()
    }

    pub fn put(&mut self, matter: Matter, stamp: Stamp) {
        // One stamp writes one version: a repeated stamp keeps the first.
        self.versions
            .entry(stamp.clone())
            .or_insert_with(|| matter.clone());
        self.current.update(matter, stamp);
    }

    pub fn merge_from(&mut self, other: &CatalogueEntry) {
        for (stamp, matter) in &other.versions {
            self.put(matter.clone(), stamp.clone());
        }
    }
}

/// Every matter, by code.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    entries: BTreeMap<String, CatalogueEntry>,
}

impl Catalogue {
    pub fn new() -> Self {
        Catalogue::default()
    }

    /// Records a version (add, edit or retire: retiring is a version with
    /// `active: false`).
    pub fn put(&mut self, matter: Matter, stamp: Stamp) {
        match self.entries.get_mut(&matter.code) {
            Some(entry) => entry.put(matter, stamp),
            None => {
                self.entries
                    .insert(matter.code.clone(), CatalogueEntry::new(matter, stamp));
            }
        }
    }

    /// Adds (merges) one matter's entry, as read from the store.
    pub fn insert_entry(&mut self, entry: CatalogueEntry) {
        let code = entry.current().code.clone();
        match self.entries.get_mut(&code) {
            Some(existing) => existing.merge_from(&entry),
            None => {
                self.entries.insert(code, entry);
            }
        }
    }

    /// Every matter's entry, by code.
    pub fn entries(&self) -> impl Iterator<Item = &CatalogueEntry> {
        self.entries.values()
    }

    pub fn entry(&self, code: &str) -> Option<&CatalogueEntry> {
        self.entries.get(code)
    }

    /// The current version of a matter.
    pub fn current(&self, code: &str) -> Option<&Matter> {
        self.entries.get(code).map(CatalogueEntry::current)
    }

    /// The version a case pinned, falling back to the current one if this
    /// node has not received that version yet.
    pub fn pinned(&self, code: &str, stamp: &Stamp) -> Option<&Matter> {
        let entry = self.entries.get(code)?;
        Some(entry.version(stamp).unwrap_or(entry.current()))
    }

    /// Active matters, by code; `level` keeps only that level.
    pub fn active(&self, level: Option<Level>) -> impl Iterator<Item = &Matter> {
        self.entries
            .values()
            .map(CatalogueEntry::current)
            .filter(move |m| m.active && level.is_none_or(|l| m.level == l))
    }

    pub fn merge_from(&mut self, other: &Catalogue) {
        for (code, entry) in &other.entries {
            match self.entries.get_mut(code) {
                Some(ours) => ours.merge_from(entry),
                None => {
                    self.entries.insert(code.clone(), entry.clone());
                }
            }
        }
    }
}

impl CvRDT for Catalogue {
    type Validation = std::convert::Infallible;

    fn validate_merge(&self, _other: &Self) -> Result<(), Self::Validation> {
        Ok(())
    }

    fn merge(&mut self, other: Self) {
        self.merge_from(&other);
    }
}
