//! Liveness and readiness probes, outside `/api/v1`.

use actix_web::{HttpResponse, get, web};
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::api::responses::HeadTooLarge;
use crate::error::ApiError;
use crate::state::AppState;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process is serving.
///
/// Needs no authentication and touches no database; a load balancer or orchestrator may poll it
/// often.
#[utoipa::path(
    tag = "operations",
    security(),
    responses(
        HeadTooLarge,
        (status = 200, description = "Alive", body = Health),
    )
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: the database answers.
///
/// Needs no authentication. Use it as the load balancer's health check: an instance that
/// cannot reach its database answers 503 and should get no traffic.
#[utoipa::path(
    tag = "operations",
    security(),
    responses(
        HeadTooLarge,
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db
        .read(|c| {
            c.batch_execute("SELECT 1")
                .map_err(|e| ApiError::Unavailable(e.to_string()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus metrics, in the text exposition format.
///
/// Request counts and latency histograms by
/// route pattern, method and status (`thidua_http_requests_total`,
/// `thidua_http_requests_duration_seconds`), and the database pool's gauges
/// (`thidua_db_pool_connections`, `thidua_db_pool_idle_connections`,
/// `thidua_db_pool_max_connections`).
///
/// Needs no authentication, like the probes: expose it to the scraper only.
#[utoipa::path(
    tag = "operations",
    security(),
    responses(
        HeadTooLarge,
        (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4", body = String),
    )
)]
#[get("/metrics")]
pub async fn metrics(registry: web::Data<prometheus::Registry>) -> Result<HttpResponse, ApiError> {
    let mut text = String::new();
    prometheus::TextEncoder::new()
        .encode_utf8(&registry.gather(), &mut text)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("encoding metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(prometheus::TEXT_FORMAT)
        .body(text))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}
