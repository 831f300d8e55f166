//! What the console tests share: a matter with a materials checklist, an
//! authorised chief representative, and the console's base URL.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::Duration;

use liandong_domain::{cst_date, AuthScope, Lang, Level, Material, MaterialForm, Matter, Power};
use liandong_node::NodeCore;

/// Upper bound of every wait.
pub const LIMIT: Duration = Duration::from_secs(90);
const DAY_MS: i64 = 86_400_000;

/// A valid 居民身份证 number (the GB 11643 standard's own example).
pub const RESIDENT_ID: &str = "11010519491231002X";

/// The console at an admin address.
pub fn base(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// M002 (a promised township matter of D01) with three materials, one of
/// them tolerable.
pub fn put_m002(county: &NodeCore) {
    let mut m = Matter::basic("M002", "农村村民宅基地申请", Level::Township, 10, 20, "D01");
    m.legal_basis = "《中华人民共和国土地管理法》第六十二条".into();
    m.supervision_phone = "0371-12345".into();
    m.materials = vec![
        material("申请书", MaterialForm::Original, false),
        material("居民身份证", MaterialForm::OriginalAndCopy, false),
        material("户口簿", MaterialForm::Copy, true),
    ];
    county
        .put_matter(&tests::hall(county), Lang::Zh, m)
        .expect("M002 in the catalogue");
}

fn material(name: &str, form: MaterialForm, tolerable: bool) -> Material {
    Material {
        name: name.into(),
        form,
        mandatory: true,
        tolerable,
    }
}

/// Chief representative `staff` of D01 at the county hall, with every
/// power over D01's matters for a year either side of today.
pub fn authorised_chief(county: &NodeCore, staff: &str) {
    tests::put_chief(county, staff, "D01", &[]);
    let powers: BTreeSet<Power> = Power::ALL.into_iter().collect();
    let day = |days: i64| cst_date(tests::now_ms().saturating_add_signed(days * DAY_MS));
    county
        .authorise(
            &tests::hall(county),
            Lang::Zh,
            staff,
            AuthScope::Department("D01".into()),
            powers,
            day(-365),
            day(365),
            Some(format!("G-{staff}")),
        )
        .expect("authorisation filed");
}

/// The case number in a case page's URL.
pub fn case_of(url: &str) -> String {
    url.rsplit("/cases/")
        .next()
        .and_then(|s| s.split(['?', '/']).next())
        .unwrap_or_default()
        .to_string()
}
