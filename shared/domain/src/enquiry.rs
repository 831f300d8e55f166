//! First-asked enquiries (首问负责), DOMAIN.md §6: the first staff member
//! asked records the enquiry and how it was handled, even when the matter
//! is not handled at this centre; then the competent centre is named.
//! The one who records may be an AB岗 stand-in acting for an absent
//! colleague, recorded as such ([`Enquiry::acting_for`]).
//!
//! An enquiry is one record ([`EntityId::Enquiry`](liandong_model::EntityId::Enquiry),
//! written once where it was asked: that centre and the county hold it).
//! [`check_enquiry`] refuses a broken record where it is written; the same
//! check names what is wrong with one that arrives broken.

use serde::{Deserialize, Serialize};

use crate::refusal::StaffRefusal;

/// How a first-asked enquiry was handled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Handling {
    /// Handled (or guided through) at this centre.
    HandledHere { note: String },
    /// Not handled here: the competent centre or department is named.
    Referred {
        competent_centre: String,
        note: String,
    },
}

/// A first-asked enquiry as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enquiry {
    /// Business time, Unix ms.
    pub at_ms: u64,
    /// The staff id of the first person asked (who records it).
    pub asked: String,
    /// The absent colleague the recorder stands in for (AB岗), if any.
    pub acting_for: Option<String>,
    /// What was asked.
    pub topic: String,
    pub handling: Handling,
}

/// Checks an enquiry where it is recorded (and one that arrived).
pub fn check_enquiry(enquiry: &Enquiry) -> Result<(), StaffRefusal> {
    let empty = |field: &str| StaffRefusal::Empty {
        field: field.to_string(),
    };
    if enquiry.asked.trim().is_empty() {
        return Err(empty("staff id"));
    }
    if enquiry.topic.trim().is_empty() {
        return Err(empty("enquiry"));
    }
    if enquiry.acting_for.as_deref() == Some(enquiry.asked.as_str()) {
        return Err(StaffRefusal::StandInForSelf {
            staff: enquiry.asked.clone(),
        });
    }
    if let Handling::Referred {
        competent_centre, ..
    } = &enquiry.handling
    {
        if competent_centre.trim().is_empty() {
            return Err(StaffRefusal::NoCompetentCentre);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enquiry(handling: Handling) -> Enquiry {
        Enquiry {
            at_ms: 0,
            asked: "S_01".into(),
            acting_for: None,
            topic: "办理林木采伐许可".into(),
            handling,
        }
    }

    #[test]
    fn an_enquiry_not_handled_here_must_name_the_competent_centre() {
        let referred = |centre: &str| {
            enquiry(Handling::Referred {
                competent_centre: centre.into(),
                note: "请到县林业局窗口".into(),
            })
        };
        assert_eq!(
            check_enquiry(&referred(" ")),
            Err(StaffRefusal::NoCompetentCentre)
        );
        check_enquiry(&referred("HQ")).unwrap();
    }

    #[test]
    fn a_stand_in_is_recorded_acting_for_an_absent_colleague_not_for_themself() {
        let mut e = enquiry(Handling::HandledHere {
            note: "当场办理".into(),
        });
        e.acting_for = Some("S_02".into());
        check_enquiry(&e).unwrap();
        e.acting_for = Some("S_01".into());
        assert_eq!(
            check_enquiry(&e),
            Err(StaffRefusal::StandInForSelf {
                staff: "S_01".into()
            })
        );
    }
}
