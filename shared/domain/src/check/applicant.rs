//! The applicant of a submission, checked where it is written and, for a
//! received one, shown as an anomaly: a name and a number, the number
//! right for its document (`crate::applicant`), a legal representative
//! exactly when an organisation applies, and an agent, when there is one,
//! with a name and a right number of their own.

use super::required;
use crate::applicant::{check_number, Holder, IdType};
use crate::calendar::cst_date;
use crate::event::Applicant;
use crate::refusal::{Refusal, RequiredField};

/// Whether `applicant` may be recorded in a submission made at `at_ms`.
pub(super) fn applicant(applicant: &Applicant, at_ms: u64) -> Result<(), Refusal> {
    required(applicant.name.expose(), RequiredField::ApplicantName)?;
    let on = cst_date(at_ms);
    let number = |holder: Holder, id_type: IdType, number: &str, field: RequiredField| {
        required(number, field)?;
        check_number(id_type, number, on).map_err(|fault| Refusal::DocumentNumber {
            holder,
            id_type,
            fault,
        })
    };
    number(
        Holder::Applicant,
        applicant.id_type,
        applicant.id_number.expose(),
        RequiredField::ApplicantIdNumber,
    )?;
    let representative = applicant.legal_representative.as_ref();
    match (applicant.id_type.is_organisation(), representative) {
        (true, None) => return Err(Refusal::Required(RequiredField::LegalRepresentative)),
        (true, Some(r)) => required(r.expose(), RequiredField::LegalRepresentative)?,
        (false, Some(_)) => {
            return Err(Refusal::LegalRepresentativeForPerson {
                id_type: applicant.id_type,
            })
        }
        (false, None) => {}
    }
    if let Some(agent) = &applicant.agent {
        required(agent.name.expose(), RequiredField::AgentName)?;
        number(
            Holder::Agent,
            agent.id_type,
            agent.id_number.expose(),
            RequiredField::AgentIdNumber,
        )?;
    }
    Ok(())
}
