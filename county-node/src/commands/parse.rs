//! Flag values of the registry commands, parsed into domain types before
//! anything is sent to the node. Every refusal is a [`FlagError`] that names
//! the flag, the value typed and what is allowed, in the clerk's language.
//!
//! These helpers check only the shape of one value (a number, a date, a
//! known word). Rules that span fields (promised ≤ statutory days, distinct
//! names, amounts above zero) are the node's `Matter::validate`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use liandong_domain::{
    FeeItem, Lang, Level, Material, MaterialForm, MatterKind, Power, SpecialKind, SpecialStep,
    StaffRole, Stage,
};

/// A flag value the command refuses before asking the node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} `{value}`: {en}")]
pub struct FlagError {
    pub flag: &'static str,
    pub value: String,
    zh: String,
    en: String,
}

impl FlagError {
    fn new(flag: &'static str, value: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        FlagError {
            flag,
            value: value.to_string(),
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The clerk-facing text.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => format!("{} “{}” 无效：{}", self.flag, self.value, self.zh),
            Lang::En => self.to_string(),
        }
    }
}

pub use liandong_cli::yuan_to_fen;

/// `--fee-item NAME=AMOUNT[:BASIS]`, the amount in yuan.
pub fn fee_item(s: &str) -> Result<FeeItem, FlagError> {
    let bad = |zh: &str, en: &str| {
        FlagError::new(
            "--fee-item",
            s,
            format!("{zh}；请写 名称=金额（元）[:依据]，如 工本费=12.50"),
            format!("{en}; write NAME=AMOUNT (yuan)[:BASIS], e.g. licence=12.50"),
        )
    };
    let (name, rest) = s
        .split_once('=')
        .ok_or_else(|| bad("缺少“=金额”", "no `=AMOUNT`"))?;
    let (amount, basis) = rest.split_once(':').unwrap_or((rest, ""));
    let name = name.trim();
    if name.is_empty() {
        return Err(bad("收费项目名称为空", "the name is empty"));
    }
    let amount_fen = yuan_to_fen(amount.trim()).ok_or_else(|| {
        bad(
            "金额应为元，最多两位小数",
            "the amount is yuan with at most two decimals",
        )
    })?;
    Ok(FeeItem {
        name: name.to_string(),
        amount_fen,
        basis: basis.trim().to_string(),
    })
}

/// `--stage NAME[=DAYS]`: a process stage with its own limit.
pub fn stage(s: &str) -> Result<Stage, FlagError> {
    let (name, limit_days) = match s.rsplit_once('=') {
        None => (s, None),
        Some((name, days)) => {
            let days = days.trim().parse::<u16>().map_err(|_| {
                FlagError::new(
                    "--stage",
                    s,
                    "环节时限应为工作日天数；请写 名称[=天数]，如 审查=2",
                    "the limit is a number of working days; write NAME[=DAYS], e.g. review=2",
                )
            })?;
            (name, Some(days))
        }
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(FlagError::new(
            "--stage",
            s,
            "环节名称为空；请写 名称[=天数]",
            "the name is empty; write NAME[=DAYS]",
        ));
    }
    Ok(Stage {
        name: name.to_string(),
        limit_days,
    })
}

/// `--special KIND=MAXDAYS[:counted]`: a step outside the hall; the clock
/// pauses during it unless `:counted`.
pub fn special(s: &str) -> Result<SpecialStep, FlagError> {
    let bad = |zh: &str, en: &str| {
        FlagError::new(
            "--special",
            s,
            format!("{zh}；请写 种类=最长天数[:counted]，种类如 expert-review、site-inspection、hearing、inspection、testing 或中文名称"),
            format!("{en}; write KIND=MAXDAYS[:counted], KIND e.g. expert-review, site-inspection, hearing, inspection, testing or a name"),
        )
    };
    let (kind, rest) = s
        .split_once('=')
        .ok_or_else(|| bad("缺少“=最长天数”", "no `=MAXDAYS`"))?;
    let (days, counted) = match rest.split_once(':') {
        None => (rest, false),
        Some((days, "counted")) => (days, true),
        Some((days, "uncounted")) => (days, false),
        Some(_) => return Err(bad("只能以 :counted 结尾", "only `:counted` may follow")),
    };
    let kind = kind.trim();
    if kind.is_empty() {
        return Err(bad("种类为空", "the kind is empty"));
    }
    let max_days = days
        .trim()
        .parse::<u16>()
        .map_err(|_| bad("最长天数应为整数", "MAXDAYS is a whole number"))?;
    Ok(SpecialStep {
        kind: SpecialKind::from_word(kind),
        max_days,
        basis: String::new(),
        counted,
    })
}

