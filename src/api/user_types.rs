//! The shapes of `/users` requests and answers.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::ops::users::{CreateUser, SetPassword, UserPatch};

use crate::auth::Role;
use crate::db::users::User;
use crate::http::csv::{CsvRow, opt};
use crate::list_query;

/// A user account. The password is never returned.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "so.tnmt.vanthu")]
    pub username: String,
    #[schema(example = "Nguyễn Thị Lan")]
    pub full_name: Option<String>,
    pub role: Role,
    /// The unit a `unit_officer` (or unit-scoped `viewer`) works for.
    #[schema(example = 12)]
    pub unit_id: Option<i64>,
    /// The blocs a `bloc_chair` (or bloc-scoped `viewer`) works in.
    #[schema(example = json!([3]))]
    pub bloc_ids: Vec<i64>,
    /// Disabled users cannot log in, and their tokens stop working.
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl CsvRow for UserResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "username",
        "full_name",
        "role",
        "unit_id",
        "bloc_ids",
        "disabled",
        "created_at",
        "updated_at",
    ];
    fn cells(&self) -> Vec<String> {
        let blocs: Vec<String> = self.bloc_ids.iter().map(i64::to_string).collect();
        vec![
            self.id.to_string(),
            self.username.clone(),
            opt(&self.full_name),
            self.role.to_string(),
            opt(&self.unit_id),
            blocs.join(" "),
            self.disabled.to_string(),
            self.created_at.to_rfc3339(),
            self.updated_at.to_rfc3339(),
        ]
    }
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        UserResponse {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            role: u.role,
            unit_id: u.unit_id,
            bloc_ids: u.bloc_ids,
            disabled: u.disabled,
            created_at: u.created_at.and_utc(),
            updated_at: u.updated_at.and_utc(),
        }
    }
}

list_query! {
    /// Filters for the user list.
    pub struct UserListQuery {
        /// Only users with this role.
        pub role: Option<Role>,
        /// Only disabled (`true`) or enabled (`false`) users.
        pub disabled: Option<bool>,
        /// Part of the username.
        #[param(max_length = 64, example = "tnmt")]
        #[validate(length(max = 64))]
        pub q: Option<String>,
    }
    export = UserExportQuery,
    order_by = crate::db::users::UserSort
}
