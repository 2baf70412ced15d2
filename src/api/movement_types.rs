//! The shapes of `/movements` requests and answers (registrations are in
//! `movements::registration_types`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::db::movements::{Movement, MovementData};
use crate::domain::{MovementForm, MovementScope, MovementStatus};
use crate::error::ApiError;
use crate::http::csv::{CsvRow, opt};
use crate::list_query;

/// An emulation movement (phong trào thi đua) launched in the province.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MovementResponse {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "Toàn dân thực hành tiết kiệm, chống lãng phí")]
    pub name: String,
    /// Khẩu hiệu.
    #[schema(example = "Tiết kiệm là quốc sách")]
    pub slogan: Option<String>,
    /// The unit that launched it (đơn vị phát động).
    #[schema(example = 1)]
    pub launching_unit_id: Option<i64>,
    /// Số quyết định phát động.
    #[schema(example = "1122/QĐ-UBND")]
    pub decision_number: Option<String>,
    /// Ngày quyết định.
    #[schema(example = "2026-03-02")]
    pub decision_date: Option<NaiveDate>,
    pub scope: MovementScope,
    pub form: MovementForm,
    /// The first day of the movement.
    #[schema(example = "2026-03-15")]
    pub start_date: NaiveDate,
    /// The last day, for a movement with an end.
    #[schema(example = "2030-12-31")]
    pub end_date: Option<NaiveDate>,
    pub status: MovementStatus,
    #[schema(
        example = "Phát động trong các cơ quan, đơn vị, địa phương tỉnh Điện Biên giai đoạn 2026–2030"
    )]
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<Movement> for MovementResponse {
    fn from(m: Movement) -> Self {
        let d = m.data;
        MovementResponse {
            id: m.id,
            name: d.name,
            slogan: d.slogan,
            launching_unit_id: d.launching_unit_id,
            decision_number: d.decision_number,
            decision_date: d.decision_date,
            scope: d.scope,
            form: d.form,
            start_date: d.start_date,
            end_date: d.end_date,
            status: d.status,
            description: d.description,
            created_at: m.created_at.and_utc(),
            updated_at: m.updated_at.and_utc(),
            version: m.version,
        }
    }
}

impl CsvRow for MovementResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "name",
        "slogan",
        "launching_unit_id",
        "decision_number",
        "decision_date",
        "scope",
        "form",
        "start_date",
        "end_date",
        "status",
        "description",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            opt(&self.slogan),
            opt(&self.launching_unit_id),
            opt(&self.decision_number),
            opt(&self.decision_date),
            self.scope.to_string(),
            self.form.to_string(),
            self.start_date.to_string(),
            opt(&self.end_date),
            self.status.to_string(),
            opt(&self.description),
        ]
    }
}

/// A new movement.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateMovement {
    #[schema(
        example = "Toàn dân thực hành tiết kiệm, chống lãng phí",
        min_length = 1,
        max_length = 500
    )]
    #[validate(length(min = 1, max = 500))]
    pub name: String,
    #[schema(example = "Tiết kiệm là quốc sách", min_length = 1, max_length = 500)]
    #[validate(length(min = 1, max = 500))]
    pub slogan: Option<String>,
    /// An existing unit.
    // No example: the documented example must be accepted on an empty database.
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub launching_unit_id: Option<i64>,
    #[schema(example = "1122/QĐ-UBND", min_length = 1, max_length = 50)]
    #[validate(length(min = 1, max = 50))]
    pub decision_number: Option<String>,
    #[schema(example = "2026-03-02")]
    pub decision_date: Option<NaiveDate>,
    pub scope: MovementScope,
    pub form: MovementForm,
    #[schema(example = "2026-03-15")]
    pub start_date: NaiveDate,
    /// Not before `start_date`.
    #[schema(example = "2030-12-31")]
    pub end_date: Option<NaiveDate>,
    /// `planned` when absent.
    pub status: Option<MovementStatus>,
    #[schema(
        example = "Phát động trong các cơ quan, đơn vị, địa phương tỉnh Điện Biên giai đoạn 2026–2030",
        min_length = 1,
        max_length = 4000
    )]
    #[validate(length(min = 1, max = 4000))]
    pub description: Option<String>,
}

