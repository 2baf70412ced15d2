//! Stored responses of POSTs made with an `Idempotency-Key`, kept for 24 hours.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::{AnyConnection, MultiBackend, now};

/// How long a key is remembered.
pub const RETENTION: Duration = Duration::hours(24);

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys, check_for_backend(MultiBackend))]
pub struct StoredResponse {
    pub user_id: i64,
    pub idempotency_key: String,
    pub fingerprint: String,
    pub status: i32,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn find(c: &mut AnyConnection, user_id: i64, key: &str) -> QueryResult<Option<StoredResponse>> {
    idempotency_keys::table
        .find((user_id, key))
        .filter(idempotency_keys::created_at.gt(now() - RETENTION))
        .select(StoredResponse::as_select())
        .first(c)
        .optional()
}

/// Stores a response, replacing an expired record under the same key.
pub fn insert(c: &mut AnyConnection, stored: &StoredResponse) -> QueryResult<()> {
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.le(now() - RETENTION)),
    )
    .execute(c)?;
    diesel::insert_into(idempotency_keys::table)
        .values(stored)
        .execute(c)
        .map(|_| ())
}
