//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.
//! Causes of server-side failures are logged with the request id and never sent to clients.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::request_id;

/// One invalid input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// Where the problem is: a body field (`username`), a query parameter or a header.
    #[schema(example = "username")]
    pub field: String,
    /// Machine-readable reason, stable across releases.
    #[schema(example = "length")]
    pub code: String,
    /// Human-readable explanation.
    #[schema(example = "must be between 3 and 64 characters")]
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document: every 4xx and 5xx answer has this shape.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type; it ends with `code`.
    #[schema(example = "urn:thidua:problem:validation_failed")]
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    #[schema(example = "Unprocessable Entity")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// Explanation specific to this occurrence.
    #[schema(example = "the request body has invalid fields")]
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/api/v1/users")]
    pub instance: Option<String>,
    /// Stable machine-readable error code.
    #[schema(example = "validation_failed")]
    pub code: String,
    /// The request id, also in the `X-Request-Id` header and the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5f0c6f5e-8d0b-4a57-9a3f-3f1e5e0c2b1a")]
    pub request_id: Option<String>,
    /// Field-level details for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a refused workflow transition: the resource's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "closed")]
    pub current_state: Option<String>,
    /// For a refused workflow transition: the actions the caller may take from that state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed: bad JSON, query or path values.
    #[error("{message}")]
    BadRequest {
        code: &'static str,
        message: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed input that breaks a rule.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("authentication required")]
    Unauthorized,
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("you are not allowed to do this")]
    Forbidden,
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("method not allowed")]
    MethodNotAllowed(Vec<String>),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// A workflow action that does not apply to the resource's current state.
    #[error("{action} is not possible while the state is {state}")]
    TransitionRefused {
        action: String,
        state: String,
        allowed: Vec<String>,
    },
    #[error("the resource has changed since it was read; fetch it again")]
    PreconditionFailed,
    #[error("this request needs an If-Match header with the resource's ETag")]
    PreconditionRequired,
    #[error("the request body is too large")]
    PayloadTooLarge,
    #[error("unsupported content type; expected {0}")]
    UnsupportedMediaType(&'static str),
    #[error("this Idempotency-Key was already used with a different request")]
    IdempotencyKeyReused,
    #[error("too many requests; retry later")]
    TooManyRequests { retry_after: u64 },
    /// The database is unreachable or saturated; the cause goes to the log.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// A database error no rule of the API explains; see `From<DieselError>`.
    #[error(transparent)]
    Database(DieselError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code,
            message: message.into(),
            errors: vec![],
        }
    }

    /// `Ok` when a rule check found nothing, else the 422 listing every field it found.
    pub fn unless_any(errors: Vec<FieldError>) -> Result<(), ApiError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    pub fn invalid(field: &str, code: &str, message: &str) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => code,
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unauthorized => "unauthorized",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::TransitionRefused { .. } => "transition_not_allowed",
            ApiError::PreconditionFailed => "precondition_failed",
            ApiError::PreconditionRequired => "precondition_required",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::IdempotencyKeyReused => "idempotency_key_reused",
            ApiError::TooManyRequests { .. } => "quota_exceeded",
            ApiError::Unavailable(_) => "service_unavailable",
            ApiError::Database(e) => match db_status(e) {
                StatusCode::NOT_FOUND => "not_found",
                StatusCode::CONFLICT => "conflict",
                StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
                _ => "internal_error",
            },
            ApiError::Internal(_) => "internal_error",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::Database(e) => match db_status(e) {
                StatusCode::NOT_FOUND => "not found".into(),
                StatusCode::CONFLICT => "the change conflicts with existing data".into(),
                StatusCode::SERVICE_UNAVAILABLE => "the service is temporarily unavailable".into(),
                _ => "internal server error".into(),
            },
            ApiError::Internal(_) => "internal server error".into(),
            other => other.to_string(),
        }
    }

    fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ApiError::Validation(errors) | ApiError::BadRequest { errors, .. } => errors.clone(),
            _ => vec![],
        }
    }
}

