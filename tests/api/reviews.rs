//! `/blocs/{id}/reviews`, `/reviews/{id}`: the founding document — the midyear review of 2019
//! of Khối Hạ tầng – Kinh tế – Kỹ thuật — recorded whole through the API and read back; lists
//! replaced by merge patches; lists and exports.

use serde_json::{Value, json};

use crate::fixtures::{self, expect, id};
use crate::helpers::TestApp;

const SAVING: &str = "Toàn dân thực hành tiết kiệm, chống lãng phí";
const HCM: &str = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh";

async fn movement(app: &TestApp, admin: &str, name: &str) -> i64 {
    let body =
        json!({"name": name, "scope": "national", "form": "regular", "start_date": "2016-05-15"});
    id(&expect(
        &app.post("/api/v1/movements", admin, &body).await,
        201,
    ))
}

/// The founding document, sentence by sentence, as a review body.
fn founding_review(units: &[i64], khue: i64, saving: i64, hcm: i64) -> Value {
    json!({
        "kind": "midyear", "year": 2019, "period": "h1", "held_on": "2019-07-29",
        "title": "Sơ kết công tác Thi đua, khen thưởng 6 tháng đầu năm, phương hướng nhiệm vụ 6 tháng cuối năm 2019 Khối Hạ tầng - Kinh tế - Kỹ thuật",
        "place": "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên",
        "host_unit_id": units[0],
        "chair_person_id": khue,
        "summary": "Hòa trong không khí tưng bừng của nhân dân cả nước thi đua lập thành tích chào mừng các ngày lễ lớn, trong đó có các ngày lễ lớn của tỉnh như kỷ niệm 110 năm thành lập tỉnh; 70 năm thành lập Đảng bộ tỉnh và 65 năm chiến thắng lịch sử Điện Biên Phủ cán bộ, công chức, viên chức và người lao động Khối Hạ tầng - Kinh tế - Kỹ thuật đang nỗ lực thi đua lập thành tích thực hiện thắng lợi các mục tiêu, nhiệm vụ Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIII; Đại hội thi đua yêu nước tỉnh Điện Biên lần thứ V; Đại hội Đảng các cấp nhiệm kỳ 2020-2025. Chiều 29/7/2019, tại Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên (cơ quan thường trực thi đua Khối năm 2019) tổ chức Hội nghị Sơ kết công tác Thi đua, khen thưởng 6 tháng đầu năm, phương hướng nhiệm vụ 6 tháng cuối năm 2019.",
        "attendees": [
            {"person_id": khue, "position": "Phó Giám đốc phụ trách Sở Tài nguyên và Môi trường, Thường trực khối thi đua năm 2019",
             "unit_id": units[0], "note": "Phát biểu tại Hội nghị"},
            {"name": "Trần Đại Nghĩa", "position": "Phó Ban Thi đua – Khen thưởng tỉnh",
             "unit_name": "Ban Thi đua – Khen thưởng tỉnh Điện Biên", "note": "Trao cờ thi đua cho Sở Công thương"},
            {"name": "Trần Thị Thu Hằng", "position": "Chủ tịch Công đoàn Viên chức tỉnh",
             "unit_name": "Công đoàn Viên chức tỉnh Điện Biên"},
        ],
        "other_attendees": "Lãnh đạo 6 cơ quan trong Khối Hạ tầng - Kinh tế - Kỹ thuật; Lãnh đạo phòng và chuyên viên phụ trách công tác thi đua khen thưởng của các Sở, Ngành",
        "achievements": "Trong 6 tháng đầu năm 2019, các Sở, Ngành trong Khối đã bám sát chỉ đạo của Chính Phủ, Tỉnh ủy, HĐND tỉnh, UBND tỉnh và các cấp, bộ chủ quản để cụ thể hóa thành kế hoạch, chương trình phát động thi đua gắn với đặc điểm tình hình cụ thể của chuyên ngành với nhiều phong trào thi đua thiết thực hiệu quả; động viên khích lệ kịp thời cán bộ, công chức, viên chức lao động thi đua phấn đấu hoàn thành tốt các nhiệm vụ chính trị được Tỉnh ủy, HĐND, UBND giao trong 6 tháng đầu năm 2019; đóng góp vào sự phát triển kinh tế, văn hóa, xã hội, đảm bảo an ninh quốc phòng tỉnh trong 6 tháng đầu năm. Cải cách hành chính được quan tâm; kỷ luật kỷ cương được tăng cường, đạo đức công vụ được nâng cao; chất lượng hành chính công được cải thiện đáp ứng yêu cầu phục vụ nhân dân, doanh nghiệp; trong khối không có phát sinh nổi cộm chuyên ngành; không có khiếu nại, tố cáo vượt cấp; Việc phát hiện bồi dưỡng và nhân rộng điển hình tiên tiến tiếp tục được chú trọng, qua đó đã thúc đẩy được phong trào thi đua phát triển cả về chiều rộng và chiều sâu.",
        "direction": "Để phát huy những ưu điểm và khắc phục hạn chế nhằm phấn đấu hoàn thành và hoàn thành vượt mức các chỉ tiêu phát triển kinh tế xã hội được giao năm 2019, các đơn vị thành viên Khối cần tập trung thực hiện tốt một số nhiệm vụ trọng tâm chủ yếu",
        "focus_tasks": [
            {"text": "Tiếp tục đẩy mạnh phong trào thi đua thực hiện thắng lợi nhiệm vụ phát triển Kinh tế - Xã hội, đảm bảo Quốc phòng - An ninh 6 tháng cuối năm 2019.", "owner_unit_ids": units},
            {"text": "Các đơn vị trong Khối tiếp tục chỉ đạo thực hiện các phong trào thi đua yêu nước đã được phát động, đổi mới phương pháp tổ chức phong trào thi đua. Đồng thời, cần tăng cường hơn nữa trong việc phối hợp giải quyết những vấn đề có liên quan đến nhiệm vụ của mỗi bên để cùng phấn đấu hoàn thành và hoàn thành vượt mức các chỉ tiêu, nhiệm vụ năm 2019.", "owner_unit_ids": units},
            {"text": "Gắn công tác thi đua, khen thưởng với việc thực hiện nhiệm vụ chính trị được giao; Tăng cường công tác xây dựng, phát hiện và nhân rộng điển hình tiên tiến, gương người tốt, việc tốt nhân rộng ra các đơn vị trong Khối; Tăng cường công tác giáo dục chính trị, tư tưởng, phổ biến học tập nắm vững Luật Thi đua, khen thưởng; tiếp tục thực hiện đẩy mạnh việc “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”.", "owner_unit_ids": units, "movement_id": hcm},
            {"text": "Thi đua thực hành tiết kiệm, chống lãng phí, chống tham nhũng: Tăng cường công tác thanh tra, kiểm tra, bám sát cơ sở, xây dựng và đẩy mạnh cuộc vận động “Toàn dân thực hành tiết kiệm, chống lãng phí”; Tích cực tham gia các hoạt động nhân đạo, từ thiện, đẩy mạnh công tác phòng chống các tệ nạn xã hội, thực hiện có hiệu quả công tác phòng chống ma tuý.", "owner_unit_ids": units, "movement_id": saving},
            {"text": "Tổ chức sơ kết, tổng kết phong trào thi đua của Khối, trên cơ sở những bài học kinh nghiệm đã được đúc kết và tiến hành phổ biến, giới thiệu để các đơn vị thành viên học tập, nhân rộng các điển hình tiên tiến đồng thời lựa chọn, đề xuất các tập thể đủ tiêu chuẩn, điều kiện để đề nghị cấp trên khen thưởng các danh hiệu thi đua nhằm tạo động lực thúc đẩy phong trào thi đua của các đơn vị thành viên trong khối, ngày càng đạt hiệu quả cao hơn.", "owner_unit_ids": units},
        ],
        "awards": [
            {"unit_id": units[3], "award_name": "Cờ thi đua",
             "presented_by": "Trần Đại Nghĩa, Phó Ban Thi đua – Khen thưởng tỉnh"},
        ],
        "source": "Đoàn Hương - TTCNTT, 30/7/2019",
    })
}

