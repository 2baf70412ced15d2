//! Review meetings of blocs (hội nghị) and the lists their minutes hold. A review is written as
//! one document: its lists are replaced whole with it, and its version counts every change.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{
    movements, persons, review_attendees as att, review_awards as aw, review_focus_tasks as ft,
    review_resolutions as rs, review_task_owners as own, reviews, units,
};
use super::{AnyConnection, MultiBackend, now};
use crate::domain::review::{Attendee, FocusTask, HandedAward, Resolution};
use crate::domain::{Date, Period, ResolutionKind, ReviewKind, ReviewStatus, Year};
use crate::pagination::{Page, PageRequest};
use crate::sort_fields;

/// A review's own fields, as created or after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = reviews, check_for_backend(MultiBackend))]
#[diesel(treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ReviewFields {
    pub kind: ReviewKind,
    pub year: Year,
    pub period: Period,
    pub title: Option<String>,
    pub held_on: Date,
    pub place: Option<String>,
    pub host_unit_id: Option<i64>,
    pub chair_person_id: Option<i64>,
    pub chair_name: Option<String>,
    pub summary: Option<String>,
    pub achievements: Option<String>,
    pub shortcomings: Option<String>,
    pub direction: Option<String>,
    pub other_attendees: Option<String>,
    pub source: Option<String>,
}

/// The lists of a review's minutes, each in its order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ReviewLists {
    pub attendees: Vec<Attendee>,
    pub focus_tasks: Vec<FocusTask>,
    pub resolutions: Vec<Resolution>,
    pub awards: Vec<HandedAward>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = reviews, check_for_backend(MultiBackend))]
