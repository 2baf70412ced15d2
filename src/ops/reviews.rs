//! Recording review meetings (hội nghị) as one document — the meeting, its attendees, focus
//! tasks, resolutions and awards handed over — and confirming them, which applies the elected
//! chair and deputies to the bloc's membership in the same transaction.

use std::collections::BTreeMap;

use crate::auth::{Actor, Role, Scope};
use crate::db::AnyConnection;
use crate::db::audit::{self, Change};
use crate::db::blocs::members;
use crate::db::reviews::{self, Review, ReviewFields, ReviewLists};
use crate::domain::review::{
    Attendee, FocusTask, HandedAward, Resolution, ReviewAction, ReviewFlow,
};
use crate::domain::workflow::Workflow;
use crate::domain::{Date, MemberRole, Period, ResolutionKind, ReviewKind, ReviewStatus, Year};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::blocs::{MemberInput, ReplaceMembers};
use crate::ops::fields::each;
use crate::ops::{Precondition, Unconditional, changed, refused};
use crate::text;
use crate::{request_types, required_in_patch};

required_in_patch!(
    Vec<Attendee>,
    Vec<FocusTask>,
    Vec<Resolution>,
    Vec<HandedAward>,
);

/// A review as written: its own fields and its lists, in one document.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReviewDoc {
    pub kind: ReviewKind,
    pub year: Year,
    pub period: Period,
    pub title: Option<String>,
    pub held_on: Date,
    pub place: Option<String>,
    pub host_unit_id: Option<i64>,
    pub chair_person_id: Option<i64>,
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
}

request_types! {
    data = ReviewDoc;
    /// A review meeting's minutes, recorded as a draft.
    create CreateReview;
    /// Changes to a review, as a JSON merge patch: absent fields stay, `null` clears, and a
    /// list given (`attendees`, `focus_tasks`, `resolutions`, `awards`) replaces the whole list.
    patch ReviewPatch;
    fields {
        kind: ReviewKind;
        year: Year, check "Year::validate";
        /// The period reviewed: `h1` for a midyear review, `year` for an annual one.
        period: Period;
        title: Option<String>, len(1, 500), check "crate::domain::text::single_line_name",
            example "Hội nghị Sơ kết công tác Thi đua, khen thưởng 6 tháng đầu năm, phương hướng nhiệm vụ 6 tháng cuối năm 2019";
        held_on: Date, example "2019-07-29";
        place: Option<String>, len(1, 500), check "crate::domain::text::single_line_name",
            example "Hội trường Sở Tài nguyên và Môi trường tỉnh Điện Biên";
        /// The unit that hosted it (usually the bloc's standing agency).
        host_unit_id: Option<i64>, min 1;
        /// Who chaired it: a registered person…
        chair_person_id: Option<i64>, min 1;
        /// …or a name and position as the minutes give them.
        chair_name: Option<String>, len(1, 300), check "crate::domain::text::single_line_name",
            example "Ngôn Ngọc Khuê, Phó Giám đốc phụ trách Sở Tài nguyên và Môi trường";
        /// The setting and the gist of the meeting.
        summary: Option<String>, len(1, 20000), check "crate::domain::text::free_text",
            example "Hòa trong không khí tưng bừng của nhân dân cả nước thi đua lập thành tích chào mừng các ngày lễ lớn…";
        /// Kết quả đạt được.
        achievements: Option<String>, len(1, 20000), check "crate::domain::text::free_text",
            example "Cải cách hành chính được quan tâm; kỷ luật kỷ cương được tăng cường…";
        /// Tồn tại, hạn chế.
        shortcomings: Option<String>, len(1, 20000), check "crate::domain::text::free_text";
        /// Phương hướng: what leads into the focus tasks.
        direction: Option<String>, len(1, 20000), check "crate::domain::text::free_text",
            example "Để phát huy những ưu điểm và khắc phục hạn chế…, các đơn vị thành viên Khối cần tập trung thực hiện tốt một số nhiệm vụ trọng tâm chủ yếu";
        /// Those present beyond the listed attendees, as the minutes say it.
        other_attendees: Option<String>, len(1, 4000), check "crate::domain::text::free_text",
            example "Lãnh đạo 6 cơ quan trong Khối; lãnh đạo phòng và chuyên viên phụ trách công tác thi đua khen thưởng của các Sở, Ngành";
        /// Where the record comes from (the article, its author).
        source: Option<String>, len(1, 1000), check "crate::domain::text::free_text",
            example "Đoàn Hương - TTCNTT, 30/7/2019";
        attendees: Vec<Attendee>, items(0, 100);
        /// Nhiệm vụ trọng tâm for the next period, in order.
        focus_tasks: Vec<FocusTask>, items(0, 100);
        /// The chair and deputies elected, and other resolutions.
        resolutions: Vec<Resolution>, items(0, 100);
        /// The awards handed over at the meeting.
        awards: Vec<HandedAward>, items(0, 100);
    }
}

