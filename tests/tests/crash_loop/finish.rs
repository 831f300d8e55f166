//! The crash loop's end: the checks after the last cycle, and the summary
//! it prints; also the convergence wait the loop's checkpoints use.
//!
//! With the clerks stopped and both nodes up, the county's digest of T01
//! must come to equal T01's own; then `case list` at both holds every
//! acknowledged case exactly once (and no more unacknowledged ones than
//! failed commands could have opened), and the county's list of T01's
//! cases equals T01's, events counted. Then both nodes are killed a last
//! time, both stores verify, and each holds every acknowledged operation
//! it should (the county all of them, T01 those of its cases).

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::Value;
use tests::scene::{peer, Deadline};
use tests::township_id;

use super::ledger::{self, Ledger, Side};
use super::{data_dir, CrashLoop, CYCLE, TOWN};

/// Runs the final checks; how many operations were found in the stores.
pub async fn check(crash: &mut CrashLoop, ledger: &Ledger) -> usize {
    let started = Instant::now();
    CYCLE.store(crash.run.cycles, Ordering::SeqCst);
    let at = crash.run.at();
    converge(crash, &at).await;
    let list = |holder: &str, json: Result<Value, String>| {
        let json = json.unwrap_or_else(|e| panic!("{at}: {holder} case list: {e}"));
        ledger::listed(holder, &json).unwrap_or_else(|e| panic!("{at}: {e}"))
    };
    let scene = &crash.scene;
    let at_county = list("the county", scene.county_json(&["case", "list"]).await);
    let county_of_town = list(
        "the county (T01's cases)",
        scene
            .county_json(&["case", "list", "--township", TOWN])
            .await,
    );
    let at_town = list("T01", scene.township_json(TOWN, &["case", "list"]).await);
    let fail = |r: Result<(), String>| r.unwrap_or_else(|e| panic!("{at}: {e}"));
    fail(ledger::holds_every_case(
        "the county",
        &at_county,
        &ledger.at_county(),
        ledger.extra_allowed_at_county(),
    ));
    fail(ledger::holds_every_case(
        "T01",
        &at_town,
        &ledger.at_township(),
        ledger.extra_allowed_at_township(),
    ));
    assert_eq!(
        county_of_town, at_town,
        "{at}: the county's cases of T01 (id → events) differ from T01's own"
    );

    let mut found = 0;
    for (side, wanted) in [
        (Side::County, ledger.at_county()),
        (Side::Township, ledger.at_township()),
    ] {
        crash.kill(side).await;
        crash.verify(side).await;
        let me = match side {
            Side::County => liandong_model::NodeId::county("HQ").expect("county id"),
            Side::Township => township_id(TOWN),
        };
        let dir = data_dir(&crash.scene, side);
        let store = liandong_store::Store::open(&dir, &me, &Default::default())
            .unwrap_or_else(|e| panic!("{at}: the {}'s store: {e}", side.name()));
        found += ledger::holds_every_operation(side.name(), &store, ledger, &wanted)
            .unwrap_or_else(|e| panic!("{at}: {e}"));
    }
    crash.figures.final_check = started.elapsed();
    found
}

/// Waits until the county's digest of T01 equals T01's own digest.
pub async fn converge(crash: &CrashLoop, at: &str) {
    let scene = &crash.scene;
    let deadline = Deadline::start(format!(
        "the county's digest of {TOWN} to equal {TOWN}'s own ({at})"
    ));
    loop {
        let county = scene.county_json(&["status"]).await.ok();
        let town = scene.township_json(TOWN, &["status"]).await.ok();
        let view = county
            .as_ref()
            .and_then(|s| peer(s, TOWN))
            .map(|p| p["scope_digest"].clone());
        if view.is_some() && view == town.map(|s| s["digest"].clone()) {
            return;
        }
        deadline.tick().await;
    }
}

/// What the run did, for the test's output.
pub fn summary(
    crash: &CrashLoop,
    ledger: &Ledger,
    found: usize,
    looped: Duration,
    total: Duration,
) -> String {
    let f = &crash.figures;
    let secs = |d: Duration| d.as_secs_f64();
    let (county, town) = (&ledger.county, &ledger.township);
    format!(
        "crash loop: seed {seed}, {cycles} cycles in {total:.1} s \
         ({looped:.1} s of cycles, {per:.2} s a cycle; final checks {last:.1} s)\n\
         {table}\n\
         clerk commands acknowledged: county {ca}, township {ta}; \
         cut by a kill (no reply): county {cc}, township {tc}; \
         found the node down: county {cd}, township {td}; \
         opinions tried before their case arrived: {early}\n\
         acknowledged: {cases} cases ({from_county} opened at the county, \
         {from_town} at the township, {backlog} of them in {backlogs} backlogs \
         written while it was down), {ops} operations; {found} operation checks \
         in the final stores; outages held: {outages}; \
         checkpoints converged: {checkpoints}\n\
         time: aiming {aim:.1} s, verify {verify:.1} s (longest {vl:.2} s), \
         backlogs {bl:.1} s, restarts {restart:.1} s (longest {rl:.2} s), \
         checkpoints {cp:.1} s",
        seed = crash.run.seed,
        cycles = crash.run.cycles,
        total = secs(total),
        looped = secs(looped),
        per = secs(looped) / f64::from(crash.run.cycles.max(1)),
        last = secs(f.final_check),
        table = crash.kills.table(),
        ca = county.acknowledged,
        ta = town.acknowledged,
        cc = county.cut,
        tc = town.cut,
        cd = county.down,
        td = town.down,
        early = town.not_yet_arrived,
        cases = ledger.cases.len(),
        from_county = ledger.cases_from(Side::County),
        from_town = ledger.cases_from(Side::Township),
        backlog = ledger.backlog_cases,
        backlogs = f.backlogs,
        ops = ledger.operations(),
        outages = f.outages,
        checkpoints = f.checkpoints,
        cp = secs(f.checkpoint),
        aim = secs(f.aiming),
        verify = secs(f.verify),
        vl = secs(f.verify_longest),
        bl = secs(f.backlog),
        restart = secs(f.restart),
        rl = secs(f.restart_longest),
    )
}
