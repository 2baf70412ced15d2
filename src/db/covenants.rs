//! Covenants (giao ước thi đua): one per bloc-year, its signatory units, and its criteria
//! document — ordered groups of ordered criteria, and classification bands.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{
    classification_bands as bands, covenant_signatories as signatories, covenants, criteria,
    criterion_groups as groups, score_entries, score_sheets, units,
};
use super::{AnyConnection, MultiBackend, now};
use crate::domain::{Date, Points, SheetState, Year};
use crate::pagination::{Page, PageRequest};
use crate::sort_fields;

/// A covenant's editable fields.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = covenants, check_for_backend(MultiBackend))]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct CovenantData {
    pub signed_on: Option<Date>,
    pub place: Option<String>,
    pub content: String,
}

/// A stored covenant.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = covenants, check_for_backend(MultiBackend))]
pub struct Covenant {
    pub id: i64,
    pub bloc_id: i64,
    pub year: Year,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: CovenantData,
    /// The version of the criteria document (groups, criteria, bands).
    pub criteria_version: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type CovenantQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<covenants::table, diesel::dsl::AsSelect<Covenant, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of covenant lists.
    pub enum CovenantSort for Covenant, query CovenantQuery, id covenants::id {
        Id => covenants::id: i64 = |c| c.id,
        UpdatedAt => covenants::updated_at: NaiveDateTime = |c| c.updated_at,
    }
}

/// A signatory unit, named.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable)]
pub struct Signatory {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = groups, check_for_backend(MultiBackend))]
pub struct GroupRow {
    pub id: i64,
    pub covenant_id: i64,
    pub position: i32,
    pub name: String,
}

/// A criterion's fields, as written in the document.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = criteria, check_for_backend(MultiBackend))]
pub struct CriterionData {
    pub code: String,
    pub content: String,
    pub max_points: Points,
    pub max_bonus_points: Points,
    pub mandatory: bool,
    pub legal_basis: Option<String>,
    pub step: Option<Points>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = criteria, check_for_backend(MultiBackend))]
pub struct CriterionRow {
    pub id: i64,
    pub covenant_id: i64,
    pub group_id: i64,
    pub position: i32,
    #[diesel(embed)]
    #[serde(flatten)]
    pub data: CriterionData,
}

/// A classification band's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = bands, check_for_backend(MultiBackend))]
pub struct BandData {
    pub label: String,
    pub min_points: Points,
    pub max_points: Points,
}

/// A group and its criteria, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub name: String,
    pub criteria: Vec<CriterionRow>,
}

/// The criteria document of a covenant: its groups in order, each with its criteria, and
/// its bands in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Document {
    pub groups: Vec<Group>,
    pub bands: Vec<BandData>,
}

impl Document {
    /// Every criterion, in document order.
    pub fn criteria(&self) -> impl Iterator<Item = &CriterionRow> {
        self.groups.iter().flat_map(|g| g.criteria.iter())
    }
}

