//! The API's write bodies and the one place they become a [`CaseAction`]
//! ([`case_action`]). Bodies are read strictly: unknown fields, wrong
//! types and blank required fields are bad input (400), before anything is
//! checked against the case.

use serde::{Deserialize, Serialize};

use super::error::ApiError;
use crate::control::CaseAction;

/// A department's result for its part (通过/退回/其他, GB/T 39046 table 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpinionResult {
    /// 通过.
    Pass,
    /// 退回.
    Return,
    /// 其他.
    Other,
}

/// `POST /v1/cases/{id}/opinions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpinionBody {
    /// The department's staff member giving the opinion, e.g. S31.
    pub staff: String,
    pub result: OpinionResult,
    /// The opinion's text (required unless the result is `pass`).
    #[serde(default)]
    pub text: String,
}

/// `POST /v1/cases/{id}/decisions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// The chief representative deciding, e.g. S31.
    pub staff: String,
    pub approve: bool,
    /// Required for a denial (不予许可: reasons and the applicant's rights).
    #[serde(default)]
    pub reason: String,
    /// The written authorisation (授权书) decided under, e.g. A-D03-2026.
    #[serde(default)]
    pub authorisation: Option<String>,
    /// The chief representative's password: it unlocks his electronic
    /// seal for this one decision (checked and counted like a sign-in).
    /// Never written back: not in the journal, the response or a log.
    #[serde(default, skip_serializing)]
    pub password: String,
}

/// One write of the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "lowercase")]
pub enum Write {
    Opinion(OpinionBody),
    Decision(DecisionBody),
}

impl Write {
    /// The staff member the write names.
    pub fn staff(&self) -> &str {
        match self {
            Write::Opinion(o) => &o.staff,
            Write::Decision(d) => &d.staff,
        }
    }

    /// Blank required fields, as bad input (the domain checks the rest).
    pub fn check_fields(&self) -> Result<(), ApiError> {
        let staff = self.staff();
        if staff.trim().is_empty() {
            return Err(ApiError::bad_request(
                "`staff` is required: the staff member recording this, e.g. S31",
                "`staff` 不能为空：请填写经办人员编号，例如 S31",
            ));
        }
        if let Write::Decision(d) = self {
            if d.password.is_empty() {
                return Err(ApiError::bad_request(
                    "`password` is required: the chief representative's password unlocks his electronic seal",
                    "`password` 不能为空：首席代表的密码用于解锁其电子印章",
                ));
            }
        }
        if let Write::Decision(DecisionBody {
            authorisation: Some(a),
            ..
        }) = self
        {
            if a.trim().is_empty() {
                return Err(ApiError::bad_request(
                    "`authorisation` must name an authorisation (授权书) when given",
                    "`authorisation` 如填写，须为授权书编号",
                ));
            }
        }
        Ok(())
    }
}

/// The step a write records for `department`'s part: an opinion with
/// its result (通过/退回/其他) and staff member, or a decision by `staff`
/// under the named authorisation (by default the first that allows it),
/// both for this bridge's department.
pub fn case_action(write: &Write, department: &str) -> CaseAction {
    match write {
        Write::Opinion(o) => CaseAction::Opinion {
            department: Some(department.to_string()),
            result: match o.result {
                OpinionResult::Pass => liandong_domain::OpinionResult::Pass,
                OpinionResult::Return => liandong_domain::OpinionResult::Return,
                OpinionResult::Other => liandong_domain::OpinionResult::Other,
            },
            staff: o.staff.trim().to_string(),
            text: o.text.trim().to_string(),
        },
        Write::Decision(d) => CaseAction::Decide {
            approve: d.approve,
            by: d.staff.trim().to_string(),
            reason: d.reason.trim().to_string(),
            department: Some(department.to_string()),
            authorisation: d.authorisation.as_ref().map(|a| a.trim().to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opinion_keeps_its_result_and_staff_for_this_department() {
        let body: OpinionBody =
            serde_json::from_str(r#"{"staff":"S31","result":"return","text":"缺少证明"}"#).unwrap();
        match case_action(&Write::Opinion(body), "D03") {
            CaseAction::Opinion {
                department,
                result,
                staff,
                text,
            } => assert_eq!(
                (department.as_deref(), result, staff.as_str(), text.as_str()),
                (
                    Some("D03"),
                    liandong_domain::OpinionResult::Return,
                    "S31",
                    "缺少证明"
                )
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unknown_fields_and_wrong_types_do_not_parse() {
        assert!(serde_json::from_str::<OpinionBody>(r#"{"staff":"S31","result":"ok"}"#).is_err());
        assert!(
            serde_json::from_str::<OpinionBody>(r#"{"staff":"S31","result":"pass","x":1}"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<DecisionBody>(r#"{"staff":"S31","approve":"yes"}"#).is_err()
        );
        let blank = Write::Decision(DecisionBody {
            staff: " ".into(),
            approve: true,
            reason: String::new(),
            authorisation: None,
            password: String::new(),
        });
        assert_eq!(blank.check_fields().unwrap_err().status.as_u16(), 400);
    }
}
