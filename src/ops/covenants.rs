//! Covenants (giao ước thi đua): signing one for a bloc-year with its signatory units, editing
//! its criteria document (groups, criteria, bands) until a score sheet under it is submitted,
//! and starting next year's from it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::{Actor, Scope};
use crate::db::audit::{self, Change};
use crate::db::blocs::members;
use crate::db::covenants::{
    self, BandData, Covenant, CovenantData, CriterionData, Document, Signatory,
};
use crate::db::{AnyConnection, score_sheets};
use crate::domain::{Date, Points, Year};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed, delete_unless_referred};
use crate::text;

/// The most signatories, groups, criteria in a group and bands a covenant may list.
pub const MAX_SIGNATORIES: usize = 200;
pub const MAX_GROUPS: usize = 50;
pub const MAX_CRITERIA: usize = 200;
pub const MAX_BANDS: usize = 20;

/// A new covenant of a bloc for a year.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateCovenant {
    /// The covenant's year: one covenant per bloc-year, within the bloc's active years.
    #[validate(custom(function = "Year::validate"))]
    pub year: Year,
    /// The day it was signed (ngày ký kết).
    #[schema(example = "2019-02-20")]
    pub signed_on: Option<Date>,
    /// Where it was signed.
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên"
    )]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub place: Option<String>,
    /// The targets the units pledge (nội dung giao ước).
    #[schema(
        min_length = 1,
        max_length = 8000,
        example = "Thi đua hoàn thành xuất sắc nhiệm vụ chính trị năm 2019; thực hành tiết kiệm, chống lãng phí"
    )]
    #[validate(
        length(min = 1, max = 8000),
        custom(function = "crate::domain::text::free_text")
    )]
    pub content: String,
    /// The signatory units: members of the bloc in the covenant's year.
    #[schema(max_items = 200, example = json!([1, 2, 3, 4, 5, 6]))]
    #[serde(default)]
    pub signatory_unit_ids: Vec<i64>,
}

/// Changes to a covenant, as a JSON merge patch: absent fields stay, `null` clears. Its bloc
/// and year are fixed; its criteria are edited at `…/criteria`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CovenantPatch {
    #[serde(
        default,
        deserialize_with = "crate::ops::fields::patch",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<Date>, example = "2019-02-20")]
    pub signed_on: Option<Option<Date>>,
    #[serde(
        default,
        deserialize_with = "crate::ops::fields::patch",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 300, example = "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên")]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub place: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::ops::fields::patch",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = String, min_length = 1, max_length = 8000)]
    #[validate(
        length(min = 1, max = 8000),
        custom(function = "crate::domain::text::free_text")
    )]
    pub content: Option<String>,
    /// The whole new list of signatory units.
    #[serde(
        default,
        deserialize_with = "crate::ops::fields::patch",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Vec<i64>, max_items = 200)]
    pub signatory_unit_ids: Option<Vec<i64>>,
}

/// Next year's covenant, started from this one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CopyCovenant {
    /// The new covenant's year.
    #[validate(custom(function = "Year::validate"))]
    #[schema(value_type = i32, example = 2020)]
    pub year: Year,
    #[schema(example = "2020-02-18")]
    pub signed_on: Option<Date>,
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Hội trường Sở Xây dựng tỉnh Điện Biên"
    )]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub place: Option<String>,
}

/// One criterion of the document.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// Unique in the covenant.
    #[schema(
        min_length = 1,
        max_length = 32,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$",
        example = "1.1"
    )]
    #[validate(
        length(min = 1, max = 32),
        custom(function = "crate::ops::fields::code_chars")
    )]
    pub code: String,
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Hoàn thành các chỉ tiêu, nhiệm vụ được UBND tỉnh giao"
    )]
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::domain::text::free_text")
    )]
    pub content: String,
    #[schema(example = 10)]
    pub max_points: Points,
    /// Bonus points (điểm thưởng) on top; 0 when absent.
    #[serde(default)]
    #[schema(example = 2)]
    pub max_bonus_points: Points,
    /// Whether a sheet must score it before it is submitted.
    #[serde(default)]
    pub mandatory: bool,
    /// The text the criterion rests on.
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Luật Thi đua, khen thưởng; Hướng dẫn 1479/HD-BTĐKT"
    )]
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub legal_basis: Option<String>,
    /// The step points go by (0.25, 0.5, 1…); it must divide the maximum.
    #[schema(example = 0.5)]
    pub step: Option<Points>,
}

