//! The crash loop's ledger: every case and operation a clerk was told is
//! done, and the checks the loop ends with.
//!
//! A clerk command is acknowledged when it exited 0 and printed the case
//! (`--json`): every operation in the history it printed is then durable at
//! the node that answered, and must never be lost. A command that failed
//! (the node was down, or killed while the command ran) acknowledged
//! nothing; what it asked for may or may not have happened, so the only
//! thing the checks allow for it is one unacknowledged case per failed
//! command that would have opened one.
//!
//! Also here: the backlog written straight into a stopped township's store
//! (one durable `append_local`, as a window would write while the link is
//! down for long), so that a restart starts a bulk transfer the next kill
//! can interrupt. Those cases are acknowledged when the append returns.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use liandong_domain::{Applicant, CaseEvent, EventKind, OpBody, Stamp};
use liandong_model::{CaseId, EntityId, Hlc, NodeId, OpId};
use liandong_store::{Store, StoreOptions};
use serde_json::Value;

/// Which node a clerk works at (or a kill hits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    County,
    Township,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::County => "county",
            Side::Township => "township",
        }
    }
}

/// What the clerks were told about one case.
#[derive(Debug, Clone)]
pub struct AckedCase {
    pub origin: Side,
    /// The township holds it: its own, or routed to it for an opinion
    /// (the route was acknowledged).
    pub at_township: bool,
    /// Every operation an acknowledged reply listed (`ORIGIN#SEQ`).
    pub ops: BTreeSet<String>,
}

/// Clerk commands at one node, by outcome.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    /// Exited 0 and printed the case.
    pub acknowledged: u64,
    /// Reached their node, which was killed before it answered (not
    /// acknowledged: the write may or may not have happened).
    pub cut: u64,
    /// Found their node down (not running, or killed before they reached it).
    pub down: u64,
    /// A township's opinion on a routed case that had not arrived yet.
    pub not_yet_arrived: u64,
}

/// What the clerks were told, how their commands ended, and what went
/// wrong with no kill to explain it.
#[derive(Debug, Default)]
pub struct Ledger {
    pub cases: BTreeMap<String, AckedCase>,
    pub county: Tally,
    pub township: Tally,
    /// Failed commands that would have opened a case, by the node asked.
    pub unacknowledged_new: BTreeMap<Side, u64>,
    /// Failed routes (each may have sent its case to the township).
    pub unacknowledged_routes: u64,
    /// Cases written as backlogs into the stopped township's store.
    pub backlog_cases: u64,
    /// Commands that failed or answered wrongly with no kill to explain it.
    pub problems: Vec<String>,
}

impl Ledger {
    pub fn tally(&mut self, side: Side) -> &mut Tally {
        match side {
            Side::County => &mut self.county,
            Side::Township => &mut self.township,
        }
    }

    /// Records an acknowledged reply (a case as `--json` prints it); its id.
    /// A reply that opened a case must name a case no earlier reply named,
    /// and every reply must list at least one operation no earlier reply
    /// listed (the step it acknowledges): otherwise a number was reused.
    pub fn acknowledge(
        &mut self,
        reply: &Value,
        opened: bool,
        routed: bool,
    ) -> Result<String, String> {
        let id = reply["id"]
            .as_str()
            .ok_or_else(|| format!("no `id` in an acknowledged reply: {reply}"))?;
        let origin = match reply["origin"].as_str() {
            Some(o) if o.starts_with("township/") => Side::Township,
            Some(o) if o.starts_with("county/") => Side::County,
            _ => return Err(format!("no known `origin` in the reply for {id}: {reply}")),
        };
        let ops = reply["history"]
            .as_array()
            .ok_or_else(|| format!("no `history` in the reply for {id}"))?
            .iter()
            .map(|h| h["op"].as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| format!("a history line of {id} names no `op`"))?;
        if opened && self.cases.contains_key(id) {
            return Err(format!(
                "a new application got the id of acknowledged case {id}"
            ));
        }
        let case = self.cases.entry(id.to_string()).or_insert(AckedCase {
            origin,
            at_township: origin == Side::Township,
            ops: BTreeSet::new(),
        });
        let before = case.ops.len();
        case.at_township |= routed;
        case.ops.extend(ops);
        if case.ops.len() == before {
            return Err(format!(
                "the acknowledged reply for {id} lists no operation beyond those already acknowledged"
            ));
        }
        Ok(id.to_string())
    }

    /// Takes in the cases of a backlog written apart (see [`write_backlog`]).
    pub fn merge_backlog(&mut self, backlog: Ledger) -> Result<(), String> {
        for (id, case) in backlog.cases {
            if self.cases.insert(id.clone(), case).is_some() {
                return Err(format!(
                    "a backlog application got the id of acknowledged case {id}"
                ));
            }
        }
        self.backlog_cases += backlog.backlog_cases;
        Ok(())
    }

    /// Cases the county must hold.
    pub fn at_county(&self) -> BTreeSet<&str> {
        self.cases.keys().map(String::as_str).collect()
    }

    /// Cases the township must hold.
    pub fn at_township(&self) -> BTreeSet<&str> {
        self.cases
            .iter()
            .filter(|(_, c)| c.at_township)
            .map(|(id, _)| id.as_str())
            .collect()
    }

    /// How many cases the township may hold that no clerk was told of.
    pub fn extra_allowed_at_township(&self) -> u64 {
        self.unacknowledged_new
            .get(&Side::Township)
            .copied()
            .unwrap_or(0)
            + self.unacknowledged_routes
    }

    /// How many cases the county may hold that no clerk was told of.
    pub fn extra_allowed_at_county(&self) -> u64 {
        self.unacknowledged_new.values().sum()
    }

