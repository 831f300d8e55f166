//! Refusals where an event is recorded, authorisation, and validation of
//! catalogue and roster input.

use super::*;

/// A township window with an accepted M001 case.
fn accepted_case() -> Window {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(9, 28, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 28, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    w
}

#[test]
fn a_decision_under_an_expired_authorisation_is_refused_naming_it() {
    let mut w = accepted_case();
    let mut expired = authorisation("A09", "S09", AuthScope::Matter("M001".into()));
    expired.valid_to = day(2026, 6, 30);
    w.authorisations.push(expired);
    let refusal = w
        .record(at(9, 29, 10, 0), decided(true, "S09", "A09", ""))
        .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::Unauthorised(AuthError::Expired {
            id: "A09".into(),
            to: day(2026, 6, 30)
        })
    );
    assert!(refusal.message(Lang::Zh).contains("A09"));
    assert!(refusal.message(Lang::Zh).contains("到期"));
    assert!(refusal.message(Lang::En).contains("expired"));
}

#[test]
fn a_decision_outside_the_authorisations_scope_is_refused() {
    let mut w = accepted_case();
    w.authorisations.push(authorisation(
        "A07",
        "S07",
        AuthScope::Matter("M009".into()),
    ));
    w.authorisations.push(authorisation(
        "A08",
        "S08",
        AuthScope::Department("D09".into()),
    ));
    for (staff, auth) in [("S07", "A07"), ("S08", "A08")] {
        let refusal = w
            .record(at(9, 29, 10, 0), decided(true, staff, auth, ""))
            .unwrap_err();
        assert!(
            matches!(refusal, Refusal::Unauthorised(AuthError::OutOfScope { .. })),
            "{refusal:?}"
        );
    }
    // Someone else's authorisation does not lend its powers.
    let refusal = w
        .record(at(9, 29, 10, 0), decided(true, "S02", "A01", ""))
        .unwrap_err();
    assert!(matches!(
        refusal,
        Refusal::Unauthorised(AuthError::NotHolder { .. })
    ));
}

#[test]
fn using_the_seal_needs_the_seal_power() {
    let mut w = accepted_case();
    let mut no_seal = authorisation("A05", "S05", AuthScope::Matter("M001".into()));
    no_seal.powers.remove(&Power::Seal);
    w.authorisations.push(no_seal);
    let refusal = w
        .record(at(9, 29, 10, 0), decided(true, "S05", "A05", ""))
        .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::Unauthorised(AuthError::MissingPower {
            id: "A05".into(),
            power: Power::Seal
        })
    );
}

#[test]
fn authorised_finds_a_valid_grant_or_explains_the_closest_failure() {
    let m = matter_m001();
    let mut old = authorisation("A1", "S01", AuthScope::Matter("M001".into()));
    old.valid_to = day(2025, 12, 31);
    let other = authorisation("A2", "S01", AuthScope::Matter("M777".into()));
    let mut auths = vec![old, other];
    let now = at(9, 29, 10, 0);
    assert!(matches!(
        authorised("S01", &m, Power::Decide, now, &auths),
        Err(AuthError::Expired { .. })
    ));
    assert!(matches!(
        authorised("S99", &m, Power::Decide, now, &auths),
        Err(AuthError::NoAuthorisation { .. })
    ));
    auths.push(authorisation(
        "A3",
        "S01",
        AuthScope::Department("D01".into()),
    ));
    assert_eq!(
        authorised("S01", &m, Power::Decide, now, &auths)
            .unwrap()
            .id,
        "A3"
    );
    auths[2].revoke(now - 1);
    assert!(matches!(
        authorised("S01", &m, Power::Decide, now, &auths),
        Err(AuthError::Revoked { .. })
    ));
    let mut future = authorisation("A4", "S01", AuthScope::Matter("M001".into()));
    future.valid_from = day(2026, 12, 1);
    assert!(matches!(
        authorised("S01", &m, Power::Decide, now, &[future]),
        Err(AuthError::NotYetValid { .. })
    ));
}

#[test]
fn a_conclusion_before_any_decision_is_refused() {
    let mut w = accepted_case();
    assert_eq!(
        w.record(at(9, 29, 10, 0), EventKind::Concluded),
        Err(Refusal::DecisionRequired)
    );
}

#[test]
fn a_correction_request_on_a_concluded_case_is_refused() {
    let mut w = accepted_case();
    w.record(at(9, 29, 10, 0), decided(true, "S01", "A01", ""))
        .unwrap();
    w.record(at(9, 29, 10, 30), fee_paid()).unwrap();
    w.record(at(9, 29, 11, 0), EventKind::Concluded).unwrap();
    let refusal = w
        .record(
            at(9, 29, 12, 0),
            EventKind::CorrectionRequested {
                missing: vec!["身份证".into()],
            },
        )
        .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::CaseClosed {
            status: Status::Concluded
        }
    );
    assert!(refusal.message(Lang::Zh).contains("已办结"));
    assert_eq!(
        w.record(
            at(9, 29, 12, 0),
            EventKind::Withdrawn {
                reason: "不办了".into()
            }
        ),
        Err(Refusal::WithdrawAfterConclusion)
    );
}

