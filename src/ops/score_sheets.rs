//! Score sheets (bảng chấm điểm): creating one, writing its entries while it is a draft,
//! moving it through its workflow, and the totals kept beside it in the same transaction.
//! Who may do which is `domain::score_sheet`; what a caller may see is decided here from its
//! scope: officers their unit's sheets and, when their unit chairs the bloc-year, the bloc's;
//! bloc chairs their blocs'; admins and province-wide viewers all.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::auth::{Actor, Role, Scope};
use crate::db::audit::{self, Change};
use crate::db::covenants::{self, CriterionRow};
use crate::db::score_sheets::{
    self as sheets, CodedEntry, Entry, Sheet, SheetData, Step, Totals, Visible,
};
use crate::db::{AnyConnection, now};
use crate::domain::score_sheet::{self, SheetAction, SheetFlow, Standing};
use crate::domain::workflow::Workflow;
use crate::domain::{Maybe, Period, Points, SheetKind, SheetState};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::{Precondition, changed, refused};
use crate::text;

/// The most entries one request may write.
pub const MAX_ENTRIES: usize = 500;

/// A new score sheet.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateSheet {
    /// The covenant whose criteria it scores (and with it the bloc and year).
    #[schema(minimum = 1, example = 1)]
    #[validate(range(min = 1))]
    pub covenant_id: i64,
    /// A member unit of the bloc in the covenant's year.
    #[schema(minimum = 1, example = 4)]
    #[validate(range(min = 1))]
    pub unit_id: i64,
    pub period: Period,
    pub kind: SheetKind,
}

/// Evidence links are web addresses.
pub fn http_link(link: &impl Maybe<String>) -> Result<(), ValidationError> {
    match link.value() {
        Some(l)
            if !(l.starts_with("https://") || l.starts_with("http://"))
                || l.contains(char::is_whitespace) =>
        {
            Err(crate::error::refusal(
                FieldCode::Invalid,
                Text::new(
                    "must be an http or https address",
                    "phải là một địa chỉ http hoặc https",
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The points a sheet gives one criterion.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    /// From 0 to the criterion's maximum, on its step.
    #[schema(example = 45.5)]
    pub points: Points,
    /// Bonus points, from 0 to the criterion's maximum bonus; 0 when absent.
    #[serde(default)]
    #[schema(example = 1)]
    pub bonus: Points,
    /// What supports the points (minh chứng).
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Báo cáo số 15/BC-STNMT ngày 25/6/2019"
    )]
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::domain::text::free_text")
    )]
    pub evidence: Option<String>,
    /// Where the evidence is, an http or https address.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^https?://[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]+$",
        example = "https://stnmt.dienbien.gov.vn/bao-cao/15-bc-stnmt.pdf"
    )]
    #[validate(length(min = 1, max = 2000), custom(function = "http_link"))]
    pub link: Option<String>,
}

/// One entry of a whole set, naming its criterion.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CodedEntryInput {
    #[schema(min_length = 1, max_length = 32, example = "1.1")]
    #[validate(length(min = 1, max = 32))]
    pub criterion_code: String,
    #[schema(example = 45.5)]
    pub points: Points,
    #[serde(default)]
    #[schema(example = 1)]
    pub bonus: Points,
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Báo cáo số 15/BC-STNMT ngày 25/6/2019"
    )]
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::domain::text::free_text")
    )]
    pub evidence: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^https?://[^\\s\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]+$",
        example = "https://stnmt.dienbien.gov.vn/bao-cao/15-bc-stnmt.pdf"
    )]
    #[validate(length(min = 1, max = 2000), custom(function = "http_link"))]
    pub link: Option<String>,
}

/// Every entry of a sheet, replacing the ones it had.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReplaceEntries {
    #[schema(max_items = 500)]
    #[validate(nested)]
    pub entries: Vec<CodedEntryInput>,
}

/// A sheet with its entries and totals, as shown and audited.
#[derive(Debug, Clone, Serialize)]
pub struct SheetView {
    pub sheet: Sheet,
    pub entries: Vec<CodedEntry>,
    pub totals: Totals,
}

/// Who is asking: the role and scope of the caller.
pub type Caller<'a> = (Role, &'a Scope);

