//! The county's admin page in a real browser, and `/metrics` over HTTP.
//!
//! The browser is Debian's chromium, run headless with `--dump-dom` and
//! `--screenshot` (no WebDriver): `.ci/run` installs it, so a missing
//! chromium fails the test rather than skipping it. The screenshots are
//! kept under `target/test-artifacts/`.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::Value;
use tests::{accept_cases, Net};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::process::Command;

/// Bounds every wait; no assertion is about timing.
const WAIT: Duration = Duration::from_secs(20);
const CHROMIUM: &str = "/usr/bin/chromium";

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
            let status = get_json(admin, "/api/status").await.ok()?;
            let states = peer_states(&status);
            (states.get("township/T01").map(String::as_str) == Some("up")
                && states.get("township/T02").map(String::as_str) == Some("up"))
            .then_some(())
        },
    )
    .await;

    t2.stop().await;

    let url = format!("http://{admin}/");
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
    let detail = format!("http://{admin}/?lang=en#township/T01");
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

    let (code, _) = http_get(county_admin, "/api/history").await.expect("GET");
    assert_eq!(code, 400, "/api/history without peer= is a client error");
    let h = get_json(county_admin, "/api/history?peer=township/T01")
        .await
        .expect("history JSON");
    assert_eq!(h["peer"], "township/T01");
    assert!(h["samples"].is_array(), "{h}");
}

#[tokio::test]
async fn the_admin_page_loads_nothing_from_elsewhere() {
    let net = Net::new();
    let county = net.county(0).await;
    let (code, page) = http_get(county.inner.admin_addr, "/").await.expect("GET /");
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
        .accept_case(&tests::clerk_at(core), "M009", "赵六", "410000199203031234")
        .expect("accepted");
    let (code, page) = http_get(county.inner.admin_addr, "/").await.expect("GET /");
    assert_eq!(code, 200);
    assert!(
        page.contains("/supervision?kind=yellow"),
        "the page links the yellow list"
    );
    let (code, list) = http_get(county.inner.admin_addr, "/supervision?kind=yellow")
        .await
        .expect("GET /supervision");
    assert_eq!(code, 200);
    assert!(list.contains(&case.id), "the yellow list shows {}", case.id);
    assert!(list.contains("黄牌清单"), "Chinese by default");
    assert!(
        !list.contains("410000199203031234"),
        "ID numbers are masked"
    );
    let (code, en) = http_get(county.inner.admin_addr, "/supervision?kind=red&lang=en")
        .await
        .expect("GET red list");
    assert_eq!(code, 200);
    assert!(
        en.contains("Red-card list") && !en.contains(&case.id),
        "the case is not red"
    );
    let json = get_json(county.inner.admin_addr, "/api/cases?kind=yellow")
        .await
        .expect("JSON");
    assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
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

// ---- the browser -------------------------------------------------------------

struct Chromium {
    path: PathBuf,
}

impl Chromium {
    fn find() -> Chromium {
        let path = PathBuf::from(CHROMIUM);
        assert!(
            path.exists(),
            "{CHROMIUM} is missing: this test drives Debian's chromium headless. \
             Install it with `apt-get install chromium fonts-noto-cjk` (.ci/run does so in CI)."
        );
        Chromium { path }
    }

    /// Loads `url` in a fresh profile, lets its timers and fetches run for
    /// 4 s of virtual time, then does what `extra` asks.
    async fn run(&self, extra: &[String], url: &str) -> String {
        let profile = tempfile::tempdir().expect("profile dir");
        let mut cmd = Command::new(&self.path);
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=4000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
        let child = cmd.spawn().expect("chromium starts");
        let pid = child.id();
        match tokio::time::timeout(Duration::from_secs(60), child.wait_with_output()).await {
            Ok(Ok(out)) => {
                assert!(
                    out.status.success(),
                    "chromium failed ({}): {}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr)
                );
                String::from_utf8_lossy(&out.stdout).into_owned()
            }
            Ok(Err(e)) => panic!("waiting for chromium: {e}"),
            Err(_) => {
                if let Some(pid) = pid {
                    // The whole group: chromium's renderer and GPU helpers too.
                    let _ = Command::new("kill")
                        .args(["-KILL", &format!("-{pid}")])
                        .status()
                        .await;
                }
                panic!("chromium did not finish with {url} within 60 s")
            }
        }
    }

    async fn dump_dom(&self, url: &str) -> String {
        self.run(&["--dump-dom".to_string()], url).await
    }

    async fn screenshot(&self, url: &str, path: &Path) {
        let _ = std::fs::remove_file(path);
        self.run(
            &[
                format!("--screenshot={}", path.display()),
                "--window-size=1400,900".to_string(),
                "--hide-scrollbars".to_string(),
            ],
            url,
        )
        .await;
    }
}

/// The workspace's `target/test-artifacts` (next to the profile directory
/// this test binary was built into).
fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let target = exe
        .ancestors()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n == "debug" || n == "release")
        })
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("test-artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert!(
        bytes.len() > 20_000,
        "{} is only {} bytes: a blank page?",
        path.display(),
        bytes.len()
    );
}

