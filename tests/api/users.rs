//! `/api/v1/users`: creating, reading, listing and changing accounts, and who may do it.

use std::collections::HashSet;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

/// The `field`s named in a problem's `errors`.
fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// Asserts a 422 `validation_failed` naming `field`.
async fn assert_invalid(app: &TestApp, admin: &str, body: Value, field: &str) {
    let res = app.post("/api/v1/users", admin, &body).await;
    let problem = res.problem(422, "validation_failed");
    assert!(
        error_fields(&problem).iter().any(|f| f == field),
        "expected an error on {field} for {body}: {problem}"
    );
}

fn id_of(user: &Value) -> i64 {
    user["id"].as_i64().unwrap()
}

/// Creates a unit, for `unit_id` scopes, and returns its id.
pub async fn new_unit(app: &TestApp, admin: &str, code: &str) -> i64 {
    let body = json!({"code": code, "name": format!("Đơn vị {code}"), "kind": "administrative",
        "valid_from": "2008-04-01"});
    let res = app.post("/api/v1/units", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    id_of(&res.json())
}

/// Creates a bloc, for `bloc_ids` scopes, and returns its id.
pub async fn new_bloc(app: &TestApp, admin: &str, code: &str) -> i64 {
    let body = json!({"code": code, "name": format!("Khối {code}"), "kind": "bloc",
        "level": "province", "active_from": 2019});
    let res = app.post("/api/v1/blocs", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    id_of(&res.json())
}

#[actix_web::test]
async fn an_admin_creates_a_user_and_reads_it_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = new_unit(&app, &admin, "STNMT").await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({
                "username": "so.tnmt-vanthu_1",
                "password": PASSWORD,
                "full_name": "Nguyễn Thị Lan",
                "role": "unit_officer",
                "unit_id": unit,
            }),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let created = res.json();
    let id = id_of(&created);
    assert_eq!(
        res.header("location").as_deref(),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(created["username"], "so.tnmt-vanthu_1");
    assert_eq!(created["full_name"], "Nguyễn Thị Lan");
    assert_eq!(created["role"], "unit_officer");
    assert_eq!(created["unit_id"], unit);
    assert_eq!(created["bloc_ids"], json!([]));
    assert_eq!(created["disabled"], false);
    assert!(created["created_at"].is_string());
    assert!(created["updated_at"].is_string());
    let text = String::from_utf8_lossy(&res.body);
    assert!(!text.contains("password"), "{text}");
    assert!(!text.contains("hash"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");

    let res = app.get(&format!("/api/v1/users/{id}"), &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json(), created);
    assert!(!String::from_utf8_lossy(&res.body).contains("password"));

    let res = app.get("/api/v1/users", &admin).await;
    assert_eq!(res.status, 200);
    let list = res.json();
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["admin", "so.tnmt-vanthu_1"]);
    assert!(list.get("next_page_token").is_none(), "{list}");
    assert!(!String::from_utf8_lossy(&res.body).contains("password"));

    // The new user can log in with the initial password.
    let token = app.token("so.tnmt-vanthu_1", PASSWORD).await;
    let me = app.get("/api/v1/auth/me", &token).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["id"], id);
}

#[actix_web::test]
async fn scoped_roles_keep_their_unit_or_blocs() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (b1, b2) = (
        new_bloc(&app, &admin, "K1").await,
        new_bloc(&app, &admin, "K2").await,
    );
    let unit = new_unit(&app, &admin, "SYT").await;
    let chair = app
        .create_user(&admin, "chair", "bloc_chair", json!({"bloc_ids": [b2, b1]}))
        .await;
    assert_eq!(chair["bloc_ids"], json!([b1, b2]));
    assert_eq!(chair["unit_id"], Value::Null);
    let viewer = app
        .create_user(&admin, "viewer", "viewer", json!({"unit_id": unit}))
        .await;
    assert_eq!(viewer["unit_id"], unit);
    let bloc_viewer = app
        .create_user(&admin, "blocviewer", "viewer", json!({"bloc_ids": [b1]}))
        .await;
    assert_eq!(bloc_viewer["bloc_ids"], json!([b1]));
    let everywhere = app.create_user(&admin, "reader", "viewer", json!({})).await;
    assert_eq!(everywhere["unit_id"], Value::Null);
    assert_eq!(everywhere["bloc_ids"], json!([]));
    let res = app
        .get(&format!("/api/v1/users/{}", id_of(&chair)), &admin)
        .await;
    assert_eq!(res.json()["bloc_ids"], json!([b1, b2]));
}

#[actix_web::test]
async fn invalid_usernames_are_refused_with_the_field_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for username in [
        "ab",
        "Alice",
        "bad name",
        "bad/name",
        "tên.việt",
        ".leading-dot",
        "-leading-dash",
        &"a".repeat(65),
    ] {
        assert_invalid(
            &app,
            &admin,
            json!({"username": username, "password": PASSWORD, "role": "viewer"}),
            "username",
        )
        .await;
    }
    // The limits themselves are fine.
    app.create_user(&admin, "abc", "viewer", json!({})).await;
    app.create_user(&admin, &"z".repeat(64), "viewer", json!({}))
        .await;
}

