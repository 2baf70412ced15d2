//! `/blocs`: blocs and clusters, their yearly members under the database's rules, the blocs of
//! a unit, search, CSV, and who may see what.

use actix_web::ResponseError;
use actix_web::http::Method;
use diesel::RunQueryDsl;
use serde_json::{Value, json};
use thidua::db::blocs::members;
use thidua::domain::MemberRole;

use crate::helpers::{PASSWORD, TestApp, TestResponse};

/// Creates a unit existing from `from` (to `to`, when given) and returns its id.
async fn unit(app: &TestApp, admin: &str, code: &str, name: &str, to: Option<&str>) -> i64 {
    let body = json!({"code": code, "name": name, "kind": "administrative",
        "admin_level": "province", "valid_from": "2008-04-01", "valid_to": to});
    let res = app.post("/api/v1/units", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()["id"].as_i64().unwrap()
}

fn bloc_body(code: &str, name: &str) -> Value {
    json!({"code": code, "name": name, "kind": "bloc", "level": "province",
        "founding_decision_number": "1234/QĐ-UBND", "founding_decision_date": "2018-12-20",
        "active_from": 2019})
}

async fn bloc(app: &TestApp, admin: &str, body: Value) -> i64 {
    let res = app.post("/api/v1/blocs", admin, &body).await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    res.json()["id"].as_i64().unwrap()
}

async fn put(
    app: &TestApp,
    token: &str,
    bloc: i64,
    year: i32,
    tag: &str,
    m: Value,
) -> TestResponse {
    app.request(Method::PUT, &format!("/api/v1/blocs/{bloc}/members/{year}"))
        .token(token)
        .header("if-match", tag)
        .json(&json!({ "members": m }))
        .send()
        .await
}

async fn members_of(app: &TestApp, token: &str, bloc: i64, year: i32) -> TestResponse {
    app.get(&format!("/api/v1/blocs/{bloc}/members?year={year}"), token)
        .await
}

fn codes(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {list}"))
        .iter()
        .map(|m| {
            m["unit_code"]
                .as_str()
                .or(m["code"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The founding example: the infrastructure bloc of Điện Biên and its six member departments.
struct Founding {
    bloc: i64,
    /// STNMT (chair), SXD (deputy), SGTVT, SCT, SNNPTNT, SKHDT.
    units: Vec<i64>,
    retired: i64,
}

async fn founding(app: &TestApp, admin: &str) -> Founding {
    let mut units = Vec::new();
    for (code, name) in [
        ("STNMT", "Sở Tài nguyên và Môi trường"),
        ("SXD", "Sở Xây dựng"),
        ("SGTVT", "Sở Giao thông vận tải"),
        ("SCT", "Sở Công Thương"),
        ("SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
        ("SKHDT", "Sở Kế hoạch và Đầu tư"),
    ] {
        units.push(unit(app, admin, code, name, None).await);
    }
    let retired = unit(
        app,
        admin,
        "SBCVT",
        "Sở Bưu chính Viễn thông",
        Some("2018-12-31"),
    )
    .await;
    let bloc = bloc(
        app,
        admin,
        bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
    )
    .await;
    Founding {
        bloc,
        units,
        retired,
    }
}

fn six(u: &[i64]) -> Value {
    json!([
        {"unit_id": u[3], "role": "member"},
        {"unit_id": u[1], "role": "deputy"},
        {"unit_id": u[0], "role": "chair"},
        {"unit_id": u[2], "role": "member"},
        {"unit_id": u[4], "role": "member"},
        {"unit_id": u[5], "role": "member"},
    ])
}

#[actix_web::test]
async fn the_infrastructure_bloc_has_six_members_in_2019_chaired_by_natural_resources() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;

    let before = members_of(&app, &admin, f.bloc, 2019).await;
    assert_eq!(before.status, 200);
    assert_eq!(
        before.json(),
        json!({"bloc_id": f.bloc, "year": 2019, "members": []})
    );

    let res = put(&app, &admin, f.bloc, 2019, "*", six(&f.units)).await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let tag = res.header("etag").unwrap();
    assert_ne!(Some(&tag), before.header("etag").as_ref());
    let body = res.json();
    assert_eq!(body["bloc_id"], f.bloc);
    assert_eq!(body["year"], 2019);
    assert_eq!(
        codes(&body, "members"),
        ["STNMT", "SXD", "SGTVT", "SCT", "SNNPTNT", "SKHDT"],
        "chair first, then the deputy, then the members"
    );
    assert_eq!(
        body["members"][0]["unit_name"],
        "Sở Tài nguyên và Môi trường"
    );
    assert_eq!(body["members"][0]["role"], "chair");
    assert_eq!(body["members"][1]["role"], "deputy");
    assert_eq!(body["members"][5]["role"], "member");

    let read = members_of(&app, &admin, f.bloc, 2019).await;
    assert_eq!(read.json(), body);
    assert_eq!(read.header("etag"), Some(tag));
    // Other years are untouched.
    assert_eq!(
        members_of(&app, &admin, f.bloc, 2020).await.json()["members"],
        json!([])
    );

    let res = app
        .get(
            &format!("/api/v1/units/{}/blocs?year=2019", f.units[0]),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    let items = res.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1);
    assert_eq!(items[0]["bloc_code"], "K-HTKTKT");
    assert_eq!(items[0]["bloc_name"], "Khối Hạ tầng – Kinh tế – Kỹ thuật");
    assert_eq!(items[0]["role"], "chair");
    assert_eq!(items[0]["year"], 2019);

    // The units list knows the membership too.
    let res = app
        .get(
            &format!("/api/v1/units?bloc_id={}&year=2019", f.bloc),
            &admin,
        )
        .await;
    assert_eq!(res.json()["items"].as_array().unwrap().len(), 6);
}

#[actix_web::test]
async fn a_member_list_needs_exactly_one_chair_and_each_unit_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let cases = [
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": u[1], "role": "chair"}]),
            "members",
            "chair_count",
        ),
        (
            json!([{"unit_id": u[0], "role": "deputy"}, {"unit_id": u[1], "role": "member"}]),
            "members",
            "chair_count",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": u[1], "role": "member"},
                {"unit_id": u[1], "role": "deputy"}]),
            "members[2].unit_id",
            "duplicate",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": f.retired, "role": "member"}]),
            "members[1].unit_id",
            "not_valid_in_year",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": 9999, "role": "member"}]),
            "members[1].unit_id",
            "unknown",
        ),
        (
            json!([{"unit_id": u[0], "role": "chair"}, {"unit_id": 0, "role": "member"}]),
            "members[1].unit_id",
            "range",
        ),
    ];
    for (list, field, code) in cases {
        let res = put(&app, &admin, f.bloc, 2019, "*", list.clone()).await;
        let problem = res.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{list}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{list}: {problem}");
    }
    // The bloc is active from 2019: 2018 is outside its years.
    let res = put(
        &app,
        &admin,
        f.bloc,
        2018,
        "*",
        json!([{"unit_id": u[0], "role": "chair"}]),
    )
    .await;
    let problem = res.problem(422, "validation_failed");
    assert_eq!(problem["errors"][0]["field"], "year");
    assert_eq!(problem["errors"][0]["code"], "inactive");
    // Too many members, unknown fields and roles.
    let many: Vec<Value> = (0..201)
        .map(|i| json!({"unit_id": i + 1, "role": "member"}))
        .collect();
    put(&app, &admin, f.bloc, 2019, "*", Value::from(many))
        .await
        .problem(422, "validation_failed");
    put(
        &app,
        &admin,
        f.bloc,
        2019,
        "*",
        json!([{"unit_id": u[0], "role": "boss"}]),
    )
    .await
    .problem(400, "invalid_body");
    put(
        &app,
        &admin,
        f.bloc,
        2019,
        "*",
        json!([{"unit_id": u[0], "role": "chair", "x": 1}]),
    )
    .await
    .problem(400, "invalid_body");
    put(&app, &admin, f.bloc, 1900, "*", json!([]))
        .await
        .problem(422, "validation_failed");
    put(&app, &admin, 9999, 2019, "*", json!([]))
        .await
        .problem(404, "not_found");
    // A retired unit is fine in a year it existed in (the bloc must be active then too).
    let old = bloc(
        &app,
        &admin,
        json!({"code": "K-CU", "name": "Khối cũ", "kind": "bloc",
        "level": "province", "active_from": 2010, "active_to": 2018}),
    )
    .await;
    let res = put(
        &app,
        &admin,
        old,
        2018,
        "*",
        json!([{"unit_id": f.retired, "role": "chair"}]),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    // Nothing was written by the refused attempts.
    assert_eq!(
        members_of(&app, &admin, f.bloc, 2019).await.json()["members"],
        json!([])
    );
}

#[actix_web::test]
async fn replacing_twice_is_audited_with_before_and_after_and_guarded_by_the_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let path = format!("/api/v1/blocs/{}/members/2019", f.bloc);

    app.request(Method::PUT, &path)
        .token(&admin)
        .json(&json!({"members": []}))
        .send()
        .await
        .problem(428, "precondition_required");
    put(&app, &admin, f.bloc, 2019, "\"stale\"", six(u))
        .await
        .problem(412, "precondition_failed");

    let first = put(&app, &admin, f.bloc, 2019, "*", six(u)).await;
    assert_eq!(first.status, 200);
    let tag1 = first.header("etag").unwrap();
    // Once the year has members, `*` would overwrite blindly.
    put(&app, &admin, f.bloc, 2019, "*", json!([]))
        .await
        .problem(412, "precondition_failed");

    // SXD takes the chair; SGTVT and SCT leave.
    let second_list = json!([
        {"unit_id": u[0], "role": "deputy"},
        {"unit_id": u[1], "role": "chair"},
        {"unit_id": u[4], "role": "member"},
        {"unit_id": u[5], "role": "deputy"},
    ]);
    let second = put(&app, &admin, f.bloc, 2019, &tag1, second_list.clone()).await;
    assert_eq!(
        second.status,
        200,
        "{}",
        String::from_utf8_lossy(&second.body)
    );
    let tag2 = second.header("etag").unwrap();
    assert_ne!(tag1, tag2);
    assert_eq!(
        codes(&second.json(), "members"),
        ["SXD", "STNMT", "SKHDT", "SNNPTNT"]
    );
    // The old tag is stale now.
    put(&app, &admin, f.bloc, 2019, &tag1, six(u))
        .await
        .problem(412, "precondition_failed");
    // The same list again gives the same tag: it is the content's.
    let again = put(&app, &admin, f.bloc, 2019, &tag2, second_list).await;
    assert_eq!(again.header("etag"), Some(tag2.clone()));

    let res = app
        .get(
            &format!(
                "/api/v1/audit-events?action=bloc.members_replace&resource_id={}",
                f.bloc
            ),
            &admin,
        )
        .await;
    assert_eq!(res.status, 200);
    let events = res.json()["items"].clone();
    assert_eq!(events.as_array().unwrap().len(), 3, "{events}");
    let (e1, e2) = (&events[0], &events[1]);
    assert_eq!(e1["resource_type"], "bloc");
    assert_eq!(e1["before"]["members"], json!([]));
    assert_eq!(codes(&e1["after"], "members").len(), 6);
    assert_eq!(e2["before"], e1["after"]);
    assert_eq!(
        codes(&e2["after"], "members"),
        ["SXD", "STNMT", "SKHDT", "SNNPTNT"]
    );
    assert_eq!(e2["after"]["year"], 2019);

    // An empty list clears the year.
    let cleared = put(&app, &admin, f.bloc, 2019, &tag2, json!([])).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.json()["members"], json!([]));
    assert_eq!(
        members_of(&app, &admin, f.bloc, 2019).await.header("etag"),
        cleared.header("etag")
    );
}

#[actix_web::test]
async fn a_unit_lists_its_blocs_by_year() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let cluster = bloc(
        &app,
        &admin,
        json!({"code": "C-TP", "name": "Cụm thi đua thành phố Điện Biên Phủ",
        "kind": "cluster", "level": "province", "active_from": 2019}),
    )
    .await;
    put(&app, &admin, f.bloc, 2019, "*", six(u)).await;
    put(
        &app,
        &admin,
        f.bloc,
        2020,
        "*",
        json!([{"unit_id": u[1], "role": "chair"}, {"unit_id": u[0], "role": "member"}]),
    )
    .await;
    put(
        &app,
        &admin,
        cluster,
        2020,
        "*",
        json!([{"unit_id": u[0], "role": "chair"}]),
    )
    .await;

    let path = format!("/api/v1/units/{}/blocs", u[0]);
    let all = app.get(&path, &admin).await.json();
    assert_eq!(all["unit_id"], u[0]);
    assert!(all.get("year").is_none());
    let rows: Vec<(i64, i64, &str)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["year"].as_i64().unwrap(),
                i["bloc_id"].as_i64().unwrap(),
                i["role"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (2019, f.bloc, "chair"),
            (2020, f.bloc, "member"),
            (2020, cluster, "chair")
        ]
    );
    let y2020 = app.get(&format!("{path}?year=2020"), &admin).await.json();
    assert_eq!(y2020["year"], 2020);
    assert_eq!(y2020["items"][1]["kind"], "cluster");
    assert_eq!(
        app.get(&format!("{path}?year=2021"), &admin).await.json()["items"],
        json!([])
    );
    app.get(&format!("{path}?year=1800"), &admin)
        .await
        .problem(400, "invalid_query");
    app.get(&format!("{path}?yr=2019"), &admin)
        .await
        .problem(400, "invalid_query");
    app.get("/api/v1/units/9999/blocs", &admin)
        .await
        .problem(404, "not_found");
    // The members endpoint needs its year.
    app.get(&format!("/api/v1/blocs/{}/members", f.bloc), &admin)
        .await
        .problem(400, "invalid_query");
    app.get(
        &format!("/api/v1/blocs/{}/members?year=2101", f.bloc),
        &admin,
    )
    .await
    .problem(400, "invalid_query");
}

