//! The authority table, exhaustively: every event kind (and every
//! non-case entity) against every kind of origin, and the relay rule.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::*;
use crate::authorisation::{AuthScope, Authorisation, Power};
use crate::base::Stamp;
use crate::complaint::{ComplaintEvent, ComplaintKind, ComplaintSubject};
use crate::enquiry::{Enquiry, Handling};
use crate::event::{Applicant, OpinionResult, Seal, SpecialCode, SpecialKind};
use crate::rule::{Rule, SupervisionId};
use liandong_model::{CaseId, Hlc, Personal};

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}
fn t(name: &str) -> NodeId {
    NodeId::township(name).unwrap()
}
fn bridge(name: &str) -> NodeId {
    NodeId::new(Role::Bridge, name).unwrap()
}

/// A case of T01 routed to D03 and asked of T02, with authorisations.
struct Held {
    members: BTreeSet<NodeId>,
    auths: BTreeMap<String, Authorisation>,
    staff: BTreeMap<String, String>,
}

impl Holdings for Held {
    fn members(&self, _: &EntityId) -> BTreeSet<NodeId> {
        self.members.clone()
    }
    fn case_matter(&self, _: &EntityId) -> Option<String> {
        Some("M017".into())
    }
    fn authorisation(&self, id: &str) -> Option<Authorisation> {
        self.auths.get(id).cloned()
    }
    fn staff_department(&self, staff: &str) -> Option<String> {
        self.staff.get(staff).cloned()
    }
}

fn grant(id: &str, staff: &str, scope: AuthScope) -> Authorisation {
    Authorisation {
        id: id.into(),
        staff: staff.into(),
        scope,
        powers: [Power::Decide].into(),
        valid_from: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        valid_to: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        revoked_at_ms: None,
    }
}

fn held() -> Held {
    let auths = [
        grant("A-D03", "S31", AuthScope::Matter("M017".into())),
        grant("A-D05", "S51", AuthScope::Matter("M017".into())),
        grant("A-D03-dept", "S31", AuthScope::Department("D03".into())),
        grant("A-D03-other", "S31", AuthScope::Matter("M999".into())),
    ];
    Held {
        members: [t("T01"), bridge("D03"), t("T02")].into(),
        auths: auths.into_iter().map(|a| (a.id.clone(), a)).collect(),
        staff: [("S31", "D03"), ("S51", "D05")]
            .into_iter()
            .map(|(s, d)| (s.to_string(), d.to_string()))
            .collect(),
    }
}

/// 2026-06-01 in ms (inside every grant).
const JUNE: u64 = 1_780_272_000_000;

fn case_entity() -> EntityId {
    EntityId::Case(CaseId::new("000000", &t("T01"), "20260601", 1))
}

fn op_id(origin: &NodeId) -> OpId {
    OpId {
        origin: origin.clone(),
        seq: 9,
    }
}

fn check(sender: &NodeId, origin: &NodeId, kind: EventKind) -> Result<(), Rejection> {
    let body = OpBody::Case(CaseEvent::new(JUNE, kind));
    authorise(sender, &op_id(origin), &case_entity(), Some(&body), &held())
}

fn decided(department: &str, by: &str, authorisation: &str) -> EventKind {
    EventKind::Decided {
        department: department.into(),
        approve: true,
        by: by.into(),
        authorisation: authorisation.into(),
        seal: Some(Seal::Approval),
        reason: String::new(),
    }
}

fn opinion(reviewer: Reviewer) -> EventKind {
    EventKind::OpinionRecorded {
        reviewer,
        result: OpinionResult::Pass,
        staff: "S31".into(),
        text: String::new(),
    }
}

