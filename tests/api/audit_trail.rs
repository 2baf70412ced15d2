//! Reading the audit trail: filters by action, actor, outcome and time, and pages in both orders
//! without repeats or gaps.

use std::collections::HashSet;

use serde_json::json;

use crate::fixtures::{actions, audit_page, items};
use crate::helpers::{PASSWORD, TestApp};

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

    let all = audit_page(&app, &admin, "").await;
    let all_ids: Vec<i64> = items(&all)
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    let mut sorted = all_ids.clone();
    sorted.sort_unstable();
    assert_eq!(all_ids, sorted, "oldest first by default");
    assert_eq!(items(&all)[0]["action"], "user.bootstrap");
    assert_eq!(items(&all)[0]["actor_username"], "system");

    let creates = audit_page(&app, &admin, "action=user.create").await;
    assert_eq!(items(&creates).len(), 5);
    let by_admin2 = audit_page(&app, &admin, &format!("actor_id={admin2_id}")).await;
    assert_eq!(actions(&by_admin2), ["auth.login", "user.create"]);
    assert_eq!(items(&by_admin2)[1]["after"]["username"], "usr4");
    let none = audit_page(&app, &admin, "action=user.delete").await;
    assert!(items(&none).is_empty());
    assert!(none.get("next_page_token").is_none());
    assert!(items(&audit_page(&app, &admin, "outcome=failure").await).is_empty());
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
    let from = audit_page(&app, &admin, &format!("action=user.create&from={at}")).await;
    let from_names: Vec<&str> = items(&from)
        .iter()
        .map(|e| e["after"]["username"].as_str().unwrap())
        .collect();
    assert!(from_names.starts_with(&["usr3"]), "{from_names:?}");
    assert!(!from_names.contains(&"usr1"), "{from_names:?}");
    let to = audit_page(&app, &admin, &format!("action=user.create&to={at}")).await;
    let to_names: Vec<&str> = items(&to)
        .iter()
        .map(|e| e["after"]["username"].as_str().unwrap())
        .collect();
    assert!(!to_names.contains(&"usr3"), "{to_names:?}");
    assert!(to_names.contains(&"usr1"), "{to_names:?}");
    assert_eq!(from_names.len() + to_names.len(), 5);

    let future = audit_page(&app, &admin, "from=2999-01-01T00:00:00Z").await;
    assert!(items(&future).is_empty());
    let past = audit_page(&app, &admin, "to=2000-01-01T00:00:00Z").await;
    assert!(items(&past).is_empty());
    let window = audit_page(
        &app,
        &admin,
        "from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z",
    )
    .await;
    assert_eq!(items(&window).len(), all_ids.len());
    // Offsets other than Z are understood too (the `+` must be escaped in a query).
    let offset = audit_page(&app, &admin, "from=2000-01-01T07:00:00%2B07:00").await;
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
    let all = audit_page(&app, &admin, "page_size=100").await;
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
            let page = audit_page(&app, &admin, &query).await;
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

    let first = audit_page(&app, &admin, "page_size=2&action=user.create").await;
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
