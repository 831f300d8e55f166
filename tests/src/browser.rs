//! A real browser for the console tests: Debian's chromium driven by
//! playwright-core through `tests/browser/driver.mjs`, one Node process
//! per [`Browser`], spoken to in JSON lines.
//!
//! Each named page is its own browser context (own cookies), so a test can
//! be a window clerk in `"clerk"` and a chief representative in `"chief"`.
//! Forms are filled by their labels (`fill("工号", ..)`) and buttons
//! pressed by their accessible names, as a person would; a label that is
//! missing fails the test. Screenshots go to [`artifacts`].
//!
//! `.ci/run` installs chromium and runs `npm ci --prefix tests/browser`;
//! without either, [`Browser::start`] panics with the command to run.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// Bounds every browser step.
const STEP: Duration = Duration::from_secs(30);

/// The driver process.
pub struct Browser {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    next_id: u64,
}

/// Where the console tests keep screenshots and print views.
pub fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-artifacts/console");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

impl Browser {
    /// Starts chromium behind the driver.
    pub async fn start() -> Browser {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
        assert!(
            dir.join("node_modules/playwright-core").is_dir(),
            "playwright-core is not installed: run `npm ci --prefix tests/browser`"
        );
        assert!(
            std::path::Path::new("/usr/bin/chromium").exists()
                || std::env::var_os("LIANDONG_CHROMIUM").is_some(),
            "no chromium: run `apt-get install -y chromium fonts-noto-cjk` (or set LIANDONG_CHROMIUM)"
        );
        let mut child = Command::new("node")
            .arg(dir.join("driver.mjs"))
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting node {}: {e}", dir.display()));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        Browser {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            next_id: 0,
        }
    }

    /// One command; the driver's answer, or a panic naming the step.
    pub async fn send(&mut self, mut command: Value) -> Result<Value, String> {
        self.next_id += 1;
        command["id"] = json!(self.next_id);
        let line = format!("{command}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .unwrap_or_else(|e| panic!("browser driver gone ({e}) at {command}"));
        let answer = tokio::time::timeout(STEP, self.lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("browser step took over {STEP:?}: {command}"))
            .unwrap_or_else(|e| panic!("reading the browser driver: {e}"))
            .unwrap_or_else(|| panic!("the browser driver exited at {command}"));
        let v: Value = serde_json::from_str(&answer)
            .unwrap_or_else(|e| panic!("browser driver said {answer:?}: {e}"));
        if v["ok"] == json!(true) {
            Ok(v["value"].clone())
        } else {
            Err(v["error"].as_str().unwrap_or("?").to_string())
        }
    }

    /// A page (its own browser context) to act on.
    pub fn page<'a>(&'a mut self, name: &'a str) -> Tab<'a> {
        Tab {
            browser: self,
            name,
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// One named page of a [`Browser`].
pub struct Tab<'a> {
    browser: &'a mut Browser,
    name: &'a str,
}

impl Tab<'_> {
    async fn op(&mut self, op: &str, mut args: Value) -> Value {
        args["op"] = json!(op);
        args["page"] = json!(self.name);
        let shown = args.to_string();
        self.browser
            .send(args)
            .await
            .unwrap_or_else(|e| panic!("[{}] {shown}: {e}", self.name))
    }

    /// Opens `url`; the HTTP status.
    pub async fn goto(&mut self, url: &str) -> u16 {
        self.op("goto", json!({ "url": url }))
            .await
            .as_u64()
            .unwrap_or(0) as u16
    }

    /// Fills the field labelled exactly `label`.
    pub async fn fill(&mut self, label: &str, value: &str) {
        self.op("fill", json!({ "label": label, "value": value }))
            .await;
    }

    /// Ticks the checkbox or radio labelled exactly `label`.
    pub async fn check(&mut self, label: &str) {
        self.op("check", json!({ "label": label })).await;
    }

    /// Chooses `value` in the select labelled `label`.
    pub async fn select(&mut self, label: &str, value: &str) {
        self.op("select", json!({ "label": label, "value": value }))
            .await;
    }

    /// Presses the button named exactly `name`; the status of the page it
    /// led to.
    pub async fn press(&mut self, name: &str) -> u16 {
        let v = self
            .op("click", json!({ "role": "button", "name": name }))
            .await;
        v.as_u64().unwrap_or(0) as u16
    }

    /// Follows the link named exactly `name`.
    pub async fn follow(&mut self, name: &str) -> u16 {
        let v = self
            .op("click", json!({ "role": "link", "name": name }))
            .await;
        v.as_u64().unwrap_or(0) as u16
    }

    /// The page's visible text.
    pub async fn text(&mut self) -> String {
        self.op("text", json!({}))
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn html(&mut self) -> String {
        self.op("html", json!({}))
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub async fn url(&mut self) -> String {
        self.op("url", json!({}))
            .await
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The status of the last page loaded.
    pub async fn status(&mut self) -> u16 {
        self.op("status", json!({})).await.as_u64().unwrap_or(0) as u16
    }

    /// A full-page screenshot, `artifacts()/<file>`.
    pub async fn screenshot(&mut self, file: &str) {
        let path = artifacts().join(file);
        self.op("screenshot", json!({ "path": path })).await;
    }

    /// The page as printed: its print-media text, and a PDF (A4) plus a
    /// PNG of it under `artifacts()/<file>`.
    pub async fn print(&mut self, file: &str) -> String {
        let path = artifacts().join(file);
        let v = self.op("print", json!({ "path": path })).await;
        v.as_str().unwrap_or("").to_string()
    }

    /// A form post from this page's context (its cookies), as a forged
    /// form would send it: status and body, redirects not followed.
    pub async fn post_form(&mut self, url: &str, form: &[(&str, &str)]) -> (u16, String) {
        let form: serde_json::Map<String, Value> = form
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let v = self.op("post", json!({ "url": url, "form": form })).await;
        (
            v["status"].as_u64().unwrap_or(0) as u16,
            v["body"].as_str().unwrap_or("").to_string(),
        )
    }

    /// Presses a key on the keyboard (`Tab`, `Enter`, ...).
    pub async fn key(&mut self, key: &str) {
        self.op("press", json!({ "key": key })).await;
    }

    /// Presses a key that submits a form, and waits for the next page.
    pub async fn submit_by_key(&mut self, key: &str) {
        self.op("press", json!({ "key": key, "navigates": true }))
            .await;
    }

    /// The focused element: tag, name, label text, own text.
    pub async fn focused(&mut self) -> Value {
        self.op("focused", json!({})).await
    }

    /// Whether the page is wider than the window (a horizontal scrollbar).
    pub async fn overflows(&mut self) -> bool {
        let v = self.op("overflow", json!({})).await;
        v["scroll"].as_u64() > v["client"].as_u64()
    }

    pub async fn viewport(&mut self, width: u32, height: u32) {
        self.op("viewport", json!({ "width": width, "height": height }))
            .await;
    }

    /// Form controls with no label.
    pub async fn unlabelled(&mut self) -> Vec<String> {
        let v = self.op("unlabelled", json!({})).await;
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Every request the page made to another host.
    pub async fn requests_outside(&mut self) -> Vec<String> {
        let v = self.op("requests_outside", json!({})).await;
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Signs in on the console at `base` (`http://addr`).
    pub async fn sign_in(&mut self, base: &str, staff: &str, password: &str) {
        self.goto(&format!("{base}/")).await;
        self.fill("工号", staff).await;
        self.fill("密码", password).await;
        let status = self.press("登录").await;
        let text = self.text().await;
        assert!(
            status < 400,
            "[{}] sign-in of {staff} at {base}: {status}\n{text}",
            self.name
        );
    }
}
