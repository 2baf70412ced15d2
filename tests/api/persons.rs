//! `/persons`: CRUD, validation, unique codes, ETags, idempotency and audit. Search, lists and
//! CSV are in `person_search`; who may see or change which person, in `person_access`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{created, ids, patch_current, person, person_body, unit_named};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_person_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let sct = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let sxd = unit_named(&app, &admin, "SXD", "Sở Xây dựng").await;

    let res = app
        .post(
            "/api/v1/persons",
            &admin,
            &json!({"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1978,
                "position": "Phó Giám đốc", "unit_id": sct, "civil_servant_code": "CC-2019-00123"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let created = res.json();
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/persons/{id}");
    assert_eq!(res.header("location").as_deref(), Some(path.as_str()));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(created["full_name"], "Nguyễn Văn An");
    assert_eq!(created["gender"], "male");
    assert_eq!(created["birth_year"], 1978);
    assert_eq!(created["position"], "Phó Giám đốc");
    assert_eq!(created["unit_id"], sct);
    assert_eq!(created["civil_servant_code"], "CC-2019-00123");
    assert!(created.get("version").is_none());

    let res = app.get(&path, &admin).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json(), created);

    // PATCH: a merge patch (also sent as plain JSON), If-Match required and checked.
    let change =
        json!({"position": null, "gender": null, "unit_id": sxd, "full_name": "Nguyễn Văn Ân"});
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .body("text/plain", change.to_string().into_bytes())
        .send()
        .await
        .problem(415, "unsupported_media_type");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .merge_patch(&change)
        .send()
        .await
        .problem(428, "precondition_required");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"7\"")
        .merge_patch(&change)
        .send()
        .await
        .problem(412, "precondition_failed");
    let res = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&change)
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let updated = res.json();
    assert_eq!(updated["full_name"], "Nguyễn Văn Ân");
    assert_eq!(updated["position"], Value::Null);
    assert_eq!(updated["gender"], Value::Null);
    assert_eq!(updated["unit_id"], sxd);
    // Absent fields stay.
    assert_eq!(updated["birth_year"], 1978);
    assert_eq!(updated["civil_servant_code"], "CC-2019-00123");

    // A unit with persons cannot be deleted.
    let unit_path = format!("/api/v1/units/{sxd}");
    let problem = app
        .request(Method::DELETE, &unit_path)
        .token(&admin)
        .header("if-match", "*")
        .send()
        .await
        .problem(409, "unit_in_use");
    assert!(problem["detail"].as_str().unwrap().contains("persons"));

    // DELETE: If-Match required and checked.
    app.request(Method::DELETE, &path)
        .token(&admin)
        .send()
        .await
        .problem(428, "precondition_required");
    app.request(Method::DELETE, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .send()
        .await
        .problem(412, "precondition_failed");
    let res = app
        .request(Method::DELETE, &path)
        .token(&admin)
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(res.status, 204);
    app.get(&path, &admin).await.problem(404, "not_found");
    app.request(Method::DELETE, &path)
        .token(&admin)
        .header("if-match", "*")
        .send()
        .await
        .problem(404, "not_found");
    let res = app
        .request(Method::DELETE, &unit_path)
        .token(&admin)
        .header("if-match", "*")
        .send()
        .await;
    assert_eq!(res.status, 204, "the unit is free once its person is gone");
}

