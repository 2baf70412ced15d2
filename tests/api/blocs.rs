//! `/blocs`: bloc CRUD with ETags, validation, idempotent creation, filters, search, paging and
//! CSV. Yearly members are in `bloc_members`; the blocs of a unit and roles, in `bloc_access`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{bloc_body, bloc_from, codes, put_members, unit_named};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_bloc_is_created_read_changed_and_deleted_with_etags() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/blocs",
            &admin,
            &bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
        )
        .await;
    assert_eq!(res.status, 201);
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("/api/v1/blocs/{id}")));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    let created = res.json();
    assert_eq!(created["kind"], "bloc");
    assert_eq!(created["level"], "province");
    assert_eq!(created["founding_decision_number"], "1234/QĐ-UBND");
    assert_eq!(created["founding_decision_date"], "2018-12-20");
    assert_eq!(created["active_from"], 2019);
    assert_eq!(created["active_to"], Value::Null);

    let path = format!("/api/v1/blocs/{id}");
    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json(), created);

    app.post("/api/v1/blocs", &admin, &bloc_body("K-HTKTKT", "Khối khác"))
        .await
        .problem(409, "code_taken");

    let patch = |tag: Option<&str>, body: Value| {
        let mut r = app.request(Method::PATCH, &path).token(&admin);
        if let Some(t) = tag {
            r = r.header("if-match", t);
        }
        r.merge_patch(&body).send()
    };
    patch(None, json!({"name": "x"}))
        .await
        .problem(428, "precondition_required");
    patch(Some("\"7\""), json!({"name": "x"}))
        .await
        .problem(412, "precondition_failed");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .body("text/plain", json!({"name": "x"}).to_string().into_bytes())
        .send()
        .await
        .problem(415, "unsupported_media_type");
    patch(Some("\"1\""), json!({"active_to": 2010}))
        .await
        .problem(422, "validation_failed");
    patch(Some("\"1\""), json!({"nickname": "x"}))
        .await
        .problem(400, "invalid_body");
    let res = patch(
        Some("\"1\""),
        json!({"active_to": 2025, "description": "Các sở hạ tầng", "founding_decision_date": null}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let changed = res.json();
    assert_eq!(changed["active_to"], 2025);
    assert_eq!(changed["description"], "Các sở hạ tầng");
    assert_eq!(changed["founding_decision_date"], Value::Null);
    assert_eq!(changed["founding_decision_number"], "1234/QĐ-UBND");

    // Members pin the active years, and the bloc itself.
    let u = unit_named(&app, &admin, "STNMT", "Sở Tài nguyên và Môi trường").await;
    let res = put_members(
        &app,
        &admin,
        id,
        2024,
        "*",
        json!([{"unit_id": u, "role": "chair"}]),
    )
    .await;
    assert_eq!(res.status, 200);
    let tag = res.header("etag").unwrap();
    let problem = patch(Some("\"2\""), json!({"active_to": 2023}))
        .await
        .problem(409, "members_outside_active_years");
    assert!(
        problem["detail"].as_str().unwrap().contains("2024"),
        "{problem}"
    );
    let delete = |tag: &'static str| {
        app.request(Method::DELETE, &path)
            .token(&admin)
            .header("if-match", tag)
            .send()
    };
    let problem = delete("\"2\"").await.problem(409, "bloc_in_use");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("1 yearly memberships"),
        "{problem}"
    );
    put_members(&app, &admin, id, 2024, &tag, json!([])).await;
    let user = app
        .create_user(
            &admin,
            "truongkhoi",
            "bloc_chair",
            json!({"bloc_ids": [id]}),
        )
        .await;
    let problem = delete("\"2\"").await.problem(409, "bloc_in_use");
    assert!(
        problem["detail"].as_str().unwrap().contains("users"),
        "{problem}"
    );
    let user_id = user["id"].as_i64().unwrap();
    let res = app
        .request(Method::PATCH, &format!("/api/v1/users/{user_id}"))
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"role": "viewer", "bloc_ids": []}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));

    app.request(Method::DELETE, &path)
        .token(&admin)
        .send()
        .await
        .problem(428, "precondition_required");
    delete("\"1\"").await.problem(412, "precondition_failed");
    assert_eq!(delete("\"2\"").await.status, 204);
    app.get(&path, &admin).await.problem(404, "not_found");
    assert_eq!(
        app.get("/api/v1/blocs?q=ha%20tang", &admin).await.json()["items"],
        json!([])
    );

    let res = app
        .get(
            &format!("/api/v1/audit-events?resource_type=bloc&resource_id={id}"),
            &admin,
        )
        .await;
    let actions: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "bloc.create",
            "bloc.update",
            "bloc.members_replace",
            "bloc.members_replace",
            "bloc.delete"
        ]
    );
}

