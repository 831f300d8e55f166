//! A catalogue matter (政务服务事项) with its 十公开 fields (DOMAIN.md §2):
//! what the window's guide (办事指南) prints and what a case is checked
//! against. Only the county writes matters; each edit is a new version
//! (see [`crate::catalogue`]). [`Matter::validate`] names the field at fault
//! and what is allowed, in Chinese or English.
//!
//! The kinds of special step ([`SpecialKind`]) live here, with the steps the
//! catalogue lists; case events name the same kinds when a procedure starts.
//! This module knows nothing of cases: it uses only [`crate::base`].
//!
//! Not modelled yet: the 实施编码 hierarchy and the 事项类型 code list
//! beyond its numeric range.

use serde::{Deserialize, Serialize};

use crate::base::Lang;
pub use crate::base::Level;

/// 办件类型.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MatterKind {
    /// 1 即办件: concluded on the day of acceptance.
    Immediate,
    /// 2 承诺件: concluded within the promised working days.
    Promised,
}

impl MatterKind {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            MatterKind::Immediate => lang.pick("即办件", "immediate"),
            MatterKind::Promised => lang.pick("承诺件", "promised"),
        }
    }
}

/// Whether an original or a copy is handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
}

impl MaterialForm {
    /// As the 办事指南 prints it.
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            MaterialForm::Original => lang.pick("原件", "original"),
            MaterialForm::Copy => lang.pick("复印件", "copy"),
            MaterialForm::OriginalAndCopy => lang.pick("原件及复印件", "original and copy"),
        }
    }
}

/// One 申请资料 line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    pub form: MaterialForm,
    pub mandatory: bool,
    /// May be missing at acceptance under 容缺受理 (a local rule).
    pub tolerable: bool,
}

/// One 审批流程 stage with its own limit in working days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stage {
    pub name: String,
    pub limit_days: Option<u16>,
}

/// One 收费标准 line: amounts are integer fen (分).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeItem {
    pub name: String,
    pub amount_fen: u64,
    pub basis: String,
}

/// The kind of a special step or procedure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SpecialKind {
    /// 专家论证.
    ExpertReview,
    /// 现场勘查.
    SiteInspection,
    /// 听证.
    Hearing,
    /// 检验.
    Inspection,
    /// 检测.
    Testing,
    /// 检疫.
    Quarantine,
    /// 鉴定.
    Appraisal,
    /// 专家评审.
    ExpertAssessment,
    /// 招标.
    Tender,
    /// 拍卖.
    Auction,
    /// 延长审批 (the kind of a code 1 procedure).
    Extension,
    /// Anything else, by name.
    Other(String),
}

/// The kinds by their command-line spelling.
const SPECIAL_WORDS: [(&str, SpecialKind); 11] = [
    ("expert-review", SpecialKind::ExpertReview),
    ("site-inspection", SpecialKind::SiteInspection),
    ("hearing", SpecialKind::Hearing),
    ("inspection", SpecialKind::Inspection),
    ("testing", SpecialKind::Testing),
    ("quarantine", SpecialKind::Quarantine),
    ("appraisal", SpecialKind::Appraisal),
    ("expert-assessment", SpecialKind::ExpertAssessment),
    ("tender", SpecialKind::Tender),
    ("auction", SpecialKind::Auction),
    ("extension", SpecialKind::Extension),
];

impl SpecialKind {
    /// A kind by its command-line spelling (`site-inspection`) or Chinese
    /// name (现场勘查); any other name is kept as it is.
    pub fn from_word(s: &str) -> SpecialKind {
        SPECIAL_WORDS
            .into_iter()
            .find(|(word, kind)| *word == s || kind.label(Lang::Zh) == s)
            .map(|(_, kind)| kind)
            .unwrap_or_else(|| SpecialKind::Other(s.to_string()))
    }

