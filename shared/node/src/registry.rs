//! The county's registries, written only at the county and replicated to
//! every node: the catalogue (十公开), the staff roster with roles and
//! windows, chief-representative authorisations, and the working-day
//! calendar. Reads (matter list, the one-time notice, roster, calendar)
//! work on every node from its replica. A write anywhere else fails with
//! [`Forbidden::RegistryWrite`]; a malformed record with the domain's own
//! validation error ([`Malformed`]).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::output::{staff_line, StaffLine};
use super::NodeCore;
use crate::error::{Forbidden, Malformed, Missing, NodeError};
use crate::identity::Actor;
use liandong_domain::permission::Act;
use liandong_domain::OpBody;
use liandong_domain::{
    validate_staff, AuthScope, Authorisation, DaySetting, Lang, Level, Matter, Power, Staff,
    StaffRole, Stamp,
};
use liandong_model::{EntityId, Hlc, OpId, Role};

impl NodeCore {
    pub(crate) fn county_only(&self) -> Result<(), NodeError> {
        if self.me().role() == Role::County {
            Ok(())
        } else {
            Err(NodeError::not_permitted(Forbidden::RegistryWrite))
        }
    }

    /// Writes one registry operation whose content needs its own stamp.
    pub(crate) fn write_registry(
        &self,
        entity: EntityId,
        make: impl FnOnce(Stamp) -> OpBody,
    ) -> Result<(), NodeError> {
        let now = self.now_ms();
        let me = self.me().clone();
        self.store
            .append_local_with(now, |seq| {
                let stamp = Stamp {
                    hlc: Hlc {
                        wall_ms: now,
                        logical: 0,
                    },
                    op: OpId { origin: me, seq },
                };
                vec![(entity, make(stamp))]
            })
            .map(|_| ())
            .map_err(NodeError::from)
    }

    /// Adds or edits a matter (a new catalogue version).
    pub fn put_matter(&self, who: &Actor, lang: Lang, matter: Matter) -> Result<String, NodeError> {
        who.may(Act::Catalogue)?;
        self.county_only()?;
        matter.validate().map_err(Malformed::Matter)?;
        let code = matter.code.clone();
        self.write_registry(EntityId::Matter(code.clone()), |_| {
            OpBody::MatterPut(matter)
        })?;
        Ok(format!(
            "{} {code}",
            lang.pick("已保存事项", "saved matter")
        ))
    }

    pub fn retire_matter(&self, who: &Actor, lang: Lang, code: &str) -> Result<String, NodeError> {
        who.may(Act::Catalogue)?;
        self.county_only()?;
        let mut matter = self.matter_guide(code)?;
        matter.active = false;
        self.write_registry(EntityId::Matter(code.to_string()), |_| {
            OpBody::MatterPut(matter)
        })?;
        Ok(format!(
            "{} {code}",
            lang.pick("已停用事项", "retired matter")
        ))
    }

    /// Active matters, optionally of one level (what this centre may accept).
    pub fn list_matters(&self, level: Option<Level>) -> Result<Vec<Matter>, NodeError> {
        let catalogue = self.store.catalogue()?;
        Ok(catalogue.active(level).cloned().collect())
    }

    /// The current version of a matter (its one-time notice).
    pub fn matter_guide(&self, code: &str) -> Result<Matter, NodeError> {
        self.store
            .matter(code)?
            .map(|e| e.current().clone())
            .ok_or_else(|| {
                NodeError::not_found(Missing::Matter {
                    code: code.to_string(),
                })
            })
    }

    fn current_staff(&self, id: &str) -> Result<Option<Staff>, NodeError> {
        Ok(self.store.staff()?.into_iter().find(|s| s.id == id))
    }

