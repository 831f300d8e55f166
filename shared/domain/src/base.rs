//! The bottom of the domain: small value types every other module shares
//! and that depend on nothing else here — the language of clerk-facing text
//! ([`Lang`]), the order of replicated writes ([`Stamp`]) and the level at
//! which a matter is handled or a centre works ([`Level`]).
//!
//! Invariants: plain data only; nothing in this module imports another
//! module of the crate, so any module may use it.

use serde::{Deserialize, Serialize};

use liandong_model::{Hlc, OpId};

/// The order of replicated writes: HLC first, then the operation id, so
/// `(wall_ms, logical, origin, seq)`. Unique per operation, hence a valid
/// `LWWReg` marker: two writes never tie.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub hlc: Hlc,
    pub op: OpId,
}

impl Stamp {
    pub fn new(hlc: Hlc, op: OpId) -> Self {
        Stamp { hlc, op }
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}@{}", self.hlc.wall_ms, self.hlc.logical, self.op)
    }
}

/// The language of clerk-facing text. Chinese unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// `--lang` got something other than `zh` or `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: use zh or en (未知语言 `{0}`：请用 zh 或 en)")]
pub struct LangError(pub String);

impl std::str::FromStr for Lang {
    type Err = LangError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" => Ok(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            _ => Err(LangError(s.to_string())),
        }
    }
}

/// 行使层级: where a matter is handled (and so which centre may accept it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Level {
    /// 4 县级: accepted at the county hall.
    County,
    /// 5 乡镇级: a township centre may accept it.
    Township,
}

impl Level {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Level::County => lang.pick("县级", "county"),
            Level::Township => lang.pick("乡镇级", "township"),
        }
    }
}
