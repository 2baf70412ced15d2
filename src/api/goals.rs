//! `/units/{id}/goals` and `/goals/{id}`: units' goals (chỉ tiêu) for a period, with their
//! progress; `/blocs/{id}/goals`: a bloc's members' goals side by side, as JSON, CSV or XLSX.
//!
//! Admins write any unit's goals, a unit officer its own unit's; everyone reads the goals of
//! the units its scope reaches (a bloc chair its blocs' members). Anything else is 404.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use validator::Validate;

use super::goal_types::{
    BLOC_GOAL_COLUMNS, BlocGoalsQuery, BlocGoalsResponse, CreateGoal, GoalExportQuery,
    GoalListQuery, GoalPatch, GoalResponse, MemberGoals, today,
};
use crate::api::responses::{CsvExport, ScopedRead, XlsxExport};
use crate::auth::{AuthUser, Scope};
use crate::db::blocs::members;
use crate::db::goals::{self, GoalFilter, GoalSort};
use crate::db::{AnyConnection, scope};
use crate::domain::Permission;
use crate::error::ApiError;
use crate::http::body::{Json, MergePatch};
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::http::{csv, xlsx};
use crate::ops;
use crate::pagination::{Page, query_error};
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/goals/{id}")
}

/// List a unit's goals.
///
/// The unit must be in your scope. Filter by `year` and `period`. The answer is always JSON;
/// `…/goals/export` gives every match as CSV.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), GoalListQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "One page of the unit's goals", body = Page<GoalResponse>),
    )
)]
#[get("/units/{id}/goals")]
pub async fn list_unit_goals(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<GoalListQuery>,
) -> Result<HttpResponse, ApiError> {
    unit_list(user, state, id.into_inner(), query.into_inner()).await
}

/// Export a unit's goals as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Unit id", minimum = 1), GoalExportQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/units/{id}/goals/export")]
pub async fn export_unit_goals(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<GoalExportQuery>,
) -> Result<HttpResponse, ApiError> {
    unit_list(user, state, id.into_inner(), query.into_inner().into()).await
}

async fn unit_list(
    user: AuthUser,
    state: web::Data<AppState>,
    id: i64,
    q: GoalListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<GoalSort>()?;
    let csv_wanted = csv::wanted(q.format);
    let scope = user.scope.clone();
    state
        .db
        .read(move |c| ops::units::visible(c, &scope, id).map(|_| ()))
        .await?;
    let filter = GoalFilter {
        unit_id: Some(id),
        year: q.year,
        period: q.period,
    };
    csv::list::<_, _, GoalResponse, _>(&state.db, csv_wanted, "goals", page, move |c, p| {
        Ok(goals::list(c, &filter, p)?)
    })
    .await
}

/// A unit the caller may write goals for: one its scope reaches (their own, for an officer).
fn writable_unit(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<(), ApiError> {
    ops::units::visible(c, scope, id).map(|_| ())
}

/// Set a goal for a unit (admins, or the unit's officer).
///
/// The target is an exact decimal written as a string: above 0 when higher is better, 0 or more
/// when lower is better (`"0"` complaints). Report the actual later with a PATCH.
#[utoipa::path(
    tag = "goals",
    request_body = CreateGoal,
    params(("id" = i64, Path, description = "Unit id", minimum = 1), IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = GoalResponse,
            headers(("Location" = String, description = "The new goal"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Neither an admin nor a unit officer"),
        (status = 404, description = "No such unit, or not yours"),
        (status = 422, description = "Invalid fields, or a target on the wrong side of 0"),
    )
)]
#[post("/units/{id}/goals")]
pub async fn create_goal(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    id: web::Path<i64>,
    body: Json<CreateGoal>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditGoals)?;
    let body = body.into_inner()?;
    let data = body.clone().into_data()?;
    let (id, actor, scope) = (id.into_inner(), user.actor(), user.scope.clone());
    idempotency
        .run(&state.db, &user, &body, move |c| {
            writable_unit(c, &scope, id)?;
            let res = GoalResponse::from(ops::goals::create(c, &actor, id, &data)?);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a goal, with its progress and status as of today.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Goal id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The goal", body = GoalResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/goals/{id}")]
pub async fn get_goal(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let goal = state
        .db
        .read(move |c| ops::goals::visible(c, &user.scope, id))
        .await?;
    let res = GoalResponse::from(goal);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Change a goal or report its actual (admins, or the unit's officer).
///
/// Needs `If-Match`. `{"actual": "98.5"}` reports progress; `null` clears it.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Goal id", minimum = 1), IfMatch),
    request_body(content = GoalPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "Updated", body = GoalResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Neither an admin nor a unit officer"),
        (status = 422, description = "Invalid fields, or a target on the wrong side of 0"),
    )
)]
#[patch("/goals/{id}")]
pub async fn update_goal(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: MergePatch<GoalPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditGoals)?;
    let patch = body.into_inner()?;
    let (id, actor, scope) = (id.into_inner(), user.actor(), user.scope.clone());
    let goal = state
        .db
        .write(move |c| ops::goals::update(c, (&actor, &scope), id, &if_match, |d| patch.apply(d)))
        .await?;
    let res = GoalResponse::from(goal);
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res))
}

