//! The benchmark's operations: realistic case applications
//! (`EventKind::Submitted`) with an applicant's name, a valid-looking
//! 18-digit ID number and a phone number, all `Personal` fields. The event
//! has no free-text note any more, so the applicant's address carries the
//! padding (Chinese text) that makes each encoded operation about
//! `target_bytes` (1 KiB by default). Every operation opens its own case,
//! numbered by the bench (not by the store), so `Store::append_local` is
//! used exactly as a clerk's window would.

use liandong_domain::{Applicant, CaseEvent, EventKind, Stamp};
use liandong_domain::{OpBody, Operation};
use liandong_model::{CaseId, EntityId, Hlc, NodeId, OpId};
use liandong_node::cst_date;

const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 10] = [
    "伟", "秀英", "敏", "静", "丽娟", "强", "磊", "军", "洋", "桂兰",
];
const FILLER: &str = "申请人称户籍迁移、社保转移接续及相关证明材料已按清单备齐，\
    窗口已核验身份证原件与复印件一致，告知承诺书已签署，\
    经办人提示申请人留意短信通知并按期领取办理结果；";

/// Generates the bench's case applications for one township.
pub struct Workload {
    origin: NodeId,
    county_code: String,
    date: String,
    next_case: u64,
    note_bytes: usize,
}

impl Workload {
    pub fn new(origin: NodeId, county_code: &str, now_ms: u64, target_bytes: usize) -> Workload {
        let mut w = Workload {
            origin,
            county_code: county_code.to_string(),
            date: cst_date(now_ms),
            next_case: 1,
            note_bytes: 0,
        };
        // The note's length prefix and the varints vary: converge in a few steps.
        for _ in 0..4 {
            let len = w.encoded_len(now_ms);
            w.note_bytes = (w.note_bytes + target_bytes).saturating_sub(len);
        }
        w
    }

    /// One new case application.
    pub fn item(&mut self, now_ms: u64) -> (EntityId, OpBody) {
        let n = self.next_case;
        self.next_case += 1;
        let case = CaseId::new(&self.county_code, &self.origin, &self.date, n);
        let version = Stamp {
            hlc: Hlc::default(),
            op: OpId {
                origin: self.origin.clone(),
                seq: 0,
            },
        };
        let body = OpBody::Case(CaseEvent::new(
            now_ms,
            EventKind::Submitted {
                matter: format!("M{:03}", 1 + n % 40),
                matter_version: version,
                // The padding: a long address stands for the applicant
                // fields and material list of a real application.
                applicant: Applicant::resident(
                    &name(n),
                    &crate::resident_id((n % 20_000_000) as u32),
                    &format!("1380000{:04}", n % 10_000),
                    &note(n, self.note_bytes),
                ),
                materials: vec![],
            },
        ));
        (EntityId::Case(case), body)
    }

    pub fn chunk(&mut self, n: usize, now_ms: u64) -> Vec<(EntityId, OpBody)> {
        (0..n).map(|_| self.item(now_ms)).collect()
    }

    /// Encoded size of the next operation (as the store will hold it).
    pub fn encoded_len(&self, now_ms: u64) -> usize {
        let mut probe = Workload {
            origin: self.origin.clone(),
            county_code: self.county_code.clone(),
            date: self.date.clone(),
            next_case: self.next_case + 99_999,
            note_bytes: self.note_bytes,
        };
        let (entity, body) = probe.item(now_ms);
        Operation {
            id: OpId {
                origin: self.origin.clone(),
                seq: probe.next_case,
            },
            hlc: Hlc {
                wall_ms: now_ms,
                logical: 0,
            },
            entity,
            body,
        }
        .encode()
        .bytes
        .len()
    }
}

fn name(n: u64) -> String {
    let s = SURNAMES[(n % SURNAMES.len() as u64) as usize];
    let g = GIVEN[((n / SURNAMES.len() as u64) % GIVEN.len() as u64) as usize];
    format!("{s}{g}")
}

/// A note of exactly `bytes` bytes (UTF-8), different for every case.
pub(crate) fn note(n: u64, bytes: usize) -> String {
    let mut out = format!("第{n}号：");
    while out.len() < bytes {
        let room = bytes - out.len();
        match FILLER
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take_while(|&end| end <= room)
            .last()
        {
            Some(end) => out.push_str(&FILLER[..end]),
            None => out.push_str(&".".repeat(room)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_are_about_the_target_size_and_ids_are_well_formed() {
        let town = NodeId::township("T01").unwrap();
        let w = Workload::new(town, "410000", 1_764_000_000_000, 1024);
        let len = w.encoded_len(1_764_000_000_000);
        assert!((1000..=1048).contains(&len), "{len}");
        assert_eq!(note(3, 900).len(), 900);
    }
}
