//! Persons (cá nhân): people of the units, with only the personal data that commendations
//! need — name, gender, birth year, position, unit and civil-servant code.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::persons;
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::Gender;
use crate::pagination::{Page, PageRequest};
use crate::{search_prefix, sort_fields};

/// The search-index kind of persons.
pub const SEARCH_KIND: &str = "person";

/// A person's editable fields, as created or after a change — in the table's column order.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = persons, check_for_backend(MultiBackend))]
// `None` writes NULL: a patch clears with it, and MultiBackend has no DEFAULT keyword.
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct PersonData {
    pub full_name: String,
    pub gender: Option<Gender>,
    pub birth_year: Option<i32>,
    pub position: Option<String>,
    pub unit_id: i64,
    pub civil_servant_code: Option<String>,
}

/// A stored person.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = persons, check_for_backend(MultiBackend))]
pub struct Person {
    pub id: i64,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: PersonData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type PersonQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<persons::table, diesel::dsl::AsSelect<Person, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of person lists: only non-null columns, so that keyset pagination never
    /// meets a NULL.
    pub enum PersonSort for Person, query PersonQuery, id persons::id {
        Id => persons::id: i64 = |p| p.id,
        FullName => persons::full_name: String = |p| p.data.full_name.clone(),
    }
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

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Person>> {
    persons::table
        .find(id)
        .select(Person::as_select())
        .first(c)
        .optional()
}

/// The texts a person is found by: indexed on insert, and again when a change touches them.
fn searched(d: &PersonData) -> Vec<Option<&str>> {
    vec![Some(&d.full_name)]
}

/// Inserts a person and indexes its name.
pub fn insert(c: &mut AnyConnection, d: &PersonData) -> QueryResult<Person> {
    let at = now();
    let id: i64 = diesel::insert_into(persons::table)
        .values((d, persons::created_at.eq(at), persons::updated_at.eq(at)))
        .returning(persons::id)
        .get_result(c)?;
    search::add(c, SEARCH_KIND, id, &searched(d))?;
    persons::table.find(id).select(Person::as_select()).first(c)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(
    c: &mut AnyConnection,
    current: &Person,
    d: &PersonData,
) -> QueryResult<Option<Person>> {
    let n = diesel::update(
        persons::table
            .find(current.id)
            .filter(persons::version.eq(current.version)),
    )
    .set((
        d,
        persons::version.eq(current.version + 1),
        persons::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    if searched(d) != searched(&current.data) {
        search::index(c, SEARCH_KIND, current.id, &searched(d))?;
    }
    find(c, current.id)
}

/// Deletes the person if the version still matches; `false` when it does not. Rows that refer
/// to it (awards, once they exist) make this fail with a foreign-key violation.
pub fn delete(c: &mut AnyConnection, current: &Person) -> QueryResult<bool> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        persons::table
            .find(current.id)
            .filter(persons::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

pub fn list(
    c: &mut AnyConnection,
    f: &PersonFilter,
    page: &PageRequest<PersonSort>,
) -> QueryResult<Page<Person>> {
    let mut q = persons::table.select(Person::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(persons::unit_id.eq_any(ids.clone()));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(persons::unit_id.eq(unit));
    }
    if let Some(gender) = f.gender {
        q = q.filter(persons::gender.eq(gender));
    }
    for word in &f.words {
        q = q.filter(persons::id.eq_any(search_prefix!(SEARCH_KIND, word)));
    }
    PersonSort::load(c, q, page)
}
