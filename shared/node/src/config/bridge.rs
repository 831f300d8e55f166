//! The department bridge's configuration (部门前置机): defaults in one
//! place, then a TOML file (unknown keys refused by name), then
//! `LIANDONG_BRIDGE_*` environment variables, then flags. Validated before
//! any socket is bound. `deploy/bridge.example.toml` shows every key.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::config::{parse_endpoint, ConfigError, DEFAULT_MAX_CLOCK_SKEW_SECS};
use liandong_model::{NodeId, Role};
use liandong_net::webhook::WebhookUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BridgeConfig {
    /// The department this bridge serves (required), e.g. D03; its
    /// certificate carries liandong://bridge/D03.
    pub department: String,
    /// The county node to replicate with.
    pub county: String,
    /// The county's node name, as in its certificate.
    pub county_name: String,
    /// Administrative division code, the first part of every case number.
    pub county_code: String,
    /// Where the store, the control socket, the API token and the API's
    /// idempotency and webhook records live (default ./data/bridge-<dept>).
    pub data: Option<PathBuf>,
    /// Where this node's certificate, key and the CA certificate are.
    pub pki: PathBuf,
    /// The department system's HTTP/JSON API (and /api/status, /metrics).
    /// Bearer-token protected, plain HTTP: keep it on loopback (the
    /// default) or the department's private network.
    pub api: SocketAddr,
    /// The API's bearer token (default <data>/api-token); created 0600
    /// with a random token on first start when missing.
    pub token_file: Option<PathBuf>,
    /// Where to POST each new case and event (plain http:// only; the
    /// body is signed with the token, see the API's OpenAPI document).
    pub webhook: Option<String>,
    /// sled page cache, MiB.
    pub cache_mb: u64,
    /// Free disk space (MiB) kept for replication: below it, writes
    /// through the API are refused while replication goes on.
    pub disk_reserve_mb: u64,
    /// How far (seconds) a received operation stamped ahead of this node's
    /// clock may move its hybrid logical clock (as for a township).
    pub max_clock_skew_secs: u64,
}

impl Default for BridgeConfig {
    fn default() -> Self {
        BridgeConfig {
            department: String::new(),
            county: "https://127.0.0.1:7443".into(),
            county_name: "HQ".into(),
            county_code: "000000".into(),
            data: None,
            pki: PathBuf::from("./data/pki"),
            api: SocketAddr::from(([127, 0, 0, 1], 7090)),
            token_file: None,
            webhook: None,
            cache_mb: 64,
            disk_reserve_mb: 64,
            max_clock_skew_secs: DEFAULT_MAX_CLOCK_SKEW_SECS,
        }
    }
}

impl BridgeConfig {
    /// [`Self::max_clock_skew_secs`] in milliseconds.
    pub fn max_clock_skew_ms(&self) -> u64 {
        self.max_clock_skew_secs.saturating_mul(1000)
    }

    /// `bridge/<department>`.
    pub fn node_id(&self) -> Result<NodeId, ConfigError> {
        crate::config::node_id_setting(
            "department",
            Role::Bridge,
            &self.department,
            "--department D03",
        )
    }

    pub fn county_id(&self) -> Result<NodeId, ConfigError> {
        crate::config::county_id_setting(&self.county_name)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data").join(format!("bridge-{}", self.department)))
    }

    pub fn token_path(&self) -> PathBuf {
        self.token_file
            .clone()
            .unwrap_or_else(|| self.data_dir().join("api-token"))
    }

    /// (address to dial, name the county's certificate must carry).
    pub fn county_endpoint(&self) -> Result<(String, String), ConfigError> {
        parse_endpoint("county", &self.county)
    }

    /// The webhook address, when one is set.
    pub fn webhook_url(&self) -> Result<Option<WebhookUrl>, ConfigError> {
        self.webhook
            .as_deref()
            .filter(|w| !w.trim().is_empty())
            .map(|w| {
                WebhookUrl::parse(w.trim()).map_err(|e| ConfigError::Invalid {
                    key: "webhook",
                    detail: e.to_string(),
                })
            })
            .transpose()
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        self.node_id()?;
        self.county_id()?;
        self.county_endpoint()?;
        self.webhook_url()?;
        crate::config::validate_common(&self.county_code, self.cache_mb)?;
        crate::config::validate_skew(self.max_clock_skew_secs)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_department_names_the_node_and_its_default_paths() {
        let cfg = BridgeConfig {
            department: "D03".into(),
            ..BridgeConfig::default()
        };
        assert_eq!(cfg.node_id().unwrap().to_string(), "bridge/D03");
        assert_eq!(cfg.data_dir(), PathBuf::from("./data/bridge-D03"));
        assert_eq!(
            cfg.token_path(),
            PathBuf::from("./data/bridge-D03/api-token")
        );
        assert!(cfg.validate().is_ok());
        let missing = BridgeConfig::default().validate().unwrap_err().to_string();
        assert!(missing.contains("--department"), "{missing}");
        let bad = BridgeConfig {
            department: "D/03".into(),
            ..BridgeConfig::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .to_string()
            .contains("department"));
    }

    #[test]
    fn a_webhook_must_be_plain_http_and_unknown_variables_are_refused() {
        let https = BridgeConfig {
            department: "D03".into(),
            webhook: Some("https://receiver/hook".into()),
            ..BridgeConfig::default()
        };
        let err = https.validate().unwrap_err().to_string();
        assert!(err.contains("webhook") && err.contains("http"), "{err}");
        let env = vec![("LIANDONG_BRIDGE_WEBHOK".to_string(), "x".to_string())];
        let err = crate::config::load::<BridgeConfig>(None, "LIANDONG_BRIDGE_", env)
            .unwrap_err()
            .to_string();
        assert!(err.contains("LIANDONG_BRIDGE_WEBHOK"), "{err}");
        let env = vec![
            (
                "LIANDONG_BRIDGE_WEBHOOK".to_string(),
                "http://127.0.0.1:9/h".to_string(),
            ),
            ("LIANDONG_BRIDGE_DEPARTMENT".to_string(), "D03".to_string()),
        ];
        let cfg = crate::config::load::<BridgeConfig>(None, "LIANDONG_BRIDGE_", env).unwrap();
        assert_eq!(cfg.webhook.as_deref(), Some("http://127.0.0.1:9/h"));
        assert_eq!(cfg.department, "D03");
    }
}
