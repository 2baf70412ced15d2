//! The HTTP contract every endpoint shares: problem documents, 404/405, bodies, query and path
//! errors, request ids, security headers, CORS, probes, metrics, the OpenAPI document,
//! pagination and idempotency.

use std::collections::HashSet;

use actix_web::http::Method;
use serde_json::{Value, json};

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
        assert_eq!(problem["title"], "Not Found");
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
        assert_eq!(problem["errors"][0]["field"], "path");
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

#[actix_web::test]
async fn responses_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let responses = [
        app.get("/api/v1/users", &admin).await,
        app.get("/api/v1/auth/me", &admin).await,
        app.request(Method::GET, "/api/v1/users").send().await,
        app.get("/api/v1/nope", &admin).await,
        app.request(Method::DELETE, "/api/v1/users")
            .token(&admin)
            .send()
            .await,
        app.request(Method::GET, "/healthz").send().await,
        app.post(
            "/api/v1/users",
            &admin,
            &json!({"username": "hdr", "password": PASSWORD, "role": "viewer"}),
        )
        .await,
    ];
    for res in responses {
        assert_eq!(
            res.header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{res:?}"
        );
        assert_eq!(
            res.header("cache-control").as_deref(),
            Some("no-store"),
            "{res:?}"
        );
    }
    // The login answer holds tokens: it must never be cached.
    let res = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
}

fn preflight<'a>(app: &'a TestApp, origin: &str) -> crate::helpers::Req<'a> {
    app.request(Method::OPTIONS, "/api/v1/users")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type, idempotency-key",
        )
}

#[actix_web::test]
async fn cors_admits_only_the_configured_origins() {
    let app =
        TestApp::spawn_with(|config| config.cors_origins = vec!["https://app.example.vn".into()])
            .await;
    let res = preflight(&app, "https://app.example.vn").send().await;
    assert!(res.status < 300, "{res:?}");
    assert_eq!(
        res.header("access-control-allow-origin").as_deref(),
        Some("https://app.example.vn")
    );
    let methods = res.header("access-control-allow-methods").unwrap();
    for m in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
        assert!(methods.contains(m), "{methods}");
    }
    let headers = res
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in ["authorization", "content-type", "idempotency-key"] {
        assert!(headers.contains(h), "{headers}");
    }

    let res = preflight(&app, "https://evil.example").send().await;
    assert!(
        res.header("access-control-allow-origin").is_none(),
        "{res:?}"
    );

    // An actual cross-origin request from the allowed origin can read the request id.
    let res = app
        .request(Method::GET, "/healthz")
        .header("origin", "https://app.example.vn")
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("access-control-allow-origin").as_deref(),
        Some("https://app.example.vn")
    );
    let exposed = res
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    assert!(exposed.contains("etag"), "{exposed}");

    let res = app
        .request(Method::GET, "/healthz")
        .header("origin", "https://evil.example")
        .send()
        .await;
    assert!(
        res.header("access-control-allow-origin").is_none(),
        "{res:?}"
    );
}

#[actix_web::test]
async fn without_configured_origins_cors_admits_none() {
    let app = TestApp::spawn().await;
    let res = preflight(&app, "https://app.example.vn").send().await;
    assert!(
        res.header("access-control-allow-origin").is_none(),
        "{res:?}"
    );
}

