//! Identity documents (证件) of applicants and agents, and the check of
//! their numbers (DOMAIN.md §7).
//!
//! - 居民身份证 (the default): 18 characters, 17 digits and a check
//!   character, GB 11643-1999 (ISO 7064 MOD 11-2); characters 7–14 are the
//!   birth date, a real date not after the day of the event.
//! - 统一社会信用代码 (organisations): 18 characters of
//!   `0123456789ABCDEFGHJKLMNPQRTUWXY`, GB 32100-2015 check character
//!   (weights 3^i mod 31, mod 31).
//! - Passports, 港澳/台湾 permits and 外国人永久居留身份证: ASCII letters and
//!   digits, 5–20 characters; "other" documents: 2–40 characters without
//!   spaces or control characters. They are chosen explicitly, never taken
//!   for a resident ID.
//!
//! [`check_number`] says exactly what is wrong ([`NumberFault`]: the
//! length, the position and character that cannot be there, or the check
//! character the first 17 give); the wording is `refusal`'s. Lowercase
//! letters are read as uppercase ([`IdType::normalise`]), so `x` is `X`.
//! Positions count characters from 1, as printed on the card.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::base::Lang;

/// 证件类型.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub enum IdType {
    /// 居民身份证.
    #[default]
    ResidentId,
    /// 统一社会信用代码 (an organisation, with its legal representative).
    CreditCode,
    /// 护照.
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
    /// 外国人永久居留身份证.
    ForeignPermanentResident,
    /// Any other document, named by the clerk in the number itself.
    Other,
}

impl IdType {
    pub const ALL: [IdType; 7] = [
        IdType::ResidentId,
        IdType::CreditCode,
        IdType::Passport,
        IdType::HkMacaoPermit,
        IdType::TaiwanPermit,
        IdType::ForeignPermanentResident,
        IdType::Other,
    ];

    /// The command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            IdType::ResidentId => "resident",
            IdType::CreditCode => "credit-code",
            IdType::Passport => "passport",
            IdType::HkMacaoPermit => "hk-macao",
            IdType::TaiwanPermit => "taiwan",
            IdType::ForeignPermanentResident => "foreign-resident",
            IdType::Other => "other",
        }
    }

    /// The document's name.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            IdType::ResidentId => lang.pick("居民身份证", "resident ID card"),
            IdType::CreditCode => lang.pick("统一社会信用代码", "unified social credit code"),
            IdType::Passport => lang.pick("护照", "passport"),
            IdType::HkMacaoPermit => lang.pick(
                "港澳居民来往内地通行证",
                "Mainland travel permit for Hong Kong and Macao residents",
            ),
            IdType::TaiwanPermit => lang.pick(
                "台湾居民来往大陆通行证",
                "Mainland travel permit for Taiwan residents",
            ),
            IdType::ForeignPermanentResident => lang.pick(
                "外国人永久居留身份证",
                "foreigner's permanent residence ID card",
            ),
            IdType::Other => lang.pick("其他证件", "other document"),
        }
    }

    /// What the number is called in a sentence.
    pub fn number_label(self, lang: Lang) -> &'static str {
        match self {
            IdType::ResidentId => lang.pick("居民身份证号码", "resident ID number"),
            IdType::CreditCode => lang.pick("统一社会信用代码", "unified social credit code"),
            IdType::Passport => lang.pick("护照号码", "passport number"),
            IdType::HkMacaoPermit => {
                lang.pick("港澳居民来往内地通行证号码", "HK/Macao permit number")
            }
            IdType::TaiwanPermit => lang.pick("台湾居民来往大陆通行证号码", "Taiwan permit number"),
            IdType::ForeignPermanentResident => {
                lang.pick("外国人永久居留身份证号码", "permanent residence ID number")
            }
            IdType::Other => lang.pick("证件号码", "document number"),
        }
    }

    /// An organisation's document: it applies with a legal representative.
    pub fn is_organisation(self) -> bool {
        self == IdType::CreditCode
    }

    /// The number as it is recorded: trimmed, letters uppercase (`x` is
    /// `X`); an "other" document only trimmed.
    pub fn normalise(self, number: &str) -> String {
        match self {
            IdType::Other => number.trim().to_string(),
            _ => number.trim().to_ascii_uppercase(),
        }
    }

    /// The lengths a number may have (characters).
    pub fn lengths(self) -> (u32, u32) {
        match self {
            IdType::ResidentId | IdType::CreditCode => (18, 18),
            IdType::Passport
            | IdType::HkMacaoPermit
            | IdType::TaiwanPermit
            | IdType::ForeignPermanentResident => (5, 20),
            IdType::Other => (2, 40),
        }
    }
}

impl std::fmt::Display for IdType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for IdType {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        IdType::ALL
            .into_iter()
            .find(|t| t.as_str() == s || t.label(Lang::Zh) == s)
            .ok_or_else(|| {
                let names: Vec<&str> = IdType::ALL.iter().map(|t| t.as_str()).collect();
                format!("unknown document type `{s}`: use {}", names.join(", "))
            })
    }
}

