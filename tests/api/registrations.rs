//! `/api/v1/movements/{id}/registrations`: a unit's registration from pledge to decision, what a
//! movement that is not open refuses, and registering idempotently.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{
    SAVING, audit, delete_current, movement, officer, patch_current, register, retired_unit,
    transition, unit_named,
};
use crate::helpers::TestApp;

/// Takes a movement through its workflow actions, checking each step.
async fn step(app: &TestApp, admin: &str, id: i64, action: &str, status: &str) {
    let res = transition(app, admin, &format!("/api/v1/movements/{id}"), action, None).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["status"], status);
}

#[actix_web::test]
async fn a_registration_goes_through_its_whole_lifecycle() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit_named(&app, &admin, "STC", "Sở Tài chính").await;
    let officer = officer(&app, &admin, "can_bo_sct", a).await.token;
    let m = movement(&app, &admin, json!({})).await;
    let id = m["id"].as_i64().unwrap();

    // Planned: not yet open for registration.
    register(&app, &officer, id, a)
        .await
        .problem(409, "movement_not_open");
    step(&app, &admin, id, "open", "open").await;

    let res = register(&app, &officer, id, a).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let reg = res.json();
    let rid = reg["id"].as_i64().unwrap();
    let path = format!("/api/v1/movements/{id}/registrations/{rid}");
    assert_eq!(res.header("location").unwrap(), path);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(reg["status"], "pending");
    assert_eq!(reg["unit_id"], a);
    assert_eq!(reg["unit_name"], "Sở Công thương");
    assert_eq!(reg["movement_name"], SAVING);
    assert!(reg["decided_at"].is_null());

    // Once per unit; another unit is not the officer's to register.
    register(&app, &officer, id, a)
        .await
        .problem(409, "already_registered");
    register(&app, &admin, id, a)
        .await
        .problem(409, "already_registered");
    register(&app, &officer, id, b)
        .await
        .problem(404, "not_found");
    register(&app, &officer, id, 999)
        .await
        .problem(404, "not_found");
    register(&app, &admin, 999, a)
        .await
        .problem(404, "not_found");
    let unknown = register(&app, &admin, id, 999).await;
    assert_eq!(
        unknown.problem(422, "validation_failed")["errors"][0]["field"],
        "unit_id"
    );
    // A merged-away unit no longer registers; its successor does.
    let old = retired_unit(&app, &admin, "SKHDT", "Sở Kế hoạch và Đầu tư", "2025-02-28").await;
    let retired = register(&app, &admin, id, old).await;
    assert_eq!(
        retired.problem(422, "validation_failed")["errors"][0]["code"],
        "retired"
    );
    let blank = app
        .post(
            &format!("/api/v1/movements/{id}/registrations"),
            &officer,
            &json!({"unit_id": a, "pledge": "   "}),
        )
        .await;
    assert_eq!(
        blank.problem(422, "validation_failed")["errors"][0]["field"],
        "pledge"
    );
    let long = app
        .post(
            &format!("/api/v1/movements/{id}/registrations"),
            &admin,
            &json!({"unit_id": b, "pledge": "x".repeat(4001)}),
        )
        .await;
    long.problem(422, "validation_failed");

    // The officer decides nothing, and a rejection needs its reason.
    transition(&app, &officer, &path, "approve", None)
        .await
        .problem(403, "forbidden");
    patch_current(&app, &admin, &path, &json!({"status": "approved"}))
        .await
        .problem(400, "invalid_body");
    let no_note = transition(&app, &admin, &path, "reject", None).await;
    assert_eq!(
        no_note.problem(422, "validation_failed")["errors"][0]["field"],
        "reason"
    );
    transition(&app, &admin, &path, "pend", None)
        .await
        .problem(400, "invalid_body");

    let approved = transition(&app, &admin, &path, "approve", Some("Đồng ý")).await;
    assert_eq!(
        approved.status,
        200,
        "{}",
        String::from_utf8_lossy(&approved.body)
    );
    assert_eq!(approved.header("etag").as_deref(), Some("\"2\""));
    let body = approved.json();
    assert_eq!(body["status"], "approved");
    assert_eq!(body["decision_note"], "Đồng ý");
    assert_eq!(body["decided_by"], 1);
    assert!(body["decided_at"].is_string());

    // Decided once and for all, and the officer can no longer reword it.
    let again = transition(&app, &admin, &path, "reject", Some("Nhầm"))
        .await
        .problem(409, "transition_not_allowed");
    assert_eq!(again["current_state"], "approved");
    assert_eq!(again["allowed_actions"], json!([]));
    patch_current(&app, &officer, &path, &json!({"pledge": "Khác"}))
        .await
        .problem(409, "registration_decided");

    let created = audit(&app, &admin, "registration.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["resource_type"], "registration");
    assert_eq!(created[0]["actor_username"], "can_bo_sct");
    let decided = audit(&app, &admin, "registration.decide").await;
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0]["before"]["status"], "pending");
    assert_eq!(decided[0]["after"]["status"], "approved");

    // The movement has registrations now, so it is closed rather than deleted.
    let m_path = format!("/api/v1/movements/{id}");
    let refused = delete_current(&app, &admin, &m_path).await;
    let problem = refused.problem(409, "movement_in_use");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("1 movement registrations")
    );
}

