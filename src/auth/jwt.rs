//! Access tokens: HS256 JWTs validated per RFC 8725 — one pinned algorithm, `typ: at+jwt`,
//! and `iss`, `aud`, `sub`, `exp`, `iat`, `nbf` all required and checked.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

pub const ISSUER: &str = "thidua";
pub const AUDIENCE: &str = "thidua-api";
/// The media type of access tokens (RFC 9068), so no other JWT can pass for one.
pub const TOKEN_TYPE: &str = "at+jwt";
const ALGORITHM: Algorithm = Algorithm::HS256;
/// Seconds of clock difference tolerated between instances.
const LEEWAY: u64 = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The user id.
    pub sub: String,
    pub exp: i64,
    pub iat: i64,
    pub nbf: i64,
    /// The user's token version when issued; bumping it revokes every access token at once.
    pub ver: i64,
    pub jti: String,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> JwtKeys {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "nbf", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Issues an access token for a user.
    pub fn issue(&self, user_id: i64, token_version: i64) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.to_string(),
            exp: now + self.ttl.as_secs() as i64,
            iat: now,
            nbf: now,
            ver: token_version,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims with this server's key (tests forge tokens with it).
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        let mut header = Header::new(ALGORITHM);
        header.typ = Some(TOKEN_TYPE.into());
        encode(&header, claims, &self.encoding)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("signing a token: {e}")))
    }

    /// Verifies signature, algorithm, type and claims; any failure is a plain 401.
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| {
            tracing::info!(reason = ?e, "rejected an access token");
            ApiError::Unauthorized
        })?;
        if !data
            .header
            .typ
            .is_some_and(|t| t.eq_ignore_ascii_case(TOKEN_TYPE))
        {
            tracing::info!("rejected a token that is not an access token");
            return Err(ApiError::Unauthorized);
        }
        // jsonwebtoken checks exp and nbf but not iat: a token "issued" in the future was not
        // issued by us.
        if data.claims.iat > chrono::Utc::now().timestamp() + LEEWAY as i64 {
            tracing::info!("rejected a token issued in the future");
            return Err(ApiError::Unauthorized);
        }
        Ok(data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issued_tokens_verify_and_others_do_not() {
        let keys = JwtKeys::new(&[7u8; 32], Duration::from_secs(60));
        let token = keys.issue(42, 3).unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.ver), ("42", 3));
        let mut future = claims.clone();
        future.iat += 3600;
        assert!(keys.verify(&keys.sign(&future).unwrap()).is_err());
        let other = JwtKeys::new(&[8u8; 32], Duration::from_secs(60));
        assert!(other.verify(&token).is_err());
        assert!(keys.verify("not.a.token").is_err());
    }
}
