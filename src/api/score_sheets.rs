//! `/score-sheets`: units' self-assessments, the chair's cross assessments and the board's
//! scoring under a covenant, their entries while they are drafts, their workflow and history.
//!
//! A unit officer writes their unit's `self` sheet; the bloc chair (an officer of the chair
//! unit of that bloc-year, or a bloc chair user of the bloc) the `cross` sheets of the bloc's
//! other units; admins the `board` sheets and anything else. A sheet outside the caller's scope
//! is 404; inside it but not theirs to write, 403.

use actix_web::{HttpResponse, get, post, put, web};

use super::score_sheet_types::{
    CreateSheet, EntryInput, ReplaceEntries, ScoreSheetExportQuery, ScoreSheetHistoryResponse,
    ScoreSheetListQuery, ScoreSheetResponse, ScoreSheetTransition,
};
use crate::api::responses::{CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::db::score_sheets::{self as sheets, SheetFilter, SheetSort};
use crate::domain::Permission;
use crate::error::ApiError;
use crate::http::body::Json;
use crate::http::csv;
use crate::http::idempotency::{IdempotencyKey, Reply};
use crate::http::preconditions::{IfMatch, etag};
use crate::ops;
use crate::pagination::Page;
use crate::state::AppState;

fn location(id: i64) -> String {
    format!("/api/v1/score-sheets/{id}")
}

fn answer(res: ScoreSheetResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("ETag", etag(res.version)))
        .json(res)
}

/// List score sheets.
///
/// Officers see their unit's sheets and, when their unit chairs a bloc-year, that bloc's;
/// bloc chairs their blocs'; admins and province-wide viewers all. The answer is always JSON;
/// `GET /score-sheets/export` gives every match as CSV.
#[utoipa::path(
    tag = "score-sheets",
    params(ScoreSheetListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "One page of score sheets", body = Page<ScoreSheetResponse>))
)]
#[get("/score-sheets")]
pub async fn list_score_sheets(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ScoreSheetListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export score sheets as CSV (without their entries).
#[utoipa::path(
    tag = "score-sheets",
    params(ScoreSheetExportQuery),
    security(("bearer" = [])),
    responses(CsvExport)
)]
#[get("/score-sheets/export")]
pub async fn export_score_sheets(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ScoreSheetExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    q: ScoreSheetListQuery,
) -> Result<HttpResponse, ApiError> {
    let page = q.page::<SheetSort>()?;
    let csv_wanted = csv::wanted(q.format);
    let scope = user.scope;
    csv::list::<_, _, ScoreSheetResponse, _>(
        &state.db,
        csv_wanted,
        "score-sheets",
        page,
        move |c, p| {
            let filter = SheetFilter {
                visible: ops::score_sheets::visible_filter(c, &scope)?,
                bloc_id: q.bloc_id,
                year: q.year,
                period: q.period,
                unit_id: q.unit_id,
                kind: q.kind,
                state: q.state,
            };
            let page = sheets::list(c, &filter, p)?;
            let mut items = Vec::with_capacity(page.items.len());
            for sheet in page.items.iter().cloned() {
                items.push(ops::score_sheets::view_of(c, sheet)?);
            }
            Ok(Page {
                items,
                next_page_token: page.next_page_token,
                next: page.next,
            })
        },
    )
    .await
}

/// Start a score sheet, as a draft.
///
/// One per covenant, unit, period and kind; the unit must be a member of the bloc in the
/// covenant's year. Who may start which kind is the rule above: 404 for a covenant or unit
/// outside the caller's scope, 403 for a kind that is not theirs.
#[utoipa::path(
    tag = "score-sheets",
    request_body = CreateSheet,
    params(IdempotencyKey),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ScoreSheetResponse,
            headers(("Location" = String, description = "The new sheet"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not yours to write"),
        (status = 404, description = "No such covenant, or the unit is outside your scope"),
        (status = 409, description = "The unit has such a sheet for the period (`sheet_exists`)"),
        (status = 422, description = "Invalid fields, or the unit is not a member of the bloc that year"),
    )
)]
#[post("/score-sheets")]
pub async fn create_score_sheet(
    user: AuthUser,
    state: web::Data<AppState>,
    idempotency: IdempotencyKey,
    body: Json<CreateSheet>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ScoreSheets)?;
    let body = body.into_inner()?;
    let (actor, role, scope) = (user.actor(), user.role, user.scope.clone());
    let request = body.clone();
    idempotency
        .run(&state.db, &user, &request, move |c| {
            let view = ops::score_sheets::create(c, (&actor, (role, &scope)), &body)?;
            let res = ScoreSheetResponse::from(view);
            Reply::created(&res, location(res.id), etag(res.version))
        })
        .await
}

/// Get a score sheet with its entries and totals.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Score sheet id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The sheet", body = ScoreSheetResponse, headers(("ETag" = String, description = "Its version, for If-Match"))),
    )
)]
#[get("/score-sheets/{id}")]
pub async fn get_score_sheet(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let view = state
        .db
        .read(move |c| ops::score_sheets::view(c, &user.scope, id))
        .await?;
    Ok(answer(ScoreSheetResponse::from(view)))
}

