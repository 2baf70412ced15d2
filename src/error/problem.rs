//! The problem document (RFC 9457) as it is sent, and the field errors it lists.

use serde::Serialize;
use utoipa::ToSchema;

use super::catalogue::{Code, FieldCode, Lang, Text};

/// One invalid input field, as the code that found it says it: both languages at once.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// A body field (`username`), a query parameter, a header or, for an import, `row N: column`.
    pub field: String,
    pub code: FieldCode,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode, message: Text) -> Self {
        FieldError {
            field: field.into(),
            code,
            message,
        }
    }

    /// A field error whose message is its code's own.
    pub fn of(field: impl Into<String>, code: FieldCode) -> Self {
        FieldError::new(field, code, code.text())
    }

    /// The error as sent, in `lang`.
    pub fn render(&self, lang: Lang) -> FieldErrorBody {
        FieldErrorBody {
            field: self.field.clone(),
            code: self.code,
            message: self.message.get(lang).to_owned(),
        }
    }
}

/// One invalid input field.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[schema(as = FieldError)]
pub struct FieldErrorBody {
    /// Where the problem is: a body field (`username`), a query parameter or a header.
    #[schema(example = "username")]
    pub field: String,
    /// Machine-readable reason, stable across releases.
    pub code: FieldCode,
    /// Human-readable explanation, in the language `Accept-Language` asks for.
    #[schema(example = "must be between 3 and 64 characters")]
    pub message: String,
}

/// An RFC 9457 problem document: every 4xx and 5xx answer has this shape.
///
/// `code` (and each field's `code`) is stable and the same in every language: switch on it.
/// `title`, `detail` and the fields' `message` are for people, in the language the request's
/// `Accept-Language` prefers: Vietnamese for `vi` (or `vi-VN`), English otherwise. The answer
/// says which in `Content-Language`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type; it ends with `code`.
    #[schema(example = "urn:thidua:problem:validation_failed")]
    #[serde(rename = "type")]
    pub problem_type: String,
    /// What `code` means, in the language `Accept-Language` asks for.
    #[schema(example = "Invalid fields")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// Explanation specific to this occurrence, in the language `Accept-Language` asks for.
    #[schema(example = "the request has invalid fields")]
    pub detail: String,
    /// The request path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "/api/v1/users")]
    pub instance: Option<String>,
    /// Stable machine-readable error code.
    pub code: Code,
    /// The request id, also in the `X-Request-Id` header and the server log.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "5f0c6f5e-8d0b-4a57-9a3f-3f1e5e0c2b1a")]
    pub request_id: Option<String>,
    /// Field-level details for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldErrorBody>,
    /// For a refused workflow transition: the resource's current state.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "closed")]
    pub current_state: Option<String>,
    /// For a refused workflow transition: the actions the caller may take from that state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

impl Problem {
    /// A problem with `code`'s title and `detail`, both in `lang`.
    pub fn new(code: Code, status: u16, detail: &Text, lang: Lang) -> Problem {
        Problem {
            problem_type: format!("urn:thidua:problem:{code}"),
            title: code.text().get(lang).to_owned(),
            status,
            detail: detail.get(lang).to_owned(),
            instance: None,
            code,
            request_id: None,
            errors: vec![],
            current_state: None,
            allowed_actions: None,
        }
    }
}
