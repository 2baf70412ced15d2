//! Login throttling state, per account and per client address. It lives in the database so
//! that every instance behind a load balancer sees the same counts.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::login_throttle;
use super::{AnyConnection, now};

/// Failures older than this are forgotten.
const WINDOW: Duration = Duration::minutes(15);
/// The longest lockout, however many failures (OWASP: no permanent lockout).
const MAX_LOCKOUT: Duration = Duration::minutes(15);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Account,
    Ip,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Ip => "ip",
        }
    }
}

/// Seconds until `key` may try again, if it is locked out.
pub fn locked_for(c: &mut AnyConnection, scope: Scope, key: &str) -> QueryResult<Option<u64>> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .find((scope.as_str(), key))
        .select(login_throttle::locked_until)
        .first(c)
        .optional()?;
    let now = now();
    Ok(until
        .flatten()
        .filter(|u| *u > now)
        .map(|u| ((u - now).num_milliseconds() as u64).div_ceil(1000).max(1)))
}

/// Counts a failure; from the `threshold`-th failure in the window on, locks the key out for
/// `base`, doubling with each further failure up to 15 minutes.
pub fn record_failure(
    c: &mut AnyConnection,
    scope: Scope,
    key: &str,
    threshold: u32,
    base: std::time::Duration,
) -> QueryResult<()> {
    let at = now();
    let current: Option<(i32, NaiveDateTime)> = login_throttle::table
        .find((scope.as_str(), key))
        .select((login_throttle::failures, login_throttle::window_start))
        .first(c)
        .optional()?;
    let (failures, window_start) = match current {
        Some((n, start)) if at - start < WINDOW => (n + 1, start),
        _ => (1, at),
    };
    let over = failures - threshold as i32;
    let locked_until = (over >= 0).then(|| {
        let base = Duration::from_std(base).unwrap_or(MAX_LOCKOUT);
        at + (base * 2i32.saturating_pow(over.min(16) as u32)).min(MAX_LOCKOUT)
    });
    let values = (
        login_throttle::failures.eq(failures),
        login_throttle::window_start.eq(window_start),
        login_throttle::locked_until.eq(locked_until),
    );
    if current.is_some() {
        diesel::update(login_throttle::table.find((scope.as_str(), key)))
            .set(values)
            .execute(c)?;
    } else {
        diesel::insert_into(login_throttle::table)
            .values((
                login_throttle::scope.eq(scope.as_str()),
                login_throttle::key.eq(key),
                values,
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Forgets the failures of a key (after a successful login).
pub fn clear(c: &mut AnyConnection, scope: Scope, key: &str) -> QueryResult<usize> {
    diesel::delete(login_throttle::table.find((scope.as_str(), key))).execute(c)
}
