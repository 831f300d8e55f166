//! A lab of Linux network namespaces for fault tests of the built binaries:
//! one namespace for the county and one per township, joined by veth pairs
//! whose county ends are ports of a bridge, so every township reaches the
//! county's one address ([`COUNTY_ADDR`]) and no township reaches another.
//! Faults are made with the kernel's own tools: random packet loss both
//! ways with nftables (`numgen random mod 100 lt N drop`), a slow link with
//! a `tbf` qdisc on both ends, and a partition by setting either end of a
//! township's veth down. Each veth end sends one TCP segment per packet
//! (`gso_max_segs 1`), so a drop removes one wire-sized packet.
//!
//! Invariants: every namespace is named after this process's id
//! (`ldn<pid>-…`) and every link lives inside them, so two runs never share
//! one; [`Lab`]'s drop kills every process it started and every other
//! process still inside its namespaces, then deletes the namespaces, on
//! every exit path including a panic; [`sweep_stale`] removes what a run
//! that was killed outright left behind (only namespaces named after a
//! process id that no longer runs). The namespaces have no default route:
//! their traffic stays between them.
//!
//! [`nodes`] starts the built binaries in the namespaces; [`schedule`]
//! draws a run's partitions from a seed; [`cli`] runs the binaries'
//! commands against the nodes from outside the namespaces.
//!
//! What it does not do: delay, reordering or duplication (this kernel has no
//! `netem`). It needs root with `ip` (iproute2), `nft` (nftables) and `tc`
//! (iproute2).

pub mod cli;
pub mod nodes;
pub mod schedule;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use anyhow::{bail, Context};

/// The county's address on the bridge; its development certificate names it.
pub const COUNTY_ADDR: &str = "10.77.0.1";

/// Prefix of every namespace a lab makes (followed by the pid).
const PREFIX: &str = "ldn";

/// nftables table holding a township's loss rules.
const LOSS_TABLE: &str = "liandong_loss";

/// The township's end of its link, inside its namespace.
const TOWN_IF: &str = "eth0";

/// Which end of a township's link a fault is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The bridge port in the county's namespace.
    County,
    /// `eth0` in the township's namespace.
    Township,
}

/// What a township's loss rules saw: packets and bytes that reached the
/// hooks (both ways), and packets dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct LossCounts {
    pub packets: u64,
    pub bytes: u64,
    pub dropped: u64,
}

/// One township's namespace and link.
#[derive(Debug, Clone)]
pub struct TownNet {
    pub id: String,
    pub ns: String,
    /// The township's address.
    pub addr: String,
    /// Its link's interface in the county's namespace (a bridge port).
    pub county_if: String,
}

/// What is missing for the lab to run, as one message naming how to fix it;
/// `None` when root and every tool are there.
pub fn missing_requirements() -> Option<String> {
    let mut missing = Vec::new();
    if !is_root() {
        missing.push("root (network namespaces need CAP_NET_ADMIN; run as root)".to_string());
    }
    for (tool, package) in [("ip", "iproute2"), ("tc", "iproute2"), ("nft", "nftables")] {
        if find_tool(tool).is_none() {
            missing.push(format!(
                "`{tool}` (apt-get install -y --no-install-recommends {package})"
            ));
        }
    }
    (!missing.is_empty()).then(|| format!("missing: {}", missing.join("; ")))
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// A tool on PATH or in the sbin directories (not on every root PATH).
pub fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let found = path
        .split(':')
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"])
        .map(|dir| PathBuf::from(dir).join(name))
        .find(|p| p.is_file());
    found
}

