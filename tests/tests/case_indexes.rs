//! The county's supervision pass without a fold of every case, at a real
//! county (in-process, sled on disk, on a clock the test moves): on every
//! day of two weeks, the pass flags exactly what a fold of every case says
//! needs flagging, the supervision list and the warning counts are what a
//! fold of every case gives, and a second pass on the same day folds no
//! case at all. A catalogue change makes the next pass look at every case.

use chrono::NaiveDate;
use liandong_domain::{cst_time_ms, supervision_items, EventKind, FoldContext, Lang, Thresholds};
use liandong_model::ManualClock;
use liandong_node::control::{CaseFilter, WarningColour};
use liandong_node::NodeCore;
use tests::Net;

fn march(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).expect("a date in March 2026")
}

/// (case, item, flagged, current) of every supervision item, by folding
/// every case the store holds with what the node's fold reads, as of the
/// test's clock.
fn items_by_full_fold(core: &NodeCore, now_ms: u64) -> Vec<(String, String, bool, bool)> {
    let store = &core.store;
    let calendar = store.calendar().expect("calendar");
    let catalogue = store.catalogue().expect("catalogue");
    let authorisations = store.authorisations().expect("authorisations");
    let roster = store.staff().expect("roster");
    let routing = store.routing_rules().expect("routing");
    let mut out = Vec::new();
    for case in store.cases(None).expect("every case") {
        let matter = case.record.iter().find_map(|(_, e)| match &e.event.kind {
            EventKind::Submitted {
                matter,
                matter_version,
                ..
            } => catalogue
                .pinned(matter, matter_version)
                .or_else(|| catalogue.current(matter)),
            _ => None,
        });
        let ctx = FoldContext {
            calendar: &calendar,
            matter,
            authorisations: &authorisations,
            roster: &roster,
            routing: matter.and_then(|m| routing.get(&m.code)),
            now_ms,
            thresholds: Thresholds::default(),
            recorder_level: None,
        };
        for item in supervision_items(&case.id, &case.record, &ctx) {
            out.push((
                case.id.to_string(),
                item.id.0.clone(),
                !item.needs_flag(),
                item.current(),
            ));
        }
    }
    out
}

/// (yellow, red, overdue) case counts from the unfiltered case list,
/// which folds every case.
fn counts_by_full_fold(core: &NodeCore) -> (u64, u64, u64) {
    let lines = core
        .list_cases(&tests::reader(), Lang::Zh, None, &CaseFilter::default())
        .expect("case list");
    let count =
        |f: fn(&liandong_node::CaseSummary) -> bool| lines.iter().filter(|l| f(l)).count() as u64;
    (count(|l| l.yellow), count(|l| l.red), count(|l| l.overdue))
}

fn listed(core: &NodeCore) -> Vec<(String, String, bool, bool)> {
    let mut lines: Vec<_> = core
        .supervision(&tests::reader(), Lang::Zh, None)
        .expect("supervision list")
        .into_iter()
        .map(|l| (l.case, l.item, l.flagged, l.current))
        .collect();
    lines.sort();
    lines
}

fn red_cases(core: &NodeCore, filtered: bool) -> Vec<String> {
    let filter = CaseFilter {
        warning: filtered.then_some(WarningColour::Red),
        ..CaseFilter::default()
    };
    core.list_cases(&tests::reader(), Lang::Zh, None, &filter)
        .expect("case list")
        .into_iter()
        .filter(|l| l.red)
        .map(|l| l.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_day_the_pass_flags_and_counts_what_a_fold_of_every_case_gives() {
    let net = Net::new();
    let clock = ManualClock::new(cst_time_ms(march(2), 9, 0));
    let county = net.county_on_clock(clock.clone()).await;
    let core = county.core();
    let mut accepted = tests::accept_cases(core, 4);
    for d in 2..=16 {
        let now = cst_time_ms(march(d), 10, 0);
        clock.set(now);
        if d == 4 {
            accepted.extend(tests::accept_cases(core, 3));
        }
        let pass = core.pass_once(false).expect("the day's pass");
        let mut expected = items_by_full_fold(core, now);
        expected.sort();
        assert!(
            expected.iter().all(|(_, _, flagged, _)| *flagged),
            "March {d}: an item a full fold finds is left unflagged: {expected:?}"
        );
        assert_eq!(listed(core), expected, "March {d}: the supervision list");
        let (yellow, red, overdue) = counts_by_full_fold(core);
        let counts = core.recount_warnings().expect("recount");
        assert_eq!(
            (counts.yellow, counts.red, counts.overdue),
            (yellow, red, overdue),
            "March {d}: the warning counts (pass {pass:?})"
        );
        assert_eq!(red_cases(core, true), red_cases(core, false), "March {d}");
        let again = core.pass_once(false).expect("a second pass");
        assert_eq!(
            (again.checked, again.flagged),
            (0, 0),
            "March {d}: a second pass the same day folds nothing"
        );
    }
    let reds = red_cases(core, true);
    assert_eq!(
        reds.len(),
        accepted.len(),
        "every case ran past its deadline"
    );
    county.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_change_makes_the_next_pass_check_every_case() {
    let net = Net::new();
    let clock = ManualClock::new(cst_time_ms(march(2), 9, 0));
    let county = net.county_on_clock(clock.clone()).await;
    let core = county.core();
    let cases = tests::accept_cases(core, 5);
    core.pass_once(false).expect("a first pass");
    assert_eq!(core.pass_once(false).expect("settled").checked, 0);

    tests::put_m001(core);
    let after = core.pass_once(false).expect("the pass after the change");
    assert!(after.full, "{after:?}");
    assert_eq!(after.checked, cases.len());
    assert_eq!(core.pass_once(false).expect("settled again").checked, 0);

    // One more case: only it is checked.
    tests::accept_cases(core, 1);
    assert_eq!(core.pass_once(false).expect("after one case").checked, 1);
    county.stop().await;
}
