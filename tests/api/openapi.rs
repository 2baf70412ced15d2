//! The committed OpenAPI document matches the code and is served, with the docs when enabled,
//! and the migration folders stay in step.

use std::collections::BTreeSet;
use std::path::Path;

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::TestApp;

const SPEC: &str = "openapi/openapi.json";

fn generated() -> String {
    let mut json = serde_json::to_string_pretty(&thidua::api::openapi()).expect("serialising");
    json.push('\n');
    json
}

/// `openapi/openapi.json` is what the code generates. `UPDATE_OPENAPI=1` rewrites it.
#[test]
fn committed_spec_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SPEC);
    let fresh = generated();
    if std::env::var_os("UPDATE_OPENAPI").is_some_and(|v| !v.is_empty()) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(fresh.lines().count()))
            + 1;
        panic!(
            "{SPEC} is out of date (first difference at line {line}); regenerate it with\n\n    \
             UPDATE_OPENAPI=1 cargo test --test api openapi\n\nand commit the result"
        );
    }
}

/// Each operation is identifiable and documents how it fails.
#[test]
fn the_shared_mechanisms_errors_are_documented_everywhere() {
    let spec: Value = serde_json::from_str(&generated()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let needs = |status: &str, why: &str| {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} ({why}) does not document {status}"
                );
            };
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    needs(status, "has a body");
                }
            }
            let headers: Vec<&str> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .filter(|p| p["in"] == "header")
                        .filter_map(|p| p["name"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            if headers.contains(&"If-Match") {
                for status in ["400", "412", "428"] {
                    needs(status, "takes If-Match");
                }
            }
            let secured = op["security"].as_array().is_some_and(|r| {
                r.iter()
                    .any(|r| r.as_object().is_some_and(|o| !o.is_empty()))
            });
            if secured {
                needs("401", "needs a token");
            }
            // Everything under /api/ uses the database, which can be saturated.
            if path.starts_with("/api/") {
                needs("503", "uses the database");
            }
        }
    }
}

#[test]
fn every_operation_has_an_id_and_a_client_error() {
    let spec: Value = serde_json::from_str(&generated()).unwrap();
    let version = spec["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1"), "OpenAPI version {version}");
    let paths = spec["paths"].as_object().unwrap();
    assert!(!paths.is_empty());
    let mut ids = BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
            ) {
                continue;
            }
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} repeats");
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|s| s.starts_with('4')),
                "{method} {path} documents no 4xx response"
            );
        }
    }
}

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every migration exists for both backends, under the same version name.
#[test]
fn migration_folders_match() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must hold the same migrations"
    );
}

#[actix_web::test]
async fn the_openapi_document_and_the_docs_are_served() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::GET, "/api/v1/openapi.json")
        .send()
        .await;
    assert_eq!(res.status, 200);
    let doc = res.json();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "thidua");
    for path in [
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/{id}/password",
        "/api/v1/audit-events",
        "/api/v1/auth/login",
        "/healthz",
        "/readyz",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} undocumented");
    }
    assert!(doc["paths"]["/api/v1/users"]["get"].is_object());
    assert!(doc["paths"]["/api/v1/users"]["post"].is_object());
    assert!(doc["paths"]["/api/v1/users/{id}"]["patch"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    let res = app.request(Method::GET, "/docs/").send().await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type").unwrap().starts_with("text/html"),
        "{res:?}"
    );
    assert!(
        String::from_utf8_lossy(&res.body)
            .to_ascii_lowercase()
            .contains("<html")
    );
}

#[actix_web::test]
async fn without_docs_the_openapi_document_is_still_served() {
    let app = TestApp::spawn_with(|config| config.docs = false).await;
    let res = app
        .request(Method::GET, "/api/v1/openapi.json")
        .send()
        .await;
    assert_eq!(res.status, 200);
    assert!(res.json()["openapi"].as_str().unwrap().starts_with("3.1"));
    app.request(Method::GET, "/docs/")
        .send()
        .await
        .problem(404, "not_found");
}

/// A response as declared, following a `$ref` to the shared answers.
fn resolve<'a>(spec: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(r) => &spec["components"]["responses"][r.rsplit('/').next().unwrap()],
        None => response,
    }
}

fn operations(spec: &Value) -> Vec<(String, String, &Value)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            ops.push((method.clone(), path.clone(), op));
        }
    }
    ops
}

