//! `/evaluate`: the applicant's 好差评 kiosk. No staff sign-in: the
//! applicant types the case number and the one-time code printed at
//! conclusion (XXXX-XXXX), picks a level from 非常满意 to 非常不满意 and
//! may leave a comment; [`crate::NodeCore::evaluate`] records it through
//! the applicant's channel (no recorder), once per code, with the same
//! lockout as the control socket (five wrong codes lock the case's
//! evaluation for 15 minutes). A success answers 303 to
//! `/evaluate/thanks`, which shows no personal data.
//!
//! - The clerk's session cannot submit it: a post from a browser whose
//!   session cookie names a live staff session is refused with 403 and
//!   told to sign out or use the kiosk (an evaluation is never staff's).
//! - CSRF: the form's token is bound to the `liandong_pre` pre-session
//!   cookie, as the sign-in form's is; a post without it is refused with
//!   403 before anything is read from it.
//! - Each submission leaves an audit line (`evaluate`, the case, the
//!   outcome; no staff), as on the control socket.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use liandong_domain::Refusal;
use maud::html;
use serde::Deserialize;

use super::layout::{self, field, FieldAttrs};
use super::visit::{csrf_ok, csrf_refused, csrf_token, set_cookie, Problem, Visit, PRE_COOKIE};
use super::Console;
use crate::error::{ErrorReply, Forbidden, Missing};

/// The levels as the applicant reads them, 1 to 5.
const LEVELS: [(u8, &str, &str); 5] = [
    (1, "非常满意", "Very satisfied"),
    (2, "满意", "Satisfied"),
    (3, "基本满意", "Fairly satisfied"),
    (4, "不满意", "Dissatisfied"),
    (5, "非常不满意", "Very dissatisfied"),
];

/// The longest comment kept, in characters.
const MAX_COMMENT: usize = 500;

/// The lockout source the kiosk's wrong codes are counted under.
const SOURCE: &str = "console";

/// What the kiosk form posts (every field may be missing).
#[derive(Debug, Default, Deserialize)]
pub struct EvaluateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    text: String,
}

/// `GET /evaluate`: the empty form.
pub async fn page(State(console): State<Console>, visit: Visit) -> Response {
    let staff = console.signed_in(&visit).await.is_ok();
    let problem = staff.then(|| Problem {
        field: None,
        text: staff_refusal(&visit),
    });
    form(
        &console,
        &visit,
        &EvaluateForm::default(),
        problem,
        StatusCode::OK,
    )
}

/// `POST /evaluate`.
pub async fn submit(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<EvaluateForm>,
) -> Response {
    if !csrf_ok(visit.pre.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    if console.signed_in(&visit).await.is_ok() {
        return (StatusCode::FORBIDDEN, staff_refusal(&visit)).into_response();
    }
    if let Err(p) = check(&visit, &f) {
        return form(&console, &visit, &f, Some(p), StatusCode::BAD_REQUEST);
    }
    let level = f.level.trim().parse::<u8>().unwrap_or_default();
    let (case, code, text, lang) = (
        f.case.trim().to_string(),
        f.code.trim().to_string(),
        f.text.trim().to_string(),
        visit.lang,
    );
    let result = console
        .blocking(move |core| {
            let result = core.evaluate(lang, &case, &code, level, &text, SOURCE);
            let outcome = match &result {
                Ok(_) => "ok",
                Err(e) => e.kind().as_str(),
            };
            core.audit(None, None, None, "evaluate", &case, outcome);
            result
        })
        .await;
    match result {
        Ok(_) => Redirect::to("/evaluate/thanks").into_response(),
        Err(e) => {
            let status = status_of(&e);
            let p = Problem {
                field: field_of(&e),
                text: crate::error::words::error_text(&e, visit.lang),
            };
            form(&console, &visit, &f, Some(p), status)
        }
    }
}

/// `GET /evaluate/thanks`: the page after an evaluation.
pub async fn thanks(State(console): State<Console>, visit: Visit) -> Response {
    let body = html! {
        div.kiosk.panel {
            p.notice role="status" {
                (visit.t("感谢您的评价！您的意见将帮助我们改进服务。", "Thank you for your rating: it helps us improve."))
            }
            p { a.button href="/evaluate" { (visit.t("返回评价页", "Back to the rating page")) } }
        }
    };
    layout::page(
        &console.core,
        &visit,
        None,
        visit.t("评价成功", "Rating recorded"),
        body,
    )
}

/// What a staff member at the kiosk is told.
fn staff_refusal(visit: &Visit) -> String {
    visit
        .t(
            "评价只能由办事群众本人提交，工作人员的登录会话不能提交评价：请先退出登录，或请申请人使用评价终端。",
            "Only the applicant rates a case; a staff session cannot submit it: sign out first, or let the applicant use the kiosk.",
        )
        .to_string()
}

/// The form's own checks before the node is asked.
fn check(visit: &Visit, f: &EvaluateForm) -> Result<(), Problem> {
    if f.case.trim().is_empty() {
        return Err(Problem::at(
            "case",
            visit.t("请输入办件编号", "Enter the case number"),
        ));
    }
    if f.code.trim().is_empty() {
        return Err(Problem::at(
            "code",
            visit.t(
                "请输入办结时打印的评价码",
                "Enter the code printed at conclusion",
            ),
        ));
    }
    let level_ok = f
        .level
        .trim()
        .parse::<u8>()
        .is_ok_and(|l| (1..=5).contains(&l));
    if !level_ok {
        return Err(Problem::at(
            "level",
            visit.t("请选择满意程度", "Choose a rating"),
        ));
    }
    if f.text.trim().chars().count() > MAX_COMMENT {
        return Err(Problem::at(
            "text",
            visit.t(
                "意见请不要超过 500 字",
                "Keep the comment to 500 characters",
            ),
        ));
    }
    Ok(())
}

/// The field a refusal is about.
fn field_of(e: &ErrorReply) -> Option<&'static str> {
    match e {
        ErrorReply::NotFound {
            what: Missing::Case { .. },
        } => Some("case"),
        ErrorReply::Refused {
            refusal: Refusal::WrongEvaluationCode,
        }
        | ErrorReply::NotPermitted {
            what: Forbidden::Locked { .. },
        } => Some("code"),
        ErrorReply::Refused {
            refusal: Refusal::EvaluationLevel { .. },
        } => Some("level"),
        _ => None,
    }
}

