//! A movement's workflow: `POST /movements/{id}/transitions` moves it only along the table,
//! names what may be done when it refuses, needs a reason to reopen, and audits each step.

use serde_json::json;

use crate::fixtures::{audit, movement, user};
use crate::helpers::TestApp;

/// The status moves only along the workflow's table: each refusal names the current status
/// and what may be done from it, and the steps are audited with their reasons.
#[actix_web::test]
async fn a_movement_moves_through_its_workflow_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = movement(&app, &admin, json!({})).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/movements/{id}/transitions");
    let step = |action: &'static str, reason: Option<&'static str>| {
        let body = match reason {
            Some(r) => json!({"action": action, "reason": r}),
            None => json!({"action": action}),
        };
        let (app, admin, path) = (&app, admin.clone(), path.clone());
        async move { app.post(&path, &admin, &body).await }
    };

    let refused = step("review", None)
        .await
        .problem(409, "transition_not_allowed");
    assert_eq!(refused["current_state"], "planned");
    assert_eq!(refused["allowed_actions"], json!(["open", "cancel"]));
    let opened = step("open", None).await;
    assert_eq!(
        opened.status,
        200,
        "{}",
        String::from_utf8_lossy(&opened.body)
    );
    assert_eq!(opened.json()["status"], "open");
    assert_eq!(opened.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(step("review", None).await.json()["status"], "reviewing");
    // Reopening needs a reason, blank or absent.
    let no_reason = step("reopen", Some(" "))
        .await
        .problem(422, "validation_failed");
    assert_eq!(no_reason["errors"][0]["field"], "reason");
    assert_eq!(
        step("reopen", Some("Gia hạn nhận hồ sơ")).await.json()["status"],
        "open"
    );
    assert_eq!(step("close", None).await.json()["status"], "closed");
    // Nothing leads out of closed.
    let closed = step("open", None)
        .await
        .problem(409, "transition_not_allowed");
    assert_eq!(closed["current_state"], "closed");
    assert_eq!(closed["allowed_actions"], json!([]));
    step("finish", None).await.problem(400, "invalid_body");

    // Only the board moves a movement.
    let viewer = user(&app, &admin, "xem", "viewer", json!({})).await.token;
    app.post(&path, &viewer, &json!({"action": "open"}))
        .await
        .problem(403, "forbidden");
    app.post(
        "/api/v1/movements/999/transitions",
        &admin,
        &json!({"action": "open"}),
    )
    .await
    .problem(404, "not_found");

    let steps = audit(&app, &admin, "movement.transition").await;
    assert_eq!(steps.len(), 4);
    let reopened = steps
        .iter()
        .find(|e| e["after"]["transition_reason"] == "Gia hạn nhận hồ sơ")
        .expect("the reopening, with its reason");
    assert_eq!(reopened["before"]["status"], "reviewing");
    assert_eq!(reopened["after"]["status"], "open");
}