impl ReviewDoc {
    pub fn split(&self) -> (ReviewFields, ReviewLists) {
        let d = self.clone();
        (
            ReviewFields {
                kind: d.kind,
                year: d.year,
                period: d.period,
                title: d.title,
                held_on: d.held_on,
                place: d.place,
                host_unit_id: d.host_unit_id,
                chair_person_id: d.chair_person_id,
                chair_name: d.chair_name,
                summary: d.summary,
                achievements: d.achievements,
                shortcomings: d.shortcomings,
                direction: d.direction,
                other_attendees: d.other_attendees,
                source: d.source,
            },
            ReviewLists {
                attendees: d.attendees,
                focus_tasks: d.focus_tasks,
                resolutions: d.resolutions,
                awards: d.awards,
            },
        )
    }

    pub fn of(r: &Review) -> ReviewDoc {
        let (f, l) = (r.fields.clone(), r.lists.clone());
        ReviewDoc {
            kind: f.kind,
            year: f.year,
            period: f.period,
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
        }
    }

    /// The year a resolution applies to: its own, or the year after the review's.
    pub fn year_of(&self, r: &Resolution) -> Year {
        r.year.unwrap_or(Year(self.year.get() + 1))
    }
}

/// Who is writing: the audit's actor, the role and the scope.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub actor: &'a Actor,
    pub role: Role,
    pub scope: &'a Scope,
}

/// Loads a review whose bloc the caller may see; others are 404.
pub fn visible(c: &mut AnyConnection, scope: &Scope, id: i64) -> Result<Review, ApiError> {
    let review = reviews::find(c, id)?.ok_or(ApiError::NotFound(noun::REVIEW))?;
    match crate::ops::blocs::visible(c, scope, review.bloc_id) {
        Ok(_) => Ok(review),
        Err(ApiError::NotFound(_)) => Err(ApiError::NotFound(noun::REVIEW)),
        Err(e) => Err(e),
    }
}

