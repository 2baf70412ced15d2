//! `/audit-events`: the append-only trail of every write, for admins.

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::responses::{AdminRead, CsvExport};
use crate::auth::AuthUser;
use crate::db::audit::{self, AuditEvent, AuditFilter, AuditSort};
use crate::domain::Permission;
use crate::error::ApiError;
use crate::http::csv::{self, CsvRow, opt};
use crate::list_query;
use crate::pagination::Page;
use crate::state::AppState;

/// Whether the audited attempt succeeded.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, strum::IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Outcome {
    Success,
    /// An attempt that failed on its merits, such as a wrong password.
    Failure,
    /// A write the caller's role or scope does not allow (answered 403).
    Denied,
}

/// One audited action.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventResponse {
    #[schema(example = 1042)]
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// The user who acted; absent for anonymous attempts such as a failed login.
    #[schema(example = 1)]
    pub actor_id: Option<i64>,
    #[schema(example = "admin")]
    pub actor_username: Option<String>,
    #[schema(example = "admin")]
    pub actor_role: Option<String>,
    #[schema(example = "5f0c6f5e-8d0b-4a57-9a3f-3f1e5e0c2b1a")]
    pub request_id: Option<String>,
    #[schema(example = "10.0.0.7")]
    pub client_ip: Option<String>,
    /// What was done, as `resource.verb`.
    #[schema(example = "user.update")]
    pub action: String,
    #[schema(value_type = Outcome)]
    pub outcome: String,
    #[schema(example = "user")]
    pub resource_type: String,
    #[schema(example = "7")]
    pub resource_id: Option<String>,
    /// The resource before the change.
    #[schema(schema_with = before_schema)]
    pub before: Option<serde_json::Value>,
    /// The resource after the change.
    #[schema(schema_with = after_schema)]
    pub after: Option<serde_json::Value>,
}

impl CsvRow for AuditEventResponse {
    const HEADER: &'static [&'static str] = &[
        "id",
        "occurred_at",
        "actor_id",
        "actor_username",
        "actor_role",
        "request_id",
        "client_ip",
        "action",
        "outcome",
        "resource_type",
        "resource_id",
        "before",
        "after",
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.occurred_at.to_rfc3339(),
            opt(&self.actor_id),
            opt(&self.actor_username),
            opt(&self.actor_role),
            opt(&self.request_id),
            opt(&self.client_ip),
            self.action.clone(),
            self.outcome.clone(),
            self.resource_type.clone(),
            opt(&self.resource_id),
            opt(&self.before),
            opt(&self.after),
        ]
    }
}

impl From<AuditEvent> for AuditEventResponse {
    fn from(e: AuditEvent) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEventResponse {
            id: e.id,
            occurred_at: e.occurred_at.and_utc(),
            actor_id: e.actor_id,
            actor_username: e.actor_username,
            actor_role: e.actor_role,
            request_id: e.request_id,
            client_ip: e.client_ip,
            action: e.action,
            outcome: e.outcome,
            resource_type: e.resource_type,
            resource_id: e.resource_id,
            before: parse(e.before_json),
            after: parse(e.after_json),
        }
    }
}

/// A snapshot is the resource's JSON as its GET answered it: any object, so declared free-form
/// (an object without `additionalProperties` reads as "no properties" to client generators).
fn snapshot(description: &str) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{AdditionalProperties, SchemaType, Type};
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::Object, Type::Null]))
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
        .description(Some(description))
        .examples([serde_json::json!({"id": 7, "username": "tnmt", "role": "unit_officer"})])
        .build()
}

fn before_schema() -> utoipa::openapi::Object {
    snapshot("The resource before the change.")
}

fn after_schema() -> utoipa::openapi::Object {
    snapshot("The resource after the change.")
}

list_query! {
    /// Filters for the audit trail.
    pub struct AuditListQuery {
        /// Only actions of this user.
        #[param(minimum = 1)]
        #[validate(range(min = 1))]
        pub actor_id: Option<i64>,
        /// Only this action, e.g. `user.update`.
        #[param(max_length = 64, example = "user.update")]
        #[validate(length(max = 64))]
        pub action: Option<String>,
        pub outcome: Option<Outcome>,
        /// Only this kind of resource, e.g. `user`.
        #[param(max_length = 64, example = "user")]
        #[validate(length(max = 64))]
        pub resource_type: Option<String>,
        /// Only this resource (with `resource_type`).
        #[param(max_length = 64, example = "7")]
        #[validate(length(max = 64))]
        pub resource_id: Option<String>,
        /// Only the actions of one request.
        #[param(max_length = 64)]
        #[validate(length(max = 64))]
        pub request_id: Option<String>,
        /// From this instant (inclusive).
        pub from: Option<DateTime<Utc>>,
        /// Until this instant (exclusive).
        pub to: Option<DateTime<Utc>>,
    }
    export = AuditExportQuery,
    order_by = crate::db::audit::AuditSort
}

/// List audit events.
#[utoipa::path(
    tag = "audit",
    params(AuditListQuery),
    security(("bearer" = [])),
    responses(
        AdminRead,
        (status = 200, description = "One page of events", body = Page<AuditEventResponse>),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<AuditListQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner()).await
}

/// Export audit events as CSV.
///
/// Every row the list gives for the same filters and order, in one file, without pages.
#[utoipa::path(tag = "audit", params(AuditExportQuery), security(("bearer" = [])), responses(CsvExport, AdminRead))]
#[get("/audit-events/export")]
pub async fn export_audit_events(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<AuditExportQuery>,
) -> Result<HttpResponse, ApiError> {
    list(user, state, query.into_inner().into()).await
}

/// An audit event list as a JSON page or as CSV: the body of `GET /audit-events` and of its export.
async fn list(
    user: AuthUser,
    state: web::Data<AppState>,
    query: AuditListQuery,
) -> Result<HttpResponse, ApiError> {
    user.require(Permission::ReadAudit)?;
    let page = query.page::<AuditSort>()?;
    let q = query;
    let filter = AuditFilter {
        actor_id: q.actor_id,
        action: q.action,
        outcome: q.outcome.map(|o| <&str>::from(o).to_owned()),
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        request_id: q.request_id,
        from: q.from.map(|t| t.naive_utc()),
        to: q.to.map(|t| t.naive_utc()),
    };
    let wants_csv = csv::wanted(q.format);
    csv::list::<_, _, AuditEventResponse, _>(
        &state.db,
        wants_csv,
        "audit-events",
        page,
        move |c, p| audit::list(c, &filter, p),
    )
    .await
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    // Before `/audit-events/{id}`, which would take `export` for an id.
    cfg.service(list_audit_events).service(export_audit_events);
}
