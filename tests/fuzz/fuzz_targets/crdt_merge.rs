#![no_main]
//! CRDT merges of every replicated domain type: the case record, the
//! calendar (LWW per date), the catalogue (LWW current version plus every
//! version), a staff member (LWW fields, `Orswot` roles), an authorisation
//! (earliest revocation) and a routing rule (LWW by stamp).
//!
//! Three replicas of each take writes and pull from one another in the
//! order the input says; then the merge laws must hold on what they hold
//! (`liandong_fuzz::laws`), and pulling everything everywhere must leave
//! every replica equal. Writes keep the invariant the store guarantees:
//! one stamp writes one value (a stamp carries a unique op id). The case
//! record alone must also cope with two bodies under one op id.

use arbitrary::Arbitrary;
use liandong_domain::{
    AuthScope, Calendar, CaseRecord, Catalogue, DaySetting, Matter, RoutingEntry, RoutingRule,
    Staff, StaffRole, Stamp,
};
use liandong_fuzz::events::{build, EventSpec};
use liandong_fuzz::fixtures::{authorisation, county, day, matter_m001, stamp, writers};
use liandong_fuzz::laws::{assert_laws, merged};
use liandong_model::NodeId;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Step {
    /// A calendar setting written at a replica.
    SetDay {
        replica: u8,
        date: u8,
        setting: u8,
        wall: u8,
    },
    /// A matter version written at a replica.
    PutMatter {
        replica: u8,
        code: u8,
        days: u8,
        active: bool,
        wall: u8,
    },
    /// A role added or removed at a replica, by that replica's node.
    Role { replica: u8, role: u8, add: bool },
    /// A staff field re-set at a replica.
    StaffField { replica: u8, field: u8, wall: u8 },
    /// The authorisation revoked at a replica.
    Revoke { replica: u8, at: u16 },
    /// A routing rule written at a replica.
    Route {
        replica: u8,
        departments: u8,
        wall: u8,
    },
    /// A case event (by index into `events`) recorded at a replica.
    Event { replica: u8, event: u8 },
    /// `to` pulls everything `from` holds.
    Pull { from: u8, to: u8 },
}

#[derive(Arbitrary, Debug)]
struct Input {
    events: Vec<EventSpec>,
    steps: Vec<Step>,
}

/// Three replicas of every type.
#[derive(Clone)]
struct Replica {
    calendar: Calendar,
    catalogue: Catalogue,
    staff: Staff,
    grant: liandong_domain::Authorisation,
    routing: RoutingEntry,
    record: CaseRecord,
}

impl Replica {
    fn new() -> Replica {
        let hq = county();
        Replica {
            calendar: Calendar::new(),
            catalogue: Catalogue::new(),
            staff: Staff::new("S01", "李明", "D01", stamp(&hq, 0, 0)),
            grant: authorisation("A01", "S01", AuthScope::Matter("M001".into())),
            routing: RoutingEntry {
                rule: rule(0),
                stamp: stamp(&hq, 0, 0),
            },
            record: CaseRecord::new(),
        }
    }

    fn pull(&mut self, other: &Replica) {
        self.calendar.merge_from(&other.calendar);
        self.catalogue.merge_from(&other.catalogue);
        self.staff.merge_from(&other.staff);
        self.grant.merge_from(&other.grant);
        self.routing
            .put(other.routing.rule.clone(), other.routing.stamp.clone());
        self.record.merge_from(&other.record);
    }
}

fn rule(departments: u8) -> RoutingRule {
    RoutingRule {
        matter: "M001".into(),
        departments: ["D01", "D02", "D05"]
            .iter()
            .enumerate()
            .filter(|(i, _)| departments & (1 << i) != 0)
            .map(|(_, d)| (*d).to_string())
            .collect(),
        township_opinions: Default::default(),
    }
}

struct World {
    replicas: [Replica; 3],
    nodes: [NodeId; 3],
    /// Sequence of the next stamp: each write has its own op id.
    seq: u64,
}

impl World {
    fn stamp(&mut self, r: usize, wall: u8) -> Stamp {
        self.seq += 1;
        stamp(&self.nodes[r], self.seq, u64::from(wall % 8))
    }

