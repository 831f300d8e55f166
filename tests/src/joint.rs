//! Joint-case fixtures: the county's registry for county matter M017
//! (lead D03, co-department D05, routed to D03 with an opinion of T02;
//! S31 of D03 with a grant), a bridge of any department, and small reads
//! of a node's cases.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use county_node::bridge::Bridge;
use liandong_domain::{AuthScope, Lang, Level, Matter, Power, StaffRole};
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::shutdown::Shutdown;
use liandong_node::NodeCore;

use crate::{eventually, now_ms, Net, Node};

/// Upper bound of the joint tests' waits.
pub const LIMIT: Duration = Duration::from_secs(60);
/// S31's grant for M017.
pub const GRANT: &str = "A-S31-M017";

/// County matter M017 (lead D03, co-department D05), routed to D03 with
/// an opinion of T02; S31 is D03's chief representative with a grant.
pub fn put_joint_registry(county: &NodeCore) {
    let mut m017 = Matter::basic("M017", "建设工程规划许可", Level::County, 10, 20, "D03");
    m017.co_departments = vec!["D05".into()];
    let hall = crate::hall(county);
    county.put_matter(&hall, Lang::Zh, m017).expect("M017");
    county
        .put_routing(
            &hall,
            Lang::Zh,
            "M017",
            vec!["D03".into()],
            vec!["T02".into()],
        )
        .expect("routing rule");
    county
        .add_staff(
            &hall,
            Lang::Zh,
            "S31",
            "陈首代",
            "D03",
            StaffRole::ChiefRepresentative,
            &["bridge/D03".to_string()],
        )
        .expect("S31");
    county
        .set_password(&hall, "S31", Some(crate::PASSWORD), false)
        .expect("S31's password");
    county
        .assign_role(&hall, Lang::Zh, "S31", StaffRole::Reviewer, false)
        .expect("S31 reviews for D03");
    let today = liandong_domain::cst_date(now_ms());
    let powers: BTreeSet<Power> = [Power::Decide, Power::Seal].into();
    county
        .authorise(
            &hall,
            Lang::Zh,
            "S31",
            AuthScope::Matter("M017".into()),
            powers,
            today - chrono::Days::new(30),
            today + chrono::Days::new(365),
            Some(GRANT.into()),
        )
        .expect("grant");
}

/// Starts the bridge of `department` against the county on `port`.
pub async fn bridge(net: &Net, port: u16, department: &str) -> Node<Bridge> {
    let mut cfg = net.bridge_config(port, None);
    cfg.department = department.into();
    cfg.data = Some(net.dir(&format!("bridge-{department}")));
    let shutdown = Shutdown::new();
    let inner = county_node::bridge::start(cfg, shutdown.clone())
        .await
        .expect("bridge starts");
    Node { inner, shutdown }
}

pub fn applicant(name: &str, id_number: &str) -> ApplicantInput {
    ApplicantInput {
        name: name.into(),
        id_number: id_number.into(),
        ..Default::default()
    }
}

pub fn holds(core: &NodeCore, case: &str) -> bool {
    core.store.case(case).ok().flatten().is_some()
}

pub fn kinds(core: &NodeCore, case: &str) -> Vec<String> {
    core.show_case(&crate::reader(), case, Lang::En)
        .map(|d| d.history.into_iter().map(|h| h.event).collect())
        .unwrap_or_default()
}

pub fn route_by_rule() -> CaseAction {
    CaseAction::Route {
        departments: vec![],
        townships: vec![],
        part: String::new(),
        stage_limit_days: Some(3),
    }
}

pub async fn ready(core: &NodeCore) {
    let ok = eventually(LIMIT, || {
        core.store
            .routing_rules()
            .is_ok_and(|r| r.contains_key("M017"))
            && core.store.authorisations().is_ok_and(|a| !a.is_empty())
    })
    .await;
    assert!(ok, "{} never received the county's registry", core.me());
}

/// Every file under `dir`, read whole.
pub fn files_contain(dir: &Path, needle: &[u8]) -> Option<String> {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    return Some(path.display().to_string());
                }
            }
        }
    }
    None
}
