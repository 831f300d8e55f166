//! The partitions of a fault run, drawn from a seed so a run can be
//! replayed: each township's link is cut and healed back to back through a
//! window, and the county's bridge goes down once (every township cut at
//! once). A cut is long (it outlasts the transport's keepalive, so the link
//! must be re-established) or short (TCP may ride it out), at either end of
//! the link.
//!
//! Invariants: every cut heals before the window ends; the same seed draws
//! the same cuts; the steps come in time order, each cut's down before its
//! up. It only plans: [`super::Lab`] carries the steps out.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::End;

/// The shape of a run's partitions; durations in milliseconds are drawn
/// uniformly from each inclusive range.
#[derive(Debug, Clone)]
pub struct CutPlan {
    /// Every cut starts and heals within this window.
    pub window: Duration,
    pub long_ms: (u64, u64),
    pub short_ms: (u64, u64),
    /// Link time between two cuts of one township.
    pub gap_ms: (u64, u64),
    /// Chance that a cut after a township's first is long.
    pub long_chance: f64,
    /// When the county's bridge goes down, and for how long.
    pub county_cut_at: Duration,
    pub county_cut: Duration,
}

/// One partition of one township's link.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    pub town: &'static str,
    pub at: Duration,
    pub lasts: Duration,
    pub end: End,
    pub long: bool,
}

/// What happens at one moment of the window.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Down(Cut),
    Up(Cut),
    CountyDown,
    CountyUp,
}

impl CutPlan {
    /// Each township's cuts from 2 s (staggered by half a second), with a
    /// gap between two; the first cut of every other township is long, so a
    /// run always re-establishes some links. Ends are drawn at random.
    pub fn draw(&self, towns: &[&'static str], seed: u64) -> Vec<Cut> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut cuts = Vec::new();
        for (i, &town) in towns.iter().enumerate() {
            let mut t = Duration::from_millis(2_000 + 500 * i as u64);
            let mut long = i % 2 == 0;
            loop {
                let (lo, hi) = if long { self.long_ms } else { self.short_ms };
                let lasts = Duration::from_millis(rng.random_range(lo..=hi));
                if t + lasts + Duration::from_secs(1) > self.window {
                    break;
                }
                let end = if rng.random_bool(0.5) {
                    End::County
                } else {
                    End::Township
                };
                cuts.push(Cut {
                    town,
                    at: t,
                    lasts,
                    end,
                    long,
                });
                let gap = rng.random_range(self.gap_ms.0..=self.gap_ms.1);
                t += lasts + Duration::from_millis(gap);
                long = rng.random_bool(self.long_chance);
            }
        }
        cuts
    }

    /// The cuts and the county's cut as steps, in time order.
    pub fn steps(&self, cuts: &[Cut]) -> Vec<(Duration, Step)> {
        let mut steps: Vec<(Duration, Step)> = cuts
            .iter()
            .flat_map(|c| {
                [
                    (c.at, Step::Down(c.clone())),
                    (c.at + c.lasts, Step::Up(c.clone())),
                ]
            })
            .collect();
        steps.push((self.county_cut_at, Step::CountyDown));
        steps.push((self.county_cut_at + self.county_cut, Step::CountyUp));
        // Stable: a cut's down stays before its up even if both fall at once.
        steps.sort_by_key(|(at, _)| *at);
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOWNS: [&str; 4] = ["T01", "T02", "T03", "T04"];

    fn plan() -> CutPlan {
        CutPlan {
            window: Duration::from_secs(60),
            long_ms: (18_000, 22_000),
            short_ms: (1_500, 5_000),
            gap_ms: (3_000, 7_000),
            long_chance: 0.25,
            county_cut_at: Duration::from_secs(33),
            county_cut: Duration::from_secs(6),
        }
    }

    #[test]
    fn every_cut_heals_inside_the_window_and_one_seed_draws_the_same_cuts() {
        for seed in 0..200 {
            let cuts = plan().draw(&TOWNS, seed);
            assert_eq!(cuts, plan().draw(&TOWNS, seed), "seed {seed}");
            for c in &cuts {
                assert!(c.at + c.lasts < plan().window, "seed {seed}: {c:?}");
                let ms = c.lasts.as_millis() as u64;
                let (lo, hi) = if c.long {
                    plan().long_ms
                } else {
                    plan().short_ms
                };
                assert!((lo..=hi).contains(&ms), "seed {seed}: {c:?}");
            }
        }
    }

    #[test]
    fn every_other_township_starts_with_a_long_cut() {
        let cuts = plan().draw(&TOWNS, 7);
        for (i, town) in TOWNS.iter().enumerate() {
            let first = cuts.iter().find(|c| c.town == *town).expect("a cut");
            assert_eq!(first.long, i % 2 == 0, "{first:?}");
        }
    }

    #[test]
    fn a_townships_cuts_do_not_overlap_and_steps_come_down_before_up() {
        let plan = plan();
        let cuts = plan.draw(&TOWNS, 11);
        for town in TOWNS {
            let mine: Vec<&Cut> = cuts.iter().filter(|c| c.town == town).collect();
            for pair in mine.windows(2) {
                assert!(pair[0].at + pair[0].lasts < pair[1].at, "{pair:?}");
            }
        }
        let steps = plan.steps(&cuts);
        assert_eq!(steps.len(), 2 * cuts.len() + 2);
        assert!(steps.windows(2).all(|w| w[0].0 <= w[1].0));
        for cut in &cuts {
            let down = steps
                .iter()
                .position(|(_, s)| *s == Step::Down(cut.clone()));
            let up = steps.iter().position(|(_, s)| *s == Step::Up(cut.clone()));
            assert!(down < up, "{cut:?}");
        }
    }
}
