//! The catalogue form's fields and how they become a [`Matter`] and back.
//! Lists are one item per line, parts separated by `|`:
//!
//! - materials: `名称 | 原件|复印件|原件和复印件 | 必需|可选 | 容缺`
//!   (English words too: `original|copy|original-and-copy`,
//!   `required|optional`, `tolerable`); only the name is needed: an
//!   original, required, not tolerable by default;
//! - stages: `名称 | 时限（工作日）`, the limit optional;
//! - fees: `名称 | 金额（元，至多两位小数） | 收费依据`;
//! - special steps: `种类 | 最长天数 | 依据 | 计时|不计时` (`counted` or
//!   `not-counted`; not counted by default), the kind by its Chinese
//!   name (现场勘查) or its word (`site-inspection`);
//! - co-departments: codes separated by commas or spaces.
//!
//! A line that does not read names its field and line number; the matter's
//! own checks ([`Matter::validate`], run by the node) come after.

use liandong_domain::{
    FeeItem, Lang, Level, Material, MaterialForm, Matter, MatterKind, SpecialKind, SpecialStep,
    Stage,
};
use serde::Deserialize;

use crate::console::visit::Problem;

/// The form as posted: every field a string, checkboxes present or not.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MatterForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub implementation_code: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub statutory_days: String,
    #[serde(default)]
    pub promised_days: String,
    #[serde(default)]
    pub lead_department: String,
    #[serde(default)]
    pub co_departments: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub materials: String,
    #[serde(default)]
    pub stages: String,
    #[serde(default)]
    pub fees: String,
    #[serde(default)]
    pub staff_contact: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub supervision_phone: String,
    #[serde(default)]
    pub special_steps: String,
    pub active: Option<String>,
}

