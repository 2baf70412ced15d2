//! `/imports`: units and persons from CSV or XLSX, all rows or none, and `thidua import`.

use std::process::{Command, Stdio};

use actix_web::http::Method;
use diesel::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};
use thidua::db::schema::audit_events::dsl as a;

use crate::fixtures::{audit, created, error_fields, id};
use crate::helpers::TestApp;

const CSV: &str = "text/csv";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Three units of Điện Biên: the province, a department under it by code (an earlier row),
/// and a commune under a unit already in the database.
const UNITS: &str = "\
code,name,short_name,kind,admin_level,parent_code,valid_from,valid_to,email
UBND-DB,Ủy ban nhân dân tỉnh Điện Biên,UBND tỉnh,administrative,province,,2004-01-01,,ubnd@dienbien.gov.vn
SCT,Sở Công thương tỉnh Điện Biên,SCT Điện Biên,Administrative,province,UBND-DB,2008-04-01,,sct@dienbien.gov.vn
XA-MT,Phường Mường Thanh,,administrative,commune,TP-DBP,2025-07-01,,
";

/// The city the commune of [`UNITS`] belongs to, already in the database.
async fn city(app: &TestApp, admin: &str) -> i64 {
    let body = json!({"code": "TP-DBP", "name": "Thành phố Điện Biên Phủ", "kind": "administrative", "valid_from": "1992-09-18"});
    id(&created(app, admin, "/api/v1/units", &body).await)
}

async fn codes(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let list = app
        .get(&format!("/api/v1/units?order_by=code{query}"), token)
        .await
        .json();
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn a_csv_of_dien_bien_units_is_imported_with_parents_by_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let city = city(&app, &admin).await;
    let res = app
        .import_file(&admin, "units", "", CSV, UNITS.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let report = res.json();
    assert_eq!(report["dry_run"], false);
    assert_eq!(
        (report["rows"].as_i64(), report["created"].as_i64()),
        (Some(3), Some(3))
    );
    let ids: Vec<i64> = report["ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);

    let province = app
        .get(&format!("/api/v1/units/{}", ids[0]), &admin)
        .await
        .json();
    assert_eq!(province["name"], "Ủy ban nhân dân tỉnh Điện Biên");
    assert_eq!(province["parent_id"], Value::Null);
    let sct = app
        .get(&format!("/api/v1/units/{}", ids[1]), &admin)
        .await
        .json();
    assert_eq!(
        (sct["parent_id"].as_i64(), sct["kind"].as_str()),
        (Some(ids[0]), Some("administrative"))
    );
    assert_eq!(sct["short_name"], "SCT Điện Biên");
    let ward = app
        .get(&format!("/api/v1/units/{}", ids[2]), &admin)
        .await
        .json();
    assert_eq!(
        (ward["parent_id"].as_i64(), ward["valid_from"].as_str()),
        (Some(city), Some("2025-07-01"))
    );
    assert_eq!(ward["short_name"], Value::Null);

    // Indexed for search like any unit: without diacritics, in any case.
    assert_eq!(
        codes(&app, &admin, "&q=dien%20bien").await,
        ["SCT", "TP-DBP", "UBND-DB"]
    );
    assert_eq!(codes(&app, &admin, "&q=MUONG").await, ["XA-MT"]);

    // Each unit audited as if created one by one, and the import once.
    let created = audit(&app, &admin, "unit.create").await;
    assert_eq!(created.len(), 4);
    let event = audit(&app, &admin, "import.units").await;
    assert_eq!(event.len(), 1);
    assert_eq!(event[0]["actor_username"], "admin");
    assert_eq!(
        event[0]["after"],
        json!({"format": "csv", "rows": 3, "created": 3})
    );
}

#[actix_web::test]
async fn a_file_with_bad_rows_is_refused_whole_naming_every_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let csv = "\
code,name,kind,parent_code,valid_from,email
SCT,Sở Công thương,administrative,,2008-04-01,
STP,Sở Tư pháp,ministry,SCT,01/04/2008,
SYT,Sở Y tế,public_service,SCT,2008-04-01,
SCT,Sở Công thương (trùng),administrative,,2008-04-01,
SNV,Sở Nội vụ,administrative,STP,2008-04-01,
SGD,Sở Giáo dục và Đào tạo,administrative,,2008-04-01,không-phải-email
";
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(
        error_fields(&problem),
        [
            "row 3: kind",
            "row 3: valid_from",
            "row 5: code",
            "row 6: parent_code",
            "row 7: email"
        ],
        "{problem}"
    );
    let codes_of = |field: &str| {
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["field"] == field)
            .unwrap()
            .clone()
    };
    assert_eq!(codes_of("row 5: code")["code"], "code_taken");
    assert_eq!(codes_of("row 3: kind")["code"], "choice");
    let message = codes_of("row 6: parent_code")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("row 3"), "{message}");
    // Nothing written, not even the good rows.
    assert!(codes(&app, &admin, "").await.is_empty());
    assert!(audit(&app, &admin, "unit.create").await.is_empty());
    assert!(audit(&app, &admin, "import.units").await.is_empty());
}

