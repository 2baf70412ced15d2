//! A write refused with 403 leaves an audit row with outcome `denied`; reads, 401s and 404s
//! leave none.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, expect};
use crate::helpers::TestApp;

async fn denied(app: &TestApp, admin: &str) -> Vec<Value> {
    let res = app.get("/api/v1/audit-events?outcome=denied", admin).await;
    expect(&res, 200)["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn a_refused_write_is_recorded_as_denied_with_who_and_where() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = fixtures::unit(&app, &admin, "STNMT").await;
    let officer = fixtures::officer(&app, &admin, "officer", unit).await;
    let viewer = fixtures::viewer(&app, &admin, "viewer").await;

    app.post(
        "/api/v1/units",
        &officer.token,
        &json!({"code": "SXD", "name": "Sở Xây dựng", "kind": "administrative",
            "valid_from": "2008-04-01"}),
    )
    .await
    .problem(403, "forbidden");
    app.request(Method::PATCH, &format!("/api/v1/units/{unit}"))
        .token(&viewer.token)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"name": "Đổi tên"}))
        .send()
        .await
        .problem(403, "forbidden");

    let rows = denied(&app, &admin).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    let by = |method: &str| {
        rows.iter()
            .find(|r| r["after"]["method"] == method)
            .unwrap()
    };
    let (create, patch) = (by("POST"), by("PATCH"));
    assert_eq!(create["action"], "write.denied");
    assert_eq!(create["outcome"], "denied");
    assert_eq!(create["actor_id"], officer.id);
    assert_eq!(create["actor_username"], "officer");
    assert_eq!(create["actor_role"], "unit_officer");
    assert_eq!(create["resource_type"], "units");
    assert_eq!(create["resource_id"], Value::Null);
    assert_eq!(create["after"]["method"], "POST");
    assert_eq!(create["after"]["route"], "/api/v1/units");
    assert_eq!(patch["actor_id"], viewer.id);
    assert_eq!(patch["resource_id"], unit.to_string());
    assert_eq!(patch["after"]["method"], "PATCH");
    assert_eq!(patch["after"]["route"], "/api/v1/units/{id}");
    assert_eq!(patch["after"]["path"], format!("/api/v1/units/{unit}"));
    assert!(patch["request_id"].is_string());

    // The refusals changed nothing.
    let res = app.get("/api/v1/units?page_size=10", &admin).await;
    assert_eq!(expect(&res, 200)["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        expect(
            &app.get(&format!("/api/v1/units/{unit}"), &admin).await,
            200
        )["name"],
        "Đơn vị STNMT"
    );
}

#[actix_web::test]
async fn reads_unauthenticated_calls_and_out_of_scope_writes_leave_no_denied_row() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let units = fixtures::units(&app, &admin, &["STNMT", "SXD"]).await;
    let officer = fixtures::officer(&app, &admin, "officer", units[0]).await;

    // A read refused with 403.
    app.get("/api/v1/audit-events", &officer.token)
        .await
        .problem(403, "forbidden");
    // A write without a token.
    app.request(Method::POST, "/api/v1/units")
        .json(
            &json!({"code": "SCT", "name": "Sở Công Thương", "kind": "administrative",
            "valid_from": "2008-04-01"}),
        )
        .send()
        .await
        .problem(401, "unauthorized");
    // A write on what the caller cannot see (here: nothing at all) is a 404.
    app.request(Method::DELETE, "/api/v1/units/999999")
        .token(&admin)
        .header("if-match", "\"1\"")
        .send()
        .await
        .problem(404, "not_found");

    assert!(denied(&app, &admin).await.is_empty());
}
