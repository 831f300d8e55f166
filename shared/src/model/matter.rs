//! Catalogue matters (政务服务事项): written only by the county, replicated
//! to every node. Foundation slice: the fields a window needs to accept a
//! case. Versions resolve last-writer-wins by (HLC, op id), the documented
//! rule for catalogue edits; the full 十公开 record is a later slice.

use serde::{Deserialize, Serialize};

use super::hlc::Hlc;
use super::op::OpId;

/// At which level a matter is handled (行使层级).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    County,
    Township,
}

/// One catalogue entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matter {
    pub code: String,
    pub name: String,
    pub level: Level,
    pub promised_days: u16,
    pub statutory_days: u16,
    pub department: String,
    pub active: bool,
}

/// The current version of a matter: the put with the highest (HLC, op id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatterView {
    pub matter: Option<Matter>,
    pub stamp: Option<(Hlc, OpId)>,
    pub versions: u32,
}

impl MatterView {
    pub fn empty() -> Self {
        MatterView {
            matter: None,
            stamp: None,
            versions: 0,
        }
    }

    pub fn absorb(&mut self, hlc: Hlc, op: &OpId, matter: Option<&Matter>) {
        self.versions += 1;
        let Some(matter) = matter else { return };
        let stamp = (hlc, op.clone());
        if self.stamp.as_ref().is_none_or(|cur| &stamp > cur) {
            self.stamp = Some(stamp);
            self.matter = Some(matter.clone());
        }
    }
}
