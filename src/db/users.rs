//! Users: rows, their bloc scope, and the queries over them.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{user_blocs, users};
use super::{AnyConnection, MultiBackend, now, tokens};
use crate::auth::Role;
use crate::error::ApiError;
use crate::keyset_page;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey, SortKind};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(MultiBackend))]
struct UserRow {
    id: i64,
    username: String,
    full_name: Option<String>,
    role: String,
    unit_id: Option<i64>,
    password_hash: String,
    disabled: bool,
    token_version: i64,
    version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
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
    fn from_row(r: UserRow, bloc_ids: Vec<i64>) -> Result<User, ApiError> {
        let role = Role::from_str(&r.role).map_err(|_| {
            ApiError::Internal(anyhow::anyhow!(
                "user {} has unknown role {:?}",
                r.id,
                r.role
            ))
        })?;
        Ok(User {
            id: r.id,
            username: r.username,
            full_name: r.full_name,
            role,
            unit_id: r.unit_id,
            bloc_ids,
            password_hash: r.password_hash,
            disabled: r.disabled,
            token_version: r.token_version,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
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

/// The fields a PATCH may change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub full_name: Option<Option<String>>,
    pub role: Option<Role>,
    pub unit_id: Option<Option<i64>>,
    pub bloc_ids: Option<Vec<i64>>,
    pub disabled: Option<bool>,
}

/// How user lists can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum UserSort {
    Id,
    Username,
    CreatedAt,
}

impl SortField for UserSort {
    const DEFAULT: Self = UserSort::Id;
    fn kind(self) -> SortKind {
        match self {
            UserSort::Id => SortKind::Int,
            UserSort::Username => SortKind::Text,
            UserSort::CreatedAt => SortKind::Time,
        }
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

fn with_blocs(c: &mut AnyConnection, rows: Vec<UserRow>) -> Result<Vec<User>, ApiError> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut blocs = bloc_ids_of(c, &ids)?;
    rows.into_iter()
        .map(|r| {
            let b = blocs.remove(&r.id).unwrap_or_default();
            User::from_row(r, b)
        })
        .collect()
}

pub fn find(c: &mut AnyConnection, id: i64) -> Result<Option<User>, ApiError> {
    let row = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional()?;
    Ok(with_blocs(c, row.into_iter().collect())?.pop())
}

pub fn find_by_username(c: &mut AnyConnection, username: &str) -> Result<Option<User>, ApiError> {
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

pub fn insert(c: &mut AnyConnection, new: &NewUser) -> Result<User, ApiError> {
    let at = now();
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::username.eq(&new.username),
            users::full_name.eq(&new.full_name),
            users::role.eq(new.role.as_str()),
            users::unit_id.eq(new.unit_id),
            users::password_hash.eq(&new.password_hash),
            users::created_at.eq(at),
            users::updated_at.eq(at),
        ))
        .returning(users::id)
        .get_result(c)?;
    replace_blocs(c, id, &new.bloc_ids)?;
    find(c, id)?.ok_or(ApiError::NotFound(crate::error::noun::USER))
}

/// Applies changes and bumps the version. A role or scope change, or disabling or re-enabling
/// the user, also bumps the token version and revokes every refresh token, so no session
/// opened under the old rights goes on (and none comes back when a disabled user is enabled
/// again: their old refresh tokens stay revoked).
pub fn update(
    c: &mut AnyConnection,
    current: &User,
    changes: &UserChanges,
) -> Result<User, ApiError> {
    let rights_changed = changes.role.is_some_and(|r| r != current.role)
        || changes.unit_id.is_some_and(|u| u != current.unit_id)
        || changes
            .bloc_ids
            .as_ref()
            .is_some_and(|b| *b != current.bloc_ids)
        || changes.disabled.is_some_and(|d| d != current.disabled);
    let updated = diesel::update(
        users::table
            .find(current.id)
            .filter(users::version.eq(current.version)),
    )
    .set((
        users::full_name.eq(changes
            .full_name
            .clone()
            .unwrap_or_else(|| current.full_name.clone())),
        users::role.eq(changes.role.unwrap_or(current.role).as_str()),
        users::unit_id.eq(changes.unit_id.unwrap_or(current.unit_id)),
        users::disabled.eq(changes.disabled.unwrap_or(current.disabled)),
        users::token_version.eq(current.token_version + i64::from(rights_changed)),
        users::version.eq(current.version + 1),
        users::updated_at.eq(now()),
    ))
    .execute(c)?;
    if updated == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(blocs) = &changes.bloc_ids {
        replace_blocs(c, current.id, blocs)?;
    }
    if rights_changed {
        tokens::revoke_all(c, current.id)?;
    }
    find(c, current.id)?.ok_or(ApiError::NotFound(crate::error::noun::USER))
}

/// Sets a new password hash and revokes every token issued before: access tokens by the
/// token version, refresh tokens by marking them revoked.
///
/// Like every change it needs the version it was read at (else 412), so that two resets made
/// from the same read cannot both pass.
pub fn set_password(c: &mut AnyConnection, user: &User, hash: &str) -> Result<User, ApiError> {
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
        return Err(ApiError::PreconditionFailed);
    }
    tokens::revoke_all(c, user.id)?;
    find(c, user.id)?.ok_or(ApiError::NotFound(crate::error::noun::USER))
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
) -> Result<Page<User>, ApiError> {
    let mut q = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        q = q.filter(users::role.eq(role.as_str()));
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
    let rows: Vec<UserRow> = match page.field {
        UserSort::Id => keyset_page!(q, page, users::id, users::id, i64).load(c)?,
        UserSort::Username => keyset_page!(q, page, users::username, users::id, String).load(c)?,
        UserSort::CreatedAt => {
            keyset_page!(q, page, users::created_at, users::id, chrono::NaiveDateTime).load(c)?
        }
    };
    let users = with_blocs(c, rows)?;
    Ok(page.finish(users, |u| Cursor {
        id: u.id,
        key: match page.field {
            UserSort::Id => SortKey::Int(u.id),
            UserSort::Username => SortKey::Text(u.username.clone()),
            UserSort::CreatedAt => SortKey::Time(u.created_at),
        },
    }))
}

/// Escapes `%`, `_` and `\` for a LIKE pattern used with `ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