#[test]
fn a_correction_notice_is_sent_once_and_only_before_acceptance() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"]))
        .unwrap();
    let missing = |items: &[&str]| EventKind::CorrectionRequested {
        missing: items.iter().map(|s| s.to_string()).collect(),
    };
    assert_eq!(
        w.record(at(9, 28, 9, 5), missing(&[])),
        Err(Refusal::NothingListed)
    );
    let first = w.record(at(9, 28, 9, 5), missing(&["身份证"])).unwrap();
    assert!(matches!(
        w.record(at(9, 28, 9, 6), missing(&["经营场所证明"])),
        Err(Refusal::CorrectionAlreadyRequested { .. })
    ));
    // A complete notice replacing the first one is accepted.
    w.record_event(
        CaseEvent::new(at(9, 28, 9, 7), missing(&["身份证", "经营场所证明"])).superseding(first),
    )
    .unwrap();
    assert_eq!(
        w.state(at(9, 28, 10, 0)).missing,
        vec!["经营场所证明".to_string(), "身份证".to_string()]
    );
}

#[test]
fn rejection_needs_a_reason_and_a_legal_basis() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"]))
        .unwrap();
    let reject = |reason: &str, basis: &str| EventKind::Rejected {
        reason: reason.into(),
        legal_basis: basis.into(),
        competent_authority: None,
    };
    let refusal = w.record(at(9, 28, 9, 5), reject(" ", "")).unwrap_err();
    assert_eq!(refusal, Refusal::Required(RequiredField::RejectionReason));
    assert_eq!(refusal.message(Lang::Zh), "不予受理理由不能为空");
    assert!(refusal.message(Lang::En).contains("--reason"));
    assert_eq!(
        w.record(at(9, 28, 9, 5), reject("不属于本机关职权", "")),
        Err(Refusal::Required(RequiredField::LegalBasis))
    );
    w.record(
        at(9, 28, 9, 5),
        reject("不属于本机关职权", "行政许可法第三十二条"),
    )
    .unwrap();
    assert_eq!(w.state(at(9, 28, 10, 0)).status, Status::Rejected);
}

#[test]
fn a_denial_needs_reasons() {
    let mut w = accepted_case();
    assert_eq!(
        w.record(at(9, 29, 10, 0), decided(false, "S01", "A01", "")),
        Err(Refusal::Required(RequiredField::DenialReason))
    );
}

#[test]
fn fees_must_match_the_catalogue_item_and_amount() {
    let mut w = accepted_case();
    let fee = |item: &str, fen| EventKind::FeeCharged {
        item: item.into(),
        amount_fen: fen,
    };
    let refusal = w.record(at(9, 29, 9, 0), fee("加急费", 5000)).unwrap_err();
    assert_eq!(
        refusal,
        Refusal::FeeNotInCatalogue {
            item: "加急费".into(),
            allowed: vec!["工本费".into()]
        }
    );
    assert!(refusal.message(Lang::Zh).contains("工本费"));
    let refusal = w.record(at(9, 29, 9, 0), fee("工本费", 2000)).unwrap_err();
    assert!(refusal.message(Lang::Zh).contains("10.00"));
    w.record(at(9, 29, 9, 0), fee("工本费", 1000)).unwrap();
    assert!(matches!(
        w.record(at(9, 29, 9, 1), fee("工本费", 1000)),
        Err(Refusal::FeeAlreadyCharged { .. })
    ));
    // A fee outside the catalogue that arrives by replication is flagged.
    w.insert(CaseEvent::new(at(9, 29, 9, 2), fee("加急费", 5000)));
    let s = w.state(at(9, 29, 12, 0));
    assert!(s
        .warnings
        .iter()
        .any(|x| matches!(x, Warning::FeeNotInCatalogue { .. })));
}

#[test]
fn evaluation_levels_run_from_one_to_five() {
    let mut w = accepted_case();
    let evaluate = |level| EventKind::Evaluated {
        level,
        text: Personal::new(String::new()),
        evaluator: Personal::new("张三".into()),
    };
    for level in [0, 6] {
        let refusal = w.record(at(9, 29, 9, 0), evaluate(level)).unwrap_err();
        assert_eq!(refusal, Refusal::EvaluationLevel { level });
        assert!(refusal.message(Lang::Zh).contains("非常满意"));
    }
    w.record(at(9, 29, 9, 0), evaluate(5)).unwrap();
}

#[test]
fn delivery_before_conclusion_is_refused() {
    let mut w = accepted_case();
    assert_eq!(
        w.record(at(9, 29, 9, 0), EventKind::Delivered { recipient: None }),
        Err(Refusal::NotConcluded)
    );
}

