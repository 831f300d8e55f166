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
use liandong_model::SkewBound;
use liandong_net::driver::LinkContext;
use liandong_net::rpc::client::{run_uplink, Uplink};
use liandong_net::tls;
use liandong_store::Store;
use liandong_sync::SessionConfig;

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
    let me = cfg.node_id()?;
    let county = cfg.county_id()?;
    let (dial, server_name) = cfg.county_endpoint()?;
    let webhook_url = cfg.webhook_url()?;
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
        role: "bridge",
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
    Ok(Bridge {
        api_addr,
        token_path,
        department: cfg.department,
        core,
        shutdown,
    })
}
