//! The audit log (等保 2.0 level 3): sign-in success and failure, session
//! end, and every command with its recorder, role, node, target and result.
//!
//! Each line is an operation of this node's audit entity
//! (`audit/<node>`), so it is append-only, durable like any operation, and
//! replicated to the county (and nowhere else). Nothing is ever removed, so
//! the 180 days the rules ask for are kept (and more: the operator decides
//! when a store is archived). A line never holds a password or a token; the
//! target is an id (case, staff, matter), never personal data.
//!
//! A line that cannot be written (the store stopped taking writes, its disk
//! below the reserve) is logged instead; the command's own outcome stands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Actor;
use crate::error::NodeError;
use crate::NodeCore;
use liandong_domain::permission::Act;
use liandong_domain::{AuditEntry, OpBody, StaffRole};
use liandong_model::EntityId;

/// Which audit lines a list shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AuditFilter {
    pub staff: Option<String>,
    /// First and last day (CST), inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl AuditFilter {
    fn keeps(&self, e: &AuditEntry) -> bool {
        let day = crate::node_core::cst_day(e.at_ms);
        self.staff
            .as_ref()
            .is_none_or(|s| e.staff.as_ref() == Some(s))
            && self.from.is_none_or(|f| day >= f)
            && self.to.is_none_or(|t| day <= t)
    }
}

impl NodeCore {
    /// Appends one audit line.
    pub(crate) fn audit(
        &self,
        staff: Option<&str>,
        role: Option<StaffRole>,
        os_uid: Option<u32>,
        action: &str,
        target: &str,
        result: &str,
    ) {
        let entry = AuditEntry {
            at_ms: self.now_ms(),
            node: self.me().to_string(),
            staff: staff.map(str::to_string),
            role,
            os_uid,
            action: action.to_string(),
            target: target.to_string(),
            result: result.to_string(),
        };
        let op = vec![(EntityId::Audit(self.me().clone()), OpBody::Audit(entry))];
        if let Err(e) = self.store.append_local(op, self.now_ms()) {
            tracing::warn!(action, target, result, error = %e, "audit line not written");
        }
    }

    pub(crate) fn audit_sign_in(
        &self,
        staff: &str,
        os_uid: Option<u32>,
        action: &str,
        result: &str,
    ) {
        self.audit(Some(staff), None, os_uid, action, staff, result);
    }

    /// Audit lines this node holds (at the county: every node's), oldest
    /// first.
    pub fn audit_list(
        &self,
        who: &Actor,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEntry>, NodeError> {
        who.may(Act::ReadAudit)?;
        let mut lines: Vec<AuditEntry> = self
            .store
            .audit_entries()?
            .into_iter()
            .filter(|e| filter.keeps(e))
            .collect();
        lines.sort_by(|a, b| (a.at_ms, &a.node).cmp(&(b.at_ms, &b.node)));
        Ok(lines)
    }
}
