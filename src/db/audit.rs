//! The audit trail: one row per write, inserted in the same transaction as the write itself,
//! so a change and its record commit or roll back together. The table refuses UPDATE and
//! DELETE (triggers in both databases).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

use super::schema::audit_events;
use super::{AnyConnection, MultiBackend, now};
use crate::auth::Actor;
use crate::error::ApiError;
use crate::keyset_page;
use crate::pagination::{Cursor, Page, PageRequest, SortField, SortKey, SortKind};

/// What happened, to what, and the state before and after.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Change<'a> {
    /// A change of one resource, e.g. `Change::new("unit.update", "unit", id)`.
    pub fn new(action: &'a str, resource_type: &'a str, resource_id: impl ToString) -> Self {
        Change {
            action,
            resource_type,
            resource_id: Some(resource_id.to_string()),
            before: None,
            after: None,
        }
    }

    /// The resource as it was, in its API representation.
    pub fn before(mut self, value: impl serde::Serialize) -> Self {
        self.before = Some(snapshot(value));
        self
    }

    /// Why, for a workflow step: kept with the state after it.
    pub fn reason(mut self, reason: Option<&str>) -> Self {
        if let (Some(reason), Some(serde_json::Value::Object(after))) = (reason, &mut self.after) {
            after.insert("transition_reason".into(), reason.into());
        }
        self
    }

    /// The resource as it is now, in its API representation.
    pub fn after(mut self, value: impl serde::Serialize) -> Self {
        self.after = Some(snapshot(value));
        self
    }
}

/// A resource as JSON for the trail. A snapshot that cannot be serialised is kept as the
/// reason why, and logged, rather than dropped: a missing `before` would read as "created".
fn snapshot(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or_else(|e| {
        tracing::error!(error = %e, "an audit snapshot could not be serialised");
        serde_json::json!({ "snapshot_error": e.to_string() })
    })
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events, check_for_backend(MultiBackend))]
pub struct AuditEvent {
    pub id: i64,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub actor_role: Option<String>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    pub action: String,
    pub outcome: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

fn insert(
    c: &mut AnyConnection,
    actor: &Actor,
    change: Change<'_>,
    outcome: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::occurred_at.eq(now()),
            audit_events::actor_id.eq(actor.user_id),
            audit_events::actor_username.eq(&actor.username),
            audit_events::actor_role.eq(actor.role),
            audit_events::request_id.eq(&actor.request_id),
            audit_events::client_ip.eq(&actor.client_ip),
            audit_events::action.eq(change.action),
            audit_events::outcome.eq(outcome),
            audit_events::resource_type.eq(change.resource_type),
            audit_events::resource_id.eq(change.resource_id),
            audit_events::before_json.eq(change.before.map(|v| v.to_string())),
            audit_events::after_json.eq(change.after.map(|v| v.to_string())),
        ))
        .execute(c)
        .map(|_| ())
}

/// Records a successful write; call it inside the write's transaction.
pub fn record(c: &mut AnyConnection, actor: &Actor, change: Change<'_>) -> QueryResult<()> {
    insert(c, actor, change, "success")
}

/// Records a refused attempt (a failed login, say), which changes nothing else.
pub fn record_failure(c: &mut AnyConnection, actor: &Actor, change: Change<'_>) -> QueryResult<()> {
    insert(c, actor, change, "failure")
}

/// Records a write the caller was not allowed to make (403), in a transaction of its own.
pub fn record_denied(c: &mut AnyConnection, actor: &Actor, change: Change<'_>) -> QueryResult<()> {
    insert(c, actor, change, "denied")
}

#[derive(Debug, Clone, Copy, PartialEq, strum::EnumString, strum::Display, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum AuditSort {
    Id,
    OccurredAt,
}

