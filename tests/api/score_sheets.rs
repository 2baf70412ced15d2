//! `/score-sheets`: a self-assessment from draft to published, the entry rules, what a
//! published sheet refuses, the history and the audit trail.

use serde_json::json;

use crate::fixtures::{
    self, covenant, error_fields, expect, fill, founding_2019, put_current, score, sheet,
    transition,
};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_self_assessment_goes_from_draft_to_published() {
    // Arrange: the founding bloc, its covenant, an officer of the Department of Construction.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    let officer = fixtures::officer(&app, &admin, "cb.sxd", bloc.units[1]).await;
    let chair = fixtures::officer(&app, &admin, "cb.stnmt", bloc.chair()).await;

    // Act: the officer scores the unit, submits; the chair returns it, then approves it; the
    // board publishes.
    let s = sheet(&app, &officer.token, cov, bloc.units[1], "h1", "self").await;
    assert_eq!(s["state"], "draft");
    let id = s["id"].as_i64().unwrap();
    let path = format!("/api/v1/score-sheets/{id}");
    let res = score(
        &app,
        &officer.token,
        id,
        "1.1",
        &json!({"points": 45.5, "bonus": 2,
        "evidence": "Báo cáo số 15/BC-SXD", "link": "https://sxd.dienbien.gov.vn/bc-15.pdf"}),
    )
    .await;
    let body = expect(&res, 200);
    assert_eq!(body["points"], 45.5);
    assert_eq!(body["grand_total"], 47.5);

    let problem = transition(&app, &officer.token, &path, "submit", None)
        .await
        .problem(422, "validation_failed");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1.2")
    );
    let res = score(&app, &officer.token, id, "1.2", &json!({"points": 27.25})).await;
    assert_eq!(expect(&res, 200)["grand_total"], 74.75);
    assert_eq!(
        expect(
            &transition(&app, &officer.token, &path, "submit", None).await,
            200
        )["state"],
        "submitted"
    );
    // Submitted: entries are frozen, the officer cannot approve.
    score(&app, &officer.token, id, "2.1", &json!({"points": 10}))
        .await
        .problem(409, "sheet_not_draft");
    transition(&app, &officer.token, &path, "approve", None)
        .await
        .problem(403, "forbidden");
    transition(&app, &chair.token, &path, "return", None)
        .await
        .problem(422, "validation_failed");
    let res = transition(
        &app,
        &chair.token,
        &path,
        "return",
        Some("Thiếu minh chứng tiêu chí 1.2"),
    )
    .await;
    assert_eq!(expect(&res, 200)["state"], "draft");
    expect(
        &transition(&app, &officer.token, &path, "submit", None).await,
        200,
    );
    assert_eq!(
        expect(
            &transition(&app, &chair.token, &path, "approve", None).await,
            200
        )["state"],
        "approved"
    );
    transition(&app, &chair.token, &path, "publish", None)
        .await
        .problem(403, "forbidden");
    let res = transition(&app, &admin, &path, "publish", None).await;
    assert_eq!(expect(&res, 200)["state"], "published");

    // Assert: published is final; the history has every step with who and why.
    let problem = transition(&app, &admin, &path, "return", Some("Sai sót"))
        .await
        .problem(409, "transition_not_allowed");
    assert_eq!(problem["current_state"], "published");
    score(&app, &admin, id, "2.1", &json!({"points": 10}))
        .await
        .problem(409, "sheet_not_draft");
    let history = expect(
        &app.get(&format!("{path}/history"), &officer.token).await,
        200,
    );
    let steps: Vec<(String, String)> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["action"].as_str().unwrap().into(),
                s["to_state"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("submit".into(), "submitted".into()),
            ("return".into(), "draft".into()),
            ("submit".into(), "submitted".into()),
            ("approve".into(), "approved".into()),
            ("publish".into(), "published".into()),
        ]
    );
    assert_eq!(
        history["items"][1]["reason"],
        "Thiếu minh chứng tiêu chí 1.2"
    );
    assert_eq!(history["items"][1]["actor_username"], "cb.stnmt");
    let audit = fixtures::audit(&app, &admin, "score_sheet.entry_put").await;
    assert_eq!(audit.len(), 2);
    // Snapshots are objects, as the trail's schema says: the old entry before, the sheet's
    // entries after.
    for event in &audit {
        assert!(event["before"]["criterion_code"].is_string(), "{event}");
        assert!(event["after"]["entries"].is_array(), "{event}");
    }
    assert_eq!(
        fixtures::audit(&app, &admin, "score_sheet.transition")
            .await
            .len(),
        5
    );
}

