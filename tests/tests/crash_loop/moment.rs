//! When the crash loop's kill lands, and what it landed in.
//!
//! A cycle aims its kill one of three ways: after a random delay; while a
//! clerk command at the victim is running; or while the victim's link
//! has a backlog outstanding (at least [`BACKLOG_LAG`] operations one way
//! or the other, as the victim's own status shows). Right before the
//! SIGKILL it looks again — the victim's link state through its control
//! socket, then whether a clerk command is running there — and the kill is
//! counted by what it actually hit, not by what was aimed at. A wait for a
//! moment that does not come (no backlog builds up) gives up after a
//! bound and kills anyway. Some cycles also kill the victim again while
//! it starts (counted apart: before or after it answered its control
//! socket).

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use liandong_domain::Lang;
use liandong_node::control::{Reply, Request};
use liandong_node::NodeStatus;
use rand::rngs::StdRng;
use rand::Rng;
use tests::scene::Scene;

use super::clerk::Shared;
use super::ledger::Side;

/// Operations outstanding on a link that count as a backlog (live clerk
/// writes leave a handful at most).
pub const BACKLOG_LAG: u64 = 50;

/// Longest wait for a status over the control socket.
const STATUS_LIMIT: Duration = Duration::from_millis(300);

/// Longest wait for an aimed-at moment.
const AIM_LIMIT: Duration = Duration::from_millis(1000);

/// What a cycle aims its kill at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Moment {
    AfterDelay,
    MidCommand,
    MidBacklog,
}

impl Moment {
    pub fn pick(rng: &mut StdRng) -> Moment {
        match rng.random_range(0..100) {
            0..40 => Moment::AfterDelay,
            40..75 => Moment::MidCommand,
            _ => Moment::MidBacklog,
        }
    }
}

/// The victim's link to its peer just before the kill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// Not connected, or the status did not answer.
    Down,
    /// Connected, nothing outstanding.
    CaughtUp,
    /// Connected, fewer than [`BACKLOG_LAG`] operations outstanding.
    Live,
    /// Connected, a backlog outstanding.
    Backlog,
}

/// What the kill hit.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    pub writing: bool,
    pub link: Link,
}

