//! Signing in and out, changing passwords, and the county's first
//! hall-management account.
//!
//! - `login` checks the password against the credential this node holds
//!   (argon2id), refuses a disabled account or a centre the credential does
//!   not name with the same answer as a wrong password, and counts failures
//!   per account and source ([`liandong_identity::lockout`]).
//! - `passwd` (the staff member, at any centre he may sign in at, offline
//!   too) and `set-password` (hall management, at the county) write a new
//!   credential operation; it replicates to the county and the credential's
//!   other centres. A reset is marked `must_change`.
//! - A new county store gets the account [`INITIAL_ADMIN`] (hall
//!   management) with a random password written to
//!   [`INITIAL_PASSWORD_FILE`] (mode 0600) in the data directory; the file
//!   is removed when that account sets its own password.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::sessions::write_private;
use super::{Actor, SessionInfo};
use crate::error::{Forbidden, Malformed, Missing, NodeError};
use crate::NodeCore;
use liandong_domain::permission::Act;
use liandong_domain::{Credential, Lang, OpBody, Staff, StaffRole};
use liandong_identity::password::{
    check_policy, generate_password, hash_password, verify_password, PasswordHash,
};
use liandong_identity::token::SessionToken;
use liandong_model::{EntityId, Role};

/// The hall-management account a new county store starts with.
pub const INITIAL_ADMIN: &str = "admin";
/// Where its one-time password is written, in the county's data directory.
pub const INITIAL_PASSWORD_FILE: &str = "initial-admin-password";

/// What a successful sign-in answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginReply {
    /// The session token (the caller keeps it, mode 0600).
    pub token: String,
    pub staff: String,
    pub name: String,
    pub roles: Vec<StaffRole>,
    /// The password was set by hall management: choose a new one with `passwd`.
    pub must_change: bool,
}

/// Who a session is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WhoAmI {
    pub staff: String,
    pub name: String,
    pub roles: Vec<StaffRole>,
    pub node: String,
    pub started_ms: u64,
    pub must_change: bool,
}

impl NodeCore {
    fn credential_of(&self, staff: &str) -> Result<Option<Credential>, NodeError> {
        Ok(self.store.credential(staff)?)
    }

    fn roster_entry(&self, staff: &str) -> Result<Option<Staff>, NodeError> {
        Ok(self.store.staff()?.into_iter().find(|s| s.id == staff))
    }

    /// Whether this credential may sign in here: not disabled, and this
    /// node is the county or one of its centres.
    fn may_sign_in_here(&self, cred: &Credential) -> bool {
        let me = self.me();
        let named = match me.role() {
            Role::County => true,
            Role::Township => cred.centres.contains(me.name()),
            // A department's bridge is named in full (`bridge/D03`).
            Role::Bridge => cred.centres.contains(&me.to_string()),
        };
        !cred.disabled && named
    }

    /// Signs a staff member in at this node.
    pub fn login(
        &self,
        staff: &str,
        password: &str,
        source: &str,
        os_uid: Option<u32>,
    ) -> Result<LoginReply, NodeError> {
        let now = self.now_ms();
        let staff = staff.trim();
        if let Some(until_ms) = self.identity.lockout().locked_until(staff, now) {
            return Err(NodeError::not_permitted(Forbidden::Locked { until_ms }));
        }
        let cred = self.credential_of(staff)?;
        let ok = match &cred {
            Some(c) if self.may_sign_in_here(c) => PasswordHash::from_phc(c.hash.clone())
                .map(|h| verify_password(&h, password))
                .unwrap_or(false),
            _ => {
                // The same work as a real check, so timing says nothing.
                let _ = hash_password(password);
                false
            }
        };
        let (Some(cred), true) = (cred, ok) else {
            let locked = self.identity.lockout().record_failure(staff, source, now);
            self.audit_sign_in(staff, os_uid, "login", "failed");
            return Err(NodeError::not_permitted(match locked {
                Some(until_ms) => Forbidden::Locked { until_ms },
                None => Forbidden::WrongCredentials,
            }));
        };
        self.identity.lockout().record_success(staff, source);
        let entry = self.roster_entry(staff)?;
        let roles = entry.as_ref().map(|s| s.roles()).unwrap_or_default();
        let seal = self.open_seal(&cred, &roles, password)?;
        let token = self.identity.open(staff, os_uid, now);
        if let Some(seal) = seal {
            self.identity.attach_seal(&token, seal);
        }
        self.audit_sign_in(staff, os_uid, "login", "ok");
        Ok(LoginReply {
            token: token.as_str().to_string(),
            staff: staff.to_string(),
            name: entry
                .as_ref()
                .map(|s| s.name().to_string())
                .unwrap_or_default(),
            roles: entry
                .map(|s| s.roles().into_iter().collect())
                .unwrap_or_default(),
            must_change: cred.must_change,
        })
    }

