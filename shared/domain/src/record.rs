//! A case's record: the grow-only set of its events, keyed by operation id.
//!
//! Merge is set union, so it is commutative, associative and idempotent.
//! An operation id names one event everywhere (the store refuses a second
//! body under a known id); should two different bodies ever meet under one
//! id, both replicas keep the same one — the higher `(hlc, encoded bytes)` —
//! so even then the merge stays a semilattice.

use std::collections::{BTreeMap, BTreeSet};

use crdts::CvRDT;
use serde::{Deserialize, Serialize};

use crate::event::CaseEvent;
use liandong_model::{Hlc, OpId};

/// An event with the HLC of the operation that carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedEvent {
    pub hlc: Hlc,
    pub event: CaseEvent,
}

impl RecordedEvent {
    fn tiebreak_key(&self) -> (Hlc, Vec<u8>) {
        (
            self.hlc,
            postcard::to_stdvec(&self.event).unwrap_or_default(),
        )
    }
}

/// The events of one case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    events: BTreeMap<OpId, RecordedEvent>,
}

impl CaseRecord {
    pub fn new() -> Self {
        CaseRecord::default()
    }

    /// Adds an event; returns whether the record changed.
    pub fn insert(&mut self, op: OpId, hlc: Hlc, event: CaseEvent) -> bool {
        let incoming = RecordedEvent { hlc, event };
        match self.events.get_mut(&op) {
            None => {
                self.events.insert(op, incoming);
                true
            }
            Some(existing) if *existing == incoming => false,
            Some(existing) => {
                if incoming.tiebreak_key() > existing.tiebreak_key() {
                    *existing = incoming;
                    true
                } else {
                    false
                }
            }
        }
    }

    pub fn get(&self, op: &OpId) -> Option<&RecordedEvent> {
        self.events.get(op)
    }

    pub fn contains(&self, op: &OpId) -> bool {
        self.events.contains_key(op)
    }

    pub fn len(&self) -> usize {
        self.events.len()
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Events by operation id.
    pub fn iter(&self) -> impl Iterator<Item = (&OpId, &RecordedEvent)> {
        self.events.iter()
    }

    /// Events in `(hlc, op id)` order: causal order where there is one
    /// (an event recorded after seeing another has a higher HLC), a fixed
    /// arbitrary order between concurrent events. This is the history.
    pub fn history(&self) -> Vec<(&OpId, &RecordedEvent)> {
        let mut all: Vec<_> = self.events.iter().collect();
        all.sort_by(|a, b| (a.1.hlc, a.0).cmp(&(b.1.hlc, b.0)));
        all
    }

    /// Every event some other event in the record supersedes.
    pub fn superseded(&self) -> BTreeSet<OpId> {
        self.events
            .values()
            .filter_map(|e| e.event.supersedes.clone())
            .collect()
    }

    /// Folds another replica's record into this one.
    pub fn merge_from(&mut self, other: &CaseRecord) {
        for (op, e) in &other.events {
            self.insert(op.clone(), e.hlc, e.event.clone());
        }
    }
}

impl CvRDT for CaseRecord {
    type Validation = std::convert::Infallible;

    fn validate_merge(&self, _other: &Self) -> Result<(), Self::Validation> {
        Ok(())
    }

    fn merge(&mut self, other: Self) {
        self.merge_from(&other);
    }
}