/// Whether `got` says everything `sent` said: the same values, objects with at least its
/// members (the answer adds `null` for what was left out).
fn holds(got: &Value, sent: &Value) -> bool {
    match (got, sent) {
        (Value::Object(g), Value::Object(s)) => {
            s.iter()
                .all(|(k, v)| holds(g.get(k).unwrap_or(&Value::Null), v))
                && g.iter()
                    .all(|(k, v)| s.contains_key(k) || v.is_null() || v == &json!([]))
        }
        (Value::Array(g), Value::Array(s)) => {
            g.len() == s.len() && g.iter().zip(s).all(|(g, s)| holds(g, s))
        }
        _ => got == sent,
    }
}

#[actix_web::test]
async fn the_founding_documents_midyear_review_is_recorded_whole_and_read_back() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::founding_2019(&app, &admin).await;
    let khue = fixtures::person(&app, &admin, bloc.units[0], "Ngôn Ngọc Khuê").await;
    let saving = movement(&app, &admin, SAVING).await;
    let hcm = movement(&app, &admin, HCM).await;
    let body = founding_review(&bloc.units, khue, saving, hcm);
    let stranger = fixtures::unit(&app, &admin, "SYT").await;

    // Act
    let created = app
        .post(&format!("/api/v1/blocs/{}/reviews", bloc.id), &admin, &body)
        .await;
    let created = expect(&created, 201);
    let got = app
        .get(&format!("/api/v1/reviews/{}", id(&created)), &admin)
        .await;
    let of_sct = expect(
        &app.get(&format!("/api/v1/units/{}/reviews", bloc.units[3]), &admin)
            .await,
        200,
    );
    let of_stranger = expect(
        &app.get(&format!("/api/v1/units/{stranger}/reviews"), &admin)
            .await,
        200,
    );

    // Assert
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
    let got = expect(&got, 200);
    for (field, value) in body.as_object().unwrap() {
        assert!(
            holds(&got[field], value),
            "{field}: {} is not {value}",
            got[field]
        );
    }
    assert_eq!(got["status"], "draft");
    assert_eq!(got["bloc_id"], bloc.id);
    assert_eq!(got["focus_tasks"].as_array().unwrap().len(), 5);
    assert_eq!(got["focus_tasks"][3]["movement_id"], saving);
    assert_eq!(got["awards"][0]["unit_id"], bloc.units[3]);
    assert_eq!(of_sct["items"].as_array().unwrap().len(), 1);
    assert_eq!(of_stranger["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        fixtures::audit(&app, &admin, "review.create").await.len(),
        1
    );
}