    /// Acknowledged cases opened at `side`.
    pub fn cases_from(&self, side: Side) -> usize {
        self.cases.values().filter(|c| c.origin == side).count()
    }

    pub fn operations(&self) -> usize {
        self.cases.values().map(|c| c.ops.len()).sum()
    }
}

/// Writes `n` new applications (one operation each, a few KiB) into the
/// stopped township `me`'s store at `dir` in one durable append; a ledger
/// of them as acknowledged (see [`Ledger::merge_backlog`]).
pub fn write_backlog(dir: &Path, me: &NodeId, n: u64) -> Result<Ledger, String> {
    let store = Store::open(dir, me, &StoreOptions::default())
        .map_err(|e| format!("the township's store does not open for the backlog: {e}"))?;
    let now = tests::now_ms();
    let date = liandong_node::cst_date(now);
    let mut first = 0;
    store
        .append_local_with(now, |first_seq| {
            first = first_seq;
            (0..n)
                .map(|i| application(me, &date, first_seq + i, now))
                .collect()
        })
        .map_err(|e| format!("the backlog append failed: {e}"))?;
    let mut ledger = Ledger {
        backlog_cases: n,
        ..Ledger::default()
    };
    for seq in first..first + n {
        let id = CaseId::new(COUNTY_CODE, me, &date, seq);
        let op = OpId {
            origin: me.clone(),
            seq,
        };
        ledger.cases.insert(
            id.as_str().to_string(),
            AckedCase {
                origin: Side::Township,
                at_township: true,
                ops: BTreeSet::from([op.to_string()]),
            },
        );
    }
    Ok(ledger)
}

/// The development county code every node of a scene uses.
const COUNTY_CODE: &str = "000000";

/// Padding for a backlog application: a real one carries applicant
/// fields and a materials list.
const ADDRESS: &str = "申请人称户籍迁移、社保转移接续及相关证明材料已按清单备齐，\
    窗口已核验身份证原件与复印件一致，告知承诺书已签署，\
    经办人提示申请人留意短信通知并按期领取办理结果；";

/// Copies of [`ADDRESS`] in a backlog application (a few KiB in all).
const BACKLOG_PADDING: usize = 2;

/// One application for matter M001 that opens case number `seq`.
fn application(me: &NodeId, date: &str, seq: u64, now_ms: u64) -> (EntityId, OpBody) {
    let case = CaseId::new(COUNTY_CODE, me, date, seq);
    let event = CaseEvent::new(
        now_ms,
        EventKind::Submitted {
            matter: "M001".into(),
            matter_version: Stamp {
                hlc: Hlc::default(),
                op: OpId {
                    origin: me.clone(),
                    seq: 0,
                },
            },
            applicant: Applicant::resident(
                "赵桂兰",
                &tests::resident_id((seq % 20_000_000) as u32),
                &format!("1380000{:04}", seq % 10_000),
                &ADDRESS.repeat(BACKLOG_PADDING),
            ),
            materials: vec![],
        },
    );
    (EntityId::Case(case), OpBody::Case(event))
}

/// A `case list --json` as case id → event count; fails on a case listed
/// twice.
pub fn listed(holder: &str, list: &Value) -> Result<BTreeMap<String, u64>, String> {
    let mut out = BTreeMap::new();
    for case in list
        .as_array()
        .ok_or_else(|| format!("{holder}: case list is not an array"))?
    {
        let id = case["id"]
            .as_str()
            .ok_or_else(|| format!("{holder}: a listed case has no id"))?;
        let events = case["events"].as_u64().unwrap_or(0);
        if out.insert(id.to_string(), events).is_some() {
            return Err(format!("{holder} lists case {id} twice"));
        }
    }
    Ok(out)
}

/// Every expected case is listed; at most `extra_allowed` others are.
pub fn holds_every_case(
    holder: &str,
    listed: &BTreeMap<String, u64>,
    expected: &BTreeSet<&str>,
    extra_allowed: u64,
) -> Result<(), String> {
    let missing: Vec<&&str> = expected
        .iter()
        .filter(|id| !listed.contains_key(**id))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{holder} lost {} acknowledged case(s), first {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        ));
    }
    let extra: Vec<&String> = listed
        .keys()
        .filter(|id| !expected.contains(id.as_str()))
        .collect();
    if extra.len() as u64 > extra_allowed {
        return Err(format!(
            "{holder} lists {} unacknowledged case(s) but only {extra_allowed} command(s) that could have opened one failed; first {:?}",
            extra.len(),
            &extra[..extra.len().min(5)]
        ));
    }
    Ok(())
}

/// Every acknowledged operation of the cases `wanted` is in `store`.
pub fn holds_every_operation(
    holder: &str,
    store: &Store,
    ledger: &Ledger,
    wanted: &BTreeSet<&str>,
) -> Result<usize, String> {
    let mut checked = 0;
    for id in wanted {
        for op in &ledger.cases[*id].ops {
            let parsed = parse_op(op)?;
            let held = store
                .contains(&parsed)
                .map_err(|e| format!("{holder}: reading {op}: {e}"))?;
            if !held {
                return Err(format!(
                    "{holder} lost acknowledged operation {op} of case {id}"
                ));
            }
            checked += 1;
        }
    }
    Ok(checked)
}

/// `township/T01#7` as an operation id.
fn parse_op(text: &str) -> Result<OpId, String> {
    let (origin, seq) = text
        .split_once('#')
        .ok_or_else(|| format!("operation `{text}` is not ORIGIN#SEQ"))?;
    Ok(OpId {
        origin: origin
            .parse()
            .map_err(|e| format!("operation `{text}`: {e}"))?,
        seq: seq
            .parse()
            .map_err(|e| format!("operation `{text}`: {e}"))?,
    })
}
