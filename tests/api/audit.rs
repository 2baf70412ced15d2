//! `/api/v1/audit-events`: every write leaves a row, in the write's transaction; the rows can be
//! filtered and paged, only by admins, and never changed.

use std::collections::HashSet;

use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use thidua::db::AnyConnection;

use crate::fixtures::{bloc, unit};
use crate::helpers::{PASSWORD, TestApp};

fn items(page: &Value) -> &Vec<Value> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
}

async fn events(app: &TestApp, admin: &str, query: &str) -> Value {
    let res = app
        .get(&format!("/api/v1/audit-events?{query}"), admin)
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

fn actions(page: &Value) -> Vec<&str> {
    items(page)
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

fn audit_rows(c: &mut AnyConnection) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM audit_events")
        .get_result::<Count>(c)
        .unwrap()
        .n
}

#[actix_web::test]
async fn creating_and_changing_a_user_is_audited_with_the_request_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .request(Method::POST, "/api/v1/users")
        .token(&admin)
        .header("x-request-id", "audit-create-1")
        .json(
            &json!({"username": "hoa", "password": PASSWORD, "role": "viewer", "full_name": "Hoa"}),
        )
        .send()
        .await;
    assert_eq!(res.status, 201);
    let id = res.json()["id"].as_i64().unwrap();
    let unit = unit(&app, &admin, "SGD").await;
    let res = app
        .request(Method::PATCH, &format!("/api/v1/users/{id}"))
        .token(&admin)
        .header("x-request-id", "audit-patch-1")
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"full_name": "Đỗ Thị Hoa", "unit_id": unit}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));

    let res = app
        .get(
            &format!("/api/v1/audit-events?resource_type=user&resource_id={id}"),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(
        !String::from_utf8_lossy(&res.body).contains("password"),
        "no password or hash in the trail"
    );
    let page = res.json();
    assert_eq!(actions(&page), ["user.create", "user.update"]);
    let (create, update) = (&items(&page)[0], &items(&page)[1]);

    for (event, request_id) in [(create, "audit-create-1"), (update, "audit-patch-1")] {
        assert_eq!(event["actor_id"], 1);
        assert_eq!(event["actor_username"], "admin");
        assert_eq!(event["actor_role"], "admin");
        assert_eq!(event["request_id"], request_id);
        assert_eq!(event["client_ip"], "127.0.0.1");
        assert_eq!(event["outcome"], "success");
        assert_eq!(event["resource_type"], "user");
        assert_eq!(event["resource_id"], id.to_string());
        assert!(event["id"].is_i64());
        assert!(event["occurred_at"].is_string());
    }
    assert!(update["id"].as_i64() > create["id"].as_i64());

    assert_eq!(create["before"], Value::Null);
    assert_eq!(create["after"]["id"], id);
    assert_eq!(create["after"]["username"], "hoa");
    assert_eq!(create["after"]["full_name"], "Hoa");

    assert_eq!(update["before"]["full_name"], "Hoa");
    assert_eq!(update["before"]["unit_id"], Value::Null);
    assert_eq!(update["after"]["full_name"], "Đỗ Thị Hoa");
    assert_eq!(update["after"]["unit_id"], unit);
    assert_eq!(update["after"]["role"], "viewer");

    // The request id finds the same row.
    let by_request = events(&app, &admin, "request_id=audit-patch-1").await;
    assert_eq!(items(&by_request).len(), 1);
    assert_eq!(items(&by_request)[0]["id"], update["id"]);
}

#[actix_web::test]
async fn a_refused_change_leaves_no_audit_row() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "lam", "viewer", json!({})).await;
    let id = user["id"].as_i64().unwrap();
    let path = format!("/api/v1/users/{id}");
    let query = format!("resource_type=user&resource_id={id}");
    let before = items(&events(&app, &admin, &query).await).len();
    assert_eq!(before, 1);
    let total = audit_rows(&mut app.connection());

    let patch = |if_match: &str, body: Value| {
        app.request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", if_match)
            .merge_patch(&body)
            .send()
    };
    patch("\"9\"", json!({"full_name": "Lâm"}))
        .await
        .problem(412, "precondition_failed");
    patch("\"1\"", json!({"role": "bloc_chair"}))
        .await
        .problem(422, "validation_failed");
    let me = app.get("/api/v1/auth/me", &admin).await.json();
    app.request(Method::PATCH, &format!("/api/v1/users/{}", me["id"]))
        .token(&admin)
        .header("if-match", "*")
        .merge_patch(&json!({"disabled": true}))
        .send()
        .await
        .problem(409, "self_lockout");
    app.request(Method::PUT, &format!("{path}/password"))
        .token(&admin)
        .header("if-match", "\"9\"")
        .json(&json!({"password": PASSWORD}))
        .send()
        .await
        .problem(412, "precondition_failed");
    app.post(
        "/api/v1/users",
        &admin,
        &json!({"username": "lam", "password": PASSWORD, "role": "viewer"}),
    )
    .await
    .problem(409, "username_taken");

    assert_eq!(items(&events(&app, &admin, &query).await).len(), before);
    assert_eq!(audit_rows(&mut app.connection()), total);
    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json()["full_name"], Value::Null);
    assert_eq!(res.json()["role"], "viewer");
}

