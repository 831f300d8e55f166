//! Starting a node of each role: a linear sequence with an `info!` per
//! step (config → certificate → store → revocations → core → servers and
//! links), returning a handle with the bound addresses so tests start real
//! nodes on port 0. `county-node` and `township-node` are thin binaries over
//! these (`county-node bridge` starts a department bridge, [`bridge`]); the
//! county's demo boots townships through here too.
//!
//! The store is opened through [`store::open_store`], which waits a few
//! seconds for the lock of a previous process still exiting. The revocation
//! list is loaded from the store before any peer can connect (the
//! replication server accepts, or the uplink dials, only afterwards); a
//! list that cannot be loaded fails the start, since serving with an empty
//! one would let revoked nodes in.

pub mod bridge;
mod child;
pub mod county;
mod error;
pub mod store;
pub mod township;

use liandong_model::{SharedClock, SkewBound, SystemClock};
use liandong_net::tls::{SharedDialer, TcpDialer};
use liandong_store::StoreOptions;

use crate::NodeCore;

/// What a simulation or a test replaces in a node; [`Seams::default`] is a
/// real node (the system clock, TCP).
#[derive(Debug, Clone)]
pub struct Seams {
    /// Where the node reads the time: the node core, the session driver and
    /// every pass take it from here.
    pub clock: SharedClock,
    /// How an uplink opens its byte stream to the parent (TLS runs on top).
    pub dialer: SharedDialer,
}

impl Default for Seams {
    fn default() -> Self {
        Seams {
            clock: SystemClock::shared(),
            dialer: TcpDialer::shared(),
        }
    }
}

/// The store options of a node: cache, disk reserve and the clock-skew
/// bound on the node's clock.
fn store_options(cache_mb: u64, disk_reserve_mb: u64, skew: SkewBound) -> StoreOptions {
    StoreOptions {
        cache_bytes: cache_mb.saturating_mul(1024 * 1024),
        reserve_bytes: disk_reserve_mb.saturating_mul(1024 * 1024),
        skew,
    }
}

/// Loads the replicated revocations into the node's live list, before
/// any peer may connect; fails the start when they cannot be read.
async fn load_revocations(core: &NodeCore) -> Result<(), StartError> {
    let c = core.clone();
    tokio::task::spawn_blocking(move || c.reload_revocations())
        .await?
        .map_err(|source| StartError::Revocations {
            path: core.store.path().to_path_buf(),
            source,
        })?;
    tracing::info!(
        revoked = core.revocations.list().len(),
        "revocation list loaded"
    );
    Ok(())
}

pub use bridge::{start_bridge, start_bridge_with, Bridge};
pub use county::{start_county, start_county_on, start_county_with, County};
pub use error::StartError;
pub use store::{open_store, OpenError, STORE_LOCK_WAIT};
pub use township::{start_township, start_township_with, Township};

/// Binds `addr` for the server named `what` (the `setting` it comes from).
async fn bind(
    addr: std::net::SocketAddr,
    what: &'static str,
    setting: &'static str,
) -> Result<tokio::net::TcpListener, StartError> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind {
            what,
            addr,
            setting,
            source,
        })
}

/// Binds the admin HTTP address and reads back the bound address.
async fn bind_admin(
    addr: std::net::SocketAddr,
) -> Result<(tokio::net::TcpListener, std::net::SocketAddr), StartError> {
    let listener = bind(addr, "admin", "admin").await?;
    let bound = listener.local_addr().map_err(|source| StartError::Bind {
        what: "admin",
        addr,
        setting: "admin",
        source,
    })?;
    Ok((listener, bound))
}
