//! Score sheets (bảng chấm điểm), their entries, the totals kept beside each on every write,
//! and the history of their workflow.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{
    criteria, score_entries, score_sheet_transitions as history, score_sheets, score_totals, units,
};
use super::{AnyConnection, MultiBackend, now};
use crate::domain::score_sheet::SheetAction;
use crate::domain::{Period, Points, SheetKind, SheetState, Year};
use crate::pagination::{Page, PageRequest};
use crate::sort_fields;

/// What a sheet is: its covenant (and with it the bloc and year), unit, period and kind.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = score_sheets, check_for_backend(MultiBackend))]
pub struct SheetData {
    pub covenant_id: i64,
    pub bloc_id: i64,
    pub year: Year,
    pub unit_id: i64,
    pub period: Period,
    pub kind: SheetKind,
    pub state: SheetState,
    pub created_by: Option<i64>,
}

/// A stored sheet.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = score_sheets, check_for_backend(MultiBackend))]
pub struct Sheet {
    pub id: i64,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: SheetData,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type SheetQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<score_sheets::table, diesel::dsl::AsSelect<Sheet, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of score sheet lists.
    pub enum SheetSort for Sheet, query SheetQuery, id score_sheets::id {
        Id => score_sheets::id: i64 = |s| s.id,
        UpdatedAt => score_sheets::updated_at: NaiveDateTime = |s| s.updated_at,
    }
}

