//! Changing an account: `PATCH /api/v1/users/{id}` under ETags and merge-patch rules, and an
//! admin's password reset.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{bloc, error_fields, id, refresh, session, unit};
use crate::helpers::{PASSWORD, TestApp};

#[actix_web::test]
async fn patching_needs_the_current_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "binh", "viewer", json!({})).await;
    let path = format!("/api/v1/users/{}", id(&user));
    let patch = json!({"full_name": "Trần Văn Bình"});

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .merge_patch(&patch)
        .send()
        .await;
    res.problem(428, "precondition_required");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"7\"")
        .merge_patch(&patch)
        .send()
        .await;
    res.problem(412, "precondition_failed");

    // A malformed tag (unquoted, say) is a client error, not a stale version.
    for malformed in ["not an etag", "1", "W/1"] {
        let res = app
            .request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", malformed)
            .merge_patch(&patch)
            .send()
            .await;
        let problem = res.problem(400, "invalid_header");
        assert_eq!(problem["errors"][0]["field"], "If-Match", "{malformed}");
    }
    // A weak tag never matches (If-Match compares strongly).
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "W/\"1\"")
        .merge_patch(&patch)
        .send()
        .await;
    res.problem(412, "precondition_failed");

    // Neither attempt changed anything.
    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json()["full_name"], Value::Null);

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&patch)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let body = res.json();
    assert_eq!(body["full_name"], "Trần Văn Bình");
    assert_eq!(body["role"], "viewer");
    assert_ne!(body["updated_at"], user["updated_at"]);
    assert_eq!(body["created_at"], user["created_at"]);

    // The old ETag is stale now.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Khác"}))
        .send()
        .await;
    res.problem(412, "precondition_failed");

    // A list of tags matches when one of them is current; `*` always matches.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\", \"2\"")
        .merge_patch(&json!({"full_name": "Bình"}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"3\""));
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": true}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"4\""));
    assert_eq!(res.json()["disabled"], true);
    assert_eq!(res.json()["full_name"], "Bình");

    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"4\""));
}

#[actix_web::test]
async fn patch_bodies_are_merge_patches() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app
        .create_user(&admin, "cuc", "viewer", json!({"full_name": "Lê Thị Cúc"}))
        .await;
    let (b1, b2) = (
        bloc(&app, &admin, "K1").await,
        bloc(&app, &admin, "K2").await,
    );
    let unit = unit(&app, &admin, "SNV").await;
    let path = format!("/api/v1/users/{}", id(&user));

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .body(
            "text/plain",
            json!({"full_name": "Cúc"}).to_string().into_bytes(),
        )
        .send()
        .await;
    res.problem(415, "unsupported_media_type");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"nickname": "Cúc"}))
        .send()
        .await;
    let problem = res.problem(400, "invalid_body");
    assert!(
        problem["detail"].as_str().unwrap().contains("nickname"),
        "{problem}"
    );

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"role": "emperor"}))
        .send()
        .await;
    res.problem(400, "invalid_body");

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": ""}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["full_name"]);

    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"role": "unit_officer"}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["unit_id"]);

    // An empty patch changes nothing but the version.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({}))
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["full_name"], "Lê Thị Cúc");

    // null clears.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"full_name": null}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["full_name"], Value::Null);
    assert_eq!(
        app.get(&path, &admin).await.json()["full_name"],
        Value::Null
    );

    // Role and scope change together; absent fields stay.
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"role": "bloc_chair", "bloc_ids": [b1, b2]}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let body = res.json();
    assert_eq!(body["role"], "bloc_chair");
    assert_eq!(body["bloc_ids"], json!([b1, b2]));
    assert_eq!(body["username"], "cuc");
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"role": "unit_officer", "unit_id": unit, "bloc_ids": []}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["unit_id"], unit);
    assert_eq!(res.json()["bloc_ids"], json!([]));
}

