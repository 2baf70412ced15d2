//! `/movements`: emulation movements (phong trào thi đua). They are province-wide campaigns, so
//! every authenticated user reads them; admins write them. Units register for them through
//! [`registrations`].

pub mod registration_types;
mod registrations;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use validator::Validate;

use super::movement_types::{
    CreateMovement, MovementExportQuery, MovementListQuery, MovementPatch, MovementResponse,
    MovementTransition,
};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::movements::{self, MovementFilter, MovementSort};
use crate::db::search::SearchWords;
use crate::domain::Permission;
use crate::error::ApiError;
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::ops;
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/movements/{id}")
}

/// List movements.
///
/// Every authenticated user sees every movement. `q` matches words of the name or slogan,
/// ignoring diacritics and case (`q=tiet kiem` finds "tiết kiệm"); `active_on` keeps the
/// movements running on that day. The answer is always JSON; `GET /movements/export` gives
/// every match as CSV.
#[utoipa::path(
    tag = "movements",
    params(MovementListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of movements", body = Page<MovementResponse>),
    )
)]
#[get("/movements")]
pub async fn list_movements(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<MovementListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export movements as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(tag = "movements", params(MovementExportQuery), security(("bearer" = [])), responses(CsvExport))]
#[get("/movements/export")]
pub async fn export_movements(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<MovementExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

/// A movement list as a JSON page or as CSV: the body of `GET /movements` and of its export.
async fn list(
    _user: AuthUser,
    state: web::Data<AppState>,
    q: MovementListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<MovementSort>()?;
    let csv_wanted = csv::wanted(q.format);
    let filter = MovementFilter {
        status: q.status,
        form: q.form,
        scope: q.scope,
        launching_unit_id: q.launching_unit_id,
        active_on: q.active_on,
        words: SearchWords::parse(q.q.as_deref())?.0,
    };
    csv::list::<_, _, MovementResponse, _>(&state.db, csv_wanted, "movements", page, move |c, p| {
        Ok(movements::list(c, &filter, p)?)
    })
    .await
}

/// Launch a movement (admins).
///
/// Its status is `planned` unless given; units register once it is `open`.
#[utoipa::path(
    tag = "movements",
    request_body = CreateMovement,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 201, description = "Created", body = MovementResponse,
            headers(("Location" = String, description = "The new movement"), ("ETag" = String, description = "Its version"))),
        (status = 422, description = "Invalid fields, or the launching unit does not exist"),
    )
)]
#[post("/movements")]
pub async fn create_movement(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreateMovement>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let res = MovementResponse::from(ops::movements::create(c, &actor, &data)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a movement.
#[utoipa::path(
    tag = "movements",
    params(("id" = i64, Path, description = "Movement id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The movement", body = MovementResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/movements/{id}")]
pub async fn get_movement(
    _user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let movement = state.db.read(move |c| ops::movements::find(c, id)).await?;
    let res = MovementResponse::from(movement);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a movement (admins).
///
/// Needs `If-Match`. Its status moves only through `POST /movements/{id}/transitions`.
#[utoipa::path(
    tag = "movements",
    params(
        ("id" = i64, Path, description = "Movement id", minimum = 1),
        IfMatch,
    ),
    request_body(content = MovementPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "Updated", body = MovementResponse, headers(("ETag" = String, description = "The new version"))),
    )
)]
#[patch("/movements/{id}")]
pub async fn update_movement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<MovementPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let patch = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let movement = state
        .db
        .write(move |c| ops::movements::update(c, &actor, id, &if_match, |d| patch.apply(d)))
        .await?;
    let res = MovementResponse::from(movement);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a movement (admins) that no unit registered for.
///
/// Needs `If-Match`. A movement with registrations is closed instead (the `close` transition).
#[utoipa::path(
    tag = "movements",
    params(
        ("id" = i64, Path, description = "Movement id", minimum = 1),
        IfMatch,
    ),
    security(("bearer" = [])),
    responses(
        AdminDelete,
        (status = 204, description = "Deleted"),
        (status = 409, description = "Units registered for the movement (`movement_in_use`)"),
    )
)]
#[delete("/movements/{id}")]
pub async fn delete_movement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| ops::movements::delete(c, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Move a movement through its workflow (admins).
///
/// The actions: `open`, `review`, `reopen`, `close`, `cancel`. The answer is the movement in its new status. An action that does not apply to the
/// current status is a 409 `transition_not_allowed` naming `current_state` and the
/// `allowed_actions`; `reopen` and `cancel` need a `reason` (422 without one).
#[utoipa::path(
    tag = "movements",
    params(("id" = i64, Path, description = "Movement id", minimum = 1)),
    request_body = MovementTransition,
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "The movement in its new status", body = MovementResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The action does not apply to the current status (`transition_not_allowed`)"),
        (status = 422, description = "Invalid fields, or no reason for a step that needs one"),
    )
)]
#[post("/movements/{id}/transitions")]
pub async fn transition_movement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: Json<MovementTransition>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::RunMovement)?;
    let step = body.into_inner()?;
    step.validate()?;
    let (id, actor, role) = (id.into_inner(), user.actor(), user.role);
    let movement = state
        .db
        .write(move |c| {
            let reason = step.reason.as_deref();
            ops::movements::transition(c, (&actor, role), id, step.action, reason)
        })
        .await?;
    let res = MovementResponse::from(movement);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/movements/{id}`, which would take `export` for an id.
    cfg.service(list_movements)
        .service(export_movements)
        .service(create_movement)
        .service(get_movement)
        .service(update_movement)
        .service(delete_movement)
        .service(transition_movement)
        .service(registrations::transition_registration)
        .service(registrations::list_registrations)
        .service(registrations::export_registrations)
        .service(registrations::create_registration)
        .service(registrations::get_registration)
        .service(registrations::update_registration)
        .service(registrations::list_unit_registrations)
        .service(registrations::export_unit_registrations);
}
