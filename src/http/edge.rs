//! Middleware at the edge of the application: query strings are checked for control
//! characters before any extractor sees them, and every error answer — including those built by
//! actix or its middleware (a refused CORS preflight) rather than by `ApiError` — leaves as an
//! RFC 9457 problem document.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse, web};

use crate::domain::text;
use crate::error::{ApiError, Code, FieldError, Text, speaks};
use crate::http::request_id;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Refuses a query string whose decoded names or values hold a control or bidi-override
/// character (`domain::text::check_text`), naming the parameter. Done once here rather than in
/// every list's query type.
pub async fn query_text(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    if let Some(error) = check_query(req.query_string()) {
        return Ok(req.error_response(error).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The 400 for the first query parameter that holds a forbidden character, if any. A query
/// string that does not even decode is left to the handler's extractor.
pub fn check_query(query: &str) -> Option<ApiError> {
    if query.is_empty() {
        return None;
    }
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query).ok()?;
    pairs.iter().find_map(|(name, value)| {
        let problem = text::check_text(name)
            .and_then(|()| text::check_text(value))
            .err()?;
        let field = if text::check_text(name).is_ok() {
            name.clone()
        } else {
            "query".to_owned()
        };
        let message = problem.message();
        Some(ApiError::BadRequest {
            code: Code::InvalidQuery,
            message: message.map(|m| format!("{field}: {m}")),
            errors: vec![FieldError::new(field, problem.code(), message)],
        })
    })
}

/// Turns any error response that is not already a problem document into one, keeping its
/// status and headers. `ApiError` answers pass untouched; what this catches is actix's own: a refused
/// CORS request, errors of middleware, and anything a library renders as plain text.
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // An `Err` (a middleware failing outright) passes as it is: the request cannot be kept to
    // answer for it — an `HttpRequest` cloned before routing makes actix panic — and none of
    // the middleware inside this one fails that way; they all answer with a response.
    let res = next.call(req).await?;
    let status = res.status();
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    if status.as_u16() < 400 || is_problem {
        return Ok(res.map_into_left_body());
    }
    let rewritten = match res.response().error() {
        Some(e) => problem_response(status, e, res.headers()),
        None => problem_response(status, &status_only(status), res.headers()),
    };
    Ok(res.into_response(rewritten).map_into_right_body())
}

/// An error with nothing to say but its status.
fn status_only(status: StatusCode) -> Error {
    actix_web::error::InternalError::new(status.canonical_reason().unwrap_or("error"), status)
        .into()
}

fn problem_response(
    status: StatusCode,
    error: &Error,
    headers: &actix_web::http::header::HeaderMap,
) -> HttpResponse {
    // The HTTP layer's own words are English; in Vietnamese the code's meaning stands in.
    let (code, detail) = if error.as_error::<actix_cors::CorsError>().is_some() {
        let vi = "nguồn (Origin) của yêu cầu, hoặc phương thức hay tiêu đề mà nó xin dùng, \
                  không được phép";
        (Code::CorsRefused, Text::owned(error.to_string(), vi))
    } else if status.is_server_error() {
        tracing::error!(error = ?error, "request failed outside the API's own errors");
        let code = Code::InternalError;
        (code, Text::owned("internal server error", code.text().vi()))
    } else {
        let code = code_of(status);
        (code, Text::owned(error.to_string(), code.text().vi()))
    };
    let ctx = request_id::current();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let mut problem = crate::error::Problem::new(code, status.as_u16(), &detail, lang);
    problem.instance = ctx.as_ref().map(|c| c.path.clone());
    problem.request_id = ctx.map(|c| c.id);
    let mut res = HttpResponse::build(status);
    for (name, value) in headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            res.append_header((name.clone(), value.clone()));
        }
    }
    speaks(&mut res, lang);
    res.content_type(PROBLEM_JSON)
        .body(serde_json::to_string(&problem).unwrap_or_default())
}

/// The code of an error status the HTTP layer answered by itself.
fn code_of(status: StatusCode) -> Code {
    match status {
        StatusCode::BAD_REQUEST => Code::BadRequest,
        StatusCode::UNAUTHORIZED => Code::Unauthorized,
        StatusCode::FORBIDDEN => Code::Forbidden,
        StatusCode::NOT_FOUND => Code::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => Code::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => Code::RequestTimeout,
        StatusCode::LENGTH_REQUIRED => Code::LengthRequired,
        StatusCode::PAYLOAD_TOO_LARGE => Code::PayloadTooLarge,
        StatusCode::URI_TOO_LONG => Code::UriTooLong,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => Code::UnsupportedMediaType,
        StatusCode::TOO_MANY_REQUESTS => Code::QuotaExceeded,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => Code::RequestHeaderFieldsTooLarge,
        StatusCode::SERVICE_UNAVAILABLE => Code::ServiceUnavailable,
        s if s.is_server_error() => Code::InternalError,
        _ => Code::RequestRefused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_with_controls_are_refused_by_name() {
        assert!(check_query("").is_none());
        assert!(check_query("q=Nguy%E1%BB%85n&page_size=5").is_none());
        let err = check_query("page_size=5&q=a%00b").unwrap();
        let ApiError::BadRequest { errors, .. } = err else {
            panic!()
        };
        assert_eq!(errors[0].field, "q");
        assert_eq!(errors[0].code, "control_character");
        let err = check_query("q=%E2%80%AEabc").unwrap();
        assert_eq!(err.code(), "invalid_query");
        assert!(check_query("a%01=1").is_some());
    }

    #[test]
    fn statuses_have_their_codes() {
        assert_eq!(code_of(StatusCode::BAD_REQUEST), "bad_request");
        assert_eq!(
            code_of(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE),
            "request_header_fields_too_large"
        );
        assert_eq!(code_of(StatusCode::IM_A_TEAPOT), "request_refused");
    }
}
