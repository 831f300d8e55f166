//! 好差评 through the applicant's channel: an evaluation is never recorded
//! by staff. When a case is concluded the node prints a one-time code for
//! the applicant (only its digest goes into the case, as an
//! `EvaluationInvited` event); whoever holds the code evaluates the case
//! once, with no staff session, and the evaluation has no recorder. The
//! consoles' kiosk page will call the same function.
//!
//! Wrong codes are counted like failed sign-ins (per case and source; five
//! in 15 minutes lock the case's evaluation for 15 minutes), so the code
//! cannot be guessed through the socket.

use super::cases::code_digest;
use crate::error::{Forbidden, NodeError};
use crate::{CaseDetail, NodeCore};
use liandong_domain::{check, CaseEvent, EventKind, Lang, OpBody, Refusal};
use liandong_model::{EntityId, Personal};

impl NodeCore {
    /// Records the applicant's evaluation of `case` with the code printed
    /// at its conclusion.
    pub fn evaluate(
        &self,
        lang: Lang,
        case: &str,
        code: &str,
        level: u8,
        text: &str,
        source: &str,
    ) -> Result<CaseDetail, NodeError> {
        let now = self.now_ms();
        let account = format!("evaluation:{case}");
        if let Some(until_ms) = self.identity.lockout().locked_until(&account, now) {
            return Err(NodeError::not_permitted(Forbidden::Locked { until_ms }));
        }
        let stored = self.load_case(case)?;
        let digest = code_digest(code);
        let superseded = stored.record.superseded();
        let invited = stored.record.iter().any(|(op, e)| {
            !superseded.contains(op)
                && matches!(&e.event.kind, EventKind::EvaluationInvited { code_digest } if *code_digest == digest)
        });
        if !invited {
            self.identity
                .lockout()
                .record_failure(&account, source, now);
            return Err(NodeError::Refused(Refusal::WrongEvaluationCode));
        }
        let event = CaseEvent::new(
            now,
            EventKind::Evaluated {
                level,
                text: Personal::new(text.trim().to_string()),
                evaluator: Personal::new(String::new()),
            },
        );
        let reg = self.registry()?;
        let ctx = reg.context(reg.matter_of(&stored.record), None);
        check(&stored.record, &event, &ctx)?;
        self.store.append_local(
            vec![(EntityId::Case(stored.id.clone()), OpBody::Case(event))],
            now,
        )?;
        self.identity.lockout().record_success(&account, source);
        let (stored, state) = self.case_state(case)?;
        Ok(crate::output::detail(&stored, &state, lang))
    }
}