/// A group of criteria, in order.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Thực hiện nhiệm vụ chính trị"
    )]
    #[validate(
        length(min = 1, max = 500),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub name: String,
    #[schema(max_items = 200)]
    #[validate(nested)]
    pub criteria: Vec<CriterionInput>,
}

/// A classification band (xếp loại): totals from `min_points` to `max_points`, both inclusive.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct BandInput {
    #[schema(min_length = 1, max_length = 100, example = "Xuất sắc")]
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub label: String,
    #[schema(example = 90)]
    pub min_points: Points,
    #[schema(example = 100)]
    pub max_points: Points,
}

/// A covenant's whole criteria document, replacing the previous one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CriteriaDocument {
    #[schema(max_items = 50)]
    #[validate(nested)]
    pub groups: Vec<GroupInput>,
    #[schema(max_items = 20)]
    #[validate(nested)]
    #[serde(default)]
    pub bands: Vec<BandInput>,
}

impl CriteriaDocument {
    /// The rules that need no database: sizes, unique codes, steps dividing maxima, bands in
    /// order and not overlapping. Returns the groups and bands as stored.
    #[allow(clippy::type_complexity)]
    pub fn check(&self) -> Result<(Vec<(String, Vec<CriterionData>)>, Vec<BandData>), ApiError> {
        self.validate()?;
        let mut errors = Vec::new();
        if self.groups.len() > MAX_GROUPS {
            errors.push(FieldError::new(
                "groups",
                FieldCode::Length,
                Text::new("at most 50 groups", "tối đa 50 nhóm tiêu chí"),
            ));
        }
        if self.bands.len() > MAX_BANDS {
            errors.push(FieldError::new(
                "bands",
                FieldCode::Length,
                Text::new("at most 20 bands", "tối đa 20 mức xếp loại"),
            ));
        }
        let mut codes = HashSet::new();
        for (gi, g) in self.groups.iter().enumerate() {
            if g.criteria.len() > MAX_CRITERIA {
                errors.push(FieldError::new(
                    format!("groups[{gi}].criteria"),
                    FieldCode::Length,
                    Text::new(
                        "at most 200 criteria in a group",
                        "mỗi nhóm có tối đa 200 tiêu chí",
                    ),
                ));
            }
            for (ci, cr) in g.criteria.iter().enumerate() {
                let field = |f: &str| format!("groups[{gi}].criteria[{ci}].{f}");
                if !codes.insert(cr.code.as_str()) {
                    errors.push(FieldError::new(
                        field("code"),
                        FieldCode::Duplicate,
                        text!(
                            "criterion {} is listed twice",
                            "tiêu chí {} có tên hai lần",
                            cr.code
                        ),
                    ));
                }
                if let Some(step) = cr.step {
                    if step.0 == 0 {
                        errors.push(FieldError::new(
                            field("step"),
                            FieldCode::Range,
                            Text::new("must be above 0", "phải lớn hơn 0"),
                        ));
                    } else if !cr.max_points.is_multiple_of(step) {
                        errors.push(FieldError::new(
                            field("step"),
                            FieldCode::StepDividesMax,
                            text!(
                                "criterion {}: the step {} does not divide the maximum {}",
                                "tiêu chí {}: bước điểm {} không chia hết điểm tối đa {}",
                                cr.code,
                                step,
                                cr.max_points
                            ),
                        ));
                    }
                }
            }
        }
        let mut order: Vec<(usize, &BandInput)> = self.bands.iter().enumerate().collect();
        for (i, b) in &order {
            if b.min_points > b.max_points {
                errors.push(FieldError::new(
                    format!("bands[{i}].min_points"),
                    FieldCode::Order,
                    Text::new(
                        "must not be above max_points",
                        "không được lớn hơn max_points",
                    ),
                ));
            }
        }
        order.sort_by_key(|(_, b)| b.min_points);
        for pair in order.windows(2) {
            let ((_, a), (j, b)) = (pair[0], pair[1]);
            if b.min_points <= a.max_points {
                errors.push(FieldError::new(
                    format!("bands[{j}]"),
                    FieldCode::Overlap,
                    text!(
                        "band {} ({}–{}) overlaps band {} ({}–{})",
                        "mức {} ({}–{}) trùng khoảng điểm với mức {} ({}–{})",
                        b.label,
                        b.min_points,
                        b.max_points,
                        a.label,
                        a.min_points,
                        a.max_points
                    ),
                ));
            }
        }
        ApiError::unless_any(errors)?;
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let list = g
                    .criteria
                    .iter()
                    .map(|cr| CriterionData {
                        code: cr.code.clone(),
                        content: cr.content.clone(),
                        max_points: cr.max_points,
                        max_bonus_points: cr.max_bonus_points,
                        mandatory: cr.mandatory,
                        legal_basis: cr.legal_basis.clone(),
                        step: cr.step,
                    })
                    .collect();
                (g.name.clone(), list)
            })
            .collect();
        let bands = self
            .bands
            .iter()
            .map(|b| BandData {
                label: b.label.clone(),
                min_points: b.min_points,
                max_points: b.max_points,
            })
            .collect();
        Ok((groups, bands))
    }
}