    /// The actor of a session token: the session must be open and not
    /// idle, and the credential must still allow sign-in here.
    pub fn actor(&self, token: &str, os_uid: Option<u32>) -> Result<Actor, NodeError> {
        let how = Forbidden::NotSignedIn {
            node: self.me().to_string(),
        };
        let token =
            SessionToken::parse(token).map_err(|_| NodeError::not_permitted(how.clone()))?;
        let info = self
            .identity
            .touch(&token, self.now_ms())
            .ok_or_else(|| NodeError::not_permitted(how.clone()))?;
        let allowed = self
            .credential_of(&info.staff)?
            .is_some_and(|c| self.may_sign_in_here(&c));
        if !allowed {
            self.identity.end_all_of(&info.staff);
            return Err(NodeError::not_permitted(how));
        }
        let roles = self
            .roster_entry(&info.staff)?
            .map(|s| s.roles())
            .unwrap_or_default();
        Ok(Actor {
            staff: info.staff,
            roles,
            os_uid,
            seal: self.identity.seal_of(&token),
        })
    }

    /// The actor a department bridge's API call names (its `staff`
    /// field): the bridge's bearer token authenticates the department's
    /// system, and the person is checked against the roster this node
    /// holds, like any recorder.
    pub fn roster_actor(&self, staff: &str) -> Result<Actor, NodeError> {
        let roles = self
            .roster_entry(staff.trim())?
            .map(|s| s.roles())
            .unwrap_or_default();
        Ok(Actor::new(staff.trim(), roles))
    }

    /// The actor a bridge's decision names, with his seal: his password
    /// checked against the credential this node holds (which must name
    /// the bridge among his centres) unlocks it, as at a sign-in. Failures
    /// count towards his lockout like any sign-in.
    pub fn sealing_actor(
        &self,
        staff: &str,
        password: &str,
        source: &str,
    ) -> Result<Actor, NodeError> {
        let reply = self.login(staff, password, source, None)?;
        let actor = self.actor(&reply.token, None);
        let _ = self.logout(Lang::En, &reply.token);
        actor
    }

    /// Ends a session.
    pub fn logout(&self, lang: Lang, token: &str) -> Result<String, NodeError> {
        let ended = SessionToken::parse(token)
            .map(|t| {
                let info = self.identity.touch(&t, self.now_ms());
                let ended = self.identity.end(&t);
                if let Some(i) = info {
                    self.audit_sign_in(&i.staff, i.os_uid, "logout", "ok");
                }
                ended
            })
            .unwrap_or(false);
        Ok(if ended {
            lang.pick("已退出登录", "signed out")
        } else {
            lang.pick("没有登录会话", "no session")
        }
        .to_string())
    }

    /// Who a session is.
    pub fn whoami(&self, token: &str) -> Result<WhoAmI, NodeError> {
        let actor = self.actor(token, None)?;
        let parsed = SessionToken::parse(token).ok();
        let started_ms = parsed
            .and_then(|t| self.identity.touch(&t, self.now_ms()))
            .map(|i: SessionInfo| i.started_ms)
            .unwrap_or_default();
        let entry = self.roster_entry(&actor.staff)?;
        let must_change = self
            .credential_of(&actor.staff)?
            .is_some_and(|c| c.must_change);
        Ok(WhoAmI {
            staff: actor.staff,
            name: entry.map(|s| s.name().to_string()).unwrap_or_default(),
            roles: actor.roles.into_iter().collect(),
            node: self.me().to_string(),
            started_ms,
            must_change,
        })
    }

    /// The signed-in staff member changes his own password.
    pub fn passwd(
        &self,
        lang: Lang,
        who: &Actor,
        old: &str,
        new: &str,
    ) -> Result<String, NodeError> {
        let cred = self.credential_of(&who.staff)?.ok_or_else(|| {
            NodeError::not_found(Missing::Staff {
                id: who.staff.clone(),
            })
        })?;
        let old_ok = PasswordHash::from_phc(cred.hash.clone())
            .map(|h| verify_password(&h, old))
            .unwrap_or(false);
        if !old_ok {
            return Err(NodeError::not_permitted(Forbidden::WrongCredentials));
        }
        check_policy(&who.staff, new).map_err(|e| Malformed::Password {
            detail: e.to_string(),
        })?;
        let relocked = self.relock_seal(&cred, old, new)?;
        let next = Credential {
            hash: hash(new)?,
            locked_seal_key: relocked,
            must_change: false,
            set_at_ms: self.now_ms(),
            set_by: who.staff.clone(),
            ..cred
        };
        self.write_credential(next)?;
        if who.staff == INITIAL_ADMIN {
            let _ = std::fs::remove_file(self.store.path().join(INITIAL_PASSWORD_FILE));
        }
        Ok(format!(
            "{} {}",
            lang.pick("已修改密码：", "password changed for"),
            who.staff
        ))
    }

