//! `/blocs/{id}/covenants` and `/covenants/{id}`: signing a bloc-year's covenant, its
//! criteria document under `If-Match`, the rules it keeps, the lock and the copy.

use serde_json::json;

use crate::fixtures::{
    self, covenant, delete_current, error_fields, expect, founding_2019, founding_criteria,
    patch_current, put_current,
};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_covenant_is_signed_with_its_criteria_and_bands() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;

    // Act
    let id = covenant(&app, &admin, &bloc).await;

    // Assert
    let res = app.get(&format!("/api/v1/covenants/{id}"), &admin).await;
    let body = expect(&res, 200);
    assert_eq!(body["year"], 2019);
    assert_eq!(body["signatories"].as_array().unwrap().len(), 6);
    assert_eq!(body["locked_by_sheet"], json!(null));
    let res = app
        .get(&format!("/api/v1/covenants/{id}/criteria"), &admin)
        .await;
    assert!(res.header("etag").unwrap().starts_with("\"criteria-"));
    let doc = expect(&res, 200);
    assert_eq!(doc["groups"][0]["criteria"][0]["code"], "1.1");
    assert_eq!(doc["groups"][0]["criteria"][1]["step"], 0.25);
    assert_eq!(doc["bands"][1]["max_points"], 89.99);
    assert_eq!(doc["bands"][0]["label"], "Xuất sắc");
    let list = expect(
        &app.get(
            &format!("/api/v1/blocs/{}/covenants?year=2019", bloc.id),
            &admin,
        )
        .await,
        200,
    );
    assert_eq!(list["items"][0]["id"], id);
    let csv = app
        .get(
            &format!("/api/v1/blocs/{}/covenants/export", bloc.id),
            &admin,
        )
        .await;
    assert_eq!(csv.status, 200);
    assert!(String::from_utf8_lossy(&csv.body).contains("STNMT"));
    assert_eq!(
        fixtures::audit(&app, &admin, "covenant.create").await.len(),
        1
    );
    assert_eq!(
        fixtures::audit(&app, &admin, "covenant.criteria_replace")
            .await
            .len(),
        1
    );
}

#[actix_web::test]
async fn one_covenant_per_bloc_year_signed_by_members_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let outsider = fixtures::unit(&app, &admin, "SYT").await;
    let path = format!("/api/v1/blocs/{}/covenants", bloc.id);

    let res = app
        .post(
            &path,
            &admin,
            &json!({"year": 2019, "content": "Giao ước",
            "signatory_unit_ids": [bloc.units[0], outsider]}),
        )
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["signatory_unit_ids[1]"]);
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&outsider.to_string())
    );

    covenant(&app, &admin, &bloc).await;
    app.post(&path, &admin, &json!({"year": 2019, "content": "Lần hai"}))
        .await
        .problem(409, "covenant_exists");
    app.post(
        &path,
        &admin,
        &json!({"year": 2018, "content": "Trước khi thành lập"}),
    )
    .await
    .problem(422, "validation_failed");
}

#[actix_web::test]
async fn the_criteria_document_keeps_its_rules() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let id = covenant(&app, &admin, &bloc).await;
    let path = format!("/api/v1/covenants/{id}/criteria");

    // A stale ETag is refused; none at all is 428.
    let res = app
        .request(actix_web::http::Method::PUT, &path)
        .token(&admin)
        .json(&founding_criteria())
        .send()
        .await;
    res.problem(428, "precondition_required");
    let res = app
        .request(actix_web::http::Method::PUT, &path)
        .token(&admin)
        .header("if-match", "\"criteria-1\"")
        .json(&founding_criteria())
        .send()
        .await;
    res.problem(412, "precondition_failed");

    let mut doc = founding_criteria();
    doc["groups"][1]["criteria"][0]["code"] = json!("1.1");
    doc["groups"][0]["criteria"][1]["step"] = json!(0.7);
    doc["bands"][1]["max_points"] = json!(95);
    let problem = put_current(&app, &admin, &path, &path, &doc)
        .await
        .problem(422, "validation_failed");
    assert_eq!(
        error_fields(&problem),
        [
            "groups[0].criteria[1].step",
            "groups[1].criteria[0].code",
            "bands[0]"
        ]
    );

    // Points are decimals with two places at most: a third is malformed.
    let mut doc = founding_criteria();
    doc["groups"][0]["criteria"][0]["max_points"] = json!(10.125);
    put_current(&app, &admin, &path, &path, &doc)
        .await
        .problem(400, "invalid_body");
}

