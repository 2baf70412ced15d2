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
            if op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "format"))
            {
                assert!(
                    op["responses"]["200"]["content"]["text/csv"].is_object(),
                    "{method} {path} offers CSV without documenting it"
                );
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
