//! `/users`: accounts administration, for admins.

use actix_web::{HttpResponse, get, patch, post, put, web};
use validator::Validate;

pub use super::user_types::{
    CreateUser, SetPassword, UserExportQuery, UserListQuery, UserPatch, UserResponse,
};

use crate::api::responses::{AdminCreate, AdminDelete, AdminRead, AdminWrite, CsvExport};
use crate::auth::session;
use crate::auth::{Actor, AuthUser, Role, password};
use crate::db::audit::{self, Change};
use crate::db::users::{self, NewUser, User, UserChanges, UserFilter, UserSort};
use crate::db::{self, AnyConnection};
use crate::domain::Permission;
use crate::error::{ApiError, Code, FieldCode, FieldError, Text};
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::pagination::Page;
use crate::state::AppState;

/// Which scope fits which role: admins have none, unit officers one unit, bloc chairs one or
/// more blocs, viewers either or none.
pub fn check_scope(role: Role, unit_id: Option<i64>, bloc_ids: &[i64]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, en: &'static str, vi: &'static str| {
        errors.push(FieldError::new(field, FieldCode::Scope, Text::new(en, vi)))
    };
    match role {
        Role::Admin if unit_id.is_some() || !bloc_ids.is_empty() => err(
            "role",
            "an admin has no unit or blocs",
            "tài khoản quản trị không gắn với đơn vị hay khối nào",
        ),
        Role::UnitOfficer if unit_id.is_none() => err(
            "unit_id",
            "is required for a unit_officer",
            "là bắt buộc với vai trò unit_officer",
        ),
        Role::UnitOfficer if !bloc_ids.is_empty() => err(
            "bloc_ids",
            "must be empty for a unit_officer",
            "phải để trống với vai trò unit_officer",
        ),
        Role::BlocChair if bloc_ids.is_empty() => err(
            "bloc_ids",
            "needs at least one bloc for a bloc_chair",
            "cần ít nhất một khối với vai trò bloc_chair",
        ),
        Role::BlocChair if unit_id.is_some() => err(
            "unit_id",
            "must be empty for a bloc_chair",
            "phải để trống với vai trò bloc_chair",
        ),
        Role::Viewer if unit_id.is_some() && !bloc_ids.is_empty() => err(
            "unit_id",
            "a viewer is scoped to a unit or to blocs, not both",
            "tài khoản xem chỉ gắn với một đơn vị hoặc với các khối, không gắn với cả hai",
        ),
        _ => {}
    }
    if bloc_ids.iter().any(|b| *b < 1) {
        err("bloc_ids", "ids are positive", "mã khối phải là số dương");
    }
    let mut sorted = bloc_ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != bloc_ids.len() {
        err(
            "bloc_ids",
            "must not repeat a bloc",
            "không được lặp lại một khối",
        );
    }
    ApiError::unless_any(errors)
}

/// The unit and blocs a scope names must exist.
fn check_scope_targets(
    c: &mut AnyConnection,
    unit_id: Option<i64>,
    bloc_ids: &[i64],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(unit) = unit_id
        && crate::db::units::find(c, unit)?.is_none()
    {
        errors.push(FieldError::new(
            "unit_id",
            FieldCode::Unknown,
            crate::ops::NO_UNIT,
        ));
    }
    if crate::db::blocs::count_existing(c, bloc_ids)? != bloc_ids.len() as i64 {
        errors.push(FieldError::new(
            "bloc_ids",
            FieldCode::Unknown,
            Text::new("names a bloc that does not exist", "có khối không tồn tại"),
        ));
    }
    ApiError::unless_any(errors)
}

/// Creates a user and its audit row (in the caller's transaction); the API, the bootstrap and
/// the command line all create users through here.
pub fn insert_audited(
    c: &mut AnyConnection,
    actor: &Actor,
    new: &NewUser,
    action: &str,
) -> Result<User, ApiError> {
    check_scope(new.role, new.unit_id, &new.bloc_ids)?;
    check_scope_targets(c, new.unit_id, &new.bloc_ids)?;
    // A taken username is the unique index's to refuse (`username_taken`, src/error/mod.rs).
    let created = users::insert(c, new)?;
    let change = Change::new(action, "user", created.id).after(UserResponse::from(created.clone()));
    audit::record(c, actor, change)?;
    Ok(created)
}

fn location(id: i64) -> String {
    format!("/api/v1/users/{id}")
}

async fn load(state: &AppState, id: i64) -> Result<User, ApiError> {
    state
        .db
        .read(move |c| users::find(c, id))
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
        users::list(c, &filter, p)
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
    check_scope(body.role, body.unit_id, &body.bloc_ids)?;
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
            let created = insert_audited(c, &actor, &new, "user.create")?;
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
        .write(move |c| {
            let current =
                users::find(c, id)?.ok_or(ApiError::NotFound(crate::error::noun::USER))?;
            if_match.check(current.version)?;
            let changes = UserChanges {
                full_name: patch.full_name.clone(),
                role: patch.role,
                unit_id: patch.unit_id,
                bloc_ids: patch.bloc_ids.clone(),
                disabled: patch.disabled,
            };
            let role = changes.role.unwrap_or(current.role);
            if id == me && (role != Role::Admin || changes.disabled == Some(true)) {
                return Err(ApiError::conflict(
                    Code::SelfLockout,
                    Text::new(
                        "an admin cannot demote or disable themself",
                        "quản trị viên không thể tự hạ quyền hoặc tự khóa tài khoản của mình",
                    ),
                ));
            }
            let unit_id = changes.unit_id.unwrap_or(current.unit_id);
            let bloc_ids = changes.bloc_ids.as_deref().unwrap_or(&current.bloc_ids);
            check_scope(role, unit_id, bloc_ids)?;
            check_scope_targets(c, unit_id, bloc_ids)?;
            let updated = users::update(c, &current, &changes)?;
            let change = Change::new("user.update", "user", id)
                .before(UserResponse::from(current.clone()))
                .after(UserResponse::from(updated.clone()));
            audit::record(c, &actor, change)?;
            Ok(updated)
        })
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
