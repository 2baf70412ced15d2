//! Launching, changing, moving through their workflow and deleting emulation movements.

use crate::auth::{Actor, Role};
use crate::db::audit::{self, Change};
use crate::db::movements::{self, Movement, MovementData};
use crate::db::{AnyConnection, units};
use crate::domain::movement::{MovementAction, MovementFlow};
use crate::domain::workflow::Workflow;
use crate::domain::{Date, MovementForm, MovementScope, MovementStatus};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed, delete_unless_referred, refused};
use crate::request_types;

request_types! {
    data = MovementData;
    /// A new movement.
    create CreateMovement;
    /// Changes to a movement, as a JSON merge patch: absent fields stay, `null` clears. Its
    /// status moves only through `POST /movements/{id}/transitions`.
    patch MovementPatch;
    fields {
        name: String, len(1, 500), check "crate::domain::text::single_line_name", example "Toàn dân thực hành tiết kiệm, chống lãng phí";
        slogan: Option<String>, len(1, 500), check "crate::domain::text::single_line_name", example "Tiết kiệm là quốc sách";
        /// An existing unit.
        launching_unit_id: Option<i64>, min 1;
        decision_number: Option<String>, len(1, 50), check "crate::domain::text::single_line_name", example "1122/QĐ-UBND";
        decision_date: Option<Date>, example "2026-03-02";
        scope: MovementScope;
        form: MovementForm;
        start_date: Date, example "2026-03-15";
        /// Not before `start_date`.
        end_date: Option<Date>, example "2030-12-31";
        /// `planned` when absent; afterwards only transitions move it.
        status: MovementStatus, create_only default;
        description: Option<String>, len(1, 4000),
            example "Phát động trong các cơ quan, đơn vị, địa phương tỉnh Điện Biên giai đoạn 2026–2030";
    }
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Movement, ApiError> {
    movements::find(c, id)?.ok_or(ApiError::NotFound(noun::MOVEMENT))
}

/// The dates in order and the launching unit existing.
fn check(c: &mut AnyConnection, d: &MovementData) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if d.end_date.is_some_and(|end| end < d.start_date) {
        errors.push(FieldError::new(
            "end_date",
            FieldCode::Order,
            Text::new(
                "must not be before start_date",
                "không được sớm hơn start_date",
            ),
        ));
    }
    if let Some(unit) = d.launching_unit_id
        && !units::exists(c, unit)?
    {
        errors.push(FieldError::new(
            "launching_unit_id",
            FieldCode::Unknown,
            super::NO_UNIT,
        ));
    }
    ApiError::unless_any(errors)
}

pub fn create(
    c: &mut AnyConnection,
    actor: &Actor,
    data: &MovementData,
) -> Result<Movement, ApiError> {
    check(c, data)?;
    let movement = movements::insert(c, data)?;
    audit::record(
        c,
        actor,
        Change::new("movement.create", "movement", movement.id).after(&movement),
    )?;
    Ok(movement)
}

pub fn update(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
    apply: impl FnOnce(&MovementData) -> Result<MovementData, ApiError>,
) -> Result<Movement, ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    let data = apply(&current.data)?;
    check(c, &data)?;
    let updated = changed(movements::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("movement.update", "movement", id)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}

/// Moves a movement through its workflow; the reason, when given, goes to the audit trail.
pub fn transition(
    c: &mut AnyConnection,
    (actor, role): (&Actor, Role),
    id: i64,
    action: MovementAction,
    reason: Option<&str>,
) -> Result<Movement, ApiError> {
    let current = find(c, id)?;
    let status = MovementFlow::decide(current.data.status, action, role, reason)
        .map_err(|r| refused(r, action))?;
    let data = MovementData {
        status,
        ..current.data.clone()
    };
    let updated = changed(movements::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("movement.transition", "movement", id)
            .before(&current)
            .after(&updated)
            .reason(reason),
    )?;
    Ok(updated)
}

/// Deletes a movement no unit registered for; one with registrations is closed instead.
pub fn delete(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
) -> Result<(), ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    delete_unless_referred(
        c,
        ("movements", id),
        (
            Code::MovementInUse,
            noun::MOVEMENT,
            Text::new(
                "close it (the close transition) instead",
                "hãy kết thúc phong trào (thao tác close) thay vì xóa",
            ),
        ),
        |c| movements::delete(c, &current),
    )?;
    audit::record(
        c,
        actor,
        Change::new("movement.delete", "movement", id).before(&current),
    )?;
    Ok(())
}
