//! The shapes of a bloc's yearly membership and of a unit's blocs.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::db::blocs::members::{Member, Membership};
use crate::domain::{AdminLevel, BlocKind, MemberRole, Year};
pub use crate::ops::blocs::{MAX_MEMBERS, MemberInput, ReplaceMembers, YearMembers};

/// Which year of a bloc's membership.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// The membership year.
    #[validate(custom(function = "Year::validate"))]
    pub year: Year,
}

/// Optionally, which year of a unit's memberships.
#[derive(Debug, Deserialize, IntoParams, Validate)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitBlocsQuery {
    /// Only this year; every year when absent.
    #[validate(custom(function = "Year::validate"))]
    pub year: Option<Year>,
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
    pub year: Year,
    /// Empty for a year without members.
    #[schema(max_items = 200)]
    pub members: Vec<MemberResponse>,
}

impl From<YearMembers> for BlocMembersResponse {
    fn from(m: YearMembers) -> Self {
        BlocMembersResponse {
            bloc_id: m.bloc_id,
            year: m.year,
            members: m.members.into_iter().map(MemberResponse::from).collect(),
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
    pub year: Year,
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
    pub year: Option<Year>,
    #[schema(max_items = 10000)]
    pub items: Vec<UnitBlocResponse>,
}
