//! Units (đơn vị): a tree of agencies and localities, each valid for a period and, once merged
//! or renamed, pointing at its successor.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{bloc_members, movement_registrations, movements, persons, units, users};
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::{AdminLevel, UnitKind};
use crate::error::ApiError;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey};
use crate::{keyset_page, search_prefix};

/// The search-index kind of units.
pub const SEARCH_KIND: &str = "unit";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = units, check_for_backend(MultiBackend))]
struct UnitRow {
    id: i64,
    code: String,
    name: String,
    short_name: Option<String>,
    kind: String,
    admin_level: Option<String>,
    parent_id: Option<i64>,
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    successor_id: Option<i64>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A unit's editable fields, as created or after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitData {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub admin_level: Option<AdminLevel>,
    pub parent_id: Option<i64>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub successor_id: Option<i64>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: i64,
    pub data: UnitData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TryFrom<UnitRow> for Unit {
    type Error = ApiError;
    fn try_from(r: UnitRow) -> Result<Unit, ApiError> {
        Ok(Unit {
            id: r.id,
            data: UnitData {
                code: r.code,
                name: r.name,
                short_name: r.short_name,
                kind: UnitKind::parse_stored(&r.kind)?,
                admin_level: r
                    .admin_level
                    .as_deref()
                    .map(AdminLevel::parse_stored)
                    .transpose()?,
                parent_id: r.parent_id,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
                successor_id: r.successor_id,
                address: r.address,
                phone: r.phone,
                email: r.email,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn convert(rows: Vec<UnitRow>) -> Result<Vec<Unit>, ApiError> {
    rows.into_iter().map(Unit::try_from).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum UnitSort {
    Id,
    Code,
    Name,
    ValidFrom,
}

impl SortField for UnitSort {
    const DEFAULT: Self = UnitSort::Id;
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// The units the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub kind: Option<UnitKind>,
    pub admin_level: Option<AdminLevel>,
    pub parent_id: Option<i64>,
    pub valid_on: Option<NaiveDate>,
    /// Members of this bloc, in `year` when given.
    pub bloc_id: Option<i64>,
    pub year: Option<i32>,
    /// Words that must each start a word of the code, name or short name.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Option<Unit>, ApiError> {
    units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(c)
        .optional()?
        .map(Unit::try_from)
        .transpose()
}

pub fn find_by_code(c: &mut AnyConnection, code: &str) -> Result<Option<Unit>, ApiError> {
    let row = units::table
        .filter(units::code.eq(code))
        .select(UnitRow::as_select())
        .first(c)
        .optional()?;
    row.map(Unit::try_from).transpose()
}

fn index(c: &mut AnyConnection, id: i64, d: &UnitData) -> QueryResult<()> {
    search::index(
        c,
        SEARCH_KIND,
        id,
        &[Some(&d.code), Some(&d.name), d.short_name.as_deref()],
    )
}

pub fn insert(c: &mut AnyConnection, d: &UnitData) -> Result<Unit, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(units::table)
        .values((
            units::code.eq(&d.code),
            units::name.eq(&d.name),
            units::short_name.eq(&d.short_name),
            units::kind.eq(d.kind.as_str()),
            units::admin_level.eq(d.admin_level.map(AdminLevel::as_str)),
            units::parent_id.eq(d.parent_id),
            units::valid_from.eq(d.valid_from),
            units::valid_to.eq(d.valid_to),
            units::successor_id.eq(d.successor_id),
            units::address.eq(&d.address),
            units::phone.eq(&d.phone),
            units::email.eq(&d.email),
            units::created_at.eq(at),
            units::updated_at.eq(at),
        ))
        .returning(units::id)
        .get_result(c)?;
    index(c, id, d)?;
    find(c, id)?.ok_or(ApiError::NotFound("unit"))
}

/// Writes new data if the version still matches (else 412).
pub fn update(c: &mut AnyConnection, current: &Unit, d: &UnitData) -> Result<Unit, ApiError> {
    let n = diesel::update(
        units::table
            .find(current.id)
            .filter(units::version.eq(current.version)),
    )
    .set((
        units::code.eq(&d.code),
        units::name.eq(&d.name),
        units::short_name.eq(&d.short_name),
        units::kind.eq(d.kind.as_str()),
        units::admin_level.eq(d.admin_level.map(AdminLevel::as_str)),
        units::parent_id.eq(d.parent_id),
        units::valid_from.eq(d.valid_from),
        units::valid_to.eq(d.valid_to),
        units::successor_id.eq(d.successor_id),
        units::address.eq(&d.address),
        units::phone.eq(&d.phone),
        units::email.eq(&d.email),
        units::version.eq(current.version + 1),
        units::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    index(c, current.id, d)?;
    find(c, current.id)?.ok_or(ApiError::NotFound("unit"))
}

/// What still refers to a unit, as (what, how many), for the 409 that refuses its deletion.
pub fn references(c: &mut AnyConnection, id: i64) -> QueryResult<Vec<(&'static str, i64)>> {
    let counts = [
        (
            "child units",
            units::table
                .filter(units::parent_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "units it succeeds",
            units::table
                .filter(units::successor_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "persons",
            persons::table
                .filter(persons::unit_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "bloc memberships",
            bloc_members::table
                .filter(bloc_members::unit_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "movements",
            movements::table
                .filter(movements::launching_unit_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "movement registrations",
            movement_registrations::table
                .filter(movement_registrations::unit_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "users",
            users::table
                .filter(users::unit_id.eq(id))
                .count()
                .get_result(c)?,
        ),
    ];
    Ok(counts.into_iter().filter(|(_, n)| *n > 0).collect())
}

pub fn delete(c: &mut AnyConnection, current: &Unit) -> Result<(), ApiError> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        units::table
            .find(current.id)
            .filter(units::version.eq(current.version)),
    )
    .execute(c)?;
    if n == 0 {
        Err(ApiError::PreconditionFailed)
    } else {
        Ok(())
    }
}

/// The chain of parents, nearest first; stops at the root (or, defensively, at a repeat).
pub fn ancestors(c: &mut AnyConnection, unit: &Unit) -> Result<Vec<Unit>, ApiError> {
    let mut chain: Vec<Unit> = Vec::new();
    let mut next = unit.data.parent_id;
    while let Some(id) = next {
        if id == unit.id || chain.iter().any(|u| u.id == id) {
            break;
        }
        let Some(parent) = find(c, id)? else { break };
        next = parent.data.parent_id;
        chain.push(parent);
    }
    Ok(chain)
}

/// Whether making `parent_id` the parent of `unit_id` would close a cycle.
pub fn would_cycle(c: &mut AnyConnection, unit_id: i64, parent_id: i64) -> Result<bool, ApiError> {
    let mut seen = vec![unit_id];
    let mut next = Some(parent_id);
    while let Some(id) = next {
        if seen.contains(&id) {
            return Ok(true);
        }
        seen.push(id);
        next = units::table
            .find(id)
            .select(units::parent_id)
            .first::<Option<i64>>(c)
            .optional()?
            .flatten();
    }
    Ok(false)
}

pub fn list(
    c: &mut AnyConnection,
    f: &UnitFilter,
    page: &PageRequest<UnitSort>,
) -> Result<Page<Unit>, ApiError> {
    let mut q = units::table.select(UnitRow::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(units::id.eq_any(ids.clone()));
    }
    if let Some(kind) = f.kind {
        q = q.filter(units::kind.eq(kind.as_str()));
    }
    if let Some(level) = f.admin_level {
        q = q.filter(units::admin_level.eq(level.as_str()));
    }
    if let Some(parent) = f.parent_id {
        q = q.filter(units::parent_id.eq(parent));
    }
    if let Some(day) = f.valid_on {
        q = q
            .filter(units::valid_from.le(day))
            .filter(units::valid_to.is_null().or(units::valid_to.ge(day)));
    }
    if let Some(bloc) = f.bloc_id {
        let members = bloc_members::table.filter(bloc_members::bloc_id.eq(bloc));
        q = match f.year {
            Some(year) => q.filter(
                units::id.eq_any(
                    members
                        .filter(bloc_members::year.eq(year))
                        .select(bloc_members::unit_id),
                ),
            ),
            None => q.filter(units::id.eq_any(members.select(bloc_members::unit_id))),
        };
    }
    for word in &f.words {
        q = q.filter(units::id.eq_any(search_prefix!(SEARCH_KIND, word)));
    }
    let rows: Vec<UnitRow> = match page.field {
        UnitSort::Id => keyset_page!(q, page, units::id, units::id, int).load(c)?,
        UnitSort::Code => keyset_page!(q, page, units::code, units::id, text).load(c)?,
        UnitSort::Name => keyset_page!(q, page, units::name, units::id, text).load(c)?,
        UnitSort::ValidFrom => keyset_page!(q, page, units::valid_from, units::id, date).load(c)?,
    };
    Ok(page.finish(convert(rows)?, |u| Cursor {
        id: u.id,
        key: match page.field {
            UnitSort::Id => SortKey::Int(u.id),
            UnitSort::Code => SortKey::Text(u.data.code.clone()),
            UnitSort::Name => SortKey::Text(u.data.name.clone()),
            UnitSort::ValidFrom => SortKey::Date(u.data.valid_from),
        },
    }))
}
