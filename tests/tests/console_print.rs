//! The console's printable documents and the applicant's evaluation kiosk,
//! over HTTP against real nodes (county and township in-process, real
//! stores, real mutual TLS between them): staff sign in with the console's
//! own form (`GET /` for the pre-session cookie and its CSRF field, then
//! `POST /login`), print the notices of cases taken through the node core,
//! and the applicant rates a concluded case at `/evaluate` with the code
//! printed at conclusion.
//!
//! Each page's HTML is kept under `target/test-artifacts/console/`; the
//! browser checks of the same pages come with the browser driver.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use liandong_domain::{
    cst_date, AuthScope, Lang, Level, Material, MaterialForm, Matter, Power, Refusal,
};
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::identity::Actor;
use liandong_node::{CaseDetail, NodeCore};
use tests::http::{request, Reply};
use tests::Net;

#[path = "console_print/browse.rs"]
mod browse;
use browse::{console_sign_in, form_page, get_with, keep, post_form};

const LIMIT: Duration = Duration::from_secs(60);
const NAME: &str = "张三";
const ID_NUMBER: &str = "410000199001011236";

fn applicant() -> ApplicantInput {
    ApplicantInput {
        name: NAME.into(),
        id_number: ID_NUMBER.into(),
        ..Default::default()
    }
}

/// 申请 (and 受理 unless `submit_only`) of an M001 case by `clerk`.
fn new_case(core: &NodeCore, clerk: &Actor, submit_only: bool) -> String {
    core.accept_new(
        clerk,
        Lang::Zh,
        "M001",
        &applicant(),
        &[],
        submit_only,
        false,
    )
    .unwrap_or_else(|e| panic!("{} cannot take an M001 case: {e}", clerk.staff))
    .id
}

fn step(core: &NodeCore, who: &Actor, case: &str, action: CaseAction) -> CaseDetail {
    core.case_action(who, Lang::Zh, case, action)
        .unwrap_or_else(|e| panic!("{} on {case}: {e}", who.staff))
}

