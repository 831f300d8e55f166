//! Personal data stays in the case's scope (个人信息保护法): an applicant's
//! ID number written at one township reaches the county and never another
//! township's disk. The check scans every file of each node's store for the
//! raw bytes, so it sees whatever the store wrote, in whatever form.

use std::path::Path;
use std::time::Duration;

use tests::{accept_cases, eventually, in_sync, Net};

fn disk_contains(dir: &Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            disk_contains(&path, needle)
        } else {
            std::fs::read(&path)
                .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
                .unwrap_or(false)
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_applicants_id_number_never_reaches_a_township_outside_the_cases_scope() {
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = net.township("T01", county.port(), None).await;
    let t2 = net.township("T02", county.port(), None).await;
    let id_number = "410000199901019997";
    t1.core()
        .accept_case(&tests::clerk_at(t1.core()), "M001", "王五", id_number)
        .expect("case accepted");
    accept_cases(t2.core(), 3);
    for t in [&t1, &t2] {
        assert!(
            eventually(Duration::from_secs(30), || in_sync(county.core(), t.core())).await,
            "converged"
        );
    }
    // Every acknowledged write is already on disk (flushed and synced).
    let needle = id_number.as_bytes();
    assert!(
        disk_contains(&net.dir("county"), needle),
        "the scan finds it where it belongs (county)"
    );
    assert!(
        disk_contains(&net.dir("T01"), needle),
        "the scan finds it where it belongs (T01)"
    );
    assert!(
        !disk_contains(&net.dir("T02"), needle),
        "T02's store holds T01's applicant ID number"
    );
}
