//! Problems speak the caller's language: Vietnamese under `Accept-Language: vi`, English
//! otherwise, with the same codes either way; and the spec's code enums are the catalogue.

use std::collections::BTreeSet;

use actix_web::http::Method;
use serde_json::{Value, json};
use strum::VariantArray;
use thidua::error::{Code, FieldCode};

use crate::helpers::{Req, TestApp, TestResponse};

const VIETNAMESE: [&str; 3] = ["vi", "vi-VN", "vi-VN,vi;q=0.9,en;q=0.8"];
const ENGLISH: [Option<&str>; 4] = [
    None,
    Some("en"),
    Some("fr-FR, en;q=0.5"),
    Some("vi;q=0.1, en"),
];

async fn send(req: Req<'_>, lang: Option<&str>) -> TestResponse {
    match lang {
        Some(lang) => req.header("accept-language", lang).send().await,
        None => req.send().await,
    }
}

/// A unit with an empty code and a name on two lines: two refused fields.
fn bad_unit() -> Value {
    json!({"code": "", "name": "Sở\tCông thương", "kind": "administrative",
        "valid_from": "2008-04-01"})
}

fn field<'a>(problem: &'a Value, name: &str) -> &'a Value {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == name)
        .unwrap_or_else(|| panic!("no error for {name}: {problem}"))
}

#[actix_web::test]
async fn a_refused_request_answers_in_vietnamese_when_asked_and_in_english_otherwise() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let post = || {
        app.request(Method::POST, "/api/v1/units")
            .token(&admin)
            .json(&bad_unit())
    };
    for lang in VIETNAMESE {
        let res = send(post(), Some(lang)).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(res.header("content-language").as_deref(), Some("vi"));
        assert!(res.header("vary").unwrap().contains("Accept-Language"));
        assert_eq!(problem["title"], "Dữ liệu không hợp lệ", "{lang}");
        assert_eq!(problem["detail"], "yêu cầu có trường dữ liệu không hợp lệ");
        let code = field(&problem, "code");
        assert_eq!(code["code"], "length");
        assert_eq!(code["message"], "phải dài từ 1 đến 32 ký tự");
        let name = field(&problem, "name");
        assert_eq!(name["code"], "line_break");
        assert_eq!(
            name["message"],
            "phải nằm trên một dòng: không có ký tự tab hay xuống dòng"
        );
    }
    for lang in ENGLISH {
        let res = send(post(), lang).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(res.header("content-language").as_deref(), Some("en"));
        assert_eq!(problem["title"], "Invalid fields", "{lang:?}");
        assert_eq!(problem["detail"], "the request has invalid fields");
        let code = field(&problem, "code");
        assert_eq!(code["code"], "length");
        assert_eq!(code["message"], "must be between 1 and 32 characters");
        assert_eq!(field(&problem, "name")["code"], "line_break");
    }
}