/// Whose document a number is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Holder {
    /// 申请人.
    Applicant,
    /// 代理人.
    Agent,
}

impl Holder {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Holder::Applicant => lang.pick("申请人", "applicant"),
            Holder::Agent => lang.pick("代理人", "agent"),
        }
    }
}

/// What is wrong with a document number (worded in `refusal`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumberFault {
    /// Too short or too long: `min..=max` characters, `got` given.
    Length { min: u32, max: u32, got: u32 },
    /// The character at `position` (from 1) cannot be there.
    Character { position: u32, found: char },
    /// The check character (position 18) is `got`; the first 17 give
    /// `expected`.
    CheckCharacter { got: char, expected: char },
    /// Characters 7–14 of a resident ID are not a real date.
    BirthDate { digits: String },
    /// The birth date is after the day the number was entered.
    BornLater { born: NaiveDate, on: NaiveDate },
}

/// GB 11643-1999 weights of the first 17 digits, and the check characters
/// by the weighted sum mod 11.
const RESIDENT_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK: &[u8; 11] = b"10X98765432";

/// GB 32100-2015 characters (value = index) and weights.
const CREDIT_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const CREDIT_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn resident_check(first17: &[char]) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.iter().zip(RESIDENT_WEIGHTS) {
        sum += c.to_digit(10)? * w;
    }
    Some(char::from(RESIDENT_CHECK[(sum % 11) as usize]))
}

fn credit_value(c: char) -> Option<u32> {
    CREDIT_CHARS.find(c).map(|i| i as u32)
}

fn credit_check(first17: &[char]) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.iter().zip(CREDIT_WEIGHTS) {
        sum += credit_value(*c)? * w;
    }
    CREDIT_CHARS.chars().nth(((31 - sum % 31) % 31) as usize)
}

/// A resident ID number: `first17` (17 digits) and its GB 11643 check
/// character; `None` unless `first17` is 17 digits.
pub fn with_check_digit(first17: &str) -> Option<String> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let check = resident_check(&chars)?;
    Some(format!("{first17}{check}"))
}

/// A unified social credit code: `first17` (from the code's alphabet) and
/// its GB 32100 check character; `None` otherwise.
pub fn credit_code_with_check(first17: &str) -> Option<String> {
    let chars: Vec<char> = first17.chars().collect();
    if chars.len() != 17 {
        return None;
    }
    let check = credit_check(&chars)?;
    Some(format!("{first17}{check}"))
}

/// Checks a document number of `id_type` entered on `on` (the event's
/// day, for a resident ID's birth date). Lowercase letters count as
/// uppercase; surrounding spaces are not allowed (the node trims them).
pub fn check_number(id_type: IdType, number: &str, on: NaiveDate) -> Result<(), NumberFault> {
    let chars: Vec<char> = number.chars().map(|c| c.to_ascii_uppercase()).collect();
    let (min, max) = id_type.lengths();
    let got = chars.len() as u32;
    if got < min || got > max {
        return Err(NumberFault::Length { min, max, got });
    }
    match id_type {
        IdType::ResidentId => check_resident(&chars, on),
        IdType::CreditCode => check_credit(&chars),
        IdType::Other => characters(&chars, |c| !c.is_whitespace() && !c.is_control()),
        _ => characters(&chars, |c| c.is_ascii_alphanumeric()),
    }
}

/// The first character failing `allowed`, as a fault.
fn characters(chars: &[char], allowed: impl Fn(char) -> bool) -> Result<(), NumberFault> {
    match chars.iter().position(|c| !allowed(*c)) {
        Some(i) => Err(NumberFault::Character {
            position: i as u32 + 1,
            found: chars[i],
        }),
        None => Ok(()),
    }
}

fn check_resident(chars: &[char], on: NaiveDate) -> Result<(), NumberFault> {
    characters(&chars[..17], |c| c.is_ascii_digit())?;
    let last = chars[17];
    if !(last.is_ascii_digit() || last == 'X') {
        return Err(NumberFault::Character {
            position: 18,
            found: last,
        });
    }
    let expected = resident_check(&chars[..17]).unwrap_or('?');
    if last != expected {
        return Err(NumberFault::CheckCharacter {
            got: last,
            expected,
        });
    }
    let digits: String = chars[6..14].iter().collect();
    let born = NaiveDate::parse_from_str(&digits, "%Y%m%d")
        .ok()
        .filter(|d| d.year() >= 1900)
        .ok_or(NumberFault::BirthDate { digits })?;
    if born > on {
        return Err(NumberFault::BornLater { born, on });
    }
    Ok(())
}

fn check_credit(chars: &[char]) -> Result<(), NumberFault> {
    characters(chars, |c| credit_value(c).is_some())?;
    let expected = credit_check(&chars[..17]).unwrap_or('?');
    if chars[17] != expected {
        return Err(NumberFault::CheckCharacter {
            got: chars[17],
            expected,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
