//! `/units`: CRUD, validation, the tree, validity and successors, idempotent creation, and who
//! may see what. Search and CSV are in `unit_search`.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{
    created, delete_current, officer, patch_current, unit_body, unit_named, user, viewer,
};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_unit_is_created_read_and_listed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("SCT", "Sở Công thương"),
    )
    .await;
    let id = created["id"].as_i64().unwrap();
    let res = app.get(&format!("/api/v1/units/{id}"), &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json()["name"], "Sở Công thương");
    let list = app.get("/api/v1/units", &admin).await.json();
    assert_eq!(list["items"][0]["code"], "SCT");
}

#[actix_web::test]
async fn bad_units_are_refused_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("SCT", "Sở Công thương"),
    )
    .await;
    let cases = [
        (
            json!({"code": "", "name": "x", "kind": "other", "valid_from": "2020-01-01"}),
            "code",
        ),
        (
            json!({"code": "A B", "name": "x", "kind": "other", "valid_from": "2020-01-01"}),
            "code",
        ),
        (
            json!({"code": "X", "name": "x", "kind": "other", "valid_from": "2020-01-01", "email": "nope"}),
            "email",
        ),
        (
            json!({"code": "X", "name": "x", "kind": "other", "valid_from": "2020-01-01", "valid_to": "2019-01-01"}),
            "valid_to",
        ),
        (
            json!({"code": "X", "name": "x", "kind": "other", "valid_from": "2020-01-01", "parent_id": 999}),
            "parent_id",
        ),
        (
            json!({"code": "X", "name": "x", "kind": "other", "valid_from": "2020-01-01", "successor_id": 999}),
            "successor_id",
        ),
    ];
    for (body, field) in cases {
        let res = app.post("/api/v1/units", &admin, &body).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    app.post(
        "/api/v1/units",
        &admin,
        &json!({"code": "X", "name": "x", "kind": "boss", "valid_from": "2020-01-01"}),
    )
    .await
    .problem(400, "invalid_body");
    app.post("/api/v1/units", &admin, &unit_body("SCT", "Trùng mã"))
        .await
        .problem(409, "code_taken");
}

#[actix_web::test]
async fn a_unit_patch_checks_fields_like_creation_and_refuses_null_on_required_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    for field in ["name", "code", "kind", "valid_from"] {
        let problem = patch_current(
            &app,
            &admin,
            &format!("/api/v1/units/{id}"),
            &json!({ field: null }),
        )
        .await
        .problem(400, "invalid_body");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    for (body, field, code) in [
        (json!({"name": ""}), "name", "length"),
        (json!({"code": "A B"}), "code", "pattern"),
        (json!({"phone": "1".repeat(31)}), "phone", "length"),
        (json!({"email": "nope"}), "email", "email"),
        (json!({"parent_id": 0}), "parent_id", "range"),
    ] {
        let problem = patch_current(&app, &admin, &format!("/api/v1/units/{id}"), &body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    let got = app.get(&format!("/api/v1/units/{id}"), &admin).await;
    assert_eq!(
        got.header("etag").as_deref(),
        Some("\"1\""),
        "nothing changed"
    );
    assert_eq!(got.json()["name"], "Sở Công thương");
}

#[actix_web::test]
async fn the_tree_answers_children_and_ancestors_and_refuses_cycles() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let province = unit_named(&app, &admin, "UBND", "Ủy ban nhân dân tỉnh Điện Biên").await;
    let dept = created(&app, &admin, "/api/v1/units", &json!({"code": "SCT", "name": "Sở Công thương", "kind": "administrative", "parent_id": province, "valid_from": "2008-04-01"})).await["id"].as_i64().unwrap();
    let office = created(&app, &admin, "/api/v1/units", &json!({"code": "SCT-VP", "name": "Văn phòng Sở", "kind": "administrative", "parent_id": dept, "valid_from": "2008-04-01"})).await["id"].as_i64().unwrap();

    let children = app
        .get(&format!("/api/v1/units/{province}/children"), &admin)
        .await
        .json();
    let ids: Vec<i64> = children["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![dept]);
    let ancestors = app
        .get(&format!("/api/v1/units/{office}/ancestors"), &admin)
        .await
        .json();
    let ids: Vec<i64> = ancestors["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![dept, province]);

    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/units/{province}"),
        &json!({"parent_id": office}),
    )
    .await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["code"],
        "cycle"
    );
    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/units/{dept}"),
        &json!({"parent_id": dept}),
    )
    .await;
    res.problem(422, "validation_failed");
}

