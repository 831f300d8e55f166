//! The human table of `bench serving` (the JSON is the report itself).

use std::fmt::Write as _;

use super::{ServingReport, SETUP};

impl ServingReport {
    /// The human table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let m = &self.machine;
        let _ = writeln!(s, "Liandong serving benchmark");
        let _ = writeln!(s, "  setup:    {SETUP}");
        let _ = writeln!(
            s,
            "  machine:  {} cores, {}, {} MiB RAM, Linux {}",
            m.cores, m.cpu_model, m.mem_total_mib, m.kernel
        );
        let _ = writeln!(
            s,
            "  load:     {} at start, {} at end (1/5/15 min)",
            self.load_avg_at_start, self.load_avg_at_end
        );
        let wait = match self.waited_for_idle_county {
            true => "township started once the county went idle",
            false => "township started right after the county",
        };
        let _ = writeln!(
            s,
            "  workload: backlog of {} ops of ~{} bytes for T01; others' data {}x and 1x; {wait}; {} serve(s) per factor",
            self.backlog, self.op_bytes, self.factor, self.repeat
        );
        let _ = writeln!(s, "  county:   sled cache {} MiB", self.county_cache_mib);
        let _ = writeln!(s);
        for r in &self.runs {
            let _ = writeln!(
                s,
                "  {}x: county holds {} ops ({} townships, {:.1} MiB), backlog {}",
                r.factor, r.county_ops, r.townships, r.county_disk_mib, r.backlog
            );
            row(&mut s, "build (store API)", format!("{:.3} s", r.build_s));
            row(
                &mut s,
                "store level: read_outbox, cold",
                format!(
                    "{:.3} s, {:.0} ops/s ({} batches){}",
                    r.store_read_s,
                    r.store_ops_per_s,
                    r.store_read_batches,
                    samples(&r.store_read_s_samples)
                ),
            );
            row(
                &mut s,
                "  warm (best of three)",
                format!("{:.3} s", r.store_read_warm_s),
            );
            row(
                &mut s,
                "  after a whole-store case scan",
                format!(
                    "{:.3} s (the scan: {:.3} s)",
                    r.store_read_after_scan_s, r.store_case_scan_s
                ),
            );
            row(
                &mut s,
                "  store open after the build, then",
                format!("{:.3} s, {:.3} s", r.store_open_s, r.store_reopen_s),
            );
            for (i, x) in r.serves.iter().enumerate() {
                let recount = x
                    .county_first_recount_s
                    .map_or("after the serve".into(), |t| format!("{t:.3} s"));
                row(
                    &mut s,
                    &format!("serve {}: township start -> all held", i + 1),
                    format!("{:.3} s (link up at {:.3} s)", x.serve_s, x.link_up_s),
                );
                row(
                    &mut s,
                    "  county node start",
                    format!("{:.3} s", x.county_start_s),
                );
                row(&mut s, "  county's first supervision recount", recount);
                row(
                    &mut s,
                    "  CPU busy meanwhile",
                    format!(
                        "{:.2} of {} cores (whole process)",
                        x.cpu_cores_busy, m.cores
                    ),
                );
                row(
                    &mut s,
                    "  county's own writes while running",
                    x.county_writes_while_running.to_string(),
                );
            }
            row(
                &mut s,
                "end to end (median)",
                format!("{:.3} s, {:.0} ops/s", r.serve_s, r.serve_ops_per_s),
            );
        }
        let _ = writeln!(s);
        for r in &self.ratios {
            let met = if r.met { "yes" } else { "NO" };
            let _ = writeln!(
                s,
                "  {:<40} {:>8.3}  target {} met {met}",
                r.metric, r.measured, r.target
            );
        }
        s
    }
}

fn row(s: &mut String, name: &str, value: String) {
    let _ = writeln!(s, "    {name:<40} {value}");
}

/// The samples behind a median, when there are several.
fn samples(v: &[f64]) -> String {
    if v.len() < 2 {
        return String::new();
    }
    let each: Vec<String> = v.iter().map(|x| format!("{x:.3}")).collect();
    format!("; median of {}", each.join(", "))
}
