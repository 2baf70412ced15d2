//! Write operations: for each resource, the plain functions that carry a change through —
//! load, check the version, apply, check the rules, write, audit — inside the caller's
//! transaction. The HTTP handlers, the importer and the command line all write through these;
//! none of them writes tables directly, and nothing here knows of HTTP.

pub mod blocs;
pub mod covenants;
pub mod fields;
pub mod goals;
pub mod movements;
pub mod persons;
pub mod ranking;
pub mod registrations;
pub mod reviews;
pub mod score_sheets;
pub mod units;
pub mod users;

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::{AnyConnection, refs};
use crate::domain::workflow::Refusal;
use crate::error::{ApiError, Code, FieldCode, FieldError, Text};

/// What version of a resource a write expects to find. `If-Match` is one (src/http); the
/// command line and the importer, which write what they have just read, use [`Unconditional`].
pub trait Precondition {
    fn check(&self, version: i64) -> Result<(), ApiError>;
    /// The same for a resource whose ETag is a digest (`current`, as sent) rather than a row
    /// version; `*` passes only when `any_allowed`.
    fn check_tag(&self, current: &str, any_allowed: bool) -> Result<(), ApiError>;
}

/// Writes whatever version is current.
pub struct Unconditional;

impl Precondition for Unconditional {
    fn check(&self, _: i64) -> Result<(), ApiError> {
        Ok(())
    }
    fn check_tag(&self, _: &str, _: bool) -> Result<(), ApiError> {
        Ok(())
    }
}

/// The names the 409 of a refused delete gives to the records that refer to a row. Only
/// labels: which records refer is read from the foreign keys ([`refs::referrers`]).
fn label(table: &str, column: &str) -> Text {
    match (table, column) {
        ("units", "parent_id") => Text::new("child units", "đơn vị trực thuộc"),
        ("units", "successor_id") => Text::new("units it succeeds", "đơn vị mà nó kế thừa"),
        ("persons", "unit_id") => Text::new("persons", "cá nhân"),
        ("bloc_members", "bloc_id") => Text::new("yearly memberships", "lượt thành viên theo năm"),
        ("bloc_members", _) => Text::new("bloc memberships", "lượt tham gia khối thi đua"),
        ("movements", "launching_unit_id") => Text::new("movements", "phong trào thi đua"),
        ("movement_registrations", _) => {
            Text::new("movement registrations", "lượt đăng ký phong trào")
        }
        ("users", "unit_id") | ("user_blocs", _) => Text::new("users", "tài khoản"),
        ("goals", _) => Text::new("goals", "chỉ tiêu"),
        ("reviews", _) => Text::new("reviews", "hội nghị"),
        ("review_attendees", _) => Text::new("review attendees", "người dự hội nghị"),
        ("review_focus_tasks", _) | ("review_task_owners", _) => {
            Text::new("review focus tasks", "nhiệm vụ trọng tâm của hội nghị")
        }
        ("review_resolutions", _) => Text::new("review resolutions", "nghị quyết của hội nghị"),
        ("review_awards", _) => Text::new(
            "awards handed over at reviews",
            "khen thưởng trao tại hội nghị",
        ),
        ("score_sheets", _) => Text::new("score sheets", "bảng chấm điểm"),
        ("covenants", _) => Text::new("covenants", "giao ước thi đua"),
        _ => {
            let name = format!("{table}.{column}");
            Text::owned(name.clone(), name)
        }
    }
}

/// The 422 for a reference to a unit that does not exist.
pub const NO_UNIT: Text = Text::new("no unit has this id", "không có đơn vị nào có mã này");

/// Runs `delete` in a savepoint; when a foreign key refuses it, answers 409 `code` naming what
/// still refers to row `id` of `table` and what to do instead (`advice`).
pub fn delete_unless_referred(
    c: &mut AnyConnection,
    (table, id): (&str, i64),
    (code, what, advice): (Code, Text, Text),
    delete: impl FnOnce(&mut AnyConnection) -> diesel::QueryResult<bool>,
) -> Result<(), ApiError> {
    use diesel::Connection;
    match c.transaction(delete) {
        Ok(true) => Ok(()),
        Ok(false) => Err(ApiError::PreconditionFailed),
        Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
            let referrers = refs::referrers(c, table, id)?;
            let list = |lang| {
                referrers
                    .iter()
                    .map(|r| format!("{} {}", r.count, label(&r.table, &r.column).get(lang)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let (en, vi) = (list(crate::error::Lang::En), list(crate::error::Lang::Vi));
            Err(ApiError::conflict(
                code,
                Text::owned(
                    format!("the {what} is referred to by {en}; {advice}"),
                    format!(
                        "không thể xóa {} vì còn {vi} tham chiếu đến; {}",
                        what.vi(),
                        advice.vi()
                    ),
                ),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The 412 of a write whose row changed between the read and the write.
pub fn changed<T>(row: Option<T>) -> Result<T, ApiError> {
    row.ok_or(ApiError::PreconditionFailed)
}

/// The answer to a refused transition: 409 naming the current state and the actions allowed
/// from it, 403 for a role that may never take the action there, 422 for a missing reason.
pub fn refused<S: std::fmt::Display, A: std::fmt::Display>(
    r: Refusal<S, A>,
    action: A,
) -> ApiError {
    match r {
        Refusal::NotFromHere { state, allowed } => ApiError::TransitionRefused {
            action: action.to_string(),
            state: state.to_string(),
            allowed: allowed.iter().map(ToString::to_string).collect(),
        },
        Refusal::NotYourRole => ApiError::Forbidden,
        Refusal::ReasonRequired => ApiError::Validation(vec![FieldError::new(
            "reason",
            FieldCode::Required,
            crate::text!(
                "the {action} action needs a reason",
                "thao tác {action} cần nêu lý do"
            ),
        )]),
    }
}