#[actix_web::test]
async fn the_probes_answer() {
    let app = TestApp::spawn().await;
    for path in ["/healthz", "/readyz"] {
        let res = app.request(Method::GET, path).send().await;
        assert_eq!(res.status, 200, "{path}");
        assert_eq!(res.json(), json!({"status": "ok"}), "{path}");
        assert!(
            res.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
    }
}

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_report_the_pool() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.request(Method::GET, "/healthz").send().await;
    assert_eq!(app.get("/api/v1/users/1", &admin).await.status, 200);
    assert_eq!(app.get("/api/v1/users/1", &admin).await.status, 200);
    app.get("/api/v1/no/such/thing", &admin).await;
    let res = app.request(Method::GET, "/metrics").send().await;
    assert_eq!(res.status, 200);
    let text = String::from_utf8(res.body.to_vec()).unwrap();
    for name in [
        "thidua_http_requests_total",
        "thidua_http_requests_duration_seconds",
        "thidua_db_pool_connections",
        "thidua_db_pool_idle_connections",
        "thidua_db_pool_max_connections 4",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    let line = |needle: &[&str]| {
        text.lines()
            .find(|l| {
                l.starts_with("thidua_http_requests_total{") && needle.iter().all(|n| l.contains(n))
            })
            .map(str::to_owned)
    };
    assert!(
        line(&["endpoint=\"/healthz\"", "status=\"200\""]).is_some(),
        "{text}"
    );
    // Ids are folded into the pattern, and unknown paths into one label, so the label set stays
    // bounded whatever clients request.
    let users = line(&[
        "endpoint=\"/api/v1/users/{id}\"",
        "method=\"GET\"",
        "status=\"200\"",
    ])
    .unwrap_or_else(|| panic!("{text}"));
    assert!(users.ends_with(" 2"), "{users}");
    assert!(!text.contains("/api/v1/users/1\""), "{text}");
    assert!(!text.contains("no/such/thing"), "{text}");
}

#[actix_web::test]
async fn the_openapi_document_and_the_docs_are_served() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::GET, "/api/v1/openapi.json")
        .send()
        .await;
    assert_eq!(res.status, 200);
    let doc = res.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "thidua");
    for path in [
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/password",
        "/api/v1/audit-events",
        "/api/v1/auth/login",
        "/healthz",
        "/readyz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }
    assert!(doc["paths"]["/api/v1/users"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/users"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/users/{id}"]["patch"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let res = app.request(Method::GET, "/docs/").send().await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type").unwrap().starts_with("text/html"),
        "{res:?}"
    );
    assert!(
        String::from_utf8_lossy(&res.body)
            .to_ascii_lowercase()
            .contains("<html")
    );
}

#[actix_web::test]
async fn without_docs_the_openapi_document_is_still_served() {
    let app = TestApp::spawn_with(|config| config.docs = false).await;
    let res = app
        .request(Method::GET, "/api/v1/openapi.json")
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert!(res.json()["openapi"].as_str().unwrap().starts_with("3.1"));
    app.request(Method::GET, "/docs/")
        .send()
        .await
        .problem(404, "not_found");
}

/// Creates users `page00`, `page01`, … (viewers, or unit officers every third).
async fn seed_users(app: &TestApp, admin: &str, n: usize) -> Vec<i64> {
    let unit = crate::users::new_unit(app, admin, "SEED").await;
    let mut ids = vec![];
    for i in 0..n {
        let (role, extra) = if i % 3 == 2 {
            ("unit_officer", json!({"unit_id": unit}))
        } else {
            ("viewer", json!({}))
        };
        let user = app
            .create_user(admin, &format!("page{i:02}"), role, extra)
            .await;
        ids.push(user["id"].as_i64().unwrap());
    }
    ids
}

/// Walks every page of `query`, returning the items in order and the number of pages.
async fn walk(app: &TestApp, admin: &str, query: &str) -> (Vec<Value>, usize) {
    let mut items = vec![];
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/api/v1/users?{query}");
        if let Some(t) = &token {
            path.push_str(&format!("&page_token={t}"));
        }
        let res = app.get(&path, admin).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        let page = res.json();
        pages += 1;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page.get("next_page_token") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => return (items, pages),
        }
        assert!(pages < 50, "the walk does not end");
    }
}

