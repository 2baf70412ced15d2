//! The shapes of covenant requests and answers: the covenant with its signatories, and its
//! criteria document.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::covenants::{BandData, CriterionRow, Signatory};
use crate::domain::{Date, Points, Year};
use crate::http::csv::{CsvRow, opt};
use crate::list_query;
pub use crate::ops::covenants::{
    BandInput, CopyCovenant, CovenantPatch, CovenantView, CreateCovenant, CriteriaDocument,
    CriteriaView, CriterionInput, GroupInput,
};

/// A signatory unit of a covenant.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignatoryResponse {
    #[schema(example = 1)]
    pub unit_id: i64,
    #[schema(example = "STNMT")]
    pub code: String,
    #[schema(example = "Sở Tài nguyên và Môi trường")]
    pub name: String,
}

impl From<Signatory> for SignatoryResponse {
    fn from(s: Signatory) -> Self {
        SignatoryResponse {
            unit_id: s.unit_id,
            code: s.code,
            name: s.name,
        }
    }
}

/// A covenant (giao ước thi đua) of a bloc for a year: the targets its units pledge, who
/// signed, and (at `…/criteria`) how they are scored.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CovenantResponse {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = 1)]
    pub bloc_id: i64,
    pub year: Year,
    #[schema(example = "2019-02-20")]
    pub signed_on: Option<Date>,
    #[schema(example = "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên")]
    pub place: Option<String>,
    #[schema(
        example = "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị năm 2019; thực hành tiết kiệm, chống lãng phí"
    )]
    pub content: String,
    /// The signatory units, by code.
    pub signatories: Vec<SignatoryResponse>,
    /// The first score sheet under the covenant that was submitted: while set, its criteria
    /// and bands cannot change.
    #[schema(example = json!(null))]
    pub locked_by_sheet: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip)]
    pub version: i64,
}

impl From<CovenantView> for CovenantResponse {
    fn from(v: CovenantView) -> Self {
        let c = v.covenant;
        CovenantResponse {
            id: c.id,
            bloc_id: c.bloc_id,
            year: c.year,
            signed_on: c.data.signed_on,
            place: c.data.place,
            content: c.data.content,
            signatories: v.signatories.into_iter().map(Into::into).collect(),
            locked_by_sheet: v.locked_by_sheet,
            created_at: c.created_at.and_utc(),
            updated_at: c.updated_at.and_utc(),
            version: c.version,
        }
    }
}

impl CsvRow for CovenantResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "bloc_id",
        "year",
        "signed_on",
        "place",
        "content",
        "signatories",
        "locked_by_sheet",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.bloc_id.to_string(),
            self.year.to_string(),
            opt(&self.signed_on),
            opt(&self.place),
            self.content.clone(),
            self.signatories
                .iter()
                .map(|s| s.code.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            opt(&self.locked_by_sheet),
        ]
    }
}

list_query! {
    /// Filters for a bloc's covenants.
    pub struct CovenantListQuery {
        #[validate(custom(function = "Year::validate"))]
        pub year: Option<Year>,
    }
    export = CovenantExportQuery,
    order_by = crate::db::covenants::CovenantSort
}

/// A criterion (tiêu chí) and its scale.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionResponse {
    #[schema(example = "1.1")]
    pub code: String,
    #[schema(example = "Hoàn thành các chỉ tiêu, nhiệm vụ được UBND tỉnh giao")]
    pub content: String,
    #[schema(example = 10)]
    pub max_points: Points,
    #[schema(example = 2)]
    pub max_bonus_points: Points,
    pub mandatory: bool,
    #[schema(example = "Luật Thi đua, khen thưởng; Hướng dẫn 1479/HD-BTĐKT")]
    pub legal_basis: Option<String>,
    #[schema(example = 0.5)]
    pub step: Option<Points>,
}

impl From<CriterionRow> for CriterionResponse {
    fn from(r: CriterionRow) -> Self {
        let d = r.data;
        CriterionResponse {
            code: d.code,
            content: d.content,
            max_points: d.max_points,
            max_bonus_points: d.max_bonus_points,
            mandatory: d.mandatory,
            legal_basis: d.legal_basis,
            step: d.step,
        }
    }
}

/// A group of criteria (nhóm tiêu chí).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupResponse {
    #[schema(example = "Thực hiện nhiệm vụ chính trị")]
    pub name: String,
    pub criteria: Vec<CriterionResponse>,
}

/// A classification band (xếp loại), both bounds inclusive.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BandResponse {
    #[schema(example = "Xuất sắc")]
    pub label: String,
    #[schema(example = 90)]
    pub min_points: Points,
    #[schema(example = 100)]
    pub max_points: Points,
}

impl From<BandData> for BandResponse {
    fn from(b: BandData) -> Self {
        BandResponse {
            label: b.label,
            min_points: b.min_points,
            max_points: b.max_points,
        }
    }
}

/// A covenant's criteria document: groups of criteria in order, and the bands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriteriaResponse {
    #[schema(example = 1)]
    pub covenant_id: i64,
    pub groups: Vec<GroupResponse>,
    pub bands: Vec<BandResponse>,
    /// While set, the document cannot change (`covenant_locked`).
    #[schema(example = json!(null))]
    pub locked_by_sheet: Option<i64>,
}

impl From<CriteriaView> for CriteriaResponse {
    fn from(v: CriteriaView) -> Self {
        CriteriaResponse {
            covenant_id: v.covenant_id,
            groups: v
                .document
                .groups
                .into_iter()
                .map(|g| GroupResponse {
                    name: g.name,
                    criteria: g.criteria.into_iter().map(Into::into).collect(),
                })
                .collect(),
            bands: v.document.bands.into_iter().map(Into::into).collect(),
            locked_by_sheet: v.locked_by_sheet,
        }
    }
}
