//! `/metrics`: requests counted by route pattern, and the pool reported.

use actix_web::http::Method;

use crate::helpers::TestApp;

#[actix_web::test]
async fn metrics_count_requests_by_route_pattern_and_report_the_pool() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    app.request(Method::GET, "/healthz").send().await;
    assert_eq!(app.get("/api/v1/users/1", &admin).await.status, 200);
    assert_eq!(app.get("/api/v1/users/1", &admin).await.status, 200);
    app.get("/api/v1/no/such/thing", &admin).await;
    let res = app.request(Method::GET, "/metrics").send().await;
    assert_eq!(res.status, 200);
    let text = String::from_utf8(res.body.to_vec()).unwrap();
    for name in [
        "thidua_http_requests_total",
        "thidua_http_requests_duration_seconds",
        "thidua_db_pool_connections",
        "thidua_db_pool_idle_connections",
        "thidua_db_pool_max_connections 4",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    let line = |needle: &[&str]| {
        text.lines()
            .find(|l| {
                l.starts_with("thidua_http_requests_total{") && needle.iter().all(|n| l.contains(n))
            })
            .map(str::to_owned)
    };
    assert!(
        line(&["endpoint=\"/healthz\"", "status=\"200\""]).is_some(),
        "{text}"
    );
    // Ids are folded into the pattern, and unknown paths into one label, so the label set stays
    // bounded whatever clients request.
    let users = line(&[
        "endpoint=\"/api/v1/users/{id}\"",
        "method=\"GET\"",
        "status=\"200\"",
    ])
    .unwrap_or_else(|| panic!("{text}"));
    assert!(users.ends_with(" 2"), "{users}");
    assert!(!text.contains("/api/v1/users/1\""), "{text}");
    assert!(!text.contains("no/such/thing"), "{text}");
}
