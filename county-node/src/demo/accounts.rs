//! The demo's staff accounts, and signing them in like anyone else: hall
//! management signs in at the county with the one-time password the new
//! county wrote to its data directory, creates one window clerk per
//! township (working at that centre) and the joint case's people, and sets
//! their passwords; each clerk then signs in at his own township once his
//! credential has reached it. Every event of the demo is recorded by one
//! of these sessions.

use std::time::{Duration, Instant};

use anyhow::Context;
use liandong_domain::{Lang, StaffRole};
use liandong_node::identity::{Actor, INITIAL_ADMIN, INITIAL_PASSWORD_FILE};
use liandong_node::NodeCore;

/// Every demo account's password (the demo's stores are thrown away).
pub const PASSWORD: &str = "Demo-2026-liandong";

/// A window clerk's staff id at township `T{i:02}`.
pub fn clerk_id(i: usize) -> String {
    format!("C{i:02}")
}

/// Signs hall management in at the new county, with the one-time password.
pub fn hall(county: &NodeCore) -> anyhow::Result<Actor> {
    let file = county.store.path().join(INITIAL_PASSWORD_FILE);
    let password = std::fs::read_to_string(&file)
        .with_context(|| format!("reading the county's initial password {}", file.display()))?;
    sign_in_now(county, INITIAL_ADMIN, password.trim())
}

fn sign_in_now(core: &NodeCore, staff: &str, password: &str) -> anyhow::Result<Actor> {
    let reply = core
        .login(staff, password, "demo", None)
        .with_context(|| format!("signing {staff} in at {}", core.me()))?;
    core.actor(&reply.token, None)
        .with_context(|| format!("the session of {staff} at {}", core.me()))
}

/// Adds a staff member with a role and the demo password.
pub fn add(
    county: &NodeCore,
    hall: &Actor,
    (id, name, department): (&str, &str, &str),
    roles: &[StaffRole],
    centres: &[String],
) -> anyhow::Result<()> {
    let Some((first, more)) = roles.split_first() else {
        anyhow::bail!("staff {id} needs a role");
    };
    county
        .add_staff(hall, Lang::Zh, id, name, department, *first, centres)
        .with_context(|| format!("adding staff {id}"))?;
    for role in more {
        county
            .assign_role(hall, Lang::Zh, id, *role, false)
            .with_context(|| format!("giving {id} a role"))?;
    }
    county
        .set_password(hall, id, Some(PASSWORD), false)
        .with_context(|| format!("setting {id}'s password"))?;
    Ok(())
}

/// Signs `staff` in at `core`, waiting (up to `within`) for his
/// credential and roster entry to arrive there first (retrying a sign-in
/// instead would lock the account after five failures).
pub async fn sign_in(core: &NodeCore, staff: &str, within: Duration) -> anyhow::Result<Actor> {
    let started = Instant::now();
    loop {
        let credential = core.store.credential(staff)?.is_some();
        let roles = core
            .store
            .staff()?
            .iter()
            .any(|s| s.id == staff && !s.roles().is_empty());
        if credential && roles {
            return sign_in_now(core, staff, PASSWORD);
        }
        if started.elapsed() > within {
            anyhow::bail!(
                "{staff}'s credential did not reach {} within {within:?}",
                core.me()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