/// What a typed client generator trips over: a 200 of two media types, a summary with raw
/// backticks, a free-text `order_by`, a nullable header or page token, an untyped snapshot.
#[test]
fn the_spec_types_cleanly_for_generated_clients() {
    let spec: Value = serde_json::from_str(&generated()).unwrap();
    for (method, path, op) in operations(&spec) {
        let summary = op["summary"].as_str().unwrap_or_default();
        assert!(
            !summary.contains('`'),
            "{method} {path}: summary {summary:?}"
        );
        if let Some(content) = op["responses"]["200"]["content"].as_object() {
            assert_eq!(
                content.len(),
                1,
                "{method} {path} answers 200 in several types"
            );
        }
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["name"] == "order_by" {
                let values = p["schema"]["enum"].as_array();
                assert!(
                    values.is_some_and(|v| v.iter().any(|v| v == "id desc")),
                    "{method} {path}: order_by is not an enum of orders: {p}"
                );
            }
            assert!(
                !p["schema"]["type"]
                    .as_array()
                    .is_some_and(|t| t.contains(&"null".into())),
                "{method} {path}: parameter {} is nullable",
                p["name"]
            );
        }
        // Every list with a page has its CSV export beside it, answering CSV only.
        if op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "page_token"))
            && spec["paths"][format!("{path}/export")].is_object()
        {
            let export = &spec["paths"][format!("{path}/export")]["get"];
            let ok = resolve(&spec, &export["responses"]["200"]);
            let types: Vec<&String> = ok["content"].as_object().unwrap().keys().collect();
            assert_eq!(types, ["text/csv"], "{path}/export");
            let params: Vec<&Value> = export["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| &p["name"])
                .collect();
            assert!(
                !params.contains(&&Value::from("page_token")),
                "{path}/export"
            );
        }
    }
    for list in [
        "/api/v1/units",
        "/api/v1/persons",
        "/api/v1/blocs",
        "/api/v1/movements",
        "/api/v1/users",
        "/api/v1/audit-events",
    ] {
        assert!(
            spec["paths"][format!("{list}/export")]["get"].is_object(),
            "{list} has no export"
        );
    }
    let page = &spec["components"]["schemas"]["Page_UnitResponse"]["properties"]["next_page_token"];
    assert_eq!(page["type"], "string", "{page}");
    for field in ["before", "after"] {
        let snapshot = &spec["components"]["schemas"]["AuditEventResponse"]["properties"][field];
        assert_eq!(snapshot["additionalProperties"], true, "{snapshot}");
    }
}

/// Every problem answer shows an example of its own status, and every 503 says when to retry.
#[test]
fn every_problem_answer_has_its_own_example() {
    let spec: Value = serde_json::from_str(&generated()).unwrap();
    for (method, path, op) in operations(&spec) {
        for (status, response) in op["responses"].as_object().unwrap() {
            let code: u16 = status.parse().unwrap();
            let response = resolve(&spec, response);
            if code == 503 {
                assert!(
                    response["headers"]["Retry-After"].is_object(),
                    "{method} {path}: 503 without Retry-After"
                );
            }
            if code < 400 || code == 431 {
                continue;
            }
            let example = &response["content"]["application/problem+json"]["example"];
            assert_eq!(
                example["status"], code,
                "{method} {path} {status}: {example}"
            );
            assert!(example["code"].is_string(), "{method} {path} {status}");
        }
    }
}

/// The page token the spec shows is one the server accepts.
#[actix_web::test]
async fn the_example_page_token_is_a_real_one() {
    let spec: Value = serde_json::from_str(&generated()).unwrap();
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for list in ["/api/v1/units", "/api/v1/persons", "/api/v1/users"] {
        let token = spec["paths"][list]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "page_token")
            .map(|p| p["example"].as_str().unwrap().to_owned())
            .unwrap();
        let res = app
            .get(&format!("{list}?page_size=1&page_token={token}"), &admin)
            .await;
        assert_eq!(
            res.status,
            200,
            "{list}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
}

/// The request examples, sent as the docs show them on an empty database, are accepted.
#[actix_web::test]
async fn the_request_examples_work_on_an_empty_database() {
    let spec: Value = serde_json::from_str(&generated()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let example = |name: &str| {
        let mut body = serde_json::Map::new();
        for (field, prop) in schemas[name]["properties"].as_object().unwrap() {
            let target = prop["$ref"]
                .as_str()
                .or_else(|| prop["oneOf"][0]["$ref"].as_str())
                .map(|r| &schemas[r.rsplit('/').next().unwrap()]);
            let value = if !prop["example"].is_null() {
                prop["example"].clone()
            } else if let Some(first) = target.and_then(|t| t["enum"].get(0)) {
                first.clone()
            } else if let Some(shared) = target.and_then(|t| t["examples"].get(0)) {
                // A shared value type (Year) documents its example once, in its component.
                shared.clone()
            } else {
                continue;
            };
            body.insert(field.clone(), value);
        }
        Value::Object(body)
    };
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // The unit first: the person's example works in the first unit created.
    for (path, schema) in [
        ("/api/v1/units", "CreateUnit"),
        ("/api/v1/persons", "CreatePerson"),
        ("/api/v1/blocs", "CreateBloc"),
        ("/api/v1/movements", "CreateMovement"),
        ("/api/v1/users", "CreateUser"),
    ] {
        let body = example(schema);
        let res = app.post(path, &admin, &body).await;
        assert_eq!(
            res.status,
            201,
            "{path} {body}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
}
