//! `/units/{id}/goals`, `/goals/{id}`: goals of a unit, exact decimals, derived progress and
//! status, who may write them, audit, CSV.

use serde_json::json;

use crate::fixtures::{self, expect, id};
use crate::helpers::TestApp;

#[actix_web::test]
async fn an_officer_sets_its_units_goal_reports_the_actual_and_sees_progress() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::founding_2019(&app, &admin).await;
    let sct = bloc.units[3];
    let officer = fixtures::officer(&app, &admin, "sct.officer", sct).await;

    // Act
    let created = fixtures::goal(
        &app,
        &officer.token,
        sct,
        json!({"metric": "Tỷ lệ hồ sơ giải quyết đúng và trước hạn", "note": "Theo giao ước 2019"}),
    )
    .await;
    let path = format!("/api/v1/goals/{}", id(&created));
    let reported =
        fixtures::patch_current(&app, &officer.token, &path, &json!({"actual": "98.5"})).await;

    // Assert
    assert_eq!(created["target"], "95");
    assert_eq!(created["actual"], json!(null));
    assert_eq!(created["progress_percent"], json!(null));
    assert_eq!(created["unit_id"], sct);
    let reported = expect(&reported, 200);
    assert_eq!(reported["actual"], "98.5");
    assert_eq!(reported["progress_percent"], "103.68");
    assert_eq!(reported["status"], "exceeded");
    let got = app.get(&path, &officer.token).await;
    assert_eq!(got.header("etag").as_deref(), Some("\"2\""));
    let events = fixtures::audit(&app, &admin, "goal.update").await;
    assert_eq!(events.len(), 1);
}

#[actix_web::test]
async fn decimals_are_kept_exactly_and_a_period_over_is_missed() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = fixtures::unit(&app, &admin, "STNMT").await;

    // Act
    let tenth = fixtures::goal(
        &app,
        &admin,
        unit,
        json!({"target": "0.3", "actual": "0.1"}),
    )
    .await;
    let none = fixtures::goal(
        &app,
        &admin,
        unit,
        json!({"title": "Không có khiếu nại, tố cáo vượt cấp", "unit_of_measure": "vụ",
               "direction": "lower", "target": "0", "actual": "0", "period": "h1"}),
    )
    .await;
    let late = fixtures::goal(&app, &admin, unit, json!({"period": "h1", "actual": "90"})).await;

    // Assert
    assert_eq!(tenth["target"], "0.3");
    assert_eq!(tenth["actual"], "0.1");
    assert_eq!(tenth["progress_percent"], "33.33");
    assert_eq!(none["progress_percent"], "100");
    assert_eq!(none["status"], "achieved");
    // H1 2019 ended on 30 June 2019: short of the target, it is missed.
    assert_eq!(late["status"], "missed");
}

