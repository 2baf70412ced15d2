//! Who may see or change which person: the role × operation table over persons of three
//! units, and the importer's path into the same checks.

use actix_web::http::Method;
use serde_json::json;
use thidua::auth::Actor;
use thidua::db::persons::PersonData;
use thidua::domain::Gender;
use thidua::error::ApiError;

use crate::fixtures::{
    bloc_named, chair, full_names, ids, members, officer, person, person_body, unit_named, user,
    viewer,
};
use crate::helpers::TestApp;

#[derive(Debug, Clone, Copy)]
enum Op {
    List,
    GetA,
    GetB,
    GetC,
    Create,
    Patch,
    Delete,
}

async fn attempt(app: &TestApp, token: Option<&str>, op: Op, p: [i64; 3], unit: i64) -> u16 {
    let path = |id: i64| format!("/api/v1/persons/{id}");
    let req = match op {
        Op::List => app.request(Method::GET, "/api/v1/persons"),
        Op::GetA => app.request(Method::GET, &path(p[0])),
        Op::GetB => app.request(Method::GET, &path(p[1])),
        Op::GetC => app.request(Method::GET, &path(p[2])),
        Op::Create => app
            .request(Method::POST, "/api/v1/persons")
            .json(&person_body("Giàng A Páo", unit)),
        Op::Patch => app
            .request(Method::PATCH, &path(p[0]))
            .header("if-match", "*")
            .merge_patch(&json!({"position": "Trưởng phòng"})),
        Op::Delete => app
            .request(Method::DELETE, &path(p[2]))
            .header("if-match", "*"),
    };
    let req = match token {
        Some(t) => req.token(t),
        None => req,
    };
    req.send().await.status
}

#[actix_web::test]
async fn who_may_do_what_with_persons() {
    // Arrange: units A, B (in bloc K) and C, one person in each, and a caller of every kind.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = unit_named(&app, &admin, "A", "Sở Tài chính").await;
    let b = unit_named(&app, &admin, "B", "Sở Công thương").await;
    let c = unit_named(&app, &admin, "C", "Sở Y tế").await;
    let bloc = bloc_named(&app, &admin, "K-KT", "Khối các cơ quan kinh tế").await;
    members(&app, &admin, bloc, 2025, &[b]).await;
    let mut people = [0; 3];
    for (i, unit) in [a, b, c].into_iter().enumerate() {
        people[i] = person(&app, &admin, unit, &format!("Người {i}")).await;
    }
    let viewer = viewer(&app, &admin, "viewer.all").await.token;
    let officer = officer(&app, &admin, "officer.a", a).await.token;
    let chair = chair(&app, &admin, "chair.k", &[bloc]).await.token;
    let viewer_k = user(
        &app,
        &admin,
        "viewer.k",
        "viewer",
        json!({"bloc_ids": [bloc]}),
    )
    .await
    .token;

    // Act and assert, cell by cell. The admin comes last: its writes change the data.
    use Op::*;
    let ops = [List, GetA, GetB, GetC, Create, Patch, Delete];
    let table: [(&str, Option<&str>, [u16; 7], usize); 6] = [
        ("anonymous", None, [401, 401, 401, 401, 401, 401, 401], 0),
        (
            "viewer",
            Some(&viewer),
            [200, 200, 200, 200, 403, 403, 403],
            3,
        ),
        (
            "officer of A",
            Some(&officer),
            [200, 200, 404, 404, 403, 403, 403],
            1,
        ),
        (
            "chair of K",
            Some(&chair),
            [200, 404, 200, 404, 403, 403, 403],
            1,
        ),
        (
            "viewer of K",
            Some(&viewer_k),
            [200, 404, 200, 404, 403, 403, 403],
            1,
        ),
        (
            "admin",
            Some(&admin),
            [200, 200, 200, 200, 201, 200, 204],
            3,
        ),
    ];
    for (who, token, expected, listed) in table {
        for (op, status) in ops.iter().zip(expected) {
            assert_eq!(
                attempt(&app, token, *op, people, a).await,
                status,
                "{who}: {op:?}"
            );
        }
        if let Some(t) = token {
            let list = app.get("/api/v1/persons", t).await.json();
            assert_eq!(ids(&list).len(), listed, "{who} lists");
        }
    }
    // The officer's list holds only their unit's persons (the admin added one there), the
    // chair's CSV only those of the bloc's units.
    let list = app.get("/api/v1/persons", &officer).await.json();
    assert_eq!(full_names(&list), ["Người 0", "Giàng A Páo"]);
    let csv = app.get("/api/v1/persons/export", &chair).await;
    let text = String::from_utf8(csv.body[3..].to_vec()).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Người 1"));
}

#[actix_web::test]
async fn the_importer_path_checks_the_unit_and_the_code() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let unit = unit_named(&app, &admin, "SCT", "Sở Công thương").await;
    let data = |unit_id: i64| PersonData {
        full_name: "Lò Văn Minh".into(),
        gender: Some(Gender::Male),
        birth_year: Some(1985),
        position: None,
        unit_id,
        civil_servant_code: Some("VC-2020-00001".into()),
    };
    let run = |d: PersonData| {
        app.state
            .db
            .write(move |c| thidua::ops::persons::create(c, &Actor::default(), &d))
    };
    let created = run(data(unit)).await.unwrap();
    assert_eq!(created.data.full_name, "Lò Văn Minh");
    assert!(matches!(
        run(data(unit)).await,
        Err(ApiError::Conflict {
            code: thidua::error::Code::CivilServantCodeTaken,
            ..
        })
    ));
    match run(data(999)).await {
        Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "unit_id"),
        other => panic!("{other:?}"),
    }
    // It indexed and audited like POST does.
    let found = app.get("/api/v1/persons?q=lo%20minh", &admin).await.json();
    assert_eq!(ids(&found), [created.id]);
    let audit = app
        .get("/api/v1/audit-events?action=person.create", &admin)
        .await
        .json();
    assert_eq!(ids(&audit).len(), 1);
}
