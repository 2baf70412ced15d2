//! One error type for the whole API, rendered as RFC 9457 `application/problem+json` in the
//! language the request asks for. Causes of server-side failures are logged with the request id
//! and never sent to clients. Every code and its words are in `catalogue`.

pub mod catalogue;
mod problem;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};

pub use catalogue::{Code, FieldCode, Lang, Text, noun};
pub use problem::{FieldError, FieldErrorBody, Problem};

use crate::http::request_id;

#[derive(Debug)]
pub enum ApiError {
    /// The request is malformed: bad JSON, query or path values.
    BadRequest {
        code: Code,
        message: Text,
        errors: Vec<FieldError>,
    },
    /// Well-formed input that breaks a rule.
    Validation(Vec<FieldError>),
    Unauthorized,
    InvalidCredentials,
    Forbidden,
    /// No such resource (named by a `noun`), or one outside the caller's scope.
    NotFound(Text),
    MethodNotAllowed(Vec<String>),
    Conflict {
        code: Code,
        message: Text,
    },
    /// A workflow action that does not apply to the resource's current state.
    TransitionRefused {
        action: String,
        state: String,
        allowed: Vec<String>,
    },
    PreconditionFailed,
    PreconditionRequired,
    PayloadTooLarge,
    UnsupportedMediaType(&'static str),
    IdempotencyKeyReused,
    TooManyRequests {
        retry_after: u64,
    },
    /// The database is unreachable or saturated; the cause goes to the log.
    Unavailable(String),
    /// A database error no rule of the API explains; see `From<DieselError>`.
    Database(DieselError),
    Internal(anyhow::Error),
}

impl ApiError {
    pub fn bad_request(code: Code, message: Text) -> Self {
        ApiError::BadRequest {
            code,
            message,
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

    /// The 422 for one field.
    pub fn invalid(field: &str, code: FieldCode, message: Text) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn conflict(code: Code, message: Text) -> Self {
        ApiError::Conflict { code, message }
    }

    /// Stable machine-readable code.
    pub fn code(&self) -> Code {
        match self {
            ApiError::BadRequest { code, .. } | ApiError::Conflict { code, .. } => *code,
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::Unauthorized => Code::Unauthorized,
            ApiError::InvalidCredentials => Code::InvalidCredentials,
            ApiError::Forbidden => Code::Forbidden,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::MethodNotAllowed(_) => Code::MethodNotAllowed,
            ApiError::TransitionRefused { .. } => Code::TransitionNotAllowed,
            ApiError::PreconditionFailed => Code::PreconditionFailed,
            ApiError::PreconditionRequired => Code::PreconditionRequired,
            ApiError::PayloadTooLarge => Code::PayloadTooLarge,
            ApiError::UnsupportedMediaType(_) => Code::UnsupportedMediaType,
            ApiError::IdempotencyKeyReused => Code::IdempotencyKeyReused,
            ApiError::TooManyRequests { .. } => Code::QuotaExceeded,
            ApiError::Unavailable(_) => Code::ServiceUnavailable,
            ApiError::Database(e) => match db_status(e) {
                StatusCode::NOT_FOUND => Code::NotFound,
                StatusCode::CONFLICT => Code::Conflict,
                StatusCode::SERVICE_UNAVAILABLE => Code::ServiceUnavailable,
                _ => Code::InternalError,
            },
            ApiError::Internal(_) => Code::InternalError,
        }
    }

    /// What happened this time, in both languages: the problem's `detail`.
    pub fn detail(&self) -> Text {
        match self {
            ApiError::BadRequest { message, .. } | ApiError::Conflict { message, .. } => {
                message.clone()
            }
            ApiError::Validation(_) => Text::new(
                "the request has invalid fields",
                "yêu cầu có trường dữ liệu không hợp lệ",
            ),
            ApiError::Unauthorized => Text::new(
                "authentication required",
                "cần đăng nhập để thực hiện thao tác này",
            ),
            ApiError::InvalidCredentials => Text::new(
                "invalid username or password",
                "tên đăng nhập hoặc mật khẩu không đúng",
            ),
            ApiError::Forbidden => Text::new(
                "you are not allowed to do this",
                "bạn không có quyền thực hiện thao tác này",
            ),
            ApiError::NotFound(what) => Text::owned(
                format!("{what} not found"),
                format!("không tìm thấy {}", what.vi()),
            ),
            ApiError::MethodNotAllowed(_) => Text::new(
                "method not allowed",
                "đường dẫn này không hỗ trợ phương thức đã dùng",
            ),
            ApiError::TransitionRefused { action, state, .. } => crate::text!(
                "{action} is not possible while the state is {state}",
                "không thể thực hiện thao tác {action} khi trạng thái là {state}"
            ),
            ApiError::PreconditionFailed => Text::new(
                "the resource has changed since it was read; fetch it again",
                "tài nguyên đã thay đổi kể từ lần đọc trước; hãy tải lại",
            ),
            ApiError::PreconditionRequired => Text::new(
                "this request needs an If-Match header with the resource's ETag",
                "yêu cầu này cần tiêu đề If-Match mang ETag của tài nguyên",
            ),
            ApiError::PayloadTooLarge => {
                Text::new("the request body is too large", "nội dung yêu cầu quá lớn")
            }
            ApiError::UnsupportedMediaType(expected) => crate::text!(
                "unsupported content type; expected {expected}",
                "kiểu nội dung không được hỗ trợ; cần gửi {expected}"
            ),
            ApiError::IdempotencyKeyReused => Text::new(
                "this Idempotency-Key was already used with a different request",
                "khóa Idempotency-Key này đã được dùng cho một yêu cầu khác",
            ),
            ApiError::TooManyRequests { .. } => Text::new(
                "too many requests; retry later",
                "quá nhiều yêu cầu; hãy thử lại sau",
            ),
            ApiError::Unavailable(_) => Text::new(
                "the service is temporarily unavailable",
                "dịch vụ tạm thời không khả dụng",
            ),
            ApiError::Database(e) => match db_status(e) {
                StatusCode::NOT_FOUND => Text::new("not found", "không tìm thấy"),
                StatusCode::CONFLICT => Text::new(
                    "the change conflicts with existing data",
                    "thay đổi xung đột với dữ liệu hiện có",
                ),
                StatusCode::SERVICE_UNAVAILABLE => Text::new(
                    "the service is temporarily unavailable",
                    "dịch vụ tạm thời không khả dụng",
                ),
                _ => INTERNAL,
            },
            ApiError::Internal(_) => INTERNAL,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Validation(errors) | ApiError::BadRequest { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The problem document for this error, in `lang`, as `error_response` sends it.
    pub fn problem(&self, lang: Lang) -> Problem {
        let mut problem = Problem::new(
            self.code(),
            self.status_code().as_u16(),
            &self.detail(),
            lang,
        );
        problem.errors = self.field_errors().iter().map(|e| e.render(lang)).collect();
        if let ApiError::TransitionRefused { state, allowed, .. } = self {
            problem.current_state = Some(state.clone());
            problem.allowed_actions = Some(allowed.clone());
        }
        problem
    }
}

const INTERNAL: Text = Text::new("internal server error", "lỗi máy chủ");

/// English, as the log shows it.
impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Database(e) => e.fmt(f),
            ApiError::Internal(e) => e.fmt(f),
            other => other.detail().fmt(f),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ApiError::Database(e) => e.source(),
            ApiError::Internal(e) => e.source(),
            _ => None,
        }
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> Self {
        ApiError::Internal(e)
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
        let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
        let problem = Problem {
            instance: ctx.as_ref().map(|c| c.path.clone()),
            request_id: ctx.map(|c| c.id),
            ..self.problem(lang)
        };
        let mut res = HttpResponse::build(status);
        res.content_type("application/problem+json");
        speaks(&mut res, lang);
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

/// Marks a problem answer with its language, and as varying by the header that chose it.
pub fn speaks(res: &mut actix_web::HttpResponseBuilder, lang: Lang) {
    res.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
    res.append_header((header::VARY, "Accept-Language"));
}

/// The domain meaning of each unique constraint: (table, columns) → (code, message). A
/// violation is mapped here and nowhere else, whichever write hit it; constraints not listed
/// (an idempotency key stored twice by racing retries, say) stay database errors, which the
/// code that expects them inspects.
const UNIQUE: &[(&str, &[&str], Code, Text)] = &[
    (
        "units",
        &["code"],
        Code::CodeTaken,
        Text::new(
            "another unit has this code",
            "mã này đã được dùng cho một đơn vị khác",
        ),
    ),
    (
        "blocs",
        &["code"],
        Code::CodeTaken,
        Text::new(
            "another bloc has this code",
            "mã này đã được dùng cho một khối thi đua khác",
        ),
    ),
    (
        "persons",
        &["civil_servant_code"],
        Code::CivilServantCodeTaken,
        Text::new(
            "another person has this civil servant code",
            "mã số công chức này đã được dùng cho một người khác",
        ),
    ),
    (
        "users",
        &["username"],
        Code::UsernameTaken,
        Text::new(
            "the username is taken",
            "tên đăng nhập này đã có người sử dụng",
        ),
    ),
    (
        "movement_registrations",
        &["movement_id", "unit_id"],
        Code::AlreadyRegistered,
        Text::new(
            "the unit already registered for this movement",
            "đơn vị đã đăng ký tham gia phong trào này",
        ),
    ),
    (
        "covenants",
        &["bloc_id", "year"],
        Code::CovenantExists,
        Text::new(
            "the bloc already has a covenant for this year",
            "khối đã có giao ước thi đua của năm này",
        ),
    ),
    (
        "criteria",
        &["covenant_id", "code"],
        Code::CodeTaken,
        Text::new(
            "another criterion of the covenant has this code",
            "mã này đã được dùng cho một tiêu chí khác của giao ước",
        ),
    ),
    (
        "score_sheets",
        &["covenant_id", "unit_id", "period", "kind"],
        Code::SheetExists,
        Text::new(
            "the unit already has a sheet of this kind for the period",
            "đơn vị đã có bảng chấm điểm loại này trong kỳ",
        ),
    ),
    (
        "bloc_members",
        &["bloc_id", "year"],
        Code::MembershipConflict,
        MEMBERSHIP_CONFLICT,
    ),
    (
        "bloc_members",
        &["bloc_id", "year", "unit_id"],
        Code::MembershipConflict,
        MEMBERSHIP_CONFLICT,
    ),
];

const MEMBERSHIP_CONFLICT: Text = Text::new(
    "a bloc-year has one chair and lists each unit once",
    "mỗi khối trong một năm có một trưởng khối và mỗi đơn vị chỉ có tên một lần",
);

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
            return ApiError::conflict(*code, message.clone());
        }
        ApiError::Database(e)
    }
}

/// A refusal for a `validator` custom check, carrying its message in both languages (the
/// Vietnamese rides in a parameter, which `From<ValidationErrors>` reads back).
pub fn refusal(code: FieldCode, message: Text) -> validator::ValidationError {
    let mut e = validator::ValidationError::new(code.as_str());
    e.add_param("vi".into(), &message.vi());
    e.with_message(message.en().to_owned().into())
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        for (field, errs) in errors.field_errors() {
            for e in errs {
                let code = e.code.parse().unwrap_or(FieldCode::Invalid);
                let vi = e.params.get("vi").and_then(|v| v.as_str());
                let message = match (&e.message, vi) {
                    (Some(en), Some(vi)) => Text::owned(en.to_string(), vi),
                    _ => describe(code, e),
                };
                out.push(FieldError::new(field.as_ref(), code, message));
            }
        }
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    }
}

/// The message of validator's built-in checks, from the bounds they carry.
fn describe(code: FieldCode, e: &validator::ValidationError) -> Text {
    let p = |k: &str| e.params.get(k).map(|v| v.to_string());
    match code {
        FieldCode::Length => match (p("min"), p("max")) {
            (Some(min), Some(max)) => crate::text!(
                "must be between {min} and {max} characters",
                "phải dài từ {min} đến {max} ký tự"
            ),
            (Some(min), None) => crate::text!(
                "must be at least {min} characters",
                "phải dài ít nhất {min} ký tự"
            ),
            (None, Some(max)) => crate::text!(
                "must be at most {max} characters",
                "chỉ được dài tối đa {max} ký tự"
            ),
            _ => code.text(),
        },
        FieldCode::Range => match (p("min"), p("max")) {
            (Some(min), Some(max)) => crate::text!(
                "must be between {min} and {max}",
                "phải nằm trong khoảng từ {min} đến {max}"
            ),
            (Some(min), None) => {
                crate::text!("must be at least {min}", "phải lớn hơn hoặc bằng {min}")
            }
            (None, Some(max)) => {
                crate::text!("must be at most {max}", "phải nhỏ hơn hoặc bằng {max}")
            }
            _ => code.text(),
        },
        _ => code.text(),
    }
}
