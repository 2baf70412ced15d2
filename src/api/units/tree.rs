//! `/units/{id}/children` and `/units/{id}/ancestors`: walking the tree.

use actix_web::{HttpResponse, get, web};

use super::list;
use crate::api::responses::{CsvExport, ScopedRead};
use crate::api::unit_types::{UnitExportQuery, UnitListQuery, UnitResponse};
use crate::auth::AuthUser;
use crate::db::units;
use crate::error::ApiError;
use crate::ops::units::visible;
use crate::pagination::Page;
use crate::state::AppState;

/// The direct children of a unit, within the caller's scope.
///
/// The answer is always JSON; `GET /units/{id}/children/export` gives every child as CSV.
#[utoipa::path(
    tag = "units",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), UnitListQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of child units", body = Page<UnitResponse>),
    )
)]
#[get("/units/{id}/children")]
pub async fn list_unit_children(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<UnitListQuery>,
) -> Result<HttpResponse, ApiError> {
    children(user, state, id.into_inner(), query.into_inner()).await
}

/// Export the direct children of a unit as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(
    tag = "units",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), UnitExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/units/{id}/children/export")]
pub async fn export_unit_children(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<UnitExportQuery>,
) -> Result<HttpResponse, ApiError> {
    children(user, state, id.into_inner(), query.into_inner().into()).await
}

async fn children(
    user: AuthUser,
    state: web::Data<AppState>,
    id: i64,
    mut query: UnitListQuery,
) -> Result<HttpResponse, ApiError> {
    // The filters as sent, before the path's id replaces `parent_id`: a bad one is still a 400.
    query.page::<units::UnitSort>()?;
    let u = user.clone();
    state
        .db
        .read(move |c| visible(c, &u.scope, id).map(|_| ()))
        .await?;
    query.parent_id = Some(id);
    list(user, state, query).await
}

/// The ancestors of a unit, nearest first, up to the root.
#[utoipa::path(
    tag = "units",
    params(("id" = i64, Path, description = "Unit id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The parent, its parent, … (never paginated: trees are shallow)", body = Page<UnitResponse>),
    )
)]
#[get("/units/{id}/ancestors")]
pub async fn list_unit_ancestors(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let chain = state
        .db
        .read(move |c| {
            let unit = visible(c, &user.scope, id)?;
            Ok(units::ancestors(c, &unit)?)
        })
        .await?;
    let items = chain.into_iter().map(UnitResponse::from).collect();
    Ok(HttpResponse::Ok().json(Page {
        items,
        next_page_token: None,
        next: None,
    }))
}