/// The sheets a caller may see.
#[derive(Debug, Clone, Default)]
pub enum Visible {
    /// Every sheet.
    #[default]
    All,
    /// The sheets of these units, of these covenants (the bloc-years the caller's unit
    /// chairs) and of these blocs.
    Some {
        units: Vec<i64>,
        covenants: Vec<i64>,
        blocs: Vec<i64>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct SheetFilter {
    pub visible: Visible,
    pub bloc_id: Option<i64>,
    pub year: Option<Year>,
    pub period: Option<Period>,
    pub unit_id: Option<i64>,
    pub kind: Option<SheetKind>,
    pub state: Option<SheetState>,
}

/// One entry: the points a sheet gives one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = score_entries, check_for_backend(MultiBackend))]
pub struct Entry {
    pub sheet_id: i64,
    pub criterion_id: i64,
    pub points: Points,
    pub bonus: Points,
    pub evidence: Option<String>,
    pub link: Option<String>,
    pub updated_at: NaiveDateTime,
}

/// An entry with its criterion's code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodedEntry {
    pub criterion_code: String,
    #[serde(flatten)]
    pub entry: Entry,
}

/// A sheet's totals row.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = score_totals, check_for_backend(MultiBackend))]
pub struct Totals {
    pub sheet_id: i64,
    pub bloc_id: i64,
    pub year: Year,
    pub period: Period,
    pub kind: SheetKind,
    pub state: SheetState,
    pub unit_id: i64,
    pub points: Points,
    pub bonus: Points,
    pub grand_total: Points,
    pub entry_count: i32,
}

/// One step of a sheet's history.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = history, check_for_backend(MultiBackend))]
pub struct Step {
    pub id: i64,
    pub sheet_id: i64,
    pub action: SheetAction,
    pub from_state: SheetState,
    pub to_state: SheetState,
    pub reason: Option<String>,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub occurred_at: NaiveDateTime,
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Sheet>> {
    score_sheets::table
        .find(id)
        .select(Sheet::as_select())
        .first(c)
        .optional()
}

pub fn list(
    c: &mut AnyConnection,
    f: &SheetFilter,
    page: &PageRequest<SheetSort>,
) -> QueryResult<Page<Sheet>> {
    let mut q = score_sheets::table.select(Sheet::as_select()).into_boxed();
    if let Visible::Some {
        units,
        covenants,
        blocs,
    } = &f.visible
    {
        q = q.filter(
            score_sheets::unit_id
                .eq_any(units.clone())
                .or(score_sheets::covenant_id.eq_any(covenants.clone()))
                .or(score_sheets::bloc_id.eq_any(blocs.clone())),
        );
    }
    if let Some(v) = f.bloc_id {
        q = q.filter(score_sheets::bloc_id.eq(v));
    }
    if let Some(v) = f.year {
        q = q.filter(score_sheets::year.eq(v));
    }
    if let Some(v) = f.period {
        q = q.filter(score_sheets::period.eq(v));
    }
    if let Some(v) = f.unit_id {
        q = q.filter(score_sheets::unit_id.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(score_sheets::kind.eq(v));
    }
    if let Some(v) = f.state {
        q = q.filter(score_sheets::state.eq(v));
    }
    SheetSort::load(c, q, page)
}

/// Inserts a sheet and its (empty) totals row.
pub fn insert(c: &mut AnyConnection, d: &SheetData) -> QueryResult<Sheet> {
    let at = now();
    let id: i64 = diesel::insert_into(score_sheets::table)
        .values((
            d,
            score_sheets::created_at.eq(at),
            score_sheets::updated_at.eq(at),
        ))
        .returning(score_sheets::id)
        .get_result(c)?;
    let sheet = score_sheets::table
        .find(id)
        .select(Sheet::as_select())
        .first(c)?;
    refresh_totals(c, &sheet)?;
    Ok(sheet)
}

/// Moves the sheet to `state` and bumps its version if the version still matches; `None`
/// when it does not. The totals row mirrors the new state.
pub fn set_state(
    c: &mut AnyConnection,
    current: &Sheet,
    state: SheetState,
) -> QueryResult<Option<Sheet>> {
    let n = diesel::update(
        score_sheets::table
            .find(current.id)
            .filter(score_sheets::version.eq(current.version)),
    )
    .set((
        score_sheets::state.eq(state),
        score_sheets::version.eq(current.version + 1),
        score_sheets::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    diesel::update(score_totals::table.find(current.id))
        .set(score_totals::state.eq(state))
        .execute(c)?;
    find(c, current.id)
}

/// Bumps the sheet's version after its entries changed; `None` when the version moved.
pub fn touch(c: &mut AnyConnection, current: &Sheet) -> QueryResult<Option<Sheet>> {
    let n = diesel::update(
        score_sheets::table
            .find(current.id)
            .filter(score_sheets::version.eq(current.version)),
    )
    .set((
        score_sheets::version.eq(current.version + 1),
        score_sheets::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    find(c, current.id)
}

/// The sheet's entries with their criterion codes, in document order.
pub fn entries(c: &mut AnyConnection, sheet_id: i64) -> QueryResult<Vec<CodedEntry>> {
    let rows: Vec<(String, Entry)> = score_entries::table
        .inner_join(criteria::table)
        .filter(score_entries::sheet_id.eq(sheet_id))
        .select((criteria::code, Entry::as_select()))
        .order((criteria::group_id.asc(), criteria::position.asc()))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(criterion_code, entry)| CodedEntry {
            criterion_code,
            entry,
        })
        .collect())
}

/// One entry of a sheet, if any.
pub fn entry(
    c: &mut AnyConnection,
    sheet_id: i64,
    criterion_id: i64,
) -> QueryResult<Option<Entry>> {
    score_entries::table
        .find((sheet_id, criterion_id))
        .select(Entry::as_select())
        .first(c)
        .optional()
}

/// Writes one entry, replacing the criterion's previous one.
pub fn put_entry(c: &mut AnyConnection, e: &Entry) -> QueryResult<()> {
    diesel::delete(score_entries::table.find((e.sheet_id, e.criterion_id))).execute(c)?;
    diesel::insert_into(score_entries::table)
        .values(e)
        .execute(c)
        .map(|_| ())
}

/// Replaces every entry of a sheet.
pub fn replace_entries(c: &mut AnyConnection, sheet_id: i64, list: &[Entry]) -> QueryResult<()> {
    diesel::delete(score_entries::table.filter(score_entries::sheet_id.eq(sheet_id))).execute(c)?;
    for e in list {
        diesel::insert_into(score_entries::table)
            .values(e)
            .execute(c)?;
    }
    Ok(())
}

/// Recomputes the sheet's totals row from its entries, in the caller's transaction.
pub fn refresh_totals(c: &mut AnyConnection, sheet: &Sheet) -> QueryResult<Totals> {
    let amounts: Vec<(Points, Points)> = score_entries::table
        .filter(score_entries::sheet_id.eq(sheet.id))
        .select((score_entries::points, score_entries::bonus))
        .load(c)?;
    let points = amounts.iter().fold(Points(0), |a, (p, _)| a + *p);
    let bonus = amounts.iter().fold(Points(0), |a, (_, b)| a + *b);
    let d = &sheet.data;
    let totals = Totals {
        sheet_id: sheet.id,
        bloc_id: d.bloc_id,
        year: d.year,
        period: d.period,
        kind: d.kind,
        state: d.state,
        unit_id: d.unit_id,
        points,
        bonus,
        grand_total: points + bonus,
        entry_count: i32::try_from(amounts.len()).unwrap_or(i32::MAX),
    };
    diesel::delete(score_totals::table.find(sheet.id)).execute(c)?;
    diesel::insert_into(score_totals::table)
        .values(&totals)
        .execute(c)?;
    Ok(totals)
}

/// A sheet's totals row.
pub fn totals(c: &mut AnyConnection, sheet_id: i64) -> QueryResult<Option<Totals>> {
    score_totals::table
        .find(sheet_id)
        .select(Totals::as_select())
        .first(c)
        .optional()
}

/// Every totals row of a bloc's sheets for a year and period, with the unit's code: the one
/// indexed read a ranking makes.
pub fn totals_for(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: Year,
    period: Period,
) -> QueryResult<Vec<Totals>> {
    score_totals::table
        .filter(score_totals::bloc_id.eq(bloc_id))
        .filter(score_totals::year.eq(year))
        .filter(score_totals::period.eq(period))
        .select(Totals::as_select())
        .load(c)
}

/// The units' codes and names, for the given ids.
pub fn unit_names(c: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
    units::table
        .filter(units::id.eq_any(ids))
        .select((units::id, units::code, units::name))
        .load(c)
}

/// Records one step of the sheet's workflow.
pub fn record_step(
    c: &mut AnyConnection,
    sheet_id: i64,
    (action, from, to): (SheetAction, SheetState, SheetState),
    reason: Option<&str>,
    actor: (Option<i64>, Option<&str>),
) -> QueryResult<()> {
    diesel::insert_into(history::table)
        .values((
            history::sheet_id.eq(sheet_id),
            history::action.eq(action),
            history::from_state.eq(from),
            history::to_state.eq(to),
            history::reason.eq(reason),
            history::actor_id.eq(actor.0),
            history::actor_username.eq(actor.1),
            history::occurred_at.eq(now()),
        ))
        .execute(c)
        .map(|_| ())
}

/// The sheet's history, oldest first.
pub fn history_of(c: &mut AnyConnection, sheet_id: i64) -> QueryResult<Vec<Step>> {
    history::table
        .filter(history::sheet_id.eq(sheet_id))
        .select(Step::as_select())
        .order(history::id.asc())
        .load(c)
}

/// The covenants of the bloc-years a unit chairs: the sheets its officers may read beyond
/// their own unit's.
pub fn chaired_covenants(c: &mut AnyConnection, unit_id: i64) -> QueryResult<Vec<i64>> {
    use super::schema::{bloc_members, covenants};
    use crate::domain::MemberRole;
    let chaired: Vec<(i64, Year)> = bloc_members::table
        .filter(bloc_members::unit_id.eq(unit_id))
        .filter(bloc_members::role.eq(MemberRole::Chair))
        .select((bloc_members::bloc_id, bloc_members::year))
        .load(c)?;
    let mut ids = Vec::new();
    for (bloc, year) in chaired {
        let found: Option<i64> = covenants::table
            .filter(covenants::bloc_id.eq(bloc))
            .filter(covenants::year.eq(year))
            .select(covenants::id)
            .first(c)
            .optional()?;
        ids.extend(found);
    }
    Ok(ids)
}

/// The chair unit of a bloc-year, if it has members.
pub fn chair_unit(c: &mut AnyConnection, bloc_id: i64, year: Year) -> QueryResult<Option<i64>> {
    use super::schema::bloc_members;
    use crate::domain::MemberRole;
    bloc_members::table
        .filter(bloc_members::bloc_id.eq(bloc_id))
        .filter(bloc_members::year.eq(year))
        .filter(bloc_members::role.eq(MemberRole::Chair))
        .select(bloc_members::unit_id)
        .first(c)
        .optional()
}

/// Whether a unit is a member of a bloc in a year.
pub fn is_member(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: Year,
    unit_id: i64,
) -> QueryResult<bool> {
    use super::schema::bloc_members;
    diesel::select(diesel::dsl::exists(
        bloc_members::table
            .filter(bloc_members::bloc_id.eq(bloc_id))
            .filter(bloc_members::year.eq(year))
            .filter(bloc_members::unit_id.eq(unit_id)),
    ))
    .get_result(c)
}
