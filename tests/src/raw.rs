//! A raw replication peer for tests of what a node refuses: a real mutual
//! TLS client with a certificate from the test CA, speaking frames by
//! hand, so a test can send what no honest node would (forged origins,
//! foreign cases, garbage bytes, oversized messages).

use liandong_model::NodeId;
use liandong_net::rpc::pb;
use liandong_net::rpc::pb::replication_client::ReplicationClient;
use liandong_store::Cursor;
use liandong_sync::{Batch, Hello, Message, PROTOCOL_VERSION};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use crate::Net;

/// A raw client speaking as `me`, certificate from the test CA.
pub async fn client(
    net: &Net,
    me: &NodeId,
    port: u16,
) -> ReplicationClient<tonic::transport::Channel> {
    liandong_net::tls::install_crypto_provider();
    let files = liandong_net::tls::ensure_dev_node_cert(&net.pki(), me, &[]).expect("cert");
    let material = liandong_net::tls::TlsMaterial::load(&files).expect("material");
    let county = NodeId::county("HQ").expect("county id");
    let cfg = liandong_net::tls::client_config(&material, &county).expect("client config");
    let channel = liandong_net::tls::connect_channel(
        &format!("127.0.0.1:{port}"),
        "localhost",
        cfg,
        liandong_net::tls::ChannelOptions::default(),
    )
    .await
    .expect("connects");
    ReplicationClient::new(channel)
        .max_encoding_message_size(8 * 1024 * 1024)
        .max_decoding_message_size(8 * 1024 * 1024)
}

/// The hello of a fresh peer `node` with this store id.
pub fn hello(node: &NodeId, store_id: [u8; 16]) -> Hello {
    Hello {
        node: node.clone(),
        protocol_version: PROTOCOL_VERSION,
        store_id,
        outbox: [9; 16],
        outbox_head: 0,
        resume: Cursor::default(),
        version_vector: Default::default(),
    }
}

/// A batch frame of encoded operations at outbox positions from `first_seq`.
pub fn batch(batch_id: u64, first_seq: u64, ops: Vec<Vec<u8>>) -> pb::SyncFrame {
    Message::Batch(Batch {
        batch_id,
        incarnation: [9; 16],
        first_seq,
        last_seq: first_seq + ops.len() as u64 - 1,
        ops,
    })
    .into()
}

/// A replication stream opened as `me` with this store id, its hello sent.
pub async fn open(
    net: &Net,
    me: &NodeId,
    port: u16,
    store_id: [u8; 16],
) -> (mpsc::Sender<pb::SyncFrame>, tonic::Streaming<pb::SyncFrame>) {
    let mut client = client(net, me, port).await;
    let (tx, rx) = mpsc::channel::<pb::SyncFrame>(16);
    tx.send(Message::Hello(hello(me, store_id)).into())
        .await
        .expect("hello queued");
    let response = client
        .sync(ReceiverStream::new(rx))
        .await
        .expect("stream opens");
    (tx, response.into_inner())
}
