//! Starting a township node: config → certificate → store → revocations →
//! control socket → admin HTTP → uplink to the county, one `info!` per
//! step. The clerk's commands work from the moment the store is open,
//! whether or not the county answers. The uplink's TLS config is built for
//! the configured county (`county_name`): a server presenting any other
//! node's certificate is refused at the handshake.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::shutdown::Shutdown;
use crate::NodeCore;
use liandong_model::SkewBound;
use liandong_net::driver::LinkContext;
use liandong_net::rpc::client::{run_uplink, Uplink};
use liandong_net::tls;
use liandong_store::Store;
use liandong_sync::SessionConfig;

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
    let me = cfg.node_id()?;
    let county = cfg.county_id()?;
    let (dial, server_name) = cfg.county_endpoint()?;
    tls::install_crypto_provider();
    let files = tls::ensure_dev_node_cert(&cfg.pki, &me, &[])?;
    let material = tls::TlsMaterial::load(&files)?;
    let revocations = tls::Revocations::new();
    let client_tls = tls::client_config_with(&material, &county, &revocations)?;
    tracing::info!(node = %me, cert = %files.cert.display(), expires = %material.not_after(), "certificate loaded");

    let data = cfg.data_dir();
    let skew = SkewBound::new(seams.clock.clone(), cfg.max_clock_skew_ms());
    let opts = super::store_options(cfg.cache_mb, cfg.disk_reserve_mb, skew);
    let (path, id, parent) = (data.clone(), me.clone(), county.clone());
    let store = tokio::task::spawn_blocking(move || -> Result<Store, super::OpenError> {
        let store = super::open_store(&path, &id, &opts, super::STORE_LOCK_WAIT)?;
        store.ensure_peer(&parent, None)?;
        Ok(store)
    })
    .await?
    .map_err(|source| StartError::Store {
        role: "township",
        path: data.clone(),
        source,
    })?;
    let store = Arc::new(store);
    tracing::info!(path = %data.display(), "store opened");

    let core = NodeCore::new(
        store.clone(),
        &cfg.county_code,
        material.not_after().timestamp_millis(),
        revocations,
        seams.clock.clone(),
    );
    super::load_revocations(&core).await?;
    core.start_background(&shutdown);
    let socket =
        crate::control::serve(&data, Arc::new(core.clone()), &shutdown).map_err(|source| {
            StartError::Control {
                path: data.clone(),
                source,
            }
        })?;
    tracing::info!(path = %socket.display(), "control socket ready");

    let (admin_listener, admin_addr) = bind_admin(cfg.admin).await?;
    crate::admin::township::serve(admin_listener, core.clone(), &shutdown);
    tracing::info!(addr = %admin_addr, "admin HTTP listening");

    let ctx = LinkContext {
        store,
        board: core.board.clone(),
        clock: seams.clock.clone(),
        config: SessionConfig::default(),
        shutdown: shutdown.token(),
        reporter: Some(core.reporter(&shutdown)),
    };
    let uplink = Uplink {
        parent: county,
        dial: dial.clone(),
        server_name,
        tls: client_tls,
        dialer: seams.dialer,
    };
    shutdown.spawn("uplink", run_uplink(ctx, uplink));
    tracing::info!(county = %dial, "uplink started");
    Ok(Township {
        admin_addr,
        core,
        shutdown,
    })
}
