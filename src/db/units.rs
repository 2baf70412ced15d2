//! Units (đơn vị): a tree of agencies and localities, each valid for a period and, once merged
//! or renamed, pointing at its successor.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{bloc_members, units};
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::{AdminLevel, Date, UnitKind, Year};
use crate::pagination::{Page, PageRequest};
use crate::{search_prefix, sort_fields};

/// The search-index kind of units.
pub const SEARCH_KIND: &str = "unit";

/// A unit's editable fields, as created or after a change — in the table's column order.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = units, check_for_backend(MultiBackend))]
// `None` writes NULL: a patch clears with it, and MultiBackend has no DEFAULT keyword.
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct UnitData {
    pub code: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub admin_level: Option<AdminLevel>,
    pub parent_id: Option<i64>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub successor_id: Option<i64>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A stored unit.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = units, check_for_backend(MultiBackend))]
pub struct Unit {
    pub id: i64,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: UnitData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type UnitQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<units::table, diesel::dsl::AsSelect<Unit, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of unit lists.
    pub enum UnitSort for Unit, query UnitQuery, id units::id {
        Id => units::id: i64 = |u| u.id,
        Code => units::code: String = |u| u.data.code.clone(),
        Name => units::name: String = |u| u.data.name.clone(),
        ValidFrom => units::valid_from: Date = |u| u.data.valid_from,
    }
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// The units the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub kind: Option<UnitKind>,
    pub admin_level: Option<AdminLevel>,
    pub parent_id: Option<i64>,
    pub valid_on: Option<Date>,
    /// Members of this bloc, in `year` when given.
    pub bloc_id: Option<i64>,
    pub year: Option<Year>,
    /// Words that must each start a word of the code, name or short name.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Unit>> {
    units::table
        .find(id)
        .select(Unit::as_select())
        .first(c)
        .optional()
}

pub fn find_by_code(c: &mut AnyConnection, code: &str) -> QueryResult<Option<Unit>> {
    units::table
        .filter(units::code.eq(code))
        .select(Unit::as_select())
        .first(c)
        .optional()
}

/// Whether a unit with this id exists.
pub fn exists(c: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(units::table.find(id))).get_result(c)
}

/// The texts a unit is found by: indexed on insert, and again when a change touches them.
fn searched(d: &UnitData) -> Vec<Option<&str>> {
    vec![Some(&d.code), Some(&d.name), d.short_name.as_deref()]
}

pub fn insert(c: &mut AnyConnection, d: &UnitData) -> QueryResult<Unit> {
    let at = now();
    let id: i64 = diesel::insert_into(units::table)
        .values((d, units::created_at.eq(at), units::updated_at.eq(at)))
        .returning(units::id)
        .get_result(c)?;
    search::add(c, SEARCH_KIND, id, &searched(d))?;
    units::table.find(id).select(Unit::as_select()).first(c)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(c: &mut AnyConnection, current: &Unit, d: &UnitData) -> QueryResult<Option<Unit>> {
    let n = diesel::update(
        units::table
            .find(current.id)
            .filter(units::version.eq(current.version)),
    )
    .set((
        d,
        units::version.eq(current.version + 1),
        units::updated_at.eq(now()),
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

/// Deletes the unit if the version still matches; `false` when it does not. Rows that refer
/// to it make this fail with a foreign-key violation.
pub fn delete(c: &mut AnyConnection, current: &Unit) -> QueryResult<bool> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        units::table
            .find(current.id)
            .filter(units::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

/// The chain of parents, nearest first; stops at the root (or, defensively, at a repeat).
pub fn ancestors(c: &mut AnyConnection, unit: &Unit) -> QueryResult<Vec<Unit>> {
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
pub fn would_cycle(c: &mut AnyConnection, unit_id: i64, parent_id: i64) -> QueryResult<bool> {
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
) -> QueryResult<Page<Unit>> {
    let mut q = units::table.select(Unit::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(units::id.eq_any(ids.clone()));
    }
    if let Some(kind) = f.kind {
        q = q.filter(units::kind.eq(kind));
    }
    if let Some(level) = f.admin_level {
        q = q.filter(units::admin_level.eq(level));
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
    UnitSort::load(c, q, page)
}
