//! Node identity: who a node is in the tree (county, township, department bridge).
//!
//! A [`NodeId`] is carried in every certificate as a SAN URI
//! (`liandong://township/T01`), in every operation id as the origin, and in
//! hellos. Names are short ASCII tokens so they fit in keys, file names and
//! case numbers unchanged.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// URI scheme used in certificate SANs.
pub const URI_SCHEME: &str = "liandong://";

/// What kind of node this is; decides what it may originate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    County,
    Township,
    Bridge,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::County => "county",
            Role::Township => "township",
            Role::Bridge => "bridge",
        }
    }
}

impl FromStr for Role {
    type Err = NodeIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "county" => Ok(Role::County),
            "township" => Ok(Role::Township),
            "bridge" => Ok(Role::Bridge),
            other => Err(NodeIdError::UnknownRole(other.to_string())),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A node's identity: role plus a short name (`T01`, `county`, `D01`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId {
    role: Role,
    name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeIdError {
    #[error("unknown node role `{0}`: use county, township or bridge")]
    UnknownRole(String),
    #[error("invalid node name `{0}`: use 1-32 characters from A-Z, a-z, 0-9, `_`")]
    InvalidName(String),
    #[error("`{0}` is not a node id: write ROLE/NAME, e.g. township/T01")]
    Malformed(String),
    #[error("`{0}` is not a liandong URI: expected liandong://ROLE/NAME")]
    NotLiandongUri(String),
}

impl NodeId {
    pub fn new(role: Role, name: &str) -> Result<Self, NodeIdError> {
        let valid = !name.is_empty()
            && name.len() <= 32
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(NodeIdError::InvalidName(name.to_string()));
        }
        Ok(NodeId {
            role,
            name: name.to_string(),
        })
    }

    pub fn county(name: &str) -> Result<Self, NodeIdError> {
        Self::new(Role::County, name)
    }

    pub fn township(name: &str) -> Result<Self, NodeIdError> {
        Self::new(Role::Township, name)
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The certificate SAN URI, e.g. `liandong://township/T01`.
    pub fn uri(&self) -> String {
        format!("{URI_SCHEME}{}/{}", self.role, self.name)
    }

    /// Parses a SAN URI written by [`NodeId::uri`].
    pub fn from_uri(uri: &str) -> Result<Self, NodeIdError> {
        let rest = uri
            .strip_prefix(URI_SCHEME)
            .ok_or_else(|| NodeIdError::NotLiandongUri(uri.to_string()))?;
        rest.parse()
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.role, self.name)
    }
}

impl FromStr for NodeId {
    type Err = NodeIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (role, name) = s
            .split_once('/')
            .ok_or_else(|| NodeIdError::Malformed(s.to_string()))?;
        NodeId::new(role.parse()?, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_round_trips() {
        let id = NodeId::township("T01").unwrap();
        assert_eq!(id.uri(), "liandong://township/T01");
        assert_eq!(NodeId::from_uri(&id.uri()).unwrap(), id);
    }

    #[test]
    fn bad_names_and_uris_are_refused() {
        assert!(NodeId::township("").is_err());
        assert!(NodeId::township("T/01").is_err());
        assert!(NodeId::from_uri("https://township/T01").is_err());
        assert!(NodeId::from_uri("liandong://mayor/T01").is_err());
    }
}
