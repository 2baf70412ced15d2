//! Creating, changing and deleting persons, and the fields a person is written with.

use validator::ValidationError;

use crate::auth::{Actor, Scope};
use crate::db::audit::{self, Change};
use crate::db::persons::{self, Person, PersonData};
use crate::db::{AnyConnection, scope, units};
use crate::domain::{Gender, Maybe};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed, delete_unless_referred};
use crate::request_types;

request_types! {
    data = PersonData;
    /// A new person.
    create CreatePerson;
    /// Changes to a person, as a JSON merge patch: absent fields stay, `null` clears.
    patch PersonPatch;
    fields {
        /// Họ và tên.
        full_name: String, len(1, 200), check "not_blank", check "crate::domain::text::single_line_name", example "Nguyễn Văn An";
        /// Giới tính.
        gender: Option<Gender>;
        /// Năm sinh.
        birth_year: Option<i32>, range(1900, 2100), example 1978;
        /// Chức vụ.
        position: Option<String>, len(1, 200), check "crate::domain::text::single_line_name", example "Phó Giám đốc";
        /// The unit the person works in; it must exist.
        unit_id: i64, min 1, example 1;
        /// Mã số công chức, viên chức; unique.
        civil_servant_code: Option<String>, len(1, 32), pattern "^[A-Za-z0-9][A-Za-z0-9._-]*$",
            check "crate::ops::fields::code_chars", example "CC-2019-00123";
    }
}

/// A name must have something besides spaces.
fn not_blank(v: &impl Maybe<String>) -> Result<(), ValidationError> {
    match v.value() {
        Some(v) if v.trim().is_empty() => Err(ValidationError::new(FieldCode::Blank.as_str())),
        _ => Ok(()),
    }
}

/// Loads a person the caller may see: one of a unit in their scope. Others are 404 (their
/// existence is not revealed).
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Person, ApiError> {
    match persons::find(c, id)? {
        Some(person) if scope::reaches_unit(c, scope, person.data.unit_id)? => Ok(person),
        _ => Err(ApiError::NotFound(noun::PERSON)),
    }
}

fn find(c: &mut AnyConnection, id: i64) -> Result<Person, ApiError> {
    persons::find(c, id)?.ok_or(ApiError::NotFound(noun::PERSON))
}

/// The rules a person's data must keep: the unit exists. The unique civil servant code is the
/// database's to enforce.
fn check(c: &mut AnyConnection, d: &PersonData) -> Result<(), ApiError> {
    if units::exists(c, d.unit_id)? {
        Ok(())
    } else {
        Err(ApiError::Validation(vec![FieldError::new(
            "unit_id",
            FieldCode::Unknown,
            super::NO_UNIT,
        )]))
    }
}

/// Creates a person: by the API and the importer alike.
pub fn create(c: &mut AnyConnection, actor: &Actor, data: &PersonData) -> Result<Person, ApiError> {
    check(c, data)?;
    let person = persons::insert(c, data)?;
    audit::record(
        c,
        actor,
        Change::new("person.create", "person", person.id).after(&person),
    )?;
    Ok(person)
}

/// Changes a person: `apply` makes the new data from the current.
pub fn update(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
    apply: impl FnOnce(&PersonData) -> Result<PersonData, ApiError>,
) -> Result<Person, ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    let data = apply(&current.data)?;
    check(c, &data)?;
    let updated = changed(persons::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("person.update", "person", id)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}

/// Deletes a person nothing refers to.
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
        ("persons", id),
        (
            Code::PersonInUse,
            Text::new("person", "hồ sơ cá nhân"),
            Text::new(
                "keep it for the history",
                "hãy giữ lại hồ sơ để lưu lịch sử",
            ),
        ),
        |c| persons::delete(c, &current),
    )?;
    audit::record(
        c,
        actor,
        Change::new("person.delete", "person", id).before(&current),
    )?;
    Ok(())
}