#[actix_web::test]
async fn an_officer_rewords_a_pending_pledge_and_an_admin_rejects_with_a_note() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let officer = officer(&app, &admin, "can_bo_sct", a).await.token;
    let id = movement(&app, &admin, json!({"status": "open"})).await["id"]
        .as_i64()
        .unwrap();
    let rid = register(&app, &officer, id, a).await.json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/movements/{id}/registrations/{rid}");

    let res = patch_current(
        &app,
        &officer,
        &path,
        &json!({"pledge": "Giảm 15% chi phí điện"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["pledge"], "Giảm 15% chi phí điện");
    assert_eq!(audit(&app, &admin, "registration.update").await.len(), 1);
    patch_current(
        &app,
        &officer,
        &path,
        &json!({"pledge": "Giảm", "decision_note": "x"}),
    )
    .await
    .problem(400, "invalid_body");
    patch_current(&app, &officer, &path, &json!({"pledge": ""}))
        .await
        .problem(422, "validation_failed");

    // Once the movement is under review, the pledge stays as it is.
    step(&app, &admin, id, "review", "reviewing").await;
    patch_current(&app, &officer, &path, &json!({"pledge": "Muộn"}))
        .await
        .problem(409, "movement_not_open");

    let res = transition(
        &app,
        &admin,
        &path,
        "reject",
        Some("Nội dung cam kết chưa có chỉ tiêu cụ thể"),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["status"], "rejected");
    let mine = app.get(&path, &officer).await;
    assert_eq!(
        mine.json()["decision_note"],
        "Nội dung cam kết chưa có chỉ tiêu cụ thể"
    );
}

#[actix_web::test]
async fn registering_for_a_closed_movement_is_a_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    for status in ["closed", "reviewing", "planned"] {
        let id = movement(&app, &admin, json!({"status": status})).await["id"]
            .as_i64()
            .unwrap();
        let problem = register(&app, &admin, id, a)
            .await
            .problem(409, "movement_not_open");
        assert!(
            problem["detail"].as_str().unwrap().contains(status),
            "{problem}"
        );
    }
    assert!(audit(&app, &admin, "registration.create").await.is_empty());
}

#[actix_web::test]
async fn registering_is_idempotent_with_a_key() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit_named(&app, &admin, "STC", "Sở Tài chính").await;
    let id = movement(&app, &admin, json!({"status": "open"})).await["id"]
        .as_i64()
        .unwrap();
    let send = |unit: i64| {
        app.request(
            Method::POST,
            &format!("/api/v1/movements/{id}/registrations"),
        )
        .token(&admin)
        .header("idempotency-key", "dang-ky-sct-1")
        .json(&json!({"unit_id": unit, "pledge": "Cam kết tiết kiệm"}))
        .send()
    };
    let first = send(a).await;
    assert_eq!(first.status, 201);
    let again = send(a).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.header("location"), first.header("location"));
    send(b).await.problem(422, "idempotency_key_reused");
    assert_eq!(audit(&app, &admin, "registration.create").await.len(), 1);
}
