//! `/api/v1/movements` and unit registrations: CRUD, the registration lifecycle, scope per
//! role, idempotency, search, CSV and the role × operation matrix.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, TestResponse};

const SAVING: &str = "Toàn dân thực hành tiết kiệm, chống lãng phí";

async fn unit(app: &TestApp, admin: &str, code: &str, name: &str) -> i64 {
    let res = app
        .post(
            "/api/v1/units",
            admin,
            &json!({"code": code, "name": name, "kind": "administrative", "valid_from": "2008-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()["id"].as_i64().unwrap()
}

/// Creates a movement with sensible defaults; `extra` adds or overrides fields.
async fn movement(app: &TestApp, admin: &str, extra: Value) -> Value {
    let mut body = json!({
        "name": SAVING,
        "slogan": "Tiết kiệm là quốc sách",
        "decision_number": "1122/QĐ-UBND",
        "decision_date": "2026-03-02",
        "scope": "province",
        "form": "regular",
        "start_date": "2026-03-15",
        "end_date": "2030-12-31",
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let res = app.post("/api/v1/movements", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> TestResponse {
    let etag = app
        .get(path, token)
        .await
        .header("etag")
        .unwrap_or_default();
    app.request(Method::PATCH, path)
        .token(token)
        .header("if-match", &etag)
        .merge_patch(&body)
        .send()
        .await
}

async fn set_status(app: &TestApp, admin: &str, id: i64, status: &str) {
    let path = format!("/api/v1/movements/{id}");
    let res = patch(app, admin, &path, json!({"status": status})).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["status"], status);
}

async fn register(app: &TestApp, token: &str, movement: i64, unit: i64) -> TestResponse {
    app.post(
        &format!("/api/v1/movements/{movement}/registrations"),
        token,
        &json!({"unit_id": unit, "pledge": "Giảm 10% chi phí điện, nước so với năm 2025"}),
    )
    .await
}

async fn user_token(app: &TestApp, admin: &str, name: &str, role: &str, extra: Value) -> String {
    app.create_user(admin, name, role, extra).await;
    app.token(name, PASSWORD).await
}

async fn audit(app: &TestApp, admin: &str, action: &str) -> Vec<Value> {
    let res = app
        .get(&format!("/api/v1/audit-events?action={action}"), admin)
        .await;
    assert_eq!(res.status, 200);
    res.json()["items"].as_array().unwrap().clone()
}

/// A bloc with `chair` and `members` for 2026, written directly: blocs have their own API.
fn bloc(app: &TestApp, code: &str, chair: i64, members: &[i64]) -> i64 {
    let mut c = app.connection();
    diesel::sql_query(format!(
        "INSERT INTO blocs (code, name, kind, level, active_from, created_at, updated_at) \
         VALUES ('{code}', 'Khối {code}', 'bloc', 'province', 2020, \
         '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    ))
    .execute(&mut c)
    .unwrap();
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        id: i64,
    }
    let id = diesel::sql_query(format!(
        "SELECT CAST(id AS BIGINT) AS id FROM blocs WHERE code = '{code}'"
    ))
    .get_result::<Id>(&mut c)
    .unwrap()
    .id;
    let rows = std::iter::once((chair, "chair")).chain(members.iter().map(|m| (*m, "member")));
    for (unit, role) in rows {
        diesel::sql_query(format!(
            "INSERT INTO bloc_members (bloc_id, year, unit_id, role) VALUES ({id}, 2026, {unit}, '{role}')"
        ))
        .execute(&mut c)
        .unwrap();
    }
    id
}

#[actix_web::test]
async fn a_movement_is_created_read_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let ubnd = unit(&app, &admin, "UBND", "Ủy ban nhân dân tỉnh Điện Biên").await;
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
        .merge_patch(&json!({"status": "open"}))
        .send()
        .await
        .problem(428, "precondition_required");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"9\"")
        .merge_patch(&json!({"status": "open"}))
        .send()
        .await
        .problem(412, "precondition_failed");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"status": "open"}))
        .send()
        .await
        .problem(415, "unsupported_media_type");
    let changed = app
        .request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"status": "open", "slogan": "Tiết kiệm là quốc sách", "launching_unit_id": null}))
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
    assert_eq!(body["status"], "open");
    assert_eq!(body["slogan"], "Tiết kiệm là quốc sách");
    assert!(body["launching_unit_id"].is_null());
    assert_eq!(body["form"], "thematic");

    // A patch that would end before the start is refused, and changes nothing.
    let bad = patch(&app, &admin, &path, json!({"end_date": "2026-01-01"})).await;
    assert_eq!(
        bad.problem(422, "validation_failed")["errors"][0]["field"],
        "end_date"
    );

    let update = audit(&app, &admin, "movement.update").await;
    assert_eq!(update.len(), 1);
    assert_eq!(update[0]["before"]["status"], "planned");
    assert_eq!(update[0]["after"]["status"], "open");
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
    let res = patch(&app, &admin, &path, json!({"name": ""})).await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["field"],
        "name"
    );
    patch(&app, &admin, &path, json!({"id": 5}))
        .await
        .problem(400, "invalid_body");
}