#[actix_web::test]
async fn an_admin_resets_a_password() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "quan", "viewer", json!({})).await;
    let path = format!("/api/v1/users/{}/password", id(&user));
    let token = app.token("quan", PASSWORD).await;
    let new_password = "một-mật-khẩu-mới-đủ-dài";

    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .json(&json!({"password": new_password}))
        .send()
        .await;
    res.problem(428, "precondition_required");
    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"5\"")
        .json(&json!({"password": new_password}))
        .send()
        .await;
    res.problem(412, "precondition_failed");
    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"password": "short"}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["password"]);
    // Nothing so far ended the session.
    assert_eq!(app.get("/api/v1/auth/me", &token).await.status, 200);

    let res = app
        .request(Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"password": new_password}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", String::from_utf8_lossy(&res.body));
    assert!(res.body.is_empty());

    app.get("/api/v1/auth/me", &token)
        .await
        .problem(401, "unauthorized");
    app.login("quan", PASSWORD)
        .await
        .problem(401, "invalid_credentials");
    let fresh = app.token("quan", new_password).await;
    assert_eq!(app.get("/api/v1/auth/me", &fresh).await.status, 200);

    // The reset bumped the version.
    let res = app
        .get(&format!("/api/v1/users/{}", id(&user)), &admin)
        .await;
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
}

#[actix_web::test]
async fn an_admin_cannot_reset_their_own_password_without_the_current_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let me = app.get("/api/v1/auth/me", &admin).await.json()["id"]
        .as_i64()
        .unwrap();

    let res = app
        .request(Method::PUT, &format!("/api/v1/users/{me}/password"))
        .token(&admin)
        .header("if-match", "*")
        .json(&json!({"password": "một-mật-khẩu-chiếm-tài-khoản"}))
        .send()
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "id");
    assert_eq!(problem["errors"][0]["code"], "own_password");
    // Nothing changed: the session and the password are the old ones.
    assert_eq!(app.get("/api/v1/auth/me", &admin).await.status, 200);
    assert_eq!(
        app.login("admin", crate::helpers::ADMIN_PASSWORD)
            .await
            .status,
        200
    );
}

async fn patch_user(app: &TestApp, admin: &str, id: i64, patch: Value) {
    let res = app
        .request(Method::PATCH, &format!("/api/v1/users/{id}"))
        .token(admin)
        .header("if-match", "*")
        .merge_patch(&patch)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}

#[actix_web::test]
async fn re_enabling_a_user_does_not_revive_their_refresh_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "son", "viewer", json!({})).await["id"]
        .as_i64()
        .unwrap();
    let old = session(&app, "son", PASSWORD).await.1;

    patch_user(&app, &admin, id, json!({"disabled": true})).await;
    assert_eq!(refresh(&app, &old).await.status, 401);
    patch_user(&app, &admin, id, json!({"disabled": false})).await;
    assert_eq!(refresh(&app, &old).await.status, 401);

    // A new login works, and its token refreshes.
    let fresh = session(&app, "son", PASSWORD).await.1;
    assert_eq!(refresh(&app, &fresh).await.status, 200);
}

#[actix_web::test]
async fn a_role_change_or_a_password_reset_revokes_refresh_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = app.create_user(&admin, "tam", "viewer", json!({})).await["id"]
        .as_i64()
        .unwrap();

    let before_role = session(&app, "tam", PASSWORD).await.1;
    // A change that touches no rights leaves the session alone.
    patch_user(&app, &admin, id, json!({"full_name": "Đỗ Văn Tâm"})).await;
    let unchanged = session(&app, "tam", PASSWORD).await.1;
    patch_user(&app, &admin, id, json!({"role": "admin"})).await;
    assert_eq!(refresh(&app, &before_role).await.status, 401);
    assert_eq!(refresh(&app, &unchanged).await.status, 401);

    let before_reset = session(&app, "tam", PASSWORD).await.1;
    let res = app
        .request(Method::PUT, &format!("/api/v1/users/{id}/password"))
        .token(&admin)
        .header("if-match", "*")
        .json(&json!({"password": "một-mật-khẩu-mới-đủ-dài"}))
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(refresh(&app, &before_reset).await.status, 401);
}