#[actix_web::test]
async fn bad_persons_are_refused_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let cases = [
        (
            json!({"full_name": "", "unit_id": unit}),
            "full_name",
            "length",
        ),
        (
            json!({"full_name": "   ", "unit_id": unit}),
            "full_name",
            "blank",
        ),
        (
            json!({"full_name": "A".repeat(201), "unit_id": unit}),
            "full_name",
            "length",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": unit, "birth_year": 1899}),
            "birth_year",
            "range",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": unit, "birth_year": 2101}),
            "birth_year",
            "range",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": unit, "position": ""}),
            "position",
            "length",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": unit, "civil_servant_code": "CC 01"}),
            "civil_servant_code",
            "pattern",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": unit, "civil_servant_code": "C".repeat(33)}),
            "civil_servant_code",
            "length",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": 0}),
            "unit_id",
            "range",
        ),
        (
            json!({"full_name": "Lò Văn Minh", "unit_id": 999}),
            "unit_id",
            "unknown",
        ),
    ];
    for (body, field, code) in cases {
        let res = app.post("/api/v1/persons", &admin, &body).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    for body in [
        json!({"full_name": "Lò Văn Minh", "unit_id": unit, "gender": "other"}),
        json!({"full_name": "Lò Văn Minh", "unit_id": unit, "email": "x@y.vn"}),
        json!({"full_name": "Lò Văn Minh"}),
        json!({"full_name": "Lò Văn Minh", "unit_id": unit, "birth_year": "1980"}),
    ] {
        app.post("/api/v1/persons", &admin, &body)
            .await
            .problem(400, "invalid_body");
    }

    let id = person(&app, &admin, unit, "Lò Văn Minh").await;
    for (body, field) in [
        (json!({"full_name": ""}), "full_name"),
        (json!({"full_name": " "}), "full_name"),
        (json!({"birth_year": 1800}), "birth_year"),
        (json!({"civil_servant_code": "-x"}), "civil_servant_code"),
        (json!({"position": ""}), "position"),
        (json!({"unit_id": 999}), "unit_id"),
    ] {
        let problem = patch_current(&app, &admin, &format!("/api/v1/persons/{id}"), &body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    for body in [
        json!({"full_name": null}),
        json!({"unit_id": null}),
        json!({"nickname": "Minh"}),
    ] {
        patch_current(&app, &admin, &format!("/api/v1/persons/{id}"), &body)
            .await
            .problem(400, "invalid_body");
    }
    let got = app.get(&format!("/api/v1/persons/{id}"), &admin).await;
    assert_eq!(
        got.header("etag").as_deref(),
        Some("\"1\""),
        "nothing changed"
    );
}

#[actix_web::test]
async fn civil_servant_codes_are_unique() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let an = created(&app, &admin, "/api/v1/persons", & json!({"full_name": "Nguyễn Văn An", "unit_id": unit, "civil_servant_code": "CC-2019-00123"})).await["id"].as_i64().unwrap();
    let binh = created(&app, &admin, "/api/v1/persons", & json!({"full_name": "Trần Thị Bình", "unit_id": unit, "civil_servant_code": "CC-2019-00124"})).await["id"].as_i64().unwrap();
    // Persons without a code do not collide.
    person(&app, &admin, unit, "Lò Văn Minh").await;
    person(&app, &admin, unit, "Lò Thị Mai").await;

    app.post(
        "/api/v1/persons",
        &admin,
        &json!({"full_name": "Giàng A Páo", "unit_id": unit, "civil_servant_code": "CC-2019-00123"}),
    )
    .await
    .problem(409, "civil_servant_code_taken");
    patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{binh}"),
        &json!({"civil_servant_code": "CC-2019-00123"}),
    )
    .await
    .problem(409, "civil_servant_code_taken");
    // Keeping one's own code is no conflict.
    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{an}"),
        &json!({"civil_servant_code": "CC-2019-00123", "birth_year": 1980}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // A cleared code is free again.
    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{an}"),
        &json!({"civil_servant_code": null}),
    )
    .await;
    assert_eq!(res.status, 200);
    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{binh}"),
        &json!({"civil_servant_code": "CC-2019-00123"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}

#[actix_web::test]
async fn creating_a_person_is_idempotent() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let send = |body: Value| {
        app.request(Method::POST, "/api/v1/persons")
            .token(&admin)
            .header("idempotency-key", "person-an-1")
            .json(&body)
            .send()
    };
    let first = send(person_body("Nguyễn Văn An", unit)).await;
    let second = send(person_body("Nguyễn Văn An", unit)).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(first.json(), second.json());
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(second.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    send(person_body("Trần Thị Bình", unit))
        .await
        .problem(422, "idempotency_key_reused");
    let list = app.get("/api/v1/persons", &admin).await.json();
    assert_eq!(ids(&list).len(), 1);
}

#[actix_web::test]
async fn every_write_is_audited_with_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let id = created(
        &app,
        &admin,
        "/api/v1/persons",
        &json!({"full_name": "Nguyễn Văn An", "unit_id": unit, "position": "Chuyên viên"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{id}"),
        &json!({"position": "Phó Giám đốc"}),
    )
    .await;
    // A refused change leaves no row.
    patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{id}"),
        &json!({"unit_id": 999}),
    )
    .await;
    let res = app
        .request(Method::DELETE, &format!("/api/v1/persons/{id}"))
        .token(&admin)
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(res.status, 204);

    let page = app
        .get(
            &format!("/api/v1/audit-events?resource_type=person&resource_id={id}"),
            &admin,
        )
        .await
        .json();
    let events = page["items"].as_array().unwrap();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["person.create", "person.update", "person.delete"]);
    let (create, update, delete) = (&events[0], &events[1], &events[2]);
    for e in events {
        assert_eq!(e["actor_username"], "admin");
        assert_eq!(e["outcome"], "success");
        assert_eq!(e["resource_id"], id.to_string());
    }
    assert_eq!(create["before"], Value::Null);
    assert_eq!(create["after"]["full_name"], "Nguyễn Văn An");
    assert_eq!(create["after"]["position"], "Chuyên viên");
    assert_eq!(update["before"]["position"], "Chuyên viên");
    assert_eq!(update["after"]["position"], "Phó Giám đốc");
    assert_eq!(delete["before"]["position"], "Phó Giám đốc");
    assert_eq!(delete["after"], Value::Null);
}
