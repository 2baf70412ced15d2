//! Behaviour under stress: a saturated pool and concurrent writers.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn a_saturated_pool_answers_503_with_retry_after_instead_of_hanging() {
    // Arrange: a one-connection pool whose only connection the test holds.
    let app = TestApp::spawn_with(|c| {
        c.db_pool_size = 1;
        c.db_timeout = Duration::from_secs(1);
    })
    .await;
    let held = app.state.db.pool().get().unwrap();

    // Act
    let started = Instant::now();
    let res = app.request(Method::GET, "/readyz").send().await;

    // Assert
    res.problem(503, "service_unavailable");
    assert_eq!(res.header("retry-after").as_deref(), Some("1"));
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        app.request(Method::GET, "/healthz").send().await.status,
        200
    );
    drop(held);
    assert_eq!(app.request(Method::GET, "/readyz").send().await.status, 200);
}

#[actix_web::test]
async fn concurrent_writers_all_succeed_and_every_write_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let requests = (0..32).map(|i| {
        let body =
            json!({"username": format!("writer{i}"), "password": PASSWORD, "role": "viewer"});
        let app = &app;
        let admin = &admin;
        async move { app.post("/api/v1/users", admin, &body).await.status }
    });
    let statuses = futures_util::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let audit = app
        .get(
            "/api/v1/audit-events?action=user.create&page_size=100",
            &admin,
        )
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 32);
}

#[actix_web::test]
// Holding the writer's turn across the request is the point: the server's workers, on other
// threads, must wait for it.
#[allow(clippy::await_holding_lock)]
async fn a_writer_kept_waiting_for_sqlite_gives_up_with_503() {
    let app = TestApp::spawn_with(|c| c.db_timeout = Duration::from_secs(1)).await;
    let admin = app.admin_token().await;
    let body = json!({"username": "cho.doi", "password": PASSWORD, "role": "viewer"});
    let turn = app.state.db.writer_turn();

    let started = Instant::now();
    let res = app.post("/api/v1/users", &admin, &body).await;

    if app.database_url.starts_with("sqlite") {
        res.problem(503, "service_unavailable");
        assert_eq!(res.header("retry-after").as_deref(), Some("1"));
        assert!(started.elapsed() < Duration::from_secs(10));
        drop(turn);
        assert_eq!(app.post("/api/v1/users", &admin, &body).await.status, 201);
    } else {
        // PostgreSQL writers do not take the SQLite writer's turn.
        assert_eq!(res.status, 201);
    }
}

#[actix_web::test]
async fn racing_creates_of_one_username_make_one_user_and_clear_conflicts() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"username": "trung.ten", "password": PASSWORD, "role": "viewer"});
    let responses =
        futures_util::future::join_all((0..12).map(|_| app.post("/api/v1/users", &admin, &body)))
            .await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1);
    for res in responses.iter().filter(|r| r.status != 201) {
        res.problem(409, "username_taken");
    }
}
