//! Blocs and clusters (khối, cụm thi đua): groups of units that compete together, founded by a
//! decision and active for a span of years. Their yearly membership lives in [`members`].

pub mod members;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{bloc_members, blocs, user_blocs};
use super::{AnyConnection, MultiBackend, now, search};
use crate::domain::{AdminLevel, BlocKind};
use crate::error::ApiError;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey};
use crate::{keyset_page, search_prefix};

/// The search-index kind of blocs.
pub const SEARCH_KIND: &str = "bloc";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = blocs, check_for_backend(MultiBackend))]
struct BlocRow {
    id: i64,
    code: String,
    name: String,
    kind: String,
    level: String,
    founding_decision_number: Option<String>,
    founding_decision_date: Option<NaiveDate>,
    description: Option<String>,
    active_from: i32,
    active_to: Option<i32>,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// A bloc's editable fields, as created or after a change.
#[derive(Debug, Clone, PartialEq)]
pub struct BlocData {
    pub code: String,
    pub name: String,
    pub kind: BlocKind,
    pub level: AdminLevel,
    pub founding_decision_number: Option<String>,
    pub founding_decision_date: Option<NaiveDate>,
    pub description: Option<String>,
    pub active_from: i32,
    pub active_to: Option<i32>,
}

impl BlocData {
    /// Whether the bloc is active in `year`.
    pub fn active_in(&self, year: i32) -> bool {
        self.active_from <= year && self.active_to.is_none_or(|to| year <= to)
    }
}

#[derive(Debug, Clone)]
pub struct Bloc {
    pub id: i64,
    pub data: BlocData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl TryFrom<BlocRow> for Bloc {
    type Error = ApiError;
    fn try_from(r: BlocRow) -> Result<Bloc, ApiError> {
        Ok(Bloc {
            id: r.id,
            data: BlocData {
                code: r.code,
                name: r.name,
                kind: BlocKind::parse_stored(&r.kind)?,
                level: AdminLevel::parse_stored(&r.level)?,
                founding_decision_number: r.founding_decision_number,
                founding_decision_date: r.founding_decision_date,
                description: r.description,
                active_from: r.active_from,
                active_to: r.active_to,
            },
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum BlocSort {
    Id,
    Code,
    Name,
}

impl SortField for BlocSort {
    const DEFAULT: Self = BlocSort::Id;
}

#[derive(Debug, Clone, Default)]
pub struct BlocFilter {
    /// The blocs the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub kind: Option<BlocKind>,
    pub level: Option<AdminLevel>,
    /// Only blocs active in this year.
    pub active_in: Option<i32>,
    /// Words that must each start a word of the code or name.
    pub words: Vec<String>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Option<Bloc>, ApiError> {
    blocs::table
        .find(id)
        .select(BlocRow::as_select())
        .first(c)
        .optional()?
        .map(Bloc::try_from)
        .transpose()
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

pub fn find_by_code(c: &mut AnyConnection, code: &str) -> Result<Option<Bloc>, ApiError> {
    blocs::table
        .filter(blocs::code.eq(code))
        .select(BlocRow::as_select())
        .first(c)
        .optional()?
        .map(Bloc::try_from)
        .transpose()
}

fn index(c: &mut AnyConnection, id: i64, d: &BlocData) -> QueryResult<()> {
    search::index(c, SEARCH_KIND, id, &[Some(&d.code), Some(&d.name)])
}

pub fn insert(c: &mut AnyConnection, d: &BlocData) -> Result<Bloc, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(blocs::table)
        .values((
            blocs::code.eq(&d.code),
            blocs::name.eq(&d.name),
            blocs::kind.eq(d.kind.as_str()),
            blocs::level.eq(d.level.as_str()),
            blocs::founding_decision_number.eq(&d.founding_decision_number),
            blocs::founding_decision_date.eq(d.founding_decision_date),
            blocs::description.eq(&d.description),
            blocs::active_from.eq(d.active_from),
            blocs::active_to.eq(d.active_to),
            blocs::created_at.eq(at),
            blocs::updated_at.eq(at),
        ))
        .returning(blocs::id)
        .get_result(c)?;
    index(c, id, d)?;
    find(c, id)?.ok_or(ApiError::NotFound("bloc"))
}

/// Writes new data if the version still matches (else 412).
pub fn update(c: &mut AnyConnection, current: &Bloc, d: &BlocData) -> Result<Bloc, ApiError> {
    let n = diesel::update(
        blocs::table
            .find(current.id)
            .filter(blocs::version.eq(current.version)),
    )
    .set((
        blocs::code.eq(&d.code),
        blocs::name.eq(&d.name),
        blocs::kind.eq(d.kind.as_str()),
        blocs::level.eq(d.level.as_str()),
        blocs::founding_decision_number.eq(&d.founding_decision_number),
        blocs::founding_decision_date.eq(d.founding_decision_date),
        blocs::description.eq(&d.description),
        blocs::active_from.eq(d.active_from),
        blocs::active_to.eq(d.active_to),
        blocs::version.eq(current.version + 1),
        blocs::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    index(c, current.id, d)?;
    find(c, current.id)?.ok_or(ApiError::NotFound("bloc"))
}

/// What still refers to a bloc, as (what, how many), for the 409 that refuses its deletion.
pub fn references(c: &mut AnyConnection, id: i64) -> QueryResult<Vec<(&'static str, i64)>> {
    let counts = [
        (
            "yearly memberships",
            bloc_members::table
                .filter(bloc_members::bloc_id.eq(id))
                .count()
                .get_result(c)?,
        ),
        (
            "users scoped to it",
            user_blocs::table
                .filter(user_blocs::bloc_id.eq(id))
                .count()
                .get_result(c)?,
        ),
    ];
    Ok(counts.into_iter().filter(|(_, n)| *n > 0).collect())
}

pub fn delete(c: &mut AnyConnection, current: &Bloc) -> Result<(), ApiError> {
    search::unindex(c, SEARCH_KIND, current.id)?;
    let n = diesel::delete(
        blocs::table
            .find(current.id)
            .filter(blocs::version.eq(current.version)),
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
    f: &BlocFilter,
    page: &PageRequest<BlocSort>,
) -> Result<Page<Bloc>, ApiError> {
    let mut q = blocs::table.select(BlocRow::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(blocs::id.eq_any(ids.clone()));
    }
    if let Some(kind) = f.kind {
        q = q.filter(blocs::kind.eq(kind.as_str()));
    }
    if let Some(level) = f.level {
        q = q.filter(blocs::level.eq(level.as_str()));
    }
    if let Some(year) = f.active_in {
        q = q
            .filter(blocs::active_from.le(year))
            .filter(blocs::active_to.is_null().or(blocs::active_to.ge(year)));
    }
    for word in &f.words {
        q = q.filter(blocs::id.eq_any(search_prefix!(SEARCH_KIND, word)));
    }
    let rows: Vec<BlocRow> = match page.field {
        BlocSort::Id => keyset_page!(q, page, blocs::id, blocs::id, int).load(c)?,
        BlocSort::Code => keyset_page!(q, page, blocs::code, blocs::id, text).load(c)?,
        BlocSort::Name => keyset_page!(q, page, blocs::name, blocs::id, text).load(c)?,
    };
    let blocs = rows
        .into_iter()
        .map(Bloc::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(page.finish(blocs, |b| Cursor {
        id: b.id,
        key: match page.field {
            BlocSort::Id => SortKey::Int(b.id),
            BlocSort::Code => SortKey::Text(b.data.code.clone()),
            BlocSort::Name => SortKey::Text(b.data.name.clone()),
        },
    }))
}
