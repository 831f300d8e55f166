//! The admin-page tests' browser: Debian's chromium run headless with
//! `--dump-dom` and `--screenshot` (no WebDriver) in a fresh profile, killed
//! with its helpers past 60 s; where screenshots are kept; and what the
//! tests read from a dumped DOM.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Chromium {
    path: PathBuf,
}

impl Chromium {
    pub fn find() -> Chromium {
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

    pub async fn dump_dom(&self, url: &str) -> String {
        self.run(&["--dump-dom".to_string()], url).await
    }

    pub async fn screenshot(&self, url: &str, path: &Path) {
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
pub fn artifacts_dir() -> PathBuf {
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

pub fn assert_png(path: &Path) {
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
pub fn row_state(dom: &str, node: &str) -> Option<String> {
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

pub fn excerpt(dom: &str) -> String {
    let start = dom.find("<tbody").unwrap_or(0);
    dom[start..].chars().take(3000).collect()
}
