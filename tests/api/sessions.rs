//! Sessions: refresh-token rotation and reuse, logging out of one or every session, changing
//! one's password, expired refresh tokens, and what disabling an account ends.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::fixtures::{expect, patch_current, refresh, session, without_request_id};
use crate::helpers::{ADMIN_PASSWORD, PASSWORD, TestApp, TestResponse};

const ME: &str = "/api/v1/auth/me";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const PASSWORD_PATH: &str = "/api/v1/auth/password";

/// Asserts a 401 for an invalid or revoked token, with the challenge header.
fn assert_unauthorized(res: &TestResponse) {
    res.problem(401, "unauthorized");
    assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
}

/// Disables a user the way an admin does: GET for the ETag, then a conditional merge patch.
async fn disable(app: &TestApp, admin: &str, id: i64) {
    let path = format!("/api/v1/users/{id}");
    let res = patch_current(app, admin, &path, &json!({ "disabled": true })).await;
    assert_eq!(expect(&res, 200)["disabled"], true);
}

#[actix_web::test]
async fn refreshing_rotates_both_tokens() {
    let app = TestApp::spawn().await;
    let (access, first) = session(&app, "admin", ADMIN_PASSWORD).await;

    let res = refresh(&app, &first).await;

    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let (new_access, second) = (
        body["access_token"].as_str().unwrap(),
        body["refresh_token"].as_str().unwrap(),
    );
    assert_ne!(new_access, access);
    assert_ne!(second, first);
    assert_eq!(app.get(ME, new_access).await.json()["username"], "admin");
    // The next link of the chain works too.
    assert_eq!(refresh(&app, second).await.status, 200);
}

#[actix_web::test]
async fn a_reused_refresh_token_revokes_its_whole_family_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (_, stolen) = session(&app, "admin", ADMIN_PASSWORD).await;
    let (_, other_login) = session(&app, "admin", ADMIN_PASSWORD).await;
    let rotated = refresh(&app, &stolen).await.json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();

    let replay = refresh(&app, &stolen).await;

    assert_unauthorized(&replay);
    assert_unauthorized(&refresh(&app, &rotated).await);
    assert_eq!(refresh(&app, &other_login).await.status, 200);
}

#[actix_web::test]
async fn refresh_rejects_unknown_tokens_and_malformed_bodies() {
    let app = TestApp::spawn().await;
    let (_, token) = session(&app, "admin", ADMIN_PASSWORD).await;

    assert_unauthorized(&refresh(&app, "garbage-that-was-never-issued").await);
    let post = |body: Value| app.request(Method::POST, REFRESH).json(&body).send();
    let missing = post(json!({})).await.problem(400, "invalid_body");
    assert_eq!(missing["errors"][0]["field"], "refresh_token");
    let unknown = post(json!({ "refresh_token": token, "scope": "admin" }))
        .await
        .problem(400, "invalid_body");
    assert!(
        unknown["detail"].as_str().unwrap().contains("scope"),
        "{unknown}"
    );
    post(json!({ "refresh_token": 42 }))
        .await
        .problem(400, "invalid_body");
    post(json!({ "refresh_token": "" }))
        .await
        .problem(422, "validation_failed");
    app.request(Method::POST, REFRESH)
        .body("application/json", b"{\"refresh_token\":".to_vec())
        .send()
        .await
        .problem(400, "malformed_json");
    // None of the refused requests used the token up.
    assert_eq!(refresh(&app, &token).await.status, 200);
}

