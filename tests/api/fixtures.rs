//! Builders for what tests stand on: units, persons, blocs with their members for a year, users
//! of each role with their tokens, and writes made with the current ETag. Every test file takes
//! them from here; no test file imports another.
//!
//! Each builder asserts that the API accepted the request, so a test reads as its own story and
//! a broken fixture fails where it was built.

#![allow(dead_code)] // until every test file has moved onto these builders

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestResponse};

/// The founding document's bloc: Khối Hạ tầng – Kinh tế – Kỹ thuật of Điện Biên, 2019.
pub const FOUNDING_BLOC: (&str, &str) = ("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật");

/// Its six member departments, the chair first, the deputy second.
pub const FOUNDING_UNITS: [(&str, &str); 6] = [
    ("STNMT", "Sở Tài nguyên và Môi trường"),
    ("SXD", "Sở Xây dựng"),
    ("SGTVT", "Sở Giao thông vận tải"),
    ("SCT", "Sở Công Thương"),
    ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("SKHDT", "Sở Kế hoạch và Đầu tư"),
];

/// The id of a created resource.
pub fn id(body: &Value) -> i64 {
    body["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {body}"))
}

/// Asserts the status, naming the body when it differs, and returns the JSON body.
pub fn expect(res: &TestResponse, status: u16) -> Value {
    assert_eq!(res.status, status, "{}", String::from_utf8_lossy(&res.body));
    if res.body.is_empty() {
        Value::Null
    } else {
        res.json()
    }
}

/// Creates a unit named "Đơn vị {code}", valid since 2008, and returns its id.
pub async fn unit(app: &TestApp, admin: &str, code: &str) -> i64 {
    unit_named(app, admin, code, &format!("Đơn vị {code}")).await
}

/// Creates a provincial administrative unit valid since 2008 and returns its id.
pub async fn unit_named(app: &TestApp, admin: &str, code: &str, name: &str) -> i64 {
    let body = json!({"code": code, "name": name, "kind": "administrative",
        "admin_level": "province", "valid_from": "2008-04-01"});
    id(&expect(&app.post("/api/v1/units", admin, &body).await, 201))
}

/// Creates units with these codes, in order.
pub async fn units(app: &TestApp, admin: &str, codes: &[&str]) -> Vec<i64> {
    let mut ids = Vec::with_capacity(codes.len());
    for code in codes {
        ids.push(unit(app, admin, code).await);
    }
    ids
}

/// Creates a person working in `unit_id` and returns its id.
pub async fn person(app: &TestApp, admin: &str, unit_id: i64, full_name: &str) -> i64 {
    let body = json!({"full_name": full_name, "unit_id": unit_id});
    id(&expect(
        &app.post("/api/v1/persons", admin, &body).await,
        201,
    ))
}

/// Creates a provincial bloc active since 2019 and returns its id.
pub async fn bloc(app: &TestApp, admin: &str, code: &str) -> i64 {
    bloc_named(app, admin, code, &format!("Khối {code}")).await
}

pub async fn bloc_named(app: &TestApp, admin: &str, code: &str, name: &str) -> i64 {
    let body = json!({"code": code, "name": name, "kind": "bloc", "level": "province",
        "founding_decision_number": "1234/QĐ-UBND", "founding_decision_date": "2018-12-20",
        "active_from": 2019});
    id(&expect(&app.post("/api/v1/blocs", admin, &body).await, 201))
}

/// Sets a bloc's members for a year: the first unit chairs, the second (if any) is deputy, the
/// rest are members. Replaces any list the year had.
pub async fn members(app: &TestApp, admin: &str, bloc: i64, year: i32, units: &[i64]) {
    let list: Vec<Value> = units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let role = match i {
                0 => "chair",
                1 => "deputy",
                _ => "member",
            };
            json!({"unit_id": u, "role": role})
        })
        .collect();
    let path = format!("/api/v1/blocs/{bloc}/members/{year}");
    let res = put_current(
        app,
        admin,
        &format!("/api/v1/blocs/{bloc}/members?year={year}"),
        &path,
        &json!({ "members": list }),
    )
    .await;
    expect(&res, 200);
}

/// A bloc with its units, members for one year.
pub struct Bloc {
    pub id: i64,
    /// The chair first, then the deputy, then the members.
    pub units: Vec<i64>,
    pub year: i32,
}

impl Bloc {
    pub fn chair(&self) -> i64 {
        self.units[0]
    }
}

/// Creates units with these codes and a bloc `code` whose members they are in `year`, the
/// first one chairing.
pub async fn bloc_with_members(
    app: &TestApp,
    admin: &str,
    code: &str,
    year: i32,
    unit_codes: &[&str],
) -> Bloc {
    let units = units(app, admin, unit_codes).await;
    let id = bloc(app, admin, code).await;
    members(app, admin, id, year, &units).await;
    Bloc { id, units, year }
}

