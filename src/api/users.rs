//! `/users`: accounts administration, for admins.

use actix_web::{HttpResponse, get, patch, post, put, web};
use validator::Validate;

pub use super::user_types::{
    CreateUser, SetPassword, UserExportQuery, UserListQuery, UserPatch, UserResponse,
};

use crate::api::responses::{AdminCreate, AdminDelete, AdminRead, AdminWrite, CsvExport};
use crate::auth::session;
use crate::auth::{AuthUser, password};
use crate::db;
use crate::db::users::{self, NewUser, User, UserFilter, UserSort};
use crate::domain::Permission;
use crate::error::{ApiError, FieldCode, Text};
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::ops;
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/users/{id}")
}

async fn load(state: &AppState, id: i64) -> Result<User, ApiError> {
    state
        .db
        .read(move |c| Ok(users::find(c, id)?))
        .await?
        .ok_or(ApiError::NotFound(crate::error::noun::USER))
}

/// List users.
#[utoipa::path(
    tag = "users",
    params(UserListQuery),
    security(("bearer" = [])),
    responses(
        AdminRead,
        (status = 200, description = "One page of users", body = Page<UserResponse>),
    )
)]
#[get("/users")]
pub async fn list_users(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<UserListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export users as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(tag = "users", params(UserExportQuery), security(("bearer" = [])), responses(CsvExport, AdminRead))]
#[get("/users/export")]
pub async fn export_users(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<UserExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

/// A user list as a JSON page or as CSV: the body of `GET /users` and of its export.
async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: UserListQuery,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    let page = query.page::<UserSort>()?;
    let format = query.format;
    let filter = UserFilter {
        role: query.role,
        disabled: query.disabled,
        username_contains: query.q.map(|q| q.to_lowercase()),
    };
    let wants_csv = csv::wanted(format);
    csv::list::<_, _, UserResponse, _>(&state.db, wants_csv, "users", page, move |c, p| {
        Ok(users::list(c, &filter, p)?)
    })
    .await
}

/// Create a user.
#[utoipa::path(
    tag = "users",
    request_body = CreateUser,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 201, description = "Created", body = UserResponse,
            headers(("Location" = String, description = "The new user"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The username is taken (`username_taken`)"),
        (status = 422, description = "Invalid fields, or the Idempotency-Key was used for another request"),
    )
)]
#[post("/users")]
pub async fn create_user(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreateUser>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    let body = body.into_inner()?;
    body.validate()?;
    ops::users::check_scope(body.role, body.unit_id, &body.bloc_ids)?;
    let pw = body.password.clone();
    let password_hash = db::run(move || password::hash(&pw)).await?;
    let new = NewUser {
        username: body.username.clone(),
        full_name: body.full_name.clone(),
        role: body.role,
        unit_id: body.unit_id,
        bloc_ids: body.bloc_ids.clone(),
        password_hash,
    };
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let created = ops::users::create(c, &actor, &new, "user.create")?;
            Reply::created(
                UserResponse::from(created.clone()),
                location(created.id),
                etag(created.version),
            )
        })
        .await
}

/// Get a user.
#[utoipa::path(
    tag = "users",
    params(("id" = i64, Path, description = "User id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        AdminDelete,
        (status = 200, description = "The user", body = UserResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    let found = load(&state, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(found.version)))
        .json(UserResponse::from(found)))
}

/// Change a user's name, role, scope or disabled flag.
///
/// Needs `If-Match` with the user's current ETag. Changing the role or scope, or disabling the
/// user, ends the user's current access tokens.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = i64, Path, description = "User id", minimum = 1),
        IfMatch,
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "Updated", body = UserResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "An admin cannot demote or disable themself (`self_lockout`)"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    let patch = body.into_inner()?;
    patch.validate()?;
    let (id, me, actor) = (id.into_inner(), user.id, user.actor());
    let updated = state
        .db
        .write(move |c| ops::users::update(c, &actor, me, id, &if_match, |to| patch.apply(to)))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(updated.version)))
        .json(UserResponse::from(updated)))
}

/// Set another user's password (administrative reset). The user's sessions end: every
/// access token and every refresh token issued before stops working.
///
/// An admin cannot reset their own password here: that would let a stolen access token
/// take the account for good. Their own password changes through `POST /auth/password`,
/// which asks for the current one; this route answers 422 with the field code
/// `own_password` on `id`.
#[utoipa::path(
    tag = "users",
    params(
        ("id" = i64, Path, description = "User id", minimum = 1),
        IfMatch,
    ),
    request_body = SetPassword,
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 204, description = "Password set"),
        (status = 422, description = "Invalid password, or the caller's own id (`own_password`: use POST /auth/password)"),
    )
)]
#[put("/users/{id}/password")]
pub async fn set_user_password(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: Json<SetPassword>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ManageUsers)?;
    let id = id.into_inner();
    if id == user.id {
        return Err(ApiError::invalid(
            "id",
            FieldCode::OwnPassword,
            Text::new(
                "is your own account; change your own password with POST /auth/password, giving the current one",
                "là tài khoản của chính bạn; hãy đổi mật khẩu của mình qua POST /auth/password, kèm mật khẩu hiện tại",
            ),
        ));
    }
    let body = body.into_inner()?;
    body.validate()?;
    let target = load(&state, id).await?;
    if_match.check(target.version)?;
    session::set_password(
        &state,
        user.actor(),
        target,
        body.password,
        "user.password_reset",
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/users/{id}`, which would take `export` for an id.
    cfg.service(list_users)
        .service(export_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(set_user_password);
}
