//! The problem answers many operations share, written once as `components/responses` with an
//! example each, so the docs show a 404 body under a 404 and not a validation failure.
//!
//! The mechanisms every operation goes through (body, parameters, `If-Match`, the token, the
//! database) get theirs from the harmoniser in `spec.rs`. What depends on the operation's rules
//! — who may call it, whether it names a resource, whether it validates fields — a handler
//! states by naming a set here in `responses(...)`, before its own answers, which override a
//! set's where they say more (`(status = 422, description = "Invalid fields, or …")`).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use utoipa::IntoResponses;
use utoipa::openapi::{Ref, RefOr, Response};

use crate::error::{ApiError, Code, FieldCode, FieldError, Lang, Text};

/// The name of a shared answer in `components/responses`.
pub mod name {
    pub const BAD_REQUEST: &str = "BadRequest";
    pub const BAD_LIST_QUERY: &str = "BadListQuery";
    pub const UNAUTHORIZED: &str = "Unauthorized";
    pub const FORBIDDEN: &str = "Forbidden";
    pub const NOT_FOUND: &str = "NotFound";
    pub const PRECONDITION_FAILED: &str = "PreconditionFailed";
    pub const PAYLOAD_TOO_LARGE: &str = "PayloadTooLarge";
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UnsupportedMediaType";
    pub const VALIDATION_FAILED: &str = "ValidationFailed";
    pub const PRECONDITION_REQUIRED: &str = "PreconditionRequired";
    pub const HEAD_TOO_LARGE: &str = "HeadTooLarge";
    pub const UNAVAILABLE: &str = "ServiceUnavailable";
    pub const CSV_EXPORT: &str = "CsvExport";
}

/// The request id of every example.
pub const EXAMPLE_REQUEST_ID: &str = "5f0c6f5e-8d0b-4a57-9a3f-3f1e5e0c2b1a";

/// A problem document as `error_response` writes it for `err` at `instance`, in English.
pub fn example(err: &ApiError, instance: &str) -> Value {
    let problem = crate::error::Problem {
        instance: Some(instance.to_owned()),
        request_id: Some(EXAMPLE_REQUEST_ID.to_owned()),
        ..err.problem(Lang::En)
    };
    serde_json::to_value(problem).unwrap_or_default()
}

fn problem(description: &str, err: &ApiError, instance: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"},
            "example": example(err, instance),
        }},
    })
}

fn retry_after(description: &str) -> Value {
    json!({"Retry-After": {"description": description, "schema": {"type": "integer", "minimum": 0}}})
}

