//! Goals (chỉ tiêu) of units, per year and period: what a unit set out to reach and what it
//! has reached so far.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::goals;
use super::{AnyConnection, MultiBackend, now};
use crate::domain::{Decimal, Direction, Period, Year};
use crate::pagination::{Page, PageRequest};
use crate::sort_fields;

/// A goal's editable fields, as created or after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = goals, check_for_backend(MultiBackend))]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct GoalData {
    pub year: Year,
    pub period: Period,
    pub title: String,
    pub metric: Option<String>,
    pub unit_of_measure: String,
    pub direction: Direction,
    pub target: Decimal,
    pub actual: Option<Decimal>,
    pub note: Option<String>,
}

/// A stored goal.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = goals, check_for_backend(MultiBackend))]
pub struct Goal {
    pub id: i64,
    pub unit_id: i64,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: GoalData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type GoalQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<goals::table, diesel::dsl::AsSelect<Goal, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of goal lists.
    pub enum GoalSort for Goal, query GoalQuery, id goals::id {
        Id => goals::id: i64 = |g| g.id,
        Title => goals::title: String = |g| g.data.title.clone(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct GoalFilter {
    pub unit_id: Option<i64>,
    pub year: Option<Year>,
    pub period: Option<Period>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Goal>> {
    goals::table
        .find(id)
        .select(Goal::as_select())
        .first(c)
        .optional()
}

pub fn insert(c: &mut AnyConnection, unit_id: i64, d: &GoalData) -> QueryResult<Goal> {
    let at = now();
    let id: i64 = diesel::insert_into(goals::table)
        .values((
            goals::unit_id.eq(unit_id),
            d,
            goals::created_at.eq(at),
            goals::updated_at.eq(at),
        ))
        .returning(goals::id)
        .get_result(c)?;
    goals::table.find(id).select(Goal::as_select()).first(c)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(c: &mut AnyConnection, current: &Goal, d: &GoalData) -> QueryResult<Option<Goal>> {
    let n = diesel::update(
        goals::table
            .find(current.id)
            .filter(goals::version.eq(current.version)),
    )
    .set((
        d,
        goals::version.eq(current.version + 1),
        goals::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    find(c, current.id)
}

/// Deletes the goal if the version still matches; `false` when it does not.
pub fn delete(c: &mut AnyConnection, current: &Goal) -> QueryResult<bool> {
    let n = diesel::delete(
        goals::table
            .find(current.id)
            .filter(goals::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

pub fn list(
    c: &mut AnyConnection,
    f: &GoalFilter,
    page: &PageRequest<GoalSort>,
) -> QueryResult<Page<Goal>> {
    let mut q = goals::table.select(Goal::as_select()).into_boxed();
    if let Some(unit) = f.unit_id {
        q = q.filter(goals::unit_id.eq(unit));
    }
    if let Some(year) = f.year {
        q = q.filter(goals::year.eq(year));
    }
    if let Some(period) = f.period {
        q = q.filter(goals::period.eq(period));
    }
    GoalSort::load(c, q, page)
}

/// The goals of these units in a year (and period, when given), by unit, period and id.
pub fn of_units(
    c: &mut AnyConnection,
    units: &[i64],
    year: Year,
    period: Option<Period>,
) -> QueryResult<Vec<Goal>> {
    let mut q = goals::table
        .filter(goals::unit_id.eq_any(units))
        .filter(goals::year.eq(year))
        .select(Goal::as_select())
        .into_boxed();
    if let Some(period) = period {
        q = q.filter(goals::period.eq(period));
    }
    q.order((goals::unit_id.asc(), goals::id.asc())).load(c)
}
