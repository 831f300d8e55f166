//! Who is in a simulated county: the county, its townships and its
//! department bridges, each with its data directory under one temporary
//! root, its configuration, and its own clock (a [`ManualClock`] the run
//! loop sets from simulated time plus the node's skew).
//!
//! The county's registry is written once, at its first start: township
//! matter M001, and two joint county matters, M017 (routed to D03, with
//! an opinion of T02) and M018 (routed to D05, with an opinion of T03),
//! each with a chief representative holding a grant.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use county_node::CountyConfig;
use liandong_domain::{AuthScope, Lang, Level, Matter, Power, StaffRole};
use liandong_model::{ManualClock, NodeId, Role};
use liandong_node::config::bridge::BridgeConfig;
use liandong_node::NodeCore;
use township_node::TownshipConfig;

/// 2026-03-02 09:00 CST, a Monday: where every run's simulated time starts.
pub const START_MS: u64 = 1_772_413_200_000;

/// A joint matter, its department, the township asked for an opinion and
/// the department's chief representative with his grant.
#[derive(Debug, Clone, Copy)]
pub struct JointMatter {
    pub matter: &'static str,
    pub department: &'static str,
    pub opinion_of: &'static str,
    pub chief: &'static str,
    pub grant: &'static str,
}

/// The joint matters of the simulated county, one per bridge.
pub const JOINT: [JointMatter; 2] = [
    JointMatter {
        matter: "M017",
        department: "D03",
        opinion_of: "T02",
        chief: "S31",
        grant: "A-S31-M017",
    },
    JointMatter {
        matter: "M018",
        department: "D05",
        opinion_of: "T03",
        chief: "S51",
        grant: "A-S51-M018",
    },
];

/// What kind of node a simulated host runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    County,
    Township,
    Bridge,
}

/// One simulated node.
#[derive(Debug, Clone)]
pub struct Member {
    /// The turmoil host name (also the node's short name: `county`,
    /// `T01`, `D03`).
    pub host: String,
    pub kind: Kind,
    pub id: NodeId,
    pub data: PathBuf,
    pub clock: Arc<ManualClock>,
    /// How far this node's clock is off simulated true time.
    pub skew_ms: i64,
}

/// The nodes of one run.
#[derive(Debug, Clone)]
pub struct World {
    pub root: PathBuf,
    pub members: Vec<Member>,
}

impl World {
    /// A county with `townships` townships (T01…) and `bridges` bridges
    /// (D03, D05), every clock at [`START_MS`] plus its skew.
    pub fn new(root: &Path, townships: usize, bridges: usize, skews: &[i64]) -> World {
        let mut members = Vec::new();
        let mut push = |host: String, kind: Kind, id: NodeId| {
            let skew_ms = skews.get(members.len()).copied().unwrap_or(0);
            let clock = ManualClock::new(START_MS.saturating_add_signed(skew_ms));
            members.push(Member {
                data: root.join(&host),
                host,
                kind,
                id,
                clock,
                skew_ms,
            });
        };
        push("county".into(), Kind::County, county_id());
        for n in 1..=townships {
            let name = format!("T{n:02}");
            let id = NodeId::township(&name).expect("township id");
            push(name, Kind::Township, id);
        }
        for j in JOINT.iter().take(bridges) {
            let id = NodeId::new(Role::Bridge, j.department).expect("bridge id");
            push(j.department.into(), Kind::Bridge, id);
        }
        World {
            root: root.to_path_buf(),
            members,
        }
    }

    pub fn pki(&self) -> PathBuf {
        self.root.join("pki")
    }

    /// Sets every node's clock to simulated time `elapsed_ms` plus its skew.
    pub fn set_clocks(&self, elapsed_ms: u64) {
        for m in &self.members {
            let true_ms = START_MS.saturating_add(elapsed_ms);
            m.clock.set(true_ms.saturating_add_signed(m.skew_ms));
        }
    }

    pub fn member(&self, host: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.host == host)
    }

    pub fn county_config(&self) -> CountyConfig {
        let county = &self.members[0];
        CountyConfig {
            data: county.data.clone(),
            pki: self.pki(),
            // Replication comes through the simulated listener; nothing
            // dials these.
            listen: "127.0.0.1:0".parse().expect("addr"),
            admin: "127.0.0.1:0".parse().expect("addr"),
            cache_mb: 16,
            ..CountyConfig::default()
        }
    }

    pub fn township_config(&self, m: &Member) -> TownshipConfig {
        TownshipConfig {
            id: m.host.clone(),
            county: "https://localhost:7443".into(),
            data: Some(m.data.clone()),
            pki: self.pki(),
            admin: "127.0.0.1:0".parse().expect("addr"),
            cache_mb: 16,
            ..TownshipConfig::default()
        }
    }

    pub fn bridge_config(&self, m: &Member) -> BridgeConfig {
        BridgeConfig {
            department: m.host.clone(),
            county: "https://localhost:7443".into(),
            data: Some(m.data.clone()),
            pki: self.pki(),
            api: "127.0.0.1:0".parse().expect("addr"),
            webhook: None,
            cache_mb: 16,
            ..BridgeConfig::default()
        }
    }
}

pub fn county_id() -> NodeId {
    NodeId::county("HQ").expect("county id")
}

/// Writes the county's registry unless an earlier start wrote it.
pub fn ensure_registry(county: &NodeCore, today_ms: u64) -> Result<(), String> {
    if county.store.matter("M001").ok().flatten().is_some() {
        return Ok(());
    }
    let hall = crate::try_hall(county)?;
    let m001 = Matter::basic("M001", "个体工商户设立登记", Level::Township, 3, 15, "D01");
    county
        .put_matter(&hall, Lang::Zh, m001)
        .map_err(|e| e.to_string())?;
    let today = liandong_domain::cst_date(today_ms);
    for j in JOINT {
        let matter = Matter::basic(j.matter, "联办事项", Level::County, 10, 20, j.department);
        county
            .put_matter(&hall, Lang::Zh, matter)
            .map_err(|e| e.to_string())?;
        county
            .put_routing(
                &hall,
                Lang::Zh,
                j.matter,
                vec![j.department.into()],
                vec![j.opinion_of.into()],
            )
            .map_err(|e| e.to_string())?;
        county
            .add_staff(
                &hall,
                Lang::Zh,
                j.chief,
                "首席代表",
                j.department,
                StaffRole::ChiefRepresentative,
                &[format!("bridge/{}", j.department)],
            )
            .map_err(|e| e.to_string())?;
        county
            .set_password(&hall, j.chief, Some(crate::PASSWORD), false)
            .map_err(|e| e.to_string())?;
        county
            .assign_role(&hall, Lang::Zh, j.chief, StaffRole::Reviewer, false)
            .map_err(|e| e.to_string())?;
        let powers: BTreeSet<Power> = [Power::Decide, Power::Seal].into();
        county
            .authorise(
                &hall,
                Lang::Zh,
                j.chief,
                AuthScope::Matter(j.matter.into()),
                powers,
                today - chrono::Days::new(30),
                today + chrono::Days::new(3650),
                Some(j.grant.into()),
            )
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}