/// Every shared answer, by its name in `components/responses`.
pub fn components() -> Vec<(&'static str, Value)> {
    let bad = |code, field: &str, field_code, message: Text| ApiError::BadRequest {
        code,
        message: message.map(|m| format!("{field}: {m}")),
        errors: vec![FieldError::new(field, field_code, message)],
    };
    let mut unauthorized = problem(
        "Not authenticated: no token, or an expired or revoked one",
        &ApiError::Unauthorized,
        "/api/v1/units",
    );
    unauthorized["headers"] = json!({"WWW-Authenticate": {
        "description": "`Bearer`", "schema": {"type": "string", "enum": ["Bearer"]}}});
    let mut unavailable = problem(
        "The database is saturated or unreachable (every connection busy, the SQLite writer \
         held, PostgreSQL restarting); nothing was written. Retry after `Retry-After` seconds.",
        &ApiError::Unavailable("pool timed out".into()),
        "/api/v1/units",
    );
    unavailable["headers"] = retry_after("Seconds to wait before retrying");
    vec![
        (
            name::BAD_REQUEST,
            problem(
                "Malformed request: body, parameters or headers",
                &bad(
                    Code::InvalidBody,
                    "name",
                    FieldCode::InvalidField,
                    Text::new(
                        "invalid type: integer `5`, expected a string",
                        "sai kiểu dữ liệu; cần một chuỗi ký tự",
                    ),
                ),
                "/api/v1/units",
            ),
        ),
        (
            name::BAD_LIST_QUERY,
            problem(
                "Bad filter, order or page token",
                &bad(
                    Code::InvalidPageToken,
                    "page_token",
                    FieldCode::Invalid,
                    crate::pagination::OTHER_TOKEN,
                ),
                "/api/v1/units",
            ),
        ),
        (name::UNAUTHORIZED, unauthorized),
        (
            name::FORBIDDEN,
            problem("Not an admin", &ApiError::Forbidden, "/api/v1/users"),
        ),
        (
            name::NOT_FOUND,
            problem(
                "No such resource, or one outside your scope (whose existence is not revealed)",
                &ApiError::NotFound(crate::error::noun::UNIT),
                "/api/v1/units/42",
            ),
        ),
        (
            name::PRECONDITION_FAILED,
            problem(
                "The resource changed since it was read: `If-Match` names an older version",
                &ApiError::PreconditionFailed,
                "/api/v1/units/42",
            ),
        ),
        (
            name::PAYLOAD_TOO_LARGE,
            problem(
                "The request body is too large",
                &ApiError::PayloadTooLarge,
                "/api/v1/units",
            ),
        ),
        (
            name::UNSUPPORTED_MEDIA_TYPE,
            problem(
                "Unsupported content type",
                &ApiError::UnsupportedMediaType(crate::http::body::JSON),
                "/api/v1/units",
            ),
        ),
        (
            name::VALIDATION_FAILED,
            problem(
                "Invalid fields",
                &ApiError::Validation(vec![FieldError::new(
                    "code",
                    FieldCode::Length,
                    Text::new(
                        "must be between 1 and 32 characters",
                        "phải dài từ 1 đến 32 ký tự",
                    ),
                )]),
                "/api/v1/units",
            ),
        ),
        (
            name::PRECONDITION_REQUIRED,
            problem(
                "If-Match is missing",
                &ApiError::PreconditionRequired,
                "/api/v1/units/42",
            ),
        ),
        (
            name::HEAD_TOO_LARGE,
            json!({"description": "The request head is too large (over 96 headers or 128 KiB); \
                answered by the HTTP layer, without a body"}),
        ),
        (name::UNAVAILABLE, unavailable),
        (
            name::CSV_EXPORT,
            json!({
                "description": "Every matching row, up to 100,000, in the list's order: RFC 4180 \
                    with a header row and CRLF line ends, UTF-8 with a byte-order mark; a cell that \
                    a spreadsheet would run as a formula starts with `'`",
                "headers": {"Content-Disposition": {
                    "description": "`attachment; filename=\"<list>.csv\"`",
                    "schema": {"type": "string"},
                }},
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }),
        ),
    ]
}

fn refs(names: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    names
        .iter()
        .map(|(status, name)| {
            (
                (*status).to_owned(),
                RefOr::Ref(Ref::from_response_name(*name)),
            )
        })
        .collect()
}

macro_rules! response_set {
    ($(#[$meta:meta])* $set:ident: $($status:literal => $name:expr),+) => {
        $(#[$meta])*
        pub struct $set;
        impl IntoResponses for $set {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                refs(&[$(($status, $name)),+])
            }
        }
    };
}

response_set!(
    /// An admin-only read: 403 for anyone else.
    AdminRead: "403" => name::FORBIDDEN
);
response_set!(
    /// An admin-only create: 403 for anyone else, 422 for invalid fields.
    AdminCreate: "403" => name::FORBIDDEN, "422" => name::VALIDATION_FAILED
);
response_set!(
    /// An admin-only change of a named resource: 403, 404 for no such resource, 422.
    AdminWrite: "403" => name::FORBIDDEN, "404" => name::NOT_FOUND, "422" => name::VALIDATION_FAILED
);
response_set!(
    /// An admin-only delete of a named resource: 403 and 404.
    AdminDelete: "403" => name::FORBIDDEN, "404" => name::NOT_FOUND
);
response_set!(
    /// A read of a named resource within the caller's scope: 404 outside it.
    ScopedRead: "404" => name::NOT_FOUND
);
response_set!(
    /// A body with fields to validate: 422.
    Validated: "422" => name::VALIDATION_FAILED
);
response_set!(
    /// A list's CSV export.
    CsvExport: "200" => name::CSV_EXPORT
);
response_set!(
    /// The probes and metrics, answered before any handler: a head too large is a bare 431.
    HeadTooLarge: "431" => name::HEAD_TOO_LARGE
);
