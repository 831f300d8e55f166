//! The built binaries started inside a [`Lab`]: `county-node serve` in the
//! county's namespace, listening on [`COUNTY_ADDR`] with a development
//! certificate that names that address (the townships check it), and
//! `township-node serve` in each township's namespace dialling it. Every
//! node's stdout and stderr go to its log under the run's directory. The
//! clerks sign in once the nodes run ([`Scene::sign_in_clerks`]).
//!
//! Invariants: [`Scene`]'s drop copies the logs to `LIANDONG_NETNS_LOGS`
//! when set and, on a panic, prints the end of each; then the lab kills
//! the nodes and deletes the namespaces, and the run's directory goes.
//! Waits are bounded by [`WAIT`] and fail at once when a node exited.

use std::ffi::OsString;
use std::path::Path;
use std::time::{Duration, Instant};

use super::cli::NodeDirs;
use super::{sweep_stale, Lab, COUNTY_ADDR};
use crate::built_binary;

/// Longest wait for a node to start, a link to come up, convergence.
pub const WAIT: Duration = Duration::from_secs(120);

/// A lab, its nodes and their directories.
pub struct Scene {
    pub lab: Lab,
    pub dirs: NodeDirs,
    /// The gRPC port the county listens on inside its own namespace.
    pub county_port: u16,
    nodes: Vec<String>,
    _root: tempfile::TempDir,
}

impl Drop for Scene {
    fn drop(&mut self) {
        let nodes: Vec<&str> = self.nodes.iter().map(String::as_str).collect();
        if let Ok(keep) = std::env::var("LIANDONG_NETNS_LOGS") {
            self.dirs.keep_logs(&nodes, Path::new(&keep));
        }
        if std::thread::panicking() {
            self.dirs.print_log_tails(&nodes, 40);
            for line in self.lab.exited() {
                eprintln!("{line}");
            }
        }
    }
}

impl Scene {
    /// Removes what killed runs left, then builds a lab for `townships`
    /// and creates the development CA.
    pub async fn new(townships: &[&str], county_port: u16) -> Scene {
        for stale in sweep_stale() {
            println!("removed namespace {stale} left by an earlier run");
        }
        let root = tempfile::tempdir().expect("temp dir");
        let dirs = NodeDirs {
            root: root.path().to_path_buf(),
        };
        let lab = Lab::build(townships).unwrap_or_else(|e| panic!("cannot build the lab: {e:#}"));
        let scene = Scene {
            lab,
            dirs,
            county_port,
            nodes: std::iter::once("county")
                .chain(townships.iter().copied())
                .map(str::to_string)
                .collect(),
            _root: root,
        };
        scene.dirs.init_ca().await.expect("pki init");
        scene
    }

    fn spawn(&mut self, node: &str, ns: &str, program: &Path, args: Vec<OsString>) {
        let log = std::fs::File::create(self.dirs.log(node)).expect("log file");
        self.lab
            .spawn(node, ns, program, &args, log)
            .unwrap_or_else(|e| panic!("cannot start {node}: {e:#}"));
    }

    /// The county in its namespace; returns once it answers `status`.
    pub async fn start_county(&mut self) {
        let config = self.dirs.root.join("county.toml");
        std::fs::write(&config, format!("hosts = [\"{COUNTY_ADDR}\"]\n")).expect("county.toml");
        let args = vec![
            "serve".into(),
            "--config".into(),
            config.into(),
            "--data".into(),
            self.dirs.data("county").into(),
            "--pki".into(),
            self.dirs.pki().into(),
            "--listen".into(),
            format!("{COUNTY_ADDR}:{}", self.county_port).into(),
            "--admin".into(),
            "127.0.0.1:0".into(),
        ];
        let ns = self.lab.county_ns.clone();
        self.spawn("county", &ns, &built_binary("county-node"), args);
        let dirs = self.dirs.clone();
        self.wait_for("the county to answer `status`", || {
            let dirs = dirs.clone();
            async move { dirs.county(&["status"]).await.is_ok() }
        })
        .await;
    }

    /// Township `id` in its namespace, dialling the county's address;
    /// returns once it answers `status`.
    pub async fn start_township(&mut self, id: &'static str) {
        let args = vec![
            "serve".into(),
            "--id".into(),
            id.into(),
            "--county".into(),
            format!("https://{COUNTY_ADDR}:{}", self.county_port).into(),
            "--data".into(),
            self.dirs.data(id).into(),
            "--pki".into(),
            self.dirs.pki().into(),
            "--admin".into(),
            "127.0.0.1:0".into(),
        ];
        let ns = self.lab.town(id).ns.clone();
        self.spawn(id, &ns, &built_binary("township-node"), args);
        let dirs = self.dirs.clone();
        self.wait_for(&format!("{id} to answer `status`"), || {
            let dirs = dirs.clone();
            async move { dirs.township(id, &["status"]).await.is_ok() }
        })
        .await;
    }

    /// Hall management makes the clerks at the running county, and C01
    /// signs in at every township once his credential has reached it.
    pub async fn sign_in_clerks(&mut self) {
        self.dirs.make_clerks().await;
        let townships: Vec<String> = self.nodes.iter().skip(1).cloned().collect();
        for id in townships {
            self.dirs.sign_in_township(&id).await;
            let exited = self.lab.exited();
            assert!(exited.is_empty(), "signing in at {id}: {exited:?}");
        }
    }

    /// Polls `check` until it holds; fails after [`WAIT`] naming `what`,
    /// or at once when a node exited.
    pub async fn wait_for<F, Fut>(&mut self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let until = Instant::now() + WAIT;
        while !check().await {
            let exited = self.lab.exited();
            assert!(exited.is_empty(), "waiting for {what}: {exited:?}");
            assert!(
                Instant::now() < until,
                "gave up after {} s waiting for {what}",
                WAIT.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
