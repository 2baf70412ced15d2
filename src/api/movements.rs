//! `/movements`: emulation movements (phong trào thi đua). They are province-wide campaigns, so
//! every authenticated user reads them; admins write them. Units register for them through
//! [`registrations`].

pub mod registration_types;
mod registrations;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use validator::Validate;

use super::movement_types::{
    CreateMovement, MovementExportQuery, MovementListQuery, MovementPatch, MovementResponse,
};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::audit::{self, Change};
use crate::db::movements::{self, MovementData, MovementFilter, MovementSort};
use crate::db::search::SearchWords;
use crate::db::{AnyConnection, units};
use crate::error::ApiError;
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/movements/{id}")
}

/// The launching unit, when given, exists.
fn check_links(c: &mut AnyConnection, d: &MovementData) -> Result<(), ApiError> {
    match d.launching_unit_id {
        Some(unit) if units::find(c, unit)?.is_none() => Err(ApiError::invalid(
            "launching_unit_id",
            "unknown",
            "no unit has this id",
        )),
        _ => Ok(()),
    }
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
        movements::list(c, &filter, p)
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
    user.require_admin()?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            check_links(c, &data)?;
            let res = MovementResponse::from(movements::insert(c, &data)?);
            audit::record(
                c,
                &actor,
                Change::new("movement.create", "movement", res.id).after(&res),
            )?;
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
    let movement = state
        .db
        .read(move |c| movements::find(c, id)?.ok_or(ApiError::NotFound("movement")))
        .await?;
    let res = MovementResponse::from(movement);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a movement (admins).
///
/// Needs `If-Match`. `{"status": "open"}` opens registrations, `reviewing` or `closed` ends
/// them.
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
    user.require_admin()?;
    let patch = body.into_inner()?;
    patch.validate()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let res = state
        .db
        .write(move |c| {
            let current = movements::find(c, id)?.ok_or(ApiError::NotFound("movement"))?;
            if_match.check(current.version)?;
            let data = patch.apply(&current.data)?;
            check_links(c, &data)?;
            let before = MovementResponse::from(current.clone());
            let after = MovementResponse::from(movements::update(c, &current, &data)?);
            audit::record(
                c,
                &actor,
                Change::new("movement.update", "movement", id)
                    .before(&before)
                    .after(&after),
            )?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a movement (admins) that no unit registered for.
///
/// Needs `If-Match`. A movement with registrations is closed instead (`status: closed`).
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
    user.require_admin()?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| {
            let current = movements::find(c, id)?.ok_or(ApiError::NotFound("movement"))?;
            if_match.check(current.version)?;
            let n = movements::registration_count(c, id)?;
            if n > 0 {
                return Err(ApiError::conflict(
                    "movement_in_use",
                    format!(
                        "the movement is referred to by {n} movement registrations; close it (status: closed) instead"
                    ),
                ));
            }
            let before = MovementResponse::from(current.clone());
            movements::delete(c, &current)?;
            audit::record(
                c,
                &actor,
                Change::new("movement.delete", "movement", id).before(&before),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/movements/{id}`, which would take `export` for an id.
    cfg.service(list_movements)
        .service(export_movements)
        .service(create_movement)
        .service(get_movement)
        .service(update_movement)
        .service(delete_movement)
        .service(registrations::list_registrations)
        .service(registrations::export_registrations)
        .service(registrations::create_registration)
        .service(registrations::get_registration)
        .service(registrations::update_registration)
        .service(registrations::list_unit_registrations)
        .service(registrations::export_unit_registrations);
}