/// Delete a goal (admins, or the unit's officer).
///
/// Needs `If-Match`.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Goal id", minimum = 1), IfMatch),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 204, description = "Deleted"),
        (status = 403, description = "Neither an admin nor a unit officer"),
    )
)]
#[delete("/goals/{id}")]
pub async fn delete_goal(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::EditGoals)?;
    let (id, actor, scope) = (id.into_inner(), user.actor(), user.scope.clone());
    state
        .db
        .write(move |c| ops::goals::delete(c, (&actor, &scope), id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The members of a bloc in a year that the caller's scope reaches, each with its goals.
fn bloc_goals(
    c: &mut AnyConnection,
    scope: &Scope,
    bloc_id: i64,
    q: &BlocGoalsQuery,
) -> Result<BlocGoalsResponse, ApiError> {
    ops::blocs::visible(c, scope, bloc_id)?;
    let visible = scope::unit_ids(c, scope)?;
    let list: Vec<members::Member> = members::of_year(c, bloc_id, q.year)?
        .into_iter()
        .filter(|m| visible.as_ref().is_none_or(|ids| ids.contains(&m.unit_id)))
        .collect();
    let ids: Vec<i64> = list.iter().map(|m| m.unit_id).collect();
    let mut all = goals::of_units(c, &ids, q.year, q.period)?;
    let today = today();
    let members = list
        .into_iter()
        .map(|m| {
            let goals = all
                .extract_if(.., |g| g.unit_id == m.unit_id)
                .map(|g| GoalResponse::on(g, today))
                .collect();
            MemberGoals {
                unit_id: m.unit_id,
                unit_code: m.unit_code,
                unit_name: m.unit_name,
                role: m.role,
                goals,
            }
        })
        .collect();
    Ok(BlocGoalsResponse {
        bloc_id,
        year: q.year,
        period: q.period,
        members,
    })
}

async fn read_bloc_goals(
    user: AuthUser,
    state: &AppState,
    id: i64,
    q: BlocGoalsQuery,
) -> Result<BlocGoalsResponse, ApiError> {
    q.validate().map_err(query_error)?;
    state
        .db
        .read(move |c| bloc_goals(c, &user.scope, id, &q))
        .await
}

/// A bloc's members of a year side by side, each with its goals.
///
/// The chair first, then the deputies, then the members; each member's goals of the year (or of
/// `period`). A caller sees the members its scope reaches: all of them for admins, viewers of
/// the province and the bloc's chair, its own unit for a unit officer. `…/goals/export` gives
/// the same as CSV, `…/goals/workbook` as an XLSX workbook.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), BlocGoalsQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The members and their goals", body = BlocGoalsResponse),
    )
)]
#[get("/blocs/{id}/goals")]
pub async fn list_bloc_goals(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<BlocGoalsQuery>,
) -> Result<HttpResponse, ApiError> {
    let res = read_bloc_goals(user, &state, id.into_inner(), query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(res))
}

/// Export a bloc's goals of a year as CSV: one row per goal, its member first.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), BlocGoalsQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/blocs/{id}/goals/export")]
pub async fn export_bloc_goals(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<BlocGoalsQuery>,
) -> Result<HttpResponse, ApiError> {
    let res = read_bloc_goals(user, &state, id.into_inner(), query.into_inner()).await?;
    let header: Vec<&str> = BLOC_GOAL_COLUMNS.iter().map(|c| c.0).collect();
    csv::table("bloc-goals", &header, res.rows())
}

/// A bloc's goals of a year as an XLSX workbook: Vietnamese and English headers, one row per
/// goal, its member first; targets, actuals and progress as numbers.
#[utoipa::path(
    tag = "goals",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), BlocGoalsQuery),
    security(("bearer" = [])),
    responses(XlsxExport, ScopedRead)
)]
#[get("/blocs/{id}/goals/workbook")]
pub async fn export_bloc_goals_workbook(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<BlocGoalsQuery>,
) -> Result<HttpResponse, ApiError> {
    let res = read_bloc_goals(user, &state, id.into_inner(), query.into_inner()).await?;
    xlsx::response("bloc-goals", "Chỉ tiêu", BLOC_GOAL_COLUMNS, res.rows())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_unit_goals)
        .service(export_unit_goals)
        .service(create_goal)
        .service(get_goal)
        .service(update_goal)
        .service(delete_goal)
        .service(list_bloc_goals)
        .service(export_bloc_goals)
        .service(export_bloc_goals_workbook);
}
