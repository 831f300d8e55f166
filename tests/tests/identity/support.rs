//! What the identity tests share: staff made at the county (chief
//! representatives with a written authorisation, e-supervision, the
//! network admin), cases taken to the point a test needs, and short reads
//! of a refusal, a history and a store.

use std::collections::BTreeSet;
use std::time::Duration;

use liandong_domain::{cst_date, AuthScope, Lang, Level, Matter, Power, Refusal, StaffRole};
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::error::Forbidden;
use liandong_node::identity::Actor;
use liandong_node::{CaseDetail, NodeCore, NodeError};

/// Upper bound of every wait; generous for debug builds on two cores.
pub const LIMIT: Duration = Duration::from_secs(60);
const DAY_MS: i64 = 86_400_000;

/// Puts chief representative `staff` of D01 on the roster (working at
/// `centres`; none: the county hall), with the test password and every
/// power under authorisation `grant` over `scope`, valid from a year ago
/// to a year ahead.
pub fn authorised_chief(
    county: &NodeCore,
    staff: &str,
    centres: &[&str],
    scope: AuthScope,
    grant: &str,
) {
    tests::put_chief(county, staff, "D01", centres);
    let powers: BTreeSet<Power> = Power::ALL.into_iter().collect();
    let day = |days: i64| cst_date(tests::now_ms().saturating_add_signed(days * DAY_MS));
    county
        .authorise(
            &tests::hall(county),
            Lang::Zh,
            staff,
            scope,
            powers,
            day(-365),
            day(365),
            Some(grant.to_string()),
        )
        .expect("authorisation filed");
}

/// All of D01's matters.
pub fn d01() -> AuthScope {
    AuthScope::Department("D01".into())
}

/// Puts `staff` on the county's roster in `role` (no centres: the county
/// hall) with the test password.
pub fn put_staff(county: &NodeCore, staff: &str, role: StaffRole) {
    let hall = tests::hall(county);
    county
        .add_staff(&hall, Lang::Zh, staff, "工作人员", "HALL", role, &[])
        .expect("staff on the roster");
    county
        .set_password(&hall, staff, Some(tests::PASSWORD), false)
        .expect("password set");
}

/// Writes township matter `code` of D01 at the county: `days` working
/// days promised, 15 statutory.
pub fn put_matter(county: &NodeCore, code: &str, days: u16) {
    let matter = Matter::basic(code, "测试事项", Level::Township, days, 15, "D01");
    county
        .put_matter(&tests::hall(county), Lang::Zh, matter)
        .expect("matter saved");
}

/// 申请 and 受理 of a case on `matter` by `clerk` at `core`.
pub fn accept(core: &NodeCore, clerk: &Actor, matter: &str) -> String {
    let applicant = ApplicantInput {
        name: "张三".into(),
        id_number: "410000199001011236".into(),
        ..Default::default()
    };
    core.accept_new(clerk, Lang::Zh, matter, &applicant, &[], false, false)
        .unwrap_or_else(|e| panic!("{} cannot accept a {matter} case: {e}", clerk.staff))
        .id
}

/// An approval by `by`.
pub fn decide(by: &str) -> CaseAction {
    CaseAction::Decide {
        approve: true,
        by: by.into(),
        reason: "经审查，符合条件".into(),
        department: None,
        authorisation: None,
    }
}

/// The retraction of event `op`.
pub fn retract(op: &str) -> CaseAction {
    CaseAction::Retract {
        event: op.to_string(),
        reason: "误录，予以更正".into(),
    }
}

/// A step by `who`, which must be taken.
pub fn step(core: &NodeCore, who: &Actor, case: &str, action: CaseAction) -> CaseDetail {
    core.case_action(who, Lang::Zh, case, action)
        .unwrap_or_else(|e| panic!("{} on {case}: {e}", who.staff))
}

/// A step by `who`, which must be refused; returns why.
pub fn refused(core: &NodeCore, who: &Actor, case: &str, action: CaseAction) -> NodeError {
    match core.case_action(who, Lang::Zh, case, action) {
        Ok(d) => panic!("{} on {case} was taken: {:?}", who.staff, names(&d)),
        Err(e) => e,
    }
}

/// The domain refusal inside an error, if it is one.
pub fn refusal(e: &NodeError) -> Option<&Refusal> {
    match e {
        NodeError::Refused(r) => Some(r),
        _ => None,
    }
}

/// What a not-permitted error forbids, if it is one.
pub fn forbidden(e: &NodeError) -> Option<&Forbidden> {
    match e {
        NodeError::NotPermitted { what } => Some(what),
        _ => None,
    }
}

/// A case's detail at `core`, read as e-supervision.
pub fn show(core: &NodeCore, case: &str) -> CaseDetail {
    core.show_case(&tests::reader(), case, Lang::En)
        .unwrap_or_else(|e| panic!("{} cannot show {case}: {e}", core.me()))
}

/// The event names of a history, in order.
pub fn names(detail: &CaseDetail) -> Vec<String> {
    detail.history.iter().map(|h| h.event.clone()).collect()
}

/// How many events `core` holds for `case`.
pub fn held_events(core: &NodeCore, case: &str) -> usize {
    core.store
        .case(case)
        .expect("store read")
        .map_or(0, |c| c.record.len())
}

/// The op id of the last event named `event` in a history.
pub fn op_of(detail: &CaseDetail, event: &str) -> String {
    let line = detail.history.iter().rev().find(|h| h.event == event);
    line.unwrap_or_else(|| panic!("no {event} in {:?}", names(detail)))
        .op
        .clone()
}

/// A case accepted by `clerk`, decided by the signed-in chief `chief` and
/// concluded by `clerk`: its detail, with the applicant's evaluation code.
pub fn concluded(core: &NodeCore, clerk: &Actor, chief: &Actor, matter: &str) -> CaseDetail {
    let case = accept(core, clerk, matter);
    step(core, chief, &case, decide(&chief.staff));
    step(core, clerk, &case, CaseAction::Conclude)
}

/// Whether a seal's verification code reads XXXX-XXXX.
pub fn is_seal_code(code: &str) -> bool {
    let parts: Vec<&str> = code.split('-').collect();
    code.len() == 9
        && parts.len() == 2
        && parts
            .iter()
            .all(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The uid of this test process (the owner of a file it just made).
pub fn my_uid(net: &tests::Net) -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = net.dir("uid-probe");
    std::fs::write(&probe, b"").expect("probe file");
    std::fs::metadata(&probe).expect("probe metadata").uid()
}

/// Waits until `core` holds `staff`'s credential and his roster entry.
pub async fn credential_arrived(core: &NodeCore, staff: &str) {
    tests::credential_arrived(core, staff).await
}