    /// Hall management sets (or resets) a staff member's password, for the
    /// centres the roster assigns him to; `disable` closes the account.
    /// [`NodeCore::set_password_in`], answered in Chinese.
    pub fn set_password(
        &self,
        who: &Actor,
        staff: &str,
        password: Option<&str>,
        disable: bool,
    ) -> Result<String, NodeError> {
        self.set_password_in(Lang::Zh, who, staff, password, disable)
    }

    /// Sets or resets a password, or disables or enables an account.
    pub fn set_password_in(
        &self,
        lang: Lang,
        who: &Actor,
        staff: &str,
        password: Option<&str>,
        disable: bool,
    ) -> Result<String, NodeError> {
        who.may(Act::Credentials)?;
        self.county_only()?;
        let entry = self
            .roster_entry(staff)?
            .ok_or_else(|| NodeError::not_found(Missing::Staff { id: staff.into() }))?;
        let existing = self.credential_of(staff)?;
        let hash = match (password, &existing) {
            (Some(p), _) => {
                check_policy(staff, p).map_err(|e| Malformed::Password {
                    detail: e.to_string(),
                })?;
                hash(p)?
            }
            (None, Some(c)) => c.hash.clone(),
            (None, None) => {
                return Err(NodeError::bad_input(Malformed::Password {
                    detail: "a new account needs a password".into(),
                }))
            }
        };
        let cred = Credential {
            staff: staff.to_string(),
            hash,
            locked_seal_key: existing.as_ref().and_then(|c| {
                if password.is_some() {
                    None
                } else {
                    c.locked_seal_key.clone()
                }
            }),
            centres: entry.centres().clone(),
            disabled: disable,
            must_change: password.is_some() && staff != who.staff,
            set_at_ms: self.now_ms(),
            set_by: who.staff.clone(),
        };
        self.write_credential(cred)?;
        if disable {
            self.identity.end_all_of(staff);
        }
        let (zh, en) = match (disable, password) {
            (true, _) => ("已停用账号", "account disabled:"),
            (false, Some(_)) => ("已设置密码", "password set for"),
            (false, None) => ("已启用账号", "account enabled:"),
        };
        Ok(format!("{} {staff}", lang.pick(zh, en)))
    }

    pub(crate) fn write_credential(&self, cred: Credential) -> Result<(), NodeError> {
        let entity = EntityId::Credential(cred.staff.clone());
        self.store
            .append_local(vec![(entity, OpBody::CredentialSet(cred))], self.now_ms())?;
        Ok(())
    }

    /// At a new county store: the first hall-management account and its
    /// one-time password file. Does nothing once any credential exists.
    pub fn ensure_initial_admin(&self) -> Result<Option<std::path::PathBuf>, NodeError> {
        if self.me().role() != Role::County || self.store.any_credential()? {
            return Ok(None);
        }
        let password = generate_password();
        let file = self.store.path().join(INITIAL_PASSWORD_FILE);
        write_private(&file, format!("{password}\n").as_bytes()).map_err(
            crate::node_core::file_error(crate::error::FileOp::Create, &file),
        )?;
        let actor = self.me().clone();
        self.write_registry(EntityId::Staff(INITIAL_ADMIN.into()), |stamp| {
            let mut staff = Staff::new(INITIAL_ADMIN, "大厅管理员", "hall", stamp);
            let op = staff.add_role_op(StaffRole::HallManagement, actor);
            staff.apply_role_op(op);
            OpBody::StaffPut(staff)
        })?;
        self.write_credential(Credential {
            staff: INITIAL_ADMIN.into(),
            hash: hash(&password)?,
            locked_seal_key: None,
            centres: BTreeSet::new(),
            disabled: false,
            must_change: true,
            set_at_ms: self.now_ms(),
            set_by: self.me().to_string(),
        })?;
        Ok(Some(file))
    }
}

fn hash(password: &str) -> Result<String, NodeError> {
    hash_password(password)
        .map(|h| h.as_str().to_string())
        .map_err(|e| NodeError::internal(format!("hashing a password: {e}")))
}
