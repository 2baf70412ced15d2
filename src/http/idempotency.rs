//! Idempotent POSTs: with an `Idempotency-Key` header, the response is stored in the same
//! transaction as the write, and a retry with the same key and body gets the stored response
//! back instead of writing twice. The same key with another body is a 422.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::db::idempotency::{self, StoredResponse};
use crate::db::{AnyConnection, Db, is_unique_violation, now};
use crate::error::{ApiError, Code, FieldCode, FieldError, Text};

pub const HEADER: &str = "idempotency-key";
/// Set on a response that was replayed from storage.
pub const REPLAYED: &str = "idempotent-replayed";

/// A write's answer, in a form that can be stored and replayed.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: serde_json::Value,
    pub location: Option<String>,
    pub etag: Option<String>,
}

impl Reply {
    /// 201 Created with the new resource's location and ETag.
    pub fn created(
        body: impl Serialize,
        location: String,
        etag: String,
    ) -> Result<Reply, ApiError> {
        Ok(Reply {
            status: StatusCode::CREATED,
            body: to_value(body)?,
            location: Some(location),
            etag: Some(etag),
        })
    }

    /// 200 OK.
    pub fn ok(body: impl Serialize) -> Result<Reply, ApiError> {
        Ok(Reply {
            status: StatusCode::OK,
            body: to_value(body)?,
            location: None,
            etag: None,
        })
    }

    pub fn into_response(self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        if let Some(l) = self.location {
            res.insert_header((header::LOCATION, l));
        }
        if let Some(e) = self.etag {
            res.insert_header((header::ETAG, e));
        }
        res.json(self.body)
    }
}

fn to_value(body: impl Serialize) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(body).map_err(|e| ApiError::Internal(e.into()))
}

/// The optional `Idempotency-Key` header of a POST, with the request's method and path.
///
/// A malformed header is reported by `run`, not by extraction, so that handlers authorise
/// first: a caller without the right gets 401/403, never a 400 about the header.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: Key,
    target: String,
}

#[derive(Debug, Clone)]
enum Key {
    Absent,
    Valid(String),
    Invalid,
}

fn invalid_header() -> ApiError {
    let message = Text::new(
        "must be 1 to 255 visible ASCII characters",
        "phải gồm từ 1 đến 255 ký tự ASCII hiển thị được",
    );
    ApiError::BadRequest {
        code: Code::InvalidHeader,
        message: message.map(|m| format!("Idempotency-Key {m}")),
        errors: vec![FieldError::new(
            "Idempotency-Key",
            FieldCode::Invalid,
            message,
        )],
    }
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<IdempotencyKey, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let target = format!("{} {}", req.method(), req.path());
        let key = match req.headers().get(HEADER).map(|v| v.to_str()) {
            None => Key::Absent,
            Some(Ok(k))
                if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Key::Valid(k.to_owned())
            }
            Some(_) => Key::Invalid,
        };
        ready(Ok(IdempotencyKey { key, target }))
    }
}

/// Documents the header (`params(IdempotencyKey)`): optional, and a string when sent.
impl utoipa::IntoParams for IdempotencyKey {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "Makes a retry return the first response instead of writing twice; the same \
                     key with another body is a 422",
                ))
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(255))
                        .pattern(Some("^[!-~]{1,255}$")),
                ))
                .example(Some(serde_json::json!(
                    "0b6f1c3e-6a4f-4f57-8f55-2b1f7f7c9d10"
                )))
                .build(),
        ]
    }
}

impl IdempotencyKey {
    /// Runs the write `f` in a transaction (see [`Db::write`]) — or replays its earlier answer.
    /// `request` is the parsed body; with the method and path it forms the fingerprint. A
    /// malformed header is a 400 `invalid_header`, before anything runs.
    pub async fn run<F>(
        self,
        db: &Db,
        user: &AuthUser,
        request: &impl Serialize,
        mut f: F,
    ) -> Result<HttpResponse, ApiError>
    where
        F: FnMut(&mut AnyConnection) -> Result<Reply, ApiError> + Send + 'static,
    {
        let key = match self.key {
            Key::Absent => return db.write(f).await.map(Reply::into_response),
            Key::Invalid => return Err(invalid_header()),
            Key::Valid(key) => key,
        };
        let body = serde_json::to_vec(request).map_err(|e| ApiError::Internal(e.into()))?;
        let mut hasher = Sha256::new();
        hasher.update(self.target.as_bytes());
        hasher.update([0]);
        hasher.update(&body);
        let fingerprint = format!("{:x}", hasher.finalize());
        let user_id = user.id;
        if let Some(stored) = lookup(db, user_id, &key).await? {
            return replay(stored, &fingerprint);
        }
        let (fp, k) = (fingerprint.clone(), key.clone());
        let result = db
            .write(move |c| {
                // Again inside the transaction: a concurrent request with this key may have
                // committed since the lookup, and `f` would then fail on its own rules (a taken
                // username, say) instead of the retry getting the stored answer.
                if let Some(stored) = idempotency::find(c, user_id, &k)? {
                    return Ok(Err(stored));
                }
                let reply = f(c)?;
                idempotency::insert(
                    c,
                    &StoredResponse {
                        user_id,
                        idempotency_key: k.clone(),
                        fingerprint: fp.clone(),
                        status: i32::from(reply.status.as_u16()),
                        body: reply.body.to_string(),
                        location: reply.location.clone(),
                        etag: reply.etag.clone(),
                        created_at: now(),
                    },
                )?;
                Ok(Ok(reply))
            })
            .await;
        match result {
            Ok(Ok(reply)) => Ok(reply.into_response()),
            Ok(Err(stored)) => replay(stored, &fingerprint),
            // A concurrent request with the same key may have committed first.
            Err(e) if is_unique_violation(&e) => match lookup(db, user_id, &key).await? {
                Some(stored) => replay(stored, &fingerprint),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }
}

async fn lookup(db: &Db, user_id: i64, key: &str) -> Result<Option<StoredResponse>, ApiError> {
    let key = key.to_owned();
    db.read(move |c| Ok(idempotency::find(c, user_id, &key)?))
        .await
}

fn replay(stored: StoredResponse, fingerprint: &str) -> Result<HttpResponse, ApiError> {
    if stored.fingerprint != fingerprint {
        return Err(ApiError::IdempotencyKeyReused);
    }
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    res.content_type("application/json")
        .insert_header((REPLAYED, "true"));
    if let Some(l) = stored.location {
        res.insert_header((header::LOCATION, l));
    }
    if let Some(e) = stored.etag {
        res.insert_header((header::ETAG, e));
    }
    Ok(res.body(stored.body))
}
