//! `/blocs/{id}/ranking`: which sheet counts for each unit, ties sharing a rank, units without
//! a sheet last, the bands, and the CSV and XLSX exports.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;

use crate::fixtures::{self, covenant, expect, fill, founding_2019, sheet, transition};
use crate::helpers::TestApp;

/// A sheet filled with these points and taken to `state` by the board.
async fn scored(
    app: &TestApp,
    admin: &str,
    (cov, unit): (i64, i64),
    kind: &str,
    points: [f64; 3],
    steps: &[&str],
) -> i64 {
    let id = sheet(app, admin, cov, unit, "h1", kind).await["id"]
        .as_i64()
        .unwrap();
    fill(app, admin, id, points).await;
    for action in steps {
        let path = format!("/api/v1/score-sheets/{id}");
        expect(&transition(app, admin, &path, action, None).await, 200);
    }
    id
}

/// A ranking line: rank, unit code, grand total, band.
type Line = (Option<u64>, String, Option<f64>, Option<String>);

fn lines(ranking: &Value) -> Vec<Line> {
    ranking["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["rank"].as_u64(),
                i["unit_code"].as_str().unwrap().to_owned(),
                i["grand_total"].as_f64(),
                i["band"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

#[actix_web::test]
async fn a_bloc_is_ranked_from_the_sheets_that_count() {
    // Arrange: the founding bloc's six departments, four of them scored for H1 2019.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    let u = &bloc.units;
    let approved = ["submit", "approve"];
    let stnmt = scored(
        &app,
        &admin,
        (cov, u[0]),
        "self",
        [45.0, 27.0, 18.0],
        &approved,
    )
    .await;
    scored(
        &app,
        &admin,
        (cov, u[1]),
        "self",
        [45.0, 25.0, 15.0],
        &approved,
    )
    .await;
    let cross = scored(
        &app,
        &admin,
        (cov, u[1]),
        "cross",
        [40.0, 25.0, 15.0],
        &approved,
    )
    .await;
    scored(
        &app,
        &admin,
        (cov, u[2]),
        "self",
        [40.0, 25.0, 15.0],
        &approved,
    )
    .await;
    scored(
        &app,
        &admin,
        (cov, u[3]),
        "self",
        [48.0, 29.0, 18.0],
        &["submit"],
    )
    .await;
    let path = |q: &str| format!("/api/v1/blocs/{}/ranking?year=2019&period=h1{q}", bloc.id);

    // Act
    let ranking = expect(&app.get(&path(""), &admin).await, 200);

    // Assert: the cross sheet outranks SXD's self-assessment; SGTVT and SXD tie at 80.
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        lines(&ranking),
        vec![
            (Some(1), "STNMT".into(), Some(90.0), some("Xuất sắc")),
            (Some(2), "SGTVT".into(), Some(80.0), some("Tốt")),
            (Some(2), "SXD".into(), Some(80.0), some("Tốt")),
            (None, "SCT".into(), None, None),
            (None, "SKHDT".into(), None, None),
            (None, "SNNPTNT".into(), None, None),
        ]
    );
    assert_eq!(ranking["items"][2]["sheet_id"], cross);
    assert_eq!(ranking["items"][2]["sheet_kind"], "cross");
    assert_eq!(ranking["basis"], "approved");

    // The self-assessments compared, whatever their state.
    let by_self = expect(&app.get(&path("&basis=self"), &admin).await, 200);
    let ranks: Vec<(Option<u64>, String)> = lines(&by_self)
        .into_iter()
        .map(|(r, c, ..)| (r, c))
        .take(4)
        .collect();
    assert_eq!(
        ranks,
        vec![
            (Some(1), "SCT".into()),
            (Some(2), "STNMT".into()),
            (Some(3), "SXD".into()),
            (Some(4), "SGTVT".into()),
        ]
    );

    // The official view: only what the board published.
    let official = expect(&app.get(&path("&basis=published"), &admin).await, 200);
    assert!(lines(&official).iter().all(|(r, ..)| r.is_none()));
    let sheet_path = format!("/api/v1/score-sheets/{stnmt}");
    expect(
        &transition(&app, &admin, &sheet_path, "publish", None).await,
        200,
    );
    let official = expect(&app.get(&path("&basis=published"), &admin).await, 200);
    assert_eq!(lines(&official)[0].0, Some(1));
    assert_eq!(lines(&official)[0].1, "STNMT");

    // An officer of another bloc does not see it.
    let other = fixtures::bloc_with_members(&app, &admin, "K-VX", 2019, &["SVHTTDL"]).await;
    let outsider = fixtures::officer(&app, &admin, "cb.svh", other.units[0]).await;
    assert_eq!(app.get(&path(""), &outsider.token).await.status, 404);
    app.get(
        &format!("/api/v1/blocs/{}/ranking?year=2019", bloc.id),
        &admin,
    )
    .await
    .problem(400, "invalid_query");
}

#[actix_web::test]
async fn the_ranking_exports_as_csv_and_as_a_workbook() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    scored(
        &app,
        &admin,
        (cov, bloc.units[3]),
        "self",
        [48.0, 29.0, 18.0],
        &["submit", "approve"],
    )
    .await;
    let query = "year=2019&period=h1";

    let csv = app
        .get(
            &format!("/api/v1/blocs/{}/ranking/export?{query}", bloc.id),
            &admin,
        )
        .await;
    assert_eq!(csv.status, 200);
    let text = String::from_utf8_lossy(&csv.body).into_owned();
    assert!(text.starts_with("\u{feff}rank,unit_id,unit_code"), "{text}");
    assert!(
        text.contains("1,") && text.contains("SCT,Sở Công Thương,95,0,95,Xuất sắc"),
        "{text}"
    );

    let res = app
        .get(
            &format!("/api/v1/blocs/{}/ranking/workbook?{query}", bloc.id),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type").as_deref(),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(res.body.to_vec())).unwrap();
    let range = book.worksheet_range("Xếp hạng").unwrap();
    assert_eq!(range.get((2, 0)), Some(&Data::String("Hạng / Rank".into())));
    assert_eq!(
        range.get((2, 5)),
        Some(&Data::String("Tổng điểm / Total".into()))
    );
    assert_eq!(range.get((3, 1)), Some(&Data::String("SCT".into())));
    assert_eq!(range.get((3, 0)), Some(&Data::Float(1.0)));
    assert_eq!(range.get((3, 5)), Some(&Data::Float(95.0)));
    assert_eq!(range.get((3, 6)), Some(&Data::String("Xuất sắc".into())));
    assert_eq!(range.get((7, 1)), Some(&Data::String("STNMT".into())));
}
