//! Emulation movements (phong trào thi đua): province-wide campaigns with a launching decision,
//! a period and a status. Units register for them in [`registrations`].

pub mod registrations;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::movements;
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::{Date, MovementForm, MovementScope, MovementStatus};
use crate::pagination::{Page, PageRequest};
use crate::{search_prefix, sort_fields};

/// The search-index kind of movements.
pub const SEARCH_KIND: &str = "movement";

/// A movement's fields as created or changed. Its status is set at creation and then moved
/// only by the workflow (`domain::movement::MovementFlow`).
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = movements, check_for_backend(MultiBackend))]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct MovementData {
    pub name: String,
    pub slogan: Option<String>,
    pub launching_unit_id: Option<i64>,
    pub decision_number: Option<String>,
    pub decision_date: Option<Date>,
    pub scope: MovementScope,
    pub form: MovementForm,
    pub start_date: Date,
    pub end_date: Option<Date>,
    pub status: MovementStatus,
    pub description: Option<String>,
}

/// A stored movement.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = movements, check_for_backend(MultiBackend))]
pub struct Movement {
    pub id: i64,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: MovementData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type MovementQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<movements::table, diesel::dsl::AsSelect<Movement, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of the movement list.
    pub enum MovementSort for Movement, query MovementQuery, id movements::id {
        Id => movements::id: i64 = |m| m.id,
        Name => movements::name: String = |m| m.data.name.clone(),
        StartDate => movements::start_date: Date = |m| m.data.start_date,
    }
}

#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub status: Option<MovementStatus>,
    pub form: Option<MovementForm>,
    pub scope: Option<MovementScope>,
    pub launching_unit_id: Option<i64>,
    /// Movements running on this day: started, and not yet ended (or open-ended).
    pub active_on: Option<Date>,
    /// Words that must each start a word of the name or slogan.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Movement>> {
    movements::table
        .find(id)
        .select(Movement::as_select())
        .first(c)
        .optional()
}

/// The texts a movement is found by: indexed on insert, and again when a change touches them.
fn searched(d: &MovementData) -> Vec<Option<&str>> {
    vec![Some(&d.name), d.slogan.as_deref()]
}

pub fn insert(c: &mut AnyConnection, d: &MovementData) -> QueryResult<Movement> {
    let at = now();
    let id: i64 = diesel::insert_into(movements::table)
        .values((
            d,
            movements::created_at.eq(at),
            movements::updated_at.eq(at),
        ))
        .returning(movements::id)
        .get_result(c)?;
    search::add(c, SEARCH_KIND, id, &searched(d))?;
    movements::table
        .find(id)
        .select(Movement::as_select())
        .first(c)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(
    c: &mut AnyConnection,
    current: &Movement,
    d: &MovementData,
) -> QueryResult<Option<Movement>> {
    let n = diesel::update(
        movements::table
            .find(current.id)
            .filter(movements::version.eq(current.version)),
    )
    .set((
        d,
        movements::version.eq(current.version + 1),
        movements::updated_at.eq(now()),
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

/// Deletes the movement if the version still matches; `false` when it does not. Registrations
/// make this fail with a foreign-key violation.
pub fn delete(c: &mut AnyConnection, current: &Movement) -> QueryResult<bool> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        movements::table
            .find(current.id)
            .filter(movements::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

pub fn list(
    c: &mut AnyConnection,
    f: &MovementFilter,
    page: &PageRequest<MovementSort>,
) -> QueryResult<Page<Movement>> {
    let mut q = movements::table.select(Movement::as_select()).into_boxed();
    if let Some(status) = f.status {
        q = q.filter(movements::status.eq(status));
    }
    if let Some(form) = f.form {
        q = q.filter(movements::form.eq(form));
    }
    if let Some(scope) = f.scope {
        q = q.filter(movements::scope.eq(scope));
    }
    if let Some(unit) = f.launching_unit_id {
        q = q.filter(movements::launching_unit_id.eq(unit));
    }
    if let Some(day) = f.active_on {
        q = q.filter(movements::start_date.le(day)).filter(
            movements::end_date
                .is_null()
                .or(movements::end_date.ge(day)),
        );
    }
    for word in &f.words {
        q = q.filter(movements::id.eq_any(search_prefix!(SEARCH_KIND, word)));
    }
    MovementSort::load(c, q, page)
}
