//! Creating, changing and deleting blocs, replacing their members of a year, and the fields a
//! bloc is written with.

use std::collections::{HashMap, HashSet};

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Actor, Scope};
use crate::db::audit::{self, Change};
use crate::db::blocs::members::{self, Member};
use crate::db::blocs::{self, Bloc, BlocData};
use crate::db::{AnyConnection, scope};
use crate::domain::{AdminLevel, BlocKind, Date, MemberRole, Year};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed, delete_unless_referred};
use crate::request_types;

request_types! {
    data = BlocData;
    /// A new bloc or cluster.
    create CreateBloc;
    /// Changes to a bloc, as a JSON merge patch: absent fields stay, `null` clears.
    patch BlocPatch;
    fields {
        /// The board's code for the bloc, unique.
        code: String, len(1, 32), pattern "^[A-Za-z0-9][A-Za-z0-9._-]*$",
            check "crate::ops::fields::code_chars", example "K-HTKTKT";
        name: String, len(1, 300), check "crate::domain::text::single_line_name", example "Khối Hạ tầng – Kinh tế – Kỹ thuật";
        kind: BlocKind;
        /// The level that organises the bloc: province, district or commune.
        level: AdminLevel;
        /// The number of the decision that founded it.
        founding_decision_number: Option<String>, len(1, 50), check "crate::domain::text::single_line_name", example "1234/QĐ-UBND";
        founding_decision_date: Option<Date>, example "2018-12-20";
        description: Option<String>, len(1, 2000),
            example "Các sở quản lý hạ tầng, kinh tế và kỹ thuật của tỉnh Điện Biên";
        /// The first year the bloc is active.
        active_from: Year, check "Year::validate";
        /// The last year, for a bloc that was dissolved or reorganised.
        active_to: Option<Year>, check "Year::validate";
    }
}

/// The most members a bloc-year may list.
pub const MAX_MEMBERS: usize = 200;

/// One unit of a new member list.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[schema(example = 14, minimum = 1)]
    pub unit_id: i64,
    pub role: MemberRole,
}

/// The whole member list of a bloc-year, replacing the previous one. An empty list clears the
/// year; otherwise exactly one unit is the chair.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceMembers {
    #[schema(max_items = 200)]
    pub members: Vec<MemberInput>,
}

