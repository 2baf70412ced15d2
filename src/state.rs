//! What every handler shares: the database, the token keys and a few settings.

use std::time::Duration;

use crate::auth::jwt::JwtKeys;
use crate::config::ThrottleConfig;
use crate::db::Db;

pub struct AppState {
    pub db: Db,
    pub jwt: JwtKeys,
    pub refresh_ttl: Duration,
    pub throttle: ThrottleConfig,
    pub trust_forwarded: bool,
    /// The body limit of the import endpoints (`THIDUA_IMPORT_LIMIT_BYTES`).
    pub import_limit: usize,
    /// How many imports may run at once, and whose turn it is to write.
    pub imports: crate::import::Slots,
}
