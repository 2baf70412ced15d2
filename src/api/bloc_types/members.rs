//! The shapes of a bloc's yearly membership and of a unit's blocs.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::blocs::members::{Member, Membership};
use crate::domain::{AdminLevel, BlocKind, MemberRole};
use crate::error::{ApiError, FieldError};

/// The most members a bloc-year may list.
pub const MAX_MEMBERS: usize = 200;

/// Which year of a bloc's membership.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// The membership year.
    #[param(minimum = 1945, maximum = 2100, example = 2019)]
    pub year: i32,
}

/// Optionally, which year of a unit's memberships.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitBlocsQuery {
    /// Only this year; every year when absent.
    #[param(minimum = 1945, maximum = 2100, example = 2019)]
    pub year: Option<i32>,
}

/// A member unit of a bloc in a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberResponse {
    #[schema(example = 14)]
    pub unit_id: i64,
    #[schema(example = "STNMT")]
    pub unit_code: String,
    #[schema(example = "Sở Tài nguyên và Môi trường")]
    pub unit_name: String,
    pub role: MemberRole,
}

impl From<Member> for MemberResponse {
    fn from(m: Member) -> Self {
        MemberResponse {
            unit_id: m.unit_id,
            unit_code: m.unit_code,
            unit_name: m.unit_name,
            role: m.role,
        }
    }
}

/// The members of a bloc in one year: the chair first, then the deputies, then the members.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BlocMembersResponse {
    #[schema(example = 2)]
    pub bloc_id: i64,
    #[schema(example = 2019)]
    pub year: i32,
    /// Empty for a year without members.
    #[schema(max_items = 200)]
    pub members: Vec<MemberResponse>,
}

impl BlocMembersResponse {
    pub fn new(bloc_id: i64, year: i32, members: Vec<Member>) -> Self {
        BlocMembersResponse {
            bloc_id,
            year,
            members: members.into_iter().map(MemberResponse::from).collect(),
        }
    }
}

/// One unit of a new member list.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    #[schema(example = 1, minimum = 1)]
    pub unit_id: i64,
    pub role: MemberRole,
}

/// The whole member list of a bloc-year, replacing the previous one. An empty list clears the
/// year; otherwise exactly one unit is the chair.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplaceMembers {
    #[schema(max_items = 200)]
    pub members: Vec<MemberInput>,
}

impl ReplaceMembers {
    /// The rules that need no database: the size, one chair, no unit twice. Returns the list
    /// as (unit id, role).
    pub fn check(&self) -> Result<Vec<(i64, MemberRole)>, ApiError> {
        if self.members.len() > MAX_MEMBERS {
            return Err(ApiError::invalid(
                "members",
                "length",
                "at most 200 members",
            ));
        }
        let mut errors = Vec::new();
        let chairs = self
            .members
            .iter()
            .filter(|m| m.role == MemberRole::Chair)
            .count();
        if !self.members.is_empty() && chairs != 1 {
            errors.push(FieldError::new(
                "members",
                "chair_count",
                format!("a bloc-year has exactly one chair; the list has {chairs}"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, m) in self.members.iter().enumerate() {
            let field = format!("members[{i}].unit_id");
            if m.unit_id < 1 {
                errors.push(FieldError::new(field, "range", "must be at least 1"));
            } else if !seen.insert(m.unit_id) {
                errors.push(FieldError::new(
                    field,
                    "duplicate",
                    "the unit is already in the list",
                ));
            }
        }
        if errors.is_empty() {
            Ok(self.members.iter().map(|m| (m.unit_id, m.role)).collect())
        } else {
            Err(ApiError::Validation(errors))
        }
    }
}

/// A bloc a unit belongs to in a year, with its role there.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitBlocResponse {
    #[schema(example = 2)]
    pub bloc_id: i64,
    #[schema(example = "K-HTKTKT")]
    pub bloc_code: String,
    #[schema(example = "Khối Hạ tầng – Kinh tế – Kỹ thuật")]
    pub bloc_name: String,
    pub kind: BlocKind,
    pub level: AdminLevel,
    #[schema(example = 2019)]
    pub year: i32,
    pub role: MemberRole,
}

impl From<Membership> for UnitBlocResponse {
    fn from(m: Membership) -> Self {
        UnitBlocResponse {
            bloc_id: m.bloc_id,
            bloc_code: m.bloc_code,
            bloc_name: m.bloc_name,
            kind: m.kind,
            level: m.level,
            year: m.year,
            role: m.role,
        }
    }
}

/// The blocs of a unit, by year then bloc.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitBlocsResponse {
    #[schema(example = 14)]
    pub unit_id: i64,
    /// The year asked for; absent for every year.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 2019)]
    pub year: Option<i32>,
    #[schema(max_items = 10000)]
    pub items: Vec<UnitBlocResponse>,
}
