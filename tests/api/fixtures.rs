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

/// The criteria document of the founding covenant: two groups, three criteria (two
/// mandatory), four bands.
pub fn founding_criteria() -> Value {
    json!({
        "groups": [
            {"name": "Thực hiện nhiệm vụ chính trị", "criteria": [
                {"code": "1.1", "content": "Hoàn thành các chỉ tiêu, nhiệm vụ được UBND tỉnh giao",
                 "max_points": 50, "max_bonus_points": 5, "mandatory": true, "step": 0.5,
                 "legal_basis": "Luật Thi đua, khen thưởng"},
                {"code": "1.2", "content": "Cải cách hành chính, kỷ luật kỷ cương",
                 "max_points": 30, "mandatory": true, "step": 0.25}
            ]},
            {"name": "Phong trào thi đua", "criteria": [
                {"code": "2.1", "content": "Toàn dân thực hành tiết kiệm, chống lãng phí",
                 "max_points": 20, "max_bonus_points": 2}
            ]}
        ],
        "bands": [
            {"label": "Xuất sắc", "min_points": 90, "max_points": 107},
            {"label": "Tốt", "min_points": 75, "max_points": 89.99},
            {"label": "Khá", "min_points": 50, "max_points": 74.99},
            {"label": "Trung bình", "min_points": 0, "max_points": 49.99}
        ]
    })
}

/// Signs the bloc's covenant for its year, every member a signatory, with
/// [`founding_criteria`]; returns the covenant's id.
pub async fn covenant(app: &TestApp, admin: &str, bloc: &Bloc) -> i64 {
    let body = json!({"year": bloc.year, "signed_on": format!("{}-02-20", bloc.year),
        "place": "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên",
        "content": "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị",
        "signatory_unit_ids": bloc.units});
    let id = id(&expect(
        &app.post(
            &format!("/api/v1/blocs/{}/covenants", bloc.id),
            admin,
            &body,
        )
        .await,
        201,
    ));
    let path = format!("/api/v1/covenants/{id}/criteria");
    expect(
        &put_current(app, admin, &path, &path, &founding_criteria()).await,
        200,
    );
    id
}

/// Creates a score sheet and returns it.
pub async fn sheet(
    app: &TestApp,
    token: &str,
    covenant: i64,
    unit: i64,
    period: &str,
    kind: &str,
) -> Value {
    let body = json!({"covenant_id": covenant, "unit_id": unit, "period": period, "kind": kind});
    expect(&app.post("/api/v1/score-sheets", token, &body).await, 201)
}

/// Writes one entry of a sheet with the sheet's current ETag.
pub async fn score(
    app: &TestApp,
    token: &str,
    sheet: i64,
    code: &str,
    body: &Value,
) -> TestResponse {
    let read = format!("/api/v1/score-sheets/{sheet}");
    put_current(app, token, &read, &format!("{read}/entries/{code}"), body).await
}

/// Fills every criterion of [`founding_criteria`] with `points` each (capped at its maximum).
pub async fn fill(app: &TestApp, token: &str, sheet: i64, points: [f64; 3]) {
    let read = format!("/api/v1/score-sheets/{sheet}");
    let body = json!({"entries": [
        {"criterion_code": "1.1", "points": points[0], "evidence": "Báo cáo số 15/BC-STNMT"},
        {"criterion_code": "1.2", "points": points[1]},
        {"criterion_code": "2.1", "points": points[2]},
    ]});
    expect(
        &put_current(app, token, &read, &format!("{read}/entries"), &body).await,
        200,
    );
}
