//! Joint processing (DOMAIN.md §5) at the window: where a case may be
//! routed, who gives an opinion, whose authorisation decides a part, and
//! when the lead may conclude; a township as the receiving point of a
//! county-level matter.

use super::*;

/// M001 with co-department D05; routed to D03 by the county's rule.
fn joint_matter() -> Matter {
    Matter {
        co_departments: vec!["D05".into()],
        ..matter_m001()
    }
}

fn rule(departments: &[&str], townships: &[&str]) -> RoutingRule {
    RoutingRule {
        matter: "M001".into(),
        departments: departments.iter().map(|d| d.to_string()).collect(),
        township_opinions: townships.iter().map(|t| t.to_string()).collect(),
    }
}

fn routed(department: &str) -> EventKind {
    EventKind::RoutedToDepartment {
        department: department.into(),
        part: department.into(),
        stage_limit_days: Some(3),
    }
}

fn decided_by(department: &str, by: &str, auth: &str) -> EventKind {
    EventKind::Decided {
        department: department.into(),
        approve: true,
        by: by.into(),
        authorisation: auth.into(),
        seal: None,
        reason: String::new(),
    }
}

fn staff(id: &str, department: &str) -> Staff {
    Staff::new(id, id, department, stamp(&county(), 1, 1))
}

/// A window holding an accepted joint case.
fn accepted_case() -> Window {
    let m = joint_matter();
    let mut w = Window::new(township(), m.clone());
    w.routing = Some(rule(&["D03"], &["T02"]));
    w.record(
        at(9, 28, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 28, 9, 5), EventKind::Accepted { tolerated: None })
        .unwrap();
    w
}

#[test]
fn routing_goes_only_to_the_lead_the_co_departments_or_the_departments_the_rule_names() {
    let mut w = accepted_case();
    w.record(at(9, 28, 10, 0), routed("D05"))
        .expect("co-department");
    w.record(at(9, 28, 10, 0), routed("D03"))
        .expect("named by the rule");
    let refused = w.record(at(9, 28, 10, 0), routed("D09"));
    assert!(
        matches!(refused, Err(Refusal::NotInRouting { ref department, .. }) if department == "D09"),
        "{refused:?}"
    );
}

#[test]
fn a_township_gives_an_opinion_only_when_asked_and_only_once() {
    let mut w = accepted_case();
    let opinion = |t: &str| EventKind::OpinionRecorded {
        reviewer: Reviewer::Township(t.into()),
        result: OpinionResult::Pass,
        staff: "S21".into(),
        text: String::new(),
    };
    assert!(matches!(
        w.record(at(9, 28, 11, 0), opinion("T02")),
        Err(Refusal::OpinionNotRequested { .. })
    ));
    w.record(
        at(9, 28, 11, 0),
        EventKind::OpinionRequested {
            township: "T02".into(),
            stage_limit_days: Some(2),
        },
    )
    .unwrap();
    assert_eq!(w.state(at(9, 28, 12, 0)).status, Status::AwaitingOpinions);
    w.record(at(9, 28, 12, 0), opinion("T02")).unwrap();
    assert!(matches!(
        w.record(at(9, 28, 13, 0), opinion("T02")),
        Err(Refusal::AlreadyGaveOpinion { .. })
    ));
    // A return needs its reasons.
    let bare_return = EventKind::OpinionRecorded {
        reviewer: Reviewer::Department("D01".into()),
        result: OpinionResult::Return,
        staff: "S01".into(),
        text: String::new(),
    };
    assert!(matches!(
        w.record(at(9, 28, 13, 0), bare_return),
        Err(Refusal::Required(RequiredField::OpinionText))
    ));
}

#[test]
fn a_decision_is_made_under_an_authorisation_of_its_own_department() {
    let mut w = accepted_case();
    w.record(at(9, 28, 10, 0), routed("D03")).unwrap();
    // S31 works for D03; S01 (holder of A01 for M001) for D01.
    w.roster = vec![staff("S01", "D01"), staff("S31", "D03")];
    w.authorisations.push(authorisation(
        "A31",
        "S31",
        AuthScope::Matter("M001".into()),
    ));
    let refused = w.record(at(9, 29, 10, 0), decided_by("D03", "S01", "A01"));
    assert!(
        matches!(refused, Err(Refusal::DecisionDepartment { ref belongs_to, .. }) if belongs_to == "D01"),
        "{refused:?}"
    );
    w.record(at(9, 29, 10, 0), decided_by("D03", "S31", "A31"))
        .expect("D03 decides its part under its own grant");
}

#[test]
fn the_lead_concludes_only_after_every_routed_part_is_decided() {
    let mut w = accepted_case();
    w.roster = vec![staff("S01", "D01"), staff("S31", "D03")];
    w.authorisations.push(authorisation(
        "A31",
        "S31",
        AuthScope::Matter("M001".into()),
    ));
    w.record(at(9, 28, 10, 0), routed("D03")).unwrap();
    w.record(at(9, 29, 9, 0), decided_by("D01", "S01", "A01"))
        .unwrap();
    let early = w.record(at(9, 29, 10, 0), EventKind::Concluded);
    assert!(
        matches!(
            early,
            Err(Refusal::AwaitingOpinions { .. }) | Err(Refusal::PartsUndecided { .. })
        ),
        "{early:?}"
    );
    w.record(at(9, 29, 11, 0), decided_by("D03", "S31", "A31"))
        .unwrap();
    w.record(at(9, 29, 11, 30), fee_paid()).unwrap();
    w.record(at(9, 29, 12, 0), EventKind::Concluded)
        .expect("every part decided, the fee paid");
}

#[test]
fn a_township_is_a_receiving_point_for_a_county_level_matter_only_when_the_county_routes_it() {
    let m = Matter {
        level: Level::County,
        ..joint_matter()
    };
    let mut w = Window::new(township(), m.clone());
    assert!(matches!(
        w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"])),
        Err(Refusal::MatterNotAtThisLevel { .. })
    ));
    w.routing = Some(rule(&["D03"], &[]));
    w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"]))
        .expect("a receiving point for a routed county matter");
}

#[test]
fn a_township_silent_past_its_stage_limit_is_warned_and_its_silence_is_not_assent() {
    let mut w = accepted_case();
    w.record(
        at(9, 28, 11, 0),
        EventKind::OpinionRequested {
            township: "T02".into(),
            stage_limit_days: Some(2),
        },
    )
    .unwrap();
    // Monday + 2 working days is Wednesday 9-30; on Thursday it is late.
    let late = w.state(at(10, 9, 9, 0));
    let overrun = late.warnings.iter().any(|warning| {
        matches!(warning, crate::warning::Warning::StageOverrun {
            stage: crate::warning::OverrunStage::Township(t), ..
        } if t == "T02")
    });
    assert!(overrun, "{:?}", late.warnings);
    assert_eq!(late.status, Status::AwaitingOpinions);
    assert!(matches!(
        w.record(at(10, 9, 9, 5), EventKind::Concluded),
        Err(Refusal::DecisionRequired) | Err(Refusal::AwaitingOpinions { .. })
    ));
}
