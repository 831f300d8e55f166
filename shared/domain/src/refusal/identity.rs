//! The wording of the refusals and anomalies about who recorded an event:
//! one match, Chinese and English side by side. An event's kind is named by
//! its label ([`EventTag::label`]) where the name is one this build knows.
//!
//! `event_name` (de)serialises the `&'static str` event names these
//! variants carry: written as the name, read back as the matching static
//! name of [`EventTag::name`], so a `Refusal` decodes from any buffer. A
//! name this build does not know fails to decode, naming it.

use super::Refusal;
use crate::base::Lang;
use crate::event::EventTag;
use crate::staff::StaffRole;

fn label(event: &str, lang: Lang) -> &str {
    EventTag::from_name(event).map_or(event, |t| t.label(lang))
}

fn centres_text(centres: &[String], lang: Lang) -> String {
    if centres.is_empty() {
        lang.pick("县政务服务中心", "the county hall").to_string()
    } else {
        centres.join(lang.pick("、", ", "))
    }
}

impl Refusal {
    /// The text of an identity refusal; `None` for every other refusal.
    pub(super) fn identity_message(&self, lang: Lang) -> Option<String> {
        let role = |r: &StaffRole| r.label(lang);
        let (zh, en) = match self {
            Refusal::RoleMayNotRecord { role: r, event } => (
                format!("{}无权登记“{}”，请由负责此事项的人员登记", role(r), label(event, lang)),
                format!("a {} may not record `{}`: the staff member whose duty it is records it", role(r), label(event, lang)),
            ),
            Refusal::InvitationBeforeConclusion => (
                "评价码只在办结时发放".to_string(),
                "an evaluation code is handed out only at conclusion".to_string(),
            ),
            Refusal::WrongEvaluationCode => (
                "评价码不正确，或此办件已经评价过；请核对办结时打印给您的评价码".to_string(),
                "wrong evaluation code, or the case was evaluated already: check the code printed for you at conclusion".to_string(),
            ),
            Refusal::EvaluationByStaff => (
                "好差评只能由申请人本人评价，工作人员不能代为登记".to_string(),
                "an evaluation comes from the applicant only: staff cannot record one".to_string(),
            ),
            Refusal::DecidesAsSomeoneElse { recorder, by } => (
                format!("当前登录人员 {recorder} 不能以 {by} 的名义作出审批决定，请由 {by} 本人登录后决定"),
                format!("signed in as {recorder}, you cannot decide in the name of {by}: {by} signs in and decides"),
            ),
            Refusal::RoleMayNotRetract { role: r, event } => (
                format!("{}无权作废或更正“{}”记录", role(r), label(event, lang)),
                format!("a {} may not retract or correct a `{}` event", role(r), label(event, lang)),
            ),
            Refusal::RetractsAnotherRole { role: r, recorded_as } => (
                format!("该记录由{0}登记，只能由{0}作废或更正，{1}不能", role(recorded_as), role(r)),
                format!("that event was recorded by a {0}: only a {0} may retract or correct it, not a {1}", role(recorded_as), role(r)),
            ),
            Refusal::RetractsElsewhere { node, origin } => (
                format!("该记录在 {origin} 登记，只能在 {origin} 作废或更正，不能在 {node}"),
                format!("that event was recorded at {origin}: retract or correct it there, not at {node}"),
            ),
            Refusal::RetractsAnotherPersonsDecision { staff, by } => (
                format!("该审批决定由 {by} 作出，{staff} 不能作废或更正他人的决定"),
                format!("that decision is {by}'s: {staff} cannot retract or correct another person's decision"),
            ),
            Refusal::EvaluationRetracted => (
                "好差评记录不能作废或更正".to_string(),
                "an evaluation cannot be retracted or corrected".to_string(),
            ),
            Refusal::RecorderNotOnRoster { staff } => (
                format!("登记人员 {staff} 不在本节点现有的人员名册中（名册可能尚未同步）"),
                format!("recorder {staff} is not on the roster held here (the roster may not have arrived yet)"),
            ),
            Refusal::RecorderLacksRole { staff, role: r, node } => (
                format!("{staff} 以{}身份在 {node} 登记，但现有名册中没有此角色", role(r)),
                format!("{staff} recorded at {node} as a {}, a role the roster held here does not give them", role(r)),
            ),
            Refusal::RecorderOutsideCentres { staff, role: r, node, centres } => (
                format!("{staff} 以{}身份在 {node} 登记，但其工作地点为{}", role(r), centres_text(centres, lang)),
                format!("{staff} recorded at {node} as a {}, but works at {}", role(r), centres_text(centres, lang)),
            ),
            Refusal::RecorderNotOrigin { node, origin } => (
                format!("记录写明在 {node} 登记，却由 {origin} 发出"),
                format!("the event says it was recorded at {node}, but {origin} originated it"),
            ),
            _ => return None,
        };
        Some(match lang {
            Lang::Zh => zh,
            Lang::En => en,
        })
    }
}

/// Serde for an event name held as `&'static str`.
pub(super) mod event_name {
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::event::EventTag;

    pub fn serialize<S: Serializer>(name: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(name)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let name = String::deserialize(d)?;
        EventTag::static_name(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown event name `{name}`: a newer build wrote it; upgrade this one"
            ))
        })
    }
}
