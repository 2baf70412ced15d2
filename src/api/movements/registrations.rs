//! `/movements/{id}/registrations` and `/units/{id}/registrations`: units' registrations for
//! movements. Admins register any unit and decide; a unit officer registers their own unit and
//! may reword its pledge while it is pending. Reads follow the caller's unit scope.
//!
//! A unit officer naming another unit gets 404 "unit not found", as for a unit that does not
//! exist, so that the answer does not reveal which units exist outside their scope.

use actix_web::{HttpResponse, get, patch, post, web};

use super::registration_types::{
    CreateRegistration, MovementRegistrationExportQuery, MovementRegistrationQuery,
    RegistrationPatch, RegistrationResponse, RegistrationTransition, UnitRegistrationExportQuery,
    UnitRegistrationQuery,
};
use crate::api::responses::{AdminWrite, CsvExport, ScopedRead};
use crate::auth::{AuthUser, Scope};
use crate::db::movements::registrations::{self as regs, RegistrationFilter, RegistrationSort};
use crate::db::{AnyConnection, scope};
use crate::domain::Permission;
use crate::error::ApiError;
use crate::http::body::{Json, MergePatch};
use crate::http::csv::{self, ListFormat};
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::ops;
use crate::pagination::{Page, PageRequest};
use crate::state::AppState;

fn location(movement_id: i64, id: i64) -> String {
    format!("/api/v1/movements/{movement_id}/registrations/{id}")
}

fn find_movement(c: &mut AnyConnection, id: i64) -> Result<(), ApiError> {
    ops::movements::find(c, id).map(|_| ())
}

/// A registration list as JSON or CSV, after `check` (which 404s a hidden parent).
async fn list(
    state: &AppState,
    scope: Scope,
    page: PageRequest<RegistrationSort>,
    format: Option<ListFormat>,
    filter: RegistrationFilter,
    check: impl FnOnce(&mut AnyConnection) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let csv_wanted = csv::wanted(format);
    state.db.read(check).await?;
    csv::list::<_, _, RegistrationResponse, _>(
        &state.db,
        csv_wanted,
        "registrations",
        page,
        move |c, p| {
            let filter = RegistrationFilter {
                visible: scope::unit_ids(c, &scope)?,
                ..filter.clone()
            };
            Ok(regs::list(c, &filter, p)?)
        },
    )
    .await
}

/// List a movement's registrations.
///
/// Admins and province-wide viewers see all; a unit officer their unit's, a bloc chair those
/// of their blocs' units. The answer is always JSON; `…/registrations/export` gives every
/// match as CSV.
#[utoipa::path(
    tag = "movements",
    params(("id" = i64, Path, description = "Movement id", minimum = 1), MovementRegistrationQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of registrations", body = Page<RegistrationResponse>),
    )
)]
#[get("/movements/{id}/registrations")]
pub async fn list_registrations(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<MovementRegistrationQuery>,
) -> Result<HttpResponse, ApiError> {
    movement_list(user, state, id.into_inner(), query.into_inner()).await
}

/// Export a movement's registrations as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(
    tag = "movements",
    params(("id" = i64, Path, description = "Movement id", minimum = 1), MovementRegistrationExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/movements/{id}/registrations/export")]
pub async fn export_registrations(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<MovementRegistrationExportQuery>,
) -> Result<HttpResponse, ApiError> {
    movement_list(user, state, id.into_inner(), query.into_inner().into()).await
}

async fn movement_list(
    user: AuthUser,
    state: web::Data<AppState>,
    id: i64,
    q: MovementRegistrationQuery,
) -> Result<HttpResponse, ApiError> {
    let filter = RegistrationFilter {
        movement_id: Some(id),
        unit_id: q.unit_id,
        status: q.status,
        visible: None,
    };
    let check = move |c: &mut AnyConnection| find_movement(c, id);
    list(&state, user.scope, q.page()?, q.format, filter, check).await
}

/// Register a unit for a movement.
///
/// Admins register any unit, a unit officer their own (another unit is 404, as if it did not
/// exist); other roles are refused. The movement must be `open`, and a unit registers once.
/// The registration starts `pending`, awaiting the board's decision.
#[utoipa::path(
    tag = "movements",
    request_body = CreateRegistration,
    params(
        ("id" = i64, Path, description = "Movement id", minimum = 1),
        IdempotencyKey,
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered", body = RegistrationResponse,
            headers(("Location" = String, description = "The new registration"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Neither an admin nor a unit officer"),
        (status = 404, description = "No such movement, or the unit is not yours"),
        (status = 409, description = "The movement is not open (`movement_not_open`) or the unit already registered (`already_registered`)"),
        (status = 422, description = "Invalid fields, or the unit does not exist or was retired"),
    )
)]
#[post("/movements/{id}/registrations")]
pub async fn create_registration(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    id: web::Path<i64>,
    body: Json<CreateRegistration>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::RegisterForMovement)?;
    let body = body.into_inner()?;
    validator::Validate::validate(&body)?;
    let (id, actor, scope) = (id.into_inner(), user.actor(), user.scope.clone());
    let input = body.clone();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let created =
                ops::registrations::create(c, (&actor, &scope), id, input.unit_id, &input.pledge)?;
            let res = RegistrationResponse::from(created);
            Reply::created(&res, location(id, res.id), etag(res.version))
        })
        .await
}

