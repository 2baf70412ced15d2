//! The shapes of `/movements` requests and answers (registrations are in
//! `movements::registration_types`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::movements::Movement;
use crate::domain::movement::MovementAction;
use crate::domain::{Date, MovementForm, MovementScope, MovementStatus};
use crate::http::csv::{CsvRow, opt};
pub use crate::ops::movements::{CreateMovement, MovementPatch};
use crate::{list_query, transition_request};

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
    pub decision_date: Option<Date>,
    pub scope: MovementScope,
    pub form: MovementForm,
    /// The first day of the movement.
    pub start_date: Date,
    /// The last day, for a movement with an end.
    pub end_date: Option<Date>,
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
        pub active_on: Option<Date>,
        /// Words starting words of the name or slogan; diacritics and case are ignored.
        #[param(max_length = 200, example = "tiet kiem")]
        pub q: Option<String>,
    }
    export = MovementExportQuery,
    order_by = crate::db::movements::MovementSort
}

transition_request! {
    /// A step of a movement's workflow: `open` (planned → open), `review` (open → reviewing),
    /// `reopen` (reviewing → open, with a reason), `close` (open or reviewing → closed),
    /// `cancel` (planned → closed, with a reason).
    pub struct MovementTransition { action: MovementAction }
}
