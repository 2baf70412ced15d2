//! The shapes of `/users` requests and answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

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

fn username_chars(name: &str) -> Result<(), ValidationError> {
    let ok = name.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && matches!(b, b'.' | b'_' | b'-'))
    });
    if ok {
        Ok(())
    } else {
        Err(crate::error::refusal(
            crate::error::FieldCode::Pattern,
            crate::error::Text::new(
                "use lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
                "chỉ dùng chữ thường không dấu, chữ số và các dấu '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số",
            ),
        ))
    }
}

/// A new account.
#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// Login name: lowercase letters, digits, `.`, `_` or `-`.
    #[schema(
        example = "so.tnmt.vanthu",
        min_length = 3,
        max_length = 64,
        pattern = "^[a-z0-9][a-z0-9._-]{2,63}$"
    )]
    #[validate(length(min = 3, max = 64), custom(function = "username_chars"))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub username: String,
    /// The initial password, 12 to 128 characters.
    #[schema(example = "mật-khẩu-đủ-dài-2026", min_length = 12, max_length = 128, format = Password)]
    #[validate(length(min = 12, max = 128))]
    #[validate(custom(function = "crate::auth::password::not_blank"))]
    pub password: String,
    #[schema(example = "Nguyễn Thị Lan", min_length = 1, max_length = 200)]
    #[validate(length(min = 1, max = 200))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub full_name: Option<String>,
    pub role: Role,
    /// Required for `unit_officer`; allowed for `viewer`.
    #[schema(minimum = 1)]
    #[validate(range(min = 1))]
    pub unit_id: Option<i64>,
    /// Required (at least one) for `bloc_chair`; allowed for `viewer`.
    #[schema(example = json!([]), max_items = 100)]
    #[serde(default)]
    #[validate(length(max = 100, message = "must have at most 100 items"))]
    pub bloc_ids: Vec<i64>,
}

/// Changes to an account, as a JSON merge patch: absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(value_type = Option<String>, example = "Trần Văn Bình", min_length = 1, max_length = 200)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 200))]
    #[validate(custom(function = "crate::domain::text::single_line_name"))]
    pub full_name: Option<Option<String>>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub role: Option<Role>,
    #[schema(value_type = Option<i64>, example = 12, minimum = 1)]
    #[serde(
        default,
        with = "::serde_with::rust::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1))]
    pub unit_id: Option<Option<i64>>,
    #[schema(max_items = 100, nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 100, message = "must have at most 100 items"))]
    pub bloc_ids: Option<Vec<i64>>,
    #[schema(nullable = false)]
    #[serde(
        default,
        deserialize_with = "crate::http::body::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub disabled: Option<bool>,
}

/// A new password set by an administrator.
#[derive(Debug, Deserialize, Serialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// 12 to 128 characters.
    #[schema(example = "mật-khẩu-mới-đủ-dài", min_length = 12, max_length = 128, format = Password)]
    #[validate(length(min = 12, max = 128))]
    #[validate(custom(function = "crate::auth::password::not_blank"))]
    pub password: String,
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
