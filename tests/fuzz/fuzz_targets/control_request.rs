#![no_main]
//! The control-socket request parser (`liandong_node::control::decode_request`):
//! one line as the node reads it from `control.sock`.
//!
//! Properties: nothing panics; a line is either a call or an error reply
//! that can be sent back (it serialises); a call re-encoded as the client
//! sends it (`control::call`) decodes to a call that encodes the same.

use liandong_node::control::{decode_request, Reply};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let line = String::from_utf8_lossy(data);
    // The node reads lines: a newline ends the request.
    let line = line.lines().next().unwrap_or_default();
    match decode_request(line) {
        Ok(call) => {
            let sent = serde_json::to_string(&call).expect("a call encodes");
            let again = match decode_request(&sent) {
                Ok(c) => c,
                Err(_) => panic!("a re-encoded call is refused: {sent}"),
            };
            let resent = serde_json::to_string(&again).expect("a call encodes");
            assert_eq!(
                resent, sent,
                "the call changed on the way through the socket"
            );
        }
        Err(reply) => {
            assert!(matches!(reply, Reply::Error { .. }));
            serde_json::to_string(&reply).expect("an error reply encodes");
        }
    }
});