#[actix_web::test]
async fn invalid_fields_and_scopes_are_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cases = [
        (
            json!({"username": "shortpw", "password": "too-short", "role": "viewer"}),
            "password",
        ),
        (
            json!({"username": "longpw", "password": "x".repeat(129), "role": "viewer"}),
            "password",
        ),
        (
            json!({"username": "noname", "password": PASSWORD, "role": "viewer", "full_name": ""}),
            "full_name",
        ),
        (
            json!({"username": "officer", "password": PASSWORD, "role": "unit_officer"}),
            "unit_id",
        ),
        (
            json!({"username": "officer", "password": PASSWORD, "role": "unit_officer", "unit_id": 0}),
            "unit_id",
        ),
        (
            json!({"username": "officer", "password": PASSWORD, "role": "unit_officer", "unit_id": 5, "bloc_ids": [1]}),
            "bloc_ids",
        ),
        (
            json!({"username": "chair", "password": PASSWORD, "role": "bloc_chair"}),
            "bloc_ids",
        ),
        (
            json!({"username": "chair", "password": PASSWORD, "role": "bloc_chair", "bloc_ids": []}),
            "bloc_ids",
        ),
        (
            json!({"username": "chair", "password": PASSWORD, "role": "bloc_chair", "bloc_ids": [2, 2]}),
            "bloc_ids",
        ),
        (
            json!({"username": "chair", "password": PASSWORD, "role": "bloc_chair", "bloc_ids": [0]}),
            "bloc_ids",
        ),
        (
            json!({"username": "chair", "password": PASSWORD, "role": "bloc_chair", "bloc_ids": [1], "unit_id": 2}),
            "unit_id",
        ),
        (
            json!({"username": "boss", "password": PASSWORD, "role": "admin", "unit_id": 1}),
            "role",
        ),
        (
            json!({"username": "boss", "password": PASSWORD, "role": "admin", "bloc_ids": [1]}),
            "role",
        ),
        (
            json!({"username": "both", "password": PASSWORD, "role": "viewer", "unit_id": 1, "bloc_ids": [1]}),
            "unit_id",
        ),
    ];
    for (body, field) in cases {
        assert_invalid(&app, &admin, body, field).await;
    }
    // The unit and blocs must exist.
    let unit = new_unit(&app, &admin, "SXD").await;
    let bloc = new_bloc(&app, &admin, "K1").await;
    for (body, field) in [
        (
            json!({"username": "officer", "password": PASSWORD, "role": "unit_officer", "unit_id": unit + 100}),
            "unit_id",
        ),
        (
            json!({"username": "chair", "password": PASSWORD, "role": "bloc_chair", "bloc_ids": [bloc, bloc + 100]}),
            "bloc_ids",
        ),
    ] {
        assert_invalid(&app, &admin, body, field).await;
    }
    // Nothing was created.
    let list = app.get("/api/v1/users", &admin).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
}

#[actix_web::test]
async fn malformed_create_bodies_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "extra", "password": PASSWORD, "role": "viewer", "is_root": true}),
        )
        .await;
    let problem = res.problem(400, "invalid_body");
    assert!(
        problem["detail"].as_str().unwrap().contains("is_root"),
        "{problem}"
    );

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "enum", "password": PASSWORD, "role": "superuser"}),
        )
        .await;
    let problem = res.problem(400, "invalid_body");
    assert_eq!(error_fields(&problem), ["role"]);

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "typed", "password": PASSWORD, "role": "viewer", "bloc_ids": [1, "two"]}),
        )
        .await;
    let problem = res.problem(400, "invalid_body");
    assert_eq!(error_fields(&problem), ["bloc_ids[1]"]);

    let res = app
        .post(
            "/api/v1/users",
            &admin,
            &json!({"username": "missing", "role": "viewer"}),
        )
        .await;
    res.problem(400, "invalid_body");
}