/// Runs a tool to completion; fails with its stderr.
fn run(tool: &str, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
    let program = find_tool(tool).with_context(|| format!("`{tool}` not found"))?;
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot run {tool} {}", args.join(" ")))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        use std::io::Write;
        pipe.write_all(text.as_bytes())
            .with_context(|| format!("writing to {tool}"))?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!(
            "{tool} {} failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `ip ARGS`.
fn ip(args: &[&str]) -> anyhow::Result<String> {
    run("ip", args, None)
}

/// The county's namespace, the townships' and their links; torn down on drop.
pub struct Lab {
    pub county_ns: String,
    pub towns: Vec<TownNet>,
    /// Namespaces made so far (deleted on drop, in any state of the build).
    made: Vec<String>,
    children: Vec<(String, Child)>,
}

impl Lab {
    /// Makes the county's namespace with bridge `br0` at [`COUNTY_ADDR`]/24,
    /// and one namespace per township id, its `eth0` at 10.77.0.(11+i)/24,
    /// joined to the bridge by a veth pair.
    pub fn build(township_ids: &[&str]) -> anyhow::Result<Lab> {
        let pid = std::process::id();
        let mut lab = Lab {
            county_ns: format!("{PREFIX}{pid}-county"),
            towns: Vec::new(),
            made: Vec::new(),
            children: Vec::new(),
        };
        let county = lab.county_ns.clone();
        lab.add_ns(&county)?;
        ip(&["-n", &county, "link", "add", "br0", "type", "bridge"])?;
        ip(&[
            "-n",
            &county,
            "addr",
            "add",
            &format!("{COUNTY_ADDR}/24"),
            "dev",
            "br0",
        ])?;
        for dev in ["lo", "br0"] {
            ip(&["-n", &county, "link", "set", dev, "up"])?;
        }
        for (i, id) in township_ids.iter().enumerate() {
            let town = TownNet {
                id: id.to_string(),
                ns: format!("{PREFIX}{pid}-{}", id.to_lowercase()),
                addr: format!("10.77.0.{}", 11 + i),
                county_if: format!("to-{}", id.to_lowercase()),
            };
            lab.add_ns(&town.ns)?;
            lab.link_township(&town)?;
            lab.towns.push(town);
        }
        Ok(lab)
    }

    fn add_ns(&mut self, name: &str) -> anyhow::Result<()> {
        ip(&["netns", "add", name])?;
        self.made.push(name.to_string());
        Ok(())
    }

    fn link_township(&self, town: &TownNet) -> anyhow::Result<()> {
        let county = self.county_ns.as_str();
        let (cif, ns) = (town.county_if.as_str(), town.ns.as_str());
        ip(&[
            "-n", county, "link", "add", cif, "type", "veth", "peer", "name", TOWN_IF, "netns", ns,
        ])?;
        // One segment per packet, as on a wire: without this, TCP hands
        // the veth 64 KiB segments and one random draw drops dozens of
        // wire packets at once.
        for (ns, dev) in [(county, cif), (ns, TOWN_IF)] {
            ip(&["-n", ns, "link", "set", "dev", dev, "gso_max_segs", "1"])?;
        }
        ip(&["-n", county, "link", "set", cif, "master", "br0"])?;
        ip(&["-n", county, "link", "set", cif, "up"])?;
        let addr = format!("{}/24", town.addr);
        ip(&["-n", ns, "addr", "add", &addr, "dev", TOWN_IF])?;
        for dev in ["lo", TOWN_IF] {
            ip(&["-n", ns, "link", "set", dev, "up"])?;
        }
        Ok(())
    }

    pub fn town(&self, id: &str) -> &TownNet {
        self.towns
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no township {id} in the lab"))
    }

    /// Starts `program ARGS` inside namespace `ns` (`ip netns exec`, which
    /// execs the program: the child's pid is the program's); `log` takes
    /// its stdout and stderr. The lab kills it on drop.
    pub fn spawn(
        &mut self,
        label: &str,
        ns: &str,
        program: &std::path::Path,
        args: &[std::ffi::OsString],
        log: std::fs::File,
    ) -> anyhow::Result<u32> {
        let ip_path = find_tool("ip").context("`ip` not found")?;
        let err = log.try_clone()?;
        let child = Command::new(ip_path)
            .args(["netns", "exec", ns])
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .with_context(|| format!("cannot start {label} in {ns}"))?;
        let pid = child.id();
        self.children.push((label.to_string(), child));
        Ok(pid)
    }

    /// Labels of started processes that have exited, with their status.
    pub fn exited(&mut self) -> Vec<String> {
        self.children
            .iter_mut()
            .filter_map(|(label, child)| match child.try_wait() {
                Ok(Some(status)) => Some(format!("{label} exited ({status})")),
                _ => None,
            })
            .collect()
    }

    /// Drops `percent`% of the packets arriving on and leaving the
    /// township's `eth0`, each packet by a fresh random draw; named
    /// counters keep what passed the hook and what was dropped
    /// ([`Lab::loss_counts`]).
    pub fn set_loss(&self, id: &str, percent: u32) -> anyhow::Result<()> {
        let town = self.town(id);
        let rules = format!(
            "table inet {LOSS_TABLE} {{
  counter seen {{ }}
  counter dropped {{ }}
  chain input {{
    type filter hook input priority 0; policy accept;
    iifname \"{TOWN_IF}\" counter name \"seen\"
    iifname \"{TOWN_IF}\" numgen random mod 100 lt {percent} counter name \"dropped\" drop
  }}
  chain output {{
    type filter hook output priority 0; policy accept;
    oifname \"{TOWN_IF}\" counter name \"seen\"
    oifname \"{TOWN_IF}\" numgen random mod 100 lt {percent} counter name \"dropped\" drop
  }}
}}
"
        );
        run(
            "ip",
            &["netns", "exec", &town.ns, "nft", "-f", "-"],
            Some(&rules),
        )
        .map(drop)
    }

    /// The township's loss counters so far, both directions together.
    pub fn loss_counts(&self, id: &str) -> anyhow::Result<LossCounts> {
        let town = self.town(id);
        let text = run(
            "ip",
            &[
                "netns", "exec", &town.ns, "nft", "-j", "list", "counters", "table", "inet",
                LOSS_TABLE,
            ],
            None,
        )?;
        let json: serde_json::Value =
            serde_json::from_str(&text).context("`nft -j list counters` is not JSON")?;
        let mut counts = LossCounts::default();
        for item in json["nftables"].as_array().into_iter().flatten() {
            let counter = &item["counter"];
            let packets = counter["packets"].as_u64().unwrap_or(0);
            let bytes = counter["bytes"].as_u64().unwrap_or(0);
            match counter["name"].as_str() {
                Some("seen") => (counts.packets, counts.bytes) = (packets, bytes),
                Some("dropped") => counts.dropped = packets,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// Removes the township's loss rules.
    pub fn clear_loss(&self, id: &str) -> anyhow::Result<()> {
        let town = self.town(id);
        run(
            "ip",
            &[
                "netns", "exec", &town.ns, "nft", "delete", "table", "inet", LOSS_TABLE,
            ],
            None,
        )
        .map(drop)
    }

    /// Shapes both ends of the township's link to `rate` (tc's notation,
    /// e.g. `256kbit`) with a token bucket.
    pub fn slow(&self, id: &str, rate: &str) -> anyhow::Result<()> {
        for (ns, dev) in self.ends(id) {
            run(
                "tc",
                &[
                    "-n", &ns, "qdisc", "add", "dev", &dev, "root", "tbf", "rate", rate, "burst",
                    "32kbit", "latency", "400ms",
                ],
                None,
            )?;
        }
        Ok(())
    }

    /// Removes the token bucket from both ends of the township's link.
    pub fn unslow(&self, id: &str) -> anyhow::Result<()> {
        for (ns, dev) in self.ends(id) {
            run(
                "tc",
                &["-n", &ns, "qdisc", "del", "dev", &dev, "root"],
                None,
            )?;
        }
        Ok(())
    }

    /// Sets one end of the township's link down (`up == false`) or up.
    pub fn set_link(&self, id: &str, end: End, up: bool) -> anyhow::Result<()> {
        let [county, town] = self.ends(id);
        let (ns, dev) = match end {
            End::County => county,
            End::Township => town,
        };
        let state = if up { "up" } else { "down" };
        ip(&["-n", &ns, "link", "set", "dev", &dev, state]).map(drop)
    }

    /// Sets the county's bridge down (every township cut off at once) or up.
    pub fn set_county(&self, up: bool) -> anyhow::Result<()> {
        let state = if up { "up" } else { "down" };
        ip(&["-n", &self.county_ns, "link", "set", "dev", "br0", state]).map(drop)
    }

    /// (namespace, interface) of the county's end and the township's end.
    fn ends(&self, id: &str) -> [(String, String); 2] {
        let town = self.town(id);
        [
            (self.county_ns.clone(), town.county_if.clone()),
            (town.ns.clone(), TOWN_IF.to_string()),
        ]
    }

    /// Kills the started processes and anything else left in the
    /// namespaces, then deletes the namespaces.
    fn teardown(&mut self) {
        for (_, child) in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
        self.children.clear();
        for ns in self.made.drain(..).rev() {
            remove_ns(&ns);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// Kills the processes still inside namespace `ns` (by pid) and deletes it.
fn remove_ns(ns: &str) {
    if let Ok(pids) = ip(&["netns", "pids", ns]) {
        for pid in pids.split_whitespace() {
            let _ = Command::new("kill").args(["-KILL", pid]).status();
        }
    }
    if let Err(e) = ip(&["netns", "delete", ns]) {
        eprintln!("could not delete network namespace {ns}: {e}");
    }
}

/// Deletes the namespaces of earlier runs whose process no longer runs
/// (a run killed outright never reached its drop); returns their names.
pub fn sweep_stale() -> Vec<String> {
    let Ok(list) = ip(&["netns", "list"]) else {
        return Vec::new();
    };
    let mut swept = Vec::new();
    for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split_once('-'))
            .and_then(|(pid, _)| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            remove_ns(name);
            swept.push(name.to_string());
        }
    }
    swept
}
