//! Blocs and clusters (khối, cụm thi đua): groups of units that compete together, founded by a
//! decision and active for a span of years. Their yearly membership lives in [`members`].

pub mod members;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::blocs;
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::{AdminLevel, BlocKind, Date, Year};
use crate::pagination::{Page, PageRequest};
use crate::{search_prefix, sort_fields};

/// The search-index kind of blocs.
pub const SEARCH_KIND: &str = "bloc";

/// A bloc's editable fields, as created or after a change — in the table's column order.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = blocs, check_for_backend(MultiBackend))]
// `None` writes NULL: a patch clears with it, and MultiBackend has no DEFAULT keyword.
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct BlocData {
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub level: AdminLevel,
    pub founding_decision_number: Option<String>,
    pub founding_decision_date: Option<Date>,
    pub description: Option<String>,
    pub active_from: Year,
    pub active_to: Option<Year>,
}

impl BlocData {
    /// Whether the bloc is active in `year`.
    pub fn active_in(&self, year: Year) -> bool {
        self.active_from <= year && self.active_to.is_none_or(|to| year <= to)
    }
}

/// A stored bloc.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = blocs, check_for_backend(MultiBackend))]
pub struct Bloc {
    pub id: i64,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: BlocData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type BlocQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<blocs::table, diesel::dsl::AsSelect<Bloc, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of bloc lists.
    pub enum BlocSort for Bloc, query BlocQuery, id blocs::id {
        Id => blocs::id: i64 = |b| b.id,
        Code => blocs::code: String = |b| b.data.code.clone(),
        Name => blocs::name: String = |b| b.data.name.clone(),
    }
}

#[derive(Debug, Clone, Default)]
pub struct BlocFilter {
    /// The blocs the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub kind: Option<BlocKind>,
    pub level: Option<AdminLevel>,
    /// Only blocs active in this year.
    pub active_in: Option<Year>,
    /// Words that must each start a word of the code or name.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Bloc>> {
    blocs::table
        .find(id)
        .select(Bloc::as_select())
        .first(c)
        .optional()
}

/// How many of these ids name existing blocs.
pub fn count_existing(c: &mut AnyConnection, ids: &[i64]) -> QueryResult<i64> {
    if ids.is_empty() {
        return Ok(0);
    }
    blocs::table
        .filter(blocs::id.eq_any(ids))
        .count()
        .get_result(c)
}

/// The texts a bloc is found by: indexed on insert, and again when a change touches them.
fn searched(d: &BlocData) -> Vec<Option<&str>> {
    vec![Some(&d.code), Some(&d.name)]
}

pub fn insert(c: &mut AnyConnection, d: &BlocData) -> QueryResult<Bloc> {
    let at = now();
    let id: i64 = diesel::insert_into(blocs::table)
        .values((d, blocs::created_at.eq(at), blocs::updated_at.eq(at)))
        .returning(blocs::id)
        .get_result(c)?;
    search::add(c, SEARCH_KIND, id, &searched(d))?;
    blocs::table.find(id).select(Bloc::as_select()).first(c)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(c: &mut AnyConnection, current: &Bloc, d: &BlocData) -> QueryResult<Option<Bloc>> {
    let n = diesel::update(
        blocs::table
            .find(current.id)
            .filter(blocs::version.eq(current.version)),
    )
    .set((
        d,
        blocs::version.eq(current.version + 1),
        blocs::updated_at.eq(now()),
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

/// Deletes the bloc if the version still matches; `false` when it does not. Memberships and
/// users scoped to it make this fail with a foreign-key violation.
pub fn delete(c: &mut AnyConnection, current: &Bloc) -> QueryResult<bool> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        blocs::table
            .find(current.id)
            .filter(blocs::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

pub fn list(
    c: &mut AnyConnection,
    f: &BlocFilter,
    page: &PageRequest<BlocSort>,
) -> QueryResult<Page<Bloc>> {
    let mut q = blocs::table.select(Bloc::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(blocs::id.eq_any(ids.clone()));
    }
    if let Some(kind) = f.kind {
        q = q.filter(blocs::kind.eq(kind));
    }
    if let Some(level) = f.level {
        q = q.filter(blocs::level.eq(level));
    }
    if let Some(year) = f.active_in {
        q = q
            .filter(blocs::active_from.le(year))
            .filter(blocs::active_to.is_null().or(blocs::active_to.ge(year)));
    }
    for word in &f.words {
        q = q.filter(blocs::id.eq_any(search_prefix!(SEARCH_KIND, word)));
    }
    BlocSort::load(c, q, page)
}