#[test]
fn a_township_centre_cannot_accept_a_county_level_matter() {
    let mut m = matter_m001();
    m.level = Level::County;
    let mut w = Window::new(township(), m.clone());
    assert!(matches!(
        w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"])),
        Err(Refusal::MatterNotAtThisLevel { .. })
    ));
    m.active = false;
    w.matter = m.clone();
    assert!(matches!(
        w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"])),
        Err(Refusal::MatterRetired { .. })
    ));
}

#[test]
fn tolerated_acceptance_allows_only_tolerable_materials_within_the_promised_limit() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"]))
        .unwrap();
    let tolerate = |items: &[&str], by| EventKind::Accepted {
        tolerated: Some(Tolerance {
            missing: items.iter().map(|s| s.to_string()).collect(),
            promised_by: by,
        }),
    };
    assert!(matches!(
        w.record(at(9, 28, 9, 5), tolerate(&["身份证"], day(2026, 10, 8))),
        Err(Refusal::NotTolerable { .. })
    ));
    let mut w2 = Window::new(township(), m.clone());
    w2.record(at(9, 28, 9, 0), submitted(&m, &["申请书", "身份证"]))
        .unwrap();
    assert!(matches!(
        w2.record(
            at(9, 28, 9, 5),
            tolerate(&["经营场所证明"], day(2026, 12, 1))
        ),
        Err(Refusal::TolerancePromiseTooLate { .. })
    ));
    w2.record(
        at(9, 28, 9, 5),
        tolerate(&["经营场所证明"], day(2026, 10, 8)),
    )
    .unwrap();
}

#[test]
fn every_refusal_reads_in_chinese_by_default_and_in_english_on_request() {
    let samples = [
        Refusal::DecisionRequired,
        Refusal::NotAccepted,
        Refusal::Required(RequiredField::Note),
        Refusal::AwaitingOpinions {
            departments: vec!["D02".into()],
        },
    ];
    for r in samples {
        let zh = r.message(Lang::default());
        let en = r.message(Lang::En);
        assert!(
            zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{zh}"
        );
        assert!(en.is_ascii(), "{en}");
        assert_eq!(r.to_string(), zh);
    }
    assert_eq!("en".parse::<Lang>().unwrap(), Lang::En);
    assert!("fr".parse::<Lang>().is_err());
}

#[test]
fn a_matter_whose_promised_days_exceed_the_statutory_days_is_refused_naming_the_field() {
    let mut m = matter_m001();
    assert_eq!(m.validate(), Ok(()));
    m.promised_days = 20;
    let err = m.validate().unwrap_err();
    assert_eq!(
        err,
        MatterError::PromisedDays {
            promised: 20,
            statutory: 15
        }
    );
    assert!(err.message(Lang::Zh).contains("承诺时限"));
    assert!(err.message(Lang::En).contains("promised days"));
    let mut m = matter_m001();
    m.code = "M-001".into();
    assert!(matches!(m.validate(), Err(MatterError::Code(_))));
    let mut m = matter_m001();
    m.fees[0].amount_fen = 0;
    assert!(matches!(m.validate(), Err(MatterError::Fee(_))));
    let mut m = matter_m001();
    m.co_departments = vec!["D01".into()];
    assert!(matches!(m.validate(), Err(MatterError::CoDepartment(_))));
}

#[test]
fn roster_input_is_checked_and_roles_and_powers_parse_from_their_cli_spelling() {
    assert!(validate_staff("S01", "李明", "D01").is_ok());
    assert!(matches!(
        validate_staff("S 01", "李明", "D01"),
        Err(StaffError::Id(_))
    ));
    assert_eq!(
        "chief-representative".parse::<StaffRole>(),
        Ok(StaffRole::ChiefRepresentative)
    );
    let err = "boss".parse::<StaffRole>().unwrap_err();
    assert!(err.message(Lang::Zh).contains("chief-representative"));
    assert_eq!(
        Power::parse_list("decide,coordinate,report,seal")
            .unwrap()
            .len(),
        4
    );
    assert!(Power::parse_list("decide,fly").is_err());
    let mut a = authorisation("A1", "S01", AuthScope::Matter("M001".into()));
    a.valid_to = day(2025, 1, 1);
    assert!(matches!(
        a.validate(),
        Err(AuthorisationError::Dates { .. })
    ));
}

#[test]
fn an_authorisation_id_that_cannot_be_a_store_key_is_refused() {
    for id in [String::new(), "A\u{0}1".to_string(), "A".repeat(65)] {
        let a = authorisation(&id, "S01", AuthScope::Matter("M001".into()));
        assert_eq!(a.validate(), Err(AuthorisationError::Id { id: id.clone() }));
    }
    let a = authorisation(&"A".repeat(64), "S01", AuthScope::Matter("M001".into()));
    assert_eq!(a.validate(), Ok(()));
}
