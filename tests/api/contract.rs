//! The HTTP contract every endpoint shares: problem documents, 404/405, bodies, query and path
//! errors, request ids, security headers, CORS, probes, and authorisation before preconditions.
//! Pagination, idempotency and metrics have files of their own; the served OpenAPI document is
//! in `openapi`.

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

#[actix_web::test]
async fn authorisation_comes_before_body_and_header_errors() {
    let app = TestApp::spawn_with(|config| config.body_limit = 1024).await;
    let admin = app.admin_token().await;
    let viewer = app
        .create_user(&admin, "chi.xem", "viewer", json!({}))
        .await;
    let token = app.token("chi.xem", PASSWORD).await;
    let send = |method: Method, path: String, token: Option<&str>, ct: &str, body: &[u8]| {
        let req = app
            .request(method, &path)
            .header("if-match", "*")
            .body(ct, body.to_vec());
        match token {
            Some(t) => req.token(t),
            None => req,
        }
        .send()
    };
    let users = || "/api/v1/users".to_owned();
    let user = || format!("/api/v1/users/{}", viewer["id"]);
    let valid = json!({"username": "moi", "password": PASSWORD, "role": "viewer"})
        .to_string()
        .into_bytes();
    let big = json!({"full_name": "x".repeat(4096)})
        .to_string()
        .into_bytes();

    // Malformed JSON.
    send(Method::POST, users(), None, "application/json", b"{")
        .await
        .problem(401, "unauthorized");
    send(
        Method::POST,
        users(),
        Some(&token),
        "application/json",
        b"{",
    )
    .await
    .problem(403, "forbidden");
    send(
        Method::POST,
        users(),
        Some(&admin),
        "application/json",
        b"{",
    )
    .await
    .problem(400, "malformed_json");
    // The wrong media type.
    send(Method::POST, users(), None, "text/plain", &valid)
        .await
        .problem(401, "unauthorized");
    send(Method::POST, users(), Some(&token), "text/plain", &valid)
        .await
        .problem(403, "forbidden");
    send(Method::POST, users(), Some(&admin), "text/plain", &valid)
        .await
        .problem(415, "unsupported_media_type");
    let patch = br#"{"full_name": "X"}"#;
    send(Method::PATCH, user(), None, "application/json", patch)
        .await
        .problem(401, "unauthorized");
    send(
        Method::PATCH,
        user(),
        Some(&token),
        "application/json",
        patch,
    )
    .await
    .problem(403, "forbidden");
    send(Method::PATCH, user(), Some(&admin), "text/plain", patch)
        .await
        .problem(415, "unsupported_media_type");
    // Too large.
    let merge = "application/merge-patch+json";
    send(Method::PATCH, user(), Some(&token), merge, &big)
        .await
        .problem(403, "forbidden");
    send(Method::PATCH, user(), Some(&admin), merge, &big)
        .await
        .problem(413, "payload_too_large");

    // A malformed Idempotency-Key.
    let key = "k".repeat(300);
    let post = |token: Option<&str>| {
        let req = app
            .request(Method::POST, "/api/v1/users")
            .header("idempotency-key", &key)
            .body("application/json", valid.clone());
        match token {
            Some(t) => req.token(t),
            None => req,
        }
        .send()
    };
    post(None).await.problem(401, "unauthorized");
    post(Some(&token)).await.problem(403, "forbidden");
    let problem = post(Some(&admin)).await.problem(400, "invalid_header");
    assert_eq!(problem["errors"][0]["field"], "Idempotency-Key");
    // Nothing was created on the way.
    app.login("moi", PASSWORD)
        .await
        .problem(401, "invalid_credentials");
}

/// Generated clients send every JSON body as `application/json`: a PATCH so sent is read as the
/// merge patch it is, and the spec declares both media types.
#[actix_web::test]
async fn a_merge_patch_sent_as_plain_json_is_applied() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app
        .create_user(&admin, "cuc", "viewer", json!({"full_name": "Lê Thị Cúc"}))
        .await;
    let path = format!("/api/v1/users/{}", user["id"]);

    // Act
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"full_name": "Cúc"}))
        .send()
        .await;

    // Assert
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["full_name"], "Cúc");
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let spec = serde_json::to_value(thidua::api::openapi()).unwrap();
    let content = &spec["paths"]["/api/v1/users/{id}"]["patch"]["requestBody"]["content"];
    assert!(content["application/json"].is_object(), "{content}");
    assert!(
        content["application/merge-patch+json"].is_object(),
        "{content}"
    );
}

/// Every export the spec declares answers CSV with a header row, and its list refuses `format`:
/// CSV is the export's answer, never the list's.
#[actix_web::test]
async fn every_list_exports_csv_beside_it_and_answers_json_itself() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = app
        .post(
            "/api/v1/units",
            &admin,
            &json!({"code": "SCT", "name": "Sở Công thương", "kind": "administrative", "valid_from": "2008-04-01"}),
        )
        .await
        .json();
    let movement = app
        .post(
            "/api/v1/movements",
            &admin,
            &json!({"name": "Thi đua", "scope": "province", "form": "regular", "start_date": "2026-01-01"}),
        )
        .await
        .json();
    let bloc = app
        .post(
            "/api/v1/blocs",
            &admin,
            &json!({"code": "K-HTKTKT", "name": "Khối Hạ tầng – Kinh tế – Kỹ thuật", "kind": "bloc",
                "level": "province", "active_from": 2019}),
        )
        .await
        .json();
    let spec = serde_json::to_value(thidua::api::openapi()).unwrap();
    let exports: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|p| p.ends_with("/export"))
        .cloned()
        .collect();
    assert_eq!(exports.len(), 12, "{exports:?}");

    for export in exports {
        let id = if export.starts_with("/api/v1/movements/") {
            &movement["id"]
        } else if export.starts_with("/api/v1/blocs/") {
            &bloc["id"]
        } else {
            &unit["id"]
        };
        let mut path = export.replace("{id}", &id.to_string());
        // A ranking is of a year and period, and its lines have ranks, not ids.
        let first = if path.ends_with("/ranking/export") {
            path.push_str("?year=2019&period=h1");
            "rank,"
        } else {
            "id,"
        };
        // Act
        let csv = app.get(&path, &admin).await;
        let list_path = match path.split_once('?') {
            Some((p, q)) => format!("{}?{q}&format=csv", p.trim_end_matches("/export")),
            None => format!("{}?format=csv", path.trim_end_matches("/export")),
        };
        let list = app.get(&list_path, &admin).await;

        // Assert
        assert_eq!(
            csv.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&csv.body)
        );
        assert_eq!(
            csv.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8"),
            "{path}"
        );
        assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "{path}");
        assert!(csv.body[3..].starts_with(first.as_bytes()), "{path}");
        list.problem(400, "invalid_query");
    }
}
