//! The shapes of `/blocs` requests and answers. The yearly membership shapes are in
//! `bloc_types/members.rs`.

mod members;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use self::members::*;
use crate::db::blocs::Bloc;
use crate::domain::{AdminLevel, BlocKind, Date, Year};
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
pub use crate::ops::blocs::{BlocPatch, CreateBloc};

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
    pub founding_decision_date: Option<Date>,
    #[schema(example = "Các sở quản lý hạ tầng, kinh tế và kỹ thuật của tỉnh Điện Biên")]
    pub description: Option<String>,
    /// The first year the bloc is active.
    pub active_from: Year,
    /// The last year, for a bloc that was dissolved or reorganised.
    pub active_to: Option<Year>,
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

list_query! {
    /// Filters for bloc lists.
    pub struct BlocListQuery {
        pub kind: Option<BlocKind>,
        pub level: Option<AdminLevel>,
        /// Only blocs active in this year.
        #[validate(custom(function = "Year::validate"))]
        pub active_in: Option<Year>,
        /// Words starting words of the code or name; diacritics and case are ignored.
        #[param(max_length = 200, example = "ha tang kinh te")]
        pub q: Option<String>,
    }
    export = BlocExportQuery,
    order_by = crate::db::blocs::BlocSort
}
