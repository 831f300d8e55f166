//! The console as a browser without script uses it, over HTTP: the
//! pre-session cookie and CSRF field of a form page, sign-in through the
//! console's own form, form posts, and each page's HTML kept under
//! `target/test-artifacts/console/`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use tests::http::{request, Reply};

/// A cookie's value from a reply's `Set-Cookie` headers.
fn set_cookie(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .iter()
        .filter(|(n, _)| n == "set-cookie")
        .find_map(|(_, v)| {
            let (n, rest) = v.split_once('=')?;
            (n == name).then(|| rest.split(';').next().unwrap_or("").to_string())
        })
}

/// The value of the hidden `csrf` field of a page.
fn csrf_of(body: &str) -> String {
    let at = body
        .find("name=\"csrf\" value=\"")
        .unwrap_or_else(|| panic!("no csrf field in {body}"));
    let rest = &body[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end of csrf value")].to_string()
}

/// `application/x-www-form-urlencoded` of `fields`.
fn form_body(fields: &[(&str, &str)]) -> Vec<u8> {
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", liandong_node::console::visit::url_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

pub async fn post_form(
    addr: SocketAddr,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> Reply {
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("cookie", cookie),
    ];
    request(addr, "POST", path, &headers, form_body(fields)).await
}

pub async fn get_with(addr: SocketAddr, path: &str, cookie: &str) -> Reply {
    request(addr, "GET", path, &[("cookie", cookie)], Vec::new()).await
}

/// The pre-session cookie and the CSRF field of a form page at `path`.
pub async fn form_page(addr: SocketAddr, path: &str) -> (String, String) {
    let page = request(addr, "GET", path, &[], Vec::new()).await;
    assert_eq!(page.status, 200, "GET {path}: {}", page.body);
    let pre = set_cookie(&page, "liandong_pre").expect("a pre-session cookie");
    (format!("liandong_pre={pre}"), csrf_of(&page.body))
}

/// Signs `staff` in through the console's form; the session cookie.
pub async fn console_sign_in(addr: SocketAddr, staff: &str) -> String {
    let (pre, csrf) = form_page(addr, "/").await;
    let reply = post_form(
        addr,
        "/login",
        &pre,
        &[
            ("csrf", &csrf),
            ("staff", staff),
            ("password", tests::PASSWORD),
        ],
    )
    .await;
    assert_eq!(reply.status, 303, "sign-in of {staff}: {}", reply.body);
    let token = set_cookie(&reply, "liandong_session").expect("a session cookie");
    format!("liandong_session={token}")
}

/// Keeps a page's HTML under `target/test-artifacts/console/`.
pub fn keep(name: &str, reply: &Reply) {
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
    let dir = target.join("test-artifacts/console");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    std::fs::write(dir.join(format!("{name}.html")), &reply.body).expect("artifact written");
}
