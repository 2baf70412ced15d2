//! `/persons`: people of the units (cá nhân), readable within the caller's scope.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use validator::Validate;

use super::person_types::{
    CreatePerson, PersonExportQuery, PersonListQuery, PersonPatch, PersonResponse,
};
use crate::api::responses::{AdminCreate, AdminDelete, AdminWrite, CsvExport, ScopedRead};
use crate::auth::{Actor, AuthUser};
use crate::db::audit::{self, Change};
use crate::db::persons::{self, Person, PersonData, PersonFilter, PersonSort};
use crate::db::search::SearchWords;
use crate::db::{AnyConnection, is_unique_violation, scope, units};
use crate::error::{ApiError, FieldError};
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/persons/{id}")
}

fn code_taken(code: &str) -> ApiError {
    ApiError::conflict(
        "civil_servant_code_taken",
        format!("another person has the civil servant code {code:?}"),
    )
}

/// A unique violation that slipped past `check_links` (a concurrent write of the same code;
/// the only unique column of persons) gets the same answer as one caught by it.
fn race_to_conflict(e: ApiError) -> ApiError {
    if is_unique_violation(&e) {
        ApiError::conflict(
            "civil_servant_code_taken",
            "another person has this civil servant code",
        )
    } else {
        e
    }
}

/// Loads a person the caller may see: one of a unit in their scope. Others are 404 (their
/// existence is not revealed).
fn visible(c: &mut AnyConnection, user: &AuthUser, id: i64) -> Result<Person, ApiError> {
    let person = persons::find(c, id)?.ok_or(ApiError::NotFound("person"))?;
    if scope::reaches_unit(c, &user.scope, person.data.unit_id)? {
        Ok(person)
    } else {
        Err(ApiError::NotFound("person"))
    }
}

/// Checks what only the database can tell: the unit exists and the code is free.
fn check_links(c: &mut AnyConnection, id: Option<i64>, d: &PersonData) -> Result<(), ApiError> {
    if units::find(c, d.unit_id)?.is_none() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "unit_id",
            "unknown",
            "no unit has this id",
        )]));
    }
    if let Some(code) = &d.civil_servant_code
        && let Some(other) = persons::find_by_code(c, code)?
        && Some(other.id) != id
    {
        return Err(code_taken(code));
    }
    Ok(())
}

/// Creates a person inside the caller's write transaction: checks the unit (422 on
/// `unit_id`) and the code (409 `civil_servant_code_taken`), inserts, indexes the name for
/// search and audits `person.create`. `POST /persons` and the importer both go through here.
pub fn create_in_txn(
    c: &mut AnyConnection,
    actor: &Actor,
    data: &PersonData,
) -> Result<PersonResponse, ApiError> {
    check_links(c, None, data)?;
    let res = PersonResponse::from(persons::insert(c, data)?);
    audit::record(
        c,
        actor,
        Change::new("person.create", "person", res.id).after(&res),
    )?;
    Ok(res)
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
        persons::list(c, &filter, p)
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
    user.require_admin()?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let actor = user.actor();
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let res = create_in_txn(c, &actor, &data)?;
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
        .map_err(race_to_conflict)
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
    let res = state
        .db
        .read(move |c| visible(c, &user, id).map(PersonResponse::from))
        .await?;
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
    user.require_admin()?;
    let patch = body.into_inner()?;
    patch.validate()?;
    let (id, actor) = (id.into_inner(), user.actor());
    let res = state
        .db
        .write(move |c| {
            let current = persons::find(c, id)?.ok_or(ApiError::NotFound("person"))?;
            if_match.check(current.version)?;
            let data = patch.apply(&current.data);
            check_links(c, Some(id), &data)?;
            let before = PersonResponse::from(current.clone());
            let after = PersonResponse::from(persons::update(c, &current, &data)?);
            audit::record(
                c,
                &actor,
                Change::new("person.update", "person", id)
                    .before(&before)
                    .after(&after),
            )?;
            Ok(after)
        })
        .await
        .map_err(race_to_conflict)?;
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
    user.require_admin()?;
    let (id, actor) = (id.into_inner(), user.actor());
    state
        .db
        .write(move |c| {
            let current = persons::find(c, id)?.ok_or(ApiError::NotFound("person"))?;
            if_match.check(current.version)?;
            let before = PersonResponse::from(current.clone());
            persons::delete(c, &current)?;
            audit::record(
                c,
                &actor,
                Change::new("person.delete", "person", id).before(&before),
            )?;
            Ok(())
        })
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
