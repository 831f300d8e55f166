//! Starting a node of each role: a linear sequence with an `info!` per
//! step (config → certificate → store → core → servers and links), returning
//! a handle with the bound addresses so tests start real nodes on port 0.
//! `county-node` and `township-node` are thin binaries over these; the
//! county's demo boots townships through here too.

pub mod county;
pub mod township;

use liandong_model::{SharedClock, SystemClock};
use liandong_net::tls::{SharedDialer, TcpDialer};

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

pub use county::{start_county, start_county_on, start_county_with, County};
pub use township::{start_township, start_township_with, Township};
