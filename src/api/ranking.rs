//! `/blocs/{id}/ranking`: the units of a bloc-year ranked for a period, from the score
//! totals kept on write — as JSON, or exported as CSV or as an XLSX workbook to print.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::api::responses::{CsvExport, ScopedRead};
use crate::auth::AuthUser;
use crate::domain::ranking::RankingBasis;
use crate::domain::{Period, Points, SheetKind, SheetState, Year};
use crate::error::ApiError;
use crate::http::csv::{self, CsvRow, opt};
use crate::ops;
use crate::ops::ranking::Ranking;
use crate::pagination::query_error;
use crate::state::AppState;

/// Which ranking.
#[derive(Debug, Clone, Deserialize, Serialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    #[validate(custom(function = "Year::validate"))]
    #[param(value_type = i32, minimum = 1945, maximum = 2100, example = 2019)]
    pub year: Year,
    pub period: Period,
    /// Which sheet of each unit counts; `approved` when absent.
    pub basis: Option<RankingBasis>,
}

/// One unit's line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingItem {
    /// Shared by equal totals (1, 2, 2, 4); none for a unit without a counted sheet.
    #[schema(example = 1)]
    pub rank: Option<u32>,
    #[schema(example = 4)]
    pub unit_id: i64,
    #[schema(example = "SCT")]
    pub unit_code: String,
    #[schema(example = "Sở Công Thương")]
    pub unit_name: String,
    #[schema(example = 92.5)]
    pub points: Option<Points>,
    #[schema(example = 3)]
    pub bonus: Option<Points>,
    #[schema(example = 95.5)]
    pub grand_total: Option<Points>,
    /// The covenant's band the grand total falls in.
    #[schema(example = "Xuất sắc")]
    pub band: Option<String>,
    /// The sheet the total came from.
    #[schema(example = 5)]
    pub sheet_id: Option<i64>,
    pub sheet_kind: Option<SheetKind>,
    pub sheet_state: Option<SheetState>,
}

/// A bloc's ranking for a year and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingResponse {
    #[schema(example = 1)]
    pub bloc_id: i64,
    pub year: Year,
    pub period: Period,
    pub basis: RankingBasis,
    /// Every member unit of the bloc-year: ranked first, by total then code; then those
    /// without a counted sheet, by code.
    pub items: Vec<RankingItem>,
}

impl From<Ranking> for RankingResponse {
    fn from(r: Ranking) -> Self {
        RankingResponse {
            bloc_id: r.bloc_id,
            year: r.year,
            period: r.period,
            basis: r.basis,
            items: r
                .lines
                .into_iter()
                .map(|l| {
                    let t = l.totals;
                    RankingItem {
                        rank: l.rank,
                        unit_id: l.unit_id,
                        unit_code: l.unit_code,
                        unit_name: l.unit_name,
                        points: t.as_ref().map(|t| t.points),
                        bonus: t.as_ref().map(|t| t.bonus),
                        grand_total: t.as_ref().map(|t| t.grand_total),
                        band: l.band,
                        sheet_id: t.as_ref().map(|t| t.sheet_id),
                        sheet_kind: t.as_ref().map(|t| t.kind),
                        sheet_state: t.as_ref().map(|t| t.state),
                    }
                })
                .collect(),
        }
    }
}

/// The column headers, Vietnamese / English.
const HEADERS: [&str; 10] = [
    "Hạng / Rank",
    "Mã đơn vị / Unit code",
    "Đơn vị / Unit",
    "Điểm / Points",
    "Điểm thưởng / Bonus",
    "Tổng điểm / Total",
    "Xếp loại / Band",
    "Bảng điểm / Sheet",
    "Loại bảng / Kind",
    "Trạng thái / State",
];

impl CsvRow for RankingItem {
    const HEADER: &'static [&'static str] = &[
        "rank",
        "unit_id",
        "unit_code",
        "unit_name",
        "points",
        "bonus",
        "grand_total",
        "band",
        "sheet_id",
        "sheet_kind",
        "sheet_state",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            opt(&self.rank),
            self.unit_id.to_string(),
            self.unit_code.clone(),
            self.unit_name.clone(),
            opt(&self.points),
            opt(&self.bonus),
            opt(&self.grand_total),
            opt(&self.band),
            opt(&self.sheet_id),
            opt(&self.sheet_kind),
            opt(&self.sheet_state),
        ]
    }
}

fn period_label(p: Period) -> &'static str {
    match p {
        Period::H1 => "6 tháng đầu năm",
        Period::H2 => "6 tháng cuối năm",
        Period::Year => "cả năm",
    }
}

fn number(p: Option<Points>) -> Option<f64> {
    p.and_then(|p| p.to_string().parse().ok())
}

