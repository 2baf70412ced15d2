//! The shapes of `/score-sheets` requests and answers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::score_sheets::{CodedEntry, Step};
use crate::domain::score_sheet::SheetAction;
use crate::domain::{Period, Points, SheetKind, SheetState, Year};
use crate::http::csv::CsvRow;
pub use crate::ops::score_sheets::{
    CodedEntryInput, CreateSheet, EntryInput, ReplaceEntries, SheetView,
};
use crate::{list_query, transition_request};

/// One entry of a sheet: the points it gives one criterion.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryResponse {
    #[schema(example = "1.1")]
    pub criterion_code: String,
    #[schema(example = 45.5)]
    pub points: Points,
    #[schema(example = 1)]
    pub bonus: Points,
    #[schema(example = "Báo cáo số 15/BC-STNMT ngày 25/6/2019")]
    pub evidence: Option<String>,
    #[schema(example = "https://stnmt.dienbien.gov.vn/bao-cao/15-bc-stnmt.pdf")]
    pub link: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl From<CodedEntry> for EntryResponse {
    fn from(e: CodedEntry) -> Self {
        EntryResponse {
            criterion_code: e.criterion_code,
            points: e.entry.points,
            bonus: e.entry.bonus,
            evidence: e.entry.evidence,
            link: e.entry.link,
            updated_at: e.entry.updated_at.and_utc(),
        }
    }
}

/// A score sheet (bảng chấm điểm): one unit's scores under a covenant for a period, by
/// itself (`self`), the bloc chair (`cross`) or the board (`board`), with its totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreSheetResponse {
    #[schema(example = 5)]
    pub id: i64,
    #[schema(example = 1)]
    pub covenant_id: i64,
    #[schema(example = 1)]
    pub bloc_id: i64,
    pub year: Year,
    #[schema(example = 4)]
    pub unit_id: i64,
    pub period: Period,
    pub kind: SheetKind,
    pub state: SheetState,
    /// The sum of the entries' points.
    #[schema(example = 92.5)]
    pub points: Points,
    /// The sum of their bonus points.
    #[schema(example = 3)]
    pub bonus: Points,
    /// Points plus bonus.
    #[schema(example = 95.5)]
    pub grand_total: Points,
    #[schema(example = 3)]
    pub entry_count: i32,
    /// The entries, in the order of the covenant's criteria.
    pub entries: Vec<EntryResponse>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<SheetView> for ScoreSheetResponse {
    fn from(v: SheetView) -> Self {
        let (s, t) = (v.sheet, v.totals);
        ScoreSheetResponse {
            id: s.id,
            covenant_id: s.data.covenant_id,
            bloc_id: s.data.bloc_id,
            year: s.data.year,
            unit_id: s.data.unit_id,
            period: s.data.period,
            kind: s.data.kind,
            state: s.data.state,
            points: t.points,
            bonus: t.bonus,
            grand_total: t.grand_total,
            entry_count: t.entry_count,
            entries: v.entries.into_iter().map(Into::into).collect(),
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
            version: s.version,
        }
    }
}

impl CsvRow for ScoreSheetResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "covenant_id",
        "bloc_id",
        "year",
        "unit_id",
        "period",
        "kind",
        "state",
        "points",
        "bonus",
        "grand_total",
        "entry_count",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.covenant_id.to_string(),
            self.bloc_id.to_string(),
            self.year.to_string(),
            self.unit_id.to_string(),
            self.period.to_string(),
            self.kind.to_string(),
            self.state.to_string(),
            self.points.to_string(),
            self.bonus.to_string(),
            self.grand_total.to_string(),
            self.entry_count.to_string(),
        ]
    }
}

list_query! {
    /// Filters for score sheet lists.
    pub struct ScoreSheetListQuery {
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub bloc_id: Option<i64>,
        #[validate(custom(function = "Year::validate"))]
        pub year: Option<Year>,
        pub period: Option<Period>,
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub unit_id: Option<i64>,
        pub kind: Option<SheetKind>,
        pub state: Option<SheetState>,
    }
    export = ScoreSheetExportQuery,
    order_by = crate::db::score_sheets::SheetSort
}

transition_request! {
    /// A step of a score sheet's workflow: `submit` (draft → submitted, every mandatory
    /// criterion scored), `approve` (submitted → approved), `publish` (approved → published),
    /// `return` (one step back, with a reason).
    pub struct ScoreSheetTransition { action: SheetAction }
}

/// One step of a sheet's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistoryStepResponse {
    pub action: SheetAction,
    pub from_state: SheetState,
    pub to_state: SheetState,
    #[schema(example = "Thiếu minh chứng cho tiêu chí 1.2")]
    pub reason: Option<String>,
    #[schema(example = 3)]
    pub actor_id: Option<i64>,
    #[schema(example = "can_bo_stnmt")]
    pub actor_username: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

impl From<Step> for HistoryStepResponse {
    fn from(s: Step) -> Self {
        HistoryStepResponse {
            action: s.action,
            from_state: s.from_state,
            to_state: s.to_state,
            reason: s.reason,
            actor_id: s.actor_id,
            actor_username: s.actor_username,
            occurred_at: s.occurred_at.and_utc(),
        }
    }
}

/// Every step a sheet has taken, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreSheetHistoryResponse {
    #[schema(example = 5)]
    pub sheet_id: i64,
    pub items: Vec<HistoryStepResponse>,
}
