//! `/blocs/{id}/goals`: a bloc's members of a year side by side with their goals, as JSON, CSV
//! and an XLSX workbook read back with calamine.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use crate::fixtures::{self, expect};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_blocs_goals_come_side_by_side_as_json_csv_and_xlsx() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::founding_2019(&app, &admin).await;
    let (stnmt, sct) = (bloc.units[0], bloc.units[3]);
    fixtures::goal(&app, &admin, stnmt, json!({"actual": "97.25"})).await;
    fixtures::goal(
        &app,
        &admin,
        sct,
        json!({"period": "h1", "actual": "100", "target": "100"}),
    )
    .await;
    fixtures::goal(&app, &admin, sct, json!({"year": 2020})).await;
    let base = format!("/api/v1/blocs/{}/goals", bloc.id);

    // Act
    let all = expect(&app.get(&format!("{base}?year=2019"), &admin).await, 200);
    let h1 = expect(
        &app.get(&format!("{base}?year=2019&period=h1"), &admin)
            .await,
        200,
    );
    let csv = app.get(&format!("{base}/export?year=2019"), &admin).await;
    let book = app.get(&format!("{base}/workbook?year=2019"), &admin).await;
    let no_year = app.get(&base, &admin).await;

    // Assert
    let members = all["members"].as_array().unwrap();
    assert_eq!(members.len(), 6);
    assert_eq!(members[0]["unit_code"], "STNMT");
    assert_eq!(members[0]["role"], "chair");
    assert_eq!(members[0]["goals"][0]["progress_percent"], "102.37");
    assert_eq!(members[3]["unit_code"], "SCT");
    assert_eq!(members[3]["goals"].as_array().unwrap().len(), 1);
    assert_eq!(members[1]["goals"].as_array().unwrap().len(), 0);
    assert_eq!(h1["period"], "h1");
    assert_eq!(h1["members"][0]["goals"].as_array().unwrap().len(), 0);
    assert_eq!(h1["members"][3]["goals"][0]["status"], "achieved");
    let text = String::from_utf8_lossy(&csv.body).into_owned();
    assert_eq!(csv.status, 200, "{text}");
    assert!(
        text.starts_with("\u{feff}unit_code,unit_name,member_role,id,"),
        "{text}"
    );
    assert!(text.contains("Sở Công Thương"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert_eq!(book.status, 200);
    assert_eq!(
        book.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut xlsx: Xlsx<_> = Xlsx::new(Cursor::new(book.body.to_vec())).unwrap();
    let sheet = xlsx.worksheet_range("Chỉ tiêu").unwrap();
    let rows: Vec<&[Data]> = sheet.rows().collect();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0][1], Data::String("Tên đơn vị".into()));
    assert_eq!(rows[1][1], Data::String("unit_name".into()));
    assert_eq!(
        rows[2][1],
        Data::String("Sở Tài nguyên và Môi trường".into())
    );
    assert_eq!(rows[2][12], Data::Float(97.25));
    assert_eq!(rows[3][0], Data::String("SCT".into()));
    no_year.problem(400, "invalid_query");
}

#[actix_web::test]
async fn a_unit_officer_sees_its_own_row_and_a_stranger_nothing() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K2", 2019, &["A", "B", "C"]).await;
    let outsider_unit = fixtures::unit(&app, &admin, "Z").await;
    for u in &bloc.units {
        fixtures::goal(&app, &admin, *u, json!({})).await;
    }
    let officer = fixtures::officer(&app, &admin, "b.officer", bloc.units[1]).await;
    let outsider = fixtures::officer(&app, &admin, "z.officer", outsider_unit).await;
    let chair = fixtures::chair(&app, &admin, "k2.chair", &[bloc.id]).await;
    let path = format!("/api/v1/blocs/{}/goals?year=2019", bloc.id);

    // Act
    let own = expect(&app.get(&path, &officer.token).await, 200);
    let all = expect(&app.get(&path, &chair.token).await, 200);
    let stranger = app.get(&path, &outsider.token).await;

    // Assert
    assert_eq!(own["members"].as_array().unwrap().len(), 1);
    assert_eq!(own["members"][0]["unit_id"], bloc.units[1]);
    assert_eq!(all["members"].as_array().unwrap().len(), 3);
    stranger.problem(404, "not_found");
}
