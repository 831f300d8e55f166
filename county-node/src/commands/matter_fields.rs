//! The flags of `county-node matter add` and `matter edit`: every 十公开
//! field of a matter, and the [`Matter`] they build. `add` starts from the
//! defaults below; `edit` starts from the current version and changes only
//! what is given (a repeated flag replaces its whole list, `--clear`
//! empties one). Flag values are parsed by [`super::parse`]; rules across
//! fields (promised ≤ statutory days, distinct names) are the node's.

use clap::{Args, ValueEnum};
use liandong_domain::{Level, Matter, MatterKind};

use super::parse::{self, FlagError};

#[derive(Args, Debug)]
pub struct AddArgs {
    /// Matter code (基本编码): 1-10 letters or digits, e.g. M001.
    #[arg(long)]
    pub code: String,
    /// Matter name (事项名称).
    #[arg(long)]
    pub name: String,
    /// Lead department (实施主体), e.g. D01.
    #[arg(long)]
    pub department: String,
    #[command(flatten)]
    pub fields: MatterFields,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    /// Code of the matter to change.
    #[arg(long)]
    pub code: String,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    /// New lead department.
    #[arg(long)]
    pub department: Option<String>,
    #[command(flatten)]
    pub fields: MatterFields,
    /// Empty a list before the flags above refill it (repeatable).
    #[arg(long, value_enum, value_name = "LIST")]
    pub clear: Vec<ListField>,
    /// Make a retired matter active again.
    #[arg(long)]
    pub reinstate: bool,
}

/// The lists `matter edit --clear` can empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListField {
    Materials,
    Fees,
    Stages,
    Specials,
    CoDepartments,
}

/// Every 十公开 field beyond code, name and lead department. On `add` an
/// unset field takes its default; on `edit` it keeps its value. A repeated
/// flag given on `edit` replaces the whole list.
#[derive(Args, Debug, Default)]
pub struct MatterFields {
    /// promised (承诺件) or immediate (即办件) [add: promised].
    #[arg(long)]
    pub kind: Option<String>,
    /// township (乡镇级) or county (县级) [add: township].
    #[arg(long)]
    pub level: Option<String>,
    /// 法定时限 in working days [add: 20].
    #[arg(long)]
    pub statutory_days: Option<u16>,
    /// 承诺时限 in working days, at most the statutory days [add: 5, or the
    /// statutory days if fewer; 0 for an immediate matter].
    #[arg(long)]
    pub promised_days: Option<u16>,
    /// 共同实施部门 (repeat for each).
    #[arg(long = "co-department", value_name = "DEPT")]
    pub co_departments: Vec<String>,
    /// 法律依据.
    #[arg(long)]
    pub legal_basis: Option<String>,
    /// 申请条件.
    #[arg(long)]
    pub conditions: Option<String>,
    /// 申请材料, repeat for each: NAME[:original|copy|original-and-copy][:optional|tolerable]
    /// (default: original, required; tolerable = may be missing at acceptance, 容缺).
    #[arg(long = "material", value_name = "NAME")]
    pub materials: Vec<String>,
    /// 收费标准, repeat for each: NAME=AMOUNT[:BASIS], AMOUNT in yuan (12.50).
    #[arg(long = "fee-item", value_name = "NAME=AMOUNT")]
    pub fee_items: Vec<String>,
    /// 审批流程 stage, in order, repeat for each: NAME[=DAYS].
    #[arg(long = "stage", value_name = "NAME[=DAYS]")]
    pub stages: Vec<String>,
    /// 特别程序, repeat for each: KIND=MAXDAYS[:counted] (KIND: expert-review,
    /// site-inspection, hearing, inspection, testing, quarantine, appraisal,
    /// expert-assessment, tender, auction, or a name). The clock pauses
    /// during it unless :counted.
    #[arg(long = "special", value_name = "KIND=MAXDAYS")]
    pub specials: Vec<String>,
    /// 联系电话 (consultation phone).
    #[arg(long)]
    pub phone: Option<String>,
    /// 监督电话.
    #[arg(long)]
    pub supervision_phone: Option<String>,
    /// 办理人员 (public contact, e.g. "王芳 3号窗口").
    #[arg(long)]
    pub staff_contact: Option<String>,
    /// 实施编码: up to 24 letters or digits.
    #[arg(long)]
    pub implementation_code: Option<String>,
    /// 事项类型代码, 1 to 20.
    #[arg(long)]
    pub category: Option<u8>,
}

impl MatterFields {
    /// Writes every given field into `m`; lists given replace the old list.
    pub fn apply(&self, m: &mut Matter) -> Result<(), FlagError> {
        if let Some(v) = &self.kind {
            m.kind = parse::kind(v)?;
        }
        if let Some(v) = &self.level {
            m.level = parse::level(v)?;
        }
        set(&mut m.statutory_days, self.statutory_days);
        set(&mut m.promised_days, self.promised_days);
        set(&mut m.legal_basis, self.legal_basis.clone());
        set(&mut m.conditions, self.conditions.clone());
        set(&mut m.phone, self.phone.clone());
        set(&mut m.supervision_phone, self.supervision_phone.clone());
        set(&mut m.staff_contact, self.staff_contact.clone());
        set(&mut m.implementation_code, self.implementation_code.clone());
        if self.category.is_some() {
            m.category = self.category;
        }
        if !self.co_departments.is_empty() {
            m.co_departments = self.co_departments.clone();
        }
        replace(&mut m.materials, &self.materials, parse::material)?;
        replace(&mut m.fees, &self.fee_items, parse::fee_item)?;
        replace(&mut m.stages, &self.stages, parse::stage)?;
        replace(&mut m.special_steps, &self.specials, parse::special)?;
        Ok(())
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *field = v;
    }
}

