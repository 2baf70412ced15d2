//! The audit trail in the database: append-only (no update, delete, truncate or upsert), and
//! a row the server cannot read does not take the list down.

use diesel::RunQueryDsl;
use serde_json::json;
use thidua::db::AnyConnection;

use crate::fixtures::{actions, audit_page, audit_rows, items};
use crate::helpers::TestApp;

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
    let page = audit_page(&app, &admin, "page_size=100").await;
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
    let first = audit_page(&app, &admin, "order_by=id").await;
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
    let after = audit_page(&app, &admin, "order_by=id").await;
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
        let page = audit_page(&app, &admin, &format!("order_by={order}")).await;
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
        let page = audit_page(&app, &admin, &format!("order_by=id&page_size=1{token}")).await;
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