    pub fn label(&self, lang: Lang) -> &str {
        match self {
            SpecialKind::ExpertReview => lang.pick("专家论证", "expert review"),
            SpecialKind::SiteInspection => lang.pick("现场勘查", "site inspection"),
            SpecialKind::Hearing => lang.pick("听证", "hearing"),
            SpecialKind::Inspection => lang.pick("检验", "inspection"),
            SpecialKind::Testing => lang.pick("检测", "testing"),
            SpecialKind::Quarantine => lang.pick("检疫", "quarantine"),
            SpecialKind::Appraisal => lang.pick("鉴定", "appraisal"),
            SpecialKind::ExpertAssessment => lang.pick("专家评审", "expert assessment"),
            SpecialKind::Tender => lang.pick("招标", "tender"),
            SpecialKind::Auction => lang.pick("拍卖", "auction"),
            SpecialKind::Extension => lang.pick("延长审批", "extension"),
            SpecialKind::Other(name) => name,
        }
    }
}

/// A step outside the hall (专家论证, 现场勘查, 听证, 检验, 检测...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialStep {
    pub kind: SpecialKind,
    pub max_days: u16,
    pub basis: String,
    /// 是否计算在法定办结时限内: if false (the default for these steps)
    /// the clock pauses while the step runs.
    pub counted: bool,
}

/// One catalogue entry with all its public fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matter {
    /// 基本编码 (an..10).
    pub code: String,
    /// 实施编码 (an..24), empty when not assigned.
    pub implementation_code: String,
    /// 事项类型代码 01..20, when known.
    pub category: Option<u8>,
    pub name: String,
    pub kind: MatterKind,
    pub level: Level,
    pub statutory_days: u16,
    pub promised_days: u16,
    /// 实施主体.
    pub lead_department: String,
    /// 共同实施部门 (联办机构).
    pub co_departments: Vec<String>,
    pub legal_basis: String,
    pub conditions: String,
    pub materials: Vec<Material>,
    pub stages: Vec<Stage>,
    pub fees: Vec<FeeItem>,
    /// 办理人员 (public: staff names in 十公开 are not personal data).
    pub staff_contact: String,
    pub phone: String,
    pub supervision_phone: String,
    pub special_steps: Vec<SpecialStep>,
    pub active: bool,
}

impl Matter {
    /// A promised matter with the given essentials and every other field
    /// empty (for quick starts, demos and tests; `matter add` fills more).
    pub fn basic(
        code: &str,
        name: &str,
        level: Level,
        promised_days: u16,
        statutory_days: u16,
        department: &str,
    ) -> Matter {
        Matter {
            code: code.to_string(),
            implementation_code: String::new(),
            category: None,
            name: name.to_string(),
            kind: MatterKind::Promised,
            level,
            statutory_days,
            promised_days,
            lead_department: department.to_string(),
            co_departments: Vec::new(),
            legal_basis: String::new(),
            conditions: String::new(),
            materials: Vec::new(),
            stages: Vec::new(),
            fees: Vec::new(),
            staff_contact: String::new(),
            phone: String::new(),
            supervision_phone: String::new(),
            special_steps: Vec::new(),
            active: true,
        }
    }
}

/// Largest time limit accepted, in working days.
pub const MAX_LIMIT_DAYS: u16 = 365;

