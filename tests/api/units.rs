//! `/units`: the tree, validity and successors, search, CSV, and who may see what.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResponse};

async fn create(app: &TestApp, admin: &str, body: Value) -> Value {
    let res = app.post("/api/v1/units", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

fn unit(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "kind": "administrative", "admin_level": "province", "valid_from": "2008-04-01"})
}

async fn patch(app: &TestApp, token: &str, id: i64, body: Value) -> TestResponse {
    let path = format!("/api/v1/units/{id}");
    let etag = app.get(&path, token).await.header("etag").unwrap();
    app.request(Method::PATCH, &path)
        .token(token)
        .header("if-match", &etag)
        .merge_patch(&body)
        .send()
        .await
}

#[actix_web::test]
async fn a_unit_is_created_read_and_listed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, unit("SCT", "Sở Công thương")).await;
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
    create(&app, &admin, unit("SCT", "Sở Công thương")).await;
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
    app.post("/api/v1/units", &admin, &unit("SCT", "Trùng mã"))
        .await
        .problem(409, "code_taken");
}

#[actix_web::test]
async fn a_unit_patch_checks_fields_like_creation_and_refuses_null_on_required_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = create(&app, &admin, unit("SCT", "Sở Công thương")).await["id"]
        .as_i64()
        .unwrap();
    for field in ["name", "code", "kind", "valid_from"] {
        let problem = patch(&app, &admin, id, json!({ field: null }))
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
        let problem = patch(&app, &admin, id, body.clone())
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
    let province = create(&app, &admin, unit("UBND", "Ủy ban nhân dân tỉnh Điện Biên")).await["id"]
        .as_i64()
        .unwrap();
    let dept = create(&app, &admin, json!({"code": "SCT", "name": "Sở Công thương", "kind": "administrative", "parent_id": province, "valid_from": "2008-04-01"})).await["id"].as_i64().unwrap();
    let office = create(&app, &admin, json!({"code": "SCT-VP", "name": "Văn phòng Sở", "kind": "administrative", "parent_id": dept, "valid_from": "2008-04-01"})).await["id"].as_i64().unwrap();

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

    let res = patch(&app, &admin, province, json!({"parent_id": office})).await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["code"],
        "cycle"
    );
    let res = patch(&app, &admin, dept, json!({"parent_id": dept})).await;
    res.problem(422, "validation_failed");
}

#[actix_web::test]
async fn a_retired_unit_names_its_successor_and_cannot_be_deleted_while_referenced() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let old = create(&app, &admin, unit("STNMT", "Sở Tài nguyên và Môi trường")).await["id"]
        .as_i64()
        .unwrap();
    let new = create(&app, &admin, json!({"code": "SNNMT", "name": "Sở Nông nghiệp và Môi trường", "kind": "administrative", "valid_from": "2025-03-01"})).await["id"].as_i64().unwrap();

    let res = patch(
        &app,
        &admin,
        old,
        json!({"valid_to": "2025-02-28", "successor_id": new}),
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
    let etag = app.get(&path, &admin).await.header("etag").unwrap();
    let res = app
        .request(Method::DELETE, &path)
        .token(&admin)
        .header("if-match", &etag)
        .send()
        .await;
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
    let etag = app.get(&path, &admin).await.header("etag").unwrap();
    let res = app
        .request(Method::DELETE, &path)
        .token(&admin)
        .header("if-match", &etag)
        .send()
        .await;
    assert_eq!(res.status, 204);
    app.get(&path, &admin).await.problem(404, "not_found");
}

