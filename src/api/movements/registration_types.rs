//! The shapes of registration requests and answers (`/movements/{id}/registrations`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::db::movements::registrations::Registration;
use crate::domain::RegistrationStatus;
use crate::domain::movement::RegistrationAction;
use crate::http::csv::{CsvRow, opt};
use crate::{list_query, transition_request};

/// The most characters of a pledge.
pub const PLEDGE_MAX: u64 = 4000;

/// A unit's registration for a movement (đăng ký thi đua), with the board's decision.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationResponse {
    #[schema(example = 12)]
    pub id: i64,
    #[schema(example = 7)]
    pub movement_id: i64,
    #[schema(example = "Toàn dân thực hành tiết kiệm, chống lãng phí")]
    pub movement_name: String,
    #[schema(example = 3)]
    pub unit_id: i64,
    #[schema(example = "SCT")]
    pub unit_code: String,
    #[schema(example = "Sở Công thương")]
    pub unit_name: String,
    /// Nội dung đăng ký, cam kết.
    #[schema(
        example = "Giảm 10% chi phí điện, nước, văn phòng phẩm so với năm 2025; không sử dụng đồ nhựa dùng một lần"
    )]
    pub pledge: String,
    pub status: RegistrationStatus,
    /// The board's reasons, required for a rejection.
    #[schema(example = "Nội dung cam kết chưa có chỉ tiêu cụ thể")]
    pub decision_note: Option<String>,
    /// The user who decided.
    #[schema(example = 1)]
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<Registration> for RegistrationResponse {
    fn from(r: Registration) -> Self {
        let d = r.data;
        RegistrationResponse {
            id: r.id,
            movement_id: r.movement_id,
            movement_name: r.movement_name,
            unit_id: r.unit_id,
            unit_code: r.unit_code,
            unit_name: r.unit_name,
            pledge: d.pledge,
            status: d.status,
            decision_note: d.decision_note,
            decided_by: d.decided_by,
            decided_at: d.decided_at.map(|t| t.and_utc()),
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            version: r.version,
        }
    }
}

impl CsvRow for RegistrationResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "movement_id",
        "movement_name",
        "unit_id",
        "unit_code",
        "unit_name",
        "pledge",
        "status",
        "decision_note",
        "decided_by",
        "decided_at",
        "created_at",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.movement_id.to_string(),
            self.movement_name.clone(),
            self.unit_id.to_string(),
            self.unit_code.clone(),
            self.unit_name.clone(),
            self.pledge.clone(),
            self.status.to_string(),
            opt(&self.decision_note),
            opt(&self.decided_by),
            self.decided_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
            self.created_at.to_rfc3339(),
        ]
    }
}

/// Text that is more than whitespace.
fn not_blank(text: &str) -> Result<(), ValidationError> {
    if text.trim().is_empty() {
        Err(ValidationError::new(
            crate::error::FieldCode::Blank.as_str(),
        ))
    } else {
        Ok(())
    }
}

/// A unit's registration.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateRegistration {
    /// The registering unit: any unit for an admin, their own for a unit officer.
    #[schema(example = 1, minimum = 1)]
    #[validate(range(min = 1))]
    pub unit_id: i64,
    /// Nội dung đăng ký, cam kết.
    #[schema(
        example = "Giảm 10% chi phí điện, nước, văn phòng phẩm so với năm 2025; không sử dụng đồ nhựa dùng một lần",
        min_length = 1,
        max_length = 4000
    )]
    #[validate(length(min = 1, max = PLEDGE_MAX), custom(function = "not_blank"))]
    pub pledge: String,
}

/// Changes to a registration's pledge, as a JSON merge patch: its unit's officer (or an admin)
/// may reword it while the registration is pending and the movement open. The board decides
/// through `POST …/registrations/{rid}/transitions`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    #[schema(
        example = "Giảm 15% chi phí điện, nước so với năm 2025",
        min_length = 1,
        max_length = 4000,
        nullable = false
    )]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = PLEDGE_MAX), custom(function = "not_blank"))]
    pub pledge: Option<String>,
}

transition_request! {
    /// The board's decision: `approve`, or `reject` with a reason (kept as the registration's
    /// `decision_note`). Only a pending registration is decided, once.
    pub struct RegistrationTransition { action: RegistrationAction }
}

list_query! {
    /// Filters for the registrations of a movement.
    pub struct MovementRegistrationQuery {
        pub status: Option<RegistrationStatus>,
        /// Only this unit's registration.
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub unit_id: Option<i64>,
    }
    export = MovementRegistrationExportQuery,
    order_by = crate::db::movements::registrations::RegistrationSort
}

list_query! {
    /// Filters for the registrations of a unit.
    pub struct UnitRegistrationQuery {
        pub status: Option<RegistrationStatus>,
        /// Only the registration for this movement.
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub movement_id: Option<i64>,
    }
    export = UnitRegistrationExportQuery,
    order_by = crate::db::movements::registrations::RegistrationSort
}