/// Today at `core`, as the documents write it.
fn chinese_today(core: &NodeCore) -> String {
    liandong_node::console::layout::chinese_date(cst_date(core.now_ms()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_townships_acceptance_notice_names_the_case_centre_date_and_applicant_but_not_his_id_number(
) {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    let core = town.core();
    tests::credential_arrived(core, tests::TOWNSHIP_CLERK).await;
    let arrived = || core.store.matter("M001").ok().flatten().is_some();
    assert!(
        tests::eventually(LIMIT, arrived).await,
        "M001 never reached T01"
    );
    let case = new_case(core, &tests::clerk_at(core), false);

    let addr = town.inner.admin_addr;
    let session = console_sign_in(addr, tests::TOWNSHIP_CLERK).await;
    let notice = get_with(addr, &format!("/print/acceptance/{case}"), &session).await;
    keep("print-acceptance", &notice);
    assert_eq!(notice.status, 200, "{}", notice.body);
    let body = &notice.body;
    for text in [
        "受理通知书",
        case.as_str(),
        "T01",
        "乡镇党群服务中心",
        "个体工商户设立登记",
        NAME,
        &chinese_today(core),
        "个工作日",
    ] {
        assert!(body.contains(text), "the notice lacks {text}: {body}");
    }
    assert!(!body.contains(ID_NUMBER), "the full ID number is printed");

    let anonymous = request(
        addr,
        "GET",
        &format!("/print/acceptance/{case}"),
        &[],
        Vec::new(),
    )
    .await;
    assert_eq!(anonymous.status, 303, "a notice without a session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_notice_gives_reason_basis_and_rights_and_an_accepted_case_has_none() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let clerk = tests::sign_in(core, tests::COUNTY_CLERK).await;
    let rejected = new_case(core, &clerk, true);
    let reason = "申请事项依法不需要取得行政许可";
    let basis = "《中华人民共和国行政许可法》第三十二条第一款第（一）项";
    step(
        core,
        &clerk,
        &rejected,
        CaseAction::Reject {
            reason: reason.into(),
            legal_basis: basis.into(),
            competent_authority: Some("县市场监督管理局".into()),
        },
    );
    let accepted = new_case(core, &clerk, false);

    let addr = county.inner.admin_addr;
    let session = console_sign_in(addr, tests::COUNTY_CLERK).await;
    let notice = get_with(addr, &format!("/print/rejection/{rejected}"), &session).await;
    keep("print-rejection", &notice);
    assert_eq!(notice.status, 200, "{}", notice.body);
    for text in [
        "不予受理决定书",
        rejected.as_str(),
        reason,
        basis,
        "县市场监督管理局",
        "行政复议",
        "行政诉讼",
        "六十日内",
        "六个月内",
    ] {
        assert!(
            notice.body.contains(text),
            "the notice lacks {text}: {}",
            notice.body
        );
    }

    let none = get_with(addr, &format!("/print/rejection/{accepted}"), &session).await;
    keep("print-not-applicable", &none);
    assert_eq!(none.status, 404, "{}", none.body);
    assert!(none.body.contains("未被决定不予受理"), "{}", none.body);
    assert!(!none.body.contains("行政复议"), "{}", none.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_notice_lists_everything_missing_once_in_the_notices_order() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let clerk = tests::sign_in(core, tests::COUNTY_CLERK).await;
    let case = new_case(core, &clerk, true);
    let missing = ["营业场所证明", "经营者身份证明复印件"];
    step(
        core,
        &clerk,
        &case,
        CaseAction::RequestCorrection {
            missing: missing.iter().map(|m| m.to_string()).collect(),
        },
    );

    let addr = county.inner.admin_addr;
    let session = console_sign_in(addr, tests::COUNTY_CLERK).await;
    let notice = get_with(addr, &format!("/print/correction/{case}"), &session).await;
    keep("print-correction", &notice);
    assert_eq!(notice.status, 200, "{}", notice.body);
    assert!(notice.body.contains("一次性告知书"), "{}", notice.body);
    for item in missing {
        assert_eq!(
            notice.body.matches(item).count(),
            1,
            "{item}: {}",
            notice.body
        );
    }
    let at = |item: &str| notice.body.find(item).expect("item listed");
    assert!(at(missing[0]) < at(missing[1]), "in the notice's order");
    assert!(
        !notice.body.contains(ID_NUMBER),
        "the full ID number is printed"
    );
}

/// Catalogue entry M002 with three materials (a county matter of D01).
fn put_m002(county: &NodeCore) -> Matter {
    let mut m = Matter::basic("M002", "食品经营许可", Level::County, 10, 20, "D01");
    m.legal_basis = "《中华人民共和国食品安全法》第三十五条".into();
    m.supervision_phone = "0371-12345".into();
    let material = |name: &str, form| Material {
        name: name.into(),
        form,
        mandatory: true,
        tolerable: false,
    };
    m.materials = vec![
        material("食品经营许可申请书", MaterialForm::Original),
        material("营业执照", MaterialForm::Copy),
        material("食品安全管理制度", MaterialForm::OriginalAndCopy),
    ];
    m.materials[2].tolerable = true;
    county
        .put_matter(&tests::hall(county), Lang::Zh, m.clone())
        .expect("M002 saved");
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_matters_guide_is_titled_as_a_guide_and_lists_every_material() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let m = put_m002(core);
    tests::credential_arrived(core, tests::COUNTY_CLERK).await;

    let addr = county.inner.admin_addr;
    let session = console_sign_in(addr, tests::COUNTY_CLERK).await;
    let guide = get_with(addr, "/print/guide/M002", &session).await;
    keep("print-guide", &guide);
    assert_eq!(guide.status, 200, "{}", guide.body);
    assert!(
        guide.body.contains("<title>办事指南</title>"),
        "{}",
        guide.body
    );
    assert!(!guide.body.contains("一次性告知书"), "{}", guide.body);
    for text in [
        m.legal_basis.as_str(),
        &m.supervision_phone,
        "复印件",
        "个工作日",
    ] {
        assert!(guide.body.contains(text), "the guide lacks {text}");
    }
    for material in &m.materials {
        assert!(
            guide.body.contains(&material.name),
            "{} missing",
            material.name
        );
    }

    let promise = get_with(addr, "/print/promise/M002", &session).await;
    keep("print-promise", &promise);
    assert_eq!(promise.status, 200, "{}", promise.body);
    assert!(promise.body.contains("服务承诺书") && promise.body.contains("0371-12345"));

    let unknown = get_with(addr, "/print/guide/M999", &session).await;
    assert_eq!(unknown.status, 404, "{}", unknown.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tolerated_acceptance_notice_lists_the_missing_material_with_its_promised_date() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let m = put_m002(core);
    let clerk = tests::sign_in(core, tests::COUNTY_CLERK).await;
    let handed_in: Vec<String> = m.materials[..2].iter().map(|x| x.name.clone()).collect();
    let case = core
        .accept_new(
            &clerk,
            Lang::Zh,
            "M002",
            &applicant(),
            &handed_in,
            true,
            false,
        )
        .expect("M002 registered")
        .id;
    let promised = cst_date(core.now_ms()) + chrono::Days::new(10);
    let tolerated = CaseAction::Accept {
        tolerated_missing: vec![m.materials[2].name.clone()],
        promised_by: Some(promised),
    };
    step(core, &clerk, &case, tolerated);

    let addr = county.inner.admin_addr;
    let session = console_sign_in(addr, tests::COUNTY_CLERK).await;
    let path = format!("/print/acceptance/{case}");
    let notice = get_with(addr, &path, &session).await;
    keep("print-acceptance-tolerated", &notice);
    assert_eq!(notice.status, 200, "{}", notice.body);
    let promised_text = liandong_node::console::layout::chinese_date(promised);
    for text in [
        "容缺",
        m.materials[2].name.as_str(),
        &promised_text,
        "原件及复印件",
    ] {
        assert!(
            notice.body.contains(text),
            "the notice lacks {text}: {}",
            notice.body
        );
    }

    let english = get_with(addr, &path, &format!("{session}; liandong_lang=en")).await;
    assert_eq!(english.status, 200, "{}", english.body);
    assert!(
        english.body.contains("Notice of acceptance"),
        "{}",
        english.body
    );
    assert!(
        english.body.contains(&promised.to_string()),
        "{}",
        english.body
    );
}

/// Chief representative S01 of D01 with every power over D01's matters.
fn authorised_chief(county: &NodeCore) {
    tests::put_chief(county, "S01", "D01", &[]);
    let powers: BTreeSet<Power> = Power::ALL.into_iter().collect();
    let day = |days: i64| cst_date(tests::now_ms().saturating_add_signed(days * 86_400_000));
    county
        .authorise(
            &tests::hall(county),
            Lang::Zh,
            "S01",
            AuthScope::Department("D01".into()),
            powers,
            day(-365),
            day(365),
            Some("A-S01-D01".into()),
        )
        .expect("authorisation filed");
}

/// An M001 case accepted, approved by S01 and concluded at the county.
async fn concluded(core: &NodeCore) -> CaseDetail {
    authorised_chief(core);
    let clerk = tests::sign_in(core, tests::COUNTY_CLERK).await;
    let chief = tests::sign_in(core, "S01").await;
    let case = new_case(core, &clerk, false);
    let approve = CaseAction::Decide {
        approve: true,
        by: "S01".into(),
        reason: "经审查，符合条件".into(),
        department: None,
        authorisation: None,
    };
    step(core, &chief, &case, approve);
    step(core, &clerk, &case, CaseAction::Conclude)
}

/// The kiosk's form posted with `cookie`: `code` for `case`, 非常满意,
/// with the CSRF field when given.
async fn rate(addr: SocketAddr, cookie: &str, csrf: Option<&str>, case: &str, code: &str) -> Reply {
    let mut fields = vec![
        ("case", case),
        ("code", code),
        ("level", "1"),
        ("text", "窗口服务热情"),
    ];
    if let Some(csrf) = csrf {
        fields.push(("csrf", csrf));
    }
    post_form(addr, "/evaluate", cookie, &fields).await
}

fn evaluations(core: &NodeCore, case: &str) -> usize {
    core.case_state(case)
        .expect("case state")
        .1
        .evaluations
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kiosk_takes_the_printed_code_once_and_refuses_wrong_codes_staff_and_forged_posts() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let done = concluded(core).await;
    let case = done.id.as_str();
    let code = done.evaluation_code.clone().expect("an evaluation code");
    let addr = county.inner.admin_addr;

    let (pre, csrf) = form_page(addr, "/evaluate").await;
    let kiosk = get_with(addr, "/evaluate", &pre).await;
    keep("evaluate", &kiosk);
    for label in [
        "办件编号",
        "评价码",
        "非常满意",
        "基本满意",
        "非常不满意",
        "for=\"f-level-5\"",
    ] {
        assert!(kiosk.body.contains(label), "the kiosk lacks {label}");
    }
    let forged = rate(addr, &pre, None, case, &code).await;
    assert_eq!(forged.status, 403, "a post without csrf: {}", forged.body);

    let session = console_sign_in(addr, tests::COUNTY_CLERK).await;
    let by_staff = rate(addr, &format!("{pre}; {session}"), Some(&csrf), case, &code).await;
    assert_eq!(
        by_staff.status, 403,
        "a post in a staff session: {}",
        by_staff.body
    );
    assert!(by_staff.body.contains("退出登录"), "{}", by_staff.body);

    let wrong = rate(addr, &pre, Some(&csrf), case, "ZZZZ-ZZZZ").await;
    assert_eq!(wrong.status, 400, "{}", wrong.body);
    let words = Refusal::WrongEvaluationCode.message(Lang::Zh);
    assert!(wrong.body.contains(&words), "{}", wrong.body);
    assert_eq!(evaluations(core, case), 0, "nothing evaluated yet");

    let rated = rate(addr, &pre, Some(&csrf), case, &code).await;
    assert_eq!(rated.status, 303, "{}", rated.body);
    assert_eq!(rated.header("location"), Some("/evaluate/thanks"));
    let thanks = get_with(addr, "/evaluate/thanks", &pre).await;
    keep("evaluate-thanks", &thanks);
    assert_eq!(thanks.status, 200);
    assert!(thanks.body.contains("感谢您的评价"), "{}", thanks.body);
    assert!(!thanks.body.contains(NAME) && !thanks.body.contains(case));
    assert_eq!(evaluations(core, case), 1);

    let again = rate(addr, &pre, Some(&csrf), case, &code).await;
    assert_eq!(again.status, 400, "the same code twice: {}", again.body);
    assert_eq!(evaluations(core, case), 1, "one evaluation per code");

    // The decision of the same case shows its seal's verification code.
    let seal = done
        .history
        .iter()
        .find_map(|h| h.seal_code.clone())
        .expect("a sealed decision");
    let decision = get_with(addr, &format!("/print/decision/{case}"), &session).await;
    keep("print-decision", &decision);
    assert_eq!(decision.status, 200, "{}", decision.body);
    for text in ["准予许可决定书", seal.as_str(), "S01"] {
        assert!(
            decision.body.contains(text),
            "the decision lacks {text}: {}",
            decision.body
        );
    }
}