/// A covenant with its signatories, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct CovenantView {
    pub covenant: Covenant,
    pub signatories: Vec<Signatory>,
    /// The first submitted sheet under it, which locks its criteria.
    pub locked_by_sheet: Option<i64>,
}

/// A covenant's criteria document, as shown, with its ETag.
#[derive(Debug, Clone, Serialize)]
pub struct CriteriaView {
    pub covenant_id: i64,
    pub document: Document,
    pub locked_by_sheet: Option<i64>,
    #[serde(skip)]
    pub etag: String,
}

/// The ETag of a covenant's criteria document.
pub fn criteria_etag(covenant: &Covenant) -> String {
    format!("\"criteria-{}\"", covenant.criteria_version)
}

/// Loads a covenant whose bloc the caller may see; others are 404.
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Covenant, ApiError> {
    let covenant = covenants::find(c, id)?.ok_or(ApiError::NotFound(noun::COVENANT))?;
    crate::ops::blocs::visible(c, scope, covenant.bloc_id)
        .map_err(|_| ApiError::NotFound(noun::COVENANT))?;
    Ok(covenant)
}

fn find(c: &mut AnyConnection, id: i64) -> Result<Covenant, ApiError> {
    covenants::find(c, id)?.ok_or(ApiError::NotFound(noun::COVENANT))
}

/// A covenant with its signatories and lock.
pub fn view_of(c: &mut AnyConnection, covenant: Covenant) -> Result<CovenantView, ApiError> {
    Ok(CovenantView {
        signatories: covenants::signatories_of(c, covenant.id)?,
        locked_by_sheet: covenants::locking_sheet(c, covenant.id)?,
        covenant,
    })
}

