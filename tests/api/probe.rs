//! What an outside probe of the running registry found at the request edge: control
//! characters, trailing data, non-problem error bodies, vague error details and the hardening
//! decisions. Each case runs on SQLite, and on PostgreSQL when it is configured.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::unit_body;
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_nul_in_a_login_is_refused_at_the_edge_without_a_token() {
    let app = TestApp::spawn().await;
    let res = app.login("a\u{0}b", "whatever-password").await;
    let body = res.problem(400, "invalid_body");
    assert_eq!(body["errors"][0]["field"], "username");
    assert_eq!(body["errors"][0]["code"], "control_character");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("U+0000")
    );
}

#[actix_web::test]
async fn control_and_bidi_characters_are_refused_in_any_body_string_by_path() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for (body, field) in [
        (unit_body("A1", "Sở\u{0}"), "name"),
        (unit_body("A1", "x\u{1b}[31m"), "name"),
        (unit_body("A1", "x\u{85}"), "name"),
        (unit_body("A1", "\u{202E}abc"), "name"),
        (
            json!({"code": "A1", "name": "x", "kind": "administrative", "admin_level": "province",
                   "valid_from": "2008-04-01", "address": "a\u{2066}b"}),
            "address",
        ),
    ] {
        let res = app.post("/api/v1/units", &token, &body).await;
        let problem = res.problem(400, "invalid_body");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
}

#[actix_web::test]
async fn free_text_keeps_tabs_and_newlines_but_names_do_not() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let mut body = unit_body("T1", "Sở Tư pháp");
    body["address"] = json!("Số 1\nĐường Lê Lợi\tHuế");
    assert_eq!(app.post("/api/v1/units", &token, &body).await.status, 201);
    for (body, field, code) in [
        (unit_body("T2", "Sở\tTư pháp"), "name", "line_break"),
        (unit_body("T2", "Sở\nTư pháp"), "name", "line_break"),
        (unit_body("T2", "\u{200B}\u{FEFF} "), "name", "blank"),
    ] {
        let res = app.post("/api/v1/units", &token, &body).await;
        let problem = res.problem(422, "validation_failed");
        let error = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{problem}"))
            .clone();
        assert_eq!(error["code"], code, "{problem}");
    }
}

#[actix_web::test]
async fn control_characters_in_query_values_are_refused_by_parameter() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    for path in [
        "/api/v1/units?q=a%00b",
        "/api/v1/persons?q=%E2%80%AE",
        "/api/v1/audit-events?action=x%0Dy%01",
    ] {
        let res = app.get(path, &token).await;
        let problem = res.problem(400, "invalid_query");
        let field = problem["errors"][0]["field"].as_str().unwrap();
        assert!(["q", "action"].contains(&field), "{path}: {problem}");
        assert_eq!(problem["errors"][0]["code"], "control_character");
    }
    // Vietnamese text passes.
    let res = app.get("/api/v1/units?q=Nguy%E1%BB%85n", &token).await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn trailing_data_after_the_json_body_is_refused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let one = unit_body("TR1", "Trailing").to_string();
    for body in [
        format!("{one}xyz"),
        format!("{one}{one}"),
        format!("{one} 1"),
    ] {
        let res = app
            .request(Method::POST, "/api/v1/units")
            .token(&token)
            .body("application/json", body.into_bytes())
            .send()
            .await;
        let problem = res.problem(400, "malformed_json");
        assert!(
            problem["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("trailing"),
            "{problem}"
        );
    }
    // White space after the document is not data.
    let res = app
        .request(Method::POST, "/api/v1/units")
        .token(&token)
        .body("application/json", format!("{one}\r\n \n").into_bytes())
        .send()
        .await;
    assert_eq!(res.status, 201);
    let res = app.get("/api/v1/units?q=Trailing", &token).await;
    assert_eq!(res.json()["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_refused_cors_preflight_is_a_problem_document() {
    let app =
        TestApp::spawn_with(|config| config.cors_origins = vec!["https://app.example.vn".into()])
            .await;
    let res = app
        .request(Method::OPTIONS, "/api/v1/units")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .send()
        .await;
    let problem = res.problem(400, "cors_refused");
    assert!(problem["detail"].as_str().unwrap().contains("Origin"));
    assert!(res.header("access-control-allow-origin").is_none());
    // An allowed one still works.
    let res = app
        .request(Method::OPTIONS, "/api/v1/units")
        .header("origin", "https://app.example.vn")
        .header("access-control-request-method", "POST")
        .send()
        .await;
    assert!(res.status < 300, "{}", res.status);
    let res = app
        .request(Method::OPTIONS, "/api/v1/units")
        .header("origin", "https://app.example.vn")
        .header("access-control-request-method", "TRACE")
        .send()
        .await;
    res.problem(400, "cors_refused");
}

#[actix_web::test]
async fn errors_name_the_field_and_the_expected_form() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let cases = [
        ("/api/v1/units?order_by=nope", "order_by", "code"),
        ("/api/v1/units?page_size=abc", "page_size", "integer"),
        ("/api/v1/units?q=a&page_size=abc", "page_size", "integer"),
        (
            "/api/v1/units?valid_on=2024-13-01",
            "valid_on",
            "YYYY-MM-DD",
        ),
        ("/api/v1/units/abc", "id", "integer"),
        ("/api/v1/users?disabled=maybe", "disabled", "true"),
        ("/api/v1/units?nope=1", "nope", "unknown field"),
    ];
    for (path, field, form) in cases {
        let res = app.get(path, &token).await;
        assert_eq!(res.status, 400, "{path}");
        let problem = res.json();
        let error = &problem["errors"][0];
        assert_eq!(error["field"], field, "{path}: {problem}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(form), "{path}: {problem}");
        assert!(!message.contains("i64"), "{path}: {problem}");
    }
    // Bodies: a missing field is named, and a bad date says its form.
    let res = app
        .post(
            "/api/v1/units",
            &token,
            &json!({"code": "X", "kind": "other", "valid_from": "2020-01-01"}),
        )
        .await;
    let problem = res.problem(400, "invalid_body");
    assert_eq!(problem["errors"][0]["field"], "name", "{problem}");
    let mut body = unit_body("D1", "Dates");
    body["valid_from"] = json!("01/02/2020");
    let res = app.post("/api/v1/units", &token, &body).await;
    let problem = res.problem(400, "invalid_body");
    assert_eq!(problem["errors"][0]["field"], "valid_from", "{problem}");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM-DD"),
        "{problem}"
    );
    let mut body = unit_body("D1", "Dates");
    body["parent_id"] = json!("one");
    let res = app.post("/api/v1/units", &token, &body).await;
    let problem = res.problem(400, "invalid_body");
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("integer") && !message.contains("i64"),
        "{problem}"
    );
}

