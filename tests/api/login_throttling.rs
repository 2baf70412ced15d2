//! Login throttling: accounts and addresses locked out after repeated failures, counted in the
//! database, under concurrency and behind proxies, and for wrong current passwords too.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::json;
use thidua::db::schema::login_throttle;

use crate::fixtures::session;
use crate::helpers::{ADMIN_PASSWORD, PASSWORD, TestApp, TestResponse};

/// The `Retry-After` of a 429, as seconds.
fn retry_after(res: &TestResponse) -> u64 {
    res.problem(429, "quota_exceeded");
    let value = res.header("retry-after").expect("a Retry-After header");
    value
        .parse()
        .unwrap_or_else(|_| panic!("Retry-After is not a number of seconds: {value:?}"))
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
