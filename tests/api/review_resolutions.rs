//! Confirming a review applies the chair and deputies it elects to the bloc's membership of
//! their year, in the same transaction; a membership that would break its rules is refused and
//! nothing changes.

use serde_json::json;

use crate::fixtures::{self, expect, id};
use crate::helpers::TestApp;

#[actix_web::test]
async fn the_next_years_chair_and_deputy_become_the_membership_when_confirmed() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc =
        fixtures::bloc_with_members(&app, &admin, "K1", 2019, &["STNMT", "SXD", "SCT"]).await;
    let review = fixtures::review(
        &app,
        &admin,
        bloc.id,
        json!({"kind": "annual", "period": "year", "held_on": "2019-12-20",
               "resolutions": [
                   {"kind": "next_chair", "unit_id": bloc.units[1], "text": "Sở Xây dựng làm Trưởng khối năm 2020"},
                   {"kind": "next_deputy", "unit_id": bloc.units[2]},
                   {"kind": "other", "text": "Tổ chức hội nghị ký kết giao ước thi đua năm 2020 trong tháng 3"},
               ]}),
    )
    .await;
    let path = format!("/api/v1/reviews/{}", id(&review));

    // Act
    let draft_2020 = expect(
        &app.get(
            &format!("/api/v1/blocs/{}/members?year=2020", bloc.id),
            &admin,
        )
        .await,
        200,
    );
    let confirmed = fixtures::transition(&app, &admin, &path, "confirm", None).await;
    let members_2020 = expect(
        &app.get(
            &format!("/api/v1/blocs/{}/members?year=2020", bloc.id),
            &admin,
        )
        .await,
        200,
    );

    // Assert
    assert_eq!(draft_2020["members"].as_array().unwrap().len(), 0);
    assert_eq!(expect(&confirmed, 200)["status"], "confirmed");
    let roles: Vec<(i64, String)> = members_2020["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["unit_id"].as_i64().unwrap(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            (bloc.units[1], "chair".to_owned()),
            (bloc.units[2], "deputy".to_owned()),
            (bloc.units[0], "member".to_owned()),
        ]
    );
    assert_eq!(
        fixtures::audit(&app, &admin, "bloc.members_replace")
            .await
            .len(),
        2
    );
}

#[actix_web::test]
async fn an_election_the_membership_rules_refuse_leaves_everything_as_it_was() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K2", 2019, &["A", "B"]).await;
    // A unit retired at the end of 2019 cannot chair in 2020.
    let retired = app
        .post(
            "/api/v1/units",
            &admin,
            &json!({"code": "OLD", "name": "Sở cũ", "kind": "administrative",
                    "valid_from": "2008-01-01", "valid_to": "2019-12-31"}),
        )
        .await;
    let retired = id(&expect(&retired, 201));
    let review = fixtures::review(
        &app,
        &admin,
        bloc.id,
        json!({"resolutions": [{"kind": "next_chair", "unit_id": retired}]}),
    )
    .await;
    let path = format!("/api/v1/reviews/{}", id(&review));

    // Act
    let refused = fixtures::transition(&app, &admin, &path, "confirm", None).await;
    let after = expect(&app.get(&path, &admin).await, 200);
    let members_2020 = expect(
        &app.get(
            &format!("/api/v1/blocs/{}/members?year=2020", bloc.id),
            &admin,
        )
        .await,
        200,
    );

    // Assert
    let p = refused.problem(422, "validation_failed");
    assert_eq!(fixtures::error_fields(&p), ["resolutions"]);
    assert!(
        p["errors"][0]["message"].as_str().unwrap().contains("2020"),
        "{p}"
    );
    assert_eq!(after["status"], "draft");
    assert_eq!(members_2020["members"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn resolutions_must_name_what_they_resolve() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K3", 2019, &["A", "B"]).await;
    let body = json!({"kind": "annual", "year": 2019, "period": "year", "held_on": "2019-12-20",
        "resolutions": [
            {"kind": "next_chair"},
            {"kind": "other"},
            {"kind": "next_chair", "unit_id": bloc.units[0]},
            {"kind": "next_chair", "unit_id": bloc.units[1]},
        ],
        "awards": [{"award_name": "Bằng khen"}]});

    // Act
    let res = app
        .post(&format!("/api/v1/blocs/{}/reviews", bloc.id), &admin, &body)
        .await;

    // Assert
    let p = res.problem(422, "validation_failed");
    assert_eq!(
        fixtures::error_fields(&p),
        [
            "resolutions[0].unit_id",
            "resolutions[1].text",
            "resolutions[2].kind",
            "resolutions[3].kind",
            "awards[0].recipient_name"
        ]
    );
}