#[actix_web::test]
async fn password_resets_and_logins_are_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let user = app.create_user(&admin, "son", "viewer", json!({})).await;
    let id = user["id"].as_i64().unwrap();
    let res = app
        .request(Method::PUT, &format!("/api/v1/users/{id}/password"))
        .token(&admin)
        .header("if-match", "*")
        .header("x-request-id", "reset-1")
        .json(&json!({"password": "another-long-password"}))
        .send()
        .await;
    assert_eq!(res.status, 204);
    let page = events(&app, &admin, "action=user.password_reset").await;
    assert_eq!(items(&page).len(), 1);
    let event = &items(&page)[0];
    assert_eq!(event["resource_id"], id.to_string());
    assert_eq!(event["request_id"], "reset-1");
    assert_eq!(event["actor_username"], "admin");
    assert_eq!(event["before"], Value::Null);
    assert_eq!(event["after"], Value::Null);

    app.login("son", "wrong-password-here")
        .await
        .problem(401, "invalid_credentials");
    let failures = events(&app, &admin, "outcome=failure").await;
    assert_eq!(actions(&failures), ["auth.login"]);
    let failure = &items(&failures)[0];
    assert_eq!(failure["actor_username"], "son");
    assert_eq!(failure["actor_id"], Value::Null);
    assert_eq!(failure["resource_type"], "session");

    let successes = events(&app, &admin, "outcome=success&action=auth.login").await;
    assert_eq!(items(&successes).len(), 1, "the admin's login");
    assert_eq!(items(&successes)[0]["actor_username"], "admin");
}

#[actix_web::test]
async fn the_trail_filters_by_action_actor_outcome_and_time() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for name in ["usr1", "usr2", "usr3"] {
        app.create_user(&admin, name, "viewer", json!({})).await;
    }
    app.create_user(&admin, "admin2", "admin", json!({})).await;
    let other = app.token("admin2", PASSWORD).await;
    let admin2_id = app.get("/api/v1/auth/me", &other).await.json()["id"].clone();
    app.create_user(&other, "usr4", "viewer", json!({})).await;

    let all = events(&app, &admin, "").await;
    let all_ids: Vec<i64> = items(&all)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let mut sorted = all_ids.clone();
    sorted.sort_unstable();
    assert_eq!(all_ids, sorted, "oldest first by default");
    assert_eq!(items(&all)[0]["action"], "user.bootstrap");
    assert_eq!(items(&all)[0]["actor_username"], "system");

    let creates = events(&app, &admin, "action=user.create").await;
    assert_eq!(items(&creates).len(), 5);
    let by_admin2 = events(&app, &admin, &format!("actor_id={admin2_id}")).await;
    assert_eq!(actions(&by_admin2), ["auth.login", "user.create"]);
    assert_eq!(items(&by_admin2)[1]["after"]["username"], "usr4");
    let none = events(&app, &admin, "action=user.delete").await;
    assert!(items(&none).is_empty());
    assert!(none.get("next_page_token").is_none());
    assert!(items(&events(&app, &admin, "outcome=failure").await).is_empty());
    app.get("/api/v1/audit-events?outcome=maybe", &admin)
        .await
        .problem(400, "invalid_query");
    app.get(
        &format!("/api/v1/audit-events?action={}", "x".repeat(65)),
        &admin,
    )
    .await
    .problem(400, "invalid_query");

    // `from` is inclusive, `to` exclusive.
    let creates = items(&creates);
    let pivot = &creates[2];
    let at = pivot["occurred_at"].as_str().unwrap();
    let from = events(&app, &admin, &format!("action=user.create&from={at}")).await;
    let from_names: Vec<&str> = items(&from)
        .iter()
        .map(|e| e["after"]["username"].as_str().unwrap())
        .collect();
    assert!(from_names.starts_with(&["usr3"]), "{from_names:?}");
    assert!(!from_names.contains(&"usr1"), "{from_names:?}");
    let to = events(&app, &admin, &format!("action=user.create&to={at}")).await;
    let to_names: Vec<&str> = items(&to)
        .iter()
        .map(|e| e["after"]["username"].as_str().unwrap())
        .collect();
    assert!(!to_names.contains(&"usr3"), "{to_names:?}");
    assert!(to_names.contains(&"usr1"), "{to_names:?}");
    assert_eq!(from_names.len() + to_names.len(), 5);

    let future = events(&app, &admin, "from=2999-01-01T00:00:00Z").await;
    assert!(items(&future).is_empty());
    let past = events(&app, &admin, "to=2000-01-01T00:00:00Z").await;
    assert!(items(&past).is_empty());
    let window = events(
        &app,
        &admin,
        "from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(items(&window).len(), all_ids.len());
    // Offsets other than Z are understood too (the `+` must be escaped in a query).
    let offset = events(&app, &admin, "from=2000-01-01T07:00:00%2B07:00").await;
    assert_eq!(items(&offset).len(), all_ids.len());
}

