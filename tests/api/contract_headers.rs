//! What every answer carries and who may ask from where: security headers, CORS for the
//! configured origins only, and the health probes.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{ADMIN_PASSWORD, PASSWORD, Req, TestApp};

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
    let res = app.login("admin", ADMIN_PASSWORD).await;
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
}

fn preflight<'a>(app: &'a TestApp, origin: &str) -> Req<'a> {
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
