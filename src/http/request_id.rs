//! `X-Request-Id`: accepted when well-formed, generated otherwise, echoed on every response,
//! attached to every log line (through a tracing span) and to every problem body and audit row.
//! The language of problem documents is chosen here too, once per request, from
//! `Accept-Language`.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Instrument;

use crate::error::Lang;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What the current request is, for code that has no access to the request itself.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub id: String,
    pub path: String,
    /// The language problem documents are written in.
    pub lang: Lang,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

/// The request being served by this task, if any.
pub fn current() -> Option<RequestContext> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The request id as a request extension, for extractors and handlers.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accept(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| accept(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let ctx = RequestContext {
        id: id.clone(),
        path: req.path().to_owned(),
        lang: Lang::negotiate(
            req.headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        ),
    };
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = ?req.path());
    let started = Instant::now();
    let result = CURRENT
        .scope(ctx, next.call(req))
        .instrument(span.clone())
        .await;
    let _enter = span.enter();
    match result {
        Ok(mut res) => {
            let status = res.status().as_u16();
            let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
            tracing::info!(status, elapsed_ms, "served");
            if let Ok(value) = HeaderValue::from_str(&id) {
                res.headers_mut().insert(HEADER, value);
            }
            Ok(res)
        }
        Err(e) => {
            tracing::warn!(error = ?e, "request failed before a response was built");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::accept;

    #[test]
    fn accepts_only_short_alphanumeric_ids() {
        assert!(accept("abc-123"));
        assert!(!accept(""));
        assert!(!accept("a b"));
        assert!(!accept(&"a".repeat(65)));
    }
}
