//! Reading `/units` back: search without diacritics or case that follows every write, and the
//! CSV export.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{created, patch_current, unit_body, urlencode};
use crate::helpers::TestApp;

#[actix_web::test]
async fn search_ignores_diacritics_and_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("SCT", "Sở Công thương"),
    )
    .await;
    created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("UBND", "Ủy ban nhân dân tỉnh Điện Biên"),
    )
    .await;
    created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("SXD", "Sở Xây dựng"),
    )
    .await;
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
    patch_current(
        &app,
        &admin,
        &format!("/api/v1/units/{id}"),
        &json!({"name": "Sở Quy hoạch – Kiến trúc"}),
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

#[actix_web::test]
async fn csv_export_has_a_bom_crlf_and_defused_formulas() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("SCT", "Sở Công thương"),
    )
    .await;
    created(
        &app,
        &admin,
        "/api/v1/units",
        &unit_body("EVIL", "=HYPERLINK(\"http://x\")"),
    )
    .await;
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