/// Waits for the moment `aim` at `victim`; what the kill will hit.
pub async fn wait_for(
    aim: Moment,
    scene: &Scene,
    shared: &Shared,
    victim: Side,
    rng: &mut StdRng,
) -> Seen {
    let flags = shared.flags(victim);
    let since = Instant::now();
    match aim {
        Moment::AfterDelay => {
            tokio::time::sleep(Duration::from_millis(rng.random_range(0..800))).await;
        }
        Moment::MidCommand => {
            while flags.in_flight.load(Ordering::SeqCst) == 0 && since.elapsed() < AIM_LIMIT {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(Duration::from_micros(rng.random_range(0..8000))).await;
        }
        Moment::MidBacklog => {
            while link(scene, victim).await != Link::Backlog && since.elapsed() < AIM_LIMIT {
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
            tokio::time::sleep(Duration::from_micros(rng.random_range(0..5_000))).await;
        }
    }
    let link = link(scene, victim).await;
    Seen {
        writing: flags.in_flight.load(Ordering::SeqCst) > 0,
        link,
    }
}

/// The node's status over its control socket, if it answers.
async fn status(scene: &Scene, side: Side) -> Option<NodeStatus> {
    let dir = match side {
        Side::County => scene.net.dir("county"),
        Side::Township => scene.net.dir("T01"),
    };
    let asked = liandong_cli::ask_in(&dir, "", Lang::Zh, Request::Status);
    match tokio::time::timeout(STATUS_LIMIT, asked).await {
        Ok(Ok(Reply::Status(status))) => Some(*status),
        _ => None,
    }
}

/// Whether the node answers on its control socket.
pub async fn answers(scene: &Scene, side: Side) -> bool {
    status(scene, side).await.is_some()
}

/// The victim's link as its own status shows it.
async fn link(scene: &Scene, victim: Side) -> Link {
    let other = match victim {
        Side::County => "township/T01",
        Side::Township => "county/HQ",
    };
    let Some(status) = status(scene, victim).await else {
        return Link::Down;
    };
    match status.peers.iter().find(|p| p.node == other) {
        Some(p) if p.connected => match p.lag_out_ops + p.lag_in_ops {
            0 => Link::CaughtUp,
            n if n < BACKLOG_LAG => Link::Live,
            _ => Link::Backlog,
        },
        _ => Link::Down,
    }
}

/// Kills of one victim, by what they hit.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    total: u64,
    writing: u64,
    backlog: u64,
    live: u64,
    caught_up: u64,
    down: u64,
    cut: u64,
    aimed: [u64; 3],
    /// Kills of a node starting again: before it answered, after.
    startup: [u64; 2],
}

/// A line of the table: its label and what it counts.
type Row = (&'static str, fn(&Counts) -> u64);

/// Every kill of the run.
#[derive(Debug, Default)]
pub struct Kills {
    by_victim: BTreeMap<Side, Counts>,
}

impl Kills {
    pub fn record(&mut self, victim: Side, aim: Moment, seen: Seen) {
        let c = self.by_victim.entry(victim).or_default();
        c.total += 1;
        c.writing += u64::from(seen.writing);
        match seen.link {
            Link::Backlog => c.backlog += 1,
            Link::Live => c.live += 1,
            Link::CaughtUp => c.caught_up += 1,
            Link::Down => c.down += 1,
        }
        c.aimed[aim as usize] += 1;
    }

    /// The last kill of `victim` cut a clerk request the node had received
    /// (the command got no reply).
    pub fn cut_a_request(&mut self, victim: Side) {
        self.by_victim.entry(victim).or_default().cut += 1;
    }

    /// A kill of `victim` while it started again (`answered`: it already
    /// answered on its control socket).
    pub fn during_startup(&mut self, victim: Side, answered: bool) {
        self.by_victim.entry(victim).or_default().startup[usize::from(answered)] += 1;
    }

    /// The kills as a small table (county, township).
    pub fn table(&self) -> String {
        let of = |side| self.by_victim.get(&side).copied().unwrap_or_default();
        let (county, town) = (of(Side::County), of(Side::Township));
        let rows: [Row; 8] = [
            ("kills", |c| c.total),
            ("  while a clerk command at the victim ran", |c| c.writing),
            ("  cutting a clerk request the victim had", |c| c.cut),
            ("  link mid-backlog (>= 50 ops outstanding)", |c| c.backlog),
            ("  link mid live sync (1-49 outstanding)", |c| c.live),
            ("  link caught up", |c| c.caught_up),
            ("  link down", |c| c.down),
            ("  aimed mid-backlog", |c| {
                c.aimed[Moment::MidBacklog as usize]
            }),
        ];
        let mut out = format!("{:<44} {:>7} {:>9}\n", "", "county", "township");
        for (name, get) in rows {
            out.push_str(&format!(
                "{name:<44} {:>7} {:>9}\n",
                get(&county),
                get(&town)
            ));
        }
        let pair = |c: &Counts| {
            format!(
                "{}/{}",
                c.aimed[Moment::AfterDelay as usize],
                c.aimed[Moment::MidCommand as usize]
            )
        };
        out.push_str(&format!(
            "{:<44} {:>7} {:>9}\n",
            "  aimed after a delay / mid-command",
            pair(&county),
            pair(&town)
        ));
        out.push_str(&format!(
            "{:<44} {:>7} {:>9}",
            "kills while starting again (before/after up)",
            format!("{}/{}", county.startup[0], county.startup[1]),
            format!("{}/{}", town.startup[0], town.startup[1])
        ));
        out
    }
}
