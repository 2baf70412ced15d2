//! `/imports/units`: units from CSV or XLSX, parents by code, every bad row named, all rows or
//! none, dry runs and byte order marks. Persons are in `person_imports`; what any import
//! refuses, retries and `thidua import`, in `import_rules`.

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};

use crate::fixtures::{CSV, UNITS_CSV, XLSX, audit, city, error_fields, unit_codes};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_csv_of_dien_bien_units_is_imported_with_parents_by_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let city = city(&app, &admin).await;
    let res = app
        .import_file(&admin, "units", "", CSV, UNITS_CSV.as_bytes())
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
        unit_codes(&app, &admin, "&q=dien%20bien").await,
        ["SCT", "TP-DBP", "UBND-DB"]
    );
    assert_eq!(unit_codes(&app, &admin, "&q=MUONG").await, ["XA-MT"]);

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
    assert!(unit_codes(&app, &admin, "").await.is_empty());
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
        .import_file(&admin, "units", "?dry_run=true", CSV, UNITS_CSV.as_bytes())
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(
        res.json(),
        json!({"dry_run": true, "rows": 3, "created": 0, "would_create": 3, "ids": [], "errors": []})
    );
    assert_eq!(unit_codes(&app, &admin, "").await, ["TP-DBP"]);
    assert!(audit(&app, &admin, "import.units").await.is_empty());
    // A dry run finds the same problems as a real run.
    let bad = UNITS_CSV.replace("TP-DBP", "TP-XYZ");
    let res = app
        .import_file(&admin, "units", "?dry_run=true", CSV, bad.as_bytes())
        .await;
    assert_eq!(
        error_fields(&res.problem(422, "validation_failed")),
        ["row 4: parent_code"]
    );
    // The real run after the dry run creates them.
    let res = app
        .import_file(&admin, "units", "?dry_run=false", CSV, UNITS_CSV.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(unit_codes(&app, &admin, "").await.len(), 4);
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
    assert_eq!(unit_codes(&app, &admin, "").await, ["STTTT"]);
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
