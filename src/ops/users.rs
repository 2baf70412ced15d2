//! Creating and changing user accounts, and the requests they take. Passwords are hashed by
//! the caller, off the executor, before the write begins; sessions and password changes are
//! `auth::session`'s.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::auth::{Actor, Role};
use crate::db::AnyConnection;
use crate::db::audit::{self, Change};
use crate::db::users::{self, NewUser, User, UserSettings};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text, noun};
use crate::ops::Precondition;

fn username_chars(name: &str) -> Result<(), ValidationError> {
    let ok = name.bytes().enumerate().all(|(i, b)| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || (i > 0 && matches!(b, b'.' | b'_' | b'-'))
    });
    if ok {
        Ok(())
    } else {
        Err(crate::error::refusal(
            FieldCode::Pattern,
            Text::new(
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

/// What the audit trail keeps of a user: everything but the password hash.
#[derive(Serialize)]
struct Snapshot<'a> {
    id: i64,
    username: &'a str,
    #[serde(flatten)]
    settings: UserSettings,
    version: i64,
}

fn snapshot(u: &User) -> Snapshot<'_> {
    Snapshot {
        id: u.id,
        username: &u.username,
        settings: u.settings(),
        version: u.version,
    }
}

/// Which scope fits which role: admins have none, unit officers one unit, bloc chairs one or
/// more blocs, viewers either or none.
pub fn check_scope(role: Role, unit_id: Option<i64>, bloc_ids: &[i64]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let mut err = |field: &str, en: &'static str, vi: &'static str| {
        errors.push(FieldError::new(field, FieldCode::Scope, Text::new(en, vi)))
    };
    match role {
        Role::Admin if unit_id.is_some() || !bloc_ids.is_empty() => err(
            "role",
            "an admin has no unit or blocs",
            "tài khoản quản trị không gắn với đơn vị hay khối nào",
        ),
        Role::UnitOfficer if unit_id.is_none() => err(
            "unit_id",
            "is required for a unit_officer",
            "là bắt buộc với vai trò unit_officer",
        ),
        Role::UnitOfficer if !bloc_ids.is_empty() => err(
            "bloc_ids",
            "must be empty for a unit_officer",
            "phải để trống với vai trò unit_officer",
        ),
        Role::BlocChair if bloc_ids.is_empty() => err(
            "bloc_ids",
            "needs at least one bloc for a bloc_chair",
            "cần ít nhất một khối với vai trò bloc_chair",
        ),
        Role::BlocChair if unit_id.is_some() => err(
            "unit_id",
            "must be empty for a bloc_chair",
            "phải để trống với vai trò bloc_chair",
        ),
        Role::Viewer if unit_id.is_some() && !bloc_ids.is_empty() => err(
            "unit_id",
            "a viewer is scoped to a unit or to blocs, not both",
            "tài khoản xem chỉ gắn với một đơn vị hoặc với các khối, không gắn với cả hai",
        ),
        _ => {}
    }
    if bloc_ids.iter().any(|b| *b < 1) {
        err("bloc_ids", "ids are positive", "mã khối phải là số dương");
    }
    let mut sorted = bloc_ids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != bloc_ids.len() {
        err(
            "bloc_ids",
            "must not repeat a bloc",
            "không được lặp lại một khối",
        );
    }
    ApiError::unless_any(errors)
}

/// The unit and blocs a scope names must exist.
fn check_scope_targets(
    c: &mut AnyConnection,
    unit_id: Option<i64>,
    bloc_ids: &[i64],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(unit) = unit_id
        && crate::db::units::find(c, unit)?.is_none()
    {
        errors.push(FieldError::new(
            "unit_id",
            FieldCode::Unknown,
            crate::ops::NO_UNIT,
        ));
    }
    if crate::db::blocs::count_existing(c, bloc_ids)? != bloc_ids.len() as i64 {
        errors.push(FieldError::new(
            "bloc_ids",
            FieldCode::Unknown,
            Text::new("names a bloc that does not exist", "có khối không tồn tại"),
        ));
    }
    ApiError::unless_any(errors)
}

/// Creates a user and its audit row (in the caller's transaction); the API, the bootstrap and
/// the command line all create users through here.
pub fn create(
    c: &mut AnyConnection,
    actor: &Actor,
    new: &NewUser,
    action: &str,
) -> Result<User, ApiError> {
    check_scope(new.role, new.unit_id, &new.bloc_ids)?;
    check_scope_targets(c, new.unit_id, &new.bloc_ids)?;
    // A taken username is the unique index's to refuse (`username_taken`, src/error/mod.rs).
    let created = users::insert(c, new)?;
    let change = Change::new(action, "user", created.id).after(snapshot(&created));
    audit::record(c, actor, change)?;
    Ok(created)
}

/// Changes a user's settings. An admin cannot demote or disable themself (`me` is the
/// caller): the province would be left without anyone to undo it.
pub fn update(
    c: &mut AnyConnection,
    actor: &Actor,
    me: i64,
    id: i64,
    precondition: &impl Precondition,
    apply: impl FnOnce(&mut UserSettings),
) -> Result<User, ApiError> {
    let current = users::find(c, id)?.ok_or(ApiError::NotFound(noun::USER))?;
    precondition.check(current.version)?;
    let mut to = current.settings();
    apply(&mut to);
    if id == me && (to.role != Role::Admin || to.disabled) {
        return Err(ApiError::conflict(
            Code::SelfLockout,
            Text::new(
                "an admin cannot demote or disable themself",
                "quản trị viên không thể tự hạ quyền hoặc tự khóa tài khoản của mình",
            ),
        ));
    }
    check_scope(to.role, to.unit_id, &to.bloc_ids)?;
    check_scope_targets(c, to.unit_id, &to.bloc_ids)?;
    let updated = users::update(c, &current, &to)?.ok_or(ApiError::PreconditionFailed)?;
    let change = Change::new("user.update", "user", id)
        .before(snapshot(&current))
        .after(snapshot(&updated));
    audit::record(c, actor, change)?;
    Ok(updated)
}

impl UserPatch {
    /// The patch over the settings it changes; absent fields stay.
    pub fn apply(&self, to: &mut UserSettings) {
        if let Some(full_name) = &self.full_name {
            to.full_name = full_name.clone();
        }
        if let Some(role) = self.role {
            to.role = role;
        }
        if let Some(unit_id) = self.unit_id {
            to.unit_id = unit_id;
        }
        if let Some(bloc_ids) = &self.bloc_ids {
            to.bloc_ids = bloc_ids.clone();
        }
        if let Some(disabled) = self.disabled {
            to.disabled = disabled;
        }
    }
}
