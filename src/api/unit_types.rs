//! The shapes of `/units` requests and answers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::units::Unit;
use crate::domain::{AdminLevel, Date, UnitKind, Year};
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
pub use crate::ops::units::{CreateUnit, UnitPatch, UnitView};

/// Another unit, named.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    #[schema(example = 14)]
    pub id: i64,
    #[schema(example = "SNNMT")]
    pub code: String,
    #[schema(example = "Sở Nông nghiệp và Môi trường")]
    pub name: String,
}

/// A unit (đơn vị): an agency, a public-service unit, a locality, an enterprise…
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitResponse {
    #[schema(example = 3)]
    pub id: i64,
    /// The board's code for the unit, unique.
    #[schema(example = "SCT")]
    pub code: String,
    #[schema(example = "Sở Công thương")]
    pub name: String,
    #[schema(example = "SCT Điện Biên")]
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub admin_level: Option<AdminLevel>,
    /// The unit above this one in the tree.
    #[schema(example = 1)]
    pub parent_id: Option<i64>,
    /// The first day the unit existed.
    pub valid_from: Date,
    /// The last day, for a merged, renamed or dissolved unit.
    pub valid_to: Option<Date>,
    /// The unit that took over, for a retired one.
    #[schema(example = 14)]
    pub successor_id: Option<i64>,
    /// The successor, named (only on `GET /units/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<UnitRef>,
    #[schema(example = "Tổ 10, phường Mường Thanh, thành phố Điện Biên Phủ")]
    pub address: Option<String>,
    #[schema(example = "0215 3825 123")]
    pub phone: Option<String>,
    #[schema(example = "sct@dienbien.gov.vn")]
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<UnitView> for UnitResponse {
    fn from(v: UnitView) -> Self {
        let replaced_by = v.successor.map(|s| UnitRef {
            id: s.id,
            code: s.data.code,
            name: s.data.name,
        });
        UnitResponse {
            replaced_by,
            ..UnitResponse::from(v.unit)
        }
    }
}

impl From<Unit> for UnitResponse {
    fn from(u: Unit) -> Self {
        let d = u.data;
        UnitResponse {
            id: u.id,
            code: d.code,
            name: d.name,
            short_name: d.short_name,
            kind: d.kind,
            admin_level: d.admin_level,
            parent_id: d.parent_id,
            valid_from: d.valid_from,
            valid_to: d.valid_to,
            successor_id: d.successor_id,
            replaced_by: None,
            address: d.address,
            phone: d.phone,
            email: d.email,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
            version: u.version,
        }
    }
}

impl CsvRow for UnitResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "code",
        "name",
        "short_name",
        "kind",
        "admin_level",
        "parent_id",
        "valid_from",
        "valid_to",
        "successor_id",
        "address",
        "phone",
        "email",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.code.clone(),
            self.name.clone(),
            opt(&self.short_name),
            self.kind.to_string(),
            opt(&self.admin_level),
            opt(&self.parent_id),
            self.valid_from.to_string(),
            opt(&self.valid_to),
            opt(&self.successor_id),
            opt(&self.address),
            opt(&self.phone),
            opt(&self.email),
        ]
    }
}

list_query! {
    /// Filters for unit lists.
    pub struct UnitListQuery {
        pub kind: Option<UnitKind>,
        pub admin_level: Option<AdminLevel>,
        /// Only the direct children of this unit.
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub parent_id: Option<i64>,
        /// Only units existing on this day.
        pub valid_on: Option<Date>,
        /// Only members of this bloc (in `year`, when given).
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub bloc_id: Option<i64>,
        /// With `bloc_id`: the membership year.
        #[validate(custom(function = "Year::validate"))]
        pub year: Option<Year>,
        /// Words starting words of the code, name or short name; diacritics and case are ignored.
        #[param(max_length = 200, example = "so cong thuong")]
        pub q: Option<String>,
    }
    export = UnitExportQuery,
    order_by = crate::db::units::UnitSort
}
