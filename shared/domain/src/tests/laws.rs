//! Merge laws of every replicated type here: commutative, associative,
//! idempotent — on our types, with our stamps and actors.

use crdts::CvRDT;
use proptest::prelude::*;

use super::fold_props::arb_events;
use super::*;

fn merged<T: CvRDT + Clone>(a: &T, b: &T) -> T {
    let mut out = a.clone();
    out.merge(b.clone());
    out
}

/// Asserts the three laws on three replicas.
fn laws<T: CvRDT + Clone + PartialEq + std::fmt::Debug>(
    a: &T,
    b: &T,
    c: &T,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(merged(a, b), merged(b, a), "commutative");
    prop_assert_eq!(
        merged(&merged(a, b), c),
        merged(a, &merged(b, c)),
        "associative"
    );
    prop_assert_eq!(merged(a, a), a.clone(), "idempotent");
    prop_assert_eq!(
        merged(&merged(a, b), b),
        merged(a, b),
        "idempotent after merge"
    );
    Ok(())
}

fn nodes() -> [NodeId; 3] {
    [county(), township(), NodeId::township("T02").unwrap()]
}

/// Three replicas of a calendar, each holding some of the settings
/// (every setting has its own op id; wall times collide on purpose).
fn arb_calendars() -> impl Strategy<Value = [Calendar; 3]> {
    prop::collection::vec((0u64..20, 0u8..3, 0usize..3, 0u64..4, 1u8..8), 0..40).prop_map(
        |writes| {
            let mut cals = [Calendar::new(), Calendar::new(), Calendar::new()];
            for (seq, (offset, setting, node, wall, holders)) in writes.into_iter().enumerate() {
                let date = day(2026, 10, 1) + chrono::Days::new(offset);
                let setting = [
                    DaySetting::Holiday,
                    DaySetting::Workday,
                    DaySetting::Ordinary,
                ][usize::from(setting)];
                let s = stamp(&nodes()[node], seq as u64, wall);
                for (i, cal) in cals.iter_mut().enumerate() {
                    if holders & (1 << i) != 0 {
                        cal.set(date, setting, s.clone());
                    }
                }
            }
            cals
        },
    )
}

fn arb_records() -> impl Strategy<Value = [CaseRecord; 3]> {
    (arb_events(), prop::collection::vec(1u8..8, 26)).prop_map(|(events, holders)| {
        let mut recs = [CaseRecord::new(), CaseRecord::new(), CaseRecord::new()];
        for (j, (op, hlc, e)) in events.into_iter().enumerate() {
            for (i, rec) in recs.iter_mut().enumerate() {
                if holders[j] & (1 << i) != 0 {
                    rec.insert(op.clone(), hlc, e.clone());
                }
            }
        }
        recs
    })
}

fn arb_catalogues() -> impl Strategy<Value = [Catalogue; 3]> {
    prop::collection::vec((0u8..2, 1u16..10, any::<bool>(), 0u64..4, 1u8..8), 0..20).prop_map(
        |puts| {
            let mut cats = [Catalogue::new(), Catalogue::new(), Catalogue::new()];
            for (seq, (code, days, active, wall, holders)) in puts.into_iter().enumerate() {
                let matter = Matter {
                    code: format!("M00{code}"),
                    promised_days: days,
                    active,
                    ..matter_m001()
                };
                let s = stamp(&county(), seq as u64, wall);
                for (i, cat) in cats.iter_mut().enumerate() {
                    if holders & (1 << i) != 0 {
                        cat.put(matter.clone(), s.clone());
                    }
                }
            }
            cats
        },
    )
}

