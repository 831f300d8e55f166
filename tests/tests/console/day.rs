//! A window day at a township with the county stopped, in the console:
//! sign in, accept a case with its checklist and print the 受理通知书,
//! register another with materials missing and print the 一次性告知书,
//! supply and accept it; once the county is back its chief representative
//! decides in the county's console with his seal; the clerk concludes and
//! delivers; the applicant rates the case at `/evaluate` with the printed
//! code, which then works no more.

use tests::browser::Browser;
use tests::{credential_arrived, eventually, Net, PASSWORD};

use super::support::{authorised_chief, base, case_of, put_m002, LIMIT, RESIDENT_ID};

/// The evaluation code (XXXX-XXXX) in a page's text.
fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| c.is_whitespace() || "：:（）()".contains(c))
        .find(|w| {
            w.len() == 9
                && w.as_bytes()[4] == b'-'
                && w.chars()
                    .filter(|c| *c != '-')
                    .all(|c| c.is_ascii_alphanumeric())
        })
        .map(str::to_string)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_window_day_at_a_township_with_the_county_down_ends_in_one_evaluation() {
    let net = Net::new();
    let county = net.county(0).await;
    let county_port = county.port();
    put_m002(county.core());
    authorised_chief(county.core(), "S31");
    let town = net.township("T01", county_port, None).await;
    credential_arrived(town.core(), "C01").await;
    let has_m002 = || town.core().store.matter("M002").ok().flatten().is_some();
    assert!(eventually(LIMIT, has_m002).await, "M002 never reached T01");
    county.stop().await;

    let t = base(town.inner.admin_addr);
    let mut browser = Browser::start().await;
    let mut clerk = browser.page("clerk");
    clerk.sign_in(&t, "C01", PASSWORD).await;
    assert!(
        clerk.url().await.ends_with("/today"),
        "{}",
        clerk.url().await
    );
    clerk.screenshot("01-today.png").await;

    // Case A: everything handed in, accepted, the notice printed.
    clerk.goto(&format!("{t}/matters?q=宅基地")).await;
    clerk.screenshot("02-matters.png").await;
    clerk.follow("受理此事项 M002").await;
    clerk.fill("申请人姓名", "张三").await;
    clerk.fill("身份证件号码", RESIDENT_ID).await;
    for m in ["申请书", "居民身份证", "户口簿"] {
        clerk.check(m).await;
    }
    clerk.screenshot("03-intake.png").await;
    clerk.press("受理").await;
    let a = case_of(&clerk.url().await);
    assert!(
        a.contains("-T01-"),
        "not on a case page: {}",
        clerk.url().await
    );
    let page = clerk.text().await;
    assert!(
        page.contains(RESIDENT_ID),
        "the clerk's case page shows the whole ID: {page}"
    );
    assert!(
        page.contains("C01"),
        "the history names the recorder: {page}"
    );
    clerk.screenshot("04-case-accepted.png").await;
    clerk.follow("打印受理通知书").await;
    let printed = clerk.print("05-acceptance.pdf").await;
    for want in [
        "受理通知书",
        a.as_str(),
        "农村村民宅基地申请",
        "张三",
        "T01",
        "年",
    ] {
        assert!(
            printed.contains(want),
            "the 受理通知书 lacks {want}:\n{printed}"
        );
    }

    // Case B: two materials missing, one notice listing both.
    clerk.goto(&format!("{t}/cases/new?matter=M002")).await;
    clerk.fill("申请人姓名", "李四").await;
    clerk.fill("身份证件号码", RESIDENT_ID).await;
    clerk.check("申请书").await;
    clerk.press("一次性告知补正").await;
    let b = case_of(&clerk.url().await);
    assert_ne!(a, b);
    clerk.follow("打印一次性告知书").await;
    let notice = clerk.print("06-correction.pdf").await;
    for want in ["一次性告知书", "居民身份证", "户口簿", b.as_str()] {
        assert!(
            notice.contains(want),
            "the 一次性告知书 lacks {want}:\n{notice}"
        );
    }
    assert!(
        !notice.contains("申请书（"),
        "a material handed in is on the notice:\n{notice}"
    );
    clerk.goto(&format!("{t}/cases/{b}")).await;
    clerk.press("补齐并继续").await;
    clerk.press("受理").await;
    let page = clerk.text().await;
    assert!(
        page.contains("受理通知书"),
        "case B accepted after supply:\n{page}"
    );
    clerk.screenshot("07-case-b-accepted.png").await;
    assert!(
        clerk.requests_outside().await.is_empty(),
        "the console fetched from outside the node"
    );

    // The county comes back; its chief representative decides case A.
    let county = net.county(county_port).await;
    let at_county = || county.core().case_state(&a).is_ok();
    assert!(
        eventually(LIMIT, at_county).await,
        "case {a} never reached the county"
    );
    let c = base(county.inner.admin_addr);
    let mut chief = browser.page("chief");
    chief.sign_in(&c, "S31", PASSWORD).await;
    assert!(
        chief.url().await.ends_with("/queue"),
        "{}",
        chief.url().await
    );
    chief.goto(&format!("{c}/cases/{a}")).await;
    chief.press("签章并决定").await;
    let decided = chief.text().await;
    assert!(
        code_in(&decided).is_some(),
        "no seal verification code on the decision:\n{decided}"
    );
    chief.screenshot("08-decided-at-county.png").await;

    let decided_at_town = || {
        town.core()
            .case_state(&a)
            .is_ok_and(|(_, s)| !s.parts.is_empty())
    };
    assert!(
        eventually(LIMIT, decided_at_town).await,
        "the decision never reached T01"
    );
    let mut clerk = browser.page("clerk");
    clerk.goto(&format!("{t}/cases/{a}")).await;
    clerk.press("办结").await;
    let concluded = clerk.text().await;
    let code = code_in(&concluded).unwrap_or_else(|| panic!("no evaluation code:\n{concluded}"));
    clerk.screenshot("09-concluded.png").await;
    clerk.press("送达").await;
    assert!(
        clerk.text().await.contains("已送达"),
        "{}",
        clerk.text().await
    );

    // The applicant rates the case once.
    let mut kiosk = browser.page("applicant");
    for (round, expect_ok) in [(1, true), (2, false)] {
        kiosk.goto(&format!("{t}/evaluate")).await;
        kiosk.fill("办件编号", &a).await;
        kiosk.fill("评价码", &code).await;
        kiosk.check("非常满意").await;
        let status = kiosk.press("提交评价").await;
        let text = kiosk.text().await;
        kiosk.screenshot(&format!("10-evaluate-{round}.png")).await;
        assert_eq!(
            status < 400,
            expect_ok,
            "evaluation round {round}: {status}\n{text}"
        );
    }
    let rated = town.core().case_state(&a).map(|(_, s)| s.evaluations.len());
    assert_eq!(rated.ok(), Some(1), "exactly one evaluation on the case");
}
