//! Server-wide settings kept in the database so that every instance shares them.

use diesel::prelude::*;

use super::AnyConnection;
use super::schema::settings;

pub fn get(c: &mut AnyConnection, name: &str) -> QueryResult<Option<String>> {
    settings::table
        .find(name)
        .select(settings::value)
        .first(c)
        .optional()
}

/// Returns the stored value, or stores `value` if there is none. Two instances starting at once
/// may both try; the loser's insert fails on the primary key and it reads the winner's value.
pub fn get_or_insert(c: &mut AnyConnection, name: &str, value: &str) -> QueryResult<String> {
    if let Some(v) = get(c, name)? {
        return Ok(v);
    }
    diesel::insert_into(settings::table)
        .values((settings::name.eq(name), settings::value.eq(value)))
        .execute(c)?;
    Ok(value.to_owned())
}
