//! `/auth`: logging in, throttling, refresh-token rotation, logging out, password changes,
//! disabled accounts and the audit trail of logins.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{Value, json};
use thidua::db::schema::login_throttle;

use crate::helpers::{ADMIN_PASSWORD, PASSWORD, TestApp, TestResponse};

const ME: &str = "/api/v1/auth/me";
const REFRESH: &str = "/api/v1/auth/refresh";
const LOGOUT: &str = "/api/v1/auth/logout";
const PASSWORD_PATH: &str = "/api/v1/auth/password";

/// Logs in, asserts success and returns `(access_token, refresh_token)`.
async fn session(app: &TestApp, username: &str, password: &str) -> (String, String) {
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

async fn refresh(app: &TestApp, refresh_token: &str) -> TestResponse {
    app.request(Method::POST, REFRESH)
        .json(&json!({ "refresh_token": refresh_token }))
        .send()
        .await
}

/// Asserts a 401 for an invalid or revoked token, with the challenge header.
fn assert_unauthorized(res: &TestResponse) {
    res.problem(401, "unauthorized");
    assert_eq!(res.header("www-authenticate").as_deref(), Some("Bearer"));
}

/// The `Retry-After` of a 429, as seconds.
fn retry_after(res: &TestResponse) -> u64 {
    res.problem(429, "quota_exceeded");
    let value = res.header("retry-after").expect("a Retry-After header");
    value
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is not a number of seconds: {value:?}"))
}

fn without_request_id(mut problem: Value) -> Value {
    problem.as_object_mut().unwrap().remove("request_id");
    problem
}

/// Disables a user the way an admin does: GET for the ETag, then a conditional merge patch.
async fn disable(app: &TestApp, admin: &str, id: i64) {
    let path = format!("/api/v1/users/{id}");
    let current = app.get(&path, admin).await;
    assert_eq!(current.status, 200);
    let etag = current.header("etag").expect("an ETag");
    let res = app
        .request(Method::PATCH, &path)
        .token(admin)
        .header("if-match", &etag)
        .merge_patch(&json!({ "disabled": true }))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["disabled"], true);
}

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
async fn an_account_is_locked_out_after_repeated_failures_even_for_the_right_password() {
    let app = TestApp::spawn_with(|config| config.throttle.account_max_failures = 3).await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "alice", "viewer", json!({})).await;

    for _ in 0..3 {
        app.login("alice", "wrong-password-guess")
            .await
            .problem(401, "invalid_credentials");
    }
    let locked = app.login("alice", PASSWORD).await;

    let seconds = retry_after(&locked);
    assert!((1..=30).contains(&seconds), "Retry-After: {seconds}");
    // The lock is on the account, whatever the spelling of its name.
    retry_after(&app.login("ALICE", PASSWORD).await);
    // Another account from the same address is under the address limit and still gets in.
    session(&app, "admin", ADMIN_PASSWORD).await;
}

#[actix_web::test]
async fn failures_before_the_limit_are_forgotten_after_a_successful_login() {
    let app = TestApp::spawn_with(|config| config.throttle.account_max_failures = 3).await;

    for _ in 0..2 {
        app.login("admin", "wrong")
            .await
            .problem(401, "invalid_credentials");
    }
    session(&app, "admin", ADMIN_PASSWORD).await;
    for _ in 0..2 {
        app.login("admin", "wrong")
            .await
            .problem(401, "invalid_credentials");
    }

    session(&app, "admin", ADMIN_PASSWORD).await;
}

#[actix_web::test]
async fn an_address_is_locked_out_after_failures_spread_over_many_accounts() {
    let app = TestApp::spawn_with(|config| {
        config.throttle.account_max_failures = 100;
        config.throttle.ip_max_failures = 4;
    })
    .await;

    for name in ["user-a", "user-b", "user-c", "admin"] {
        app.login(name, "wrong-password-guess")
            .await
            .problem(401, "invalid_credentials");
    }
    let locked = app.login("someone-else", "whatever").await;

    assert!(retry_after(&locked) >= 1);
    // Even the right password of an untouched account is refused from this address.
    retry_after(&app.login("admin", ADMIN_PASSWORD).await);
}