/// Get a registration (within the caller's scope).
#[utoipa::path(
    tag = "movements",
    params(
        ("id" = i64, Path, description = "Movement id", minimum = 1),
        ("rid" = i64, Path, description = "Registration id", minimum = 1),
    ),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The registration", body = RegistrationResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/movements/{id}/registrations/{rid}")]
pub async fn get_registration(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, rid) = path.into_inner();
    let reg = state
        .db
        .read(move |c| ops::registrations::visible(c, &user.scope, id, rid))
        .await?;
    let res = RegistrationResponse::from(reg);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Reword a registration's pledge (its unit's officer, or an admin).
///
/// Needs `If-Match`.
///
/// Only while the registration is pending and the movement open. The board decides through
/// `POST /movements/{id}/registrations/{rid}/transitions`.
#[utoipa::path(
    tag = "movements",
    params(
        ("id" = i64, Path, description = "Movement id", minimum = 1),
        ("rid" = i64, Path, description = "Registration id", minimum = 1),
        IfMatch,
    ),
    request_body(content = RegistrationPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "Updated", body = RegistrationResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Neither an admin nor a unit officer"),
        (status = 409, description = "Already decided (`registration_decided`), or the movement is no longer open (`movement_not_open`)"),
        (status = 422, description = "Invalid fields"),
    )
)]
#[patch("/movements/{id}/registrations/{rid}")]
pub async fn update_registration(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    if_match: IfMatch,
    body: MergePatch<RegistrationPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::RegisterForMovement)?;
    let patch = body.into_inner()?;
    validator::Validate::validate(&patch)?;
    let (id, rid) = path.into_inner();
    let (actor, scope, role) = (user.actor(), user.scope.clone(), user.role);
    let res = state
        .db
        .write(move |c| {
            let pledge = patch.pledge.as_deref();
            ops::registrations::reword(c, (&actor, &scope, role), (id, rid), &if_match, pledge)
        })
        .await?;
    let res = RegistrationResponse::from(res);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Decide a registration (admins).
///
/// `approve`, or `reject` with a reason. Only a pending registration is decided, once: deciding it again is a 409
/// `transition_not_allowed` naming `current_state` and the (empty) `allowed_actions`. The
/// reason of a rejection becomes the registration's `decision_note`.
#[utoipa::path(
    tag = "movements",
    params(
        ("id" = i64, Path, description = "Movement id", minimum = 1),
        ("rid" = i64, Path, description = "Registration id", minimum = 1),
    ),
    request_body = RegistrationTransition,
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "The decided registration", body = RegistrationResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "Already decided (`transition_not_allowed`)"),
        (status = 422, description = "Invalid fields, or a rejection without a reason"),
    )
)]
#[post("/movements/{id}/registrations/{rid}/transitions")]
pub async fn transition_registration(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, i64)>,
    body: Json<RegistrationTransition>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::DecideRegistration)?;
    let step = body.into_inner()?;
    validator::Validate::validate(&step)?;
    let (id, rid) = path.into_inner();
    let (actor, role, scope) = (user.actor(), user.role, user.scope.clone());
    let decided = state
        .db
        .write(move |c| {
            let current = ops::registrations::visible(c, &scope, id, rid)?;
            let reason = step.reason.as_deref();
            ops::registrations::decide(c, (&actor, role), current, step.action, reason)
        })
        .await?;
    let res = RegistrationResponse::from(decided);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// A unit's registrations across movements (the unit must be in your scope).
#[utoipa::path(
    tag = "movements",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), UnitRegistrationQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of the unit's registrations", body = Page<RegistrationResponse>),
    )
)]
#[get("/units/{id}/registrations")]
pub async fn list_unit_registrations(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<UnitRegistrationQuery>,
) -> Result<HttpResponse, ApiError> {
    unit_list(user, state, id.into_inner(), query.into_inner()).await
}

/// Export a unit's registrations as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(
    tag = "movements",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), UnitRegistrationExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/units/{id}/registrations/export")]
pub async fn export_unit_registrations(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<UnitRegistrationExportQuery>,
) -> Result<HttpResponse, ApiError> {
    unit_list(user, state, id.into_inner(), query.into_inner().into()).await
}

async fn unit_list(
    user: AuthUser,
    state: web::Data<AppState>,
    id: i64,
    q: UnitRegistrationQuery,
) -> Result<HttpResponse, ApiError> {
    let filter = RegistrationFilter {
        movement_id: q.movement_id,
        unit_id: Some(id),
        status: q.status,
        visible: None,
    };
    let scope = user.scope.clone();
    let check = move |c: &mut AnyConnection| ops::units::visible(c, &scope, id).map(|_| ());
    list(&state, user.scope, q.page()?, q.format, filter, check).await
}
