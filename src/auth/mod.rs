//! Who is calling: roles, the data scope every query filters by, and the `AuthUser` extractor.

pub mod denied;
pub mod jwt;
pub mod password;
pub mod session;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

pub use crate::domain::Role;
use crate::domain::{Permission, policy};

use crate::db::users;
use crate::error::ApiError;
use crate::http::request_id::RequestId;
use crate::state::AppState;

/// The part of the province a user's reads and writes are confined to. Every query over
/// scoped data takes one; objects outside it answer 404, never 403.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole province.
    Province,
    /// The units that belong to these blocs.
    Blocs(Vec<i64>),
    /// One unit.
    Unit(i64),
}

impl Scope {
    /// The scope a stored user has: blocs or a unit when set, else the whole province.
    pub fn of(role: Role, unit_id: Option<i64>, bloc_ids: &[i64]) -> Scope {
        match (role, unit_id) {
            (Role::Admin, _) => Scope::Province,
            (_, Some(unit)) => Scope::Unit(unit),
            (_, None) if !bloc_ids.is_empty() => Scope::Blocs(bloc_ids.to_vec()),
            _ => Scope::Province,
        }
    }
}

/// Who did something, as the audit trail records it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub role: Option<&'static str>,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

/// The authenticated caller. Taking it as a handler argument makes the route require a valid
/// access token of an enabled user; the user row is read on every request so that disabling a
/// user, changing a role or logging out takes effect at once, on every instance.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    pub token_version: i64,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl AuthUser {
    /// Refuses (403) a caller whose role does not hold `p` (the grant table is
    /// `domain::policy`).
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if policy::allows(self.role, p) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: Some(self.username.clone()),
            role: Some(self.role.as_str()),
            request_id: self.request_id.clone(),
            client_ip: self.client_ip.clone(),
        }
    }
}

/// The caller's address: the peer, or with `THIDUA_TRUST_FORWARDED=true` the last address of
/// `X-Forwarded-For` — the one our load balancer appended. Earlier entries come from the
/// client and could be forged to dodge the login throttle.
pub fn client_ip(req: &HttpRequest, trust_forwarded: bool) -> Option<String> {
    let forwarded = trust_forwarded
        .then(|| {
            req.headers()
                .get("x-forwarded-for")?
                .to_str()
                .ok()?
                .rsplit(',')
                .next()
                .map(str::trim)
                .map(str::to_owned)
        })
        .flatten()
        .filter(|a| !a.is_empty());
    let addr = forwarded.or_else(|| req.connection_info().peer_addr().map(str::to_owned));
    addr.map(|a| {
        a.parse::<std::net::SocketAddr>()
            .map(|s| s.ip().to_string())
            .unwrap_or(a)
    })
}

/// Request metadata for audit rows written before anyone is authenticated (e.g. a login).
pub fn anonymous_actor(req: &HttpRequest, state: &AppState) -> Actor {
    // Two statements: `connection_info` borrows the extensions too, so the first borrow must end.
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    Actor {
        request_id,
        client_ip: client_ip(req, state.trust_forwarded),
        ..Actor::default()
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<AuthUser, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(&req);
        let actor = state.as_ref().map(|s| anonymous_actor(&req, s));
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("AppState missing")))?;
            let claims = state.jwt.verify(&token.ok_or(ApiError::Unauthorized)?)?;
            let id: i64 = claims.sub.parse().map_err(|_| ApiError::Unauthorized)?;
            let user = state
                .db
                .read(move |c| Ok(users::find(c, id)?))
                .await?
                .ok_or(ApiError::Unauthorized)?;
            if user.disabled || user.token_version != claims.ver {
                return Err(ApiError::Unauthorized);
            }
            let actor = actor.unwrap_or_default();
            let user = AuthUser {
                id: user.id,
                scope: Scope::of(user.role, user.unit_id, &user.bloc_ids),
                username: user.username,
                role: user.role,
                token_version: user.token_version,
                request_id: actor.request_id,
                client_ip: actor.client_ip,
            };
            // Kept for `denied::audit`, which records who was refused a write.
            req.extensions_mut().insert(user.actor());
            Ok(user)
        })
    }
}