/// `--material NAME[:original|copy|original-and-copy][:optional|tolerable]`:
/// an original, required material unless a suffix says otherwise;
/// `tolerable` (容缺) may be missing at acceptance.
pub fn material(s: &str) -> Result<Material, FlagError> {
    let mut m = Material {
        name: String::new(),
        form: MaterialForm::Original,
        mandatory: true,
        tolerable: false,
    };
    let mut name = s;
    // Known words are peeled off the end; a colon before anything else
    // belongs to the name.
    while let Some((head, word)) = name.rsplit_once(':') {
        match word.trim() {
            "original" => m.form = MaterialForm::Original,
            "copy" => m.form = MaterialForm::Copy,
            "original-and-copy" => m.form = MaterialForm::OriginalAndCopy,
            "optional" => m.mandatory = false,
            "tolerable" => m.tolerable = true,
            _ => break,
        }
        name = head;
    }
    let name = name.trim();
    if name.is_empty() {
        return Err(FlagError::new(
            "--material",
            s,
            "材料名称为空；请写 名称[:original|copy|original-and-copy][:optional|tolerable]",
            "the name is empty; write NAME[:original|copy|original-and-copy][:optional|tolerable]",
        ));
    }
    m.name = name.to_string();
    Ok(m)
}

/// `--kind promised|immediate`.
pub fn kind(s: &str) -> Result<MatterKind, FlagError> {
    match s {
        "promised" => Ok(MatterKind::Promised),
        "immediate" => Ok(MatterKind::Immediate),
        _ => Err(FlagError::new(
            "--kind",
            s,
            "请用 promised（承诺件）或 immediate（即办件）",
            "use promised or immediate",
        )),
    }
}

/// `--level township|county` (a matter's own level; no `all`).
pub fn level(s: &str) -> Result<Level, FlagError> {
    match s {
        "township" => Ok(Level::Township),
        "county" => Ok(Level::County),
        _ => Err(FlagError::new(
            "--level",
            s,
            "请用 township（乡镇级）或 county（县级）",
            "use township or county",
        )),
    }
}

/// A `YYYY-MM-DD` date given to `flag`.
pub fn date(flag: &'static str, s: &str) -> Result<NaiveDate, FlagError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        FlagError::new(
            flag,
            s,
            "请用 YYYY-MM-DD 格式的有效日期，如 2026-10-01",
            "use a valid YYYY-MM-DD date, e.g. 2026-10-01",
        )
    })
}

/// `--role clerk|chief-representative|reviewer|fee-clerk|supervisor`.
pub fn role(s: &str, lang: Lang) -> Result<StaffRole, String> {
    s.parse::<StaffRole>()
        .map_err(|e| format!("--role: {}", e.message(lang)))
}

