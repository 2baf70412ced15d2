//! What the matrix runs against: units A and B, bloc X (member A) and Y (member B), a person
//! of each, a movement open with a registration of each, and an account of each role.

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
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

/// A name no other call of the run has used.
pub fn fresh(prefix: &str) -> String {
    format!("{prefix}{}", SEQ.fetch_add(1, Ordering::Relaxed))
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
    };
    for (role, name) in ROLES.iter().enumerate().skip(1) {
        app.create_user(&f.admin, &username(role), name, scope_of(role, &f))
            .await;
    }
    f
}
