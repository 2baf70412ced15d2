//! The shapes of `/blocs` requests and answers. The yearly membership shapes are in
//! `bloc_types/members.rs`.

mod members;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

pub use self::members::*;
use crate::db::blocs::{Bloc, BlocData};
use crate::domain::{AdminLevel, BlocKind};
use crate::error::{ApiError, FieldError};
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
use crate::ops::fields::code_chars;

/// A bloc or cluster (khối / cụm thi đua): units that compete together, year by year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlocResponse {
    #[schema(example = 2)]
    pub id: i64,
    /// The board's code for the bloc, unique.
    #[schema(example = "K-HTKTKT")]
    pub code: String,
    #[schema(example = "Khối Hạ tầng – Kinh tế – Kỹ thuật")]
    pub name: String,
    pub kind: BlocKind,
    /// The level that organises the bloc: province, district or commune.
    pub level: AdminLevel,
    /// The number of the decision that founded it.
    #[schema(example = "1234/QĐ-UBND")]
    pub founding_decision_number: Option<String>,
    #[schema(example = "2018-12-20")]
    pub founding_decision_date: Option<NaiveDate>,
    #[schema(example = "Các sở quản lý hạ tầng, kinh tế và kỹ thuật của tỉnh Điện Biên")]
    pub description: Option<String>,
    /// The first year the bloc is active.
    #[schema(example = 2019)]
    pub active_from: i32,
    /// The last year, for a bloc that was dissolved or reorganised.
    #[schema(example = 2025)]
    pub active_to: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<Bloc> for BlocResponse {
    fn from(b: Bloc) -> Self {
        let d = b.data;
        BlocResponse {
            id: b.id,
            code: d.code,
            name: d.name,
            kind: d.kind,
            level: d.level,
            founding_decision_number: d.founding_decision_number,
            founding_decision_date: d.founding_decision_date,
            description: d.description,
            active_from: d.active_from,
            active_to: d.active_to,
            created_at: b.created_at.and_utc(),
            updated_at: b.updated_at.and_utc(),
            version: b.version,
        }
    }
}

impl CsvRow for BlocResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "code",
        "name",
        "kind",
        "level",
        "founding_decision_number",
        "founding_decision_date",
        "description",
        "active_from",
        "active_to",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.code.clone(),
            self.name.clone(),
            self.kind.to_string(),
            self.level.to_string(),
            opt(&self.founding_decision_number),
            opt(&self.founding_decision_date),
            opt(&self.description),
            self.active_from.to_string(),
            opt(&self.active_to),
        ]
    }
}

/// A new bloc or cluster.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateBloc {
    #[schema(
        example = "K-HTKTKT",
        min_length = 1,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )]
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub code: String,
    #[schema(
        example = "Khối Hạ tầng – Kinh tế – Kỹ thuật",
        min_length = 1,
        max_length = 300
    )]
    #[validate(length(min = 1, max = 300))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub name: String,
    pub kind: BlocKind,
    pub level: AdminLevel,
    #[schema(example = "1234/QĐ-UBND", min_length = 1, max_length = 50)]
    #[validate(length(min = 1, max = 50))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub founding_decision_number: Option<String>,
    #[schema(example = "2018-12-20")]
    pub founding_decision_date: Option<NaiveDate>,
    #[schema(
        example = "Các sở quản lý hạ tầng, kinh tế và kỹ thuật của tỉnh Điện Biên",
        min_length = 1,
        max_length = 2000
    )]
    #[validate(length(min = 1, max = 2000))]
    pub description: Option<String>,
    #[schema(example = 2019, minimum = 1945, maximum = 2100)]
    #[validate(range(min = 1945, max = 2100))]
    pub active_from: i32,
    #[schema(example = 2025, minimum = 1945, maximum = 2100)]
    #[validate(range(min = 1945, max = 2100))]
    pub active_to: Option<i32>,
}

