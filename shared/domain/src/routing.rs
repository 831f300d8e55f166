//! Routing rules (联办路由): for a matter, the departments a case is routed
//! to and the townships asked for an opinion, written by the county and
//! replicated to every node. `case route` with no departments named uses
//! the rule of the case's matter.
//!
//! A rule is a last-writer-wins register per matter, ordered by [`Stamp`]
//! (HLC, then op id), so every replica holding the same rule operations
//! shows the same rule. A rule names departments and townships by code;
//! checking them against the catalogue is the caller's job (the county's
//! `routing add`), since a rule may arrive before its matter.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::base::Stamp;

/// The routing of one matter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    pub matter: String,
    /// Departments the case's parts go to (their bridges).
    pub departments: BTreeSet<String>,
    /// Township centres asked for an opinion (属地意见).
    pub township_opinions: BTreeSet<String>,
}

impl RoutingRule {
    /// Whether the rule routes to `department`.
    pub fn names_department(&self, department: &str) -> bool {
        self.departments.contains(department)
    }
}

/// The current rule of a matter and the stamp of the operation that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingEntry {
    pub rule: RoutingRule,
    pub stamp: Stamp,
}

impl RoutingEntry {
    /// Merges one rule operation in: the later stamp wins.
    pub fn put(&mut self, rule: RoutingRule, stamp: Stamp) {
        if stamp > self.stamp {
            self.rule = rule;
            self.stamp = stamp;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liandong_model::{Hlc, NodeId, OpId};

    fn stamp(wall_ms: u64) -> Stamp {
        Stamp {
            hlc: Hlc {
                wall_ms,
                logical: 0,
            },
            op: OpId {
                origin: NodeId::county("HQ").unwrap(),
                seq: wall_ms,
            },
        }
    }

    fn rule(dept: &str) -> RoutingRule {
        RoutingRule {
            matter: "M017".into(),
            departments: [dept.to_string()].into(),
            township_opinions: BTreeSet::new(),
        }
    }

    #[test]
    fn the_later_rule_wins_whatever_the_arrival_order() {
        let mut a = RoutingEntry {
            rule: rule("D03"),
            stamp: stamp(1),
        };
        a.put(rule("D05"), stamp(2));
        let mut b = RoutingEntry {
            rule: rule("D05"),
            stamp: stamp(2),
        };
        b.put(rule("D03"), stamp(1));
        assert_eq!(a, b);
        assert!(a.rule.names_department("D05"));
    }
}
