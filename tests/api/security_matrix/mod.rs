//! The role × operation matrix, generated from the API document: every operation is called by
//! every role (and without a token) on an object inside the caller's scope and on one outside
//! it, and the outcome class (2xx, 401, 403, 404) is compared with the table below.
//!
//! The table is keyed by `operationId`. An operation of the document that has no row fails the
//! test, so a new endpoint cannot ship without a decision on who may call it; a row without an
//! operation fails too. `THIDUA_MATRIX_PRINT=1` prints the observed table in the same form.
//!
//! Scopes: the bloc chair chairs bloc X, whose member is unit A; the unit officer and the viewer
//! belong to unit A. "In" objects are unit A, bloc X, a person of A, A's registration; "out"
//! objects are unit B, bloc Y (member B), a person of B, B's registration. For an operation with
//! no object in a scope (lists, the caller's own session, province-wide movements, accounts),
//! both columns call the same thing and `-` stands in the "out" place.
//!
//! `expected` holds the table, `objects` what it runs against, `calls` the requests; this file
//! runs them.

mod calls;
mod expected;
mod objects;

use std::collections::BTreeMap;

use calls::{Caller, call};
use expected::EXPECTED;
use objects::{ROLES, fixture, username};

use crate::helpers::{PASSWORD, TestApp};

fn class(status: u16) -> String {
    match status {
        200..=299 => "2xx".into(),
        s => s.to_string(),
    }
}

/// The operationIds of the API document.
fn operations() -> Vec<String> {
    let doc = serde_json::to_value(thidua::api::openapi()).unwrap();
    let mut ops = vec![];
    for item in doc["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if ["get", "put", "post", "patch", "delete"].contains(&method.as_str()) {
                ops.push(op["operationId"].as_str().unwrap().to_owned());
            }
        }
    }
    ops.sort();
    ops
}

#[actix_web::test]
async fn every_operation_answers_every_role_as_the_matrix_says() {
    // Arrange
    let table: BTreeMap<&str, [&str; 5]> = EXPECTED.iter().copied().collect();
    assert_eq!(table.len(), EXPECTED.len(), "an operation has two rows");
    let ops = operations();
    let missing: Vec<&String> = ops
        .iter()
        .filter(|o| !table.contains_key(o.as_str()))
        .collect();
    let stale: Vec<&&str> = table
        .keys()
        .filter(|k| !ops.iter().any(|o| o == *k))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "operations without a row in EXPECTED: {missing:?}; rows without an operation: {stale:?}"
    );
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let mut tokens = vec![f.admin.clone()];
    for role in 1..ROLES.len() {
        tokens.push(app.token(&username(role), PASSWORD).await);
    }

    // Act
    let mut observed: Vec<(String, [String; 5])> = vec![];
    let mut wrong = vec![];
    for op in &ops {
        let expected = table[op.as_str()];
        let mut row: [String; 5] = Default::default();
        for (i, cell) in row.iter_mut().enumerate() {
            let caller = if i < ROLES.len() {
                Caller::Role(i)
            } else {
                Caller::Anonymous
            };
            let scoped = i < ROLES.len() && !expected[i].ends_with("/-");
            let mut got = vec![];
            for out in [false, true].into_iter().take(if scoped { 2 } else { 1 }) {
                let c = call(&app, &f, op, caller, out).await;
                let token = match (c.token.clone(), caller) {
                    (Some(t), _) => t,
                    (None, Caller::Role(r)) => Some(tokens[r].clone()),
                    (None, Caller::Anonymous) => None,
                };
                let mut req = app.request(c.method.clone(), &c.path);
                if let Some(t) = &token {
                    req = req.token(t);
                }
                for (k, v) in &c.headers {
                    req = req.header(k, v);
                }
                if let Some((ct, bytes)) = c.body {
                    req = req.body(ct, bytes);
                }
                let res = req.send().await;
                if std::env::var_os("THIDUA_MATRIX_PRINT").is_some() {
                    eprintln!("{op} {i} {out}: {} {}", c.method, res.status);
                }
                let outcome = class(res.status);
                let want = expected[i].split('/').nth(usize::from(out)).unwrap();
                if outcome != want {
                    wrong.push(format!(
                        "{op} as {} ({}): expected {want}, got {} {} {}",
                        ROLES.get(i).unwrap_or(&"anonymous"),
                        if out { "out of scope" } else { "in scope" },
                        res.status,
                        c.method,
                        String::from_utf8_lossy(&res.body)
                    ));
                }
                got.push(outcome);
            }
            if i < ROLES.len() && !scoped {
                got.push("-".into());
            }
            *cell = got.join("/");
        }
        observed.push((op.clone(), row));
    }

    // Assert
    if std::env::var_os("THIDUA_MATRIX_PRINT").is_some() {
        for (op, row) in &observed {
            println!("    (\"{op}\", {row:?}),");
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