fn db_status(e: &DieselError) -> StatusCode {
    match e {
        DieselError::NotFound => StatusCode::NOT_FOUND,
        DieselError::DatabaseError(kind, _) => match kind {
            DatabaseErrorKind::UniqueViolation
            | DatabaseErrorKind::ForeignKeyViolation
            | DatabaseErrorKind::CheckViolation => StatusCode::CONFLICT,
            DatabaseErrorKind::SerializationFailure
            | DatabaseErrorKind::ClosedConnection
            | DatabaseErrorKind::ReadOnlyTransaction => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        },
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::IdempotencyKeyReused => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Unauthorized | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } | ApiError::TransitionRefused { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Database(e) => db_status(e),
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else if let ApiError::Database(e) = self {
            tracing::info!(error = ?e, "database refused the change");
        }
        let ctx = request_id::current();
        let problem = Problem {
            problem_type: format!("urn:thidua:problem:{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            instance: ctx.as_ref().map(|c| c.path.clone()),
            code: self.code().to_owned(),
            request_id: ctx.map(|c| c.id),
            errors: self.field_errors(),
            current_state: None,
            allowed_actions: None,
        };
        let problem = match self {
            ApiError::TransitionRefused { state, allowed, .. } => Problem {
                current_state: Some(state.clone()),
                allowed_actions: Some(allowed.clone()),
                ..problem
            },
            _ => problem,
        };
        let mut res = HttpResponse::build(status);
        res.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized | ApiError::InvalidCredentials => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::MethodNotAllowed(methods) => {
                res.insert_header((header::ALLOW, methods.join(", ")));
            }
            ApiError::TooManyRequests { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ if status == StatusCode::SERVICE_UNAVAILABLE => {
                res.insert_header((header::RETRY_AFTER, "1"));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&problem).unwrap_or_default())
    }
}

/// The domain meaning of each unique constraint: (table, columns) → (code, message). A
/// violation is mapped here and nowhere else, whichever write hit it; constraints not listed
/// (an idempotency key stored twice by racing retries, say) stay database errors, which the
/// code that expects them inspects.
const UNIQUE: &[(&str, &[&str], &str, &str)] = &[
    (
        "units",
        &["code"],
        "code_taken",
        "another unit has this code",
    ),
    (
        "blocs",
        &["code"],
        "code_taken",
        "another bloc has this code",
    ),
    (
        "persons",
        &["civil_servant_code"],
        "civil_servant_code_taken",
        "another person has this civil servant code",
    ),
    (
        "users",
        &["username"],
        "username_taken",
        "the username is taken",
    ),
    (
        "movement_registrations",
        &["movement_id", "unit_id"],
        "already_registered",
        "the unit already registered for this movement",
    ),
    (
        "covenants",
        &["bloc_id", "year"],
        "covenant_exists",
        "the bloc already has a covenant for this year",
    ),
    (
        "criteria",
        &["covenant_id", "code"],
        "criterion_code_taken",
        "another criterion of the covenant has this code",
    ),
    (
        "score_sheets",
        &["covenant_id", "unit_id", "period", "kind"],
        "sheet_exists",
        "the unit already has a sheet of this kind for the period",
    ),
    (
        "bloc_members",
        &["bloc_id", "year"],
        "membership_conflict",
        "a bloc-year has one chair and lists each unit once",
    ),
    (
        "bloc_members",
        &["bloc_id", "year", "unit_id"],
        "membership_conflict",
        "a bloc-year has one chair and lists each unit once",
    ),
];

/// Database errors that mean "not now" rather than "broken": a full disk (SQLite's
/// SQLITE_FULL) and a connection the server ended mid-query (a PostgreSQL restart). diesel
/// reports both as `Unknown`; they are told apart by their message.
fn temporarily_unavailable(e: &DieselError) -> bool {
    let DieselError::DatabaseError(_, info) = e else {
        return false;
    };
    let message = info.message();
    [
        "database or disk is full",
        "terminating connection",
        "server closed the connection",
        "the database system is shutting down",
        "the database system is starting up",
    ]
    .iter()
    .any(|m| message.contains(m))
}

impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        if temporarily_unavailable(&e) {
            return ApiError::Unavailable(e.to_string());
        }
        if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &e
            && let Some((table, columns)) = crate::db::constraints::unique_target(info.as_ref())
            && let Some((.., code, message)) = UNIQUE
                .iter()
                .find(|(t, c, ..)| *t == table && c.iter().eq(columns.iter()))
        {
            return ApiError::conflict(code, *message);
        }
        ApiError::Database(e)
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        for (field, errs) in errors.field_errors() {
            for e in errs {
                let message = e
                    .message
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| describe(e));
                out.push(FieldError::new(field.as_ref(), e.code.as_ref(), message));
            }
        }
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    }
}

/// A readable message for validator's built-in checks.
fn describe(e: &validator::ValidationError) -> String {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            _ => "has the wrong length".into(),
        },
        "range" => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        "email" => "is not an email address".into(),
        "url" => "is not a URL".into(),
        code => format!("is invalid ({code})"),
    }
}
