//! The bytes a chief representative's seal signs ([`seal_message`]).
//!
//! Decisions: only a decision (`Decided`) is sealed. The message binds the
//! case, the department whose part it is, approve or deny, the
//! authorisation it was made under, its business time and the deciding
//! staff member — what makes the decision the legal act it is — so a
//! signature cannot be moved to another case, part, outcome, grant, time or
//! person. The reason text and which seal was named are not in it. Layout
//! (every string as its UTF-8 bytes after a big-endian `u64` length, so no
//! two field lists give the same bytes):
//!
//! ```text
//! str "liandong-seal-v1" | str case id | str department | u8 1 approve / 0 deny
//! | str authorisation id | u64 BE at_ms | str deciding staff
//! ```
//!
//! A change to the layout is a new domain tag (`liandong-seal-v2`), never an
//! edit of this one: signatures already made must keep verifying.

use super::{CaseEvent, EventKind};
use liandong_model::CaseId;

/// The domain tag that opens every seal message.
const SEAL_DOMAIN: &str = "liandong-seal-v1";

/// The canonical bytes a seal signs for a `Decided` event on `case`; `None`
/// for every other kind.
pub fn seal_message(case: &CaseId, event: &CaseEvent) -> Option<Vec<u8>> {
    let EventKind::Decided {
        department,
        approve,
        by,
        authorisation,
        ..
    } = &event.kind
    else {
        return None;
    };
    let mut out = Vec::new();
    field(&mut out, SEAL_DOMAIN);
    field(&mut out, case.as_str());
    field(&mut out, department);
    out.push(u8::from(*approve));
    field(&mut out, authorisation);
    out.extend_from_slice(&event.at_ms.to_be_bytes());
    field(&mut out, by);
    Some(out)
}

fn field(out: &mut Vec<u8>, text: &str) {
    // A usize always fits in a u64 on the platforms this builds for.
    out.extend_from_slice(&(text.len() as u64).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}