#[actix_web::test]
async fn bad_goals_are_refused_with_the_field_named_and_nothing_written() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = fixtures::unit(&app, &admin, "SXD").await;
    let path = format!("/api/v1/units/{unit}/goals");
    let base = json!({"year": 2019, "period": "year", "title": "Chỉ tiêu",
        "unit_of_measure": "%", "direction": "higher"});

    // Act
    let mut zero = base.clone();
    zero["target"] = json!("0");
    let zero = app.post(&path, &admin, &zero).await;
    let mut float = base.clone();
    float["target"] = json!(95.5);
    let float = app.post(&path, &admin, &float).await;
    let mut precise = base.clone();
    precise["target"] = json!("1.23456");
    let precise = app.post(&path, &admin, &precise).await;
    let mut period = base.clone();
    period["target"] = json!("1");
    period["period"] = json!("q3");
    let period = app.post(&path, &admin, &period).await;

    // Assert
    let p = zero.problem(422, "validation_failed");
    assert_eq!(fixtures::error_fields(&p), ["target"]);
    for res in [&float, &precise, &period] {
        let p = res.problem(400, "invalid_body");
        assert!(
            p["detail"].as_str().unwrap().contains("target")
                || p["detail"].as_str().unwrap().contains("period"),
            "{p}"
        );
    }
    let list = expect(&app.get(&path, &admin).await, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn goals_are_written_by_their_units_officer_and_read_within_the_scope() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K1", 2019, &["A", "B"]).await;
    let other = fixtures::unit(&app, &admin, "C").await;
    let (a, b) = (bloc.units[0], bloc.units[1]);
    let officer = fixtures::officer(&app, &admin, "a.officer", a).await;
    let chair = fixtures::chair(&app, &admin, "k1.chair", &[bloc.id]).await;
    let viewer = fixtures::viewer(&app, &admin, "viewer").await;
    let goal_b = fixtures::goal(&app, &admin, b, json!({})).await;
    let goal_c = fixtures::goal(&app, &admin, other, json!({})).await;
    let body = json!({"year": 2019, "period": "h1", "title": "Chỉ tiêu", "unit_of_measure": "%",
        "direction": "higher", "target": "100"});

    // Act
    let other_unit = app
        .post(&format!("/api/v1/units/{b}/goals"), &officer.token, &body)
        .await;
    let by_chair = app
        .post(&format!("/api/v1/units/{a}/goals"), &chair.token, &body)
        .await;
    let by_viewer = app
        .post(&format!("/api/v1/units/{a}/goals"), &viewer.token, &body)
        .await;
    let officer_reads_b = app
        .get(&format!("/api/v1/goals/{}", id(&goal_b)), &officer.token)
        .await;
    let chair_reads_b = app
        .get(&format!("/api/v1/goals/{}", id(&goal_b)), &chair.token)
        .await;
    let chair_reads_c = app
        .get(&format!("/api/v1/goals/{}", id(&goal_c)), &chair.token)
        .await;
    let viewer_reads_c = app
        .get(&format!("/api/v1/goals/{}", id(&goal_c)), &viewer.token)
        .await;
    let admin_patches_b = fixtures::patch_current(
        &app,
        &admin,
        &format!("/api/v1/goals/{}", id(&goal_b)),
        &json!({"actual": "1"}),
    )
    .await;

    // Assert
    other_unit.problem(404, "not_found");
    by_chair.problem(403, "forbidden");
    by_viewer.problem(403, "forbidden");
    officer_reads_b.problem(404, "not_found");
    expect(&chair_reads_b, 200);
    chair_reads_c.problem(404, "not_found");
    expect(&viewer_reads_c, 200);
    expect(&admin_patches_b, 200);
}

#[actix_web::test]
async fn a_units_goals_are_listed_filtered_exported_and_deleted_with_if_match() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = fixtures::unit(&app, &admin, "SGTVT").await;
    fixtures::goal(
        &app,
        &admin,
        unit,
        json!({"period": "h1", "title": "=HYPERLINK(\"x\")"}),
    )
    .await;
    let kept = fixtures::goal(
        &app,
        &admin,
        unit,
        json!({"period": "year", "actual": "50"}),
    )
    .await;
    fixtures::goal(&app, &admin, unit, json!({"year": 2020})).await;

    // Act
    let h1 = expect(
        &app.get(
            &format!("/api/v1/units/{unit}/goals?year=2019&period=h1"),
            &admin,
        )
        .await,
        200,
    );
    let csv = app
        .get(
            &format!("/api/v1/units/{unit}/goals/export?year=2019"),
            &admin,
        )
        .await;
    let no_if_match = app
        .request(
            actix_web::http::Method::DELETE,
            &format!("/api/v1/goals/{}", id(&kept)),
        )
        .token(&admin)
        .send()
        .await;
    let deleted =
        fixtures::delete_current(&app, &admin, &format!("/api/v1/goals/{}", id(&kept))).await;
    let gone = app
        .get(&format!("/api/v1/goals/{}", id(&kept)), &admin)
        .await;

    // Assert
    assert_eq!(h1["items"].as_array().unwrap().len(), 1);
    assert_eq!(csv.status, 200);
    let text = String::from_utf8_lossy(&csv.body);
    assert!(text.contains("progress_percent"), "{text}");
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert_eq!(no_if_match.status, 428);
    assert_eq!(deleted.status, 204);
    gone.problem(404, "not_found");
    assert_eq!(fixtures::audit(&app, &admin, "goal.delete").await.len(), 1);
}
