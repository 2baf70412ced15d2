//! `/units/{id}/children` and `/units/{id}/ancestors`: walking the tree.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::list;
use crate::api::unit_types::{UnitListQuery, UnitResponse};
use crate::auth::AuthUser;
use crate::db::units;
use crate::error::{ApiError, Problem};
use crate::ops::units::visible;
use crate::pagination::Page;
use crate::state::AppState;

/// The direct children of a unit, within the caller's scope.
#[utoipa::path(
    tag = "units",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), UnitListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of child units", body = Page<UnitResponse>),
        (status = 400, description = "Bad filter, order or page token", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in your scope", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/units/{id}/children")]
pub async fn list_unit_children(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<UnitListQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let u = user.clone();
    state
        .db
        .read(move |c| visible(c, &u.scope, id).map(|_| ()))
        .await?;
    let mut query = query.into_inner();
    query.parent_id = Some(id);
    list(req, user, state, query).await
}

/// The ancestors of a unit, nearest first, up to the root.
#[utoipa::path(
    tag = "units",
    params(("id" = i64, Path, description = "Unit id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The parent, its parent, … (never paginated: trees are shallow)", body = Page<UnitResponse>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit in your scope", body = Problem, content_type = "application/problem+json"),
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
