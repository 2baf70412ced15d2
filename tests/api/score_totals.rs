//! The totals kept on write: after a few hundred random entry writes and transitions, every
//! stored total equals the sum of its sheet's entries, read straight from the tables.

use actix_web::http::Method;
use diesel::prelude::*;
use serde_json::{Value, json};
use thidua::db::schema::{score_entries, score_sheets, score_totals};

use crate::fixtures::{covenant, etag, founding_2019, sheet, transition};
use crate::helpers::TestApp;

/// A small linear congruential generator: the same sequence on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }
}

/// Points for a criterion of the founding document, now and then above its maximum.
fn entry(rng: &mut Lcg) -> (&'static str, Value) {
    let (code, points, bonus) = match rng.next(3) {
        0 => (
            "1.1",
            rng.next(103) as f64 * 0.5,
            rng.next(501) as f64 / 100.0,
        ),
        1 => ("1.2", rng.next(122) as f64 * 0.25, 0.0),
        _ => (
            "2.1",
            rng.next(2005) as f64 / 100.0,
            rng.next(201) as f64 / 100.0,
        ),
    };
    (code, json!({"points": points, "bonus": bonus}))
}

#[actix_web::test]
async fn every_stored_total_is_the_sum_of_its_entries() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = founding_2019(&app, &admin).await;
    let cov = covenant(&app, &admin, &bloc).await;
    let mut ids = Vec::new();
    for (i, unit) in bloc.units.iter().enumerate() {
        let kind = if i % 2 == 0 { "self" } else { "board" };
        ids.push(
            sheet(&app, &admin, cov, *unit, "year", kind).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let mut rng = Lcg(2019);

    // Act: 300 random writes and steps; every answer is a success or a refusal.
    for _ in 0..300 {
        let id = ids[rng.next(ids.len() as u64) as usize];
        let path = format!("/api/v1/score-sheets/{id}");
        let res = match rng.next(10) {
            0 => transition(&app, &admin, &path, "submit", None).await,
            1 => transition(&app, &admin, &path, "return", Some("Chấm lại")).await,
            2 => {
                let list: Vec<Value> = (0..rng.next(4))
                    .map(|_| {
                        let (code, mut e) = entry(&mut rng);
                        e["criterion_code"] = json!(code);
                        e
                    })
                    .collect();
                let tag = etag(&app, &admin, &path).await;
                app.request(Method::PUT, &format!("{path}/entries"))
                    .token(&admin)
                    .header("if-match", &tag)
                    .json(&json!({ "entries": list }))
                    .send()
                    .await
            }
            _ => {
                let (code, body) = entry(&mut rng);
                let tag = etag(&app, &admin, &path).await;
                app.request(Method::PUT, &format!("{path}/entries/{code}"))
                    .token(&admin)
                    .header("if-match", &tag)
                    .json(&body)
                    .send()
                    .await
            }
        };
        assert!(
            [200, 409, 422].contains(&res.status),
            "{}: {}",
            res.status,
            String::from_utf8_lossy(&res.body)
        );
    }

    // Assert: read the tables directly.
    let mut c = app.connection();
    let totals: Vec<(i64, i64, i64, i64, i32, String)> = score_totals::table
        .select((
            score_totals::sheet_id,
            score_totals::points,
            score_totals::bonus,
            score_totals::grand_total,
            score_totals::entry_count,
            score_totals::state,
        ))
        .load(&mut c)
        .unwrap();
    assert_eq!(totals.len(), ids.len());
    let mut entries_seen = 0;
    for (sheet_id, points, bonus, grand, count, state) in totals {
        let rows: Vec<(i64, i64)> = score_entries::table
            .filter(score_entries::sheet_id.eq(sheet_id))
            .select((score_entries::points, score_entries::bonus))
            .load(&mut c)
            .unwrap();
        entries_seen += rows.len();
        assert_eq!(
            points,
            rows.iter().map(|r| r.0).sum::<i64>(),
            "sheet {sheet_id}"
        );
        assert_eq!(
            bonus,
            rows.iter().map(|r| r.1).sum::<i64>(),
            "sheet {sheet_id}"
        );
        assert_eq!(grand, points + bonus);
        assert_eq!(count as usize, rows.len());
        let stored: String = score_sheets::table
            .find(sheet_id)
            .select(score_sheets::state)
            .first(&mut c)
            .unwrap();
        assert_eq!(state, stored, "sheet {sheet_id}");
    }
    assert!(entries_seen > 0);
}
