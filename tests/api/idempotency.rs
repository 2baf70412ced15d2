//! `Idempotency-Key`: a retry replays the first answer, failures do not use up the key, keys
//! belong to one user and must be well formed, and concurrent retries create once.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn an_idempotent_retry_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"username": "once", "password": PASSWORD, "role": "viewer"});
    let send = |key: &str, body: &Value| {
        app.request(Method::POST, "/api/v1/users")
            .token(&admin)
            .header("idempotency-key", key)
            .json(body)
            .send()
    };

    let first = send("key-1", &body).await;
    assert_eq!(
        first.status,
        201,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    assert!(first.header("idempotent-replayed").is_none());
    let second = send("key-1", &body).await;
    assert_eq!(second.status, 201);
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(second.body, first.body);
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("etag"), first.header("etag"));
    assert_eq!(
        second.header("content-type").as_deref(),
        Some("application/json")
    );
    assert_ne!(
        second.header("x-request-id"),
        first.header("x-request-id"),
        "the replay is a new request"
    );
    let list = app.get("/api/v1/users?q=once", &admin).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    // The same request without a key is a new attempt: the username is taken now.
    app.post("/api/v1/users", &admin, &body)
        .await
        .problem(409, "username_taken");

    // The same key for another request is refused, and creates nothing.
    let other = json!({"username": "twice", "password": PASSWORD, "role": "viewer"});
    send("key-1", &other)
        .await
        .problem(422, "idempotency_key_reused");
    let list = app.get("/api/v1/users?q=twice", &admin).await.json();
    assert_eq!(list["items"], json!([]));
}

#[actix_web::test]
async fn failed_requests_do_not_use_up_the_key() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = |key: &str, body: Value| {
        app.request(Method::POST, "/api/v1/users")
            .token(&admin)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    // Invalid: not stored, so the corrected request goes through under the same key.
    send(
        "key-2",
        json!({"username": "fixme", "password": "short", "role": "viewer"}),
    )
    .await
    .problem(422, "validation_failed");
    let res = send(
        "key-2",
        json!({"username": "fixme", "password": PASSWORD, "role": "viewer"}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert!(res.header("idempotent-replayed").is_none());

    // A conflict rolls back with the write, so the key stays free too.
    send(
        "key-3",
        json!({"username": "fixme", "password": PASSWORD, "role": "viewer"}),
    )
    .await
    .problem(409, "username_taken");
    let res = send(
        "key-3",
        json!({"username": "fixed", "password": PASSWORD, "role": "viewer"}),
    )
    .await;
    assert_eq!(res.status, 201);
    assert!(res.header("idempotent-replayed").is_none());
}

#[actix_web::test]
async fn idempotency_keys_belong_to_one_user_and_must_be_well_formed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "admin2", "admin", json!({})).await;
    let other = app.token("admin2", PASSWORD).await;
    let post = |token: &str, key: &str, username: &str| {
        app.request(Method::POST, "/api/v1/users")
            .token(token)
            .header("idempotency-key", key)
            .json(&json!({"username": username, "password": PASSWORD, "role": "viewer"}))
            .send()
    };
    assert_eq!(post(&admin, "shared", "mine").await.status, 201);
    let res = post(&other, "shared", "theirs").await;
    assert_eq!(res.status, 201);
    assert!(res.header("idempotent-replayed").is_none());

    for key in ["has space", &"k".repeat(256)] {
        let problem = post(&admin, key, "badkey")
            .await
            .problem(400, "invalid_header");
        assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    }
    assert_eq!(post(&admin, &"k".repeat(255), "longkey").await.status, 201);
}

#[actix_web::test]
async fn concurrent_retries_with_one_key_create_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"username": "racer", "password": PASSWORD, "role": "viewer"});
    let requests = (0..8).map(|_| {
        app.request(Method::POST, "/api/v1/users")
            .token(&admin)
            .header("idempotency-key", "race-key")
            .json(&body)
            .send()
    });
    let responses = futures_util::future::join_all(requests).await;
    for res in &responses {
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
        assert_eq!(res.body, responses[0].body);
    }
    let fresh = responses
        .iter()
        .filter(|r| r.header("idempotent-replayed").is_none())
        .count();
    assert_eq!(fresh, 1);
    let list = app.get("/api/v1/users?q=racer", &admin).await.json();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}