#[derive(Debug, Clone, Default)]
pub struct CovenantFilter {
    /// The blocs the caller may see; `None` for all.
    pub visible: Option<Vec<i64>>,
    pub bloc_id: Option<i64>,
    pub year: Option<Year>,
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Covenant>> {
    covenants::table
        .find(id)
        .select(Covenant::as_select())
        .first(c)
        .optional()
}

pub fn list(
    c: &mut AnyConnection,
    f: &CovenantFilter,
    page: &PageRequest<CovenantSort>,
) -> QueryResult<Page<Covenant>> {
    let mut q = covenants::table.select(Covenant::as_select()).into_boxed();
    if let Some(ids) = &f.visible {
        q = q.filter(covenants::bloc_id.eq_any(ids.clone()));
    }
    if let Some(bloc) = f.bloc_id {
        q = q.filter(covenants::bloc_id.eq(bloc));
    }
    if let Some(year) = f.year {
        q = q.filter(covenants::year.eq(year));
    }
    CovenantSort::load(c, q, page)
}

pub fn insert(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: Year,
    d: &CovenantData,
) -> QueryResult<Covenant> {
    let at = now();
    let id: i64 = diesel::insert_into(covenants::table)
        .values((
            covenants::bloc_id.eq(bloc_id),
            covenants::year.eq(year),
            d,
            covenants::created_at.eq(at),
            covenants::updated_at.eq(at),
        ))
        .returning(covenants::id)
        .get_result(c)?;
    covenants::table
        .find(id)
        .select(Covenant::as_select())
        .first(c)
}

/// Writes new data if the version still matches; `None` when it does not.
pub fn update(
    c: &mut AnyConnection,
    current: &Covenant,
    d: &CovenantData,
) -> QueryResult<Option<Covenant>> {
    let n = diesel::update(
        covenants::table
            .find(current.id)
            .filter(covenants::version.eq(current.version)),
    )
    .set((
        d,
        covenants::version.eq(current.version + 1),
        covenants::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    find(c, current.id)
}

/// Deletes the covenant and its document if the version still matches; `false` when it does
/// not. Score sheets referring to it make this fail with a foreign-key violation.
pub fn delete(c: &mut AnyConnection, current: &Covenant) -> QueryResult<bool> {
    let id = current.id;
    diesel::delete(signatories::table.filter(signatories::covenant_id.eq(id))).execute(c)?;
    diesel::delete(bands::table.filter(bands::covenant_id.eq(id))).execute(c)?;
    diesel::delete(criteria::table.filter(criteria::covenant_id.eq(id))).execute(c)?;
    diesel::delete(groups::table.filter(groups::covenant_id.eq(id))).execute(c)?;
    let n = diesel::delete(
        covenants::table
            .find(id)
            .filter(covenants::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

/// The signatory units, by code.
pub fn signatories_of(c: &mut AnyConnection, covenant_id: i64) -> QueryResult<Vec<Signatory>> {
    signatories::table
        .inner_join(units::table)
        .filter(signatories::covenant_id.eq(covenant_id))
        .select((signatories::unit_id, units::code, units::name))
        .order(units::code.asc())
        .load(c)
}

/// Replaces the signatory units.
pub fn set_signatories(c: &mut AnyConnection, covenant_id: i64, units: &[i64]) -> QueryResult<()> {
    diesel::delete(signatories::table.filter(signatories::covenant_id.eq(covenant_id)))
        .execute(c)?;
    for unit in units {
        diesel::insert_into(signatories::table)
            .values((
                signatories::covenant_id.eq(covenant_id),
                signatories::unit_id.eq(unit),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// The criteria document of a covenant.
pub fn document(c: &mut AnyConnection, covenant_id: i64) -> QueryResult<Document> {
    let group_rows: Vec<GroupRow> = groups::table
        .filter(groups::covenant_id.eq(covenant_id))
        .select(GroupRow::as_select())
        .order((groups::position.asc(), groups::id.asc()))
        .load(c)?;
    let mut by_group: HashMap<i64, Vec<CriterionRow>> = HashMap::new();
    let rows: Vec<CriterionRow> = criteria::table
        .filter(criteria::covenant_id.eq(covenant_id))
        .select(CriterionRow::as_select())
        .order((criteria::position.asc(), criteria::id.asc()))
        .load(c)?;
    for row in rows {
        by_group.entry(row.group_id).or_default().push(row);
    }
    let band_rows: Vec<BandData> = bands::table
        .filter(bands::covenant_id.eq(covenant_id))
        .select(BandData::as_select())
        .order((bands::position.asc(), bands::id.asc()))
        .load(c)?;
    Ok(Document {
        groups: group_rows
            .into_iter()
            .map(|g| Group {
                name: g.name,
                criteria: by_group.remove(&g.id).unwrap_or_default(),
            })
            .collect(),
        bands: band_rows,
    })
}

/// A criterion of a covenant, by code.
pub fn criterion(
    c: &mut AnyConnection,
    covenant_id: i64,
    code: &str,
) -> QueryResult<Option<CriterionRow>> {
    criteria::table
        .filter(criteria::covenant_id.eq(covenant_id))
        .filter(criteria::code.eq(code))
        .select(CriterionRow::as_select())
        .first(c)
        .optional()
}

/// The first sheet under the covenant that has left `draft`, which locks its criteria.
pub fn locking_sheet(c: &mut AnyConnection, covenant_id: i64) -> QueryResult<Option<i64>> {
    score_sheets::table
        .filter(score_sheets::covenant_id.eq(covenant_id))
        .filter(score_sheets::state.ne(SheetState::Draft))
        .select(score_sheets::id)
        .order(score_sheets::id.asc())
        .first(c)
        .optional()
}

/// Replaces the criteria document. Criteria are kept by code — a criterion whose code stays
/// keeps its id, and with it the entries of draft sheets; those of removed criteria go with
/// them. Returns the sheets whose entries were removed, so that their totals are redone.
pub fn replace_document(
    c: &mut AnyConnection,
    covenant: &Covenant,
    new_groups: &[(String, Vec<CriterionData>)],
    new_bands: &[BandData],
) -> QueryResult<Vec<i64>> {
    let id = covenant.id;
    let old_groups: Vec<i64> = groups::table
        .filter(groups::covenant_id.eq(id))
        .select(groups::id)
        .load(c)?;
    let existing: HashMap<String, i64> = criteria::table
        .filter(criteria::covenant_id.eq(id))
        .select((criteria::code, criteria::id))
        .load::<(String, i64)>(c)?
        .into_iter()
        .collect();
    let mut kept = Vec::new();
    for (gi, (name, list)) in new_groups.iter().enumerate() {
        let group_id: i64 = diesel::insert_into(groups::table)
            .values((
                groups::covenant_id.eq(id),
                groups::position.eq(position(gi)),
                groups::name.eq(name),
            ))
            .returning(groups::id)
            .get_result(c)?;
        for (ci, d) in list.iter().enumerate() {
            let values = (
                criteria::group_id.eq(group_id),
                criteria::position.eq(position(ci)),
                criteria::content.eq(&d.content),
                criteria::max_points.eq(d.max_points),
                criteria::max_bonus_points.eq(d.max_bonus_points),
                criteria::mandatory.eq(d.mandatory),
                criteria::legal_basis.eq(&d.legal_basis),
                criteria::step.eq(d.step),
            );
            if let Some(cid) = existing.get(&d.code) {
                diesel::update(criteria::table.find(*cid))
                    .set(values)
                    .execute(c)?;
                kept.push(*cid);
            } else {
                diesel::insert_into(criteria::table)
                    .values((
                        criteria::covenant_id.eq(id),
                        criteria::code.eq(&d.code),
                        values,
                    ))
                    .execute(c)?;
            }
        }
    }
    let removed: Vec<i64> = existing
        .values()
        .filter(|i| !kept.contains(i))
        .copied()
        .collect();
    let touched: Vec<i64> = score_entries::table
        .filter(score_entries::criterion_id.eq_any(&removed))
        .select(score_entries::sheet_id)
        .distinct()
        .load(c)?;
    diesel::delete(score_entries::table.filter(score_entries::criterion_id.eq_any(&removed)))
        .execute(c)?;
    diesel::delete(criteria::table.filter(criteria::id.eq_any(&removed))).execute(c)?;
    diesel::delete(groups::table.filter(groups::id.eq_any(&old_groups))).execute(c)?;
    diesel::delete(bands::table.filter(bands::covenant_id.eq(id))).execute(c)?;
    for (bi, b) in new_bands.iter().enumerate() {
        diesel::insert_into(bands::table)
            .values((
                bands::covenant_id.eq(id),
                bands::position.eq(position(bi)),
                bands::label.eq(&b.label),
                bands::min_points.eq(b.min_points),
                bands::max_points.eq(b.max_points),
            ))
            .execute(c)?;
    }
    diesel::update(covenants::table.find(id))
        .set((
            covenants::criteria_version.eq(covenant.criteria_version + 1),
            covenants::updated_at.eq(now()),
        ))
        .execute(c)?;
    Ok(touched)
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// A draft entry under the covenant that gives a criterion more than its maximum (points or
/// bonus), as (criterion code, sheet id).
pub fn exceeding_entries(
    c: &mut AnyConnection,
    covenant_id: i64,
) -> QueryResult<Option<(String, i64)>> {
    score_entries::table
        .inner_join(criteria::table)
        .filter(criteria::covenant_id.eq(covenant_id))
        .filter(
            score_entries::points
                .gt(criteria::max_points)
                .or(score_entries::bonus.gt(criteria::max_bonus_points)),
        )
        .select((criteria::code, score_entries::sheet_id))
        .first(c)
        .optional()
}
