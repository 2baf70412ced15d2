//! Builders for what tests stand on: units, persons, blocs with their members for a year, users
//! of each role with their tokens, and writes made with the current ETag. Every test file takes
//! them from here; no test file imports another.
//!
//! Each builder asserts that the API accepted the request, so a test reads as its own story and
//! a broken fixture fails where it was built.

#![allow(dead_code)] // until every test file has moved onto these builders

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use thidua::db::AnyConnection;

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

/// POSTs `body` to `path`, asserts a 201 and returns what was created.
pub async fn created(app: &TestApp, token: &str, path: &str, body: &Value) -> Value {
    let res = app.post(path, token, body).await;
    assert_eq!(
        res.status,
        201,
        "{path}: {}",
        String::from_utf8_lossy(&res.body)
    );
    res.json()
}

/// Creates a unit named "Đơn vị {code}", valid since 2008, and returns its id.
pub async fn unit(app: &TestApp, admin: &str, code: &str) -> i64 {
    unit_named(app, admin, code, &format!("Đơn vị {code}")).await
}

/// The body of a provincial administrative unit valid since 2008.
pub fn unit_body(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "kind": "administrative", "admin_level": "province",
        "valid_from": "2008-04-01"})
}

/// Creates a provincial administrative unit valid since 2008 and returns its id.
pub async fn unit_named(app: &TestApp, admin: &str, code: &str, name: &str) -> i64 {
    id(&created(app, admin, "/api/v1/units", &unit_body(code, name)).await)
}

/// Creates a provincial administrative unit that existed from 2008 to `valid_to`.
pub async fn retired_unit(
    app: &TestApp,
    admin: &str,
    code: &str,
    name: &str,
    valid_to: &str,
) -> i64 {
    let body = json!({"code": code, "name": name, "kind": "administrative",
        "admin_level": "province", "valid_from": "2008-04-01", "valid_to": valid_to});
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

/// The body of a person working in `unit_id`, with nothing but a name.
pub fn person_body(full_name: &str, unit_id: i64) -> Value {
    json!({"full_name": full_name, "unit_id": unit_id})
}

/// Creates a person working in `unit_id` and returns its id.
pub async fn person(app: &TestApp, admin: &str, unit_id: i64, full_name: &str) -> i64 {
    id(&created(
        app,
        admin,
        "/api/v1/persons",
        &person_body(full_name, unit_id),
    )
    .await)
}

/// The `full_name`s of a page of persons, in order.
pub fn full_names(page: &Value) -> Vec<String> {
    items(page)
        .iter()
        .map(|p| p["full_name"].as_str().unwrap().to_owned())
        .collect()
}

/// The body of a provincial bloc active since 2019, founded by decision 1234/QĐ-UBND.
pub fn bloc_body(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "kind": "bloc", "level": "province",
        "founding_decision_number": "1234/QĐ-UBND", "founding_decision_date": "2018-12-20",
        "active_from": 2019})
}

/// Creates a provincial bloc active since 2019 and returns its id.
pub async fn bloc(app: &TestApp, admin: &str, code: &str) -> i64 {
    bloc_named(app, admin, code, &format!("Khối {code}")).await
}

pub async fn bloc_named(app: &TestApp, admin: &str, code: &str, name: &str) -> i64 {
    bloc_from(app, admin, bloc_body(code, name)).await
}

/// Creates the bloc `body` describes and returns its id.
pub async fn bloc_from(app: &TestApp, admin: &str, body: Value) -> i64 {
    id(&created(app, admin, "/api/v1/blocs", &body).await)
}

/// `PUT /blocs/{bloc}/members/{year}` with `if-match: tag` and this list of members.
pub async fn put_members(
    app: &TestApp,
    token: &str,
    bloc: i64,
    year: i32,
    tag: &str,
    members: Value,
) -> TestResponse {
    app.request(Method::PUT, &format!("/api/v1/blocs/{bloc}/members/{year}"))
        .token(token)
        .header("if-match", tag)
        .json(&json!({ "members": members }))
        .send()
        .await
}

/// `GET /blocs/{bloc}/members?year={year}`.
pub async fn members_of(app: &TestApp, token: &str, bloc: i64, year: i32) -> TestResponse {
    app.get(&format!("/api/v1/blocs/{bloc}/members?year={year}"), token)
        .await
}