#[actix_web::test]
async fn a_merge_patch_replaces_a_whole_list_and_keeps_the_others() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K1", 2019, &["A", "B", "C"]).await;
    let review = fixtures::review(
        &app,
        &admin,
        bloc.id,
        json!({"focus_tasks": [{"text": "Nhiệm vụ một"}, {"text": "Nhiệm vụ hai"}],
               "attendees": [{"name": "Trần Thị Thu Hằng"}]}),
    )
    .await;
    let path = format!("/api/v1/reviews/{}", id(&review));

    // Act
    let patched = fixtures::patch_current(
        &app,
        &admin,
        &path,
        &json!({"focus_tasks": [{"text": "Nhiệm vụ mới", "owner_unit_ids": [bloc.units[2]]}],
                "place": "Hội trường Sở Xây dựng"}),
    )
    .await;
    let stale = app
        .request(actix_web::http::Method::PATCH, &path)
        .token(&admin)
        .header("if-match", "\"1\"")
        .merge_patch(&json!({"place": "Nơi khác"}))
        .send()
        .await;
    let null_list = fixtures::patch_current(&app, &admin, &path, &json!({"awards": null})).await;
    let unknown = fixtures::patch_current(
        &app,
        &admin,
        &path,
        &json!({"attendees": [{"name": "A", "unit_id": 999_999}, {"position": "Chuyên viên"}]}),
    )
    .await;

    // Assert
    let patched = expect(&patched, 200);
    assert_eq!(
        patched["focus_tasks"],
        json!([{"text": "Nhiệm vụ mới", "owner_unit_ids": [bloc.units[2]], "movement_id": null}])
    );
    assert_eq!(patched["attendees"][0]["name"], "Trần Thị Thu Hằng");
    assert_eq!(patched["place"], "Hội trường Sở Xây dựng");
    assert_eq!(stale.status, 412);
    null_list.problem(400, "invalid_body");
    let p = unknown.problem(422, "validation_failed");
    assert_eq!(
        fixtures::error_fields(&p),
        ["attendees[1].name", "attendees[0].unit_id"]
    );
    let of_c = expect(
        &app.get(&format!("/api/v1/units/{}/reviews", bloc.units[2]), &admin)
            .await,
        200,
    );
    assert_eq!(of_c["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn a_blocs_reviews_are_listed_filtered_exported_and_deleted() {
    // Arrange
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let bloc = fixtures::bloc_with_members(&app, &admin, "K2", 2019, &["A"]).await;
    fixtures::review(&app, &admin, bloc.id, json!({})).await;
    let annual = fixtures::review(
        &app,
        &admin,
        bloc.id,
        json!({"kind": "annual", "period": "year", "held_on": "2019-12-20", "place": "=cmd"}),
    )
    .await;
    let base = format!("/api/v1/blocs/{}/reviews", bloc.id);

    // Act
    let midyear = expect(&app.get(&format!("{base}?kind=midyear"), &admin).await, 200);
    let by_date = expect(
        &app.get(&format!("{base}?order_by=held_on%20desc"), &admin)
            .await,
        200,
    );
    let csv = app.get(&format!("{base}/export"), &admin).await;
    let deleted =
        fixtures::delete_current(&app, &admin, &format!("/api/v1/reviews/{}", id(&annual))).await;
    let after = expect(&app.get(&base, &admin).await, 200);

    // Assert
    assert_eq!(midyear["items"].as_array().unwrap().len(), 1);
    assert_eq!(by_date["items"][0]["kind"], "annual");
    let text = String::from_utf8_lossy(&csv.body).into_owned();
    assert_eq!(csv.status, 200, "{text}");
    assert!(text.contains("'=cmd"), "{text}");
    assert_eq!(text.lines().count(), 3, "{text}");
    assert_eq!(deleted.status, 204);
    assert_eq!(after["items"].as_array().unwrap().len(), 1);
}