fn check_years(from: i32, to: Option<i32>) -> Result<(), ApiError> {
    match to {
        Some(to) if to < from => Err(ApiError::invalid(
            "active_to",
            "order",
            "must not be before active_from",
        )),
        _ => Ok(()),
    }
}

impl CreateBloc {
    pub fn into_data(self) -> Result<BlocData, ApiError> {
        self.validate()?;
        check_years(self.active_from, self.active_to)?;
        Ok(BlocData {
            code: self.code,
            name: self.name,
            kind: self.kind,
            level: self.level,
            founding_decision_number: self.founding_decision_number,
            founding_decision_date: self.founding_decision_date,
            description: self.description,
            active_from: self.active_from,
            active_to: self.active_to,
        })
    }
}

/// Changes to a bloc, as a JSON merge patch: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct BlocPatch {
    #[schema(
        example = "K-HTKTKT",
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
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub code: Option<String>,
    #[schema(
        example = "Khối Hạ tầng – Kinh tế – Kỹ thuật",
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
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub name: Option<String>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<BlocKind>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub level: Option<AdminLevel>,
    #[schema(value_type = Option<String>, example = "1234/QĐ-UBND", min_length = 1, max_length = 50)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 50))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub founding_decision_number: Option<Option<String>>,
    #[schema(value_type = Option<NaiveDate>, example = "2018-12-20")]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub founding_decision_date: Option<Option<NaiveDate>>,
    #[schema(value_type = Option<String>, example = "Các sở quản lý hạ tầng của tỉnh", min_length = 1, max_length = 2000)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 2000))]
    pub description: Option<Option<String>>,
    #[schema(example = 2019, minimum = 1945, maximum = 2100, nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1945, max = 2100))]
    pub active_from: Option<i32>,
    #[schema(value_type = Option<i32>, example = 2025, minimum = 1945, maximum = 2100)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1945, max = 2100))]
    pub active_to: Option<Option<i32>>,
}

impl BlocPatch {
    /// The bloc's data with this patch applied.
    pub fn apply(&self, d: &BlocData) -> Result<BlocData, ApiError> {
        let out = BlocData {
            code: self.code.clone().unwrap_or_else(|| d.code.clone()),
            name: self.name.clone().unwrap_or_else(|| d.name.clone()),
            kind: self.kind.unwrap_or(d.kind),
            level: self.level.unwrap_or(d.level),
            founding_decision_number: self
                .founding_decision_number
                .clone()
                .unwrap_or_else(|| d.founding_decision_number.clone()),
            founding_decision_date: self
                .founding_decision_date
                .unwrap_or(d.founding_decision_date),
            description: self
                .description
                .clone()
                .unwrap_or_else(|| d.description.clone()),
            active_from: self.active_from.unwrap_or(d.active_from),
            active_to: self.active_to.unwrap_or(d.active_to),
        };
        check_years(out.active_from, out.active_to)?;
        Ok(out)
    }
}

list_query! {
    /// Filters for bloc lists.
    pub struct BlocListQuery {
        pub kind: Option<BlocKind>,
        pub level: Option<AdminLevel>,
        /// Only blocs active in this year.
        #[param(minimum = 1945, maximum = 2100, example = 2019)]
        #[validate(range(min = 1945, max = 2100))]
        pub active_in: Option<i32>,
        /// Words starting words of the code or name; diacritics and case are ignored.
        #[param(max_length = 200, example = "ha tang kinh te")]
        pub q: Option<String>,
    }
    export = BlocExportQuery,
    order_by = crate::db::blocs::BlocSort
}

/// Refuses a year outside what the database accepts, as a 400 on a query parameter.
pub fn check_query_year(field: &str, year: Option<i32>) -> Result<(), ApiError> {
    if year.is_none_or(|y| (1945..=2100).contains(&y)) {
        Ok(())
    } else {
        Err(ApiError::BadRequest {
            code: "invalid_query",
            message: format!("{field}: must be between 1945 and 2100"),
            errors: vec![FieldError::new(
                field,
                "range",
                "must be between 1945 and 2100",
            )],
        })
    }
}
