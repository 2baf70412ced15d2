//! `/persons` read back: search without diacritics that follows every write, lists filtered by
//! unit and gender and paged by name, and the CSV export.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{created, full_names, ids, patch_current, person, unit_named, urlencode};
use crate::helpers::TestApp;

async fn search(app: &TestApp, admin: &str, q: &str) -> Vec<i64> {
    let path = format!("/api/v1/persons?q={}", urlencode(q));
    ids(&app.get(&path, admin).await.json())
}

async fn list(app: &TestApp, admin: &str, query: String) -> Value {
    let res = app.get(&format!("/api/v1/persons?{query}"), admin).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    res.json()
}

#[actix_web::test]
async fn search_ignores_diacritics_and_follows_every_write() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let mut id = std::collections::HashMap::new();
    for name in [
        "Nguyễn Văn An",
        "Nguyễn Thị Bình",
        "Lò Điện Biên",
        "Quàng Văn Điện",
    ] {
        id.insert(name, person(&app, &admin, unit, name).await);
    }
    for (q, expected) in [
        ("dien bien", vec!["Lò Điện Biên"]),
        ("Điện Biên", vec!["Lò Điện Biên"]),
        ("ĐIỆN", vec!["Lò Điện Biên", "Quàng Văn Điện"]),
        ("nguyen van", vec!["Nguyễn Văn An"]),
        ("nguy", vec!["Nguyễn Văn An", "Nguyễn Thị Bình"]),
        ("van", vec!["Nguyễn Văn An", "Quàng Văn Điện"]),
        ("an binh", vec![]),
        ("sct", vec![]),
    ] {
        let expected: Vec<i64> = expected.iter().map(|n| id[n]).collect();
        assert_eq!(search(&app, &admin, q).await, expected, "q={q}");
    }
    app.get(&format!("/api/v1/persons?q={}", "a%20".repeat(9)), &admin)
        .await
        .problem(400, "invalid_query");

    // A renamed person is found by the new name only; a deleted one not at all.
    let an = id["Nguyễn Văn An"];
    let res = patch_current(
        &app,
        &admin,
        &format!("/api/v1/persons/{an}"),
        &json!({"full_name": "Nguyễn Hữu Ân"}),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(search(&app, &admin, "nguyen van").await, Vec::<i64>::new());
    assert_eq!(search(&app, &admin, "nguyen huu an").await, vec![an]);
    let res = app
        .request(Method::DELETE, &format!("/api/v1/persons/{an}"))
        .token(&admin)
        .header("if-match", "*")
        .send()
        .await;
    assert_eq!(res.status, 204);
    assert_eq!(search(&app, &admin, "huu").await, Vec::<i64>::new());
}

#[actix_web::test]
async fn lists_filter_by_unit_and_gender_and_page_by_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let sct = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let sxd = unit_named(&app, &admin, "SXD", "Sở Xây dựng").await;
    // Distinct ASCII initials: the order is the same under every collation.
    for (name, gender, unit) in [
        ("Hoàng Văn Hải", "male", sct),
        ("Bùi Thị Bích", "female", sxd),
        ("Dương Văn Dũng", "male", sxd),
        ("An Thị Ánh", "female", sct),
        ("Cầm Văn Chiến", "male", sct),
    ] {
        created(
            &app,
            &admin,
            "/api/v1/persons",
            &json!({"full_name": name, "gender": gender, "unit_id": unit}),
        )
        .await;
    }
    let page = list(&app, &admin, format!("unit_id={sxd}&order_by=full_name")).await;
    assert_eq!(full_names(&page), ["Bùi Thị Bích", "Dương Văn Dũng"]);
    let page = list(&app, &admin, format!("unit_id={sct}&gender=female")).await;
    assert_eq!(full_names(&page), ["An Thị Ánh"]);
    let page = list(&app, &admin, "gender=male&order_by=id".into()).await;
    assert_eq!(
        full_names(&page),
        ["Hoàng Văn Hải", "Dương Văn Dũng", "Cầm Văn Chiến"]
    );

    // Walking pages by name, descending, never repeats or skips.
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut query = "order_by=full_name%20desc&page_size=2".to_owned();
        if let Some(t) = &token {
            query.push_str(&format!("&page_token={t}"));
        }
        let page = list(&app, &admin, query).await;
        assert!(full_names(&page).len() <= 2);
        seen.extend(full_names(&page));
        match page["next_page_token"].as_str() {
            Some(t) => token = Some(t.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "Hoàng Văn Hải",
            "Dương Văn Dũng",
            "Cầm Văn Chiến",
            "Bùi Thị Bích",
            "An Thị Ánh"
        ]
    );
    let first = list(&app, &admin, "order_by=full_name%20desc&page_size=2".into()).await;
    let t = first["next_page_token"].as_str().unwrap();
    app.get(
        &format!(
            "/api/v1/persons?order_by=full_name%20desc&page_size=2&gender=male&page_token={t}"
        ),
        &admin,
    )
    .await
    .problem(400, "invalid_page_token");
    for bad in [
        "order_by=birth_year",
        "order_by=full_name%20sideways",
        "page_size=0",
        "page_size=101",
        "gender=other",
        "unit=3",
    ] {
        let res = app.get(&format!("/api/v1/persons?{bad}"), &admin).await;
        assert_eq!(
            res.status,
            400,
            "{bad}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
}

#[actix_web::test]
async fn csv_export_has_a_bom_a_header_and_defused_formulas() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let sct = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let sxd = unit_named(&app, &admin, "SXD", "Sở Xây dựng").await;
    created(&app, &admin, "/api/v1/persons", & json!({"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1978, "position": "Phó Giám đốc", "unit_id": sct, "civil_servant_code": "CC-2019-00123"})).await;
    person(&app, &admin, sct, "=HYPERLINK(\"x\")").await;
    person(&app, &admin, sxd, "Trần Thị Bình").await;
    {
        let res = app.get("/api/v1/persons/export", &admin).await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(
            res.header("content-disposition")
                .unwrap()
                .contains("persons.csv")
        );
        assert!(res.body.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(res.body[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        // Every row, not one page: header, three persons, and the final line end.
        assert_eq!(lines.len(), 5, "{text}");
        assert_eq!(
            lines[0],
            "id,full_name,gender,birth_year,position,unit_id,civil_servant_code"
        );
        assert_eq!(
            lines[1],
            format!("1,Nguyễn Văn An,male,1978,Phó Giám đốc,{sct},CC-2019-00123")
        );
        assert_eq!(lines[2], format!("2,\"'=HYPERLINK(\"\"x\"\")\",,,,{sct},"));
        assert_eq!(lines[4], "");
    }
    // The export keeps the filters.
    let res = app
        .get(&format!("/api/v1/persons/export?unit_id={sxd}"), &admin)
        .await;
    let text = String::from_utf8(res.body[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Trần Thị Bình"));
}
