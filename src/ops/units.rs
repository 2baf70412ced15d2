//! Creating, changing and deleting units, and the fields a unit is written with.

use crate::auth::{Actor, Scope};
use crate::db::audit::{self, Change};
use crate::db::units::{self, Unit, UnitData};
use crate::db::{AnyConnection, scope};
use crate::domain::{AdminLevel, Date, UnitKind};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed, delete_unless_referred};
use crate::request_types;

request_types! {
    data = UnitData;
    /// A new unit.
    create CreateUnit;
    /// Changes to a unit, as a JSON merge patch: absent fields stay, `null` clears.
    patch UnitPatch;
    fields {
        /// The board's code for the unit, unique.
        code: String, len(1, 32), pattern "^[A-Za-z0-9][A-Za-z0-9._-]*$",
            check "crate::ops::fields::code_chars", check "crate::domain::text::single_line_name", example "SCT";
        name: String, len(1, 300), check "crate::domain::text::single_line_name", example "Sở Công thương";
        short_name: Option<String>, len(1, 100), check "crate::domain::text::single_line_name", example "SCT Điện Biên";
        kind: UnitKind;
        admin_level: Option<AdminLevel>;
        /// The unit above this one in the tree.
        parent_id: Option<i64>, min 1;
        /// The first day the unit existed.
        valid_from: Date, example "2008-04-01";
        /// The last day, for a merged, renamed or dissolved unit.
        valid_to: Option<Date>;
        /// The unit that took over, for a retired one.
        successor_id: Option<i64>, min 1;
        address: Option<String>, len(1, 500),
            example "Tổ 10, phường Mường Thanh, thành phố Điện Biên Phủ";
        phone: Option<String>, len(1, 30), check "crate::domain::text::single_line_name", example "0215 3825 123";
        email: Option<String>, email 254, example "sct@dienbien.gov.vn";
    }
}

/// A unit with its successor, as a single unit is shown.
#[derive(Debug, Clone)]
pub struct UnitView {
    pub unit: Unit,
    pub successor: Option<Unit>,
}

/// Loads a unit the caller may see; others are 404 (their existence is not revealed).
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Unit, ApiError> {
    match units::find(c, id)? {
        Some(unit) if scope::reaches_unit(c, scope, id)? => Ok(unit),
        _ => Err(ApiError::NotFound(noun::UNIT)),
    }
}

/// A unit the caller may see, with its successor named.
pub fn view(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<UnitView, ApiError> {
    let unit = visible(c, scope, id)?;
    with_successor(c, unit)
}

fn with_successor(c: &mut AnyConnection, unit: Unit) -> Result<UnitView, ApiError> {
    let successor = match unit.data.successor_id {
        Some(id) => units::find(c, id)?,
        None => None,
    };
    Ok(UnitView { unit, successor })
}

fn find(c: &mut AnyConnection, id: i64) -> Result<Unit, ApiError> {
    units::find(c, id)?.ok_or(ApiError::NotFound(noun::UNIT))
}

/// The rules a unit's data must keep: the dates in order, the parent and successor existing,
/// and the tree staying a tree. The unique code is the database's to enforce.
fn check(c: &mut AnyConnection, id: Option<i64>, d: &UnitData) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if d.valid_to.is_some_and(|to| to < d.valid_from) {
        errors.push(FieldError::new(
            "valid_to",
            FieldCode::Order,
            Text::new(
                "must not be before valid_from",
                "không được sớm hơn valid_from",
            ),
        ));
    }
    if let Some(parent) = d.parent_id {
        if !units::exists(c, parent)? {
            errors.push(FieldError::new(
                "parent_id",
                FieldCode::Unknown,
                super::NO_UNIT,
            ));
        } else if let Some(id) = id
            && (id == parent || units::would_cycle(c, id, parent)?)
        {
            errors.push(FieldError::of("parent_id", FieldCode::Cycle));
        }
    }
    if let Some(successor) = d.successor_id {
        if id == Some(successor) {
            errors.push(FieldError::new(
                "successor_id",
                FieldCode::SelfReference,
                Text::new(
                    "a unit cannot succeed itself",
                    "một đơn vị không thể kế thừa chính nó",
                ),
            ));
        } else if !units::exists(c, successor)? {
            errors.push(FieldError::new(
                "successor_id",
                FieldCode::Unknown,
                super::NO_UNIT,
            ));
        }
    }
    ApiError::unless_any(errors)
}

/// Creates a unit: by the API, the importer and the command line alike.
pub fn create(c: &mut AnyConnection, actor: &Actor, data: &UnitData) -> Result<UnitView, ApiError> {
    check(c, None, data)?;
    let unit = units::insert(c, data)?;
    audit::record(
        c,
        actor,
        Change::new("unit.create", "unit", unit.id).after(&unit),
    )?;
    with_successor(c, unit)
}

/// Changes a unit: `apply` makes the new data from the current.
pub fn update(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
    apply: impl FnOnce(&UnitData) -> Result<UnitData, ApiError>,
) -> Result<UnitView, ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    let data = apply(&current.data)?;
    check(c, Some(id), &data)?;
    let updated = changed(units::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("unit.update", "unit", id)
            .before(&current)
            .after(&updated),
    )?;
    with_successor(c, updated)
}

/// Deletes a unit nothing refers to; one with history is retired instead.
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
        ("units", id),
        (
            Code::UnitInUse,
            noun::UNIT,
            Text::new(
                "retire it (valid_to, successor_id) instead",
                "hãy cho đơn vị ngừng hoạt động (valid_to, successor_id) thay vì xóa",
            ),
        ),
        |c| units::delete(c, &current),
    )?;
    audit::record(
        c,
        actor,
        Change::new("unit.delete", "unit", id).before(&current),
    )?;
    Ok(())
}