/// One of every event kind, with D03 / T02 as the department and
/// township they name.
fn every_kind() -> Vec<EventKind> {
    let stamp = Stamp {
        hlc: Hlc::default(),
        op: op_id(&county()),
    };
    let case = CaseId::new("000000", &t("T01"), "20260601", 1);
    let item = SupervisionId::derive(&case, Rule::Red, "limit:1");
    vec![
        EventKind::Submitted {
            matter: "M017".into(),
            matter_version: stamp,
            applicant: Applicant::resident("张三", "410000199001011236", "", ""),
            materials: vec![],
        },
        EventKind::CorrectionRequested { missing: vec![] },
        EventKind::CorrectionSupplied {
            request: op_id(&t("T01")),
            supplied: vec![],
        },
        EventKind::Accepted { tolerated: None },
        EventKind::Rejected {
            reason: "r".into(),
            legal_basis: "b".into(),
            competent_authority: None,
        },
        EventKind::RoutedToDepartment {
            department: "D03".into(),
            part: "p".into(),
            stage_limit_days: None,
        },
        EventKind::OpinionGiven {
            department: "D03".into(),
            agree: true,
            text: String::new(),
        },
        EventKind::SupplementRequested {
            department: "D03".into(),
            items: vec!["x".into()],
        },
        EventKind::SupplementSupplied {
            request: op_id(&t("T01")),
            items: vec![],
        },
        EventKind::SpecialProcedureStarted {
            code: SpecialCode::Other,
            kind: SpecialKind::SiteInspection,
            reason: "r".into(),
            approver: "S31".into(),
            days: 1,
        },
        EventKind::SpecialProcedureEnded {
            started: op_id(&bridge("D03")),
        },
        decided("D03", "S31", "A-D03"),
        EventKind::FeeCharged {
            item: "x".into(),
            amount_fen: 1,
        },
        EventKind::Concluded,
        EventKind::Delivered { recipient: None },
        EventKind::Withdrawn { reason: "r".into() },
        EventKind::Evaluated {
            level: 1,
            text: Personal::new(String::new()),
            evaluator: Personal::new(String::new()),
        },
        EventKind::BadReviewHandled {
            evaluation: op_id(&t("T01")),
            note: "n".into(),
        },
        EventKind::SupervisionFlagged {
            item: item.clone(),
            rule: Rule::Red,
            note: "n".into(),
        },
        EventKind::SupervisionResolved {
            item: item.clone(),
            note: "n".into(),
        },
        EventKind::SupervisionAnnotated {
            item,
            note: "n".into(),
        },
        EventKind::Retracted { reason: "r".into() },
        EventKind::OpinionRequested {
            township: "T02".into(),
            stage_limit_days: None,
        },
        opinion(Reviewer::Department("D03".into())),
        opinion(Reviewer::Township("T02".into())),
        EventKind::SupervisionAssigned {
            item: SupervisionId::derive(&case, Rule::Red, "limit:5"),
            department: "D03".into(),
            correct_by: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            note: "n".into(),
        },
        EventKind::EvaluationAppealed {
            evaluation: op_id(&t("T01")),
            department: "D03".into(),
            reason: "r".into(),
        },
        EventKind::AppealDecided {
            appeal: op_id(&t("T01")),
            upheld: true,
            note: "n".into(),
        },
    ]
}

fn allowed_for_bridge(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::OpinionGiven { .. }
            | EventKind::OpinionRecorded {
                reviewer: Reviewer::Department(_),
                ..
            }
            | EventKind::SupplementRequested { .. }
            | EventKind::EvaluationAppealed { .. }
            | EventKind::SpecialProcedureStarted { .. }
            | EventKind::SpecialProcedureEnded { .. }
            | EventKind::Decided { .. }
            | EventKind::Retracted { .. }
    )
}

/// The county's alone: e-supervision events and appeal decisions.
fn supervision(kind: &EventKind) -> bool {
    kind.name().starts_with("supervision") || kind.name() == "appeal-decided"
}

