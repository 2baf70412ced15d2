//! The role × operation matrix, generated from the API document: every operation is called by
//! every role (and without a token) on an object inside the caller's scope and on one outside
//! it, and the outcome class (2xx, 401, 403, 404) is compared with the table below.
//!
//! The table is keyed by `operationId`. An operation of the document that has no row fails the
//! test, so a new endpoint cannot ship without a decision on who may call it; a row without an
//! operation fails too. `THIDUA_MATRIX_PRINT=1` prints the observed table in the same form.
//!
//! Scopes: the bloc chair chairs bloc X, whose member is unit A; the unit officer and the viewer
//! belong to unit A. "In" objects are unit A, bloc X, a person of A, A's registration; "out"
//! objects are unit B, bloc Y (member B), a person of B, B's registration. For an operation with
//! no object in a scope (lists, the caller's own session, province-wide movements, accounts),
//! both columns call the same thing and `-` stands in the "out" place.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

/// Expected outcomes per operation: admin, bloc_chair, unit_officer, viewer as "in/out", then
/// the caller without a token.
const EXPECTED: &[(&str, [&str; 5])] = &[
    // Operations that need no token.
    ("healthz", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("readyz", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("metrics", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("login", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    ("refresh", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "2xx"]),
    // The caller's own session.
    ("me", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    ("logout", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "change_password",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    // Accounts and the audit trail: the board's administrators only.
    ("list_users", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    ("create_user", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    ("get_user", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    ("update_user", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    (
        "set_user_password",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "list_audit_events",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    // Units: read within the scope, written by administrators.
    ("list_units", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "create_unit",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_unit",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_unit",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_unit",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "list_unit_ancestors",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "list_unit_children",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "list_unit_blocs",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "list_unit_registrations",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    ("import_units", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    // Persons: read within the scope, written by administrators.
    ("list_persons", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "create_person",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_person",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_person",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_person",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "import_persons",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Blocs and their yearly members.
    ("list_blocs", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    ("create_bloc", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    (
        "get_bloc",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_bloc",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_bloc",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_bloc_members",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "replace_bloc_members",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Movements are province-wide; registrations belong to a unit.
    (
        "list_movements",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "create_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    ("get_movement", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "update_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "delete_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "list_registrations",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "create_registration",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    (
        "get_registration",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_registration",
        ["2xx/2xx", "403/403", "2xx/404", "403/403", "401"],
    ),
    // Workflow steps: the board's.
    (
        "transition_movement",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    (
        "transition_registration",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Covenants: read within the bloc scope, written by administrators.
    (
        "list_covenants",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_covenants",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "create_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_covenant",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "update_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "delete_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "get_covenant_criteria",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "replace_covenant_criteria",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    (
        "copy_covenant",
        ["2xx/2xx", "403/403", "403/403", "403/403", "401"],
    ),
    // Score sheets: the unit its self-assessment, the chair the others' cross sheets, the
    // board everything; the chair here is a bloc chair user, who does not write self sheets.
    (
        "list_score_sheets",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "export_score_sheets",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "create_score_sheet",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "get_score_sheet",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "put_score_entry",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "replace_score_entries",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "transition_score_sheet",
        ["2xx/2xx", "403/404", "2xx/404", "403/403", "401"],
    ),
    (
        "list_score_sheet_history",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "get_bloc_ranking",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_ranking",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_bloc_ranking_workbook",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    // Each CSV export answers exactly as the list beside it.
    ("export_users", ["2xx/-", "403/-", "403/-", "403/-", "401"]),
    (
        "export_audit_events",
        ["2xx/-", "403/-", "403/-", "403/-", "401"],
    ),
    ("export_units", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "export_unit_children",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_unit_registrations",
        ["2xx/2xx", "2xx/404", "2xx/404", "2xx/404", "401"],
    ),
    (
        "export_persons",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    ("export_blocs", ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"]),
    (
        "export_movements",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
    (
        "export_registrations",
        ["2xx/-", "2xx/-", "2xx/-", "2xx/-", "401"],
    ),
];

const ROLES: [&str; 4] = ["admin", "bloc_chair", "unit_officer", "viewer"];
const YEAR: i64 = 2026;

/// What the matrix runs against.
struct Fixture {
    admin: String,
    unit_a: i64,
    unit_b: i64,
    bloc_x: i64,
    bloc_y: i64,
    person_a: i64,
    person_b: i64,
    movement: i64,
    reg_a: i64,
    reg_b: i64,
    /// The 2026 covenants of bloc X and Y, locked by a submitted board sheet each.
    cov_x: i64,
    cov_y: i64,
    /// A draft self-assessment of unit A (under X) and of unit B (under Y), for H1.
    sheet_a: i64,
    sheet_b: i64,
}

/// Who calls: a role's account (its username, for a fresh login) or nobody.
#[derive(Clone, Copy)]
enum Caller {
    Role(usize),
    Anonymous,
}

/// One request of the matrix.
struct Call {
    method: Method,
    path: String,
    body: Option<(&'static str, Vec<u8>)>,
    headers: Vec<(&'static str, String)>,
    /// Replaces the caller's token (a throwaway account's, for logout, refresh, password).
    token: Option<Option<String>>,
}

impl Call {
    fn new(method: Method, path: impl Into<String>) -> Call {
        Call {
            method,
            path: path.into(),
            body: None,
            headers: vec![],
            token: None,
        }
    }

    fn json(mut self, body: Value) -> Call {
        self.body = Some(("application/json", body.to_string().into_bytes()));
        self
    }

    fn merge_patch(mut self, body: Value) -> Call {
        self.body = Some((
            "application/merge-patch+json",
            body.to_string().into_bytes(),
        ));
        self
    }

    fn csv(mut self, text: String) -> Call {
        self.body = Some(("text/csv", text.into_bytes()));
        self
    }

    fn if_match(mut self, etag: String) -> Call {
        self.headers.push(("if-match", etag));
        self
    }
}

static SEQ: AtomicUsize = AtomicUsize::new(0);
static YEARS: AtomicUsize = AtomicUsize::new(2030);

/// A covenant year no call of the run has used.
fn fresh_year() -> usize {
    YEARS.fetch_add(1, Ordering::Relaxed)
}

/// One criterion, not mandatory, so that an empty sheet may be submitted.
fn criteria() -> Value {
    json!({"groups": [{"name": "Nhiệm vụ chính trị", "criteria": [
        {"code": "1.1", "content": "Hoàn thành chỉ tiêu được giao", "max_points": 50}]}],
        "bands": [{"label": "Xuất sắc", "min_points": 45, "max_points": 50}]})
}

/// A covenant of `bloc` for `year`, with [`criteria`].
async fn new_covenant(app: &TestApp, admin: &str, bloc: i64, year: usize) -> i64 {
    let id = id_of(
        app,
        admin,
        &format!("/api/v1/blocs/{bloc}/covenants"),
        json!({"year": year, "content": "Giao ước thi đua"}),
    )
    .await;
    let path = format!("/api/v1/covenants/{id}/criteria");
    let tag = etag(app, admin, &path).await;
    let res = app
        .request(Method::PUT, &path)
        .token(admin)
        .header("if-match", &tag)
        .json(&criteria())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    id
}

async fn new_sheet(
    app: &TestApp,
    admin: &str,
    covenant: i64,
    unit: i64,
    period: &str,
    kind: &str,
) -> i64 {
    id_of(
        app,
        admin,
        "/api/v1/score-sheets",
        json!({"covenant_id": covenant, "unit_id": unit, "period": period, "kind": kind}),
    )
    .await
}

/// A draft self-assessment of `unit`, alone in a fresh year of `bloc` that it chairs.
async fn fresh_sheet(app: &TestApp, admin: &str, bloc: i64, unit: i64) -> i64 {
    let year = fresh_year();
    let res = app
        .request(Method::PUT, &format!("/api/v1/blocs/{bloc}/members/{year}"))
        .token(admin)
        .header("if-match", "*")
        .json(&json!({"members": [{"unit_id": unit, "role": "chair"}]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let covenant = new_covenant(app, admin, bloc, year).await;
    new_sheet(app, admin, covenant, unit, "h1", "self").await
}

/// A 2026 covenant of `bloc`, locked by a submitted board sheet of `unit`.
async fn locked_covenant(app: &TestApp, admin: &str, bloc: i64, unit: i64) -> i64 {
    let covenant = new_covenant(app, admin, bloc, YEAR as usize).await;
    let sheet = new_sheet(app, admin, covenant, unit, "year", "board").await;
    let res = app
        .post(
            &format!("/api/v1/score-sheets/{sheet}/transitions"),
            admin,
            &json!({"action": "submit"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    covenant
}

/// A name no other call of the run has used.
fn fresh(prefix: &str) -> String {
    format!("{prefix}{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

fn username(role: usize) -> String {
    format!("mx.{}", ROLES[role].replace('_', "."))
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let res = app.post(path, token, &body).await;
    assert_eq!(
        res.status,
        201,
        "{path}: {}",
        String::from_utf8_lossy(&res.body)
    );
    res.json()
}

async fn id_of(app: &TestApp, token: &str, path: &str, body: Value) -> i64 {
    created(app, token, path, body).await["id"]
        .as_i64()
        .unwrap()
}

async fn new_unit(app: &TestApp, admin: &str) -> i64 {
    let code = fresh("MX-U");
    id_of(
        app,
        admin,
        "/api/v1/units",
        json!({"code": code, "name": format!("Đơn vị {code}"), "kind": "administrative",
               "valid_from": "2008-01-01"}),
    )
    .await
}

async fn new_person(app: &TestApp, admin: &str, unit: i64) -> i64 {
    id_of(
        app,
        admin,
        "/api/v1/persons",
        json!({"full_name": "Nguyễn Văn An", "unit_id": unit}),
    )
    .await
}

async fn new_bloc(app: &TestApp, admin: &str, member: Option<i64>) -> i64 {
    let code = fresh("MX-K");
    let id = id_of(
        app,
        admin,
        "/api/v1/blocs",
        json!({"code": code, "name": format!("Khối {code}"), "kind": "bloc",
               "level": "province", "active_from": 2020}),
    )
    .await;
    if let Some(unit) = member {
        let res = app
            .request(Method::PUT, &format!("/api/v1/blocs/{id}/members/{YEAR}"))
            .token(admin)
            .header("if-match", "*")
            .json(&json!({"members": [{"unit_id": unit, "role": "chair"}]}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    }
    id
}

/// A movement open for registration.
async fn new_movement(app: &TestApp, admin: &str) -> i64 {
    let id = id_of(
        app,
        admin,
        "/api/v1/movements",
        json!({"name": fresh("Phong trào "), "scope": "province", "form": "regular",
               "start_date": "2026-03-15"}),
    )
    .await;
    let res = app
        .post(
            &format!("/api/v1/movements/{id}/transitions"),
            admin,
            &json!({"action": "open"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    id
}

async fn new_registration(app: &TestApp, admin: &str, movement: i64, unit: i64) -> i64 {
    id_of(
        app,
        admin,
        &format!("/api/v1/movements/{movement}/registrations"),
        json!({"unit_id": unit, "pledge": "Giảm 10% chi phí điện, nước"}),
    )
    .await
}

async fn etag(app: &TestApp, admin: &str, path: &str) -> String {
    let res = app.get(path, admin).await;
    assert_eq!(
        res.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&res.body)
    );
    res.header("etag").unwrap()
}

/// The account fields that give a role its scope.
fn scope_of(role: usize, f: &Fixture) -> Value {
    match ROLES[role] {
        "bloc_chair" => json!({"bloc_ids": [f.bloc_x]}),
        "unit_officer" | "viewer" => json!({"unit_id": f.unit_a}),
        _ => json!({}),
    }
}

async fn fixture(app: &TestApp) -> Fixture {
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
    let cov_x = locked_covenant(app, &admin, bloc_x, unit_a).await;
    let cov_y = locked_covenant(app, &admin, bloc_y, unit_b).await;
    let sheet_a = new_sheet(app, &admin, cov_x, unit_a, "h1", "self").await;
    let sheet_b = new_sheet(app, &admin, cov_y, unit_b, "h1", "self").await;
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

/// The request for `op` by `caller` on the object inside (`out == false`) or outside its scope.
async fn call(app: &TestApp, f: &Fixture, op: &str, caller: Caller, out: bool) -> Call {
    let admin = f.admin.as_str();
    let unit = if out { f.unit_b } else { f.unit_a };
    let bloc = if out { f.bloc_y } else { f.bloc_x };
    let person = if out { f.person_b } else { f.person_a };
    let reg = if out { f.reg_b } else { f.reg_a };
    let role = match caller {
        Caller::Role(r) => Some(r),
        Caller::Anonymous => None,
    };
    let is_admin = role == Some(0);
    let covenant = if out { f.cov_y } else { f.cov_x };
    let sheet = if out { f.sheet_b } else { f.sheet_a };
    let m = f.movement;
    match op {
        "healthz" => Call::new(Method::GET, "/healthz"),
        "readyz" => Call::new(Method::GET, "/readyz"),
        "metrics" => Call::new(Method::GET, "/metrics"),
        "login" => {
            let (name, password) = match role {
                Some(0) | None => ("admin".to_owned(), crate::helpers::ADMIN_PASSWORD),
                Some(r) => (username(r), PASSWORD),
            };
            Call::new(Method::POST, "/api/v1/auth/login")
                .json(json!({"username": name, "password": password}))
        }
        "refresh" | "logout" => {
            // A throwaway account of the same role and scope: logging out ends every access
            // token of the account, the matrix's own included.
            let r = role.unwrap_or(1);
            let name = fresh("mx.session.");
            app.create_user(admin, &name, ROLES[r], scope_of(r, f))
                .await;
            let res = app.login(&name, PASSWORD).await;
            assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
            let s = res.json();
            let mut c = Call::new(Method::POST, format!("/api/v1/auth/{op}"))
                .json(json!({"refresh_token": s["refresh_token"]}));
            if role.is_some() {
                c.token = Some(s["access_token"].as_str().map(str::to_owned));
            }
            c
        }
        "me" => Call::new(Method::GET, "/api/v1/auth/me"),
        "change_password" => {
            // A throwaway account of the same role and scope, so the matrix keeps its own.
            let mut c = Call::new(Method::POST, "/api/v1/auth/password").json(
                json!({"current_password": PASSWORD, "new_password": "một-mật-khẩu-mới-2026"}),
            );
            if let Some(r) = role {
                let name = fresh("mx.pw.");
                let extra = scope_of(r, f);
                app.create_user(admin, &name, ROLES[r], extra).await;
                c.token = Some(Some(app.token(&name, PASSWORD).await));
            }
            c
        }
        "list_users" => Call::new(Method::GET, "/api/v1/users"),
        "create_user" => Call::new(Method::POST, "/api/v1/users")
            .json(json!({"username": fresh("mx.new."), "password": PASSWORD, "role": "viewer"})),
        "get_user" | "update_user" | "set_user_password" => {
            let name = fresh("mx.other.");
            let id = app.create_user(admin, &name, "viewer", json!({})).await["id"]
                .as_i64()
                .unwrap();
            let path = format!("/api/v1/users/{id}");
            match op {
                "get_user" => Call::new(Method::GET, path),
                "update_user" => Call::new(Method::PATCH, &path)
                    .if_match(etag(app, admin, &path).await)
                    .merge_patch(json!({"full_name": "Trần Văn Bình"})),
                _ => Call::new(Method::PUT, format!("{path}/password"))
                    .if_match("*".into())
                    .json(json!({"password": "mật-khẩu-mới-đủ-dài"})),
            }
        }
        "list_audit_events" => Call::new(Method::GET, "/api/v1/audit-events"),
        "list_units" => Call::new(Method::GET, "/api/v1/units"),
        "create_unit" => {
            let code = fresh("MX-N");
            Call::new(Method::POST, "/api/v1/units").json(json!({
                "code": code, "name": format!("Đơn vị {code}"), "kind": "administrative",
                "valid_from": "2010-01-01", "parent_id": unit}))
        }
        "get_unit" => Call::new(Method::GET, format!("/api/v1/units/{unit}")),
        "update_unit" => {
            let path = format!("/api/v1/units/{unit}");
            Call::new(Method::PATCH, &path)
                .if_match(etag(app, admin, &path).await)
                .merge_patch(json!({"short_name": "ĐV"}))
        }
        "delete_unit" => {
            // An administrator deletes a unit nothing refers to; others try the real one.
            let target = if is_admin {
                new_unit(app, admin).await
            } else {
                unit
            };
            let path = format!("/api/v1/units/{target}");
            Call::new(Method::DELETE, &path).if_match(etag(app, admin, &path).await)
        }
        "list_unit_ancestors"
        | "list_unit_children"
        | "list_unit_blocs"
        | "list_unit_registrations" => {
            let tail = op.trim_start_matches("list_unit_");
            Call::new(Method::GET, format!("/api/v1/units/{unit}/{tail}"))
        }
        "import_units" => {
            let code = fresh("MX-I");
            Call::new(Method::POST, "/api/v1/imports/units?dry_run=true").csv(format!(
                "code,name,kind,valid_from\n{code},Đơn vị {code},administrative,2010-01-01\n"
            ))
        }
        "list_persons" => Call::new(Method::GET, "/api/v1/persons"),
        "create_person" => Call::new(Method::POST, "/api/v1/persons")
            .json(json!({"full_name": "Lê Thị Hoa", "unit_id": unit})),
        "get_person" => Call::new(Method::GET, format!("/api/v1/persons/{person}")),
        "update_person" => {
            let path = format!("/api/v1/persons/{person}");
            Call::new(Method::PATCH, &path)
                .if_match(etag(app, admin, &path).await)
                .merge_patch(json!({"position": "Chuyên viên"}))
        }
        "delete_person" => {
            let target = new_person(app, admin, unit).await;
            let path = format!("/api/v1/persons/{target}");
            Call::new(Method::DELETE, &path).if_match(etag(app, admin, &path).await)
        }
        "import_persons" => {
            let code = app
                .get(&format!("/api/v1/units/{unit}"), admin)
                .await
                .json()["code"]
                .as_str()
                .unwrap()
                .to_owned();
            Call::new(Method::POST, "/api/v1/imports/persons?dry_run=true")
                .csv(format!("full_name,unit_code\nPhạm Văn Đức,{code}\n"))
        }
        "list_blocs" => Call::new(Method::GET, "/api/v1/blocs"),
        "create_bloc" => {
            let code = fresh("MX-B");
            Call::new(Method::POST, "/api/v1/blocs").json(json!({
                "code": code, "name": format!("Khối {code}"), "kind": "cluster",
                "level": "province", "active_from": 2021}))
        }
        "get_bloc" => Call::new(Method::GET, format!("/api/v1/blocs/{bloc}")),
        "update_bloc" => {
            let path = format!("/api/v1/blocs/{bloc}");
            Call::new(Method::PATCH, &path)
                .if_match(etag(app, admin, &path).await)
                .merge_patch(json!({"description": "Khối thi đua"}))
        }
        "delete_bloc" => {
            let target = if is_admin {
                new_bloc(app, admin, None).await
            } else {
                bloc
            };
            let path = format!("/api/v1/blocs/{target}");
            Call::new(Method::DELETE, &path).if_match(etag(app, admin, &path).await)
        }
        "get_bloc_members" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/members?year={YEAR}"),
        ),
        "replace_bloc_members" => {
            let member = if out { f.unit_b } else { f.unit_a };
            let path = format!("/api/v1/blocs/{bloc}/members/{YEAR}");
            let current = etag(
                app,
                admin,
                &format!("/api/v1/blocs/{bloc}/members?year={YEAR}"),
            )
            .await;
            Call::new(Method::PUT, path)
                .if_match(current)
                .json(json!({"members": [{"unit_id": member, "role": "chair"}]}))
        }
        "list_movements" => Call::new(Method::GET, "/api/v1/movements"),
        "create_movement" => Call::new(Method::POST, "/api/v1/movements").json(json!({
            "name": fresh("Phong trào mới "), "scope": "province", "form": "thematic",
            "start_date": "2026-05-01"})),
        "get_movement" => Call::new(Method::GET, format!("/api/v1/movements/{m}")),
        "update_movement" => {
            let path = format!("/api/v1/movements/{m}");
            Call::new(Method::PATCH, &path)
                .if_match(etag(app, admin, &path).await)
                .merge_patch(json!({"slogan": "Tiết kiệm là quốc sách"}))
        }
        "delete_movement" => {
            let target = new_movement(app, admin).await;
            let path = format!("/api/v1/movements/{target}");
            Call::new(Method::DELETE, &path).if_match(etag(app, admin, &path).await)
        }
        "list_registrations" => {
            Call::new(Method::GET, format!("/api/v1/movements/{m}/registrations"))
        }
        "create_registration" => {
            // A movement of its own, so that the unit is not registered yet.
            let target = new_movement(app, admin).await;
            Call::new(
                Method::POST,
                format!("/api/v1/movements/{target}/registrations"),
            )
            .json(json!({"unit_id": unit, "pledge": "Hoàn thành 100% chỉ tiêu"}))
        }
        "get_registration" => Call::new(
            Method::GET,
            format!("/api/v1/movements/{m}/registrations/{reg}"),
        ),
        "update_registration" => {
            // A registration of its own, still pending, for each call.
            let target = new_movement(app, admin).await;
            let rid = new_registration(app, admin, target, unit).await;
            let path = format!("/api/v1/movements/{target}/registrations/{rid}");
            Call::new(Method::PATCH, &path)
                .if_match(etag(app, admin, &path).await)
                .merge_patch(json!({"pledge": "Hoàn thành vượt mức chỉ tiêu"}))
        }
        "transition_movement" => {
            let target = new_movement(app, admin).await;
            Call::new(
                Method::POST,
                format!("/api/v1/movements/{target}/transitions"),
            )
            .json(json!({"action": "review"}))
        }
        "transition_registration" => {
            // A registration of its own, still pending, for each call.
            let target = new_movement(app, admin).await;
            let rid = new_registration(app, admin, target, unit).await;
            Call::new(
                Method::POST,
                format!("/api/v1/movements/{target}/registrations/{rid}/transitions"),
            )
            .json(json!({"action": "approve"}))
        }
        "export_users" => Call::new(Method::GET, "/api/v1/users/export"),
        "export_audit_events" => Call::new(Method::GET, "/api/v1/audit-events/export"),
        "export_units" => Call::new(Method::GET, "/api/v1/units/export"),
        "export_unit_children" => {
            Call::new(Method::GET, format!("/api/v1/units/{unit}/children/export"))
        }
        "export_unit_registrations" => Call::new(
            Method::GET,
            format!("/api/v1/units/{unit}/registrations/export"),
        ),
        "export_persons" => Call::new(Method::GET, "/api/v1/persons/export"),
        "export_blocs" => Call::new(Method::GET, "/api/v1/blocs/export"),
        "export_movements" => Call::new(Method::GET, "/api/v1/movements/export"),
        "export_registrations" => Call::new(
            Method::GET,
            format!("/api/v1/movements/{m}/registrations/export"),
        ),
        "list_covenants" => Call::new(Method::GET, format!("/api/v1/blocs/{bloc}/covenants")),
        "export_covenants" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/covenants/export"),
        ),
        "create_covenant" => Call::new(Method::POST, format!("/api/v1/blocs/{bloc}/covenants"))
            .json(json!({"year": fresh_year(), "content": "Giao ước thi đua"})),
        "get_covenant" => Call::new(Method::GET, format!("/api/v1/covenants/{covenant}")),
        "update_covenant" => {
            let path = format!("/api/v1/covenants/{covenant}");
            Call::new(Method::PATCH, &path)
                .if_match(etag(app, admin, &path).await)
                .merge_patch(json!({"place": "Hội trường Sở Tài nguyên và Môi trường"}))
        }
        "delete_covenant" => {
            let target = new_covenant(app, admin, bloc, fresh_year()).await;
            let path = format!("/api/v1/covenants/{target}");
            Call::new(Method::DELETE, &path).if_match(etag(app, admin, &path).await)
        }
        "get_covenant_criteria" => Call::new(
            Method::GET,
            format!("/api/v1/covenants/{covenant}/criteria"),
        ),
        "replace_covenant_criteria" => {
            let target = new_covenant(app, admin, bloc, fresh_year()).await;
            let path = format!("/api/v1/covenants/{target}/criteria");
            Call::new(Method::PUT, &path)
                .if_match(etag(app, admin, &path).await)
                .json(criteria())
        }
        "copy_covenant" => Call::new(Method::POST, format!("/api/v1/covenants/{covenant}/copy"))
            .json(json!({"year": fresh_year()})),
        "list_score_sheets" => Call::new(Method::GET, "/api/v1/score-sheets"),
        "export_score_sheets" => Call::new(Method::GET, "/api/v1/score-sheets/export"),
        "create_score_sheet" => {
            // Each caller its own period, so that the successful ones do not collide.
            let period = match role {
                Some(0) => "h2",
                _ => "year",
            };
            Call::new(Method::POST, "/api/v1/score-sheets").json(json!({
                "covenant_id": covenant, "unit_id": unit, "period": period, "kind": "self"}))
        }
        "get_score_sheet" => Call::new(Method::GET, format!("/api/v1/score-sheets/{sheet}")),
        "put_score_entry" => {
            let path = format!("/api/v1/score-sheets/{sheet}");
            Call::new(Method::PUT, format!("{path}/entries/1.1"))
                .if_match(etag(app, admin, &path).await)
                .json(json!({"points": 40.5, "evidence": "Báo cáo sơ kết 6 tháng"}))
        }
        "replace_score_entries" => {
            let path = format!("/api/v1/score-sheets/{sheet}");
            Call::new(Method::PUT, format!("{path}/entries"))
                .if_match(etag(app, admin, &path).await)
                .json(json!({"entries": [{"criterion_code": "1.1", "points": 42}]}))
        }
        "transition_score_sheet" => {
            let target = fresh_sheet(app, admin, bloc, unit).await;
            Call::new(
                Method::POST,
                format!("/api/v1/score-sheets/{target}/transitions"),
            )
            .json(json!({"action": "submit"}))
        }
        "list_score_sheet_history" => {
            Call::new(Method::GET, format!("/api/v1/score-sheets/{sheet}/history"))
        }
        "get_bloc_ranking" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/ranking?year={YEAR}&period=h1"),
        ),
        "export_bloc_ranking" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/ranking/export?year={YEAR}&period=h1"),
        ),
        "export_bloc_ranking_workbook" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/ranking/workbook?year={YEAR}&period=h1&basis=self"),
        ),
        other => panic!("the matrix has a row for {other} but no request for it"),
    }
}

fn class(status: u16) -> String {
    match status {
        200..=299 => "2xx".into(),
        s => s.to_string(),
    }
}

/// The operationIds of the API document.
fn operations() -> Vec<String> {
    let doc = serde_json::to_value(thidua::api::openapi()).unwrap();
    let mut ops = vec![];
    for item in doc["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                ops.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
    }
    ops.sort();
    ops
}

#[actix_web::test]
async fn every_operation_answers_every_role_as_the_matrix_says() {
    // Arrange
    let table: BTreeMap<&str, [&str; 5]> = EXPECTED.iter().copied().collect();
    assert_eq!(table.len(), EXPECTED.len(), "an operation has two rows");
    let ops = operations();
    let missing: Vec<&String> = ops
        .iter()
        .filter(|o| !table.contains_key(o.as_str()))
        .collect();
    let stale: Vec<&&str> = table
        .keys()
        .filter(|k| !ops.iter().any(|o| o == *k))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "operations without a row in EXPECTED: {missing:?}; rows without an operation: {stale:?}"
    );
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let mut tokens = vec![f.admin.clone()];
    for role in 1..ROLES.len() {
        tokens.push(app.token(&username(role), PASSWORD).await);
    }

    // Act
    let mut observed: Vec<(String, [String; 5])> = vec![];
    let mut wrong = vec![];
    for op in &ops {
        let expected = table[op.as_str()];
        let mut row: [String; 5] = Default::default();
        for (i, cell) in row.iter_mut().enumerate() {
            let caller = if i < ROLES.len() {
                Caller::Role(i)
            } else {
                Caller::Anonymous
            };
            let scoped = i < ROLES.len() && !expected[i].ends_with("/-");
            let mut got = vec![];
            for out in [false, true].into_iter().take(if scoped { 2 } else { 1 }) {
                let c = call(&app, &f, op, caller, out).await;
                let token = match (c.token.clone(), caller) {
                    (Some(t), _) => t,
                    (None, Caller::Role(r)) => Some(tokens[r].clone()),
                    (None, Caller::Anonymous) => None,
                };
                let mut req = app.request(c.method.clone(), &c.path);
                if let Some(t) = &token {
                    req = req.token(t);
                }
                for (k, v) in &c.headers {
                    req = req.header(k, v);
                }
                if let Some((ct, bytes)) = c.body {
                    req = req.body(ct, bytes);
                }
                let res = req.send().await;
                if std::env::var_os("THIDUA_MATRIX_PRINT").is_some() {
                    eprintln!("{op} {i} {out}: {} {}", c.method, res.status);
                }
                let outcome = class(res.status);
                let want = expected[i].split('/').nth(usize::from(out)).unwrap();
                if outcome != want {
                    wrong.push(format!(
                        "{op} as {} ({}): expected {want}, got {} {} {}",
                        ROLES.get(i).unwrap_or(&"anonymous"),
                        if out { "out of scope" } else { "in scope" },
                        res.status,
                        c.method,
                        String::from_utf8_lossy(&res.body)
                    ));
                }
                got.push(outcome);
            }
            if i < ROLES.len() && !scoped {
                got.push("-".into());
            }
            *cell = got.join("/");
        }
        observed.push((op.clone(), row));
    }

    // Assert
    if std::env::var_os("THIDUA_MATRIX_PRINT").is_some() {
        for (op, row) in &observed {
            println!("    (\"{op}\", {row:?}),");
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