pub struct ReviewRow {
    pub id: i64,
    pub bloc_id: i64,
    #[diesel(embed)]
    pub fields: ReviewFields,
    pub status: ReviewStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A stored review with its lists.
#[derive(Debug, Clone, Serialize)]
pub struct Review {
    pub id: i64,
    pub bloc_id: i64,
    #[serde(flatten)]
    pub fields: ReviewFields,
    #[serde(flatten)]
    pub lists: ReviewLists,
    pub status: ReviewStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

type ReviewQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<reviews::table, diesel::dsl::AsSelect<ReviewRow, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of review lists.
    pub enum ReviewSort for ReviewRow, query ReviewQuery, id reviews::id {
        Id => reviews::id: i64 = |r| r.id,
        HeldOn => reviews::held_on: Date = |r| r.fields.held_on,
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    /// The blocs the caller may see; `None` for all.
    pub visible_blocs: Option<Vec<i64>>,
    pub bloc_id: Option<i64>,
    /// Reviews this unit took part in: as host, through an attendee, or owning a focus task.
    pub unit_id: Option<i64>,
    pub year: Option<Year>,
    pub kind: Option<ReviewKind>,
}

/// One row of each list table, in order.
#[derive(Queryable)]
struct AttendeeRow {
    review_id: i64,
    person_id: Option<i64>,
    name: Option<String>,
    position: Option<String>,
    unit_id: Option<i64>,
    unit_name: Option<String>,
    note: Option<String>,
}

/// Loads the lists of these reviews.
fn lists_of(c: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, ReviewLists>> {
    let mut out: HashMap<i64, ReviewLists> =
        ids.iter().map(|id| (*id, ReviewLists::default())).collect();
    let rows: Vec<AttendeeRow> = att::table
        .filter(att::review_id.eq_any(ids))
        .order((att::review_id, att::seq))
        .select((
            att::review_id,
            att::person_id,
            att::name,
            att::position,
            att::unit_id,
            att::unit_name,
            att::note,
        ))
        .load(c)?;
    for r in rows {
        if let Some(l) = out.get_mut(&r.review_id) {
            l.attendees.push(Attendee {
                person_id: r.person_id,
                name: r.name,
                position: r.position,
                unit_id: r.unit_id,
                unit_name: r.unit_name,
                note: r.note,
            });
        }
    }
    let owners: Vec<(i64, i32, i64)> = own::table
        .filter(own::review_id.eq_any(ids))
        .order((own::review_id, own::task_seq, own::unit_id))
        .select((own::review_id, own::task_seq, own::unit_id))
        .load(c)?;
    let mut owners_of: HashMap<(i64, i32), Vec<i64>> = HashMap::new();
    for (review, seq, unit) in owners {
        owners_of.entry((review, seq)).or_default().push(unit);
    }
    let tasks: Vec<(i64, i32, String, Option<i64>)> = ft::table
        .filter(ft::review_id.eq_any(ids))
        .order((ft::review_id, ft::seq))
        .select((ft::review_id, ft::seq, ft::text, ft::movement_id))
        .load(c)?;
    for (review, seq, text, movement_id) in tasks {
        if let Some(l) = out.get_mut(&review) {
            l.focus_tasks.push(FocusTask {
                text,
                owner_unit_ids: owners_of.remove(&(review, seq)).unwrap_or_default(),
                movement_id,
            });
        }
    }
    type ResolutionRow = (
        i64,
        ResolutionKind,
        Option<i64>,
        Option<Year>,
        Option<String>,
    );
    let resolutions: Vec<ResolutionRow> = rs::table
        .filter(rs::review_id.eq_any(ids))
        .order((rs::review_id, rs::seq))
        .select((rs::review_id, rs::kind, rs::unit_id, rs::year, rs::text))
        .load(c)?;
    for (review, kind, unit_id, year, text) in resolutions {
        if let Some(l) = out.get_mut(&review) {
            l.resolutions.push(Resolution {
                kind,
                unit_id,
                year,
                text,
            });
        }
    }
    type AwardRow = (
        i64,
        Option<i64>,
        Option<i64>,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
    );
    let awards: Vec<AwardRow> = aw::table
        .filter(aw::review_id.eq_any(ids))
        .order((aw::review_id, aw::seq))
        .select((
            aw::review_id,
            aw::unit_id,
            aw::person_id,
            aw::recipient_name,
            aw::award_name,
            aw::decision_number,
            aw::presented_by,
        ))
        .load(c)?;
    for (review, unit_id, person_id, recipient_name, award_name, decision_number, presented_by) in
        awards
    {
        if let Some(l) = out.get_mut(&review) {
            l.awards.push(HandedAward {
                unit_id,
                person_id,
                recipient_name,
                award_name,
                decision_number,
                presented_by,
            });
        }
    }
    Ok(out)
}

fn with_lists(c: &mut AnyConnection, rows: Vec<ReviewRow>) -> QueryResult<Vec<Review>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut lists = lists_of(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Review {
            lists: lists.remove(&r.id).unwrap_or_default(),
            id: r.id,
            bloc_id: r.bloc_id,
            fields: r.fields,
            status: r.status,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<Review>> {
    let row = reviews::table
        .find(id)
        .select(ReviewRow::as_select())
        .first(c)
        .optional()?;
    Ok(with_lists(c, row.into_iter().collect())?.pop())
}

fn seq(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Replaces the lists of a review.
fn write_lists(c: &mut AnyConnection, id: i64, l: &ReviewLists) -> QueryResult<()> {
    diesel::delete(att::table.filter(att::review_id.eq(id))).execute(c)?;
    diesel::delete(own::table.filter(own::review_id.eq(id))).execute(c)?;
    diesel::delete(ft::table.filter(ft::review_id.eq(id))).execute(c)?;
    diesel::delete(rs::table.filter(rs::review_id.eq(id))).execute(c)?;
    diesel::delete(aw::table.filter(aw::review_id.eq(id))).execute(c)?;
    for (i, a) in l.attendees.iter().enumerate() {
        diesel::insert_into(att::table)
            .values((
                att::review_id.eq(id),
                att::seq.eq(seq(i)),
                att::person_id.eq(a.person_id),
                att::name.eq(&a.name),
                att::position.eq(&a.position),
                att::unit_id.eq(a.unit_id),
                att::unit_name.eq(&a.unit_name),
                att::note.eq(&a.note),
            ))
            .execute(c)?;
    }
    for (i, t) in l.focus_tasks.iter().enumerate() {
        diesel::insert_into(ft::table)
            .values((
                ft::review_id.eq(id),
                ft::seq.eq(seq(i)),
                ft::text.eq(&t.text),
                ft::movement_id.eq(t.movement_id),
            ))
            .execute(c)?;
        let mut owners = t.owner_unit_ids.clone();
        owners.sort_unstable();
        owners.dedup();
        for unit in owners {
            diesel::insert_into(own::table)
                .values((
                    own::review_id.eq(id),
                    own::task_seq.eq(seq(i)),
                    own::unit_id.eq(unit),
                ))
                .execute(c)?;
        }
    }
    for (i, r) in l.resolutions.iter().enumerate() {
        diesel::insert_into(rs::table)
            .values((
                rs::review_id.eq(id),
                rs::seq.eq(seq(i)),
                rs::kind.eq(r.kind),
                rs::unit_id.eq(r.unit_id),
                rs::year.eq(r.year),
                rs::text.eq(&r.text),
            ))
            .execute(c)?;
    }
    for (i, a) in l.awards.iter().enumerate() {
        diesel::insert_into(aw::table)
            .values((
                aw::review_id.eq(id),
                aw::seq.eq(seq(i)),
                aw::unit_id.eq(a.unit_id),
                aw::person_id.eq(a.person_id),
                aw::recipient_name.eq(&a.recipient_name),
                aw::award_name.eq(&a.award_name),
                aw::decision_number.eq(&a.decision_number),
                aw::presented_by.eq(&a.presented_by),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Records a review, as a draft.
pub fn insert(
    c: &mut AnyConnection,
    bloc_id: i64,
    f: &ReviewFields,
    l: &ReviewLists,
) -> QueryResult<Option<Review>> {
    let at = now();
    let id: i64 = diesel::insert_into(reviews::table)
        .values((
            reviews::bloc_id.eq(bloc_id),
            f,
            reviews::status.eq(ReviewStatus::Draft),
            reviews::created_at.eq(at),
            reviews::updated_at.eq(at),
        ))
        .returning(reviews::id)
        .get_result(c)?;
    write_lists(c, id, l)?;
    find(c, id)
}

/// Writes the new document (and status) if the version still matches; `None` when it does not.
pub fn update(
    c: &mut AnyConnection,
    current: &Review,
    f: &ReviewFields,
    l: &ReviewLists,
    status: ReviewStatus,
) -> QueryResult<Option<Review>> {
    let n = diesel::update(
        reviews::table
            .find(current.id)
            .filter(reviews::version.eq(current.version)),
    )
    .set((
        f,
        reviews::status.eq(status),
        reviews::version.eq(current.version + 1),
        reviews::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    if *l != current.lists {
        write_lists(c, current.id, l)?;
    }
    find(c, current.id)
}

/// Deletes the review and its lists if the version still matches; `false` when it does not.
pub fn delete(c: &mut AnyConnection, current: &Review) -> QueryResult<bool> {
    let n = diesel::delete(
        reviews::table
            .find(current.id)
            .filter(reviews::version.eq(current.version)),
    )
    .execute(c)?;
    Ok(n > 0)
}

pub fn list(
    c: &mut AnyConnection,
    f: &ReviewFilter,
    page: &PageRequest<ReviewSort>,
) -> QueryResult<Page<Review>> {
    let mut q = reviews::table.select(ReviewRow::as_select()).into_boxed();
    if let Some(ids) = &f.visible_blocs {
        q = q.filter(reviews::bloc_id.eq_any(ids.clone()));
    }
    if let Some(bloc) = f.bloc_id {
        q = q.filter(reviews::bloc_id.eq(bloc));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(
            reviews::host_unit_id
                .eq(unit)
                .or(reviews::id.eq_any(
                    att::table
                        .filter(att::unit_id.eq(unit))
                        .select(att::review_id),
                ))
                .or(reviews::id.eq_any(
                    own::table
                        .filter(own::unit_id.eq(unit))
                        .select(own::review_id),
                )),
        );
    }
    if let Some(year) = f.year {
        q = q.filter(reviews::year.eq(year));
    }
    if let Some(kind) = f.kind {
        q = q.filter(reviews::kind.eq(kind));
    }
    let page_rows = ReviewSort::load(c, q, page)?;
    let items = with_lists(c, page_rows.items)?;
    Ok(Page {
        items,
        next_page_token: page_rows.next_page_token,
        next: page_rows.next,
    })
}

/// Which of these ids are not units, persons or movements: (table, id) for each missing one.
pub fn missing(
    c: &mut AnyConnection,
    unit_ids: &[i64],
    person_ids: &[i64],
    movement_ids: &[i64],
) -> QueryResult<(Vec<i64>, Vec<i64>, Vec<i64>)> {
    let found_units: Vec<i64> = units::table
        .filter(units::id.eq_any(unit_ids))
        .select(units::id)
        .load(c)?;
    let found_persons: Vec<i64> = persons::table
        .filter(persons::id.eq_any(person_ids))
        .select(persons::id)
        .load(c)?;
    let found_movements: Vec<i64> = movements::table
        .filter(movements::id.eq_any(movement_ids))
        .select(movements::id)
        .load(c)?;
    let absent = |ids: &[i64], found: &[i64]| -> Vec<i64> {
        ids.iter().copied().filter(|i| !found.contains(i)).collect()
    };
    Ok((
        absent(unit_ids, &found_units),
        absent(person_ids, &found_persons),
        absent(movement_ids, &found_movements),
    ))
}
