//! Pagination, shown on the user list: pages neither repeat nor skip, in every order and under
//! filters, and bad page parameters are 400.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Creates users `page00`, `page01`, … (viewers, or unit officers every third).
async fn seed_users(app: &TestApp, admin: &str, n: usize) -> Vec<i64> {
    let unit = crate::fixtures::unit(app, admin, "SEED").await;
    let mut ids = vec![];
    for i in 0..n {
        let (role, extra) = if i % 3 == 2 {
            ("unit_officer", json!({"unit_id": unit}))
        } else {
            ("viewer", json!({}))
        };
        let user = app
            .create_user(admin, &format!("page{i:02}"), role, extra)
            .await;
        ids.push(user["id"].as_i64().unwrap());
    }
    ids
}

/// Walks every page of `query`, returning the items in order and the number of pages.
async fn walk(app: &TestApp, admin: &str, query: &str) -> (Vec<Value>, usize) {
    let mut items = vec![];
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut path = format!("/api/v1/users?{query}");
        if let Some(t) = &token {
            path.push_str(&format!("&page_token={t}"));
        }
        let res = app.get(&path, admin).await;
        assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
        let page = res.json();
        pages += 1;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        match page.get("next_page_token") {
            Some(t) => token = Some(t.as_str().unwrap().to_owned()),
            None => return (items, pages),
        }
        assert!(pages < 50, "the walk does not end");
    }
}

#[actix_web::test]
async fn user_lists_page_without_repeating_or_skipping() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut expected = seed_users(&app, &admin, 7).await;
    expected.insert(0, 1); // the admin

    let res = app.get("/api/v1/users?page_size=3", &admin).await;
    let first = res.json();
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    assert!(first["next_page_token"].is_string());

    let (items, pages) = walk(&app, &admin, "page_size=3").await;
    let ids: Vec<i64> = items.iter().map(|u| u["id"].as_i64().unwrap()).collect();
    assert_eq!(pages, 3);
    assert_eq!(ids, expected);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len());

    // Exactly one page's worth: no empty trailing page.
    let (items, pages) = walk(&app, &admin, "page_size=8").await;
    assert_eq!((items.len(), pages), (8, 1));

    let (items, _) = walk(&app, &admin, "page_size=3&order_by=username%20desc").await;
    let names: Vec<&str> = items
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 8);
    assert_eq!(names[0], "page06");
    assert_eq!(names[7], "admin");

    let (items, _) = walk(&app, &admin, "page_size=2&order_by=id%20desc").await;
    let ids: Vec<i64> = items.iter().map(|u| u["id"].as_i64().unwrap()).collect();
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(ids, reversed);

    let (items, _) = walk(&app, &admin, "page_size=2&order_by=created_at").await;
    let ids: HashSet<i64> = items.iter().map(|u| u["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, expected.iter().copied().collect());

    // Filters page too.
    let (items, pages) = walk(&app, &admin, "page_size=2&role=viewer").await;
    assert_eq!((items.len(), pages), (5, 3));
    assert!(items.iter().all(|u| u["role"] == "viewer"));
}

#[actix_web::test]
async fn bad_page_parameters_are_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    seed_users(&app, &admin, 4).await;
    for query in ["page_size=0", "page_size=101", "page_size=-1"] {
        let problem = app
            .get(&format!("/api/v1/users?{query}"), &admin)
            .await
            .problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], "page_size", "{query}");
    }
    assert_eq!(
        app.get("/api/v1/users?page_size=100", &admin).await.status,
        200
    );
    for order in [
        "nope",
        "username%20sideways",
        "username%20desc%20extra",
        "password_hash",
    ] {
        let problem = app
            .get(&format!("/api/v1/users?order_by={order}"), &admin)
            .await
            .problem(400, "invalid_query");
        assert_eq!(problem["errors"][0]["field"], "order_by", "{order}");
    }

    let first = app.get("/api/v1/users?page_size=2", &admin).await.json();
    let token = first["next_page_token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(
            &format!("/api/v1/users?page_size=2&page_token={token}"),
            &admin
        )
        .await
        .status,
        200
    );
    // The page size may change between pages; the filters and order may not.
    assert_eq!(
        app.get(
            &format!("/api/v1/users?page_size=5&page_token={token}"),
            &admin
        )
        .await
        .status,
        200
    );
    for other in [
        "role=viewer",
        "disabled=false",
        "q=page",
        "order_by=username",
        "order_by=id%20desc",
    ] {
        let problem = app
            .get(
                &format!("/api/v1/users?page_size=2&{other}&page_token={token}"),
                &admin,
            )
            .await
            .problem(400, "invalid_page_token");
        assert_eq!(problem["errors"][0]["field"], "page_token", "{other}");
    }
    for garbage in ["garbage", "!!!", "eyJmb28iOjF9", &"A".repeat(300)] {
        app.get(&format!("/api/v1/users?page_token={garbage}"), &admin)
            .await
            .problem(400, "invalid_page_token");
    }
    // A token of the audit list does not fit the user list.
    let audit = app
        .get("/api/v1/audit-events?page_size=1", &admin)
        .await
        .json();
    let audit_token = audit["next_page_token"].as_str().unwrap();
    app.get(&format!("/api/v1/users?page_token={audit_token}"), &admin)
        .await
        .problem(400, "invalid_page_token");
}
