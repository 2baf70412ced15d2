//! `/imports/persons`: persons into units named by code, all rows or none.

use serde_json::Value;

use crate::fixtures::{CSV, UNITS_CSV, audit, city, error_fields};
use crate::helpers::TestApp;

#[actix_web::test]
async fn persons_are_imported_into_units_named_by_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    city(&app, &admin).await;
    let res = app
        .import_file(&admin, "units", "", CSV, UNITS_CSV.as_bytes())
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
