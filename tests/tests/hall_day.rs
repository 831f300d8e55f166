//! A day at the window, told over real nodes (in-process, mutual TLS on
//! loopback, real sled stores): an immediate and a promised matter handled
//! at a township whose county is down, the county catching up after it
//! restarts, refused and contradictory decisions, a due date across the
//! National Day holiday, and the county's e-supervision flags.
//!
//! A node's clock is the wall clock, so warnings that need days to pass are
//! shown by folding a case's real record (written by real commands) at later
//! `now_ms` values, with the node's own calendar, catalogue and
//! authorisations. Time only bounds waits; nothing asserts on timing.

use liandong_node::identity::Actor;
use std::collections::BTreeSet;
use std::fmt::Display;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tests::Steps;

use liandong_cli::node_error_text;
use liandong_domain::{
    cst_date, cst_time_ms, dates_from_until, AuthScope, CaseRecord, CaseState, ClockState,
    ConflictKind, DaySetting, EventKind, FeeItem, Lang, Level, Material, MaterialForm, Matter,
    MatterKind, Power, Seal, SpecialCode, SpecialKind, SpecialStep, StaffRole, Warning,
};
use liandong_model::{Hlc, NodeId};
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::{CaseDetail, NodeCore, SupervisionLine};
use tests::{connected, eventually, fold_at, proxy, township_id, Net, Node};
use township_node::Township;

/// Upper bound of every wait; generous for debug builds on two cores.
const LIMIT: Duration = Duration::from_secs(60);
const DAY_MS: i64 = 86_400_000;
/// 2026-09-30 10:00 China Standard Time (a Wednesday).
const SEP_30_MS: u64 = 1_790_733_600_000;

fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn county_id() -> NodeId {
    NodeId::county("HQ").expect("county id")
}

