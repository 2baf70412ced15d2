//! The HTTP contract every endpoint shares: problem documents, 404/405, bodies, query and path
//! errors, and request ids. Security headers, CORS and the probes are in `contract_headers`;
//! the order of checks, media types and CSV exports, in `contract_order`. Pagination,
//! idempotency and metrics have files of their own; the served OpenAPI document is in
//! `openapi`.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

#[actix_web::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for path in [
        "/api/v1/nope",
        "/nope",
        "/api/v2/users",
        "/api/v1/users/1/nope",
    ] {
        let res = app.get(path, &admin).await;
        let problem = res.problem(404, "not_found");
        assert_eq!(problem["type"], "urn:thidua:problem:not_found");
        assert_eq!(problem["title"], "Not found");
        assert_eq!(problem["instance"], path);
        assert!(problem["detail"].is_string());
    }
    // Without a token too: the route's absence is no secret.
    app.request(Method::GET, "/api/v1/nope")
        .send()
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn a_wrong_method_is_a_405_naming_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cases = [
        (Method::DELETE, "/api/v1/users", vec!["GET", "POST"]),
        (Method::PUT, "/api/v1/users", vec!["GET", "POST"]),
        (Method::DELETE, "/api/v1/users/1", vec!["GET", "PATCH"]),
        (Method::POST, "/api/v1/users/1", vec!["GET", "PATCH"]),
        (Method::GET, "/api/v1/users/1/password", vec!["PUT"]),
        (Method::GET, "/api/v1/auth/login", vec!["POST"]),
        (Method::POST, "/api/v1/audit-events", vec!["GET"]),
        (Method::POST, "/healthz", vec!["GET"]),
    ];
    for (method, path, allowed) in cases {
        let res = app.request(method.clone(), path).token(&admin).send().await;
        res.problem(405, "method_not_allowed");
        let allow = res
            .header("allow")
            .unwrap_or_else(|| panic!("no Allow on {method} {path}"));
        let mut got: Vec<&str> = allow.split(',').map(str::trim).collect();
        got.sort_unstable();
        assert_eq!(got, allowed, "{method} {path}");
    }
}

#[actix_web::test]
async fn bodies_must_be_well_formed_json_of_the_right_type() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for bad in [&b"{"[..], b"{\"username\": }", b"", b"not json"] {
        let res = app
            .request(Method::POST, "/api/v1/users")
            .token(&admin)
            .body("application/json", bad.to_vec())
            .send()
            .await;
        let problem = res.problem(400, "malformed_json");
        assert_eq!(problem["errors"][0]["field"], "body", "{problem}");
    }
    // A JSON value of the wrong shape is a data error, not malformed.
    let res = app
        .request(Method::POST, "/api/v1/users")
        .token(&admin)
        .body("application/json", b"[1, 2]".to_vec())
        .send()
        .await;
    res.problem(400, "invalid_body");

    let body = json!({"username": "plain", "password": PASSWORD, "role": "viewer"})
        .to_string()
        .into_bytes();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/merge-patch+json",
    ] {
        let res = app
            .request(Method::POST, "/api/v1/users")
            .token(&admin)
            .body(content_type, body.clone())
            .send()
            .await;
        res.problem(415, "unsupported_media_type");
    }
    // No content type at all.
    let res = app
        .request(Method::POST, "/api/v1/users")
        .token(&admin)
        .send()
        .await;
    res.problem(415, "unsupported_media_type");
    // Parameters and case do not matter.
    let res = app
        .request(Method::POST, "/api/v1/users")
        .token(&admin)
        .body("Application/JSON; charset=utf-8", body)
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
}

