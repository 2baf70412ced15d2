//! The shapes of goal (chỉ tiêu) requests and answers: a unit's goals, and a bloc's members'
//! goals side by side.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::goals::Goal;
use crate::domain::goal::Standing;
use crate::domain::{Date, Decimal, Direction, GoalStatus, MemberRole, Period, Year};
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
pub use crate::ops::goals::{CreateGoal, GoalPatch};

/// A goal (chỉ tiêu) of a unit for a period, with its progress.
///
/// `progress_percent` and `status` are derived when read, never stored. Progress (exact to
/// 0.01, absent without an actual, never below 0): for `higher`, actual ÷ target × 100; for
/// `lower` with a target above 0, (2 − actual ÷ target) × 100 (the target met is 100, zero is
/// 200); for `lower` with a target of 0, 100 when the actual is 0, else 0. Status: `exceeded`
/// when the actual is better than the target, `achieved` when equal; otherwise, while the period
/// is not over (today, UTC, on or before 30 June for `h1`, 31 December for `h2` and `year`),
/// `not_started` without an actual and `on_track` with one, and `missed` once it is over.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GoalResponse {
    #[schema(example = 21)]
    pub id: i64,
    #[schema(example = 4)]
    pub unit_id: i64,
    pub year: Year,
    pub period: Period,
    #[schema(example = "Giải quyết hồ sơ thủ tục hành chính đúng hạn")]
    pub title: String,
    #[schema(example = "Tỷ lệ hồ sơ giải quyết đúng và trước hạn trên tổng số hồ sơ tiếp nhận")]
    pub metric: Option<String>,
    /// Đơn vị tính.
    #[schema(example = "%")]
    pub unit_of_measure: String,
    pub direction: Direction,
    #[schema(example = "95")]
    pub target: Decimal,
    #[schema(example = "98.5")]
    pub actual: Option<Decimal>,
    /// Derived: see the description of the goal.
    #[schema(example = "103.68")]
    pub progress_percent: Option<Decimal>,
    /// Derived: see the description of the goal.
    pub status: GoalStatus,
    #[schema(example = "Số liệu đến ngày 30/6/2019")]
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl GoalResponse {
    /// The goal as it stands on `today`.
    pub fn on(g: Goal, today: Date) -> Self {
        let d = g.data;
        let standing = Standing {
            year: d.year,
            period: d.period,
            direction: d.direction,
            target: d.target,
            actual: d.actual,
        };
        GoalResponse {
            id: g.id,
            unit_id: g.unit_id,
            year: d.year,
            period: d.period,
            title: d.title,
            metric: d.metric,
            unit_of_measure: d.unit_of_measure,
            direction: d.direction,
            target: d.target,
            actual: d.actual,
            progress_percent: standing.progress(),
            status: standing.status(today),
            note: d.note,
            created_at: g.created_at.and_utc(),
            updated_at: g.updated_at.and_utc(),
            version: g.version,
        }
    }
}

/// Today's date (UTC), which a goal's status is judged on.
pub fn today() -> Date {
    Date(crate::db::now().date())
}

impl From<Goal> for GoalResponse {
    fn from(g: Goal) -> Self {
        GoalResponse::on(g, today())
    }
}

/// The columns of a bloc's goals report (CSV and XLSX): the member, then the goal.
pub const BLOC_GOAL_COLUMNS: &[crate::http::xlsx::Column] = &[
    ("unit_code", "Ký hiệu đơn vị", false),
    ("unit_name", "Tên đơn vị", false),
    ("member_role", "Vai trò trong khối", false),
    ("id", "Mã chỉ tiêu", true),
    ("unit_id", "Mã đơn vị", true),
    ("year", "Năm", true),
    ("period", "Kỳ", false),
    ("title", "Chỉ tiêu", false),
    ("metric", "Cách đo", false),
    ("unit_of_measure", "Đơn vị tính", false),
    ("direction", "Chiều tốt", false),
    ("target", "Kế hoạch", true),
    ("actual", "Thực hiện", true),
    ("progress_percent", "Tỷ lệ hoàn thành (%)", true),
    ("status", "Tình trạng", false),
    ("note", "Ghi chú", false),
];

impl CsvRow for GoalResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "unit_id",
        "year",
        "period",
        "title",
        "metric",
        "unit_of_measure",
        "direction",
        "target",
        "actual",
        "progress_percent",
        "status",
        "note",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.unit_id.to_string(),
            self.year.to_string(),
            self.period.to_string(),
            self.title.clone(),
            opt(&self.metric),
            self.unit_of_measure.clone(),
            self.direction.to_string(),
            self.target.to_string(),
            opt(&self.actual),
            opt(&self.progress_percent),
            self.status.to_string(),
            opt(&self.note),
        ]
    }
}

list_query! {
    /// Filters for a unit's goals.
    pub struct GoalListQuery {
        #[validate(custom(function = "Year::validate"))]
        pub year: Option<Year>,
        pub period: Option<Period>,
    }
    export = GoalExportQuery,
    order_by = crate::db::goals::GoalSort
}

/// Which year (and period) of a bloc's goals.
#[derive(Debug, Clone, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BlocGoalsQuery {
    /// The year: its members and their goals.
    #[validate(custom(function = "Year::validate"))]
    #[param(example = 2019)]
    pub year: Year,
    /// Only this period; every period of the year when absent.
    pub period: Option<Period>,
}

/// A member unit of the bloc with its goals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberGoals {
    #[schema(example = 4)]
    pub unit_id: i64,
    #[schema(example = "SCT")]
    pub unit_code: String,
    #[schema(example = "Sở Công Thương")]
    pub unit_name: String,
    pub role: MemberRole,
    pub goals: Vec<GoalResponse>,
}

/// A bloc's members of a year side by side, each with its goals: the chair first, then the
/// deputies, then the members. A caller sees the members its scope reaches.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlocGoalsResponse {
    #[schema(example = 2)]
    pub bloc_id: i64,
    pub year: Year,
    /// The period asked for; absent for the whole year's goals of every period.
    pub period: Option<Period>,
    pub members: Vec<MemberGoals>,
}

impl BlocGoalsResponse {
    /// Every goal with its member, in the order shown, as cells of `BLOC_GOAL_COLUMNS`.
    pub fn rows(&self) -> Vec<Vec<String>> {
        self.members
            .iter()
            .flat_map(|m| {
                m.goals.iter().map(move |g| {
                    let mut cells =
                        vec![m.unit_code.clone(), m.unit_name.clone(), m.role.to_string()];
                    cells.extend(g.cells());
                    cells
                })
            })
            .collect()
    }
}