#[actix_web::test]
async fn the_trail_pages_in_both_orders() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for i in 0..5 {
        app.create_user(&admin, &format!("page{i}"), "viewer", json!({}))
            .await;
    }
    let all = events(&app, &admin, "page_size=100").await;
    let expected: Vec<i64> = items(&all)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert!(expected.len() >= 7, "{expected:?}");

    for (order, reverse) in [
        ("", false),
        ("&order_by=id%20desc", true),
        ("&order_by=occurred_at", false),
        ("&order_by=occurred_at%20desc", true),
    ] {
        let mut seen = vec![];
        let mut token: Option<String> = None;
        loop {
            let mut query = format!("page_size=2{order}");
            if let Some(t) = &token {
                query.push_str(&format!("&page_token={t}"));
            }
            let page = events(&app, &admin, &query).await;
            assert!(items(&page).len() <= 2);
            seen.extend(items(&page).iter().map(|e| e["id"].as_i64().unwrap()));
            match page.get("next_page_token") {
                Some(t) => token = Some(t.as_str().unwrap().to_owned()),
                None => break,
            }
            assert!(seen.len() <= expected.len(), "{order}: {seen:?}");
        }
        let mut want = expected.clone();
        if reverse {
            want.reverse();
        }
        assert_eq!(seen, want, "{order}");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), seen.len());
    }

    let first = events(&app, &admin, "page_size=2&action=user.create").await;
    let token = first["next_page_token"].as_str().unwrap();
    app.get(
        &format!("/api/v1/audit-events?page_size=2&action=auth.login&page_token={token}"),
        &admin,
    )
    .await
    .problem(400, "invalid_page_token");
    for bad in ["page_size=0", "page_size=101", "order_by=action"] {
        app.get(&format!("/api/v1/audit-events?{bad}"), &admin)
            .await
            .problem(400, "invalid_query");
    }
}

#[actix_web::test]
async fn only_admins_read_the_trail() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (name, role, extra) in [
        ("v", "viewer", json!({})),
        (
            "o",
            "unit_officer",
            json!({"unit_id": unit(&app, &admin, "U5").await}),
        ),
        (
            "c",
            "bloc_chair",
            json!({"bloc_ids": [bloc(&app, &admin, "K3").await]}),
        ),
    ] {
        app.create_user(&admin, &format!("{name}user"), role, extra)
            .await;
        let token = app.token(&format!("{name}user"), PASSWORD).await;
        app.get("/api/v1/audit-events", &token)
            .await
            .problem(403, "forbidden");
        app.get("/api/v1/audit-events?action=user.create", &token)
            .await
            .problem(403, "forbidden");
    }
    app.request(Method::GET, "/api/v1/audit-events")
        .send()
        .await
        .problem(401, "unauthorized");
}

#[actix_web::test]
async fn the_trail_is_append_only_in_the_database() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "extra1", "viewer", json!({})).await;
    let mut c = app.connection();
    let before = audit_rows(&mut c);
    assert!(before >= 3, "{before}");

    let update = diesel::sql_query("UPDATE audit_events SET action = 'x'").execute(&mut c);
    assert!(update.is_err(), "UPDATE succeeded: {update:?}");
    let one = diesel::sql_query("UPDATE audit_events SET outcome = 'failure' WHERE id = 1")
        .execute(&mut c);
    assert!(one.is_err(), "UPDATE of one row succeeded: {one:?}");
    let delete = diesel::sql_query("DELETE FROM audit_events").execute(&mut c);
    assert!(delete.is_err(), "DELETE succeeded: {delete:?}");
    let delete_one = diesel::sql_query("DELETE FROM audit_events WHERE id = 1").execute(&mut c);
    assert!(
        delete_one.is_err(),
        "DELETE of one row succeeded: {delete_one:?}"
    );
    if let AnyConnection::Postgresql(_) = &c {
        let truncate = diesel::sql_query("TRUNCATE audit_events").execute(&mut c);
        assert!(truncate.is_err(), "TRUNCATE succeeded: {truncate:?}");
    }

    assert_eq!(audit_rows(&mut c), before);
    let page = events(&app, &admin, "page_size=100").await;
    assert!(actions(&page).iter().all(|a| *a != "x"));
    assert!(items(&page).iter().all(|e| e["outcome"] == "success"));
    // Appending still works.
    app.create_user(&admin, "extra2", "viewer", json!({})).await;
    assert_eq!(audit_rows(&mut c), before + 1);
}

