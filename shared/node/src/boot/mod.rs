//! Starting a node of each role: a linear sequence with an `info!` per
//! step (config → certificate → store → core → servers and links), returning
//! a handle with the bound addresses so tests start real nodes on port 0.
//! `county-node` and `township-node` are thin binaries over these; the
//! county's demo boots townships through here too.

pub mod county;
pub mod township;

pub use county::{start_county, County};
pub use township::{start_township, Township};
