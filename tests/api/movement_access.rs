//! Who sees and does what with movements and registrations: registration lists follow each
//! role's scope, and the role × operation matrix.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{
    SAVING, bloc, chair, members, movement, officer, register, unit_named, user, viewer,
};
use crate::helpers::{TestApp, TestResponse};

#[actix_web::test]
async fn registration_lists_follow_each_roles_scope() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit_named(&app, &admin, "STC", "Sở Tài chính").await;
    let c = unit_named(&app, &admin, "SYT", "Sở Y tế").await;
    let k = bloc(&app, &admin, "K1").await;
    members(&app, &admin, k, 2026, &[a, b]).await;
    let officer = officer(&app, &admin, "can_bo_sct", a).await.token;
    let chair = chair(&app, &admin, "truong_khoi", &[k]).await.token;
    let viewer = viewer(&app, &admin, "xem").await.token;
    let viewer_c = user(&app, &admin, "xem_syt", "viewer", json!({"unit_id": c}))
        .await
        .token;
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
    let res = app
        .post(
            &format!("{approve}/transitions"),
            &admin,
            &json!({"action": "approve"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
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
    let csv = app.get(&format!("{of_a}/export"), &admin).await;
    assert_eq!(csv.status, 200);
    assert!(String::from_utf8_lossy(&csv.body).contains("Sở Công thương"));
}

/// Who may do what: admin, province-wide viewer, officer of unit A, chair of a bloc holding
/// unit B, and nobody. Every cell runs on objects of its own.
#[actix_web::test]
async fn each_role_may_do_what_its_brief_allows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let b = unit_named(&app, &admin, "STC", "Sở Tài chính").await;
    let k = bloc(&app, &admin, "K1").await;
    members(&app, &admin, k, 2026, &[b]).await;
    let roles = [
        ("admin", Some(admin.clone())),
        ("viewer", Some(viewer(&app, &admin, "xem").await.token)),
        (
            "officer",
            Some(officer(&app, &admin, "can_bo", a).await.token),
        ),
        (
            "chair",
            Some(chair(&app, &admin, "truong_khoi", &[k]).await.token),
        ),
        ("nobody", None),
    ];
    // Expected statuses per role, in the order of `roles`.
    let table: [(&str, [u16; 5]); 11] = [
        ("list movements", [200, 200, 200, 200, 401]),
        ("get movement", [200, 200, 200, 200, 401]),
        ("create movement", [201, 403, 403, 403, 401]),
        ("patch movement", [200, 403, 403, 403, 401]),
        ("close movement", [200, 403, 403, 403, 401]),
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
                    Some(json!({"slogan": "Tiết kiệm là quốc sách"})),
                ),
                "close movement" => (
                    Method::POST,
                    format!("/api/v1/movements/{id}/transitions"),
                    Some(json!({"action": "close"})),
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
                    Method::POST,
                    format!("/api/v1/movements/{id}/registrations/{reg_a}/transitions"),
                    Some(json!({"action": "approve"})),
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
