//! The township node's configuration: defaults in one place, then a TOML
//! file (unknown keys refused by name), then flags. Validated before any
//! socket is bound. `deploy/township.example.toml` shows every key.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::{parse_endpoint, ConfigError, DEFAULT_MAX_CLOCK_SKEW_SECS};
use liandong_model::{NodeId, Role};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TownshipConfig {
    /// This centre's node name (required), e.g. T01; its certificate
    /// carries liandong://township/T01.
    pub id: String,
    /// The county node to replicate with.
    pub county: String,
    /// The county's node name, as in its certificate.
    pub county_name: String,
    /// Administrative division code, the first part of every case number.
    pub county_code: String,
    /// Where the store and the control socket live (default ./data/<id>).
    pub data: Option<PathBuf>,
    /// Where this node's certificate, key and the CA certificate are.
    pub pki: PathBuf,
    /// sled page cache, MiB.
    pub cache_mb: u64,
    /// Free disk space (MiB) kept for replication: below it, clerk writes
    /// are refused with a clear error while replication goes on.
    pub disk_reserve_mb: u64,
    /// How far (seconds) a received operation stamped ahead of this node's
    /// clock may move the node's hybrid logical clock. An operation stamped
    /// further ahead is still stored and relayed, but counted as a
    /// `clock-skew` rejection, and the clock moves only to now + this bound,
    /// so one machine with a wrong clock cannot push every later stamp into
    /// the future.
    pub max_clock_skew_secs: u64,
    /// Admin HTTP address: /healthz, /metrics and /api/status. No
    /// authentication: keep it on loopback or the admin network.
    pub admin: SocketAddr,
}

impl Default for TownshipConfig {
    fn default() -> Self {
        TownshipConfig {
            id: String::new(),
            county: "https://127.0.0.1:7443".into(),
            county_name: "HQ".into(),
            county_code: "000000".into(),
            data: None,
            pki: PathBuf::from("./data/pki"),
            cache_mb: 64,
            disk_reserve_mb: 64,
            max_clock_skew_secs: DEFAULT_MAX_CLOCK_SKEW_SECS,
            admin: SocketAddr::from(([127, 0, 0, 1], 7081)),
        }
    }
}

impl TownshipConfig {
    /// [`Self::max_clock_skew_secs`] in milliseconds.
    pub fn max_clock_skew_ms(&self) -> u64 {
        self.max_clock_skew_secs.saturating_mul(1000)
    }

    pub fn node_id(&self) -> Result<NodeId, ConfigError> {
        crate::config::node_id_setting("id", Role::Township, &self.id, "--id T01")
    }

    pub fn county_id(&self) -> Result<NodeId, ConfigError> {
        crate::config::county_id_setting(&self.county_name)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data").join(&self.id))
    }

    /// (address to dial, name the county's certificate must carry).
    pub fn county_endpoint(&self) -> Result<(String, String), ConfigError> {
        parse_endpoint("county", &self.county)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.node_id()?;
        self.county_id()?;
        self.county_endpoint()?;
        crate::config::validate_common(&self.county_code, self.cache_mb)?;
        crate::config::validate_skew(self.max_clock_skew_secs)?;
        Ok(())
    }
}
