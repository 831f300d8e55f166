//! Case numbers (办件编号). A case's events, record and fold live in
//! [`liandong_domain`]; here is only its id, which the replication layer
//! needs for scope (the accepting centre is part of the number).

use serde::{Deserialize, Serialize};

use super::node::NodeId;

/// 办件编号: `<county code>-<node>-<YYYYMMDD>-<seq>`, assigned offline by the
/// accepting centre. Equality and order are on the text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CaseId {
    text: String,
    origin: NodeId,
}

impl CaseId {
    pub fn new(county_code: &str, origin: &NodeId, yyyymmdd: &str, seq: u64) -> Self {
        CaseId {
            text: format!("{county_code}-{}-{yyyymmdd}-{seq:06}", origin.name()),
            origin: origin.clone(),
        }
    }

    /// The accepting centre: always in the case's scope.
    pub fn origin(&self) -> &NodeId {
        &self.origin
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}
