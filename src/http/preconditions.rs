//! Optimistic concurrency (RFC 9110 §13): single resources carry a strong `ETag` derived from
//! their row version, and every PATCH or DELETE must send it back in `If-Match` — without it
//! the answer is 428, with a stale one 412.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header::{self, EntityTag, Header};
use actix_web::{FromRequest, HttpRequest};

use crate::error::{ApiError, FieldError};

/// The ETag of a resource at `version`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` header, required. Its absence or malformation is reported by `check`, not
/// by extraction, so that handlers authorise first: a caller without the right gets 401/403,
/// never a hint about preconditions.
#[derive(Debug, Clone)]
pub struct IfMatch(Option<header::IfMatch>, bool);

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
                return Err(ApiError::BadRequest {
                    code: "invalid_header",
                    message: "If-Match must be an entity tag such as \"3\", or *".into(),
                    errors: vec![FieldError::new(
                        "If-Match",
                        "invalid",
                        "must be an entity tag such as \"3\", or *",
                    )],
                });
            }
        };
        let current = EntityTag::new_strong(current.trim_matches('"').to_owned());
        let ok = match given {
            header::IfMatch::Any => any_allowed,
            header::IfMatch::Items(tags) => tags.iter().any(|t| t.strong_eq(&current)),
        };
        if ok {
            Ok(())
        } else {
            Err(ApiError::PreconditionFailed)
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let sent = req.headers().contains_key(header::IF_MATCH);
        let parsed = header::IfMatch::parse(req)
            .ok()
            // actix drops unparsable tags, so `If-Match: 3` would read as an empty list and
            // answer a misleading 412; it is malformed.
            .filter(|h| !matches!(h, header::IfMatch::Items(tags) if tags.is_empty()));
        ready(Ok(IfMatch(parsed.filter(|_| sent), sent)))
    }
}
