//! A day (and a fortnight) at the window, told as tests.

use super::*;

#[test]
fn an_immediate_matter_is_accepted_and_concluded_at_the_window_the_same_day() {
    let mut w = Window::new(township(), matter_m002());
    w.record(at(9, 28, 10, 0), submitted(&matter_m002(), &["身份证"]))
        .unwrap();
    w.record(at(9, 28, 10, 5), EventKind::Accepted { tolerated: None })
        .unwrap();
    w.record(at(9, 28, 10, 20), EventKind::Concluded).unwrap();

    let state = w.state(at(9, 28, 17, 0));
    assert_eq!(state.status, Status::Concluded);
    assert_eq!(state.clock.state, ClockState::Stopped);
    assert_eq!(state.clock.due, Some(day(2026, 9, 28)));
    assert_eq!(state.clock.used_days, 0);
    assert!(!state.clock.overdue);
    assert!(state.warnings.is_empty(), "{:?}", state.warnings);
    assert!(state.anomalies.is_empty());
    assert_eq!(state.approved(Some(MatterKind::Immediate)), Some(true));
}

#[test]
fn a_promised_matter_runs_through_correction_pause_warnings_decision_fee_conclusion_delivery_and_evaluation(
) {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());

    // Monday: the application lacks the premises certificate; one notice.
    w.record(at(9, 28, 9, 0), submitted(&m, &["申请书", "身份证"]))
        .unwrap();
    let premature = w.record(at(9, 28, 9, 5), EventKind::Accepted { tolerated: None });
    assert!(matches!(premature, Err(Refusal::MaterialsMissing { .. })));
    let notice = w
        .record(
            at(9, 28, 9, 10),
            EventKind::CorrectionRequested {
                missing: vec!["经营场所证明".into()],
            },
        )
        .unwrap();
    let s = w.state(at(9, 28, 17, 0));
    assert_eq!(s.status, Status::AwaitingCorrection);
    assert_eq!(s.clock.state, ClockState::NotStarted);
    assert_eq!(s.missing, vec!["经营场所证明".to_string()]);
    assert_eq!(s.clock.accepted_on, None);

    // Tuesday: supplied and accepted; the clock starts the next day.
    w.record(
        at(9, 29, 9, 0),
        EventKind::CorrectionSupplied {
            request: notice,
            supplied: vec!["经营场所证明".into()],
        },
    )
    .unwrap();
    w.record(at(9, 29, 10, 0), EventKind::Accepted { tolerated: None })
        .unwrap();
    let s = w.state(at(9, 30, 12, 0));
    assert_eq!(s.status, Status::InProcess);
    assert_eq!(s.clock.accepted_on, Some(day(2026, 9, 29)));
    // 9-30, (holiday week), 10-08, 10-09, 10-10 (adjusted Saturday), 10-12.
    assert_eq!(s.clock.due, Some(day(2026, 10, 12)));
    assert_eq!((s.clock.used_days, s.clock.left_days), (1, Some(4)));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);

    // After the holiday: a site inspection pauses the clock.
    let inspection = w
        .record(
            at(10, 8, 9, 0),
            EventKind::SpecialProcedureStarted {
                code: SpecialCode::Other,
                kind: SpecialKind::SiteInspection,
                reason: "核实经营场所".into(),
                approver: "王局长".into(),
                days: 3,
            },
        )
        .unwrap();
    let s = w.state(at(10, 9, 17, 0));
    assert_eq!(s.status, Status::Paused);
    assert!(s.clock.paused);
    assert_eq!(s.clock.paused_days, 1);
    let early_conclusion = w.record(at(10, 9, 17, 0), EventKind::Concluded);
    assert!(early_conclusion.is_err());
    w.record(
        at(10, 10, 10, 0),
        EventKind::SpecialProcedureEnded {
            started: inspection,
        },
    )
    .unwrap();
    let s = w.state(at(10, 10, 17, 0));
    assert_eq!(s.status, Status::InProcess);
    assert_eq!(s.clock.paused_days, 2);
    assert_eq!(s.clock.due, Some(day(2026, 10, 14)));

    // Yellow the day before the deadline, red once it has passed.
    let s = w.state(at(10, 13, 9, 0));
    assert_eq!(s.clock.left_days, Some(1));
    assert!(s
        .warnings
        .iter()
        .any(|x| matches!(x, Warning::Yellow { .. })));
    let s = w.state(at(10, 15, 9, 0));
    assert!(s.clock.overdue);
    assert!(s.warnings.contains(&Warning::Red {
        due: day(2026, 10, 14),
        limit_days: 5,
    }));
    assert!(!s
        .warnings
        .iter()
        .any(|x| matches!(x, Warning::Yellow { .. })));

    // The chief representative decides under A01 with the approval seal.
    let decision = w
        .record(at(10, 15, 10, 0), decided(true, "S01", "A01", ""))
        .unwrap();
    w.record(
        at(10, 15, 10, 30),
        EventKind::FeeCharged {
            item: "工本费".into(),
            amount_fen: 1000,
        },
    )
    .unwrap();
    w.record(at(10, 15, 11, 0), EventKind::Concluded).unwrap();
    w.record(at(10, 16, 9, 0), EventKind::Delivered { recipient: None })
        .unwrap();
    w.record(
        at(10, 16, 9, 5),
        EventKind::Evaluated {
            level: 1,
            text: Personal::new("很快".into()),
            evaluator: Personal::new("张三".into()),
        },
    )
    .unwrap();

    let s = w.state(at(10, 16, 17, 0));
    assert_eq!(s.status, Status::Delivered);
    assert_eq!(s.clock.state, ClockState::Stopped);
    assert_eq!(s.clock.stopped_on, Some(day(2026, 10, 15)));
    assert_eq!(s.parts.len(), 1);
    assert_eq!(s.parts[0].op, decision);
    assert_eq!(s.parts[0].by, "S01");
    assert_eq!(s.parts[0].seal, Some(Seal::Approval));
    assert_eq!(s.fees_total_fen, 1000);
    assert_eq!(s.evaluations.len(), 1);
    assert_eq!(s.evaluations[0].level, 1);
    // Concluded a day late: the red stays on the record.
    assert!(s.warnings.contains(&Warning::Red {
        due: day(2026, 10, 14),
        limit_days: 5,
    }));
    assert!(s.anomalies.is_empty(), "{:?}", s.anomalies);

    // `case show --json` material: status, clock and warnings.
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["status"], "delivered");
    assert_eq!(json["clock"]["due"], "2026-10-14");
    assert_eq!(json["clock"]["paused"], false);
    assert!(json["warnings"].as_array().is_some_and(|w| !w.is_empty()));
}

