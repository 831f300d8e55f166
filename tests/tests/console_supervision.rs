//! The console's e-supervision and hall-management pages, over HTTP on a
//! real county's admin port: each person signs in with the sign-in form
//! (pre-session cookie and its CSRF field) and then reads and posts as a
//! browser would, with the session cookie. The county runs on a clock the
//! test moves (`Seams { clock: ManualClock }`), so a case turns red at once.

use std::net::SocketAddr;

use liandong_domain::{DaySetting, Lang, Level, Matter, StaffRole};
use liandong_model::ManualClock;
use liandong_node::NodeCore;
use tests::http::{request, Reply};
use tests::{Net, Node, PASSWORD};

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A county on a test clock, with M001, the test clerks and E01
/// (e-supervision) on its roster.
async fn county(net: &Net) -> (Node<county_node::County>, std::sync::Arc<ManualClock>) {
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
    (county, clock)
}

/// A browser signed in to the console: its session cookie.
struct Browser {
    addr: SocketAddr,
    cookie: String,
}

/// The value of the first `name="csrf"` hidden field of a page.
fn csrf_of(page: &str) -> String {
    let at = page
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field in {page}"));
    let rest = &page[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

/// `name=value` of a `Set-Cookie` called `name`.
fn set_cookie(reply: &Reply, name: &str) -> String {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .find_map(|(_, v)| {
            v.split(';')
                .next()
                .filter(|c| c.starts_with(&format!("{name}=")))
        })
        .unwrap_or_else(|| panic!("no {name} cookie: {:?}", reply.headers))
        .to_string()
}

fn form(pairs: &[(&str, &str)]) -> Vec<u8> {
    let enc = |s: &str| liandong_node::console::visit::url_escape(s);
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

impl Browser {
    /// Signs `staff` in through `GET /` and `POST /login`.
    async fn sign_in(addr: SocketAddr, staff: &str, password: &str) -> Browser {
        let first = request(addr, "GET", "/", &[], Vec::new()).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let pre = set_cookie(&first, "liandong_pre");
        let body = form(&[
            ("csrf", &csrf_of(&first.body)),
            ("staff", staff),
            ("password", password),
        ]);
        let headers = [
            ("cookie", pre.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        let reply = request(addr, "POST", "/login", &headers, body).await;
        assert_eq!(reply.status, 303, "{staff} signs in: {}", reply.body);
        Browser {
            addr,
            cookie: set_cookie(&reply, "liandong_session"),
        }
    }

    async fn get(&self, path: &str) -> Reply {
        request(
            self.addr,
            "GET",
            path,
            &[("cookie", &self.cookie)],
            Vec::new(),
        )
        .await
    }

    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        let headers = [
            ("cookie", self.cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ];
        request(self.addr, "POST", path, &headers, form(pairs)).await
    }
}

/// Hall management's `admin`, signed in with the new county's password.
async fn hall_browser(net: &Net, addr: SocketAddr) -> Browser {
    let file = net
        .dir("county")
        .join(liandong_node::identity::INITIAL_PASSWORD_FILE);
    let password = std::fs::read_to_string(&file).expect("the initial password");
    Browser::sign_in(
        addr,
        liandong_node::identity::INITIAL_ADMIN,
        password.trim(),
    )
    .await
}

/// The first `/supervision/item/...` link of a page that names `case`.
fn item_link(page: &str, case: &str) -> String {
    let start = format!("/supervision/item/{case}/");
    let at = page
        .find(&start)
        .unwrap_or_else(|| panic!("no item link of {case} in {page}"));
    let rest = &page[at..];
    rest[..rest.find('"').expect("closing quote")].to_string()
}

/// The dashboard's open-items total.
fn open_total(page: &str) -> u32 {
    let key = "data-open-total=\"";
    let at = page
        .find(key)
        .unwrap_or_else(|| panic!("no total in {page}"));
    let rest = &page[at + key.len()..];
    rest[..rest.find('"').expect("quote")]
        .parse()
        .expect("a number")
}

/// Accepts a case of M009 (promised in one working day) at the county.
fn quick_case(core: &NodeCore) -> String {
    let quick = Matter::basic("M009", "证明开具", Level::Township, 1, 5, "D01");
    core.put_matter(&tests::hall(core), Lang::Zh, quick)
        .expect("matter");
    core.accept_case(&tests::clerk_at(core), "M009", "赵六", "410000199203031235")
        .expect("accepted")
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_made_red_by_the_clock_is_listed_counted_and_stays_listed_once_resolved() {
    let net = Net::new();
    let (county, clock) = county(&net).await;
    let core = county.core();
    let case = quick_case(core);
    let addr = county.inner.admin_addr;
    let e01 = Browser::sign_in(addr, "E01", PASSWORD).await;

    let red = e01.get("/supervision?kind=red").await;
    assert_eq!(red.status, 200, "{}", red.body);
    assert!(
        !red.body.contains(&case),
        "not red on the day it was accepted"
    );
    let before = open_total(&e01.get("/supervision/dashboard").await.body);

    clock.advance(10 * DAY_MS);
    // Ten days idle end the session: E01 signs in again.
    let e01 = Browser::sign_in(addr, "E01", PASSWORD).await;
    let red = e01.get("/supervision?kind=red").await;
    assert_eq!(red.status, 200, "{}", red.body);
    assert!(red.body.contains("红牌清单"), "Chinese by default");
    assert!(red.body.contains(&case), "red ten days on: {}", red.body);
    assert!(
        !red.body.contains("410000199203031235"),
        "the ID number is masked"
    );
    let dash = e01.get("/supervision/dashboard").await;
    assert_eq!(dash.status, 200, "{}", dash.body);
    assert!(dash.body.contains("<svg"), "charts drawn on the server");
    assert!(!dash.body.contains("src=\"http"), "nothing from elsewhere");
    let open = open_total(&dash.body);
    assert!(
        open > before,
        "the red item counts as open: {before} then {open}"
    );

    let link = item_link(&red.body, &case);
    let item = e01.get(&link).await;
    assert_eq!(item.status, 200, "{}", item.body);
    assert!(item.body.contains(&case) && item.body.contains("预警中"));
    let csrf = csrf_of(&item.body);
    let posted = e01
        .post(
            &link,
            &[
                ("csrf", &csrf),
                ("note", "已约谈窗口负责人"),
                ("resolve", "1"),
            ],
        )
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);

    let item = e01.get(&link).await;
    assert!(
        item.body.contains("已解决"),
        "shown as resolved: {}",
        item.body
    );
    assert!(item.body.contains("已约谈窗口负责人"), "the note is shown");
    let red = e01.get("/supervision?kind=red").await;
    assert!(
        red.body.contains(&link) && red.body.contains("已解决"),
        "the resolved item stays on the red list: {}",
        red.body
    );
    let after = open_total(&e01.get("/supervision/dashboard").await.body);
    assert_eq!(after, open - 1, "a resolved item is no longer open");
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_clerk_may_not_open_supervision_or_management_and_supervision_not_the_roster() {
    let net = Net::new();
    let (county, _clock) = county(&net).await;
    let addr = county.inner.admin_addr;
    let clerk = Browser::sign_in(addr, tests::COUNTY_CLERK, PASSWORD).await;
    for path in [
        "/supervision",
        "/supervision/dashboard",
        "/supervision.csv",
        "/manage/matters",
    ] {
        let reply = clerk.get(path).await;
        assert_eq!(reply.status, 403, "GET {path} as a clerk: {}", reply.body);
    }
    let e01 = Browser::sign_in(addr, "E01", PASSWORD).await;
    let reply = e01.get("/manage/staff").await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    let anonymous = request(addr, "GET", "/supervision", &[], Vec::new()).await;
    assert_eq!(anonymous.status, 303, "to the sign-in page");
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_post_without_the_csrf_field_changes_nothing_and_with_it_sets_the_day() {
    let net = Net::new();
    let (county, _clock) = county(&net).await;
    let core = county.core();
    let hall = hall_browser(&net, county.inner.admin_addr).await;
    let month = hall.get("/manage/calendar?year=2026&month=12").await;
    assert_eq!(month.status, 200, "{}", month.body);
    assert!(
        month.body.contains("data-date=\"2026-12-05\""),
        "the month's days"
    );
    let saturday = [("date", "2026-12-05"), ("setting", "workday")];

    let forged = hall.post("/manage/calendar", &saturday).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    let (_, days) = core.show_calendar(2026).expect("calendar");
    assert!(days.is_empty(), "nothing set by a forged post: {days:?}");

    let csrf = csrf_of(&month.body);
    let mut pairs = vec![("csrf", csrf.as_str())];
    pairs.extend(saturday);
    let set = hall.post("/manage/calendar", &pairs).await;
    assert_eq!(set.status, 303, "{}", set.body);
    let (_, days) = core.show_calendar(2026).expect("calendar");
    let day = "2026-12-05".parse().expect("date");
    assert_eq!(days, vec![(day, DaySetting::Workday)]);
    let month = hall.get("/manage/calendar?year=2026&month=12").await;
    assert!(
        month
            .body
            .contains("data-date=\"2026-12-05\" data-setting=\"workday\""),
        "the month shows the day's setting"
    );
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saving_a_matter_through_the_form_adds_a_version_shown_on_its_page() {
    let net = Net::new();
    let (county, _clock) = county(&net).await;
    let core = county.core();
    let hall = hall_browser(&net, county.inner.admin_addr).await;
    let page = hall.get("/manage/matters/M001").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("个体工商户设立登记"));
    let csrf = csrf_of(&page.body);
    let saved = hall
        .post(
            "/manage/matters/M001",
            &[
                ("csrf", &csrf),
                ("name", "个体工商户设立登记（新版）"),
                ("kind", "promised"),
                ("level", "township"),
                ("promised_days", "2"),
                ("statutory_days", "15"),
                ("lead_department", "D01"),
                (
                    "materials",
                    "身份证 | 原件 | 必需\n经营场所证明 | 复印件 | 必需 | 容缺",
                ),
                ("fees", ""),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let catalogue = core.store.catalogue().expect("catalogue");
    let entry = catalogue.entry("M001").expect("M001");
    assert_eq!(
        entry.versions().count(),
        2,
        "a new version, the old one kept"
    );
    let current = entry.current();
    assert_eq!((current.promised_days, current.materials.len()), (2, 2));
    assert!(current.materials[1].tolerable);

    let page = hall.get("/manage/matters/M001?done=1").await;
    assert!(
        page.body.contains("v2") && page.body.contains("v1"),
        "{}",
        page.body
    );
    assert!(page.body.contains("个体工商户设立登记（新版）"));
    let list = hall.get("/manage/matters?q=%E6%96%B0%E7%89%88").await;
    assert!(list.body.contains("/manage/matters/M001"), "found by name");
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_has_a_bom_a_header_row_and_one_row_per_item() {
    let net = Net::new();
    let (county, clock) = county(&net).await;
    let core = county.core();
    let cases = [quick_case(core), {
        core.accept_case(&tests::clerk_at(core), "M009", "钱七", "410000198501015677")
            .expect("accepted")
            .id
    }];
    clock.advance(10 * DAY_MS);
    let e01 = Browser::sign_in(county.inner.admin_addr, "E01", PASSWORD).await;
    let items = core
        .supervision(&tests::reader(), Lang::Zh, None)
        .expect("items");
    assert!(items.len() >= 2, "{items:?}");
    let csv = e01.get("/supervision.csv?kind=items").await;
    assert_eq!(csv.status, 200, "{}", csv.body);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        csv.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment")),
        "{:?}",
        csv.headers
    );
    assert!(csv.body.starts_with('\u{feff}'), "a UTF-8 BOM for Excel");
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert!(lines[0].contains("办件编号"), "a header row: {}", lines[0]);
    assert_eq!(lines.len(), 1 + items.len(), "{}", csv.body);
    for case in &cases {
        assert!(csv.body.contains(case.as_str()), "{case} exported");
    }
    assert!(!csv.body.contains("410000198501015677"), "masked");
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hall_management_adds_staff_grants_an_authorisation_and_sets_a_routing_rule_by_forms() {
    let net = Net::new();
    let (county, _clock) = county(&net).await;
    let core = county.core();
    let hall = hall_browser(&net, county.inner.admin_addr).await;

    let staff = hall.get("/manage/staff").await;
    assert_eq!(staff.status, 200, "{}", staff.body);
    let csrf = csrf_of(&staff.body);
    let added = hall
        .post(
            "/manage/staff/add",
            &[
                ("csrf", &csrf),
                ("id", "S31"),
                ("name", "王首席"),
                ("department", "D03"),
                ("role", "chief-representative"),
                ("centres", ""),
            ],
        )
        .await;
    assert_eq!(added.status, 303, "{}", added.body);
    let roster = core.list_staff().expect("roster");
    assert!(roster.iter().any(|s| s.id == "S31"), "{roster:?}");
    let refused = hall
        .post(
            "/manage/staff/password",
            &[
                ("csrf", &csrf),
                ("staff", "S31"),
                ("password", "short"),
                ("account", "enable"),
            ],
        )
        .await;
    assert_eq!(
        refused.status, 400,
        "a weak password is refused on the page"
    );
    assert!(refused.body.contains("role=\"alert\""), "{}", refused.body);

    let grant = hall
        .post(
            "/manage/authorisations/grant",
            &[
                ("csrf", &csrf),
                ("staff", "S31"),
                ("scope", "department"),
                ("code", "D03"),
                ("powers", "decide"),
                ("powers", "seal"),
                ("from", "2026-01-01"),
                ("to", "2026-12-31"),
                ("id", "A-S31"),
            ],
        )
        .await;
    assert_eq!(grant.status, 303, "{}", grant.body);
    let page = hall.get("/manage/authorisations").await;
    assert!(
        page.body.contains("2026年1月1日") && page.body.contains("2026年12月31日"),
        "validity as dates: {}",
        page.body
    );
    let auths = core.store.authorisations().expect("authorisations");
    assert_eq!(auths.len(), 1);
    assert_eq!(auths[0].powers.len(), 2);

    let rule = hall
        .post(
            "/manage/routing",
            &[
                ("csrf", &csrf),
                ("matter", "M001"),
                ("departments", "D03, D05"),
                ("townships", ""),
            ],
        )
        .await;
    assert_eq!(rule.status, 303, "{}", rule.body);
    let page = hall.get("/manage/routing").await;
    assert!(page.body.contains("D03, D05"), "{}", page.body);
    county.stop().await;
}
