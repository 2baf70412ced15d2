//! `/blocs/{id}/members`: a bloc's members year by year under the database's rules — one chair,
//! each unit once, only units and years the bloc was alive in — guarded by ETags and audited,
//! and the database's own refusals mapped to client errors.

use actix_web::ResponseError;
use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use thidua::db::blocs::members;
use thidua::domain::{MemberRole, Year};
use thidua::ops::blocs::refusal;

use crate::fixtures::{bloc_from, codes, founding, members_of, put_members};
use crate::helpers::TestApp;

/// The six founding units in a shuffled order, STNMT chairing and SXD deputy.
fn six(u: &[i64]) -> Value {
    json!([
        {"unit_id": u[3], "role": "member"},
        {"unit_id": u[1], "role": "deputy"},
        {"unit_id": u[0], "role": "chair"},
        {"unit_id": u[2], "role": "member"},
        {"unit_id": u[4], "role": "member"},
        {"unit_id": u[5], "role": "member"},
    ])
}

#[actix_web::test]
async fn the_infrastructure_bloc_has_six_members_in_2019_chaired_by_natural_resources() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;

    let before = members_of(&app, &admin, f.bloc, 2019).await;
    assert_eq!(before.status, 200);
    assert_eq!(
        before.json(),
        json!({"bloc_id": f.bloc, "year": 2019, "members": []})
    );

    let res = put_members(&app, &admin, f.bloc, 2019, "*", six(&f.units)).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let tag = res.header("etag").unwrap();
    assert_ne!(Some(&tag), before.header("etag").as_ref());
    let body = res.json();
    assert_eq!(body["bloc_id"], f.bloc);
    assert_eq!(body["year"], 2019);
    assert_eq!(
        codes(&body, "members"),
        ["STNMT", "SXD", "SGTVT", "SCT", "SNNPTNT", "SKHDT"],
        "chair first, then the deputy, then the members"
    );
    assert_eq!(
        body["members"][0]["unit_name"],
        "Sở Tài nguyên và Môi trường"
    );
    assert_eq!(body["members"][0]["role"], "chair");
    assert_eq!(body["members"][1]["role"], "deputy");
    assert_eq!(body["members"][5]["role"], "member");

    let read = members_of(&app, &admin, f.bloc, 2019).await;
    assert_eq!(read.json(), body);
    assert_eq!(read.header("etag"), Some(tag));
    // Other years are untouched.
    assert_eq!(
        members_of(&app, &admin, f.bloc, 2020).await.json()["members"],
        json!([])
    );

    let res = app
        .get(
            &format!("/api/v1/units/{}/blocs?year=2019", f.units[0]),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    let items = res.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["bloc_code"], "K-HTKTKT");
    assert_eq!(items[0]["bloc_name"], "Khối Hạ tầng – Kinh tế – Kỹ thuật");
    assert_eq!(items[0]["role"], "chair");
    assert_eq!(items[0]["year"], 2019);

    // The units list knows the membership too.
    let res = app
        .get(
            &format!("/api/v1/units?bloc_id={}&year=2019", f.bloc),
            &admin,
        )
        .await;
    assert_eq!(res.json()["items"].as_array().unwrap().len(), 6);
}

#[actix_web::test]
async fn a_member_list_needs_exactly_one_chair_and_each_unit_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let cases = [
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": u[1], "role": "chair"}]),
            "members",
            "chair_count",
        ),
        (
            json!([{"unit_id": u[0], "role": "deputy"}, {"unit_id": u[1], "role": "member"}]),
            "members",
            "chair_count",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": u[1], "role": "member"},
                {"unit_id": u[1], "role": "deputy"}]),
            "members[2].unit_id",
            "duplicate",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": f.retired, "role": "member"}]),
            "members[1].unit_id",
            "not_valid_in_year",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": 9999, "role": "member"}]),
            "members[1].unit_id",
            "unknown",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": 0, "role": "member"}]),
            "members[1].unit_id",
            "range",
        ),
    ];
    for (list, field, code) in cases {
        let res = put_members(&app, &admin, f.bloc, 2019, "*", list.clone()).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{list}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{list}: {problem}");
    }
    // The bloc is active from 2019: 2018 is outside its years.
    let res = put_members(
        &app,
        &admin,
        f.bloc,
        2018,
        "*",
        json!([{"unit_id": u[0], "role": "chair"}]),
    )
    .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "year");
    assert_eq!(problem["errors"][0]["code"], "inactive");
    // Too many members, unknown fields and roles.
    let many: Vec<Value> = (0..201)
        .map(|i| json!({"unit_id": i + 1, "role": "member"}))
        .collect();
    put_members(&app, &admin, f.bloc, 2019, "*", Value::from(many))
        .await
        .problem(422, "validation_failed");
    put_members(
        &app,
        &admin,
        f.bloc,
        2019,
        "*",
        json!([{"unit_id": u[0], "role": "boss"}]),
    )
    .await
    .problem(400, "invalid_body");
    put_members(
        &app,
        &admin,
        f.bloc,
        2019,
        "*",
        json!([{"unit_id": u[0], "role": "chair", "x": 1}]),
    )
    .await
    .problem(400, "invalid_body");
    put_members(&app, &admin, f.bloc, 1900, "*", json!([]))
        .await
        .problem(422, "validation_failed");
    put_members(&app, &admin, 9999, 2019, "*", json!([]))
        .await
        .problem(404, "not_found");
    // A retired unit is fine in a year it existed in (the bloc must be active then too).
    let old = bloc_from(
        &app,
        &admin,
        json!({"code": "K-CU", "name": "Khối cũ", "kind": "bloc",
        "level": "province", "active_from": 2010, "active_to": 2018}),
    )
    .await;
    let res = put_members(
        &app,
        &admin,
        old,
        2018,
        "*",
        json!([{"unit_id": f.retired, "role": "chair"}]),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // Nothing was written by the refused attempts.
    assert_eq!(
        members_of(&app, &admin, f.bloc, 2019).await.json()["members"],
        json!([])
    );
}