#[test]
fn supervision_items_outlive_their_warning_and_gather_resolution_and_notes() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(9, 28, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 28, 10, 0), EventKind::Accepted { tolerated: None })
        .unwrap();
    let case = w.case_id();

    // On the last day the yellow item appears; the county flags it.
    let now = at(10, 9, 9, 0);
    let items = supervision_items(&case, &w.record, &w.ctx(now));
    let yellow = items.iter().find(|i| i.rule == Rule::Yellow).unwrap();
    assert!(yellow.needs_flag() && yellow.current());
    let id = yellow.id.clone();
    let again = supervision_items(&case, &w.record, &w.ctx(now));
    assert_eq!(
        again.iter().find(|i| i.rule == Rule::Yellow).unwrap().id,
        id
    );
    w.record(
        now,
        EventKind::SupervisionFlagged {
            item: id.clone(),
            rule: Rule::Yellow,
            note: "即将超时".into(),
        },
    )
    .unwrap();

    // Decided and concluded in time: the warning is gone, the item stays.
    w.record(at(10, 9, 10, 0), decided(true, "S01", "A01", ""))
        .unwrap();
    w.record(at(10, 9, 10, 30), fee_paid()).unwrap();
    w.record(at(10, 9, 11, 0), EventKind::Concluded).unwrap();
    w.record(
        at(10, 9, 12, 0),
        EventKind::SupervisionAnnotated {
            item: id.clone(),
            note: "已催办".into(),
        },
    )
    .unwrap();
    w.record(
        at(10, 9, 13, 0),
        EventKind::SupervisionResolved {
            item: id.clone(),
            note: "按时办结".into(),
        },
    )
    .unwrap();
    let later = supervision_items(&case, &w.record, &w.ctx(at(10, 20, 9, 0)));
    let item = later.iter().find(|i| i.id == id).unwrap();
    assert!(!item.current());
    assert!(item.flagged_by.is_some());
    assert_eq!(item.notes.len(), 1);
    assert_eq!(item.resolved.as_ref().unwrap().note, "按时办结");
    assert!(w.state(at(10, 20, 9, 0)).open_supervision.is_empty());
}

