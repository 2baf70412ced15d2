//! `/blocs/{id}/members`: who is in a bloc in a year, and in which role; and
//! `/units/{id}/blocs`: the blocs of a unit.

use std::collections::HashMap;

use actix_web::{HttpResponse, get, put, web};

use super::visible;
use crate::api::bloc_types::{
    BlocMembersResponse, MembersQuery, ReplaceMembers, UnitBlocResponse, UnitBlocsQuery,
    UnitBlocsResponse, check_query_year,
};
use crate::api::responses::{AdminWrite, ScopedRead};
use crate::auth::AuthUser;
use crate::db::audit::{self, Change};
use crate::db::blocs::members::{self, Member};
use crate::db::blocs::{self, Bloc};
use crate::db::{AnyConnection, scope, units};
use crate::domain::MemberRole;
use crate::error::{ApiError, FieldError};
use crate::http::body::Json;
use crate::http::preconditions::IfMatch;
use crate::state::AppState;

/// The members of a bloc-year and their ETag.
fn load(c: &mut AnyConnection, bloc_id: i64, year: i32) -> Result<(Vec<Member>, String), ApiError> {
    let list = members::of_year(c, bloc_id, year)?;
    let tag = members::etag(bloc_id, year, &list);
    Ok((list, tag))
}

/// The rules that need the database: the bloc is active in the year, and every unit exists
/// and existed during it. Checked before writing so that the triggers, the backstop, never
/// have to refuse.
fn check_units(
    c: &mut AnyConnection,
    bloc: &Bloc,
    year: i32,
    new: &[(i64, MemberRole)],
) -> Result<(), ApiError> {
    if new.is_empty() {
        return Ok(());
    }
    let mut errors = Vec::new();
    if !bloc.data.active_in(year) {
        let to = bloc
            .data
            .active_to
            .map_or("today".to_owned(), |y| y.to_string());
        errors.push(FieldError::new(
            "year",
            "inactive",
            format!("the bloc is active from {} to {to}", bloc.data.active_from),
        ));
    }
    let ids: Vec<i64> = new.iter().map(|(id, _)| *id).collect();
    let spans: HashMap<i64, members::UnitSpan> = members::unit_spans(c, &ids)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    for (i, (unit, _)) in new.iter().enumerate() {
        let field = format!("members[{i}].unit_id");
        match spans.get(unit) {
            None => errors.push(FieldError::new(field, "unknown", "no unit has this id")),
            Some(s) if !s.valid_in(year) => errors.push(FieldError::new(
                field,
                "not_valid_in_year",
                format!("the unit did not exist during {year}"),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

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
    let (id, year) = (id.into_inner(), query.year);
    check_query_year("year", Some(year))?;
    let (res, tag) = state
        .db
        .read(move |c| {
            visible(c, &user, id)?;
            let (list, tag) = load(c, id, year)?;
            Ok((BlocMembersResponse::new(id, year, list), tag))
        })
        .await?;
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
    path: web::Path<(i64, i32)>,
    if_match: IfMatch,
    body: Json<ReplaceMembers>,
) -> Result<HttpResponse, ApiError> {
    user.require_admin()?;
    let body = body.into_inner()?;
    let (id, year) = path.into_inner();
    if !(1945..=2100).contains(&year) {
        return Err(ApiError::invalid(
            "year",
            "range",
            "must be between 1945 and 2100",
        ));
    }
    let new = body.check()?;
    let actor = user.actor();
    let (res, tag) = state
        .db
        .write(move |c| {
            let bloc = blocs::find(c, id)?.ok_or(ApiError::NotFound("bloc"))?;
            let (old, old_tag) = load(c, id, year)?;
            // `*` means "no members yet": it must not overwrite a list unseen.
            if_match.check_tag(&old_tag, old.is_empty())?;
            check_units(c, &bloc, year, &new)?;
            members::replace(c, id, year, &new)?;
            let (list, tag) = load(c, id, year)?;
            let before = BlocMembersResponse::new(id, year, old);
            let after = BlocMembersResponse::new(id, year, list);
            audit::record(
                c,
                &actor,
                Change::new("bloc.members_replace", "bloc", id)
                    .before(&before)
                    .after(&after),
            )?;
            Ok((after, tag))
        })
        .await?;
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
    let (id, year) = (id.into_inner(), query.year);
    check_query_year("year", year)?;
    let items = state
        .db
        .read(move |c| {
            if units::find(c, id)?.is_none() || !scope::reaches_unit(c, &user.scope, id)? {
                return Err(ApiError::NotFound("unit"));
            }
            let blocs = scope::bloc_ids(c, &user.scope)?;
            members::of_unit(c, id, year, blocs)
        })
        .await?;
    Ok(HttpResponse::Ok().json(UnitBlocsResponse {
        unit_id: id,
        year,
        items: items.into_iter().map(UnitBlocResponse::from).collect(),
    }))
}
