//! Reads of e-supervision and staff management: complaints and enquiries
//! (as this node holds them: its own, or at the county every centre's),
//! the hall's assessments and incentive points (county data).

use super::super::views::{ComplaintView, EnquiryView};
use super::super::{decode, keys, Store, StoreError};
use liandong_domain::assessment::{AssessmentEntry, Points};
use liandong_model::{EntityId, NodeId};

impl Store {
    /// One complaint, by the centre that received it and its number there.
    pub fn complaint(
        &self,
        centre: &NodeId,
        number: &str,
    ) -> Result<Option<ComplaintView>, StoreError> {
        let key = EntityId::Complaint(centre.clone(), number.to_string()).key();
        match self.db.get(keys::view(&key))? {
            Some(v) => decode("complaint", &v).map(Some),
            None => Ok(None),
        }
    }

    /// Every complaint held, by centre and number.
    pub fn complaints(&self) -> Result<Vec<ComplaintView>, StoreError> {
        let mut out: Vec<ComplaintView> = Vec::new();
        for item in self.db.scan_prefix(keys::view_prefix("complaint")) {
            out.push(decode("complaint", &item?.1)?);
        }
        out.sort_by(|a, b| (&a.centre, &a.number).cmp(&(&b.centre, &b.number)));
        Ok(out)
    }

    /// Every enquiry held, by centre and number.
    pub fn enquiries(&self) -> Result<Vec<EnquiryView>, StoreError> {
        let mut out: Vec<EnquiryView> = Vec::new();
        for item in self.db.scan_prefix(keys::view_prefix("enquiry")) {
            out.push(decode("enquiry", &item?.1)?);
        }
        out.sort_by(|a, b| (&a.centre, &a.number).cmp(&(&b.centre, &b.number)));
        Ok(out)
    }

    /// The assessment of one period, as it stands.
    pub fn assessment(&self, period: &str) -> Result<Option<AssessmentEntry>, StoreError> {
        let key = EntityId::Assessment(period.to_string()).key();
        match self.db.get(keys::view(&key))? {
            Some(v) => decode("assessment", &v),
            None => Ok(None),
        }
    }

    /// A staff member's incentive points in one period.
    pub fn points(&self, staff: &str, period: &str) -> Result<Points, StoreError> {
        let key = EntityId::Points(staff.to_string(), period.to_string()).key();
        match self.db.get(keys::view(&key))? {
            Some(v) => decode("incentive points", &v),
            None => Ok(Points::default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::{Cursor, Source, StoreOptions};
    use super::*;
    use liandong_domain::assessment::PointsEntry;
    use liandong_domain::complaint::{
        fold_complaint, ComplaintEvent, ComplaintKind, ComplaintSubject,
    };
    use liandong_domain::{OpBody, Operation};
    use liandong_model::{EncodedOp, Hlc, OpId, Personal, Rejection};

    fn county() -> NodeId {
        NodeId::county("HQ").unwrap()
    }

    fn t01() -> NodeId {
        NodeId::township("T01").unwrap()
    }

    fn entity() -> EntityId {
        EntityId::Complaint(t01(), "TS-1".into())
    }

    fn from_t01(seq: u64, kind: ComplaintKind) -> (Source, Vec<EncodedOp>) {
        let op = Operation {
            id: OpId { origin: t01(), seq },
            hlc: Hlc {
                wall_ms: 1_000 + seq,
                logical: 0,
            },
            entity: entity(),
            body: OpBody::Complaint(ComplaintEvent {
                at_ms: 1_000,
                by: "S_01".into(),
                kind,
            }),
        }
        .encode();
        let source = Source::Peer {
            node: t01(),
            cursor: Cursor {
                incarnation: [7; 16],
                seq,
            },
        };
        (source, vec![op])
    }

    #[test]
    fn the_county_holds_a_townships_complaint_with_its_answer_and_refuses_a_townships_answer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &county(), &StoreOptions::default()).unwrap();
        let (source, ops) = from_t01(
            1,
            ComplaintKind::Received {
                subject: ComplaintSubject::Centre("T01".into()),
                complainant: Personal::new("王五".into()),
                text: Personal::new("窗口无人".into()),
                answer_days: 5,
            },
        );
        assert_eq!(store.apply(source, ops).unwrap().applied.len(), 1);
        let answer = ComplaintKind::Answered {
            answer: "已约谈".into(),
        };
        let body = OpBody::Complaint(ComplaintEvent {
            at_ms: 2_000,
            by: "SUP1".into(),
            kind: answer.clone(),
        });
        store.append_local(vec![(entity(), body)], 2_000).unwrap();
        let (source, ops) = from_t01(2, answer);
        let report = store.apply(source, ops).unwrap();
        assert!(matches!(
            report.refused.as_slice(),
            [(_, Rejection::CountyOnly { .. })]
        ));
        let view = store.complaint(&t01(), "TS-1").unwrap().unwrap();
        assert_eq!(view.events.len(), 2);
        let state = fold_complaint(&view.events);
        assert!(state.anomalies.is_empty());
        assert_eq!(state.answer.unwrap().by, "SUP1");
        assert_eq!(store.complaints().unwrap(), vec![view]);
    }

    #[test]
    fn incentive_points_written_at_the_county_add_up_in_their_view() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &county(), &StoreOptions::default()).unwrap();
        let entity = EntityId::Points("S_01".into(), "2026-12".into());
        let entry = |points| {
            OpBody::PointsAdd(PointsEntry {
                staff: "S_01".into(),
                period: "2026-12".into(),
                points,
                reason: "群众表扬".into(),
                by: "HM1".into(),
            })
        };
        store
            .append_local(vec![(entity.clone(), entry(5)), (entity, entry(-2))], 1_000)
            .unwrap();
        let points = store.points("S_01", "2026-12").unwrap();
        assert_eq!(points.total(), 3);
        assert_eq!(points.entries.len(), 2);
    }
}
