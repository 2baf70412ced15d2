//! A write refused with 403 leaves a row in the audit trail (outcome `denied`): an official
//! trying what their role or scope does not allow is worth knowing about, and the refusal
//! itself changes nothing else.
//!
//! The row is written here, after the handler answered, in a transaction of its own: the
//! handler's own transaction (if it had begun one) rolled back with the refusal. Only
//! authenticated callers are recorded — the extractor leaves their `Actor` in the request —
//! so anonymous traffic cannot grow the table; failed logins have their own rows.

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use serde_json::json;

use super::Actor;
use crate::db::audit::{self, Change};
use crate::state::AppState;

/// Middleware: records every 403 answer to a write (any method but GET, HEAD and OPTIONS).
pub async fn audit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let res = next.call(req).await?;
    if !write || res.status() != StatusCode::FORBIDDEN {
        return Ok(res);
    }
    let request = res.request();
    let Some(actor) = request.extensions().get::<Actor>().cloned() else {
        return Ok(res);
    };
    let Some(state) = request.app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let route = request
        .match_pattern()
        .unwrap_or_else(|| request.path().to_owned());
    let resource_type = route
        .trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    let resource_id = request.match_info().get("id").map(str::to_owned);
    let attempt = json!({
        "method": request.method().as_str(),
        "route": route,
        "path": request.path(),
    });
    let recorded = state
        .db
        .write(move |c| {
            let change = Change {
                action: "write.denied",
                resource_type: &resource_type,
                resource_id: resource_id.clone(),
                before: None,
                after: Some(attempt.clone()),
            };
            Ok(audit::record_denied(c, &actor, change)?)
        })
        .await;
    if let Err(e) = recorded {
        // The answer stays the 403 it was; the trail's gap goes to the log.
        tracing::error!(error = ?e, "a refused write could not be audited");
    }
    Ok(res)
}