#[test]
fn two_concurrent_decisions_on_two_nodes_surface_as_a_conflict_after_sync() {
    let m = matter_m001();
    let mut township_w = Window::new(township(), m.clone());
    township_w
        .record(
            at(9, 28, 9, 0),
            submitted(&m, &["申请书", "身份证", "经营场所证明"]),
        )
        .unwrap();
    township_w
        .record(at(9, 28, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    let mut county_w = Window::new(county(), m.clone());
    county_w.authorisations.push(authorisation(
        "A02",
        "S02",
        AuthScope::Department("D01".into()),
    ));
    county_w.sync_from(&township_w);

    // Partitioned: each side's chief representative decides differently.
    let approve = township_w
        .record(at(9, 30, 10, 0), decided(true, "S01", "A01", ""))
        .unwrap();
    let deny = county_w
        .record(at(9, 30, 10, 1), decided(false, "S02", "A02", "材料不实"))
        .unwrap();

    township_w.sync_from(&county_w);
    county_w.sync_from(&township_w);
    township_w.authorisations = county_w.authorisations.clone();
    let now = at(9, 30, 12, 0);
    let (a, b) = (township_w.state(now), county_w.state(now));
    assert_eq!(a, b);
    assert_eq!(a.status, Status::Conflict);
    let mut both = vec![approve, deny.clone()];
    both.sort();
    assert_eq!(
        a.conflicts,
        vec![Conflict {
            kind: ConflictKind::DecisionsDisagree {
                department: "D01".into()
            },
            ops: both,
        }]
    );
    assert!(a.warnings.iter().any(|w| w.rule() == Some(Rule::Conflict)));

    // Only a later superseding event clears it.
    county_w
        .record_event(
            CaseEvent::new(
                at(9, 30, 14, 0),
                EventKind::Retracted {
                    reason: "误操作".into(),
                },
            )
            .superseding(deny),
        )
        .unwrap();
    assert_eq!(county_w.state(at(9, 30, 15, 0)).status, Status::InProcess);
}

#[test]
fn a_conclusion_racing_a_withdrawal_is_a_conflict_naming_both() {
    let m = matter_m002();
    let mut t = Window::new(township(), m.clone());
    t.record(at(9, 28, 9, 0), submitted(&m, &["身份证"]))
        .unwrap();
    t.record(at(9, 28, 9, 5), EventKind::Accepted { tolerated: None })
        .unwrap();
    let mut c = Window::new(county(), m.clone());
    c.sync_from(&t);
    let concluded = t.record(at(9, 28, 9, 30), EventKind::Concluded).unwrap();
    let withdrawn = c
        .record(
            at(9, 28, 9, 31),
            EventKind::Withdrawn {
                reason: "申请人要求".into(),
            },
        )
        .unwrap();
    c.sync_from(&t);
    let s = c.state(at(9, 28, 12, 0));
    assert_eq!(s.status, Status::Conflict);
    assert_eq!(s.conflicts[0].kind, ConflictKind::ConcludedAndWithdrawn);
    assert!(s.conflicts[0].ops.contains(&concluded) && s.conflicts[0].ops.contains(&withdrawn));
}

#[test]
fn a_decision_under_an_authorisation_revoked_before_it_is_a_conflict() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(9, 28, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 28, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    let decision = w
        .record(at(9, 29, 10, 0), decided(true, "S01", "A01", ""))
        .unwrap();
    // The county revoked A01 at 9:00, before the decision; it learns late.
    w.authorisations[0].revoke(at(9, 29, 9, 0));
    let s = w.state(at(9, 29, 12, 0));
    assert_eq!(s.status, Status::Conflict);
    assert_eq!(s.conflicts[0].ops, vec![decision]);
    // A revocation after the decision does not undo it.
    w.authorisations[0].revoked_at_ms = Some(at(9, 29, 11, 0));
    assert_eq!(w.state(at(9, 29, 12, 0)).status, Status::InProcess);
}

#[test]
fn a_replicated_event_that_breaks_a_precondition_is_kept_and_shown_as_an_anomaly() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(9, 28, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 28, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    let concluded = w.insert(CaseEvent::new(at(9, 28, 10, 0), EventKind::Concluded));
    let s = w.state(at(9, 28, 12, 0));
    assert_eq!(s.status, Status::Concluded);
    assert_eq!(s.anomalies.len(), 1);
    assert_eq!(s.anomalies[0].op, concluded);
    assert_eq!(s.anomalies[0].problem, Refusal::DecisionRequired);
}