#[actix_web::test]
async fn every_kind_of_problem_is_translated() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let vi = |method, path: &str| {
        app.request(method, path)
            .token(&admin)
            .header("accept-language", "vi-VN")
    };
    // 404 of a resource, and of a route.
    let problem = vi(Method::GET, "/api/v1/units/999")
        .send()
        .await
        .problem(404, "not_found");
    assert_eq!(problem["title"], "Không tìm thấy");
    assert_eq!(problem["detail"], "không tìm thấy đơn vị");
    let problem = vi(Method::GET, "/api/v1/nope")
        .send()
        .await
        .problem(404, "not_found");
    assert_eq!(problem["title"], "Không tìm thấy");
    // 400 of a query value, naming the form in Vietnamese.
    let res = vi(Method::GET, "/api/v1/units?page_size=0").send().await;
    let problem = res.problem(400, "invalid_query");
    assert_eq!(problem["title"], "Tham số truy vấn không hợp lệ");
    assert_eq!(
        field(&problem, "page_size")["message"],
        "phải nằm trong khoảng từ 1 đến 100"
    );
    // 401 without a token.
    let res = app
        .request(Method::GET, "/api/v1/units")
        .header("accept-language", "vi")
        .send()
        .await;
    assert_eq!(res.problem(401, "unauthorized")["title"], "Chưa đăng nhập");
    // 409 from the UNIQUE table.
    crate::fixtures::unit(&app, &admin, "SCT").await;
    let body = json!({"code": "SCT", "name": "Sở Công thương", "kind": "administrative",
        "valid_from": "2008-04-01"});
    let problem = vi(Method::POST, "/api/v1/units")
        .json(&body)
        .send()
        .await
        .problem(409, "code_taken");
    assert_eq!(problem["title"], "Mã đã được sử dụng");
    assert_eq!(problem["detail"], "mã này đã được dùng cho một đơn vị khác");
    // 400 of a malformed body.
    let problem = vi(Method::POST, "/api/v1/units")
        .body("application/json", b"{".to_vec())
        .send()
        .await
        .problem(400, "malformed_json");
    assert_eq!(problem["detail"], "nội dung yêu cầu không phải JSON hợp lệ");
}

/// What the HTTP layer refuses by itself (here a CORS preflight from an unknown origin) is
/// rewritten as a problem in the caller's language too.
#[actix_web::test]
async fn a_problem_the_http_layer_builds_speaks_vietnamese_too() {
    let app =
        TestApp::spawn_with(|config| config.cors_origins = vec!["https://app.example.vn".into()])
            .await;
    let res = app
        .request(Method::OPTIONS, "/api/v1/units")
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .header("accept-language", "vi-VN,vi;q=0.9")
        .send()
        .await;
    let problem = res.problem(400, "cors_refused");
    assert_eq!(res.header("content-language").as_deref(), Some("vi"));
    assert_eq!(problem["title"], "Yêu cầu từ nguồn khác bị từ chối");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .ends_with("không được phép")
    );
}

fn enum_of(doc: &Value, schema: &str) -> BTreeSet<String> {
    doc["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema} is not an enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_spec_lists_every_code_of_the_catalogue_and_no_other() {
    let doc = serde_json::to_value(thidua::api::openapi()).unwrap();
    let codes: BTreeSet<String> = Code::VARIANTS.iter().map(|c| c.to_string()).collect();
    assert_eq!(enum_of(&doc, "ProblemCode"), codes);
    let fields: BTreeSet<String> = FieldCode::VARIANTS.iter().map(|c| c.to_string()).collect();
    assert_eq!(enum_of(&doc, "FieldCode"), fields);
    let problem = &doc["components"]["schemas"]["Problem"]["properties"];
    assert_eq!(problem["code"]["$ref"], "#/components/schemas/ProblemCode");
    let field = &doc["components"]["schemas"]["FieldError"]["properties"];
    assert_eq!(field["code"]["$ref"], "#/components/schemas/FieldCode");
}

/// Every problem example in the spec carries a catalogue code and that code's English title.
#[test]
fn the_spec_examples_use_the_catalogue() {
    fn walk(v: &Value, found: &mut Vec<(String, String)>) {
        match v {
            Value::Object(map) => {
                if let (Some(Value::String(t)), Some(Value::String(code))) =
                    (map.get("type"), map.get("code"))
                    && t.starts_with("urn:thidua:problem:")
                {
                    let title = map["title"].as_str().unwrap_or_default().to_owned();
                    found.push((code.clone(), title));
                }
                map.values().for_each(|v| walk(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(thidua::api::openapi()).unwrap();
    let mut found = Vec::new();
    walk(&doc, &mut found);
    assert!(found.len() > 20, "{}", found.len());
    for (code, title) in found {
        let code: Code = code
            .parse()
            .unwrap_or_else(|_| panic!("{code} is not in the catalogue"));
        assert_eq!(title, code.text().en(), "{code}");
    }
}
