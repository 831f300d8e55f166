//! Five wrong passwords lock an account for 15 minutes, then it opens
//! again: shown on a real county started on a clock the test moves
//! (`Seams { clock: ManualClock }`), so the 15 minutes pass at once.

use liandong_model::ManualClock;
use liandong_node::error::Forbidden;
use tests::{Net, PASSWORD};

use super::support::forbidden;

const MINUTE_MS: u64 = 60_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes() {
    let net = Net::new();
    let start_ms = tests::now_ms();
    let clock = ManualClock::new(start_ms);
    let county = net.county_on_clock(clock.clone()).await;
    let core = county.core();
    let login = |password: &str| core.login("C00", password, "uid:1000", Some(1000));

    for attempt in 1..=4 {
        let e = login("wrong-Password-1").expect_err("a wrong password signs in");
        assert_eq!(
            forbidden(&e),
            Some(&Forbidden::WrongCredentials),
            "attempt {attempt}: {e}"
        );
    }
    let fifth = login("wrong-Password-1").expect_err("the fifth wrong password");
    let until_ms = start_ms + 15 * MINUTE_MS;
    assert_eq!(
        forbidden(&fifth),
        Some(&Forbidden::Locked { until_ms }),
        "{fifth}"
    );
    let right = login(PASSWORD).expect_err("the right password opens a locked account");
    assert_eq!(forbidden(&right), Some(&Forbidden::Locked { until_ms }));
    // The lock is the account's: another clerk signs in meanwhile.
    core.login("C01", PASSWORD, "uid:1000", Some(1000))
        .expect("C01 is not locked");

    clock.advance(15 * MINUTE_MS - 1_000);
    let almost = login(PASSWORD).expect_err("still locked a second before the end");
    assert_eq!(forbidden(&almost), Some(&Forbidden::Locked { until_ms }));
    clock.advance(1_000);
    let reply = login(PASSWORD).expect("the account opens after 15 minutes");
    assert_eq!(reply.staff, "C00");
    core.actor(&reply.token, None)
        .expect("the new session acts");
}