/// The unit codes (or, for blocs, the codes) of the list under `key`, in order.
pub fn codes(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {list}"))
        .iter()
        .map(|m| {
            m["unit_code"]
                .as_str()
                .or(m["code"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
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

/// The founding document's bloc, still without members, its six departments, and the
/// Department of Posts and Telecommunications, retired at the end of 2018.
pub struct Founding {
    pub bloc: i64,
    /// STNMT (the chair to be), SXD (the deputy), SGTVT, SCT, SNNPTNT, SKHDT.
    pub units: Vec<i64>,
    pub retired: i64,
}

pub async fn founding(app: &TestApp, admin: &str) -> Founding {
    let mut units = Vec::new();
    for (code, name) in FOUNDING_UNITS {
        units.push(unit_named(app, admin, code, name).await);
    }
    let retired = retired_unit(app, admin, "SBCVT", "Sở Bưu chính Viễn thông", "2018-12-31").await;
    let bloc = bloc_named(app, admin, FOUNDING_BLOC.0, FOUNDING_BLOC.1).await;
    Founding {
        bloc,
        units,
        retired,
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

/// Logs in, asserts success and returns `(access_token, refresh_token)`.
pub async fn session(app: &TestApp, username: &str, password: &str) -> (String, String) {
    let res = app.login(username, password).await;
    assert_eq!(
        res.status,
        200,
        "login of {username}: {}",
        String::from_utf8_lossy(&res.body)
    );
    let body = res.json();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// `POST /auth/refresh` with this refresh token.
pub async fn refresh(app: &TestApp, refresh_token: &str) -> TestResponse {
    app.request(Method::POST, "/api/v1/auth/refresh")
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await
}

/// A problem document without its `request_id`, to compare two answers.
pub fn without_request_id(mut problem: Value) -> Value {
    problem.as_object_mut().unwrap().remove("request_id");
    problem
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

/// The name of the movement [`movement`] creates unless told otherwise.
pub const SAVING: &str = "Toàn dân thực hành tiết kiệm, chống lãng phí";

/// Creates a planned provincial movement from 2026 to 2030 named [`SAVING`]; `extra` adds or
/// overrides fields (`{"status": "open"}`, say). Returns what was created.
pub async fn movement(app: &TestApp, admin: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": SAVING,
        "slogan": "Tiết kiệm là quốc sách",
        "decision_number": "1122/QĐ-UBND",
        "decision_date": "2026-03-02",
        "scope": "province",
        "form": "regular",
        "start_date": "2026-03-15",
        "end_date": "2030-12-31",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    created(app, admin, "/api/v1/movements", &body).await
}

/// Registers `unit` for `movement` with a pledge, and returns the answer as it is.
pub async fn register(app: &TestApp, token: &str, movement: i64, unit: i64) -> TestResponse {
    app.post(
        &format!("/api/v1/movements/{movement}/registrations"),
        token,
        &json!({"unit_id": unit, "pledge": "Giảm 10% chi phí điện, nước so với năm 2025"}),
    )
    .await
}

/// Registers `unit` for `movement` and returns the registration's id.
pub async fn registration(app: &TestApp, token: &str, movement: i64, unit: i64) -> i64 {
    id(&expect(&register(app, token, movement, unit).await, 201))
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

/// The content types an import takes.
pub const CSV: &str = "text/csv";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An import file of three units of Điện Biên: the province, a department under it by code (an
/// earlier row), and a commune under the city [`city`] creates.
pub const UNITS_CSV: &str = "\
code,name,short_name,kind,admin_level,parent_code,valid_from,valid_to,email
UBND-DB,Ủy ban nhân dân tỉnh Điện Biên,UBND tỉnh,administrative,province,,2004-01-01,,ubnd@dienbien.gov.vn
SCT,Sở Công thương tỉnh Điện Biên,SCT Điện Biên,Administrative,province,UBND-DB,2008-04-01,,sct@dienbien.gov.vn
XA-MT,Phường Mường Thanh,,administrative,commune,TP-DBP,2025-07-01,,
";

/// Creates the city of Điện Biên Phủ (TP-DBP, since 1992) and returns its id.
pub async fn city(app: &TestApp, admin: &str) -> i64 {
    let body = json!({"code": "TP-DBP", "name": "Thành phố Điện Biên Phủ", "kind": "administrative",
        "valid_from": "1992-09-18"});
    id(&created(app, admin, "/api/v1/units", &body).await)
}

/// The codes of the units `token` lists, by code; `query` adds to the query (`&q=…`).
pub async fn unit_codes(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let res = app
        .get(&format!("/api/v1/units?order_by=code{query}"), token)
        .await;
    codes(&expect(&res, 200), "items")
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

/// The audit trail's page for `query` (`action=unit.create&page_size=2`, …).
pub async fn audit_page(app: &TestApp, admin: &str, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/audit-events?{query}"), admin)
        .await;
    expect(&res, 200)
}

/// The actions of a page of audit events, in order.
pub fn actions(page: &Value) -> Vec<&str> {
    items(page)
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

/// The number of rows in the audit trail, read past the API.
pub fn audit_rows(c: &mut AnyConnection) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM audit_events")
        .get_result::<Count>(c)
        .unwrap()
        .n
}

/// The items of a page.
pub fn items(page: &Value) -> &Vec<Value> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
}

/// The ids of a page's items, in order.
pub fn ids(page: &Value) -> Vec<i64> {
    items(page).iter().map(id).collect()
}

/// Percent-encodes everything but ASCII letters and digits, for a query value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
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
