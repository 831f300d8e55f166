//! The applicant (申请人) of a submission: name, document and number,
//! phone, address, and for an organisation its legal representative
//! (法定代表人); an agent (代理人) applying on the applicant's behalf is
//! recorded as such. Every field but the document type is [`Personal`].
//!
//! Layout: inside [`super::EventKind::Submitted`] the applicant is written
//! in its first layout, the four fields it had before documents were typed
//! (`first_layout`), so a resident-ID applicant without agent or legal
//! representative keeps its bytes and old bodies their hashes. The rest —
//! [`ApplicantIdentity`] — travels beside the event in its own wire variant
//! (`op::wire`). For any other applicant the first layout is followed by
//! the identity so that two different applicants never encode alike (the
//! record's tiebreak compares encodings); that form is never decoded.

use serde::{Deserialize, Serialize};

use crate::applicant::IdType;
use liandong_model::Personal;

/// The applicant; every field but `id_type` is personal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: Personal<String>,
    pub id_number: Personal<String>,
    pub phone: Personal<String>,
    pub address: Personal<String>,
    /// The document `id_number` belongs to (居民身份证 unless chosen).
    #[serde(default)]
    pub id_type: IdType,
    /// 法定代表人, for an organisation (统一社会信用代码).
    #[serde(default)]
    pub legal_representative: Option<Personal<String>>,
    /// 代理人, when someone applies on the applicant's behalf.
    #[serde(default)]
    pub agent: Option<Agent>,
}

/// 代理人: a person applying on the applicant's behalf, with the document
/// they showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub name: Personal<String>,
    pub id_type: IdType,
    pub id_number: Personal<String>,
}

/// What an applicant says beyond the first layout.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicantIdentity {
    pub id_type: IdType,
    pub legal_representative: Option<Personal<String>>,
    pub agent: Option<Agent>,
}

impl ApplicantIdentity {
    /// A resident ID, no legal representative, no agent.
    pub fn is_default(&self) -> bool {
        *self == ApplicantIdentity::default()
    }
}

impl Applicant {
    /// An applicant with a resident ID card, applying in person.
    pub fn resident(name: &str, id_number: &str, phone: &str, address: &str) -> Self {
        Applicant {
            name: Personal::new(name.to_string()),
            id_number: Personal::new(id_number.to_string()),
            phone: Personal::new(phone.to_string()),
            address: Personal::new(address.to_string()),
            id_type: IdType::ResidentId,
            legal_representative: None,
            agent: None,
        }
    }

    /// Whether the first layout says everything (resident ID, no legal
    /// representative, no agent).
    pub fn has_first_layout(&self) -> bool {
        self.id_type == IdType::ResidentId
            && self.legal_representative.is_none()
            && self.agent.is_none()
    }

    /// Takes out what the first layout cannot say.
    pub fn take_identity(&mut self) -> ApplicantIdentity {
        ApplicantIdentity {
            id_type: std::mem::take(&mut self.id_type),
            legal_representative: self.legal_representative.take(),
            agent: self.agent.take(),
        }
    }

    /// Puts back what [`Applicant::take_identity`] took out.
    pub fn set_identity(&mut self, identity: ApplicantIdentity) {
        self.id_type = identity.id_type;
        self.legal_representative = identity.legal_representative;
        self.agent = identity.agent;
    }
}

/// The applicant inside a submission (see the module doc).
pub(super) mod first_layout {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Agent, Applicant, IdType};
    use liandong_model::Personal;

    #[derive(Serialize)]
    struct FirstRef<'a> {
        name: &'a Personal<String>,
        id_number: &'a Personal<String>,
        phone: &'a Personal<String>,
        address: &'a Personal<String>,
    }

    #[derive(Serialize)]
    struct IdentityRef<'a> {
        id_type: IdType,
        legal_representative: &'a Option<Personal<String>>,
        agent: &'a Option<Agent>,
    }

    #[derive(Deserialize)]
    struct First {
        name: Personal<String>,
        id_number: Personal<String>,
        phone: Personal<String>,
        address: Personal<String>,
    }

    pub fn serialize<S: Serializer>(a: &Applicant, s: S) -> Result<S::Ok, S::Error> {
        let first = FirstRef {
            name: &a.name,
            id_number: &a.id_number,
            phone: &a.phone,
            address: &a.address,
        };
        if a.has_first_layout() {
            return first.serialize(s);
        }
        let rest = IdentityRef {
            id_type: a.id_type,
            legal_representative: &a.legal_representative,
            agent: &a.agent,
        };
        (first, rest).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Applicant, D::Error> {
        let First {
            name,
            id_number,
            phone,
            address,
        } = First::deserialize(d)?;
        Ok(Applicant {
            name,
            id_number,
            phone,
            address,
            id_type: IdType::ResidentId,
            legal_representative: None,
            agent: None,
        })
    }
}
