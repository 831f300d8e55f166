//! The county's registries, written only at the county and replicated to
//! every node: the catalogue (十公开), the staff roster with roles and
//! windows, chief-representative authorisations, and the working-day
//! calendar. Reads (matter list, the one-time notice, roster, calendar)
//! work on every node from its replica.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::output::{staff_line, StaffLine};
use super::{store_message, NodeCore};
use crate::time::now_ms;
use liandong_domain::OpBody;
use liandong_domain::{
    validate_staff, AuthScope, Authorisation, DaySetting, Lang, Level, Matter, Power, Staff,
    StaffRole, Stamp,
};
use liandong_model::{EntityId, Hlc, OpId, Role};

impl NodeCore {
    fn county_only(&self, lang: Lang) -> Result<(), String> {
        if self.me().role() == Role::County {
            Ok(())
        } else {
            Err(lang
                .pick(
                    "只有县级节点可以修改事项目录、人员、授权和工作日历",
                    "only the county writes the catalogue, staff, authorisations and calendar",
                )
                .to_string())
        }
    }

    /// Writes one registry operation whose content needs its own stamp.
    fn write_registry(
        &self,
        entity: EntityId,
        make: impl FnOnce(Stamp) -> OpBody,
    ) -> Result<(), String> {
        let now = now_ms();
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
            .map_err(|e| store_message(&e))
    }

    /// Adds or edits a matter (a new catalogue version).
    pub fn put_matter(&self, lang: Lang, matter: Matter) -> Result<String, String> {
        self.county_only(lang)?;
        matter.validate().map_err(|e| e.message(lang))?;
        let code = matter.code.clone();
        self.write_registry(EntityId::Matter(code.clone()), |_| {
            OpBody::MatterPut(matter)
        })?;
        Ok(format!(
            "{} {code}",
            lang.pick("已保存事项", "saved matter")
        ))
    }

    pub fn retire_matter(&self, lang: Lang, code: &str) -> Result<String, String> {
        self.county_only(lang)?;
        let mut matter = self
            .store
            .matter(code)
            .map_err(|e| store_message(&e))?
            .map(|e| e.current().clone())
            .ok_or_else(|| format!("{} {code}", lang.pick("事项目录中没有事项", "no matter")))?;
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
    pub fn list_matters(&self, level: Option<Level>) -> Result<Vec<Matter>, String> {
        let catalogue = self.store.catalogue().map_err(|e| store_message(&e))?;
        Ok(catalogue.active(level).cloned().collect())
    }

    pub fn matter_guide(&self, lang: Lang, code: &str) -> Result<Matter, String> {
        self.store
            .matter(code)
            .map_err(|e| store_message(&e))?
            .map(|e| e.current().clone())
            .ok_or_else(|| format!("{} {code}", lang.pick("事项目录中没有事项", "no matter")))
    }

    fn current_staff(&self, id: &str) -> Result<Option<Staff>, String> {
        Ok(self
            .store
            .staff()
            .map_err(|e| store_message(&e))?
            .into_iter()
            .find(|s| s.id == id))
    }

    pub fn add_staff(
        &self,
        lang: Lang,
        id: &str,
        name: &str,
        department: &str,
        role: StaffRole,
    ) -> Result<String, String> {
        self.county_only(lang)?;
        validate_staff(id, name, department).map_err(|e| e.message(lang))?;
        let existing = self.current_staff(id)?;
        let actor = self.me().clone();
        self.write_registry(EntityId::Staff(id.to_string()), |stamp| {
            let mut staff = match existing {
                Some(mut s) => {
                    s.rename(name, stamp.clone());
                    s.move_to(department, stamp);
                    s
                }
                None => Staff::new(id, name, department, stamp),
            };
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
        lang: Lang,
        id: &str,
        role: StaffRole,
        remove: bool,
    ) -> Result<String, String> {
        self.county_only(lang)?;
        let mut staff = self
            .current_staff(id)?
            .ok_or_else(|| format!("{} {id}", lang.pick("没有此人员", "no staff member")))?;
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
        lang: Lang,
        id: &str,
        window: Option<String>,
    ) -> Result<String, String> {
        self.county_only(lang)?;
        let staff = self
            .current_staff(id)?
            .ok_or_else(|| format!("{} {id}", lang.pick("没有此人员", "no staff member")))?;
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
        lang: Lang,
        staff: &str,
        scope: AuthScope,
        powers: BTreeSet<Power>,
        from: NaiveDate,
        to: NaiveDate,
        id: Option<String>,
    ) -> Result<String, String> {
        self.county_only(lang)?;
        if self.current_staff(staff)?.is_none() {
            return Err(format!(
                "{} {staff}",
                lang.pick("没有此人员", "no staff member")
            ));
        }
        let id = id.unwrap_or_else(|| format!("A-{staff}-{}", now_ms()));
        let grant = Authorisation {
            id: id.clone(),
            staff: staff.to_string(),
            scope,
            powers,
            valid_from: from,
            valid_to: to,
            revoked_at_ms: None,
        };
        grant.validate().map_err(|e| e.message(lang))?;
        self.write_registry(EntityId::Authorisation(id.clone()), |_| {
            OpBody::Authorise(grant)
        })?;
        Ok(format!(
            "{} {id}",
            lang.pick("已授权", "authorisation saved")
        ))
    }

    pub fn revoke_authorisation(&self, lang: Lang, id: &str) -> Result<String, String> {
        self.county_only(lang)?;
        let mut grant = self
            .store
            .authorisations()
            .map_err(|e| store_message(&e))?
            .into_iter()
            .find(|a| a.id == id)
            .ok_or_else(|| format!("{} {id}", lang.pick("没有此授权", "no authorisation")))?;
        grant.revoke(now_ms());
        self.write_registry(EntityId::Authorisation(id.to_string()), |_| {
            OpBody::Authorise(grant)
        })?;
        Ok(format!(
            "{} {id}; {}",
            lang.pick("已撤销授权", "authorisation revoked"),
            lang.pick("此前的审批决定不受影响", "earlier decisions stand")
        ))
    }

    pub fn list_staff(&self) -> Result<Vec<StaffLine>, String> {
        let auths = self.store.authorisations().map_err(|e| store_message(&e))?;
        Ok(self
            .store
            .staff()
            .map_err(|e| store_message(&e))?
            .iter()
            .map(|s| staff_line(s, &auths))
            .collect())
    }

    pub fn set_calendar(
        &self,
        lang: Lang,
        dates: Vec<NaiveDate>,
        setting: DaySetting,
    ) -> Result<String, String> {
        self.county_only(lang)?;
        if dates.is_empty() {
            return Err(lang.pick("没有日期", "no dates given").to_string());
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
    pub fn show_calendar(&self, year: i32) -> Result<(bool, Vec<(NaiveDate, DaySetting)>), String> {
        let cal = self.store.calendar().map_err(|e| store_message(&e))?;
        let days = cal
            .entries()
            .filter(|(d, _, _)| d.year() == year)
            .map(|(d, s, _)| (d, s))
            .collect();
        Ok((cal.year_known(year), days))
    }
}
