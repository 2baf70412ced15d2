//! Imports under load and abuse: other writers keep working while one runs, a dry run takes no
//! write lock, hostile workbooks are refused while unpacking, rows are numbered alike for CRLF
//! and LF files, control characters are refused, and an export imports back.

use std::io::Write;
use std::process::{Command, Stdio};

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{CSV, XLSX, created};
use crate::helpers::{TestApp, TestResponse};

fn body(res: &TestResponse) -> String {
    String::from_utf8_lossy(&res.body).into_owned()
}

fn first_error(problem: &Value) -> (String, String) {
    let e = &problem["errors"][0];
    (
        e["field"].as_str().unwrap_or_default().to_owned(),
        e["code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// A persons file of `n` rows in the unit `code`.
fn persons_csv(n: usize, code: &str) -> String {
    let mut csv = String::from("full_name,gender,birth_year,unit_code,civil_servant_code\r\n");
    for i in 0..n {
        csv.push_str(&format!(
            "Nguyễn Văn {i},male,{},{code},CC-{i:06}\r\n",
            1960 + i % 40
        ));
    }
    csv
}

#[actix_web::test]
async fn ordinary_writes_succeed_while_big_imports_run() {
    // What this proves is the queueing: writes wait behind an import's write turn instead of
    // failing, and a dry run holds no lock. How long an import's write takes is a matter for
    // benchmarks (an unoptimised build on a busy machine can take longer than the default
    // 5 s wait), so the wait is raised here.
    let app = TestApp::spawn_with(|c| c.db_timeout = std::time::Duration::from_secs(50)).await;
    let admin = app.admin_token().await;
    created(&app, &admin, "/api/v1/units", &
        json!({"code": "SNV", "name": "Sở Nội vụ", "kind": "administrative", "valid_from": "2004-01-01"}),
    )
    .await;
    let big = persons_csv(2000, "SNV");
    let done = std::cell::Cell::new(0);
    let import = async {
        let res = app
            .import_file(&admin, "persons", "", CSV, big.as_bytes())
            .await;
        done.set(done.get() + 1);
        res
    };
    let dry_run = async {
        let res = app
            .import_file(&admin, "persons", "?dry_run=true", CSV, big.as_bytes())
            .await;
        done.set(done.get() + 1);
        res
    };
    // Another client creates persons and units for as long as the imports run.
    let creates = async {
        let mut statuses = Vec::new();
        let mut i = 0;
        while done.get() < 2 && i < 500 {
            let person = json!({"full_name": format!("Lò Thị {i}"), "unit_id": 1});
            statuses.push(app.post("/api/v1/persons", &admin, &person).await.status);
            let unit = json!({"code": format!("U{i}"), "name": format!("Đơn vị {i}"), "kind": "administrative", "valid_from": "2010-01-01"});
            statuses.push(app.post("/api/v1/units", &admin, &unit).await.status);
            i += 1;
        }
        statuses
    };
    let (import, dry_run, statuses) = tokio::join!(import, dry_run, creates);
    assert_eq!(import.status, 201, "{}", body(&import));
    assert_eq!(import.json()["created"], 2000);
    assert_eq!(dry_run.status, 200, "{}", body(&dry_run));
    assert_eq!(dry_run.json()["would_create"], 2000);
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
}

#[actix_web::test]
// Holding the writer's turn across the request is the point: a dry run must not need it.
#[allow(clippy::await_holding_lock)]
async fn a_dry_run_takes_no_write_lock_and_extra_imports_get_503() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let csv = "code,name,kind,valid_from\r\nSTP,Sở Tư pháp,administrative,2004-01-01\r\n";
    {
        // Every writer of the process is paused; a dry run still answers.
        let _writers = app.state.db.writer_turn();
        let res = app
            .import_file(&admin, "units", "?dry_run=true", CSV, csv.as_bytes())
            .await;
        assert_eq!(res.status, 200, "{}", body(&res));
    }
    let (_a, _b) = (
        app.state.imports.start().unwrap(),
        app.state.imports.start().unwrap(),
    );
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    res.problem(503, "service_unavailable");
    assert!(res.header("retry-after").is_some());
}

#[actix_web::test]
async fn crlf_and_lf_files_name_the_same_rows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // A quoted cell may hold a line break (an address); the row after it keeps its number.
    let lf = "code,name,kind,valid_from,address\nA,Sở A,administrative,2004-01-01,\"Tổ 1\nMường Thanh\"\nB,Sở B,administrative,hôm qua,\n";
    let crlf = lf.replace('\n', "\r\n");
    for csv in [lf.to_owned(), crlf.clone()] {
        let res = app
            .import_file(&admin, "units", "", CSV, csv.as_bytes())
            .await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(
            first_error(&problem),
            ("row 3: valid_from".into(), "date".into()),
            "{csv:?}"
        );
    }

    // The command line counts the same way.
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("thidua.db").display());
    std::fs::write(dir.path().join("don_vi.csv"), &crlf).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_thidua"))
        .args(["import", "units", "don_vi.csv"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db)
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("row 3: valid_from"), "{stderr}");
}

