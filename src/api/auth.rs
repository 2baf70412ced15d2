//! `/auth`: log in, refresh, log out, who am I, change my password.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::users::UserResponse;
use crate::api::responses::Validated;
use crate::auth::session::{self, TokenResponse};
use crate::auth::{AuthUser, anonymous_actor};
use crate::db::users;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::state::AppState;

/// Credentials.
#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin", min_length = 1, max_length = 64)]
    #[validate(length(min = 1, max = 64))]
    pub username: String,
    #[schema(example = "mật-khẩu-đủ-dài", min_length = 1, max_length = 128, format = Password)]
    #[validate(length(min = 1, max = 128))]
    pub password: String,
}

/// A refresh token to rotate.
#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(
        example = "q1n0bW9yZS1yYW5kb20tYnl0ZXMtaGVyZQ",
        min_length = 1,
        max_length = 256
    )]
    #[validate(length(min = 1, max = 256))]
    pub refresh_token: String,
}

/// What to end: the session of `refresh_token`, or with `all_sessions` every session of the user.
/// Either way, access tokens issued so far stop working.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    #[schema(example = "q1n0bW9yZS1yYW5kb20tYnl0ZXMtaGVyZQ", max_length = 256)]
    #[validate(length(max = 256))]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub all_sessions: bool,
}

/// A password change by its owner.
#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[schema(min_length = 1, max_length = 128, format = Password)]
    #[validate(length(min = 1, max = 128))]
    pub current_password: String,
    /// 12 to 128 characters.
    #[schema(min_length = 12, max_length = 128, format = Password)]
    #[validate(length(min = 12, max = 128))]
    #[validate(custom(function = "crate::auth::password::not_blank"))]
    pub new_password: String,
}

/// Log in with a username and password.
///
/// Unknown users and wrong passwords get the same answer. Repeated failures for one account or
/// from one address are answered with 429 and `Retry-After` for a while.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    security(),
    responses(
        Validated,
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong username or password (`invalid_credentials`)"),
        (status = 429, description = "Too many failed attempts",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    body.validate()?;
    let tokens = session::login(
        &state,
        anonymous_actor(&req, &state),
        &body.username,
        body.password,
    )
    .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Exchange a refresh token for new tokens.
///
/// Each refresh token works once; presenting a used one again revokes every token descended
/// from the same login.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security(),
    responses(
        Validated,
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "Unknown, expired, revoked or reused token"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    body.validate()?;
    let tokens =
        session::refresh(&state, anonymous_actor(&req, &state), body.refresh_token).await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// Log out.
#[utoipa::path(
    tag = "auth",
    request_body = LogoutRequest,
    security(("bearer" = [])),
    responses(
        Validated,
        (status = 204, description = "Logged out"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<LogoutRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    body.validate()?;
    session::logout(&state, &user, body.refresh_token, body.all_sessions).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The authenticated user", body = UserResponse),
    )
)]
#[get("/auth/me")]
pub async fn me(user: AuthUser, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let id = user.id;
    let me = state
        .db
        .read(move |c| Ok(users::find(c, id)?))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok(HttpResponse::Ok().json(UserResponse::from(me)))
}

/// Change one's own password. Every session of the user ends; log in again afterwards.
///
/// Wrong current passwords count towards the same lockout as failed logins.
#[utoipa::path(
    tag = "auth",
    request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Password changed"),
        (status = 422, description = "Wrong current password or invalid new one"),
        (status = 429, description = "Too many wrong passwords for this account or address",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner()?;
    body.validate()?;
    let id = user.id;
    let account = state
        .db
        .read(move |c| Ok(users::find(c, id)?))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    session::verify_current_password(&state, user.actor(), &account, body.current_password).await?;
    session::set_password(
        &state,
        user.actor(),
        account,
        body.new_password,
        "user.password_change",
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(change_password);
}
