//! Units' registrations for movements (đăng ký thi đua): one per unit and movement, with the
//! unit's pledge and the board's decision.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{movement_registrations as regs, movements, units};
use crate::db::{AnyConnection, MultiBackend, now};
use crate::domain::RegistrationStatus;
use crate::pagination::{Page, PageRequest};
use crate::sort_fields;

/// A registration's columns as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = regs, check_for_backend(MultiBackend))]
pub struct RegistrationRow {
    pub id: i64,
    pub movement_id: i64,
    pub unit_id: i64,
    #[diesel(embed)]
    pub data: RegistrationData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What changes over a registration's life: the pledge while pending, then the decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize, Queryable, Selectable, AsChangeset)]
#[diesel(table_name = regs, check_for_backend(MultiBackend))]
#[diesel(treat_none_as_null = true)]
pub struct RegistrationData {
    pub pledge: String,
    pub status: RegistrationStatus,
    pub decision_note: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<NaiveDateTime>,
}

/// A registration, with the names of its unit and movement for display.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Registration {
    pub id: i64,
    pub movement_id: i64,
    pub unit_id: i64,
    #[serde(flatten)]
    pub data: RegistrationData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub unit_code: String,
    pub unit_name: String,
    pub movement_name: String,
}

type RegistrationQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<regs::table, diesel::dsl::AsSelect<RegistrationRow, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of registration lists.
    pub enum RegistrationSort for RegistrationRow, query RegistrationQuery, id regs::id {
        Id => regs::id: i64 = |r| r.id,
        CreatedAt => regs::created_at: NaiveDateTime = |r| r.created_at,
    }
}

#[derive(Debug, Clone, Default)]
pub struct RegistrationFilter {
    /// The units the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub movement_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub status: Option<RegistrationStatus>,
}

/// Turns rows into registrations, naming their units and movements with two queries per batch
/// rather than one per row.
fn labelled(c: &mut AnyConnection, rows: Vec<RegistrationRow>) -> QueryResult<Vec<Registration>> {
    let unit_ids: Vec<i64> = rows.iter().map(|r| r.unit_id).collect();
    let movement_ids: Vec<i64> = rows.iter().map(|r| r.movement_id).collect();
    let unit_names: HashMap<i64, (String, String)> = units::table
        .filter(units::id.eq_any(unit_ids))
        .select((units::id, units::code, units::name))
        .load::<(i64, String, String)>(c)?
        .into_iter()
        .map(|(id, code, name)| (id, (code, name)))
        .collect();
    let movement_names: HashMap<i64, String> = movements::table
        .filter(movements::id.eq_any(movement_ids))
        .select((movements::id, movements::name))
        .load::<(i64, String)>(c)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let (unit_code, unit_name) = unit_names.get(&r.unit_id).cloned().unwrap_or_default();
            Registration {
                id: r.id,
                movement_id: r.movement_id,
                unit_id: r.unit_id,
                data: r.data,
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
                unit_code,
                unit_name,
                movement_name: movement_names
                    .get(&r.movement_id)
                    .cloned()
                    .unwrap_or_default(),
            }
        })
        .collect())
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Registration>> {
    let row = regs::table
        .find(id)
        .select(RegistrationRow::as_select())
        .first(c)
        .optional()?;
    Ok(labelled(c, row.into_iter().collect())?.pop())
}

/// Registers a unit, pending the board's decision.
pub fn insert(
    c: &mut AnyConnection,
    movement_id: i64,
    unit_id: i64,
    pledge: &str,
) -> QueryResult<Registration> {
    let at = now();
    let id: i64 = diesel::insert_into(regs::table)
        .values((
            regs::movement_id.eq(movement_id),
            regs::unit_id.eq(unit_id),
            regs::pledge.eq(pledge),
            regs::status.eq(RegistrationStatus::Pending),
            regs::created_at.eq(at),
            regs::updated_at.eq(at),
        ))
        .returning(regs::id)
        .get_result(c)?;
    find(c, id)?.ok_or(diesel::result::Error::NotFound)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(
    c: &mut AnyConnection,
    current: &Registration,
    d: &RegistrationData,
) -> QueryResult<Option<Registration>> {
    let n = diesel::update(
        regs::table
            .find(current.id)
            .filter(regs::version.eq(current.version)),
    )
    .set((
        d,
        regs::version.eq(current.version + 1),
        regs::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    find(c, current.id)
}

pub fn list(
    c: &mut AnyConnection,
    f: &RegistrationFilter,
    page: &PageRequest<RegistrationSort>,
) -> QueryResult<Page<Registration>> {
    let mut q = regs::table
        .select(RegistrationRow::as_select())
        .into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(regs::unit_id.eq_any(ids.clone()));
    }
    if let Some(movement) = f.movement_id {
        q = q.filter(regs::movement_id.eq(movement));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(regs::unit_id.eq(unit));
    }
    if let Some(status) = f.status {
        q = q.filter(regs::status.eq(status));
    }
    RegistrationSort::load(c, q, page)?.map_all(|rows| labelled(c, rows))
}
