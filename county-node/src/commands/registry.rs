//! The county's registry commands besides the catalogue: `staff ...`
//! (roster, roles, windows, chief-representative authorisations),
//! `calendar ...` (statutory holidays and adjusted working days) and
//! `supervision ...` (e-supervision items across all townships).
//!
//! Each parses its flags (refusing bad values with the flag named), sends
//! one control request to the running county and prints the reply in the
//! clerk's language, or as JSON with `--json`. Writing is county-only and
//! the node enforces it; these commands do not check it again.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Subcommand};
use liandong_cli::{bad_argument, CommandError};
use liandong_domain::{cst_date, dates_from_until, AuthScope, DaySetting, Lang};
use liandong_node::control::Request;

use super::{parse, send};

/// `staff ...`, with the county's data directory for every subcommand.
#[derive(Args, Debug)]
pub struct StaffArgs {
    /// Data directory of the running county.
    #[arg(long, global = true, default_value = "./data/county")]
    pub data: PathBuf,
    #[command(subcommand)]
    pub cmd: StaffCommand,
}

#[derive(Subcommand, Debug)]
pub enum StaffCommand {
    /// Add a staff member to the roster (or rename / move an existing one),
    /// with a first role.
    Add {
        /// Staff id (工号): 1-16 letters, digits or `_`, e.g. S01.
        #[arg(long)]
        id: String,
        /// Name (姓名).
        #[arg(long)]
        name: String,
        /// Department (所属部门), e.g. D01.
        #[arg(long)]
        department: String,
        /// window-clerk, fee-clerk, reviewer, chief-representative,
        /// supervisor, hall-management or network-admin.
        #[arg(long)]
        role: String,
        /// A centre he works at, e.g. T01 (repeatable); none: the county
        /// hall. His credential goes only to these centres and the county.
        #[arg(long = "centre")]
        centres: Vec<String>,
    },
    /// Set or reset a staff member's password (hall management; he then
    /// changes it with `passwd`), or disable / enable his account.
    SetPassword {
        /// Staff id.
        id: String,
        /// Read the password from one line of stdin (for scripts).
        #[arg(long)]
        password_stdin: bool,
        /// Disable the account: it can no longer sign in, and its sessions end.
        #[arg(long, conflicts_with = "enable")]
        disable: bool,
        /// Enable a disabled account again (its password unchanged).
        #[arg(long)]
        enable: bool,
    },
    /// Give a staff member another role, or take one away with --remove.
    AssignRole {
        /// Staff id.
        id: String,
        /// window-clerk, fee-clerk, reviewer, chief-representative,
        /// supervisor, hall-management or network-admin.
        #[arg(long)]
        role: String,
        /// Remove the role instead of adding it.
        #[arg(long)]
        remove: bool,
    },
    /// Seat a staff member at a window, or take them off with --none.
    #[command(group(ArgGroup::new("seat").required(true).args(["window", "none"])))]
    Window {
        /// Staff id.
        id: String,
        /// Window, e.g. W03.
        #[arg(long)]
        window: Option<String>,
        /// No window.
        #[arg(long)]
        none: bool,
    },
    /// Authorise a chief representative (授权书): powers over one matter or
    /// every matter of a department, valid between two dates (both included).
    #[command(group(ArgGroup::new("scope").required(true).args(["matter", "department"])))]
    Authorise {
        /// Staff id.
        staff: String,
        /// Scope: one matter, by code.
        #[arg(long)]
        matter: Option<String>,
        /// Scope: every matter this department leads or takes part in.
        #[arg(long)]
        department: Option<String>,
        /// Comma-separated: decide (审批决定权), coordinate (组织协调权),
        /// report (审批上报权), seal (专用章使用权).
        #[arg(long)]
        powers: String,
        /// First valid day, YYYY-MM-DD.
        #[arg(long)]
        from: String,
        /// Last valid day, YYYY-MM-DD.
        #[arg(long)]
        to: String,
        /// Id of the authorisation [default: A-STAFF-<time>].
        #[arg(long)]
        auth_id: Option<String>,
    },
    /// Revoke an authorisation from now on; decisions taken under it stand.
    Revoke {
        /// Authorisation id, as `staff list` shows it.
        auth_id: String,
    },
    /// The roster: roles, windows and authorisations.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `calendar ...`, with the county's data directory for every subcommand.
#[derive(Args, Debug)]
pub struct CalendarArgs {
    /// Data directory of the running county.
    #[arg(long, global = true, default_value = "./data/county")]
    pub data: PathBuf,
    #[command(subcommand)]
    pub cmd: CalendarCommand,
}

/// A date or a range of dates, both included.
#[derive(Args, Debug)]
pub struct DateRange {
    /// First date, YYYY-MM-DD.
    pub date: String,
    /// Last date of a range, YYYY-MM-DD (at most a year after DATE).
    #[arg(long)]
    pub until: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// 法定节假日: not a working day, even on a weekday.
    SetHoliday(DateRange),
    /// 调休上班: a working day, even on a weekend.
    SetWorkday(DateRange),
    /// Back to the weekday rule (undoes a setting).
    Clear(DateRange),
    /// The settings of one year.
    Show {
        /// Year [default: this year, China Standard Time].
        #[arg(long)]
        year: Option<i32>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// `supervision ...`, with the county's data directory for every subcommand.
#[derive(Args, Debug)]
pub struct SupervisionArgs {
    /// Data directory of the running county.
    #[arg(long, global = true, default_value = "./data/county")]
    pub data: PathBuf,
    #[command(subcommand)]
    pub cmd: SupervisionCommand,
}

#[derive(Subcommand, Debug)]
pub enum SupervisionCommand {
    /// Every warning and overdue case (电子监察), across all townships.
    List {
        /// Only cases accepted at this township, e.g. T01 (or a node
        /// name such as county/HQ).
        #[arg(long)]
        township: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add a note to a supervision item, or resolve it (items are never
    /// deleted).
    Annotate {
        /// Case id.
        case: String,
        /// Item id, as `supervision list` shows it.
        item: String,
        #[arg(long)]
        note: String,
        /// Mark the item resolved.
        #[arg(long)]
        resolve: bool,
    },
}

pub async fn run_staff(args: StaffArgs, lang: Lang) -> anyhow::Result<()> {
    if let StaffCommand::SetPassword {
        id,
        password_stdin,
        disable,
        enable,
    } = &args.cmd
    {
        return liandong_cli::signin::set_password(
            &args.data,
            super::START_HINT,
            lang,
            id,
            *password_stdin,
            *disable,
            *enable,
        )
        .await;
    }
    let (req, json) = staff_request(args.cmd, lang)?;
    send(&args.data, lang, req, json).await
}

fn staff_request(cmd: StaffCommand, lang: Lang) -> anyhow::Result<(Request, bool)> {
    let flag = |e: parse::FlagError| bad_argument(e.message(lang));
    Ok(match cmd {
        StaffCommand::Add {
            id,
            name,
            department,
            role,
            centres,
        } => {
            let role = parse::role(&role, lang).map_err(bad_argument)?;
            let req = Request::AddStaff {
                id,
                name,
                department,
                role,
                centres,
            };
            (req, false)
        }
        StaffCommand::AssignRole { id, role, remove } => {
            let role = parse::role(&role, lang).map_err(bad_argument)?;
            (Request::AssignRole { id, role, remove }, false)
        }
        StaffCommand::Window { id, window, none } => {
            let window = if none { None } else { window };
            (Request::AssignWindow { id, window }, false)
        }
        StaffCommand::Authorise {
            staff,
            matter,
            department,
            powers,
            from,
            to,
            auth_id,
        } => {
            let scope = match (matter, department) {
                (Some(code), _) => AuthScope::Matter(code),
                (None, Some(dept)) => AuthScope::Department(dept),
                (None, None) => return Err(bad_argument("--matter or --department")),
            };
            let req = Request::Authorise {
                staff,
                scope,
                powers: parse::powers(&powers, lang).map_err(bad_argument)?,
                from: parse::date("--from", &from).map_err(flag)?,
                to: parse::date("--to", &to).map_err(flag)?,
                id: auth_id,
            };
            (req, false)
        }
        StaffCommand::Revoke { auth_id } => (Request::RevokeAuthorisation { id: auth_id }, false),
        StaffCommand::List { json } => (Request::ListStaff, json),
        StaffCommand::SetPassword { .. } => return Err(CommandError::UnexpectedReply.into()),
    })
}

pub async fn run_calendar(args: CalendarArgs, lang: Lang) -> anyhow::Result<()> {
    let (req, json) = calendar_request(args.cmd, lang)?;
    send(&args.data, lang, req, json).await
}

fn calendar_request(cmd: CalendarCommand, lang: Lang) -> anyhow::Result<(Request, bool)> {
    let set = |range: DateRange, setting| -> anyhow::Result<(Request, bool)> {
        let flag = |e: parse::FlagError| bad_argument(e.message(lang));
        let from = parse::date("DATE", &range.date).map_err(flag)?;
        let until = match &range.until {
            Some(u) => parse::date("--until", u).map_err(flag)?,
            None => from,
        };
        let dates = dates_from_until(from, until).map_err(|e| bad_argument(e.message(lang)))?;
        Ok((Request::SetCalendar { dates, setting }, false))
    };
    match cmd {
        CalendarCommand::SetHoliday(range) => set(range, DaySetting::Holiday),
        CalendarCommand::SetWorkday(range) => set(range, DaySetting::Workday),
        CalendarCommand::Clear(range) => set(range, DaySetting::Ordinary),
        CalendarCommand::Show { year, json } => {
            let year = year.unwrap_or_else(this_year);
            Ok((Request::ShowCalendar { year }, json))
        }
    }
}

/// This year in China Standard Time.
fn this_year() -> i32 {
    use chrono::Datelike;
    cst_date(liandong_model::Clock::now_ms(&liandong_model::SystemClock)).year()
}

pub async fn run_supervision(args: SupervisionArgs, lang: Lang) -> anyhow::Result<()> {
    let (req, json) = match args.cmd {
        SupervisionCommand::List { township, json } => {
            (Request::Supervision { origin: township }, json)
        }
        SupervisionCommand::Annotate {
            case,
            item,
            note,
            resolve,
        } => (
            Request::AnnotateSupervision {
                case,
                item,
                note,
                resolve,
            },
            false,
        ),
    };
    send(&args.data, lang, req, json).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: Top,
    }

    #[derive(Subcommand)]
    enum Top {
        Staff(StaffArgs),
        Calendar(CalendarArgs),
    }

    fn staff(args: &[&str]) -> anyhow::Result<Request> {
        let argv = ["x", "staff"].into_iter().chain(args.iter().copied());
        match Cli::try_parse_from(argv)?.cmd {
            Top::Staff(a) => staff_request(a.cmd, Lang::En).map(|(r, _)| r),
            Top::Calendar(_) => unreachable!(),
        }
    }

    fn calendar(args: &[&str]) -> anyhow::Result<Request> {
        let argv = ["x", "calendar"].into_iter().chain(args.iter().copied());
        match Cli::try_parse_from(argv)?.cmd {
            Top::Calendar(a) => calendar_request(a.cmd, Lang::En).map(|(r, _)| r),
            Top::Staff(_) => unreachable!(),
        }
    }

    #[test]
    fn authorise_builds_scope_powers_and_dates() {
        let req = staff(&[
            "authorise",
            "S01",
            "--matter",
            "M001",
            "--powers",
            "decide,seal",
            "--from",
            "2026-01-01",
            "--to",
            "2027-12-31",
        ])
        .unwrap();
        let Request::Authorise {
            scope, powers, to, ..
        } = req
        else {
            panic!("not authorise")
        };
        assert_eq!(scope, AuthScope::Matter("M001".into()));
        assert_eq!(powers.len(), 2);
        assert_eq!(to, NaiveDate::from_ymd_opt(2027, 12, 31).unwrap());
    }

    #[test]
    fn authorise_needs_exactly_one_scope_and_a_valid_date() {
        let base = [
            "authorise",
            "S01",
            "--powers",
            "decide",
            "--from",
            "2026-01-01",
        ];
        let with = |extra: &[&str]| {
            let mut v = base.to_vec();
            v.extend_from_slice(extra);
            staff(&v)
        };
        assert!(with(&["--to", "2027-01-01"]).is_err());
        assert!(with(&["--to", "2027-01-01", "--matter", "M1", "--department", "D1"]).is_err());
        let e = with(&["--to", "2027-02-30", "--department", "D1"]).unwrap_err();
        assert!(e.to_string().starts_with("--to `2027-02-30`"), "{e}");
    }

    #[test]
    fn an_unknown_role_is_refused_naming_the_flag() {
        let e = staff(&[
            "add",
            "--id",
            "S1",
            "--name",
            "李明",
            "--department",
            "D1",
            "--role",
            "boss",
        ])
        .unwrap_err();
        assert!(e.to_string().starts_with("--role"), "{e}");
    }

    #[test]
    fn a_holiday_range_sets_every_day_and_a_reversed_range_is_refused() {
        let Request::SetCalendar { dates, setting } =
            calendar(&["set-holiday", "2026-10-01", "--until", "2026-10-07"]).unwrap()
        else {
            panic!("not set-calendar")
        };
        assert_eq!((dates.len(), setting), (7, DaySetting::Holiday));
        assert!(calendar(&["set-workday", "2026-10-10", "--until", "2026-10-01"]).is_err());
        assert!(calendar(&["clear", "10/10/2026"]).is_err());
    }
}
