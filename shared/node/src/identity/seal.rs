//! The chief representative's electronic seal (电子印章).
//!
//! - His key pair is made at his first sign-in (at any node his credential
//!   names): the private key is kept only encrypted under a key derived
//!   from his password ([`liandong_identity::seal::LockedSealKey`]), inside
//!   his credential (so it reaches the centres he works at and nowhere
//!   else); the public key goes into the public roster (a `SealKeyPut`).
//! - Each sign-in unlocks it with the password just checked; the unlocked
//!   key lives only in this node's memory for that session (a restart or a
//!   `logout` drops it: sign in again to decide).
//! - A decision is signed over `liandong_domain::seal_message` (case, part,
//!   outcome, authorisation, time, decider) and carries the signature;
//!   every node verifies it on receipt (the store's screen) and refuses one
//!   that does not verify. `case show` prints its short verification code.
//! - `passwd` re-encrypts the key under the new password; a reset by hall
//!   management (the old password is unknown) drops it, and the next
//!   sign-in makes a new pair. Old public keys stay in the roster, so
//!   earlier decisions still verify.
//!
//! The algorithm is behind [`liandong_identity::seal::SealProvider`]
//! (ed25519 today; SM2 where 密评 requires it).

use std::sync::Arc;

use super::Actor;
use crate::error::{Forbidden, NodeError};
use crate::NodeCore;
use liandong_domain::{
    seal_message, CaseEvent, Credential, EventKind, OpBody, SealKey, SealSignature, StaffRole,
};
use liandong_identity::seal::{
    provider, Ed25519, LockedSealKey, SealProvider, SealPublicKey, SealSecret,
};
use liandong_model::{CaseId, EntityId};

/// A chief representative's unlocked seal, for one session.
pub struct UnlockedSeal {
    secret: SealSecret,
    public: SealPublicKey,
}

impl std::fmt::Debug for UnlockedSeal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UnlockedSeal({})", self.public.key_id())
    }
}

/// The seal an actor may sign with (compared by key id).
#[derive(Clone, Debug)]
pub struct SealHandle(pub(crate) Arc<UnlockedSeal>);

impl PartialEq for SealHandle {
    fn eq(&self, other: &Self) -> bool {
        self.0.public.key_id() == other.0.public.key_id()
    }
}

impl Eq for SealHandle {}

impl NodeCore {
    /// At a chief representative's sign-in: his seal, unlocked with the
    /// password just verified, or made now (first sign-in). `None` for
    /// anyone else, or when his stored key cannot be unlocked (logged: he
    /// then cannot decide until hall management resets his password).
    pub(crate) fn open_seal(
        &self,
        cred: &Credential,
        roles: &std::collections::BTreeSet<StaffRole>,
        password: &str,
    ) -> Result<Option<SealHandle>, NodeError> {
        if !roles.contains(&StaffRole::ChiefRepresentative) {
            return Ok(None);
        }
        if let Some(bytes) = &cred.locked_seal_key {
            let unlocked = LockedSealKey::from_bytes(bytes).and_then(|locked| {
                let secret = locked.unlock(password)?;
                Ok(UnlockedSeal {
                    secret,
                    public: locked.public.clone(),
                })
            });
            return match unlocked {
                Ok(seal) => Ok(Some(SealHandle(Arc::new(seal)))),
                Err(e) => {
                    tracing::warn!(staff = %cred.staff, error = %e, "the seal key of this chief representative cannot be unlocked; he cannot decide until hall management resets his password");
                    Ok(None)
                }
            };
        }
        let (secret, public) = Ed25519.generate();
        let locked = LockedSealKey::lock(&secret, public.clone(), password)
            .map_err(|e| NodeError::internal(format!("locking a new seal key: {e}")))?;
        let now = self.now_ms();
        let key = SealKey {
            staff: cred.staff.clone(),
            algorithm: public.algorithm.clone(),
            key_id: public.key_id(),
            public: public.bytes.clone(),
            created_ms: now,
        };
        let next = Credential {
            locked_seal_key: Some(locked.to_bytes()),
            ..cred.clone()
        };
        self.store.append_local(
            vec![
                (
                    EntityId::SealKey(cred.staff.clone()),
                    OpBody::SealKeyPut(key),
                ),
                (
                    EntityId::Credential(cred.staff.clone()),
                    OpBody::CredentialSet(next),
                ),
            ],
            now,
        )?;
        tracing::info!(staff = %cred.staff, key = %public.key_id(), "made the chief representative's seal key at his first sign-in");
        Ok(Some(SealHandle(Arc::new(UnlockedSeal { secret, public }))))
    }

    /// The stored seal key re-encrypted under a new password (`passwd`).
    pub(crate) fn relock_seal(
        &self,
        cred: &Credential,
        old: &str,
        new: &str,
    ) -> Result<Option<Vec<u8>>, NodeError> {
        let Some(bytes) = &cred.locked_seal_key else {
            return Ok(None);
        };
        let relocked = LockedSealKey::from_bytes(bytes).and_then(|locked| {
            let secret = locked.unlock(old)?;
            LockedSealKey::lock(&secret, locked.public.clone(), new)
        });
        match relocked {
            Ok(locked) => Ok(Some(locked.to_bytes())),
            Err(e) => {
                tracing::warn!(staff = %cred.staff, error = %e, "the seal key could not be re-encrypted; a new one is made at the next sign-in");
                Ok(None)
            }
        }
    }
}

/// Seals every decision among `events` with the actor's unlocked seal.
pub(crate) fn seal_decisions(
    who: &Actor,
    case: &CaseId,
    events: Vec<CaseEvent>,
) -> Result<Vec<CaseEvent>, NodeError> {
    events
        .into_iter()
        .map(|event| {
            if !matches!(event.kind, EventKind::Decided { .. }) {
                return Ok(event);
            }
            let seal = who.seal.as_ref().ok_or_else(|| {
                NodeError::not_permitted(Forbidden::NoSeal {
                    staff: who.staff.clone(),
                })
            })?;
            let message = seal_message(case, &event)
                .ok_or_else(|| NodeError::internal("a decision without a seal message"))?;
            let unlocked = &seal.0;
            let algorithm = unlocked.public.algorithm.clone();
            let signer = provider(&algorithm)
                .ok_or_else(|| NodeError::internal(format!("no seal provider for {algorithm}")))?;
            let signature = signer
                .sign(&unlocked.secret, &message)
                .map_err(|e| NodeError::internal(format!("sealing: {e}")))?;
            Ok(event.sealed(SealSignature {
                algorithm,
                key_id: unlocked.public.key_id(),
                signature,
            }))
        })
        .collect()
}