pub fn view(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<CovenantView, ApiError> {
    let covenant = visible(c, scope, id)?;
    view_of(c, covenant)
}

/// Signatories must be the year's members, each once.
fn check_signatories(
    c: &mut AnyConnection,
    bloc_id: i64,
    year: Year,
    ids: &[i64],
) -> Result<(), ApiError> {
    if ids.len() > MAX_SIGNATORIES {
        return Err(ApiError::invalid(
            "signatory_unit_ids",
            FieldCode::Length,
            Text::new("at most 200 units", "tối đa 200 đơn vị"),
        ));
    }
    let members: Vec<i64> = members::of_year(c, bloc_id, year)?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("signatory_unit_ids[{i}]");
        if !seen.insert(*id) {
            errors.push(FieldError::new(
                field,
                FieldCode::Duplicate,
                Text::new("the unit is already listed", "đơn vị đã có trong danh sách"),
            ));
        } else if !members.contains(id) {
            errors.push(FieldError::new(
                field,
                FieldCode::NotAMember,
                text!(
                    "unit {id} is not a member of the bloc in {year}",
                    "đơn vị {id} không phải thành viên của khối trong năm {year}"
                ),
            ));
        }
    }
    ApiError::unless_any(errors)
}

/// Signs a covenant for a bloc-year.
pub fn create(
    c: &mut AnyConnection,
    actor: &Actor,
    bloc_id: i64,
    body: &CreateCovenant,
) -> Result<CovenantView, ApiError> {
    body.validate()?;
    let bloc = crate::db::blocs::find(c, bloc_id)?.ok_or(ApiError::NotFound(noun::BLOC))?;
    if !bloc.data.active_in(body.year) {
        return Err(ApiError::invalid(
            "year",
            FieldCode::Inactive,
            text!(
                "the bloc is not active in {}",
                "khối không hoạt động trong năm {}",
                body.year
            ),
        ));
    }
    check_signatories(c, bloc_id, body.year, &body.signatory_unit_ids)?;
    let data = CovenantData {
        signed_on: body.signed_on,
        place: body.place.clone(),
        content: body.content.clone(),
    };
    let covenant = covenants::insert(c, bloc_id, body.year, &data)?;
    covenants::set_signatories(c, covenant.id, &body.signatory_unit_ids)?;
    let view = view_of(c, covenant)?;
    audit::record(
        c,
        actor,
        Change::new("covenant.create", "covenant", view.covenant.id).after(&view),
    )?;
    Ok(view)
}

/// Changes a covenant's fields and signatories.
pub fn update(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
    patch: &CovenantPatch,
) -> Result<CovenantView, ApiError> {
    patch.validate()?;
    let current = find(c, id)?;
    expected.check(current.version)?;
    let before = view_of(c, current.clone())?;
    let d = &current.data;
    let data = CovenantData {
        signed_on: patch.signed_on.unwrap_or(d.signed_on),
        place: patch.place.clone().unwrap_or_else(|| d.place.clone()),
        content: patch.content.clone().unwrap_or_else(|| d.content.clone()),
    };
    if let Some(ids) = &patch.signatory_unit_ids {
        check_signatories(c, current.bloc_id, current.year, ids)?;
    }
    let updated = changed(covenants::update(c, &current, &data)?)?;
    if let Some(ids) = &patch.signatory_unit_ids {
        covenants::set_signatories(c, id, ids)?;
    }
    let after = view_of(c, updated)?;
    audit::record(
        c,
        actor,
        Change::new("covenant.update", "covenant", id)
            .before(&before)
            .after(&after),
    )?;
    Ok(after)
}

/// Deletes a covenant no score sheet refers to.
pub fn delete(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
) -> Result<(), ApiError> {
    let current = find(c, id)?;
    expected.check(current.version)?;
    let before = view_of(c, current.clone())?;
    delete_unless_referred(
        c,
        ("covenants", id),
        (
            Code::CovenantInUse,
            noun::COVENANT,
            Text::new(
                "its score sheets keep it",
                "các bảng chấm điểm của giao ước vẫn cần đến nó",
            ),
        ),
        |c| covenants::delete(c, &current),
    )?;
    audit::record(
        c,
        actor,
        Change::new("covenant.delete", "covenant", id).before(&before),
    )?;
    Ok(())
}