/// Where the caller stands towards a sheet of `unit_id` in the bloc-year.
fn standing(
    c: &mut AnyConnection,
    (role, scope): Caller<'_>,
    unit_id: i64,
    (bloc_id, year): (i64, crate::domain::Year),
) -> Result<Standing, ApiError> {
    let chair_unit = sheets::chair_unit(c, bloc_id, year)?;
    let writer = matches!(role, Role::UnitOfficer | Role::BlocChair);
    let chair = match scope {
        Scope::Unit(u) => writer && chair_unit == Some(*u),
        Scope::Blocs(blocs) => role == Role::BlocChair && blocs.contains(&bloc_id),
        Scope::Province => false,
    };
    Ok(Standing {
        admin: role == Role::Admin,
        own_unit: role == Role::UnitOfficer && *scope == Scope::Unit(unit_id),
        chair,
        chair_unit_sheet: chair_unit == Some(unit_id),
    })
}

/// Whether the scope reaches a sheet of `unit_id` in the bloc-year.
fn reaches(
    c: &mut AnyConnection,
    scope: &Scope,
    unit_id: i64,
    (bloc_id, year): (i64, crate::domain::Year),
) -> Result<bool, ApiError> {
    Ok(match scope {
        Scope::Province => true,
        Scope::Blocs(blocs) => blocs.contains(&bloc_id),
        Scope::Unit(u) => *u == unit_id || sheets::chair_unit(c, bloc_id, year)? == Some(*u),
    })
}

/// The sheets a scope reaches, as a list filter.
pub fn visible_filter(c: &mut AnyConnection, scope: &Scope) -> Result<Visible, ApiError> {
    Ok(match scope {
        Scope::Province => Visible::All,
        Scope::Blocs(blocs) => Visible::Some {
            units: vec![],
            covenants: vec![],
            blocs: blocs.clone(),
        },
        Scope::Unit(u) => Visible::Some {
            units: vec![*u],
            covenants: sheets::chaired_covenants(c, *u)?,
            blocs: vec![],
        },
    })
}

/// Loads a sheet the caller may see; others are 404.
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Sheet, ApiError> {
    match sheets::find(c, id)? {
        Some(s) if reaches(c, scope, s.data.unit_id, (s.data.bloc_id, s.data.year))? => Ok(s),
        _ => Err(ApiError::NotFound(noun::SCORE_SHEET)),
    }
}

pub fn view_of(c: &mut AnyConnection, sheet: Sheet) -> Result<SheetView, ApiError> {
    let entries = sheets::entries(c, sheet.id)?;
    let totals = match sheets::totals(c, sheet.id)? {
        Some(t) => t,
        None => sheets::refresh_totals(c, &sheet)?,
    };
    Ok(SheetView {
        sheet,
        entries,
        totals,
    })
}

