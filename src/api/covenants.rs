//! `/blocs/{id}/covenants` and `/covenants/{id}`: a bloc's covenant (giao ước thi đua) for
//! each year, its signatories, its criteria document (`…/criteria`) and the copy that starts
//! the next year's. The board writes them; everyone reads those of the blocs in their scope.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};

use super::covenant_types::{
    CopyCovenant, CovenantExportQuery, CovenantListQuery, CovenantPatch, CovenantResponse,
    CreateCovenant, CriteriaDocument, CriteriaResponse,
};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::covenants::{self, CovenantFilter, CovenantSort};
use crate::db::scope;
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
    format!("/api/v1/covenants/{id}")
}

/// List a bloc's covenants, one per year.
///
/// The answer is always JSON; `…/covenants/export` gives every match as CSV.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), CovenantListQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of covenants", body = Page<CovenantResponse>),
    )
)]
#[get("/blocs/{id}/covenants")]
pub async fn list_covenants(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<CovenantListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, id.into_inner(), query.into_inner()).await
}

/// Export a bloc's covenants as CSV.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), CovenantExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/blocs/{id}/covenants/export")]
pub async fn export_covenants(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<CovenantExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, id.into_inner(), query.into_inner().into()).await
}

async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    bloc_id: i64,
    q: CovenantListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<CovenantSort>()?;
    let csv_wanted = csv::wanted(q.format);
    let scope = user.scope.clone();
    state
        .db
        .read(move |c| ops::blocs::visible(c, &scope, bloc_id).map(|_| ()))
        .await?;
    let scope = user.scope;
    csv::list::<_, _, CovenantResponse, _>(&state.db, csv_wanted, "covenants", page, move |c, p| {
        let filter = CovenantFilter {
            visible: scope::bloc_ids(c, &scope)?,
            bloc_id: Some(bloc_id),
            year: q.year,
        };
        let page = covenants::list(c, &filter, p)?;
        let mut items = Vec::with_capacity(page.items.len());
        for covenant in page.items.iter().cloned() {
            items.push(ops::covenants::view_of(c, covenant)?);
        }
        Ok(Page {
            items,
            next_page_token: page.next_page_token,
            next: page.next,
        })
    })
    .await
}

/// Sign a bloc's covenant for a year (admins).
///
/// One covenant per bloc-year; the signatories must be the bloc's members in that year (422
/// naming the unit otherwise). Its criteria are written afterwards at `…/criteria`.
#[utoipa::path(
    tag = "covenants",
    request_body = CreateCovenant,
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 201, description = "Created", body = CovenantResponse,
            headers(("Location" = String, description = "The new covenant"), ("ETag" = String, description = "Its version"))),
        (status = 404, description = "No such bloc"),
        (status = 409, description = "The bloc has a covenant for the year (`covenant_exists`)"),
    )
)]
#[post("/blocs/{id}/covenants")]
pub async fn create_covenant(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    idempotency: IdempotencyKey,
    body: Json<CreateCovenant>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditCovenant)?;
    let body = body.into_inner()?;
    let (bloc_id, actor) = (id.into_inner(), user.actor());
    let request = body.clone();
    idempotency
        .run(&state.db, &user, &request, move |c| {
            let res = CovenantResponse::from(ops::covenants::create(c, &actor, bloc_id, &body)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a covenant.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Covenant id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The covenant", body = CovenantResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/covenants/{id}")]
pub async fn get_covenant(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |c| ops::covenants::view(c, &user.scope, id))
        .await?;
    let res = CovenantResponse::from(view);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a covenant (admins): its date, place, content or signatories.
///
/// Needs `If-Match`.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Covenant id", minimum = 1), IfMatch),
    request_body(content = CovenantPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "Updated", body = CovenantResponse, headers(("ETag" = String, description = "The new version"))),
    )
)]
#[patch("/covenants/{id}")]
pub async fn update_covenant(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<CovenantPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditCovenant)?;
    let patch = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let view = state
        .db
        .write(move |c| ops::covenants::update(c, &actor, id, &if_match, &patch))
        .await?;
    let res = CovenantResponse::from(view);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a covenant (admins) that no score sheet refers to.
