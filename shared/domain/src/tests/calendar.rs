//! The working-day calendar: CST dates, holidays, adjusted working days.

use proptest::prelude::*;

use super::*;

#[test]
fn dates_are_china_standard_time_whatever_the_utc_date() {
    // 2026-09-30T16:00:00Z is midnight of 1 October in Beijing.
    let utc_1600 = 1_790_784_000_000;
    assert_eq!(cst_date(utc_1600 - 1), day(2026, 9, 30));
    assert_eq!(cst_date(utc_1600), day(2026, 10, 1));
    assert_eq!(cst_time_ms(day(2026, 10, 1), 0, 0), utc_1600);
}

#[test]
fn a_due_date_crosses_the_national_holiday_and_counts_the_adjusted_saturday() {
    let cal = calendar_2026();
    assert!(!cal.is_working_day(day(2026, 10, 5)));
    assert!(cal.is_working_day(day(2026, 10, 10)));
    assert!(!cal.is_working_day(day(2026, 10, 11)));
    // Accepted Tuesday 29 September: 9-30, 10-08, 10-09, 10-10, 10-12.
    assert_eq!(cal.add_working_days(day(2026, 9, 29), 5), day(2026, 10, 12));
    assert_eq!(
        cal.working_days_between(day(2026, 9, 29), day(2026, 10, 12)),
        5
    );
    // Without the adjusted Saturday the deadline would be a day later.
    let mut no_adjustment = cal.clone();
    no_adjustment.set(
        day(2026, 10, 10),
        DaySetting::Ordinary,
        stamp(&county(), 999, 2),
    );
    assert_eq!(
        no_adjustment.add_working_days(day(2026, 9, 29), 5),
        day(2026, 10, 13)
    );
}

#[test]
fn a_case_accepted_before_the_holiday_is_due_after_it() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(9, 30, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 30, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    // 10-08, 10-09, 10-10 (adjusted Saturday), 10-12, 10-13.
    let s = w.state(at(10, 5, 12, 0));
    assert_eq!(s.clock.due, Some(day(2026, 10, 13)));
    assert_eq!(s.clock.used_days, 0);
    // Statutory 15: ..., 10-13 (5), 10-14..16 (8), 10-19..23 (13), 10-26, 10-27.
    assert_eq!(s.clock.statutory_due, Some(day(2026, 10, 27)));
}

#[test]
fn the_acceptance_day_is_not_counted_and_zero_days_is_the_day_itself() {
    let cal = calendar_2026();
    assert_eq!(cal.add_working_days(day(2026, 9, 28), 0), day(2026, 9, 28));
    assert_eq!(cal.add_working_days(day(2026, 9, 28), 1), day(2026, 9, 29));
    // Friday + 1 is Monday.
    assert_eq!(cal.add_working_days(day(2026, 9, 25), 1), day(2026, 9, 28));
    assert_eq!(
        cal.working_days_between(day(2026, 9, 28), day(2026, 9, 28)),
        0
    );
}

#[test]
fn a_year_without_entries_is_monday_to_friday_and_flagged_unknown() {
    let cal = calendar_2026();
    assert!(cal.year_known(2026));
    assert!(!cal.year_known(2027));
    // 2027-10-01 is a Friday: a plain working day without the notice.
    assert!(cal.is_working_day(day(2027, 10, 1)));
    assert!(!cal.is_working_day(day(2027, 10, 2)));
}

#[test]
fn concurrent_holiday_and_workday_settings_resolve_by_stamp_on_every_replica() {
    let date = day(2026, 5, 9);
    let holiday = stamp(&county(), 7, 1_000);
    let workday = stamp(&NodeId::county("HQ2").unwrap(), 3, 1_000);
    let mut a = Calendar::new();
    a.set(date, DaySetting::Holiday, holiday.clone());
    let mut b = Calendar::new();
    b.set(date, DaySetting::Workday, workday.clone());
    let mut ab = a.clone();
    ab.merge_from(&b);
    let mut ba = b.clone();
    ba.merge_from(&a);
    assert_eq!(ab, ba);
    // Same wall time and counter: the origin decides (HQ < HQ2).
    assert_eq!(ab.setting(date), Some(DaySetting::Workday));
}

#[test]
fn a_range_setting_is_every_date_in_it_and_a_backwards_range_is_refused() {
    let dates = dates_from_until(day(2026, 10, 1), day(2026, 10, 7)).unwrap();
    assert_eq!(dates.len(), 7);
    let err = dates_from_until(day(2026, 10, 7), day(2026, 10, 1)).unwrap_err();
    assert!(err.message(Lang::Zh).contains("--until"));
    assert!(dates_from_until(day(2026, 1, 1), day(2027, 6, 1)).is_err());
}

proptest! {
    #[test]
    fn counting_working_days_agrees_with_walking_them(
        start in 0i64..800,
        span in 0i64..400,
        settings in prop::collection::vec((0i64..1200, 0u8..3), 0..40),
    ) {
        let base = day(2025, 6, 1);
        let mut cal = Calendar::new();
        for (i, (offset, s)) in settings.iter().enumerate() {
            let setting = [DaySetting::Holiday, DaySetting::Workday, DaySetting::Ordinary][*s as usize];
            cal.set(base + chrono::Days::new(*offset as u64), setting, stamp(&county(), i as u64, 1));
        }
        let a = base + chrono::Days::new(start as u64);
        let b = a + chrono::Days::new(span as u64);
        let walked = a.iter_days().skip(1).take_while(|d| *d <= b)
            .filter(|d| cal.is_working_day(*d)).count() as u32;
        prop_assert_eq!(cal.working_days_between(a, b), walked);
        let n = walked.min(30);
        let due = cal.add_working_days(a, n);
        prop_assert_eq!(cal.working_days_between(a, due), n);
    }
}
