//! Who may open what in the console: a window clerk's session gets 403 on
//! the e-supervision and hall-management pages; a form posted without its
//! session's CSRF token is refused and changes nothing; the pages carry a
//! label on every field, work by keyboard, and fit 1366×768 at 200% zoom.

use tests::browser::Browser;
use tests::{credential_arrived, Net, PASSWORD};

use super::support::base;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_clerk_gets_403_on_supervision_and_management_and_a_forged_post_is_refused() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    credential_arrived(town.core(), "C01").await;
    let t = base(town.inner.admin_addr);
    let mut browser = Browser::start().await;
    let mut clerk = browser.page("clerk");
    clerk.sign_in(&t, "C01", PASSWORD).await;
    for path in [
        "/supervision",
        "/supervision/dashboard",
        "/manage/matters",
        "/manage/staff",
    ] {
        let status = clerk.goto(&format!("{t}{path}")).await;
        assert_eq!(status, 403, "a window clerk opened {path}");
    }
    let before = town.core().store.cases(None).map(|c| c.len()).unwrap_or(0);
    let forged = [
        ("matter", "M001"),
        ("name", "王五"),
        ("id_number", "11010519491231002X"),
        ("mode", "accept"),
    ];
    let (status, body) = clerk.post_form(&format!("{t}/cases"), &forged).await;
    assert_eq!(status, 403, "a post without the CSRF token: {body}");
    assert!(body.contains("CSRF"), "{body}");
    let after = town.core().store.cases(None).map(|c| c.len()).unwrap_or(0);
    assert_eq!(before, after, "the forged post wrote a case");
    let (status, _) = clerk
        .post_form(&format!("{t}/logout"), &[("csrf", "0000")])
        .await;
    assert_eq!(status, 403, "a sign-out with a wrong token");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sign_in_and_intake_pages_are_labelled_keyboard_usable_and_fit_at_200_percent() {
    let net = Net::new();
    let county = net.county(0).await;
    let c = base(county.inner.admin_addr);
    let mut browser = Browser::start().await;
    let mut page = browser.page("keys");
    page.goto(&format!("{c}/")).await;
    assert!(
        page.unlabelled().await.is_empty(),
        "{:?}",
        page.unlabelled().await
    );
    // Keyboard only: Tab to each field, type, Enter submits.
    let mut reached = Vec::new();
    for _ in 0..8 {
        page.key("Tab").await;
        let f = page.focused().await;
        let label = f["label"].as_str().unwrap_or("").to_string();
        if label.starts_with("工号") || label.starts_with("密码") {
            reached.push(label);
        }
        if reached.len() == 2 {
            break;
        }
    }
    assert_eq!(reached.len(), 2, "Tab reaches 工号 and 密码: {reached:?}");
    page.fill("工号", "C00").await;
    page.fill("密码", PASSWORD).await;
    page.submit_by_key("Enter").await;
    assert!(page.url().await.ends_with("/today"), "{}", page.url().await);
    for path in ["/today", "/matters", "/cases/new?matter=M001", "/cases"] {
        page.goto(&format!("{c}{path}")).await;
        assert!(
            page.unlabelled().await.is_empty(),
            "{path}: {:?}",
            page.unlabelled().await
        );
        page.viewport(1366, 768).await;
        assert!(!page.overflows().await, "{path} is wider than 1366 px");
        // 200% zoom of a 1366×768 screen is a 683×384 CSS-pixel window.
        page.viewport(683, 384).await;
        assert!(!page.overflows().await, "{path} scrolls sideways at 200%");
        let name = path.trim_start_matches('/').replace(['/', '?', '='], "_");
        page.screenshot(&format!("zoom200-{name}.png")).await;
    }
    page.goto(&format!("{c}/lang/en?back=/today")).await;
    let text = page.text().await;
    assert!(
        text.contains("Today") && text.contains("Sign out"),
        "{text}"
    );
}
