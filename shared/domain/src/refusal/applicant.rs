//! The wording of the refusals and anomalies about an applicant's or an
//! agent's identity document: one match, Chinese and English side by side.
//! Each says whose number it is, which document, and exactly what is wrong
//! (the length, the position and character, or the check character the
//! first 17 give), so the clerk can compare it with the card.

use super::Refusal;
use crate::applicant::{Holder, IdType, NumberFault};
use crate::base::Lang;

/// What may stand at `position` of a number of `id_type`.
fn allowed(id_type: IdType, position: u32) -> (&'static str, &'static str) {
    match id_type {
        IdType::ResidentId if position == 18 => ("应为数字或 X", "must be a digit or X"),
        IdType::ResidentId => ("应为数字", "the first 17 must be digits"),
        IdType::CreditCode => (
            "不是统一社会信用代码的字符（只用数字和除 I、O、S、V、Z 以外的大写字母）",
            "is not a credit-code character (digits and capital letters except I, O, S, V, Z)",
        ),
        IdType::Other => (
            "不能是空格或控制字符",
            "may not be a space or control character",
        ),
        _ => ("只能是字母或数字", "must be a letter or a digit"),
    }
}

fn lengths_text(min: u32, max: u32, lang: Lang) -> String {
    match (min == max, lang) {
        (true, Lang::Zh) => format!("应为 {min} 位"),
        (true, Lang::En) => format!("has {min} characters"),
        (false, Lang::Zh) => format!("应为 {min} 至 {max} 位"),
        (false, Lang::En) => format!("has {min} to {max} characters"),
    }
}

/// `holder`'s number of `id_type` is wrong by `fault`.
pub(super) fn number_message(
    holder: Holder,
    id_type: IdType,
    fault: &NumberFault,
    lang: Lang,
) -> String {
    let whose = format!(
        "{}{}{}",
        holder.label(lang),
        lang.pick("的", "'s "),
        id_type.number_label(lang)
    );
    let (zh, en) = match fault {
        NumberFault::Length { min, max, got } => (
            format!("{whose}{}，实际为 {got} 位，请核对证件", lengths_text(*min, *max, lang)),
            format!("the {whose} {}, got {got}: check the document", lengths_text(*min, *max, lang)),
        ),
        NumberFault::Character { position, found } => {
            let (zh, en) = allowed(id_type, *position);
            (
                format!("{whose}第 {position} 位“{found}”有误：{zh}"),
                format!("character {position} of the {whose} is `{found}`: {en}"),
            )
        }
        NumberFault::CheckCharacter { got, expected } => (
            format!("{whose}第 18 位（校验码）为“{got}”，按前 17 位应为“{expected}”，号码有误，请逐位核对证件"),
            format!("character 18 (the check character) of the {whose} is `{got}`; the other 17 give `{expected}`: a character is wrong, check the document"),
        ),
        NumberFault::BirthDate { digits } => (
            format!("{whose}第 7 至 14 位（出生日期）“{digits}”不是有效日期"),
            format!("characters 7 to 14 of the {whose} (the birth date) `{digits}` are not a real date"),
        ),
        NumberFault::BornLater { born, on } => (
            format!("{whose}中的出生日期 {born} 晚于登记日期 {on}"),
            format!("the birth date {born} in the {whose} is after the day of entry {on}"),
        ),
    };
    lang.pick(&zh, &en).to_string()
}

impl Refusal {
    /// The text of an identity-document refusal; `None` for every other
    /// refusal.
    pub(super) fn document_message(&self, lang: Lang) -> Option<String> {
        match self {
            Refusal::DocumentNumber {
                holder,
                id_type,
                fault,
            } => Some(number_message(*holder, *id_type, fault, lang)),
            Refusal::LegalRepresentativeForPerson { id_type } => Some(match lang {
                Lang::Zh => format!(
                    "法定代表人只随统一社会信用代码登记（单位申请）；以{}申请的是个人，不填法定代表人，代办人请登记为代理人",
                    id_type.label(lang)
                ),
                Lang::En => format!(
                    "a legal representative goes with an organisation's credit code; an applicant with a {} is a person: record someone acting for them as an agent",
                    id_type.label(lang)
                ),
            }),
            _ => None,
        }
    }
}