    fn existing_staff(&self, id: &str) -> Result<Staff, NodeError> {
        self.current_staff(id)?
            .ok_or_else(|| NodeError::not_found(Missing::Staff { id: id.to_string() }))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_staff(
        &self,
        who: &Actor,
        lang: Lang,
        id: &str,
        name: &str,
        department: &str,
        role: StaffRole,
        centres: &[String],
    ) -> Result<String, NodeError> {
        who.may(Act::Roster)?;
        self.county_only()?;
        validate_staff(id, name, department).map_err(Malformed::Staff)?;
        let mut centre_set = BTreeSet::new();
        for c in centres {
            // A township by its name (T01); a department's bridge in full
            // (bridge/D03), for a chief representative deciding there.
            let c = c.trim();
            if c.contains('/') {
                let node: liandong_model::NodeId =
                    c.parse().map_err(|e| Malformed::node_id("--centre", e))?;
                centre_set.insert(node.to_string());
            } else {
                let node = liandong_model::NodeId::township(c)
                    .map_err(|e| Malformed::node_id("--centre", e))?;
                centre_set.insert(node.name().to_string());
            }
        }
        let existing = self.current_staff(id)?;
        let actor = self.me().clone();
        self.write_registry(EntityId::Staff(id.to_string()), |stamp| {
            let mut staff = match existing {
                Some(mut s) => {
                    s.rename(name, stamp.clone());
                    s.move_to(department, stamp.clone());
                    s
                }
                None => Staff::new(id, name, department, stamp.clone()),
            };
            if !centre_set.is_empty() {
                staff.set_centres(centre_set, stamp);
            }
            let op = staff.add_role_op(role, actor);
            staff.apply_role_op(op);
            OpBody::StaffPut(staff)
        })?;
        Ok(format!(
            "{} {id} {name}",
            lang.pick("已登记人员", "staff saved")
        ))
    }

    pub fn assign_role(
        &self,
        who: &Actor,
        lang: Lang,
        id: &str,
        role: StaffRole,
        remove: bool,
    ) -> Result<String, NodeError> {
        who.may(Act::Roster)?;
        self.county_only()?;
        let mut staff = self.existing_staff(id)?;
        let op = if remove {
            staff.remove_role_op(role)
        } else {
            staff.add_role_op(role, self.me().clone())
        };
        staff.apply_role_op(op);
        self.write_registry(EntityId::Staff(id.to_string()), |_| OpBody::StaffPut(staff))?;
        Ok(format!(
            "{} {id}: {}",
            lang.pick("已更新角色", "roles updated"),
            role.as_str()
        ))
    }

    pub fn assign_window(
        &self,
        who: &Actor,
        lang: Lang,
        id: &str,
        window: Option<String>,
    ) -> Result<String, NodeError> {
        who.may(Act::Roster)?;
        self.county_only()?;
        let staff = self.existing_staff(id)?;
        self.write_registry(EntityId::Staff(id.to_string()), |stamp| {
            let mut staff = staff;
            staff.assign_window(window, stamp);
            OpBody::StaffPut(staff)
        })?;
        Ok(format!(
            "{} {id}",
            lang.pick("已分配窗口", "window assigned")
        ))
    }

    #[allow(clippy::too_many_arguments)]
    pub fn authorise(
        &self,
        who: &Actor,
        lang: Lang,
        staff: &str,
        scope: AuthScope,
        powers: BTreeSet<Power>,
        from: NaiveDate,
        to: NaiveDate,
        id: Option<String>,
    ) -> Result<String, NodeError> {
        who.may(Act::Authorisations)?;
        self.county_only()?;
        self.existing_staff(staff)?;
        let id = id.unwrap_or_else(|| format!("A-{staff}-{}", self.now_ms()));
        let grant = Authorisation {
            id: id.clone(),
            staff: staff.to_string(),
            scope,
            powers,
            valid_from: from,
            valid_to: to,
            revoked_at_ms: None,
        };
        grant.validate().map_err(Malformed::Authorisation)?;
        self.write_registry(EntityId::Authorisation(id.clone()), |_| {
            OpBody::Authorise(grant)
        })?;
        Ok(format!(
            "{} {id}",
            lang.pick("已授权", "authorisation saved")
        ))
    }

    pub fn revoke_authorisation(
        &self,
        who: &Actor,
        lang: Lang,
        id: &str,
    ) -> Result<String, NodeError> {
        who.may(Act::Authorisations)?;
        self.county_only()?;
        let mut grant = self
            .store
            .authorisations()?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| NodeError::not_found(Missing::Authorisation { id: id.to_string() }))?;
        grant.revoke(self.now_ms());
        self.write_registry(EntityId::Authorisation(id.to_string()), |_| {
            OpBody::Authorise(grant)
        })?;
        Ok(format!(
            "{} {id}; {}",
            lang.pick("已撤销授权", "authorisation revoked"),
            lang.pick("此前的审批决定不受影响", "earlier decisions stand")
        ))
    }

    pub fn list_staff(&self) -> Result<Vec<StaffLine>, NodeError> {
        let auths = self.store.authorisations()?;
        Ok(self
            .store
            .staff()?
            .iter()
            .map(|s| staff_line(s, &auths))
            .collect())
    }

    pub fn set_calendar(
        &self,
        who: &Actor,
        lang: Lang,
        dates: Vec<NaiveDate>,
        setting: DaySetting,
    ) -> Result<String, NodeError> {
        who.may(Act::Calendar)?;
        self.county_only()?;
        if dates.is_empty() {
            return Err(Malformed::NoDates.into());
        }
        let n = dates.len();
        self.write_registry(EntityId::Calendar, |_| OpBody::CalendarSet {
            dates,
            setting,
        })?;
        Ok(format!(
            "{} {n} {}: {}",
            lang.pick("已设置", "set"),
            lang.pick("天", "day(s)"),
            setting.label(lang)
        ))
    }

    /// The settings of one year and whether the year is known.
    pub fn show_calendar(
        &self,
        year: i32,
    ) -> Result<(bool, Vec<(NaiveDate, DaySetting)>), NodeError> {
        let cal = self.store.calendar()?;
        let days = cal
            .entries()
            .filter(|(d, _, _)| d.year() == year)
            .map(|(d, s, _)| (d, s))
            .collect();
        Ok((cal.year_known(year), days))
    }
}