#[actix_web::test]
async fn an_audit_row_cannot_be_replaced_by_an_upsert() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "vinh", "viewer", json!({})).await;
    let mut c = app.connection();
    let before = audit_rows(&mut c);
    let first = events(&app, &admin, "order_by=id").await;
    let id = items(&first)[0]["id"].as_i64().unwrap();
    let forged = "'2026-01-01 00:00:00', 'user.create', 'success', 'user'";
    let attempts = match c {
        AnyConnection::Sqlite(_) => vec![
            format!(
                "INSERT OR REPLACE INTO audit_events (id, occurred_at, action, outcome, resource_type) VALUES ({id}, {forged})"
            ),
            format!(
                "REPLACE INTO audit_events (id, occurred_at, action, outcome, resource_type) VALUES ({id}, {forged})"
            ),
            format!(
                "INSERT INTO audit_events (id, occurred_at, action, outcome, resource_type) VALUES ({id}, {forged}) ON CONFLICT (id) DO UPDATE SET action = 'forged'"
            ),
        ],
        AnyConnection::Postgresql(_) => vec![format!(
            "INSERT INTO audit_events (id, occurred_at, action, outcome, resource_type) VALUES ({id}, {forged}) ON CONFLICT (id) DO UPDATE SET action = 'forged'"
        )],
    };
    for sql in attempts {
        let res = diesel::sql_query(&sql).execute(&mut c);
        assert!(res.is_err(), "{sql} was accepted");
    }
    assert_eq!(audit_rows(&mut c), before);
    let after = events(&app, &admin, "order_by=id").await;
    assert_eq!(items(&after)[0], items(&first)[0]);
    // Appending still works.
    let sql = format!(
        "INSERT INTO audit_events (occurred_at, action, outcome, resource_type) VALUES ({forged})"
    );
    diesel::sql_query(&sql).execute(&mut c).unwrap();
    assert_eq!(audit_rows(&mut c), before + 1);
}

#[actix_web::test]
async fn an_unreadable_audit_row_does_not_take_the_list_down() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.create_user(&admin, "xuan", "viewer", json!({})).await;
    let mut c = app.connection();
    // A time each database stores but the server cannot read: text on SQLite, `infinity`
    // (beyond any calendar date) on PostgreSQL.
    let bad = match c {
        AnyConnection::Sqlite(_) => "'not a time'",
        AnyConnection::Postgresql(_) => "'infinity'",
    };
    diesel::sql_query(format!("INSERT INTO audit_events (occurred_at, action, outcome, resource_type) VALUES ({bad}, 'bad.row', 'success', 'unit')"))
        .execute(&mut c)
        .unwrap();
    app.create_user(&admin, "yen", "viewer", json!({})).await;

    for order in ["id", "id%20desc", "occurred_at", "occurred_at%20desc"] {
        let page = events(&app, &admin, &format!("order_by={order}")).await;
        let seen = actions(&page);
        assert!(!seen.contains(&"bad.row"), "{order}: {seen:?}");
        assert_eq!(
            seen.iter().filter(|a| **a == "user.create").count(),
            2,
            "{order}: {seen:?}"
        );
    }
    // Page by page, the walk goes past the bad row to the end.
    let mut token = String::new();
    let mut seen = Vec::new();
    loop {
        let page = events(&app, &admin, &format!("order_by=id&page_size=1{token}")).await;
        seen.extend(actions(&page).iter().map(|a| a.to_string()));
        match page["next_page_token"].as_str() {
            Some(t) => token = format!("&page_token={t}"),
            None => break,
        }
    }
    assert_eq!(seen.iter().filter(|a| *a == "user.create").count(), 2);
    assert!(!seen.iter().any(|a| a == "bad.row"));
    // The CSV export goes through it too.
    let res = app.get("/api/v1/audit-events/export", &admin).await;
    assert_eq!(res.status, 200);
}
