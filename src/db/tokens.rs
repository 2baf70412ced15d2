//! Refresh tokens: opaque random strings, stored only as SHA-256 hashes, rotated on every use.
//! Tokens descending from one login form a family; presenting an already-used token means it
//! was stolen or replayed, so the whole family is revoked.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use super::schema::refresh_tokens;
use super::{AnyConnection, MultiBackend, now};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens, check_for_backend(MultiBackend))]
pub struct RefreshToken {
    pub id: i64,
    pub user_id: i64,
    pub family_id: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 256 random bits, URL-safe.
pub fn generate() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Issues a token in `family` (a new family when `None`) and returns its clear text.
pub fn issue(
    c: &mut AnyConnection,
    user_id: i64,
    family: Option<&str>,
    ttl: Duration,
) -> QueryResult<String> {
    let token = generate();
    let family = family
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let at = now();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::token_hash.eq(hash(&token)),
            refresh_tokens::created_at.eq(at),
            refresh_tokens::expires_at.eq(at + ttl),
        ))
        .execute(c)?;
    Ok(token)
}

pub fn find(c: &mut AnyConnection, token: &str) -> QueryResult<Option<RefreshToken>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash(token)))
        .select(RefreshToken::as_select())
        .first(c)
        .optional()
}

/// Marks a token used; `false` if another request used it first.
pub fn mark_used(c: &mut AnyConnection, id: i64) -> QueryResult<bool> {
    let n = diesel::update(
        refresh_tokens::table
            .find(id)
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(now()))
    .execute(c)?;
    Ok(n == 1)
}

pub fn revoke_family(c: &mut AnyConnection, family: &str) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(c)
}

pub fn revoke_all(c: &mut AnyConnection, user_id: i64) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(c)
}