/// The founding document's bloc with its six departments as members in 2019, the Department of
/// Natural Resources and Environment chairing.
pub async fn founding(app: &TestApp, admin: &str) -> Bloc {
    let mut units = Vec::new();
    for (code, name) in FOUNDING_UNITS {
        units.push(unit_named(app, admin, code, name).await);
    }
    let id = bloc_named(app, admin, FOUNDING_BLOC.0, FOUNDING_BLOC.1).await;
    members(app, admin, id, 2019, &units).await;
    Bloc {
        id,
        units,
        year: 2019,
    }
}

/// A user and a fresh access token.
pub struct User {
    pub id: i64,
    pub token: String,
}

/// Creates a user of `role` with `scope` (`{"unit_id": …}` or `{"bloc_ids": […]}`, or `{}`)
/// and logs in.
pub async fn user(app: &TestApp, admin: &str, username: &str, role: &str, scope: Value) -> User {
    let created = app.create_user(admin, username, role, scope).await;
    User {
        id: id(&created),
        token: app.token(username, PASSWORD).await,
    }
}

/// A unit officer of `unit_id`.
pub async fn officer(app: &TestApp, admin: &str, username: &str, unit_id: i64) -> User {
    user(
        app,
        admin,
        username,
        "unit_officer",
        json!({ "unit_id": unit_id }),
    )
    .await
}

/// A bloc chair user of these blocs.
pub async fn chair(app: &TestApp, admin: &str, username: &str, blocs: &[i64]) -> User {
    user(
        app,
        admin,
        username,
        "bloc_chair",
        json!({ "bloc_ids": blocs }),
    )
    .await
}

/// A province-wide reader.
pub async fn viewer(app: &TestApp, admin: &str, username: &str) -> User {
    user(app, admin, username, "viewer", json!({})).await
}

/// The `ETag` a GET of `path` answers.
pub async fn etag(app: &TestApp, token: &str, path: &str) -> String {
    let res = app.get(path, token).await;
    res.header("etag")
        .unwrap_or_else(|| panic!("no ETag from {path}: {}", res.status))
}

/// A merge patch of `path` with the ETag it has now.
pub async fn patch_current(app: &TestApp, token: &str, path: &str, body: &Value) -> TestResponse {
    let tag = etag(app, token, path).await;
    app.request(Method::PATCH, path)
        .token(token)
        .header("if-match", &tag)
        .merge_patch(body)
        .send()
        .await
}

/// A PUT of `target` with the ETag that a GET of `read` answers now (`*` when it has none, for
/// a document that does not exist yet).
pub async fn put_current(
    app: &TestApp,
    token: &str,
    read: &str,
    target: &str,
    body: &Value,
) -> TestResponse {
    let tag = app
        .get(read, token)
        .await
        .header("etag")
        .unwrap_or_else(|| "*".to_owned());
    app.request(Method::PUT, target)
        .token(token)
        .header("if-match", &tag)
        .json(body)
        .send()
        .await
}

/// A DELETE of `path` with the ETag it has now.
pub async fn delete_current(app: &TestApp, token: &str, path: &str) -> TestResponse {
    let tag = etag(app, token, path).await;
    app.request(Method::DELETE, path)
        .token(token)
        .header("if-match", &tag)
        .send()
        .await
}

/// A workflow step: `POST {path}/transitions {action, reason}`.
pub async fn transition(
    app: &TestApp,
    token: &str,
    path: &str,
    action: &str,
    reason: Option<&str>,
) -> TestResponse {
    let mut body = json!({ "action": action });
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    app.post(&format!("{path}/transitions"), token, &body).await
}

/// The audit events recorded for `action` (`unit.create`, …), newest first.
pub async fn audit(app: &TestApp, admin: &str, action: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/audit-events?action={action}"), admin)
        .await;
    expect(&res, 200)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The field names of a 422's errors, in order.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Sets a goal of `unit` with `token` (an admin's or the unit officer's): the founding bloc's
/// kind of 2019 goal, `extra` adding or overriding fields. Returns the goal.
pub async fn goal(app: &TestApp, token: &str, unit: i64, extra: Value) -> Value {
    let mut body = json!({
        "year": 2019, "period": "year",
        "title": "Giải quyết hồ sơ thủ tục hành chính đúng hạn",
        "unit_of_measure": "%", "direction": "higher", "target": "95",
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    expect(
        &app.post(&format!("/api/v1/units/{unit}/goals"), token, &body)
            .await,
        201,
    )
}

/// A midyear review of `bloc` in 2019, held on 29 July, with `extra` adding or overriding
/// fields. Returns the review.
pub async fn review(app: &TestApp, token: &str, bloc: i64, extra: Value) -> Value {
    let mut body = json!({
        "kind": "midyear", "year": 2019, "period": "h1", "held_on": "2019-07-29",
        "title": "Hội nghị Sơ kết công tác Thi đua, khen thưởng 6 tháng đầu năm 2019",
    });
    for (k, v) in extra.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    expect(
        &app.post(&format!("/api/v1/blocs/{bloc}/reviews"), token, &body)
            .await,
        201,
    )
}
