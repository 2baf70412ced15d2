//! `/blocs`: emulation blocs and clusters (khối, cụm thi đua). Their yearly members are in
//! `blocs/members.rs`.

mod members;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::bloc_types::{BlocListQuery, BlocPatch, BlocResponse, CreateBloc};
use crate::auth::AuthUser;
use crate::db::blocs::{self, BlocFilter, BlocSort};
use crate::db::scope;
use crate::db::search::SearchWords;
use crate::error::{ApiError, Problem};
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
/// and case. With `format=csv` or `Accept: text/csv` every matching bloc comes back as CSV.
#[utoipa::path(
    tag = "blocs",
    params(BlocListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of blocs, or with CSV asked for, every matching bloc",
            content((Page<BlocResponse> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Bad filter, order or page token", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/blocs")]
pub async fn list_blocs(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<BlocListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = q.page::<BlocSort>()?;
    let csv_wanted = csv::wanted(&req, q.format);
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
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first response instead of creating twice", max_length = 255)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = BlocResponse,
            headers(("Location" = String, description = "The new bloc"), ("ETag" = String, description = "Its version"))),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/blocs")]
pub async fn create_bloc(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreateBloc>,
) -> Result<HttpResponse, ApiError> {
    user.require_admin()?;
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
        (status = 200, description = "The bloc", body = BlocResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such bloc in your scope", body = Problem, content_type = "application/problem+json"),
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

/// Change a bloc (admins); needs `If-Match`. The active years must keep covering every year
/// that has members.
#[utoipa::path(
    tag = "blocs",
    params(
        ("id" = i64, Path, description = "Bloc id", minimum = 1),
        ("If-Match" = String, Header, description = "The ETag from the last read", max_length = 64),
    ),
    request_body(content = BlocPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Updated", body = BlocResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed request", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such bloc", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code is taken, or members exist outside the new active years", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The bloc changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a merge patch", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
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
    user.require_admin()?;
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

/// Delete a bloc (admins) that has no members in any year and no users scoped to it; needs
/// `If-Match`. A bloc with history is closed instead (`active_to`).
#[utoipa::path(
    tag = "blocs",
    params(
        ("id" = i64, Path, description = "Bloc id", minimum = 1),
        ("If-Match" = String, Header, description = "The ETag from the last read", max_length = 64),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such bloc", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Members or users refer to the bloc; the answer says what", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The bloc changed since it was read", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/blocs/{id}")]
pub async fn delete_bloc(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require_admin()?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| ops::blocs::delete(c, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_blocs)
        .service(create_bloc)
        .service(get_bloc)
        .service(update_bloc)
        .service(delete_bloc)
        .service(members::get_bloc_members)
        .service(members::replace_bloc_members)
        .service(members::list_unit_blocs);
}
