//! Optimistic concurrency (RFC 9110 §13): single resources carry a strong `ETag` derived from
//! their row version, and every PATCH or DELETE must send it back in `If-Match` — without it
//! the answer is 428, with a stale one 412.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::{ApiError, Code, FieldCode, FieldError, Text};

/// The ETag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The longest `If-Match` accepted, as documented in the spec.
const MAX_LEN: usize = 64;

/// The `If-Match` header, required. Its absence or malformation is reported by `check`, not
/// by extraction, so that handlers authorise first: a caller without the right gets 401/403,
/// never a hint about preconditions.
#[derive(Debug, Clone)]
pub struct IfMatch(Option<Condition>, bool);

/// A parsed `If-Match`: `*`, or entity tags as (weak, opaque value).
#[derive(Debug, Clone, PartialEq)]
enum Condition {
    Any,
    Tags(Vec<(bool, String)>),
}

/// Parses `If-Match` values (RFC 9110 §8.8.3, §13.1.1). Written out because a tag may hold a
/// comma (`"a,b"`), which actix's list parser splits. `None` for anything malformed.
fn parse_condition<'a>(values: impl Iterator<Item = &'a str>) -> Option<Condition> {
    let mut tags = Vec::new();
    for value in values {
        if value.trim() == "*" {
            return Some(Condition::Any);
        }
        let mut rest = value.trim_matches([' ', '\t']);
        while !rest.is_empty() {
            let weak = rest.starts_with("W/");
            let quoted = rest.strip_prefix("W/").unwrap_or(rest).strip_prefix('"')?;
            let end = quoted.find('"')?;
            let opaque = &quoted[..end];
            // etagc: %x21 / %x23-7E / obs-text
            if !opaque
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x7e).contains(&b) || b >= 0x80)
            {
                return None;
            }
            tags.push((weak, opaque.to_owned()));
            rest = quoted[end + 1..].trim_start_matches([' ', '\t']);
            if let Some(after) = rest.strip_prefix(',') {
                rest = after.trim_start_matches([' ', '\t']);
                if rest.is_empty() {
                    return None;
                }
            } else if !rest.is_empty() {
                return None;
            }
        }
    }
    (!tags.is_empty()).then_some(Condition::Tags(tags))
}

impl IfMatch {
    /// Succeeds when the header names the current version (or is `*`).
    pub fn check(&self, version: i64) -> Result<(), ApiError> {
        self.check_tag(&etag(version), true)
    }

    /// Succeeds when the header names `current`, an ETag as sent (`"…"`), for resources whose
    /// ETag is a digest rather than a row version. `*` passes only when `any_allowed`: a
    /// resource may reserve it for "does not exist yet".
    pub fn check_tag(&self, current: &str, any_allowed: bool) -> Result<(), ApiError> {
        let given = match (&self.0, self.1) {
            (Some(given), _) => given,
            (None, false) => return Err(ApiError::PreconditionRequired),
            (None, true) => {
                let message = Text::new(
                    "must be an entity tag such as \"3\", or *",
                    "phải là một thẻ thực thể (entity tag) như \"3\", hoặc *",
                );
                return Err(ApiError::BadRequest {
                    code: Code::InvalidHeader,
                    message: message.map(|m| format!("If-Match {m}")),
                    errors: vec![FieldError::new("If-Match", FieldCode::Invalid, message)],
                });
            }
        };
        // If-Match compares strongly: a weak tag never matches.
        let current = current.trim_matches('"');
        let ok = match given {
            Condition::Any => any_allowed,
            Condition::Tags(tags) => tags.iter().any(|(weak, tag)| !weak && tag == current),
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed)
        }
    }
}

impl crate::ops::Precondition for IfMatch {
    fn check(&self, version: i64) -> Result<(), ApiError> {
        IfMatch::check(self, version)
    }
    fn check_tag(&self, current: &str, any_allowed: bool) -> Result<(), ApiError> {
        IfMatch::check_tag(self, current, any_allowed)
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let values: Vec<&str> = req
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok())
            .collect();
        let sent = req.headers().contains_key(header::IF_MATCH);
        // Longer than the documented bound is malformed (400), whatever it holds: no ETag of
        // ours comes near it.
        let within = values.iter().map(|v| v.len()).sum::<usize>() <= MAX_LEN;
        let parsed = if sent && within {
            parse_condition(values.into_iter())
        } else {
            None
        };
        ready(Ok(IfMatch(parsed, sent)))
    }
}

/// Documents the header (`params(IfMatch)`): required, an entity tag list or `*`.
impl utoipa::IntoParams for IfMatch {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::True)
                .description(Some(
                    "The `ETag` from the last read; without it the answer is 428, with a stale \
                     one 412",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .max_length(Some(MAX_LEN))
                        .pattern(Some(
                            r#"^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$"#,
                        )),
                ))
                .example(Some(serde_json::json!("\"1\"")))
                .build(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::{Condition, parse_condition};

    fn parse(v: &str) -> Option<Condition> {
        parse_condition(std::iter::once(v))
    }

    #[test]
    fn if_match_values_parse_like_rfc_9110() {
        assert_eq!(parse("*"), Some(Condition::Any));
        assert_eq!(
            parse(r#""3""#),
            Some(Condition::Tags(vec![(false, "3".into())]))
        );
        assert_eq!(
            parse(r#"W/"a", "b,c""#),
            Some(Condition::Tags(vec![
                (true, "a".into()),
                (false, "b,c".into())
            ]))
        );
        for bad in ["3", r#""a"x"#, r#""a","#, r#""a b""#, r#""unclosed"#, ""] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