#[actix_web::test]
async fn a_unit_officer_reads_the_blocs_of_its_unit_and_no_other() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let outsider = unit(&app, &admin, "SYT", "Sở Y tế", None).await;
    let other = bloc(&app, &admin, bloc_body("K-VHXH", "Khối Văn hóa – Xã hội")).await;
    put(&app, &admin, f.bloc, 2019, "*", six(u)).await;
    put(
        &app,
        &admin,
        other,
        2019,
        "*",
        json!([{"unit_id": outsider, "role": "chair"}]),
    )
    .await;

    app.create_user(
        &admin,
        "canbo_sct",
        "unit_officer",
        json!({"unit_id": u[3]}),
    )
    .await;
    let officer = app.token("canbo_sct", PASSWORD).await;
    let res = app
        .get(&format!("/api/v1/blocs/{}", f.bloc), &officer)
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["name"], "Khối Hạ tầng – Kinh tế – Kỹ thuật");
    let res = members_of(&app, &officer, f.bloc, 2019).await;
    assert_eq!(
        codes(&res.json(), "members").len(),
        6,
        "members of a visible bloc are visible"
    );
    let list = app.get("/api/v1/blocs", &officer).await.json();
    assert_eq!(codes(&list, "items"), ["K-HTKTKT"]);

    app.get(&format!("/api/v1/blocs/{other}"), &officer)
        .await
        .problem(404, "not_found");
    members_of(&app, &officer, other, 2019)
        .await
        .problem(404, "not_found");
    app.get(&format!("/api/v1/units/{outsider}/blocs"), &officer)
        .await
        .problem(404, "not_found");
    let own = app
        .get(&format!("/api/v1/units/{}/blocs", u[3]), &officer)
        .await;
    assert_eq!(own.json()["items"][0]["bloc_id"], f.bloc);

    // A bloc chair sees the units of its bloc, and only its bloc in their memberships.
    put(
        &app,
        &admin,
        other,
        2020,
        "*",
        json!([{"unit_id": u[3], "role": "chair"}]),
    )
    .await;
    app.create_user(
        &admin,
        "truongkhoi",
        "bloc_chair",
        json!({"bloc_ids": [f.bloc]}),
    )
    .await;
    let chair = app.token("truongkhoi", PASSWORD).await;
    let res = app
        .get(&format!("/api/v1/units/{}/blocs", u[3]), &chair)
        .await
        .json();
    let blocs: Vec<i64> = res["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["bloc_id"].as_i64().unwrap())
        .collect();
    assert_eq!(blocs, [f.bloc]);
    app.get(&format!("/api/v1/blocs/{other}"), &chair)
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn a_bloc_is_created_read_changed_and_deleted_with_etags() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/blocs",
            &admin,
            &bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
        )
        .await;
    assert_eq!(res.status, 201);
    let id = res.json()["id"].as_i64().unwrap();
    assert_eq!(res.header("location"), Some(format!("/api/v1/blocs/{id}")));
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    let created = res.json();
    assert_eq!(created["kind"], "bloc");
    assert_eq!(created["level"], "province");
    assert_eq!(created["founding_decision_number"], "1234/QĐ-UBND");
    assert_eq!(created["founding_decision_date"], "2018-12-20");
    assert_eq!(created["active_from"], 2019);
    assert_eq!(created["active_to"], Value::Null);

    let path = format!("/api/v1/blocs/{id}");
    let res = app.get(&path, &admin).await;
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(res.json(), created);

    app.post("/api/v1/blocs", &admin, &bloc_body("K-HTKTKT", "Khối khác"))
        .await
        .problem(409, "code_taken");

    let patch = |tag: Option<&str>, body: Value| {
        let mut r = app.request(Method::PATCH, &path).token(&admin);
        if let Some(t) = tag {
            r = r.header("if-match", t);
        }
        r.merge_patch(&body).send()
    };
    patch(None, json!({"name": "x"}))
        .await
        .problem(428, "precondition_required");
    patch(Some("\"7\""), json!({"name": "x"}))
        .await
        .problem(412, "precondition_failed");
    app.request(Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .problem(415, "unsupported_media_type");
    patch(Some("\"1\""), json!({"active_to": 2010}))
        .await
        .problem(422, "validation_failed");
    patch(Some("\"1\""), json!({"nickname": "x"}))
        .await
        .problem(400, "invalid_body");
    let res = patch(
        Some("\"1\""),
        json!({"active_to": 2025, "description": "Các sở hạ tầng", "founding_decision_date": null}),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    let changed = res.json();
    assert_eq!(changed["active_to"], 2025);
    assert_eq!(changed["description"], "Các sở hạ tầng");
    assert_eq!(changed["founding_decision_date"], Value::Null);
    assert_eq!(changed["founding_decision_number"], "1234/QĐ-UBND");

    // Members pin the active years, and the bloc itself.
    let u = unit(&app, &admin, "STNMT", "Sở Tài nguyên và Môi trường", None).await;
    let res = put(
        &app,
        &admin,
        id,
        2024,
        "*",
        json!([{"unit_id": u, "role": "chair"}]),
    )
    .await;
    assert_eq!(res.status, 200);
    let tag = res.header("etag").unwrap();
    let problem = patch(Some("\"2\""), json!({"active_to": 2023}))
        .await
        .problem(409, "members_outside_active_years");
    assert!(
        problem["detail"].as_str().unwrap().contains("2024"),
        "{problem}"
    );
    let delete = |tag: &'static str| {
        app.request(Method::DELETE, &path)
            .token(&admin)
            .header("if-match", tag)
            .send()
    };
    let problem = delete("\"2\"").await.problem(409, "bloc_in_use");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("1 yearly memberships"),
        "{problem}"
    );
    put(&app, &admin, id, 2024, &tag, json!([])).await;
    let user = app
        .create_user(
            &admin,
            "truongkhoi",
            "bloc_chair",
            json!({"bloc_ids": [id]}),
        )
        .await;
    let problem = delete("\"2\"").await.problem(409, "bloc_in_use");
    assert!(
        problem["detail"].as_str().unwrap().contains("users"),
        "{problem}"
    );
    let user_id = user["id"].as_i64().unwrap();
    let res = app
        .request(Method::PATCH, &format!("/api/v1/users/{user_id}"))
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"role": "viewer", "bloc_ids": []}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));

    app.request(Method::DELETE, &path)
        .token(&admin)
        .send()
        .await
        .problem(428, "precondition_required");
    delete("\"1\"").await.problem(412, "precondition_failed");
    assert_eq!(delete("\"2\"").await.status, 204);
    app.get(&path, &admin).await.problem(404, "not_found");
    assert_eq!(
        app.get("/api/v1/blocs?q=ha%20tang", &admin).await.json()["items"],
        json!([])
    );

    let res = app
        .get(
            &format!("/api/v1/audit-events?resource_type=bloc&resource_id={id}"),
            &admin,
        )
        .await;
    let actions: Vec<String> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        [
            "bloc.create",
            "bloc.update",
            "bloc.members_replace",
            "bloc.members_replace",
            "bloc.delete"
        ]
    );
}