#[actix_web::test]
async fn user_lists_page_without_repeating_or_skipping() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut expected = seed_users(&app, &admin, 7).await;
    expected.insert(0, 1); // the admin

    let res = app.get("/api/v1/users?page_size=3", &admin).await;
    let first = res.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    assert!(first["next_page_token"].is_string());

    let (items, pages) = walk(&app, &admin, "page_size=3").await;
    let ids: Vec<i64> = items.iter().map(|u| u["id"].as_i64().unwrap()).collect();
    assert_eq!(pages, 3);
    assert_eq!(ids, expected);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

    // Exactly one page's worth: no empty trailing page.
    let (items, pages) = walk(&app, &admin, "page_size=8").await;
    assert_eq!((items.len(), pages), (8, 1));

    let (items, _) = walk(&app, &admin, "page_size=3&order_by=username%20desc").await;
    let names: Vec<&str> = items
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], "page06");
    assert_eq!(names[7], "admin");

    let (items, _) = walk(&app, &admin, "page_size=2&order_by=id%20desc").await;
    let ids: Vec<i64> = items.iter().map(|u| u["id"].as_i64().unwrap()).collect();
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(ids, reversed);

    let (items, _) = walk(&app, &admin, "page_size=2&order_by=created_at").await;
    let ids: HashSet<i64> = items.iter().map(|u| u["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, expected.iter().copied().collect());

    // Filters page too.
    let (items, pages) = walk(&app, &admin, "page_size=2&role=viewer").await;
    assert_eq!((items.len(), pages), (5, 3));
    assert!(items.iter().all(|u| u["role"] == "viewer"));
}

#[actix_web::test]
async fn bad_page_parameters_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    seed_users(&app, &admin, 4).await;
    for query in ["page_size=0", "page_size=101", "page_size=-1"] {
        let problem = app
            .get(&format!("/api/v1/users?{query}"), &admin)
            .await
            .problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], "page_size", "{query}");
    }
    assert_eq!(
        app.get("/api/v1/users?page_size=100", &admin).await.status,
        200
    );
    for order in [
        "nope",
        "username%20sideways",
        "username%20desc%20extra",
        "password_hash",
    ] {
        let problem = app
            .get(&format!("/api/v1/users?order_by={order}"), &admin)
            .await
            .problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], "order_by", "{order}");
    }

    let first = app.get("/api/v1/users?page_size=2", &admin).await.json();
    let token = first["next_page_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(
            &format!("/api/v1/users?page_size=2&page_token={token}"),
            &admin
        )
        .await
        .status,
        200
    );
    // The page size may change between pages; the filters and order may not.
    assert_eq!(
        app.get(
            &format!("/api/v1/users?page_size=5&page_token={token}"),
            &admin
        )
        .await
        .status,
        200
    );
    for other in [
        "role=viewer",
        "disabled=false",
        "q=page",
        "order_by=username",
        "order_by=id%20desc",
    ] {
        let problem = app
            .get(
                &format!("/api/v1/users?page_size=2&{other}&page_token={token}"),
                &admin,
            )
            .await
            .problem(400, "invalid_page_token");
        assert_eq!(problem["errors"][0]["field"], "page_token", "{other}");
    }
    for garbage in ["garbage", "!!!", "eyJmb28iOjF9", &"A".repeat(300)] {
        app.get(&format!("/api/v1/users?page_token={garbage}"), &admin)
            .await
            .problem(400, "invalid_page_token");
    }
    // A token of the audit list does not fit the user list.
    let audit = app
        .get("/api/v1/audit-events?page_size=1", &admin)
        .await
        .json();
    let audit_token = audit["next_page_token"].as_str().unwrap();
    app.get(&format!("/api/v1/users?page_token={audit_token}"), &admin)
        .await
        .problem(400, "invalid_page_token");
}

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

#[actix_web::test]
async fn authorisation_comes_before_preconditions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = app
        .create_user(&admin, "chi.xem", "viewer", json!({}))
        .await;
    let token = app.token("chi.xem", PASSWORD).await;
    let path = format!("/api/v1/users/{}", viewer["id"]);
    let patch = |token: Option<&str>| {
        let req = app
            .request(Method::PATCH, &path)
            .merge_patch(&json!({"full_name": "X"}));
        match token {
            Some(t) => req.token(t),
            None => req,
        }
        .send()
    };
    patch(None).await.problem(401, "unauthorized");
    patch(Some(&token)).await.problem(403, "forbidden");
    patch(Some(&admin))
        .await
        .problem(428, "precondition_required");
}
