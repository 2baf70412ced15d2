//! `/auth/login`: who logs in and how the answer looks, what a login body must be, the audit
//! trail of logins, and rehashing old password hashes. Throttling is in `login_throttling`;
//! refresh tokens, logging out and password changes, in `sessions`.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::fixtures::{session, without_request_id};
use crate::helpers::{ADMIN_PASSWORD, PASSWORD, TestApp};

const ME: &str = "/api/v1/auth/me";

#[actix_web::test]
async fn a_user_logs_in_and_the_access_token_identifies_them() {
    let app = TestApp::spawn().await;

    let res = app.login("admin", ADMIN_PASSWORD).await;

    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(
        body["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 32),
        "{body}"
    );
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(access.split('.').count(), 3, "an access token is a JWS");
    let me = app.get(ME, access).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json()["username"], "admin");
    assert!(me.json().get("password_hash").is_none());
}

#[actix_web::test]
async fn usernames_are_matched_without_regard_to_case_or_surrounding_spaces() {
    let app = TestApp::spawn().await;

    let (access, _) = session(&app, "  ADMIN ", ADMIN_PASSWORD).await;

    assert_eq!(app.get(ME, &access).await.json()["username"], "admin");
}

#[actix_web::test]
async fn an_unknown_user_and_a_wrong_password_get_identical_answers() {
    let app = TestApp::spawn().await;

    let unknown = app.login("nobody-at-all", ADMIN_PASSWORD).await;
    let wrong = app.login("admin", "not-the-admin-password").await;

    for res in [&unknown, &wrong] {
        res.problem(401, "invalid_credentials");
        assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
    }
    assert_eq!(
        without_request_id(unknown.json()),
        without_request_id(wrong.json())
    );
    assert_ne!(unknown.json()["request_id"], wrong.json()["request_id"]);
}

#[actix_web::test]
async fn login_bodies_are_checked_before_any_credentials() {
    let app = TestApp::spawn().await;
    let post = |body: Value| {
        app.request(Method::POST, "/api/v1/auth/login")
            .json(&body)
            .send()
    };

    post(json!({ "username": "admin" }))
        .await
        .problem(400, "invalid_body");
    post(json!({ "username": "admin", "password": ADMIN_PASSWORD, "remember": true }))
        .await
        .problem(400, "invalid_body");
    let empty = post(json!({ "username": "", "password": "x" }))
        .await
        .problem(422, "validation_failed");
    assert_eq!(empty["errors"][0]["field"], "username");
    let form = app
        .request(Method::POST, "/api/v1/auth/login")
        .body(
            "application/x-www-form-urlencoded",
            b"username=admin&password=x".to_vec(),
        )
        .send()
        .await;
    form.problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn logins_are_audited_with_their_outcome() {
    let app = TestApp::spawn().await;
    app.login("admin", "wrong-password")
        .await
        .problem(401, "invalid_credentials");
    let admin = app.admin_token().await;

    let res = app
        .get("/api/v1/audit-events?action=auth.login", &admin)
        .await;

    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let items = res.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{items:?}");
    let success = items
        .iter()
        .find(|e| e["outcome"] == "success")
        .expect("a successful login");
    assert_eq!(success["action"], "auth.login");
    assert_eq!(success["actor_username"], "admin");
    assert_eq!(success["actor_role"], "admin");
    assert!(success["actor_id"].is_i64(), "{success}");
    assert_eq!(success["resource_type"], "session");
    assert_eq!(success["client_ip"], "127.0.0.1");
    assert!(success["request_id"].is_string(), "{success}");
    let failure = items
        .iter()
        .find(|e| e["outcome"] == "failure")
        .expect("a failed login");
    assert_eq!(failure["action"], "auth.login");
    assert_eq!(failure["actor_username"], "admin");
    assert!(failure["actor_id"].is_null(), "{failure}");
    assert_eq!(failure["client_ip"], "127.0.0.1");

    let failures = app
        .get(
            "/api/v1/audit-events?action=auth.login&outcome=failure",
            &admin,
        )
        .await
        .json();
    assert_eq!(failures["items"].as_array().unwrap().len(), 1);
    assert_eq!(failures["items"][0]["outcome"], "failure");
}

#[actix_web::test]
async fn a_password_hashed_with_old_parameters_is_rehashed_at_login() {
    use argon2::{Argon2, PasswordHasher};
    use thidua::db::schema::users;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let dave = app.create_user(&admin, "dave", "viewer", json!({})).await;
    let id = dave["id"].as_i64().unwrap();
    let params = argon2::Params::new(4096, 3, 1, None).unwrap();
    let old = Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(PASSWORD.as_bytes())
        .unwrap()
        .to_string();
    let stored = |app: &TestApp| -> String {
        users::table
            .find(id)
            .select(users::password_hash)
            .first(&mut app.connection())
            .unwrap()
    };
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(&old))
        .execute(&mut app.connection())
        .unwrap();

    let (access, _) = session(&app, "dave", PASSWORD).await;

    let rehashed = stored(&app);
    assert!(
        rehashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{rehashed}"
    );
    assert_eq!(app.get(ME, &access).await.status, 200);
    session(&app, "dave", PASSWORD).await;
    app.login("dave", "wrong")
        .await
        .problem(401, "invalid_credentials");
}
