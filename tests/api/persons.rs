//! `/persons`: CRUD, validation, unique codes, ETags, idempotency, audit, search, CSV,
//! pagination, and who may see or change which person.

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use thidua::auth::Actor;
use thidua::db::AnyConnection;
use thidua::db::persons::PersonData;
use thidua::domain::Gender;
use thidua::error::ApiError;

use crate::helpers::{PASSWORD, TestApp, TestResponse};

async fn create_unit(app: &TestApp, admin: &str, code: &str, name: &str) -> i64 {
    let body =
        json!({"code": code, "name": name, "kind": "administrative", "valid_from": "2008-04-01"});
    let res = app.post("/api/v1/units", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, admin: &str, body: Value) -> Value {
    let res = app.post("/api/v1/persons", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

fn person(name: &str, unit_id: i64) -> Value {
    json!({"full_name": name, "unit_id": unit_id})
}

async fn patch(app: &TestApp, token: &str, id: i64, body: Value) -> TestResponse {
    let path = format!("/api/v1/persons/{id}");
    let etag = app.get(&path, token).await.header("etag").unwrap();
    app.request(Method::PATCH, &path)
        .token(token)
        .header("if-match", &etag)
        .merge_patch(&body)
        .send()
        .await
}

fn ids(page: &Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

fn names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|p| p["full_name"].as_str().unwrap().to_owned())
        .collect()
}

async fn search(app: &TestApp, admin: &str, q: &str) -> Vec<i64> {
    let path = format!("/api/v1/persons?q={}", urlencode(q));
    ids(&app.get(&path, admin).await.json())
}

async fn list(app: &TestApp, admin: &str, query: String) -> Value {
    let res = app.get(&format!("/api/v1/persons?{query}"), admin).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[actix_web::test]
async fn a_person_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let sct = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let sxd = create_unit(&app, &admin, "SXD", "Sở Xây dựng").await;

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
    let unit = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
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

    let id = create(&app, &admin, person("Lò Văn Minh", unit)).await["id"]
        .as_i64()
        .unwrap();
    for (body, field) in [
        (json!({"full_name": ""}), "full_name"),
        (json!({"full_name": " "}), "full_name"),
        (json!({"birth_year": 1800}), "birth_year"),
        (json!({"civil_servant_code": "-x"}), "civil_servant_code"),
        (json!({"position": ""}), "position"),
        (json!({"unit_id": 999}), "unit_id"),
    ] {
        let problem = patch(&app, &admin, id, body.clone())
            .await
            .problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
    }
    for body in [
        json!({"full_name": null}),
        json!({"unit_id": null}),
        json!({"nickname": "Minh"}),
    ] {
        patch(&app, &admin, id, body)
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
    let unit = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let an = create(&app, &admin, json!({"full_name": "Nguyễn Văn An", "unit_id": unit, "civil_servant_code": "CC-2019-00123"})).await["id"].as_i64().unwrap();
    let binh = create(&app, &admin, json!({"full_name": "Trần Thị Bình", "unit_id": unit, "civil_servant_code": "CC-2019-00124"})).await["id"].as_i64().unwrap();
    // Persons without a code do not collide.
    create(&app, &admin, person("Lò Văn Minh", unit)).await;
    create(&app, &admin, person("Lò Thị Mai", unit)).await;

    app.post(
        "/api/v1/persons",
        &admin,
        &json!({"full_name": "Giàng A Páo", "unit_id": unit, "civil_servant_code": "CC-2019-00123"}),
    )
    .await
    .problem(409, "civil_servant_code_taken");
    patch(
        &app,
        &admin,
        binh,
        json!({"civil_servant_code": "CC-2019-00123"}),
    )
    .await
    .problem(409, "civil_servant_code_taken");
    // Keeping one's own code is no conflict.
    let res = patch(
        &app,
        &admin,
        an,
        json!({"civil_servant_code": "CC-2019-00123", "birth_year": 1980}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // A cleared code is free again.
    let res = patch(&app, &admin, an, json!({"civil_servant_code": null})).await;
    assert_eq!(res.status, 200);
    let res = patch(
        &app,
        &admin,
        binh,
        json!({"civil_servant_code": "CC-2019-00123"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}

#[actix_web::test]
async fn creating_a_person_is_idempotent() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let send = |body: Value| {
        app.request(Method::POST, "/api/v1/persons")
            .token(&admin)
            .header("idempotency-key", "person-an-1")
            .json(&body)
            .send()
    };
    let first = send(person("Nguyễn Văn An", unit)).await;
    let second = send(person("Nguyễn Văn An", unit)).await;
    assert_eq!((first.status, second.status), (201, 201));
    assert_eq!(first.json(), second.json());
    assert_eq!(first.header("location"), second.header("location"));
    assert_eq!(second.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(
        second.header("idempotent-replayed").as_deref(),
        Some("true")
    );
    send(person("Trần Thị Bình", unit))
        .await
        .problem(422, "idempotency_key_reused");
    let list = app.get("/api/v1/persons", &admin).await.json();
    assert_eq!(ids(&list).len(), 1);
}

#[actix_web::test]
async fn every_write_is_audited_with_before_and_after() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let id = create(
        &app,
        &admin,
        json!({"full_name": "Nguyễn Văn An", "unit_id": unit, "position": "Chuyên viên"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    patch(&app, &admin, id, json!({"position": "Phó Giám đốc"})).await;
    // A refused change leaves no row.
    patch(&app, &admin, id, json!({"unit_id": 999})).await;
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

#[actix_web::test]
async fn search_ignores_diacritics_and_follows_every_write() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let mut id = std::collections::HashMap::new();
    for name in [
        "Nguyễn Văn An",
        "Nguyễn Thị Bình",
        "Lò Điện Biên",
        "Quàng Văn Điện",
    ] {
        id.insert(
            name,
            create(&app, &admin, person(name, unit)).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    for (q, expected) in [
        ("dien bien", vec!["Lò Điện Biên"]),
        ("Điện Biên", vec!["Lò Điện Biên"]),
        ("ĐIỆN", vec!["Lò Điện Biên", "Quàng Văn Điện"]),
        ("nguyen van", vec!["Nguyễn Văn An"]),
        ("nguy", vec!["Nguyễn Văn An", "Nguyễn Thị Bình"]),
        ("van", vec!["Nguyễn Văn An", "Quàng Văn Điện"]),
        ("an binh", vec![]),
        ("sct", vec![]),
    ] {
        let expected: Vec<i64> = expected.iter().map(|n| id[n]).collect();
        assert_eq!(search(&app, &admin, q).await, expected, "q={q}");
    }
    app.get(&format!("/api/v1/persons?q={}", "a%20".repeat(9)), &admin)
        .await
        .problem(400, "invalid_query");

    // A renamed person is found by the new name only; a deleted one not at all.
    let an = id["Nguyễn Văn An"];
    let res = patch(&app, &admin, an, json!({"full_name": "Nguyễn Hữu Ân"})).await;
    assert_eq!(res.status, 200);
    assert_eq!(search(&app, &admin, "nguyen van").await, Vec::<i64>::new());
    assert_eq!(search(&app, &admin, "nguyen huu an").await, vec![an]);
    let res = app
        .request(Method::DELETE, &format!("/api/v1/persons/{an}"))
        .token(&admin)
        .header("if-match", "*")
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(search(&app, &admin, "huu").await, Vec::<i64>::new());
}

#[actix_web::test]
async fn lists_filter_by_unit_and_gender_and_page_by_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let sct = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let sxd = create_unit(&app, &admin, "SXD", "Sở Xây dựng").await;
    // Distinct ASCII initials: the order is the same under every collation.
    for (name, gender, unit) in [
        ("Hoàng Văn Hải", "male", sct),
        ("Bùi Thị Bích", "female", sxd),
        ("Dương Văn Dũng", "male", sxd),
        ("An Thị Ánh", "female", sct),
        ("Cầm Văn Chiến", "male", sct),
    ] {
        create(
            &app,
            &admin,
            json!({"full_name": name, "gender": gender, "unit_id": unit}),
        )
        .await;
    }
    let page = list(&app, &admin, format!("unit_id={sxd}&order_by=full_name")).await;
    assert_eq!(names(&page), ["Bùi Thị Bích", "Dương Văn Dũng"]);
    let page = list(&app, &admin, format!("unit_id={sct}&gender=female")).await;
    assert_eq!(names(&page), ["An Thị Ánh"]);
    let page = list(&app, &admin, "gender=male&order_by=id".into()).await;
    assert_eq!(
        names(&page),
        ["Hoàng Văn Hải", "Dương Văn Dũng", "Cầm Văn Chiến"]
    );

    // Walking pages by name, descending, never repeats or skips.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query = "order_by=full_name%20desc&page_size=2".to_owned();
        if let Some(t) = &token {
            query.push_str(&format!("&page_token={t}"));
        }
        let page = list(&app, &admin, query).await;
        assert!(names(&page).len() <= 2);
        seen.extend(names(&page));
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "Hoàng Văn Hải",
            "Dương Văn Dũng",
            "Cầm Văn Chiến",
            "Bùi Thị Bích",
            "An Thị Ánh"
        ]
    );
    let first = list(&app, &admin, "order_by=full_name%20desc&page_size=2".into()).await;
    let t = first["next_page_token"].as_str().unwrap();
    app.get(
        &format!(
            "/api/v1/persons?order_by=full_name%20desc&page_size=2&gender=male&page_token={t}"
        ),
        &admin,
    )
    .await
    .problem(400, "invalid_page_token");
    for bad in [
        "order_by=birth_year",
        "order_by=full_name%20sideways",
        "page_size=0",
        "page_size=101",
        "gender=other",
        "unit=3",
    ] {
        let res = app.get(&format!("/api/v1/persons?{bad}"), &admin).await;
        assert_eq!(
            res.status,
            400,
            "{bad}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
}

#[actix_web::test]
async fn csv_export_has_a_bom_a_header_and_defused_formulas() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let sct = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let sxd = create_unit(&app, &admin, "SXD", "Sở Xây dựng").await;
    create(&app, &admin, json!({"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1978, "position": "Phó Giám đốc", "unit_id": sct, "civil_servant_code": "CC-2019-00123"})).await;
    create(&app, &admin, person("=HYPERLINK(\"x\")", sct)).await;
    create(&app, &admin, person("Trần Thị Bình", sxd)).await;
    {
        let res = app.get("/api/v1/persons/export", &admin).await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(
            res.header("content-disposition")
                .unwrap()
                .contains("persons.csv")
        );
        assert!(res.body.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(res.body[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        // Every row, not one page: header, three persons, and the final line end.
        assert_eq!(lines.len(), 5, "{text}");
        assert_eq!(
            lines[0],
            "id,full_name,gender,birth_year,position,unit_id,civil_servant_code"
        );
        assert_eq!(
            lines[1],
            format!("1,Nguyễn Văn An,male,1978,Phó Giám đốc,{sct},CC-2019-00123")
        );
        assert_eq!(lines[2], format!("2,\"'=HYPERLINK(\"\"x\"\")\",,,,{sct},"));
        assert_eq!(lines[4], "");
    }
    // The export keeps the filters.
    let res = app
        .get(&format!("/api/v1/persons/export?unit_id={sxd}"), &admin)
        .await;
    let text = String::from_utf8(res.body[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Trần Thị Bình"));
}

#[derive(diesel::QueryableByName)]
struct Id {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
}

/// A bloc with `unit` as its 2025 chair, written directly: blocs have their own API.
fn bloc_with(c: &mut AnyConnection, code: &str, unit: i64) -> i64 {
    let bloc = diesel::sql_query(format!(
        "INSERT INTO blocs (code, name, kind, level, active_from, created_at, updated_at) \
         VALUES ('{code}', 'Khối các cơ quan kinh tế', 'bloc', 'province', 2019, \
         CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
    ))
    .get_result::<Id>(c)
    .unwrap()
    .id;
    diesel::sql_query(format!(
        "INSERT INTO bloc_members (bloc_id, year, unit_id, role) VALUES ({bloc}, 2025, {unit}, 'chair')"
    ))
    .execute(c)
    .unwrap();
    bloc
}

#[derive(Debug, Clone, Copy)]
enum Op {
    List,
    GetA,
    GetB,
    GetC,
    Create,
    Patch,
    Delete,
}

async fn attempt(app: &TestApp, token: Option<&str>, op: Op, p: [i64; 3], unit: i64) -> u16 {
    let path = |id: i64| format!("/api/v1/persons/{id}");
    let req = match op {
        Op::List => app.request(Method::GET, "/api/v1/persons"),
        Op::GetA => app.request(Method::GET, &path(p[0])),
        Op::GetB => app.request(Method::GET, &path(p[1])),
        Op::GetC => app.request(Method::GET, &path(p[2])),
        Op::Create => app
            .request(Method::POST, "/api/v1/persons")
            .json(&person("Giàng A Páo", unit)),
        Op::Patch => app
            .request(Method::PATCH, &path(p[0]))
            .header("if-match", "*")
            .merge_patch(&json!({"position": "Trưởng phòng"})),
        Op::Delete => app
            .request(Method::DELETE, &path(p[2]))
            .header("if-match", "*"),
    };
    let req = match token {
        Some(t) => req.token(t),
        None => req,
    };
    req.send().await.status
}

#[actix_web::test]
async fn who_may_do_what_with_persons() {
    // Arrange: units A, B (in bloc K) and C, one person in each, and a caller of every kind.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = create_unit(&app, &admin, "A", "Sở Tài chính").await;
    let b = create_unit(&app, &admin, "B", "Sở Công thương").await;
    let c = create_unit(&app, &admin, "C", "Sở Y tế").await;
    let bloc = bloc_with(&mut app.connection(), "K-KT", b);
    let mut people = [0; 3];
    for (i, unit) in [a, b, c].into_iter().enumerate() {
        people[i] = create(&app, &admin, person(&format!("Người {i}"), unit)).await["id"]
            .as_i64()
            .unwrap();
    }
    app.create_user(&admin, "viewer.all", "viewer", json!({}))
        .await;
    app.create_user(&admin, "officer.a", "unit_officer", json!({"unit_id": a}))
        .await;
    app.create_user(&admin, "chair.k", "bloc_chair", json!({"bloc_ids": [bloc]}))
        .await;
    app.create_user(&admin, "viewer.k", "viewer", json!({"bloc_ids": [bloc]}))
        .await;
    let viewer = app.token("viewer.all", PASSWORD).await;
    let officer = app.token("officer.a", PASSWORD).await;
    let chair = app.token("chair.k", PASSWORD).await;
    let viewer_k = app.token("viewer.k", PASSWORD).await;

    // Act and assert, cell by cell. The admin comes last: its writes change the data.
    use Op::*;
    let ops = [List, GetA, GetB, GetC, Create, Patch, Delete];
    let table: [(&str, Option<&str>, [u16; 7], usize); 6] = [
        ("anonymous", None, [401, 401, 401, 401, 401, 401, 401], 0),
        (
            "viewer",
            Some(&viewer),
            [200, 200, 200, 200, 403, 403, 403],
            3,
        ),
        (
            "officer of A",
            Some(&officer),
            [200, 200, 404, 404, 403, 403, 403],
            1,
        ),
        (
            "chair of K",
            Some(&chair),
            [200, 404, 200, 404, 403, 403, 403],
            1,
        ),
        (
            "viewer of K",
            Some(&viewer_k),
            [200, 404, 200, 404, 403, 403, 403],
            1,
        ),
        (
            "admin",
            Some(&admin),
            [200, 200, 200, 200, 201, 200, 204],
            3,
        ),
    ];
    for (who, token, expected, listed) in table {
        for (op, status) in ops.iter().zip(expected) {
            assert_eq!(
                attempt(&app, token, *op, people, a).await,
                status,
                "{who}: {op:?}"
            );
        }
        if let Some(t) = token {
            let list = app.get("/api/v1/persons", t).await.json();
            assert_eq!(ids(&list).len(), listed, "{who} lists");
        }
    }
    // The officer's list holds only their unit's persons (the admin added one there), the
    // chair's CSV only those of the bloc's units.
    let list = app.get("/api/v1/persons", &officer).await.json();
    assert_eq!(names(&list), ["Người 0", "Giàng A Páo"]);
    let csv = app.get("/api/v1/persons/export", &chair).await;
    let text = String::from_utf8(csv.body[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Người 1"));
}

#[actix_web::test]
async fn the_importer_path_checks_the_unit_and_the_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = create_unit(&app, &admin, "SCT", "Sở Công thương").await;
    let data = |unit_id: i64| PersonData {
        full_name: "Lò Văn Minh".into(),
        gender: Some(Gender::Male),
        birth_year: Some(1985),
        position: None,
        unit_id,
        civil_servant_code: Some("VC-2020-00001".into()),
    };
    let run = |d: PersonData| {
        app.state
            .db
            .write(move |c| thidua::ops::persons::create(c, &Actor::default(), &d))
    };
    let created = run(data(unit)).await.unwrap();
    assert_eq!(created.data.full_name, "Lò Văn Minh");
    assert!(matches!(
        run(data(unit)).await,
        Err(ApiError::Conflict {
            code: thidua::error::Code::CivilServantCodeTaken,
            ..
        })
    ));
    match run(data(999)).await {
        Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "unit_id"),
        other => panic!("{other:?}"),
    }
    // It indexed and audited like POST does.
    let found = app.get("/api/v1/persons?q=lo%20minh", &admin).await.json();
    assert_eq!(ids(&found), [created.id]);
    let audit = app
        .get("/api/v1/audit-events?action=person.create", &admin)
        .await
        .json();
    assert_eq!(ids(&audit).len(), 1);
}