fn ymd(date: Option<impl Display>) -> String {
    date.map(|d| d.to_string()).unwrap_or_default()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// 个体工商户变更登记: promised 3 of 15 working days, two mandatory
/// materials, one fee item, a site inspection that pauses the clock.
fn promised_matter() -> Matter {
    let mut m = Matter::basic("M002", "个体工商户变更登记", Level::Township, 3, 15, "D01");
    let material = |name: &str| Material {
        name: name.into(),
        form: MaterialForm::Original,
        mandatory: true,
        tolerable: false,
    };
    m.materials = vec![material("变更登记申请书"), material("经营场所证明")];
    m.fees = vec![FeeItem {
        name: "工本费".into(),
        amount_fen: 1000,
        basis: "收费许可〔2020〕1号".into(),
    }];
    m.special_steps = vec![SpecialStep {
        kind: SpecialKind::SiteInspection,
        max_days: 10,
        basis: "登记管理办法第20条".into(),
        counted: false,
    }];
    m
}

/// A chief representative of D01 holding every power under authorisation
/// `id`, valid from `from` to `to` days from now.
fn chief(county: &NodeCore, staff: &str, scope: AuthScope, from: i64, to: i64, id: &str) {
    let role = StaffRole::ChiefRepresentative;
    let added = county.add_staff(
        &tests::hall(county),
        Lang::Zh,
        staff,
        "李明",
        "D01",
        role,
        &["T01".to_string()],
    );
    added.expect("staff saved");
    // The credential is written before the grant, so a township holding
    // the grant holds it too (one feed, in order).
    let password = county.set_password(&tests::hall(county), staff, Some(tests::PASSWORD), false);
    password.expect("password saved");
    let powers = Power::ALL.into_iter().collect::<BTreeSet<_>>();
    let day = |days: i64| cst_date(now_ms().saturating_add_signed(days * DAY_MS));
    let (from, to) = (day(from), day(to));
    let id = Some(id.to_string());
    let saved = county.authorise(
        &tests::hall(county),
        Lang::Zh,
        staff,
        scope,
        powers,
        from,
        to,
        id,
    );
    saved.expect("authorisation saved");
}

fn d01() -> AuthScope {
    AuthScope::Department("D01".into())
}

/// The county files the hall's catalogue and its chief representative S01.
fn file_the_hall(county: &NodeCore) {
    // 即办件: concluded on the day of acceptance.
    let mut immediate = Matter::basic("M010", "老年人优待证办理", Level::Township, 0, 1, "D01");
    immediate.kind = MatterKind::Immediate;
    for m in [promised_matter(), immediate] {
        county
            .put_matter(&tests::hall(county), Lang::Zh, m)
            .expect("matter saved");
    }
    chief(county, "S01", d01(), -400, 400, "A-S01");
}

fn holds(core: &NodeCore, matters: &[&str], authorisations: &[&str]) -> bool {
    let held = core.store.authorisations().unwrap_or_default();
    let has_matter = |m: &&str| matches!(core.store.matter(m), Ok(Some(_)));
    let has_grant = |a: &&str| held.iter().any(|h| &h.id == a);
    matters.iter().all(has_matter) && authorisations.iter().all(has_grant)
}

/// A township that received the hall's registries from its county, which
/// then went down; returns it with the county's port (to restart on).
async fn township_with_county_down(net: &Net) -> (Node<Township>, u16) {
    let county = net.county(0).await;
    let port = county.port();
    file_the_hall(county.core());
    let town = net.township("T01", port, None).await;
    assert!(
        eventually(LIMIT, || holds(town.core(), &["M002", "M010"], &["A-S01"])).await,
        "the township never received the catalogue and S01's authorisation"
    );
    county.stop().await;
    assert!(
        eventually(LIMIT, || !connected(town.core(), &county_id())).await,
        "the township still shows its county connected after the county stopped"
    );
    (town, port)
}

/// 申请 (and 受理 unless `submit`) at `core`'s window, with materials.
fn apply(core: &NodeCore, matter: &str, who: &str, with: &[&str], submit: bool) -> String {
    let applicant = ApplicantInput {
        name: who.into(),
        id_number: "410000199001011236".into(),
        phone: "13800000000".into(),
        address: "北舞渡镇人民路1号".into(),
        ..Default::default()
    };
    let with = names(with);
    let detail = core.accept_new(
        &tests::clerk_at(core),
        Lang::Zh,
        matter,
        &applicant,
        &with,
        submit,
        false,
    );
    detail.expect("application recorded").id
}

fn act(core: &NodeCore, case: &str, action: CaseAction) -> CaseDetail {
    core.step(Lang::Zh, case, action)
        .unwrap_or_else(|e| panic!("case {case}: refused: {e}"))
}

fn state(core: &NodeCore, case: &str) -> CaseState {
    core.case_state(case).expect("case state").1
}

fn record(core: &NodeCore, case: &str) -> CaseRecord {
    core.store.case(case).expect("read").expect("case").record
}

fn events(detail: &CaseDetail) -> Vec<(String, String)> {
    let lines = detail.history.iter();
    lines.map(|h| (h.op.clone(), h.event.clone())).collect()
}

fn event_names(detail: &CaseDetail) -> String {
    let names: Vec<&str> = detail.history.iter().map(|h| h.event.as_str()).collect();
    names.join(" ")
}

/// A step taken by `who` (a signed-in chief representative).
fn decide_as(core: &NodeCore, who: &Actor, case: &str, action: CaseAction) -> CaseDetail {
    core.case_action(who, Lang::Zh, case, action)
        .unwrap_or_else(|e| panic!("case {case}: refused: {e}"))
}

fn decide(approve: bool, by: &str) -> CaseAction {
    CaseAction::Decide {
        approve,
        by: by.into(),
        reason: "经审查，依法作出决定".into(),
        department: None,
        authorisation: None,
    }
}

/// The op id of the latest decision in a case's history.
fn decision_op(detail: &CaseDetail) -> String {
    let decided = detail.history.iter().rev().find(|h| h.event == "decided");
    decided.expect("a decision in the history").op.clone()
}

fn supervised(state: &CaseState) -> Vec<&Warning> {
    let ruled = |w: &&Warning| w.rule().is_some();
    state.warnings.iter().filter(ruled).collect()
}

/// How many `SupervisionFlagged` events of a record name `item`.
fn flags(record: &CaseRecord, item: &str) -> usize {
    let names_item = |kind: &EventKind| match kind {
        EventKind::SupervisionFlagged { item: i, .. } => i.as_str() == item,
        _ => false,
    };
    let hits = record.iter().filter(|(_, e)| names_item(&e.event.kind));
    hits.count()
}

/// A case on a matter promised in one working day, accepted at `core`: one
/// day is left from acceptance, the yellow threshold, so a yellow warning
/// holds at once (no waiting for days to pass).
fn yellow_case(core: &NodeCore) -> String {
    let m003 = Matter::basic("M003", "临时救助申请", Level::Township, 1, 5, "D01");
    core.put_matter(&tests::hall(core), Lang::Zh, m003)
        .expect("matter saved");
    apply(core, "M003", "吴九", &[], false)
}

fn yellow_red(state: &CaseState) -> Vec<&Warning> {
    let colour = |w: &&Warning| matches!(w, Warning::Yellow { .. } | Warning::Red { .. });
    state.warnings.iter().filter(colour).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_immediate_matter_is_accepted_and_concluded_at_the_window() {
    let net = Net::new();
    let (town, _) = township_with_county_down(&net).await;
    let core = town.core();
    let applicant = ApplicantInput {
        name: "王芳".into(),
        id_number: "410000195501011234".into(),
        ..Default::default()
    };
    let detail = core.accept_new(
        &tests::clerk_at(core),
        Lang::Zh,
        "M010",
        &applicant,
        &[],
        false,
        true,
    );
    let detail = detail.expect("immediate matter accepted and concluded offline");

    assert_eq!(detail.status, "concluded");
    assert_eq!(
        event_names(&detail),
        "submitted accepted concluded evaluation-invited"
    );
    let (clock, day) = (&detail.clock, Some(cst_date(detail.history[0].at_ms)));
    assert_eq!(clock.state, ClockState::Stopped);
    assert_eq!(clock.accepted_on, day);
    assert_eq!(clock.stopped_on, day, "stopped the same day");
    assert_eq!(clock.due, day, "the limit is the acceptance day");
    assert!(!clock.overdue && clock.used_days == 0, "{clock:?}");
    let state = state(core, &detail.id);
    assert_eq!(state.approved(Some(MatterKind::Immediate)), Some(true));
    assert!(supervised(&state).is_empty(), "{:?}", state.warnings);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_promised_matter_goes_through_correction_special_procedure_decision_fee_conclusion_delivery_and_evaluation(
) {
    let net = Net::new();
    let (town, port) = township_with_county_down(&net).await;
    let core = town.core();
    let both = ["变更登记申请书", "经营场所证明"];

    let id = apply(core, "M002", "张三", &both[..1], true);
    assert_eq!(state(core, &id).status.as_str(), "submitted");
    let missing = names(&both[1..]);
    let d = act(core, &id, CaseAction::RequestCorrection { missing });
    assert_eq!(d.status, "awaiting-correction");
    assert_eq!(d.clock.state, ClockState::NotStarted);
    assert_eq!((d.clock.accepted_on, d.clock.due), (None, None));

    let items = names(&both[1..]);
    act(core, &id, CaseAction::Supply { items });
    let accept = CaseAction::Accept {
        tolerated_missing: vec![],
        promised_by: None,
    };
    let d = act(core, &id, accept);
    assert_eq!(d.status, "in-process");
    assert_eq!(d.clock.state, ClockState::Running);
    let accepted_on = d.clock.accepted_on.expect("clock started");
    // Due: the 3rd working day after the acceptance day, on the calendar.
    let calendar = core.store.calendar().expect("calendar");
    let due = calendar.add_working_days(accepted_on, 3);
    assert_eq!(d.clock.due, Some(due));
    assert!(due > accepted_on && calendar.is_working_day(due));
    let statutory = calendar.add_working_days(accepted_on, 15);
    assert_eq!(d.clock.statutory_due, Some(statutory));

    let inspection = CaseAction::StartSpecial {
        code: SpecialCode::Other,
        kind: SpecialKind::SiteInspection,
        reason: "核实经营场所".into(),
        approver: "S01".into(),
        days: 5,
    };
    let d = act(core, &id, inspection);
    assert_eq!((d.status.as_str(), d.clock.paused), ("paused", true));
    assert_eq!(d.clock.state, ClockState::Paused);
    let d = act(core, &id, CaseAction::EndSpecial);
    assert_eq!((d.status.as_str(), d.clock.paused), ("in-process", false));

    // S01 signs in at the township, with the county down, and decides
    // under his seal.
    let s01 = tests::sign_in(core, "S01").await;
    let d = decide_as(core, &s01, &id, decide(true, "S01"));
    let sealed = d.history.iter().find(|h| h.event == "decided");
    let code = sealed.and_then(|h| h.seal_code.clone()).unwrap_or_default();
    assert_eq!(
        code.len(),
        9,
        "the decision shows its seal's verification code: {code:?}"
    );
    let parts = state(core, &id).parts;
    assert_eq!(parts.len(), 1, "one part decided: {parts:?}");
    let p = &parts[0];
    assert_eq!((p.by.as_str(), p.authorisation.as_str()), ("S01", "A-S01"));
    assert_eq!((p.department.as_str(), p.approve), ("D01", true));
    assert_eq!(p.seal, Some(Seal::Approval), "the seal use is recorded");

    let fee = CaseAction::Fee {
        item: "工本费".into(),
        amount_fen: None,
    };
    act(core, &id, fee);
    assert_eq!(state(core, &id).fees_total_fen, 1000);
    let d = act(core, &id, CaseAction::Conclude);
    assert_eq!(d.status, "concluded");
    assert_eq!(d.clock.state, ClockState::Stopped);
    let code = d
        .evaluation_code
        .expect("an evaluation code for the applicant");
    let recipient = Some("张三".to_string());
    let d = act(core, &id, CaseAction::Deliver { recipient });
    assert_eq!(d.status, "delivered");
    // The applicant evaluates with the code printed for him.
    let at_town = core
        .evaluate(Lang::Zh, &id, &code, 1, "办事快", "kiosk")
        .expect("the applicant's evaluation");
    assert_eq!(at_town.status, "delivered");
    let s = state(core, &id);
    let levels: Vec<u8> = s.evaluations.iter().map(|e| e.level).collect();
    assert_eq!(levels, [1]);
    assert!(supervised(&s).is_empty() && s.anomalies.is_empty(), "{s:?}");
    let expected = "submitted correction-requested correction-supplied accepted \
                    special-started special-ended decided fee concluded evaluation-invited delivered evaluated";
    assert_eq!(event_names(&at_town), expected);

    // A twin application, accepted and left open.
    let twin = apply(core, "M002", "李四", &both, false);

    // The county comes back and catches up.
    let county = net.county(port).await;
    let shown = || county.core().show_case(&tests::reader(), &id, Lang::Zh);
    let alike = |c: CaseDetail| c.status == at_town.status && events(&c) == events(&at_town);
    assert!(
        eventually(LIMIT, || shown().is_ok_and(alike)).await,
        "the county never showed the case as the township does: {:?}",
        shown().map(|c| events(&c))
    );

    // Days later, as folded from the twin's real record.
    let record = record(core, &twin);
    let opened = fold_at(core, &record, now_ms()).clock;
    let accepted_on = opened.accepted_on.expect("twin accepted");
    let due = opened.due.expect("twin due date");
    let after = |working_days: u32| {
        let day = calendar.add_working_days(accepted_on, working_days);
        fold_at(core, &record, cst_time_ms(day, 16, 0))
    };
    let day0 = after(0);
    assert!(yellow_red(&day0).is_empty(), "{:?}", day0.warnings);
    // On the matter's promised limit of 3 working days.
    let limit_days = 3;
    let yellow = Warning::Yellow {
        due,
        days_left: 1,
        limit_days,
    };
    assert_eq!(yellow_red(&after(2)), [&yellow], "one working day left");
    let (day4, red) = (after(4), Warning::Red { due, limit_days });
    assert_eq!(yellow_red(&day4), [&red], "past the deadline");
    assert!(day4.clock.overdue);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthorised_decision_is_refused_with_a_clear_message() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let role = StaffRole::ChiefRepresentative;
    let added = core.add_staff(
        &tests::hall(core),
        Lang::Zh,
        "S01",
        "李明",
        "D01",
        role,
        &[],
    );
    added.expect("staff saved");
    chief(core, "S02", d01(), -800, -30, "A-S02-OLD");
    let m009 = AuthScope::Matter("M009".into());
    chief(core, "S03", m009, -1, 400, "A-S03");
    chief(core, "S04", d01(), -400, 400, "A-S04");
    let id = apply(core, "M001", "赵六", &[], false);
    let before = record(core, &id).len();

    // (staff, what the message must name, a Chinese word, an English word)
    let refusals = [
        ("S01", "S01", "没有", "no authorisation"),
        ("S02", "A-S02-OLD", "到期", "expired"),
        ("S03", "A-S03", "范围", "covers"),
    ];
    for (staff, named, zh_word, en_word) in refusals {
        let zh = core.step(Lang::Zh, &id, decide(true, staff));
        let zh = node_error_text(
            &zh.expect_err("an unauthorised decision is refused"),
            Lang::Zh,
        );
        assert!(zh.contains(named) && zh.contains(zh_word), "{staff}: {zh}");
        let chinese = zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
        assert!(chinese, "{zh}");
        let en = core.step(Lang::En, &id, decide(true, staff));
        let en = node_error_text(&en.expect_err("refused in English too"), Lang::En);
        assert!(en.is_ascii(), "{en}");
        for word in [named, en_word, "authorisation"] {
            assert!(en.contains(word), "{staff}: {en}");
        }
    }
    assert_eq!(record(core, &id).len(), before, "nothing written");

    let s04 = tests::sign_in(core, "S04").await;
    decide_as(core, &s04, &id, decide(true, "S04"));
    let parts = state(core, &id).parts;
    let by: Vec<(&str, &str)> = parts.iter().map(|p| (&*p.by, &*p.authorisation)).collect();
    assert_eq!(by, [("S04", "A-S04")], "an authorised decision is taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_decisions_on_two_nodes_surface_as_a_conflict_after_sync() {
    let net = Net::new();
    let county = net.county(0).await;
    file_the_hall(county.core());
    chief(county.core(), "S02", d01(), -400, 400, "A-S02");
    let link = proxy(county.port(), &county.shutdown).await;
    let dial = Some(link.addr().to_string());
    let town = net.township("T01", county.port(), dial).await;
    let (c, t) = (county.core(), town.core());
    assert!(
        eventually(LIMIT, || holds(t, &["M001"], &["A-S01", "A-S02"])).await,
        "the township never received M001 and both authorisations"
    );
    let id = apply(t, "M001", "孙七", &[], false);
    assert!(
        eventually(LIMIT, || matches!(c.store.case(&id), Ok(Some(_)))).await,
        "the case never reached the county"
    );

    link.set_up(false);
    let t01 = township_id("T01");
    let apart = || !connected(c, &t01) && !connected(t, &county_id());
    assert!(eventually(LIMIT, apart).await, "still connected");
    let (s01, s02) = (
        tests::sign_in(t, "S01").await,
        tests::sign_in(c, "S02").await,
    );
    let approve = decision_op(&decide_as(t, &s01, &id, decide(true, "S01")));
    let deny = decision_op(&decide_as(c, &s02, &id, decide(false, "S02")));
    let at_county = events(&c.show_case(&tests::reader(), &id, Lang::Zh).expect("case"));
    assert!(
        at_county.iter().all(|(op, _)| *op != approve),
        "test premise: the decisions were written apart"
    );

    link.set_up(true);
    let conflict = |core: &NodeCore| state(core, &id).status.as_str() == "conflict";
    assert!(
        eventually(LIMIT, || conflict(c) && conflict(t)).await,
        "no conflict after sync: county {:?}, township {:?}",
        state(c, &id).status,
        state(t, &id).status
    );
    let both: BTreeSet<String> = [approve.clone(), deny.clone()].into();
    let kind = ConflictKind::DecisionsDisagree {
        department: "D01".into(),
    };
    for (node, core) in [("county", c), ("township", t)] {
        let conflicts = state(core, &id).conflicts;
        assert_eq!(conflicts.len(), 1, "{node}: {conflicts:?}");
        assert_eq!(conflicts[0].kind, kind, "{node}");
        let ops: BTreeSet<String> = conflicts[0].ops.iter().map(|o| o.to_string()).collect();
        assert_eq!(ops, both, "{node}: both decisions are listed");
    }
    let items = c
        .supervision(&tests::reader(), Lang::Zh, Some("T01"))
        .expect("supervision");
    let item = |l: &SupervisionLine| l.case == id && l.rule == "Conflict" && l.current;
    assert!(items.iter().any(item), "not in e-supervision: {items:?}");

    let retract = CaseAction::Retract {
        event: deny.clone(),
        reason: "误录不予许可决定，予以更正".into(),
    };
    // Only the chief representative who decided may retract his decision.
    let by_clerk = c.step(Lang::Zh, &id, retract.clone());
    assert!(by_clerk.is_err(), "a window clerk retracted S02's decision");
    decide_as(c, &s02, &id, retract);
    let settled = |core: &NodeCore| {
        let s = state(core, &id);
        s.conflicts.is_empty() && s.status.as_str() == "in-process"
    };
    assert!(
        eventually(LIMIT, || settled(c) && settled(t)).await,
        "the retraction did not clear the conflict on both nodes"
    );
    for core in [c, t] {
        let parts = state(core, &id).parts;
        let ops: Vec<String> = parts.iter().map(|p| p.op.to_string()).collect();
        assert_eq!(ops, [approve.as_str()], "only the approval stands");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_due_date_spans_the_national_holiday_with_an_adjusted_saturday() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    // Day k after 2026-09-30 (CST).
    let day = |k: u64| cst_date(SEP_30_MS + k * DAY_MS as u64);
    assert_eq!(day(0).to_string(), "2026-09-30");
    let golden_week = dates_from_until(day(1), day(7)).expect("range");
    let c = county.core();
    let set = c.set_calendar(&tests::hall(c), Lang::Zh, golden_week, DaySetting::Holiday);
    set.expect("holidays set");
    let set = c.set_calendar(
        &tests::hall(c),
        Lang::Zh,
        vec![day(10)],
        DaySetting::Workday,
    );
    set.expect("adjusted Saturday set");
    let received = || {
        town.core().store.calendar().is_ok_and(|cal| {
            cal.setting(day(10)) == Some(DaySetting::Workday)
                && (1..=7).all(|k| cal.setting(day(k)) == Some(DaySetting::Holiday))
        })
    };
    assert!(eventually(LIMIT, received).await, "no calendar");

    // A real case, its events moved to 2026-09-30 10:00 CST.
    let id = apply(town.core(), "M001", "周敏", &[], false);
    let real = record(town.core(), &id);
    let first = real.history()[0].1.hlc.wall_ms;
    let mut moved = CaseRecord::new();
    for (op, e) in real.iter() {
        let mut event = e.event.clone();
        event.at_ms = event.at_ms - first + SEP_30_MS;
        let hlc = Hlc {
            wall_ms: e.hlc.wall_ms - first + SEP_30_MS,
            logical: e.hlc.logical,
        };
        moved.insert(op.clone(), hlc, event);
    }

    let on = |k: u64| fold_at(town.core(), &moved, cst_time_ms(day(k), 16, 0));
    let s = on(7);
    assert_eq!(ymd(s.clock.accepted_on), "2026-09-30");
    // 10-01..07 are holidays; 10-08 Thu, 10-09 Fri, 10-10 Sat (调休) count.
    assert_eq!(ymd(s.clock.due), "2026-10-10");
    assert_eq!(ymd(s.clock.statutory_due), "2026-10-27");
    assert_eq!(s.clock.used_days, 0, "the holiday does not count");
    let s = on(9);
    assert_eq!((s.clock.used_days, s.clock.left_days), (2, Some(1)));
    let yellow = matches!(yellow_red(&s)[..], [Warning::Yellow { .. }]);
    assert!(yellow, "{s:?}");
    assert!(!on(10).clock.overdue, "10-10 is the last day");
    let s = on(11);
    assert!(s.clock.overdue, "overdue on the Sunday after");
    let red = matches!(yellow_red(&s)[..], [Warning::Red { .. }]);
    assert!(red, "{s:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervision_items_are_flagged_once_and_never_deleted() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let id = yellow_case(core);
    let warnings = state(core, &id).warnings;
    let yellow = |w: &Warning| matches!(w, Warning::Yellow { days_left: 1, .. });
    assert!(warnings.iter().any(yellow), "{warnings:?}");
    let line = || {
        let mut lines = core
            .supervision(&tests::reader(), Lang::Zh, None)
            .expect("supervision")
            .into_iter();
        lines.find(|l| l.case == id && l.rule == "Yellow")
    };
    let item = line().expect("a supervision item").item;

    core.flag_crossings().expect("first pass");
    assert_eq!(core.flag_crossings().expect("second pass"), 0);
    assert_eq!(flags(&record(core, &id), &item), 1, "flagged once");

    let note = |text: &str, resolve: bool| {
        let noted =
            core.annotate_supervision(&tests::reader(), Lang::Zh, &id, &item, text, resolve);
        noted.expect("note recorded");
    };
    note("已电话提醒窗口", false);
    note("当日已办理完毕", true);
    assert_eq!(core.flag_crossings().expect("third pass"), 0);
    assert_eq!(flags(&record(core, &id), &item), 1, "not flagged again");
    let l = line().expect("a resolved item is still listed");
    assert_eq!(l.item, item);
    assert!(l.flagged && l.resolved && l.current, "{l:?}");
    let noted = |text: &str| l.notes.iter().any(|n| n.contains(text));
    assert!(noted("已电话提醒窗口") && noted("当日已办理完毕"), "{l:?}");
    let history = core
        .show_case(&tests::reader(), &id, Lang::Zh)
        .expect("case");
    let expected = "submitted accepted supervision-flagged supervision-annotated \
                    supervision-resolved";
    assert_eq!(event_names(&history), expected, "nothing was removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retraction_of_a_supervision_flag_is_refused_and_the_item_stays_open() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    let id = yellow_case(core);
    core.flag_crossings().expect("rule engine pass");
    let open = state(core, &id).open_supervision;
    assert_eq!(open.len(), 1, "the yellow item is flagged and open");
    let detail = core
        .show_case(&tests::reader(), &id, Lang::Zh)
        .expect("case");
    let flag = detail
        .history
        .iter()
        .find(|h| h.event == "supervision-flagged");
    let retract = CaseAction::Retract {
        event: flag.expect("a flag").op.clone(),
        reason: "撤销督办".into(),
    };
    let refused = core
        .step(Lang::Zh, &id, retract)
        .expect_err("supervision records cannot be retracted");
    let refused = node_error_text(&refused, Lang::Zh);
    assert!(refused.contains("电子监察"), "{refused}");
    assert_eq!(state(core, &id).open_supervision, open);
}