#[actix_web::test]
async fn control_characters_in_cells_are_refused_by_row_and_column() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for bad in ["\u{0}", "\u{1b}", "\u{85}"] {
        let csv = format!(
            "code,name,kind,valid_from\nA,Sở A,administrative,2004-01-01\nB,Sở{bad}B,administrative,2004-01-01\n"
        );
        let res = app
            .import_file(&admin, "units", "", CSV, csv.as_bytes())
            .await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(
            first_error(&problem),
            ("row 3: name".into(), "invalid".into()),
            "{bad:?}"
        );
    }
    // Tabs and line breaks are text.
    let csv = "code,name,kind,valid_from,address\nA,Sở A,administrative,2004-01-01,\"Tổ 1\r\nphường\tX\"\n";
    let res = app
        .import_file(&admin, "units", "", CSV, csv.as_bytes())
        .await;
    assert_eq!(res.status, 201, "{}", body(&res));
}

/// A workbook-shaped ZIP whose one part is `content`, written in chunks.
fn crafted_xlsx(part: &str, chunks: impl Iterator<Item = Vec<u8>>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    zip.start_file(part, options).unwrap();
    for chunk in chunks {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[actix_web::test]
async fn hostile_workbooks_are_refused_while_unpacking() {
    // The files first: compressing them takes a while, and an idle connection may be closed.
    // One 8 MiB cell in the shared strings, a few KiB compressed.
    let cell = std::iter::once(b"<sst><si><t>".to_vec())
        .chain((0..8).map(|_| vec![b'a'; 1 << 20]))
        .chain(std::iter::once(b"</t></si></sst>".to_vec()));
    let one_cell = crafted_xlsx("xl/sharedStrings.xml", cell);
    assert!(one_cell.len() < 100_000, "{}", one_cell.len());
    // 49 MiB of markup with no text at all: over the file's limit.
    let markup = (0..49).map(|_| b"<x/>".repeat(1 << 18));
    let bomb = crafted_xlsx("xl/worksheets/sheet1.xml", markup);
    // A real workbook with a cell over 32 KiB.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, name) in ["code", "name", "kind", "valid_from"].iter().enumerate() {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    sheet.write_string(1, 0, "A").unwrap();
    sheet.write_string(1, 1, "Đ".repeat(20_000)).unwrap();
    let long = book.save_to_buffer().unwrap();

    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (bytes, says) in [(one_cell, "a cell"), (bomb, "MiB"), (long, "a cell")] {
        let res = app.import_file(&admin, "units", "", XLSX, &bytes).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(first_error(&problem), ("file".into(), "too_large".into()));
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{problem}");
    }
}

/// The fields two databases share for a unit: references by code instead of by id.
async fn units_by_code(app: &TestApp, admin: &str) -> Vec<Value> {
    let items = app.get("/api/v1/units?order_by=code", admin).await.json()["items"]
        .as_array()
        .unwrap()
        .clone();
    let code_of = |id: &Value| {
        items
            .iter()
            .find(|u| u["id"] == *id)
            .map(|u| u["code"].clone())
            .unwrap_or(Value::Null)
    };
    items
        .iter()
        .map(|u| {
            let mut u = u.clone();
            let (parent, successor) = (code_of(&u["parent_id"]), code_of(&u["successor_id"]));
            let map = u.as_object_mut().unwrap();
            for k in [
                "id",
                "parent_id",
                "successor_id",
                "replaced_by",
                "version",
                "created_at",
                "updated_at",
            ] {
                map.remove(k);
            }
            map.insert("parent".into(), parent);
            map.insert("successor".into(), successor);
            u
        })
        .collect()
}

#[actix_web::test]
async fn a_units_export_imports_back_into_another_database() {
    let (a, b) = (TestApp::spawn().await, TestApp::spawn().await);
    let (admin_a, admin_b) = (a.admin_token().await, b.admin_token().await);
    let p = created(&a, &admin_a, "/api/v1/units", &
        json!({"code": "UBND-DB", "name": "Ủy ban nhân dân tỉnh Điện Biên", "short_name": "UBND tỉnh", "kind": "administrative", "admin_level": "province", "valid_from": "2004-01-01", "phone": "+84 215 3825 000", "email": "ubnd@dienbien.gov.vn"}),
    )
    .await;
    let c = created(&a, &admin_a, "/api/v1/units", &
        json!({"code": "SCT", "name": "Sở Công thương, \"Điện Biên\"", "kind": "administrative", "parent_id": p["id"], "valid_from": "2008-04-01", "address": "=HYPERLINK(\"x\")"}),
    )
    .await;
    created(&a, &admin_a, "/api/v1/units", &
        json!({"code": "SCN", "name": "Sở Công nghiệp", "kind": "administrative", "parent_id": p["id"], "valid_from": "2004-01-01", "valid_to": "2008-03-31", "successor_id": c["id"]}),
    )
    .await;
    let export = a.get("/api/v1/units/export", &admin_a).await;
    assert_eq!(export.status, 200);
    assert!(export.body.windows(2).any(|w| w == b"\r\n"));

    let res = b
        .import_file(&admin_b, "units", "", CSV, &export.body)
        .await;
    assert_eq!(res.status, 201, "{}", body(&res));
    assert_eq!(res.json()["created"], 3);
    assert_eq!(
        units_by_code(&b, &admin_b).await,
        units_by_code(&a, &admin_a).await
    );
}

fn persons_without_ids(page: &Value) -> Vec<Value> {
    let mut items: Vec<Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut p = p.clone();
            for k in ["id", "version", "created_at", "updated_at"] {
                p.as_object_mut().unwrap().remove(k);
            }
            p
        })
        .collect();
    items.sort_by_key(|p| p["full_name"].as_str().unwrap_or_default().to_owned());
    items
}

