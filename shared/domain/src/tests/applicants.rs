//! The applicant's identity where a submission is recorded (refused, with
//! the clerk's wording) and where one arrives broken (kept, an anomaly).

use super::*;
use crate::applicant::{Holder, IdType, NumberFault};
use crate::event::Agent;

fn submission(m: &Matter, applicant: Applicant) -> EventKind {
    let EventKind::Submitted {
        matter,
        matter_version,
        materials,
        ..
    } = submitted(m, &["申请书"])
    else {
        unreachable!("submitted() builds a submission")
    };
    EventKind::Submitted {
        matter,
        matter_version,
        applicant,
        materials,
    }
}

fn refusal_for(applicant: Applicant) -> Refusal {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(at(9, 28, 9, 0), submission(&m, applicant))
        .expect_err("refused")
}

#[test]
fn a_three_digit_resident_id_is_refused_with_the_length_it_should_have() {
    let refusal = refusal_for(Applicant::resident("张三", "123", "", ""));
    assert_eq!(
        refusal,
        Refusal::DocumentNumber {
            holder: Holder::Applicant,
            id_type: IdType::ResidentId,
            fault: NumberFault::Length {
                min: 18,
                max: 18,
                got: 3
            },
        }
    );
    assert_eq!(
        refusal.message(Lang::Zh),
        "申请人的居民身份证号码应为 18 位，实际为 3 位，请核对证件"
    );
    assert_eq!(
        refusal.message(Lang::En),
        "the applicant's resident ID number has 18 characters, got 3: check the document"
    );
}

#[test]
fn a_wrong_check_digit_names_character_18_and_what_the_others_give() {
    let refusal = refusal_for(Applicant::resident("张三", "410000199001011234", "", ""));
    let zh = refusal.message(Lang::Zh);
    assert!(
        zh.contains("第 18 位") && zh.contains("“4”") && zh.contains("“6”"),
        "{zh}"
    );
    let en = refusal.message(Lang::En);
    assert!(en.contains("character 18") && en.contains("`6`"), "{en}");
}

#[test]
fn an_organisation_needs_its_legal_representative_and_a_person_has_none() {
    let mut org = Applicant::resident("某某有限公司", "91350100M000100Y43", "", "");
    org.id_type = IdType::CreditCode;
    assert_eq!(
        refusal_for(org.clone()),
        Refusal::Required(RequiredField::LegalRepresentative)
    );
    let mut person = Applicant::resident("张三", "410000199001011236", "", "");
    person.legal_representative = Some(Personal::new("李四".into()));
    assert_eq!(
        refusal_for(person),
        Refusal::LegalRepresentativeForPerson {
            id_type: IdType::ResidentId
        }
    );
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    org.legal_representative = Some(Personal::new("李四".into()));
    w.record(at(9, 28, 9, 0), submission(&m, org)).unwrap();
}

#[test]
fn an_agents_number_is_checked_like_the_applicants() {
    let mut a = Applicant::resident("张三", "410000199001011236", "", "");
    a.agent = Some(Agent {
        name: Personal::new("王五".into()),
        id_type: IdType::ResidentId,
        id_number: Personal::new("11010519491231002".into()),
    });
    let refusal = refusal_for(a.clone());
    assert!(
        matches!(
            refusal,
            Refusal::DocumentNumber {
                holder: Holder::Agent,
                ..
            }
        ),
        "{refusal:?}"
    );
    assert!(refusal
        .message(Lang::Zh)
        .starts_with("代理人的居民身份证号码"));
    a.agent = Some(Agent {
        name: Personal::new(" ".into()),
        id_type: IdType::Passport,
        id_number: Personal::new("E12345678".into()),
    });
    assert_eq!(refusal_for(a), Refusal::Required(RequiredField::AgentName));
}

#[test]
fn a_passport_chosen_explicitly_is_accepted_and_never_read_as_a_resident_id() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    let mut a = Applicant::resident("JOHN SMITH", "E12345678", "", "");
    assert!(matches!(
        refusal_for(a.clone()),
        Refusal::DocumentNumber {
            id_type: IdType::ResidentId,
            ..
        }
    ));
    a.id_type = IdType::Passport;
    w.record(at(9, 28, 9, 0), submission(&m, a)).unwrap();
}

#[test]
fn a_received_submission_with_a_broken_id_is_kept_and_shown_as_an_anomaly() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    let op = w.insert(CaseEvent::new(
        at(9, 28, 9, 0),
        submission(&m, Applicant::resident("张三", "123", "", "")),
    ));
    let s = w.state(at(9, 28, 12, 0));
    assert_eq!(s.status, Status::Submitted);
    assert_eq!(s.anomalies.len(), 1, "{:?}", s.anomalies);
    assert_eq!(s.anomalies[0].op, op);
    assert!(matches!(
        s.anomalies[0].problem,
        Refusal::DocumentNumber {
            fault: NumberFault::Length { got: 3, .. },
            ..
        }
    ));
}

#[test]
fn a_centre_without_the_matter_still_refuses_a_wrong_id_before_the_unknown_matter() {
    let m = matter_m001();
    let w = Window::new(township(), m.clone());
    let mut unknown = m.clone();
    unknown.code = "M999".into();
    let check_of = |a: Applicant| {
        let event = CaseEvent::new(at(9, 28, 9, 0), submission(&unknown, a));
        check(&w.record, &event, &w.ctx(at(9, 28, 9, 0)))
    };
    assert!(matches!(
        check_of(Applicant::resident("张三", "123", "", "")),
        Err(Refusal::DocumentNumber { .. })
    ));
    assert!(matches!(
        check_of(Applicant::resident("张三", "410000199001011236", "", "")),
        Err(Refusal::UnknownMatter { .. })
    ));
}
