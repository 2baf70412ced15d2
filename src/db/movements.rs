//! Emulation movements (phong trào thi đua): province-wide campaigns with a launching decision,
//! a period and a status. Units register for them in [`registrations`].

pub mod registrations;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{movement_registrations, movements};
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::{MovementForm, MovementScope, MovementStatus};
use crate::error::ApiError;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey};
use crate::{keyset_page, search_prefix};

/// The search-index kind of movements.
pub const SEARCH_KIND: &str = "movement";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = movements, check_for_backend(MultiBackend))]
struct MovementRow {
    id: i64,
    name: String,
    slogan: Option<String>,
    launching_unit_id: Option<i64>,
    decision_number: Option<String>,
    decision_date: Option<NaiveDate>,
    scope: String,
    form: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    status: String,
    description: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A movement's editable fields, as created or after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct MovementData {
    pub name: String,
    pub slogan: Option<String>,
    pub launching_unit_id: Option<i64>,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub scope: MovementScope,
    pub form: MovementForm,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub status: MovementStatus,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Movement {
    pub id: i64,
    pub data: MovementData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TryFrom<MovementRow> for Movement {
    type Error = ApiError;
    fn try_from(r: MovementRow) -> Result<Movement, ApiError> {
        Ok(Movement {
            id: r.id,
            data: MovementData {
                name: r.name,
                slogan: r.slogan,
                launching_unit_id: r.launching_unit_id,
                decision_number: r.decision_number,
                decision_date: r.decision_date,
                scope: MovementScope::parse_stored(&r.scope)?,
                form: MovementForm::parse_stored(&r.form)?,
                start_date: r.start_date,
                end_date: r.end_date,
                status: MovementStatus::parse_stored(&r.status)?,
                description: r.description,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum MovementSort {
    Id,
    Name,
    StartDate,
}

impl SortField for MovementSort {
    const DEFAULT: Self = MovementSort::Id;
}

#[derive(Debug, Clone, Default)]
pub struct MovementFilter {
    pub status: Option<MovementStatus>,
    pub form: Option<MovementForm>,
    pub scope: Option<MovementScope>,
    pub launching_unit_id: Option<i64>,
    /// Movements running on this day: started, and not yet ended (or open-ended).
    pub active_on: Option<NaiveDate>,
    /// Words that must each start a word of the name or slogan.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Option<Movement>, ApiError> {
    movements::table
        .find(id)
        .select(MovementRow::as_select())
        .first(c)
        .optional()?
        .map(Movement::try_from)
        .transpose()
}

fn index(c: &mut AnyConnection, id: i64, d: &MovementData) -> QueryResult<()> {
    search::index(c, SEARCH_KIND, id, &[Some(&d.name), d.slogan.as_deref()])
}

pub fn insert(c: &mut AnyConnection, d: &MovementData) -> Result<Movement, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(movements::table)
        .values((
            movements::name.eq(&d.name),
            movements::slogan.eq(&d.slogan),
            movements::launching_unit_id.eq(d.launching_unit_id),
            movements::decision_number.eq(&d.decision_number),
            movements::decision_date.eq(d.decision_date),
            movements::scope.eq(d.scope.as_str()),
            movements::form.eq(d.form.as_str()),
            movements::start_date.eq(d.start_date),
            movements::end_date.eq(d.end_date),
            movements::status.eq(d.status.as_str()),
            movements::description.eq(&d.description),
            movements::created_at.eq(at),
            movements::updated_at.eq(at),
        ))
        .returning(movements::id)
        .get_result(c)?;
    index(c, id, d)?;
    find(c, id)?.ok_or(ApiError::NotFound("movement"))
}

/// Writes new data if the version still matches (else 412).
pub fn update(
    c: &mut AnyConnection,
    current: &Movement,
    d: &MovementData,
) -> Result<Movement, ApiError> {
    let n = diesel::update(
        movements::table
            .find(current.id)
            .filter(movements::version.eq(current.version)),
    )
    .set((
        movements::name.eq(&d.name),
        movements::slogan.eq(&d.slogan),
        movements::launching_unit_id.eq(d.launching_unit_id),
        movements::decision_number.eq(&d.decision_number),
        movements::decision_date.eq(d.decision_date),
        movements::scope.eq(d.scope.as_str()),
        movements::form.eq(d.form.as_str()),
        movements::start_date.eq(d.start_date),
        movements::end_date.eq(d.end_date),
        movements::status.eq(d.status.as_str()),
        movements::description.eq(&d.description),
        movements::version.eq(current.version + 1),
        movements::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    index(c, current.id, d)?;
    find(c, current.id)?.ok_or(ApiError::NotFound("movement"))
}

/// How many units registered for a movement; a movement with registrations cannot be deleted.
pub fn registration_count(c: &mut AnyConnection, id: i64) -> QueryResult<i64> {
    movement_registrations::table
        .filter(movement_registrations::movement_id.eq(id))
        .count()
        .get_result(c)
}

pub fn delete(c: &mut AnyConnection, current: &Movement) -> Result<(), ApiError> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        movements::table
            .find(current.id)
            .filter(movements::version.eq(current.version)),
    )
    .execute(c)?;
    if n == 0 {
        Err(ApiError::PreconditionFailed)
    } else {
        Ok(())
    }
}

pub fn list(
    c: &mut AnyConnection,
    f: &MovementFilter,
    page: &PageRequest<MovementSort>,
) -> Result<Page<Movement>, ApiError> {
    let mut q = movements::table
        .select(MovementRow::as_select())
        .into_boxed();
    if let Some(status) = f.status {
        q = q.filter(movements::status.eq(status.as_str()));
    }
    if let Some(form) = f.form {
        q = q.filter(movements::form.eq(form.as_str()));
    }
    if let Some(scope) = f.scope {
        q = q.filter(movements::scope.eq(scope.as_str()));
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
    let rows: Vec<MovementRow> = match page.field {
        MovementSort::Id => keyset_page!(q, page, movements::id, movements::id, int).load(c)?,
        MovementSort::Name => {
            keyset_page!(q, page, movements::name, movements::id, text).load(c)?
        }
        MovementSort::StartDate => {
            keyset_page!(q, page, movements::start_date, movements::id, date).load(c)?
        }
    };
    let items = rows
        .into_iter()
        .map(Movement::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page.finish(items, |m| Cursor {
        id: m.id,
        key: match page.field {
            MovementSort::Id => SortKey::Int(m.id),
            MovementSort::Name => SortKey::Text(m.data.name.clone()),
            MovementSort::StartDate => SortKey::Date(m.data.start_date),
        },
    }))
}
