//! Who writes a bloc's reviews: admins; the bloc's chair — its bloc chair user, or an officer of
//! the unit chairing it that year — while the review is a draft; members and viewers read.

use serde_json::json;

use crate::fixtures::{self, expect, id};
use crate::helpers::TestApp;

#[actix_web::test]
async fn the_chair_writes_its_blocs_draft_and_members_only_read() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K1", 2019, &["A", "B"]).await;
    let other = fixtures::bloc_with_members(&app, &admin, "K2", 2019, &["C"]).await;
    let chair_officer = fixtures::officer(&app, &admin, "a.officer", bloc.units[0]).await;
    let member_officer = fixtures::officer(&app, &admin, "b.officer", bloc.units[1]).await;
    let chair_user = fixtures::chair(&app, &admin, "k1.chair", &[bloc.id]).await;
    let viewer = fixtures::viewer(&app, &admin, "viewer").await;
    let body = json!({"kind": "midyear", "year": 2019, "period": "h1", "held_on": "2019-07-29"});
    let path = format!("/api/v1/blocs/{}/reviews", bloc.id);

    // Act
    let by_officer = app.post(&path, &chair_officer.token, &body).await;
    let by_chair = app.post(&path, &chair_user.token, &body).await;
    let by_member = app.post(&path, &member_officer.token, &body).await;
    let by_viewer = app.post(&path, &viewer.token, &body).await;
    let elsewhere = app
        .post(
            &format!("/api/v1/blocs/{}/reviews", other.id),
            &chair_user.token,
            &body,
        )
        .await;
    let next_year = app
        .post(
            &path,
            &chair_officer.token,
            &json!({"kind": "midyear", "year": 2020, "period": "h1", "held_on": "2020-07-20"}),
        )
        .await;
    let review = expect(&by_officer, 201);
    let member_reads = app
        .get(
            &format!("/api/v1/reviews/{}", id(&review)),
            &member_officer.token,
        )
        .await;
    let viewer_reads = app
        .get(&format!("/api/v1/reviews/{}", id(&review)), &viewer.token)
        .await;
    let other_officer = fixtures::officer(&app, &admin, "c.officer", other.units[0]).await;
    let stranger_reads = app
        .get(
            &format!("/api/v1/reviews/{}", id(&review)),
            &other_officer.token,
        )
        .await;

    // Assert
    expect(&by_chair, 201);
    by_member.problem(403, "forbidden");
    by_viewer.problem(403, "forbidden");
    elsewhere.problem(404, "not_found");
    // The unit chairs the bloc in 2019, not in 2020 (which has no members yet).
    next_year.problem(403, "forbidden");
    expect(&member_reads, 200);
    expect(&viewer_reads, 200);
    stranger_reads.problem(404, "not_found");
}

#[actix_web::test]
async fn once_confirmed_only_the_board_corrects_a_review_and_never_its_resolutions() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K3", 2019, &["A", "B"]).await;
    let chair = fixtures::chair(&app, &admin, "k3.chair", &[bloc.id]).await;
    let review = fixtures::review(&app, &chair.token, bloc.id, json!({})).await;
    let path = format!("/api/v1/reviews/{}", id(&review));

    // Act
    let chair_confirms = fixtures::transition(&app, &chair.token, &path, "confirm", None).await;
    let confirmed = fixtures::transition(&app, &admin, &path, "confirm", None).await;
    let again = fixtures::transition(&app, &admin, &path, "confirm", None).await;
    let chair_edits =
        fixtures::patch_current(&app, &chair.token, &path, &json!({"place": "Sở Xây dựng"})).await;
    let chair_deletes = fixtures::delete_current(&app, &chair.token, &path).await;
    let board_edits =
        fixtures::patch_current(&app, &admin, &path, &json!({"place": "Sở Xây dựng"})).await;
    let board_resolves = fixtures::patch_current(
        &app,
        &admin,
        &path,
        &json!({"resolutions": [{"kind": "other", "text": "Họp lại"}]}),
    )
    .await;

    // Assert
    chair_confirms.problem(403, "forbidden");
    assert_eq!(expect(&confirmed, 200)["status"], "confirmed");
    let p = again.problem(409, "transition_not_allowed");
    assert_eq!(p["current_state"], "confirmed");
    chair_edits.problem(409, "review_confirmed");
    chair_deletes.problem(409, "review_confirmed");
    assert_eq!(expect(&board_edits, 200)["place"], "Sở Xây dựng");
    board_resolves.problem(409, "review_confirmed");
    assert_eq!(
        fixtures::audit(&app, &admin, "review.confirm").await.len(),
        1
    );
}
