//! `/units`: agencies and localities (đơn vị), as a tree with validity periods and successors.

mod tree;

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::unit_types::{CreateUnit, UnitExportQuery, UnitListQuery, UnitPatch, UnitResponse};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::scope;
use crate::db::search::SearchWords;
use crate::db::units::{self, UnitFilter, UnitSort};
use crate::domain::Permission;
use crate::error::{ApiError, Code, Text};
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::ops;
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/units/{id}")
}

/// List units.
///
/// Everyone sees the units of their scope: a unit officer their unit, a bloc chair the units
/// of their blocs. `q` matches words of the code, name or short name, ignoring diacritics and
/// case. The answer is always JSON; `GET /units/export` gives every match as CSV.
#[utoipa::path(
    tag = "units",
    params(UnitListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of units", body = Page<UnitResponse>),
    )
)]
#[get("/units")]
pub async fn list_units(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<UnitListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export units as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(tag = "units", params(UnitExportQuery), security(("bearer" = [])), responses(CsvExport))]
#[get("/units/export")]
pub async fn export_units(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<UnitExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

/// A unit list as JSON or CSV: the body of `GET /units` and `GET /units/{id}/children`.
async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: UnitListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = query.page::<UnitSort>()?;
    let csv_wanted = csv::wanted(query.format);
    let q = query;
    if q.year.is_some() && q.bloc_id.is_none() {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            Text::new(
                "year filters bloc members: give bloc_id too",
                "year lọc thành viên của khối: hãy cho cả bloc_id",
            ),
        ));
    }
    let words = SearchWords::parse(q.q.as_deref())?;
    let scope = user.scope.clone();
    csv::list::<_, _, UnitResponse, _>(&state.db, csv_wanted, "units", page, move |c, p| {
        let filter = UnitFilter {
            visible: scope::unit_ids(c, &scope)?,
            kind: q.kind,
            admin_level: q.admin_level,
            parent_id: q.parent_id,
            valid_on: q.valid_on,
            bloc_id: q.bloc_id,
            year: q.year,
            words: words.0.clone(),
        };
        Ok(units::list(c, &filter, p)?)
    })
    .await
}

/// Create a unit (admins).
#[utoipa::path(
    tag = "units",
    request_body = CreateUnit,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 201, description = "Created", body = UnitResponse,
            headers(("Location" = String, description = "The new unit"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The code is taken (`code_taken`)"),
    )
)]
#[post("/units")]
pub async fn create_unit(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreateUnit>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let res = UnitResponse::from(ops::units::create(c, &actor, &data)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a unit.
///
/// A retired unit names the unit that replaced it in `replaced_by`.
#[utoipa::path(
    tag = "units",
    params(("id" = i64, Path, description = "Unit id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The unit", body = UnitResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/units/{id}")]
pub async fn get_unit(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |c| ops::units::view(c, &user.scope, id))
        .await?;
    let res = UnitResponse::from(view);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a unit (admins).
///
/// Needs `If-Match`. Retire a unit by setting `valid_to` and `successor_id`: history keeps
/// pointing at it.
#[utoipa::path(
    tag = "units",
    params(
        ("id" = i64, Path, description = "Unit id", minimum = 1),
        IfMatch,
    ),
    request_body(content = UnitPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "Updated", body = UnitResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The code is taken (`code_taken`)"),
    )
)]
#[patch("/units/{id}")]
pub async fn update_unit(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<UnitPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let patch = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let view = state
        .db
        .write(move |c| ops::units::update(c, &actor, id, &if_match, |d| patch.apply(d)))
        .await?;
    let res = UnitResponse::from(view);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a unit (admins) that nothing refers to.
///
/// Needs `If-Match`. A unit with history is retired instead (`valid_to`, `successor_id`).
#[utoipa::path(
    tag = "units",
    params(
        ("id" = i64, Path, description = "Unit id", minimum = 1),
        IfMatch,
    ),
    security(("bearer" = [])),
    responses(
        AdminDelete,
        (status = 204, description = "Deleted"),
        (status = 409, description = "Something refers to the unit (`unit_in_use`); the answer says what"),
    )
)]
#[delete("/units/{id}")]
pub async fn delete_unit(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| ops::units::delete(c, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/units/{id}`, which would take `export` for an id.
    cfg.service(list_units)
        .service(export_units)
        .service(tree::export_unit_children)
        .service(create_unit)
        .service(get_unit)
        .service(update_unit)
        .service(delete_unit)
        .service(tree::list_unit_children)
        .service(tree::list_unit_ancestors);
}
