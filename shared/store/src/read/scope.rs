//! Reads of what scope and authority keep: routing rules, a case's scope
//! members, the cases a node is a member of, and the rejection records.

use std::collections::{BTreeMap, BTreeSet};

use crate::write::RejectionRecord;
use crate::{decode, keys, Store, StoreError, StoredCase};
use liandong_domain::{RoutingEntry, RoutingRule};
use liandong_model::NodeId;

impl Store {
    /// Every routing rule, by matter code.
    pub fn routing_rules(&self) -> Result<BTreeMap<String, RoutingRule>, StoreError> {
        let mut out = BTreeMap::new();
        for item in self.db.scan_prefix(keys::view_prefix("routing")) {
            let entry: Option<RoutingEntry> = decode("routing rule", &item?.1)?;
            if let Some(e) = entry {
                out.insert(e.rule.matter.clone(), e.rule);
            }
        }
        Ok(out)
    }

    /// The nodes a case's scope names (its centre and every node its
    /// routing events named), as held here.
    pub fn case_members(&self, case_id: &str) -> Result<BTreeSet<NodeId>, StoreError> {
        match self.db.get(keys::scope(&format!("case/{case_id}")))? {
            Some(v) => decode("scope members", &v),
            None => Ok(BTreeSet::new()),
        }
    }

    /// The cases whose scope names `member` (its own cases included).
    pub fn cases_of_member(&self, member: &NodeId) -> Result<Vec<StoredCase>, StoreError> {
        let prefix = keys::member_prefix(member);
        let mut out = Vec::new();
        for item in self.db.scan_prefix(&prefix) {
            let (key, _) = item?;
            let Some(entity) = keys::member_entity(member, &key) else {
                return Err(StoreError::corrupt("member index", "unparsable key"));
            };
            if let Some(id) = entity.strip_prefix("case/") {
                out.extend(self.case(id)?);
            }
        }
        Ok(out)
    }

    /// The most recent rejection records, newest first, at most `limit`.
    pub fn rejections(&self, limit: usize) -> Result<Vec<RejectionRecord>, StoreError> {
        let total = self.rejection_count()?;
        let kept = total.min(keys::REJECTIONS_KEPT);
        let mut out = Vec::new();
        for n in (total - kept..total).rev().take(limit) {
            if let Some(v) = self.db.get(keys::rejection(n))? {
                out.push(decode("rejection record", &v)?);
            }
        }
        Ok(out)
    }

    /// The last stamp this node's hybrid clock issued or adopted.
    pub fn clock_now(&self) -> liandong_model::Hlc {
        self.lock().clock.last()
    }

    /// Rejection records written since the store was created (read from
    /// the tree: a read never waits for the writer).
    pub fn rejection_count(&self) -> Result<u64, StoreError> {
        crate::read_u64(&self.db, keys::META_REJECTIONS)
    }
}
