//! The shapes of `/persons` requests and answers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::persons::Person;
use crate::domain::Gender;
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
pub use crate::ops::persons::{CreatePerson, PersonPatch};

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
