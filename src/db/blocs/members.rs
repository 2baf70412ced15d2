//! The yearly membership of blocs. The database enforces its rules with triggers (one chair per
//! bloc-year, inserted first and deleted last; no updates; units valid during the year), so a
//! replacement deletes and inserts in the one order the triggers accept.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use sha2::{Digest, Sha256};

use crate::db::AnyConnection;
use crate::db::schema::{bloc_members, blocs, units};
use crate::domain::{AdminLevel, BlocKind, MemberRole};
use crate::error::ApiError;

/// One member unit of a bloc in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub role: MemberRole,
}

/// The order members are listed in: the chair, the deputies, then the members.
fn rank(role: MemberRole) -> u8 {
    match role {
        MemberRole::Chair => 0,
        MemberRole::Deputy => 1,
        MemberRole::Member => 2,
    }
}

/// The members of a bloc in a year: chair first, then deputies, then members, each by unit id
/// (ids sort the same on both databases, names would not).
pub fn of_year(c: &mut AnyConnection, bloc_id: i64, year: i32) -> Result<Vec<Member>, ApiError> {
    let rows: Vec<(i64, String, String, String)> = bloc_members::table
        .inner_join(units::table)
        .filter(bloc_members::bloc_id.eq(bloc_id))
        .filter(bloc_members::year.eq(year))
        .select((
            bloc_members::unit_id,
            units::code,
            units::name,
            bloc_members::role,
        ))
        .load(c)?;
    let mut members = rows
        .into_iter()
        .map(|(unit_id, unit_code, unit_name, role)| {
            Ok(Member {
                unit_id,
                unit_code,
                unit_name,
                role: MemberRole::parse_stored(&role)?,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    members.sort_by_key(|m| (rank(m.role), m.unit_id));
    Ok(members)
}

/// The strong ETag of a bloc-year: a digest of who is in it in which role, so that it changes
/// exactly when a replacement changes something (renaming a unit does not).
pub fn etag(bloc_id: i64, year: i32, members: &[Member]) -> String {
    let mut pairs: Vec<(i64, &str)> = members
        .iter()
        .map(|m| (m.unit_id, m.role.as_str()))
        .collect();
    pairs.sort_unstable();
    let mut h = Sha256::new();
    h.update(format!("{bloc_id}/{year}").as_bytes());
    for (unit, role) in pairs {
        h.update(format!(";{unit}={role}").as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"m{hex}\"")
}

/// The years a bloc has members in, ascending.
pub fn years(c: &mut AnyConnection, bloc_id: i64) -> QueryResult<Vec<i32>> {
    bloc_members::table
        .filter(bloc_members::bloc_id.eq(bloc_id))
        .select(bloc_members::year)
        .distinct()
        .order(bloc_members::year.asc())
        .load(c)
}

/// A unit as the membership rules need it: when it existed.
#[derive(Debug, Clone, Queryable)]
pub struct UnitSpan {
    pub id: i64,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

impl UnitSpan {
    /// Whether the unit existed on some day of `year` (the rule of the database triggers).
    pub fn valid_in(&self, year: i32) -> bool {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return false;
        };
        self.valid_from <= last && self.valid_to.is_none_or(|to| to >= first)
    }
}

/// The validity spans of the given units that exist.
pub fn unit_spans(c: &mut AnyConnection, ids: &[i64]) -> QueryResult<Vec<UnitSpan>> {
    units::table
        .filter(units::id.eq_any(ids))
        .select((units::id, units::valid_from, units::valid_to))
        .load(c)
}

/// Turns what the membership triggers and constraints refuse into client errors. The code
/// checks every rule first, so these only fire on a bug or a change that slipped past it; they
/// must still not be a 500. Trigger aborts arrive with an unknown kind on both databases
/// (SQLite's RAISE(ABORT) is a plain constraint error, PostgreSQL's RAISE EXCEPTION is P0001),
/// so they are told apart by their message.
pub fn refusal(e: DieselError) -> ApiError {
    let DieselError::DatabaseError(kind, info) = &e else {
        return e.into();
    };
    let message = info.message().to_owned();
    match kind {
        DatabaseErrorKind::UniqueViolation => ApiError::conflict(
            "membership_conflict",
            "a bloc-year has one chair and lists each unit once",
        ),
        DatabaseErrorKind::ForeignKeyViolation => {
            ApiError::invalid("members", "unknown", "a listed unit does not exist")
        }
        _ if message.contains("not valid in that year") => ApiError::invalid(
            "members",
            "not_valid_in_year",
            "a listed unit did not exist during the year",
        ),
        _ if message.contains("chair") || message.contains("replaced, not updated") => {
            ApiError::conflict("membership_rule", message)
        }
        _ => e.into(),
    }
}

/// Replaces the members of a bloc-year with `new` (unit id, role), in the order the triggers
/// accept: the non-chairs go, then the chair; the new chair comes, then the others.
pub fn replace(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: i32,
    new: &[(i64, MemberRole)],
) -> Result<(), ApiError> {
    diesel::delete(
        bloc_members::table
            .filter(bloc_members::bloc_id.eq(bloc_id))
            .filter(bloc_members::year.eq(year))
            .filter(bloc_members::role.ne(MemberRole::Chair.as_str())),
    )
    .execute(c)
    .map_err(refusal)?;
    diesel::delete(
        bloc_members::table
            .filter(bloc_members::bloc_id.eq(bloc_id))
            .filter(bloc_members::year.eq(year)),
    )
    .execute(c)
    .map_err(refusal)?;
    let chairs = new.iter().filter(|(_, r)| *r == MemberRole::Chair);
    let others = new.iter().filter(|(_, r)| *r != MemberRole::Chair);
    for (unit_id, role) in chairs.chain(others) {
        insert(c, bloc_id, year, *unit_id, *role)?;
    }
    Ok(())
}

/// Inserts one membership row; the triggers judge it.
pub fn insert(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: i32,
    unit_id: i64,
    role: MemberRole,
) -> Result<(), ApiError> {
    diesel::insert_into(bloc_members::table)
        .values((
            bloc_members::bloc_id.eq(bloc_id),
            bloc_members::year.eq(year),
            bloc_members::unit_id.eq(unit_id),
            bloc_members::role.eq(role.as_str()),
        ))
        .execute(c)
        .map(|_| ())
        .map_err(refusal)
}

/// One bloc a unit belongs to in a year.
#[derive(Debug, Clone)]
pub struct Membership {
    pub bloc_id: i64,
    pub bloc_code: String,
    pub bloc_name: String,
    pub kind: BlocKind,
    pub level: AdminLevel,
    pub year: i32,
    pub role: MemberRole,
}

type MembershipRow = (i64, String, String, String, String, i32, String);

/// The blocs a unit belongs to, in `year` or in every year, limited to `visible` blocs when
/// given; by year, then bloc id.
pub fn of_unit(
    c: &mut AnyConnection,
    unit_id: i64,
    year: Option<i32>,
    visible: Option<Vec<i64>>,
) -> Result<Vec<Membership>, ApiError> {
    let mut q = bloc_members::table
        .inner_join(blocs::table)
        .filter(bloc_members::unit_id.eq(unit_id))
        .select((
            bloc_members::bloc_id,
            blocs::code,
            blocs::name,
            blocs::kind,
            blocs::level,
            bloc_members::year,
            bloc_members::role,
        ))
        .order((bloc_members::year.asc(), bloc_members::bloc_id.asc()))
        .into_boxed();
    if let Some(year) = year {
        q = q.filter(bloc_members::year.eq(year));
    }
    if let Some(ids) = visible {
        q = q.filter(bloc_members::bloc_id.eq_any(ids));
    }
    let rows: Vec<MembershipRow> = q.load(c)?;
    rows.into_iter()
        .map(|(bloc_id, bloc_code, bloc_name, kind, level, year, role)| {
            Ok(Membership {
                bloc_id,
                bloc_code,
                bloc_name,
                kind: BlocKind::parse_stored(&kind)?,
                level: AdminLevel::parse_stored(&level)?,
                year,
                role: MemberRole::parse_stored(&role)?,
            })
        })
        .collect()
}