#[actix_web::test]
async fn unknown_and_missing_columns_are_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let csv =
        "code,ten_don_vi,kind,valid_from,Fax\nSCT,Sở Công thương,administrative,2008-04-01,0215\n";
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(
        error_fields(&problem),
        ["row 1: ten_don_vi", "row 1: Fax", "row 1: name"]
    );
    assert_eq!(problem["errors"][0]["code"], "unknown_column");
    assert_eq!(problem["errors"][2]["code"], "missing_column");
    let res = app
        .import_file(&admin, "units", "", CSV, b"code,name,kind,valid_from\n")
        .await;
    assert_eq!(
        res.problem(422, "validation_failed")["errors"][0]["code"],
        "empty"
    );
}

#[actix_web::test]
async fn a_dry_run_checks_everything_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    city(&app, &admin).await;
    let res = app
        .import_file(&admin, "units", "?dry_run=true", CSV, UNITS.as_bytes())
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(
        res.json(),
        json!({"dry_run": true, "rows": 3, "created": 0, "would_create": 3, "ids": [], "errors": []})
    );
    assert_eq!(codes(&app, &admin, "").await, ["TP-DBP"]);
    assert!(audit(&app, &admin, "import.units").await.is_empty());
    // A dry run finds the same problems as a real run.
    let bad = UNITS.replace("TP-DBP", "TP-XYZ");
    let res = app
        .import_file(&admin, "units", "?dry_run=true", CSV, bad.as_bytes())
        .await;
    assert_eq!(
        error_fields(&res.problem(422, "validation_failed")),
        ["row 4: parent_code"]
    );
    // The real run after the dry run creates them.
    let res = app
        .import_file(&admin, "units", "?dry_run=false", CSV, UNITS.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(codes(&app, &admin, "").await.len(), 4);
}

#[actix_web::test]
async fn a_byte_order_mark_is_skipped() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let csv = "\u{feff}Code,Name,Kind,Valid_From\r\nSTTTT,Sở Thông tin và Truyền thông,administrative,2008-04-01\r\n";
    let res = app
        .import_file(
            &admin,
            "units",
            "",
            "text/csv; charset=utf-8",
            csv.as_bytes(),
        )
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(codes(&app, &admin, "").await, ["STTTT"]);
}

fn workbook() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (col, name) in [
        "Code",
        "Name",
        "Kind",
        "Admin_Level",
        "Parent_Code",
        "Valid_From",
        "Phone",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "UBND-DB").unwrap();
    sheet
        .write_string(1, 1, "Ủy ban nhân dân tỉnh Điện Biên")
        .unwrap();
    sheet.write_string(1, 2, "administrative").unwrap();
    sheet.write_string(1, 3, "province").unwrap();
    sheet
        .write_datetime_with_format(1, 5, ExcelDateTime::from_ymd(2004, 1, 1).unwrap(), &date)
        .unwrap();
    sheet.write_string(1, 6, "0215 3825 123").unwrap();
    // Row 3 is left blank; a numeric code and a date written as text still work.
    sheet.write_number(3, 0, 101).unwrap();
    sheet.write_string(3, 1, "Sở Giáo dục và Đào tạo").unwrap();
    sheet.write_string(3, 2, "administrative").unwrap();
    sheet.write_string(3, 4, "UBND-DB").unwrap();
    sheet.write_string(3, 5, "2008-04-01").unwrap();
    book.save_to_buffer().unwrap()
}

