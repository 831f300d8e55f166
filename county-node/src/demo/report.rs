//! The demo's convergence report: per node (the county, every township,
//! the department bridge), operations held, the digest of what it shares
//! with the county, and lag; converged when every township's and the
//! bridge's digest equals the county's digest of that node's scope. It
//! also shows the joint case's status at every node taking part; the demo
//! succeeds ([`ConvergenceReport::ok`]) when every node converged and the
//! joint case was finished with the same state wherever it is held.

use liandong_node::NodeCore;
use liandong_store::StoreError;
use serde::Serialize;

use super::joint::JointCaseLine;

#[derive(Debug, Clone, Serialize)]
pub struct NodeLine {
    pub node: String,
    pub ops_held: u64,
    /// The node's digest of everything it holds.
    pub digest: String,
    /// For a township or the bridge: the county's digest of its scope.
    pub county_view_digest: Option<String>,
    /// Operations the county holds for this township (or the bridge) that
    /// it lacks, and the reverse (outbox heads minus acknowledged).
    pub lag_to_township: u64,
    pub lag_to_county: u64,
    pub converged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConvergenceReport {
    pub converged: bool,
    pub seconds_to_converge: f64,
    /// Every case the county holds (the joint case included).
    pub cases_at_county: u64,
    pub nodes: Vec<NodeLine>,
    /// The joint case across both levels (set by the demo).
    pub joint_case: Option<JointCaseLine>,
}

/// Whether a township (or a bridge) and the county agree on its scope.
pub fn converged(county: &NodeCore, town: &NodeCore) -> Result<bool, StoreError> {
    let mine = town.store.digest_all()?;
    let theirs = county.store.digest_for_peer(town.me())?;
    Ok(mine == theirs)
}

/// The county's, every township's and the bridge's line.
pub fn measure(
    county: &NodeCore,
    towns: &[NodeCore],
    bridge: &NodeCore,
) -> anyhow::Result<ConvergenceReport> {
    let cstats = county.store.stats()?;
    let mut nodes = vec![NodeLine {
        node: county.me().to_string(),
        ops_held: cstats.ops_held,
        digest: cstats.digest_all.short(),
        county_view_digest: None,
        lag_to_township: 0,
        lag_to_county: 0,
        converged: true,
    }];
    let mut all = true;
    for t in towns.iter().chain(std::iter::once(bridge)) {
        let stats = t.store.stats()?;
        let county_view = county.store.digest_for_peer(t.me())?;
        let ok = county_view == stats.digest_all;
        let link_c = county.board.get(t.me()).unwrap_or_default();
        let link_t = t.board.get(county.me()).unwrap_or_default();
        all &= ok;
        nodes.push(NodeLine {
            node: t.me().to_string(),
            ops_held: stats.ops_held,
            digest: stats.digest_all.short(),
            county_view_digest: Some(county_view.short()),
            lag_to_township: link_c.lag_out_ops,
            lag_to_county: link_t.lag_out_ops,
            converged: ok,
        });
    }
    Ok(ConvergenceReport {
        converged: all,
        seconds_to_converge: 0.0,
        cases_at_county: county.store.cases(None)?.len() as u64,
        nodes,
        joint_case: None,
    })
}

impl ConvergenceReport {
    /// Every node converged, and the joint case (when there is one) was
    /// finished with the same state at every node that holds it.
    pub fn ok(&self) -> bool {
        self.converged && self.joint_case.as_ref().is_none_or(|j| j.settled())
    }

    pub fn text(&self) -> String {
        let rows: Vec<Vec<String>> = self
            .nodes
            .iter()
            .map(|n| {
                vec![
                    n.node.clone(),
                    n.ops_held.to_string(),
                    n.digest.clone(),
                    n.county_view_digest.clone().unwrap_or_else(|| "-".into()),
                    n.lag_to_township.to_string(),
                    n.lag_to_county.to_string(),
                    if n.converged {
                        "yes".into()
                    } else {
                        "NO".into()
                    },
                ]
            })
            .collect();
        let mut out = String::from("\nconvergence report\n");
        out.push_str(&liandong_cli::table::render(
            &[
                "node",
                "ops held",
                "digest",
                "county's digest of its scope",
                "lag to node",
                "lag to county",
                "converged",
            ],
            &rows,
        ));
        let joint = if self.joint_case.as_ref().is_some_and(|j| j.id.is_some()) {
            " (the joint case included)"
        } else {
            ""
        };
        out.push_str(&format!(
            "cases at the county: {}{joint}; {} after links were restored ({:.1} s)\n",
            self.cases_at_county,
            if self.converged {
                "every node converged"
            } else {
                "NOT converged"
            },
            self.seconds_to_converge
        ));
        if let Some(joint) = &self.joint_case {
            out.push_str(&joint.text());
        }
        out
    }
}

impl JointCaseLine {
    /// Two lines: where the joint case stands at each node, and whether
    /// they agree.
    pub fn text(&self) -> String {
        let Some(id) = &self.id else {
            return format!("joint case ({}): NOT accepted at T01\n", self.matter);
        };
        let at: Vec<String> = self
            .nodes
            .iter()
            .map(|n| format!("{} {}", n.node, n.status.as_deref().unwrap_or("(not held)")))
            .collect();
        let verdict = match (self.agreed, self.finished) {
            (true, true) => "the same final state at every node",
            (false, _) => "NOT the same at every node",
            (true, false) => "NOT finished: T01 did not conclude and deliver it",
        };
        format!(
            "joint case {id} ({}): {}\n  {verdict}\n",
            self.matter,
            at.join(", ")
        )
    }
}