fn parts(line: &str) -> Vec<&str> {
    line.split('|').map(str::trim).collect()
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn bad(field: &'static str, lang: Lang, n: usize, zh: &str, en: &str) -> Problem {
    let text = match lang {
        Lang::Zh => format!("第{n}行：{zh}"),
        Lang::En => format!("line {n}: {en}"),
    };
    Problem::at(field, text)
}

fn days(field: &'static str, s: &str, lang: Lang) -> Result<u16, Problem> {
    s.trim().parse().map_err(|_| {
        Problem::at(
            field,
            lang.pick("请填写整数天数", "write a whole number of days"),
        )
    })
}

/// Yuan with at most two decimals, as fen.
pub fn yuan_to_fen(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) || s.ends_with('.') {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = format!("{frac:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(frac)
}

fn fen_to_yuan(fen: u64) -> String {
    if fen.is_multiple_of(100) {
        (fen / 100).to_string()
    } else {
        format!("{}.{:02}", fen / 100, fen % 100)
    }
}

impl MatterForm {
    /// The matter this form describes, or the first field that does not read.
    pub fn to_matter(&self, code: &str, lang: Lang) -> Result<Matter, Problem> {
        let level = match self.level.as_str() {
            "county" => Level::County,
            _ => Level::Township,
        };
        let kind = match self.kind.as_str() {
            "immediate" => MatterKind::Immediate,
            _ => MatterKind::Promised,
        };
        let category = match self.category.trim() {
            "" => None,
            c => Some(c.parse().map_err(|_| {
                Problem::at(
                    "category",
                    lang.pick("事项类型代码应为 1–20", "the category is 1 to 20"),
                )
            })?),
        };
        let mut m = Matter::basic(
            code,
            self.name.trim(),
            level,
            days("promised_days", &self.promised_days, lang)?,
            days("statutory_days", &self.statutory_days, lang)?,
            self.lead_department.trim(),
        );
        m.kind = kind;
        m.category = category;
        m.implementation_code = self.implementation_code.trim().to_string();
        m.co_departments = self
            .co_departments
            .split([',', '，', ' ', '\n'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_string)
            .collect();
        m.legal_basis = self.legal_basis.trim().to_string();
        m.conditions = self.conditions.trim().to_string();
        m.staff_contact = self.staff_contact.trim().to_string();
        m.phone = self.phone.trim().to_string();
        m.supervision_phone = self.supervision_phone.trim().to_string();
        m.active = self.active.is_some();
        for (n, line) in lines(&self.materials) {
            m.materials.push(material(line, n, lang)?);
        }
        for (n, line) in lines(&self.stages) {
            let p = parts(line);
            let limit_days = match p.get(1).filter(|s| !s.is_empty()) {
                None => None,
                Some(d) => Some(d.parse().map_err(|_| {
                    bad(
                        "stages",
                        lang,
                        n,
                        "时限应为整数",
                        "the limit is a whole number",
                    )
                })?),
            };
            m.stages.push(Stage {
                name: p[0].to_string(),
                limit_days,
            });
        }
        for (n, line) in lines(&self.fees) {
            let p = parts(line);
            let amount_fen = p.get(1).and_then(|a| yuan_to_fen(a)).ok_or_else(|| {
                bad(
                    "fees",
                    lang,
                    n,
                    "金额应为元，至多两位小数，如 12.50",
                    "the amount is in yuan with at most two decimals, e.g. 12.50",
                )
            })?;
            m.fees.push(FeeItem {
                name: p[0].to_string(),
                amount_fen,
                basis: p.get(2).unwrap_or(&"").to_string(),
            });
        }
        for (n, line) in lines(&self.special_steps) {
            let p = parts(line);
            let max_days = p.get(1).and_then(|d| d.parse().ok()).ok_or_else(|| {
                bad(
                    "special_steps",
                    lang,
                    n,
                    "最长天数应为整数",
                    "the most days is a whole number",
                )
            })?;
            m.special_steps.push(SpecialStep {
                kind: SpecialKind::from_word(p[0]),
                max_days,
                basis: p.get(2).unwrap_or(&"").to_string(),
                counted: matches!(p.get(3), Some(&"计时") | Some(&"counted")),
            });
        }
        Ok(m)
    }

    /// The form showing `m`, its lists written in `lang`.
    pub fn of(m: &Matter, lang: Lang) -> MatterForm {
        let join = |v: Vec<String>| v.join("\n");
        MatterForm {
            csrf: String::new(),
            implementation_code: m.implementation_code.clone(),
            category: m.category.map(|c| c.to_string()).unwrap_or_default(),
            name: m.name.clone(),
            kind: match m.kind {
                MatterKind::Immediate => "immediate",
                MatterKind::Promised => "promised",
            }
            .into(),
            level: match m.level {
                Level::County => "county",
                Level::Township => "township",
            }
            .into(),
            statutory_days: m.statutory_days.to_string(),
            promised_days: m.promised_days.to_string(),
            lead_department: m.lead_department.clone(),
            co_departments: m.co_departments.join(", "),
            legal_basis: m.legal_basis.clone(),
            conditions: m.conditions.clone(),
            materials: join(
                m.materials
                    .iter()
                    .map(|x| {
                        let form = match x.form {
                            MaterialForm::Original => lang.pick("原件", "original"),
                            MaterialForm::Copy => lang.pick("复印件", "copy"),
                            MaterialForm::OriginalAndCopy => {
                                lang.pick("原件和复印件", "original-and-copy")
                            }
                        };
                        let need = if x.mandatory {
                            lang.pick("必需", "required")
                        } else {
                            lang.pick("可选", "optional")
                        };
                        let mut s = format!("{} | {form} | {need}", x.name);
                        if x.tolerable {
                            s.push_str(lang.pick(" | 容缺", " | tolerable"));
                        }
                        s
                    })
                    .collect(),
            ),
            stages: join(
                m.stages
                    .iter()
                    .map(|s| match s.limit_days {
                        Some(d) => format!("{} | {d}", s.name),
                        None => s.name.clone(),
                    })
                    .collect(),
            ),
            fees: join(
                m.fees
                    .iter()
                    .map(|f| format!("{} | {} | {}", f.name, fen_to_yuan(f.amount_fen), f.basis))
                    .collect(),
            ),
            staff_contact: m.staff_contact.clone(),
            phone: m.phone.clone(),
            supervision_phone: m.supervision_phone.clone(),
            special_steps: join(
                m.special_steps
                    .iter()
                    .map(|s| {
                        let counted = if s.counted {
                            lang.pick("计时", "counted")
                        } else {
                            lang.pick("不计时", "not-counted")
                        };
                        format!(
                            "{} | {} | {} | {counted}",
                            s.kind.label(Lang::Zh),
                            s.max_days,
                            s.basis
                        )
                    })
                    .collect(),
            ),
            active: m.active.then(|| "1".into()),
        }
    }
}

fn material(line: &str, n: usize, lang: Lang) -> Result<Material, Problem> {
    let p = parts(line);
    let mut m = Material {
        name: p[0].to_string(),
        form: MaterialForm::Original,
        mandatory: true,
        tolerable: false,
    };
    if m.name.is_empty() {
        return Err(bad(
            "materials",
            lang,
            n,
            "材料名称为空",
            "the material's name is empty",
        ));
    }
    for word in &p[1..] {
        match *word {
            "原件" | "original" => m.form = MaterialForm::Original,
            "复印件" | "copy" => m.form = MaterialForm::Copy,
            "原件和复印件" | "original-and-copy" => m.form = MaterialForm::OriginalAndCopy,
            "必需" | "required" => m.mandatory = true,
            "可选" | "optional" => m.mandatory = false,
            "容缺" | "tolerable" => m.tolerable = true,
            "" => {}
            other => {
                return Err(bad(
                    "materials",
                    lang,
                    n,
                    &format!("不认识“{other}”：请写 原件/复印件/原件和复印件、必需/可选、容缺"),
                    &format!("`{other}`: write original/copy/original-and-copy, required/optional, tolerable"),
                ))
            }
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_matter_written_into_the_form_reads_back_the_same_in_either_language() {
        let mut m = Matter::basic("M020", "食品经营许可", Level::County, 10, 20, "D03");
        m.kind = MatterKind::Promised;
        m.category = Some(1);
        m.co_departments = vec!["D05".into()];
        m.legal_basis = "《食品经营许可管理办法》".into();
        m.materials = vec![
            Material {
                name: "营业执照".into(),
                form: MaterialForm::Copy,
                mandatory: true,
                tolerable: true,
            },
            Material {
                name: "场所平面图".into(),
                form: MaterialForm::OriginalAndCopy,
                mandatory: false,
                tolerable: false,
            },
        ];
        m.stages = vec![
            Stage {
                name: "受理".into(),
                limit_days: Some(1),
            },
            Stage {
                name: "审查".into(),
                limit_days: None,
            },
        ];
        m.fees = vec![FeeItem {
            name: "工本费".into(),
            amount_fen: 1250,
            basis: "发改价格〔2026〕1号".into(),
        }];
        m.special_steps = vec![SpecialStep {
            kind: SpecialKind::SiteInspection,
            max_days: 5,
            basis: "第十条".into(),
            counted: false,
        }];
        for lang in [Lang::Zh, Lang::En] {
            let form = MatterForm::of(&m, lang);
            assert_eq!(form.to_matter("M020", lang).expect("reads"), m, "{lang:?}");
        }
    }

    #[test]
    fn a_line_that_does_not_read_names_its_field_and_line() {
        let form = MatterForm {
            promised_days: "3".into(),
            statutory_days: "5".into(),
            fees: "工本费 | 10\n手续费 | 十元".into(),
            ..MatterForm::default()
        };
        let p = form.to_matter("M1", Lang::Zh).expect_err("refused");
        assert_eq!(p.field, Some("fees"));
        assert!(p.text.contains("第2行"), "{}", p.text);
        let form = MatterForm {
            promised_days: "三".into(),
            ..MatterForm::default()
        };
        let p = form.to_matter("M1", Lang::En).expect_err("refused");
        assert_eq!(p.field, Some("promised_days"));
    }

    #[test]
    fn yuan_amounts_become_fen() {
        assert_eq!(yuan_to_fen("12.5"), Some(1250));
        assert_eq!(yuan_to_fen("0.05"), Some(5));
        for bad in ["", "1.", ".5", "1.234", "-1", "1,5"] {
            assert_eq!(yuan_to_fen(bad), None, "{bad}");
        }
        assert_eq!(fen_to_yuan(1250), "12.50");
        assert_eq!(fen_to_yuan(1200), "12");
    }
}
