//! Roles and access: an admin cannot lock themself out, role, scope and state changes end a
//! user's sessions, and only admins administer users.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{bloc, id, unit};
use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn an_admin_cannot_lock_themself_out() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/auth/me", &admin).await.json();
    let path = format!("/api/v1/users/{}", id(&me));
    for patch in [
        json!({"role": "viewer"}),
        json!({"role": "unit_officer", "unit_id": unit(&app, &admin, "SCT").await}),
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
        unit(&app, &admin, "U1").await,
        unit(&app, &admin, "U2").await,
    );
    let user = app
        .create_user(&admin, "officer", "unit_officer", json!({"unit_id": u1}))
        .await;
    let path = format!("/api/v1/users/{}", id(&user));
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
    let path = format!("/api/v1/users/{}", id(&user));
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

/// A request body: its content type and JSON.
type Body = Option<(&'static str, Value)>;

#[actix_web::test]
async fn only_admins_administer_users() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let target = app.create_user(&admin, "target", "viewer", json!({})).await;
    let target_path = format!("/api/v1/users/{}", id(&target));
    let password_path = format!("{target_path}/password");
    let roles = [
        ("viewer", json!({})),
        (
            "unit_officer",
            json!({"unit_id": unit(&app, &admin, "U5").await}),
        ),
        (
            "bloc_chair",
            json!({"bloc_ids": [bloc(&app, &admin, "K3").await]}),
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