#[actix_web::test]
async fn a_taken_username_is_a_conflict() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "lan", "viewer", json!({})).await;
    for username in ["lan", "admin"] {
        let res = app
            .post(
                "/api/v1/users",
                &admin,
                &json!({"username": username, "password": PASSWORD, "role": "viewer"}),
            )
            .await;
        res.problem(409, "username_taken");
    }
}

#[actix_web::test]
async fn a_missing_user_is_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.get("/api/v1/users/999", &admin)
        .await
        .problem(404, "not_found");
    app.request(Method::PATCH, "/api/v1/users/999")
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Ai đó"}))
        .send()
        .await
        .problem(404, "not_found");
    app.request(Method::PUT, "/api/v1/users/999/password")
        .token(&admin)
        .header("if-match", "*")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn patching_needs_the_current_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "binh", "viewer", json!({})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let patch = json!({"full_name": "Trần Văn Bình"});

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .merge_patch(&patch)
        .send()
        .await;
    res.problem(428, "precondition_required");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"7\"")
        .merge_patch(&patch)
        .send()
        .await;
    res.problem(412, "precondition_failed");

    // A malformed tag (unquoted, say) is a client error, not a stale version.
    for malformed in ["not an etag", "1", "W/1"] {
        let res = app
            .request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", malformed)
            .merge_patch(&patch)
            .send()
            .await;
        let problem = res.problem(400, "invalid_header");
        assert_eq!(problem["errors"][0]["field"], "If-Match", "{malformed}");
    }
    // A weak tag never matches (If-Match compares strongly).
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "W/\"1\"")
        .merge_patch(&patch)
        .send()
        .await;
    res.problem(412, "precondition_failed");

    // Neither attempt changed anything.
    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json()["full_name"], Value::Null);

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&patch)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let body = res.json();
    assert_eq!(body["full_name"], "Trần Văn Bình");
    assert_eq!(body["role"], "viewer");
    assert_ne!(body["updated_at"], user["updated_at"]);
    assert_eq!(body["created_at"], user["created_at"]);

    // The old ETag is stale now.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Khác"}))
        .send()
        .await;
    res.problem(412, "precondition_failed");

    // A list of tags matches when one of them is current; `*` always matches.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\", \"2\"")
        .merge_patch(&json!({"full_name": "Bình"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"3\""));
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": true}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"4\""));
    assert_eq!(res.json()["disabled"], true);
    assert_eq!(res.json()["full_name"], "Bình");

    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"4\""));
}

#[actix_web::test]
async fn patch_bodies_are_merge_patches() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app
        .create_user(&admin, "cuc", "viewer", json!({"full_name": "Lê Thị Cúc"}))
        .await;
    let (b1, b2) = (
        new_bloc(&app, &admin, "K1").await,
        new_bloc(&app, &admin, "K2").await,
    );
    let unit = new_unit(&app, &admin, "SNV").await;
    let path = format!("/api/v1/users/{}", id_of(&user));

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"full_name": "Cúc"}))
        .send()
        .await;
    res.problem(415, "unsupported_media_type");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"nickname": "Cúc"}))
        .send()
        .await;
    let problem = res.problem(400, "invalid_body");
    assert!(
        problem["detail"].as_str().unwrap().contains("nickname"),
        "{problem}"
    );

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"role": "emperor"}))
        .send()
        .await;
    res.problem(400, "invalid_body");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": ""}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["full_name"]);

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"role": "unit_officer"}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["unit_id"]);

    // An empty patch changes nothing but the version.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["full_name"], "Lê Thị Cúc");

    // null clears.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"full_name": null}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["full_name"], Value::Null);
    assert_eq!(
        app.get(&path, &admin).await.json()["full_name"],
        Value::Null
    );

    // Role and scope change together; absent fields stay.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"role": "bloc_chair", "bloc_ids": [b1, b2]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    assert_eq!(body["role"], "bloc_chair");
    assert_eq!(body["bloc_ids"], json!([b1, b2]));
    assert_eq!(body["username"], "cuc");
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"role": "unit_officer", "unit_id": unit, "bloc_ids": []}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["unit_id"], unit);
    assert_eq!(res.json()["bloc_ids"], json!([]));
}