#[actix_web::test]
async fn replacing_twice_is_audited_with_before_and_after_and_guarded_by_the_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let path = format!("/api/v1/blocs/{}/members/2019", f.bloc);

    app.request(Method::PUT, &path)
        .token(&admin)
        .json(&json!({"members": []}))
        .send()
        .await
        .problem(428, "precondition_required");
    put_members(&app, &admin, f.bloc, 2019, "\"stale\"", six(u))
        .await
        .problem(412, "precondition_failed");

    let first = put_members(&app, &admin, f.bloc, 2019, "*", six(u)).await;
    assert_eq!(first.status, 200);
    let tag1 = first.header("etag").unwrap();
    // Once the year has members, `*` would overwrite blindly.
    put_members(&app, &admin, f.bloc, 2019, "*", json!([]))
        .await
        .problem(412, "precondition_failed");

    // SXD takes the chair; SGTVT and SCT leave.
    let second_list = json!([
        {"unit_id": u[0], "role": "deputy"},
        {"unit_id": u[1], "role": "chair"},
        {"unit_id": u[4], "role": "member"},
        {"unit_id": u[5], "role": "deputy"},
    ]);
    let second = put_members(&app, &admin, f.bloc, 2019, &tag1, second_list.clone()).await;
    assert_eq!(
        second.status,
        200,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    let tag2 = second.header("etag").unwrap();
    assert_ne!(tag1, tag2);
    assert_eq!(
        codes(&second.json(), "members"),
        ["SXD", "STNMT", "SKHDT", "SNNPTNT"]
    );
    // The old tag is stale now.
    put_members(&app, &admin, f.bloc, 2019, &tag1, six(u))
        .await
        .problem(412, "precondition_failed");
    // The same list again gives the same tag: it is the content's.
    let again = put_members(&app, &admin, f.bloc, 2019, &tag2, second_list).await;
    assert_eq!(again.header("etag"), Some(tag2.clone()));

    let res = app
        .get(
            &format!(
                "/api/v1/audit-events?action=bloc.members_replace&resource_id={}",
                f.bloc
            ),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    let events = res.json()["items"].clone();
    assert_eq!(events.as_array().unwrap().len(), 3, "{events}");
    let (e1, e2) = (&events[0], &events[1]);
    assert_eq!(e1["resource_type"], "bloc");
    assert_eq!(e1["before"]["members"], json!([]));
    assert_eq!(codes(&e1["after"], "members").len(), 6);
    assert_eq!(e2["before"], e1["after"]);
    assert_eq!(
        codes(&e2["after"], "members"),
        ["SXD", "STNMT", "SKHDT", "SNNPTNT"]
    );
    assert_eq!(e2["after"]["year"], 2019);

    // An empty list clears the year.
    let cleared = put_members(&app, &admin, f.bloc, 2019, &tag2, json!([])).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json()["members"], json!([]));
    assert_eq!(
        members_of(&app, &admin, f.bloc, 2019).await.header("etag"),
        cleared.header("etag")
    );
}

/// The triggers stand behind the code: whatever slips past it is a 409 or 422, never a 500.
#[actix_web::test]
async fn what_the_database_refuses_is_a_client_error_on_either_backend() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let (b, u) = (f.bloc, &f.units);
    let mut c = app.connection();
    let status = |r: Result<(), diesel::result::Error>| {
        let e = r.map_err(refusal).expect_err("the database should refuse");
        (e.status_code().as_u16(), e.code().as_str())
    };

    // A member before the chair.
    assert_eq!(
        status(members::insert(
            &mut c,
            b,
            Year(2019),
            u[1],
            MemberRole::Member
        )),
        (409, "membership_rule")
    );
    // A unit that no longer existed.
    assert_eq!(
        status(members::insert(
            &mut c,
            b,
            Year(2019),
            f.retired,
            MemberRole::Chair
        )),
        (422, "validation_failed")
    );
    members::insert(&mut c, b, Year(2019), u[0], MemberRole::Chair).unwrap();
    members::insert(&mut c, b, Year(2019), u[1], MemberRole::Member).unwrap();
    // A second chair, and a unit twice.
    assert_eq!(
        status(members::insert(
            &mut c,
            b,
            Year(2019),
            u[2],
            MemberRole::Chair
        )),
        (409, "membership_conflict")
    );
    assert_eq!(
        status(members::insert(
            &mut c,
            b,
            Year(2019),
            u[1],
            MemberRole::Deputy
        )),
        (409, "membership_conflict")
    );
    // Removing the chair while members remain, and updating in place.
    let raw = |c: &mut thidua::db::AnyConnection, sql: &str| {
        diesel::sql_query(sql).execute(c).map(|_| ())
    };
    assert_eq!(
        status(raw(&mut c, "DELETE FROM bloc_members WHERE role = 'chair'")),
        (409, "membership_rule")
    );
    assert_eq!(
        status(raw(
            &mut c,
            "UPDATE bloc_members SET role = 'deputy' WHERE role = 'member'"
        )),
        (409, "membership_rule")
    );
    // The API still reads the year the direct inserts made, and replaces it in the right order.
    let res = members_of(&app, &admin, b, 2019).await;
    assert_eq!(codes(&res.json(), "members"), ["STNMT", "SXD"]);
    let tag = res.header("etag").unwrap();
    let res = put_members(
        &app,
        &admin,
        b,
        2019,
        &tag,
        json!([{"unit_id": u[1], "role": "chair"}, {"unit_id": u[0], "role": "member"}]),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}
