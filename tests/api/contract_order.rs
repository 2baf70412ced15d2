//! The order of checks and the media types: authorisation comes before preconditions, bodies
//! and headers; a merge patch sent as plain JSON is applied; every list exports CSV beside it.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{User, bloc, id, movement, unit_named, viewer};
use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn authorisation_comes_before_preconditions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let User { id: viewer, token } = viewer(&app, &admin, "chi.xem").await;
    let path = format!("/api/v1/users/{viewer}");
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
    let User { id: viewer, token } = viewer(&app, &admin, "chi.xem").await;
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
    let user = || format!("/api/v1/users/{viewer}");
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
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let movement = id(&movement(&app, &admin, json!({})).await);
    let bloc = bloc(&app, &admin, "K-HTKTKT").await;
    let spec = serde_json::to_value(thidua::api::openapi()).unwrap();
    let exports: Vec<String> = spec["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|p| p.ends_with("/export"))
        .cloned()
        .collect();
    assert_eq!(exports.len(), 16, "{exports:?}");

    for export in exports {
        let id = if export.starts_with("/api/v1/movements/") {
            movement
        } else if export.starts_with("/api/v1/blocs/") {
            bloc
        } else {
            unit
        };
        let mut path = export.replace("{id}", &id.to_string());
        // A ranking is of a year and period, and its lines have ranks, not ids; a bloc's goals
        // report is of one year, and its lines are units.
        let first = if path.ends_with("/ranking/export") {
            path.push_str("?year=2019&period=h1");
            "rank,"
        } else if export.starts_with("/api/v1/blocs/{id}/goals") {
            path.push_str("?year=2019");
            "unit_code,"
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
