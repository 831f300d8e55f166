//! The web console in a real browser (Debian's chromium, driven by
//! playwright-core through `tests::browser`): a window day at a township
//! with the county stopped, and who may open what.

mod console {
    pub mod day;
    pub mod joint;
    pub mod permission;
    pub mod supervision;
    pub mod support;
}
