//! Request bodies: `Json<T>` for `application/json` and `MergePatch<T>` for
//! `application/merge-patch+json` (RFC 7396) or `application/json`, read the same way. Both
//! reject other media types with 415, oversize bodies with 413, and malformed or mistyped JSON with a 400 naming the offending field.
//!
//! Extraction itself never fails: the outcome is kept and reported by `into_inner`, so that
//! handlers authorise first. actix runs all extractors together, and a body error — ready at
//! once — would otherwise beat `AuthUser`, which waits on the database: a caller without the
//! right would get 400/413/415 instead of 401/403.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::domain::text;
use crate::error::{ApiError, Code, FieldCode, FieldError, Text};

pub const JSON: &str = "application/json";
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// A JSON request body, or why it could not be read; call `into_inner` after authorising.
#[derive(Debug)]
pub struct Json<T>(Result<T, ApiError>);

/// A JSON merge-patch request body (absent fields stay, `null` clears), or why it could not be
/// read; call `into_inner` after authorising.
#[derive(Debug)]
pub struct MergePatch<T>(Result<T, ApiError>);

impl<T> Json<T> {
    /// The body, or its 415/413/400.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

impl<T> MergePatch<T> {
    /// The patch, or its 415/413/400.
    pub fn into_inner(self) -> Result<T, ApiError> {
        self.0
    }
}

fn media_type(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Reads and parses a body of the `expected` media type.
fn extract<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    expected: &'static str,
) -> Pin<Box<dyn Future<Output = Result<T, ApiError>>>> {
    // A merge patch also comes as plain JSON: what generated clients send for any JSON body.
    let right_type =
        media_type(req).is_some_and(|m| m == expected || (expected == MERGE_PATCH && m == JSON));
    let bytes = web::Bytes::from_request(req, payload);
    Box::pin(async move {
        if !right_type {
            return Err(ApiError::UnsupportedMediaType(expected));
        }
        let bytes = bytes
            .await
            .map_err(|e| match e.as_response_error().status_code() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
                _ => ApiError::bad_request(Code::UnreadableBody, UNREADABLE),
            })?;
        parse(&bytes)
    })
}

/// The body could not be received (the connection broke, say).
pub const UNREADABLE: Text = Text::new(
    "the request body could not be read",
    "không đọc được nội dung yêu cầu",
);

/// Parses JSON, reporting the path of the field that failed (`bloc_ids[2]`, `role`, …).
///
/// JSON has one number type: `2019.0` is the integer 2019 as far as JSON Schema (and the API
/// document) is concerned, but serde refuses it for an integer field. Such a body is parsed a
/// second time with integral floats turned into integers; the first, strict pass keeps every
/// other check (duplicate keys included) exact.
///
/// The body must be one JSON document: anything but white space after it is refused, so that a
/// second document cannot ride along unseen. Every string in it, keys included, is then checked
/// for control and bidi-override characters (`domain::text::check_text`) here, once, rather than
/// field by field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let strict = serde_path_to_error::deserialize(&mut de);
    let parsed = match strict {
        Ok(value) => {
            de.end().map_err(|e| problem(".", e))?;
            value
        }
        Err(e)
            if e.inner()
                .to_string()
                .contains("invalid type: floating point") =>
        {
            let mut value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|e| problem(".", e))?;
            integral_floats_to_integers(&mut value);
            serde_path_to_error::deserialize(value)
                .map_err(|e| problem(&e.path().to_string(), e.into_inner()))?
        }
        Err(e) => return Err(problem(&e.path().to_string(), e.into_inner())),
    };
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| problem(".", e))?;
    check_strings(&value, &mut String::new())?;
    Ok(parsed)
}

/// Refuses the first string (or key) under `value` holding a forbidden character, naming its
/// path in the notation serde_path_to_error uses (`members[2].name`).
fn check_strings(value: &serde_json::Value, path: &mut String) -> Result<(), ApiError> {
    let refuse = |path: &str, problem: text::TextProblem| {
        let field = if path.is_empty() { "body" } else { path };
        let message = problem.message();
        ApiError::BadRequest {
            code: Code::InvalidBody,
            message: message.map(|m| format!("{field}: {m}")),
            errors: vec![FieldError::new(field, problem.code(), message)],
        }
    };
    match value {
        serde_json::Value::String(s) => text::check_text(s).map_err(|p| refuse(path, p)),
        serde_json::Value::Array(items) => items.iter().enumerate().try_for_each(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let result = check_strings(item, path);
            path.truncate(len);
            result
        }),
        serde_json::Value::Object(map) => map.iter().try_for_each(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key);
            let result = text::check_text(key)
                .map_err(|p| refuse(path, p))
                .and_then(|()| check_strings(item, path));
            path.truncate(len);
            result
        }),
        _ => Ok(()),
    }
}

fn integral_floats_to_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(f) = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15)
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

