//! Users: rows, their bloc scope, and the queries over them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{user_blocs, users};
use super::{AnyConnection, MultiBackend, now, tokens};
use crate::auth::Role;
use crate::pagination::{Page, PageRequest};
use crate::sort_fields;

/// A user's columns as stored; the bloc scope lives in `user_blocs`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(MultiBackend))]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub password_hash: String,
    pub disabled: bool,
    pub token_version: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A user with its bloc scope.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub bloc_ids: Vec<i64>,
    pub password_hash: String,
    pub disabled: bool,
    pub token_version: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    fn with_blocs(r: UserRow, bloc_ids: Vec<i64>) -> User {
        User {
            id: r.id,
            username: r.username,
            full_name: r.full_name,
            role: r.role,
            unit_id: r.unit_id,
            bloc_ids,
            password_hash: r.password_hash,
            disabled: r.disabled,
            token_version: r.token_version,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new user; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub full_name: Option<String>,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub bloc_ids: Vec<i64>,
    pub password_hash: String,
}

/// What an administrator may change of a user, as it will be written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserSettings {
    pub full_name: Option<String>,
    pub role: Role,
    pub unit_id: Option<i64>,
    pub bloc_ids: Vec<i64>,
    pub disabled: bool,
}

impl User {
    pub fn settings(&self) -> UserSettings {
        UserSettings {
            full_name: self.full_name.clone(),
            role: self.role,
            unit_id: self.unit_id,
            bloc_ids: self.bloc_ids.clone(),
            disabled: self.disabled,
        }
    }
}

type UserQuery = diesel::dsl::IntoBoxed<
    'static,
    diesel::dsl::Select<users::table, diesel::dsl::AsSelect<UserRow, MultiBackend>>,
    MultiBackend,
>;

sort_fields! {
    /// The orders of user lists.
    pub enum UserSort for UserRow, query UserQuery, id users::id {
        Id => users::id: i64 = |u| u.id,
        Username => users::username: String = |u| u.username.clone(),
        CreatedAt => users::created_at: NaiveDateTime = |u| u.created_at,
    }
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// Part of the username, lowercase.
    pub username_contains: Option<String>,
}

fn bloc_ids_of(c: &mut AnyConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let pairs: Vec<(i64, i64)> = user_blocs::table
        .filter(user_blocs::user_id.eq_any(ids))
        .order((user_blocs::user_id, user_blocs::bloc_id))
        .select((user_blocs::user_id, user_blocs::bloc_id))
        .load(c)?;
    let mut map: HashMap<i64, Vec<i64>> = HashMap::new();
    for (user, bloc) in pairs {
        map.entry(user).or_default().push(bloc);
    }
    Ok(map)
}

/// Users with their bloc scopes, in the order of `rows`, in one more query.
fn with_blocs(c: &mut AnyConnection, rows: Vec<UserRow>) -> QueryResult<Vec<User>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut blocs = bloc_ids_of(c, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let b = blocs.remove(&r.id).unwrap_or_default();
            User::with_blocs(r, b)
        })
        .collect())
}

pub fn find(c: &mut AnyConnection, id: i64) -> QueryResult<Option<User>> {
    let row = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional()?;
    Ok(with_blocs(c, row.into_iter().collect())?.pop())
}

pub fn find_by_username(c: &mut AnyConnection, username: &str) -> QueryResult<Option<User>> {
    let row = users::table
        .filter(users::username.eq(username))
        .select(UserRow::as_select())
        .first(c)
        .optional()?;
    Ok(with_blocs(c, row.into_iter().collect())?.pop())
}

pub fn count(c: &mut AnyConnection) -> QueryResult<i64> {
    users::table.count().get_result(c)
}