fn status_of(e: &ErrorReply) -> StatusCode {
    match e {
        ErrorReply::NotFound { .. } => StatusCode::NOT_FOUND,
        ErrorReply::NotPermitted {
            what: Forbidden::Locked { .. },
        } => StatusCode::TOO_MANY_REQUESTS,
        ErrorReply::Refused { .. } | ErrorReply::BadInput { .. } => StatusCode::BAD_REQUEST,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The kiosk form, with the values typed so far and a problem.
fn form(
    console: &Console,
    visit: &Visit,
    f: &EvaluateForm,
    problem: Option<Problem>,
    status: StatusCode,
) -> Response {
    let pre = visit.pre_session();
    let p = problem.as_ref();
    let level_error = p.filter(|p| p.field == Some("level"));
    let text_error = p.filter(|p| p.field == Some("text"));
    let body = html! {
        div.kiosk {
            p { (visit.t(
                "请输入办件编号和办结时打印在回执上的评价码，选择满意程度。每个评价码只能使用一次。",
                "Enter the case number and the code printed on your receipt at conclusion, then choose a rating. Each code works once.",
            )) }
            form.panel method="post" action="/evaluate" {
                input type="hidden" name="csrf" value=(csrf_token(&pre));
                (layout::problem_banner(p))
                (field("case", visit.t("办件编号", "Case number"), &f.case, p,
                    FieldAttrs { autocomplete: Some("off"), ..FieldAttrs::required() }))
                (field("code", visit.t("评价码", "Evaluation code"), &f.code, p,
                    FieldAttrs { autocomplete: Some("off"), ..FieldAttrs::required() }))
                fieldset.levels aria-describedby=[level_error.map(|_| "level-error")] {
                    legend { (visit.t("满意程度", "Rating")) }
                    @for (n, zh, en) in LEVELS {
                        @let id = format!("f-level-{n}");
                        label for=(id) {
                            input type="radio" id=(id) name="level" value=(n)
                                checked[f.level.trim() == n.to_string()] required;
                            " " (visit.t(zh, en))
                        }
                    }
                    @if let Some(e) = level_error { p.error id="level-error" role="alert" { (e.text) } }
                }
                div.field {
                    label for="f-text" { (visit.t("意见建议（选填）", "Comment (optional)")) }
                    textarea id="f-text" name="text" maxlength="500"
                        aria-invalid=[text_error.map(|_| "true")]
                        aria-describedby=[text_error.map(|_| "f-text-error")] { (f.text) }
                    @if let Some(e) = text_error { p.error id="f-text-error" role="alert" { (e.text) } }
                }
                button type="submit" { (visit.t("提交评价", "Submit rating")) }
            }
        }
    };
    let title = visit.t("办事评价（好差评）", "Rate your case (好差评)");
    let mut response = layout::page(&console.core, visit, None, title, body);
    *response.status_mut() = status;
    if visit.pre.is_none() {
        let c = format!("{PRE_COOKIE}={pre}; {}", visit.cookie_attrs());
        set_cookie(&mut response, &c);
    }
    response
}
