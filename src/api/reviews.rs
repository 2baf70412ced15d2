//! `/blocs/{id}/reviews` and `/reviews/{id}`: review meetings of blocs (hội nghị ký kết,
//! sơ kết, tổng kết) recorded as one document with its lists; `/units/{id}/reviews`: the
//! meetings a unit took part in.
//!
//! Admins write any review; the bloc's chair (a bloc chair user of the bloc, or an officer of
//! the unit chairing it that year) writes its bloc's reviews while they are drafts. The board
//! confirms them. Everyone reads the reviews of the blocs its scope reaches.

use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::review_types::{
    CreateReview, ReviewExportQuery, ReviewListQuery, ReviewPatch, ReviewResponse, ReviewTransition,
};
use crate::api::responses::{CsvExport, ScopedRead};
use crate::auth::{AuthUser, Scope};
use crate::db::reviews::{self, ReviewFilter, ReviewSort};
use crate::db::{AnyConnection, scope};
use crate::domain::Permission;
use crate::error::ApiError;
use crate::http::body::{Json, MergePatch};
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::ops;
use crate::ops::reviews::Caller;
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/reviews/{id}")
}

fn answer(res: ReviewResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res)
}

/// A review list as JSON or CSV, after `check` (which 404s a hidden parent).
async fn list(
    state: &AppState,
    scope: Scope,
    q: ReviewListQuery,
    filter: ReviewFilter,
    check: impl FnOnce(&mut AnyConnection) -> Result<(), ApiError> + Send + 'static,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<ReviewSort>()?;
    let csv_wanted = csv::wanted(q.format);
    state.db.read(check).await?;
    csv::list::<_, _, ReviewResponse, _>(&state.db, csv_wanted, "reviews", page, move |c, p| {
        let filter = ReviewFilter {
            visible_blocs: scope::bloc_ids(c, &scope)?,
            year: q.year,
            kind: q.kind,
            ..filter.clone()
        };
        Ok(reviews::list(c, &filter, p)?)
    })
    .await
}

async fn bloc_list(
    user: AuthUser,
    state: web::Data<AppState>,
    id: i64,
    q: ReviewListQuery,
) -> Result<HttpResponse, ApiError> {
    let filter = ReviewFilter {
        bloc_id: Some(id),
        ..ReviewFilter::default()
    };
    let scope = user.scope.clone();
    let check = move |c: &mut AnyConnection| ops::blocs::visible(c, &scope, id).map(|_| ());
    list(&state, user.scope, q, filter, check).await
}

/// List a bloc's review meetings.
///
/// The bloc must be in your scope. Filter by `year` and `kind`. The answer is always JSON;
/// `…/reviews/export` gives every match as CSV.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), ReviewListQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of the bloc's reviews", body = Page<ReviewResponse>),
    )
)]
#[get("/blocs/{id}/reviews")]
pub async fn list_bloc_reviews(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ReviewListQuery>,
) -> Result<HttpResponse, ApiError> {
    bloc_list(user, state, id.into_inner(), query.into_inner()).await
}

/// Export a bloc's review meetings as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages; the
/// lists are counted.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), ReviewExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/blocs/{id}/reviews/export")]
pub async fn export_bloc_reviews(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ReviewExportQuery>,
) -> Result<HttpResponse, ApiError> {
    bloc_list(user, state, id.into_inner(), query.into_inner().into()).await
}

/// Record a review meeting of a bloc, as a draft (admins, or the bloc's chair).
///
/// The bloc's chair is a bloc chair user of the bloc, or an officer of the unit chairing it in
/// the review's year. The lists (`attendees`, `focus_tasks`, `resolutions`, `awards`) come
/// with it, each in its order. The board confirms it with `POST /reviews/{id}/transitions`.
#[utoipa::path(
    tag = "reviews",
    request_body = CreateReview,
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = ReviewResponse,
            headers(("Location" = String, description = "The new review"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not an admin nor the bloc's chair"),
        (status = 404, description = "No such bloc, or one outside your scope"),
        (status = 422, description = "Invalid fields, or a unit, person or movement that does not exist"),
    )
)]
#[post("/blocs/{id}/reviews")]
pub async fn create_review(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    id: web::Path<i64>,
    body: Json<CreateReview>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::WriteReviews)?;
    let body = body.into_inner()?;
    let doc = body.clone().into_data()?;
    let (id, actor, role, scope) = (id.into_inner(), user.actor(), user.role, user.scope.clone());
    idempotency
        .run(&state.db, &user, &body, move |c| {
            let who = Caller {
                actor: &actor,
                role,
                scope: &scope,
            };
            let res = ReviewResponse::from(ops::reviews::create(c, who, id, &doc)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a review meeting with its lists.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The review", body = ReviewResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/reviews/{id}")]
pub async fn get_review(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let review = state
        .db
        .read(move |c| ops::reviews::visible(c, &user.scope, id))
        .await?;
    Ok(answer(ReviewResponse::from(review)))
}

/// Change a review (admins, or the bloc's chair while it is a draft).
///
/// Needs `If-Match`. A JSON merge patch of the document: a list given replaces the whole list
/// (`{"focus_tasks": […]}`), as merge patches replace arrays. Once confirmed, only the board
/// corrects it, and never its resolutions, which were applied.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id", minimum = 1), IfMatch),
    request_body(content = ReviewPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "Updated", body = ReviewResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an admin nor the bloc's chair"),
        (status = 409, description = "The review is confirmed (`review_confirmed`)"),
        (status = 422, description = "Invalid fields, or a unit, person or movement that does not exist"),
    )
)]
#[patch("/reviews/{id}")]
pub async fn update_review(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<ReviewPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::WriteReviews)?;
    let patch = body.into_inner()?;
    let (id, actor, role, scope) = (id.into_inner(), user.actor(), user.role, user.scope.clone());
    let review = state
        .db
        .write(move |c| {
            let who = Caller {
                actor: &actor,
                role,
                scope: &scope,
            };
            ops::reviews::update(c, who, id, &if_match, |d| patch.apply(d))
        })
        .await?;
    Ok(answer(ReviewResponse::from(review)))
}

