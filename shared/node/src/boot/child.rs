//! What a node that dials a parent (a township, a department bridge) does
//! the same way at start: certificate → store (with its parent registered)
//! → core → revocations → control socket, and, once the node's own
//! servers are up, the uplink. One `info!` per step.

use std::path::PathBuf;
use std::sync::Arc;

use crate::shutdown::Shutdown;
use crate::NodeCore;
use liandong_model::{NodeId, SkewBound};
use liandong_net::driver::LinkContext;
use liandong_net::rpc::client::{run_uplink, Uplink};
use liandong_net::tls;
use liandong_store::Store;
use liandong_sync::SessionConfig;

use super::{Seams, StartError};

/// The settings a child node starts from.
pub(super) struct ChildSettings {
    pub role: &'static str,
    pub me: NodeId,
    pub parent: NodeId,
    pub pki: PathBuf,
    pub data: PathBuf,
    pub county_code: String,
    pub cache_mb: u64,
    pub disk_reserve_mb: u64,
    pub max_clock_skew_ms: u64,
    /// Where the parent answers, and the name its certificate is checked for.
    pub dial: String,
    pub server_name: String,
}

/// A child node with its store, core and control socket up, its uplink
/// not started yet.
pub(super) struct Child {
    pub core: NodeCore,
    store: Arc<Store>,
    uplink: Uplink,
}

/// Loads (or, in development, enrols) the certificate, opens the store,
/// loads the revocations and serves the control socket.
pub(super) async fn start_child(
    s: ChildSettings,
    shutdown: &Shutdown,
    seams: Seams,
) -> Result<Child, StartError> {
    tls::install_crypto_provider();
    let files = tls::ensure_dev_node_cert(&s.pki, &s.me, &[])?;
    let material = tls::TlsMaterial::load(&files)?;
    let revocations = tls::Revocations::new();
    let client_tls = tls::client_config_with(&material, &s.parent, &revocations)?;
    tracing::info!(node = %s.me, cert = %files.cert.display(), expires = %material.not_after(), "certificate loaded");

    let skew = SkewBound::new(seams.clock.clone(), s.max_clock_skew_ms);
    let opts = super::store_options(s.cache_mb, s.disk_reserve_mb, skew);
    let (path, id, parent) = (s.data.clone(), s.me.clone(), s.parent.clone());
    let store = tokio::task::spawn_blocking(move || -> Result<Store, super::OpenError> {
        let store = super::open_store(&path, &id, &opts, super::STORE_LOCK_WAIT)?;
        store.ensure_peer(&parent, None)?;
        Ok(store)
    })
    .await?
    .map_err(|source| StartError::Store {
        role: s.role,
        path: s.data.clone(),
        source,
    })?;
    let store = Arc::new(store);
    tracing::info!(path = %s.data.display(), "store opened");

    let core = NodeCore::new(
        store.clone(),
        &s.county_code,
        material.not_after().timestamp_millis(),
        revocations,
        seams.clock.clone(),
    );
    super::load_revocations(&core).await?;
    core.start_background(shutdown);
    let socket =
        crate::control::serve(&s.data, Arc::new(core.clone()), shutdown).map_err(|source| {
            StartError::Control {
                path: s.data.clone(),
                source,
            }
        })?;
    tracing::info!(path = %socket.display(), "control socket ready");
    let uplink = Uplink {
        parent: s.parent,
        dial: s.dial,
        server_name: s.server_name,
        tls: client_tls,
        dialer: seams.dialer,
    };
    Ok(Child {
        core,
        store,
        uplink,
    })
}

impl Child {
    /// Starts the uplink to the parent; it runs in the background until
    /// shutdown.
    pub(super) fn start_uplink(self, shutdown: &Shutdown, seams: &Seams) -> NodeCore {
        let ctx = LinkContext {
            store: self.store,
            board: self.core.board.clone(),
            clock: seams.clock.clone(),
            config: SessionConfig::default(),
            shutdown: shutdown.token(),
            reporter: Some(self.core.reporter(shutdown)),
        };
        let dial = self.uplink.dial.clone();
        shutdown.spawn("uplink", run_uplink(ctx, self.uplink));
        tracing::info!(parent = %dial, "uplink started");
        self.core
    }
}
