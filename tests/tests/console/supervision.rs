//! E-supervision in the browser: a case made red by the county's test
//! clock (moved, never slept) is on the red list and counted on the
//! dashboard; resolving its item with a note keeps the item, shown as
//! resolved.

use liandong_domain::{Lang, Level, Matter, StaffRole};
use liandong_model::ManualClock;
use tests::browser::Browser;
use tests::{Net, PASSWORD};

use super::support::{base, RESIDENT_ID};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_case_made_red_by_the_clock_is_on_the_red_list_and_stays_there_resolved() {
    let net = Net::new();
    let clock = ManualClock::new(tests::now_ms());
    let county = net.county_on_clock(clock.clone()).await;
    let core = county.core();
    let hall = tests::hall(core);
    core.add_staff(
        &hall,
        Lang::Zh,
        "E01",
        "监察员",
        "D09",
        StaffRole::Supervisor,
        &[],
    )
    .expect("E01 on the roster");
    core.set_password(&hall, "E01", Some(PASSWORD), false)
        .expect("E01's password");
    let quick = Matter::basic("M009", "证明开具", Level::Township, 1, 5, "D01");
    core.put_matter(&hall, Lang::Zh, quick).expect("M009");
    let case = core
        .accept_case(&tests::clerk_at(core), "M009", "赵六", RESIDENT_ID)
        .expect("accepted")
        .id;
    clock.advance(10 * DAY_MS);
    core.flag_crossings().expect("a rule-engine pass");

    let c = base(county.inner.admin_addr);
    let mut browser = Browser::start().await;
    let mut e01 = browser.page("supervision");
    e01.sign_in(&c, "E01", PASSWORD).await;
    e01.goto(&format!("{c}/supervision?kind=red")).await;
    let red = e01.text().await;
    assert!(red.contains(&case), "the red list shows {case}:\n{red}");
    assert!(
        !red.contains(RESIDENT_ID),
        "the ID number is masked:\n{red}"
    );
    e01.screenshot("supervision-01-red.png").await;
    e01.goto(&format!("{c}/supervision/dashboard")).await;
    assert!(
        e01.html().await.contains("<svg"),
        "the dashboard draws its charts"
    );
    e01.screenshot("supervision-02-dashboard.png").await;

    e01.goto(&format!("{c}/supervision?kind=red")).await;
    e01.follow(&case).await;
    e01.fill("批注", "已督促窗口当日办结").await;
    e01.check("同时标记为已解决").await;
    e01.press("提交").await;
    let item = e01.text().await;
    assert!(
        item.contains("已督促窗口当日办结"),
        "the note is on the item:\n{item}"
    );
    e01.screenshot("supervision-03-resolved.png").await;
    e01.goto(&format!("{c}/supervision?kind=red")).await;
    let red = e01.text().await;
    assert!(
        red.contains(&case) && red.contains("已解决"),
        "the resolved item stays on the red list, shown as resolved:\n{red}"
    );
}
