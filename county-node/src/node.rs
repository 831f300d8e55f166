//! Starting a county node: config → PKI → store → replication service →
//! control socket → admin HTTP, one `info!` per step. Returns a handle with
//! the bound addresses, so tests start real nodes on port 0.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use shared::node::NodeCore;
use shared::rpc::pb;
use shared::rpc::server::ReplicationService;
use shared::shutdown::Shutdown;
use shared::store::{Store, StoreOptions};
use shared::sync::{LinkContext, SessionConfig};
use shared::tls;
use tokio::net::TcpListener;

use crate::config::CountyConfig;

/// A running county node.
pub struct County {
    pub grpc_addr: SocketAddr,
    pub admin_addr: SocketAddr,
    pub core: NodeCore,
    pub shutdown: Shutdown,
}

/// Starts every part of the county and returns once all sockets are bound.
pub async fn start(cfg: CountyConfig, shutdown: Shutdown) -> anyhow::Result<County> {
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

    let opts = StoreOptions {
        cache_bytes: cfg.cache_mb * 1024 * 1024,
        reserve_bytes: cfg.disk_reserve_mb.saturating_mul(1024 * 1024),
    };
    let (path, id) = (cfg.data.clone(), me.clone());
    let store = tokio::task::spawn_blocking(move || Store::open(&path, &id, &opts))
        .await?
        .with_context(|| format!("opening the county store at {}", cfg.data.display()))?;
    let store = Arc::new(store);
    tracing::info!(path = %cfg.data.display(), "store opened");

    let core = NodeCore::new(
        store.clone(),
        &cfg.county_code,
        material.not_after().timestamp_millis(),
        revocations,
    );
    core.start_background(&shutdown);
    let ctx = LinkContext {
        store,
        board: core.board.clone(),
        config: SessionConfig::default(),
        shutdown: shutdown.token(),
        reporter: None,
    };

    let listener = TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("binding the gRPC address {} (setting `listen`)", cfg.listen))?;
    let grpc_addr = listener.local_addr()?;
    let admin_listener = TcpListener::bind(cfg.admin)
        .await
        .with_context(|| format!("binding the admin address {} (setting `admin`)", cfg.admin))?;
    let admin_addr = admin_listener.local_addr()?;

    serve_grpc(
        listener,
        server_tls,
        ctx,
        core.revocations.clone(),
        &shutdown,
    )?;
    tracing::info!(addr = %grpc_addr, "replication service listening (mutual TLS)");

    let socket = shared::control::serve(&cfg.data, Arc::new(core.clone()), &shutdown)
        .with_context(|| format!("control socket in {}", cfg.data.display()))?;
    tracing::info!(path = %socket.display(), "control socket ready");

    crate::admin::serve(admin_listener, core.clone(), &shutdown);
    tracing::info!(addr = %admin_addr, "admin HTTP listening");

    Ok(County {
        grpc_addr,
        admin_addr,
        core,
        shutdown,
    })
}

fn serve_grpc(
    listener: TcpListener,
    server_tls: Arc<rustls::ServerConfig>,
    ctx: LinkContext,
    revocations: tls::Revocations,
    shutdown: &Shutdown,
) -> anyhow::Result<()> {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1()?;
    let service = ReplicationService::new(ctx, shutdown.tracker(), revocations);
    let token = shutdown.token();
    let incoming = tls::tls_incoming(listener, server_tls, token.clone());
    shutdown.spawn("grpc-server", async move {
        health_reporter
            .set_serving::<pb::replication_server::ReplicationServer<ReplicationService>>()
            .await;
        let result = tls::server_builder()
            .add_service(health)
            .add_service(reflection)
            .add_service(service.into_server())
            .serve_with_incoming_shutdown(incoming, token.cancelled())
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "gRPC server failed");
        }
    });
    Ok(())
}