/// `data-state` of the table row whose `data-node` is `node`.
fn row_state(dom: &str, node: &str) -> Option<String> {
    let needle = format!("data-node=\"{node}\"");
    dom.match_indices("<tr ").find_map(|(at, _)| {
        let tag = &dom[at..at + dom[at..].find('>')?];
        if !tag.contains(&needle) {
            return None;
        }
        let rest = &tag[tag.find("data-state=\"")? + "data-state=\"".len()..];
        Some(rest[..rest.find('"')?].to_string())
    })
}

fn excerpt(dom: &str) -> String {
    let start = dom.find("<tbody").unwrap_or(0);
    dom[start..].chars().take(3000).collect()
}

// ---- HTTP ---------------------------------------------------------------------

/// A plain HTTP/1.1 GET; (status code, body).
async fn http_get(addr: SocketAddr, path: &str) -> Result<(u16, String), String> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut raw = Vec::new();
        stream
            .read_to_end(&mut raw)
            .await
            .map_err(|e| e.to_string())?;
        String::from_utf8(raw).map_err(|e| e.to_string())
    };
    let text = tokio::time::timeout(Duration::from_secs(10), exchange)
        .await
        .map_err(|_| format!("GET {path}: no answer in 10 s"))??;
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no header end")?;
    let code = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("bad status line: {head}"))?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok((
        code,
        if chunked {
            dechunk(body)?
        } else {
            body.to_string()
        },
    ))
}

fn dechunk(mut body: &str) -> Result<String, String> {
    let mut out = String::new();
    loop {
        let (size, rest) = body.split_once("\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(size.trim(), 16).map_err(|e| e.to_string())?;
        if size == 0 {
            return Ok(out);
        }
        out.push_str(rest.get(..size).ok_or("short chunk")?);
        body = rest.get(size + 2..).ok_or("short chunk")?;
    }
}

async fn get_json(addr: SocketAddr, path: &str) -> Result<Value, String> {
    let (code, body) = http_get(addr, path).await?;
    if code != 200 {
        return Err(format!("GET {path}: {code} {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("GET {path}: {e}"))
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

// ---- Prometheus text ------------------------------------------------------------

#[derive(Debug)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// Scrapes `/metrics`; a scrape that does not parse fails the test.
async fn scrape(addr: SocketAddr) -> Vec<Sample> {
    let (code, body) = http_get(addr, "/metrics").await.expect("GET /metrics");
    assert_eq!(code, 200, "{body}");
    parse_prometheus(&body)
        .unwrap_or_else(|e| panic!("/metrics is not Prometheus text: {e}\n{body}"))
}

fn value(samples: &[Sample], name: &str, peer: Option<&str>) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && s.labels.get("peer").map(String::as_str) == peer)
        .map(|s| s.value)
}

fn held(samples: &[Sample]) -> f64 {
    value(samples, "liandong_ops_held", None).expect("liandong_ops_held")
}

/// The text exposition format, strictly enough to catch a broken encoder:
/// `# TYPE` before samples, valid names, quoted and escaped label values,
/// a float value and an optional integer timestamp.
fn parse_prometheus(text: &str) -> Result<Vec<Sample>, String> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fail = |why: &str| format!("line {}: {why}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.split_whitespace().collect();
            if words.first() == Some(&"TYPE") {
                let [_, name, kind] = words[..] else {
                    return Err(fail("TYPE needs a name and a type"));
                };
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                    return Err(fail("unknown type"));
                }
                types.insert(name.to_string(), kind.to_string());
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| fail("no value"))?;
        let name = &line[..name_end];
        if !valid_name(name) {
            return Err(fail("bad metric name"));
        }
        let family = ["_total", "_sum", "_count", "_bucket"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| types.contains_key(*f)))
            .unwrap_or(name);
        if !types.contains_key(family) {
            return Err(fail("sample without a # TYPE line"));
        }
        let (labels, rest) = parse_labels(&line[name_end..]).map_err(|e| fail(&e))?;
        let mut fields = rest.split_whitespace();
        let value: f64 = fields
            .next()
            .ok_or_else(|| fail("no value"))?
            .parse()
            .map_err(|_| fail("value is not a float"))?;
        if let Some(ts) = fields.next() {
            ts.parse::<i64>().map_err(|_| fail("bad timestamp"))?;
        }
        if fields.next().is_some() {
            return Err(fail("trailing fields"));
        }
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    Ok(samples)
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `{k="v",...}` at the start of `s` (or nothing); the labels and the rest.
fn parse_labels(s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let Some(mut rest) = s.strip_prefix('{') else {
        return Ok((labels, s));
    };
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let eq = rest.find('=').ok_or("label without =")?;
        let key = &rest[..eq];
        if !valid_name(key) || key.contains(':') {
            return Err(format!("bad label name {key:?}"));
        }
        let mut chars = rest[eq + 1..].char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err("label value not quoted".into());
        }
        let mut value = String::new();
        let end = loop {
            match chars.next() {
                None => return Err("unclosed label value".into()),
                Some((i, '"')) => break eq + 1 + i + 1,
                Some((_, '\\')) => match chars.next().map(|(_, c)| c) {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    _ => return Err("bad escape in label value".into()),
                },
                Some((_, c)) => value.push(c),
            }
        };
        labels.insert(key.to_string(), value);
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with('}') {
            return Err("expected `,` or `}` after a label".into());
        }
    }
}