fn replace_blocs(c: &mut AnyConnection, user_id: i64, bloc_ids: &[i64]) -> QueryResult<()> {
    diesel::delete(user_blocs::table.filter(user_blocs::user_id.eq(user_id))).execute(c)?;
    for bloc_id in bloc_ids {
        diesel::insert_into(user_blocs::table)
            .values((
                user_blocs::user_id.eq(user_id),
                user_blocs::bloc_id.eq(bloc_id),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Inserts a user; a taken username fails on the unique index.
pub fn insert(c: &mut AnyConnection, new: &NewUser) -> QueryResult<User> {
    let at = now();
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::username.eq(&new.username),
            users::full_name.eq(&new.full_name),
            users::role.eq(new.role),
            users::unit_id.eq(new.unit_id),
            users::password_hash.eq(&new.password_hash),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(users::id)
        .get_result(c)?;
    replace_blocs(c, id, &new.bloc_ids)?;
    find(c, id)?.ok_or(diesel::result::Error::NotFound)
}

/// Writes the settings if the version still matches (`None` when it does not) and bumps the
/// version. A role or scope change, or disabling or re-enabling the user, also bumps the
/// token version and revokes every refresh token, so no session opened under the old rights
/// goes on (and none comes back when a disabled user is enabled again: their old refresh
/// tokens stay revoked).
pub fn update(
    c: &mut AnyConnection,
    current: &User,
    to: &UserSettings,
) -> QueryResult<Option<User>> {
    let rights_changed = to.role != current.role
        || to.unit_id != current.unit_id
        || to.bloc_ids != current.bloc_ids
        || to.disabled != current.disabled;
    let updated = diesel::update(
        users::table
            .find(current.id)
            .filter(users::version.eq(current.version)),
    )
    .set((
        users::full_name.eq(&to.full_name),
        users::role.eq(to.role),
        users::unit_id.eq(to.unit_id),
        users::disabled.eq(to.disabled),
        users::token_version.eq(current.token_version + i64::from(rights_changed)),
        users::version.eq(current.version + 1),
        users::updated_at.eq(now()),
    ))
    .execute(c)?;
    if updated == 0 {
        return Ok(None);
    }
    if to.bloc_ids != current.bloc_ids {
        replace_blocs(c, current.id, &to.bloc_ids)?;
    }
    if rights_changed {
        tokens::revoke_all(c, current.id)?;
    }
    find(c, current.id)
}

/// Sets a new password hash and revokes every token issued before: access tokens by the
/// token version, refresh tokens by marking them revoked.
///
/// Like every change it needs the version it was read at (`None` when it moved), so that two
/// resets made from the same read cannot both pass.
pub fn set_password(c: &mut AnyConnection, user: &User, hash: &str) -> QueryResult<Option<User>> {
    let n = diesel::update(
        users::table
            .find(user.id)
            .filter(users::version.eq(user.version)),
    )
    .set((
        users::password_hash.eq(hash),
        users::token_version.eq(users::token_version + 1),
        users::version.eq(users::version + 1),
        users::updated_at.eq(now()),
    ))
    .execute(c)?;
    if n == 0 {
        return Ok(None);
    }
    tokens::revoke_all(c, user.id)?;
    find(c, user.id)
}

/// Replaces a hash made with outdated parameters, keeping tokens valid.
pub fn rehash(c: &mut AnyConnection, id: i64, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(c)
}

/// Revokes every access token of a user.
pub fn bump_token_version(c: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::token_version.eq(users::token_version + 1))
        .execute(c)
}

pub fn list(
    c: &mut AnyConnection,
    filter: &UserFilter,
    page: &PageRequest<UserSort>,
) -> QueryResult<Page<User>> {
    let mut q = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role));
    }
    if let Some(disabled) = filter.disabled {
        q = q.filter(users::disabled.eq(disabled));
    }
    if let Some(part) = &filter.username_contains {
        q = q.filter(
            users::username
                .like(format!("%{}%", escape_like(part)))
                .escape('\\'),
        );
    }
    UserSort::load(c, q, page)?.map_all(|rows| with_blocs(c, rows))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
