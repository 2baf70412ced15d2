//! Who sees which blocs: `/units/{id}/blocs` by year, what a unit officer and a bloc chair see,
//! and the role × operation matrix of `/blocs`.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{
    bloc_body, bloc_from, chair, codes, founding, members, members_of, officer, put_members,
    unit_named, viewer,
};
use crate::helpers::TestApp;

#[actix_web::test]
async fn a_unit_lists_its_blocs_by_year() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let u = &f.units;
    let cluster = bloc_from(
        &app,
        &admin,
        json!({"code": "C-TP", "name": "Cụm thi đua thành phố Điện Biên Phủ",
        "kind": "cluster", "level": "province", "active_from": 2019}),
    )
    .await;
    members(&app, &admin, f.bloc, 2019, u).await;
    put_members(
        &app,
        &admin,
        f.bloc,
        2020,
        "*",
        json!([{"unit_id": u[1], "role": "chair"}, {"unit_id": u[0], "role": "member"}]),
    )
    .await;
    put_members(
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
    let outsider = unit_named(&app, &admin, "SYT", "Sở Y tế").await;
    let other = bloc_from(&app, &admin, bloc_body("K-VHXH", "Khối Văn hóa – Xã hội")).await;
    members(&app, &admin, f.bloc, 2019, u).await;
    put_members(
        &app,
        &admin,
        other,
        2019,
        "*",
        json!([{"unit_id": outsider, "role": "chair"}]),
    )
    .await;

    let officer = officer(&app, &admin, "canbo_sct", u[3]).await.token;
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
    put_members(
        &app,
        &admin,
        other,
        2020,
        "*",
        json!([{"unit_id": u[3], "role": "chair"}]),
    )
    .await;
    let chair = chair(&app, &admin, "truongkhoi", &[f.bloc]).await.token;
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
async fn each_role_may_do_what_its_scope_allows() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let f = founding(&app, &admin).await;
    let a = f.units[3];
    let b = f.bloc;
    let outsider = unit_named(&app, &admin, "SYT", "Sở Y tế").await;
    let c = bloc_from(&app, &admin, bloc_body("K-VHXH", "Khối Văn hóa – Xã hội")).await;
    let d = bloc_from(&app, &admin, bloc_body("K-XOA", "Khối sẽ xóa")).await;
    members(&app, &admin, b, 2019, &f.units).await;
    put_members(
        &app,
        &admin,
        c,
        2019,
        "*",
        json!([{"unit_id": outsider, "role": "chair"}]),
    )
    .await;
    let tokens = [
        ("anonymous", None),
        ("viewer", Some(viewer(&app, &admin, "xem").await.token)),
        (
            "unit_officer",
            Some(officer(&app, &admin, "canbo", a).await.token),
        ),
        (
            "bloc_chair",
            Some(chair(&app, &admin, "truongkhoi", &[b]).await.token),
        ),
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
