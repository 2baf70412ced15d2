//! Who writes and reads which score sheets: the unit its self-assessment, the chair unit's
//! officers the bloc's other units' cross sheets, the board its own; out of scope is 404,
//! in scope but not one's to write 403.

use serde_json::json;

use crate::fixtures::{self, covenant, expect, founding_2019, score, sheet, transition};
use crate::helpers::TestApp;

#[actix_web::test]
async fn each_writer_writes_its_own_kind() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    let (chair_unit, sxd, sct) = (bloc.chair(), bloc.units[1], bloc.units[3]);
    let chair = fixtures::officer(&app, &admin, "cb.stnmt", chair_unit).await;
    let officer = fixtures::officer(&app, &admin, "cb.sxd", sxd).await;
    let bloc_chair = fixtures::chair(&app, &admin, "truong.khoi", &[bloc.id]).await;
    let viewer = fixtures::viewer(&app, &admin, "xem").await;

    let new = |unit: i64, kind: &str| json!({"covenant_id": cov, "unit_id": unit, "period": "year", "kind": kind});
    // The officer: its unit's self sheet, nothing else; another unit is out of its scope.
    sheet(&app, &officer.token, cov, sxd, "year", "self").await;
    app.post("/api/v1/score-sheets", &officer.token, &new(sxd, "cross"))
        .await
        .problem(403, "forbidden");
    app.post("/api/v1/score-sheets", &officer.token, &new(sct, "self"))
        .await
        .problem(404, "not_found");
    // The chair unit's officer: cross sheets of the others, not of itself, not the board's.
    let cross = sheet(&app, &chair.token, cov, sct, "year", "cross").await;
    app.post(
        "/api/v1/score-sheets",
        &chair.token,
        &new(chair_unit, "cross"),
    )
    .await
    .problem(403, "forbidden");
    app.post("/api/v1/score-sheets", &chair.token, &new(sct, "board"))
        .await
        .problem(403, "forbidden");
    // A bloc chair user: cross sheets too.
    sheet(&app, &bloc_chair.token, cov, sxd, "year", "cross").await;
    // Viewers write nothing; the board writes everything.
    app.post("/api/v1/score-sheets", &viewer.token, &new(sct, "self"))
        .await
        .problem(403, "forbidden");
    let board = sheet(&app, &admin, cov, sct, "year", "board").await;

    // Reads: the officer sees its unit's sheets only; the chair unit's officer the bloc's.
    let cross_id = cross["id"].as_i64().unwrap();
    let board_id = board["id"].as_i64().unwrap();
    assert_eq!(
        app.get(&format!("/api/v1/score-sheets/{cross_id}"), &officer.token)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(&format!("/api/v1/score-sheets/{board_id}"), &chair.token)
            .await
            .status,
        200
    );
    score(&app, &chair.token, board_id, "1.1", &json!({"points": 10}))
        .await
        .problem(403, "forbidden");
    let mine = expect(&app.get("/api/v1/score-sheets", &officer.token).await, 200);
    assert!(
        mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["unit_id"] == sxd)
    );
    let bloc_wide = expect(&app.get("/api/v1/score-sheets", &chair.token).await, 200);
    assert_eq!(bloc_wide["items"].as_array().unwrap().len(), 4);
    let all = expect(&app.get("/api/v1/score-sheets", &viewer.token).await, 200);
    assert_eq!(all["items"].as_array().unwrap().len(), 4);

    // Only the chair approves, only the board publishes.
    let path = format!("/api/v1/score-sheets/{cross_id}");
    fixtures::fill(&app, &chair.token, cross_id, [40.0, 20.0, 10.0]).await;
    expect(
        &transition(&app, &chair.token, &path, "submit", None).await,
        200,
    );
    transition(&app, &officer.token, &path, "approve", None)
        .await
        .problem(404, "not_found");
    expect(
        &transition(&app, &bloc_chair.token, &path, "approve", None).await,
        200,
    );
    transition(&app, &bloc_chair.token, &path, "publish", None)
        .await
        .problem(403, "forbidden");
}