pub fn view(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<SheetView, ApiError> {
    let sheet = visible(c, scope, id)?;
    view_of(c, sheet)
}

/// A sheet the caller may write: visible (404), theirs to write (403), a draft (409).
fn writable(
    c: &mut AnyConnection,
    caller: Caller<'_>,
    id: i64,
    expected: &impl Precondition,
) -> Result<Sheet, ApiError> {
    let sheet = visible(c, caller.1, id)?;
    let d = &sheet.data;
    if !score_sheet::may_write(d.kind, standing(c, caller, d.unit_id, (d.bloc_id, d.year))?) {
        return Err(ApiError::Forbidden);
    }
    expected.check(sheet.version)?;
    if d.state != SheetState::Draft {
        return Err(ApiError::conflict(
            Code::SheetNotDraft,
            text!(
                "the sheet is {}; entries change only in a draft",
                "bảng chấm điểm đang ở trạng thái {}; chỉ bảng nháp mới sửa được điểm",
                d.state
            ),
        ));
    }
    Ok(sheet)
}

/// Creates a draft sheet for a member unit of the covenant's bloc-year.
pub fn create(
    c: &mut AnyConnection,
    (actor, caller): (&Actor, Caller<'_>),
    body: &CreateSheet,
) -> Result<SheetView, ApiError> {
    body.validate()?;
    let covenant = crate::ops::covenants::visible(c, caller.1, body.covenant_id)?;
    let key = (covenant.bloc_id, covenant.year);
    if !reaches(c, caller.1, body.unit_id, key)? {
        return Err(ApiError::NotFound(noun::UNIT));
    }
    if !sheets::is_member(c, covenant.bloc_id, covenant.year, body.unit_id)? {
        return Err(ApiError::invalid(
            "unit_id",
            FieldCode::NotAMember,
            text!(
                "unit {} is not a member of the bloc in {}",
                "đơn vị {} không phải thành viên của khối trong năm {}",
                body.unit_id,
                covenant.year
            ),
        ));
    }
    if !score_sheet::may_write(body.kind, standing(c, caller, body.unit_id, key)?) {
        return Err(ApiError::Forbidden);
    }
    let sheet = sheets::insert(
        c,
        &SheetData {
            covenant_id: covenant.id,
            bloc_id: covenant.bloc_id,
            year: covenant.year,
            unit_id: body.unit_id,
            period: body.period,
            kind: body.kind,
            state: SheetState::Draft,
            created_by: actor.user_id,
        },
    )?;
    let view = view_of(c, sheet)?;
    audit::record(
        c,
        actor,
        Change::new("score_sheet.create", "score_sheet", view.sheet.id).after(&view),
    )?;
    Ok(view)
}

/// The rules one entry keeps against its criterion; `field` prefixes the names.
fn check_entry(
    criterion: &CriterionRow,
    (points, bonus): (Points, Points),
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    let d = &criterion.data;
    if points > d.max_points {
        errors.push(FieldError::new(
            format!("{field}points"),
            FieldCode::AboveMax,
            text!(
                "criterion {}: at most {} points",
                "tiêu chí {}: tối đa {} điểm",
                d.code,
                d.max_points
            ),
        ));
    } else if let Some(step) = d.step
        && !points.is_multiple_of(step)
    {
        errors.push(FieldError::new(
            format!("{field}points"),
            FieldCode::Step,
            text!(
                "criterion {}: points go by {}",
                "tiêu chí {}: điểm chấm theo bước {}",
                d.code,
                step
            ),
        ));
    }
    if bonus > d.max_bonus_points {
        errors.push(FieldError::new(
            format!("{field}bonus"),
            FieldCode::AboveMax,
            text!(
                "criterion {}: at most {} bonus points",
                "tiêu chí {}: tối đa {} điểm thưởng",
                d.code,
                d.max_bonus_points
            ),
        ));
    }
}

/// Bumps the sheet's version, redoes its totals and audits the change.
fn after_entries(
    c: &mut AnyConnection,
    actor: &Actor,
    sheet: &Sheet,
    (action, before): (&str, serde_json::Value),
) -> Result<SheetView, ApiError> {
    let touched = changed(sheets::touch(c, sheet)?)?;
    sheets::refresh_totals(c, &touched)?;
    let view = view_of(c, touched)?;
    audit::record(
        c,
        actor,
        Change::new(action, "score_sheet", sheet.id)
            .before(before)
            // An object, as every snapshot of the trail is.
            .after(serde_json::json!({ "entries": &view.entries })),
    )?;
    Ok(view)
}

/// Writes the entry of one criterion.
pub fn put_entry(
    c: &mut AnyConnection,
    (actor, caller): (&Actor, Caller<'_>),
    (id, code): (i64, &str),
    expected: &impl Precondition,
    input: &EntryInput,
) -> Result<SheetView, ApiError> {
    input.validate()?;
    let sheet = writable(c, caller, id, expected)?;
    let criterion = covenants::criterion(c, sheet.data.covenant_id, code)?
        .ok_or(ApiError::NotFound(noun::CRITERION))?;
    let mut errors = Vec::new();
    check_entry(&criterion, (input.points, input.bonus), "", &mut errors);
    ApiError::unless_any(errors)?;
    let old = sheets::entry(c, id, criterion.id)?;
    sheets::put_entry(
        c,
        &Entry {
            sheet_id: id,
            criterion_id: criterion.id,
            points: input.points,
            bonus: input.bonus,
            evidence: input.evidence.clone(),
            link: input.link.clone(),
            updated_at: now(),
        },
    )?;
    let before = serde_json::json!({ "criterion_code": code, "entry": old });
    after_entries(c, actor, &sheet, ("score_sheet.entry_put", before))
}

/// Replaces every entry of a sheet.
pub fn replace_entries(
    c: &mut AnyConnection,
    (actor, caller): (&Actor, Caller<'_>),
    id: i64,
    expected: &impl Precondition,
    input: &ReplaceEntries,
) -> Result<SheetView, ApiError> {
    input.validate()?;
    if input.entries.len() > MAX_ENTRIES {
        return Err(ApiError::invalid(
            "entries",
            FieldCode::Length,
            Text::new("at most 500 entries", "tối đa 500 mục điểm"),
        ));
    }
    let sheet = writable(c, caller, id, expected)?;
    let doc = covenants::document(c, sheet.data.covenant_id)?;
    let by_code: HashMap<&str, &CriterionRow> =
        doc.criteria().map(|r| (r.data.code.as_str(), r)).collect();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut list = Vec::new();
    for (i, e) in input.entries.iter().enumerate() {
        let field = format!("entries[{i}].");
        let Some(criterion) = by_code.get(e.criterion_code.as_str()) else {
            errors.push(FieldError::new(
                format!("{field}criterion_code"),
                FieldCode::Unknown,
                text!(
                    "the covenant has no criterion {}",
                    "giao ước không có tiêu chí {}",
                    e.criterion_code
                ),
            ));
            continue;
        };
        if !seen.insert(criterion.id) {
            errors.push(FieldError::new(
                format!("{field}criterion_code"),
                FieldCode::Duplicate,
                text!(
                    "criterion {} is listed twice",
                    "tiêu chí {} có tên hai lần",
                    e.criterion_code
                ),
            ));
            continue;
        }
        check_entry(criterion, (e.points, e.bonus), &field, &mut errors);
        list.push(Entry {
            sheet_id: id,
            criterion_id: criterion.id,
            points: e.points,
            bonus: e.bonus,
            evidence: e.evidence.clone(),
            link: e.link.clone(),
            updated_at: now(),
        });
    }
    ApiError::unless_any(errors)?;
    let before = serde_json::json!({ "entries": sheets::entries(c, id)? });
    sheets::replace_entries(c, id, &list)?;
    after_entries(c, actor, &sheet, ("score_sheet.entries_replace", before))
}

/// Moves a sheet through its workflow and records the step.
pub fn transition(
    c: &mut AnyConnection,
    (actor, caller): (&Actor, Caller<'_>),
    id: i64,
    action: SheetAction,
    reason: Option<&str>,
) -> Result<SheetView, ApiError> {
    let sheet = visible(c, caller.1, id)?;
    let d = sheet.data.clone();
    let to =
        SheetFlow::decide(d.state, action, caller.0, reason).map_err(|r| refused(r, action))?;
    if !score_sheet::may_take(
        action,
        d.kind,
        standing(c, caller, d.unit_id, (d.bloc_id, d.year))?,
    ) {
        return Err(ApiError::Forbidden);
    }
    if action == SheetAction::Submit {
        let scored: HashSet<String> = sheets::entries(c, id)?
            .into_iter()
            .map(|e| e.criterion_code)
            .collect();
        let missing: Vec<String> = covenants::document(c, d.covenant_id)?
            .criteria()
            .filter(|r| r.data.mandatory && !scored.contains(&r.data.code))
            .map(|r| r.data.code.clone())
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::invalid(
                "entries",
                FieldCode::MandatoryMissing,
                text!(
                    "mandatory criteria without an entry: {}",
                    "các tiêu chí bắt buộc chưa chấm: {}",
                    missing.join(", ")
                ),
            ));
        }
    }
    let before = view_of(c, sheet.clone())?;
    let updated = changed(sheets::set_state(c, &sheet, to)?)?;
    sheets::record_step(
        c,
        id,
        (action, d.state, to),
        reason,
        (actor.user_id, actor.username.as_deref()),
    )?;
    let after = view_of(c, updated)?;
    audit::record(
        c,
        actor,
        Change::new("score_sheet.transition", "score_sheet", id)
            .before(&before.sheet)
            .after(&after.sheet)
            .reason(reason),
    )?;
    Ok(after)
}

/// The history of a sheet the caller may see.
pub fn history(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Vec<Step>, ApiError> {
    visible(c, scope, id)?;
    Ok(sheets::history_of(c, id)?)
}
