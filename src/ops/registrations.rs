//! Units' registrations for movements: registering (an admin any unit, an officer their own),
//! rewording the pledge while it is pending, and the board's decision.

use crate::auth::{Actor, Role, Scope};
use crate::db::audit::{self, Change};
use crate::db::movements::Movement;
use crate::db::movements::registrations::{self as regs, Registration};
use crate::db::{AnyConnection, now, scope, units};
use crate::domain::movement::{RegistrationAction, RegistrationFlow};
use crate::domain::workflow::Workflow;
use crate::domain::{MovementStatus, RegistrationStatus};
use crate::error::{ApiError, Code, FieldCode, Text, noun};
use crate::ops::{Precondition, changed, movements, refused};

/// Units register only while the movement is open.
fn require_open(movement: &Movement) -> Result<(), ApiError> {
    if movement.data.status == MovementStatus::Open {
        return Ok(());
    }
    let status = movement.data.status;
    Err(ApiError::conflict(
        Code::MovementNotOpen,
        crate::text!(
            "the movement is {status}; units register only while it is open",
            "phong trào đang ở trạng thái {status}; đơn vị chỉ đăng ký được khi phong trào đang mở (open)"
        ),
    ))
}

/// The unit a caller may register: one in their scope — any existing unit for an admin, whose
/// scope is the province, their own for an officer — and not retired.
fn registrable_unit(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<(), ApiError> {
    if !scope::reaches_unit(c, scope, id)? {
        return Err(ApiError::NotFound(noun::UNIT));
    }
    let unit = units::find(c, id)?
        .ok_or_else(|| ApiError::invalid("unit_id", FieldCode::Unknown, crate::ops::NO_UNIT))?;
    if unit.data.valid_to.is_some_and(|to| to.get() < now().date()) {
        return Err(ApiError::invalid(
            "unit_id",
            FieldCode::Retired,
            Text::new(
                "the unit no longer exists; its successor registers instead",
                "đơn vị đã ngừng hoạt động; đơn vị kế thừa đăng ký thay",
            ),
        ));
    }
    Ok(())
}

/// A registration of this movement within the caller's scope; anything else is 404.
pub fn visible(
    c: &mut AnyConnection,
    scope: &Scope,
    movement_id: i64,
    id: i64,
) -> Result<Registration, ApiError> {
    movements::find(c, movement_id)?;
    match regs::find(c, id)? {
        Some(r) if r.movement_id == movement_id && scope::reaches_unit(c, scope, r.unit_id)? => {
            Ok(r)
        }
        _ => Err(ApiError::NotFound(noun::REGISTRATION)),
    }
}

/// Registers a unit for an open movement, pending the board's decision.
pub fn create(
    c: &mut AnyConnection,
    (actor, scope): (&Actor, &Scope),
    movement_id: i64,
    unit_id: i64,
    pledge: &str,
) -> Result<Registration, ApiError> {
    let movement = movements::find(c, movement_id)?;
    registrable_unit(c, scope, unit_id)?;
    require_open(&movement)?;
    // A unit registered twice is the unique index's to refuse (`already_registered`).
    let created = regs::insert(c, movement_id, unit_id, pledge)?;
    audit::record(
        c,
        actor,
        Change::new("registration.create", "registration", created.id).after(&created),
    )?;
    Ok(created)
}

/// Rewords the pledge of a pending registration; an officer only while the movement is open.
pub fn reword(
    c: &mut AnyConnection,
    (actor, scope, role): (&Actor, &Scope, Role),
    (movement_id, id): (i64, i64),
    expected: &impl Precondition,
    pledge: Option<&str>,
) -> Result<Registration, ApiError> {
    let current = visible(c, scope, movement_id, id)?;
    expected.check(current.version)?;
    let Some(pledge) = pledge else {
        return Ok(current);
    };
    if current.data.status != RegistrationStatus::Pending {
        let status = current.data.status;
        return Err(ApiError::conflict(
            Code::RegistrationDecided,
            crate::text!(
                "the registration was already {status}; it can no longer change",
                "đăng ký đã ở trạng thái {status}; không thể thay đổi nữa"
            ),
        ));
    }
    if role != Role::Admin {
        require_open(&movements::find(c, movement_id)?)?;
    }
    let mut data = current.data.clone();
    data.pledge = pledge.to_owned();
    let updated = changed(regs::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("registration.update", "registration", id)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}

/// The board's decision on a registration: approve, or reject with a reason (kept as its
/// `decision_note`).
pub fn decide(
    c: &mut AnyConnection,
    (actor, role): (&Actor, Role),
    current: Registration,
    action: RegistrationAction,
    reason: Option<&str>,
) -> Result<Registration, ApiError> {
    let status = RegistrationFlow::decide(current.data.status, action, role, reason)
        .map_err(|r| refused(r, action))?;
    let mut data = current.data.clone();
    data.status = status;
    data.decision_note = reason.map(str::to_owned);
    data.decided_by = actor.user_id;
    data.decided_at = Some(now());
    let updated = changed(regs::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("registration.decide", "registration", current.id)
            .before(&current)
            .after(&updated)
            .reason(reason),
    )?;
    Ok(updated)
}