/// The ranking as a workbook: a title, the bilingual headers, one row per unit.
fn workbook(r: &Ranking, items: &[RankingItem]) -> Result<Vec<u8>, ApiError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail =
        |e: rust_xlsxwriter::XlsxError| ApiError::Internal(anyhow::anyhow!("writing XLSX: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name("Xếp hạng").map_err(fail)?;
    let title = format!(
        "Kết quả chấm điểm thi đua {} năm {} – {}",
        period_label(r.period),
        r.year,
        r.bloc_name
    );
    sheet
        .write_string_with_format(0, 0, &title, &bold)
        .map_err(fail)?;
    for (col, h) in HEADERS.iter().enumerate() {
        let col = u16::try_from(col).unwrap_or(u16::MAX);
        sheet
            .write_string_with_format(2, col, *h, &bold)
            .map_err(fail)?;
        sheet
            .set_column_width(col, if col == 2 { 40 } else { 16 })
            .map_err(fail)?;
    }
    for (i, item) in items.iter().enumerate() {
        let row = u32::try_from(i + 3).unwrap_or(u32::MAX);
        if let Some(rank) = item.rank {
            sheet.write_number(row, 0, f64::from(rank)).map_err(fail)?;
        }
        sheet.write_string(row, 1, &item.unit_code).map_err(fail)?;
        sheet.write_string(row, 2, &item.unit_name).map_err(fail)?;
        for (col, value) in [(3, item.points), (4, item.bonus), (5, item.grand_total)] {
            if let Some(v) = number(value) {
                sheet.write_number(row, col, v).map_err(fail)?;
            }
        }
        if let Some(band) = &item.band {
            sheet.write_string(row, 6, band).map_err(fail)?;
        }
        if let Some(id) = item.sheet_id {
            sheet.write_string(row, 7, id.to_string()).map_err(fail)?;
        }
        if let Some(kind) = item.sheet_kind {
            sheet.write_string(row, 8, kind.as_str()).map_err(fail)?;
        }
        if let Some(state) = item.sheet_state {
            sheet.write_string(row, 9, state.as_str()).map_err(fail)?;
        }
    }
    book.save_to_buffer().map_err(fail)
}

/// The XLSX media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn load(
    user: AuthUser,
    state: &AppState,
    bloc_id: i64,
    key: (Year, Period, RankingBasis),
) -> Result<Ranking, ApiError> {
    state
        .db
        .read(move |c| ops::ranking::of_bloc(c, &user.scope, bloc_id, key))
        .await
}

/// A bloc's ranking for a year and period.
///
/// Every member unit of the bloc-year with the total of the sheet that counts — by default the
/// highest kind that is approved or published (board over cross over self); `basis=published`
/// for the official view, `basis=self` to compare self-assessments — its rank (ties share one:
/// 1, 2, 2, 4; listed by unit code) and its band. Units without a counted sheet come last,
/// unranked. Read from the totals kept on every write.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), RankingQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The ranking", body = RankingResponse),
    )
)]
#[get("/blocs/{id}/ranking")]
pub async fn get_bloc_ranking(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<RankingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    q.validate().map_err(query_error)?;
    let key = (q.year, q.period, q.basis.unwrap_or(RankingBasis::Approved));
    let ranking = load(user, &state, id.into_inner(), key).await?;
    Ok(HttpResponse::Ok().json(RankingResponse::from(ranking)))
}

/// Export a bloc's ranking as CSV.
///
/// The same lines as `GET …/ranking`; `…/ranking/workbook` gives them as a workbook to print.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), RankingQuery),
    security(("bearer" = [])),
    responses(CsvExport, ScopedRead)
)]
#[get("/blocs/{id}/ranking/export")]
pub async fn export_bloc_ranking(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<RankingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    q.validate().map_err(query_error)?;
    let key = (q.year, q.period, q.basis.unwrap_or(RankingBasis::Approved));
    let ranking = load(user, &state, id.into_inner(), key).await?;
    csv::response("ranking", RankingResponse::from(ranking).items)
}

/// Export a bloc's ranking as an XLSX workbook to print.
///
/// The same lines as `GET …/ranking`, under a title, with headers in Vietnamese and English.
#[utoipa::path(
    tag = "score-sheets",
    params(("id" = i64, Path, description = "Bloc id", minimum = 1), RankingQuery),
    security(("bearer" = [])),
    responses(
        ScopedRead,
        (status = 200, description = "The ranking as an Excel workbook",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"ranking.xlsx\"`")),
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    )
)]
#[get("/blocs/{id}/ranking/workbook")]
pub async fn export_bloc_ranking_workbook(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<i64>,
    query: web::Query<RankingQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    q.validate().map_err(query_error)?;
    let key = (q.year, q.period, q.basis.unwrap_or(RankingBasis::Approved));
    let ranking = load(user, &state, id.into_inner(), key).await?;
    let items = RankingResponse::from(ranking.clone()).items;
    let bytes = workbook(&ranking, &items)?;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ranking.xlsx\"",
        ))
        .body(bytes))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_bloc_ranking)
        .service(export_bloc_ranking)
        .service(export_bloc_ranking_workbook);
}
