//! What the matrix runs against: units A and B, bloc X (member A) and Y (member B), a person
//! of each, a movement open with a registration of each, a goal of each unit, a draft review
//! of each bloc, a locked covenant of each bloc with a draft self-assessment of its unit, and
//! an account of each role.

use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::fixtures;
use crate::helpers::TestApp;

pub const ROLES: [&str; 4] = ["admin", "bloc_chair", "unit_officer", "viewer"];
pub const YEAR: i64 = 2026;

/// What the matrix runs against.
pub struct Fixture {
    pub admin: String,
    pub unit_a: i64,
    pub unit_b: i64,
    pub bloc_x: i64,
    pub bloc_y: i64,
    pub person_a: i64,
    pub person_b: i64,
    pub movement: i64,
    pub reg_a: i64,
    pub reg_b: i64,
    pub goal_a: i64,
    pub goal_b: i64,
    pub review_x: i64,
    pub review_y: i64,
    /// The 2026 covenants of bloc X and Y, locked by a submitted board sheet each.
    pub cov_x: i64,
    pub cov_y: i64,
    /// A draft self-assessment of unit A (under X) and of unit B (under Y), for H1.
    pub sheet_a: i64,
    pub sheet_b: i64,
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A name no other call of the run has used.
pub fn fresh(prefix: &str) -> String {
    format!("{prefix}{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

static YEARS: AtomicUsize = AtomicUsize::new(2030);

/// A covenant year no call of the run has used.
pub fn fresh_year() -> usize {
    YEARS.fetch_add(1, Ordering::Relaxed)
}

/// One criterion, not mandatory, so that an empty sheet may be submitted.
pub fn criteria() -> Value {
    json!({"groups": [{"name": "Nhiệm vụ chính trị", "criteria": [
        {"code": "1.1", "content": "Hoàn thành chỉ tiêu được giao", "max_points": 50}]}],
        "bands": [{"label": "Xuất sắc", "min_points": 45, "max_points": 50}]})
}

/// A covenant of `bloc` for `year`, with [`criteria`].
pub async fn new_covenant(app: &TestApp, admin: &str, bloc: i64, year: usize) -> i64 {
    let body = json!({"year": year, "content": "Giao ước thi đua"});
    let path = format!("/api/v1/blocs/{bloc}/covenants");
    let id = fixtures::id(&fixtures::created(app, admin, &path, &body).await);
    let path = format!("/api/v1/covenants/{id}/criteria");
    let res = fixtures::put_current(app, admin, &path, &path, &criteria()).await;
    fixtures::expect(&res, 200);
    id
}

pub async fn new_sheet(
    app: &TestApp,
    admin: &str,
    (covenant, unit): (i64, i64),
    period: &str,
    kind: &str,
) -> i64 {
    fixtures::id(&fixtures::sheet(app, admin, covenant, unit, period, kind).await)
}

/// A draft self-assessment of `unit`, alone in a fresh year of `bloc` that it chairs.
pub async fn fresh_sheet(app: &TestApp, admin: &str, bloc: i64, unit: i64) -> i64 {
    let year = fresh_year();
    fixtures::members(app, admin, bloc, year as i32, &[unit]).await;
    let covenant = new_covenant(app, admin, bloc, year).await;
    new_sheet(app, admin, (covenant, unit), "h1", "self").await
}

/// A [`YEAR`] covenant of `bloc`, locked by a submitted board sheet of `unit`.
async fn locked_covenant(app: &TestApp, admin: &str, bloc: i64, unit: i64) -> i64 {
    let covenant = new_covenant(app, admin, bloc, YEAR as usize).await;
    let sheet = new_sheet(app, admin, (covenant, unit), "year", "board").await;
    let path = format!("/api/v1/score-sheets/{sheet}");
    let res = fixtures::transition(app, admin, &path, "submit", None).await;
    fixtures::expect(&res, 200);
    covenant
}

pub fn username(role: usize) -> String {
    format!("mx.{}", ROLES[role].replace('_', "."))
}

pub async fn new_unit(app: &TestApp, admin: &str) -> i64 {
    fixtures::unit(app, admin, &fresh("MX-U")).await
}

pub async fn new_person(app: &TestApp, admin: &str, unit: i64) -> i64 {
    fixtures::person(app, admin, unit, "Nguyễn Văn An").await
}

/// A bloc with `member` (if any) as its chair in [`YEAR`].
pub async fn new_bloc(app: &TestApp, admin: &str, member: Option<i64>) -> i64 {
    let id = fixtures::bloc(app, admin, &fresh("MX-K")).await;
    if let Some(unit) = member {
        fixtures::members(app, admin, id, YEAR as i32, &[unit]).await;
    }
    id
}

pub async fn new_movement(app: &TestApp, admin: &str) -> i64 {
    let body = json!({"name": fresh("Phong trào "), "end_date": null});
    let id = fixtures::id(&fixtures::movement(app, admin, body).await);
    let path = format!("/api/v1/movements/{id}");
    fixtures::expect(
        &fixtures::transition(app, admin, &path, "open", None).await,
        200,
    );
    id
}

pub async fn new_registration(app: &TestApp, admin: &str, movement: i64, unit: i64) -> i64 {
    fixtures::registration(app, admin, movement, unit).await
}

pub async fn new_goal(app: &TestApp, admin: &str, unit: i64) -> i64 {
    let body = json!({"year": YEAR, "title": "Giải quyết hồ sơ đúng hạn"});
    fixtures::id(&fixtures::goal(app, admin, unit, body).await)
}

/// A draft midyear review of `bloc` in the matrix's year, hosted by `host`.
pub async fn new_review(app: &TestApp, admin: &str, bloc: i64, host: i64) -> i64 {
    let body = json!({"year": YEAR, "held_on": "2026-07-29", "host_unit_id": host,
        "focus_tasks": [{"text": "Đẩy mạnh phong trào thi đua"}]});
    fixtures::id(&fixtures::review(app, admin, bloc, body).await)
}

/// The account fields that give a role its scope.
pub fn scope_of(role: usize, f: &Fixture) -> Value {
    match ROLES[role] {
        "bloc_chair" => json!({"bloc_ids": [f.bloc_x]}),
        "unit_officer" | "viewer" => json!({"unit_id": f.unit_a}),
        _ => json!({}),
    }
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.admin_token().await;
    let unit_a = new_unit(app, &admin).await;
    let unit_b = new_unit(app, &admin).await;
    let bloc_x = new_bloc(app, &admin, Some(unit_a)).await;
    let bloc_y = new_bloc(app, &admin, Some(unit_b)).await;
    let person_a = new_person(app, &admin, unit_a).await;
    let person_b = new_person(app, &admin, unit_b).await;
    let movement = new_movement(app, &admin).await;
    let reg_a = new_registration(app, &admin, movement, unit_a).await;
    let reg_b = new_registration(app, &admin, movement, unit_b).await;
    let goal_a = new_goal(app, &admin, unit_a).await;
    let goal_b = new_goal(app, &admin, unit_b).await;
    let review_x = new_review(app, &admin, bloc_x, unit_a).await;
    let review_y = new_review(app, &admin, bloc_y, unit_b).await;
    let cov_x = locked_covenant(app, &admin, bloc_x, unit_a).await;
    let cov_y = locked_covenant(app, &admin, bloc_y, unit_b).await;
    let sheet_a = new_sheet(app, &admin, (cov_x, unit_a), "h1", "self").await;
    let sheet_b = new_sheet(app, &admin, (cov_y, unit_b), "h1", "self").await;
    let f = Fixture {
        admin,
        unit_a,
        unit_b,
        bloc_x,
        bloc_y,
        person_a,
        person_b,
        movement,
        reg_a,
        reg_b,
        goal_a,
        goal_b,
        review_x,
        review_y,
        cov_x,
        cov_y,
        sheet_a,
        sheet_b,
    };
    for (role, name) in ROLES.iter().enumerate().skip(1) {
        app.create_user(&f.admin, &username(role), name, scope_of(role, &f))
            .await;
    }
    f
}
