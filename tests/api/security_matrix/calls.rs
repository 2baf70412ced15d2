//! The request each operation of the matrix makes for a caller, on the object in its scope or
//! out of it.

use actix_web::http::Method;
use serde_json::{Value, json};

use super::objects::{
    Fixture, ROLES, YEAR, criteria, fresh, fresh_sheet, fresh_year, new_bloc, new_covenant,
    new_goal, new_movement, new_person, new_registration, new_review, new_unit, scope_of, username,
};
use crate::fixtures;
use crate::helpers::{PASSWORD, TestApp};

/// Who calls: a role's account (its username, for a fresh login) or nobody.
#[derive(Clone, Copy)]
pub enum Caller {
    Role(usize),
    Anonymous,
}

/// One request of the matrix.
pub struct Call {
    pub method: Method,
    pub path: String,
    pub body: Option<(&'static str, Vec<u8>)>,
    pub headers: Vec<(&'static str, String)>,
    /// Replaces the caller's token (a throwaway account's, for logout, refresh, password).
    pub token: Option<Option<String>>,
}

impl Call {
    fn new(method: Method, path: impl Into<String>) -> Call {
        Call {
            method,
            path: path.into(),
            body: None,
            headers: vec![],
            token: None,
        }
    }

    fn json(mut self, body: Value) -> Call {
        self.body = Some(("application/json", body.to_string().into_bytes()));
        self
    }

    fn merge_patch(mut self, body: Value) -> Call {
        self.body = Some((
            "application/merge-patch+json",
            body.to_string().into_bytes(),
        ));
        self
    }

    fn csv(mut self, text: String) -> Call {
        self.body = Some(("text/csv", text.into_bytes()));
        self
    }

    fn if_match(mut self, etag: String) -> Call {
        self.headers.push(("if-match", etag));
        self
    }
}

/// The request for `op` by `caller` on the object inside (`out == false`) or outside its scope.
pub async fn call(app: &TestApp, f: &Fixture, op: &str, caller: Caller, out: bool) -> Call {
    let admin = f.admin.as_str();
    let unit = if out { f.unit_b } else { f.unit_a };
    let bloc = if out { f.bloc_y } else { f.bloc_x };
    let person = if out { f.person_b } else { f.person_a };
    let reg = if out { f.reg_b } else { f.reg_a };
    let goal = if out { f.goal_b } else { f.goal_a };
    let review = if out { f.review_y } else { f.review_x };
    let role = match caller {
        Caller::Role(r) => Some(r),
        Caller::Anonymous => None,
    };
    let is_admin = role == Some(0);
    let covenant = if out { f.cov_y } else { f.cov_x };
    let sheet = if out { f.sheet_b } else { f.sheet_a };
    let m = f.movement;
    match op {
        "healthz" => Call::new(Method::GET, "/healthz"),
        "readyz" => Call::new(Method::GET, "/readyz"),
        "metrics" => Call::new(Method::GET, "/metrics"),
        "login" => {
            let (name, password) = match role {
                Some(0) | None => ("admin".to_owned(), crate::helpers::ADMIN_PASSWORD),
                Some(r) => (username(r), PASSWORD),
            };
            Call::new(Method::POST, "/api/v1/auth/login")
                .json(json!({"username": name, "password": password}))
        }
        "refresh" | "logout" => {
            // A throwaway account of the same role and scope: logging out ends every access
            // token of the account, the matrix's own included.
            let r = role.unwrap_or(1);
            let name = fresh("mx.session.");
            app.create_user(admin, &name, ROLES[r], scope_of(r, f))
                .await;
            let res = app.login(&name, PASSWORD).await;
            assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
            let s = res.json();
            let mut c = Call::new(Method::POST, format!("/api/v1/auth/{op}"))
                .json(json!({"refresh_token": s["refresh_token"]}));
            if role.is_some() {
                c.token = Some(s["access_token"].as_str().map(str::to_owned));
            }
            c
        }
        "me" => Call::new(Method::GET, "/api/v1/auth/me"),
        "change_password" => {
            // A throwaway account of the same role and scope, so the matrix keeps its own.
            let mut c = Call::new(Method::POST, "/api/v1/auth/password").json(
                json!({"current_password": PASSWORD, "new_password": "một-mật-khẩu-mới-2026"}),
            );
            if let Some(r) = role {
                let name = fresh("mx.pw.");
                let extra = scope_of(r, f);
                app.create_user(admin, &name, ROLES[r], extra).await;
                c.token = Some(Some(app.token(&name, PASSWORD).await));
            }
            c
        }
        "list_users" => Call::new(Method::GET, "/api/v1/users"),
        "create_user" => Call::new(Method::POST, "/api/v1/users")
            .json(json!({"username": fresh("mx.new."), "password": PASSWORD, "role": "viewer"})),
        "get_user" | "update_user" | "set_user_password" => {
            let name = fresh("mx.other.");
            let id = app.create_user(admin, &name, "viewer", json!({})).await["id"]
                .as_i64()
                .unwrap();
            let path = format!("/api/v1/users/{id}");
            match op {
                "get_user" => Call::new(Method::GET, path),
                "update_user" => Call::new(Method::PATCH, &path)
                    .if_match(fixtures::etag(app, admin, &path).await)
                    .merge_patch(json!({"full_name": "Trần Văn Bình"})),
                _ => Call::new(Method::PUT, format!("{path}/password"))
                    .if_match("*".into())
                    .json(json!({"password": "mật-khẩu-mới-đủ-dài"})),
            }
        }
        "list_audit_events" => Call::new(Method::GET, "/api/v1/audit-events"),
        "list_units" => Call::new(Method::GET, "/api/v1/units"),
        "create_unit" => {
            let code = fresh("MX-N");
            Call::new(Method::POST, "/api/v1/units").json(json!({
                "code": code, "name": format!("Đơn vị {code}"), "kind": "administrative",
                "valid_from": "2010-01-01", "parent_id": unit}))
        }
        "get_unit" => Call::new(Method::GET, format!("/api/v1/units/{unit}")),
        "update_unit" => {
            let path = format!("/api/v1/units/{unit}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"short_name": "ĐV"}))
        }
        "delete_unit" => {
            // An administrator deletes a unit nothing refers to; others try the real one.
            let target = if is_admin {
                new_unit(app, admin).await
            } else {
                unit
            };
            let path = format!("/api/v1/units/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "list_unit_ancestors"
        | "list_unit_children"
        | "list_unit_blocs"
        | "list_unit_registrations" => {
            let tail = op.trim_start_matches("list_unit_");
            Call::new(Method::GET, format!("/api/v1/units/{unit}/{tail}"))
        }
        "import_units" => {
            let code = fresh("MX-I");
            Call::new(Method::POST, "/api/v1/imports/units?dry_run=true").csv(format!(
                "code,name,kind,valid_from\n{code},Đơn vị {code},administrative,2010-01-01\n"
            ))
        }
        "list_persons" => Call::new(Method::GET, "/api/v1/persons"),
        "create_person" => Call::new(Method::POST, "/api/v1/persons")
            .json(json!({"full_name": "Lê Thị Hoa", "unit_id": unit})),
        "get_person" => Call::new(Method::GET, format!("/api/v1/persons/{person}")),
        "update_person" => {
            let path = format!("/api/v1/persons/{person}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"position": "Chuyên viên"}))
        }
        "delete_person" => {
            let target = new_person(app, admin, unit).await;
            let path = format!("/api/v1/persons/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "import_persons" => {
            let code = app
                .get(&format!("/api/v1/units/{unit}"), admin)
                .await
                .json()["code"]
                .as_str()
                .unwrap()
                .to_owned();
            Call::new(Method::POST, "/api/v1/imports/persons?dry_run=true")
                .csv(format!("full_name,unit_code\nPhạm Văn Đức,{code}\n"))
        }
        "list_blocs" => Call::new(Method::GET, "/api/v1/blocs"),
        "create_bloc" => {
            let code = fresh("MX-B");
            Call::new(Method::POST, "/api/v1/blocs").json(json!({
                "code": code, "name": format!("Khối {code}"), "kind": "cluster",
                "level": "province", "active_from": 2021}))
        }
        "get_bloc" => Call::new(Method::GET, format!("/api/v1/blocs/{bloc}")),
        "update_bloc" => {
            let path = format!("/api/v1/blocs/{bloc}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"description": "Khối thi đua"}))
        }
        "delete_bloc" => {
            let target = if is_admin {
                new_bloc(app, admin, None).await
            } else {
                bloc
            };
            let path = format!("/api/v1/blocs/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "get_bloc_members" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/members?year={YEAR}"),
        ),
        "replace_bloc_members" => {
            let member = if out { f.unit_b } else { f.unit_a };
            let path = format!("/api/v1/blocs/{bloc}/members/{YEAR}");
            let current = fixtures::etag(
                app,
                admin,
                &format!("/api/v1/blocs/{bloc}/members?year={YEAR}"),
            )
            .await;
            Call::new(Method::PUT, path)
                .if_match(current)
                .json(json!({"members": [{"unit_id": member, "role": "chair"}]}))
        }
        "list_movements" => Call::new(Method::GET, "/api/v1/movements"),
        "create_movement" => Call::new(Method::POST, "/api/v1/movements").json(json!({
            "name": fresh("Phong trào mới "), "scope": "province", "form": "thematic",
            "start_date": "2026-05-01"})),
        "get_movement" => Call::new(Method::GET, format!("/api/v1/movements/{m}")),
        "update_movement" => {
            let path = format!("/api/v1/movements/{m}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"slogan": "Tiết kiệm là quốc sách"}))
        }
        "delete_movement" => {
            let target = new_movement(app, admin).await;
            let path = format!("/api/v1/movements/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "list_registrations" => {
            Call::new(Method::GET, format!("/api/v1/movements/{m}/registrations"))
        }
        "create_registration" => {
            // A movement of its own, so that the unit is not registered yet.
            let target = new_movement(app, admin).await;
            Call::new(
                Method::POST,
                format!("/api/v1/movements/{target}/registrations"),
            )
            .json(json!({"unit_id": unit, "pledge": "Hoàn thành 100% chỉ tiêu"}))
        }
        "get_registration" => Call::new(
            Method::GET,
            format!("/api/v1/movements/{m}/registrations/{reg}"),
        ),
        "update_registration" => {
            // A registration of its own, still pending, for each call.
            let target = new_movement(app, admin).await;
            let rid = new_registration(app, admin, target, unit).await;
            let path = format!("/api/v1/movements/{target}/registrations/{rid}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"pledge": "Hoàn thành vượt mức chỉ tiêu"}))
        }
        "transition_movement" => {
            let target = new_movement(app, admin).await;
            Call::new(
                Method::POST,
                format!("/api/v1/movements/{target}/transitions"),
            )
            .json(json!({"action": "review"}))
        }
        "transition_registration" => {
            // A registration of its own, still pending, for each call.
            let target = new_movement(app, admin).await;
            let rid = new_registration(app, admin, target, unit).await;
            Call::new(
                Method::POST,
                format!("/api/v1/movements/{target}/registrations/{rid}/transitions"),
            )
            .json(json!({"action": "approve"}))
        }
        "export_users" => Call::new(Method::GET, "/api/v1/users/export"),
        "export_audit_events" => Call::new(Method::GET, "/api/v1/audit-events/export"),
        "export_units" => Call::new(Method::GET, "/api/v1/units/export"),
        "export_unit_children" => {
            Call::new(Method::GET, format!("/api/v1/units/{unit}/children/export"))
        }
        "export_unit_registrations" => Call::new(
            Method::GET,
            format!("/api/v1/units/{unit}/registrations/export"),
        ),
        "export_persons" => Call::new(Method::GET, "/api/v1/persons/export"),
        "export_blocs" => Call::new(Method::GET, "/api/v1/blocs/export"),
        "export_movements" => Call::new(Method::GET, "/api/v1/movements/export"),
        "export_registrations" => Call::new(
            Method::GET,
            format!("/api/v1/movements/{m}/registrations/export"),
        ),
        "list_unit_goals" => Call::new(Method::GET, format!("/api/v1/units/{unit}/goals")),
        "export_unit_goals" => Call::new(Method::GET, format!("/api/v1/units/{unit}/goals/export")),
        "create_goal" => Call::new(Method::POST, format!("/api/v1/units/{unit}/goals")).json(
            json!({"year": YEAR, "period": "h1", "title": "Không có khiếu nại vượt cấp",
                   "unit_of_measure": "vụ", "direction": "lower", "target": "0"}),
        ),
        "get_goal" => Call::new(Method::GET, format!("/api/v1/goals/{goal}")),
        "update_goal" => {
            let path = format!("/api/v1/goals/{goal}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"actual": "97.5"}))
        }
        "delete_goal" => {
            let target = new_goal(app, admin, unit).await;
            let path = format!("/api/v1/goals/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "list_bloc_goals" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/goals?year={YEAR}"),
        ),
        "export_bloc_goals" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/goals/export?year={YEAR}"),
        ),
        "export_bloc_goals_workbook" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/goals/workbook?year={YEAR}"),
        ),
        "list_bloc_reviews" => Call::new(Method::GET, format!("/api/v1/blocs/{bloc}/reviews")),
        "export_bloc_reviews" => {
            Call::new(Method::GET, format!("/api/v1/blocs/{bloc}/reviews/export"))
        }
        "create_review" => Call::new(Method::POST, format!("/api/v1/blocs/{bloc}/reviews")).json(
            json!({"kind": "covenant_signing", "year": YEAR, "period": "year",
                   "held_on": "2026-03-10", "place": "Hội trường Sở Xây dựng"}),
        ),
        "get_review" => Call::new(Method::GET, format!("/api/v1/reviews/{review}")),
        "update_review" => {
            let path = format!("/api/v1/reviews/{review}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"achievements": "Hoàn thành các chỉ tiêu 6 tháng đầu năm"}))
        }
        "delete_review" => {
            let host = if out { f.unit_b } else { f.unit_a };
            let target = new_review(app, admin, bloc, host).await;
            let path = format!("/api/v1/reviews/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "transition_review" => {
            let host = if out { f.unit_b } else { f.unit_a };
            let target = new_review(app, admin, bloc, host).await;
            Call::new(
                Method::POST,
                format!("/api/v1/reviews/{target}/transitions"),
            )
            .json(json!({"action": "confirm"}))
        }
        "list_unit_reviews" => Call::new(Method::GET, format!("/api/v1/units/{unit}/reviews")),
        "export_unit_reviews" => {
            Call::new(Method::GET, format!("/api/v1/units/{unit}/reviews/export"))
        }
        "list_covenants" => Call::new(Method::GET, format!("/api/v1/blocs/{bloc}/covenants")),
        "export_covenants" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/covenants/export"),
        ),
        "create_covenant" => Call::new(Method::POST, format!("/api/v1/blocs/{bloc}/covenants"))
            .json(json!({"year": fresh_year(), "content": "Giao ước thi đua"})),
        "get_covenant" => Call::new(Method::GET, format!("/api/v1/covenants/{covenant}")),
        "update_covenant" => {
            let path = format!("/api/v1/covenants/{covenant}");
            Call::new(Method::PATCH, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .merge_patch(json!({"place": "Hội trường Sở Tài nguyên và Môi trường"}))
        }
        "delete_covenant" => {
            let target = new_covenant(app, admin, bloc, fresh_year()).await;
            let path = format!("/api/v1/covenants/{target}");
            Call::new(Method::DELETE, &path).if_match(fixtures::etag(app, admin, &path).await)
        }
        "get_covenant_criteria" => Call::new(
            Method::GET,
            format!("/api/v1/covenants/{covenant}/criteria"),
        ),
        "replace_covenant_criteria" => {
            let target = new_covenant(app, admin, bloc, fresh_year()).await;
            let path = format!("/api/v1/covenants/{target}/criteria");
            Call::new(Method::PUT, &path)
                .if_match(fixtures::etag(app, admin, &path).await)
                .json(criteria())
        }
        "copy_covenant" => Call::new(Method::POST, format!("/api/v1/covenants/{covenant}/copy"))
            .json(json!({"year": fresh_year()})),
        "list_score_sheets" => Call::new(Method::GET, "/api/v1/score-sheets"),
        "export_score_sheets" => Call::new(Method::GET, "/api/v1/score-sheets/export"),
        "create_score_sheet" => {
            // Each caller its own period, so that the successful ones do not collide.
            let period = match role {
                Some(0) => "h2",
                _ => "year",
            };
            Call::new(Method::POST, "/api/v1/score-sheets").json(json!({
                "covenant_id": covenant, "unit_id": unit, "period": period, "kind": "self"}))
        }
        "get_score_sheet" => Call::new(Method::GET, format!("/api/v1/score-sheets/{sheet}")),
        "put_score_entry" => {
            let path = format!("/api/v1/score-sheets/{sheet}");
            Call::new(Method::PUT, format!("{path}/entries/1.1"))
                .if_match(fixtures::etag(app, admin, &path).await)
                .json(json!({"points": 40.5, "evidence": "Báo cáo sơ kết 6 tháng"}))
        }
        "replace_score_entries" => {
            let path = format!("/api/v1/score-sheets/{sheet}");
            Call::new(Method::PUT, format!("{path}/entries"))
                .if_match(fixtures::etag(app, admin, &path).await)
                .json(json!({"entries": [{"criterion_code": "1.1", "points": 42}]}))
        }
        "transition_score_sheet" => {
            let target = fresh_sheet(app, admin, bloc, unit).await;
            Call::new(
                Method::POST,
                format!("/api/v1/score-sheets/{target}/transitions"),
            )
            .json(json!({"action": "submit"}))
        }
        "list_score_sheet_history" => {
            Call::new(Method::GET, format!("/api/v1/score-sheets/{sheet}/history"))
        }
        "get_bloc_ranking" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/ranking?year={YEAR}&period=h1"),
        ),
        "export_bloc_ranking" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/ranking/export?year={YEAR}&period=h1"),
        ),
        "export_bloc_ranking_workbook" => Call::new(
            Method::GET,
            format!("/api/v1/blocs/{bloc}/ranking/workbook?year={YEAR}&period=h1&basis=self"),
        ),
        other => panic!("the matrix has a row for {other} but no request for it"),
    }
}
