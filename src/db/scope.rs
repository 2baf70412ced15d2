//! Turning a caller's scope into the ids it may see. Every query over scoped data filters by
//! these; `None` means the whole province.

use diesel::prelude::*;

use super::AnyConnection;
use super::schema::bloc_members;
use crate::auth::Scope;

/// The units a scope reaches: its unit, or every unit that has been a member of its blocs.
pub fn unit_ids(c: &mut AnyConnection, scope: &Scope) -> QueryResult<Option<Vec<i64>>> {
    match scope {
        Scope::Province => Ok(None),
        Scope::Unit(id) => Ok(Some(vec![*id])),
        Scope::Blocs(blocs) => bloc_members::table
            .filter(bloc_members::bloc_id.eq_any(blocs))
            .select(bloc_members::unit_id)
            .distinct()
            .load(c)
            .map(Some),
    }
}

/// The blocs a scope reaches: its blocs, or every bloc its unit has been a member of.
pub fn bloc_ids(c: &mut AnyConnection, scope: &Scope) -> QueryResult<Option<Vec<i64>>> {
    match scope {
        Scope::Province => Ok(None),
        Scope::Blocs(blocs) => Ok(Some(blocs.clone())),
        Scope::Unit(id) => bloc_members::table
            .filter(bloc_members::unit_id.eq(id))
            .select(bloc_members::bloc_id)
            .distinct()
            .load(c)
            .map(Some),
    }
}

/// Whether a scope reaches a unit.
pub fn reaches_unit(c: &mut AnyConnection, scope: &Scope, unit_id: i64) -> QueryResult<bool> {
    Ok(unit_ids(c, scope)?.is_none_or(|ids| ids.contains(&unit_id)))
}