#[test]
fn every_event_kind_against_every_kind_of_origin() {
    let outsiders = [t("T03"), bridge("D05")];
    for kind in every_kind() {
        let name = kind.name();
        // The county, directly or relayed by itself: everything.
        assert_eq!(
            check(&county(), &county(), kind.clone()),
            Ok(()),
            "county {name}"
        );
        // The case's own centre, sending or relayed: all but supervision.
        for sender in [t("T01"), county()] {
            let verdict = check(&sender, &t("T01"), kind.clone());
            assert_eq!(
                verdict.is_ok(),
                !supervision(&kind),
                "T01 {name}: {verdict:?}"
            );
        }
        // The township asked for an opinion: its own opinion, retractions.
        let asked = matches!(
            &kind,
            EventKind::OpinionRecorded {
                reviewer: Reviewer::Township(_),
                ..
            } | EventKind::Retracted { .. }
        );
        let verdict = check(&t("T02"), &t("T02"), kind.clone());
        assert_eq!(verdict.is_ok(), asked, "T02 {name}: {verdict:?}");
        // The routed department's bridge.
        let verdict = check(&county(), &bridge("D03"), kind.clone());
        assert_eq!(
            verdict.is_ok(),
            allowed_for_bridge(&kind),
            "D03 {name}: {verdict:?}"
        );
        // Nodes the case was never routed to: nothing.
        for origin in &outsiders {
            assert!(
                matches!(
                    check(&county(), origin, kind.clone()),
                    Err(Rejection::ForeignCase { .. })
                ),
                "{origin} {name}"
            );
        }
    }
}

#[test]
fn only_the_county_writes_anything_but_cases() {
    let entities = [
        EntityId::Matter("M017".into()),
        EntityId::Revocation(t("T01")),
        EntityId::Calendar,
        EntityId::Staff("S31".into()),
        EntityId::Authorisation("A-D03".into()),
        EntityId::Routing("M017".into()),
        EntityId::Assessment("2026".into()),
        EntityId::Points("S31".into(), "2026".into()),
    ];
    for entity in entities {
        assert_eq!(
            authorise(&county(), &op_id(&county()), &entity, None, &held()),
            Ok(())
        );
        for origin in [t("T01"), bridge("D03")] {
            let verdict = authorise(&origin, &op_id(&origin), &entity, None, &held());
            assert!(
                matches!(verdict, Err(Rejection::CountyOnly { .. })),
                "{origin} {entity}"
            );
        }
    }
}

#[test]
fn a_township_or_bridge_cannot_relay_and_a_relay_cannot_widen_the_origin() {
    let own = EventKind::Accepted { tolerated: None };
    assert!(matches!(
        check(&t("T02"), &t("T01"), own.clone()),
        Err(Rejection::NotOrigin { .. })
    ));
    assert!(matches!(
        check(&bridge("D03"), &t("T01"), own),
        Err(Rejection::NotOrigin { .. })
    ));
    // The county relays T02's write on T01's case: still only an opinion.
    assert!(check(&county(), &t("T02"), EventKind::Concluded).is_err());
}

#[test]
fn a_bridge_decides_only_its_own_part_under_its_own_departments_authorisation() {
    let d3 = bridge("D03");
    assert_eq!(check(&d3, &d3, decided("D03", "S31", "A-D03")), Ok(()));
    assert_eq!(check(&d3, &d3, decided("D03", "S31", "A-D03-dept")), Ok(()));
    for (kind, why) in [
        (decided("D05", "S51", "A-D05"), "another department's part"),
        (decided("D03", "S51", "A-D05"), "another department's grant"),
        (
            decided("D03", "S31", "A-D03-other"),
            "a grant for another matter",
        ),
        (decided("D03", "S31", "A-missing"), "a grant not on file"),
        (
            decided("D03", "S99", "A-D03"),
            "a grant held by someone else",
        ),
    ] {
        assert!(check(&d3, &d3, kind).is_err(), "{why}");
    }
    // Outside the grant's dates.
    let body = OpBody::Case(CaseEvent::new(0, decided("D03", "S31", "A-D03")));
    assert!(matches!(
        authorise(&d3, &op_id(&d3), &case_entity(), Some(&body), &held()),
        Err(Rejection::DecisionNotAuthorised { .. })
    ));
}