    fn run(&mut self, step: &Step, events: &liandong_fuzz::events::Events) {
        let r = |i: u8| usize::from(i) % 3;
        match *step {
            Step::SetDay {
                replica,
                date,
                setting,
                wall,
            } => {
                let s = self.stamp(r(replica), wall);
                let setting = [
                    DaySetting::Holiday,
                    DaySetting::Workday,
                    DaySetting::Ordinary,
                ][usize::from(setting) % 3];
                let date = day(2026, 10, 1) + chrono::Days::new(u64::from(date % 16));
                self.replicas[r(replica)].calendar.set(date, setting, s);
            }
            Step::PutMatter {
                replica,
                code,
                days,
                active,
                wall,
            } => {
                let s = self.stamp(r(replica), wall);
                let matter = Matter {
                    code: format!("M00{}", code % 3),
                    promised_days: u16::from(days % 16),
                    active,
                    ..matter_m001()
                };
                self.replicas[r(replica)].catalogue.put(matter, s);
            }
            Step::Role { replica, role, add } => {
                let staff = &mut self.replicas[r(replica)].staff;
                let role = StaffRole::ALL[usize::from(role) % StaffRole::ALL.len()];
                let op = if add {
                    staff.add_role_op(role, self.nodes[r(replica)].clone())
                } else {
                    staff.remove_role_op(role)
                };
                staff.apply_role_op(op);
            }
            Step::StaffField {
                replica,
                field,
                wall,
            } => {
                let s = self.stamp(r(replica), wall);
                let seq = self.seq;
                let staff = &mut self.replicas[r(replica)].staff;
                match field % 3 {
                    0 => staff.rename(&format!("李明{seq}"), s),
                    1 => staff.assign_window(seq.is_multiple_of(2).then(|| format!("W{seq}")), s),
                    _ => staff.move_to(&format!("D{seq}"), s),
                }
            }
            Step::Revoke { replica, at } => {
                self.replicas[r(replica)].grant.revoke(u64::from(at));
            }
            Step::Route {
                replica,
                departments,
                wall,
            } => {
                let s = self.stamp(r(replica), wall);
                self.replicas[r(replica)].routing.put(rule(departments), s);
            }
            Step::Event { replica, event } => {
                if let Some((op, hlc, e)) = events.get(usize::from(event) % events.len().max(1)) {
                    self.replicas[r(replica)]
                        .record
                        .insert(op.clone(), *hlc, e.clone());
                }
            }
            Step::Pull { from, to } => {
                let (from, to) = (r(from), r(to));
                if from != to {
                    let source = self.replicas[from].clone();
                    self.replicas[to].pull(&source);
                }
            }
        }
    }
}

/// The routing register as a merge: the later stamp wins.
fn route_merged(a: &RoutingEntry, b: &RoutingEntry) -> RoutingEntry {
    let mut out = a.clone();
    out.put(b.rule.clone(), b.stamp.clone());
    out
}

fuzz_target!(|input: Input| {
    let events = build(&input.events);
    let [n0, n1, n2, _] = writers();
    let mut world = World {
        replicas: [Replica::new(), Replica::new(), Replica::new()],
        nodes: [n0, n1, n2],
        seq: 0,
    };
    for step in input.steps.iter().take(256) {
        world.run(step, &events);
    }
    let [a, b, c] = &world.replicas;
    assert_laws("case record", &a.record, &b.record, &c.record);
    assert_laws("calendar", &a.calendar, &b.calendar, &c.calendar);
    assert_laws("catalogue", &a.catalogue, &b.catalogue, &c.catalogue);
    assert_laws("staff", &a.staff, &b.staff, &c.staff);
    assert_laws("authorisation", &a.grant, &b.grant, &c.grant);
    assert_eq!(
        route_merged(&a.routing, &b.routing),
        route_merged(&b.routing, &a.routing),
        "routing: merge is not commutative"
    );
    assert_eq!(
        merged(&merged(&a.staff, &b.staff), &c.staff).roles(),
        merged(&c.staff, &merged(&b.staff, &a.staff)).roles(),
        "staff roles depend on the merge order"
    );

    // Everyone pulls from everyone: all replicas converge.
    let mut all = world.replicas.clone();
    for _ in 0..2 {
        for to in 0..3 {
            for from in 0..3 {
                if from != to {
                    let source = all[from].clone();
                    all[to].pull(&source);
                }
            }
        }
    }
    for other in &all[1..] {
        assert_eq!(other.calendar, all[0].calendar, "calendars diverge");
        assert_eq!(other.catalogue, all[0].catalogue, "catalogues diverge");
        assert_eq!(other.staff, all[0].staff, "staff diverge");
        assert_eq!(other.grant, all[0].grant, "authorisations diverge");
        assert_eq!(other.routing, all[0].routing, "routing rules diverge");
        assert_eq!(other.record, all[0].record, "case records diverge");
    }
});
