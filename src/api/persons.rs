//! `/persons`: people of the units (cá nhân), readable within the caller's scope.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::person_types::{
    CreatePerson, PersonExportQuery, PersonListQuery, PersonPatch, PersonResponse,
};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::persons::{self, PersonFilter, PersonSort};
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
    format!("/api/v1/persons/{id}")
}

/// List persons.
///
/// Everyone sees the persons of the units in their scope: a unit officer those of their unit,
/// a bloc chair those of the units of their blocs. `q` matches words of the full name,
/// ignoring diacritics and case. The answer is always JSON; `GET /persons/export` gives every
/// match as CSV.
#[utoipa::path(
    tag = "persons",
    params(PersonListQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of persons", body = Page<PersonResponse>),
    )
)]
#[get("/persons")]
pub async fn list_persons(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<PersonListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export persons as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(tag = "persons", params(PersonExportQuery), security(("bearer" = [])), responses(CsvExport))]
#[get("/persons/export")]
pub async fn export_persons(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<PersonExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

/// A person list as a JSON page or as CSV: the body of `GET /persons` and of its export.
async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    q: PersonListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<PersonSort>()?;
    let csv_wanted = csv::wanted(q.format);
    let words = SearchWords::parse(q.q.as_deref())?;
    let scope = user.scope.clone();
    csv::list::<_, _, PersonResponse, _>(&state.db, csv_wanted, "persons", page, move |c, p| {
        let filter = PersonFilter {
            visible: scope::unit_ids(c, &scope)?,
            unit_id: q.unit_id,
            gender: q.gender,
            words: words.0.clone(),
        };
        Ok(persons::list(c, &filter, p)?)
    })
    .await
}

/// Create a person (admins).
#[utoipa::path(
    tag = "persons",
    request_body = CreatePerson,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        AdminCreate,
        (status = 201, description = "Created", body = PersonResponse,
            headers(("Location" = String, description = "The new person"), ("ETag" = String, description = "Its version"))),
        (status = 409, description = "The civil servant code is taken (`civil_servant_code_taken`)"),
        (status = 422, description = "Invalid fields, or no such unit"),
    )
)]
#[post("/persons")]
pub async fn create_person(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreatePerson>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let res = PersonResponse::from(ops::persons::create(c, &actor, &data)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a person.
#[utoipa::path(
    tag = "persons",
    params(("id" = i64, Path, description = "Person id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The person", body = PersonResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/persons/{id}")]
pub async fn get_person(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let person = state
        .db
        .read(move |c| ops::persons::visible(c, &user.scope, id))
        .await?;
    let res = PersonResponse::from(person);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a person (admins).
///
/// Needs `If-Match`. `null` clears an optional field.
#[utoipa::path(
    tag = "persons",
    params(
        ("id" = i64, Path, description = "Person id", minimum = 1),
        IfMatch,
    ),
    request_body(content = PersonPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        AdminWrite,
        (status = 200, description = "Updated", body = PersonResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 409, description = "The civil servant code is taken (`civil_servant_code_taken`)"),
        (status = 422, description = "Invalid fields, or no such unit"),
    )
)]
#[patch("/persons/{id}")]
pub async fn update_person(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<PersonPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let patch = body.into_inner()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let person = state
        .db
        .write(move |c| ops::persons::update(c, &actor, id, &if_match, |d| patch.apply(d)))
        .await?;
    let res = PersonResponse::from(person);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a person (admins).
///
/// Needs `If-Match`.
#[utoipa::path(
    tag = "persons",
    params(
        ("id" = i64, Path, description = "Person id", minimum = 1),
        IfMatch,
    ),
    security(("bearer" = [])),
    responses(
        AdminDelete,
        (status = 204, description = "Deleted"),
        (status = 409, description = "Other records refer to the person (`person_in_use`)"),
    )
)]
#[delete("/persons/{id}")]
pub async fn delete_person(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditRegistry)?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| ops::persons::delete(c, &actor, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/persons/{id}`, which would take `export` for an id.
    cfg.service(list_persons)
        .service(export_persons)
        .service(create_person)
        .service(get_person)
        .service(update_person)
        .service(delete_person);
}
