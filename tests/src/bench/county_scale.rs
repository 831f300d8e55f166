//! `bench county-scale`: a county holding many townships' cases. The
//! county runs in this process on a real store; the bench fills it through
//! its real write path (`Store::apply` with `Source::Peer`, as a session
//! applies what a township sends): per case about five events (submitted,
//! accepted, joint cases routed and given an opinion, concluded,
//! delivered); about one case in thirty is still open, recent, in
//! process. Then it measures, with this process's RSS standing for the
//! county's: RSS at rest and peak during a supervision pass, the pass's
//! time (the first after the fill, which checks every case, and one with
//! nothing new), the first page of the case list by centre and by
//! warning colour, `status`, a restart of the county on that store, and
//! disk use against the bytes of the operations held. For comparison it
//! times last what every pass did before: `Store::cases(None)` with a
//! fold of each case (`full_fold_s`, RSS while held).
//!
//! Not yet: the case list has no page of its own (the first page is the
//! first 50 lines of the list); a list by status has no index.

use std::time::Instant;

use anyhow::{ensure, Context};
use clap::Args;
use serde::Serialize;

use super::sys::{self, RssSampler};
use super::{progress, round3};
use crate::{now_ms, Net};
use liandong_domain::{Applicant, CaseEvent, EventKind, Lang, OpBody, Operation, Stamp};
use liandong_model::{CaseId, Cursor, EntityId, Hlc, NodeId, OpId};
use liandong_node::control::{CaseFilter, WarningColour};
use liandong_node::NodeCore;
use liandong_store::Source;

#[derive(Args, Debug)]
pub struct CountyScaleArgs {
    /// Print one JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Cases the county holds.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: u64,
    /// Townships the cases come from.
    #[arg(long, default_value_t = 60)]
    pub townships: u64,
    /// Cases per received batch.
    #[arg(long, default_value_t = 200)]
    pub batch: u64,
    /// Times each list page is read (for its p99).
    #[arg(long, default_value_t = 50)]
    pub page_reads: usize,
}

#[derive(Debug, Serialize)]
pub struct CountyScale {
    pub cases: u64,
    pub townships: u64,
    pub ops: u64,
    pub refused: usize,
    pub fill_s: f64,
    pub rss_at_rest_mib: f64,
    pub first_pass_s: f64,
    pub first_pass_checked: usize,
    pub first_pass_flagged: usize,
    pub pass_nothing_new_s: f64,
    pub pass_nothing_new_checked: usize,
    pub pass_peak_rss_mib: f64,
    pub page_by_centre_p99_ms: f64,
    pub page_red_p99_ms: f64,
    pub status_ms: f64,
    pub restart_s: f64,
    pub disk_bytes: u64,
    pub logical_bytes: u64,
    pub full_fold_s: f64,
    pub full_fold_rss_mib: f64,
    pub machine_load: String,
}

const DAY_MS: u64 = 86_400_000;

/// The events of case `n` of a township, stamped from `at_ms` on.
fn case_events(n: u64, origin: &NodeId, county: &str, at_ms: u64) -> Vec<(CaseId, CaseEvent)> {
    let date = liandong_node::cst_date(at_ms);
    let id = CaseId::new(county, origin, &date, n);
    let version = Stamp {
        hlc: Hlc::default(),
        op: OpId {
            origin: origin.clone(),
            seq: 0,
        },
    };
    let applicant = Applicant::resident(
        &format!("申请人{n}"),
        &crate::resident_id((n % 20_000_000) as u32),
        &format!("1380000{:04}", n % 10_000),
        "某县某镇某村",
    );
    let mut kinds = vec![
        EventKind::Submitted {
            matter: "M001".into(),
            matter_version: version,
            applicant,
            materials: vec![],
        },
        EventKind::Accepted { tolerated: None },
    ];
    if !n.is_multiple_of(30) {
        if n.is_multiple_of(7) {
            kinds.push(EventKind::RoutedToDepartment {
                department: "民政局".into(),
                part: "审核".into(),
                stage_limit_days: None,
            });
            kinds.push(EventKind::OpinionGiven {
                department: "民政局".into(),
                agree: true,
                text: "同意".into(),
            });
        }
        kinds.push(EventKind::Concluded);
        kinds.push(EventKind::Delivered { recipient: None });
    }
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, k)| (id.clone(), CaseEvent::new(at_ms + i as u64 * 3_600_000, k)))
        .collect()
}