/// What is wrong with a matter record, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum MatterError {
    #[error("code `{0}`: use 1-10 letters or digits (基本编码 an..10)")]
    Code(String),
    #[error("implementation code `{0}`: use up to 24 letters or digits (实施编码 an..24)")]
    ImplementationCode(String),
    #[error("category {0}: use a 事项类型代码 from 1 to 20")]
    Category(u8),
    #[error("name: must not be empty, at most 200 characters")]
    Name,
    #[error("lead department: must not be empty")]
    LeadDepartment,
    #[error("co-department `{0}`: must not be empty, repeated, or the lead department")]
    CoDepartment(String),
    #[error("statutory days {0}: use 1 to {MAX_LIMIT_DAYS} working days")]
    StatutoryDays(u16),
    #[error(
        "promised days {promised}: a promised matter needs 1 to {statutory} (the statutory days)"
    )]
    PromisedDays { promised: u16, statutory: u16 },
    #[error("material `{0}`: names must be non-empty and distinct")]
    Material(String),
    #[error("material `{0}`: only a mandatory material can be tolerated missing (容缺)")]
    ToleratedOptional(String),
    #[error("stage `{0}`: names must be non-empty and distinct, limits 1 to the statutory days")]
    Stage(String),
    #[error("fee item `{0}`: names must be non-empty and distinct, amounts above 0 fen")]
    Fee(String),
    #[error("special step {0}: one per kind, max days 1 to {MAX_LIMIT_DAYS}")]
    SpecialStep(String),
    #[error("{field} `{value}`: use digits, spaces, `-` or `+`, at most 20 characters")]
    Phone { field: String, value: String },
}

impl MatterError {
    /// The clerk-facing text.
    pub fn message(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        match self {
            MatterError::Code(v) => format!("事项编码“{v}”无效：请用 1 至 10 位字母或数字"),
            MatterError::ImplementationCode(v) => {
                format!("实施编码“{v}”无效：请用不超过 24 位字母或数字")
            }
            MatterError::Category(v) => format!("事项类型代码 {v} 无效：应为 1 至 20"),
            MatterError::Name => "事项名称不能为空，且不超过 200 字".into(),
            MatterError::LeadDepartment => "实施主体（牵头部门）不能为空".into(),
            MatterError::CoDepartment(v) => {
                format!("共同实施部门“{v}”无效：不能为空、重复或与牵头部门相同")
            }
            MatterError::StatutoryDays(v) => {
                format!("法定时限 {v} 无效：应为 1 至 {MAX_LIMIT_DAYS} 个工作日")
            }
            MatterError::PromisedDays {
                promised,
                statutory,
            } => format!(
                "承诺时限 {promised} 无效：承诺件应为 1 至 {statutory}（不超过法定时限）个工作日"
            ),
            MatterError::Material(v) => format!("申请材料“{v}”无效：名称不能为空且不能重复"),
            MatterError::ToleratedOptional(v) => {
                format!("申请材料“{v}”：只有必需材料才能设为可容缺")
            }
            MatterError::Stage(v) => {
                format!("办理环节“{v}”无效：名称不能为空或重复，环节时限应为 1 至法定时限")
            }
            MatterError::Fee(v) => {
                format!("收费项目“{v}”无效：名称不能为空或重复，金额应大于 0 分")
            }
            MatterError::SpecialStep(v) => {
                format!("特别程序“{v}”无效：每类只能一项，最长天数应为 1 至 {MAX_LIMIT_DAYS}")
            }
            MatterError::Phone { field, value } => {
                format!("{field}“{value}”无效：只能包含数字、空格、“-”或“+”，不超过 20 位")
            }
        }
    }
}

fn distinct_non_empty<'a>(names: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        if name.trim().is_empty() || !seen.insert(name) {
            return Err(name.to_string());
        }
    }
    Ok(())
}

fn valid_phone(value: &str) -> bool {
    value.chars().count() <= 20
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-' || c == '+')
}

