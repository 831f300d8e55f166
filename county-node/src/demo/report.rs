//! The demo's convergence report: per node, operations held, the digest of
//! what it shares with the county, and lag; converged when every township's
//! digest equals the county's digest of that township's scope and nothing
//! is pending either way.

use liandong_node::NodeCore;
use liandong_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct NodeLine {
    pub node: String,
    pub ops_held: u64,
    /// The node's digest of everything it holds.
    pub digest: String,
    /// For a township: the county's digest of this township's scope.
    pub county_view_digest: Option<String>,
    /// Operations the county holds for this township that it lacks, and
    /// the reverse (outbox heads minus acknowledged).
    pub lag_to_township: u64,
    pub lag_to_county: u64,
    pub converged: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConvergenceReport {
    pub converged: bool,
    pub seconds_to_converge: f64,
    pub cases_at_county: u64,
    pub nodes: Vec<NodeLine>,
}

/// Whether township and county agree on the township's scope.
pub fn converged(county: &NodeCore, town: &NodeCore) -> Result<bool, StoreError> {
    let mine = town.store.digest_all()?;
    let theirs = county.store.digest_for_peer(town.me())?;
    Ok(mine == theirs)
}

pub fn measure(county: &NodeCore, towns: &[NodeCore]) -> anyhow::Result<ConvergenceReport> {
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
    for t in towns {
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
    })
}

impl ConvergenceReport {
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
                "lag to township",
                "lag to county",
                "converged",
            ],
            &rows,
        ));
        out.push_str(&format!(
            "cases at the county: {}; {} after links were restored ({:.1} s)\n",
            self.cases_at_county,
            if self.converged {
                "every node converged"
            } else {
                "NOT converged"
            },
            self.seconds_to_converge
        ));
        out
    }
}