/// Write the entry of one criterion.
///
/// Only in a draft (409 `sheet_not_draft` otherwise). Points from 0 to the criterion's maximum
/// on its step, bonus up to its maximum bonus (422 naming the criterion). Needs `If-Match` with
/// the sheet's ETag; the answer is the sheet with its new totals.
#[utoipa::path(
    tag = "score-sheets",
    params(
        ("id" = i64, Path, description = "Score sheet id", minimum = 1),
        ("criterion_code" = String, Path, description = "The criterion's code", max_length = 32, example = "1.1"),
        IfMatch,
    ),
    request_body = EntryInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sheet", body = ScoreSheetResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not yours to write"),
        (status = 404, description = "No such sheet (in your scope) or criterion"),
        (status = 409, description = "The sheet is not a draft (`sheet_not_draft`)"),
        (status = 422, description = "Points above the maximum or off the step"),
    )
)]
#[put("/score-sheets/{id}/entries/{criterion_code}")]
pub async fn put_score_entry(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    if_match: IfMatch,
    body: Json<EntryInput>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ScoreSheets)?;
    let input = body.into_inner()?;
    let (id, code) = path.into_inner();
    let (actor, role, scope) = (user.actor(), user.role, user.scope);
    let view = state
        .db
        .write(move |c| {
            ops::score_sheets::put_entry(
                c,
                (&actor, (role, &scope)),
                (id, &code),
                &if_match,
                &input,
            )
        })
        .await?;
    Ok(answer(ScoreSheetResponse::from(view)))
}

/// Replace every entry of a sheet.
///
/// The rules of a single entry, for each; each criterion once. Needs `If-Match`.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Score sheet id", minimum = 1), IfMatch),
    request_body = ReplaceEntries,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sheet", body = ScoreSheetResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not yours to write"),
        (status = 404, description = "No such sheet in your scope"),
        (status = 409, description = "The sheet is not a draft (`sheet_not_draft`)"),
        (status = 422, description = "An unknown criterion, one twice, points above a maximum"),
    )
)]
#[put("/score-sheets/{id}/entries")]
pub async fn replace_score_entries(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: Json<ReplaceEntries>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ScoreSheets)?;
    let input = body.into_inner()?;
    let id = id.into_inner();
    let (actor, role, scope) = (user.actor(), user.role, user.scope);
    let view = state
        .db
        .write(move |c| {
            ops::score_sheets::replace_entries(c, (&actor, (role, &scope)), id, &if_match, &input)
        })
        .await?;
    Ok(answer(ScoreSheetResponse::from(view)))
}

/// Move a sheet through its workflow.
///
/// `submit` (its writer; every mandatory criterion scored, else 422 naming the missing codes),
/// `approve` (the bloc chair of that bloc-year, or an admin), `publish` (admins), `return` (one
/// step back, with a reason). A published sheet is final: 409 `transition_not_allowed`.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Score sheet id", minimum = 1)),
    request_body = ScoreSheetTransition,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The sheet in its new state", body = ScoreSheetResponse, headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "Not yours to take"),
        (status = 404, description = "No such sheet in your scope"),
        (status = 409, description = "The action does not apply in the sheet's state, or the sheet is published (`transition_not_allowed`, naming `current_state` and `allowed_actions`)"),
        (status = 422, description = "A mandatory criterion has no entry, or a return without a reason"),
    )
)]
#[post("/score-sheets/{id}/transitions")]
pub async fn transition_score_sheet(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    body: Json<ScoreSheetTransition>,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ScoreSheets)?;
    let body = body.into_inner()?;
    validator::Validate::validate(&body)?;
    let id = id.into_inner();
    let (actor, role, scope) = (user.actor(), user.role, user.scope);
    let view = state
        .db
        .write(move |c| {
            ops::score_sheets::transition(
                c,
                (&actor, (role, &scope)),
                id,
                body.action,
                body.reason.as_deref(),
            )
        })
        .await?;
    Ok(answer(ScoreSheetResponse::from(view)))
}

/// A sheet's history: every step, who took it, when, and why.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Score sheet id", minimum = 1)),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The steps, oldest first", body = ScoreSheetHistoryResponse),
    )
)]
#[get("/score-sheets/{id}/history")]
pub async fn list_score_sheet_history(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let steps = state
        .db
        .read(move |c| ops::score_sheets::history(c, &user.scope, id))
        .await?;
    Ok(HttpResponse::Ok().json(ScoreSheetHistoryResponse {
        sheet_id: id,
        items: steps.into_iter().map(Into::into).collect(),
    }))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_score_sheets)
        .service(export_score_sheets)
        .service(create_score_sheet)
        .service(get_score_sheet)
        .service(replace_score_entries)
        .service(put_score_entry)
        .service(transition_score_sheet)
        .service(list_score_sheet_history);
}
