//! The invariants checked at the end of every seed, over the live nodes:
//!
//! 1. every acknowledged operation is held by every node in its case's
//!    scope (its origin, the county, and every member the county lists);
//! 2. each child's digest equals the county's digest of that child's
//!    scope;
//! 3. no child holds a case it is not a member of;
//! 4. no forged operation is held anywhere;
//! 5. every case's folded status is the same at every holder.
//!
//! Each violation is one line naming the node, the case and the operation.

use std::collections::BTreeMap;

use liandong_domain::Lang;
use liandong_model::{NodeId, OpId};
use liandong_node::NodeCore;

use super::clerk::Ledger;

/// The invariants' violations (empty when the seed passed).
pub fn violations(
    county: &NodeCore,
    children: &[NodeCore],
    ledger: &Ledger,
    forged: &[OpId],
) -> Vec<String> {
    let mut out = Vec::new();
    let by_id: BTreeMap<NodeId, &NodeCore> = std::iter::once(county)
        .chain(children.iter())
        .map(|c| (c.me().clone(), c))
        .collect();
    acknowledged_everywhere(county, &by_id, ledger, &mut out);
    for child in children {
        digests_equal(county, child, &mut out);
        confined(county, child, &mut out);
        statuses_agree(county, child, &mut out);
    }
    for core in by_id.values() {
        for op in forged {
            if core.store.contains(op).unwrap_or(false) {
                out.push(format!("{}: holds forged operation {op}", core.me()));
            }
        }
    }
    out
}

fn acknowledged_everywhere(
    county: &NodeCore,
    by_id: &BTreeMap<NodeId, &NodeCore>,
    ledger: &Ledger,
    out: &mut Vec<String>,
) {
    for (case, ops) in &ledger.acked {
        let mut holders = match county.store.case_members(case) {
            Ok(m) => m,
            Err(e) => {
                out.push(format!("county: scope of {case} unreadable: {e}"));
                continue;
            }
        };
        holders.insert(county.me().clone());
        for op in ops {
            let Some(id) = parse_op(op) else {
                out.push(format!("ledger: `{op}` is not an operation id"));
                continue;
            };
            holders.insert(id.origin.clone());
            for holder in &holders {
                let Some(core) = by_id.get(holder) else {
                    continue;
                };
                match core.store.contains(&id) {
                    Ok(true) => {}
                    Ok(false) => out.push(format!(
                        "{holder}: acknowledged operation {op} of case {case} is missing"
                    )),
                    Err(e) => out.push(format!("{holder}: cannot read {op}: {e}")),
                }
            }
        }
    }
}

fn digests_equal(county: &NodeCore, child: &NodeCore, out: &mut Vec<String>) {
    match county_node::demo::converged(county, child) {
        Ok(true) => {}
        Ok(false) => out.push(format!(
            "{}: digest differs from the county's digest of its scope",
            child.me()
        )),
        Err(e) => out.push(format!("{}: digest unreadable: {e}", child.me())),
    }
}

fn confined(county: &NodeCore, child: &NodeCore, out: &mut Vec<String>) {
    let Ok(cases) = child.store.cases(None) else {
        out.push(format!("{}: cases unreadable", child.me()));
        return;
    };
    for case in cases {
        let id = case.id.to_string();
        let members = county.store.case_members(&id).unwrap_or_default();
        if !members.contains(child.me()) {
            out.push(format!(
                "{}: holds case {id}, outside its scope (members {members:?})",
                child.me()
            ));
        }
    }
}

fn statuses_agree(county: &NodeCore, child: &NodeCore, out: &mut Vec<String>) {
    let Ok(cases) = child.store.cases(None) else {
        return;
    };
    for case in cases {
        let id = case.id.to_string();
        let reader = crate::reader();
        let here = child.show_case(&reader, &id, Lang::En).map(|d| d.status);
        let there = county.show_case(&reader, &id, Lang::En).map(|d| d.status);
        match (here, there) {
            (Ok(a), Ok(b)) if a == b => {}
            (Ok(a), Ok(b)) => out.push(format!(
                "{}: case {id} is `{a}` here and `{b}` at the county",
                child.me()
            )),
            (a, b) => out.push(format!(
                "{}: case {id} unreadable here ({:?}) or at the county ({:?})",
                child.me(),
                a.err().map(|e| e.to_string()),
                b.err().map(|e| e.to_string())
            )),
        }
    }
}

/// `ROLE/NAME#SEQ` as an operation id.
pub fn parse_op(op: &str) -> Option<OpId> {
    let (origin, seq) = op.rsplit_once('#')?;
    Some(OpId {
        origin: origin.parse().ok()?,
        seq: seq.parse().ok()?,
    })
}
