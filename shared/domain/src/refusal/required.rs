//! [`RequiredField`]: the fields an event must not leave blank, each named
//! as the clerk sees it (the English label adds its command-line flag).

use serde::{Deserialize, Serialize};

use crate::base::Lang;

/// A field that must not be blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequiredField {
    ApplicantName,
    ApplicantIdNumber,
    RejectionReason,
    LegalBasis,
    DenialReason,
    WithdrawalReason,
    RetractionReason,
    ProcedureReason,
    ProcedureDays,
    OpinionText,
    Department,
    Township,
    OpinionStaff,
    DecidedBy,
    Authorisation,
    FeeItem,
    FeeAmount,
    Note,
    LegalRepresentative,
    AgentName,
    AgentIdNumber,
    WaiverReason,
}

impl RequiredField {
    pub fn label(self, lang: Lang) -> &'static str {
        let (zh, en) = match self {
            RequiredField::ApplicantName => ("申请人姓名", "applicant name"),
            RequiredField::ApplicantIdNumber => ("申请人证件号码", "applicant ID number"),
            RequiredField::RejectionReason => ("不予受理理由", "rejection reason (--reason)"),
            RequiredField::LegalBasis => ("法律依据", "legal basis (--legal-basis)"),
            RequiredField::DenialReason => ("不予许可理由", "reason for a denial (--reason)"),
            RequiredField::WithdrawalReason => ("撤回理由", "withdrawal reason (--reason)"),
            RequiredField::RetractionReason => ("更正理由", "retraction reason (--reason)"),
            RequiredField::ProcedureReason => ("特别程序理由", "special procedure reason"),
            RequiredField::ProcedureDays => (
                "特别程序期限（至少 1 个工作日）",
                "special procedure days (at least 1)",
            ),
            RequiredField::OpinionText => (
                "不同意时的意见说明",
                "opinion text when disagreeing (--text)",
            ),
            RequiredField::Department => ("部门", "department (--department)"),
            RequiredField::Township => ("乡镇", "township (--township)"),
            RequiredField::OpinionStaff => ("经办人", "staff member (--staff)"),
            RequiredField::DecidedBy => ("决定人", "decided by (--by)"),
            RequiredField::Authorisation => ("授权书编号", "authorisation id"),
            RequiredField::FeeItem => ("收费项目", "fee item (--item)"),
            RequiredField::FeeAmount => ("收费金额（大于 0）", "fee amount (above 0)"),
            RequiredField::Note => ("说明", "note (--note)"),
            RequiredField::LegalRepresentative => (
                "单位的法定代表人姓名",
                "an organisation's legal representative (--legal-representative)",
            ),
            RequiredField::AgentName => ("代理人姓名", "agent name (--agent-name)"),
            RequiredField::AgentIdNumber => ("代理人证件号码", "agent ID number (--agent-id)"),
            RequiredField::WaiverReason => ("免收理由", "reason for the waiver (--reason)"),
        };
        lang.pick(zh, en)
    }
}