#[actix_web::test]
async fn a_retired_unit_names_its_successor_and_cannot_be_deleted_while_referenced() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let old = unit_named(&app, &admin, "STNMT", "Sở Tài nguyên và Môi trường").await;
    let new = created(&app, &admin, "/api/v1/units", &json!({"code": "SNNMT", "name": "Sở Nông nghiệp và Môi trường", "kind": "administrative", "valid_from": "2025-03-01"})).await["id"].as_i64().unwrap();

    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/units/{old}"),
        &json!({"valid_to": "2025-02-28", "successor_id": new}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let got = app
        .get(&format!("/api/v1/units/{old}"), &admin)
        .await
        .json();
    assert_eq!(got["replaced_by"]["code"], "SNNMT");
    assert_eq!(got["valid_to"], "2025-02-28");

    let in_2019 = app
        .get("/api/v1/units?valid_on=2019-07-29", &admin)
        .await
        .json();
    let codes: Vec<&str> = in_2019["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["STNMT"]);

    let path = format!("/api/v1/units/{new}");
    let res = delete_current(&app, &admin, &path).await;
    let problem = res.problem(409, "unit_in_use");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("units it succeeds"),
        "{problem}"
    );

    let path = format!("/api/v1/units/{old}");
    let res = app
        .request(Method::DELETE, &path)
        .token(&admin)
        .send()
        .await;
    res.problem(428, "precondition_required");
    let res = delete_current(&app, &admin, &path).await;
    assert_eq!(res.status, 204);
    app.get(&path, &admin).await.problem(404, "not_found");
}

#[actix_web::test]
async fn creating_a_unit_is_idempotent_and_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = || {
        app.request(Method::POST, "/api/v1/units")
            .token(&admin)
            .header("idempotency-key", "unit-sct-1")
            .json(&unit_body("SCT", "Sở Công thương"))
            .send()
    };
    let first = send().await;
    let second = send().await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(first.json(), second.json());
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    assert_eq!(
        app.get("/api/v1/units", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let audit = app
        .get("/api/v1/audit-events?resource_type=unit", &admin)
        .await
        .json();
    assert_eq!(audit["items"].as_array().unwrap().len(), 1);
    assert_eq!(audit["items"][0]["action"], "unit.create");
    assert_eq!(audit["items"][0]["after"]["name"], "Sở Công thương");
}

#[actix_web::test]
async fn who_may_do_what_with_units() {
    // Arrange: two units; a unit officer of the first, a viewer scoped to the second.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "A", "Đơn vị A").await;
    let b = unit_named(&app, &admin, "B", "Đơn vị B").await;
    let officer = officer(&app, &admin, "officer.a", a).await.token;
    let viewer_b = user(&app, &admin, "viewer.b", "viewer", json!({"unit_id": b}))
        .await
        .token;
    let viewer = viewer(&app, &admin, "viewer.all").await.token;

    // Act and assert: (who, token, reads A, reads B, patches, list size); the admin goes last
    // because its create adds a unit.
    for (who, token, read_a, read_b, write, listed) in [
        ("officer of A", officer.as_str(), 200, 404, 403, 1),
        ("viewer of B", viewer_b.as_str(), 404, 200, 403, 1),
        ("viewer", viewer.as_str(), 200, 200, 403, 2),
        ("admin", admin.as_str(), 200, 200, 200, 2),
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/units/{a}"), token).await.status,
            read_a,
            "{who} reads A"
        );
        assert_eq!(
            app.get(&format!("/api/v1/units/{b}"), token).await.status,
            read_b,
            "{who} reads B"
        );
        assert_eq!(
            app.get("/api/v1/units", token).await.json()["items"]
                .as_array()
                .unwrap()
                .len(),
            listed,
            "{who} lists"
        );
        let res = app
            .request(Method::PATCH, &format!("/api/v1/units/{a}"))
            .token(token)
            .header("if-match", "*")
            .merge_patch(&json!({"phone": "0215 1234"}))
            .send()
            .await;
        assert_eq!(res.status, write, "{who} patches A");
        let res = app
            .post(
                "/api/v1/units",
                token,
                &unit_body(&format!("N{write}{listed}{read_a}"), "Mới"),
            )
            .await;
        assert_eq!(
            res.status,
            if write == 200 { 201 } else { 403 },
            "{who} creates"
        );
    }
    app.request(Method::GET, "/api/v1/units")
        .send()
        .await
        .problem(401, "unauthorized");
}

#[actix_web::test]
async fn integral_json_numbers_are_integers_whatever_their_spelling() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let parent = unit_named(&app, &admin, "UBND", "Ủy ban nhân dân tỉnh Điện Biên").await;
    let mut body = unit_body("SCT", "Sở Công thương");
    body["parent_id"] = json!(parent as f64);
    assert!(body.to_string().contains(".0"), "{body}");
    let created = created(&app, &admin, "/api/v1/units", &body).await;
    assert_eq!(created["parent_id"], parent);
    let mut body = unit_body("SXD", "Sở Xây dựng");
    body["parent_id"] = json!(1.5);
    let res = app.post("/api/v1/units", &admin, &body).await;
    assert_eq!(
        res.problem(400, "invalid_body")["errors"][0]["field"],
        "parent_id"
    );
}

#[actix_web::test]
async fn filters_out_of_their_documented_bounds_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for query in ["bloc_id=-19269301", "parent_id=0", "bloc_id=1&year=1850"] {
        let res = app.get(&format!("/api/v1/units?{query}"), &admin).await;
        res.problem(400, "invalid_query");
    }
    let res = app.get("/api/v1/audit-events?actor_id=0", &admin).await;
    assert_eq!(
        res.problem(400, "invalid_query")["errors"][0]["field"],
        "actor_id"
    );
}