impl Matter {
    /// Checks every field; the first problem found is returned.
    pub fn validate(&self) -> Result<(), MatterError> {
        let alnum = |s: &str, max: usize| {
            !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_alphanumeric())
        };
        if !alnum(&self.code, 10) {
            return Err(MatterError::Code(self.code.clone()));
        }
        if !self.implementation_code.is_empty() && !alnum(&self.implementation_code, 24) {
            return Err(MatterError::ImplementationCode(
                self.implementation_code.clone(),
            ));
        }
        if let Some(c) = self.category.filter(|c| !(1..=20).contains(c)) {
            return Err(MatterError::Category(c));
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            return Err(MatterError::Name);
        }
        self.validate_departments()?;
        self.validate_limits()?;
        self.validate_lists()?;
        for (field, value) in [
            ("phone", &self.phone),
            ("supervision phone", &self.supervision_phone),
        ] {
            if !valid_phone(value) {
                return Err(MatterError::Phone {
                    field: field.into(),
                    value: value.clone(),
                });
            }
        }
        Ok(())
    }

    fn validate_departments(&self) -> Result<(), MatterError> {
        if self.lead_department.trim().is_empty() {
            return Err(MatterError::LeadDepartment);
        }
        let all = std::iter::once(self.lead_department.as_str())
            .chain(self.co_departments.iter().map(String::as_str));
        distinct_non_empty(all).map_err(MatterError::CoDepartment)
    }

    fn validate_limits(&self) -> Result<(), MatterError> {
        if !(1..=MAX_LIMIT_DAYS).contains(&self.statutory_days) {
            return Err(MatterError::StatutoryDays(self.statutory_days));
        }
        let promised_ok = match self.kind {
            MatterKind::Promised => (1..=self.statutory_days).contains(&self.promised_days),
            MatterKind::Immediate => self.promised_days <= self.statutory_days,
        };
        if !promised_ok {
            return Err(MatterError::PromisedDays {
                promised: self.promised_days,
                statutory: self.statutory_days,
            });
        }
        Ok(())
    }

    fn validate_lists(&self) -> Result<(), MatterError> {
        distinct_non_empty(self.materials.iter().map(|m| m.name.as_str()))
            .map_err(MatterError::Material)?;
        if let Some(m) = self.materials.iter().find(|m| m.tolerable && !m.mandatory) {
            return Err(MatterError::ToleratedOptional(m.name.clone()));
        }
        distinct_non_empty(self.stages.iter().map(|s| s.name.as_str()))
            .map_err(MatterError::Stage)?;
        let bad_stage = self.stages.iter().find(|s| {
            s.limit_days
                .is_some_and(|d| d == 0 || d > self.statutory_days)
        });
        if let Some(s) = bad_stage {
            return Err(MatterError::Stage(s.name.clone()));
        }
        distinct_non_empty(self.fees.iter().map(|f| f.name.as_str())).map_err(MatterError::Fee)?;
        if let Some(f) = self.fees.iter().find(|f| f.amount_fen == 0) {
            return Err(MatterError::Fee(f.name.clone()));
        }
        let mut kinds = std::collections::BTreeSet::new();
        for step in &self.special_steps {
            if !kinds.insert(step.kind.clone()) || !(1..=MAX_LIMIT_DAYS).contains(&step.max_days) {
                return Err(MatterError::SpecialStep(
                    step.kind.label(Lang::Zh).to_string(),
                ));
            }
        }
        Ok(())
    }

    /// The catalogue line for a fee item, by name.
    pub fn fee(&self, item: &str) -> Option<&FeeItem> {
        self.fees.iter().find(|f| f.name == item)
    }

    /// The catalogue's special step of this kind, if listed.
    pub fn special_step(&self, kind: &SpecialKind) -> Option<&SpecialStep> {
        self.special_steps.iter().find(|s| &s.kind == kind)
    }

    /// Whether `department` takes part in this matter (lead or co-department).
    pub fn involves(&self, department: &str) -> bool {
        self.lead_department == department || self.co_departments.iter().any(|d| d == department)
    }

    /// A joint matter (联办件) involves two or more departments.
    pub fn is_joint(&self) -> bool {
        !self.co_departments.is_empty()
    }

    /// The limit the clock runs against: 0 for an immediate matter (it
    /// concludes on the day of acceptance), the promised days otherwise.
    pub fn clock_limit_days(&self) -> u32 {
        match self.kind {
            MatterKind::Immediate => 0,
            MatterKind::Promised => u32::from(self.promised_days),
        }
    }
}
