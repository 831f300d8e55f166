//! A joint case through the department queue in the console: accepted at
//! T01 and routed by the matter's rule (to D03, with an opinion of T02);
//! T02's reviewer gives the township's opinion in T02's console; D03's
//! chief representative finds it in his queue at the county, gives D03's
//! opinion and decides with his seal (the forms start with his
//! department); the decision shows back at T01.

use tests::browser::Browser;
use tests::joint::{put_joint_registry, LIMIT};
use tests::{credential_arrived, eventually, Net, PASSWORD};

use super::support::{base, case_of, RESIDENT_ID};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_joint_case_goes_through_the_department_queue_and_its_decision_shows_at_the_township() {
    let net = Net::new();
    let county = net.county(0).await;
    put_joint_registry(county.core());
    let t1 = net.township("T01", county.port(), None).await;
    let t2 = net.township("T02", county.port(), None).await;
    credential_arrived(t1.core(), "C01").await;
    credential_arrived(t2.core(), "R01").await;
    let has_m017 = || t1.core().store.matter("M017").ok().flatten().is_some();
    assert!(eventually(LIMIT, has_m017).await, "M017 never reached T01");
    let (b1, b2, c) = (
        base(t1.inner.admin_addr),
        base(t2.inner.admin_addr),
        base(county.inner.admin_addr),
    );
    let mut browser = Browser::start().await;

    let mut clerk = browser.page("clerk");
    clerk.sign_in(&b1, "C01", PASSWORD).await;
    clerk.goto(&format!("{b1}/cases/new?matter=M017")).await;
    clerk.fill("申请人姓名", "王五").await;
    clerk.fill("身份证件号码", RESIDENT_ID).await;
    clerk.press("受理").await;
    let case = case_of(&clerk.url().await);
    assert!(case.contains("-T01-"), "{}", clerk.url().await);
    clerk.press("分送").await;
    let routed = clerk.text().await;
    assert!(
        routed.contains("D03"),
        "routed by the rule to D03:\n{routed}"
    );
    clerk.screenshot("joint-01-routed.png").await;

    let at = |core: &liandong_node::NodeCore| core.case_state(&case).is_ok();
    assert!(
        eventually(LIMIT, || at(t2.core())).await,
        "the case never reached T02"
    );
    let mut reviewer = browser.page("t2-reviewer");
    reviewer.sign_in(&b2, "R01", PASSWORD).await;
    reviewer.goto(&format!("{b2}/cases/{case}")).await;
    reviewer.fill("意见内容", "同意，无异议").await;
    reviewer.press("提交意见").await;
    reviewer.screenshot("joint-02-township-opinion.png").await;

    assert!(
        eventually(LIMIT, || at(county.core())).await,
        "the case never reached the county"
    );
    let mut chief = browser.page("chief");
    chief.sign_in(&c, "S31", PASSWORD).await;
    let queue = chief.text().await;
    assert!(
        queue.contains(&case),
        "D03's queue at the county lists {case}:\n{queue}"
    );
    chief.screenshot("joint-03-queue.png").await;
    chief.follow(&case).await;
    chief
        .fill("提出意见的部门编码（本部门前置机上可留空）", "D03")
        .await;
    chief.fill("意见内容", "符合规划条件").await;
    chief.press("提交意见").await;
    chief
        .fill("作出决定的部门编码（本部门前置机上可留空）", "D03")
        .await;
    chief.press("签章并决定").await;
    let decided = chief.text().await;
    assert!(
        decided.contains("准予"),
        "the decision is on the case:\n{decided}"
    );
    chief.screenshot("joint-04-decided.png").await;

    let decided_at_t1 = || {
        t1.core()
            .case_state(&case)
            .is_ok_and(|(_, s)| s.parts.iter().any(|p| p.department == "D03"))
    };
    assert!(
        eventually(LIMIT, decided_at_t1).await,
        "D03's decision never reached T01"
    );
    let mut clerk = browser.page("clerk");
    clerk.goto(&format!("{b1}/cases/{case}")).await;
    let back = clerk.text().await;
    assert!(
        back.contains("准予") && back.contains("S31"),
        "T01 shows D03's decision by S31:\n{back}"
    );
    clerk.screenshot("joint-05-back-at-t1.png").await;
}