#[actix_web::test]
async fn an_xlsx_workbook_is_imported_with_real_date_cells() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .import_file(&admin, "units", "", XLSX, &workbook())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let ids = res.json()["ids"].clone();
    let province = app
        .get(&format!("/api/v1/units/{}", ids[0]), &admin)
        .await
        .json();
    assert_eq!(
        (province["valid_from"].as_str(), province["phone"].as_str()),
        (Some("2004-01-01"), Some("0215 3825 123"))
    );
    let education = app
        .get(&format!("/api/v1/units/{}", ids[1]), &admin)
        .await
        .json();
    assert_eq!(education["code"], "101");
    assert_eq!(education["parent_id"], ids[0]);
    assert_eq!(
        audit(&app, &admin, "import.units").await[0]["after"]["format"],
        "xlsx"
    );

    // Rows are numbered as the spreadsheet shows them, blank ones included.
    let res = app
        .import_file(&admin, "units", "", XLSX, &workbook())
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["row 2: code", "row 4: code"]);
    // Not a workbook at all.
    let res = app
        .import_file(&admin, "units", "", XLSX, b"code,name\n")
        .await;
    res.problem(400, "invalid_file");
}

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
            .import_file(&admin, "units", "", ct, UNITS.as_bytes())
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
                .import_file(&token, what, "", CSV, UNITS.as_bytes())
                .await;
            res.problem(403, "forbidden");
        }
    }
    let res = app
        .request(Method::POST, "/api/v1/imports/units")
        .body(CSV, UNITS.as_bytes().to_vec())
        .send()
        .await;
    res.problem(401, "unauthorized");
    assert_eq!(codes(&app, &admin, "").await, ["TP-DBP"]);
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
async fn persons_are_imported_into_units_named_by_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    city(&app, &admin).await;
    let res = app
        .import_file(&admin, "units", "", CSV, UNITS.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let sct = res.json()["ids"][1].as_i64().unwrap();
    let csv = "\
full_name,gender,birth_year,position,unit_code,civil_servant_code
Nguyễn Văn An,male,1978,Giám đốc,SCT,CC-2019-00123
Lò Thị Hoa,Female,1985,Phó Giám đốc,SCT,
Quàng Văn Bình,,,,TP-DBP,
";
    let res = app
        .import_file(&admin, "persons", "", CSV, csv.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let ids = res.json()["ids"].clone();
    let an = app
        .get(&format!("/api/v1/persons/{}", ids[0]), &admin)
        .await
        .json();
    assert_eq!(an["unit_id"], sct);
    assert_eq!(
        (an["birth_year"].as_i64(), an["gender"].as_str()),
        (Some(1978), Some("male"))
    );
    let hoa = app
        .get(&format!("/api/v1/persons/{}", ids[1]), &admin)
        .await
        .json();
    assert_eq!(
        (hoa["gender"].as_str(), hoa["civil_servant_code"].clone()),
        (Some("female"), Value::Null)
    );
    let found = app.get("/api/v1/persons?q=lo%20thi", &admin).await.json();
    assert_eq!(found["items"][0]["full_name"], "Lò Thị Hoa");
    assert_eq!(audit(&app, &admin, "person.create").await.len(), 3);
    assert_eq!(
        audit(&app, &admin, "import.persons").await[0]["after"]["created"],
        3
    );

    let bad = "\
full_name,unit_code,birth_year,civil_servant_code
Đặng Thị Mai,KHONG-CO,1990,
Vì Văn Tùng,SCT,năm 1980,CC-2019-00123
,SCT,,
";
    let res = app
        .import_file(&admin, "persons", "", CSV, bad.as_bytes())
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(
        error_fields(&problem),
        ["row 2: unit_code", "row 3: birth_year", "row 4: full_name"],
        "{problem}"
    );
    // Fixing the year leaves the taken civil servant code, as `POST /persons` reports it.
    let bad = "full_name,unit_code,civil_servant_code\nVì Văn Tùng,SCT,CC-2019-00123\n";
    let res = app
        .import_file(&admin, "persons", "", CSV, bad.as_bytes())
        .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(error_fields(&problem), ["row 2: civil_servant_code"]);
    assert_eq!(problem["errors"][0]["code"], "civil_servant_code_taken");
    assert_eq!(
        app.get("/api/v1/persons", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
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
    let units = UNITS.replace("TP-DBP", "");
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
    assert!(codes(&app, &admin, "").await.is_empty());
}