#[actix_web::test]
async fn passwords_made_only_of_spaces_are_refused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/users",
            &token,
            &json!({"username": "spaces", "password": " ".repeat(16), "role": "admin"}),
        )
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "password", "{problem}");
    assert_eq!(problem["errors"][0]["code"], "blank", "{problem}");
    let res = app
        .post(
            "/api/v1/auth/password",
            &token,
            &json!({"current_password": crate::helpers::ADMIN_PASSWORD,
                    "new_password": "\u{a0}".repeat(12)}),
        )
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "new_password", "{problem}");
    // Spaces inside a passphrase are fine.
    app.create_user(
        &token,
        "phrase",
        "admin",
        json!({"password": "  correct horse battery  "}),
    )
    .await;
}

#[actix_web::test]
async fn csv_cells_that_a_spreadsheet_would_run_are_defused() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let names = [
        " =HYPERLINK(\"x\")",
        "\u{a0}=1+1",
        "\u{FF1D}SUM(A1)",
        "|cmd",
        "@SUM(1)",
    ];
    for (i, name) in names.iter().enumerate() {
        let res = app
            .post("/api/v1/units", &token, &unit_body(&format!("F{i}"), name))
            .await;
        assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    }
    let res = app.get("/api/v1/units/export?order_by=code", &token).await;
    assert_eq!(res.status, 200);
    let csv = String::from_utf8(res.body.to_vec()).unwrap();
    for name in names {
        let quoted = format!("'{}", name.replace('"', "\"\""));
        assert!(csv.contains(&quoted), "{name:?} not defused in {csv}");
    }
}

#[actix_web::test]
async fn if_match_star_is_accepted_only_as_documented() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let id = app
        .post("/api/v1/units", &token, &unit_body("S1", "Star"))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // On a versioned resource `*` means "whatever the current version": the client opts out of
    // lost-update protection on purpose; it grants nothing a read of the ETag would not.
    let res = app
        .request(Method::PATCH, &format!("/api/v1/units/{id}"))
        .token(&token)
        .header("if-match", "*")
        .merge_patch(&json!({"name": "Star 2"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // A weak or stale tag never passes, and no header at all is 428.
    for (tag, status) in [("W/\"2\"", 412), ("\"1\"", 412)] {
        let res = app
            .request(Method::PATCH, &format!("/api/v1/units/{id}"))
            .token(&token)
            .header("if-match", tag)
            .merge_patch(&json!({"name": "Star 3"}))
            .send()
            .await;
        assert_eq!(res.status, status, "{tag}");
    }
    let res = app
        .request(Method::PATCH, &format!("/api/v1/units/{id}"))
        .token(&token)
        .merge_patch(&json!({"name": "Star 3"}))
        .send()
        .await;
    res.problem(428, "precondition_required");
    // Longer than the documented 64 characters is malformed, even as a list of tags.
    let long = vec!["\"2\""; 14].join(", ");
    assert!(long.len() > 64);
    let res = app
        .request(Method::PATCH, &format!("/api/v1/units/{id}"))
        .token(&token)
        .header("if-match", &long)
        .merge_patch(&json!({"name": "Star 3"}))
        .send()
        .await;
    let problem = res.problem(400, "invalid_header");
    assert_eq!(problem["errors"][0]["field"], "If-Match", "{problem}");
}

#[cfg(unix)]
#[actix_web::test]
async fn the_sqlite_file_holding_the_signing_key_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    let Some(path) = app.database_url.strip_prefix("sqlite://") else {
        return; // PostgreSQL: the key is in the server's catalogue, not in a file of ours.
    };
    for file in [
        path.to_owned(),
        format!("{path}-wal"),
        format!("{path}-shm"),
    ] {
        if let Ok(meta) = std::fs::metadata(&file) {
            assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
        }
    }
}