#[test]
fn a_non_county_origin_retracts_only_its_own_events() {
    let d3 = bridge("D03");
    let event = CaseEvent::new(JUNE, EventKind::Retracted { reason: "r".into() })
        .superseding(op_id(&t("T01")));
    let body = OpBody::Case(event);
    assert!(authorise(&d3, &op_id(&d3), &case_entity(), Some(&body), &held()).is_err());
}

#[test]
fn an_unreadable_body_passes_only_for_the_cases_centre_and_the_county() {
    let entity = case_entity();
    assert_eq!(
        authorise(&t("T01"), &op_id(&t("T01")), &entity, None, &held()),
        Ok(())
    );
    assert_eq!(
        authorise(&county(), &op_id(&county()), &entity, None, &held()),
        Ok(())
    );
    let d3 = bridge("D03");
    assert!(authorise(&d3, &op_id(&d3), &entity, None, &held()).is_err());
}

#[test]
fn routing_events_widen_the_scope_to_the_named_node() {
    let entity = case_entity();
    let routed = OpBody::Case(CaseEvent::new(0, every_kind()[5].clone()));
    assert_eq!(scope_growth(&entity, &routed), vec![bridge("D03")]);
    let asked = OpBody::Case(CaseEvent::new(
        0,
        EventKind::OpinionRequested {
            township: "T02".into(),
            stage_limit_days: None,
        },
    ));
    assert_eq!(scope_growth(&entity, &asked), vec![t("T02")]);
    let other = OpBody::Case(CaseEvent::new(0, EventKind::Concluded));
    assert!(scope_growth(&entity, &other).is_empty());
}

fn complaint_event(kind: ComplaintKind) -> OpBody {
    OpBody::Complaint(ComplaintEvent {
        at_ms: 0,
        by: "S31".into(),
        kind,
    })
}

#[test]
fn a_centre_writes_the_receipt_of_its_own_complaints_and_only_the_county_answers() {
    let entity = EntityId::Complaint(t("T01"), "TS-1".into());
    let receipt = complaint_event(ComplaintKind::Received {
        subject: ComplaintSubject::Centre("T01".into()),
        complainant: Personal::new("李四".into()),
        text: Personal::new("排队太久".into()),
        answer_days: 5,
    });
    let answer = complaint_event(ComplaintKind::Answered {
        answer: "已整改".into(),
    });
    let verdict = |origin: &NodeId, body: &OpBody| {
        authorise(origin, &op_id(origin), &entity, Some(body), &held())
    };
    assert_eq!(verdict(&t("T01"), &receipt), Ok(()));
    assert_eq!(verdict(&county(), &answer), Ok(()));
    for (origin, body) in [
        (t("T01"), &answer),
        (t("T02"), &receipt),
        (bridge("D03"), &receipt),
    ] {
        assert!(
            matches!(verdict(&origin, body), Err(Rejection::CountyOnly { .. })),
            "{origin}"
        );
    }
}

#[test]
fn a_centre_records_enquiries_asked_there_only() {
    let entity = EntityId::Enquiry(t("T01"), "SW-1".into());
    let body = OpBody::EnquiryRecorded(Enquiry {
        at_ms: 0,
        asked: "S31".into(),
        acting_for: None,
        topic: "户口迁移".into(),
        handling: Handling::Referred {
            competent_centre: "HQ".into(),
            note: String::new(),
        },
    });
    let verdict =
        |origin: &NodeId| authorise(origin, &op_id(origin), &entity, Some(&body), &held());
    assert_eq!(verdict(&t("T01")), Ok(()));
    assert!(matches!(
        verdict(&t("T02")),
        Err(Rejection::CountyOnly { .. })
    ));
}