impl ReplaceMembers {
    /// The rules that need no database: the size, one chair, no unit twice. Returns the list
    /// as (unit id, role).
    pub fn check(&self) -> Result<Vec<(i64, MemberRole)>, ApiError> {
        if self.members.len() > MAX_MEMBERS {
            return Err(ApiError::invalid(
                "members",
                FieldCode::Length,
                crate::text!(
                    "at most {MAX_MEMBERS} members",
                    "tối đa {MAX_MEMBERS} thành viên"
                ),
            ));
        }
        let mut errors = Vec::new();
        let chairs = self
            .members
            .iter()
            .filter(|m| m.role == MemberRole::Chair)
            .count();
        if !self.members.is_empty() && chairs != 1 {
            errors.push(FieldError::new(
                "members",
                FieldCode::ChairCount,
                crate::text!(
                    "a bloc-year has exactly one chair; the list has {chairs}",
                    "mỗi khối trong một năm có đúng một trưởng khối; danh sách có {chairs}"
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (i, m) in self.members.iter().enumerate() {
            let field = format!("members[{i}].unit_id");
            if m.unit_id < 1 {
                errors.push(FieldError::new(
                    field,
                    FieldCode::Range,
                    Text::new("must be at least 1", "phải lớn hơn hoặc bằng 1"),
                ));
            } else if !seen.insert(m.unit_id) {
                errors.push(FieldError::new(
                    field,
                    FieldCode::Duplicate,
                    Text::new(
                        "the unit is already in the list",
                        "đơn vị đã có trong danh sách",
                    ),
                ));
            }
        }
        ApiError::unless_any(errors)?;
        Ok(self.members.iter().map(|m| (m.unit_id, m.role)).collect())
    }
}

/// The members of a bloc in one year, as shown and audited, with the list's ETag.
#[derive(Debug, Clone, Serialize)]
pub struct YearMembers {
    pub bloc_id: i64,
    pub year: Year,
    pub members: Vec<Member>,
    #[serde(skip)]
    pub etag: String,
}

/// Loads a bloc the caller may see; others are 404 (their existence is not revealed). Admins
/// and unscoped viewers see every bloc, bloc chairs and bloc-scoped viewers their blocs, unit
/// officers the blocs their unit has been a member of.
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Bloc, ApiError> {
    match blocs::find(c, id)? {
        Some(bloc) if scope::bloc_ids(c, scope)?.is_none_or(|ids| ids.contains(&id)) => Ok(bloc),
        _ => Err(ApiError::NotFound(noun::BLOC)),
    }
}

fn find(c: &mut AnyConnection, id: i64) -> Result<Bloc, ApiError> {
    blocs::find(c, id)?.ok_or(ApiError::NotFound(noun::BLOC))
}

/// The rules a bloc's data must keep: the active years in order and, for a stored bloc,
/// covering every year that has members. The unique code is the database's to enforce.
fn check(c: &mut AnyConnection, id: Option<i64>, d: &BlocData) -> Result<(), ApiError> {
    if d.active_to.is_some_and(|to| to < d.active_from) {
        return Err(ApiError::invalid(
            "active_to",
            FieldCode::Order,
            Text::new(
                "must not be before active_from",
                "không được sớm hơn active_from",
            ),
        ));
    }
    let Some(id) = id else { return Ok(()) };
    let outside: Vec<String> = members::years(c, id)?
        .into_iter()
        .filter(|y| !d.active_in(*y))
        .map(|y| y.to_string())
        .collect();
    if outside.is_empty() {
        Ok(())
    } else {
        let years = outside.join(", ");
        Err(ApiError::conflict(
            Code::MembersOutsideActiveYears,
            crate::text!(
                "the bloc has members in {years}; clear those years first",
                "khối có thành viên trong các năm {years}; hãy xóa danh sách thành viên của các năm đó trước"
            ),
        ))
    }
}

/// Creates a bloc or cluster.
pub fn create(c: &mut AnyConnection, actor: &Actor, data: &BlocData) -> Result<Bloc, ApiError> {
    check(c, None, data)?;
    let bloc = blocs::insert(c, data)?;
    audit::record(
        c,
        actor,
        Change::new("bloc.create", "bloc", bloc.id).after(&bloc),
    )?;
    Ok(bloc)
}

/// Changes a bloc: `apply` makes the new data from the current.
pub fn update(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
    apply: impl FnOnce(&BlocData) -> Result<BlocData, ApiError>,
) -> Result<Bloc, ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    let data = apply(&current.data)?;
    check(c, Some(id), &data)?;
    let updated = changed(blocs::update(c, &current, &data)?)?;
    audit::record(
        c,
        actor,
        Change::new("bloc.update", "bloc", id)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}

/// Deletes a bloc nothing refers to; one with history is closed instead.
pub fn delete(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
) -> Result<(), ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    delete_unless_referred(
        c,
        ("blocs", id),
        (
            Code::BlocInUse,
            noun::BLOC,
            Text::new(
                "close it (active_to) instead",
                "hãy cho khối ngừng hoạt động (active_to) thay vì xóa",
            ),
        ),
        |c| blocs::delete(c, &current),
    )?;
    audit::record(
        c,
        actor,
        Change::new("bloc.delete", "bloc", id).before(&current),
    )?;
    Ok(())
}

fn year_members(c: &mut AnyConnection, bloc_id: i64, year: Year) -> Result<YearMembers, ApiError> {
    let list = members::of_year(c, bloc_id, year)?;
    Ok(YearMembers {
        bloc_id,
        year,
        etag: members::etag(bloc_id, year, &list),
        members: list,
    })
}

/// The members of a bloc the caller may see, in a year.
pub fn members_of(
    c: &mut AnyConnection,
    scope: &Scope,
    bloc_id: i64,
    year: Year,
) -> Result<YearMembers, ApiError> {
    visible(c, scope, bloc_id)?;
    year_members(c, bloc_id, year)
}

/// A membership year out of range, as a field of the request.
fn check_year(year: Year) -> Result<(), ApiError> {
    Year::validate(&year).map_err(|e| {
        let mut errors = validator::ValidationErrors::new();
        errors.add("year", e);
        errors.into()
    })
}

/// The rules that need the database: the bloc is active in the year, and every unit exists
/// and existed during it. Checked before writing so that the triggers, the backstop, never
/// have to refuse.
fn check_members(
    c: &mut AnyConnection,
    bloc: &Bloc,
    year: Year,
    new: &[(i64, MemberRole)],
) -> Result<(), ApiError> {
    if new.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    if !bloc.data.active_in(year) {
        let to = bloc
            .data
            .active_to
            .map_or("today".to_owned(), |y| y.to_string());
        let from = bloc.data.active_from;
        let to_vi = bloc
            .data
            .active_to
            .map_or("nay".to_owned(), |y| y.to_string());
        errors.push(FieldError::new(
            "year",
            FieldCode::Inactive,
            Text::owned(
                format!("the bloc is active from {from} to {to}"),
                format!("khối hoạt động từ năm {from} đến {to_vi}"),
            ),
        ));
    }
    let ids: Vec<i64> = new.iter().map(|(id, _)| *id).collect();
    let spans: HashMap<i64, members::UnitSpan> = members::unit_spans(c, &ids)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    for (i, (unit, _)) in new.iter().enumerate() {
        let field = format!("members[{i}].unit_id");
        match spans.get(unit) {
            None => errors.push(FieldError::new(field, FieldCode::Unknown, super::NO_UNIT)),
            Some(s) if !s.valid_in(year) => errors.push(FieldError::new(
                field,
                FieldCode::NotValidInYear,
                crate::text!(
                    "the unit did not exist during {year}",
                    "đơn vị không tồn tại trong năm {year}"
                ),
            )),
            Some(_) => {}
        }
    }
    ApiError::unless_any(errors)
}

/// Replaces the members of a bloc in a year with `list`. `expected` is checked against the
/// list's ETag; `*` passes only for a year without members, so that it never overwrites a
/// list unseen.
pub fn replace_members(
    c: &mut AnyConnection,
    actor: &Actor,
    (bloc_id, year): (i64, Year),
    expected: &impl Precondition,
    list: &ReplaceMembers,
) -> Result<YearMembers, ApiError> {
    check_year(year)?;
    let new = list.check()?;
    let bloc = find(c, bloc_id)?;
    let before = year_members(c, bloc_id, year)?;
    expected.check_tag(&before.etag, before.members.is_empty())?;
    check_members(c, &bloc, year, &new)?;
    members::replace(c, bloc_id, year, &new).map_err(refusal)?;
    let after = year_members(c, bloc_id, year)?;
    audit::record(
        c,
        actor,
        Change::new("bloc.members_replace", "bloc", bloc_id)
            .before(&before)
            .after(&after),
    )?;
    Ok(after)
}

/// Turns what the membership triggers and constraints refuse into client errors. The code
/// checks every rule first, so these only fire on a bug or a change that slipped past it; they
/// must still not be a 500. Unique violations are mapped like any other (`error::UNIQUE`).
/// Trigger aborts arrive with an unknown kind on both databases (SQLite's RAISE(ABORT) is a
/// plain constraint error, PostgreSQL's RAISE EXCEPTION is P0001), so they are told apart by
/// their message.
pub fn refusal(e: DieselError) -> ApiError {
    let DieselError::DatabaseError(kind, info) = &e else {
        return e.into();
    };
    let message = info.message().to_owned();
    match kind {
        DatabaseErrorKind::UniqueViolation => e.into(),
        DatabaseErrorKind::ForeignKeyViolation => ApiError::invalid(
            "members",
            FieldCode::Unknown,
            Text::new(
                "a listed unit does not exist",
                "một đơn vị trong danh sách không tồn tại",
            ),
        ),
        _ if message.contains("not valid in that year") => ApiError::invalid(
            "members",
            FieldCode::NotValidInYear,
            Text::new(
                "a listed unit did not exist during the year",
                "một đơn vị trong danh sách không tồn tại trong năm đó",
            ),
        ),
        _ if message.contains("chair") || message.contains("replaced, not updated") => {
            ApiError::conflict(
                Code::MembershipRule,
                Text::owned(message, Code::MembershipRule.text().vi()),
            )
        }
        _ => e.into(),
    }
}
