//! The wording of the refusals and anomalies of the acceptance, decision
//! and fee rules (行政许可法 §32, §42–45; 统一收费): one match, Chinese and
//! English side by side, each naming what the clerk must do instead.

use super::{list, Refusal};
use crate::base::Lang;

impl Refusal {
    /// The text of a rule refusal; `None` for the other variants.
    pub(super) fn rules_message(&self, lang: Lang) -> Option<String> {
        let zh = lang == Lang::Zh;
        Some(match self {
            Refusal::DeemedAccepted { notice_due } if zh => format!(
                "该申请在 {notice_due} 前未告知补正、未受理也未不予受理，依法视为受理，不能再发补正告知或不予受理"
            ),
            Refusal::DeemedAccepted { notice_due } => format!(
                "no notice, acceptance or rejection by {notice_due}: the application is deemed accepted, so no correction notice or rejection any more"
            ),
            Refusal::FeesUnsettled { items } if zh => format!(
                "以下收费项目尚未缴费也未登记免收，不能办结：{}",
                list(items, lang)
            ),
            Refusal::FeesUnsettled { items } => format!(
                "fees neither paid nor waived: {}; cannot conclude",
                list(items, lang)
            ),
            Refusal::FeeAlreadyWaived { item } if zh => format!("“{item}”已登记免收"),
            Refusal::FeeAlreadyWaived { item } => format!("`{item}` was already waived"),
            _ => return None,
        })
    }
}
