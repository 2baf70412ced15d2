//! `/blocs/{id}/members`: who is in a bloc in a year, and in which role; and
//! `/units/{id}/blocs`: the blocs of a unit.

use actix_web::{HttpResponse, get, put, web};
use validator::Validate;

use crate::api::bloc_types::{
    BlocMembersResponse, MembersQuery, ReplaceMembers, UnitBlocResponse, UnitBlocsQuery,
    UnitBlocsResponse,
};
use crate::api::responses::{AdminWrite, ScopedRead};
use crate::auth::AuthUser;
use crate::db::blocs::members;
use crate::db::scope;
use crate::domain::Permission;
use crate::domain::Year;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::preconditions::IfMatch;
use crate::ops;
use crate::pagination::query_error;
use crate::state::AppState;

/// The members of a bloc in a year: the chair first, then the deputies, then the members.
///
/// The `ETag` identifies this year's list; send it back in `If-Match` to replace the list.
#[utoipa::path(
    tag = "blocs",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), MembersQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The year's members (empty for a year without)", body = BlocMembersResponse,
            headers(("ETag" = String, description = "The list's version, for If-Match"))),
        (status = 400, description = "The year is missing or out of range"),
    )
)]
#[get("/blocs/{id}/members")]
pub async fn get_bloc_members(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<MembersQuery>,
) -> Result<HttpResponse, ApiError> {
    query.validate().map_err(query_error)?;
    let (id, year) = (id.into_inner(), query.year);
    let list = state
        .db
        .read(move |c| ops::blocs::members_of(c, &user.scope, id, year))
        .await?;
    let tag = list.etag.clone();
    let res = BlocMembersResponse::from(list);
    Ok(HttpResponse::Ok().insert_header(("ETag", tag)).json(res))
}

/// Replace the members of a bloc in a year (admins).
///
/// The list is the whole membership of the year: exactly one chair, each unit once, every unit
/// existing during the year, the year within the bloc's active years. An empty list clears the
/// year. `If-Match` takes the ETag of `GET /blocs/{id}/members?year=…`, or `*` for a year that
/// has no members yet.
#[utoipa::path(
    tag = "blocs",
    params(
        ("id" = i64, Path, description = "Bloc id", minimum = 1),
        ("year" = i32, Path, description = "The membership year", minimum = 1945, maximum = 2100, example = 2019),
        IfMatch,
    ),
    request_body = ReplaceMembers,
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "The new list", body = BlocMembersResponse,
            headers(("ETag" = String, description = "The list's new version"))),
        (status = 409, description = "The database refused the list (`membership_conflict`: a concurrent change; `membership_rule`)"),
        (status = 422, description = "The list breaks a membership rule"),
    )
)]
#[put("/blocs/{id}/members/{year}")]
pub async fn replace_bloc_members(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, Year)>,
    if_match: IfMatch,
    body: Json<ReplaceMembers>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let body = body.into_inner()?;
    let (key, actor) = (path.into_inner(), user.actor());
    let list = state
        .db
        .write(move |c| ops::blocs::replace_members(c, &actor, key, &if_match, &body))
        .await?;
    let tag = list.etag.clone();
    let res = BlocMembersResponse::from(list);
    Ok(HttpResponse::Ok().insert_header(("ETag", tag)).json(res))
}

/// The blocs a unit belongs to, with its role.
///
/// In `year`, or in every year (by year, then bloc). Only blocs the caller may see are listed.
#[utoipa::path(
    tag = "blocs",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), UnitBlocsQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The unit's blocs", body = UnitBlocsResponse),
        (status = 400, description = "The year is out of range"),
    )
)]
#[get("/units/{id}/blocs")]
pub async fn list_unit_blocs(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<UnitBlocsQuery>,
) -> Result<HttpResponse, ApiError> {
    query.validate().map_err(query_error)?;
    let (id, year) = (id.into_inner(), query.year);
    let items = state
        .db
        .read(move |c| {
            ops::units::visible(c, &user.scope, id)?;
            let blocs = scope::bloc_ids(c, &user.scope)?;
            Ok(members::of_unit(c, id, year, blocs)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UnitBlocsResponse {
        unit_id: id,
        year,
        items: items.into_iter().map(UnitBlocResponse::from).collect(),
    }))
}