/// Whether the caller writes this bloc's reviews of `year`: an admin, the bloc's chair user, or
/// an officer of the unit chairing the bloc that year. A bloc outside the scope is 404.
fn require_writer(
    c: &mut AnyConnection,
    who: Caller<'_>,
    bloc_id: i64,
    year: Year,
) -> Result<(), ApiError> {
    crate::ops::blocs::visible(c, who.scope, bloc_id)?;
    let mut chair_of_year = || -> Result<Option<i64>, ApiError> {
        Ok(members::of_year(c, bloc_id, year)?
            .into_iter()
            .find(|m| m.role == MemberRole::Chair)
            .map(|m| m.unit_id))
    };
    let allowed = match (who.role, who.scope) {
        (Role::Admin, _) => true,
        (Role::BlocChair, Scope::Blocs(ids)) => ids.contains(&bloc_id),
        (Role::UnitOfficer, Scope::Unit(unit)) => chair_of_year()? == Some(*unit),
        _ => false,
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// A non-admin writes a review only while it is a draft.
fn require_draft(who: Caller<'_>, review: &Review) -> Result<(), ApiError> {
    if who.role != Role::Admin && review.status != ReviewStatus::Draft {
        return Err(ApiError::conflict(
            Code::ReviewConfirmed,
            Text::new(
                "the review is confirmed; only the board may still correct it",
                "biên bản hội nghị đã được xác nhận; chỉ Ban Thi đua – Khen thưởng còn được sửa",
            ),
        ));
    }
    Ok(())
}

/// The rules of a review's document: every list item valid and naming something, the chair
/// of a year elected once, every referred unit, person and movement existing.
fn check(c: &mut AnyConnection, d: &ReviewDoc) -> Result<(), ApiError> {
    let mut errors = each("attendees", &d.attendees);
    errors.extend(each("focus_tasks", &d.focus_tasks));
    errors.extend(each("resolutions", &d.resolutions));
    errors.extend(each("awards", &d.awards));
    let mut units: Vec<(String, i64)> = Vec::new();
    let mut persons: Vec<(String, i64)> = Vec::new();
    let mut movements: Vec<(String, i64)> = Vec::new();
    units.extend(d.host_unit_id.map(|u| ("host_unit_id".to_owned(), u)));
    persons.extend(d.chair_person_id.map(|p| ("chair_person_id".to_owned(), p)));
    for (i, a) in d.attendees.iter().enumerate() {
        if a.person_id.is_none() && a.name.is_none() {
            errors.push(FieldError::new(
                format!("attendees[{i}].name"),
                FieldCode::Required,
                Text::new(
                    "an attendee is a registered person (person_id) or a name",
                    "người dự là một cá nhân đã đăng ký (person_id) hoặc một họ tên",
                ),
            ));
        }
        units.extend(a.unit_id.map(|u| (format!("attendees[{i}].unit_id"), u)));
        persons.extend(
            a.person_id
                .map(|p| (format!("attendees[{i}].person_id"), p)),
        );
    }
    for (i, t) in d.focus_tasks.iter().enumerate() {
        for (j, u) in t.owner_unit_ids.iter().enumerate() {
            units.push((format!("focus_tasks[{i}].owner_unit_ids[{j}]"), *u));
        }
        movements.extend(
            t.movement_id
                .map(|m| (format!("focus_tasks[{i}].movement_id"), m)),
        );
    }
    let mut chairs: BTreeMap<Year, usize> = BTreeMap::new();
    for (i, r) in d.resolutions.iter().enumerate() {
        let elects = matches!(
            r.kind,
            ResolutionKind::NextChair | ResolutionKind::NextDeputy
        );
        if elects && r.unit_id.is_none() {
            errors.push(FieldError::new(
                format!("resolutions[{i}].unit_id"),
                FieldCode::Required,
                text!(
                    "a {} resolution names the unit elected",
                    "nghị quyết {} phải nêu đơn vị được bầu",
                    r.kind
                ),
            ));
        }
        if r.kind == ResolutionKind::Other && r.text.is_none() {
            errors.push(FieldError::new(
                format!("resolutions[{i}].text"),
                FieldCode::Required,
                Text::new(
                    "an other resolution says what was resolved",
                    "nghị quyết loại other phải nêu nội dung đã quyết nghị",
                ),
            ));
        }
        if r.kind == ResolutionKind::NextChair {
            let n = chairs.entry(d.year_of(r)).or_default();
            *n += 1;
            if *n > 1 {
                errors.push(FieldError::new(
                    format!("resolutions[{i}].kind"),
                    FieldCode::ChairCount,
                    text!(
                        "a bloc has one chair in {}; another resolution already elects it",
                        "mỗi khối có một trưởng khối trong năm {}; một nghị quyết khác đã bầu",
                        d.year_of(r)
                    ),
                ));
            }
        }
        units.extend(r.unit_id.map(|u| (format!("resolutions[{i}].unit_id"), u)));
    }
    for (i, a) in d.awards.iter().enumerate() {
        if a.unit_id.is_none() && a.person_id.is_none() && a.recipient_name.is_none() {
            errors.push(FieldError::new(
                format!("awards[{i}].recipient_name"),
                FieldCode::Required,
                Text::new(
                    "an award goes to a unit (unit_id), a person (person_id) or a named recipient",
                    "khen thưởng phải trao cho một đơn vị (unit_id), một cá nhân (person_id) hoặc người nhận có tên",
                ),
            ));
        }
        units.extend(a.unit_id.map(|u| (format!("awards[{i}].unit_id"), u)));
        persons.extend(a.person_id.map(|p| (format!("awards[{i}].person_id"), p)));
    }
    let ids = |refs: &[(String, i64)]| refs.iter().map(|(_, id)| *id).collect::<Vec<_>>();
    let (no_units, no_persons, no_movements) =
        reviews::missing(c, &ids(&units), &ids(&persons), &ids(&movements))?;
    for (refs, absent, what) in [
        (&units, &no_units, crate::ops::NO_UNIT),
        (&persons, &no_persons, NO_PERSON),
        (&movements, &no_movements, NO_MOVEMENT),
    ] {
        for (field, id) in refs {
            if absent.contains(id) {
                errors.push(FieldError::new(
                    field.clone(),
                    FieldCode::Unknown,
                    what.clone(),
                ));
            }
        }
    }
    ApiError::unless_any(errors)
}

const NO_PERSON: Text = Text::new("no person has this id", "không có cá nhân nào có mã này");
const NO_MOVEMENT: Text = Text::new(
    "no movement has this id",
    "không có phong trào thi đua nào có mã này",
);

/// Records a review of `bloc_id` as a draft.
pub fn create(
    c: &mut AnyConnection,
    who: Caller<'_>,
    bloc_id: i64,
    doc: &ReviewDoc,
) -> Result<Review, ApiError> {
    require_writer(c, who, bloc_id, doc.year)?;
    check(c, doc)?;
    let (fields, lists) = doc.split();
    let review = changed(reviews::insert(c, bloc_id, &fields, &lists)?)?;
    audit::record(
        c,
        who.actor,
        Change::new("review.create", "review", review.id).after(&review),
    )?;
    Ok(review)
}

/// Changes a review: `apply` makes the new document from the current.
pub fn update(
    c: &mut AnyConnection,
    who: Caller<'_>,
    id: i64,
    expected: &impl Precondition,
    apply: impl FnOnce(&ReviewDoc) -> Result<ReviewDoc, ApiError>,
) -> Result<Review, ApiError> {
    let current = visible(c, who.scope, id)?;
    require_writer(c, who, current.bloc_id, current.fields.year)?;
    expected.check(current.version)?;
    require_draft(who, &current)?;
    let doc = apply(&ReviewDoc::of(&current))?;
    if doc.year != current.fields.year {
        require_writer(c, who, current.bloc_id, doc.year)?;
    }
    if current.status == ReviewStatus::Confirmed && doc.resolutions != current.lists.resolutions {
        return Err(ApiError::conflict(
            Code::ReviewConfirmed,
            Text::new(
                "the resolutions of a confirmed review were applied to the membership; they cannot change",
                "nghị quyết của hội nghị đã xác nhận đã được áp dụng cho thành viên khối; không thể thay đổi",
            ),
        ));
    }
    check(c, &doc)?;
    let (fields, lists) = doc.split();
    let updated = changed(reviews::update(
        c,
        &current,
        &fields,
        &lists,
        current.status,
    )?)?;
    audit::record(
        c,
        who.actor,
        Change::new("review.update", "review", id)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}

/// Deletes a review (with its lists): the board's, or the chair's while it is a draft.
pub fn delete(
    c: &mut AnyConnection,
    who: Caller<'_>,
    id: i64,
    expected: &impl Precondition,
) -> Result<(), ApiError> {
    let current = visible(c, who.scope, id)?;
    require_writer(c, who, current.bloc_id, current.fields.year)?;
    expected.check(current.version)?;
    require_draft(who, &current)?;
    if !reviews::delete(c, &current)? {
        return Err(ApiError::PreconditionFailed);
    }
    audit::record(
        c,
        who.actor,
        Change::new("review.delete", "review", id).before(&current),
    )?;
    Ok(())
}

/// The membership of `year` with the elected chair and deputies: the year's list, or, for a
/// year without members yet, the review year's members as plain members under their old roles.
fn elected_list(
    c: &mut AnyConnection,
    bloc_id: i64,
    review_year: Year,
    year: Year,
    elected: &[&Resolution],
) -> Result<Vec<MemberInput>, ApiError> {
    let mut list: Vec<(i64, MemberRole)> = members::of_year(c, bloc_id, year)?
        .into_iter()
        .map(|m| (m.unit_id, m.role))
        .collect();
    if list.is_empty() {
        list = members::of_year(c, bloc_id, review_year)?
            .into_iter()
            .map(|m| (m.unit_id, m.role))
            .collect();
    }
    let set = |unit: i64, role: MemberRole, list: &mut Vec<(i64, MemberRole)>| match list
        .iter_mut()
        .find(|(u, _)| *u == unit)
    {
        Some(entry) => entry.1 = role,
        None => list.push((unit, role)),
    };
    for kind in [ResolutionKind::NextChair, ResolutionKind::NextDeputy] {
        let units: Vec<i64> = elected
            .iter()
            .filter(|r| r.kind == kind)
            .filter_map(|r| r.unit_id)
            .collect();
        if units.is_empty() {
            continue;
        }
        let role = if kind == ResolutionKind::NextChair {
            MemberRole::Chair
        } else {
            MemberRole::Deputy
        };
        for entry in list.iter_mut().filter(|(_, r)| *r == role) {
            entry.1 = MemberRole::Member;
        }
        for unit in units {
            set(unit, role, &mut list);
        }
    }
    Ok(list
        .into_iter()
        .map(|(unit_id, role)| MemberInput { unit_id, role })
        .collect())
}

/// Applies the elections of a review to the bloc's membership, year by year, through the
/// membership's own rules; a list they refuse is a 422 naming the resolutions and the year.
fn apply_resolutions(
    c: &mut AnyConnection,
    actor: &Actor,
    review: &Review,
) -> Result<(), ApiError> {
    let doc = ReviewDoc::of(review);
    let mut by_year: BTreeMap<Year, Vec<&Resolution>> = BTreeMap::new();
    for r in &doc.resolutions {
        if matches!(
            r.kind,
            ResolutionKind::NextChair | ResolutionKind::NextDeputy
        ) {
            by_year.entry(doc.year_of(r)).or_default().push(r);
        }
    }
    for (year, elected) in by_year {
        let members = elected_list(c, review.bloc_id, doc.year, year, &elected)?;
        let list = ReplaceMembers { members };
        crate::ops::blocs::replace_members(c, actor, (review.bloc_id, year), &Unconditional, &list)
            .map_err(|e| match e {
                ApiError::Validation(errors) => ApiError::Validation(
                    errors
                        .into_iter()
                        .map(|f| {
                            let (en, vi) = (f.message.en(), f.message.vi());
                            FieldError::new(
                                "resolutions",
                                f.code,
                                Text::owned(
                                    format!(
                                        "the bloc's membership of {year} would break a rule: {}: {en}",
                                        f.field
                                    ),
                                    format!(
                                        "thành viên khối năm {year} sẽ vi phạm quy tắc: {}: {vi}",
                                        f.field
                                    ),
                                ),
                            )
                        })
                        .collect(),
                ),
                other => other,
            })?;
    }
    Ok(())
}

/// A step of a review's workflow: `confirm` fixes the minutes and applies the chair and deputies
/// they elect to the bloc's membership, in this transaction.
pub fn transition(
    c: &mut AnyConnection,
    who: Caller<'_>,
    id: i64,
    action: ReviewAction,
    reason: Option<&str>,
) -> Result<Review, ApiError> {
    let current = visible(c, who.scope, id)?;
    let to = ReviewFlow::decide(current.status, action, who.role, reason)
        .map_err(|r| refused(r, action))?;
    if action == ReviewAction::Confirm {
        apply_resolutions(c, who.actor, &current)?;
    }
    let updated = changed(reviews::update(
        c,
        &current,
        &current.fields,
        &current.lists,
        to,
    )?)?;
    audit::record(
        c,
        who.actor,
        Change::new("review.confirm", "review", id)
            .reason(reason)
            .before(&current)
            .after(&updated),
    )?;
    Ok(updated)
}
