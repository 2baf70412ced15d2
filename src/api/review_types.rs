//! The shapes of review meeting (hội nghị) requests and answers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::reviews::Review;
use crate::domain::review::{Attendee, FocusTask, HandedAward, Resolution, ReviewAction};
use crate::domain::{Date, Period, ReviewKind, ReviewStatus, Year};
use crate::http::csv::{CsvRow, opt};
pub use crate::ops::reviews::{CreateReview, ReviewPatch};
use crate::{list_query, transition_request};

/// A review meeting of a bloc (hội nghị ký kết giao ước, sơ kết 6 tháng, tổng kết năm) as its
/// minutes record it: when and where, who hosted, chaired and attended, what was achieved and
/// fell short, the focus tasks for the next period, the resolutions (the next chair and
/// deputies) and the awards handed over.
///
/// The whole document has one version (its `ETag`); a merge patch replaces any list it gives.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewResponse {
    #[schema(example = 5)]
    pub id: i64,
    #[schema(example = 2)]
    pub bloc_id: i64,
    pub kind: ReviewKind,
    pub year: Year,
    pub period: Period,
    /// `draft` until the board confirms it.
    pub status: ReviewStatus,
    #[schema(
        example = "Hội nghị Sơ kết công tác Thi đua, khen thưởng 6 tháng đầu năm, phương hướng nhiệm vụ 6 tháng cuối năm 2019"
    )]
    pub title: Option<String>,
    pub held_on: Date,
    #[schema(example = "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên")]
    pub place: Option<String>,
    #[schema(example = 9)]
    pub host_unit_id: Option<i64>,
    #[schema(example = 31)]
    pub chair_person_id: Option<i64>,
    #[schema(example = "Ngôn Ngọc Khuê, Phó Giám đốc phụ trách Sở Tài nguyên và Môi trường")]
    pub chair_name: Option<String>,
    pub summary: Option<String>,
    pub achievements: Option<String>,
    pub shortcomings: Option<String>,
    pub direction: Option<String>,
    pub other_attendees: Option<String>,
    pub source: Option<String>,
    pub attendees: Vec<Attendee>,
    pub focus_tasks: Vec<FocusTask>,
    pub resolutions: Vec<Resolution>,
    pub awards: Vec<HandedAward>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<Review> for ReviewResponse {
    fn from(r: Review) -> Self {
        let (f, l) = (r.fields, r.lists);
        ReviewResponse {
            id: r.id,
            bloc_id: r.bloc_id,
            kind: f.kind,
            year: f.year,
            period: f.period,
            status: r.status,
            title: f.title,
            held_on: f.held_on,
            place: f.place,
            host_unit_id: f.host_unit_id,
            chair_person_id: f.chair_person_id,
            chair_name: f.chair_name,
            summary: f.summary,
            achievements: f.achievements,
            shortcomings: f.shortcomings,
            direction: f.direction,
            other_attendees: f.other_attendees,
            source: f.source,
            attendees: l.attendees,
            focus_tasks: l.focus_tasks,
            resolutions: l.resolutions,
            awards: l.awards,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
            version: r.version,
        }
    }
}

impl CsvRow for ReviewResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "bloc_id",
        "kind",
        "year",
        "period",
        "status",
        "held_on",
        "title",
        "place",
        "host_unit_id",
        "chair_name",
        "attendees",
        "focus_tasks",
        "resolutions",
        "awards",
        "created_at",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.bloc_id.to_string(),
            self.kind.to_string(),
            self.year.to_string(),
            self.period.to_string(),
            self.status.to_string(),
            self.held_on.to_string(),
            opt(&self.title),
            opt(&self.place),
            opt(&self.host_unit_id),
            opt(&self.chair_name),
            self.attendees.len().to_string(),
            self.focus_tasks.len().to_string(),
            self.resolutions.len().to_string(),
            self.awards.len().to_string(),
            self.created_at.to_rfc3339(),
        ]
    }
}

transition_request! {
    /// `confirm`: the board fixes the minutes and applies the chair and deputies they elect to
    /// the bloc's membership.
    pub struct ReviewTransition { action: ReviewAction }
}

list_query! {
    /// Filters for review lists.
    pub struct ReviewListQuery {
        #[validate(custom(function = "Year::validate"))]
        pub year: Option<Year>,
        pub kind: Option<ReviewKind>,
    }
    export = ReviewExportQuery,
    order_by = crate::db::reviews::ReviewSort
}
