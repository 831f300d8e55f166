//! Case numbers (办件编号). A case's events, record and fold live in
//! [`liandong_domain`]; here is only its id, which the replication layer
//! needs for scope (the accepting centre is part of the number).
//!
//! Invariant: a [`CaseId`] that was received or read back is well formed
//! and names its own accepting centre: deserialising one goes through
//! [`CaseId::parse`] (via [`CaseIdWire`], the same two fields in the same
//! order, so the encoding is unchanged), which checks the structure below.
//! [`CaseId::new`] stays infallible for the node's own numbering; what it
//! builds from a valid county code, date and sequence parses back.

use serde::{Deserialize, Serialize};

use super::node::{NodeId, NodeIdError, NodeIdWire, Role};

/// Longest case number, in bytes (it is part of store keys).
pub const MAX_CASE_ID_BYTES: usize = 96;

/// How a case number reads, for error messages.
const SHAPE: &str =
    "a case number reads COUNTY-CENTRE-YYYYMMDD-SEQ, e.g. 410100-T01-20261126-000042";

/// 办件编号: `<county code>-<node>-<YYYYMMDD>-<seq>`, assigned offline by the
/// accepting centre. Equality and order are on the text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "CaseIdWire")]
pub struct CaseId {
    text: String,
    origin: NodeId,
}

/// A [`CaseId`] as encoded, before it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub(crate) struct CaseIdWire {
    pub(crate) text: String,
    pub(crate) origin: NodeIdWire,
}

/// Why text is not the case number of a centre.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseIdError {
    #[error("the case number is empty; {SHAPE}")]
    Empty,
    #[error("the case number is {len} bytes, over the {MAX_CASE_ID_BYTES}-byte limit; {SHAPE}")]
    TooLong { len: usize },
    #[error("the case number contains a control character; {SHAPE}")]
    ControlCharacter,
    #[error("the case number has {parts} `-`-separated parts instead of 4; {SHAPE}")]
    Parts { parts: usize },
    #[error("county code {code:?} is not ASCII letters and digits; {SHAPE}")]
    CountyCode { code: String },
    #[error("the case number names centre {named:?} but was accepted at {origin}; {SHAPE}")]
    OtherCentre { named: String, origin: NodeId },
    #[error("date {date:?} is not 8 digits (YYYYMMDD); {SHAPE}")]
    Date { date: String },
    #[error("sequence {seq:?} is not digits; {SHAPE}")]
    Seq { seq: String },
    #[error("a {role} does not accept cases, only the county and townships do")]
    OriginRole { role: Role },
    #[error("its accepting centre: {0}")]
    Origin(NodeIdError),
}

impl CaseId {
    pub fn new(county_code: &str, origin: &NodeId, yyyymmdd: &str, seq: u64) -> Self {
        CaseId {
            text: format!("{county_code}-{}-{yyyymmdd}-{seq:06}", origin.name()),
            origin: origin.clone(),
        }
    }

    /// Checks that `text` is a case number accepted at `origin`: a county
    /// or township whose name is the number's second part, after a county
    /// code of ASCII letters and digits, then 8 date digits and sequence
    /// digits; at most [`MAX_CASE_ID_BYTES`], no control characters.
    pub fn parse(text: &str, origin: &NodeId) -> Result<CaseId, CaseIdError> {
        if text.is_empty() {
            return Err(CaseIdError::Empty);
        }
        if text.len() > MAX_CASE_ID_BYTES {
            return Err(CaseIdError::TooLong { len: text.len() });
        }
        if text.chars().any(char::is_control) {
            return Err(CaseIdError::ControlCharacter);
        }
        if !matches!(origin.role(), Role::County | Role::Township) {
            return Err(CaseIdError::OriginRole {
                role: origin.role(),
            });
        }
        let parts: Vec<&str> = text.split('-').collect();
        let [code, centre, date, seq] = parts[..] else {
            return Err(CaseIdError::Parts { parts: parts.len() });
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(CaseIdError::CountyCode { code: code.into() });
        }
        if centre != origin.name() {
            return Err(CaseIdError::OtherCentre {
                named: centre.into(),
                origin: origin.clone(),
            });
        }
        if date.len() != 8 || !digits(date) {
            return Err(CaseIdError::Date { date: date.into() });
        }
        if !digits(seq) {
            return Err(CaseIdError::Seq { seq: seq.into() });
        }
        Ok(CaseId {
            text: text.to_string(),
            origin: origin.clone(),
        })
    }

