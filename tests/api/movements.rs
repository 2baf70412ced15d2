//! `/api/v1/movements`: CRUD, validation, search and filters, and CSV. The workflow is in
//! `movement_workflow`; unit registrations in `registrations`; scope per role and the role ×
//! operation matrix, in `movement_access`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{SAVING, audit, movement, patch_current, unit_named, user};
use crate::helpers::{TestApp, TestResponse};

#[actix_web::test]
async fn a_movement_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let ubnd = unit_named(&app, &admin, "UBND", "Ủy ban nhân dân tỉnh Điện Biên").await;
    let created = app
        .post(
            "/api/v1/movements",
            &admin,
            &json!({"name": SAVING, "scope": "province", "form": "thematic",
                "start_date": "2026-03-15", "launching_unit_id": ubnd}),
        )
        .await;
    assert_eq!(created.status, 201);
    let m = created.json();
    let id = m["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location").unwrap(),
        format!("/api/v1/movements/{id}")
    );
    assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(m["status"], "planned");
    assert_eq!(m["launching_unit_id"], ubnd);
    assert!(m["end_date"].is_null());
    let path = format!("/api/v1/movements/{id}");
    let got = app.get(&path, &admin).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(got.json()["name"], SAVING);

    // PATCH needs If-Match, a fresh one, and a merge patch.
    app.request(Method::PATCH, &path)
        .token(&admin)
        .merge_patch(&json!({"slogan": "Tiết kiệm là quốc sách"}))
        .send()
        .await
        .problem(428, "precondition_required");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"9\"")
        .merge_patch(&json!({"slogan": "Tiết kiệm là quốc sách"}))
        .send()
        .await
        .problem(412, "precondition_failed");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .body("text/plain", b"slogan".to_vec())
        .send()
        .await
        .problem(415, "unsupported_media_type");
    // The status is the workflow's: a patch cannot set it.
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"status": "open"}))
        .send()
        .await
        .problem(400, "invalid_body");
    let changed = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"slogan": "Tiết kiệm là quốc sách", "launching_unit_id": null}))
        .send()
        .await;
    assert_eq!(
        changed.status,
        200,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );
    assert_eq!(changed.header("etag").as_deref(), Some("\"2\""));
    let body = changed.json();
    assert_eq!(body["status"], "planned");
    assert_eq!(body["slogan"], "Tiết kiệm là quốc sách");
    assert!(body["launching_unit_id"].is_null());
    assert_eq!(body["form"], "thematic");

    // A patch that would end before the start is refused, and changes nothing.
    let bad = patch_current(&app, &admin, &path, &json!({"end_date": "2026-01-01"})).await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "end_date"
    );

    let update = audit(&app, &admin, "movement.update").await;
    assert_eq!(update.len(), 1);
    assert_eq!(update[0]["after"]["slogan"], "Tiết kiệm là quốc sách");
    assert!(update[0]["after"]["launching_unit_id"].is_null());
    assert_eq!(update[0]["after"]["status"], "planned");
    assert_eq!(audit(&app, &admin, "movement.create").await.len(), 1);

    app.request(Method::DELETE, &path)
        .token(&admin)
        .send()
        .await
        .problem(428, "precondition_required");
    let deleted = app
        .request(Method::DELETE, &path)
        .token(&admin)
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(deleted.status, 204);
    app.get(&path, &admin).await.problem(404, "not_found");
    let gone = audit(&app, &admin, "movement.delete").await;
    assert_eq!(gone[0]["before"]["name"], SAVING);
    // The search index forgot it.
    let found = app.get("/api/v1/movements?q=tiet%20kiem", &admin).await;
    assert!(found.json()["items"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn movement_fields_are_validated() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let base =
        json!({"name": SAVING, "scope": "province", "form": "regular", "start_date": "2026-03-15"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    for (body, field, code) in [
        (with("end_date", json!("2026-03-14")), "end_date", "order"),
        (
            with("launching_unit_id", json!(999)),
            "launching_unit_id",
            "unknown",
        ),
        (
            with("launching_unit_id", json!(0)),
            "launching_unit_id",
            "range",
        ),
        (with("name", json!("")), "name", "length"),
        (with("name", json!("x".repeat(501))), "name", "length"),
        (
            with("decision_number", json!("x".repeat(51))),
            "decision_number",
            "length",
        ),
        (
            with("description", json!("x".repeat(4001))),
            "description",
            "length",
        ),
    ] {
        let res = app.post("/api/v1/movements", &admin, &body).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
    for body in [
        with("colour", json!("đỏ")),
        with("scope", json!("planet")),
        with("status", json!("finished")),
        with("start_date", json!("15/03/2026")),
    ] {
        app.post("/api/v1/movements", &admin, &body)
            .await
            .problem(400, "invalid_body");
    }
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("start_date");
    app.post("/api/v1/movements", &admin, &missing)
        .await
        .problem(400, "invalid_body");
    let m = movement(&app, &admin, json!({})).await;
    let path = format!("/api/v1/movements/{}", m["id"]);
    let res = patch_current(&app, &admin, &path, &json!({"name": ""})).await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["field"],
        "name"
    );
    patch_current(&app, &admin, &path, &json!({"id": 5}))
        .await
        .problem(400, "invalid_body");
}

#[actix_web::test]
async fn movements_export_as_csv_with_formulas_defused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    movement(&app, &admin, json!({})).await;
    movement(
        &app,
        &admin,
        json!({"name": "=HYPERLINK(\"x\")", "slogan": "-1+2"}),
    )
    .await;
    let res = app
        .request(Method::GET, "/api/v1/movements/export")
        .token(&admin)
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    assert!(res.body.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(res.body[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "id,name,slogan,launching_unit_id,decision_number,decision_date,scope,form,start_date,end_date,status,description"
    );
    assert!(lines[1].contains(SAVING), "{text}");
    assert!(
        lines[2].contains("\"'=HYPERLINK(\"\"x\"\")\",'-1+2"),
        "{text}"
    );
    let by_format = app
        .get("/api/v1/movements/export?status=open", &admin)
        .await;
    assert_eq!(
        String::from_utf8_lossy(&by_format.body[3..])
            .lines()
            .count(),
        1
    );
}

#[actix_web::test]
async fn movements_are_found_without_diacritics_and_filtered() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = user(&app, &admin, "xem", "viewer", json!({})).await.token;
    movement(&app, &admin, json!({"status": "open"})).await;
    movement(
        &app,
        &admin,
        json!({"name": "Thi đua chuyển đổi số", "slogan": "Điện Biên số", "form": "thematic",
            "scope": "sector", "start_date": "2025-01-01", "end_date": "2025-12-31"}),
    )
    .await;
    movement(&app, &admin, json!({"name": "Cả nước chung tay vì người nghèo", "slogan": null, "scope": "national", "start_date": "2027-01-01", "end_date": null})).await;
    let names = |res: TestResponse| -> Vec<String> {
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        res.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let q = |query: &str| format!("/api/v1/movements?{query}");
    assert_eq!(
        names(app.get(&q("q=tiet%20kiem"), &viewer).await),
        vec![SAVING]
    );
    assert_eq!(
        names(app.get(&q("q=TIET%20KIEM"), &viewer).await),
        vec![SAVING]
    );
    assert_eq!(
        names(app.get(&q("q=lang%20ph"), &viewer).await),
        vec![SAVING]
    );
    // The slogan is searched too.
    assert_eq!(
        names(app.get(&q("q=quoc%20sach"), &viewer).await),
        vec![SAVING]
    );
    assert_eq!(
        names(app.get(&q("q=dien%20bien"), &viewer).await),
        vec!["Thi đua chuyển đổi số"]
    );
    assert!(names(app.get(&q("q=khong%20co"), &viewer).await).is_empty());
    assert_eq!(
        names(app.get(&q("status=open"), &viewer).await),
        vec![SAVING]
    );
    assert_eq!(
        names(app.get(&q("form=thematic"), &viewer).await),
        vec!["Thi đua chuyển đổi số"]
    );
    assert_eq!(
        names(app.get(&q("scope=national"), &viewer).await),
        vec!["Cả nước chung tay vì người nghèo"]
    );
    assert_eq!(
        names(app.get(&q("active_on=2025-06-01"), &viewer).await),
        vec!["Thi đua chuyển đổi số"]
    );
    assert_eq!(
        names(app.get(&q("active_on=2028-01-01"), &viewer).await),
        vec![SAVING, "Cả nước chung tay vì người nghèo"]
    );
    assert_eq!(
        names(app.get(&q("order_by=start_date%20desc"), &viewer).await),
        vec![
            "Cả nước chung tay vì người nghèo",
            SAVING,
            "Thi đua chuyển đổi số"
        ]
    );
    app.get(&q("order_by=slogan"), &viewer)
        .await
        .problem(400, "invalid_query");
    app.get(&q("status=finished"), &viewer)
        .await
        .problem(400, "invalid_query");

    // Pages by name, without repeats or gaps.
    let mut seen = vec![];
    let mut token: Option<String> = None;
    loop {
        let mut path = q("order_by=name&page_size=2");
        if let Some(t) = &token {
            path.push_str(&format!("&page_token={t}"));
        }
        let page = app.get(&path, &viewer).await.json();
        for m in page["items"].as_array().unwrap() {
            seen.push(m["name"].as_str().unwrap().to_owned());
        }
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen, sorted);
}
