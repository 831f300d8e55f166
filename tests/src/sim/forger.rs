//! A hostile township in the simulation: `T99`, with a real certificate of
//! the county's CA (a centre whose machine was taken over), that dials the
//! county over the simulated network every few seconds and sends, by
//! hand, operations no honest node would: one claiming to come from T01,
//! one on a case of T01's, and one writing the county's catalogue. The
//! invariants then require that no node holds any of them.
//!
//! Each round opens a session as a fresh outbox incarnation whose one
//! batch starts at position 1, so the county screens every round's
//! operations. It sends only while the fault phase lasts (the same [`Ledger`] flag
//! the clerks go home on), so the heal phase converges.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use liandong_domain::{Level, Matter, OpBody, Operation};
use liandong_model::{CaseId, EncodedOp, EntityId, Hlc, NodeId, OpId};
use liandong_net::rpc::pb::replication_client::ReplicationClient;
use liandong_net::tls::{self, ChannelOptions};
use liandong_sync::{Batch, Hello, Message};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::clerk::SharedLedger;
use super::net::SimDialer;
use super::world::{county_id, World};
use crate::raw;

/// The hostile township's host name (and node name).
pub const FORGER: &str = "T99";

/// The forged operations sent so far.
pub type Forged = Arc<Mutex<Vec<OpId>>>;

/// Runs the forger until the fault phase ends.
pub async fn run(
    world: World,
    ledger: SharedLedger,
    forged: Forged,
    clock: Arc<liandong_model::ManualClock>,
) -> Result<(), Box<dyn std::error::Error>> {
    let me = NodeId::township(FORGER)?;
    let files = tls::ensure_dev_node_cert(&world.pki(), &me, &[])?;
    let material = tls::TlsMaterial::load(&files)?;
    let config = tls::client_config(&material, &county_id())?;
    let mut round = 0u64;
    loop {
        tokio::time::sleep(Duration::from_secs(7)).await;
        if ledger.lock().map(|l| l.closed).unwrap_or(true) {
            return Ok(());
        }
        round += 1;
        let now = liandong_model::Clock::now_ms(&*clock);
        let ops = forgeries(&me, round, now);
        if let Ok(mut f) = forged.lock() {
            f.extend(ops.iter().map(|o| o.id().clone()));
        }
        // A refused connection or a cut link is fine: try again later.
        let _ = send(&me, config.clone(), round, ops).await;
    }
}

/// This round's forged operations.
fn forgeries(me: &NodeId, round: u64, now: u64) -> Vec<EncodedOp> {
    let t01 = NodeId::township("T01").expect("township id");
    let hlc = Hlc {
        wall_ms: now,
        logical: 0,
    };
    let matter = Matter::basic("M666", "伪造事项", Level::Township, 1, 1, "D01");
    let t01_case = EntityId::Case(CaseId::new("000000", &t01, "20260302", 1));
    [
        // Claims T01 as its origin.
        (t01.clone(), 1_000_000 + round, t01_case.clone()),
        // Its own id, on T01's case.
        (me.clone(), 2 * round, t01_case),
        // Its own id, on the county's catalogue.
        (me.clone(), 2 * round + 1, EntityId::Matter("M666".into())),
    ]
    .into_iter()
    .map(|(origin, seq, entity)| {
        Operation {
            id: OpId { origin, seq },
            hlc,
            entity,
            body: OpBody::MatterPut(matter.clone()),
        }
        .encode()
    })
    .collect()
}

async fn send(
    me: &NodeId,
    config: tls::ClientTls,
    round: u64,
    ops: Vec<EncodedOp>,
) -> Result<(), Box<dyn std::error::Error>> {
    let channel = tls::connect_channel_via(
        Arc::new(SimDialer),
        "localhost:7443",
        "localhost",
        config,
        ChannelOptions::default(),
    )
    .await?;
    let mut client = ReplicationClient::new(channel);
    let (tx, rx) = mpsc::channel(4);
    // Each round is a fresh outbox incarnation, its batch at position 1.
    let incarnation = {
        let mut i = [0x99; 16];
        i[..8].copy_from_slice(&round.to_be_bytes());
        i
    };
    let hello = Hello {
        outbox: incarnation,
        ..raw::hello(me, [9; 16])
    };
    tx.send(Message::Hello(hello).into()).await?;
    let batch = Batch {
        batch_id: round,
        incarnation,
        first_seq: 1,
        last_seq: ops.len() as u64,
        ops: ops.into_iter().map(|o| o.bytes).collect(),
    };
    tx.send(Message::Batch(batch).into()).await?;
    let response = client.sync(ReceiverStream::new(rx)).await?;
    let mut inbound = response.into_inner();
    // Read for a while, so the county gets to apply the batch.
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while let Ok(Some(_)) = inbound.message().await {}
    })
    .await;
    Ok(())
}