#[actix_web::test]
async fn throttle_counts_are_kept_in_the_database() {
    let app = TestApp::spawn().await;

    app.login("admin", "wrong")
        .await
        .problem(401, "invalid_credentials");
    app.login("ghost", "wrong")
        .await
        .problem(401, "invalid_credentials");

    let rows = |app: &TestApp| -> Vec<(String, String, i32)> {
        login_throttle::table
            .select((
                login_throttle::scope,
                login_throttle::key,
                login_throttle::failures,
            ))
            .order((login_throttle::scope, login_throttle::key))
            .load(&mut app.connection())
            .unwrap()
    };
    assert_eq!(
        rows(&app),
        vec![
            ("account".into(), "admin".into(), 1),
            ("account".into(), "ghost".into(), 1),
            ("ip".into(), "127.0.0.1".into(), 2),
        ]
    );
    // A success clears the account's count but not the address's.
    session(&app, "admin", ADMIN_PASSWORD).await;
    assert_eq!(
        rows(&app),
        vec![
            ("account".into(), "ghost".into(), 1),
            ("ip".into(), "127.0.0.1".into(), 2),
        ]
    );
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
async fn a_lockout_ends_when_retry_after_has_passed() {
    let app = TestApp::spawn_with(|config| {
        config.throttle.account_max_failures = 2;
        config.throttle.lockout = std::time::Duration::from_secs(1);
    })
    .await;
    for _ in 0..2 {
        app.login("admin", "wrong")
            .await
            .problem(401, "invalid_credentials");
    }
    let locked = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(retry_after(&locked), 1);

    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;

    session(&app, "admin", ADMIN_PASSWORD).await;
}

#[actix_web::test]
async fn concurrent_failures_are_all_counted() {
    let app = TestApp::spawn_with(|config| {
        config.throttle.account_max_failures = 100;
        config.throttle.ip_max_failures = 100;
    })
    .await;

    let attempts = (0..12).map(|_| app.login("ghost", "wrong"));
    let answers = futures_util::future::join_all(attempts).await;

    for res in &answers {
        res.problem(401, "invalid_credentials");
    }
    let counts: Vec<(String, i32)> = login_throttle::table
        .select((login_throttle::scope, login_throttle::failures))
        .order(login_throttle::scope)
        .load(&mut app.connection())
        .unwrap();
    assert_eq!(counts, vec![("account".into(), 12), ("ip".into(), 12)]);
}

#[actix_web::test]
async fn a_spoofed_forwarded_for_header_does_not_escape_the_address_limit() {
    let app = TestApp::spawn_with(|config| {
        config.throttle.account_max_failures = 100;
        config.throttle.ip_max_failures = 3;
    })
    .await;
    let login_from = |forwarded: &'static str, username: &'static str, password: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login")
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "username": username, "password": password }))
            .send()
    };

    for (i, forwarded) in ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
        .into_iter()
        .enumerate()
    {
        login_from(forwarded, ["a", "b", "c"][i], "wrong")
            .await
            .problem(401, "invalid_credentials");
    }

    retry_after(&login_from("203.0.113.4", "admin", ADMIN_PASSWORD).await);
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_throttled_and_audited() {
    let app = TestApp::spawn_with(|config| {
        config.trust_forwarded = true;
        config.throttle.account_max_failures = 100;
        config.throttle.ip_max_failures = 2;
    })
    .await;
    let login_from = |forwarded: &'static str, password: &'static str| {
        app.request(Method::POST, "/api/v1/auth/login")
            .header("x-forwarded-for", forwarded)
            .json(&json!({ "username": "admin", "password": password }))
            .send()
    };

    for _ in 0..2 {
        login_from("203.0.113.9", "wrong")
            .await
            .problem(401, "invalid_credentials");
    }

    retry_after(&login_from("203.0.113.9", ADMIN_PASSWORD).await);
    let ok = login_from("198.51.100.4", ADMIN_PASSWORD).await;
    assert_eq!(ok.status, 200, "{}", String::from_utf8_lossy(&ok.body));
    let admin = ok.json()["access_token"].as_str().unwrap().to_owned();
    let failures = app
        .get(
            "/api/v1/audit-events?action=auth.login&outcome=failure",
            &admin,
        )
        .await
        .json();
    assert_eq!(failures["items"][0]["client_ip"], "203.0.113.9");
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

#[actix_web::test]
async fn re_enabling_a_user_lets_them_log_in_but_does_not_revive_old_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let erin = app.create_user(&admin, "erin", "viewer", json!({})).await;
    let id = erin["id"].as_i64().unwrap();
    let (old_access, _) = session(&app, "erin", PASSWORD).await;
    disable(&app, &admin, id).await;
    let path = format!("/api/v1/users/{id}");
    let etag = app.get(&path, &admin).await.header("etag").unwrap();

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", &etag)
        .merge_patch(&json!({ "disabled": false }))
        .send()
        .await;

    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_unauthorized(&app.get(ME, &old_access).await);
    let (access, _) = session(&app, "erin", PASSWORD).await;
    assert_eq!(app.get(ME, &access).await.json()["username"], "erin");
}

#[actix_web::test]
async fn a_burst_of_parallel_guesses_gets_no_more_answers_than_the_limit() {
    let app = TestApp::spawn_with(|config| {
        config.throttle.account_max_failures = 3;
        config.throttle.ip_max_failures = 1000;
    })
    .await;

    let guesses =
        (0..12).map(|i| app.login("admin", if i == 11 { ADMIN_PASSWORD } else { "wrong" }));
    let answers = futures_util::future::join_all(guesses).await;

    // Each guess is checked against the lock in the same transaction that records its
    // outcome, so once the third failure has locked the account every other guess — the
    // right password included — is refused without telling whether it was right.
    let count = |status: u16| answers.iter().filter(|r| r.status == status).count();
    let refused = count(429);
    let wrong = count(401);
    let accepted = count(200);
    assert_eq!(refused + wrong + accepted, 12, "{answers:?}");
    if accepted == 0 {
        assert_eq!((wrong, refused), (3, 9), "{answers:?}");
    } else {
        // The right password won the race before the lock; its success reset the count,
        // so at most three failures before it and three after it were answered.
        assert!(wrong <= 5, "{answers:?}");
    }
    for res in answers.iter().filter(|r| r.status == 429) {
        retry_after(res);
    }
}

#[actix_web::test]
async fn wrong_current_passwords_lock_the_account_like_failed_logins() {
    let app = TestApp::spawn_with(|c| c.throttle.account_max_failures = 2).await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "lan", "viewer", json!({})).await;
    let token = app.token("lan", PASSWORD).await;
    let body = |current: &str| json!({"current_password": current, "new_password": "another-long-password"});
    let path = "/api/v1/auth/password";
    app.post(path, &token, &body("wrong-1"))
        .await
        .problem(422, "validation_failed");
    app.post(path, &token, &body("wrong-2"))
        .await
        .problem(422, "validation_failed");
    // Locked now, even with the right password, and for logins too.
    let res = app.post(path, &token, &body(PASSWORD)).await;
    res.problem(429, "quota_exceeded");
    assert!(res.header("retry-after").is_some());
    app.login("lan", PASSWORD)
        .await
        .problem(429, "quota_exceeded");
}