/// Three replicas of S01, each edited by its own node (roles added and
/// removed with that node as the actor, name and window re-set), after a
/// common start.
fn arb_staff() -> impl Strategy<Value = [Staff; 3]> {
    let edits = prop::collection::vec((0u8..5, any::<bool>(), 0u8..4), 0..8);
    (edits.clone(), [edits.clone(), edits.clone(), edits]).prop_map(|(common, own)| {
        let mut base = Staff::new("S01", "李明", "D01", stamp(&county(), 0, 0));
        let mut seq = 1;
        let mut edit = |staff: &mut Staff, actor: &NodeId, (role, add, field): (u8, bool, u8)| {
            let role = StaffRole::ALL[usize::from(role)];
            let op = if add {
                staff.add_role_op(role, actor.clone())
            } else {
                staff.remove_role_op(role)
            };
            staff.apply_role_op(op);
            seq += 1;
            let s = stamp(actor, seq, u64::from(field));
            match field {
                0 => staff.rename(&format!("李明{seq}"), s),
                1 => staff.assign_window(Some(format!("W{seq}")), s),
                2 => staff.move_to(&format!("D{seq}"), s),
                _ => {}
            }
        };
        for e in common {
            edit(&mut base, &county(), e);
        }
        let mut replicas = [base.clone(), base.clone(), base];
        for (i, edits) in own.into_iter().enumerate() {
            let actor = nodes()[i].clone();
            for e in edits {
                edit(&mut replicas[i], &actor, e);
            }
        }
        replicas
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn case_record_merge_is_a_semilattice([a, b, c] in arb_records()) {
        laws(&a, &b, &c)?;
    }

    #[test]
    fn calendar_merge_is_a_semilattice([a, b, c] in arb_calendars()) {
        laws(&a, &b, &c)?;
    }

    #[test]
    fn catalogue_merge_is_a_semilattice([a, b, c] in arb_catalogues()) {
        laws(&a, &b, &c)?;
    }

    #[test]
    fn staff_merge_with_orswot_roles_is_a_semilattice([a, b, c] in arb_staff()) {
        laws(&a, &b, &c)?;
        let all = merged(&merged(&a, &b), &c);
        prop_assert_eq!(all.roles(), merged(&c, &merged(&b, &a)).roles());
    }

    #[test]
    fn authorisation_revocations_merge_to_the_earliest(
        revocations in prop::collection::vec(prop::option::of(0u64..1000), 3),
    ) {
        let replicas: Vec<Authorisation> = revocations.iter().map(|r| {
            let mut a = authorisation("A01", "S01", AuthScope::Matter("M001".into()));
            if let Some(t) = r { a.revoke(*t); }
            a
        }).collect();
        laws(&replicas[0], &replicas[1], &replicas[2])?;
        let all = merged(&merged(&replicas[0], &replicas[1]), &replicas[2]);
        prop_assert_eq!(all.revoked_at_ms, revocations.iter().flatten().min().copied());
    }
}

#[test]
fn a_role_added_on_one_node_while_removed_on_another_survives_the_merge() {
    let mut base = Staff::new("S01", "李明", "D01", stamp(&county(), 0, 0));
    base.apply_role_op(base.add_role_op(StaffRole::Clerk, county()));
    let mut a = base.clone();
    let mut b = base;
    a.apply_role_op(a.remove_role_op(StaffRole::Clerk));
    b.apply_role_op(b.add_role_op(StaffRole::Clerk, township()));
    b.apply_role_op(b.add_role_op(StaffRole::ChiefRepresentative, township()));
    a.merge_from(&b);
    assert!(a.has_role(StaffRole::Clerk));
    assert!(a.has_role(StaffRole::ChiefRepresentative));
}

#[test]
fn the_catalogue_keeps_the_version_a_case_pinned_and_shows_the_latest() {
    let mut cat = Catalogue::new();
    let v1 = stamp(&county(), 1, 10);
    let v2 = stamp(&county(), 2, 20);
    cat.put(matter_m001(), v1.clone());
    cat.put(
        Matter {
            promised_days: 3,
            ..matter_m001()
        },
        v2,
    );
    assert_eq!(cat.current("M001").unwrap().promised_days, 3);
    assert_eq!(cat.pinned("M001", &v1).unwrap().promised_days, 5);
    assert_eq!(cat.active(Some(Level::Township)).count(), 1);
    assert_eq!(cat.active(Some(Level::County)).count(), 0);
}
