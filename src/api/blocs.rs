//! `/blocs`: emulation blocs and clusters (khối, cụm thi đua). Their yearly members are in
//! `blocs/members.rs`.

mod members;

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::bloc_types::{BlocExportQuery, BlocListQuery, BlocPatch, BlocResponse, CreateBloc};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::blocs::{self, BlocFilter, BlocSort};
use crate::db::scope;
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
    format!("/api/v1/blocs/{id}")
}

/// List blocs and clusters.
///
/// Everyone sees the blocs of their scope: a bloc chair their blocs, a unit officer the blocs
/// their unit has been a member of. `q` matches words of the code or name, ignoring diacritics
/// and case. The answer is always JSON; `GET /blocs/export` gives every match as CSV.
#[utoipa::path(
    tag = "blocs",
    params(BlocListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of blocs", body = Page<BlocResponse>),
    )
)]
#[get("/blocs")]
pub async fn list_blocs(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<BlocListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export blocs as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(tag = "blocs", params(BlocExportQuery), security(("bearer" = [])), responses(CsvExport))]
#[get("/blocs/export")]
pub async fn export_blocs(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<BlocExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

/// A bloc list as a JSON page or as CSV: the body of `GET /blocs` and of its export.
async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    q: BlocListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<BlocSort>()?;
    let csv_wanted = csv::wanted(q.format);
    let words = SearchWords::parse(q.q.as_deref())?;
    let scope = user.scope.clone();
    csv::list::<_, _, BlocResponse, _>(&state.db, csv_wanted, "blocs", page, move |c, p| {
        let filter = BlocFilter {
            visible: scope::bloc_ids(c, &scope)?,
            kind: q.kind,
            level: q.level,
            active_in: q.active_in,
            words: words.0.clone(),
        };
        Ok(blocs::list(c, &filter, p)?)
    })
    .await
}

/// Create a bloc or cluster (admins).
#[utoipa::path(
    tag = "blocs",
    request_body = CreateBloc,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 201, description = "Created", body = BlocResponse,
            headers(("Location" = String, description = "The new bloc"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The code is taken (`code_taken`)"),
    )
)]
#[post("/blocs")]
pub async fn create_bloc(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreateBloc>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let res = BlocResponse::from(ops::blocs::create(c, &actor, &data)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a bloc or cluster.
#[utoipa::path(
    tag = "blocs",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The bloc", body = BlocResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/blocs/{id}")]
pub async fn get_bloc(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let bloc = state
        .db
        .read(move |c| ops::blocs::visible(c, &user.scope, id))
        .await?;
    let res = BlocResponse::from(bloc);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a bloc (admins).
///
/// Needs `If-Match`. The active years must keep covering every year that has members.
#[utoipa::path(
    tag = "blocs",
    params(
        ("id" = i64, Path, description = "Bloc id", minimum = 1),
        IfMatch,
    ),
    request_body(content = BlocPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "Updated", body = BlocResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The code is taken (`code_taken`), or members exist outside the new active years (`members_outside_active_years`)"),
    )
)]
#[patch("/blocs/{id}")]
pub async fn update_bloc(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<BlocPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let patch = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let bloc = state
        .db
        .write(move |c| ops::blocs::update(c, &actor, id, &if_match, |d| patch.apply(d)))
        .await?;
    let res = BlocResponse::from(bloc);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a bloc (admins) that has no members in any year and no users scoped to it.
///
/// Needs `If-Match`. A bloc with history is closed instead (`active_to`).
#[utoipa::path(
    tag = "blocs",
    params(
        ("id" = i64, Path, description = "Bloc id", minimum = 1),
        IfMatch,
    ),
    security(("bearer" = [])),
    responses(
        AdminDelete,
        (status = 204, description = "Deleted"),
        (status = 409, description = "Members or users refer to the bloc (`bloc_in_use`); the answer says what"),
    )
)]
#[delete("/blocs/{id}")]
pub async fn delete_bloc(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| ops::blocs::delete(c, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/blocs/{id}`, which would take `export` for an id.
    cfg.service(list_blocs)
        .service(export_blocs)
        .service(create_bloc)
        .service(get_bloc)
        .service(update_bloc)
        .service(delete_bloc)
        .service(members::get_bloc_members)
        .service(members::replace_bloc_members)
        .service(members::list_unit_blocs);
}