#[actix_web::test]
async fn a_body_above_the_limit_is_413() {
    let app = TestApp::spawn_with(|config| config.body_limit = 1024).await;
    let admin = app.admin_token().await;
    let big = json!({
        "username": "big",
        "password": PASSWORD,
        "role": "viewer",
        "full_name": "x".repeat(4096),
    });
    let res = app.post("/api/v1/users", &admin, &big).await;
    res.problem(413, "payload_too_large");
    let res = app
        .request(Method::PATCH, "/api/v1/users/1")
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"full_name": "x".repeat(4096)}))
        .send()
        .await;
    res.problem(413, "payload_too_large");
    // Just under the limit is fine.
    let ok = json!({
        "username": "small",
        "password": PASSWORD,
        "role": "viewer",
        "full_name": "x".repeat(150),
    });
    assert!(ok.to_string().len() < 1024);
    let res = app.post("/api/v1/users", &admin, &ok).await;
    assert_eq!(res.status, 201);
    assert_eq!(
        app.get("/api/v1/users?q=big", &admin).await.json()["items"],
        json!([])
    );
}

#[actix_web::test]
async fn bad_path_and_query_values_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for path in [
        "/api/v1/users/abc",
        "/api/v1/users/1.5",
        "/api/v1/users/99999999999999999999999",
    ] {
        let problem = app.get(path, &admin).await.problem(400, "invalid_path");
        assert_eq!(problem["errors"][0]["field"], "id");
    }
    for query in [
        "page_size=abc",
        "page_size=",
        "disabled=maybe",
        "role=superuser",
    ] {
        app.get(&format!("/api/v1/users?{query}"), &admin)
            .await
            .problem(400, "invalid_query");
    }
    let problem = app
        .get("/api/v1/users?colour=blue", &admin)
        .await
        .problem(400, "invalid_query");
    assert_eq!(problem["errors"][0]["field"], "colour", "{problem}");
    let problem = app
        .get("/api/v1/audit-events?actor=1", &admin)
        .await
        .problem(400, "invalid_query");
    assert_eq!(problem["errors"][0]["field"], "actor", "{problem}");
    app.get("/api/v1/audit-events?from=yesterday", &admin)
        .await
        .problem(400, "invalid_query");
}

#[actix_web::test]
async fn a_valid_request_id_is_echoed_and_an_invalid_one_replaced() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;

    let res = app
        .request(Method::GET, "/api/v1/users")
        .token(&admin)
        .header("x-request-id", "client-req-42")
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("x-request-id").as_deref(), Some("client-req-42"));

    let res = app
        .request(Method::GET, "/api/v1/nope")
        .header("x-request-id", "Trace-ABC-123")
        .send()
        .await;
    let problem = res.problem(404, "not_found");
    assert_eq!(res.header("x-request-id").as_deref(), Some("Trace-ABC-123"));
    assert_eq!(problem["request_id"], "Trace-ABC-123");

    let sixty_four = "a".repeat(64);
    let res = app
        .request(Method::GET, "/healthz")
        .header("x-request-id", &sixty_four)
        .send()
        .await;
    assert_eq!(res.header("x-request-id"), Some(sixty_four));

    for invalid in [
        "has spaces in it".to_owned(),
        "a".repeat(100),
        "a".repeat(65),
        "semi;colon".to_owned(),
        "under_score".to_owned(),
        "<script>".to_owned(),
    ] {
        let res = app
            .request(Method::GET, "/api/v1/users/abc")
            .token(&admin)
            .header("x-request-id", &invalid)
            .send()
            .await;
        let problem = res.problem(400, "invalid_path");
        let id = res.header("x-request-id").unwrap();
        assert_ne!(id, invalid);
        assert!(is_uuid(&id), "{id}");
        assert_eq!(problem["request_id"], id.as_str());
    }

    let a = app.request(Method::GET, "/healthz").send().await;
    let b = app.request(Method::GET, "/healthz").send().await;
    let (a, b) = (
        a.header("x-request-id").unwrap(),
        b.header("x-request-id").unwrap(),
    );
    assert!(is_uuid(&a) && is_uuid(&b), "{a} {b}");
    assert_ne!(a, b);
    // An unauthenticated problem carries a generated id as well.
    let res = app.request(Method::GET, "/api/v1/users").send().await;
    let problem = res.problem(401, "unauthorized");
    assert_eq!(
        problem["request_id"].as_str(),
        res.header("x-request-id").as_deref()
    );
}