#[actix_web::test]
async fn an_admin_cannot_lock_themself_out() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/auth/me", &admin).await.json();
    let path = format!("/api/v1/users/{}", id_of(&me));
    for patch in [
        json!({"role": "viewer"}),
        json!({"role": "unit_officer", "unit_id": new_unit(&app, &admin, "SCT").await}),
        json!({"disabled": true}),
    ] {
        let res = app
            .request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", "*")
            .merge_patch(&patch)
            .send()
            .await;
        res.problem(409, "self_lockout");
    }
    // Still an admin, and the token still works.
    let res = app.get(&path, &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["role"], "admin");
    assert_eq!(res.json()["disabled"], false);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));

    // Their own name is fine to change.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Quản trị"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.get("/api/v1/auth/me", &admin).await.status, 200);

    // Another admin may demote them.
    app.create_user(&admin, "admin2", "admin", json!({})).await;
    let other = app.token("admin2", PASSWORD).await;
    let res = app
        .request(Method::PATCH, &path)
        .token(&other)
        .header("if-match", "*")
        .merge_patch(&json!({"role": "viewer"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    app.get("/api/v1/auth/me", &admin)
        .await
        .problem(401, "unauthorized");
}

#[actix_web::test]
async fn a_role_change_ends_the_users_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (u1, u2) = (
        new_unit(&app, &admin, "U1").await,
        new_unit(&app, &admin, "U2").await,
    );
    let user = app
        .create_user(&admin, "officer", "unit_officer", json!({"unit_id": u1}))
        .await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let token = app.token("officer", PASSWORD).await;
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);

    // A name change keeps the token.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Phạm Văn Đức"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"2\"")
        .merge_patch(&json!({"role": "viewer"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["role"], "viewer");
    assert_eq!(res.json()["unit_id"], u1);
    let res = app.get("/api/v1/auth/me", &token).await;
    res.problem(401, "unauthorized");
    assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));

    let fresh = app.token("officer", PASSWORD).await;
    let me = app.get("/api/v1/auth/me", &fresh).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["role"], "viewer");

    // A scope change does too.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"unit_id": u2}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    app.get("/api/v1/auth/me", &fresh)
        .await
        .problem(401, "unauthorized");
}

#[actix_web::test]
async fn a_disabled_user_can_neither_use_a_token_nor_log_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "gone", "viewer", json!({})).await;
    let path = format!("/api/v1/users/{}", id_of(&user));
    let token = app.token("gone", PASSWORD).await;
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": true}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    app.get("/api/v1/auth/me", &token)
        .await
        .problem(401, "unauthorized");
    app.login("gone", PASSWORD)
        .await
        .problem(401, "invalid_credentials");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": false}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    app.token("gone", PASSWORD).await;
}

#[actix_web::test]
async fn an_admin_resets_a_password() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "quan", "viewer", json!({})).await;
    let path = format!("/api/v1/users/{}/password", id_of(&user));
    let token = app.token("quan", PASSWORD).await;
    let new_password = "một-mật-khẩu-mới-đủ-dài";

    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .json(&json!({"password": new_password}))
        .send()
        .await;
    res.problem(428, "precondition_required");
    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"5\"")
        .json(&json!({"password": new_password}))
        .send()
        .await;
    res.problem(412, "precondition_failed");
    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"password": "short"}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["password"]);
    // Nothing so far ended the session.
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);

    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"password": new_password}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", String::from_utf8_lossy(&res.body));
    assert!(res.body.is_empty());

    app.get("/api/v1/auth/me", &token)
        .await
        .problem(401, "unauthorized");
    app.login("quan", PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    let fresh = app.token("quan", new_password).await;
    assert_eq!(app.get("/api/v1/auth/me", &fresh).await.status, 200);

    // The reset bumped the version.
    let res = app
        .get(&format!("/api/v1/users/{}", id_of(&user)), &admin)
        .await;
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
}