/// Fills the county through its write path; returns (ops, refused, logical bytes).
fn fill(core: &NodeCore, args: &CountyScaleArgs, now: u64) -> anyhow::Result<(u64, usize, u64)> {
    let per_town = args.cases.div_ceil(args.townships);
    let (mut ops, mut refused, mut bytes) = (0u64, 0usize, 0u64);
    let started = Instant::now();
    for t in 0..args.townships {
        let town = NodeId::township(&format!("T{:02}", t + 1)).context("township id")?;
        let mut seq = 0u64;
        let mut batch = Vec::new();
        for n in 1..=per_town {
            // Ten years back to today; open cases are recent.
            let age_days = if n.is_multiple_of(30) {
                n % 3
            } else {
                (per_town - n) * 3650 / per_town + 3
            };
            let at = now - age_days * DAY_MS - 8 * 3_600_000;
            for (id, event) in case_events(n, &town, &core.county_code, at) {
                seq += 1;
                let op = Operation {
                    id: OpId {
                        origin: town.clone(),
                        seq,
                    },
                    hlc: Hlc {
                        wall_ms: event.at_ms,
                        logical: 0,
                    },
                    entity: EntityId::Case(id),
                    body: OpBody::Case(event),
                }
                .encode();
                bytes += op.bytes.len() as u64;
                batch.push(op);
            }
            if n.is_multiple_of(args.batch) || n == per_town {
                ops += batch.len() as u64;
                let cursor = Cursor {
                    incarnation: [t as u8; 16],
                    seq,
                };
                let source = Source::Peer {
                    node: town.clone(),
                    cursor,
                };
                let report = core.store.apply(source, std::mem::take(&mut batch))?;
                refused += report.refused.len();
            }
        }
        progress(&format!(
            "township {} filled: {ops} operations in {:.0} s",
            t + 1,
            started.elapsed().as_secs_f64()
        ));
    }
    Ok((ops, refused, bytes))
}