fn check_dates(start: NaiveDate, end: Option<NaiveDate>) -> Result<(), ApiError> {
    match end {
        Some(end) if end < start => Err(ApiError::invalid(
            "end_date",
            "order",
            "must not be before start_date",
        )),
        _ => Ok(()),
    }
}

impl CreateMovement {
    pub fn into_data(self) -> Result<MovementData, ApiError> {
        self.validate()?;
        check_dates(self.start_date, self.end_date)?;
        Ok(MovementData {
            name: self.name,
            slogan: self.slogan,
            launching_unit_id: self.launching_unit_id,
            decision_number: self.decision_number,
            decision_date: self.decision_date,
            scope: self.scope,
            form: self.form,
            start_date: self.start_date,
            end_date: self.end_date,
            status: self.status.unwrap_or(MovementStatus::Planned),
            description: self.description,
        })
    }
}

/// Changes to a movement, as a JSON merge patch: absent fields stay, `null` clears. Opening
/// registrations is `{"status": "open"}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct MovementPatch {
    #[schema(
        example = "Toàn dân thực hành tiết kiệm, chống lãng phí",
        min_length = 1,
        max_length = 500,
        nullable = false
    )]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 500))]
    pub name: Option<String>,
    #[schema(value_type = Option<String>, example = "Tiết kiệm là quốc sách", min_length = 1, max_length = 500)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 500))]
    pub slogan: Option<Option<String>>,
    #[schema(value_type = Option<i64>, example = 1, minimum = 1)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1))]
    pub launching_unit_id: Option<Option<i64>>,
    #[schema(value_type = Option<String>, example = "1122/QĐ-UBND", min_length = 1, max_length = 50)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 50))]
    pub decision_number: Option<Option<String>>,
    #[schema(value_type = Option<NaiveDate>, example = "2026-03-02")]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub decision_date: Option<Option<NaiveDate>>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub scope: Option<MovementScope>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub form: Option<MovementForm>,
    #[schema(example = "2026-03-15", nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_date: Option<NaiveDate>,
    #[schema(value_type = Option<NaiveDate>, example = "2030-12-31")]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<Option<NaiveDate>>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<MovementStatus>,
    #[schema(value_type = Option<String>, example = "Phát động trong toàn tỉnh Điện Biên", min_length = 1, max_length = 4000)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 4000))]
    pub description: Option<Option<String>>,
}

impl MovementPatch {
    /// The movement's data with this patch applied.
    pub fn apply(&self, d: &MovementData) -> Result<MovementData, ApiError> {
        let out = MovementData {
            name: self.name.clone().unwrap_or_else(|| d.name.clone()),
            slogan: self.slogan.clone().unwrap_or_else(|| d.slogan.clone()),
            launching_unit_id: self.launching_unit_id.unwrap_or(d.launching_unit_id),
            decision_number: self
                .decision_number
                .clone()
                .unwrap_or_else(|| d.decision_number.clone()),
            decision_date: self.decision_date.unwrap_or(d.decision_date),
            scope: self.scope.unwrap_or(d.scope),
            form: self.form.unwrap_or(d.form),
            start_date: self.start_date.unwrap_or(d.start_date),
            end_date: self.end_date.unwrap_or(d.end_date),
            status: self.status.unwrap_or(d.status),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| d.description.clone()),
        };
        check_dates(out.start_date, out.end_date)?;
        Ok(out)
    }
}

list_query! {
    /// Filters for the movement list.
    pub struct MovementListQuery {
        pub status: Option<MovementStatus>,
        pub form: Option<MovementForm>,
        pub scope: Option<MovementScope>,
        /// Only movements launched by this unit.
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub launching_unit_id: Option<i64>,
        /// Only movements running on this day (started, and not ended or open-ended).
        #[param(example = "2026-06-01")]
        pub active_on: Option<NaiveDate>,
        /// Words starting words of the name or slogan; diacritics and case are ignored.
        #[param(max_length = 200, example = "tiet kiem")]
        pub q: Option<String>,
    }
    export = MovementExportQuery,
    order_by = crate::db::movements::MovementSort
}
