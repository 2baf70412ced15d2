//! What every import refuses or replays: other content types, callers other than admins, files
//! over the size limit or 20000 rows, a retry with the same idempotency key; and `thidua
//! import` on the command line.

use std::process::{Command, Stdio};

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{Value, json};
use thidua::db::schema::audit_events::dsl as a;

use crate::fixtures::{CSV, UNITS_CSV, city, unit_codes};
use crate::helpers::TestApp;

#[actix_web::test]
async fn other_content_types_are_refused_with_415() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for ct in [
        "application/json",
        "application/vnd.ms-excel",
        "text/plain",
        "text/csv; charset=windows-1258",
    ] {
        let res = app
            .import_file(&admin, "units", "", ct, UNITS_CSV.as_bytes())
            .await;
        res.problem(415, "unsupported_media_type");
    }
    let res = app
        .request(Method::POST, "/api/v1/imports/persons")
        .token(&admin)
        .send()
        .await;
    res.problem(415, "unsupported_media_type");
}

#[actix_web::test]
async fn only_admins_may_import() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = city(&app, &admin).await;
    app.create_user(&admin, "xem", "viewer", json!({})).await;
    app.create_user(&admin, "lan", "unit_officer", json!({"unit_id": unit}))
        .await;
    for user in ["xem", "lan"] {
        let token = app.token(user, crate::helpers::PASSWORD).await;
        for what in ["units", "persons"] {
            let res = app
                .import_file(&token, what, "", CSV, UNITS_CSV.as_bytes())
                .await;
            res.problem(403, "forbidden");
        }
    }
    let res = app
        .request(Method::POST, "/api/v1/imports/units")
        .body(CSV, UNITS_CSV.as_bytes().to_vec())
        .send()
        .await;
    res.problem(401, "unauthorized");
    assert_eq!(unit_codes(&app, &admin, "").await, ["TP-DBP"]);
}

#[actix_web::test]
async fn a_file_over_the_import_limit_is_refused_with_413() {
    let app = TestApp::spawn_with(|c| c.import_limit = 2048).await;
    let admin = app.admin_token().await;
    let mut csv = String::from("code,name,kind,valid_from\n");
    for i in 0..100 {
        csv.push_str(&format!(
            "X{i},Đơn vị số {i} của tỉnh Điện Biên,other,2020-01-01\n"
        ));
    }
    assert!(csv.len() > 2048);
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    res.problem(413, "payload_too_large");
    // Above the general body limit (64 KiB) but within the import limit is fine.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut csv = String::from("code,name,kind,valid_from\n");
    for i in 0..1500 {
        csv.push_str(&format!(
            "X{i},Đơn vị số {i} của tỉnh Điện Biên,other,2020-01-01\n"
        ));
    }
    assert!(csv.len() > 65536);
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["created"], 1500);
}

#[actix_web::test]
async fn a_retry_with_the_same_idempotency_key_replays_the_report() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let csv = "full_name,unit_code\nNguyễn Văn An,TP-DBP\n";
    city(&app, &admin).await;
    let send = || {
        app.request(Method::POST, "/api/v1/imports/persons")
            .token(&admin)
            .header("idempotency-key", "nhap-ds-2025")
            .body(CSV, csv.as_bytes().to_vec())
            .send()
    };
    let first = send().await;
    assert_eq!(
        first.status,
        201,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    let again = send().await;
    assert_eq!(again.status, 201);
    assert_eq!(again.json(), first.json());
    assert_eq!(
        app.get("/api/v1/persons", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_cli_imports_a_csv_file_and_refuses_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("thidua.db").display());
    let units = UNITS_CSV.replace("TP-DBP", "");
    std::fs::write(dir.path().join("don_vi.csv"), &units).unwrap();
    std::fs::write(
        dir.path().join("loi.CSV"),
        units.replace("2008-04-01", "hôm qua"),
    )
    .unwrap();
    let thidua = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_thidua"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("DATABASE_URL", &db)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), stdout, stderr)
    };
    let (ok, stdout, stderr) = thidua(&["import", "units", "don_vi.csv", "--dry-run"]);
    assert!(ok, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (report["dry_run"].as_bool(), report["would_create"].as_i64()),
        (Some(true), Some(3))
    );

    let (ok, stdout, stderr) = thidua(&["import", "units", "loi.CSV"]);
    assert!(!ok, "{stdout}\n{stderr}");
    assert!(stderr.contains("row 3: valid_from"), "{stderr}");

    let (ok, stdout, stderr) = thidua(&["import", "units", "don_vi.csv"]);
    assert!(ok, "{stdout}\n{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["created"], 3);
    assert_eq!(report["ids"], json!([1, 2, 3]));

    // Audited as the command line, like `user create`.
    let (ok, stdout, stderr) = thidua(&["import", "units", "don_vi.csv"]);
    assert!(!ok && stderr.contains("code_taken"), "{stdout}\n{stderr}");
    let (ok, _, stderr) = thidua(&["import", "persons", "ds.txt"]);
    assert!(!ok && stderr.contains(".csv or .xlsx"), "{stderr}");
    let mut c = thidua::db::AnyManager::new(&db)
        .unwrap()
        .establish()
        .unwrap();
    let actors: Vec<(String, Option<String>)> = a::audit_events
        .filter(a::action.like("%units"))
        .select((a::action, a::actor_username))
        .load(&mut c)
        .unwrap();
    assert_eq!(
        actors,
        [("import.units".to_owned(), Some("cli".to_owned()))]
    );
}

#[actix_web::test]
async fn more_than_20000_rows_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut csv = String::from("code,name,kind,valid_from\n");
    for i in 0..20_001 {
        csv.push_str(&format!("X{i},Đơn vị {i},other,2020-01-01\n"));
    }
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["code"], "too_many_rows", "{problem}");
    assert!(unit_codes(&app, &admin, "").await.is_empty());
}
