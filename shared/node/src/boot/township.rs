//! Starting a township node: config → certificate → store → revocations →
//! control socket → admin HTTP → uplink to the county, one `info!` per
//! step. The clerk's commands work from the moment the store is open,
//! whether or not the county answers. The uplink's TLS config is built for
//! the configured county (`county_name`): a server presenting any other
//! node's certificate is refused at the handshake.

use std::net::SocketAddr;

use crate::shutdown::Shutdown;
use crate::NodeCore;

use super::child::{start_child, ChildSettings};
use super::{bind_admin, Seams, StartError};
use crate::config::township::TownshipConfig;

/// A running township node.
pub struct Township {
    /// Where `/healthz`, `/metrics` and `/api/status` answer.
    pub admin_addr: SocketAddr,
    pub core: NodeCore,
    pub shutdown: Shutdown,
}

/// Starts a real township; the uplink runs in the background until shutdown.
pub async fn start_township(
    cfg: TownshipConfig,
    shutdown: Shutdown,
) -> Result<Township, StartError> {
    start_township_with(cfg, shutdown, Seams::default()).await
}

/// [`start_township`] with the given clock and dialer (a test's proxy, a
/// simulated network).
pub async fn start_township_with(
    cfg: TownshipConfig,
    shutdown: Shutdown,
    seams: Seams,
) -> Result<Township, StartError> {
    cfg.validate()?;
    let (dial, server_name) = cfg.county_endpoint()?;
    let settings = ChildSettings {
        role: "township",
        me: cfg.node_id()?,
        parent: cfg.county_id()?,
        pki: cfg.pki.clone(),
        data: cfg.data_dir(),
        county_code: cfg.county_code.clone(),
        cache_mb: cfg.cache_mb,
        disk_reserve_mb: cfg.disk_reserve_mb,
        max_clock_skew_ms: cfg.max_clock_skew_ms(),
        dial,
        server_name,
    };
    let child = start_child(settings, &shutdown, seams.clone()).await?;
    let (admin_listener, admin_addr) = bind_admin(cfg.admin).await?;
    crate::admin::township::serve(admin_listener, child.core.clone(), &shutdown);
    tracing::info!(addr = %admin_addr, "admin HTTP listening");
    let core = child.start_uplink(&shutdown, &seams);
    Ok(Township {
        admin_addr,
        core,
        shutdown,
    })
}
