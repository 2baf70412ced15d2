//! Review meetings (hội nghị): the lists their minutes hold — attendees, focus tasks for the
//! next period, resolutions, awards handed over — and the small workflow of the minutes, a
//! draft that the board confirms.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::workflow::{Transition, Workflow};
use super::{ResolutionKind, ReviewStatus, Role, Year};
use crate::text_enum;

/// The most items of each list of a review.
pub const MAX_ITEMS: usize = 100;

/// Someone present (thành phần tham dự): a registered person, or a name as the minutes give it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Attendee {
    /// A registered person; `name` may be given instead.
    #[schema(minimum = 1, example = 1)]
    #[validate(range(min = 1))]
    #[serde(default)]
    pub person_id: Option<i64>,
    /// The name, when no registered person is named.
    #[schema(min_length = 1, max_length = 200, example = "Trần Đại Nghĩa")]
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::domain::text::single_line_name")
    )]
    #[serde(default)]
    pub name: Option<String>,
    /// Chức vụ.
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Phó Ban Thi đua – Khen thưởng tỉnh"
    )]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    #[serde(default)]
    pub position: Option<String>,
    /// The registered unit they came from.
    #[schema(minimum = 1, example = 1)]
    #[validate(range(min = 1))]
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// Their unit as the minutes name it, when it is not a registered one.
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Ban Thi đua – Khen thưởng tỉnh Điện Biên"
    )]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    #[serde(default)]
    pub unit_name: Option<String>,
    /// What they did at the meeting.
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Trao cờ thi đua cho Sở Công Thương"
    )]
    #[validate(
        length(min = 1, max = 1000),
        custom(function = "crate::domain::text::free_text")
    )]
    #[serde(default)]
    pub note: Option<String>,
}

/// A focus task for the next period (nhiệm vụ trọng tâm).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct FocusTask {
    #[schema(
        min_length = 1,
        max_length = 4000,
        example = "Thi đua thực hành tiết kiệm, chống lãng phí, chống tham nhũng"
    )]
    #[validate(
        length(min = 1, max = 4000),
        custom(function = "crate::domain::text::free_text")
    )]
    pub text: String,
    /// The units that carry it out; every member when empty.
    #[schema(max_items = 100, example = json!([1, 2]))]
    #[validate(length(max = 100))]
    #[serde(default)]
    pub owner_unit_ids: Vec<i64>,
    /// The emulation movement it belongs to.
    #[schema(minimum = 1, example = 1)]
    #[validate(range(min = 1))]
    #[serde(default)]
    pub movement_id: Option<i64>,
}

/// A resolution of the meeting: the chair or a deputy of a year (applied to the bloc's
/// membership of that year when the review is confirmed), or anything else as text.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Resolution {
    pub kind: ResolutionKind,
    /// The unit elected, for `next_chair` and `next_deputy`.
    #[schema(minimum = 1, example = 2)]
    #[validate(range(min = 1))]
    #[serde(default)]
    pub unit_id: Option<i64>,
    /// The membership year it applies to; the year after the review's when absent.
    #[validate(custom(function = "Year::validate"))]
    #[serde(default)]
    pub year: Option<Year>,
    #[schema(
        min_length = 1,
        max_length = 2000,
        example = "Sở Xây dựng làm Trưởng khối năm 2020"
    )]
    #[validate(
        length(min = 1, max = 2000),
        custom(function = "crate::domain::text::free_text")
    )]
    #[serde(default)]
    pub text: Option<String>,
}

/// An award handed over at the meeting, as the minutes give it: to a registered unit or
/// person, or to a recipient named in text.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct HandedAward {
    #[schema(minimum = 1, example = 2)]
    #[validate(range(min = 1))]
    #[serde(default)]
    pub unit_id: Option<i64>,
    #[schema(minimum = 1, example = 1)]
    #[validate(range(min = 1))]
    #[serde(default)]
    pub person_id: Option<i64>,
    /// The recipient as the minutes name it, when not a registered unit or person.
    #[schema(min_length = 1, max_length = 300, example = "Sở Công Thương")]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    #[serde(default)]
    pub recipient_name: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Cờ thi đua của Ủy ban nhân dân tỉnh"
    )]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    pub award_name: String,
    /// Số quyết định, when known.
    #[schema(min_length = 1, max_length = 50, example = "125/QĐ-UBND")]
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::domain::text::single_line_name")
    )]
    #[serde(default)]
    pub decision_number: Option<String>,
    /// Who handed it over.
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Trần Đại Nghĩa, Phó Ban Thi đua – Khen thưởng tỉnh"
    )]
    #[validate(
        length(min = 1, max = 300),
        custom(function = "crate::domain::text::single_line_name")
    )]
    #[serde(default)]
    pub presented_by: Option<String>,
}

text_enum! {
    /// What is done to a review's minutes.
    pub enum ReviewAction {
        /// Xác nhận: `draft` → `confirmed`; the resolutions are applied to the membership.
        Confirm,
    }
}

/// A review's minutes: a draft until the board confirms them, then fixed.
pub struct ReviewFlow;

impl Workflow for ReviewFlow {
    type State = ReviewStatus;
    type Action = ReviewAction;
    const TABLE: &'static [Transition<ReviewStatus, ReviewAction>] = &[Transition {
        from: ReviewStatus::Draft,
        action: ReviewAction::Confirm,
        to: ReviewStatus::Confirmed,
        roles: &[Role::Admin],
        needs_reason: false,
    }];
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;
    use crate::domain::workflow::Refusal;

    #[test]
    fn the_review_table() {
        use ReviewStatus as S;
        let expected = [(S::Draft, Some(S::Confirmed)), (S::Confirmed, None)];
        assert_eq!(expected.len(), S::VARIANTS.len());
        for (from, want) in expected {
            let got = ReviewFlow::decide(from, ReviewAction::Confirm, Role::Admin, None).ok();
            assert_eq!(got, want, "{from}");
        }
        for role in [Role::BlocChair, Role::UnitOfficer, Role::Viewer] {
            assert_eq!(
                ReviewFlow::decide(S::Draft, ReviewAction::Confirm, role, None),
                Err(Refusal::NotYourRole)
            );
        }
    }
}
