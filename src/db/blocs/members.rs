//! The yearly membership of blocs. The database enforces its rules with triggers (one chair per
//! bloc-year, inserted first and deleted last; no updates; units valid during the year), so a
//! replacement deletes and inserts in the one order the triggers accept.

use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::AnyConnection;
use crate::db::schema::{bloc_members, blocs, units};
use crate::domain::{AdminLevel, BlocKind, Date, MemberRole, Year};

/// One member unit of a bloc in a year.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable)]
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
pub fn of_year(c: &mut AnyConnection, bloc_id: i64, year: Year) -> QueryResult<Vec<Member>> {
    let mut members: Vec<Member> = bloc_members::table
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
    members.sort_by_key(|m| (rank(m.role), m.unit_id));
    Ok(members)
}

/// The strong ETag of a bloc-year: a digest of who is in it in which role, so that it changes
/// exactly when a replacement changes something (renaming a unit does not).
pub fn etag(bloc_id: i64, year: Year, members: &[Member]) -> String {
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
pub fn years(c: &mut AnyConnection, bloc_id: i64) -> QueryResult<Vec<Year>> {
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
    pub valid_from: Date,
    pub valid_to: Option<Date>,
}

impl UnitSpan {
    /// Whether the unit existed on some day of `year` (the rule of the database triggers).
    pub fn valid_in(&self, year: Year) -> bool {
        let (Some(first), Some(last)) =
            (Date::ymd(year.get(), 1, 1), Date::ymd(year.get(), 12, 31))
        else {
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

/// Replaces the members of a bloc-year with `new` (unit id, role), in the order the triggers
/// accept: the non-chairs go, then the chair; the new chair comes, then the others.
pub fn replace(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: Year,
    new: &[(i64, MemberRole)],
) -> QueryResult<()> {
    diesel::delete(
        bloc_members::table
            .filter(bloc_members::bloc_id.eq(bloc_id))
            .filter(bloc_members::year.eq(year))
            .filter(bloc_members::role.ne(MemberRole::Chair)),
    )
    .execute(c)?;
    diesel::delete(
        bloc_members::table
            .filter(bloc_members::bloc_id.eq(bloc_id))
            .filter(bloc_members::year.eq(year)),
    )
    .execute(c)?;
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
    year: Year,
    unit_id: i64,
    role: MemberRole,
) -> QueryResult<()> {
    diesel::insert_into(bloc_members::table)
        .values((
            bloc_members::bloc_id.eq(bloc_id),
            bloc_members::year.eq(year),
            bloc_members::unit_id.eq(unit_id),
            bloc_members::role.eq(role),
        ))
        .execute(c)
        .map(|_| ())
}

/// One bloc a unit belongs to in a year.
#[derive(Debug, Clone, Queryable)]
pub struct Membership {
    pub bloc_id: i64,
    pub bloc_code: String,
    pub bloc_name: String,
    pub kind: BlocKind,
    pub level: AdminLevel,
    pub year: Year,
    pub role: MemberRole,
}

/// The blocs a unit belongs to, in `year` or in every year, limited to `visible` blocs when
/// given; by year, then bloc id.
pub fn of_unit(
    c: &mut AnyConnection,
    unit_id: i64,
    year: Option<Year>,
    visible: Option<Vec<i64>>,
) -> QueryResult<Vec<Membership>> {
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
    q.load(c)
}