#[actix_web::test]
async fn a_registration_goes_through_its_whole_lifecycle() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit(&app, &admin, "STC", "Sở Tài chính").await;
    let officer = user_token(
        &app,
        &admin,
        "can_bo_sct",
        "unit_officer",
        json!({"unit_id": a}),
    )
    .await;
    let m = movement(&app, &admin, json!({})).await;
    let id = m["id"].as_i64().unwrap();

    // Planned: not yet open for registration.
    register(&app, &officer, id, a)
        .await
        .problem(409, "movement_not_open");
    set_status(&app, &admin, id, "open").await;

    let res = register(&app, &officer, id, a).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let reg = res.json();
    let rid = reg["id"].as_i64().unwrap();
    let path = format!("/api/v1/movements/{id}/registrations/{rid}");
    assert_eq!(res.header("location").unwrap(), path);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(reg["status"], "pending");
    assert_eq!(reg["unit_id"], a);
    assert_eq!(reg["unit_name"], "Sở Công thương");
    assert_eq!(reg["movement_name"], SAVING);
    assert!(reg["decided_at"].is_null());

    // Once per unit; another unit is not the officer's to register.
    register(&app, &officer, id, a)
        .await
        .problem(409, "already_registered");
    register(&app, &admin, id, a)
        .await
        .problem(409, "already_registered");
    register(&app, &officer, id, b)
        .await
        .problem(404, "not_found");
    register(&app, &officer, id, 999)
        .await
        .problem(404, "not_found");
    register(&app, &admin, 999, a)
        .await
        .problem(404, "not_found");
    let unknown = register(&app, &admin, id, 999).await;
    assert_eq!(
        unknown.problem(422, "validation_failed")["errors"][0]["field"],
        "unit_id"
    );
    // A merged-away unit no longer registers; its successor does.
    let old = app
        .post(
            "/api/v1/units",
            &admin,
            &json!({"code": "SKHDT", "name": "Sở Kế hoạch và Đầu tư", "kind": "administrative",
                "valid_from": "2008-01-01", "valid_to": "2025-02-28"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let retired = register(&app, &admin, id, old).await;
    assert_eq!(
        retired.problem(422, "validation_failed")["errors"][0]["code"],
        "retired"
    );
    let blank = app
        .post(
            &format!("/api/v1/movements/{id}/registrations"),
            &officer,
            &json!({"unit_id": a, "pledge": "   "}),
        )
        .await;
    assert_eq!(
        blank.problem(422, "validation_failed")["errors"][0]["field"],
        "pledge"
    );
    let long = app
        .post(
            &format!("/api/v1/movements/{id}/registrations"),
            &admin,
            &json!({"unit_id": b, "pledge": "x".repeat(4001)}),
        )
        .await;
    long.problem(422, "validation_failed");

    // The officer decides nothing, and a rejection needs its reason.
    patch(&app, &officer, &path, json!({"status": "approved"}))
        .await
        .problem(403, "forbidden");
    let no_note = patch(&app, &admin, &path, json!({"status": "rejected"})).await;
    assert_eq!(
        no_note.problem(422, "validation_failed")["errors"][0]["field"],
        "decision_note"
    );
    patch(&app, &admin, &path, json!({"status": "pending"}))
        .await
        .problem(400, "invalid_body");

    let approved = patch(
        &app,
        &admin,
        &path,
        json!({"status": "approved", "decision_note": "Đồng ý"}),
    )
    .await;
    assert_eq!(
        approved.status,
        200,
        "{}",
        String::from_utf8_lossy(&approved.body)
    );
    assert_eq!(approved.header("etag").as_deref(), Some("\"2\""));
    let body = approved.json();
    assert_eq!(body["status"], "approved");
    assert_eq!(body["decision_note"], "Đồng ý");
    assert_eq!(body["decided_by"], 1);
    assert!(body["decided_at"].is_string());

    // Decided once and for all, and the officer can no longer reword it.
    patch(
        &app,
        &admin,
        &path,
        json!({"status": "rejected", "decision_note": "Nhầm"}),
    )
    .await
    .problem(409, "registration_decided");
    patch(&app, &officer, &path, json!({"pledge": "Khác"}))
        .await
        .problem(409, "registration_decided");

    let created = audit(&app, &admin, "registration.create").await;
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["resource_type"], "registration");
    assert_eq!(created[0]["actor_username"], "can_bo_sct");
    let decided = audit(&app, &admin, "registration.decide").await;
    assert_eq!(decided.len(), 1);
    assert_eq!(decided[0]["before"]["status"], "pending");
    assert_eq!(decided[0]["after"]["status"], "approved");

    // The movement has registrations now, so it is closed rather than deleted.
    let m_path = format!("/api/v1/movements/{id}");
    let etag = app.get(&m_path, &admin).await.header("etag").unwrap();
    let refused = app
        .request(Method::DELETE, &m_path)
        .token(&admin)
        .header("if-match", &etag)
        .send()
        .await;
    let problem = refused.problem(409, "movement_in_use");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("1 movement registrations")
    );
}

