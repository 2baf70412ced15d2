//! Logins, token refresh, logout and password changes: the flows behind `/auth`.

use chrono::Duration;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Actor, AuthUser, password};
use crate::db::audit::{self, Change};
use crate::db::throttle::{self, Scope as Throttled};
use crate::db::users::{self, User};
use crate::db::{self, now, tokens};
use crate::error::ApiError;
use crate::state::AppState;

/// Tokens issued at login and refresh.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT to send as `Authorization: Bearer …`.
    #[schema(example = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")]
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// An opaque token for `POST /auth/refresh`; each one works once.
    #[schema(example = "q1n0bW9yZS1yYW5kb20tYnl0ZXMtaGVyZQ")]
    pub refresh_token: String,
}

fn refresh_ttl(state: &AppState) -> Duration {
    Duration::from_std(state.refresh_ttl).unwrap_or(Duration::days(14))
}

fn tokens_for(
    state: &AppState,
    user: &User,
    refresh_token: String,
) -> Result<TokenResponse, ApiError> {
    Ok(TokenResponse {
        access_token: state.jwt.issue(user.id, user.token_version)?,
        token_type: "Bearer",
        expires_in: state.jwt.ttl().as_secs(),
        refresh_token,
    })
}

fn change(action: &'static str, user_id: Option<i64>) -> Change<'static> {
    Change {
        action,
        resource_type: "session",
        resource_id: user_id.map(|id| id.to_string()),
        before: None,
        after: None,
    }
}

/// Seconds until the account or the address may try again, if either is locked out.
fn locked_for(
    c: &mut db::AnyConnection,
    username: &str,
    ip: &str,
) -> Result<Option<u64>, ApiError> {
    Ok(
        throttle::locked_for(c, Throttled::Account, username)?.max(throttle::locked_for(
            c,
            Throttled::Ip,
            ip,
        )?),
    )
}

/// Checks the throttle, then the password; counts failures per account and per address. The
/// lock is checked again in the transaction that records the outcome, so that guesses sent in
/// parallel cannot outnumber the limit.
pub async fn login(
    state: &AppState,
    actor: Actor,
    username: &str,
    password: String,
) -> Result<TokenResponse, ApiError> {
    let username = username.trim().to_lowercase();
    let ip = actor.client_ip.clone().unwrap_or_else(|| "unknown".into());
    let (u, i) = (username.clone(), ip.clone());
    let locked = state.db.read(move |c| locked_for(c, &u, &i)).await?;
    if let Some(retry_after) = locked {
        tracing::warn!(
            ?username,
            ?ip,
            retry_after,
            "login refused: locked out after repeated failures"
        );
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let u = username.clone();
    let user = state
        .db
        .read(move |c| Ok(users::find_by_username(c, &u)?))
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let pw = password.clone();
    let valid = db::run(move || Ok(password::verify(&pw, stored.as_deref()))).await?;
    let user = user.filter(|u| valid && !u.disabled);
    let Some(user) = user else {
        let cfg = state.throttle.clone();
        let locked = state
            .db
            .write(move |c| {
                // Guesses made in parallel all passed the check above: the ones that find the
                // lock set by another meanwhile are refused like later ones.
                let was_locked = locked_for(c, &username, &ip)?.is_some();
                throttle::record_failure(
                    c,
                    Throttled::Account,
                    &username,
                    cfg.account_max_failures,
                    cfg.lockout,
                )?;
                throttle::record_failure(c, Throttled::Ip, &ip, cfg.ip_max_failures, cfg.lockout)?;
                let mut actor = actor.clone();
                actor.username = Some(username.clone());
                audit::record_failure(c, &actor, change("auth.login", None))?;
                // Read again: this failure may have lengthened the lockout.
                if was_locked {
                    locked_for(c, &username, &ip)
                } else {
                    Ok(None)
                }
            })
            .await?;
        return Err(match locked {
            Some(retry_after) => ApiError::TooManyRequests { retry_after },
            None => ApiError::InvalidCredentials,
        });
    };
    let rehash = if password::needs_rehash(&user.password_hash) {
        Some(db::run(move || password::hash(&password)).await?)
    } else {
        None
    };
    let ttl = refresh_ttl(state);
    let user_id = user.id;
    let mut actor = actor;
    actor.user_id = Some(user.id);
    actor.username = Some(user.username.clone());
    actor.role = Some(user.role.as_str());
    let refresh = state
        .db
        .write(move |c| {
            // A right password found after parallel guesses locked the account is refused too.
            if let Some(retry_after) = locked_for(c, &username, &ip)? {
                return Err(ApiError::TooManyRequests { retry_after });
            }
            throttle::clear(c, Throttled::Account, &username)?;
            if let Some(hash) = &rehash {
                users::rehash(c, user_id, hash)?;
            }
            let token = tokens::issue(c, user_id, None, ttl)?;
            audit::record(c, &actor, change("auth.login", Some(user_id)))?;
            Ok(token)
        })
        .await?;
    tokens_for(state, &user, refresh)
}

enum Refreshed {
    Issued(Box<User>, String),
    Reused,
}

/// Rotates a refresh token. A token presented twice revokes its whole family.
pub async fn refresh(
    state: &AppState,
    actor: Actor,
    token: String,
) -> Result<TokenResponse, ApiError> {
    let ttl = refresh_ttl(state);
    let outcome = state
        .db
        .write(move |c| {
            let stored = tokens::find(c, &token)?.ok_or(ApiError::Unauthorized)?;
            if stored.revoked_at.is_some() || stored.expires_at <= now() {
                return Err(ApiError::Unauthorized);
            }
            let user = users::find(c, stored.user_id)?
                .filter(|u| !u.disabled)
                .ok_or(ApiError::Unauthorized)?;
            let mut actor = actor.clone();
            actor.user_id = Some(user.id);
            actor.username = Some(user.username.clone());
            actor.role = Some(user.role.as_str());
            if stored.used_at.is_some() || !tokens::mark_used(c, stored.id)? {
                tokens::revoke_family(c, &stored.family_id)?;
                audit::record_failure(c, &actor, change("auth.refresh_reused", Some(user.id)))?;
                return Ok(Refreshed::Reused);
            }
            let next = tokens::issue(c, user.id, Some(&stored.family_id), ttl)?;
            audit::record(c, &actor, change("auth.refresh", Some(user.id)))?;
            Ok(Refreshed::Issued(Box::new(user), next))
        })
        .await?;
    match outcome {
        Refreshed::Issued(user, next) => tokens_for(state, &user, next),
        Refreshed::Reused => {
            tracing::warn!("a used refresh token was presented again; its family is revoked");
            Err(ApiError::Unauthorized)
        }
    }
}

/// Ends the session of `refresh_token` (or all sessions) and revokes current access tokens.
pub async fn logout(
    state: &AppState,
    user: &AuthUser,
    refresh_token: Option<String>,
    all: bool,
) -> Result<(), ApiError> {
    let (user_id, actor) = (user.id, user.actor());
    state
        .db
        .write(move |c| {
            if all {
                tokens::revoke_all(c, user_id)?;
            } else if let Some(token) = &refresh_token
                && let Some(stored) = tokens::find(c, token)?.filter(|t| t.user_id == user_id)
            {
                tokens::revoke_family(c, &stored.family_id)?;
            }
            users::bump_token_version(c, user_id)?;
            audit::record(c, &actor, change("auth.logout", Some(user_id)))?;
            Ok(())
        })
        .await
}

/// Sets a user's password (hashing it off the executor) and ends all their sessions.
pub async fn set_password(
    state: &AppState,
    actor: Actor,
    user: User,
    new_password: String,
    action: &'static str,
) -> Result<(), ApiError> {
    let hash = db::run(move || password::hash(&new_password)).await?;
    state
        .db
        .write(move |c| {
            // Revokes the refresh tokens too, in the same transaction.
            let updated =
                users::set_password(c, &user, &hash)?.ok_or(ApiError::PreconditionFailed)?;
            audit::record(c, &actor, Change::new(action, "user", updated.id))?;
            Ok(())
        })
        .await
}

/// Checks a user's current password before a change, under the same throttle as logins: a
/// stolen access token must not become a way to guess the password. A wrong one is a 422 on
/// `current_password`, counted and audited.
pub async fn verify_current_password(
    state: &AppState,
    actor: Actor,
    user: &User,
    candidate: String,
) -> Result<(), ApiError> {
    let (username, user_id) = (user.username.clone(), user.id);
    let ip = actor.client_ip.clone().unwrap_or_else(|| "unknown".into());
    let (u, i) = (username.clone(), ip.clone());
    if let Some(retry_after) = state.db.read(move |c| locked_for(c, &u, &i)).await? {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let stored = user.password_hash.clone();
    if db::run(move || Ok(password::verify(&candidate, Some(&stored)))).await? {
        return Ok(());
    }
    let cfg = state.throttle.clone();
    state
        .db
        .write(move |c| {
            throttle::record_failure(
                c,
                Throttled::Account,
                &username,
                cfg.account_max_failures,
                cfg.lockout,
            )?;
            throttle::record_failure(c, Throttled::Ip, &ip, cfg.ip_max_failures, cfg.lockout)?;
            audit::record_failure(c, &actor, change("user.password_change", Some(user_id)))?;
            Ok(())
        })
        .await?;
    Err(ApiError::Validation(vec![crate::error::FieldError::of(
        "current_password",
        crate::error::FieldCode::Mismatch,
    )]))
}
