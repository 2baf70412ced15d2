//! The shapes of `/units` requests and answers.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::db::units::{Unit, UnitData};
use crate::domain::{AdminLevel, UnitKind};
use crate::error::ApiError;
use crate::http::csv::{CsvRow, opt};
use crate::list_query;

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
    #[schema(example = "2008-04-01")]
    pub valid_from: NaiveDate,
    /// The last day, for a merged, renamed or dissolved unit.
    #[schema(example = "2025-06-30")]
    pub valid_to: Option<NaiveDate>,
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

/// Codes: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
pub fn code_chars(code: &str) -> Result<(), ValidationError> {
    let ok = code
        .chars()
        .enumerate()
        .all(|(i, ch)| ch.is_ascii_alphanumeric() || (i > 0 && matches!(ch, '.' | '_' | '-')));
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("pattern")
            .with_message("use letters, digits, '.', '_' or '-'".into()))
    }
}

/// A new unit.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUnit {
    #[schema(
        example = "SCT",
        min_length = 1,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )]
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    pub code: String,
    #[schema(example = "Sở Công thương", min_length = 1, max_length = 300)]
    #[validate(length(min = 1, max = 300))]
    pub name: String,
    #[schema(example = "SCT Điện Biên", min_length = 1, max_length = 100)]
    #[validate(length(min = 1, max = 100))]
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub admin_level: Option<AdminLevel>,
    // No example for the links: the documented example must be accepted on an empty database.
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub parent_id: Option<i64>,
    #[schema(example = "2008-04-01")]
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub successor_id: Option<i64>,
    #[schema(
        example = "Tổ 10, phường Mường Thanh, thành phố Điện Biên Phủ",
        min_length = 1,
        max_length = 500
    )]
    #[validate(length(min = 1, max = 500))]
    pub address: Option<String>,
    #[schema(example = "0215 3825 123", min_length = 1, max_length = 30)]
    #[validate(length(min = 1, max = 30))]
    pub phone: Option<String>,
    #[schema(example = "sct@dienbien.gov.vn", max_length = 254, format = Email)]
    #[validate(email, length(max = 254))]
    pub email: Option<String>,
}

fn check_dates(from: NaiveDate, to: Option<NaiveDate>) -> Result<(), ApiError> {
    match to {
        Some(to) if to < from => Err(ApiError::invalid(
            "valid_to",
            "order",
            "must not be before valid_from",
        )),
        _ => Ok(()),
    }
}

impl CreateUnit {
    pub fn into_data(self) -> Result<UnitData, ApiError> {
        self.validate()?;
        check_dates(self.valid_from, self.valid_to)?;
        Ok(UnitData {
            code: self.code,
            name: self.name,
            short_name: self.short_name,
            kind: self.kind,
            admin_level: self.admin_level,
            parent_id: self.parent_id,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            successor_id: self.successor_id,
            address: self.address,
            phone: self.phone,
            email: self.email,
        })
    }
}

/// Changes to a unit, as a JSON merge patch: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    #[schema(
        example = "SCT",
        min_length = 1,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$",
        nullable = false
    )]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    pub code: Option<String>,
    #[schema(
        example = "Sở Công Thương",
        min_length = 1,
        max_length = 300,
        nullable = false
    )]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 300))]
    pub name: Option<String>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 100)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 100))]
    pub short_name: Option<Option<String>>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<UnitKind>,
    #[schema(value_type = Option<AdminLevel>)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub admin_level: Option<Option<AdminLevel>>,
    #[schema(value_type = Option<i64>, minimum = 1)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1))]
    pub parent_id: Option<Option<i64>>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_from: Option<NaiveDate>,
    #[schema(value_type = Option<NaiveDate>, example = "2025-06-30")]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub valid_to: Option<Option<NaiveDate>>,
    #[schema(value_type = Option<i64>, example = 14, minimum = 1)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1))]
    pub successor_id: Option<Option<i64>>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 500))]
    pub address: Option<Option<String>>,
    #[schema(value_type = Option<String>, min_length = 1, max_length = 30)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 30))]
    pub phone: Option<Option<String>>,
    #[schema(value_type = Option<String>, max_length = 254, format = Email)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(email, length(max = 254))]
    pub email: Option<Option<String>>,
}

impl UnitPatch {
    /// The unit's data with this patch applied.
    pub fn apply(&self, d: &UnitData) -> Result<UnitData, ApiError> {
        let out = UnitData {
            code: self.code.clone().unwrap_or_else(|| d.code.clone()),
            name: self.name.clone().unwrap_or_else(|| d.name.clone()),
            short_name: self
                .short_name
                .clone()
                .unwrap_or_else(|| d.short_name.clone()),
            kind: self.kind.unwrap_or(d.kind),
            admin_level: self.admin_level.unwrap_or(d.admin_level),
            parent_id: self.parent_id.unwrap_or(d.parent_id),
            valid_from: self.valid_from.unwrap_or(d.valid_from),
            valid_to: self.valid_to.unwrap_or(d.valid_to),
            successor_id: self.successor_id.unwrap_or(d.successor_id),
            address: self.address.clone().unwrap_or_else(|| d.address.clone()),
            phone: self.phone.clone().unwrap_or_else(|| d.phone.clone()),
            email: self.email.clone().unwrap_or_else(|| d.email.clone()),
        };
        check_dates(out.valid_from, out.valid_to)?;
        Ok(out)
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
        #[param(example = "2019-07-29")]
        pub valid_on: Option<NaiveDate>,
        /// Only members of this bloc (in `year`, when given).
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub bloc_id: Option<i64>,
        /// With `bloc_id`: the membership year.
        #[param(minimum = 1945, maximum = 2100, example = 2019)]
        #[validate(range(min = 1945, max = 2100))]
        pub year: Option<i32>,
        /// Words starting words of the code, name or short name; diacritics and case are ignored.
        #[param(max_length = 200, example = "so cong thuong")]
        pub q: Option<String>,
    }
    export = UnitExportQuery,
    order_by = crate::db::units::UnitSort
}