#[actix_web::test]
async fn an_officer_rewords_a_pending_pledge_and_an_admin_rejects_with_a_note() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit(&app, &admin, "SCT", "Sở Công thương").await;
    let officer = user_token(
        &app,
        &admin,
        "can_bo_sct",
        "unit_officer",
        json!({"unit_id": a}),
    )
    .await;
    let id = movement(&app, &admin, json!({"status": "open"})).await["id"]
        .as_i64()
        .unwrap();
    let rid = register(&app, &officer, id, a).await.json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/movements/{id}/registrations/{rid}");

    let res = patch(
        &app,
        &officer,
        &path,
        json!({"pledge": "Giảm 15% chi phí điện"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["pledge"], "Giảm 15% chi phí điện");
    assert_eq!(audit(&app, &admin, "registration.update").await.len(), 1);
    patch(
        &app,
        &officer,
        &path,
        json!({"pledge": "Giảm", "decision_note": "x"}),
    )
    .await
    .problem(403, "forbidden");
    patch(&app, &officer, &path, json!({"pledge": ""}))
        .await
        .problem(422, "validation_failed");

    // Once the movement is under review, the pledge stays as it is.
    set_status(&app, &admin, id, "reviewing").await;
    patch(&app, &officer, &path, json!({"pledge": "Muộn"}))
        .await
        .problem(409, "movement_not_open");

    let res = patch(
        &app,
        &admin,
        &path,
        json!({"status": "rejected", "decision_note": "Nội dung cam kết chưa có chỉ tiêu cụ thể"}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["status"], "rejected");
    let mine = app.get(&path, &officer).await;
    assert_eq!(
        mine.json()["decision_note"],
        "Nội dung cam kết chưa có chỉ tiêu cụ thể"
    );
}

#[actix_web::test]
async fn registering_for_a_closed_movement_is_a_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit(&app, &admin, "SCT", "Sở Công thương").await;
    for status in ["closed", "reviewing", "planned"] {
        let id = movement(&app, &admin, json!({"status": status})).await["id"]
            .as_i64()
            .unwrap();
        let problem = register(&app, &admin, id, a)
            .await
            .problem(409, "movement_not_open");
        assert!(
            problem["detail"].as_str().unwrap().contains(status),
            "{problem}"
        );
    }
    assert!(audit(&app, &admin, "registration.create").await.is_empty());
}

#[actix_web::test]
async fn registration_lists_follow_each_roles_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit(&app, &admin, "STC", "Sở Tài chính").await;
    let c = unit(&app, &admin, "SYT", "Sở Y tế").await;
    let k = bloc(&app, "K1", a, &[b]);
    let officer = user_token(
        &app,
        &admin,
        "can_bo_sct",
        "unit_officer",
        json!({"unit_id": a}),
    )
    .await;
    let chair = user_token(
        &app,
        &admin,
        "truong_khoi",
        "bloc_chair",
        json!({"bloc_ids": [k]}),
    )
    .await;
    let viewer = user_token(&app, &admin, "xem", "viewer", json!({})).await;
    let viewer_c = user_token(&app, &admin, "xem_syt", "viewer", json!({"unit_id": c})).await;
    let id = movement(&app, &admin, json!({"status": "open"})).await["id"]
        .as_i64()
        .unwrap();
    let mut rids = vec![];
    for u in [a, b, c] {
        rids.push(
            register(&app, &admin, id, u).await.json()["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let list = format!("/api/v1/movements/{id}/registrations");
    let units_of = |res: TestResponse| -> Vec<i64> {
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        res.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["unit_id"].as_i64().unwrap())
            .collect()
    };
    for (token, expected) in [
        (&admin, vec![a, b, c]),
        (&viewer, vec![a, b, c]),
        (&officer, vec![a]),
        (&chair, vec![a, b]),
        (&viewer_c, vec![c]),
    ] {
        assert_eq!(units_of(app.get(&list, token).await), expected);
    }
    // Filters narrow within the scope, never beyond it.
    assert_eq!(
        units_of(app.get(&format!("{list}?unit_id={c}"), &officer).await),
        Vec::<i64>::new()
    );
    assert_eq!(
        units_of(app.get(&format!("{list}?unit_id={b}"), &admin).await),
        vec![b]
    );
    let approve = format!("/api/v1/movements/{id}/registrations/{}", rids[1]);
    patch(&app, &admin, &approve, json!({"status": "approved"})).await;
    assert_eq!(
        units_of(app.get(&format!("{list}?status=approved"), &chair).await),
        vec![b]
    );
    assert_eq!(
        units_of(app.get(&format!("{list}?status=pending"), &admin).await),
        vec![a, c]
    );
    assert_eq!(
        units_of(
            app.get(&format!("{list}?order_by=id%20desc&page_size=2"), &admin)
                .await
        ),
        vec![c, b]
    );
    app.get(&format!("{list}?order_by=pledge"), &admin)
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/movements/999/registrations", &admin)
        .await
        .problem(404, "not_found");

    // One registration: 404 outside the scope, and under the wrong movement.
    let of_c = format!("/api/v1/movements/{id}/registrations/{}", rids[2]);
    assert_eq!(app.get(&of_c, &viewer_c).await.status, 200);
    app.get(&of_c, &officer).await.problem(404, "not_found");
    app.get(&of_c, &chair).await.problem(404, "not_found");
    let other = movement(&app, &admin, json!({})).await["id"]
        .as_i64()
        .unwrap();
    app.get(
        &format!("/api/v1/movements/{other}/registrations/{}", rids[2]),
        &admin,
    )
    .await
    .problem(404, "not_found");
    app.request(Method::PATCH, &of_c)
        .token(&officer)
        .header("if-match", "*")
        .merge_patch(&json!({"pledge": "Của đơn vị khác"}))
        .send()
        .await
        .problem(404, "not_found");

    // A unit's registrations across movements, if the unit is visible.
    let id2 = movement(
        &app,
        &admin,
        json!({"status": "open", "name": "Thi đua chuyển đổi số"}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    register(&app, &officer, id2, a).await;
    let of_a = format!("/api/v1/units/{a}/registrations");
    let res = app.get(&of_a, &officer).await;
    assert_eq!(res.status, 200);
    let names: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["movement_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        vec![SAVING.to_owned(), "Thi đua chuyển đổi số".to_owned()]
    );
    assert_eq!(
        units_of(app.get(&format!("{of_a}?movement_id={id2}"), &chair).await),
        vec![a]
    );
    app.get(&format!("/api/v1/units/{c}/registrations"), &officer)
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/units/{c}/registrations"), &chair)
        .await
        .problem(404, "not_found");
    app.get("/api/v1/units/999/registrations", &admin)
        .await
        .problem(404, "not_found");
    let csv = app.get(&format!("{of_a}?format=csv"), &admin).await;
    assert_eq!(csv.status, 200);
    assert!(String::from_utf8_lossy(&csv.body).contains("Sở Công thương"));
}

#[actix_web::test]
async fn registering_is_idempotent_with_a_key() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit(&app, &admin, "STC", "Sở Tài chính").await;
    let id = movement(&app, &admin, json!({"status": "open"})).await["id"]
        .as_i64()
        .unwrap();
    let send = |unit: i64| {
        app.request(
            Method::POST,
            &format!("/api/v1/movements/{id}/registrations"),
        )
        .token(&admin)
        .header("idempotency-key", "dang-ky-sct-1")
        .json(&json!({"unit_id": unit, "pledge": "Cam kết tiết kiệm"}))
        .send()
    };
    let first = send(a).await;
    assert_eq!(first.status, 201);
    let again = send(a).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.header("location"), first.header("location"));
    send(b).await.problem(422, "idempotency_key_reused");
    assert_eq!(audit(&app, &admin, "registration.create").await.len(), 1);
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
        .request(Method::GET, "/api/v1/movements")
        .token(&admin)
        .header("accept", "text/csv")
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
        .get("/api/v1/movements?format=csv&status=open", &admin)
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
    let viewer = user_token(&app, &admin, "xem", "viewer", json!({})).await;
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

/// Who may do what: admin, province-wide viewer, officer of unit A, chair of a bloc holding
/// unit B, and nobody. Every cell runs on objects of its own.
#[actix_web::test]
async fn each_role_may_do_what_its_brief_allows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit(&app, &admin, "STC", "Sở Tài chính").await;
    let k = bloc(&app, "K1", b, &[]);
    let roles = [
        ("admin", Some(admin.clone())),
        (
            "viewer",
            Some(user_token(&app, &admin, "xem", "viewer", json!({})).await),
        ),
        (
            "officer",
            Some(
                user_token(
                    &app,
                    &admin,
                    "can_bo",
                    "unit_officer",
                    json!({"unit_id": a}),
                )
                .await,
            ),
        ),
        (
            "chair",
            Some(
                user_token(
                    &app,
                    &admin,
                    "truong_khoi",
                    "bloc_chair",
                    json!({"bloc_ids": [k]}),
                )
                .await,
            ),
        ),
        ("nobody", None),
    ];
    // Expected statuses per role, in the order of `roles`.
    let table: [(&str, [u16; 5]); 10] = [
        ("list movements", [200, 200, 200, 200, 401]),
        ("get movement", [200, 200, 200, 200, 401]),
        ("create movement", [201, 403, 403, 403, 401]),
        ("patch movement", [200, 403, 403, 403, 401]),
        ("delete movement", [204, 403, 403, 403, 401]),
        ("register unit A", [201, 403, 201, 403, 401]),
        ("list registrations", [200, 200, 200, 200, 401]),
        ("get registration of B", [200, 200, 404, 200, 401]),
        ("decide registration of A", [200, 403, 403, 403, 401]),
        ("reword pledge of A", [200, 403, 200, 403, 401]),
    ];
    for (op, expected) in table {
        for ((role, token), want) in roles.iter().zip(expected) {
            let m = movement(&app, &admin, json!({"status": "open"})).await;
            let id = m["id"].as_i64().unwrap();
            let reg_a = register(&app, &admin, id, a).await.json()["id"]
                .as_i64()
                .unwrap();
            let reg_b = register(&app, &admin, id, b).await.json()["id"]
                .as_i64()
                .unwrap();
            let fresh = movement(&app, &admin, json!({"status": "open"})).await["id"]
                .as_i64()
                .unwrap();
            let (method, path, body) = match op {
                "list movements" => (Method::GET, "/api/v1/movements".to_owned(), None),
                "get movement" => (Method::GET, format!("/api/v1/movements/{id}"), None),
                "create movement" => (
                    Method::POST,
                    "/api/v1/movements".to_owned(),
                    Some(
                        json!({"name": "Thi đua", "scope": "province", "form": "regular", "start_date": "2026-01-01"}),
                    ),
                ),
                "patch movement" => (
                    Method::PATCH,
                    format!("/api/v1/movements/{id}"),
                    Some(json!({"status": "closed"})),
                ),
                "delete movement" => (Method::DELETE, format!("/api/v1/movements/{fresh}"), None),
                "register unit A" => (
                    Method::POST,
                    format!("/api/v1/movements/{fresh}/registrations"),
                    Some(json!({"unit_id": a, "pledge": "Cam kết"})),
                ),
                "list registrations" => (
                    Method::GET,
                    format!("/api/v1/movements/{id}/registrations"),
                    None,
                ),
                "get registration of B" => (
                    Method::GET,
                    format!("/api/v1/movements/{id}/registrations/{reg_b}"),
                    None,
                ),
                "decide registration of A" => (
                    Method::PATCH,
                    format!("/api/v1/movements/{id}/registrations/{reg_a}"),
                    Some(json!({"status": "approved"})),
                ),
                "reword pledge of A" => (
                    Method::PATCH,
                    format!("/api/v1/movements/{id}/registrations/{reg_a}"),
                    Some(json!({"pledge": "Cam kết mới"})),
                ),
                other => unreachable!("{other}"),
            };
            let mut req = app.request(method.clone(), &path);
            if let Some(t) = token {
                req = req.token(t);
            }
            if matches!(method, Method::PATCH | Method::DELETE) {
                req = req.header("if-match", "*");
            }
            req = match (&method, body) {
                (&Method::PATCH, Some(b)) => req.merge_patch(&b),
                (_, Some(b)) => req.json(&b),
                (_, None) => req,
            };
            let res = req.send().await;
            assert_eq!(
                res.status,
                want,
                "{op} as {role}: {}",
                String::from_utf8_lossy(&res.body)
            );
        }
    }
}