/// Replaces `list` with the parsed `given` values, if any were given.
fn replace<T>(
    list: &mut Vec<T>,
    given: &[String],
    parse: impl Fn(&str) -> Result<T, FlagError>,
) -> Result<(), FlagError> {
    if !given.is_empty() {
        *list = given.iter().map(|s| parse(s)).collect::<Result<_, _>>()?;
    }
    Ok(())
}

/// Statutory days when `matter add` is not told.
pub const DEFAULT_STATUTORY_DAYS: u16 = 20;
/// Promised days when `matter add` is not told (capped at the statutory days).
pub const DEFAULT_PROMISED_DAYS: u16 = 5;

/// The matter `matter add` writes.
pub fn new_matter(args: &AddArgs) -> Result<Matter, FlagError> {
    let mut m = Matter::basic(
        &args.code,
        &args.name,
        Level::Township,
        0,
        DEFAULT_STATUTORY_DAYS,
        &args.department,
    );
    args.fields.apply(&mut m)?;
    if args.fields.promised_days.is_none() {
        m.promised_days = match m.kind {
            MatterKind::Promised => DEFAULT_PROMISED_DAYS.min(m.statutory_days),
            MatterKind::Immediate => 0,
        };
    }
    Ok(m)
}

/// `current` changed as `matter edit` says.
pub fn edited_matter(current: &Matter, args: &EditArgs) -> Result<Matter, FlagError> {
    let mut m = current.clone();
    set(&mut m.name, args.name.clone());
    set(&mut m.lead_department, args.department.clone());
    for list in &args.clear {
        match list {
            ListField::Materials => m.materials.clear(),
            ListField::Fees => m.fees.clear(),
            ListField::Stages => m.stages.clear(),
            ListField::Specials => m.special_steps.clear(),
            ListField::CoDepartments => m.co_departments.clear(),
        }
    }
    args.fields.apply(&mut m)?;
    if args.reinstate {
        m.active = true;
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Parser, Subcommand};

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: MatterCommand,
    }

    #[derive(Subcommand)]
    enum MatterCommand {
        Add(AddArgs),
        Edit(EditArgs),
    }

    fn parse(args: &[&str]) -> MatterCommand {
        Cli::try_parse_from(std::iter::once("matter").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"))
            .cmd
    }

    #[test]
    fn add_fills_every_given_field_and_defaults_the_rest() {
        let MatterCommand::Add(add) = parse(&[
            "add",
            "--code",
            "M001",
            "--name",
            "个体工商户设立登记",
            "--department",
            "D01",
            "--statutory-days",
            "15",
            "--promised-days",
            "3",
            "--material",
            "身份证:copy",
            "--material",
            "经营场所证明",
            "--fee-item",
            "工本费=12.50",
            "--stage",
            "受理=1",
            "--special",
            "site-inspection=5",
            "--phone",
            "0371-1234567",
        ]) else {
            panic!("not add")
        };
        let m = new_matter(&add).unwrap();
        assert_eq!((m.kind, m.level), (MatterKind::Promised, Level::Township));
        assert_eq!((m.statutory_days, m.promised_days), (15, 3));
        assert_eq!(m.materials.len(), 2);
        assert_eq!(m.fees[0].amount_fen, 1250);
        assert_eq!(m.stages[0].limit_days, Some(1));
        assert_eq!(m.special_steps.len(), 1);
        assert_eq!(m.phone, "0371-1234567");
        assert!(m.validate().is_ok());
    }

    #[test]
    fn add_defaults_promised_days_within_the_statutory_days() {
        let add = |extra: &[&str]| {
            let mut args = vec!["add", "--code", "M1", "--name", "n", "--department", "D"];
            args.extend_from_slice(extra);
            let MatterCommand::Add(add) = parse(&args) else {
                panic!("not add")
            };
            new_matter(&add).unwrap()
        };
        let m = add(&[]);
        assert_eq!((m.statutory_days, m.promised_days), (20, 5));
        assert_eq!(add(&["--statutory-days", "3"]).promised_days, 3);
        assert_eq!(add(&["--kind", "immediate"]).promised_days, 0);
    }

    #[test]
    fn edit_changes_only_the_given_fields_and_clears_lists_on_request() {
        let mut current = Matter::basic("M001", "旧名", Level::Township, 3, 15, "D01");
        current.phone = "110".into();
        current.materials = vec![parse::material("身份证").unwrap()];
        current.fees = vec![parse::fee_item("工本费=1").unwrap()];
        let MatterCommand::Edit(edit) = parse(&[
            "edit",
            "--code",
            "M001",
            "--name",
            "新名",
            "--material",
            "营业执照",
            "--clear",
            "fees",
        ]) else {
            panic!("not edit")
        };
        let m = edited_matter(&current, &edit).unwrap();
        assert_eq!(m.name, "新名");
        assert_eq!(m.phone, "110");
        assert_eq!((m.statutory_days, m.promised_days), (15, 3));
        assert_eq!(m.materials[0].name, "营业执照");
        assert!(m.fees.is_empty());
    }

    #[test]
    fn a_bad_flag_value_is_refused_naming_the_flag() {
        let MatterCommand::Add(add) = parse(&[
            "add",
            "--code",
            "M1",
            "--name",
            "n",
            "--department",
            "D",
            "--fee-item",
            "x=1.234",
        ]) else {
            panic!("not add")
        };
        assert_eq!(new_matter(&add).unwrap_err().flag, "--fee-item");
    }
}
