//! `/api/v1/users`: creating, reading and listing accounts, and what a new account must be.
//! Changing accounts is in `user_updates`; roles, access and who may administer, in `user_roles`.

use std::collections::HashSet;

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{bloc, error_fields, id, unit};
use crate::helpers::{PASSWORD, TestApp};

/// Asserts a 422 `validation_failed` naming `field`.
async fn assert_invalid(app: &TestApp, admin: &str, body: Value, field: &str) {
    let res = app.post("/api/v1/users", admin, &body).await;
    let problem = res.problem(422, "validation_failed");
    assert!(
        error_fields(&problem).iter().any(|f| f == field),
        "expected an error on {field} for {body}: {problem}"
    );
}

#[actix_web::test]
async fn an_admin_creates_a_user_and_reads_it_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit(&app, &admin, "STNMT").await;
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
    let id = id(&created);
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
        bloc(&app, &admin, "K1").await,
        bloc(&app, &admin, "K2").await,
    );
    let unit = unit(&app, &admin, "SYT").await;
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
        .get(&format!("/api/v1/users/{}", id(&chair)), &admin)
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
    let unit = unit(&app, &admin, "SXD").await;
    let bloc = bloc(&app, &admin, "K1").await;
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
        assert!(ids.insert(id(&res.json())));
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
    let unit = unit(&app, &admin, "STNMT").await;
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
    app.request(Method::PATCH, &format!("/api/v1/users/{}", id(&off)))
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