    /// The accepting centre: always in the case's scope.
    pub fn origin(&self) -> &NodeId {
        &self.origin
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl TryFrom<CaseIdWire> for CaseId {
    type Error = CaseIdError;
    fn try_from(wire: CaseIdWire) -> Result<Self, Self::Error> {
        let origin = NodeId::try_from(wire.origin).map_err(CaseIdError::Origin)?;
        CaseId::parse(&wire.text, &origin)
    }
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t01() -> NodeId {
        NodeId::township("T01").unwrap()
    }

    #[test]
    fn a_numbered_case_parses_back_and_decodes_back() {
        let id = CaseId::new("410100", &t01(), "20261126", 42);
        assert_eq!(id.as_str(), "410100-T01-20261126-000042");
        assert_eq!(CaseId::parse(id.as_str(), &t01()), Ok(id.clone()));
        let bytes = postcard::to_stdvec(&id).unwrap();
        assert_eq!(postcard::from_bytes::<CaseId>(&bytes).unwrap(), id);
    }

    #[test]
    fn a_case_id_encodes_as_its_text_then_its_origin() {
        let id = CaseId::new("1", &t01(), "20261126", 1);
        let mut expected = vec![id.as_str().len() as u8];
        expected.extend_from_slice(id.as_str().as_bytes());
        expected.extend(postcard::to_stdvec(&t01()).unwrap());
        assert_eq!(postcard::to_stdvec(&id).unwrap(), expected);
    }

    #[test]
    fn a_case_number_naming_another_centre_is_refused() {
        let e = CaseId::parse("410100-T02-20261126-000001", &t01()).unwrap_err();
        assert_eq!(
            e,
            CaseIdError::OtherCentre {
                named: "T02".into(),
                origin: t01()
            }
        );
        assert!(e.to_string().contains("COUNTY-CENTRE-YYYYMMDD-SEQ"), "{e}");
    }

    #[test]
    fn each_malformed_part_of_a_case_number_is_named() {
        let long = "9".repeat(97);
        let cases = [
            ("", CaseIdError::Empty),
            ("410100-T01-20261126", CaseIdError::Parts { parts: 3 }),
            (
                "4101 0-T01-20261126-1",
                CaseIdError::CountyCode {
                    code: "4101 0".into(),
                },
            ),
            (
                "-T01-20261126-1",
                CaseIdError::CountyCode { code: "".into() },
            ),
            (
                "410100-T01-2026112-1",
                CaseIdError::Date {
                    date: "2026112".into(),
                },
            ),
            ("410100-T01-20261126-", CaseIdError::Seq { seq: "".into() }),
            ("410100-T01-20261126-1\0", CaseIdError::ControlCharacter),
            (long.as_str(), CaseIdError::TooLong { len: 97 }),
        ];
        for (text, expected) in cases {
            assert_eq!(CaseId::parse(text, &t01()), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn only_counties_and_townships_accept_cases() {
        let bridge = NodeId::new(Role::Bridge, "D01").unwrap();
        assert_eq!(
            CaseId::parse("410100-D01-20261126-1", &bridge),
            Err(CaseIdError::OriginRole { role: Role::Bridge })
        );
        let county = NodeId::county("HQ").unwrap();
        assert!(CaseId::parse("410100-HQ-20261126-1", &county).is_ok());
    }

    #[test]
    fn a_received_case_id_is_checked_against_its_origin() {
        let forged = (String::from("410100-T02-20261126-000001"), t01());
        let bytes = postcard::to_stdvec(&forged).unwrap();
        assert!(postcard::from_bytes::<CaseId>(&bytes).is_err());
    }
}
