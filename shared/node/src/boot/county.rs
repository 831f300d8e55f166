//! Starting a county node: config → PKI → store → revocations →
//! replication service → control socket → admin HTTP, one `info!` per
//! step. Returns a handle with the bound addresses, so tests start real
//! nodes on port 0.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::shutdown::Shutdown;
use crate::NodeCore;
use liandong_model::SkewBound;
use liandong_net::driver::LinkContext;
use liandong_net::serve::serve_replication;
use liandong_net::tls;
use liandong_sync::SessionConfig;

use super::{bind, bind_admin, Seams, StartError};
use crate::config::county::CountyConfig;

/// A running county node.
pub struct County {
    pub grpc_addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub core: NodeCore,
    pub shutdown: Shutdown,
}

/// Starts every part of a real county and returns once all sockets are bound.
pub async fn start_county(cfg: CountyConfig, shutdown: Shutdown) -> Result<County, StartError> {
    start_county_with(cfg, shutdown, Seams::default()).await
}

/// [`start_county`] with the given clock (the county dials no one).
pub async fn start_county_with(
    cfg: CountyConfig,
    shutdown: Shutdown,
    seams: Seams,
) -> Result<County, StartError> {
    cfg.validate()?;
    let listener = bind(cfg.listen, "gRPC", "listen").await?;
    start_county_on(cfg, shutdown, seams, listener).await
}

/// [`start_county_with`], serving replication on the connections `listener`
/// accepts (a bound TCP socket, or a simulated network's listener); the
/// mutual-TLS handshake and everything above it are the real code.
pub async fn start_county_on<L: tls::Listener>(
    cfg: CountyConfig,
    shutdown: Shutdown,
    seams: Seams,
    listener: L,
) -> Result<County, StartError> {
    cfg.validate()?;
    let me = cfg.node_id()?;
    tls::install_crypto_provider();
    // A development CA is created only where there is no CA at all; with
    // the CA key kept offline (ca.pem and this node's files only), the
    // existing files are used as they are.
    let no_ca = !cfg.pki.join(tls::pki::CA_CERT_FILE).exists()
        && !cfg.pki.join(tls::pki::CA_KEY_FILE).exists();
    if no_ca {
        tls::init_ca(&cfg.pki)?;
        tracing::warn!(dir = %cfg.pki.display(), "created a development CA; for a real deployment use deploy/pki-bootstrap.sh and keep the CA key offline");
    }
    let files = tls::ensure_dev_node_cert(&cfg.pki, &me, &cfg.hosts)?;
    let material = tls::TlsMaterial::load(&files)?;
    let revocations = tls::Revocations::new();
    let server_tls = tls::server_config_with(&material, &revocations)?;
    tracing::info!(node = %me, cert = %files.cert.display(), expires = %material.not_after(), "certificate loaded");

    let skew = SkewBound::new(seams.clock.clone(), cfg.max_clock_skew_ms());
    let opts = super::store_options(cfg.cache_mb, cfg.disk_reserve_mb, skew);
    let (path, id) = (cfg.data.clone(), me.clone());
    let store = tokio::task::spawn_blocking(move || {
        super::open_store(&path, &id, &opts, super::STORE_LOCK_WAIT)
    })
    .await?
    .map_err(|source| StartError::Store {
        role: "county",
        path: cfg.data.clone(),
        source,
    })?;
    let store = Arc::new(store);
    tracing::info!(path = %cfg.data.display(), "store opened");

    let core = NodeCore::new(
        store.clone(),
        &cfg.county_code,
        material.not_after().timestamp_millis(),
        revocations,
        seams.clock.clone(),
    );
    super::load_revocations(&core).await?;
    let admin_core = core.clone();
    let initial = tokio::task::spawn_blocking(move || admin_core.ensure_initial_admin())
        .await?
        .map_err(|source| StartError::InitialAdmin {
            path: cfg.data.clone(),
            detail: source.to_string(),
        })?;
    if let Some(file) = initial {
        tracing::warn!(
            file = %file.display(),
            "new county store: hall-management account `admin` created; its one-time password is in this file (mode 0600). Sign in with `county-node login --staff admin`, then change it with `county-node passwd`"
        );
    }
    core.start_background(&shutdown);
    let ctx = LinkContext {
        store,
        board: core.board.clone(),
        clock: seams.clock.clone(),
        config: SessionConfig::default(),
        shutdown: shutdown.token(),
        reporter: None,
    };

    let grpc_addr = listener.local_addr().map_err(|source| StartError::Bind {
        what: "gRPC",
        addr: cfg.listen,
        setting: "listen",
        source,
    })?;
    let (admin_listener, admin_addr) = bind_admin(cfg.admin).await?;

    serve_grpc(
        listener,
        server_tls,
        ctx,
        core.revocations.clone(),
        &shutdown,
    );
    tracing::info!(addr = %grpc_addr, "replication service listening (mutual TLS)");

    let socket =
        crate::control::serve(&cfg.data, Arc::new(core.clone()), &shutdown).map_err(|source| {
            StartError::Control {
                path: cfg.data.clone(),
                source,
            }
        })?;
    tracing::info!(path = %socket.display(), "control socket ready");

    crate::admin::county::serve(admin_listener, core.clone(), &shutdown);
    tracing::info!(addr = %admin_addr, "admin HTTP listening");

    Ok(County {
        grpc_addr,
        admin_addr,
        core,
        shutdown,
    })
}

/// Serves replication, health and reflection on the mutual-TLS accept
/// stream of `listener` until shutdown.
fn serve_grpc<L: tls::Listener>(
    listener: L,
    server_tls: tls::ServerTls,
    ctx: LinkContext,
    revocations: tls::Revocations,
    shutdown: &Shutdown,
) {
    let token = shutdown.token();
    let incoming = tls::tls_incoming_from(listener, server_tls, token.clone(), Default::default());
    let server = serve_replication(incoming, ctx, shutdown.tracker(), revocations, token);
    shutdown.spawn("grpc-server", async move {
        if let Err(e) = server.await {
            tracing::error!(error = %e, "gRPC server failed");
        }
    });
}