#[actix_web::test]
async fn bad_blocs_are_refused_with_field_errors() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let base = bloc_body("K-1", "Khối 1");
    let cases = [
        ("code", json!("")),
        ("code", json!("K 1")),
        ("name", json!("")),
        ("active_from", json!(1900)),
        ("active_to", json!(2018)),
        ("founding_decision_number", json!("x".repeat(51))),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value;
        let problem = app
            .post("/api/v1/blocs", &admin, &body)
            .await
            .problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let mut body = base.clone();
    body["kind"] = json!("team");
    app.post("/api/v1/blocs", &admin, &body)
        .await
        .problem(400, "invalid_body");
    let mut body = base.clone();
    body["extra"] = json!(1);
    app.post("/api/v1/blocs", &admin, &body)
        .await
        .problem(400, "invalid_body");
    app.get("/api/v1/blocs/9999", &admin)
        .await
        .problem(404, "not_found");
}

#[actix_web::test]
async fn a_bloc_patch_checks_fields_like_creation_and_refuses_null_on_required_ones() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let id = bloc(&app, &admin, bloc_body("K-1", "Khối 1")).await;
    let path = format!("/api/v1/blocs/{id}");
    let patch = |body: &Value| {
        app.request(Method::PATCH, &path)
            .token(&admin)
            .header("if-match", "\"1\"")
            .merge_patch(body)
            .send()
    };
    for field in ["name", "code", "kind", "level", "active_from"] {
        let problem = patch(&json!({ field: null }))
            .await
            .problem(400, "invalid_body");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    for (body, field, code) in [
        (json!({"name": ""}), "name", "length"),
        (json!({"code": "K 1"}), "code", "pattern"),
        (json!({"active_from": 1900}), "active_from", "range"),
        (json!({"active_to": 2101}), "active_to", "range"),
        (
            json!({"description": "x".repeat(2001)}),
            "description",
            "length",
        ),
    ] {
        let problem = patch(&body).await.problem(422, "validation_failed");
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    let got = app.get(&path, &admin).await;
    assert_eq!(
        got.header("etag").as_deref(),
        Some("\"1\""),
        "nothing changed"
    );
    assert_eq!(got.json()["name"], "Khối 1");
}

#[actix_web::test]
async fn creating_a_bloc_with_an_idempotency_key_happens_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let send = |body: Value| {
        app.request(Method::POST, "/api/v1/blocs")
            .token(&admin)
            .header("idempotency-key", "tao-khoi-1")
            .json(&body)
            .send()
    };
    let first = send(bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật")).await;
    assert_eq!(first.status, 201);
    let again = send(bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(again.json()["id"], first.json()["id"]);
    assert_eq!(again.header("location"), first.header("location"));
    send(bloc_body("K-KHAC", "Khối khác"))
        .await
        .problem(422, "idempotency_key_reused");
    assert_eq!(
        app.get("/api/v1/blocs", &admin).await.json()["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[actix_web::test]
async fn bloc_lists_filter_search_and_page() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for body in [
        bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
        bloc_body("K-VHXH", "Khối Văn hóa – Xã hội"),
        json!({"code": "C-DBP", "name": "Cụm thi đua thành phố Điện Biên Phủ", "kind": "cluster", "level": "province", "active_from": 2019}),
        json!({"code": "C-MN", "name": "Cụm thi đua các xã vùng cao Mường Nhé", "kind": "cluster", "level": "district", "active_from": 2010, "active_to": 2018}),
    ] {
        bloc(&app, &admin, body).await;
    }
    let list = |q: &'static str| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/blocs?{q}"), &admin).await;
            assert_eq!(
                res.status,
                200,
                "{q}: {}",
                String::from_utf8_lossy(&res.body)
            );
            codes(&res.json(), "items")
        }
    };
    assert_eq!(list("kind=cluster").await, ["C-DBP", "C-MN"]);
    assert_eq!(list("level=district").await, ["C-MN"]);
    assert_eq!(list("active_in=2015").await, ["C-MN"]);
    assert_eq!(list("active_in=2019&kind=cluster").await, ["C-DBP"]);
    assert_eq!(list("q=dien%20bien").await, ["C-DBP"]);
    assert_eq!(
        list("q=%C4%90I%E1%BB%86N%20bi%C3%AAn%20PH").await,
        ["C-DBP"]
    );
    assert_eq!(list("q=ha%20tang").await, ["K-HTKTKT"]);
    assert_eq!(list("q=k-vhxh").await, ["K-VHXH"]);
    assert_eq!(list("q=van%20hoa%20tang").await, Vec::<String>::new());
    assert_eq!(
        list("order_by=code").await,
        ["C-DBP", "C-MN", "K-HTKTKT", "K-VHXH"]
    );
    assert_eq!(
        list("order_by=code%20desc").await,
        ["K-VHXH", "K-HTKTKT", "C-MN", "C-DBP"]
    );

    let first = app
        .get("/api/v1/blocs?order_by=name&page_size=3", &admin)
        .await
        .json();
    assert_eq!(codes(&first, "items").len(), 3);
    let token = first["next_page_token"].as_str().unwrap();
    let second = app
        .get(
            &format!("/api/v1/blocs?order_by=name&page_size=3&page_token={token}"),
            &admin,
        )
        .await
        .json();
    assert_eq!(codes(&second, "items").len(), 1);
    assert!(second.get("next_page_token").is_none());
    app.get(
        &format!("/api/v1/blocs?order_by=code&page_size=3&page_token={token}"),
        &admin,
    )
    .await
    .problem(400, "invalid_page_token");

    for bad in [
        "order_by=active_from",
        "kind=team",
        "active_in=1800",
        "colour=red",
        "page_size=0",
    ] {
        let res = app.get(&format!("/api/v1/blocs?{bad}"), &admin).await;
        assert_eq!(
            res.status,
            400,
            "{bad}: {}",
            String::from_utf8_lossy(&res.body)
        );
    }
}

#[actix_web::test]
async fn blocs_export_as_csv_with_formulas_defused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    bloc(
        &app,
        &admin,
        bloc_body("K-HTKTKT", "Khối Hạ tầng – Kinh tế – Kỹ thuật"),
    )
    .await;
    bloc(&app, &admin, bloc_body("K-X", "=HYPERLINK(\"x\")")).await;
    for req in [
        app.request(Method::GET, "/api/v1/blocs?format=csv")
            .token(&admin),
        app.request(Method::GET, "/api/v1/blocs?page_size=1")
            .token(&admin)
            .header("accept", "text/csv"),
    ] {
        let res = req.send().await;
        assert_eq!(res.status, 200);
        assert_eq!(
            res.header("content-type").as_deref(),
            Some("text/csv; charset=utf-8")
        );
        assert!(res.body.starts_with(b"\xEF\xBB\xBFid,code,name,kind,level,founding_decision_number,founding_decision_date,description,active_from,active_to\r\n"));
        let text = String::from_utf8(res.body.to_vec()).unwrap();
        assert!(
            text.contains(
                "Khối Hạ tầng – Kinh tế – Kỹ thuật,bloc,province,1234/QĐ-UBND,2018-12-20,,2019,"
            ),
            "{text}"
        );
        assert!(text.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{text}");
        assert_eq!(text.lines().count(), 3, "every row, not one page");
    }
}

#[actix_web::test]
async fn each_role_may_do_what_its_scope_allows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let a = f.units[3];
    let b = f.bloc;
    let outsider = unit(&app, &admin, "SYT", "Sở Y tế", None).await;
    let c = bloc(&app, &admin, bloc_body("K-VHXH", "Khối Văn hóa – Xã hội")).await;
    let d = bloc(&app, &admin, bloc_body("K-XOA", "Khối sẽ xóa")).await;
    put(&app, &admin, b, 2019, "*", six(&f.units)).await;
    put(
        &app,
        &admin,
        c,
        2019,
        "*",
        json!([{"unit_id": outsider, "role": "chair"}]),
    )
    .await;
    app.create_user(&admin, "xem", "viewer", json!({})).await;
    app.create_user(&admin, "canbo", "unit_officer", json!({"unit_id": a}))
        .await;
    app.create_user(&admin, "truongkhoi", "bloc_chair", json!({"bloc_ids": [b]}))
        .await;
    let tokens = [
        ("anonymous", None),
        ("viewer", Some(app.token("xem", PASSWORD).await)),
        ("unit_officer", Some(app.token("canbo", PASSWORD).await)),
        ("bloc_chair", Some(app.token("truongkhoi", PASSWORD).await)),
        ("admin", Some(admin.clone())),
    ];
    let create = bloc_body("K-MOI", "Khối mới");
    let empty = json!({"members": []});
    // (method, path, body, expected for anonymous, viewer, unit_officer, bloc_chair, admin)
    let cases: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
        (
            Method::GET,
            "/api/v1/blocs".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/blocs/{b}"),
            None,
            [401, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/blocs/{c}"),
            None,
            [401, 200, 404, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/blocs/{b}/members?year=2019"),
            None,
            [401, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/blocs/{c}/members?year=2019"),
            None,
            [401, 200, 404, 404, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/units/{a}/blocs?year=2019"),
            None,
            [401, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/units/{outsider}/blocs"),
            None,
            [401, 200, 404, 404, 200],
        ),
        (
            Method::POST,
            "/api/v1/blocs".into(),
            Some(create),
            [401, 403, 403, 403, 201],
        ),
        (
            Method::PATCH,
            format!("/api/v1/blocs/{c}"),
            Some(json!({"description": "Mô tả"})),
            [401, 403, 403, 403, 200],
        ),
        (
            Method::PUT,
            format!("/api/v1/blocs/{c}/members/2020"),
            Some(empty),
            [401, 403, 403, 403, 200],
        ),
        (
            Method::DELETE,
            format!("/api/v1/blocs/{d}"),
            None,
            [401, 403, 403, 403, 204],
        ),
    ];
    for (method, path, body, expected) in cases {
        for ((role, token), want) in tokens.iter().zip(expected) {
            let mut req = app.request(method.clone(), &path).header("if-match", "*");
            if let Some(t) = token {
                req = req.token(t);
            }
            req = match (&body, &method) {
                (Some(b), &Method::PATCH) => req.merge_patch(b),
                (Some(b), _) => req.json(b),
                (None, _) => req,
            };
            let res = req.send().await;
            assert_eq!(
                res.status,
                want,
                "{role} {method} {path}: {}",
                String::from_utf8_lossy(&res.body)
            );
        }
    }
    // Lists are filtered, not refused.
    for (role, token) in &tokens[1..] {
        let list = app
            .get("/api/v1/blocs", token.as_ref().unwrap())
            .await
            .json();
        let want: &[&str] = match *role {
            "unit_officer" | "bloc_chair" => &["K-HTKTKT"],
            _ => &["K-HTKTKT", "K-VHXH", "K-MOI"],
        };
        assert_eq!(codes(&list, "items"), want, "{role}");
    }
}

/// The triggers stand behind the code: whatever slips past it is a 409 or 422, never a 500.
#[actix_web::test]
async fn what_the_database_refuses_is_a_client_error_on_either_backend() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let (b, u) = (f.bloc, &f.units);
    let mut c = app.connection();
    let status = |r: Result<(), thidua::error::ApiError>| {
        let e = r.expect_err("the database should refuse");
        (e.status_code().as_u16(), e.code())
    };

    // A member before the chair.
    assert_eq!(
        status(members::insert(&mut c, b, 2019, u[1], MemberRole::Member)),
        (409, "membership_rule")
    );
    // A unit that no longer existed.
    assert_eq!(
        status(members::insert(
            &mut c,
            b,
            2019,
            f.retired,
            MemberRole::Chair
        )),
        (422, "validation_failed")
    );
    members::insert(&mut c, b, 2019, u[0], MemberRole::Chair).unwrap();
    members::insert(&mut c, b, 2019, u[1], MemberRole::Member).unwrap();
    // A second chair, and a unit twice.
    assert_eq!(
        status(members::insert(&mut c, b, 2019, u[2], MemberRole::Chair)),
        (409, "membership_conflict")
    );
    assert_eq!(
        status(members::insert(&mut c, b, 2019, u[1], MemberRole::Deputy)),
        (409, "membership_conflict")
    );
    // Removing the chair while members remain, and updating in place.
    let raw = |c: &mut thidua::db::AnyConnection, sql: &str| {
        diesel::sql_query(sql)
            .execute(c)
            .map(|_| ())
            .map_err(members::refusal)
    };
    assert_eq!(
        status(raw(&mut c, "DELETE FROM bloc_members WHERE role = 'chair'")),
        (409, "membership_rule")
    );
    assert_eq!(
        status(raw(
            &mut c,
            "UPDATE bloc_members SET role = 'deputy' WHERE role = 'member'"
        )),
        (409, "membership_rule")
    );
    // The API still reads the year the direct inserts made, and replaces it in the right order.
    let res = members_of(&app, &admin, b, 2019).await;
    assert_eq!(codes(&res.json(), "members"), ["STNMT", "SXD"]);
    let tag = res.header("etag").unwrap();
    let res = put(
        &app,
        &admin,
        b,
        2019,
        &tag,
        json!([{"unit_id": u[1], "role": "chair"}, {"unit_id": u[0], "role": "member"}]),
    )
    .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
}