#[actix_web::test]
async fn logging_out_ends_the_session_and_current_access_tokens() {
    let app = TestApp::spawn().await;
    let (access, refresh_token) = session(&app, "admin", ADMIN_PASSWORD).await;

    let res = app
        .post(LOGOUT, &access, &json!({ "refresh_token": refresh_token }))
        .await;

    assert_eq!(res.status, 204, "{}", String::from_utf8_lossy(&res.body));
    assert!(res.body.is_empty());
    assert_unauthorized(&app.get(ME, &access).await);
    assert_unauthorized(&refresh(&app, &refresh_token).await);
    // Logging in again works.
    let (fresh, _) = session(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(app.get(ME, &fresh).await.status, 200);
}

#[actix_web::test]
async fn logging_out_of_one_session_keeps_the_refresh_tokens_of_others() {
    let app = TestApp::spawn().await;
    let (access, mine) = session(&app, "admin", ADMIN_PASSWORD).await;
    let (other_access, other) = session(&app, "admin", ADMIN_PASSWORD).await;

    let res = app
        .post(LOGOUT, &access, &json!({ "refresh_token": mine }))
        .await;

    assert_eq!(res.status, 204);
    // Every access token issued so far stops working …
    assert_unauthorized(&app.get(ME, &other_access).await);
    // … but the other session can get a new one.
    let renewed = refresh(&app, &other).await;
    assert_eq!(renewed.status, 200);
    let renewed_access = renewed.json()["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get(ME, &renewed_access).await.status, 200);
}

#[actix_web::test]
async fn logging_out_of_all_sessions_revokes_every_refresh_token() {
    let app = TestApp::spawn().await;
    let (first_access, first) = session(&app, "admin", ADMIN_PASSWORD).await;
    let (second_access, second) = session(&app, "admin", ADMIN_PASSWORD).await;

    let res = app
        .post(LOGOUT, &first_access, &json!({ "all_sessions": true }))
        .await;

    assert_eq!(res.status, 204, "{}", String::from_utf8_lossy(&res.body));
    assert_unauthorized(&refresh(&app, &first).await);
    assert_unauthorized(&refresh(&app, &second).await);
    assert_unauthorized(&app.get(ME, &second_access).await);
}

#[actix_web::test]
async fn logging_out_needs_a_valid_access_token() {
    let app = TestApp::spawn().await;
    let (_, refresh_token) = session(&app, "admin", ADMIN_PASSWORD).await;

    let res = app
        .request(Method::POST, LOGOUT)
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await;

    assert_unauthorized(&res);
    assert_eq!(refresh(&app, &refresh_token).await.status, 200);
}

#[actix_web::test]
async fn changing_ones_password_checks_the_current_one_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "bob", "viewer", json!({})).await;
    let (access, refresh_token) = session(&app, "bob", PASSWORD).await;
    let new_password = "a-brand-new-long-password";

    let wrong = app
        .post(
            PASSWORD_PATH,
            &access,
            &json!({ "current_password": "not-my-password", "new_password": new_password }),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(wrong["errors"][0]["field"], "current_password");
    let short = app
        .post(
            PASSWORD_PATH,
            &access,
            &json!({ "current_password": PASSWORD, "new_password": "short-11chr" }),
        )
        .await
        .problem(422, "validation_failed");
    assert_eq!(short["errors"][0]["field"], "new_password");
    assert_eq!(short["errors"][0]["code"], "length");
    // Neither refusal changed anything.
    assert_eq!(app.get(ME, &access).await.status, 200);

    let res = app
        .post(
            PASSWORD_PATH,
            &access,
            &json!({ "current_password": PASSWORD, "new_password": new_password }),
        )
        .await;

    assert_eq!(res.status, 204, "{}", String::from_utf8_lossy(&res.body));
    assert_unauthorized(&app.get(ME, &access).await);
    assert_unauthorized(&refresh(&app, &refresh_token).await);
    app.login("bob", PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    let (fresh, _) = session(&app, "bob", new_password).await;
    assert_eq!(app.get(ME, &fresh).await.json()["username"], "bob");
}

#[actix_web::test]
async fn a_disabled_user_cannot_log_in_and_their_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let carol = app.create_user(&admin, "carol", "viewer", json!({})).await;
    let (access, refresh_token) = session(&app, "carol", PASSWORD).await;
    assert_eq!(app.get(ME, &access).await.status, 200);

    disable(&app, &admin, carol["id"].as_i64().unwrap()).await;

    assert_unauthorized(&app.get(ME, &access).await);
    assert_unauthorized(&refresh(&app, &refresh_token).await);
    let login = app.login("carol", PASSWORD).await;
    login.problem(401, "invalid_credentials");
    // Indistinguishable from a wrong password.
    let wrong = app.login("carol", "not-her-password").await;
    assert_eq!(
        without_request_id(login.json()),
        without_request_id(wrong.json())
    );
}

#[actix_web::test]
async fn an_expired_refresh_token_is_refused() {
    use thidua::db::schema::refresh_tokens;
    let app = TestApp::spawn().await;
    let (_, token) = session(&app, "admin", ADMIN_PASSWORD).await;
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    diesel::update(refresh_tokens::table)
        .set(refresh_tokens::expires_at.eq(past))
        .execute(&mut app.connection())
        .unwrap();

    assert_unauthorized(&refresh(&app, &token).await);
}

#[actix_web::test]
async fn re_enabling_a_user_lets_them_log_in_but_does_not_revive_old_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let erin = app.create_user(&admin, "erin", "viewer", json!({})).await;
    let id = erin["id"].as_i64().unwrap();
    let (old_access, _) = session(&app, "erin", PASSWORD).await;
    disable(&app, &admin, id).await;
    let path = format!("/api/v1/users/{id}");

    let res = patch_current(&app, &admin, &path, &json!({ "disabled": false })).await;

    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_unauthorized(&app.get(ME, &old_access).await);
    let (access, _) = session(&app, "erin", PASSWORD).await;
    assert_eq!(app.get(ME, &access).await.json()["username"], "erin");
}