fn p99_ms(mut f: impl FnMut() -> anyhow::Result<()>, reads: usize) -> anyhow::Result<f64> {
    let mut times = Vec::with_capacity(reads);
    for _ in 0..reads.max(1) {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = ((times.len() as f64) * 0.99).ceil() as usize;
    Ok(round3(times[at.clamp(1, times.len()) - 1]))
}

pub async fn run_county_scale(args: &CountyScaleArgs) -> anyhow::Result<CountyScale> {
    ensure!(
        args.townships > 0 && args.batch > 0,
        "--townships and --batch must be positive"
    );
    let net = Net::new();
    let county = net.county(0).await;
    let now = now_ms();
    let fill_started = Instant::now();
    let (ops, refused, logical_bytes) = {
        let core = county.core().clone();
        let args = args_copy(args);
        tokio::task::spawn_blocking(move || fill(&core, &args, now)).await??
    };
    let fill_s = round3(fill_started.elapsed().as_secs_f64());
    let core = county.core().clone();
    let page_args = args_copy(args);
    let measured = tokio::task::spawn_blocking(move || measure(&core, page_args)).await??;
    let port = county.port();
    let restart = Instant::now();
    county.stop().await;
    let again = net.county(port).await;
    let restart_s = round3(restart.elapsed().as_secs_f64());
    let disk_bytes = again.core().store.disk_bytes();
    let core = again.core().clone();
    progress("timing the full fold every pass used to run");
    let (full_fold_s, full_fold_rss_mib) =
        tokio::task::spawn_blocking(move || full_fold(&core)).await??;
    again.stop().await;
    Ok(CountyScale {
        cases: args.cases,
        townships: args.townships,
        ops,
        refused,
        fill_s,
        restart_s,
        disk_bytes,
        logical_bytes,
        full_fold_s,
        full_fold_rss_mib,
        machine_load: sys::loadavg(),
        ..measured
    })
}

fn args_copy(args: &CountyScaleArgs) -> CountyScaleArgs {
    CountyScaleArgs {
        json: args.json,
        cases: args.cases,
        townships: args.townships,
        batch: args.batch,
        page_reads: args.page_reads,
    }
}

/// The pass, the pages and status on the filled county.
fn measure(core: &NodeCore, args: CountyScaleArgs) -> anyhow::Result<CountyScale> {
    let rss_at_rest_mib = round3(sys::rss().now_mib);
    let sampler = RssSampler::start();
    progress("first supervision pass (checks every case)");
    let t = Instant::now();
    let first = core.pass_once(false)?;
    let first_pass_s = round3(t.elapsed().as_secs_f64());
    progress("supervision pass with nothing new");
    let t = Instant::now();
    let quiet = core.pass_once(false)?;
    let pass_nothing_new_s = round3(t.elapsed().as_secs_f64());
    let pass_peak_rss_mib = round3(sampler.max_mib());
    let reader = crate::reader();
    let town = "T01";
    let page_by_centre_p99_ms = p99_ms(
        || {
            let lines = core.list_cases(&reader, Lang::Zh, Some(town), &CaseFilter::default())?;
            std::hint::black_box(lines.into_iter().take(50).count());
            Ok(())
        },
        args.page_reads.min(5),
    )?;
    let red = CaseFilter {
        warning: Some(WarningColour::Red),
        ..CaseFilter::default()
    };
    let page_red_p99_ms = p99_ms(
        || {
            let lines = core.list_cases(&reader, Lang::Zh, None, &red)?;
            std::hint::black_box(lines.into_iter().take(50).count());
            Ok(())
        },
        args.page_reads,
    )?;
    let t = Instant::now();
    core.status()?;
    let status_ms = round3(t.elapsed().as_secs_f64() * 1000.0);
    Ok(CountyScale {
        cases: 0,
        townships: 0,
        ops: 0,
        refused: 0,
        fill_s: 0.0,
        rss_at_rest_mib,
        first_pass_s,
        first_pass_checked: first.checked,
        first_pass_flagged: first.flagged,
        pass_nothing_new_s,
        pass_nothing_new_checked: quiet.checked,
        pass_peak_rss_mib,
        page_by_centre_p99_ms,
        page_red_p99_ms,
        status_ms,
        restart_s: 0.0,
        disk_bytes: 0,
        logical_bytes: 0,
        full_fold_s: 0.0,
        full_fold_rss_mib: 0.0,
        machine_load: String::new(),
    })
}

/// What a pass did before: every case read into memory, each folded.
fn full_fold(core: &NodeCore) -> anyhow::Result<(f64, f64)> {
    let t = Instant::now();
    let all = core.list_cases(&crate::reader(), Lang::Zh, None, &CaseFilter::default())?;
    let held = sys::rss().now_mib;
    std::hint::black_box(all.len());
    Ok((round3(t.elapsed().as_secs_f64()), round3(held)))
}

impl CountyScale {
    pub fn table(&self) -> String {
        format!(
            "cases {} from {} townships ({} ops, {} refused), filled in {:.1} s\n\
             RSS at rest {:.1} MiB, peak during passes {:.1} MiB\n\
             first pass {:.3} s ({} checked, {} flagged); pass with nothing new {:.3} s ({} checked)\n\
             page by centre p99 {:.1} ms, red page p99 {:.1} ms, status {:.1} ms, restart {:.2} s\n\
             disk {} bytes for {} bytes of operations\n\
             full fold (the old pass) {:.3} s, RSS while held {:.1} MiB; load {}\n",
            self.cases,
            self.townships,
            self.ops,
            self.refused,
            self.fill_s,
            self.rss_at_rest_mib,
            self.pass_peak_rss_mib,
            self.first_pass_s,
            self.first_pass_checked,
            self.first_pass_flagged,
            self.pass_nothing_new_s,
            self.pass_nothing_new_checked,
            self.page_by_centre_p99_ms,
            self.page_red_p99_ms,
            self.status_ms,
            self.restart_s,
            self.disk_bytes,
            self.logical_bytes,
            self.full_fold_s,
            self.full_fold_rss_mib,
            self.machine_load
        )
    }
}