/// `--powers decide,coordinate,report,seal`.
pub fn powers(s: &str, lang: Lang) -> Result<BTreeSet<Power>, String> {
    Power::parse_list(s).map_err(|e| format!("--powers: {}", e.message(lang)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_amounts_become_fen_and_malformed_ones_are_refused() {
        assert_eq!(yuan_to_fen("12"), Some(1200));
        assert_eq!(yuan_to_fen("12.5"), Some(1250));
        assert_eq!(yuan_to_fen("12.50"), Some(1250));
        assert_eq!(yuan_to_fen("0.05"), Some(5));
        for bad in [
            "",
            ".5",
            "1.234",
            "-1",
            "+1",
            "1,5",
            "abc",
            "1.x",
            "99999999999999999999",
        ] {
            assert_eq!(yuan_to_fen(bad), None, "{bad}");
        }
    }

    #[test]
    fn fee_item_reads_name_amount_and_optional_basis() {
        let f = fee_item("工本费=12.50").unwrap();
        assert_eq!(
            (f.name.as_str(), f.amount_fen, f.basis.as_str()),
            ("工本费", 1250, "")
        );
        let f = fee_item("登记费=3:财税〔2016〕1号").unwrap();
        assert_eq!((f.amount_fen, f.basis.as_str()), (300, "财税〔2016〕1号"));
    }

    #[test]
    fn fee_item_refusals_name_the_flag_and_the_form() {
        for bad in ["工本费", "=12", "工本费=12.345", "工本费=十元"] {
            let e = fee_item(bad).unwrap_err();
            assert_eq!(e.flag, "--fee-item");
            assert!(e.message(Lang::En).contains("NAME=AMOUNT"), "{bad}");
            assert!(e.message(Lang::Zh).contains("名称=金额"), "{bad}");
        }
    }

    #[test]
    fn stage_takes_an_optional_limit_in_working_days() {
        assert_eq!(
            stage("受理").unwrap(),
            Stage {
                name: "受理".into(),
                limit_days: None
            }
        );
        assert_eq!(stage("审查=2").unwrap().limit_days, Some(2));
        assert_eq!(stage("审查=x").unwrap_err().flag, "--stage");
        assert_eq!(stage("=2").unwrap_err().flag, "--stage");
    }

    #[test]
    fn special_reads_kind_days_and_counted() {
        let s = special("site-inspection=10").unwrap();
        assert_eq!(s.kind, SpecialKind::SiteInspection);
        assert_eq!((s.max_days, s.counted), (10, false));
        let s = special("专家论证=15:counted").unwrap();
        assert_eq!(s.kind, SpecialKind::ExpertReview);
        assert!(s.counted);
        assert_eq!(
            special("公示=5").unwrap().kind,
            SpecialKind::Other("公示".into())
        );
        for bad in ["hearing", "hearing=", "hearing=5:later", "=5"] {
            assert_eq!(special(bad).unwrap_err().flag, "--special", "{bad}");
        }
    }

    #[test]
    fn material_suffixes_set_form_and_tolerance_but_other_colons_stay_in_the_name() {
        let m = material("营业执照").unwrap();
        assert_eq!(m.form, MaterialForm::Original);
        assert!(m.mandatory && !m.tolerable);
        let m = material("身份证:original-and-copy:tolerable").unwrap();
        assert_eq!(m.name, "身份证");
        assert_eq!(m.form, MaterialForm::OriginalAndCopy);
        assert!(m.mandatory && m.tolerable);
        let m = material("租赁合同:copy:optional").unwrap();
        assert!(!m.mandatory);
        assert_eq!(m.form, MaterialForm::Copy);
        assert_eq!(material("附件:说明").unwrap().name, "附件:说明");
        assert!(material(":copy").is_err());
    }

    #[test]
    fn kind_level_and_date_refusals_say_what_is_allowed() {
        assert_eq!(kind("immediate").unwrap(), MatterKind::Immediate);
        assert!(kind("fast")
            .unwrap_err()
            .message(Lang::En)
            .contains("promised or immediate"));
        assert_eq!(level("county").unwrap(), Level::County);
        assert!(level("all")
            .unwrap_err()
            .message(Lang::Zh)
            .contains("township"));
        assert_eq!(
            date("--from", "2026-10-01").unwrap(),
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()
        );
        let e = date("--from", "2026-13-01").unwrap_err();
        assert!(e.message(Lang::En).starts_with("--from `2026-13-01`"));
    }

    #[test]
    fn role_and_powers_refusals_name_the_flag() {
        assert_eq!(role("fee-clerk", Lang::En).unwrap(), StaffRole::FeeClerk);
        assert!(role("boss", Lang::En).unwrap_err().starts_with("--role"));
        assert_eq!(powers("decide,seal", Lang::En).unwrap().len(), 2);
        assert!(powers("decide,fly", Lang::Zh)
            .unwrap_err()
            .starts_with("--powers"));
    }
}
