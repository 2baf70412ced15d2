//! The shapes of `/persons` requests and answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::db::persons::{Person, PersonData};
use crate::domain::Gender;
use crate::error::ApiError;
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
use crate::ops::fields::code_chars;

/// A person (cá nhân) of a unit, with minimal personal data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonResponse {
    #[schema(example = 12)]
    pub id: i64,
    /// Họ và tên.
    #[schema(example = "Nguyễn Văn An")]
    pub full_name: String,
    /// Giới tính.
    pub gender: Option<Gender>,
    /// Năm sinh.
    #[schema(example = 1978, minimum = 1900, maximum = 2100)]
    pub birth_year: Option<i32>,
    /// Chức vụ.
    #[schema(example = "Phó Giám đốc")]
    pub position: Option<String>,
    /// The unit the person works in.
    #[schema(example = 3)]
    pub unit_id: i64,
    /// Mã số công chức, viên chức; unique.
    #[schema(example = "CC-2019-00123")]
    pub civil_servant_code: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<Person> for PersonResponse {
    fn from(p: Person) -> Self {
        let d = p.data;
        PersonResponse {
            id: p.id,
            full_name: d.full_name,
            gender: d.gender,
            birth_year: d.birth_year,
            position: d.position,
            unit_id: d.unit_id,
            civil_servant_code: d.civil_servant_code,
            created_at: p.created_at.and_utc(),
            updated_at: p.updated_at.and_utc(),
            version: p.version,
        }
    }
}

impl CsvRow for PersonResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "full_name",
        "gender",
        "birth_year",
        "position",
        "unit_id",
        "civil_servant_code",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.full_name.clone(),
            opt(&self.gender),
            opt(&self.birth_year),
            opt(&self.position),
            self.unit_id.to_string(),
            opt(&self.civil_servant_code),
        ]
    }
}

/// A name must have something besides spaces.
fn not_blank(v: &str) -> Result<(), ValidationError> {
    if v.trim().is_empty() {
        Err(ValidationError::new("blank").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}

/// A new person.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreatePerson {
    /// Họ và tên.
    #[schema(example = "Nguyễn Văn An", min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub full_name: String,
    /// Giới tính.
    pub gender: Option<Gender>,
    /// Năm sinh.
    #[schema(example = 1978, minimum = 1900, maximum = 2100)]
    #[validate(range(min = 1900, max = 2100))]
    pub birth_year: Option<i32>,
    /// Chức vụ.
    #[schema(example = "Phó Giám đốc", min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub position: Option<String>,
    /// The unit the person works in; it must exist. (The example is the first unit created.)
    #[schema(example = 1, minimum = 1)]
    #[validate(range(min = 1))]
    pub unit_id: i64,
    /// Mã số công chức, viên chức; unique.
    #[schema(
        example = "CC-2019-00123",
        min_length = 1,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )]
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub civil_servant_code: Option<String>,
}

impl CreatePerson {
    /// Checks the fields and returns the data to store (the unit and the code are checked
    /// against the database by `persons::create_in_txn`).
    pub fn into_data(self) -> Result<PersonData, ApiError> {
        self.validate()?;
        Ok(PersonData {
            full_name: self.full_name,
            gender: self.gender,
            birth_year: self.birth_year,
            position: self.position,
            unit_id: self.unit_id,
            civil_servant_code: self.civil_servant_code,
        })
    }
}

/// Changes to a person, as a JSON merge patch: absent fields stay, `null` clears.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    /// Họ và tên; cannot be cleared.
    #[schema(
        example = "Nguyễn Văn An",
        min_length = 1,
        max_length = 200,
        nullable = false
    )]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub full_name: Option<String>,
    /// Giới tính; `null` clears it.
    #[schema(value_type = Option<Gender>)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub gender: Option<Option<Gender>>,
    /// Năm sinh; `null` clears it.
    #[schema(value_type = Option<i32>, example = 1978, minimum = 1900, maximum = 2100)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1900, max = 2100))]
    pub birth_year: Option<Option<i32>>,
    /// Chức vụ; `null` clears it.
    #[schema(value_type = Option<String>, example = "Giám đốc", min_length = 1, max_length = 200)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 200))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub position: Option<Option<String>>,
    /// Moves the person to another unit, which must exist; cannot be cleared.
    #[schema(example = 5, minimum = 1, nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1))]
    pub unit_id: Option<i64>,
    /// Mã số công chức, viên chức; unique; `null` clears it.
    #[schema(
        value_type = Option<String>,
        example = "CC-2019-00123",
        min_length = 1,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 32), custom(function = "code_chars"))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub civil_servant_code: Option<Option<String>>,
}

impl PersonPatch {
    /// The person's data with this patch applied.
    pub fn apply(&self, d: &PersonData) -> PersonData {
        PersonData {
            full_name: self
                .full_name
                .clone()
                .unwrap_or_else(|| d.full_name.clone()),
            gender: self.gender.unwrap_or(d.gender),
            birth_year: self.birth_year.unwrap_or(d.birth_year),
            position: self.position.clone().unwrap_or_else(|| d.position.clone()),
            unit_id: self.unit_id.unwrap_or(d.unit_id),
            civil_servant_code: self
                .civil_servant_code
                .clone()
                .unwrap_or_else(|| d.civil_servant_code.clone()),
        }
    }
}

list_query! {
    /// Filters for person lists.
    pub struct PersonListQuery {
        /// Only persons of this unit.
        #[param(minimum = 1, example = 3)]
        #[validate(range(min = 1))]
        pub unit_id: Option<i64>,
        /// Only persons of this gender.
        pub gender: Option<Gender>,
        /// Words starting words of the full name; diacritics and case are ignored.
        #[param(max_length = 200, example = "nguyen van an")]
        pub q: Option<String>,
    }
    export = PersonExportQuery,
    order_by = crate::db::persons::PersonSort
}
