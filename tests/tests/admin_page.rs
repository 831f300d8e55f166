//! The county's admin page in a real browser, `/metrics` over HTTP, and
//! who may read the e-supervision lists: the page, status and metrics are
//! open; the case and supervision lists need a session (`POST /api/login`,
//! then a bearer token or the cookie) of a role that reads cases, and show
//! ID numbers masked.
//!
//! The browser is Debian's chromium, run headless with `--dump-dom` and
//! `--screenshot` (no WebDriver): `.ci/run` installs it, so a missing
//! chromium fails the test rather than skipping it. The screenshots are
//! kept under `target/test-artifacts/`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chromium::{artifacts_dir, assert_png, excerpt, row_state, Chromium};
use county_node::County;
use liandong_domain::{Lang, StaffRole};
use liandong_node::identity::INITIAL_ADMIN;
use liandong_node::NodeCore;
use prometheus::{held, parse_prometheus, value, Sample};
use serde_json::Value;
use tests::http::Reply;
use tests::scene::initial_password;
use tests::{accept_cases, resident_id, Net, Node, PASSWORD};

/// Bounds every wait; no assertion is about timing.
const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn admin_page_shows_a_stopped_township_down_and_the_other_up_in_a_browser() {
    let browser = Chromium::find();
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = net.township("T01", county.port(), None).await;
    let t2 = net.township("T02", county.port(), None).await;
    accept_cases(t1.core(), 3);
    accept_cases(t2.core(), 2);
    let admin = county.inner.admin_addr;
    // Up, and reported once, so the page shows what it last knew of T02.
    wait_for(
        &format!("T01 and T02 up at http://{admin}/api/status"),
        || async {
            let status = get_json(admin, "/api/status", None).await.ok()?;
            let states = peer_states(&status);
            (states.get("township/T01").map(String::as_str) == Some("up")
                && states.get("township/T02").map(String::as_str) == Some("up"))
            .then_some(())
        },
    )
    .await;

    t2.stop().await;

    let url = format!("http://{admin}/admin");
    let started = Instant::now();
    let dom = loop {
        let dom = browser.dump_dom(&url).await;
        let (s1, s2) = (
            row_state(&dom, "township/T01"),
            row_state(&dom, "township/T02"),
        );
        if s1.as_deref() == Some("up") && s2.as_deref() == Some("down") {
            break dom;
        }
        assert!(
            started.elapsed() < WAIT,
            "after {WAIT:?} the page shows T01 {s1:?} and T02 {s2:?} (want up and down); DOM:\n{}",
            excerpt(&dom)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        row_state(&dom, "county/HQ").as_deref(),
        Some("up"),
        "the county's own row is missing"
    );
    for label in [
        "节点",
        "状态",
        "最后联系",
        "证书到期",
        "离线",
        "在线",
        "电子监察",
    ] {
        assert!(dom.contains(label), "the page lacks the label {label}");
    }

    let shot = artifacts_dir().join("admin-page.png");
    browser.screenshot(&url, &shot).await;
    println!("admin page screenshot: {}", shot.display());
    assert_png(&shot);

    // The English detail view of T01, with its lag chart.
    let detail = format!("http://{admin}/admin?lang=en#township/T01");
    let dom = browser.dump_dom(&detail).await;
    assert!(
        dom.contains("id=\"lag-chart\""),
        "no lag chart:\n{}",
        excerpt(&dom)
    );
    assert!(
        dom.contains("Lag over the last hour"),
        "not in English:\n{}",
        excerpt(&dom)
    );
    let shot = artifacts_dir().join("admin-page-detail-en.png");
    browser.screenshot(&detail, &shot).await;
    println!("detail view screenshot: {}", shot.display());
    assert_png(&shot);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn metrics_parse_as_prometheus_text_and_ops_held_moves_when_cases_are_accepted() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    let (county_admin, town_admin) = (county.inner.admin_addr, town.inner.admin_addr);
    wait_for("T01 connected in the county's /metrics", || async {
        let m = scrape(county_admin).await;
        (value(&m, "liandong_peer_connected", Some("township/T01")) == Some(1.0)).then_some(())
    })
    .await;
    let before = (
        held(&scrape(county_admin).await),
        held(&scrape(town_admin).await),
    );

    accept_cases(town.core(), 3);

    // Each case is two operations (submitted, accepted).
    wait_for(
        "6 more operations held at T01 and at the county",
        || async {
            let (c, t) = (scrape(county_admin).await, scrape(town_admin).await);
            (held(&c) >= before.0 + 6.0
                && held(&t) >= before.1 + 6.0
                && value(&c, "liandong_peer_ops_received_total", Some("township/T01")) >= Some(6.0))
            .then_some(())
        },
    )
    .await;
    let t = scrape(town_admin).await;
    assert_eq!(
        value(&t, "liandong_peer_connected", Some("county/HQ")),
        Some(1.0)
    );
    assert!(value(&t, "liandong_process_start_time_seconds", None) > Some(0.0));

    let (code, _) = http_get(county_admin, "/api/history", None).await;
    assert_eq!(code, 400, "/api/history without peer= is a client error");
    let h = get_json(county_admin, "/api/history?peer=township/T01", None)
        .await
        .expect("history JSON");
    assert_eq!(h["peer"], "township/T01");
    assert!(h["samples"].is_array(), "{h}");
}

#[tokio::test]
async fn the_admin_page_loads_nothing_from_elsewhere() {
    let net = Net::new();
    let county = net.county(0).await;
    let (code, page) = http_get(county.inner.admin_addr, "/admin", None).await;
    assert_eq!(code, 200);
    assert!(page.contains("/api/status"), "not the admin page: {page}");
    let lower = page.to_ascii_lowercase();
    for external in [
        "src=\"http",
        "href=\"http",
        "<link",
        "@import",
        "url(",
        "//cdn",
    ] {
        assert!(
            !lower.contains(external),
            "the page references `{external}`"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_e_supervision_lists_link_from_the_page_and_show_a_yellow_case() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    // Promised in one working day: yellow from the day of acceptance.
    let quick = liandong_domain::Matter::basic(
        "M009",
        "证明开具",
        liandong_domain::Level::Township,
        1,
        5,
        "D01",
    );
    core.put_matter(&tests::hall(core), liandong_domain::Lang::Zh, quick)
        .expect("matter");
    let case = core
        .accept_case(&tests::clerk_at(core), "M009", "赵六", "410000199203031235")
        .expect("accepted");
    let admin = county.inner.admin_addr;
    let (code, page) = http_get(admin, "/admin", None).await;
    assert_eq!(code, 200);
    assert!(
        page.contains("/supervision?kind=yellow"),
        "the page links the yellow list"
    );
    let token = supervisor(&county).await;
    let (code, list) = http_get(admin, "/supervision?kind=yellow", Some(&token)).await;
    assert_eq!(code, 200, "{list}");
    assert!(list.contains(&case.id), "the yellow list shows {}", case.id);
    assert!(list.contains("黄牌清单"), "Chinese by default");
    assert!(
        !list.contains("410000199203031235"),
        "ID numbers are masked"
    );
    // The console's language is the browser's cookie.
    let auth = tests::http::bearer(&token);
    let headers = [
        ("authorization", auth.as_str()),
        ("cookie", "liandong_lang=en"),
    ];
    let en =
        tests::http::request(admin, "GET", "/supervision?kind=red", &headers, Vec::new()).await;
    assert_eq!(en.status, 200, "{}", en.body);
    assert!(
        en.body.contains("Red-card list") && !en.body.contains(&case.id),
        "the case is not red"
    );
    let json = get_json(admin, "/api/cases?kind=yellow", Some(&token))
        .await
        .expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lists_without_a_session_are_401_and_status_stays_open() {
    let net = Net::new();
    let county = net.county(0).await;
    accept_cases(county.core(), 1);
    let admin = county.inner.admin_addr;
    for path in ["/api/cases", "/api/supervision"] {
        let (code, body) = http_get(admin, path, None).await;
        assert_eq!(code, 401, "GET {path} without a session: {body}");
        assert!(body.contains("/api/login"), "GET {path}: {body}");
        assert!(!body.contains(&resident_id(0)[..14]), "GET {path}: {body}");
    }
    // The console's list sends a browser without a session to sign in.
    let list = tests::http::get(admin, "/supervision?kind=yellow", None).await;
    assert_eq!(list.status, 303, "{}", list.body);
    assert!(
        list.header("location")
            .is_some_and(|l| l.starts_with("/?next=")),
        "{:?}",
        list.headers
    );
    assert!(!list.body.contains("41000019900101"), "{}", list.body);
    let (code, body) = http_get(admin, "/api/cases", Some("no-such-session")).await;
    assert_eq!(code, 401, "a token no one was given: {body}");
    for path in ["/", "/admin", "/api/status", "/metrics", "/healthz"] {
        let (code, body) = http_get(admin, path, None).await;
        assert_eq!(code, 200, "GET {path} stays open: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_case_list_is_403_for_the_network_admin_and_hall_management() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    accept_cases(core, 1);
    let admin = county.inner.admin_addr;
    add_account(core, "N01", StaffRole::NetworkAdmin);
    let network = session(admin, "N01", PASSWORD).await;
    let hall_password = initial_password(&net.dir("county"));
    let hall = session(admin, INITIAL_ADMIN, &hall_password).await;
    for (who, token) in [("the network admin", network), ("hall management", hall)] {
        for path in ["/api/cases", "/supervision?kind=yellow"] {
            let (code, body) = http_get(admin, path, Some(&token)).await;
            assert_eq!(code, 403, "GET {path} as {who}: {body}");
            assert!(!body.contains(&resident_id(0)[..14]), "{who}: {body}");
        }
        let (code, _) = http_get(admin, "/api/status", Some(&token)).await;
        assert_eq!(code, 200, "{who} reads the status");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_supervision_lists_every_case_with_its_id_number_masked_to_its_last_four_characters() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let clerk = tests::clerk_at(core);
    let numbers = [
        "410000199203031235",
        "41000019850101560X",
        "411102200012319871",
    ];
    let mut accepted = BTreeMap::new();
    for (i, number) in numbers.iter().enumerate() {
        let name = format!("申请人{i}");
        let case = core.accept_case(&clerk, "M001", &name, number);
        accepted.insert(case.expect("accepted").id, *number);
    }
    let admin = county.inner.admin_addr;
    let token = supervisor(&county).await;
    let list = get_json(admin, "/api/cases", Some(&token))
        .await
        .expect("the case list");
    let lines = list.as_array().expect("an array");
    assert_eq!(lines.len(), numbers.len(), "{list}");
    for line in lines {
        let id = line["id"].as_str().expect("case id");
        let full = accepted
            .get(id)
            .unwrap_or_else(|| panic!("not accepted: {id}"));
        assert_masked(line["applicant_id"].as_str().expect("applicant_id"), full);
    }
    let text = list.to_string();
    for number in numbers {
        assert!(!text.contains(number), "{number} is listed in full");
    }

    // The cookie the sign-in set is a session too.
    let reply = login(admin, "E01", PASSWORD).await;
    let cookie = reply.header("set-cookie").expect("a session cookie");
    let cookie = cookie.split(';').next().expect("name=value");
    let headers = [("cookie", cookie)];
    let by_cookie = tests::http::request(admin, "GET", "/api/cases", &headers, Vec::new()).await;
    assert_eq!(by_cookie.status, 200, "{}", by_cookie.body);
    assert_eq!(by_cookie.json(), list);
}

#[test]
fn the_prometheus_parser_refuses_malformed_lines() {
    assert!(parse_prometheus("# TYPE a gauge\na 1\n").is_ok());
    assert!(parse_prometheus("# TYPE a gauge\na{peer=\"x\\\"y\"} 1.5\n").is_ok());
    for bad in [
        "a 1\n",                            // no TYPE
        "# TYPE a gauge\na one\n",          // not a float
        "# TYPE a gauge\na{peer=x} 1\n",    // unquoted label value
        "# TYPE a gauge\na{peer=\"x\" 1\n", // unclosed label set
        "# TYPE a gauge\n1a 1\n",           // bad name
        "# TYPE a sometimes\na 1\n",        // unknown type
    ] {
        assert!(parse_prometheus(bad).is_err(), "accepted: {bad:?}");
    }
}

// ---- HTTP ---------------------------------------------------------------------

/// GET `path`, with a session token when given; (status code, body).
async fn http_get(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, String) {
    let reply = tests::http::get(addr, path, token).await;
    (reply.status, reply.body)
}

async fn get_json(addr: SocketAddr, path: &str, token: Option<&str>) -> Result<Value, String> {
    let (code, body) = http_get(addr, path, token).await;
    if code != 200 {
        return Err(format!("GET {path}: {code} {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("GET {path}: {e}"))
}

/// Scrapes `/metrics`; a scrape that does not parse fails the test.
async fn scrape(addr: SocketAddr) -> Vec<Sample> {
    let (code, body) = http_get(addr, "/metrics", None).await;
    assert_eq!(code, 200, "{body}");
    parse_prometheus(&body)
        .unwrap_or_else(|e| panic!("/metrics is not Prometheus text: {e}\n{body}"))
}

// ---- signing in on the admin port ------------------------------------------------

/// Puts `staff` on the county's roster in `role` with [`PASSWORD`], as
/// hall management does.
fn add_account(county: &NodeCore, staff: &str, role: StaffRole) {
    let hall = tests::hall(county);
    county
        .add_staff(&hall, Lang::Zh, staff, "测试人员", "D01", role, &[])
        .expect("on the roster");
    county
        .set_password(&hall, staff, Some(PASSWORD), false)
        .expect("password set");
}

/// `POST /api/login`; the reply (the token in its body and its cookie).
async fn login(addr: SocketAddr, staff: &str, password: &str) -> Reply {
    let body = serde_json::json!({ "staff": staff, "password": password }).to_string();
    tests::http::post(addr, "/api/login", None, None, &body).await
}

/// [`login`], which must succeed; the session token.
async fn session(addr: SocketAddr, staff: &str, password: &str) -> String {
    let reply = login(addr, staff, password).await;
    assert_eq!(reply.status, 200, "{staff} signs in: {}", reply.body);
    let token = reply.json()["token"].as_str().map(str::to_string);
    token.unwrap_or_else(|| panic!("no token in {}", reply.body))
}

/// E-supervision's E01 on the roster and signed in on the admin port;
/// his token.
async fn supervisor(county: &Node<County>) -> String {
    add_account(county.core(), "E01", StaffRole::Supervisor);
    session(county.inner.admin_addr, "E01", PASSWORD).await
}

/// `shown` is the ID number `full` as a list may show it: as long, masked
/// with `*`, every character shown in its place, and at most the last 4
/// characters shown (region code, birth date and sequence hidden).
fn assert_masked(shown: &str, full: &str) {
    let (s, f): (Vec<char>, Vec<char>) = (shown.chars().collect(), full.chars().collect());
    assert_eq!(s.len(), f.len(), "{shown} is not {full} masked");
    for (i, (a, b)) in s.iter().zip(&f).enumerate() {
        assert!(
            *a == '*' || a == b,
            "{shown}: character {i} is not {full}'s"
        );
    }
    let visible: Vec<usize> = (0..s.len()).filter(|&i| s[i] != '*').collect();
    assert!(
        visible.len() <= 4 && visible.iter().all(|&i| i >= f.len() - 4),
        "{shown} shows more of {full} than its last 4 characters"
    );
}

/// State of each peer that has sent the county at least one report.
fn peer_states(status: &Value) -> BTreeMap<String, String> {
    status["peers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["report"].is_object())
        .filter_map(|p| {
            Some((
                p["node"].as_str()?.to_string(),
                p["state"].as_str()?.to_string(),
            ))
        })
        .collect()
}

async fn wait_for<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<()>>,
{
    let started = Instant::now();
    while check().await.is_none() {
        assert!(started.elapsed() < WAIT, "not within {WAIT:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[path = "admin_page/chromium.rs"]
mod chromium;
#[path = "admin_page/prometheus.rs"]
mod prometheus;