impl SortField for AuditSort {
    const DEFAULT: Self = AuditSort::Id;
    fn kind(self) -> SortKind {
        match self {
            AuditSort::Id => SortKind::Int,
            AuditSort::OccurredAt => SortKind::Time,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub outcome: Option<String>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub request_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// The events matching `f`, as a boxed query (each caller picks its columns).
fn filtered<'a>(f: &AuditFilter) -> audit_events::BoxedQuery<'a, MultiBackend> {
    let mut q = audit_events::table.into_boxed();
    if let Some(v) = f.actor_id {
        q = q.filter(audit_events::actor_id.eq(v));
    }
    if let Some(v) = &f.action {
        q = q.filter(audit_events::action.eq(v.clone()));
    }
    if let Some(v) = &f.outcome {
        q = q.filter(audit_events::outcome.eq(v.clone()));
    }
    if let Some(v) = &f.resource_type {
        q = q.filter(audit_events::resource_type.eq(v.clone()));
    }
    if let Some(v) = &f.resource_id {
        q = q.filter(audit_events::resource_id.eq(v.clone()));
    }
    if let Some(v) = &f.request_id {
        q = q.filter(audit_events::request_id.eq(v.clone()));
    }
    if let Some(v) = f.from {
        q = q.filter(audit_events::occurred_at.ge(v));
    }
    if let Some(v) = f.to {
        q = q.filter(audit_events::occurred_at.lt(v));
    }
    q
}

/// One page of events.
///
/// A stored row that cannot be read (a timestamp out of range, text where a number belongs:
/// the table predates some checks, and SQLite types loosely) must not take the whole trail
/// down with it: the page is then read again row by row, and each unreadable row is left out
/// and logged with its id, so that the rest can still be read and the row repaired. Under the
/// default order (by id) the page token still moves past it; under `occurred_at` it moves
/// past the last readable row.
pub fn list(
    c: &mut AnyConnection,
    f: &AuditFilter,
    page: &PageRequest<AuditSort>,
) -> Result<Page<AuditEvent>, ApiError> {
    let loaded = match page.field {
        AuditSort::Id => keyset_page!(
            filtered(f).select(AuditEvent::as_select()),
            page,
            audit_events::id,
            audit_events::id,
            i64
        )
        .load::<AuditEvent>(c),
        AuditSort::OccurredAt => keyset_page!(
            filtered(f).select(AuditEvent::as_select()),
            page,
            audit_events::occurred_at,
            audit_events::id,
            chrono::NaiveDateTime
        )
        .load::<AuditEvent>(c),
    };
    let mut rows: Vec<(i64, Option<AuditEvent>)> = match loaded {
        Ok(rows) => rows.into_iter().map(|e| (e.id, Some(e))).collect(),
        Err(diesel::result::Error::DeserializationError(_)) => readable(c, f, page)?,
        Err(e) => return Err(e.into()),
    };
    if page.field == AuditSort::OccurredAt {
        // An unreadable row has no time to continue from.
        rows.retain(|(_, e)| e.is_some());
    }
    let page = page.finish(rows, |(id, e)| match e {
        Some(e) => Cursor {
            id: e.id,
            key: match page.field {
                AuditSort::Id => SortKey::Int(e.id),
                AuditSort::OccurredAt => SortKey::Time(e.occurred_at),
            },
        },
        None => Cursor {
            id: *id,
            key: SortKey::Int(*id),
        },
    });
    page.map_all(|rows| Ok(rows.into_iter().filter_map(|(_, e)| e).collect()))
}

/// The page's rows one by one, `None` for each that cannot be read. Ids always can: they are
/// the integer primary key.
fn readable(
    c: &mut AnyConnection,
    f: &AuditFilter,
    page: &PageRequest<AuditSort>,
) -> Result<Vec<(i64, Option<AuditEvent>)>, ApiError> {
    let ids: Vec<i64> = match page.field {
        AuditSort::Id => keyset_page!(
            filtered(f).select(audit_events::id),
            page,
            audit_events::id,
            audit_events::id,
            i64
        )
        .load(c)?,
        AuditSort::OccurredAt => keyset_page!(
            filtered(f).select(audit_events::id),
            page,
            audit_events::occurred_at,
            audit_events::id,
            chrono::NaiveDateTime
        )
        .load(c)?,
    };
    let mut rows = Vec::with_capacity(ids.len());
    for id in ids {
        let row = audit_events::table
            .find(id)
            .select(AuditEvent::as_select())
            .first(c);
        match row {
            Ok(e) => rows.push((id, Some(e))),
            Err(diesel::result::Error::DeserializationError(e)) => {
                tracing::error!(audit_event_id = id, error = %e, "an unreadable audit event is left out of the list");
                rows.push((id, None));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(rows)
}
