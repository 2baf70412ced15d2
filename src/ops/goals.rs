//! Creating, changing and deleting units' goals (chỉ tiêu), and the fields a goal is written
//! with. Progress and status are derived (`domain::goal`), never written.

use crate::auth::{Actor, Scope};
use crate::db::audit::{self, Change};
use crate::db::goals::{self, Goal, GoalData};
use crate::db::{AnyConnection, scope};
use crate::domain::{Decimal, Direction, Period, Year};
use crate::error::{ApiError, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed};
use crate::request_types;

request_types! {
    data = GoalData;
    /// A new goal of a unit.
    create CreateGoal;
    /// Changes to a goal, as a JSON merge patch: absent fields stay, `null` clears. The actual
    /// is reported here during the year.
    patch GoalPatch;
    fields {
        year: Year, check "Year::validate";
        period: Period;
        /// What the unit sets out to do.
        title: String, len(1, 500), check "crate::domain::text::single_line_name",
            example "Giải quyết hồ sơ thủ tục hành chính đúng hạn";
        /// How it is measured, when the title does not say.
        metric: Option<String>, len(1, 500), check "crate::domain::text::single_line_name",
            example "Tỷ lệ hồ sơ giải quyết đúng và trước hạn trên tổng số hồ sơ tiếp nhận";
        /// Đơn vị tính.
        unit_of_measure: String, len(1, 50), check "crate::domain::text::single_line_name", example "%";
        direction: Direction;
        /// Above 0 when higher is better; 0 or more when lower is better.
        target: Decimal, example "95";
        /// What has been reached so far; `null` before the first report.
        actual: Option<Decimal>, example "98.5";
        note: Option<String>, len(1, 2000), check "crate::domain::text::free_text",
            example "Số liệu đến ngày 30/6/2019";
    }
}

/// A goal the caller may see: one of a unit in its scope; others are 404.
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Goal, ApiError> {
    match goals::find(c, id)? {
        Some(g) if scope::reaches_unit(c, scope, g.unit_id)? => Ok(g),
        _ => Err(ApiError::NotFound(noun::GOAL)),
    }
}

/// The target on the right side of zero for its direction.
fn check(d: &GoalData) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    match d.direction {
        Direction::Higher if d.target <= Decimal::ZERO => errors.push(FieldError::new(
            "target",
            FieldCode::NotPositive,
            Text::new(
                "when higher is better the target must be above 0",
                "khi giá trị càng cao càng tốt, chỉ tiêu kế hoạch phải lớn hơn 0",
            ),
        )),
        Direction::Lower if d.target.is_negative() => errors.push(FieldError::new(
            "target",
            FieldCode::Negative,
            Text::new(
                "when lower is better the target must be 0 or more",
                "khi giá trị càng thấp càng tốt, chỉ tiêu kế hoạch không được nhỏ hơn 0",
            ),
        )),
        _ => {}
    }
    ApiError::unless_any(errors)
}

/// Creates a goal of `unit_id`, which the caller's scope reaches (checked by the caller).
pub fn create(
    c: &mut AnyConnection,
    actor: &Actor,
    unit_id: i64,
    data: &GoalData,
) -> Result<Goal, ApiError> {
    check(data)?;
    let goal = goals::insert(c, unit_id, data)?;
    audit::record(
        c,
        actor,
        Change::new("goal.create", "goal", goal.id).after(&goal),
    )?;
    Ok(goal)
}

/// Changes a goal within `scope`: `apply` makes the new data from the current.
pub fn update(
    c: &mut AnyConnection,
    (actor, scope): (&Actor, &Scope),
    id: i64,
    expected: &impl Precondition,
    apply: impl FnOnce(&GoalData) -> Result<GoalData, ApiError>,
) -> Result<Goal, ApiError> {
    let current = visible(c, scope, id)?;
    expected.check(current.version)?;
    let data = apply(&current.data)?;
    check(&data)?;
    let updated = changed(goals::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("goal.update", "goal", id)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}

/// Deletes a goal within `scope`.
pub fn delete(
    c: &mut AnyConnection,
    (actor, scope): (&Actor, &Scope),
    id: i64,
    expected: &impl Precondition,
) -> Result<(), ApiError> {
    let current = visible(c, scope, id)?;
    expected.check(current.version)?;
    if !goals::delete(c, &current)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        c,
        actor,
        Change::new("goal.delete", "goal", id).before(&current),
    )?;
    Ok(())
}