/// Delete a review (admins, or the bloc's chair while it is a draft).
///
/// Needs `If-Match`. Its lists go with it.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id", minimum = 1), IfMatch),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 204, description = "Deleted"),
        (status = 403, description = "Not an admin nor the bloc's chair"),
        (status = 409, description = "The review is confirmed (`review_confirmed`)"),
    )
)]
#[delete("/reviews/{id}")]
pub async fn delete_review(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::WriteReviews)?;
    let (id, actor, role, scope) = (id.into_inner(), user.actor(), user.role, user.scope.clone());
    state
        .db
        .write(move |c| {
            let who = Caller {
                actor: &actor,
                role,
                scope: &scope,
            };
            ops::reviews::delete(c, who, id, &if_match)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Confirm a review (admins).
///
/// `confirm` fixes the minutes and, in the same transaction, applies the chair and deputies
/// its resolutions elect to the bloc's membership of their year (the year after the review's
/// unless the resolution names one); a year without members starts from the review year's.
/// A membership that would break its rules is refused (422 naming `resolutions`), and nothing
/// changes. Confirming again is a 409 `transition_not_allowed`.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Review id", minimum = 1)),
    request_body = ReviewTransition,
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The confirmed review", body = ReviewResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not an admin"),
        (status = 409, description = "Already confirmed (`transition_not_allowed`), or the membership refused a change (`membership_rule`)"),
        (status = 422, description = "Invalid fields, or the elected membership breaks a rule"),
    )
)]
#[post("/reviews/{id}/transitions")]
pub async fn transition_review(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: Json<ReviewTransition>,
) -> Result<HttpResponse, ApiError> {
    let step = body.into_inner()?;
    validator::Validate::validate(&step)?;
    let (id, actor, role, scope) = (id.into_inner(), user.actor(), user.role, user.scope.clone());
    let review = state
        .db
        .write(move |c| {
            let who = Caller {
                actor: &actor,
                role,
                scope: &scope,
            };
            ops::reviews::transition(c, who, id, step.action, step.reason.as_deref())
        })
        .await?;
    Ok(answer(ReviewResponse::from(review)))
}

async fn unit_list(
    user: AuthUser,
    state: web::Data<AppState>,
    id: i64,
    q: ReviewListQuery,
) -> Result<HttpResponse, ApiError> {
    let filter = ReviewFilter {
        unit_id: Some(id),
        ..ReviewFilter::default()
    };
    let scope = user.scope.clone();
    let check = move |c: &mut AnyConnection| ops::units::visible(c, &scope, id).map(|_| ());
    list(&state, user.scope, q, filter, check).await
}

/// The review meetings a unit took part in: as host, through an attendee from it, or owning a
/// focus task.
///
/// The unit must be in your scope, and the meetings are those of the blocs it reaches.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), ReviewListQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of reviews", body = Page<ReviewResponse>),
    )
)]
#[get("/units/{id}/reviews")]
pub async fn list_unit_reviews(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ReviewListQuery>,
) -> Result<HttpResponse, ApiError> {
    unit_list(user, state, id.into_inner(), query.into_inner()).await
}

/// Export the review meetings a unit took part in as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(
    tag = "reviews",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), ReviewExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/units/{id}/reviews/export")]
pub async fn export_unit_reviews(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<ReviewExportQuery>,
) -> Result<HttpResponse, ApiError> {
    unit_list(user, state, id.into_inner(), query.into_inner().into()).await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_bloc_reviews)
        .service(export_bloc_reviews)
        .service(create_review)
        .service(get_review)
        .service(update_review)
        .service(delete_review)
        .service(transition_review)
        .service(list_unit_reviews)
        .service(export_unit_reviews);
}