#[actix_web::test]
async fn bad_blocs_are_refused_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let base = bloc_body("K-1", "Khối 1");
    let cases = [
        ("code", json!("")),
        ("code", json!("K 1")),
        ("name", json!("")),
        ("active_from", json!(1900)),
        ("active_to", json!(2018)),
        ("founding_decision_number", json!("x".repeat(51))),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value;
        let problem = app
            .post("/api/v1/blocs", &admin, &body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let mut body = base.clone();
    body["kind"] = json!("team");
    app.post("/api/v1/blocs", &admin, &body)
        .await
        .problem(400, "invalid_body");
    let mut body = base.clone();
    body["extra"] = json!(1);
    app.post("/api/v1/blocs", &admin, &body)
        .await
        .problem(400, "invalid_body");
    app.get("/api/v1/blocs/9999", &admin)
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn a_bloc_patch_checks_fields_like_creation_and_refuses_null_on_required_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = bloc_from(&app, &admin, bloc_body("K-1", "Khối 1")).await;
    let path = format!("/api/v1/blocs/{id}");
    let patch = |body: &Value| {
        app.request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", "\"1\"")
            .merge_patch(body)
            .send()
    };
    for field in ["name", "code", "kind", "level", "active_from"] {
        let problem = patch(&json!({ field: null }))
            .await
            .problem(400, "invalid_body");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    for (body, field, code) in [
        (json!({"name": ""}), "name", "length"),
        (json!({"code": "K 1"}), "code", "pattern"),
        (json!({"active_from": 1900}), "active_from", "range"),
        (json!({"active_to": 2101}), "active_to", "range"),
        (
            json!({"description": "x".repeat(2001)}),
            "description",
            "length",
        ),
    ] {
        let problem = patch(&body).await.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    let got = app.get(&path, &admin).await;
    assert_eq!(
        got.header("etag").as_deref(),
        Some("\"1\""),
        "nothing changed"
    );
    assert_eq!(got.json()["name"], "Khối 1");
}

#[actix_web::test]
async fn creating_a_bloc_with_an_idempotency_key_happens_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = |body: Value| {
        app.request(Method::POST, "/api/v1/blocs")
            .token(&admin)
            .header("idempotency-key", "tao-khoi-1")
            .json(&body)
            .send()
    };
    let first = send(bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật")).await;
    assert_eq!(first.status, 201);
    let again = send(bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.header("location"), first.header("location"));
    send(bloc_body("K-KHAC", "Khối khác"))
        .await
        .problem(422, "idempotency_key_reused");
    assert_eq!(
        app.get("/api/v1/blocs", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn bloc_lists_filter_search_and_page() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for body in [
        bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
        bloc_body("K-VHXH", "Khối Văn hóa – Xã hội"),
        json!({"code": "C-DBP", "name": "Cụm thi đua thành phố Điện Biên Phủ", "kind": "cluster", "level": "province", "active_from": 2019}),
        json!({"code": "C-MN", "name": "Cụm thi đua các xã vùng cao Mường Nhé", "kind": "cluster", "level": "district", "active_from": 2010, "active_to": 2018}),
    ] {
        bloc_from(&app, &admin, body).await;
    }
    let list = |q: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/blocs?{q}"), &admin).await;
            assert_eq!(
                res.status,
                200,
                "{q}: {}",
                String::from_utf8_lossy(&res.body)
            );
            codes(&res.json(), "items")
        }
    };
    assert_eq!(list("kind=cluster").await, ["C-DBP", "C-MN"]);
    assert_eq!(list("level=district").await, ["C-MN"]);
    assert_eq!(list("active_in=2015").await, ["C-MN"]);
    assert_eq!(list("active_in=2019&kind=cluster").await, ["C-DBP"]);
    assert_eq!(list("q=dien%20bien").await, ["C-DBP"]);
    assert_eq!(
        list("q=%C4%90I%E1%BB%86N%20bi%C3%AAn%20PH").await,
        ["C-DBP"]
    );
    assert_eq!(list("q=ha%20tang").await, ["K-HTKTKT"]);
    assert_eq!(list("q=k-vhxh").await, ["K-VHXH"]);
    assert_eq!(list("q=van%20hoa%20tang").await, Vec::<String>::new());
    assert_eq!(
        list("order_by=code").await,
        ["C-DBP", "C-MN", "K-HTKTKT", "K-VHXH"]
    );
    assert_eq!(
        list("order_by=code%20desc").await,
        ["K-VHXH", "K-HTKTKT", "C-MN", "C-DBP"]
    );

    let first = app
        .get("/api/v1/blocs?order_by=name&page_size=3", &admin)
        .await
        .json();
    assert_eq!(codes(&first, "items").len(), 3);
    let token = first["next_page_token"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/blocs?order_by=name&page_size=3&page_token={token}"),
            &admin,
        )
        .await
        .json();
    assert_eq!(codes(&second, "items").len(), 1);
    assert!(second.get("next_page_token").is_none());
    app.get(
        &format!("/api/v1/blocs?order_by=code&page_size=3&page_token={token}"),
        &admin,
    )
    .await
    .problem(400, "invalid_page_token");

    for bad in [
        "order_by=active_from",
        "kind=team",
        "active_in=1800",
        "colour=red",
        "page_size=0",
    ] {
        let res = app.get(&format!("/api/v1/blocs?{bad}"), &admin).await;
        assert_eq!(
            res.status,
            400,
            "{bad}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
}

#[actix_web::test]
async fn blocs_export_as_csv_with_formulas_defused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    bloc_from(
        &app,
        &admin,
        bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
    )
    .await;
    bloc_from(&app, &admin, bloc_body("K-X", "=HYPERLINK(\"x\")")).await;
    {
        let req = app
            .request(Method::GET, "/api/v1/blocs/export")
            .token(&admin);
        let res = req.send().await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(res.body.starts_with(b"\xEF\xBB\xBFid,code,name,kind,level,founding_decision_number,founding_decision_date,description,active_from,active_to\r\n"));
        let text = String::from_utf8(res.body.to_vec()).unwrap();
        assert!(
            text.contains(
                "Khối Hạ tầng – Kinh tế – Kỹ thuật,bloc,province,1234/QĐ-UBND,2018-12-20,,2019,"
            ),
            "{text}"
        );
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert_eq!(text.lines().count(), 3, "every row, not one page");
    }
}