///
/// Needs `If-Match`.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Covenant id", minimum = 1), IfMatch),
    security(("bearer" = [])),
    responses(
        AdminDelete,
        (status = 204, description = "Deleted"),
        (status = 409, description = "Score sheets refer to it (`covenant_in_use`)"),
    )
)]
#[delete("/covenants/{id}")]
pub async fn delete_covenant(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditCovenant)?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| ops::covenants::delete(c, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A covenant's criteria document: groups, criteria and classification bands.
///
/// The `ETag` identifies the document; send it back in `If-Match` to replace it.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Covenant id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The criteria document", body = CriteriaResponse,
            headers(("ETag" = String, description = "The document's version, for If-Match"))),
    )
)]
#[get("/covenants/{id}/criteria")]
pub async fn get_covenant_criteria(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |c| {
            let covenant = ops::covenants::visible(c, &user.scope, id)?;
            ops::covenants::criteria_of(c, &covenant)
        })
        .await?;
    let tag = view.etag.clone();
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", tag))
        .json(CriteriaResponse::from(view)))
}

/// Replace a covenant's criteria document (admins).
///
/// The whole document: ordered groups of ordered criteria (codes unique in the covenant, a
/// step dividing its maximum) and bands that do not overlap. A criterion whose code stays keeps
/// the entries of draft sheets; a removed one takes them along. Once a score sheet under the
/// covenant is submitted the document is locked: 409 `covenant_locked` naming the sheet.
/// `If-Match` takes the ETag of `GET …/criteria`.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Covenant id", minimum = 1), IfMatch),
    request_body = CriteriaDocument,
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "The new document", body = CriteriaResponse,
            headers(("ETag" = String, description = "The document's new version"))),
        (status = 409, description = "The covenant is locked (`covenant_locked`), or a draft sheet gives more than a new maximum (`entries_exceed_criteria`)"),
        (status = 422, description = "Invalid fields: a code twice, a step that does not divide the maximum, bands that overlap"),
    )
)]
#[put("/covenants/{id}/criteria")]
pub async fn replace_covenant_criteria(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: Json<CriteriaDocument>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditCovenant)?;
    let doc = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let view = state
        .db
        .write(move |c| ops::covenants::replace_criteria(c, &actor, id, &if_match, &doc))
        .await?;
    let tag = view.etag.clone();
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", tag))
        .json(CriteriaResponse::from(view)))
}

/// Start next year's covenant from this one (admins).
///
/// Only from a locked covenant (a sheet under it submitted): the new one, of the same bloc,
/// takes its content, criteria and bands; its signatories are the new year's members (none if
/// the year has no members yet). 409 when the bloc already has a covenant for that year.
#[utoipa::path(
    tag = "covenants",
    params(("id" = i64, Path, description = "Covenant id", minimum = 1), IdempotencyKey),
    request_body = CopyCovenant,
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 201, description = "The new covenant", body = CovenantResponse,
            headers(("Location" = String, description = "The new covenant"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The target year has a covenant (`covenant_exists`), or this one is not locked (`covenant_not_locked`)"),
    )
)]
#[post("/covenants/{id}/copy")]
pub async fn copy_covenant(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    idempotency: IdempotencyKey,
    body: Json<CopyCovenant>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditCovenant)?;
    let body = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let request = body.clone();
    idempotency
        .run(&state.db, &user, &request, move |c| {
            let res = CovenantResponse::from(ops::covenants::copy(c, &actor, id, &body)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_covenants)
        .service(export_covenants)
        .service(create_covenant)
        .service(get_covenant)
        .service(update_covenant)
        .service(delete_covenant)
        .service(get_covenant_criteria)
        .service(replace_covenant_criteria)
        .service(copy_covenant);
}
