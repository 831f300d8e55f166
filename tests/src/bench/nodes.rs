//! Starting and restarting the benchmark's county and township on their
//! stores, and waiting for the two to agree.

use std::time::{Duration, Instant};

use anyhow::bail;
use liandong_node::shutdown::Shutdown;
use township_node::Township;

use super::{progress, TOWN};
use crate::{in_sync, Net, Node};

/// Starts the township again on its existing store, retrying while the
/// previous instance's store is still being released.
pub(crate) async fn start_township(
    net: &Net,
    county_port: u16,
    dial: Option<String>,
    cache_mb: Option<u64>,
) -> anyhow::Result<Node<Township>> {
    liandong_net::tls::install_crypto_provider();
    // The county creates the development CA; a township started first
    // (county down) needs it too.
    liandong_net::tls::init_ca(&net.pki())?;
    let start = Instant::now();
    loop {
        let shutdown = Shutdown::new();
        let mut cfg = net.township_config(TOWN, county_port);
        if let Some(mb) = cache_mb {
            cfg.cache_mb = mb;
        }
        match township_node::start_with(cfg, shutdown.clone(), crate::seams_dialling(dial.clone()))
            .await
        {
            Ok(inner) => return Ok(Node { inner, shutdown }),
            // A restart may race the previous instance releasing its store.
            Err(e) if start.elapsed() < Duration::from_secs(20) => {
                progress(&format!("township start: {e:#}; retrying"));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(anyhow::Error::new(e).context("starting the township")),
        }
    }
}

pub(super) async fn start_county(
    net: &Net,
    port: u16,
    cache_mb: Option<u64>,
) -> anyhow::Result<Node<county_node::County>> {
    let mut cfg = net.county_config(port);
    if let Some(mb) = cache_mb {
        cfg.cache_mb = mb;
    }
    let shutdown = Shutdown::new();
    let inner = county_node::start(cfg, shutdown.clone()).await?;
    Ok(Node { inner, shutdown })
}

pub(super) async fn wait_in_sync(
    county: &Node<county_node::County>,
    town: &Node<Township>,
    limit: Duration,
) -> anyhow::Result<()> {
    let start = Instant::now();
    while !in_sync(county.core(), town.core()) {
        if start.elapsed() > limit {
            bail!("county and township did not converge within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}
