//! The county node's configuration: defaults in one place, then a TOML file
//! (unknown keys refused by name), then flags. Validated before any socket
//! is bound. `deploy/county.example.toml` shows every key.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::{ConfigError, DEFAULT_MAX_CLOCK_SKEW_SECS};
use liandong_model::NodeId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CountyConfig {
    /// This county's node name; its certificate carries liandong://county/NAME.
    pub name: String,
    /// Administrative division code, the first part of every case number.
    pub county_code: String,
    /// Where the store and the control socket live.
    pub data: PathBuf,
    /// CA and node certificates (development: the CA key is here too).
    pub pki: PathBuf,
    /// gRPC (replication) address, mutual TLS.
    pub listen: SocketAddr,
    /// Admin HTTP address: the admin page, /api/status, /metrics.
    pub admin: SocketAddr,
    /// Host names and IPs put in a development certificate issued at start.
    pub hosts: Vec<String>,
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
}

impl Default for CountyConfig {
    fn default() -> Self {
        CountyConfig {
            name: "HQ".into(),
            county_code: "000000".into(),
            data: PathBuf::from("./data/county"),
            pki: PathBuf::from("./data/pki"),
            listen: SocketAddr::from(([127, 0, 0, 1], 7443)),
            admin: SocketAddr::from(([127, 0, 0, 1], 7080)),
            hosts: vec!["localhost".into(), "127.0.0.1".into()],
            cache_mb: 64,
            disk_reserve_mb: 64,
            max_clock_skew_secs: DEFAULT_MAX_CLOCK_SKEW_SECS,
        }
    }
}

impl CountyConfig {
    /// [`Self::max_clock_skew_secs`] in milliseconds.
    pub fn max_clock_skew_ms(&self) -> u64 {
        self.max_clock_skew_secs.saturating_mul(1000)
    }

    pub fn node_id(&self) -> Result<NodeId, ConfigError> {
        NodeId::county(&self.name).map_err(|e| ConfigError::Invalid {
            key: "name",
            detail: e.to_string(),
        })
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.node_id()?;
        crate::config::validate_common(&self.county_code, self.cache_mb)?;
        crate::config::validate_skew(self.max_clock_skew_secs)?;
        Ok(())
    }
}
