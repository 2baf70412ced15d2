//! `/api/v1/audit-events`: every write leaves a row with who, when and the request id, a
//! refused change leaves none, logins and password resets are recorded, and only admins read
//! the trail. Filters and paging are in `audit_trail`; what the database itself guarantees, in
//! `audit_integrity`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{actions, audit_page, audit_rows, bloc, items, unit};
use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn creating_and_changing_a_user_is_audited_with_the_request_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .request(Method::POST, "/api/v1/users")
        .token(&admin)
        .header("x-request-id", "audit-create-1")
        .json(
            &json!({"username": "hoa", "password": PASSWORD, "role": "viewer", "full_name": "Hoa"}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201);
    let id = res.json()["id"].as_i64().unwrap();
    let unit = unit(&app, &admin, "SGD").await;
    let res = app
        .request(Method::PATCH, &format!("/api/v1/users/{id}"))
        .token(&admin)
        .header("x-request-id", "audit-patch-1")
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Đỗ Thị Hoa", "unit_id": unit}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));

    let res = app
        .get(
            &format!("/api/v1/audit-events?resource_type=user&resource_id={id}"),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(
        !String::from_utf8_lossy(&res.body).contains("password"),
        "no password or hash in the trail"
    );
    let page = res.json();
    assert_eq!(actions(&page), ["user.create", "user.update"]);
    let (create, update) = (&items(&page)[0], &items(&page)[1]);

    for (event, request_id) in [(create, "audit-create-1"), (update, "audit-patch-1")] {
        assert_eq!(event["actor_id"], 1);
        assert_eq!(event["actor_username"], "admin");
        assert_eq!(event["actor_role"], "admin");
        assert_eq!(event["request_id"], request_id);
        assert_eq!(event["client_ip"], "127.0.0.1");
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["resource_type"], "user");
        assert_eq!(event["resource_id"], id.to_string());
        assert!(event["id"].is_i64());
        assert!(event["occurred_at"].is_string());
    }
    assert!(update["id"].as_i64() > create["id"].as_i64());

    assert_eq!(create["before"], Value::Null);
    assert_eq!(create["after"]["id"], id);
    assert_eq!(create["after"]["username"], "hoa");
    assert_eq!(create["after"]["full_name"], "Hoa");

    assert_eq!(update["before"]["full_name"], "Hoa");
    assert_eq!(update["before"]["unit_id"], Value::Null);
    assert_eq!(update["after"]["full_name"], "Đỗ Thị Hoa");
    assert_eq!(update["after"]["unit_id"], unit);
    assert_eq!(update["after"]["role"], "viewer");

    // The request id finds the same row.
    let by_request = audit_page(&app, &admin, "request_id=audit-patch-1").await;
    assert_eq!(items(&by_request).len(), 1);
    assert_eq!(items(&by_request)[0]["id"], update["id"]);
}

#[actix_web::test]
async fn a_refused_change_leaves_no_audit_row() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "lam", "viewer", json!({})).await;
    let id = user["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}");
    let query = format!("resource_type=user&resource_id={id}");
    let before = items(&audit_page(&app, &admin, &query).await).len();
    assert_eq!(before, 1);
    let total = audit_rows(&mut app.connection());

    let patch = |if_match: &str, body: Value| {
        app.request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", if_match)
            .merge_patch(&body)
            .send()
    };
    patch("\"9\"", json!({"full_name": "Lâm"}))
        .await
        .problem(412, "precondition_failed");
    patch("\"1\"", json!({"role": "bloc_chair"}))
        .await
        .problem(422, "validation_failed");
    let me = app.get("/api/v1/auth/me", &admin).await.json();
    app.request(Method::PATCH, &format!("/api/v1/users/{}", me["id"]))
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": true}))
        .send()
        .await
        .problem(409, "self_lockout");
    app.request(Method::PUT, &format!("{path}/password"))
        .token(&admin)
        .header("if-match", "\"9\"")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .problem(412, "precondition_failed");
    app.post(
        "/api/v1/users",
        &admin,
        &json!({"username": "lam", "password": PASSWORD, "role": "viewer"}),
    )
    .await
    .problem(409, "username_taken");

    assert_eq!(items(&audit_page(&app, &admin, &query).await).len(), before);
    assert_eq!(audit_rows(&mut app.connection()), total);
    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json()["full_name"], Value::Null);
    assert_eq!(res.json()["role"], "viewer");
}

#[actix_web::test]
async fn password_resets_and_logins_are_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "son", "viewer", json!({})).await;
    let id = user["id"].as_i64().unwrap();
    let res = app
        .request(Method::PUT, &format!("/api/v1/users/{id}/password"))
        .token(&admin)
        .header("if-match", "*")
        .header("x-request-id", "reset-1")
        .json(&json!({"password": "another-long-password"}))
        .send()
        .await;
    assert_eq!(res.status, 204);
    let page = audit_page(&app, &admin, "action=user.password_reset").await;
    assert_eq!(items(&page).len(), 1);
    let event = &items(&page)[0];
    assert_eq!(event["resource_id"], id.to_string());
    assert_eq!(event["request_id"], "reset-1");
    assert_eq!(event["actor_username"], "admin");
    assert_eq!(event["before"], Value::Null);
    assert_eq!(event["after"], Value::Null);

    app.login("son", "wrong-password-here")
        .await
        .problem(401, "invalid_credentials");
    let failures = audit_page(&app, &admin, "outcome=failure").await;
    assert_eq!(actions(&failures), ["auth.login"]);
    let failure = &items(&failures)[0];
    assert_eq!(failure["actor_username"], "son");
    assert_eq!(failure["actor_id"], Value::Null);
    assert_eq!(failure["resource_type"], "session");

    let successes = audit_page(&app, &admin, "outcome=success&action=auth.login").await;
    assert_eq!(items(&successes).len(), 1, "the admin's login");
    assert_eq!(items(&successes)[0]["actor_username"], "admin");
}

#[actix_web::test]
async fn only_admins_read_the_trail() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (name, role, extra) in [
        ("v", "viewer", json!({})),
        (
            "o",
            "unit_officer",
            json!({"unit_id": unit(&app, &admin, "U5").await}),
        ),
        (
            "c",
            "bloc_chair",
            json!({"bloc_ids": [bloc(&app, &admin, "K3").await]}),
        ),
    ] {
        app.create_user(&admin, &format!("{name}user"), role, extra)
            .await;
        let token = app.token(&format!("{name}user"), PASSWORD).await;
        app.get("/api/v1/audit-events", &token)
            .await
            .problem(403, "forbidden");
        app.get("/api/v1/audit-events?action=user.create", &token)
            .await
            .problem(403, "forbidden");
    }
    app.request(Method::GET, "/api/v1/audit-events")
        .send()
        .await
        .problem(401, "unauthorized");
}