pub fn criteria_of(c: &mut AnyConnection, covenant: &Covenant) -> Result<CriteriaView, ApiError> {
    Ok(CriteriaView {
        covenant_id: covenant.id,
        document: covenants::document(c, covenant.id)?,
        locked_by_sheet: covenants::locking_sheet(c, covenant.id)?,
        etag: criteria_etag(covenant),
    })
}

/// The 409 of a change to a locked covenant's criteria.
fn locked(sheet: i64) -> ApiError {
    ApiError::conflict(
        Code::CovenantLocked,
        text!(
            "score sheet {sheet} under this covenant has been submitted; its criteria and bands \
             can no longer change",
            "bảng chấm điểm {sheet} của giao ước đã được gửi; tiêu chí và mức xếp loại không \
             thể thay đổi nữa"
        ),
    )
}

/// Replaces a covenant's criteria document, unless a submitted sheet has locked it.
pub fn replace_criteria(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    expected: &impl Precondition,
    doc: &CriteriaDocument,
) -> Result<CriteriaView, ApiError> {
    let (groups, bands) = doc.check()?;
    let current = find(c, id)?;
    expected.check_tag(&criteria_etag(&current), false)?;
    if let Some(sheet) = covenants::locking_sheet(c, id)? {
        return Err(locked(sheet));
    }
    let before = criteria_of(c, &current)?;
    let touched = covenants::replace_document(c, &current, &groups, &bands)?;
    for sheet in touched {
        if let Some(s) = score_sheets::find(c, sheet)? {
            score_sheets::refresh_totals(c, &s)?;
        }
    }
    if let Some((code, sheet)) = covenants::exceeding_entries(c, id)? {
        return Err(ApiError::conflict(
            Code::EntriesExceedCriteria,
            text!(
                "draft score sheet {sheet} gives criterion {code} more than its new maximum",
                "bảng chấm điểm nháp {sheet} cho tiêu chí {code} nhiều hơn điểm tối đa mới"
            ),
        ));
    }
    let stored = find(c, id)?;
    let after = criteria_of(c, &stored)?;
    audit::record(
        c,
        actor,
        Change::new("covenant.criteria_replace", "covenant", id)
            .before(&before)
            .after(&after),
    )?;
    Ok(after)
}

/// Starts next year's covenant of the same bloc from a locked one: its content, criteria and
/// bands, and the new year's members as signatories.
pub fn copy(
    c: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    body: &CopyCovenant,
) -> Result<CovenantView, ApiError> {
    body.validate()?;
    let source = find(c, id)?;
    if covenants::locking_sheet(c, id)?.is_none() {
        return Err(ApiError::conflict(
            Code::CovenantNotLocked,
            Text::new(
                "only a covenant whose criteria are locked (a score sheet under it submitted) is \
                 copied",
                "chỉ sao chép được giao ước đã khóa tiêu chí (đã có bảng chấm điểm được gửi)",
            ),
        ));
    }
    let signatories: Vec<i64> = members::of_year(c, source.bloc_id, body.year)?
        .into_iter()
        .map(|m| m.unit_id)
        .collect();
    let create_body = CreateCovenant {
        year: body.year,
        signed_on: body.signed_on,
        place: body.place.clone(),
        content: source.data.content.clone(),
        signatory_unit_ids: signatories,
    };
    let created = create(c, actor, source.bloc_id, &create_body)?;
    let doc = covenants::document(c, id)?;
    let groups: Vec<(String, Vec<CriterionData>)> = doc
        .groups
        .iter()
        .map(|g| {
            (
                g.name.clone(),
                g.criteria.iter().map(|r| r.data.clone()).collect(),
            )
        })
        .collect();
    covenants::replace_document(c, &created.covenant, &groups, &doc.bands)?;
    let stored = find(c, created.covenant.id)?;
    let view = view_of(c, stored)?;
    audit::record(
        c,
        actor,
        Change::new("covenant.copy", "covenant", view.covenant.id)
            .before(&source)
            .after(&view),
    )?;
    Ok(view)
}