/// The 400 for a body serde refused at `path`. serde's own words are English; the
/// Vietnamese says the same of the field in general terms (`expected_form_vi`).
fn problem(path: &str, inner: serde_json::Error) -> ApiError {
    let malformed = !matches!(inner.classify(), serde_json::error::Category::Data);
    // serde's message ends with the position, which clients do not need twice.
    let message = inner.to_string();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    if malformed {
        let message = if message == "trailing characters" {
            Text::new(
                "trailing characters after the JSON document: send exactly one",
                "còn ký tự sau văn bản JSON: chỉ gửi đúng một văn bản",
            )
        } else {
            Text::owned(message, FieldCode::MalformedJson.text().vi())
        };
        return ApiError::BadRequest {
            code: Code::MalformedJson,
            message: Text::new(
                "the request body is not valid JSON",
                "nội dung yêu cầu không phải JSON hợp lệ",
            ),
            errors: vec![FieldError::new("body", FieldCode::MalformedJson, message)],
        };
    }
    let field = field_of(path, &message);
    let message = super::expected_form(&message);
    ApiError::BadRequest {
        code: Code::InvalidBody,
        message: message.map(|m| format!("{field}: {m}")),
        errors: vec![FieldError::new(field, FieldCode::InvalidField, message)],
    }
}

/// The field a serde data error is about: its path, completed by the name serde gives for a
/// missing or unknown field (reported at the enclosing object's path), else `body`.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .any(|p| message.starts_with(p))
        .then(|| super::backticked(message))
        .flatten();
    match (path, named) {
        ("." | "", Some(name)) => name,
        ("." | "", None) => "body".to_owned(),
        (path, Some(name)) if !path.ends_with(&name) => format!("{path}.{name}"),
        (path, _) => path.to_owned(),
    }
}

/// A required field in a merge patch: absent leaves it, a value sets it, and `null` — which
/// would clear it — is refused (400) instead of being mistaken for "absent".
///
/// Use it as `#[serde(default, deserialize_with = "crate::http::body::present")]` on an
/// `Option<T>` field, with `nullable = false` in its `#[schema]`.
pub fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        // Said here, not left to `T`: an enum would report `null` as malformed JSON.
        None => Err(serde::de::Error::custom(
            "cannot be null: leave the field out to keep its value",
        )),
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = extract::<T>(req, payload, JSON);
        Box::pin(async move { Ok(Json(fut.await)) })
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for MergePatch<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = extract::<T>(req, payload, MERGE_PATCH);
        Box::pin(async move { Ok(MergePatch(fut.await)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        ids: Vec<i64>,
    }

    #[test]
    fn errors_name_the_field() {
        let err = parse::<Body>(br#"{"name": "a", "ids": [1, "x"]}"#).unwrap_err();
        let ApiError::BadRequest { errors, .. } = err else {
            panic!()
        };
        assert_eq!(errors[0].field, "ids[1]");
        let ok = parse::<Body>(br#"{"name": "a", "ids": [1.0, 2]}"#).unwrap();
        assert_eq!(ok.ids, vec![1, 2]);
        assert!(parse::<Body>(br#"{"name": "a", "ids": [1.5]}"#).is_err());
        let err = parse::<Body>(b"{").unwrap_err();
        assert_eq!(err.code(), "malformed_json");
    }

    #[test]
    fn forbidden_characters_are_named_by_their_path() {
        let field = |body: &[u8]| match parse::<serde_json::Value>(body).unwrap_err() {
            ApiError::BadRequest { errors, .. } => errors[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(br#"{"a": [{"b": "ok"}, {"b": "x\u0000"}]}"#),
            "a[1].b"
        );
        assert_eq!(field(br#"{"a\u202e": 1}"#), "a\u{202e}");
        assert_eq!(field(br#""\u0007""#), "body");
        assert_eq!(field("[\"\u{85}\"]".as_bytes()), "[0]");
        assert!(parse::<serde_json::Value>(br#"{"a": "tab\tline\nok"}"#).is_ok());
    }

    #[test]
    fn one_document_only() {
        for body in [&b"{} {}"[..], b"{}x", b"[1]]", b"{}\n1"] {
            assert_eq!(
                parse::<serde_json::Value>(body).unwrap_err().code(),
                "malformed_json"
            );
        }
        assert!(parse::<serde_json::Value>(b"{}\r\n\t ").is_ok());
        // The integral-float pass refuses trailing data too.
        let err = parse::<Body>(br#"{"name": "a", "ids": [1.0]} x"#).unwrap_err();
        assert_eq!(err.code(), "malformed_json");
    }

    #[test]
    fn missing_and_unknown_fields_are_named() {
        let field = |body: &[u8]| match parse::<Body>(body).unwrap_err() {
            ApiError::BadRequest { errors, .. } => errors[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(br#"{"ids": []}"#), "name");
        assert_eq!(field(br#"{"name": "a", "ids": [], "extra": 1}"#), "extra");
    }

    #[derive(Debug, serde::Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "present")]
        name: Option<String>,
        #[serde(default, deserialize_with = "present")]
        #[allow(dead_code)]
        kind: Option<crate::domain::UnitKind>,
    }

    #[test]
    fn present_refuses_null() {
        assert_eq!(parse::<Patch>(b"{}").unwrap().name, None);
        assert_eq!(
            parse::<Patch>(br#"{"name": "a"}"#).unwrap().name.as_deref(),
            Some("a")
        );
        let err = parse::<Patch>(br#"{"name": null}"#).unwrap_err();
        let ApiError::BadRequest { errors, .. } = err else {
            panic!()
        };
        assert_eq!(errors[0].field, "name");
        assert_eq!(errors[0].code, "invalid_field");
        // An enum would call `null` malformed JSON on its own.
        let err = parse::<Patch>(br#"{"kind": null}"#).unwrap_err();
        let ApiError::BadRequest { errors, .. } = err else {
            panic!()
        };
        assert_eq!(errors[0].field, "kind");
        assert_eq!(errors[0].code, "invalid_field");
    }
}