/// A request body: its content type and JSON.
type Body = Option<(&'static str, Value)>;

#[actix_web::test]
async fn only_admins_administer_users() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let target = app.create_user(&admin, "target", "viewer", json!({})).await;
    let target_path = format!("/api/v1/users/{}", id_of(&target));
    let password_path = format!("{target_path}/password");
    let roles = [
        ("viewer", json!({})),
        (
            "unit_officer",
            json!({"unit_id": new_unit(&app, &admin, "U5").await}),
        ),
        (
            "bloc_chair",
            json!({"bloc_ids": [new_bloc(&app, &admin, "K3").await]}),
        ),
    ];
    let new_user = json!({"username": "intruder", "password": PASSWORD, "role": "admin"});
    let operations: Vec<(Method, &str, Body)> = vec![
        (Method::GET, "/api/v1/users", None),
        (
            Method::POST,
            "/api/v1/users",
            Some(("application/json", new_user.clone())),
        ),
        (Method::GET, &target_path, None),
        (
            Method::PATCH,
            &target_path,
            Some((
                "application/merge-patch+json",
                json!({"role": "admin", "unit_id": null}),
            )),
        ),
        (
            Method::PUT,
            &password_path,
            Some(("application/json", json!({"password": PASSWORD}))),
        ),
        (Method::GET, "/api/v1/audit-events", None),
    ];

    let send = |method: Method, path: &str, body: &Body, token: Option<&str>| {
        let mut req = app.request(method, path).header("if-match", "*");
        if let Some(t) = token {
            req = req.token(t);
        }
        if let Some((ct, b)) = body {
            req = req.body(ct, b.to_string().into_bytes());
        }
        req.send()
    };

    for (i, (role, extra)) in roles.into_iter().enumerate() {
        let username = format!("user{i}");
        app.create_user(&admin, &username, role, extra).await;
        let token = app.token(&username, PASSWORD).await;
        for (method, path, body) in &operations {
            let res = send(method.clone(), path, body, Some(&token)).await;
            assert_eq!(res.status, 403, "{role} {method} {path}");
            res.problem(403, "forbidden");
        }
    }
    for (method, path, body) in &operations {
        let res = send(method.clone(), path, body, None).await;
        assert_eq!(res.status, 401, "anonymous {method} {path}");
        res.problem(401, "unauthorized");
        let res = send(method.clone(), path, body, Some("not.a.jwt")).await;
        assert_eq!(res.status, 401, "bad token {method} {path}");
        res.problem(401, "unauthorized");
    }

    // None of it changed anything.
    let res = app.get(&target_path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json()["role"], "viewer");
    app.login("intruder", PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    app.token("target", PASSWORD).await;
}

#[actix_web::test]
async fn concurrent_creates_all_succeed_with_distinct_ids() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let requests = (0..24).map(|i| {
        app.request(Method::POST, "/api/v1/users")
            .token(&admin)
            .json(
                &json!({"username": format!("many{i:02}"), "password": PASSWORD, "role": "viewer"}),
            )
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut ids = HashSet::new();
    for res in &responses {
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        assert!(ids.insert(id_of(&res.json())));
    }
    assert_eq!(ids.len(), 24);
    let list = app.get("/api/v1/users?q=many", &admin).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 24);
}

#[actix_web::test]
async fn the_list_filters_by_role_state_and_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "tnmt.lan", "viewer", json!({}))
        .await;
    let unit = new_unit(&app, &admin, "STNMT").await;
    app.create_user(
        &admin,
        "tnmt_binh",
        "unit_officer",
        json!({"unit_id": unit}),
    )
    .await;
    let off = app
        .create_user(&admin, "yte.cuc", "viewer", json!({}))
        .await;
    app.request(Method::PATCH, &format!("/api/v1/users/{}", id_of(&off)))
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": true}))
        .send()
        .await;

    let names = |q: &str| {
        let path = format!("/api/v1/users?{q}");
        let q = q.to_owned();
        let req = app.request(Method::GET, &path).token(&admin).send();
        async move {
            let res = req.await;
            assert_eq!(
                res.status,
                200,
                "{q}: {}",
                String::from_utf8_lossy(&res.body)
            );
            res.json()["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["username"].as_str().unwrap().to_owned())
                .collect::<Vec<String>>()
        }
    };
    assert_eq!(names("role=viewer").await, ["tnmt.lan", "yte.cuc"]);
    assert_eq!(names("role=admin").await, ["admin"]);
    assert_eq!(names("disabled=true").await, ["yte.cuc"]);
    assert_eq!(names("disabled=false&role=viewer").await, ["tnmt.lan"]);
    assert_eq!(names("q=TNMT").await, ["tnmt.lan", "tnmt_binh"]);
    // `_` and `%` are literal, not wildcards.
    assert_eq!(names("q=tnmt_").await, ["tnmt_binh"]);
    assert!(names("q=%25").await.is_empty());
    app.get(&format!("/api/v1/users?q={}", "a".repeat(65)), &admin)
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/users?role=emperor", &admin)
        .await
        .problem(400, "invalid_query");
}