#[actix_web::test]
async fn a_submitted_sheet_locks_the_covenant_and_a_locked_one_is_copied() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let id = covenant(&app, &admin, &bloc).await;
    let path = format!("/api/v1/covenants/{id}/criteria");

    // Not locked yet: no copy.
    app.post(
        &format!("/api/v1/covenants/{id}/copy"),
        &admin,
        &json!({"year": 2020}),
    )
    .await
    .problem(409, "covenant_not_locked");

    let sheet = fixtures::sheet(&app, &admin, id, bloc.units[1], "h1", "self").await;
    let sid = sheet["id"].as_i64().unwrap();
    fixtures::fill(&app, &admin, sid, [40.0, 25.0, 10.0]).await;
    let sheet_path = format!("/api/v1/score-sheets/{sid}");
    expect(
        &fixtures::transition(&app, &admin, &sheet_path, "submit", None).await,
        200,
    );

    let problem = put_current(&app, &admin, &path, &path, &founding_criteria())
        .await
        .problem(409, "covenant_locked");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(&sid.to_string())
    );
    let body = expect(
        &app.get(&format!("/api/v1/covenants/{id}"), &admin).await,
        200,
    );
    assert_eq!(body["locked_by_sheet"], sid);

    // Next year's covenant: same bloc, the document copied, the 2020 members signing.
    fixtures::members(&app, &admin, bloc.id, 2020, &bloc.units[..3]).await;
    let res = app
        .post(
            &format!("/api/v1/covenants/{id}/copy"),
            &admin,
            &json!({"year": 2020}),
        )
        .await;
    let copy = expect(&res, 201);
    assert_eq!(copy["year"], 2020);
    assert_eq!(copy["bloc_id"], bloc.id);
    assert_eq!(copy["signatories"].as_array().unwrap().len(), 3);
    let new_id = copy["id"].as_i64().unwrap();
    let doc = expect(
        &app.get(&format!("/api/v1/covenants/{new_id}/criteria"), &admin)
            .await,
        200,
    );
    assert_eq!(doc["groups"][1]["criteria"][0]["code"], "2.1");
    assert_eq!(doc["bands"].as_array().unwrap().len(), 4);
    app.post(
        &format!("/api/v1/covenants/{id}/copy"),
        &admin,
        &json!({"year": 2020}),
    )
    .await
    .problem(409, "covenant_exists");
}

#[actix_web::test]
async fn a_covenant_is_changed_and_deleted_with_its_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let id = covenant(&app, &admin, &bloc).await;
    let path = format!("/api/v1/covenants/{id}");

    let res = patch_current(
        &app,
        &admin,
        &path,
        &json!({"place": null,
        "signatory_unit_ids": [bloc.units[0]]}),
    )
    .await;
    let body = expect(&res, 200);
    assert_eq!(body["place"], json!(null));
    assert_eq!(body["signatories"].as_array().unwrap().len(), 1);

    // A sheet under it keeps it.
    let sheet = fixtures::sheet(&app, &admin, id, bloc.units[1], "year", "board").await;
    delete_current(&app, &admin, &path)
        .await
        .problem(409, "covenant_in_use");
    let _ = sheet;

    let other = fixtures::bloc_with_members(&app, &admin, "K-VX", 2019, &["SVHTTDL"]).await;
    let id = covenant(&app, &admin, &other).await;
    let path = format!("/api/v1/covenants/{id}");
    assert_eq!(delete_current(&app, &admin, &path).await.status, 204);
    assert_eq!(app.get(&path, &admin).await.status, 404);
}

#[actix_web::test]
async fn covenants_follow_the_bloc_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let other = fixtures::bloc_with_members(&app, &admin, "K-VX", 2019, &["SVHTTDL"]).await;
    let mine = covenant(&app, &admin, &bloc).await;
    let theirs = covenant(&app, &admin, &other).await;
    let officer = fixtures::officer(&app, &admin, "cb.sxd", bloc.units[1]).await;

    assert_eq!(
        app.get(&format!("/api/v1/covenants/{mine}"), &officer.token)
            .await
            .status,
        200
    );
    assert_eq!(
        app.get(&format!("/api/v1/covenants/{theirs}"), &officer.token)
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/covenants/{theirs}/criteria"),
            &officer.token
        )
        .await
        .status,
        404
    );
    let path = format!("/api/v1/covenants/{mine}/criteria");
    put_current(&app, &officer.token, &path, &path, &founding_criteria())
        .await
        .problem(403, "forbidden");
}
