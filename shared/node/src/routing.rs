//! Joint processing (联办) at a node: the county's routing rules, routing
//! a case (分送 to departments, 征求意见 of townships) by the rule of its
//! matter or as the clerk names them, and the lists of cases a department
//! or a township takes part in.
//!
//! A rule names departments and townships by code; each must be a valid
//! node name (the department's bridge is `bridge/<code>`). A rule may name
//! departments beyond the matter's lead and co-departments: routing is
//! checked against both (DOMAIN.md §5).

use std::collections::BTreeSet;

use super::NodeCore;
use crate::control::CaseAction;
use crate::error::{Malformed, NodeError};
use crate::identity::Actor;
use liandong_domain::permission::Act;
use liandong_domain::{CaseEvent, EventKind, Lang, OpBody, RoutingRule};
use liandong_model::{EntityId, NodeId, Role};

impl NodeCore {
    /// Sets the routing rule of a matter (county only).
    pub fn put_routing(
        &self,
        who: &Actor,
        lang: Lang,
        matter: &str,
        departments: Vec<String>,
        townships: Vec<String>,
    ) -> Result<String, NodeError> {
        who.may(Act::Routing)?;
        self.county_only()?;
        let matter = matter.trim();
        if self.store.matter(matter)?.is_none() {
            return Err(NodeError::not_found(crate::error::Missing::Matter {
                code: matter.to_string(),
            }));
        }
        let departments = codes("--department", Role::Bridge, departments)?;
        let township_opinions = codes("--township-opinion", Role::Township, townships)?;
        if departments.is_empty() && township_opinions.is_empty() {
            return Err(Malformed::NothingToRoute.into());
        }
        let rule = RoutingRule {
            matter: matter.to_string(),
            departments,
            township_opinions,
        };
        self.write_registry(EntityId::Routing(matter.to_string()), |_| {
            OpBody::RoutingSet(rule)
        })?;
        Ok(format!(
            "{} {matter}",
            lang.pick("已保存联办路由", "saved routing of")
        ))
    }

    /// Every routing rule this node holds.
    pub fn list_routing(&self) -> Result<Vec<RoutingRule>, NodeError> {
        Ok(self.store.routing_rules()?.into_values().collect())
    }

    /// The events of one `case route`: each department named (or, with
    /// none named, in the matter's rule) and each township asked.
    pub(crate) fn route_events(
        &self,
        matter: Option<&str>,
        action: CaseAction,
        now_ms: u64,
    ) -> Result<Vec<CaseEvent>, NodeError> {
        let CaseAction::Route {
            mut departments,
            mut townships,
            part,
            stage_limit_days,
        } = action
        else {
            return Ok(Vec::new());
        };
        if departments.is_empty() && townships.is_empty() {
            let rule = matter.and_then(|m| self.store.routing_rules().ok()?.remove(m));
            let Some(rule) = rule else {
                return Err(Malformed::NothingToRoute.into());
            };
            departments = rule.departments.into_iter().collect();
            townships = rule.township_opinions.into_iter().collect();
        }
        let departments = codes("--department", Role::Bridge, departments)?;
        let townships = codes("--township", Role::Township, townships)?;
        let routed = departments
            .into_iter()
            .map(|department| EventKind::RoutedToDepartment {
                part: if part.is_empty() {
                    department.clone()
                } else {
                    part.clone()
                },
                department,
                stage_limit_days,
            });
        let asked = townships
            .into_iter()
            .map(|township| EventKind::OpinionRequested {
                township,
                stage_limit_days,
            });
        Ok(routed
            .chain(asked)
            .map(|kind| CaseEvent::new(now_ms, kind))
            .collect())
    }

    /// Cases whose scope names `member` (a township's own and those it was
    /// asked about; a department's routed cases).
    pub(crate) fn member_of(
        &self,
        member: &NodeId,
    ) -> Result<Vec<liandong_store::StoredCase>, NodeError> {
        Ok(self.store.cases_of_member(member)?)
    }
}

/// Department or township codes, each a valid node name, deduplicated.
fn codes(flag: &str, role: Role, codes: Vec<String>) -> Result<BTreeSet<String>, NodeError> {
    codes
        .into_iter()
        .map(|c| {
            let c = c.trim().to_string();
            NodeId::new(role, &c)
                .map(|_| c)
                .map_err(|e| Malformed::node_id(flag, e).into())
        })
        .collect()
}