#[actix_web::test]
async fn a_persons_export_imports_back() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = created(&app, &admin, "/api/v1/units", &
        json!({"code": "SNV", "name": "Sở Nội vụ", "kind": "administrative", "valid_from": "2004-01-01"}),
    )
    .await;
    let people = [
        json!({"full_name": "Nguyễn Văn An", "gender": "male", "birth_year": 1978, "position": "Giám đốc", "unit_id": unit["id"], "civil_servant_code": "CC-2019-00123"}),
        json!({"full_name": "Lò Thị Hoa", "unit_id": unit["id"]}),
    ];
    let mut ids = Vec::new();
    for person in &people {
        let res = app.post("/api/v1/persons", &admin, person).await;
        assert_eq!(res.status, 201, "{}", body(&res));
        ids.push(res.json()["id"].as_i64().unwrap());
    }
    let before = persons_without_ids(&app.get("/api/v1/persons", &admin).await.json());
    let export = app.get("/api/v1/persons/export", &admin).await;
    assert_eq!(export.status, 200);
    for id in ids {
        let res = app
            .request(Method::DELETE, &format!("/api/v1/persons/{id}"))
            .token(&admin)
            .header("if-match", "*")
            .send()
            .await;
        assert_eq!(res.status, 204, "{}", body(&res));
    }

    let res = app
        .import_file(&admin, "persons", "", CSV, &export.body)
        .await;
    assert_eq!(res.status, 201, "{}", body(&res));
    let after = persons_without_ids(&app.get("/api/v1/persons", &admin).await.json());
    assert_eq!(after, before);
}
