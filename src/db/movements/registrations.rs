//! Units' registrations for movements (đăng ký thi đua): one per unit and movement, with the
//! unit's pledge and the board's decision.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{movement_registrations as regs, movements, units};
use crate::db::{AnyConnection, MultiBackend, now};
use crate::domain::RegistrationStatus;
use crate::error::ApiError;
use crate::keyset_page;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey, SortKind};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = regs, check_for_backend(MultiBackend))]
struct RegistrationRow {
    id: i64,
    movement_id: i64,
    unit_id: i64,
    pledge: String,
    status: String,
    decision_note: Option<String>,
    decided_by: Option<i64>,
    decided_at: Option<NaiveDateTime>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// What changes over a registration's life: the pledge while pending, then the decision.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
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

#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum RegistrationSort {
    Id,
    CreatedAt,
}

impl SortField for RegistrationSort {
    const DEFAULT: Self = RegistrationSort::Id;
    fn kind(self) -> SortKind {
        match self {
            RegistrationSort::Id => SortKind::Int,
            RegistrationSort::CreatedAt => SortKind::Time,
        }
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
fn labelled(
    c: &mut AnyConnection,
    rows: Vec<RegistrationRow>,
) -> Result<Vec<Registration>, ApiError> {
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
    rows.into_iter()
        .map(|r| {
            let (unit_code, unit_name) = unit_names.get(&r.unit_id).cloned().unwrap_or_default();
            Ok(Registration {
                id: r.id,
                movement_id: r.movement_id,
                unit_id: r.unit_id,
                data: RegistrationData {
                    pledge: r.pledge,
                    status: RegistrationStatus::parse_stored(&r.status)?,
                    decision_note: r.decision_note,
                    decided_by: r.decided_by,
                    decided_at: r.decided_at,
                },
                version: r.version,
                created_at: r.created_at,
                updated_at: r.updated_at,
                unit_code,
                unit_name,
                movement_name: movement_names
                    .get(&r.movement_id)
                    .cloned()
                    .unwrap_or_default(),
            })
        })
        .collect()
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Option<Registration>, ApiError> {
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
) -> Result<Registration, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(regs::table)
        .values((
            regs::movement_id.eq(movement_id),
            regs::unit_id.eq(unit_id),
            regs::pledge.eq(pledge),
            regs::status.eq(RegistrationStatus::Pending.as_str()),
            regs::created_at.eq(at),
            regs::updated_at.eq(at),
        ))
        .returning(regs::id)
        .get_result(c)?;
    find(c, id)?.ok_or(ApiError::NotFound(crate::error::noun::REGISTRATION))
}

/// Writes new data if the version still matches (else 412).
pub fn update(
    c: &mut AnyConnection,
    current: &Registration,
    d: &RegistrationData,
) -> Result<Registration, ApiError> {
    let n = diesel::update(
        regs::table
            .find(current.id)
            .filter(regs::version.eq(current.version)),
    )
    .set((
        regs::pledge.eq(&d.pledge),
        regs::status.eq(d.status.as_str()),
        regs::decision_note.eq(&d.decision_note),
        regs::decided_by.eq(d.decided_by),
        regs::decided_at.eq(d.decided_at),
        regs::version.eq(current.version + 1),
        regs::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    find(c, current.id)?.ok_or(ApiError::NotFound(crate::error::noun::REGISTRATION))
}

pub fn list(
    c: &mut AnyConnection,
    f: &RegistrationFilter,
    page: &PageRequest<RegistrationSort>,
) -> Result<Page<Registration>, ApiError> {
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
        q = q.filter(regs::status.eq(status.as_str()));
    }
    let rows: Vec<RegistrationRow> = match page.field {
        RegistrationSort::Id => keyset_page!(q, page, regs::id, regs::id, i64).load(c)?,
        RegistrationSort::CreatedAt => {
            keyset_page!(q, page, regs::created_at, regs::id, chrono::NaiveDateTime).load(c)?
        }
    };
    Ok(page.finish(labelled(c, rows)?, |r| Cursor {
        id: r.id,
        key: match page.field {
            RegistrationSort::Id => SortKey::Int(r.id),
            RegistrationSort::CreatedAt => SortKey::Time(r.created_at),
        },
    }))
}