#[actix_web::test]
async fn search_ignores_diacritics_and_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    create(&app, &admin, unit("SCT", "Sở Công thương")).await;
    create(&app, &admin, unit("UBND", "Ủy ban nhân dân tỉnh Điện Biên")).await;
    create(&app, &admin, unit("SXD", "Sở Xây dựng")).await;
    for (q, expected) in [
        ("so cong thuong", vec!["SCT"]),
        ("dien bien", vec!["UBND"]),
        ("ĐIỆN", vec!["UBND"]),
        ("so", vec!["SCT", "SXD"]),
        ("sct", vec!["SCT"]),
        ("cong xay", vec![]),
    ] {
        let res = app
            .get(
                &format!("/api/v1/units?q={}&order_by=code", urlencode(q)),
                &admin,
            )
            .await
            .json();
        let codes: Vec<&str> = res["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, expected, "q={q}");
    }
    // A renamed unit is found by its new name only: the index follows every write.
    let id = app.get("/api/v1/units?q=xay", &admin).await.json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    patch(
        &app,
        &admin,
        id,
        json!({"name": "Sở Quy hoạch – Kiến trúc"}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/units?q=xay", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get("/api/v1/units?q=kien%20truc", &admin).await.json()["items"][0]["id"],
        id
    );
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
async fn csv_export_has_a_bom_crlf_and_defused_formulas() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    create(&app, &admin, unit("SCT", "Sở Công thương")).await;
    create(&app, &admin, unit("EVIL", "=HYPERLINK(\"http://x\")")).await;
    // The list itself answers JSON only: `format` is no parameter of it, and `Accept` does not
    // turn it into CSV.
    app.get("/api/v1/units?format=csv", &admin)
        .await
        .problem(400, "invalid_query");
    let json = app
        .request(Method::GET, "/api/v1/units?order_by=code")
        .token(&admin)
        .header("accept", "text/csv")
        .send()
        .await;
    assert_eq!(json.status, 200);
    assert_eq!(json.json()["items"][0]["code"], "EVIL");
    // A page parameter is no parameter of the export.
    app.get("/api/v1/units/export?page_size=1", &admin)
        .await
        .problem(400, "invalid_query");
    {
        let res = app.get("/api/v1/units/export?order_by=code", &admin).await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(
            res.header("content-disposition")
                .unwrap()
                .contains("units.csv")
        );
        assert!(res.body.starts_with(b"\xEF\xBB\xBFid,code,name,"));
        let text = String::from_utf8(res.body[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[1].contains("EVIL,\"'=HYPERLINK(\"\"http://x\"\")\""),
            "{text}"
        );
        assert!(lines[2].contains("Sở Công thương"), "{text}");
    }
}

#[actix_web::test]
async fn creating_a_unit_is_idempotent_and_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = || {
        app.request(Method::POST, "/api/v1/units")
            .token(&admin)
            .header("idempotency-key", "unit-sct-1")
            .json(&unit("SCT", "Sở Công thương"))
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
    let a = create(&app, &admin, unit("A", "Đơn vị A")).await["id"]
        .as_i64()
        .unwrap();
    let b = create(&app, &admin, unit("B", "Đơn vị B")).await["id"]
        .as_i64()
        .unwrap();
    app.create_user(&admin, "officer.a", "unit_officer", json!({"unit_id": a}))
        .await;
    app.create_user(&admin, "viewer.b", "viewer", json!({"unit_id": b}))
        .await;
    app.create_user(&admin, "viewer.all", "viewer", json!({}))
        .await;
    let officer = app.token("officer.a", crate::helpers::PASSWORD).await;
    let viewer_b = app.token("viewer.b", crate::helpers::PASSWORD).await;
    let viewer = app.token("viewer.all", crate::helpers::PASSWORD).await;

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
                &unit(&format!("N{write}{listed}{read_a}"), "Mới"),
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
    let parent = create(&app, &admin, unit("UBND", "Ủy ban nhân dân tỉnh Điện Biên")).await["id"]
        .as_i64()
        .unwrap();
    let mut body = unit("SCT", "Sở Công thương");
    body["parent_id"] = json!(parent as f64);
    assert!(body.to_string().contains(".0"), "{body}");
    let created = create(&app, &admin, body).await;
    assert_eq!(created["parent_id"], parent);
    let mut body = unit("SXD", "Sở Xây dựng");
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