#[actix_web::test]
async fn entries_keep_to_their_criterion() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    let id = sheet(&app, &admin, cov, bloc.units[2], "year", "board").await["id"]
        .as_i64()
        .unwrap();

    let problem = score(&app, &admin, id, "1.1", &json!({"points": 50.5}))
        .await
        .problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["points"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1.1")
    );
    score(&app, &admin, id, "1.2", &json!({"points": 10.1}))
        .await
        .problem(422, "validation_failed");
    score(&app, &admin, id, "1.2", &json!({"points": 10, "bonus": 1}))
        .await
        .problem(422, "validation_failed");
    score(&app, &admin, id, "9.9", &json!({"points": 1}))
        .await
        .problem(404, "not_found");
    score(
        &app,
        &admin,
        id,
        "1.1",
        &json!({"points": 1, "link": "ftp://x.vn/a"}),
    )
    .await
    .problem(422, "validation_failed");
    score(&app, &admin, id, "1.1", &json!({"points": -1}))
        .await
        .problem(400, "invalid_body");

    // The whole set at once: each criterion once, every entry checked.
    let read = format!("/api/v1/score-sheets/{id}");
    let body = json!({"entries": [{"criterion_code": "1.1", "points": 10},
        {"criterion_code": "1.1", "points": 11}, {"criterion_code": "2.1", "points": 21}]});
    let problem = put_current(&app, &admin, &read, &format!("{read}/entries"), &body)
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        error_fields(&problem),
        ["entries[1].criterion_code", "entries[2].points"]
    );
    fill(&app, &admin, id, [49.5, 29.75, 20.0]).await;
    let body = expect(&app.get(&read, &admin).await, 200);
    assert_eq!(body["points"], 99.25);
    assert_eq!(body["entry_count"], 3);
    assert_eq!(body["entries"][0]["evidence"], "Báo cáo số 15/BC-STNMT");
    // A stale ETag changes nothing.
    let res = app
        .request(actix_web::http::Method::PUT, &format!("{read}/entries/2.1"))
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"points": 1}))
        .send()
        .await;
    res.problem(412, "precondition_failed");
}

#[actix_web::test]
async fn a_sheet_is_for_a_member_once_per_kind_and_period() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    let outsider = fixtures::unit(&app, &admin, "SYT").await;

    sheet(&app, &admin, cov, bloc.units[3], "h1", "self").await;
    let body =
        json!({"covenant_id": cov, "unit_id": bloc.units[3], "period": "h1", "kind": "self"});
    app.post("/api/v1/score-sheets", &admin, &body)
        .await
        .problem(409, "sheet_exists");
    let body = json!({"covenant_id": cov, "unit_id": outsider, "period": "h1", "kind": "self"});
    let problem = app
        .post("/api/v1/score-sheets", &admin, &body)
        .await
        .problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["unit_id"]);
    let list = expect(
        &app.get(
            &format!(
                "/api/v1/score-sheets?bloc_id={}&period=h1&kind=self",
                bloc.id
            ),
            &admin,
        )
        .await,
        200,
    );
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    let csv = app
        .get("/api/v1/score-sheets/export?state=draft", &admin)
        .await;
    assert_eq!(csv.status, 200);
    assert!(String::from_utf8_lossy(&csv.body).starts_with("\u{feff}id,covenant_id"));
}
