//! Node identity: who a node is in the tree (county, township, department bridge).
//!
//! A [`NodeId`] is carried in every certificate as a SAN URI
//! (`liandong://township/T01`), in every operation id as the origin, and in
//! hellos. Names are short ASCII tokens so they fit in keys, file names and
//! case numbers unchanged.
//!
//! Invariant: every [`NodeId`] holds a valid name, however it was made:
//! [`NodeId::new`] checks it, and so does deserialising one (a received
//! operation id, a stored peer record), through [`NodeIdWire`], whose
//! fields and order are those of `NodeId`, so the encoding is unchanged.

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
#[serde(try_from = "NodeIdWire")]
pub struct NodeId {
    role: Role,
    name: String,
}

/// A [`NodeId`] as encoded, before its name is checked: the same fields in
/// the same order, so both encode alike.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct NodeIdWire {
    pub(crate) role: Role,
    pub(crate) name: String,
}

impl TryFrom<NodeIdWire> for NodeId {
    type Error = NodeIdError;
    fn try_from(wire: NodeIdWire) -> Result<Self, Self::Error> {
        NodeId::new(wire.role, &wire.name)
    }
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

    #[test]
    fn a_node_id_encodes_as_before_and_decodes_back() {
        let id = NodeId::township("T01").unwrap();
        let bytes = postcard::to_stdvec(&id).unwrap();
        // Role index, name length, name: the layout of the plain struct.
        assert_eq!(bytes, [1, 3, b'T', b'0', b'1']);
        assert_eq!(postcard::from_bytes::<NodeId>(&bytes).unwrap(), id);
    }

    #[test]
    fn a_received_node_id_with_a_bad_name_is_refused() {
        for name in ["", "T/01", "T\0", &"T".repeat(33)] {
            let mut bytes = vec![1, name.len() as u8];
            bytes.extend_from_slice(name.as_bytes());
            assert!(
                postcard::from_bytes::<NodeId>(&bytes).is_err(),
                "{name:?} was accepted"
            );
        }
    }
}
