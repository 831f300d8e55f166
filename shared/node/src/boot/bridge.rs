//! Starting a department bridge (部门前置机): config → certificate → store
//! → revocations → control socket → API token, idempotency journal and
//! webhook → API HTTP → uplink to the county, one `info!` per step. Like a
//! township, it dials the county and keeps answering the department's
//! system while the county is unreachable; what it records reaches the
//! county when the link returns.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::bridge::{ensure_token, BridgeApi, Journal};
use crate::shutdown::Shutdown;
use crate::NodeCore;

use super::child::{start_child, ChildSettings};
use super::{bind, Seams, StartError};
use crate::config::bridge::BridgeConfig;

/// A running bridge.
pub struct Bridge {
    /// Where the department system's API answers.
    pub api_addr: SocketAddr,
    /// The file holding the API's bearer token.
    pub token_path: PathBuf,
    /// The department served, e.g. D03.
    pub department: String,
    pub core: NodeCore,
    pub shutdown: Shutdown,
}

/// Starts a real bridge; the uplink and the webhook run in the background
/// until shutdown.
pub async fn start_bridge(cfg: BridgeConfig, shutdown: Shutdown) -> Result<Bridge, StartError> {
    start_bridge_with(cfg, shutdown, Seams::default()).await
}

/// [`start_bridge`] with the given clock and dialer.
pub async fn start_bridge_with(
    cfg: BridgeConfig,
    shutdown: Shutdown,
    seams: Seams,
) -> Result<Bridge, StartError> {
    cfg.validate()?;
    let (dial, server_name) = cfg.county_endpoint()?;
    let webhook_url = cfg.webhook_url()?;
    let data = cfg.data_dir();
    let settings = ChildSettings {
        role: "bridge",
        me: cfg.node_id()?,
        parent: cfg.county_id()?,
        pki: cfg.pki.clone(),
        data: data.clone(),
        county_code: cfg.county_code.clone(),
        cache_mb: cfg.cache_mb,
        disk_reserve_mb: cfg.disk_reserve_mb,
        max_clock_skew_ms: cfg.max_clock_skew_ms(),
        dial,
        server_name,
    };
    let child = start_child(settings, &shutdown, seams.clone()).await?;
    let core = child.core.clone();

    let token_path = cfg.token_path();
    let (token, created) = ensure_token(&token_path)?;
    if created {
        tracing::info!(path = %token_path.display(), "created the API token file (mode 0600): give its content to the department system as `Authorization: Bearer <token>`");
    } else {
        tracing::info!(path = %token_path.display(), "API token loaded");
    }
    let journal = Arc::new(Journal::open(&data)?);
    tracing::info!(path = %journal.path().display(), "idempotency journal loaded");
    let webhook = match webhook_url {
        Some(url) => {
            let hook = crate::bridge::webhook::start(
                core.clone(),
                &cfg.department,
                token.clone(),
                url.clone(),
                &data,
                &shutdown,
            )?;
            tracing::info!(%url, delivered_to = hook.status().delivered_to, "webhook deliveries started (plain http)");
            Some(hook)
        }
        None => None,
    };

    let listener = bind(cfg.api, "bridge API", "api").await?;
    let api_addr = listener.local_addr().map_err(|source| StartError::Bind {
        what: "bridge API",
        addr: cfg.api,
        setting: "api",
        source,
    })?;
    let api = BridgeApi {
        core: core.clone(),
        department: cfg.department.clone(),
        token,
        journal,
        webhook,
    };
    crate::bridge::serve(listener, api, &shutdown);
    tracing::info!(addr = %api_addr, openapi = %format!("http://{api_addr}/openapi.json"), "bridge API listening");

    let core = child.start_uplink(&shutdown, &seams);
    Ok(Bridge {
        api_addr,
        token_path,
        department: cfg.department,
        core,
        shutdown,
    })
}
