//! Persons (cá nhân): people of the units, with only the personal data that commendations
//! need — name, gender, birth year, position, unit and civil-servant code.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::schema::persons;
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::Gender;
use crate::error::ApiError;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey};
use crate::{keyset_page, search_prefix};

/// The search-index kind of persons.
pub const SEARCH_KIND: &str = "person";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = persons, check_for_backend(MultiBackend))]
struct PersonRow {
    id: i64,
    full_name: String,
    gender: Option<String>,
    birth_year: Option<i32>,
    position: Option<String>,
    unit_id: i64,
    civil_servant_code: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A person's editable fields, as created or after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonData {
    pub full_name: String,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub position: Option<String>,
    pub unit_id: i64,
    pub civil_servant_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub id: i64,
    pub data: PersonData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TryFrom<PersonRow> for Person {
    type Error = ApiError;
    fn try_from(r: PersonRow) -> Result<Person, ApiError> {
        Ok(Person {
            id: r.id,
            data: PersonData {
                full_name: r.full_name,
                gender: r.gender.as_deref().map(Gender::parse_stored).transpose()?,
                birth_year: r.birth_year,
                position: r.position,
                unit_id: r.unit_id,
                civil_servant_code: r.civil_servant_code,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn convert(rows: Vec<PersonRow>) -> Result<Vec<Person>, ApiError> {
    rows.into_iter().map(Person::try_from).collect()
}

/// The sortable fields: only non-null columns, so that keyset pagination never meets a NULL.
#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum PersonSort {
    Id,
    FullName,
}

impl SortField for PersonSort {
    const DEFAULT: Self = PersonSort::Id;
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// The units whose persons the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub unit_id: Option<i64>,
    pub gender: Option<Gender>,
    /// Words that must each start a word of the full name.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Option<Person>, ApiError> {
    persons::table
        .find(id)
        .select(PersonRow::as_select())
        .first(c)
        .optional()?
        .map(Person::try_from)
        .transpose()
}

pub fn find_by_code(c: &mut AnyConnection, code: &str) -> Result<Option<Person>, ApiError> {
    persons::table
        .filter(persons::civil_servant_code.eq(code))
        .select(PersonRow::as_select())
        .first(c)
        .optional()?
        .map(Person::try_from)
        .transpose()
}

fn index(c: &mut AnyConnection, id: i64, d: &PersonData) -> QueryResult<()> {
    search::index(c, SEARCH_KIND, id, &[Some(&d.full_name)])
}

/// Inserts a person and indexes its name. The caller checks the unit and the code first.
pub fn insert(c: &mut AnyConnection, d: &PersonData) -> Result<Person, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(persons::table)
        .values((
            persons::full_name.eq(&d.full_name),
            persons::gender.eq(d.gender.map(Gender::as_str)),
            persons::birth_year.eq(d.birth_year),
            persons::position.eq(&d.position),
            persons::unit_id.eq(d.unit_id),
            persons::civil_servant_code.eq(&d.civil_servant_code),
            persons::created_at.eq(at),
            persons::updated_at.eq(at),
        ))
        .returning(persons::id)
        .get_result(c)?;
    index(c, id, d)?;
    find(c, id)?.ok_or(ApiError::NotFound("person"))
}

/// Writes new data if the version still matches (else 412).
pub fn update(c: &mut AnyConnection, current: &Person, d: &PersonData) -> Result<Person, ApiError> {
    let n = diesel::update(
        persons::table
            .find(current.id)
            .filter(persons::version.eq(current.version)),
    )
    .set((
        persons::full_name.eq(&d.full_name),
        persons::gender.eq(d.gender.map(Gender::as_str)),
        persons::birth_year.eq(d.birth_year),
        persons::position.eq(&d.position),
        persons::unit_id.eq(d.unit_id),
        persons::civil_servant_code.eq(&d.civil_servant_code),
        persons::version.eq(current.version + 1),
        persons::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    index(c, current.id, d)?;
    find(c, current.id)?.ok_or(ApiError::NotFound("person"))
}

/// Deletes a person if the version still matches (else 412). No table refers to persons yet;
/// once awards do, their foreign keys make the database refuse, and that becomes a 409 here.
pub fn delete(c: &mut AnyConnection, current: &Person) -> Result<(), ApiError> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        persons::table
            .find(current.id)
            .filter(persons::version.eq(current.version)),
    )
    .execute(c)
    .map_err(|e| match e {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
            ApiError::conflict("person_in_use", "other records refer to the person")
        }
        other => other.into(),
    })?;
    if n == 0 {
        Err(ApiError::PreconditionFailed)
    } else {
        Ok(())
    }
}

pub fn list(
    c: &mut AnyConnection,
    f: &PersonFilter,
    page: &PageRequest<PersonSort>,
) -> Result<Page<Person>, ApiError> {
    let mut q = persons::table.select(PersonRow::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(persons::unit_id.eq_any(ids.clone()));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(persons::unit_id.eq(unit));
    }
    if let Some(gender) = f.gender {
        q = q.filter(persons::gender.eq(gender.as_str()));
    }
    for word in &f.words {
        q = q.filter(persons::id.eq_any(search_prefix!(SEARCH_KIND, word)));
    }
    let rows: Vec<PersonRow> = match page.field {
        PersonSort::Id => keyset_page!(q, page, persons::id, persons::id, int).load(c)?,
        PersonSort::FullName => {
            keyset_page!(q, page, persons::full_name, persons::id, text).load(c)?
        }
    };
    Ok(page.finish(convert(rows)?, |p| Cursor {
        id: p.id,
        key: match page.field {
            PersonSort::Id => SortKey::Int(p.id),
            PersonSort::FullName => SortKey::Text(p.data.full_name.clone()),
        },
    }))
}
